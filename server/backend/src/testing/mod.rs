//! Test support: a database of its own for each test, on either engine, and the few things
//! every suite arranges the same way (a signed-up agent, Layla's conversation, a note).
//!
//! Compiled into the backend (not behind a feature) so the store suite and the server's HTTP
//! tests share it without building the crates twice. Nothing in the product calls it. The
//! server's own helpers (the app on a port, a browser, a live socket) are in the server's
//! `testing` module, on top of these.

pub mod mailservers;
pub mod pipeline;

use std::future::Future;
use std::time::{Duration, Instant};

use model::{Direction, MailboxId, Priority, Role, Status};

use crate::store::{By, Conversation, NewConversation, NewMessage, Recipients};
use crate::{Backend, Caller, Store};

/// A client at 192.0.2.`last` (a documentation address).
pub fn client(last: u8) -> Option<crate::ClientAddr> {
    Some(crate::ClientAddr(std::net::IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, last))))
}

/// The password every test user signs in with.
pub const PASSWORD: &str = "correct horse battery";

/// Runs each scenario, an `async fn(&Store)` beside the call, as two tests: `sqlite::NAME` and
/// `postgres::NAME`, each on a [`TestDb`] of its own. A first `threads = N;` sets the
/// runtime's worker threads (2 unless given).
#[macro_export]
macro_rules! on_both_engines {
    (threads = $threads:tt; $($scenario:ident),* $(,)?) => {
        $crate::on_both_engines!(@engine sqlite, $threads; $($scenario),*);
        $crate::on_both_engines!(@engine postgres, $threads; $($scenario),*);
    };
    (@engine $engine:ident, $threads:tt; $($scenario:ident),*) => {
        mod $engine {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = $threads)]
                async fn $scenario() {
                    let db = $crate::testing::TestDb::$engine().await;
                    super::$scenario(&db.store).await;
                }
            )*
        }
    };
    ($($scenario:ident),* $(,)?) => {
        $crate::on_both_engines!(threads = 2; $($scenario),*);
    };
}

/// The PostgreSQL server the tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("SANDUQ_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// A migrated store that disappears with the value.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// A SQLite database in a temp dir.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("sanduq.db").display());
        let store = Store::open(&url).await.expect("open sqlite");
        TestDb { store, url, cleanup: Cleanup::Dir(dir) }
    }

    /// A new database on the test PostgreSQL server.
    pub async fn postgres() -> TestDb {
        let admin_url = postgres_admin_url();
        let name = format!("sanduq_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Store::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {admin_url} does not answer ({e}); `make test` starts one"));
        admin.execute_admin(&format!("CREATE DATABASE {name}")).await.expect("create database");
        admin.close().await;
        let (base, _) = admin_url.rsplit_once('/').expect("url has a database part");
        let url = format!("{base}/{name}");
        let store = Store::open(&url).await.expect("open postgres");
        TestDb { store, url, cleanup: Cleanup::Postgres { admin_url, name } }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime; a thread of its own may block on another.
            // FORCE ends the test's own connections.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                rt.block_on(async move {
                    if let Ok(admin) = Store::connect(&admin_url).await {
                        let _ = admin.execute_admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                        admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// `SELECT COUNT(*) FROM <from_where>` for assertions (tests only; never with user input).
pub async fn count(store: &Store, from_where: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {from_where}");
    match &store.db {
        crate::store::Db::Sqlite { read, .. } => sqlx::query_scalar(&sql).fetch_one(read).await.expect("count"),
        crate::store::Db::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.expect("count"),
    }
}

/// Runs one statement for arranging a test (never with user input).
pub async fn execute(store: &Store, sql: &str) {
    store.execute_admin(sql).await.expect("arranging statement");
}

/// Adds a user who signs in with [`PASSWORD`] and returns them as a caller.
pub async fn caller(backend: &Backend, email: &str, name: &str, role: Role) -> Caller {
    let user = backend.add_user(email, name, role, PASSWORD).await.expect("add user");
    Caller::from(&user)
}

/// An open conversation of normal priority with Layla (layla@customer.test) in `mailbox`.
pub async fn conversation(store: &Store, mailbox: MailboxId, subject: &str, by: By) -> Conversation {
    let contact = store.contact_for_email("layla@customer.test", "Layla").await.expect("contact");
    let new = NewConversation {
        mailbox_id: mailbox,
        contact_id: contact.id,
        subject: subject.to_string(),
        status: Status::Open,
        priority: Priority::Normal,
    };
    store.create_conversation(new, by).await.expect("create conversation")
}

/// An internal note by `author`, written now.
pub fn note(author: model::UserId, body: &str) -> NewMessage {
    NewMessage { author_id: Some(author), ..message(Direction::Note, body) }
}

/// A mail from Layla about her order, received `at` (now if `None`).
pub fn inbound(body: &str, at: Option<i64>) -> NewMessage {
    NewMessage {
        from_name: "Layla".to_string(),
        from_email: "layla@customer.test".to_string(),
        subject: "Order".to_string(),
        at,
        ..message(Direction::Inbound, body)
    }
}

/// A plain-text message with nothing else set, for the builders above to fill in.
fn message(direction: Direction, body: &str) -> NewMessage {
    NewMessage {
        direction,
        author_id: None,
        from_name: String::new(),
        from_email: String::new(),
        subject: String::new(),
        body_text: body.to_string(),
        body_html: None,
        client_id: None,
        at: None,
        queue: false,
        outgoing: None,
        attachments: Vec::new(),
        recipients: Recipients::default(),
        seen_seq: None,
    }
}

/// Polls `check` every 100 ms until it holds; panics naming `what` after `limit`.
pub async fn wait_until<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within {limit:?}");
}
