//! The real `sanduq` process killed (SIGKILL) in the middle of an SMTP delivery: started
//! again, it sends the reply once more with the same bytes, so the customer's mail program
//! sees the same Message-ID even if the first attempt had got through.

use std::net::TcpListener;
use std::process::Child;
use std::time::{Duration, Instant};

use backend::mail::Blobs;
use backend::mail_settings::{self, Endpoint, MailSettings, Security};
use backend::testing::PASSWORD;
use backend::testing::mailservers::{SmtpSink, free_port};
use backend::work::Posted;
use backend::{Backend, Caller, SecretKey, Store};
use model::{ComposerMode, Role};
use server::testing::serve_command;

const BIN: &str = env!("CARGO_BIN_EXE_sanduq");

/// `sanduq serve` on `data`, with replies leaving at once and SMTP given `smtp_secs`.
fn serve(data: &std::path::Path, smtp_secs: u64) -> Child {
    serve_command(BIN, data, &format!("127.0.0.1:{}", free_port()))
        .env("SANDUQ_SMTP_TIMEOUT_SECS", smtp_secs.to_string())
        .spawn()
        .expect("start sanduq")
}

fn endpoint(port: u16) -> Endpoint {
    Endpoint { host: "127.0.0.1".into(), port, security: Security::None, user: "support".into() }
}

async fn wait_for_status(store: &Store, message: model::MessageId, wanted: &str, limit: Duration) -> i64 {
    let start = Instant::now();
    loop {
        if let Some((status, attempts, _)) = store.outbox_status(message).await.expect("status")
            && status == wanted
        {
            return attempts;
        }
        assert!(start.elapsed() < limit, "the reply never became {wanted}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn killed_while_sending_the_reply_leaves_again_with_the_same_message_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    // An SMTP server that takes the connection and never says a word: the first delivery
    // hangs, and the process is killed in the middle of it.
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind");
    let silent_port = silent.local_addr().expect("addr").port();
    let held = std::thread::spawn(move || silent.incoming().take(4).filter_map(Result::ok).collect::<Vec<_>>());

    // A mailbox with servers, a customer mail and Sara's reply, written while Sanduq is down.
    let store = Store::open(&format!("sqlite://{}", data.join("sanduq.db").display())).await.expect("store");
    let key = SecretKey::load_or_generate(&data.join("secret.key")).expect("secret key");
    let blobs = Blobs::open(data.join("blobs")).expect("blobs");
    let mailbox = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox").id;
    let mut settings = MailSettings {
        imap: endpoint(free_port()),
        folders: vec!["INBOX".into()],
        smtp: endpoint(silent_port),
        from_style: mail_settings::FromStyle::Agent,
        sync_since: None,
    };
    mail_settings::save(&store, &key, mailbox, &settings, (Some("imap"), Some("")), None).await.expect("servers");
    let ingest = backend::mail::Ingest { store: store.clone(), blobs: blobs.clone(), max_mail_bytes: 1 << 20 };
    let raw = b"From: Layla <layla@customer.test>\r\nTo: support@shop.test\r\nSubject: Where is my order?\r\n\
                Message-ID: <order@customer.test>\r\nDate: Tue, 03 Nov 2026 10:00:00 +0000\r\n\r\nOrder 1234?\r\n";
    let conversation = match ingest.ingest_raw(mailbox, raw.to_vec()).await.expect("mail") {
        backend::store::IngestOutcome::Stored { conversation, .. } => conversation,
        other => panic!("{other:?}"),
    };
    let backend = Backend::new(store.clone()).with_undo_send(Duration::ZERO).with_blobs(blobs);
    let sara = backend.add_user("sara@shop.test", "Sara", Role::Agent, PASSWORD).await.expect("user");
    store.add_member(mailbox, sara.id).await.expect("member");
    let posted = Posted::text(ComposerMode::Reply, "Your order left today.", uuid::Uuid::new_v4());
    let reply = backend.post(&Caller::from(&sara), conversation, posted).await.expect("reply");
    let message_id = backend::mail::thread::message_id_for(conversation, reply.id, "shop.test");

    // Sanduq starts, begins the delivery, and is killed while the server keeps it waiting.
    let mut first = serve(data, 600);
    let attempts = wait_for_status(&store, reply.id, "sending", Duration::from_secs(30)).await;
    assert_eq!(attempts, 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");
    assert_eq!(store.outbox_status(reply.id).await.expect("status").expect("row").0, "sending", "cut off");

    // The mail server is fixed; Sanduq comes back and sends the same bytes again.
    let sink = SmtpSink::start();
    settings.smtp = endpoint(sink.port);
    mail_settings::save(&store, &key, mailbox, &settings, (None, None), None).await.expect("new SMTP server");
    let mut second = serve(data, 1);
    let attempts = wait_for_status(&store, reply.id, "sent", Duration::from_secs(60)).await;
    second.kill().expect("stop");
    second.wait().expect("reaped");
    assert_eq!(attempts, 2, "claimed again once, after the cut-off attempt");
    let received = sink.received();
    assert_eq!(received.len(), 1);
    let text = String::from_utf8_lossy(&received[0].raw);
    assert!(text.contains(&format!("Message-ID: <{message_id}>")), "the same Message-ID: {text}");
    assert!(text.contains("In-Reply-To: <order@customer.test>"), "{text}");
    drop(held);
    store.close().await;
}
