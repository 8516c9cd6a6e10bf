//! Files that came with mails: listed per conversation, read one at a time with the
//! conversation they belong to (so the caller's access can be checked).

use model::{AttachmentId, ConversationId, MessageId};
use uuid::Uuid;

use super::{Store, with_reader};
use crate::error::{Error, Result};

/// An attachment as stored; its bytes are the blob named `sha256`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Attachment {
    #[sqlx(try_from = "Uuid")]
    pub id: AttachmentId,
    #[sqlx(try_from = "Uuid")]
    pub message_id: MessageId,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub content_id: Option<String>,
    pub is_inline: bool,
}

const COLUMNS: &str = "a.id, a.message_id, a.filename, a.content_type, a.size, a.sha256, a.content_id, a.is_inline";

impl Store {
    /// Every attachment of the conversation's messages, in message order.
    pub async fn attachments_of(&self, conversation: ConversationId) -> Result<Vec<Attachment>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM attachments a JOIN messages m ON m.id = a.message_id \
             WHERE m.conversation_id = $1 ORDER BY m.created_at, m.id, a.filename, a.id"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(&sql).bind(conversation.0).fetch_all(pool).await?))
    }

    /// One attachment and the conversation it belongs to.
    pub async fn attachment(&self, id: AttachmentId) -> Result<(Attachment, ConversationId)> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            attachment: Attachment,
            conversation_id: Uuid,
        }
        let sql = format!(
            "SELECT {COLUMNS}, m.conversation_id FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = $1"
        );
        let row: Option<Row> = with_reader!(self, |pool| sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?);
        let row = row.ok_or(Error::NotFound)?;
        Ok((row.attachment, ConversationId(row.conversation_id)))
    }
}
