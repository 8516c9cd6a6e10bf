//! Conversations: the row and its audit trail here, the changes agents make in [`changes`],
//! lists in [`lists`] and messages in [`messages`].
//!
//! Every change to a conversation writes an [`Event`] in the same transaction, through
//! [`ConversationRows`], so the audit trail can never disagree with the data and the live bus
//! hears of every change. Each change locks the row first, so two changes to one
//! conversation never interleave.

pub(super) mod changes;
mod lists;
mod messages;

pub use lists::{AssigneeFilter, ConversationFilter, Cursor, ListedConversation, Page, ViewCounts};
pub use messages::{Message, NewMessage, Outgoing, Recipients};

use model::{ContactId, ConversationId, DeliveryStatus, EventId, MailboxId, MessageId, Priority, Status, UserId};
use uuid::Uuid;

use super::{ArgumentsOf, EngineOf, RowOf, Store, new_id, parse_stored, placeholders, with_reader, with_tx};
use crate::error::{Error, Result};
use crate::events::EventData;
use crate::live::{Announce, Change};
use crate::time::now_micros;

/// A conversation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: ConversationId,
    pub mailbox_id: MailboxId,
    pub contact_id: ContactId,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub assignee_id: Option<UserId>,
    pub snoozed_until: Option<i64>,
    /// Bumped by every message, note and queued reply.
    pub seq: i64,
    /// Bumped by every change (each event).
    pub rev: i64,
    pub last_activity_at: i64,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct ConversationRow {
    id: Uuid,
    mailbox_id: Uuid,
    contact_id: Uuid,
    subject: String,
    status: String,
    priority: String,
    assignee_id: Option<Uuid>,
    snoozed_until: Option<i64>,
    seq: i64,
    rev: i64,
    last_activity_at: i64,
    created_at: i64,
}

impl TryFrom<ConversationRow> for Conversation {
    type Error = Error;

    fn try_from(row: ConversationRow) -> Result<Conversation> {
        Ok(Conversation {
            id: ConversationId(row.id),
            mailbox_id: MailboxId(row.mailbox_id),
            contact_id: ContactId(row.contact_id),
            subject: row.subject,
            status: parse_stored("status", &row.status)?,
            priority: parse_stored("priority", &row.priority)?,
            assignee_id: row.assignee_id.map(UserId),
            snoozed_until: row.snoozed_until,
            seq: row.seq,
            rev: row.rev,
            last_activity_at: row.last_activity_at,
            created_at: row.created_at,
        })
    }
}

/// Unqualified, because SQLite's RETURNING cannot name a table alias.
pub(super) const CONVERSATION_COLUMNS: &str = "id, mailbox_id, contact_id, subject, status, priority, \
     assignee_id, snoozed_until, seq, rev, last_activity_at, created_at";

/// What starting a conversation needs.
#[derive(Debug, Clone)]
pub struct NewConversation {
    pub mailbox_id: MailboxId,
    pub contact_id: ContactId,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
}

/// One entry of a conversation's audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: EventId,
    pub conversation_id: Option<ConversationId>,
    pub actor_id: Option<UserId>,
    /// What happened, with its details.
    pub what: crate::events::EventData,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    conversation_id: Option<Uuid>,
    actor_id: Option<Uuid>,
    kind: String,
    data: String,
    created_at: i64,
}

/// Who makes a change and when. Changes made now by a user are the common case; demo data
/// and imports give a past time, background work gives no user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct By {
    pub actor: Option<UserId>,
    /// UTC microseconds; now if `None`.
    pub at: Option<i64>,
}

impl By {
    /// A change by `user`, now.
    pub fn user(user: UserId) -> By {
        By { actor: Some(user), at: None }
    }

    /// A change by Sanduq itself, now.
    pub fn system() -> By {
        By::default()
    }

    /// The same change, at `at`.
    pub fn at(self, at: i64) -> By {
        By { at: Some(at), ..self }
    }

    pub(super) fn time(&self) -> i64 {
        self.at.unwrap_or_else(now_micros)
    }
}

/// What every change to a conversation does inside its write transaction, on either engine:
/// lock the row, and write the change's event. Implemented for the connection of each engine
/// (`tx.lock_conversation(id)` inside [`with_tx!`]), once, by the generic impl below, whose
/// bounds are what these queries need of an engine.
pub(super) trait ConversationRows {
    /// Locks the conversation's row for the rest of the transaction and reads it. On
    /// PostgreSQL the no-op update takes the row lock; on SQLite `BEGIN IMMEDIATE` already
    /// holds the database.
    async fn lock_conversation(&mut self, id: Uuid) -> Result<Conversation>;

    /// Inserts one audit-trail row, bumps the conversation's `rev` and announces the change to
    /// the live bus (on PostgreSQL by NOTIFY, delivered at commit; SQLite's bus reads the
    /// events table after each commit).
    async fn record_event(
        &mut self,
        conversation: Uuid,
        mailbox: Uuid,
        actor: Option<Uuid>,
        event: EventData,
        at: i64,
    ) -> Result<()>;

    /// Records a reply's new delivery state as an event of its conversation (not shown in the
    /// history; it moves the reply's badge in every open tab).
    async fn announce_delivery(&mut self, message: Uuid, status: DeliveryStatus, at: i64) -> Result<()>;
}

impl<C> ConversationRows for C
where
    C: sqlx::Connection + Announce,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = EngineOf<C>>,
    for<'q> ArgumentsOf<'q, C>: sqlx::IntoArguments<'q, EngineOf<C>>,
    for<'q> Uuid: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> Option<Uuid>: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> i64: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> &'q str: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> String: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'r> (i64,): sqlx::FromRow<'r, RowOf<C>>,
    for<'r> (Uuid, Uuid): sqlx::FromRow<'r, RowOf<C>>,
    for<'r> ConversationRow: sqlx::FromRow<'r, RowOf<C>>,
{
    async fn lock_conversation(&mut self, id: Uuid) -> Result<Conversation> {
        let sql =
            format!("UPDATE conversations SET updated_at = updated_at WHERE id = $1 RETURNING {CONVERSATION_COLUMNS}");
        let row: Option<ConversationRow> = sqlx::query_as(&sql).bind(id).fetch_optional(&mut *self).await?;
        Conversation::try_from(row.ok_or(Error::NotFound)?)
    }

    async fn record_event(
        &mut self,
        conversation: Uuid,
        mailbox: Uuid,
        actor: Option<Uuid>,
        event: EventData,
        at: i64,
    ) -> Result<()> {
        let rev: i64 = sqlx::query_scalar("UPDATE conversations SET rev = rev + 1 WHERE id = $1 RETURNING rev")
            .bind(conversation)
            .fetch_one(&mut *self)
            .await?;
        sqlx::query(
            "INSERT INTO events (id, conversation_id, mailbox_id, actor_id, kind, data, created_at, rev) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(conversation)
        .bind(mailbox)
        .bind(actor)
        .bind(event.kind().as_str())
        .bind(event.data_json())
        .bind(at)
        .bind(rev)
        .execute(&mut *self)
        .await?;
        self.announce(&Change::of_event(conversation, mailbox, actor, &event, rev)).await
    }

    async fn announce_delivery(&mut self, message: Uuid, status: DeliveryStatus, at: i64) -> Result<()> {
        let (conversation, mailbox): (Uuid, Uuid) =
            sqlx::query_as("SELECT conversation_id, mailbox_id FROM messages WHERE id = $1")
                .bind(message)
                .fetch_one(&mut *self)
                .await?;
        let event = EventData::Delivery { message_id: MessageId(message), status };
        self.record_event(conversation, mailbox, None, event, at).await
    }
}

impl Store {
    /// Starts a conversation.
    pub async fn create_conversation(&self, new: NewConversation, by: By) -> Result<Conversation> {
        let id = new_id();
        let (actor, at) = (by.actor, by.time());
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO conversations (id, mailbox_id, contact_id, subject, status, priority, seq, \
                 last_activity_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7, $7)",
            )
            .bind(id)
            .bind(new.mailbox_id.0)
            .bind(new.contact_id.0)
            .bind(&new.subject)
            .bind(new.status.as_str())
            .bind(new.priority.as_str())
            .bind(at)
            .execute(&mut *tx)
            .await?;
            tx.record_event(
                id,
                new.mailbox_id.0,
                actor.map(|a| a.0),
                EventData::Created { subject: new.subject.clone(), via: None },
                at,
            )
            .await?;
        });
        Ok(Conversation {
            id: ConversationId(id),
            mailbox_id: new.mailbox_id,
            contact_id: new.contact_id,
            subject: new.subject,
            status: new.status,
            priority: new.priority,
            assignee_id: None,
            snoozed_until: None,
            seq: 0,
            rev: 1,
            last_activity_at: at,
            created_at: at,
        })
    }

    /// The conversation with this id.
    pub async fn conversation(&self, id: ConversationId) -> Result<Conversation> {
        let sql = format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = $1");
        let row: Option<ConversationRow> =
            with_reader!(self, |pool| sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?);
        Conversation::try_from(row.ok_or(Error::NotFound)?)
    }

    /// The mailbox of each of `ids` that exists.
    pub async fn conversation_mailboxes(&self, ids: &[ConversationId]) -> Result<Vec<(ConversationId, MailboxId)>> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql =
                format!("SELECT id, mailbox_id FROM conversations WHERE id IN ({})", placeholders(1, chunk.len()));
            let rows: Vec<(Uuid, Uuid)> = with_reader!(self, |pool| {
                let mut query = sqlx::query_as(&sql);
                for id in chunk {
                    query = query.bind(id.0);
                }
                query.fetch_all(pool).await?
            });
            found.extend(rows.into_iter().map(|(c, m)| (ConversationId(c), MailboxId(m))));
        }
        Ok(found)
    }

    /// The names of the conversation's tags, sorted.
    pub async fn tags_of(&self, conversation: ConversationId) -> Result<Vec<String>> {
        let names: Vec<String> = with_reader!(self, |pool| {
            sqlx::query_scalar(
                "SELECT t.name FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id \
                 WHERE ct.conversation_id = $1 ORDER BY t.name",
            )
            .bind(conversation.0)
            .fetch_all(pool)
            .await?
        });
        Ok(names)
    }

    /// The conversation's audit trail, oldest first.
    pub async fn events(&self, conversation: ConversationId) -> Result<Vec<Event>> {
        let rows: Vec<EventRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, conversation_id, actor_id, kind, data, created_at FROM events \
                 WHERE conversation_id = $1 ORDER BY id",
            )
            .bind(conversation.0)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|row| Event {
                id: EventId(row.id),
                conversation_id: row.conversation_id.map(ConversationId),
                actor_id: row.actor_id.map(UserId),
                what: crate::events::EventData::decode(&row.kind, &row.data),
                created_at: row.created_at,
            })
            .collect())
    }
}
