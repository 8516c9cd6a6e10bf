//! A conversation's messages: customer mail, agents' replies and internal notes.
//!
//! [`Store::append_message`] is where the send guard lives: every message, note and queued
//! reply bumps the conversation's `seq` by a conditional update, so of two replies written
//! against the same `seq` exactly one is stored. A reply that leaves by mail enters the outbox
//! in the same transaction.

use model::{AttachmentId, ComposerMode, ConversationId, Delivery, DeliveryStatus, Direction, MessageId, UserId};
use uuid::Uuid;

use super::ConversationRows;
use crate::error::{Error, Result};
use crate::events::EventData;
use crate::store::{Store, new_id, parse_stored, with_reader, with_tx};
use crate::time::now_micros;

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
                    last_error: row.outbox_error.as_deref().map(model::MailFault::from_stored),
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

impl Store {
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
}
