//! Copies of the demo's conversations, to measure Sanduq at a size no demo reaches by hand
//! (`sanduq demo --conversations 100000`). Each copy keeps its original's customer, mailbox,
//! status, assignee, tags and messages, and moves back in time, so the demo's own
//! conversations stay the newest. Copies are written in bulk without events: they are for
//! load tests, not for reading their history.

use uuid::Uuid;

use crate::Result;
use crate::store::{Store, with_reader, with_tx};
use crate::time::DAY;

/// Conversations written per transaction.
const BATCH: usize = 500;

#[derive(sqlx::FromRow, Clone)]
struct Original {
    id: Uuid,
    mailbox_id: Uuid,
    contact_id: Uuid,
    subject: String,
    status: String,
    priority: String,
    assignee_id: Option<Uuid>,
    last_activity_at: i64,
    created_at: i64,
}

#[derive(sqlx::FromRow, Clone)]
struct OriginalMessage {
    conversation_id: Uuid,
    direction: String,
    author_id: Option<Uuid>,
    from_name: String,
    from_email: String,
    subject: String,
    body_text: String,
    created_at: i64,
}

/// Adds copies of the stored conversations until there are `target` in all. Returns how many
/// were added.
pub async fn grow_to(store: &Store, target: usize) -> Result<usize> {
    let (originals, messages, tags): (Vec<Original>, Vec<OriginalMessage>, Vec<(Uuid, Uuid)>) =
        with_reader!(store, |pool| {
            let originals = sqlx::query_as(
                "SELECT id, mailbox_id, contact_id, subject, status, priority, assignee_id, last_activity_at, \
                 created_at FROM conversations ORDER BY id",
            )
            .fetch_all(pool)
            .await?;
            let messages = sqlx::query_as(
                "SELECT conversation_id, direction, author_id, from_name, from_email, subject, body_text, created_at \
                 FROM messages ORDER BY created_at, id",
            )
            .fetch_all(pool)
            .await?;
            let tags = sqlx::query_as("SELECT conversation_id, tag_id FROM conversation_tags").fetch_all(pool).await?;
            (originals, messages, tags)
        });
    if originals.is_empty() || originals.len() >= target {
        return Ok(0);
    }
    let mut by_conversation: std::collections::HashMap<Uuid, (Vec<OriginalMessage>, Vec<Uuid>)> =
        std::collections::HashMap::new();
    for m in messages {
        by_conversation.entry(m.conversation_id).or_default().0.push(m);
    }
    for (conversation, tag) in tags {
        by_conversation.entry(conversation).or_default().1.push(tag);
    }
    let wanted = target - originals.len();
    let copies: Vec<(usize, Original)> = (0..wanted).map(|i| (i, originals[i % originals.len()].clone())).collect();
    for batch in copies.chunks(BATCH) {
        with_tx!(store, |tx| {
            for (i, original) in batch {
                // Round k of copies sits k × 61 days before the originals.
                let shift = ((i / originals.len()) as i64 + 1) * 61 * DAY;
                let id = uuid::Uuid::now_v7();
                let (messages, tags) = by_conversation.get(&original.id).cloned().unwrap_or_default();
                sqlx::query(
                    "INSERT INTO conversations (id, mailbox_id, contact_id, subject, status, priority, assignee_id, \
                     seq, last_activity_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9)",
                )
                .bind(id)
                .bind(original.mailbox_id)
                .bind(original.contact_id)
                .bind(&original.subject)
                .bind(&original.status)
                .bind(&original.priority)
                .bind(original.assignee_id)
                .bind(messages.len() as i64)
                .bind(original.last_activity_at - shift)
                .bind(original.created_at - shift)
                .execute(&mut *tx)
                .await?;
                for m in &messages {
                    sqlx::query(
                        "INSERT INTO messages (id, conversation_id, mailbox_id, direction, author_id, from_name, \
                         from_email, subject, body_text, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(uuid::Uuid::now_v7())
                    .bind(id)
                    .bind(original.mailbox_id)
                    .bind(&m.direction)
                    .bind(m.author_id)
                    .bind(&m.from_name)
                    .bind(&m.from_email)
                    .bind(&m.subject)
                    .bind(&m.body_text)
                    .bind(m.created_at - shift)
                    .execute(&mut *tx)
                    .await?;
                }
                for tag in &tags {
                    sqlx::query("INSERT INTO conversation_tags (conversation_id, tag_id) VALUES ($1, $2)")
                        .bind(id)
                        .bind(*tag)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        });
    }
    Ok(wanted)
}
