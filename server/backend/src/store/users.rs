//! Users: agents, managers and admins, with their password hashes.

use std::collections::{HashMap, HashSet};

use model::{MailboxId, Role, TeamChange, UserId};
use uuid::Uuid;

use super::team_events::{TeamEntry, TeamRows};
use super::{Store, new_id, parse_stored, with_reader, with_tx};
use crate::error::{Error, Result};
use crate::time::now_micros;

/// A user as stored (the password hash stays inside the backend).
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    /// The interface language: `en`, `ar` or `fa`; empty until the person chooses, meaning
    /// "the browser's language".
    pub locale: String,
    /// An IANA time zone name, such as `Asia/Riyadh`.
    pub time_zone: String,
    /// Signs in with a second factor (TOTP).
    pub two_factor: bool,
    pub(crate) password_hash: String,
}

/// What creating a user needs. The email must already be normalised.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    id: Uuid,
    email: String,
    name: String,
    role: String,
    active: bool,
    locale: String,
    time_zone: String,
    two_factor: bool,
    password_hash: String,
}

impl TryFrom<UserRow> for User {
    type Error = Error;

    fn try_from(row: UserRow) -> Result<User> {
        Ok(User {
            id: UserId(row.id),
            email: row.email,
            name: row.name,
            role: parse_stored("role", &row.role)?,
            active: row.active,
            locale: row.locale,
            time_zone: row.time_zone,
            two_factor: row.two_factor,
            password_hash: row.password_hash,
        })
    }
}

const USER_COLUMNS: &str =
    "id, email, name, role, active, locale, time_zone, totp_enabled_at IS NOT NULL AS two_factor, password_hash";

impl Store {
    /// Creates a user, as the command line or the demo does; a taken email is a conflict.
    pub async fn create_user(&self, new: NewUser) -> Result<User> {
        let id = new_id();
        let now = now_micros();
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO users (id, email, name, role, password_hash, active, locale, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, '', $7, $7)",
            )
            .bind(id)
            .bind(&new.email)
            .bind(&new.name)
            .bind(new.role.as_str())
            .bind(&new.password_hash)
            .bind(true)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| Error::unique_as_conflict(e, format!("a user with the email {} already exists", new.email)))?;
            let made = TeamChange::AccountMade { role: new.role };
            tx.record_team(&TeamEntry::by(None, made).user(UserId(id)), now).await?;
        });
        Ok(User {
            id: UserId(id),
            email: new.email,
            name: new.name,
            role: new.role,
            active: true,
            locale: String::new(),
            time_zone: "UTC".to_string(),
            two_factor: false,
            password_hash: new.password_hash,
        })
    }

    /// The user with this (normalised) email, active or not.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        let row: Option<UserRow> =
            with_reader!(self, |pool| sqlx::query_as(&sql).bind(email).fetch_optional(pool).await?);
        row.map(User::try_from).transpose()
    }

    /// The user with this id.
    pub async fn user(&self, id: UserId) -> Result<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row: Option<UserRow> =
            with_reader!(self, |pool| sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?);
        row.map(User::try_from).transpose()?.ok_or(Error::NotFound)
    }

    /// Every user, by name.
    pub async fn users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY name, email");
        let rows: Vec<UserRow> = with_reader!(self, |pool| sqlx::query_as(&sql).fetch_all(pool).await?);
        rows.into_iter().map(User::try_from).collect()
    }

    /// The active users who may work in `mailbox`: its members and every admin, by name.
    pub async fn mailbox_users(&self, mailbox: MailboxId) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE active AND (role = 'admin' OR id IN \
             (SELECT user_id FROM mailbox_members WHERE mailbox_id = $1)) ORDER BY name, email"
        );
        let rows: Vec<UserRow> =
            with_reader!(self, |pool| sqlx::query_as(&sql).bind(mailbox.0).fetch_all(pool).await?);
        rows.into_iter().map(User::try_from).collect()
    }

    /// The names of these users (active or not), by id.
    pub async fn user_names(&self, ids: &[UserId]) -> Result<HashMap<UserId, String>> {
        let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect::<HashSet<_>>().into_iter().collect();
        let sql = format!("SELECT id, name FROM users WHERE id IN ({})", super::placeholders(1, ids.len()));
        let rows: Vec<(Uuid, String)> = self.fetch_by_ids(&sql, &ids).await?;
        Ok(rows.into_iter().map(|(id, name)| (UserId(id), name)).collect())
    }

    /// Changes a user's role; `by` is recorded when it changes.
    pub async fn set_role(&self, id: UserId, role: Role, by: UserId) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            let old: Option<String> =
                sqlx::query_scalar("SELECT role FROM users WHERE id = $1").bind(id.0).fetch_optional(&mut *tx).await?;
            if old.ok_or(Error::NotFound)? != role.as_str() {
                sqlx::query("UPDATE users SET role = $2, updated_at = $3 WHERE id = $1")
                    .bind(id.0)
                    .bind(role.as_str())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                tx.record_team(&TeamEntry::by(by, TeamChange::RoleChanged { role }).user(id), now).await?;
            }
        });
        Ok(())
    }

    /// Activates or deactivates a user; deactivating ends their sessions in the same
    /// transaction. `by` is recorded when it changes.
    pub async fn set_active(&self, id: UserId, active: bool, by: UserId) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            let was: Option<bool> = sqlx::query_scalar("SELECT active FROM users WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
            if was.ok_or(Error::NotFound)? != active {
                sqlx::query("UPDATE users SET active = $2, updated_at = $3 WHERE id = $1")
                    .bind(id.0)
                    .bind(active)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                let change = if active { TeamChange::Reactivated } else { TeamChange::Deactivated };
                tx.record_team(&TeamEntry::by(by, change).user(id), now).await?;
            }
            if !active {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0).execute(&mut *tx).await?;
            }
        });
        Ok(())
    }

    /// Every (mailbox, user) membership.
    pub async fn memberships(&self) -> Result<Vec<(MailboxId, UserId)>> {
        let rows: Vec<(Uuid, Uuid)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT mailbox_id, user_id FROM mailbox_members").fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|(m, u)| (MailboxId(m), UserId(u))).collect())
    }

    /// Sets the user's language and time zone (already checked).
    pub async fn set_preferences(&self, id: UserId, locale: &str, time_zone: &str) -> Result<()> {
        with_tx!(self, |tx| {
            let changed = sqlx::query("UPDATE users SET locale = $2, time_zone = $3, updated_at = $4 WHERE id = $1")
                .bind(id.0)
                .bind(locale)
                .bind(time_zone)
                .bind(now_micros())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(Error::NotFound);
            }
        });
        Ok(())
    }

    /// Replaces a user's password hash and ends every session of theirs, in one transaction:
    /// whoever knew the old password is signed out.
    pub async fn set_password_hash(&self, id: UserId, password_hash: &str) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            let changed = sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
                .bind(id.0)
                .bind(password_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(Error::NotFound);
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0).execute(&mut *tx).await?;
            // A reset link asked for before works no more: the password it would replace is gone.
            sqlx::query(super::password_resets::REPLACE_LINKS).bind(id.0).bind(now).execute(&mut *tx).await?;
        });
        Ok(())
    }
}
