//! Changes agents make to a conversation: assignee, status, snooze, priority, tags,
//! followers and subject.
//!
//! Each change locks the conversation's row, compares with what is stored, and writes the
//! change and its [`Event`](super::Event) in one transaction. A change to what is already
//! there is no change: it returns `false` and writes no event, so a double click leaves one
//! line in the history.

use model::{ConversationId, Priority, Status, UserId};
use uuid::Uuid;

use super::{By, Conversation, ConversationRows};
use crate::error::Result;
use crate::events::EventData;
use crate::store::{Store, new_id, with_reader, with_tx};

/// A new value for a conversation column that holds one word of a fixed set. The SQL is
/// spelled out per column so no column name is ever built from input.
#[derive(Debug, Clone, Copy)]
enum WordChange {
    Status(Status),
    Priority(Priority),
}

impl WordChange {
    fn update_sql(self) -> &'static str {
        match self {
            WordChange::Status(_) => "UPDATE conversations SET status = $2, updated_at = $3 WHERE id = $1",
            WordChange::Priority(_) => "UPDATE conversations SET priority = $2, updated_at = $3 WHERE id = $1",
        }
    }

    fn word(self) -> &'static str {
        match self {
            WordChange::Status(status) => status.as_str(),
            WordChange::Priority(priority) => priority.as_str(),
        }
    }

    /// The event of this change to `conversation`, or `None` when it holds the word already.
    fn event(self, conversation: &Conversation) -> Option<EventData> {
        match self {
            WordChange::Status(to) if to != conversation.status => {
                Some(EventData::Status { from: conversation.status, to, reason: None })
            }
            WordChange::Priority(to) if to != conversation.priority => {
                Some(EventData::Priority { from: conversation.priority, to })
            }
            _ => None,
        }
    }
}

impl Store {
    /// Gives the conversation to `assignee` (or to nobody). Returns whether anything changed;
    /// an event is written only then.
    pub async fn assign(&self, conversation: ConversationId, assignee: Option<UserId>, by: By) -> Result<bool> {
        let (actor, at) = (by.actor, by.time());
        with_tx!(self, |tx| {
            let current = tx.lock_conversation(conversation.0).await?;
            if current.assignee_id == assignee {
                return Ok(false);
            }
            sqlx::query("UPDATE conversations SET assignee_id = $2, updated_at = $3 WHERE id = $1")
                .bind(conversation.0)
                .bind(assignee.map(|a| a.0))
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.record_event(
                conversation.0,
                current.mailbox_id.0,
                actor.map(|a| a.0),
                EventData::Assigned { from: current.assignee_id, to: assignee },
                at,
            )
            .await?;
        });
        Ok(true)
    }

    /// Moves the conversation to `status`. Returns whether anything changed.
    pub async fn set_status(&self, conversation: ConversationId, status: Status, by: By) -> Result<bool> {
        self.set_word(conversation, WordChange::Status(status), by).await
    }

    /// Sets the conversation's priority. Returns whether anything changed.
    pub async fn set_priority(&self, conversation: ConversationId, priority: Priority, by: By) -> Result<bool> {
        self.set_word(conversation, WordChange::Priority(priority), by).await
    }

    /// Sets a word column (status, priority) and records its event with the old and new
    /// word; nothing happens when the word is already set.
    async fn set_word(&self, conversation: ConversationId, change: WordChange, by: By) -> Result<bool> {
        let (actor, at) = (by.actor, by.time());
        with_tx!(self, |tx| {
            let current = tx.lock_conversation(conversation.0).await?;
            let Some(event) = change.event(&current) else {
                return Ok(false);
            };
            sqlx::query(change.update_sql())
                .bind(conversation.0)
                .bind(change.word())
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.record_event(conversation.0, current.mailbox_id.0, actor.map(|a| a.0), event, at).await?;
        });
        Ok(true)
    }

    /// Puts the tag `name` on the conversation, creating the tag if it is new. Returns whether
    /// anything changed.
    pub async fn add_tag(&self, conversation: ConversationId, name: &str, by: By) -> Result<bool> {
        let name = normalize_tag(name)?;
        let (actor, at) = (by.actor, by.time());
        with_tx!(self, |tx| {
            let current = tx.lock_conversation(conversation.0).await?;
            sqlx::query("INSERT INTO tags (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
                .bind(new_id())
                .bind(&name)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            let added = sqlx::query(
                "INSERT INTO conversation_tags (conversation_id, tag_id) \
                 SELECT $1, id FROM tags WHERE name = $2 ON CONFLICT (conversation_id, tag_id) DO NOTHING",
            )
            .bind(conversation.0)
            .bind(&name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if added == 0 {
                return Ok(false);
            }
            tx.record_event(
                conversation.0,
                current.mailbox_id.0,
                actor.map(|a| a.0),
                EventData::Tagged { tag: name.clone() },
                at,
            )
            .await?;
        });
        Ok(true)
    }

    /// Takes the tag `name` off the conversation. Returns whether anything changed.
    pub async fn remove_tag(&self, conversation: ConversationId, name: &str, by: By) -> Result<bool> {
        let name = normalize_tag(name)?;
        let (actor, at) = (by.actor, by.time());
        with_tx!(self, |tx| {
            let current = tx.lock_conversation(conversation.0).await?;
            let removed = sqlx::query(
                "DELETE FROM conversation_tags WHERE conversation_id = $1 \
                 AND tag_id IN (SELECT id FROM tags WHERE name = $2)",
            )
            .bind(conversation.0)
            .bind(&name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if removed == 0 {
                return Ok(false);
            }
            tx.record_event(
                conversation.0,
                current.mailbox_id.0,
                actor.map(|a| a.0),
                EventData::Untagged { tag: name.clone() },
                at,
            )
            .await?;
        });
        Ok(true)
    }

    /// Snoozes the conversation until `until` (UTC microseconds), or wakes it (`None`).
    /// Returns whether anything changed.
    pub async fn snooze(&self, conversation: ConversationId, until: Option<i64>, by: By) -> Result<bool> {
        let (actor, at) = (by.actor, by.time());
        with_tx!(self, |tx| {
            let current = tx.lock_conversation(conversation.0).await?;
            if current.snoozed_until == until {
                return Ok(false);
            }
            sqlx::query("UPDATE conversations SET snoozed_until = $2, updated_at = $3 WHERE id = $1")
                .bind(conversation.0)
                .bind(until)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            let event = match until {
                Some(until) => EventData::Snoozed { until },
                None => EventData::Unsnoozed {},
            };
            tx.record_event(conversation.0, current.mailbox_id.0, actor.map(|a| a.0), event, at).await?;
        });
        Ok(true)
    }

    /// Records that a note mentions `people` (each gets a notice). Nothing for nobody.
    pub async fn record_mentions(
        &self,
        conversation: ConversationId,
        message: model::MessageId,
        people: &[UserId],
        by: By,
    ) -> Result<()> {
        if people.is_empty() {
            return Ok(());
        }
        let (actor, at) = (by.actor, by.time());
        with_tx!(self, |tx| {
            let current = tx.lock_conversation(conversation.0).await?;
            let event = EventData::Mentioned { message_id: message, users: people.to_vec() };
            tx.record_event(conversation.0, current.mailbox_id.0, actor.map(|a| a.0), event, at).await?;
        });
        Ok(())
    }

    /// Gives the conversation a new subject. Returns whether anything changed.
    pub async fn rename(&self, conversation: ConversationId, subject: &str, by: By) -> Result<bool> {
        let (actor, at) = (by.actor, by.time());
        with_tx!(self, |tx| {
            let current = tx.lock_conversation(conversation.0).await?;
            if current.subject == subject {
                return Ok(false);
            }
            sqlx::query("UPDATE conversations SET subject = $2, updated_at = $3 WHERE id = $1")
                .bind(conversation.0)
                .bind(subject)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.record_event(
                conversation.0,
                current.mailbox_id.0,
                actor.map(|a| a.0),
                EventData::Renamed { from: current.subject.clone(), to: subject.to_string() },
                at,
            )
            .await?;
        });
        Ok(true)
    }

    /// Makes `user` follow the conversation (`follow`) or stop following it. Returns whether
    /// anything changed.
    pub async fn set_following(
        &self,
        conversation: ConversationId,
        user: UserId,
        follow: bool,
        by: By,
    ) -> Result<bool> {
        let (actor, at) = (by.actor, by.time());
        with_tx!(self, |tx| {
            let current = tx.lock_conversation(conversation.0).await?;
            let changed = if follow {
                sqlx::query(
                    "INSERT INTO followers (conversation_id, user_id) VALUES ($1, $2) \
                     ON CONFLICT (conversation_id, user_id) DO NOTHING",
                )
                .bind(conversation.0)
                .bind(user.0)
                .execute(&mut *tx)
                .await?
                .rows_affected()
            } else {
                sqlx::query("DELETE FROM followers WHERE conversation_id = $1 AND user_id = $2")
                    .bind(conversation.0)
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            };
            if changed == 0 {
                return Ok(false);
            }
            let event = if follow { EventData::Followed { user } } else { EventData::Unfollowed { user } };
            tx.record_event(conversation.0, current.mailbox_id.0, actor.map(|a| a.0), event, at).await?;
        });
        Ok(true)
    }

    /// Who follows the conversation.
    pub async fn followers(&self, conversation: ConversationId) -> Result<Vec<UserId>> {
        let ids: Vec<Uuid> = with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT user_id FROM followers WHERE conversation_id = $1")
                .bind(conversation.0)
                .fetch_all(pool)
                .await?
        });
        Ok(ids.into_iter().map(UserId).collect())
    }
}

/// A tag name as stored: one line, lower-cased, 1 to 50 characters.
pub(crate) fn normalize_tag(name: &str) -> Result<String> {
    model::text::one_line(name, 50)
        .map(|name| name.to_lowercase())
        .map_err(|fault| model::Refusal::Text { field: model::Field::TagName, fault }.into())
}
