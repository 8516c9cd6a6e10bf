//! Tags: the team's shared labels, and how many open conversations carry each.

use model::TagId;
use uuid::Uuid;

use super::{MailboxScope, Store, new_id, with_reader, with_tx};
use crate::error::{Error, Result};
use crate::time::now_micros;

/// A tag with the number of open (or in progress) conversations that carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagCount {
    pub id: TagId,
    pub name: String,
    pub color: String,
    pub open_count: i64,
}

/// A tag as stored: id, name, colour.
type TagRow = (Uuid, String, String);

impl Store {
    /// Every tag, by name, with its open count within `scope`: one pass over the open
    /// conversations in scope, then the tags themselves.
    pub async fn tags(&self, scope: MailboxScope) -> Result<Vec<TagCount>> {
        const COUNTS: &str = "SELECT ct.tag_id, COUNT(*) FROM conversations c \
             JOIN conversation_tags ct ON ct.conversation_id = c.id WHERE c.status IN ('open', 'in_progress')";
        let (tags, counts): (Vec<TagRow>, Vec<(Uuid, i64)>) = with_reader!(self, |pool| {
            let tags = sqlx::query_as("SELECT id, name, color FROM tags ORDER BY name").fetch_all(pool).await?;
            let counts = match scope {
                MailboxScope::All => sqlx::query_as(&format!("{COUNTS} GROUP BY ct.tag_id")).fetch_all(pool).await?,
                MailboxScope::MemberOf(user) => {
                    let sql = format!(
                        "{COUNTS} AND c.mailbox_id IN (SELECT mailbox_id FROM mailbox_members WHERE user_id = $1) \
                         GROUP BY ct.tag_id"
                    );
                    sqlx::query_as(&sql).bind(user.0).fetch_all(pool).await?
                }
            };
            (tags, counts)
        });
        let counts: std::collections::HashMap<Uuid, i64> = counts.into_iter().collect();
        Ok(tags
            .into_iter()
            .map(|(id, name, color)| TagCount {
                open_count: counts.get(&id).copied().unwrap_or(0),
                id: TagId(id),
                name,
                color,
            })
            .collect())
    }

    /// Creates a tag (the name normalised); a taken name is a conflict.
    pub async fn create_tag(&self, name: &str, color: &str) -> Result<TagId> {
        let name = super::conversations::changes::normalize_tag(name)?;
        let color = normalize_color(color)?;
        let id = new_id();
        with_tx!(self, |tx| {
            sqlx::query("INSERT INTO tags (id, name, color, created_at) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(&name)
                .bind(&color)
                .bind(now_micros())
                .execute(&mut *tx)
                .await
                .map_err(|e| Error::unique_as_conflict(e, format!("a tag named {name:?} already exists")))?;
        });
        Ok(TagId(id))
    }

    /// Renames and recolours a tag; every conversation carrying it follows.
    pub async fn update_tag(&self, id: TagId, name: &str, color: &str) -> Result<()> {
        let name = super::conversations::changes::normalize_tag(name)?;
        let color = normalize_color(color)?;
        with_tx!(self, |tx| {
            let changed = sqlx::query("UPDATE tags SET name = $2, color = $3 WHERE id = $1")
                .bind(id.0)
                .bind(&name)
                .bind(&color)
                .execute(&mut *tx)
                .await
                .map_err(|e| Error::unique_as_conflict(e, format!("a tag named {name:?} already exists")))?
                .rows_affected();
            if changed == 0 {
                return Err(Error::NotFound);
            }
        });
        Ok(())
    }

    /// Deletes a tag and takes it off every conversation.
    pub async fn delete_tag(&self, id: TagId) -> Result<()> {
        with_tx!(self, |tx| {
            let changed =
                sqlx::query("DELETE FROM tags WHERE id = $1").bind(id.0).execute(&mut *tx).await?.rows_affected();
            if changed == 0 {
                return Err(Error::NotFound);
            }
        });
        Ok(())
    }
}

/// A colour as stored: `#rrggbb`, lower-case.
fn normalize_color(color: &str) -> Result<String> {
    let color = color.trim().to_ascii_lowercase();
    let hex = color.strip_prefix('#').unwrap_or(&color);
    if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(format!("#{hex}"))
    } else {
        Err(model::Refusal::BadColour.into())
    }
}
