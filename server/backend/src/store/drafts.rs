//! Drafts: what an agent is writing in a conversation's composer, saved as they type so a
//! reload, a crash or another device loses nothing. One reply draft and one note draft per
//! agent and conversation; posting the reply or note consumes it (see
//! [`Store::append_message`]). A reply draft also keeps its recipients as typed and whether it
//! forwards the conversation. Drafts are private to their author and write no event.

use model::{ComposerMode, ConversationId, UserId};

use super::{Store, parse_stored, with_reader, with_tx};
use crate::error::Result;
use crate::time::now_micros;

/// A saved draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub mode: ComposerMode,
    pub body: String,
    /// Recipients as typed (address lists); empty for notes.
    pub to: String,
    pub cc: String,
    pub bcc: String,
    /// The reply forwards the conversation to `to` instead of answering the customer.
    pub forward: bool,
    pub updated_at: i64,
}

/// What the composer holds, as the agent typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftText {
    pub body: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub forward: bool,
}

impl DraftText {
    /// Text with no recipients typed.
    pub fn body(body: &str) -> DraftText {
        DraftText { body: body.to_string(), ..DraftText::default() }
    }

    /// Nothing worth keeping: no text and no copy recipients (the To line is filled in by
    /// itself, so it alone keeps no draft).
    pub fn is_blank(&self) -> bool {
        self.body.trim().is_empty() && self.cc.trim().is_empty() && self.bcc.trim().is_empty()
    }
}

impl Store {
    /// Saves the user's draft of `mode` in the conversation; a blank one (see
    /// [`DraftText::is_blank`]) deletes it.
    pub async fn save_draft(
        &self,
        conversation: ConversationId,
        user: UserId,
        mode: ComposerMode,
        draft: &DraftText,
    ) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            if draft.is_blank() {
                sqlx::query("DELETE FROM drafts WHERE conversation_id = $1 AND user_id = $2 AND mode = $3")
                    .bind(conversation.0)
                    .bind(user.0)
                    .bind(mode.as_str())
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query(
                    "INSERT INTO drafts (conversation_id, user_id, mode, body, updated_at, to_addrs, cc_addrs, \
                     bcc_addrs, forward) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (conversation_id, user_id, mode) DO UPDATE SET body = $4, updated_at = $5, \
                     to_addrs = $6, cc_addrs = $7, bcc_addrs = $8, forward = $9",
                )
                .bind(conversation.0)
                .bind(user.0)
                .bind(mode.as_str())
                .bind(&draft.body)
                .bind(now)
                .bind(&draft.to)
                .bind(&draft.cc)
                .bind(&draft.bcc)
                .bind(draft.forward)
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }

    /// The user's drafts in the conversation (at most one per mode).
    pub async fn drafts(&self, conversation: ConversationId, user: UserId) -> Result<Vec<Draft>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            mode: String,
            body: String,
            to_addrs: String,
            cc_addrs: String,
            bcc_addrs: String,
            forward: bool,
            updated_at: i64,
        }
        let rows: Vec<Row> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT mode, body, to_addrs, cc_addrs, bcc_addrs, forward, updated_at FROM drafts \
                 WHERE conversation_id = $1 AND user_id = $2",
            )
            .bind(conversation.0)
            .bind(user.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(Draft {
                    mode: parse_stored("draft mode", &r.mode)?,
                    body: r.body,
                    to: r.to_addrs,
                    cc: r.cc_addrs,
                    bcc: r.bcc_addrs,
                    forward: r.forward,
                    updated_at: r.updated_at,
                })
            })
            .collect()
    }
}
