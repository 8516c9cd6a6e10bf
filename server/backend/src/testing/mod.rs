//! Test support: a database of its own for each test, on either engine.
//!
//! Compiled into the backend (not behind a feature) so the store suite and the server's HTTP
//! tests share it without building the crates twice. Nothing in the product calls it.

pub mod mailservers;
pub mod pipeline;

use crate::Store;

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
