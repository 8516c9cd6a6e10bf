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

use super::conversations::{CONVERSATION_COLUMNS, ConversationRow};
use super::{Conversation, Store, lock_conversation, new_id, placeholders, record_event, with_reader, with_tx};
use crate::error::{Error, Result};
use crate::events::{EventData, StatusReason, Via};
use crate::mail::parse::{ParsedMail, Party};
use crate::mail::thread::{SUBJECT_WINDOW_MICROS, conversation_of, subject_key};
use crate::time::now_micros;

/// How many failed attempts for a passing reason quarantine a raw mail: with the backoff of
/// [`retry_delay_micros`], about an hour of trying.
pub const QUARANTINE_AFTER: i64 = 8;

/// Why a raw mail could not become a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The parser's verdict on these bytes (no header, too large): trying again cannot
    /// change it.
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

/// Marks a raw mail done inside the transaction `$tx`.
macro_rules! mark_inbound {
    ($tx:ident, $inbound:expr, $state:expr, $message:expr, $now:expr) => {
        sqlx::query("UPDATE inbound_mails SET state = $2, message_id = $3, updated_at = $4 WHERE id = $1")
            .bind($inbound)
            .bind($state)
            .bind($message)
            .bind($now)
            .execute(&mut *$tx)
            .await?
    };
}

/// The contact with the party's address, created if new, inside the transaction `$tx`.
macro_rules! contact_in_tx {
    ($tx:ident, $party:expr, $now:expr) => {{
        let existing: Option<Uuid> = sqlx::query_scalar("SELECT contact_id FROM contact_emails WHERE email = $1")
            .bind(&$party.email)
            .fetch_optional(&mut *$tx)
            .await?;
        match existing {
            Some(contact) => contact,
            None => {
                let contact = new_id();
                sqlx::query("INSERT INTO contacts (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
                    .bind(contact)
                    .bind(&$party.name)
                    .bind($now)
                    .execute(&mut *$tx)
                    .await?;
                sqlx::query("INSERT INTO contact_emails (email, contact_id, is_primary) VALUES ($1, $2, $3)")
                    .bind(&$party.email)
                    .bind(contact)
                    .bind(true)
                    .execute(&mut *$tx)
                    .await?;
                contact
            }
        }
    }};
}

/// A contact for mail without a usable sender, inside the transaction `$tx`.
macro_rules! unknown_contact {
    ($tx:ident, $now:expr) => {{
        let contact = new_id();
        sqlx::query("INSERT INTO contacts (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
            .bind(contact)
            .bind("Unknown sender")
            .bind($now)
            .execute(&mut *$tx)
            .await?;
        contact
    }};
}

/// Whether `$email` wrote or was written to in the conversation, inside the transaction `$tx`.
macro_rules! participant {
    ($tx:ident, $conversation:expr, $email:expr) => {{
        match $email {
            Some(email) => {
                let pattern = format!("%{email}%");
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT 1 FROM messages WHERE conversation_id = $1 AND (from_email = $2 OR to_addrs = $2 \
                     OR to_addrs LIKE $3 OR cc_addrs = $2 OR cc_addrs LIKE $3) LIMIT 1",
                )
                .bind($conversation)
                .bind(email)
                .bind(&pattern)
                .fetch_optional(&mut *$tx)
                .await?;
                found.is_some()
            }
            None => false,
        }
    }};
}

/// Stores one parsed mail of `$mailbox` inside the transaction `$tx` and marks its raw row
/// done: recognises a mail already stored, threads it, finds or creates the contact, starts
/// or continues the conversation, reopens it when the customer writes again, and attaches a
/// bounce to the reply that bounced. Evaluates to `Result<IngestOutcome>`; a database error
/// returns from the caller, rolling the transaction back.
macro_rules! ingest_in_tx {
    ($tx:ident, $mailbox:expr, $inbound:expr, $mail:expr) => {{
        let mailbox: MailboxId = $mailbox;
        let inbound: Option<Uuid> = $inbound;
        let mail: &IncomingMail<'_> = $mail;
        let parsed = mail.parsed;
        let now = now_micros();
        // The mail's own date orders the history (a backfill of two months keeps its order),
        // but never a date in the future.
        let at = parsed.date.filter(|d| *d > 0 && *d <= now).unwrap_or(now);
        let id = new_id();
                let address: String = sqlx::query_scalar("SELECT address FROM mailboxes WHERE id = $1")
                    .bind(mailbox.0)
                    .fetch_optional(&mut *$tx)
                    .await?
                    .ok_or(Error::NotFound)?;
                let address = address.trim().to_lowercase();
                let from_us = parsed.from.as_ref().is_some_and(|p| p.email == address);

                // 1. Already stored?
                let duplicate: Option<Uuid> = if let Some(message_id) = &parsed.message_id {
                    let same: Vec<(Uuid, Option<String>, String)> = sqlx::query_as(
                        "SELECT id, content_sha256, direction FROM messages WHERE mailbox_id = $1 AND message_id_header = $2",
                    )
                    .bind(mailbox.0)
                    .bind(message_id)
                    .fetch_all(&mut *$tx)
                    .await?;
                    same.iter()
                        .find(|(_, hash, direction)| {
                            hash.as_deref() == Some(parsed.content_sha256.as_str())
                                // Our own reply, found again in the Sent folder.
                                || (hash.is_none() && direction == "outbound" && from_us)
                        })
                        .map(|(id, _, _)| *id)
                } else {
                    sqlx::query_scalar(
                        "SELECT id FROM messages WHERE mailbox_id = $1 AND content_sha256 = $2 \
                         AND message_id_header IS NULL LIMIT 1",
                    )
                    .bind(mailbox.0)
                    .bind(&parsed.content_sha256)
                    .fetch_optional(&mut *$tx)
                    .await?
                };
                if let Some(existing) = duplicate {
                    if let Some(inbound) = inbound {
                        mark_inbound!($tx, inbound, "duplicate", existing, now);
                    }
                    Ok::<IngestOutcome, Error>(IngestOutcome::Duplicate { message: MessageId(existing) })
                } else {
                    // 2. Who is the customer, and which way did the mail go?
                    let direction = if from_us { Direction::Outbound } else { Direction::Inbound };
                    let customer: Option<Party> = if from_us {
                        parsed.to.iter().chain(parsed.cc.iter()).find(|p| p.email != address).cloned()
                    } else {
                        parsed.from.clone()
                    };

                    // 3. A bounce belongs to the reply that bounced.
                    let mut bounced: Option<(Uuid, Uuid)> = None;
                    if let Some(bounce) = &parsed.bounce {
                        bounced = sqlx::query_as(
                            "SELECT id, conversation_id FROM messages WHERE mailbox_id = $1 AND message_id_header = $2 \
                             ORDER BY created_at DESC LIMIT 1",
                        )
                        .bind(mailbox.0)
                        .bind(&bounce.original_message_id)
                        .fetch_optional(&mut *$tx)
                        .await?;
                        if let Some((message, _)) = bounced {
                            sqlx::query(
                                "UPDATE outbox SET status = 'failed', last_error = $2, updated_at = $3 \
                                 WHERE message_id = $1",
                            )
                            .bind(message)
                            .bind(format!("bounced: {}", bounce.reason))
                            .bind(now)
                            .execute(&mut *$tx)
                            .await?;
                        }
                    }

                    // 4. The contact.
                    let contact: Option<Uuid> = match (&customer, bounced) {
                        (_, Some(_)) => None,
                        (Some(party), None) => Some(contact_in_tx!($tx, party, now)),
                        (None, None) => None,
                    };

                    // 5. Threading: our token, then known Message-IDs, then subject + customer.
                    let mut thread: Option<Conversation> = None;
                    if let Some((_, conversation)) = bounced {
                        thread = Some(lock_conversation!($tx, conversation));
                    }
                    let referenced: Vec<&String> =
                        parsed.in_reply_to.iter().chain(parsed.references.iter().rev()).collect();
                    if thread.is_none() {
                        for token in referenced.iter().filter_map(|id| conversation_of(id)) {
                            let sql = format!(
                                "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = $1 AND mailbox_id = $2"
                            );
                            let row: Option<ConversationRow> =
                                sqlx::query_as(&sql).bind(token.0).bind(mailbox.0).fetch_optional(&mut *$tx).await?;
                            if let Some(row) = row {
                                thread = Some(Conversation::try_from(row)?);
                                break;
                            }
                        }
                    }
                    if thread.is_none() && !referenced.is_empty() {
                        let sql = format!(
                            "SELECT {} FROM conversations WHERE id IN (SELECT conversation_id FROM messages \
                             WHERE mailbox_id = $1 AND message_id_header IN ({})) ORDER BY last_activity_at DESC",
                            CONVERSATION_COLUMNS,
                            placeholders(2, referenced.len())
                        );
                        let mut query = sqlx::query_as::<_, ConversationRow>(&sql).bind(mailbox.0);
                        for id in &referenced {
                            query = query.bind(id.as_str());
                        }
                        for row in query.fetch_all(&mut *$tx).await? {
                            let candidate = Conversation::try_from(row)?;
                            // Never join two customers: the sender must be the conversation's
                            // customer, or one of its participants, or us.
                            let joins = from_us
                                || Some(candidate.contact_id.0) == contact
                                || participant!($tx, candidate.id.0, parsed.from.as_ref().map(|p| p.email.as_str()));
                            if joins {
                                thread = Some(candidate);
                                break;
                            }
                        }
                    }
                    if thread.is_none()
                        && let Some(contact) = contact
                    {
                        let key = subject_key(&parsed.subject);
                        if !key.is_empty() {
                            let sql = format!(
                                "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE mailbox_id = $1 AND contact_id = $2 \
                                 AND last_activity_at >= $3 AND status NOT IN ('spam', 'trash') \
                                 ORDER BY last_activity_at DESC LIMIT 20"
                            );
                            let rows: Vec<ConversationRow> = sqlx::query_as(&sql)
                                .bind(mailbox.0)
                                .bind(contact)
                                .bind(at - SUBJECT_WINDOW_MICROS)
                                .fetch_all(&mut *$tx)
                                .await?;
                            for row in rows {
                                let candidate = Conversation::try_from(row)?;
                                if subject_key(&candidate.subject) == key {
                                    thread = Some(candidate);
                                    break;
                                }
                            }
                        }
                    }

                    // 6. A new conversation when nothing matched.
                    let new_conversation = thread.is_none();
                    let conversation = match thread {
                        Some(found) => found,
                        None => {
                            let contact = match contact {
                                Some(contact) => contact,
                                None => unknown_contact!($tx, now),
                            };
                            let conversation = new_id();
                            let subject = if parsed.subject.is_empty() { "(no subject)" } else { parsed.subject.as_str() };
                            let status = if from_us { Status::Waiting } else { Status::Open };
                            sqlx::query(
                                "INSERT INTO conversations (id, mailbox_id, contact_id, subject, status, priority, seq, \
                                 last_activity_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'normal', 0, $6, $6, $7)",
                            )
                            .bind(conversation)
                            .bind(mailbox.0)
                            .bind(contact)
                            .bind(subject)
                            .bind(status.as_str())
                            .bind(at)
                            .bind(now)
                            .execute(&mut *$tx)
                            .await?;
                            record_event!(
                                $tx,
                                conversation,
                                mailbox.0,
                                None::<Uuid>,
                                EventData::Created { subject: subject.to_string(), via: Some(Via::Email) },
                                at
                            );
                            Conversation {
                                id: ConversationId(conversation),
                                mailbox_id: mailbox,
                                contact_id: ContactId(contact),
                                subject: subject.to_string(),
                                status,
                                priority: model::Priority::Normal,
                                assignee_id: None,
                                snoozed_until: None,
                                seq: 0,
                                rev: 1,
                                last_activity_at: at,
                                created_at: at,
                            }
                        }
                    };

                    // 7. The message, its attachments and its event.
                    sqlx::query(
                        "UPDATE conversations SET seq = seq + 1, \
                         last_activity_at = CASE WHEN last_activity_at > $2 THEN last_activity_at ELSE $2 END, \
                         updated_at = $3 WHERE id = $1",
                    )
                    .bind(conversation.id.0)
                    .bind(at)
                    .bind(now)
                    .execute(&mut *$tx)
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
                    .bind(conversation.id.0)
                    .bind(mailbox.0)
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
                    .execute(&mut *$tx)
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
                        .execute(&mut *$tx)
                        .await?;
                    }
                    record_event!(
                        $tx,
                        conversation.id.0,
                        mailbox.0,
                        None::<Uuid>,
                        EventData::Message { message_id: MessageId(id), direction, via: Some(Via::Email) },
                        at
                    );
                    if let (Some((message, _)), Some(bounce)) = (bounced, &parsed.bounce) {
                        record_event!(
                            $tx,
                            conversation.id.0,
                            mailbox.0,
                            None::<Uuid>,
                            EventData::Bounced { message_id: MessageId(message), reason: bounce.reason.clone() },
                            now
                        );
                    }

                    // 8. The customer wrote again: the conversation needs someone again.
                    let wakes = direction == Direction::Inbound && !parsed.automatic && !new_conversation;
                    if wakes && matches!(conversation.status, Status::Closed | Status::Waiting) {
                        sqlx::query("UPDATE conversations SET status = 'open', snoozed_until = NULL WHERE id = $1")
                            .bind(conversation.id.0)
                            .execute(&mut *$tx)
                            .await?;
                        record_event!(
                            $tx,
                            conversation.id.0,
                            mailbox.0,
                            None::<Uuid>,
                            EventData::Status {
                                from: conversation.status,
                                to: Status::Open,
                                reason: Some(StatusReason::CustomerReplied),
                            },
                            now
                        );
                    } else if wakes && conversation.snoozed_until.is_some() {
                        sqlx::query("UPDATE conversations SET snoozed_until = NULL WHERE id = $1")
                            .bind(conversation.id.0)
                            .execute(&mut *$tx)
                            .await?;
                        record_event!($tx, conversation.id.0, mailbox.0, None::<Uuid>, EventData::Unsnoozed {}, now);
                    }

                    if let Some(inbound) = inbound {
                        mark_inbound!($tx, inbound, "stored", id, now);
                    }
                    Ok(IngestOutcome::Stored { conversation: conversation.id, message: MessageId(id), new_conversation })
                }
    }};
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
        with_tx!(self, |tx| ingest_in_tx!(tx, mailbox, inbound, &mail))
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
                outcomes.push(ingest_in_tx!(tx, mailbox, *inbound, mail)?);
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
