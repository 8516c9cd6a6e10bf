//! Two real `sanduq serve` processes on one PostgreSQL database, as behind one load balancer:
//! presence and changes cross between them, a mailbox is synced by one node only (no mail
//! stored twice), and by the other once the first is killed (SIGKILL).

use std::process::Child;
use std::time::{Duration, Instant};

use backend::mail_settings;
use backend::testing::mailservers::{self, Dovecot, SmtpSink, free_port, settings};
use backend::testing::{PASSWORD, TestDb, count};
use backend::work::Posted;
use backend::{Backend, Caller, SecretKey, Store};
use model::live::{ClientMsg, Doing, ServerMsg, Writing};
use model::{ComposerMode, MailboxId, Role};
use server::testing::{Tab, doing_of, serve_command, sign_in};

const BIN: &str = env!("CARGO_BIN_EXE_sanduq");
const ORIGIN: &str = "http://sanduq.test";
/// The admin each test node is asked its name by.
const ADMIN: &str = "admin@shop.test";
const WAIT: Duration = Duration::from_secs(30);

/// A node: its process, address and name.
struct Node {
    child: Child,
    addr: String,
    name: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Node {
    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    async fn sign_in(&self, email: &str) -> String {
        sign_in(&server::testing::client(), &self.url(), ORIGIN, email).await
    }

    /// A tab on this node, waiting as long as frames take to cross between nodes.
    async fn connect(&self, cookie: &str) -> Tab {
        Tab::connect(&self.url(), cookie, ORIGIN).await.expect("websocket").waiting(WAIT)
    }
}

async fn start_node(data: &std::path::Path, database: &str, key: &str) -> Node {
    let addr = format!("127.0.0.1:{}", free_port());
    // One data folder for both, as a shared volume: the raw mails one node fetched are
    // there for the other.
    let child = serve_command(BIN, data, &addr)
        .env("SANDUQ_DATABASE_URL", database)
        .env("SANDUQ_SECRET_KEY", key)
        .env("SANDUQ_PUBLIC_URL", ORIGIN)
        .env("SANDUQ_SYNC_LEASE_SECS", "3")
        .env("RUST_LOG", std::env::var("NODE_LOG").unwrap_or_else(|_| "error".to_string()))
        .spawn()
        .expect("start sanduq");
    let mut node = Node { child, addr, name: String::new() };
    let http = reqwest::Client::new();
    let started = Instant::now();
    while !http.get(format!("{}/healthz", node.url())).send().await.is_ok_and(|r| r.status().is_success()) {
        assert!(started.elapsed() < WAIT, "the node did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The node's name is for admins' eyes only.
    let admin = node.sign_in(ADMIN).await;
    let health: serde_json::Value = http
        .get(format!("{}/healthz", node.url()))
        .header("cookie", admin)
        .send()
        .await
        .expect("healthz")
        .json()
        .await
        .expect("json");
    node.name = health["node"].as_str().expect("a node name").to_string();
    node
}

fn mail(n: usize) -> Vec<u8> {
    format!(
        "From: Customer {n} <c{n}@customer.test>\r\nTo: support@shop.test\r\nSubject: Question {n}\r\n\
         Message-ID: <q{n}@customer.test>\r\nDate: Tue, 03 Nov 2026 10:00:00 +0000\r\n\r\nHello {n}\r\n"
    )
    .into_bytes()
}

async fn wait_for_messages(store: &Store, mailbox: MailboxId, wanted: i64) {
    let started = Instant::now();
    let from = format!("messages WHERE mailbox_id = '{}' AND direction = 'inbound'", mailbox.0);
    loop {
        let stored = count(store, &from).await;
        assert!(stored <= wanted, "{stored} mails stored for {wanted} sent: something was stored twice");
        if stored == wanted {
            return;
        }
        assert!(started.elapsed() < WAIT * 2, "only {stored} of {wanted} mails arrived");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_presence_and_changes_and_sync_each_mailbox_once() {
    let db = TestDb::postgres().await;
    let store = db.store.clone();
    let data = tempfile::tempdir().expect("tempdir");
    let key_text = "ef".repeat(32);
    let key = SecretKey::parse(&key_text).expect("key");
    let dovecot = Dovecot::start();
    let smtp = SmtpSink::start();

    let backend = Backend::new(store.clone());
    let mailbox = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox").id;
    let mut callers = Vec::new();
    for (email, name) in [("sara@shop.test", "Sara"), ("omar@shop.test", "Omar")] {
        let user = backend.add_user(email, name, Role::Agent, PASSWORD).await.expect("user");
        store.add_member(mailbox, user.id).await.expect("member");
        callers.push(Caller::from(&user));
    }
    backend.add_user(ADMIN, "Admin", Role::Admin, PASSWORD).await.expect("admin");
    let servers = settings(&dovecot, &smtp, &["INBOX"]);
    mail_settings::save(&store, &key, mailbox, &servers, (Some(mailservers::PASSWORD), Some("")), None)
        .await
        .expect("servers");

    let a = start_node(data.path(), &db.url, &key_text).await;
    let b = start_node(data.path(), &db.url, &key_text).await;
    assert_ne!(a.name, b.name);

    // Mail arrives once, fetched by whichever node holds the mailbox's lease.
    dovecot.append_all("INBOX", &(0..4).map(mail).collect::<Vec<_>>(), None).await;
    wait_for_messages(&store, mailbox, 4).await;
    let lease = store.sync_lease(mailbox).await.expect("lease").expect("held");
    assert!(lease.holder == a.name || lease.holder == b.name, "held by one of the two: {lease:?}");
    let raw = format!("inbound_mails WHERE mailbox_id = '{}'", mailbox.0);
    assert_eq!(count(&store, &raw).await, 4, "each mail fetched once");

    // Sara on node A, Omar on node B, in the same conversation.
    let page = backend
        .mailbox_conversations(&callers[0], mailbox, model::ListView::Open, backend::Refine::default(), None, 1)
        .await
        .expect("list");
    let conversation = page.items.first().expect("a conversation").conversation.id;
    let (sara_cookie, omar_cookie) = (a.sign_in("sara@shop.test").await, b.sign_in("omar@shop.test").await);
    let (mut sara, mut omar) = (a.connect(&sara_cookie).await, b.connect(&omar_cookie).await);
    omar.send(ClientMsg::Watch { conversations: vec![conversation] }).await;
    omar.send(ClientMsg::View { conversation: Some(conversation) }).await;
    sara.send(ClientMsg::Watch { conversations: vec![conversation] }).await;
    sara.send(ClientMsg::View { conversation: Some(conversation) }).await;
    omar.until(|m| doing_of(m, "Sara") == Some(Doing::Viewing)).await;
    sara.until(|m| doing_of(m, "Omar") == Some(Doing::Viewing)).await;
    sara.send(ClientMsg::Typing { conversation, mode: Writing::Reply, stamp: None }).await;
    omar.until(|m| doing_of(m, "Sara") == Some(Doing::Reply)).await;

    // A note written through node A's database reaches Omar on node B.
    let note = Posted::text(ComposerMode::Note, "I'll take this one", uuid::Uuid::new_v4());
    backend.post(&callers[0], conversation, note).await.expect("note");
    omar.until(
        |m| matches!(m, ServerMsg::Change { conversation: c, kind, .. } if *c == conversation && *kind == model::EventKind::Message),
    )
    .await;

    // The holder dies; the other node takes the mailbox over and fetches what comes next,
    // and the dead node's people leave the conversation.
    let dead_is_a = lease.holder == a.name;
    let (mut dead, survivor) = if dead_is_a { (a, b) } else { (b, a) };
    dead.child.kill().expect("SIGKILL");
    dead.child.wait().expect("reaped");
    // Whoever was on the survivor watches the other leave.
    let (watcher, gone) = if dead_is_a { (&mut omar, "Sara") } else { (&mut sara, "Omar") };
    let started = Instant::now();
    watcher.until(|m| matches!(m, ServerMsg::Presence { .. }) && doing_of(m, gone).is_none()).await;
    assert!(started.elapsed() < Duration::from_secs(15), "a dead node's presence lingered {:?}", started.elapsed());
    dovecot.append_all("INBOX", &(4..6).map(mail).collect::<Vec<_>>(), None).await;
    wait_for_messages(&store, mailbox, 6).await;
    let taken = store.sync_lease(mailbox).await.expect("lease").expect("held");
    assert_eq!(taken.holder, survivor.name, "the survivor syncs now");
    assert!(taken.token > lease.token, "a new holder gets a new fencing token");
    assert_eq!(count(&store, &raw).await, 6, "nothing fetched twice across the takeover");
    drop(survivor);
    drop(dead);
}
