//! Mailboxes and who belongs to them.

use model::{MailboxId, TeamChange, UserId};
use uuid::Uuid;

use super::team_events::{TeamEntry, TeamRows};
use super::{Store, new_id, with_reader, with_tx};
use crate::error::{Error, Result};
use crate::time::now_micros;

/// A mailbox as stored, with the number of conversations waiting in it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Mailbox {
    #[sqlx(try_from = "Uuid")]
    pub id: MailboxId,
    pub name: String,
    pub address: String,
    pub is_demo: bool,
    /// Removed in Settings: no mail servers, no members; admins still read its conversations.
    pub removed: bool,
    /// Conversations that are open or in progress.
    pub open_count: i64,
}

/// Why mail waiting to leave a removed mailbox failed, as the outbox stores a fault.
const REMOVED_FAULT: &str = "the mailbox was removed in Settings before this mail left";

/// Which mailboxes a listing covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailboxScope {
    /// Every mailbox (admins).
    All,
    /// The mailboxes this user is a member of.
    MemberOf(UserId),
}

/// The mailbox columns with the open count: open or in progress, and not snoozed, as the
/// mailbox's Open tab shows them. Placeholder `$now` takes the current time, so the text of
/// each query stays the same and its prepared statement is reused.
fn mailbox_select(now: &str) -> String {
    format!(
        "SELECT m.id, m.name, m.address, m.is_demo, m.removed_at IS NOT NULL AS removed, \
         (SELECT COUNT(*) FROM conversations c WHERE c.mailbox_id = m.id \
          AND c.status IN ('open', 'in_progress') \
          AND (c.snoozed_until IS NULL OR c.snoozed_until <= {now})) AS open_count \
         FROM mailboxes m"
    )
}

impl Store {
    /// Creates a mailbox with no members, as the command line or the demo does; a taken name
    /// is a conflict.
    pub async fn create_mailbox(&self, name: &str, address: &str, is_demo: bool) -> Result<Mailbox> {
        self.insert_mailbox(name, address, is_demo, &[], None).await
    }

    /// Adds a mailbox from Settings with its first members; a taken name is a conflict.
    pub async fn add_team_mailbox(&self, name: &str, address: &str, members: &[UserId], by: UserId) -> Result<Mailbox> {
        self.insert_mailbox(name, address, false, members, Some(by)).await
    }

    /// The mailbox, its members and their entries in the audit trail, in one transaction.
    async fn insert_mailbox(
        &self,
        name: &str,
        address: &str,
        is_demo: bool,
        members: &[UserId],
        by: Option<UserId>,
    ) -> Result<Mailbox> {
        let id = MailboxId(new_id());
        let now = now_micros();
        with_tx!(self, |tx| {
            sqlx::query("INSERT INTO mailboxes (id, name, address, is_demo, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id.0)
                .bind(name)
                .bind(address)
                .bind(is_demo)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(|e| Error::unique_as_conflict(e, format!("a mailbox named {name:?} already exists")))?;
            tx.record_team(&TeamEntry::by(by, TeamChange::MailboxAdded).mailbox(id), now).await?;
            for &user in members {
                let added = sqlx::query(
                    "INSERT INTO mailbox_members (mailbox_id, user_id) VALUES ($1, $2) \
                     ON CONFLICT (mailbox_id, user_id) DO NOTHING",
                )
                .bind(id.0)
                .bind(user.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if added == 1 {
                    tx.record_team(&TeamEntry::by(by, TeamChange::MemberAdded).user(user).mailbox(id), now).await?;
                }
            }
        });
        Ok(Mailbox { id, name: name.to_string(), address: address.to_string(), is_demo, removed: false, open_count: 0 })
    }

    /// The mailbox with this id.
    pub async fn mailbox(&self, id: MailboxId) -> Result<Mailbox> {
        let sql = format!("{} WHERE m.id = $1", mailbox_select("$2"));
        let row: Option<Mailbox> = with_reader!(self, |pool| {
            sqlx::query_as(&sql).bind(id.0).bind(now_micros()).fetch_optional(pool).await?
        });
        row.ok_or(Error::NotFound)
    }

    /// The mailbox with this name.
    pub async fn mailbox_by_name(&self, name: &str) -> Result<Mailbox> {
        let sql = format!("{} WHERE m.name = $1", mailbox_select("$2"));
        let row: Option<Mailbox> = with_reader!(self, |pool| {
            sqlx::query_as(&sql).bind(name).bind(now_micros()).fetch_optional(pool).await?
        });
        row.ok_or(Error::NotFound)
    }

    /// The mailboxes in `scope`, by name.
    pub async fn mailboxes(&self, scope: MailboxScope) -> Result<Vec<Mailbox>> {
        let rows: Vec<Mailbox> = match scope {
            MailboxScope::All => {
                let sql = format!("{} ORDER BY m.name", mailbox_select("$1"));
                with_reader!(self, |pool| sqlx::query_as(&sql).bind(now_micros()).fetch_all(pool).await?)
            }
            MailboxScope::MemberOf(user) => {
                let sql = format!(
                    "{} WHERE EXISTS (SELECT 1 FROM mailbox_members mm \
                     WHERE mm.mailbox_id = m.id AND mm.user_id = $1) ORDER BY m.name",
                    mailbox_select("$2")
                );
                with_reader!(self, |pool| {
                    sqlx::query_as(&sql).bind(user.0).bind(now_micros()).fetch_all(pool).await?
                })
            }
        };
        Ok(rows)
    }

    /// Renames a mailbox; a taken name is a conflict.
    pub async fn rename_mailbox(&self, id: MailboxId, name: &str) -> Result<()> {
        with_tx!(self, |tx| {
            let changed = sqlx::query("UPDATE mailboxes SET name = $2 WHERE id = $1")
                .bind(id.0)
                .bind(name)
                .execute(&mut *tx)
                .await
                .map_err(|e| Error::unique_as_conflict(e, format!("a mailbox named {name:?} already exists")))?
                .rows_affected();
            if changed == 0 {
                return Err(Error::NotFound);
            }
        });
        Ok(())
    }

    /// Removes a mailbox from use, in one transaction: its mail servers (and their sealed
    /// passwords) and its members go, so nothing syncs or sends from it and only admins see
    /// it; mail waiting to leave from it fails; invitations stop naming it; it stops sending
    /// system mail. Its conversations stay. Removing it again changes nothing.
    pub async fn remove_mailbox(&self, id: MailboxId, by: UserId) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            let changed = sqlx::query("UPDATE mailboxes SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL")
                .bind(id.0)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 1 {
                for sql in [
                    "DELETE FROM mail_settings WHERE mailbox_id = $1",
                    "DELETE FROM mailbox_members WHERE mailbox_id = $1",
                    "DELETE FROM invitation_mailboxes WHERE mailbox_id = $1",
                    "UPDATE team SET system_mailbox_id = NULL WHERE system_mailbox_id = $1",
                ] {
                    sqlx::query(sql).bind(id.0).execute(&mut *tx).await?;
                }
                sqlx::query(
                    "UPDATE outbox SET status = 'failed', last_error = $2, updated_at = $3 \
                     WHERE mailbox_id = $1 AND status IN ('queued', 'retrying')",
                )
                .bind(id.0)
                .bind(REMOVED_FAULT)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.record_team(&TeamEntry::by(by, TeamChange::MailboxRemoved).mailbox(id), now).await?;
            }
        });
        Ok(())
    }

    /// Makes `user` a member of `mailbox`, as the command line or the demo does; being one
    /// already is fine.
    pub async fn add_member(&self, mailbox: MailboxId, user: UserId) -> Result<()> {
        self.set_member(mailbox, user, true, None).await
    }

    /// Makes `user` a member of `mailbox` or not, as `by` (`None`: the command line) asked; a
    /// change is recorded, asking for what already holds changes nothing.
    pub async fn set_member(
        &self,
        mailbox: MailboxId,
        user: UserId,
        member: bool,
        by: impl Into<Option<UserId>>,
    ) -> Result<()> {
        let by = by.into();
        let now = now_micros();
        with_tx!(self, |tx| {
            let sql = if member {
                "INSERT INTO mailbox_members (mailbox_id, user_id) VALUES ($1, $2) \
                 ON CONFLICT (mailbox_id, user_id) DO NOTHING"
            } else {
                "DELETE FROM mailbox_members WHERE mailbox_id = $1 AND user_id = $2"
            };
            let changed = sqlx::query(sql).bind(mailbox.0).bind(user.0).execute(&mut *tx).await?.rows_affected();
            if changed == 1 {
                let change = if member { TeamChange::MemberAdded } else { TeamChange::MemberRemoved };
                tx.record_team(&TeamEntry::by(by, change).user(user).mailbox(mailbox), now).await?;
            }
        });
        Ok(())
    }

    /// Whether `user` is a member of `mailbox`.
    pub async fn is_member(&self, mailbox: MailboxId, user: UserId) -> Result<bool> {
        let found: Option<i32> = with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT 1 FROM mailbox_members WHERE mailbox_id = $1 AND user_id = $2")
                .bind(mailbox.0)
                .bind(user.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }
}
