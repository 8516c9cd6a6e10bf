//! Conversations, their messages, tags and audit trail.
//!
//! Every change to a conversation writes an [`Event`] in the same transaction, so the audit
//! trail can never disagree with the data. Every message, note and queued reply bumps the
//! conversation's `seq`, which the send guard will compare. Lists page by keyset on
//! (last activity, id), newest first, never by OFFSET, so page 1,000 costs what page 1 does.

use model::{
    AttachmentId, ComposerMode, ContactId, ConversationId, Delivery, DeliveryStatus, Direction, EventId, MailboxId,
    MessageId, Priority, Status, UserId,
};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use super::{ArgumentsOf, EngineOf, MailboxScope, RowOf, Store, new_id, parse_stored, with_reader, with_tx};
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

/// A message to add to a conversation.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub direction: Direction,
    pub author_id: Option<UserId>,
    pub from_name: String,
    pub from_email: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// The browser-made id of a reply: the same id twice stores one message.
    pub client_id: Option<Uuid>,
    /// When it was written; now if `None`.
    pub at: Option<i64>,
    /// Put an agent's reply in the outbox, marked queued, in the same transaction.
    pub queue: bool,
    /// For a reply that leaves by mail: its rendered bytes and envelope. Without it a queued
    /// reply waits in the outbox with no bytes (a mailbox that cannot send, such as the demo).
    pub outgoing: Option<Outgoing>,
    /// The author's uploads this message sends: they become its attachments, same ids.
    pub attachments: Vec<AttachmentId>,
    /// Whom an agent's reply is addressed to, kept even when it cannot leave yet.
    pub recipients: Recipients,
    /// The conversation's `seq` its author saw. When set, the message is stored only if
    /// nothing was added since ([`Error::Stale`] otherwise): the guard against two replies.
    pub seen_seq: Option<i64>,
}

/// Address lists as `Name <address>, ...`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipients {
    pub to: String,
    pub cc: String,
    pub bcc: String,
}

/// A reply rendered to the exact bytes every delivery attempt sends.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The message's id, chosen before rendering because its Message-ID names it.
    pub id: MessageId,
    pub message_id_header: String,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub raw: Vec<u8>,
    pub envelope_from: String,
    /// Every recipient (To, Cc and Bcc), one per line.
    pub envelope_to: String,
    /// Not before this time (undo send).
    pub send_after: i64,
}

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub direction: Direction,
    pub author_id: Option<UserId>,
    pub from_name: String,
    pub from_email: String,
    /// Whom the mail was addressed to, as `Name <address>, ...` (empty for notes).
    pub to: String,
    pub cc: String,
    /// Only for replies sent from Sanduq; never in the mail's bytes.
    pub bcc: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub created_at: i64,
    /// Where an agent's reply is on its way out; `None` for mail that never went through the
    /// outbox (customer mail, notes, demo data, copies found in the Sent folder).
    pub delivery: Option<Delivery>,
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: Uuid,
    conversation_id: Uuid,
    direction: String,
    author_id: Option<Uuid>,
    from_name: String,
    from_email: String,
    to_addrs: String,
    cc_addrs: String,
    bcc_addrs: String,
    subject: String,
    body_text: String,
    body_html: Option<String>,
    created_at: i64,
    outbox_status: Option<String>,
    outbox_attempts: Option<i64>,
    outbox_error: Option<String>,
}

impl TryFrom<MessageRow> for Message {
    type Error = Error;

    fn try_from(row: MessageRow) -> Result<Message> {
        Ok(Message {
            id: MessageId(row.id),
            conversation_id: ConversationId(row.conversation_id),
            direction: parse_stored("direction", &row.direction)?,
            author_id: row.author_id.map(UserId),
            from_name: row.from_name,
            from_email: row.from_email,
            to: row.to_addrs,
            cc: row.cc_addrs,
            bcc: row.bcc_addrs,
            subject: row.subject,
            body_text: row.body_text,
            body_html: row.body_html,
            created_at: row.created_at,
            delivery: match row.outbox_status {
                Some(word) => Some(Delivery {
                    status: parse_stored("outbox status", &word)?,
                    attempts: row.outbox_attempts.unwrap_or(0),
                    last_error: row.outbox_error,
                }),
                None => None,
            },
        })
    }
}

/// What a message read needs, outbox state included.
const MESSAGE_SELECT: &str = "SELECT m.id, m.conversation_id, m.direction, m.author_id, m.from_name, m.from_email, \
     m.to_addrs, m.cc_addrs, m.bcc_addrs, m.subject, m.body_text, m.body_html, m.created_at, o.status AS outbox_status, o.attempts AS outbox_attempts, \
     o.last_error AS outbox_error FROM messages m LEFT JOIN outbox o ON o.message_id = m.id";

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

/// Whose conversations a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Nobody's yet.
    Unassigned,
    /// This user's.
    User(UserId),
}

/// What a conversation list shows. Empty `statuses` means any status.
#[derive(Debug, Clone)]
pub struct ConversationFilter {
    pub scope: MailboxScope,
    pub mailbox: Option<MailboxId>,
    pub statuses: Vec<Status>,
    pub assignee: Option<AssigneeFilter>,
    pub tag: Option<String>,
    /// Only this customer's conversations.
    pub contact: Option<ContactId>,
    /// `Some(true)`: only conversations snoozed until later; `Some(false)`: only those awake;
    /// `None`: both.
    pub snoozed: Option<bool>,
}

impl ConversationFilter {
    /// Everything in `scope`.
    pub fn all(scope: MailboxScope) -> ConversationFilter {
        ConversationFilter {
            scope,
            mailbox: None,
            statuses: Vec::new(),
            assignee: None,
            tag: None,
            contact: None,
            snoozed: None,
        }
    }
}

/// How many conversations each working view holds (see [`Store::view_counts`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewCounts {
    pub unassigned: i64,
    pub mine: i64,
    pub open: i64,
    pub waiting: i64,
    pub snoozed: i64,
}

/// Where a page of a list ends: the next page starts after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub last_activity_at: i64,
    pub id: ConversationId,
}

impl Cursor {
    /// The cursor as URL-safe text: `MICROS_UUID`.
    pub fn token(&self) -> String {
        format!("{}_{}", self.last_activity_at, self.id)
    }

    /// Reads [`Cursor::token`] text; anything else is no cursor.
    pub fn parse(token: &str) -> Option<Cursor> {
        let (at, id) = token.split_once('_')?;
        Some(Cursor { last_activity_at: at.parse().ok()?, id: id.parse().ok()? })
    }
}

/// One page of a list and the cursor of the next, if there is one.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

/// A conversation with what a list row shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedConversation {
    pub conversation: Conversation,
    pub contact_name: String,
    pub contact_email: String,
    /// The start of the latest customer or agent message (notes excluded).
    pub snippet: String,
    pub assignee_name: Option<String>,
    pub tags: Vec<String>,
}

/// How much of the latest message a list row shows.
const SNIPPET_CHARS: usize = 160;

/// `$first, $first+1, ...`: `n` placeholders for an IN list.
pub(super) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// A value bound into a query built at run time.
enum Arg {
    Uuid(Uuid),
    Int(i64),
    Text(String),
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

    /// Adds a message, note or reply, bumps the conversation's `seq` and last activity, and
    /// records the event, all in one transaction. A reply with `queue` set goes into the outbox,
    /// marked queued; a reply or note consumes its author's draft of that kind. Returns the
    /// message and the conversation's new `seq`.
    ///
    /// The same `client_id` twice (a double click, a retried request) stores one message: the
    /// second call returns the first message and changes nothing.
    pub async fn append_message(&self, conversation: ConversationId, new: NewMessage) -> Result<(Message, i64)> {
        let id = new.outgoing.as_ref().map(|o| o.id.0).unwrap_or_else(new_id);
        let at = new.at.unwrap_or_else(now_micros);
        let draft_mode = match new.direction {
            Direction::Outbound => Some(ComposerMode::Reply),
            Direction::Note => Some(ComposerMode::Note),
            Direction::Inbound => None,
        };
        let stored = with_tx!(self, |tx| {
            let current = tx.lock_conversation(conversation.0).await?;
            let earlier: Option<Uuid> = match new.client_id {
                Some(client_id) => {
                    sqlx::query_scalar("SELECT id FROM messages WHERE client_id = $1 AND conversation_id = $2")
                        .bind(client_id)
                        .bind(conversation.0)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => None,
            };
            if let Some(earlier) = earlier {
                Err((earlier, current.seq))
            } else {
                // The guard: a conditional update, so of two replies written against the same
                // `seq` exactly one passes, whatever the engine or isolation level.
                let bumped: Option<i64> = match new.seen_seq {
                    Some(seen) => {
                        sqlx::query_scalar(
                            "UPDATE conversations SET seq = seq + 1, \
                         last_activity_at = CASE WHEN last_activity_at > $2 THEN last_activity_at ELSE $2 END, \
                         updated_at = $2 WHERE id = $1 AND seq = $3 RETURNING seq",
                        )
                        .bind(conversation.0)
                        .bind(at)
                        .bind(seen)
                        .fetch_optional(&mut *tx)
                        .await?
                    }
                    None => {
                        sqlx::query_scalar(
                            "UPDATE conversations SET seq = seq + 1, \
                         last_activity_at = CASE WHEN last_activity_at > $2 THEN last_activity_at ELSE $2 END, \
                         updated_at = $2 WHERE id = $1 RETURNING seq",
                        )
                        .bind(conversation.0)
                        .bind(at)
                        .fetch_optional(&mut *tx)
                        .await?
                    }
                };
                let Some(seq) = bumped else {
                    return Err(Error::Stale { seq: current.seq });
                };
                sqlx::query(
                    "INSERT INTO messages (id, conversation_id, mailbox_id, direction, author_id, from_name, \
                     from_email, subject, body_text, body_html, client_id, created_at, message_id_header, \
                     in_reply_to, references_header, to_addrs, cc_addrs, bcc_addrs) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
                )
                .bind(id)
                .bind(conversation.0)
                .bind(current.mailbox_id.0)
                .bind(new.direction.as_str())
                .bind(new.author_id.map(|a| a.0))
                .bind(&new.from_name)
                .bind(&new.from_email)
                .bind(&new.subject)
                .bind(&new.body_text)
                .bind(new.body_html.as_deref())
                .bind(new.client_id)
                .bind(at)
                .bind(new.outgoing.as_ref().map(|o| o.message_id_header.as_str()))
                .bind(new.outgoing.as_ref().and_then(|o| o.in_reply_to.as_deref()))
                .bind(new.outgoing.as_ref().and_then(|o| o.references.as_deref()))
                .bind(&new.recipients.to)
                .bind(&new.recipients.cc)
                .bind(&new.recipients.bcc)
                .execute(&mut *tx)
                .await
                .map_err(|e| Error::unique_as_conflict(e, "this message was already sent"))?;
                for upload in &new.attachments {
                    let moved = sqlx::query(
                        "INSERT INTO attachments (id, message_id, filename, content_type, size, sha256) \
                         SELECT id, $2, filename, content_type, size, sha256 FROM uploads \
                         WHERE id = $1 AND user_id = $3",
                    )
                    .bind(upload.0)
                    .bind(id)
                    .bind(new.author_id.map(|a| a.0))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if moved != 1 {
                        return Err(model::Refusal::AttachmentGone.into());
                    }
                    sqlx::query("DELETE FROM uploads WHERE id = $1").bind(upload.0).execute(&mut *tx).await?;
                }
                if new.queue {
                    sqlx::query(
                        "INSERT INTO outbox (id, message_id, mailbox_id, status, attempts, next_attempt_at, \
                         created_at, updated_at, raw, envelope_from, envelope_to) \
                         VALUES ($1, $2, $3, 'queued', 0, $5, $4, $4, $6, $7, $8)",
                    )
                    .bind(new_id())
                    .bind(id)
                    .bind(current.mailbox_id.0)
                    .bind(at)
                    .bind(new.outgoing.as_ref().map(|o| o.send_after).unwrap_or(at))
                    .bind(new.outgoing.as_ref().map(|o| o.raw.as_slice()))
                    .bind(new.outgoing.as_ref().map(|o| o.envelope_from.as_str()))
                    .bind(new.outgoing.as_ref().map(|o| o.envelope_to.as_str()))
                    .execute(&mut *tx)
                    .await?;
                }
                if let (Some(mode), Some(author)) = (draft_mode, new.author_id) {
                    sqlx::query("DELETE FROM drafts WHERE conversation_id = $1 AND user_id = $2 AND mode = $3")
                        .bind(conversation.0)
                        .bind(author.0)
                        .bind(mode.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                tx.record_event(
                    conversation.0,
                    current.mailbox_id.0,
                    new.author_id.map(|a| a.0),
                    EventData::Message { message_id: MessageId(id), direction: new.direction, via: None },
                    at,
                )
                .await?;
                Ok(seq)
            }
        });
        match stored {
            Ok(seq) => {
                let delivery =
                    new.queue.then_some(Delivery { status: DeliveryStatus::Queued, attempts: 0, last_error: None });
                let message = Message {
                    id: MessageId(id),
                    conversation_id: conversation,
                    direction: new.direction,
                    author_id: new.author_id,
                    from_name: new.from_name,
                    from_email: new.from_email,
                    to: new.recipients.to,
                    cc: new.recipients.cc,
                    bcc: new.recipients.bcc,
                    subject: new.subject,
                    body_text: new.body_text,
                    body_html: new.body_html,
                    created_at: at,
                    delivery,
                };
                Ok((message, seq))
            }
            Err((earlier, seq)) => Ok((self.message(MessageId(earlier)).await?, seq)),
        }
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

    /// One message.
    pub async fn message(&self, id: MessageId) -> Result<Message> {
        let sql = format!("{MESSAGE_SELECT} WHERE m.id = $1");
        let row: Option<MessageRow> =
            with_reader!(self, |pool| sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?);
        Message::try_from(row.ok_or(Error::NotFound)?)
    }

    /// The conversation's messages and notes, oldest first.
    pub async fn messages(&self, conversation: ConversationId) -> Result<Vec<Message>> {
        let sql = format!("{MESSAGE_SELECT} WHERE m.conversation_id = $1 ORDER BY m.created_at, m.id");
        let rows: Vec<MessageRow> =
            with_reader!(self, |pool| sqlx::query_as(&sql).bind(conversation.0).fetch_all(pool).await?);
        rows.into_iter().map(Message::try_from).collect()
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

    /// The message posted with this browser-made id, if any.
    pub async fn message_of_client_id(&self, client_id: Uuid) -> Result<Option<Message>> {
        let sql = format!("{MESSAGE_SELECT} WHERE m.client_id = $1");
        let row: Option<MessageRow> =
            with_reader!(self, |pool| sqlx::query_as(&sql).bind(client_id).fetch_optional(pool).await?);
        row.map(Message::try_from).transpose()
    }

    /// The conversation holding the message posted with this browser-made id, if any.
    pub async fn conversation_of_client_id(&self, client_id: Uuid) -> Result<Option<ConversationId>> {
        let found: Option<Uuid> = with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT conversation_id FROM messages WHERE client_id = $1 LIMIT 1")
                .bind(client_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.map(ConversationId))
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

    /// One page of conversations matching `filter`, most recent activity first, starting
    /// after `after`.
    pub async fn list_conversations(
        &self,
        filter: &ConversationFilter,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<Conversation>> {
        let limit = limit.clamp(1, 500);
        let (condition, mut args) = where_clause(filter);
        let mut sql = format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE {condition}");
        if let Some(cursor) = after {
            let pa = next_arg(&mut args, Arg::Int(cursor.last_activity_at));
            let pi = next_arg(&mut args, Arg::Uuid(cursor.id.0));
            sql.push_str(&format!(" AND (last_activity_at < {pa} OR (last_activity_at = {pa} AND id < {pi}))"));
        }
        let pl = next_arg(&mut args, Arg::Int(i64::from(limit) + 1));
        sql.push_str(&format!(" ORDER BY last_activity_at DESC, id DESC LIMIT {pl}"));

        let rows: Vec<ConversationRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for arg in &args {
                query = match arg {
                    Arg::Uuid(u) => query.bind(*u),
                    Arg::Int(i) => query.bind(*i),
                    Arg::Text(t) => query.bind(t.as_str()),
                };
            }
            query.fetch_all(pool).await?
        });
        let mut items = rows.into_iter().map(Conversation::try_from).collect::<Result<Vec<_>>>()?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|c| Cursor { last_activity_at: c.last_activity_at, id: c.id })
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// How many conversations each working view holds for `user` within `scope`, in one pass
    /// over the count index. The rules are [`model::InboxView`]'s: open means open or in
    /// progress, Mine and Snoozed also take waiting, and snoozed ones leave the other views.
    pub async fn view_counts(&self, scope: MailboxScope, user: UserId) -> Result<ViewCounts> {
        let scope_condition = match scope {
            MailboxScope::All => "",
            MailboxScope::MemberOf(_) => {
                " AND mailbox_id IN (SELECT mailbox_id FROM mailbox_members WHERE user_id = $3)"
            }
        };
        let sql = format!(
            "SELECT \
             COALESCE(SUM(CASE WHEN status <> 'waiting' AND assignee_id IS NULL AND awake THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN assignee_id = $1 AND awake THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN status <> 'waiting' AND awake THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN status = 'waiting' AND awake THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN awake THEN 0 ELSE 1 END), 0) \
             FROM (SELECT status, assignee_id, (snoozed_until IS NULL OR snoozed_until <= $2) AS awake \
             FROM conversations WHERE status IN ('open', 'in_progress', 'waiting'){scope_condition}) AS working"
        );
        let row: (i64, i64, i64, i64, i64) = with_reader!(self, |pool| {
            let query = sqlx::query_as(&sql).bind(user.0).bind(now_micros());
            match scope {
                MailboxScope::MemberOf(member) => query.bind(member.0).fetch_one(pool).await?,
                MailboxScope::All => query.fetch_one(pool).await?,
            }
        });
        Ok(ViewCounts { unassigned: row.0, mine: row.1, open: row.2, waiting: row.3, snoozed: row.4 })
    }
}

/// The SQL condition for `filter` (starting with `1 = 1`), with its arguments.
fn where_clause(filter: &ConversationFilter) -> (String, Vec<Arg>) {
    let mut sql = String::from("1 = 1");
    let mut args: Vec<Arg> = Vec::new();
    if let MailboxScope::MemberOf(user) = filter.scope {
        let p = next_arg(&mut args, Arg::Uuid(user.0));
        sql.push_str(&format!(" AND mailbox_id IN (SELECT mailbox_id FROM mailbox_members WHERE user_id = {p})"));
    }
    if let Some(mailbox) = filter.mailbox {
        let p = next_arg(&mut args, Arg::Uuid(mailbox.0));
        sql.push_str(&format!(" AND mailbox_id = {p}"));
    }
    if !filter.statuses.is_empty() {
        let ps: Vec<String> =
            filter.statuses.iter().map(|s| next_arg(&mut args, Arg::Text(s.as_str().to_string()))).collect();
        sql.push_str(&format!(" AND status IN ({})", ps.join(", ")));
    }
    match filter.assignee {
        Some(AssigneeFilter::Unassigned) => sql.push_str(" AND assignee_id IS NULL"),
        Some(AssigneeFilter::User(user)) => {
            let p = next_arg(&mut args, Arg::Uuid(user.0));
            sql.push_str(&format!(" AND assignee_id = {p}"));
        }
        None => {}
    }
    if let Some(tag) = &filter.tag {
        let p = next_arg(&mut args, Arg::Text(tag.clone()));
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id \
             WHERE ct.conversation_id = conversations.id AND t.name = {p})"
        ));
    }
    if let Some(contact) = filter.contact {
        let p = next_arg(&mut args, Arg::Uuid(contact.0));
        sql.push_str(&format!(" AND contact_id = {p}"));
    }
    if let Some(snoozed) = filter.snoozed {
        let p = next_arg(&mut args, Arg::Int(now_micros()));
        sql.push_str(&if snoozed {
            format!(" AND snoozed_until > {p}")
        } else {
            format!(" AND (snoozed_until IS NULL OR snoozed_until <= {p})")
        });
    }
    (sql, args)
}

/// Appends `arg` and returns its placeholder.
fn next_arg(args: &mut Vec<Arg>, arg: Arg) -> String {
    args.push(arg);
    format!("${}", args.len())
}

impl Store {
    /// What list rows show of `items`: contact, latest message, assignee and tags, in four
    /// queries whatever the page size.
    pub async fn describe(&self, items: Vec<Conversation>) -> Result<Vec<ListedConversation>> {
        use std::collections::HashMap;
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = items.iter().map(|c| c.id.0).collect();
        let contact_ids: Vec<Uuid> = items.iter().map(|c| c.contact_id.0).collect();
        let user_ids: Vec<Uuid> = items.iter().filter_map(|c| c.assignee_id.map(|u| u.0)).collect();

        let contacts_sql = format!(
            "SELECT c.id, c.name, COALESCE(e.email, '') FROM contacts c \
             LEFT JOIN contact_emails e ON e.contact_id = c.id AND e.is_primary WHERE c.id IN ({})",
            placeholders(1, contact_ids.len())
        );
        let snippets_sql = format!(
            "SELECT m.conversation_id, m.body_text FROM messages m WHERE m.conversation_id IN ({}) \
             AND m.direction <> 'note' AND m.id = (SELECT m2.id FROM messages m2 \
             WHERE m2.conversation_id = m.conversation_id AND m2.direction <> 'note' \
             ORDER BY m2.created_at DESC, m2.id DESC LIMIT 1)",
            placeholders(1, ids.len())
        );
        let tags_sql = format!(
            "SELECT ct.conversation_id, t.name FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id \
             WHERE ct.conversation_id IN ({}) ORDER BY t.name",
            placeholders(1, ids.len())
        );
        let users_sql = format!("SELECT id, name FROM users WHERE id IN ({})", placeholders(1, user_ids.len()));

        let contacts: Vec<(Uuid, String, String)> = self.fetch_by_ids(&contacts_sql, &contact_ids).await?;
        let snippets: Vec<(Uuid, String)> = self.fetch_by_ids(&snippets_sql, &ids).await?;
        let tags: Vec<(Uuid, String)> = self.fetch_by_ids(&tags_sql, &ids).await?;
        let users: Vec<(Uuid, String)> = self.fetch_by_ids(&users_sql, &user_ids).await?;

        let contacts: HashMap<Uuid, (String, String)> = contacts.into_iter().map(|(id, n, e)| (id, (n, e))).collect();
        let snippets: HashMap<Uuid, String> = snippets.into_iter().collect();
        let users: HashMap<Uuid, String> = users.into_iter().collect();
        let mut tags_of: HashMap<Uuid, Vec<String>> = HashMap::new();
        for (id, name) in tags {
            tags_of.entry(id).or_default().push(name);
        }
        Ok(items
            .into_iter()
            .map(|c| {
                let (contact_name, contact_email) = contacts.get(&c.contact_id.0).cloned().unwrap_or_default();
                let snippet = snippets.get(&c.id.0).map(|t| snippet_of(t)).unwrap_or_default();
                ListedConversation {
                    contact_name,
                    contact_email,
                    snippet,
                    assignee_name: c.assignee_id.and_then(|u| users.get(&u.0).cloned()),
                    tags: tags_of.remove(&c.id.0).unwrap_or_default(),
                    conversation: c,
                }
            })
            .collect())
    }
}

impl Store {
    /// Runs `sql`, whose placeholders `$1..$n` take `ids`, and reads every row.
    pub(super) async fn fetch_by_ids<T>(&self, sql: &str, ids: &[Uuid]) -> Result<Vec<T>>
    where
        T: Send + Unpin + for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow>,
    {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = with_reader!(self, |pool| {
            let mut query = sqlx::query_as::<_, T>(sql);
            for id in ids {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await?
        });
        Ok(rows)
    }
}

/// The first words of a message on one line.
fn snippet_of(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= SNIPPET_CHARS {
        flat
    } else {
        let cut: String = flat.chars().take(SNIPPET_CHARS).collect();
        format!("{}…", cut.trim_end())
    }
}
