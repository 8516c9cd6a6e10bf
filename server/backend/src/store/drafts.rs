//! Drafts: what an agent is writing in a conversation's composer, saved as they type so a
//! reload, a crash or another device loses nothing. One reply draft and one note draft per
//! agent and conversation; posting the reply or note consumes it (see
//! [`Store::append_message`]). Drafts are private to their author and write no event.

use model::{ComposerMode, ConversationId, UserId};

use super::{Store, parse_stored, with_reader, with_tx};
use crate::error::Result;
use crate::time::now_micros;

/// A saved draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub mode: ComposerMode,
    pub body: String,
    pub updated_at: i64,
}

impl Store {
    /// Saves the user's draft of `mode` in the conversation; an empty (or blank) body deletes
    /// it.
    pub async fn save_draft(
        &self,
        conversation: ConversationId,
        user: UserId,
        mode: ComposerMode,
        body: &str,
    ) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            if body.trim().is_empty() {
                sqlx::query("DELETE FROM drafts WHERE conversation_id = $1 AND user_id = $2 AND mode = $3")
                    .bind(conversation.0)
                    .bind(user.0)
                    .bind(mode.as_str())
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query(
                    "INSERT INTO drafts (conversation_id, user_id, mode, body, updated_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (conversation_id, user_id, mode) DO UPDATE SET body = $4, updated_at = $5",
                )
                .bind(conversation.0)
                .bind(user.0)
                .bind(mode.as_str())
                .bind(body)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }

    /// The user's drafts in the conversation (at most one per mode).
    pub async fn drafts(&self, conversation: ConversationId, user: UserId) -> Result<Vec<Draft>> {
        let rows: Vec<(String, String, i64)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT mode, body, updated_at FROM drafts WHERE conversation_id = $1 AND user_id = $2")
                .bind(conversation.0)
                .bind(user.0)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(mode, body, updated_at)| Ok(Draft { mode: parse_stored("draft mode", &mode)?, body, updated_at }))
            .collect()
    }
}
