//! Any bytes through the mail pipeline's pure steps: parse (never panics, refuses in
//! words), sanitize (no script survives), thread (subject key, reply token).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(mail) = backend::mail::parse::parse(data, 1 << 20) else { return };
    if let Some(html) = &mail.html {
        let clean = backend::mail::sanitize::sanitize_html(html).to_lowercase();
        assert!(!clean.contains("<script"), "a script survived sanitizing");
        assert!(!clean.contains("javascript:"), "a javascript: URL survived sanitizing");
    }
    let _ = backend::mail::thread::subject_key(&mail.subject);
    for id in mail.in_reply_to.iter().chain(&mail.references) {
        let _ = backend::mail::thread::conversation_of(id);
    }
});
