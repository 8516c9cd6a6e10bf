//! What the composer brings besides text: files attached before sending (uploads, whose
//! bytes are already in the blob store and which become attachments of the message that
//! sends them, see [`Store::append_message`]) and each agent's signature per mailbox.

use model::{AttachmentId, ConversationId, MailboxId, UserId};
use uuid::Uuid;

use super::{Store, with_reader, with_tx};
use crate::error::{Error, Result};
use crate::time::now_micros;

/// A file attached in the composer and not sent yet. Its id becomes the attachment's id.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Upload {
    #[sqlx(try_from = "Uuid")]
    pub id: AttachmentId,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// An upload about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpload {
    pub user: UserId,
    /// The conversation whose reply draft it belongs to; none for a new conversation.
    pub conversation: Option<ConversationId>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

const COLUMNS: &str = "id, filename, content_type, size, sha256";

impl Store {
    /// Records an upload whose bytes are stored.
    pub async fn add_upload(&self, new: &NewUpload) -> Result<Upload> {
        let id = Uuid::now_v7();
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO uploads (id, user_id, conversation_id, filename, content_type, size, sha256, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(new.user.0)
            .bind(new.conversation.map(|c| c.0))
            .bind(&new.filename)
            .bind(&new.content_type)
            .bind(new.size)
            .bind(&new.sha256)
            .bind(now_micros())
            .execute(&mut *tx)
            .await?;
        });
        Ok(Upload {
            id: AttachmentId(id),
            filename: new.filename.clone(),
            content_type: new.content_type.clone(),
            size: new.size,
            sha256: new.sha256.clone(),
        })
    }

    /// The user's unsent uploads for a conversation's draft, oldest first.
    pub async fn draft_uploads(&self, user: UserId, conversation: ConversationId) -> Result<Vec<Upload>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM uploads WHERE user_id = $1 AND conversation_id = $2 ORDER BY created_at, id"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(&sql).bind(user.0).bind(conversation.0).fetch_all(pool).await?))
    }

    /// The user's uploads with these ids, in the order asked. One that is not theirs, or is
    /// already sent, is [`Error::NotFound`].
    pub async fn uploads(&self, user: UserId, ids: &[AttachmentId]) -> Result<Vec<Upload>> {
        let sql = format!("SELECT {COLUMNS} FROM uploads WHERE user_id = $1 AND id = $2");
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            let row: Option<Upload> =
                with_reader!(self, |pool| sqlx::query_as(&sql).bind(user.0).bind(id.0).fetch_optional(pool).await?);
            found.push(row.ok_or(Error::NotFound)?);
        }
        Ok(found)
    }

    /// Removes one of the user's unsent uploads. Returns whether there was one.
    pub async fn remove_upload(&self, user: UserId, id: AttachmentId) -> Result<bool> {
        let removed = with_tx!(self, |tx| {
            sqlx::query("DELETE FROM uploads WHERE id = $1 AND user_id = $2")
                .bind(id.0)
                .bind(user.0)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        Ok(removed > 0)
    }

    /// The user's signature in a mailbox; empty when they have none.
    pub async fn signature(&self, user: UserId, mailbox: MailboxId) -> Result<String> {
        let body: Option<String> = with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT body FROM signatures WHERE user_id = $1 AND mailbox_id = $2")
                .bind(user.0)
                .bind(mailbox.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(body.unwrap_or_default())
    }

    /// Sets the user's signature in a mailbox; an empty one removes it.
    pub async fn set_signature(&self, user: UserId, mailbox: MailboxId, body: &str) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            if body.trim().is_empty() {
                sqlx::query("DELETE FROM signatures WHERE user_id = $1 AND mailbox_id = $2")
                    .bind(user.0)
                    .bind(mailbox.0)
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query(
                    "INSERT INTO signatures (user_id, mailbox_id, body, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (user_id, mailbox_id) DO UPDATE SET body = $3, updated_at = $4",
                )
                .bind(user.0)
                .bind(mailbox.0)
                .bind(body)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }
}
