//! The store: every read and write of Sanduq's data, on SQLite or PostgreSQL.
//!
//! [`Store`] holds native pools (`sqlx::Any` cannot read UUIDs or timestamps and has no
//! LISTEN or locks). SQL is written once where it is portable: `$1` placeholders, UUID ids and
//! integer microsecond times read the same on both engines. The [`with_reader!`] and
//! [`with_tx!`] macros run one body against whichever pool is configured; the body is
//! type-checked once per engine, so a query that does not fit one of them fails to compile.
//!
//! SQLite has one writer connection and starts every write transaction with
//! `BEGIN IMMEDIATE`, so a transaction that reads and then writes never dies with `BUSY`;
//! readers have a pool of their own and, in WAL mode, never wait for the writer.
//!
//! Access rules are not checked here: the domain layer ([`crate::Backend`]) decides who may
//! call what. The store answers what is asked.

mod attachments;
mod contacts;
mod conversations;
mod drafts;
mod inbound;
mod ingest;
mod invitations;
mod leases;
mod mail;
mod mailboxes;
mod outbox;
mod password_resets;
mod sessions;
mod tags;
mod team;
mod team_events;
mod two_factor;
mod uploads;
mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use attachments::Attachment;
pub use contacts::{Contact, ContactCard};
pub use conversations::{
    AssigneeFilter, By, Conversation, ConversationFilter, Cursor, Event, ListedConversation, Message, NewConversation,
    NewMessage, Outgoing, Page, Recipients, ViewCounts,
};
pub use drafts::{Draft, DraftText};
pub use inbound::{
    AfterFailure, Failure, Fetched, FolderHealth, FolderState, InboundMail, IncomingMail, IngestOutcome,
    QUARANTINE_AFTER, StoredAttachment, after_failure, retry_delay_micros,
};
pub use invitations::{Invitation, InvitationLink, InvitationRefused, NewInvitation};
pub use leases::SyncLease;
pub use mailboxes::{Mailbox, MailboxScope};
pub use outbox::{DueMail, SystemMail};
pub use password_resets::ResetRefused;
pub use sessions::{SessionFound, StoredSession};
pub use tags::TagCount;
pub use team::{ClaimRefused, NewTeam};
pub use team_events::TeamEntry;
pub use two_factor::TotpState;
pub use uploads::{NewUpload, Upload};
pub use users::{NewUser, User};

use crate::error::{Error, Result};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The configured engine and its pools.
#[derive(Clone, Debug)]
pub enum Db {
    /// Embedded SQLite: many readers, one writer.
    Sqlite { read: SqlitePool, write: SqlitePool },
    /// PostgreSQL: one pool; its transactions take care of concurrency.
    Postgres(PgPool),
}

/// Sanduq's data. Cheap to clone: the pools are shared.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
    /// Woken after every SQLite write transaction commits, so the live bus reads the events it
    /// wrote at once (PostgreSQL announces them with NOTIFY instead).
    pub(crate) committed: std::sync::Arc<tokio::sync::Notify>,
}

/// Which engine a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// Reads the engine from a database URL.
    pub fn of_url(url: &str) -> Result<Engine> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(Error::Invalid("the database URL must start with sqlite: or postgres://".to_string()))
        }
    }
}

/// Runs `$body` with `$pool` bound to a pool that may be read from.
macro_rules! with_reader {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite { read: $pool, .. } => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` inside a write transaction bound to `$tx`, committing when the body returns
/// `Ok`. An early return (`?`) drops the transaction, which rolls it back.
macro_rules! with_tx {
    ($store:expr, |$tx:ident| $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite { write, .. } => {
                let mut $tx = write.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                $store.committed.notify_one();
                out
            }
            $crate::store::Db::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}

pub(crate) use {with_reader, with_tx};

// The store's shared SQL is written once, generic over the connection `C` of either engine
// (`sqlx::SqliteConnection`, `sqlx::PgConnection`): a trait per owner (such as
// `conversations::ConversationRows`) with one generic impl, whose where-clause lists what its
// queries need of the engine. Callers name neither engine nor bounds: inside [`with_tx!`],
// `tx.record_event(...)` resolves for whichever engine the body is checked against.

/// The engine (`sqlx::Sqlite`, `sqlx::Postgres`) of a connection.
pub(crate) type EngineOf<C> = <C as sqlx::Connection>::Database;
/// The row type of a connection's engine.
pub(crate) type RowOf<C> = <EngineOf<C> as sqlx::Database>::Row;
/// The query arguments of a connection's engine.
pub(crate) type ArgumentsOf<'q, C> = <EngineOf<C> as sqlx::Database>::Arguments<'q>;

impl Store {
    /// Opens the database the URL names (creating a SQLite file if missing) and applies the
    /// migrations.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating it.
    pub async fn connect(url: &str) -> Result<Store> {
        let db = match Engine::of_url(url)? {
            Engine::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .pragma("temp_store", "memory");
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options.clone())
                    .await?;
                let read = SqlitePoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options.read_only(true))
                    .await?;
                Db::Sqlite { read, write }
            }
            Engine::Postgres => {
                let options = PgConnectOptions::from_str(url)?;
                // One direct connection first: a pool would hide "connection refused" or "no
                // such database" behind "pool timed out", and an operator needs the cause.
                let probe = tokio::time::timeout(Duration::from_secs(10), PgConnection::connect_with(&options))
                    .await
                    .map_err(|_| Error::Internal("no answer from the PostgreSQL server within 10 s".to_string()))??;
                probe.close().await?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                Db::Postgres(pool)
            }
        };
        Ok(Store { db, committed: Default::default() })
    }

    /// Applies the migrations that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Which engine this store runs on.
    pub fn engine(&self) -> Engine {
        match &self.db {
            Db::Sqlite { .. } => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// A round trip to the database, for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        with_reader!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Runs one statement that returns nothing, such as `CREATE DATABASE` (operators and
    /// tests; never with user input).
    pub async fn execute_admin(&self, sql: &str) -> Result<()> {
        match &self.db {
            Db::Sqlite { write, .. } => {
                sqlx::raw_sql(sql).execute(write).await?;
            }
            Db::Postgres(pool) => {
                sqlx::raw_sql(sql).execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Closes the pools, waiting for connections in use.
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// `$first, $first+1, ...`: `n` placeholders for an IN list.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// A new time-ordered id.
pub(crate) fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// A new message id (time-ordered), for a reply whose Message-ID must name it before it is
/// stored.
pub fn new_message_id() -> uuid::Uuid {
    new_id()
}

/// Parses a word stored in a CHECK-constrained column; a stranger means a corrupt row.
pub(crate) fn parse_stored<T: FromStr>(column: &str, word: &str) -> Result<T> {
    word.parse().map_err(|_| Error::Internal(format!("unexpected {column} {word:?} in the database")))
}
