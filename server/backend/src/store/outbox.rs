//! The outbox as the sender sees it: claim what is due, then record sent, retrying or
//! failed. Claiming is one conditional update, so two senders never take the same row.

use model::{DeliveryStatus, MailboxId};
use uuid::Uuid;

use super::conversations::ConversationRows;
use super::{ArgumentsOf, EngineOf, Outgoing, Store, with_reader, with_tx};
use crate::error::{Error, Result};
use crate::mail_settings::MailSettings;
use crate::time::now_micros;

/// A mail claimed for sending: an agent's reply, or system mail (an invitation, a password
/// reset), which belongs to no conversation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueMail {
    pub id: Uuid,
    /// The reply's message; `None` for system mail.
    pub message_id: Option<Uuid>,
    #[sqlx(try_from = "Uuid")]
    pub mailbox_id: MailboxId,
    pub raw: Vec<u8>,
    pub envelope_from: String,
    pub envelope_to: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    pub created_at: i64,
}

/// Mail Sanduq sends on its own (an invitation, a password reset), rendered to its bytes.
#[derive(Debug, Clone)]
pub struct SystemMail {
    pub raw: Vec<u8>,
    pub envelope_from: String,
    /// The one recipient.
    pub envelope_to: String,
}

/// Queues system mail from `mailbox` on `conn` (inside the transaction of what it announces);
/// it has no message, as it belongs to no conversation. Returns the outbox row's id.
pub(super) async fn queue_system_mail<C>(conn: &mut C, mailbox: MailboxId, mail: &SystemMail, now: i64) -> Result<Uuid>
where
    C: sqlx::Connection,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = EngineOf<C>>,
    for<'q> ArgumentsOf<'q, C>: sqlx::IntoArguments<'q, EngineOf<C>>,
    for<'q> Uuid: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> i64: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> &'q str: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> &'q [u8]: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
{
    let id = super::new_id();
    sqlx::query(
        "INSERT INTO outbox (id, message_id, mailbox_id, status, raw, envelope_from, envelope_to, next_attempt_at, \
         created_at, updated_at) VALUES ($1, NULL, $2, 'queued', $3, $4, $5, $6, $6, $6)",
    )
    .bind(id)
    .bind(mailbox.0)
    .bind(mail.raw.as_slice())
    .bind(mail.envelope_from.as_str())
    .bind(mail.envelope_to.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Rows the sender may take: due and waiting, or left `sending` by a crash. Written twice
/// (inner select and outer update) so that on PostgreSQL a row another sender just took is
/// re-checked and skipped.
const DUE: &str =
    "((status IN ('queued', 'retrying') AND next_attempt_at <= $1) OR (status = 'sending' AND updated_at < $2))";

impl Store {
    /// Claims up to `limit` due replies of mailboxes that can send, marking them `sending`.
    pub async fn claim_outbox(&self, now: i64, stale_micros: i64, limit: i64) -> Result<Vec<DueMail>> {
        let sql = format!(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = $1 \
             WHERE id IN (SELECT id FROM outbox WHERE {DUE} AND mailbox_id IN (SELECT mailbox_id FROM mail_settings) \
             ORDER BY next_attempt_at LIMIT $3) AND {DUE} \
             RETURNING id, message_id, mailbox_id, COALESCE(raw, $4) AS raw, COALESCE(envelope_from, '') AS envelope_from, \
             COALESCE(envelope_to, '') AS envelope_to, attempts, created_at"
        );
        let empty: Vec<u8> = Vec::new();
        Ok(with_tx!(self, |tx| {
            sqlx::query_as(&sql).bind(now).bind(now - stale_micros).bind(limit).bind(&empty).fetch_all(&mut *tx).await?
        }))
    }

    async fn settle_outbox(
        &self,
        id: Uuid,
        status: DeliveryStatus,
        error: Option<&str>,
        next: Option<i64>,
    ) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            let settled: Option<Option<Uuid>> = sqlx::query_scalar(
                "UPDATE outbox SET status = $2, last_error = $3, next_attempt_at = COALESCE($4, next_attempt_at), \
                 updated_at = $5 WHERE id = $1 AND status = 'sending' RETURNING message_id",
            )
            .bind(id)
            .bind(status.as_str())
            .bind(error)
            .bind(next)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            match settled {
                Some(Some(message)) => tx.announce_delivery(message, status, now).await?,
                // System mail carries a working link: once it has left or failed for good, its
                // bytes are not kept (a copy of the database must not let anyone in).
                Some(None) if status != DeliveryStatus::Retrying => {
                    sqlx::query("UPDATE outbox SET raw = NULL WHERE id = $1").bind(id).execute(&mut *tx).await?;
                }
                _ => {}
            }
        });
        Ok(())
    }

    /// The server accepted the reply.
    pub async fn outbox_sent(&self, id: Uuid) -> Result<()> {
        self.settle_outbox(id, DeliveryStatus::Sent, None, None).await
    }

    /// The server refused the reply for good.
    pub async fn outbox_failed(&self, id: Uuid, reason: &str) -> Result<()> {
        self.settle_outbox(id, DeliveryStatus::Failed, Some(reason), None).await
    }

    /// The reply could not leave yet; try again at `next`.
    pub async fn outbox_retry(&self, id: Uuid, reason: &str, next: i64) -> Result<()> {
        self.settle_outbox(id, DeliveryStatus::Retrying, Some(reason), Some(next)).await
    }

    /// Puts a failed reply back in line (the agent's retry), with the same bytes. Returns
    /// `NotFound` unless the message's reply failed.
    pub async fn outbox_retry_failed(&self, message: model::MessageId) -> Result<()> {
        let now = now_micros();
        let changed = with_tx!(self, |tx| {
            let changed = sqlx::query(
                "UPDATE outbox SET status = 'queued', next_attempt_at = $2, updated_at = $2, created_at = $2 \
                 WHERE message_id = $1 AND status = 'failed'",
            )
            .bind(message.0)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 1 {
                tx.announce_delivery(message.0, DeliveryStatus::Queued, now).await?;
            }
            changed
        });
        if changed == 1 { Ok(()) } else { Err(Error::NotFound) }
    }

    /// Whether a reply's outbox row holds its bytes (replies written before the mailbox had
    /// mail servers do not); [`Error::NotFound`] without a row.
    pub async fn outbox_has_bytes(&self, message: model::MessageId) -> Result<bool> {
        let found: Option<bool> = with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT raw IS NOT NULL FROM outbox WHERE message_id = $1")
                .bind(message.0)
                .fetch_optional(pool)
                .await?
        });
        found.ok_or(Error::NotFound)
    }

    /// Gives a failed reply that had no bytes its rendered ones and queues it again; the
    /// message takes the headers and recipients it now leaves with.
    pub async fn outbox_rerender(&self, message: model::MessageId, out: &Outgoing) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            let changed = sqlx::query(
                "UPDATE outbox SET status = 'queued', raw = $2, envelope_from = $3, envelope_to = $4, \
                 next_attempt_at = $5, last_error = NULL, updated_at = $6, created_at = $6 \
                 WHERE message_id = $1 AND status = 'failed' AND raw IS NULL",
            )
            .bind(message.0)
            .bind(&out.raw)
            .bind(&out.envelope_from)
            .bind(&out.envelope_to)
            .bind(out.send_after)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed != 1 {
                return Err(Error::NotFound);
            }
            sqlx::query(
                "UPDATE messages SET message_id_header = $2, in_reply_to = $3, references_header = $4, \
                 to_addrs = $5, cc_addrs = $6, bcc_addrs = $7 WHERE id = $1",
            )
            .bind(message.0)
            .bind(&out.message_id_header)
            .bind(out.in_reply_to.as_deref())
            .bind(out.references.as_deref())
            .bind(&out.to)
            .bind(&out.cc)
            .bind(&out.bcc)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Cancels a reply that has not started to leave (undo send). Returns `Conflict` once it
    /// is on its way.
    pub async fn outbox_cancel(&self, message: model::MessageId) -> Result<()> {
        let now = now_micros();
        let changed = with_tx!(self, |tx| {
            let changed = sqlx::query(
                "UPDATE outbox SET status = 'cancelled', updated_at = $2 WHERE message_id = $1 AND status = 'queued'",
            )
            .bind(message.0)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 1 {
                tx.announce_delivery(message.0, DeliveryStatus::Cancelled, now).await?;
            }
            changed
        });
        if changed == 1 { Ok(()) } else { Err(model::Refusal::AlreadySent.into()) }
    }

    /// A mailbox's mail servers and its sealed SMTP password, for the sender.
    pub async fn mail_settings_of(&self, mailbox: MailboxId) -> Result<Option<(MailSettings, Option<Vec<u8>>)>> {
        let Some(stored) = self.mail_settings(mailbox).await? else {
            return Ok(None);
        };
        let (_, smtp) = self.sealed_mail_passwords(mailbox).await?;
        Ok(Some((stored.settings, smtp)))
    }

    /// Whether the mailbox has mail servers, so its replies can leave.
    pub async fn can_send(&self, mailbox: MailboxId) -> Result<bool> {
        let found: Option<i32> = with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT 1 FROM mail_settings WHERE mailbox_id = $1")
                .bind(mailbox.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }

    /// What a reply in the conversation answers: the newest mail's Message-ID, and the
    /// References chain up to and including it.
    pub async fn thread_headers(&self, conversation: model::ConversationId) -> Result<(Option<String>, Vec<String>)> {
        let row: Option<(String, Option<String>)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT message_id_header, references_header FROM messages WHERE conversation_id = $1 \
                 AND message_id_header IS NOT NULL AND direction <> 'note' ORDER BY created_at DESC, id DESC LIMIT 1",
            )
            .bind(conversation.0)
            .fetch_optional(pool)
            .await?
        });
        Ok(match row {
            Some((id, references)) => {
                let mut chain: Vec<String> =
                    references.unwrap_or_default().split_whitespace().map(str::to_string).collect();
                // Long threads keep the first and the last few, as mail programs do.
                if chain.len() > 20 {
                    let tail = chain.split_off(chain.len() - 19);
                    chain.truncate(1);
                    chain.extend(tail);
                }
                chain.push(id.clone());
                (Some(id), chain)
            }
            None => (None, Vec::new()),
        })
    }

    /// The outbox state of a message's reply, for tests and the sync health page.
    pub async fn outbox_status(&self, message: model::MessageId) -> Result<Option<(String, i64, Option<String>)>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as("SELECT status, attempts, last_error FROM outbox WHERE message_id = $1")
                .bind(message.0)
                .fetch_optional(pool)
                .await?
        }))
    }
}
