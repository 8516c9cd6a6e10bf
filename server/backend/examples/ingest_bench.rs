//! The ingest benchmark: N generated mails in a loopback Dovecot, fetched, parsed,
//! sanitized, stored and threaded end to end, as the mail workers do. Prints messages per
//! second, peak RSS, the delay from APPEND to the message being stored while the workers sit
//! in IDLE, and the time `mbsync` (isync) takes to download the same mailbox to a Maildir.
//!
//! `make bench` runs it (`cargo run --release -p backend --example ingest_bench -- 10000`).

use std::process::Command;
use std::time::{Duration, Instant};

use backend::mail::imap::{self, Limits};
use backend::mail::{Blobs, Ingest, MailOptions, workers};
use backend::mail_settings;
use backend::testing::mailservers::{self, Dovecot, SmtpSink};
use backend::testing::{TestDb, count};
use backend::{SecretKey, Store};
use model::MailboxId;

fn generated(i: usize) -> Vec<u8> {
    // Threads of three mails from one customer: a question and two follow-ups.
    let thread = i / 3;
    let customer = thread % 700;
    let reply =
        if i.is_multiple_of(3) { String::new() } else { format!("In-Reply-To: <t{thread}-0@customer.test>\r\n") };
    let html = format!(
        "<html><body><p dir=\"auto\">مرحبا، Order #{i} has not arrived.</p>\
         <table><tr><td style=\"color:#333\">Item</td><td>Qty {}</td></tr></table>\
         <script>alert(1)</script><img src=\"https://tracker.test/p{i}.gif\"></body></html>",
        i % 5
    );
    format!(
        "From: Customer {customer} <c{customer}@customer.test>\r\nTo: Support <support@shop.test>\r\n\
         Subject: {}Order {thread}\r\nMessage-ID: <t{thread}-{}@customer.test>\r\n{reply}\
         Date: Tue, 03 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=\"b{i}\"\r\n\r\n\
         --b{i}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nمرحبا، Order #{i} has not arrived. Line of text to give the mail a body.\r\n\
         --b{i}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--b{i}--\r\n",
        if i.is_multiple_of(3) { "" } else { "Re: " },
        i % 3
    )
    .into_bytes()
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

async fn messages(store: &Store, mailbox: MailboxId) -> i64 {
    count(store, &format!("messages WHERE hex(mailbox_id) = upper('{}')", mailbox.0.simple())).await
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let db = TestDb::sqlite().await;
    let blob_dir = tempfile::tempdir().expect("tempdir");
    let blobs = Blobs::open(blob_dir.path()).expect("blobs");
    let key = SecretKey::generate();
    let dovecot = Dovecot::start();
    let smtp = SmtpSink::start();
    let mailbox = db.store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox").id;

    eprintln!("appending {n} mails to Dovecot…");
    let mails: Vec<Vec<u8>> = (0..n).map(generated).collect();
    dovecot.append_all("INBOX", &mails, None).await;
    let bytes: usize = mails.iter().map(Vec::len).sum();
    drop(mails);

    // Fetch, parse, sanitize, store, thread: what a worker does on a first sync.
    let rss_before = peak_rss_mib();
    let limits = Limits::default();
    let ingest = Ingest { store: db.store.clone(), blobs: blobs.clone(), max_mail_bytes: 25 * 1024 * 1024 };
    let start = Instant::now();
    let mut session = imap::sign_in(&dovecot.endpoint(), mailservers::PASSWORD, &limits).await.expect("sign in");
    // As the workers do: fetching the next batch while the last one is parsed and stored.
    let bell = std::sync::Arc::new(tokio::sync::Notify::new());
    let ingester = {
        let (ingest, bell) = (ingest.clone(), bell.clone());
        tokio::spawn(async move {
            loop {
                bell.notified().await;
                ingest.run(mailbox).await.expect("ingest");
            }
        })
    };
    let report = imap::sync_folder(&mut session, &db.store, &blobs, mailbox, "INBOX", &limits, None, || {
        bell.notify_one();
        async { Ok(()) }
    })
    .await
    .expect("sync");
    let fetched_in = start.elapsed();
    while (messages(&db.store, mailbox).await as usize) < n {
        bell.notify_one();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    ingester.abort();
    let elapsed = start.elapsed();
    imap::sign_out(session, &limits).await;
    let stored = messages(&db.store, mailbox).await;
    assert_eq!(stored as usize, n, "every mail stored once");
    let conversations = count(&db.store, "conversations").await;

    // IDLE: the workers wait on INBOX; each APPEND is timed until its message is stored.
    let settings = mailservers::settings(&dovecot, &smtp, &["INBOX"]);
    mail_settings::save(&db.store, &key, mailbox, &settings, (Some(mailservers::PASSWORD), Some("")), None)
        .await
        .expect("save");
    let running = workers::start(
        db.store.clone(),
        blobs.clone(),
        key.clone(),
        MailOptions { reload: Duration::from_millis(100), ..MailOptions::default() },
        "bench".to_string(),
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut delays = Vec::new();
    for i in 0..20 {
        let before = messages(&db.store, mailbox).await;
        let start = Instant::now();
        dovecot.append_all("INBOX", &[generated(n + 1000 + i)], None).await;
        while messages(&db.store, mailbox).await == before {
            tokio::time::sleep(Duration::from_millis(2)).await;
            if start.elapsed() > Duration::from_secs(60) {
                panic!("a mail delivered during IDLE did not arrive within 60 s");
            }
        }
        delays.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    drop(running);
    delays.sort_by(f64::total_cmp);

    // mbsync downloading the same mailbox to a Maildir.
    let mbsync_dir = tempfile::tempdir().expect("tempdir");
    let maildir = mbsync_dir.path().join("Maildir");
    std::fs::create_dir_all(&maildir).expect("maildir");
    let config = mbsync_dir.path().join("mbsyncrc");
    std::fs::write(
        &config,
        format!(
            "IMAPAccount bench\nHost 127.0.0.1\nPort {}\nUser {}\nPass {}\nSSLType None\nAuthMechs LOGIN\n\n\
             IMAPStore remote\nAccount bench\n\nMaildirStore local\nPath {}/\nInbox {}/INBOX\n\n\
             Channel inbox\nFar :remote:INBOX\nNear :local:INBOX\nSync Pull\nCreate Near\nExpunge None\nSyncState *\n",
            dovecot.port,
            mailservers::USER,
            mailservers::PASSWORD,
            maildir.display(),
            maildir.display()
        ),
    )
    .expect("mbsyncrc");
    let start = Instant::now();
    let mbsync = Command::new("mbsync").arg("-c").arg(&config).arg("-a").output();
    let mbsync_secs = start.elapsed().as_secs_f64();

    let rate = n as f64 / elapsed.as_secs_f64();
    println!("ingest: {n} mails ({:.1} MiB) from a loopback Dovecot, SQLite", bytes as f64 / 1_048_576.0);
    println!(
        "  fetched {} (batches of {}), stored {stored} messages in {conversations} conversations",
        report.fetched, limits.batch_count
    );
    println!(
        "  time {:.2} s, {rate:.0} msg/s (all fetched and stored raw after {:.2} s)",
        elapsed.as_secs_f64(),
        fetched_in.as_secs_f64()
    );
    println!("  peak RSS {:.0} MiB (before the sync {:.0} MiB)", peak_rss_mib(), rss_before);
    let pick = |q: f64| delays[((delays.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "  IDLE delay, APPEND to stored ({} mails): p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        delays.len(),
        pick(0.5),
        pick(0.95),
        pick(1.0)
    );
    match mbsync {
        Ok(out) if out.status.success() => println!(
            "  mbsync to a Maildir: {mbsync_secs:.2} s; Sanduq's full ingest takes {:.1}x mbsync's download",
            elapsed.as_secs_f64() / mbsync_secs
        ),
        Ok(out) => println!("  mbsync failed: {}", String::from_utf8_lossy(&out.stderr).trim()),
        Err(e) => println!("  mbsync not run: {e} (apt-get install isync)"),
    }
}
