//! Mail coming in: where each IMAP folder's sync got to, the raw mails waiting to be parsed,
//! and storing one parsed mail as a message (dedupe, threading, contact, reopening) in one
//! transaction.
//!
//! The order is what makes "exactly once" hold: a folder's last UID moves in the same
//! transaction that records the raw mails fetched up to it ([`Store::record_fetched`]), and a
//! raw mail turns into a message in the same transaction that marks it done
//! ([`Store::ingest_mail`]). A crash between the two leaves the mail pending, to be parsed on
//! the next pass.

use model::{ContactId, ConversationId, Direction, MailboxId, MessageId, Status};
use uuid::Uuid;

use super::conversations::{CONVERSATION_COLUMNS, ConversationRow, ConversationRows};
use super::ingest::{self as rules, Joined, StoredCopy, Threading, Wake};
use super::{
    ArgumentsOf, Conversation, EngineOf, RowOf, Store, new_id, parse_stored, placeholders, with_reader, with_tx,
};
use crate::error::{Error, Result};
use crate::events::{EventData, StatusReason, Via};
use crate::mail::parse::{ParsedMail, Party};
use crate::mail::thread::SUBJECT_WINDOW_MICROS;
use crate::time::now_micros;

/// How many failed attempts for a passing reason quarantine a raw mail: with the backoff of
/// [`retry_delay_micros`], about an hour of trying.
pub const QUARANTINE_AFTER: i64 = 8;

/// Why a raw mail could not become a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The parser's verdict on these bytes (no header, not a mail), or the store's refusal
    /// of what they hold: trying again cannot change it.
    Refused,
    /// Something that may pass (the blob could not be read, the database failed).
    Passing,
}

/// What happens to a raw mail after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Set aside with its reason, shown in the mailbox's sync health until an admin retries.
    Quarantine,
    /// Tried again at this time (UTC microseconds).
    RetryAt(i64),
}

/// The wait before the next try of a mail that failed `attempts` times for a passing reason:
/// 30 s, 1, 2, 4 … minutes, at most an hour.
pub fn retry_delay_micros(attempts: i64) -> i64 {
    crate::mail::send::backoff_micros(attempts.saturating_sub(1))
}

/// The rule for a failed raw mail that had failed `attempts_before` times already.
pub fn after_failure(failure: Failure, attempts_before: i64, now: i64) -> AfterFailure {
    let attempts = attempts_before + 1;
    match failure {
        Failure::Refused => AfterFailure::Quarantine,
        Failure::Passing if attempts >= QUARANTINE_AFTER => AfterFailure::Quarantine,
        Failure::Passing => AfterFailure::RetryAt(now + retry_delay_micros(attempts)),
    }
}

/// Where a folder's sync got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderState {
    pub uidvalidity: i64,
    pub last_uid: i64,
}

/// One mail fetched from a folder and stored raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub uid: i64,
    pub sha256: String,
    pub size: i64,
}

/// A raw mail waiting to be parsed, or one that failed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InboundMail {
    pub id: Uuid,
    pub sha256: String,
    pub size: i64,
    pub folder: String,
    pub uid: i64,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// A folder's sync, for the sync health page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FolderHealth {
    pub folder: String,
    pub uidvalidity: i64,
    pub last_uid: i64,
    pub exists_count: i64,
    pub pending_count: i64,
    pub last_sync_at: Option<i64>,
    pub last_error: Option<String>,
}

/// An attachment whose bytes are already stored as a blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub content_id: Option<String>,
    pub inline: bool,
}

/// A parsed mail ready to be stored.
#[derive(Debug, Clone)]
pub struct IncomingMail<'a> {
    pub raw_sha256: &'a str,
    pub parsed: &'a ParsedMail,
    /// The HTML body, sanitized.
    pub body_html: Option<String>,
    pub attachments: Vec<StoredAttachment>,
}

/// What storing a mail did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOutcome {
    /// A new message, in a new conversation or an existing one.
    Stored { conversation: ConversationId, message: MessageId, new_conversation: bool },
    /// The mail was already stored (a resync, a second folder, our own sent copy).
    Duplicate { message: MessageId },
}

/// The SQL of storing one mail, on either engine's connection, one step per method (see
/// `ConversationRows` for the shape). [`ingest_in_tx`] runs the steps; the rules of
/// [`super::ingest`] decide between them.
pub(super) trait InboundRows {
    /// The mailbox's own address, lower-cased.
    async fn mailbox_address(&mut self, mailbox: MailboxId) -> Result<String>;
    /// The mailbox's messages with this Message-ID.
    async fn copies_by_message_id(&mut self, mailbox: MailboxId, message_id: &str) -> Result<Vec<StoredCopy>>;
    /// A message of the mailbox without a Message-ID and with this content hash.
    async fn copies_by_content(&mut self, mailbox: MailboxId, content_sha256: &str) -> Result<Vec<StoredCopy>>;
    /// The newest message of the mailbox with this Message-ID and its conversation: the reply
    /// a bounce is about.
    async fn bounced_reply(&mut self, mailbox: MailboxId, message_id: &str) -> Result<Option<(Uuid, Uuid)>>;
    /// Marks the reply's delivery failed, with the bounce's reason.
    async fn fail_bounced(&mut self, message: Uuid, reason: &str, now: i64) -> Result<()>;
    /// The contact with the party's address, created if new.
    async fn contact_of(&mut self, party: &Party, now: i64) -> Result<Uuid>;
    /// A contact for mail without a usable sender.
    async fn unknown_contact(&mut self, now: i64) -> Result<Uuid>;
    /// The mailbox's conversations among `ids`.
    async fn conversations_named(&mut self, mailbox: MailboxId, ids: &[ConversationId]) -> Result<Vec<Conversation>>;
    /// The conversations of the mailbox holding a message with one of these Message-IDs,
    /// newest activity first.
    async fn conversations_holding(&mut self, mailbox: MailboxId, message_ids: &[&str]) -> Result<Vec<Conversation>>;
    /// Whether `email` wrote or was written to in the conversation.
    async fn took_part(&mut self, conversation: ConversationId, email: Option<&str>) -> Result<bool>;
    /// The contact's conversations in the mailbox active since `since` and not spam or
    /// trash, newest first, at most 20.
    async fn recent_conversations_of(
        &mut self,
        mailbox: MailboxId,
        contact: Uuid,
        since: i64,
    ) -> Result<Vec<Conversation>>;
    /// Starts a conversation with no messages yet.
    async fn start_conversation(&mut self, new: StartedConversation<'_>) -> Result<Conversation>;
    /// Adds the mail to the conversation as message `id`, with its attachments, and bumps the
    /// conversation's `seq` and last activity.
    async fn insert_mail(
        &mut self,
        id: Uuid,
        into: &Conversation,
        direction: Direction,
        mail: &IncomingMail<'_>,
        at: i64,
        now: i64,
    ) -> Result<()>;
    /// Opens the conversation again, awake.
    async fn reopen(&mut self, conversation: ConversationId) -> Result<()>;
    /// Wakes the conversation from its snooze.
    async fn unsnooze(&mut self, conversation: ConversationId) -> Result<()>;
    /// Marks a raw mail done: stored as, or a duplicate of, `message`.
    async fn mark_inbound(&mut self, inbound: Uuid, state: &str, message: Uuid, now: i64) -> Result<()>;
}

/// What [`InboundRows::start_conversation`] needs.
pub(super) struct StartedConversation<'a> {
    pub mailbox: MailboxId,
    pub contact: Uuid,
    pub subject: &'a str,
    pub status: Status,
    /// When it starts in the history ([`rules::history_time`]).
    pub at: i64,
    pub now: i64,
}

impl<C> InboundRows for C
where
    C: sqlx::Connection,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = EngineOf<C>>,
    for<'q> ArgumentsOf<'q, C>: sqlx::IntoArguments<'q, EngineOf<C>>,
    for<'q> Uuid: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> i64: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> bool: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> &'q str: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> String: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> Option<String>: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'r> (Uuid,): sqlx::FromRow<'r, RowOf<C>>,
    for<'r> (String,): sqlx::FromRow<'r, RowOf<C>>,
    for<'r> (i64,): sqlx::FromRow<'r, RowOf<C>>,
    for<'r> (Uuid, Uuid): sqlx::FromRow<'r, RowOf<C>>,
    for<'r> (Uuid, Option<String>, String): sqlx::FromRow<'r, RowOf<C>>,
    for<'r> ConversationRow: sqlx::FromRow<'r, RowOf<C>>,
{
    async fn mailbox_address(&mut self, mailbox: MailboxId) -> Result<String> {
        let address: String = sqlx::query_scalar("SELECT address FROM mailboxes WHERE id = $1")
            .bind(mailbox.0)
            .fetch_optional(&mut *self)
            .await?
            .ok_or(Error::NotFound)?;
        Ok(address.trim().to_lowercase())
    }

    async fn copies_by_message_id(&mut self, mailbox: MailboxId, message_id: &str) -> Result<Vec<StoredCopy>> {
        let rows: Vec<(Uuid, Option<String>, String)> = sqlx::query_as(
            "SELECT id, content_sha256, direction FROM messages WHERE mailbox_id = $1 AND message_id_header = $2",
        )
        .bind(mailbox.0)
        .bind(message_id)
        .fetch_all(&mut *self)
        .await?;
        rows.into_iter().map(stored_copy).collect()
    }

    async fn copies_by_content(&mut self, mailbox: MailboxId, content_sha256: &str) -> Result<Vec<StoredCopy>> {
        let rows: Vec<(Uuid, Option<String>, String)> = sqlx::query_as(
            "SELECT id, content_sha256, direction FROM messages WHERE mailbox_id = $1 AND content_sha256 = $2 \
             AND message_id_header IS NULL LIMIT 1",
        )
        .bind(mailbox.0)
        .bind(content_sha256)
        .fetch_all(&mut *self)
        .await?;
        rows.into_iter().map(stored_copy).collect()
    }

    async fn bounced_reply(&mut self, mailbox: MailboxId, message_id: &str) -> Result<Option<(Uuid, Uuid)>> {
        Ok(sqlx::query_as(
            "SELECT id, conversation_id FROM messages WHERE mailbox_id = $1 AND message_id_header = $2 \
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(mailbox.0)
        .bind(message_id)
        .fetch_optional(&mut *self)
        .await?)
    }

    async fn fail_bounced(&mut self, message: Uuid, reason: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE outbox SET status = 'failed', last_error = $2, updated_at = $3 WHERE message_id = $1")
            .bind(message)
            .bind(model::MailFault::Bounced { detail: reason.to_string() }.stored())
            .bind(now)
            .execute(&mut *self)
            .await?;
        Ok(())
    }

    async fn contact_of(&mut self, party: &Party, now: i64) -> Result<Uuid> {
        let existing: Option<Uuid> = sqlx::query_scalar("SELECT contact_id FROM contact_emails WHERE email = $1")
            .bind(&party.email)
            .fetch_optional(&mut *self)
            .await?;
        if let Some(contact) = existing {
            return Ok(contact);
        }
        let contact = new_id();
        sqlx::query("INSERT INTO contacts (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
            .bind(contact)
            .bind(&party.name)
            .bind(now)
            .execute(&mut *self)
            .await?;
        sqlx::query("INSERT INTO contact_emails (email, contact_id, is_primary) VALUES ($1, $2, $3)")
            .bind(&party.email)
            .bind(contact)
            .bind(true)
            .execute(&mut *self)
            .await?;
        Ok(contact)
    }

    async fn unknown_contact(&mut self, now: i64) -> Result<Uuid> {
        let contact = new_id();
        sqlx::query("INSERT INTO contacts (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
            .bind(contact)
            .bind("Unknown sender")
            .bind(now)
            .execute(&mut *self)
            .await?;
        Ok(contact)
    }

    async fn conversations_named(&mut self, mailbox: MailboxId, ids: &[ConversationId]) -> Result<Vec<Conversation>> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE mailbox_id = $1 AND id IN ({})",
            placeholders(2, ids.len())
        );
        let mut query = sqlx::query_as::<_, ConversationRow>(&sql).bind(mailbox.0);
        for id in ids {
            query = query.bind(id.0);
        }
        query.fetch_all(&mut *self).await?.into_iter().map(Conversation::try_from).collect()
    }

    async fn conversations_holding(&mut self, mailbox: MailboxId, message_ids: &[&str]) -> Result<Vec<Conversation>> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id IN (SELECT conversation_id FROM messages \
             WHERE mailbox_id = $1 AND message_id_header IN ({})) ORDER BY last_activity_at DESC",
            placeholders(2, message_ids.len())
        );
        let mut query = sqlx::query_as::<_, ConversationRow>(&sql).bind(mailbox.0);
        for id in message_ids {
            query = query.bind(*id);
        }
        query.fetch_all(&mut *self).await?.into_iter().map(Conversation::try_from).collect()
    }

    async fn took_part(&mut self, conversation: ConversationId, email: Option<&str>) -> Result<bool> {
        let Some(email) = email else {
            return Ok(false);
        };
        let pattern = format!("%{email}%");
        // A bare `1` is an INT4 on PostgreSQL, which does not decode as i64.
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM messages WHERE conversation_id = $1 AND (from_email = $2 OR to_addrs = $2 \
             OR to_addrs LIKE $3 OR cc_addrs = $2 OR cc_addrs LIKE $3) LIMIT 1",
        )
        .bind(conversation.0)
        .bind(email)
        .bind(&pattern)
        .fetch_optional(&mut *self)
        .await?;
        Ok(found.is_some())
    }

    async fn recent_conversations_of(
        &mut self,
        mailbox: MailboxId,
        contact: Uuid,
        since: i64,
    ) -> Result<Vec<Conversation>> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE mailbox_id = $1 AND contact_id = $2 \
             AND last_activity_at >= $3 AND status NOT IN ('spam', 'trash') \
             ORDER BY last_activity_at DESC LIMIT 20"
        );
        let rows: Vec<ConversationRow> =
            sqlx::query_as(&sql).bind(mailbox.0).bind(contact).bind(since).fetch_all(&mut *self).await?;
        rows.into_iter().map(Conversation::try_from).collect()
    }

    async fn start_conversation(&mut self, new: StartedConversation<'_>) -> Result<Conversation> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO conversations (id, mailbox_id, contact_id, subject, status, priority, seq, \
             last_activity_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'normal', 0, $6, $6, $7)",
        )
        .bind(id)
        .bind(new.mailbox.0)
        .bind(new.contact)
        .bind(new.subject)
        .bind(new.status.as_str())
        .bind(new.at)
        .bind(new.now)
        .execute(&mut *self)
        .await?;
        Ok(Conversation {
            id: ConversationId(id),
            mailbox_id: new.mailbox,
            contact_id: ContactId(new.contact),
            subject: new.subject.to_string(),
            status: new.status,
            priority: model::Priority::Normal,
            assignee_id: None,
            snoozed_until: None,
            seq: 0,
            rev: 0,
            last_activity_at: new.at,
            created_at: new.at,
        })
    }

    async fn insert_mail(
        &mut self,
        id: Uuid,
        into: &Conversation,
        direction: Direction,
        mail: &IncomingMail<'_>,
        at: i64,
        now: i64,
    ) -> Result<()> {
        let parsed = mail.parsed;
        sqlx::query(
            "UPDATE conversations SET seq = seq + 1, \
             last_activity_at = CASE WHEN last_activity_at > $2 THEN last_activity_at ELSE $2 END, \
             updated_at = $3 WHERE id = $1",
        )
        .bind(into.id.0)
        .bind(at)
        .bind(now)
        .execute(&mut *self)
        .await?;
        let join = |parties: &[Party]| parties.iter().map(Party::display).collect::<Vec<_>>().join(", ");
        let from = parsed.from.clone().unwrap_or_default();
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, mailbox_id, direction, from_name, from_email, to_addrs, \
             cc_addrs, subject, body_text, body_html, message_id_header, in_reply_to, references_header, \
             raw_sha256, content_sha256, automatic, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(id)
        .bind(into.id.0)
        .bind(into.mailbox_id.0)
        .bind(direction.as_str())
        .bind(&from.name)
        .bind(&from.email)
        .bind(join(&parsed.to))
        .bind(join(&parsed.cc))
        .bind(&parsed.subject)
        .bind(&parsed.text)
        .bind(mail.body_html.as_deref())
        .bind(parsed.message_id.as_deref())
        .bind(parsed.in_reply_to.first().map(String::as_str))
        .bind(if parsed.references.is_empty() { None } else { Some(parsed.references.join(" ")) })
        .bind(mail.raw_sha256)
        .bind(&parsed.content_sha256)
        .bind(parsed.automatic)
        .bind(at)
        .execute(&mut *self)
        .await?;
        for attachment in &mail.attachments {
            sqlx::query(
                "INSERT INTO attachments (id, message_id, filename, content_type, size, sha256, content_id, \
                 is_inline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(new_id())
            .bind(id)
            .bind(&attachment.filename)
            .bind(&attachment.content_type)
            .bind(attachment.size)
            .bind(&attachment.sha256)
            .bind(attachment.content_id.as_deref())
            .bind(attachment.inline)
            .execute(&mut *self)
            .await?;
        }
        Ok(())
    }

    async fn reopen(&mut self, conversation: ConversationId) -> Result<()> {
        sqlx::query("UPDATE conversations SET status = 'open', snoozed_until = NULL WHERE id = $1")
            .bind(conversation.0)
            .execute(&mut *self)
            .await?;
        Ok(())
    }

    async fn unsnooze(&mut self, conversation: ConversationId) -> Result<()> {
        sqlx::query("UPDATE conversations SET snoozed_until = NULL WHERE id = $1")
            .bind(conversation.0)
            .execute(&mut *self)
            .await?;
        Ok(())
    }

    async fn mark_inbound(&mut self, inbound: Uuid, state: &str, message: Uuid, now: i64) -> Result<()> {
        sqlx::query("UPDATE inbound_mails SET state = $2, message_id = $3, updated_at = $4 WHERE id = $1")
            .bind(inbound)
            .bind(state)
            .bind(message)
            .bind(now)
            .execute(&mut *self)
            .await?;
        Ok(())
    }
}

fn stored_copy((id, content_sha256, direction): (Uuid, Option<String>, String)) -> Result<StoredCopy> {
    Ok(StoredCopy { id, content_sha256, direction: parse_stored("direction", &direction)? })
}

/// Stores one parsed mail of `mailbox` inside the transaction `tx` and marks its raw row
/// done: recognises a mail already stored, finds or creates the contact, threads the mail,
/// starts or continues the conversation, wakes it when the customer writes again, and
/// attaches a bounce to the reply that bounced. A database error leaves the transaction to
/// be rolled back by the caller.
async fn ingest_in_tx<C>(
    tx: &mut C,
    mailbox: MailboxId,
    inbound: Option<Uuid>,
    mail: &IncomingMail<'_>,
) -> Result<IngestOutcome>
where
    C: InboundRows + ConversationRows,
{
    let parsed = mail.parsed;
    let now = now_micros();
    let at = rules::history_time(parsed, now);
    let id = new_id();
    let address = tx.mailbox_address(mailbox).await?;
    let from_us = rules::is_from_us(parsed, &address);

    // 1. Already stored?
    let copies = match &parsed.message_id {
        Some(message_id) => tx.copies_by_message_id(mailbox, message_id).await?,
        None => tx.copies_by_content(mailbox, &parsed.content_sha256).await?,
    };
    if let Some(existing) = rules::duplicate_of(parsed, from_us, &copies) {
        if let Some(inbound) = inbound {
            tx.mark_inbound(inbound, "duplicate", existing, now).await?;
        }
        return Ok(IngestOutcome::Duplicate { message: MessageId(existing) });
    }

    // 2. A bounce belongs to the reply that bounced, which failed.
    let bounced = match &parsed.bounce {
        Some(bounce) => {
            let reply = tx.bounced_reply(mailbox, &bounce.original_message_id).await?;
            if let Some((message, _)) = reply {
                tx.fail_bounced(message, &bounce.reason, now).await?;
            }
            reply
        }
        None => None,
    };

    // 3. Who is the customer, and which way did the mail go?
    let direction = rules::direction(from_us);
    let contact = match rules::customer(parsed, &address, from_us, bounced.is_some()) {
        Some(party) => Some(tx.contact_of(party, now).await?),
        None => None,
    };

    // 4. Threading, one stage at a time: the bounced reply, our token, known Message-IDs,
    // then subject + customer.
    let facts = Threading { mail: parsed, from_us, contact: contact.map(ContactId), at };
    let mut joined = match bounced {
        Some((_, conversation)) => rules::by_bounce(Some(tx.lock_conversation(conversation).await?)),
        None => None,
    };
    let tokens = facts.reply_tokens();
    if joined.is_none() && !tokens.is_empty() {
        joined = rules::by_token(&tokens, tx.conversations_named(mailbox, &tokens).await?);
    }
    let referenced = facts.referenced();
    if joined.is_none() && !referenced.is_empty() {
        let candidates = tx.conversations_holding(mailbox, &referenced).await?;
        let sender = parsed.from.as_ref().map(|p| p.email.as_str());
        let mut took_part = Vec::new();
        for conversation in rules::ask_who_took_part(&facts, &candidates) {
            if tx.took_part(conversation, sender).await? {
                took_part.push(conversation);
                break;
            }
        }
        joined = rules::by_reference(&facts, candidates, &took_part);
    }
    if joined.is_none()
        && let Some(contact) = contact
        && facts.may_match_subject()
    {
        let since = at - SUBJECT_WINDOW_MICROS;
        joined = rules::by_subject(&facts, tx.recent_conversations_of(mailbox, contact, since).await?);
    }

    // 5. A new conversation when nothing matched.
    let new_conversation = joined.is_none();
    let conversation = match joined {
        Some(Joined { conversation, why }) => {
            tracing::debug!(conversation = %conversation.id, ?why, "the mail joins a conversation");
            conversation
        }
        None => {
            let contact = match contact {
                Some(contact) => contact,
                None => tx.unknown_contact(now).await?,
            };
            let subject = rules::new_subject(parsed);
            let status = rules::new_status(direction);
            let started = StartedConversation { mailbox, contact, subject, status, at, now };
            let conversation = tx.start_conversation(started).await?;
            let created = EventData::Created { subject: subject.to_string(), via: Some(Via::Email) };
            tx.record_event(conversation.id.0, mailbox.0, None, created, at).await?;
            Conversation { rev: 1, ..conversation }
        }
    };

    // 6. The message, its attachments and its events.
    tx.insert_mail(id, &conversation, direction, mail, at, now).await?;
    let message = EventData::Message { message_id: MessageId(id), direction, via: Some(Via::Email) };
    tx.record_event(conversation.id.0, mailbox.0, None, message, at).await?;
    if let (Some((message, _)), Some(bounce)) = (bounced, &parsed.bounce) {
        let bounced = EventData::Bounced { message_id: MessageId(message), reason: bounce.reason.clone() };
        tx.record_event(conversation.id.0, mailbox.0, None, bounced, now).await?;
    }

    // 7. The customer wrote again: the conversation needs someone again.
    match rules::wake(direction, parsed.automatic, new_conversation, &conversation) {
        Wake::Reopens { from } => {
            tx.reopen(conversation.id).await?;
            let reopened = EventData::Status { from, to: Status::Open, reason: Some(StatusReason::CustomerReplied) };
            tx.record_event(conversation.id.0, mailbox.0, None, reopened, now).await?;
        }
        Wake::Unsnoozes => {
            tx.unsnooze(conversation.id).await?;
            tx.record_event(conversation.id.0, mailbox.0, None, EventData::Unsnoozed {}, now).await?;
        }
        Wake::Stays => {}
    }

    if let Some(inbound) = inbound {
        tx.mark_inbound(inbound, "stored", id, now).await?;
    }
    Ok(IngestOutcome::Stored { conversation: conversation.id, message: MessageId(id), new_conversation })
}

impl Store {
    /// Where the folder's sync got to, if it ever ran.
    pub async fn folder_state(&self, mailbox: MailboxId, folder: &str) -> Result<Option<FolderState>> {
        let row: Option<(i64, i64)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT uidvalidity, last_uid FROM imap_folders WHERE mailbox_id = $1 AND folder = $2")
                .bind(mailbox.0)
                .bind(folder)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(uidvalidity, last_uid)| FolderState { uidvalidity, last_uid }))
    }

    /// Starts (or restarts, after a UIDVALIDITY change) a folder's sync from its first mail.
    pub async fn reset_folder(&self, mailbox: MailboxId, folder: &str, uidvalidity: i64) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO imap_folders (mailbox_id, folder, uidvalidity, last_uid) VALUES ($1, $2, $3, 0) \
                 ON CONFLICT (mailbox_id, folder) DO UPDATE SET uidvalidity = $3, last_uid = 0",
            )
            .bind(mailbox.0)
            .bind(folder)
            .bind(uidvalidity)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Records mails fetched and stored raw, and moves the folder's last UID to `last_uid`, in
    /// one transaction. Bytes already known in this mailbox add no row. With `fence`, the
    /// mailbox's sync lease must still carry that token, or nothing is recorded.
    pub async fn record_fetched(
        &self,
        mailbox: MailboxId,
        folder: &str,
        uidvalidity: i64,
        fetched: &[Fetched],
        last_uid: i64,
        fence: Option<i64>,
    ) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            if let Some(token) = fence {
                // An update, not a read: on PostgreSQL it locks the lease row against a
                // takeover until this transaction ends.
                let held = sqlx::query("UPDATE sync_leases SET token = token WHERE mailbox_id = $1 AND token = $2")
                    .bind(mailbox.0)
                    .bind(token)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if held != 1 {
                    return Err(Error::Conflict(
                        "another node took over this mailbox's sync; this node stops syncing it".to_string(),
                    ));
                }
            }
            for mail in fetched {
                sqlx::query(
                    "INSERT INTO inbound_mails (id, mailbox_id, sha256, size, folder, uid, state, attempts, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7) \
                     ON CONFLICT (mailbox_id, sha256) DO NOTHING",
                )
                .bind(new_id())
                .bind(mailbox.0)
                .bind(&mail.sha256)
                .bind(mail.size)
                .bind(folder)
                .bind(mail.uid)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let moved = sqlx::query(
                "UPDATE imap_folders SET last_uid = $4, last_sync_at = $5, last_error = NULL \
                 WHERE mailbox_id = $1 AND folder = $2 AND uidvalidity = $3 AND last_uid <= $4",
            )
            .bind(mailbox.0)
            .bind(folder)
            .bind(uidvalidity)
            .bind(last_uid)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved != 1 {
                return Err(Error::Conflict(format!("the sync state of folder {folder} changed underneath")));
            }
        });
        Ok(())
    }

    /// Records what a look at the folder found: its size, what is left to fetch, and the
    /// error, if the look failed.
    pub async fn folder_progress(
        &self,
        mailbox: MailboxId,
        folder: &str,
        exists: i64,
        pending: i64,
        error: Option<&str>,
    ) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query(
                "UPDATE imap_folders SET exists_count = $3, pending_count = $4, last_error = $5, last_sync_at = $6 \
                 WHERE mailbox_id = $1 AND folder = $2",
            )
            .bind(mailbox.0)
            .bind(folder)
            .bind(exists)
            .bind(pending)
            .bind(error)
            .bind(now_micros())
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Records a failure to reach a folder. A folder never reached gets a row with
    /// UIDVALIDITY 0 (no server gives 0), so its sync health shows why.
    pub async fn folder_error(&self, mailbox: MailboxId, folder: &str, error: &str) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO imap_folders (mailbox_id, folder, uidvalidity, last_uid, last_error, last_sync_at) \
                 VALUES ($1, $2, 0, 0, $3, $4) \
                 ON CONFLICT (mailbox_id, folder) DO UPDATE SET last_error = $3, last_sync_at = $4",
            )
            .bind(mailbox.0)
            .bind(folder)
            .bind(error)
            .bind(now_micros())
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Every synced folder of the mailbox, for its sync health.
    pub async fn folder_health(&self, mailbox: MailboxId) -> Result<Vec<FolderHealth>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT folder, uidvalidity, last_uid, exists_count, pending_count, last_sync_at, last_error \
                 FROM imap_folders WHERE mailbox_id = $1 ORDER BY folder",
            )
            .bind(mailbox.0)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Raw mails of the mailbox due to be parsed (new, or due again after a passing failure),
    /// fewest attempts first, oldest first.
    pub async fn pending_inbound(&self, mailbox: MailboxId, limit: i64) -> Result<Vec<InboundMail>> {
        let now = now_micros();
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, sha256, size, folder, uid, state, attempts, last_error, created_at FROM inbound_mails \
                 WHERE mailbox_id = $1 AND state = 'pending' AND (retry_at IS NULL OR retry_at <= $3) \
                 ORDER BY attempts, created_at, id LIMIT $2",
            )
            .bind(mailbox.0)
            .bind(limit)
            .bind(now)
            .fetch_all(pool)
            .await?
        }))
    }

    /// When the mailbox's next mail that failed for a passing reason is due again, if any.
    pub async fn next_inbound_retry(&self, mailbox: MailboxId) -> Result<Option<i64>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_scalar(
                "SELECT MIN(retry_at) FROM inbound_mails WHERE mailbox_id = $1 AND state = 'pending' \
                 AND retry_at IS NOT NULL",
            )
            .bind(mailbox.0)
            .fetch_one(pool)
            .await?
        }))
    }

    /// How many of the mailbox's raw mails failed for a passing reason and wait to be tried
    /// again.
    pub async fn retrying_inbound(&self, mailbox: MailboxId) -> Result<i64> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM inbound_mails WHERE mailbox_id = $1 AND state = 'pending' AND attempts > 0",
            )
            .bind(mailbox.0)
            .fetch_one(pool)
            .await?
        }))
    }

    /// The mailbox's quarantined mails, newest first.
    pub async fn quarantined(&self, mailbox: MailboxId) -> Result<Vec<InboundMail>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, sha256, size, folder, uid, state, attempts, last_error, created_at FROM inbound_mails \
                 WHERE mailbox_id = $1 AND state = 'quarantined' ORDER BY created_at DESC, id DESC",
            )
            .bind(mailbox.0)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Counts a failed attempt at a raw mail and applies [`after_failure`]: quarantined with
    /// its reason, or due again later. Returns whether it is now quarantined.
    pub async fn inbound_failed(&self, id: Uuid, error: &str, failure: Failure) -> Result<bool> {
        let now = now_micros();
        with_tx!(self, |tx| {
            let attempts: Option<i64> =
                sqlx::query_scalar("SELECT attempts FROM inbound_mails WHERE id = $1 AND state = 'pending'")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(attempts) = attempts else {
                return Ok(false);
            };
            let (state, retry_at) = match after_failure(failure, attempts, now) {
                AfterFailure::Quarantine => ("quarantined", None),
                AfterFailure::RetryAt(at) => ("pending", Some(at)),
            };
            let changed = sqlx::query(
                "UPDATE inbound_mails SET attempts = attempts + 1, last_error = $2, updated_at = $3, state = $4, \
                 retry_at = $5 WHERE id = $1 AND state = 'pending' AND attempts = $6",
            )
            .bind(id)
            .bind(error)
            .bind(now)
            .bind(state)
            .bind(retry_at)
            .bind(attempts)
            .execute(&mut *tx)
            .await?;
            // Zero rows: another pass stored or counted it meanwhile (PostgreSQL reads committed).
            Ok::<bool, Error>(changed.rows_affected() == 1 && retry_at.is_none())
        })
    }

    /// Puts a quarantined mail of the mailbox back in line, with fresh attempts.
    pub async fn retry_inbound(&self, mailbox: MailboxId, id: Uuid) -> Result<()> {
        let changed = with_tx!(self, |tx| {
            sqlx::query(
                "UPDATE inbound_mails SET state = 'pending', attempts = 0, retry_at = NULL, updated_at = $3 \
                 WHERE id = $1 AND mailbox_id = $2 AND state = 'quarantined'",
            )
            .bind(id)
            .bind(mailbox.0)
            .bind(now_micros())
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        if changed == 1 { Ok(()) } else { Err(Error::NotFound) }
    }

    /// Stores one parsed mail of the mailbox in a transaction of its own (see
    /// [`ingest_in_tx`]).
    pub async fn ingest_mail(
        &self,
        mailbox: MailboxId,
        inbound: Option<Uuid>,
        mail: IncomingMail<'_>,
    ) -> Result<IngestOutcome> {
        with_tx!(self, |tx| ingest_in_tx(&mut *tx, mailbox, inbound, &mail).await)
    }

    /// Stores parsed mails of the mailbox in one transaction: writing the indexes once per
    /// batch instead of once per mail is what makes a backfill fast. Any database error rolls
    /// the whole batch back; the caller then stores the mails one by one.
    pub async fn ingest_batch(
        &self,
        mailbox: MailboxId,
        mails: &[(Option<Uuid>, IncomingMail<'_>)],
    ) -> Result<Vec<IngestOutcome>> {
        with_tx!(self, |tx| {
            let mut outcomes = Vec::with_capacity(mails.len());
            for (inbound, mail) in mails {
                outcomes.push(ingest_in_tx(&mut *tx, mailbox, *inbound, mail).await?);
            }
            Ok::<Vec<IngestOutcome>, Error>(outcomes)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parsers_verdict_quarantines_at_once() {
        assert_eq!(after_failure(Failure::Refused, 0, 1_000), AfterFailure::Quarantine);
    }

    #[test]
    fn a_passing_failure_waits_longer_each_time_then_is_set_aside() {
        let now = 1_000;
        let waits: Vec<i64> = (0..QUARANTINE_AFTER - 1)
            .map(|before| match after_failure(Failure::Passing, before, now) {
                AfterFailure::RetryAt(at) => at - now,
                AfterFailure::Quarantine => panic!("quarantined after {before} failures"),
            })
            .collect();
        assert_eq!(waits[0], 30_000_000, "the first retry after 30 s");
        assert!(waits.windows(2).all(|w| w[1] >= w[0]), "{waits:?}");
        assert!(waits.iter().all(|&w| w <= 3_600_000_000), "never more than an hour");
        assert_eq!(after_failure(Failure::Passing, QUARANTINE_AFTER - 1, now), AfterFailure::Quarantine);
    }
}
