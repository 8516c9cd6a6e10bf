//! The email channel against real servers the tests start on loopback: Dovecot for IMAP and
//! aiosmtpd for SMTP. Every mail arrives exactly once, nothing on the server is marked read,
//! replies leave with their threading headers and answers thread back, and no reply is lost
//! or sent twice while the SMTP server misbehaves.
//!
//! Threading and dedupe rules also run on PostgreSQL, without servers.

use std::time::Duration;

use backend::mail::imap::{self, FolderSync, Limits};
use backend::mail::{Blobs, Ingest, MailOptions, workers};
use backend::mail_settings;
use backend::store::{DraftText, IngestOutcome, Store};
use backend::testing::mailservers::{self, Dovecot, SmtpSink};
use backend::testing::{PASSWORD, TestDb, count, execute, wait_until};
use backend::work::Posted;
use backend::{Backend, Caller, SecretKey};
use model::{ComposerMode, ConversationId, MailFault, MailboxId, Refusal, Role, Server, Status};
use uuid::Uuid;

/// A mailbox wired to real servers.
struct Rig {
    db: TestDb,
    _blob_dir: tempfile::TempDir,
    blobs: Blobs,
    key: SecretKey,
    mailbox: MailboxId,
    dovecot: Dovecot,
    smtp: SmtpSink,
    backend: Backend,
    agent: Caller,
}

async fn rig(folders: &[&str]) -> Rig {
    let db = TestDb::sqlite().await;
    let blob_dir = tempfile::tempdir().expect("tempdir");
    let blobs = Blobs::open(blob_dir.path()).expect("blobs");
    let key = SecretKey::generate();
    let dovecot = Dovecot::start();
    let smtp = SmtpSink::start();
    let mailbox = db.store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox").id;
    let settings = mailservers::settings(&dovecot, &smtp, folders);
    mail_settings::save(&db.store, &key, mailbox, &settings, (Some(mailservers::PASSWORD), Some("")), None)
        .await
        .expect("mail settings");
    let backend = Backend::new(db.store.clone()).with_undo_send(Duration::ZERO).with_blobs(blobs.clone());
    let user = backend.add_user("sara@shop.test", "Sara", Role::Agent, PASSWORD).await.expect("user");
    db.store.add_member(mailbox, user.id).await.expect("member");
    Rig { db, _blob_dir: blob_dir, blobs, key, mailbox, dovecot, smtp, backend, agent: Caller::from(&user) }
}

impl Rig {
    fn store(&self) -> &Store {
        &self.db.store
    }

    fn ingest(&self) -> Ingest {
        Ingest { store: self.store().clone(), blobs: self.blobs.clone(), max_mail_bytes: 25 * 1024 * 1024 }
    }

    /// One sync of `folder` with a connection of its own, ingesting after every batch.
    async fn sync(&self, folder: &str) -> FolderSync {
        let limits = Limits { batch_count: 40, ..Limits::default() };
        let mut session =
            imap::sign_in(&self.dovecot.endpoint(), mailservers::PASSWORD, &limits).await.expect("sign in");
        let ingest = self.ingest();
        let mailbox = self.mailbox;
        let report = imap::sync_folder(&mut session, self.store(), &self.blobs, mailbox, folder, &limits, None, || {
            let ingest = ingest.clone();
            async move { ingest.run(mailbox).await.map(|_| ()) }
        })
        .await
        .expect("sync");
        imap::sign_out(session, &limits).await;
        report
    }

    async fn messages(&self) -> i64 {
        messages_in(self.store(), self.mailbox).await
    }

    fn workers(&self) -> workers::Workers {
        let options = MailOptions {
            poll: Duration::from_secs(1),
            reload: Duration::from_millis(200),
            send_tick: Duration::from_millis(100),
            smtp_timeout: Duration::from_secs(5),
            max_backoff: Duration::from_secs(1),
            limits: Limits { batch_count: 25, call: Duration::from_secs(5), ..Limits::default() },
            ..MailOptions::default()
        };
        workers::start(self.store().clone(), self.blobs.clone(), self.key.clone(), options, "test-node".to_string())
    }
}

/// The messages stored in a mailbox (SQLite keeps UUIDs as 16-byte blobs).
async fn messages_in(store: &Store, mailbox: MailboxId) -> i64 {
    match store.engine() {
        backend::store::Engine::Sqlite => {
            count(store, &format!("messages WHERE hex(mailbox_id) = upper('{}')", mailbox.0.simple())).await
        }
        backend::store::Engine::Postgres => count(store, &format!("messages WHERE mailbox_id = '{}'", mailbox.0)).await,
    }
}

fn mail(from: &str, subject: &str, message_id: Option<&str>, in_reply_to: Option<&str>, body: &str) -> Vec<u8> {
    let mut raw = format!("From: {from}\r\nTo: Support <support@shop.test>\r\nSubject: {subject}\r\n");
    if let Some(id) = message_id {
        raw.push_str(&format!("Message-ID: <{id}>\r\n"));
    }
    if let Some(parent) = in_reply_to {
        raw.push_str(&format!("In-Reply-To: <{parent}>\r\nReferences: <{parent}>\r\n"));
    }
    raw.push_str(
        "Date: Tue, 03 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
    );
    raw.push_str(body);
    raw.push_str("\r\n");
    raw.into_bytes()
}

fn stored(outcome: IngestOutcome) -> ConversationId {
    match outcome {
        IngestOutcome::Stored { conversation, .. } => conversation,
        IngestOutcome::Duplicate { .. } => panic!("expected a new message, got a duplicate"),
    }
}

async fn threading_and_dedupe(store: &Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ingest =
        Ingest { store: store.clone(), blobs: Blobs::open(dir.path()).expect("blobs"), max_mail_bytes: 1 << 20 };
    let support = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox").id;
    let sales = store.create_mailbox("Sales", "sales@shop.test", false).await.expect("mailbox").id;
    let layla = "Layla <layla@customer.test>";

    let first = mail(layla, "Where is my order?", Some("a1@customer.test"), None, "Order 1234 has not arrived.");
    let c1 = stored(ingest.ingest_raw(support, first.clone()).await.expect("first"));
    // The same mail again (a resync, a second folder): one message.
    assert!(matches!(ingest.ingest_raw(support, first.clone()).await.expect("again"), IngestOutcome::Duplicate { .. }));
    // The same mail sent to a second mailbox: a conversation there too.
    stored(ingest.ingest_raw(sales, first.clone()).await.expect("to sales"));
    // A different mail that reuses the Message-ID is kept.
    let reused = mail(layla, "Where is my order?", Some("a1@customer.test"), None, "Another text, same id.");
    assert_eq!(stored(ingest.ingest_raw(support, reused).await.expect("reused id")), c1);

    // In-Reply-To joins; so do reply prefixes in Arabic and Persian from the same customer.
    let answer = mail(layla, "Re: Where is my order?", Some("a2@customer.test"), Some("a1@customer.test"), "Any news?");
    assert_eq!(stored(ingest.ingest_raw(support, answer).await.expect("answer")), c1);
    let arabic = mail(layla, "رد: Where is my order?", Some("a3@customer.test"), None, "مرحبا؟");
    assert_eq!(stored(ingest.ingest_raw(support, arabic).await.expect("arabic")), c1);
    let persian = mail(layla, "پاسخ: where is my ORDER?", Some("a4@customer.test"), None, "سلام");
    assert_eq!(stored(ingest.ingest_raw(support, persian).await.expect("persian")), c1);
    // Another customer with the same subject never joins Layla's conversation, even when
    // quoting her Message-ID.
    let other = mail(
        "Omar <omar@other.test>",
        "Re: Where is my order?",
        Some("o1@other.test"),
        Some("a1@customer.test"),
        "Me too",
    );
    assert_ne!(stored(ingest.ingest_raw(support, other).await.expect("other")), c1);

    // No Message-ID: the content decides.
    let bare = mail(layla, "No id", None, None, "Mail without a Message-ID.");
    stored(ingest.ingest_raw(support, bare.clone()).await.expect("bare"));
    assert!(matches!(ingest.ingest_raw(support, bare).await.expect("bare again"), IngestOutcome::Duplicate { .. }));

    // A customer reply reopens a closed conversation; an auto-reply does not.
    store.set_status(c1, Status::Closed, backend::store::By::system()).await.expect("close");
    let auto = String::from_utf8(mail(
        layla,
        "Re: Where is my order?",
        Some("auto1@customer.test"),
        Some("a1@customer.test"),
        "I am away.",
    ))
    .expect("utf8")
    .replacen("Subject:", "Auto-Submitted: auto-replied\r\nSubject:", 1);
    assert_eq!(stored(ingest.ingest_raw(support, auto.into_bytes()).await.expect("auto")), c1);
    assert_eq!(store.conversation(c1).await.expect("c1").status, Status::Closed);
    let again = mail(layla, "Re: Where is my order?", Some("a5@customer.test"), Some("a2@customer.test"), "Hello?");
    assert_eq!(stored(ingest.ingest_raw(support, again).await.expect("again")), c1);
    assert_eq!(store.conversation(c1).await.expect("c1").status, Status::Open);

    // A reply an agent sent from another mail program (found in the Sent folder) lands in
    // the conversation as an agent reply.
    let from_gmail = String::from_utf8(mail(
        "Support <support@shop.test>",
        "Re: Where is my order?",
        Some("gmail1@shop.test"),
        Some("a5@customer.test"),
        "Sent from my phone",
    ))
    .expect("utf8")
    .replace("To: Support <support@shop.test>", "To: Layla <layla@customer.test>");
    assert_eq!(stored(ingest.ingest_raw(support, from_gmail.into_bytes()).await.expect("sent copy")), c1);
    let last = store.messages(c1).await.expect("messages").pop().expect("a message");
    assert_eq!(last.direction, model::Direction::Outbound);

    // Mail that is not mail is refused in words and stores nothing.
    let before = messages_in(store, support).await;
    let err = ingest.ingest_raw(support, b"\x00\x01\x02 not a mail at all".to_vec()).await.expect_err("garbage");
    assert!(!err.to_string().is_empty());
    assert_eq!(messages_in(store, support).await, before);
    assert_eq!(messages_in(store, support).await, 10);
    assert_eq!(messages_in(store, sales).await, 1);
}

backend::on_both_engines!(threading_and_dedupe);

#[tokio::test]
async fn initial_sync_imports_read_and_unread_mail_and_marks_nothing() {
    let rig = rig(&["INBOX"]).await;
    let unread: Vec<Vec<u8>> = (0..250)
        .map(|i| {
            mail(
                &format!("Customer {i} <c{i}@customer.test>"),
                &format!("Question {i}"),
                Some(&format!("q{i}@customer.test")),
                None,
                "Hello",
            )
        })
        .collect();
    let read: Vec<Vec<u8>> = (0..50)
        .map(|i| {
            mail(
                &format!("Reader {i} <r{i}@customer.test>"),
                &format!("Read {i}"),
                Some(&format!("r{i}@customer.test")),
                None,
                "Seen elsewhere",
            )
        })
        .collect();
    rig.dovecot.append_all("INBOX", &unread, None).await;
    rig.dovecot.append_all("INBOX", &read, Some("(\\Seen)")).await;

    let report = rig.sync("INBOX").await;
    assert_eq!((report.exists, report.fetched), (300, 300));
    assert_eq!(rig.messages().await, 300);
    let health = rig.store().folder_health(rig.mailbox).await.expect("health");
    assert_eq!((health[0].exists_count, health[0].pending_count, health[0].last_uid), (300, 0, 300));

    // Nothing was marked read: the unread are still unread, the read still read.
    let flags = rig.dovecot.flags("INBOX").await;
    let seen = flags.iter().filter(|(_, f)| f.iter().any(|f| f.contains("Seen"))).count();
    assert_eq!(seen, 50, "{flags:?}");

    // A second sync fetches nothing new.
    assert_eq!(rig.sync("INBOX").await.fetched, 0);
    assert_eq!(rig.messages().await, 300);
}

#[tokio::test]
async fn a_backfill_date_skips_older_mail_and_keeps_everything_after_it() {
    let rig = rig(&["INBOX"]).await;
    let old: Vec<Vec<u8>> = (0..3)
        .map(|i| {
            mail(
                &format!("c{i}@customer.test"),
                &format!("Old {i}"),
                Some(&format!("old{i}@customer.test")),
                None,
                "old",
            )
        })
        .collect();
    let recent: Vec<Vec<u8>> = (0..2)
        .map(|i| {
            mail(
                &format!("r{i}@customer.test"),
                &format!("Recent {i}"),
                Some(&format!("new{i}@customer.test")),
                None,
                "new",
            )
        })
        .collect();
    rig.dovecot.append_dated("INBOX", &old, "01-Jan-2024 10:00:00 +0000").await;
    rig.dovecot.append_dated("INBOX", &recent, "01-Jun-2026 10:00:00 +0000").await;
    rig.dovecot.append_dated("INBOX", &old[..1], "02-Jan-2024 10:00:00 +0000").await;
    let mut settings = mailservers::settings(&rig.dovecot, &rig.smtp, &["INBOX"]);
    settings.sync_since = mail_settings::parse_since("2026-01-01").expect("date");
    mail_settings::save(rig.store(), &rig.key, rig.mailbox, &settings, (None, None), None).await.expect("settings");
    rig.sync("INBOX").await;
    // From the oldest mail since the date on: the two recent ones and the late copy after them.
    assert_eq!(rig.messages().await, 3);
    let health = rig.store().folder_health(rig.mailbox).await.expect("health");
    assert_eq!((health[0].exists_count, health[0].pending_count), (3, 0), "progress counts the mail in scope");
    // New mail keeps coming after the first sync, whatever its date.
    rig.dovecot
        .append_dated(
            "INBOX",
            &[mail("late@customer.test", "Late", Some("late@customer.test"), None, "x")],
            "01-Jan-2020 10:00:00 +0000",
        )
        .await;
    rig.sync("INBOX").await;
    assert_eq!(rig.messages().await, 4);
}

#[tokio::test]
async fn a_recreated_folder_and_a_second_folder_double_nothing() {
    let rig = rig(&["INBOX", "Archive"]).await;
    let mails: Vec<Vec<u8>> = (0..30)
        .map(|i| mail("Layla <layla@customer.test>", &format!("Item {i}"), Some(&format!("i{i}@c.test")), None, "x"))
        .collect();
    rig.dovecot.append_all("Archive", &mails, None).await;
    rig.dovecot.append_all("INBOX", &mails[..10], None).await;
    rig.sync("INBOX").await;
    rig.sync("Archive").await;
    assert_eq!(rig.messages().await, 30);

    let before = rig.store().folder_state(rig.mailbox, "Archive").await.expect("state").expect("synced");
    rig.dovecot.recreate("Archive").await;
    rig.dovecot.append_all("Archive", &mails, None).await;
    let report = rig.sync("Archive").await;
    let after = rig.store().folder_state(rig.mailbox, "Archive").await.expect("state").expect("synced");
    assert!(report.resynced);
    assert_ne!(before.uidvalidity, after.uidvalidity);
    assert_eq!(report.fetched, 30);
    assert_eq!(rig.messages().await, 30);
}

#[tokio::test]
async fn odd_mails_arrive_and_a_broken_one_blocks_nothing() {
    let rig = rig(&["INBOX"]).await;
    // 8-bit Arabic in headers without any encoding.
    let arabic = "From: ليلى <layla@customer.test>\r\nTo: support@shop.test\r\nSubject: طلبي لم يصل\r\n\
                  Message-ID: <ar1@customer.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nمرحبا، أين طلبي؟\r\n"
        .as_bytes()
        .to_vec();
    // 200 attachments.
    let mut many = String::from(
        "From: files@customer.test\r\nTo: support@shop.test\r\nSubject: Files\r\nMessage-ID: <files@customer.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n",
    );
    for i in 0..200 {
        many.push_str(&format!(
            "--b\r\nContent-Type: text/plain; name=\"f{i}.txt\"\r\nContent-Disposition: attachment; filename=\"f{i}.txt\"\r\n\r\nfile {i}\r\n"
        ));
    }
    many.push_str("--b--\r\n");
    // Malformed MIME: a boundary that never closes, a bad transfer encoding.
    let malformed = "From: broken@customer.test\r\nSubject: Broken\r\nMessage-ID: <broken@customer.test>\r\n\
                     Content-Type: multipart/mixed; boundary=\"never\"\r\n\r\n--never\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n"
        .as_bytes()
        .to_vec();
    // Not a mail at all: no header.
    let garbage = b"\x00\x01\x02\x03".to_vec();
    let after =
        mail("Late <late@customer.test>", "After the broken one", Some("late@customer.test"), None, "I still arrive");
    rig.dovecot.append_all("INBOX", &[arabic, many.into_bytes(), malformed, garbage, after], None).await;

    rig.sync("INBOX").await;
    assert_eq!(rig.messages().await, 4, "every mail but the garbage is stored");
    let attachments = count(rig.store(), "attachments WHERE filename LIKE 'f%.txt'").await;
    assert_eq!(attachments, 200);
    // The parser's verdict cannot change: the garbage is quarantined at once, with its reason,
    // and nothing is left waiting for a next pass.
    let quarantined = rig.store().quarantined(rig.mailbox).await.expect("quarantined");
    assert_eq!(quarantined.len(), 1);
    let reason = model::SetAside::from_stored(quarantined[0].last_error.as_deref().unwrap_or_default());
    assert!(matches!(reason, model::SetAside::NoHeaders | model::SetAside::NotAMail), "{quarantined:?}");
    assert!(rig.store().pending_inbound(rig.mailbox, 10).await.expect("pending").is_empty());
    assert_eq!(rig.store().next_inbound_retry(rig.mailbox).await.expect("next"), None);
    // Retrying puts it back in line.
    rig.store().retry_inbound(rig.mailbox, quarantined[0].id).await.expect("retry");
    assert_eq!(rig.store().pending_inbound(rig.mailbox, 10).await.expect("pending").len(), 1);
}

#[tokio::test]
async fn a_mail_that_failed_for_a_passing_reason_is_tried_again_on_its_own() {
    let rig = rig(&["INBOX"]).await;
    let raw = mail("Layla <layla@customer.test>", "Order 1042", Some("1042@customer.test"), None, "Where is it?");
    rig.dovecot.append_all("INBOX", &[raw], None).await;
    // Fetch and store the raw mail without parsing it yet.
    let limits = Limits::default();
    let mut session = imap::sign_in(&rig.dovecot.endpoint(), mailservers::PASSWORD, &limits).await.expect("sign in");
    imap::sync_folder(&mut session, rig.store(), &rig.blobs, rig.mailbox, "INBOX", &limits, None, || async { Ok(()) })
        .await
        .expect("sync");
    imap::sign_out(session, &limits).await;
    let waiting = rig.store().pending_inbound(rig.mailbox, 10).await.expect("pending");
    assert_eq!(waiting.len(), 1);

    // Its bytes cannot be read for a while (a disk that went away): a passing failure.
    let sha = &waiting[0].sha256;
    let blob = rig._blob_dir.path().join(&sha[..2]).join(&sha[2..4]).join(sha);
    let aside = rig._blob_dir.path().join("aside");
    std::fs::rename(&blob, &aside).expect("move the blob away");
    let report = rig.ingest().run(rig.mailbox).await.expect("ingest pass");
    assert_eq!((report.failed, report.quarantined), (1, 0));
    assert!(rig.store().pending_inbound(rig.mailbox, 10).await.expect("pending").is_empty(), "not due yet");
    assert_eq!(rig.store().retrying_inbound(rig.mailbox).await.expect("retrying"), 1, "sync health counts it");
    let due = rig.store().next_inbound_retry(rig.mailbox).await.expect("next").expect("a retry time");
    assert!(due > backend::time::now_micros() + 20_000_000, "the first retry waits about 30 s");

    // The disk is back. Without any new mail, the ingest task tries again when it is due
    // (brought forward here to 3 s from now).
    std::fs::rename(&aside, &blob).expect("put the blob back");
    execute(rig.store(), &format!("UPDATE inbound_mails SET retry_at = {}", backend::time::now_micros() + 3_000_000))
        .await;
    let _workers = rig.workers();
    wait_until("the retried mail to be stored", Duration::from_secs(20), || async { rig.messages().await == 1 }).await;
    assert_eq!(rig.store().retrying_inbound(rig.mailbox).await.expect("retrying"), 0);
    assert!(rig.store().quarantined(rig.mailbox).await.expect("quarantined").is_empty());
}

#[tokio::test]
async fn mail_delivered_during_idle_shows_up_and_a_restarted_dovecot_doubles_nothing() {
    let mut rig = rig(&["INBOX"]).await;
    let _workers = rig.workers();
    wait_until("the first sync", Duration::from_secs(20), || async {
        rig.store().folder_state(rig.mailbox, "INBOX").await.expect("state").is_some()
    })
    .await;
    // The workers sit in IDLE now; a mail delivered by another client shows up.
    rig.dovecot
        .append_all("INBOX", &[mail("Idle <idle@customer.test>", "While idle", Some("idle@c.test"), None, "Hi")], None)
        .await;
    wait_until("the mail delivered during IDLE", Duration::from_secs(30), || async { rig.messages().await == 1 }).await;

    // Many mails, and Dovecot dies in the middle of fetching them.
    let mails: Vec<Vec<u8>> = (0..400)
        .map(|i| {
            mail(&format!("C{i} <c{i}@customer.test>"), &format!("Bulk {i}"), Some(&format!("b{i}@c.test")), None, "x")
        })
        .collect();
    rig.dovecot.append_all("INBOX", &mails, None).await;
    wait_until("part of the bulk", Duration::from_secs(30), || async { rig.messages().await > 1 }).await;
    rig.dovecot.restart();
    wait_until("all of the bulk", Duration::from_secs(60), || async { rig.messages().await >= 401 }).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(rig.messages().await, 401);
}

/// The one conversation of the mailbox's first customer mail.
async fn first_conversation(rig: &Rig) -> ConversationId {
    let raw =
        mail("Layla <layla@customer.test>", "Where is my order?", Some("order@customer.test"), None, "Order 1234?");
    stored(rig.ingest().ingest_raw(rig.mailbox, raw).await.expect("customer mail"))
}

#[tokio::test]
async fn a_reply_leaves_with_threading_headers_and_the_answer_threads_back() {
    let rig = rig(&["INBOX"]).await;
    let conversation = first_conversation(&rig).await;
    let _workers = rig.workers();
    let reply = rig
        .backend
        .post(
            &rig.agent,
            conversation,
            Posted::text(ComposerMode::Reply, "Your order left today.\n\nSara", Uuid::new_v4()),
        )
        .await
        .expect("reply");
    wait_until("the reply at the SMTP server", Duration::from_secs(20), || async { rig.smtp.received().len() == 1 })
        .await;
    let received = &rig.smtp.received()[0];
    let text = String::from_utf8_lossy(&received.raw);
    assert!(text.contains("In-Reply-To: <order@customer.test>"), "{text}");
    assert!(text.contains("References: <order@customer.test>"), "{text}");
    assert!(text.contains("Sara via Support"), "{text}");
    assert_eq!(received.to, vec!["layla@customer.test"]);
    let message_id = text
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: <"))
        .and_then(|l| l.strip_suffix('>'))
        .expect("a Message-ID")
        .to_string();
    wait_until("the reply marked sent", Duration::from_secs(10), || async {
        rig.store().outbox_status(reply.id).await.expect("status").is_some_and(|(s, _, _)| s == "sent")
    })
    .await;

    // The customer answers from a mail program that keeps only In-Reply-To, with a new subject.
    rig.backend
        .act(&rig.agent, conversation, model::ConversationAction::SetStatus(Status::Waiting))
        .await
        .expect("wait");
    let answer = mail(
        "Layla <layla@customer.test>",
        "thanks!",
        Some("thanks@customer.test"),
        Some(&message_id),
        "Got it, thanks",
    );
    rig.dovecot.append_all("INBOX", &[answer], None).await;
    wait_until("the answer in the conversation", Duration::from_secs(30), || async {
        rig.store().messages(conversation).await.expect("messages").len() == 3
    })
    .await;
    assert_eq!(rig.store().conversation(conversation).await.expect("conversation").status, Status::Open);
    // A bounce for the reply attaches to the conversation and marks the reply failed.
    let bounce = format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.customer.test>\r\nTo: support@shop.test\r\n\
         Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce1@mx.customer.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n\
         --r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
         --r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.customer.test\r\n\r\n\
         Final-Recipient: rfc822; layla@customer.test\r\nAction: failed\r\nStatus: 5.2.2\r\n\
         Diagnostic-Code: smtp; 552 5.2.2 mailbox full\r\n\r\n\
         --r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{message_id}>\r\nSubject: Re: Where is my order?\r\n\r\n--r--\r\n"
    );
    assert_eq!(stored(rig.ingest().ingest_raw(rig.mailbox, bounce.into_bytes()).await.expect("bounce")), conversation);
    let (status, _, reason) = rig.store().outbox_status(reply.id).await.expect("status").expect("row");
    assert_eq!(status, "failed");
    assert!(reason.as_deref().is_some_and(|r| r.contains("mailbox full")), "{reason:?}");
    assert_eq!(rig.store().conversation(conversation).await.expect("conversation").status, Status::Open);

    // Sanduq's own sent copy, found later in a Sent folder, is not doubled.
    let mut copy = received.raw.clone();
    copy.splice(0..0, b"Return-Path: <support@shop.test>\r\n".iter().copied());
    assert!(matches!(
        rig.ingest().ingest_raw(rig.mailbox, copy).await.expect("sent copy"),
        IngestOutcome::Duplicate { .. }
    ));
}

#[tokio::test]
async fn a_reply_with_a_file_cc_and_bcc_arrives_as_addressed_and_a_forward_carries_no_notes() {
    let rig = rig(&["INBOX"]).await;
    let first = "From: Layla <layla@customer.test>\r\nTo: Support <support@shop.test>\r\n\
                 Cc: \"Omar, her brother\" <omar@customer.test>\r\nSubject: Wrong size\r\n\
                 Message-ID: <size@customer.test>\r\nDate: Tue, 03 Nov 2026 10:00:00 +0000\r\n\
                 Content-Type: text/plain; charset=utf-8\r\n\r\nThe shoes are too small.\r\n";
    let conversation = stored(rig.ingest().ingest_raw(rig.mailbox, first.as_bytes().to_vec()).await.expect("mail"));
    let opened = rig.backend.open_conversation(&rig.agent, conversation).await.expect("open");
    assert_eq!(opened.reply_to, "Layla <layla@customer.test>");
    assert_eq!(opened.reply_all, "\"Omar, her brother\" <omar@customer.test>", "everyone else but the mailbox");
    assert!(opened.can_send);

    rig.backend.set_signature(&rig.agent, rig.mailbox, "Sara\nShop support").await.expect("signature");
    let file = rig
        .backend
        .upload(&rig.agent, Some(conversation), "فاتورة 7.pdf", "application/pdf", b"%PDF-1.4 label".to_vec())
        .await
        .expect("upload");
    let opened = rig.backend.open_conversation(&rig.agent, conversation).await.expect("open");
    assert_eq!(opened.uploads.len(), 1, "the draft keeps its file");
    let _workers = rig.workers();
    let text = DraftText {
        body: "Here is a return label.".into(),
        to: String::new(),
        cc: opened.reply_all.clone(),
        bcc: "audit@shop.test".into(),
        forward: false,
    };
    let posted = Posted {
        mode: ComposerMode::Reply,
        text,
        attachments: vec![file.id],
        client_id: Uuid::new_v4(),
        seen_seq: None,
    };
    let reply = rig.backend.post(&rig.agent, conversation, posted.clone()).await.expect("reply");
    let again = rig.backend.post(&rig.agent, conversation, posted).await.expect("a retried post");
    assert_eq!(again.id, reply.id, "posted once; its file is not asked for again");
    wait_until("the reply at the SMTP server", Duration::from_secs(20), || async { rig.smtp.received().len() == 1 })
        .await;
    let received = &rig.smtp.received()[0];
    let mut envelope = received.to.clone();
    envelope.sort();
    assert_eq!(envelope, ["audit@shop.test", "layla@customer.test", "omar@customer.test"]);
    let raw = String::from_utf8_lossy(&received.raw);
    assert!(!raw.contains("audit@shop.test"), "Bcc stays out of the bytes: {raw}");
    let parsed = backend::mail::parse::parse(&received.raw, usize::MAX).expect("parses");
    assert_eq!(parsed.to.iter().map(|p| p.email.as_str()).collect::<Vec<_>>(), ["layla@customer.test"]);
    assert_eq!(parsed.cc.iter().map(|p| p.email.as_str()).collect::<Vec<_>>(), ["omar@customer.test"]);
    let body = parsed.text.replace("\r\n", "\n");
    assert!(body.contains("Here is a return label.\n\nSara\nShop support"), "{body}");
    assert_eq!(parsed.attachments.len(), 1);
    assert_eq!(parsed.attachments[0].filename, "فاتورة 7.pdf");
    assert_eq!(parsed.attachments[0].bytes, b"%PDF-1.4 label");
    // In Sanduq the file now belongs to the reply, and the draft has none left.
    let files = rig.store().attachments_of(conversation).await.expect("files");
    assert_eq!(files.iter().map(|f| (f.id, f.message_id)).collect::<Vec<_>>(), [(file.id, reply.id)]);
    assert!(rig.store().draft_uploads(rig.agent.id, conversation).await.expect("uploads").is_empty());
    let (stored_reply, _) = rig.backend.attachment(&rig.agent, file.id).await.expect("downloadable");
    assert_eq!(stored_reply.filename, "فاتورة 7.pdf");

    // A file that is gone, or someone else's, is refused in words and sends nothing.
    let gone = Posted {
        mode: ComposerMode::Reply,
        text: DraftText::body("again"),
        attachments: vec![file.id],
        client_id: Uuid::new_v4(),
        seen_seq: None,
    };
    let err = rig.backend.post(&rig.agent, conversation, gone).await.expect_err("sent already");
    assert!(err.to_string().contains("attach it again"), "{err}");
    let bad = Posted {
        text: DraftText { to: "layla@, x".into(), ..DraftText::body("hi") },
        ..Posted::text(ComposerMode::Reply, "", Uuid::new_v4())
    };
    let err = rig.backend.post(&rig.agent, conversation, bad).await.expect_err("bad address");
    assert!(err.to_string().contains("\"layla@\" is not an email address"), "{err}");

    // A forward, sent as the mailbox: the customer's mail below, internal notes never.
    rig.backend
        .post(
            &rig.agent,
            conversation,
            Posted::text(ComposerMode::Note, "Customer is a reseller, be kind", Uuid::new_v4()),
        )
        .await
        .expect("note");
    let mut settings = mailservers::settings(&rig.dovecot, &rig.smtp, &["INBOX"]);
    settings.from_style = mail_settings::FromStyle::Mailbox;
    mail_settings::save(rig.store(), &rig.key, rig.mailbox, &settings, (None, None), None).await.expect("settings");
    let text = DraftText {
        body: "Can you swap these?".into(),
        to: "Depot <depot@partner.test>".into(),
        forward: true,
        ..DraftText::default()
    };
    rig.backend
        .post(
            &rig.agent,
            conversation,
            Posted {
                mode: ComposerMode::Reply,
                text,
                attachments: Vec::new(),
                client_id: Uuid::new_v4(),
                seen_seq: None,
            },
        )
        .await
        .expect("forward");
    wait_until("the forward at the SMTP server", Duration::from_secs(20), || async { rig.smtp.received().len() == 2 })
        .await;
    let forwarded = &rig.smtp.received()[1];
    assert_eq!(forwarded.to, ["depot@partner.test"]);
    let parsed = backend::mail::parse::parse(&forwarded.raw, usize::MAX).expect("parses");
    assert_eq!(parsed.subject, "Fwd: Wrong size");
    assert_eq!(parsed.from.as_ref().map(|f| f.name.as_str()), Some("Support"));
    assert!(parsed.in_reply_to.is_empty(), "a forward is not part of the customer's thread");
    assert!(parsed.text.contains("The shoes are too small."), "{}", parsed.text);
    assert!(parsed.text.contains("Here is a return label."), "{}", parsed.text);
    assert!(!parsed.text.contains("reseller"), "notes never leave: {}", parsed.text);
    assert_eq!(parsed.attachments.len(), 1, "the conversation's files go along");

    // An auto-reply from the customer's side is stored and gets no answer of any kind.
    let auto = "From: Layla <layla@customer.test>\r\nTo: support@shop.test\r\nSubject: Out of office\r\n\
                Auto-Submitted: auto-replied\r\nIn-Reply-To: <size@customer.test>\r\n\
                Message-ID: <ooo@customer.test>\r\nDate: Tue, 03 Nov 2026 11:00:00 +0000\r\n\r\nAway until Monday.\r\n";
    stored(rig.ingest().ingest_raw(rig.mailbox, auto.as_bytes().to_vec()).await.expect("auto-reply"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(rig.smtp.received().len(), 2, "nothing answers an auto-reply");
    assert_eq!(count(rig.store(), "outbox").await, 2);
}

#[tokio::test]
async fn an_agent_starts_a_conversation_and_the_customer_answer_threads_into_it() {
    let rig = rig(&["INBOX"]).await;
    let _workers = rig.workers();
    let client_id = Uuid::new_v4();
    let new = backend::work::NewOutbound {
        mailbox: rig.mailbox,
        subject: "  Your refund\n".into(),
        text: DraftText {
            body: "We refunded order 1234.".into(),
            to: "Layla <Layla@customer.test>".into(),
            ..DraftText::default()
        },
        attachments: Vec::new(),
        client_id,
    };
    let conversation = rig.backend.start_conversation(&rig.agent, new.clone()).await.expect("started");
    let again = rig.backend.start_conversation(&rig.agent, new.clone()).await.expect("twice");
    assert_eq!(again, conversation, "the same client id starts one conversation");
    let started = rig.store().conversation(conversation).await.expect("conversation");
    assert_eq!(
        (started.subject.as_str(), started.status, started.assignee_id),
        ("Your refund", Status::Waiting, Some(rig.agent.id))
    );
    let contact = rig.store().contact_card(started.contact_id).await.expect("contact");
    assert_eq!(contact.emails, ["layla@customer.test"]);
    wait_until("the mail at the SMTP server", Duration::from_secs(20), || async { rig.smtp.received().len() == 1 })
        .await;
    let parsed = backend::mail::parse::parse(&rig.smtp.received()[0].raw, usize::MAX).expect("parses");
    assert_eq!(parsed.subject, "Your refund", "no Re: on a first mail");
    let message_id = parsed.message_id.clone().expect("a Message-ID");
    let answer =
        mail("Layla <layla@customer.test>", "Re: Your refund", Some("thx@customer.test"), Some(&message_id), "Thanks!");
    assert_eq!(stored(rig.ingest().ingest_raw(rig.mailbox, answer).await.expect("answer")), conversation);
    assert_eq!(rig.store().conversation(conversation).await.expect("conversation").status, Status::Open);

    // Bad input is refused in words and starts nothing.
    for (subject, to, words) in [
        ("", "a@b.test", "a subject cannot be empty"),
        ("Hi", "", "add the customer's address"),
        ("Hi", "nope", "\"nope\" is not an email address"),
    ] {
        let bad = backend::work::NewOutbound {
            subject: subject.into(),
            text: DraftText { to: to.into(), ..DraftText::body("Hello") },
            client_id: Uuid::new_v4(),
            ..new.clone()
        };
        let err = rig.backend.start_conversation(&rig.agent, bad).await.expect_err("refused");
        assert!(err.to_string().contains(words), "{err}");
    }
    assert_eq!(count(rig.store(), "conversations").await, 1);
}

#[tokio::test]
async fn a_reply_written_before_the_mailbox_had_servers_is_rendered_when_sent_again() {
    let rig = rig(&["INBOX"]).await;
    let conversation = first_conversation(&rig).await;
    execute(rig.store(), "DELETE FROM mail_settings").await;
    let reply = rig
        .backend
        .post(&rig.agent, conversation, Posted::text(ComposerMode::Reply, "Written offline", Uuid::new_v4()))
        .await
        .expect("reply");
    let settings = mailservers::settings(&rig.dovecot, &rig.smtp, &["INBOX"]);
    mail_settings::save(rig.store(), &rig.key, rig.mailbox, &settings, (Some(mailservers::PASSWORD), Some("")), None)
        .await
        .expect("servers added");
    let _workers = rig.workers();
    wait_until("the reply marked failed", Duration::from_secs(20), || async {
        rig.store().outbox_status(reply.id).await.expect("status").is_some_and(|(s, _, _)| s == "failed")
    })
    .await;
    assert!(rig.smtp.received().is_empty(), "never sent by itself");
    rig.backend.retry_reply(&rig.agent, reply.id).await.expect("send again");
    wait_until("the reply at the SMTP server", Duration::from_secs(20), || async { rig.smtp.received().len() == 1 })
        .await;
    let parsed = backend::mail::parse::parse(&rig.smtp.received()[0].raw, usize::MAX).expect("parses");
    assert!(parsed.text.contains("Written offline"), "{}", parsed.text);
    assert_eq!(parsed.in_reply_to, ["order@customer.test"]);
    assert_eq!(parsed.to.iter().map(|p| p.email.as_str()).collect::<Vec<_>>(), ["layla@customer.test"]);
    assert_eq!(
        backend::mail::thread::conversation_of(parsed.message_id.as_deref().unwrap_or_default()),
        Some(conversation)
    );
}

#[tokio::test]
async fn smtp_down_then_back_delivers_exactly_once_and_5xx_fails_with_the_reason() {
    let mut rig = rig(&["INBOX"]).await;
    let conversation = first_conversation(&rig).await;
    rig.smtp.stop();
    let _workers = rig.workers();
    let reply = rig
        .backend
        .post(&rig.agent, conversation, Posted::text(ComposerMode::Reply, "First reply", Uuid::new_v4()))
        .await
        .expect("reply");
    wait_until("a retry after the refused connection", Duration::from_secs(20), || async {
        rig.store().outbox_status(reply.id).await.expect("status").is_some_and(|(s, _, _)| s == "retrying")
    })
    .await;
    // Retry now rather than after the backoff.
    execute(rig.store(), "UPDATE outbox SET next_attempt_at = 0").await;
    rig.smtp.resume();
    wait_until("delivery once the server is back", Duration::from_secs(20), || async {
        rig.smtp.received().len() == 1
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(rig.smtp.received().len(), 1, "delivered exactly once");

    rig.smtp.set_mode("reject");
    let refused = rig
        .backend
        .post(&rig.agent, conversation, Posted::text(ComposerMode::Reply, "Second reply", Uuid::new_v4()))
        .await
        .expect("reply");
    wait_until("the refusal recorded", Duration::from_secs(20), || async {
        rig.store().outbox_status(refused.id).await.expect("status").is_some_and(|(s, _, _)| s == "failed")
    })
    .await;
    let (_, _, reason) = rig.store().outbox_status(refused.id).await.expect("status").expect("row");
    assert!(reason.as_deref().is_some_and(|r| r.contains("550") && r.contains("relaying denied")), "{reason:?}");
    let shown = rig.store().message(refused.id).await.expect("message").delivery.expect("delivery");
    assert_eq!(shown.status, model::DeliveryStatus::Failed);
    // The thread gets the server's refusal typed, its words as data.
    let fault = shown.last_error.expect("the reason");
    assert!(fault.to_string().contains("relaying denied"), "{fault:?}");
    assert!(!matches!(fault, model::MailFault::Other { .. }), "{fault:?}");
}

#[tokio::test]
async fn a_reply_cut_off_while_sending_leaves_again_with_the_same_message_id() {
    let rig = rig(&["INBOX"]).await;
    let conversation = first_conversation(&rig).await;
    let reply = rig
        .backend
        .post(&rig.agent, conversation, Posted::text(ComposerMode::Reply, "Cut off", Uuid::new_v4()))
        .await
        .expect("reply");
    // As if a process took the row and died before the server answered.
    execute(rig.store(), "UPDATE outbox SET status = 'sending', attempts = 1, updated_at = 0").await;
    let raw_before = rig.store().claim_outbox(i64::MAX / 2, 0, 1).await.expect("claim");
    assert_eq!(raw_before.len(), 1);
    execute(rig.store(), "UPDATE outbox SET status = 'sending', updated_at = 0").await;
    let _workers = rig.workers();
    wait_until("the retried send", Duration::from_secs(20), || async { rig.smtp.received().len() == 1 }).await;
    // SMTP's end of data adds a line break; the mail itself is the same bytes.
    assert_eq!(
        rig.smtp.received()[0].raw.trim_ascii_end(),
        raw_before[0].raw.trim_ascii_end(),
        "the same bytes, so the same Message-ID"
    );
    wait_until("the reply marked sent", Duration::from_secs(10), || async {
        rig.store().outbox_status(reply.id).await.expect("status").is_some_and(|(s, a, _)| s == "sent" && a >= 2)
    })
    .await;
}

fn form(rig: &Rig, folders: &str) -> model::MailServersForm {
    let server = |port: u16| model::ServerForm {
        host: "127.0.0.1".into(),
        port,
        security: "none".into(),
        user: mailservers::USER.into(),
        password: String::new(),
    };
    model::MailServersForm {
        imap: server(rig.dovecot.port),
        folders: folders.into(),
        smtp: server(rig.smtp.port),
        ..Default::default()
    }
}

#[tokio::test]
async fn an_smtp_server_without_auth_fails_at_once_and_says_what_to_change() {
    let rig = rig(&["INBOX"]).await;
    let conversation = first_conversation(&rig).await;
    // aiosmtpd offers no AUTH; the mailbox has an SMTP password all the same.
    let settings = mailservers::settings(&rig.dovecot, &rig.smtp, &["INBOX"]);
    mail_settings::save(rig.store(), &rig.key, rig.mailbox, &settings, (None, Some("a password")), None)
        .await
        .expect("save");
    let _workers = rig.workers();
    let reply = rig
        .backend
        .post(&rig.agent, conversation, Posted::text(ComposerMode::Reply, "Hello", Uuid::new_v4()))
        .await
        .expect("reply");
    wait_until("the reply to fail", Duration::from_secs(20), || async {
        rig.store().outbox_status(reply.id).await.expect("status").is_some_and(|(s, _, _)| s == "failed")
    })
    .await;
    let (_, attempts, reason) = rig.store().outbox_status(reply.id).await.expect("status").expect("row");
    assert_eq!(attempts, 1, "a set-up error is not retried");
    let reason = MailFault::from_stored(&reason.unwrap_or_default());
    assert_eq!(reason, MailFault::SmtpNoAuth, "{reason}");
    assert!(reason.to_string().contains("clear the password"), "{reason}");
    assert!(rig.smtp.received().is_empty());

    let backend = rig.backend.clone().with_secret(rig.key.clone());
    let admin = backend.add_user("admin@shop.test", "Admin", Role::Admin, PASSWORD).await.expect("admin");
    let mut with_password = form(&rig, "INBOX");
    with_password.smtp.password = "a password".into();
    let check = backend.test_mail_servers(&Caller::from(&admin), rig.mailbox, &with_password).await.expect("test");
    assert_eq!(check.smtp, Err(MailFault::SmtpNoAuth), "{check:?}");
}

#[tokio::test]
async fn test_connection_answers_in_plain_words_and_passwords_never_come_back() {
    let rig = rig(&["INBOX"]).await;
    let backend = rig.backend.clone().with_secret(rig.key.clone());
    let admin = backend.add_user("admin@shop.test", "Admin", Role::Admin, PASSWORD).await.expect("admin");
    let admin = Caller::from(&admin);

    // The stored password is used when the form leaves it empty.
    let good = backend.test_mail_servers(&admin, rig.mailbox, &form(&rig, "INBOX")).await.expect("test");
    assert!(good.ok(), "{good:?}");
    let reached = good.imap.expect("IMAP works");
    assert!(reached.folders.iter().any(|(folder, _)| folder == "INBOX"), "{reached:?}");

    let mut wrong_password = form(&rig, "INBOX");
    wrong_password.imap.password = "not the password".into();
    let check = backend.test_mail_servers(&admin, rig.mailbox, &wrong_password).await.expect("test");
    assert!(matches!(check.imap, Err(MailFault::SignInRejected { .. })), "{check:?}");

    let missing =
        backend.test_mail_servers(&admin, rig.mailbox, &form(&rig, "INBOX\nNo Such Folder")).await.expect("test");
    assert!(
        matches!(&missing.imap, Err(MailFault::FolderMissing { folder, .. }) if folder == "No Such Folder"),
        "{missing:?}"
    );

    let mut refused = form(&rig, "INBOX");
    refused.imap.port = mailservers::free_port();
    refused.smtp.port = mailservers::free_port();
    let check = backend.test_mail_servers(&admin, rig.mailbox, &refused).await.expect("test");
    assert!(matches!(check.imap, Err(MailFault::PortRefused { .. })), "{check:?}");
    assert!(matches!(check.smtp, Err(MailFault::PortRefused { .. })), "{check:?}");

    let mut unresolved = form(&rig, "INBOX");
    unresolved.imap.host = "no-such-host.invalid".into();
    unresolved.imap.security = "tls".into();
    let check = backend.test_mail_servers(&admin, rig.mailbox, &unresolved).await.expect("test");
    assert!(matches!(check.imap, Err(MailFault::NameUnknown { .. })), "{check:?}");

    // Clear text to a remote host is refused before anything is tried.
    let mut clear = form(&rig, "INBOX");
    clear.smtp.host = "smtp.example.com".into();
    let err = backend.test_mail_servers(&admin, rig.mailbox, &clear).await.expect_err("clear text");
    let wanted = Refusal::MailServers { server: Some(Server::Smtp), fault: MailFault::ClearTextPassword };
    assert!(matches!(&err, backend::Error::Refused(refusal) if *refusal == wanted), "{err}");
    assert!(err.to_string().contains("in the clear"), "{err}");

    // Saving keeps the stored password when none is typed, and the view never carries one.
    backend.save_mail_servers(&admin, rig.mailbox, &form(&rig, "INBOX\nArchive")).await.expect("save");
    let view = backend.mail_servers(&admin, rig.mailbox).await.expect("view");
    assert!(view.configured && view.has_imap_password);
    assert_eq!(view.form.folders, "INBOX\nArchive");
    assert!(view.form.imap.password.is_empty() && view.form.smtp.password.is_empty());
    assert!(!format!("{view:?}").contains(mailservers::PASSWORD));

    // A folder that could not be reached shows why in its sync health.
    let refused = model::MailFault::PortRefused { host: "127.0.0.1".into(), port: 9 };
    rig.store().folder_error(rig.mailbox, "Archive", &refused.stored()).await.expect("error");
    let view = backend.mail_servers(&admin, rig.mailbox).await.expect("view");
    let archive = view.folders.iter().find(|f| f.folder == "Archive").expect("the folder is listed");
    assert_eq!(archive.last_error, Some(refused), "{archive:?}");

    // Agents may not look.
    assert!(matches!(backend.mail_servers(&rig.agent, rig.mailbox).await, Err(backend::Error::Forbidden)));
}

/// The fuzz target's checks on stable Rust: the corpus mutated 100,000 times (bits flipped,
/// bytes dropped, doubled and cut, files spliced together) with a fixed seed, so a failure
/// repeats. cargo-fuzz itself needs nightly, which this machine does not have.
#[test]
fn mutated_corpus_keeps_every_pipeline_promise() {
    use rand::{Rng, SeedableRng};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut corpus: Vec<Vec<u8>> =
        std::fs::read_dir(&dir).expect("corpus").filter_map(|e| std::fs::read(e.ok()?.path()).ok()).collect();
    corpus.sort();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x5a4d_7551);
    for round in 0..100_000u32 {
        let mut data = corpus[rng.gen_range(0..corpus.len())].clone();
        for _ in 0..rng.gen_range(1..8) {
            if data.is_empty() {
                data.push(b'x');
            }
            let at = rng.gen_range(0..data.len());
            match rng.gen_range(0..5) {
                0 => data[at] ^= 1 << rng.gen_range(0..8),
                1 => {
                    data.remove(at);
                }
                2 => {
                    let end = (at + rng.gen_range(1..64)).min(data.len());
                    let copy = data[at..end].to_vec();
                    data.splice(at..at, copy);
                }
                3 => data.truncate(at),
                _ => {
                    let other = &corpus[rng.gen_range(0..corpus.len())];
                    let from = rng.gen_range(0..other.len().max(1));
                    data.splice(at..at, other[from.min(other.len())..].iter().copied().take(512));
                }
            }
        }
        let outcome = std::panic::catch_unwind(|| backend::testing::pipeline::check(&data));
        assert!(
            outcome.is_ok(),
            "round {round} broke a promise on {} bytes: {:?}",
            data.len(),
            String::from_utf8_lossy(&data)
        );
    }
}

/// Every file of the corpus of hostile and odd mails parses without a panic, and no script
/// survives sanitizing.
#[tokio::test]
async fn the_hostile_corpus_parses_and_nothing_runnable_survives() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("corpus").filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    assert!(files.len() >= 10, "the corpus has {} files", files.len());
    for path in files {
        let raw = std::fs::read(&path).expect("read");
        let Ok(parsed) = backend::mail::parse::parse(&raw, 1 << 20) else { continue };
        for html in parsed.html.iter().chain(std::iter::once(&parsed.text)) {
            let clean = backend::mail::sanitize::sanitize_html(html).to_lowercase();
            for tag in backend::mail::sanitize::dangerous_tags() {
                assert!(!clean.contains(&format!("<{tag}")), "{}: <{tag}> survived: {clean}", path.display());
            }
            for needle in ["javascript:", "onerror", "onload", "onclick", "vbscript:", "expression("] {
                assert!(!clean.contains(needle), "{}: {needle} survived: {clean}", path.display());
            }
        }
        let _ = backend::mail::thread::subject_key(&parsed.subject);
    }
}
