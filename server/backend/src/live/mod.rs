//! Live collaboration: the bus that carries changes and presence between the parts of a
//! node and between nodes, and the [`hub`] that fans them out to open tabs.
//!
//! Every change to a conversation is an event row written in the change's own transaction
//! (the store's `ConversationRows::record_event`), and the same row becomes a
//! [`Signal::Change`]:
//! - on SQLite (one node) the bus reads the events table after each commit, in commit order
//!   (one writer, so `rowid` order is commit order);
//! - on PostgreSQL the transaction sends `NOTIFY sanduq` with a small payload, delivered at
//!   commit to every node's `LISTEN`; nodes fetch details by id.
//!
//! Presence and the signals that close sockets ([`Signal::Sessions`], [`Signal::Access`])
//! take the same road, so two nodes behind one address behave as one. Each node announces
//! itself every [`ALIVE_EVERY`]; a node not heard from for [`NODE_TIMEOUT`] is taken as dead
//! and its presence is dropped.

pub mod hub;

use std::sync::Arc;
use std::time::Duration;

use model::live::Doing;
use model::{ConversationId, EventKind, MailboxId, UserId};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::error::Result;
use crate::events::EventData;
use crate::store::{Db, Store};

/// The PostgreSQL channel every node listens on.
pub const CHANNEL: &str = "sanduq";
/// How often a node says it is alive.
pub const ALIVE_EVERY: Duration = Duration::from_secs(2);
/// A node not heard from for this long is taken as dead.
pub const NODE_TIMEOUT: Duration = Duration::from_secs(7);
/// How many signals a slow subscriber may fall behind before it misses some.
const BUS_CAPACITY: usize = 16_384;

/// One node of a deployment, named at start.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NodeId(pub String);

impl NodeId {
    /// A fresh random name.
    pub fn random() -> NodeId {
        NodeId(Uuid::new_v4().simple().to_string()[..12].to_string())
    }
}

/// A change to a conversation, as its event row records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub conversation: ConversationId,
    pub mailbox: MailboxId,
    pub actor: Option<UserId>,
    pub kind: EventKind,
    /// The conversation's `rev` after the change.
    pub rev: i64,
    /// Who gets a notice of it: the person a conversation was assigned to, the people a note
    /// mentions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<UserId>,
}

impl Change {
    /// The change an event row describes; only the parts the live channel needs are kept, so
    /// the NOTIFY payload stays small.
    pub(crate) fn of_event(
        conversation: Uuid,
        mailbox: Uuid,
        actor: Option<Uuid>,
        event: &EventData,
        rev: i64,
    ) -> Signal {
        Change::of_row(conversation, mailbox, actor, event.kind(), event, rev)
    }

    /// The change of a stored row: its kind as the row names it (even when its data cannot
    /// be read here), its notices from the data.
    pub(crate) fn of_row(
        conversation: Uuid,
        mailbox: Uuid,
        actor: Option<Uuid>,
        kind: EventKind,
        event: &EventData,
        rev: i64,
    ) -> Signal {
        Signal::Change(Change {
            conversation: ConversationId(conversation),
            mailbox: MailboxId(mailbox),
            actor: actor.map(UserId),
            kind,
            rev,
            notify: event.notifies(),
        })
    }
}

/// One socket's presence: where it is and what it does there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PresenceOf {
    pub node: NodeId,
    pub socket: u64,
    pub user: UserId,
    pub name: String,
    /// `None`: the socket left (closed, or looks at no conversation).
    pub conversation: Option<ConversationId>,
    pub doing: Doing,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<u64>,
}

/// What travels on the bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Signal {
    Change(Change),
    Presence(PresenceOf),
    /// A node is alive; a node hearing one from a stranger re-announces its own presence.
    Alive {
        node: NodeId,
    },
    /// A node is stopping: drop its presence now.
    Gone {
        node: NodeId,
    },
    /// The user's sessions changed (signed out, new password): sockets check theirs.
    Sessions {
        user: UserId,
    },
    /// The mailboxes the user may see changed: their sockets close and reconnect.
    Access {
        user: UserId,
    },
    /// This node may have missed signals (its PostgreSQL listener reconnected): every tab
    /// reconnects and refetches. Never sent between nodes.
    Lost,
}

/// Sends a signal from inside a write transaction: on PostgreSQL a `NOTIFY`, delivered only
/// if the transaction commits; on SQLite nothing, as the bus reads the events table.
pub(crate) trait Announce {
    fn announce(&mut self, signal: &Signal) -> impl std::future::Future<Output = Result<()>> + Send;
}

impl Announce for sqlx::SqliteConnection {
    async fn announce(&mut self, _signal: &Signal) -> Result<()> {
        Ok(())
    }
}

impl Announce for sqlx::PgConnection {
    async fn announce(&mut self, signal: &Signal) -> Result<()> {
        let payload = serde_json::to_string(signal).map_err(|e| crate::Error::Internal(e.to_string()))?;
        sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(&mut *self).await?;
        Ok(())
    }
}

/// The bus of one node. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Bus {
    local: broadcast::Sender<Signal>,
    store: Store,
    pub node: NodeId,
}

impl Bus {
    /// A bus over `store`; nothing arrives until [`Bus::start`].
    pub fn new(store: Store) -> Bus {
        let (local, _) = broadcast::channel(BUS_CAPACITY);
        Bus { local, store, node: NodeId::random() }
    }

    /// Every signal from now on, from this node and (on PostgreSQL) the others.
    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.local.subscribe()
    }

    /// Sends a signal that is not a stored change to every node (this one included).
    pub async fn publish(&self, signal: Signal) -> Result<()> {
        match &self.store.db {
            Db::Sqlite { .. } => {
                // No receiver yet (a CLI process, a test without a hub) is not an error.
                let _ = self.local.send(signal);
            }
            Db::Postgres(pool) => {
                let payload = serde_json::to_string(&signal).map_err(|e| crate::Error::Internal(e.to_string()))?;
                sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Starts carrying stored changes (and, on PostgreSQL, other nodes' signals) to the
    /// subscribers. Returns once it listens, so nothing committed after this is missed.
    pub async fn start(&self) -> Result<tokio::task::JoinHandle<()>> {
        match &self.store.db {
            Db::Sqlite { read, .. } => {
                let cursor: i64 =
                    sqlx::query_scalar("SELECT COALESCE(MAX(rowid), 0) FROM events").fetch_one(read).await?;
                let (read, local, committed) = (read.clone(), self.local.clone(), self.store.committed.clone());
                Ok(tokio::spawn(tail_sqlite(read, local, committed, cursor)))
            }
            Db::Postgres(pool) => {
                let mut listener = PgListener::connect_with(pool).await?;
                listener.listen(CHANNEL).await?;
                let local = self.local.clone();
                Ok(tokio::spawn(listen_postgres(listener, local)))
            }
        }
    }
}

/// Reads the events SQLite committed since `cursor`, each time a write commits (and every
/// second, for writes from another process such as the CLI).
async fn tail_sqlite(
    read: sqlx::SqlitePool,
    local: broadcast::Sender<Signal>,
    committed: Arc<tokio::sync::Notify>,
    mut cursor: i64,
) {
    type Row = (i64, Uuid, Uuid, Option<Uuid>, String, String, i64);
    loop {
        let _ = tokio::time::timeout(Duration::from_secs(1), committed.notified()).await;
        loop {
            let rows: Vec<Row> = match sqlx::query_as(
                "SELECT rowid, conversation_id, mailbox_id, actor_id, kind, data, rev FROM events \
                 WHERE rowid > $1 AND conversation_id IS NOT NULL ORDER BY rowid LIMIT 500",
            )
            .bind(cursor)
            .fetch_all(&read)
            .await
            {
                Ok(rows) => rows,
                Err(err) => {
                    tracing::warn!(%err, "reading new events failed; trying again");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            let full = rows.len() == 500;
            for (rowid, conversation, mailbox, actor, kind, data, rev) in rows {
                cursor = rowid;
                let event = EventData::decode(&kind, &data);
                let kind = EventKind::from_word(&kind);
                let _ = local.send(Change::of_row(conversation, mailbox, actor, kind, &event, rev));
            }
            if !full {
                break;
            }
        }
    }
}

/// Carries every node's NOTIFY to this node's subscribers. sqlx reconnects a dropped
/// listener by itself; signals sent meanwhile are lost, so sockets are told to resync.
async fn listen_postgres(mut listener: PgListener, local: broadcast::Sender<Signal>) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => match serde_json::from_str::<Signal>(notification.payload()) {
                Ok(signal) => {
                    let _ = local.send(signal);
                }
                Err(err) => tracing::warn!(%err, "unreadable signal on the bus"),
            },
            Ok(None) => {
                tracing::warn!("the bus lost its PostgreSQL connection; reconnecting");
                let _ = local.send(Signal::Lost);
            }
            Err(err) => {
                tracing::warn!(%err, "the bus cannot listen; trying again");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}
