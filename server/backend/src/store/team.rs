//! The team's own row (`team`, one at most): its name and language, and the first run, in
//! which a fresh server is claimed by its first admin.
//!
//! The claim is one transaction that clears the set-up code, marks the team set up and
//! creates the admin, and only if no user exists yet. The code is cleared by a conditional
//! `UPDATE` (portable SQL, no engine's row lock syntax): of two racing claims on PostgreSQL the
//! second waits on the row, finds it already set up when the first commits, and changes
//! nothing; on SQLite `BEGIN IMMEDIATE` runs them one after the other.

use model::{Role, TeamChange, UserId};

use super::team_events::{TeamEntry, TeamRows};
use super::users::{NewUser, User};
use super::{Store, new_id, with_reader, with_tx};
use crate::error::{Error, Result};
use crate::time::now_micros;

/// Why a claim of the first run changed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimRefused {
    /// The team is set up already (or has users from the command line).
    AlreadySetUp,
    /// The set-up code does not match.
    WrongCode,
}

/// What the first run records besides the admin.
#[derive(Debug, Clone)]
pub struct NewTeam {
    pub name: String,
    pub locale: String,
}

impl Store {
    /// The first run's set-up code, writing `fresh` as the code if the database has no users
    /// and no code yet. `None` once anyone can sign in. Every node of a team that starts on an
    /// empty database reads the same code.
    pub async fn first_run_code(&self, fresh: &str) -> Result<Option<String>> {
        let now = now_micros();
        with_tx!(self, |tx| {
            let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&mut *tx).await?;
            if users > 0 {
                return Ok(None);
            }
            sqlx::query("INSERT INTO team (id, setup_code, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING")
                .bind(fresh)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let (code,): (Option<String>,) =
                sqlx::query_as("SELECT setup_code FROM team WHERE id = 1").fetch_one(&mut *tx).await?;
            Ok(code)
        })
    }

    /// Whether the first run waits to be done: a set-up code was written and no user exists.
    pub async fn first_run_pending(&self) -> Result<bool> {
        let sql = "SELECT (SELECT COUNT(*) FROM users) = 0 \
                   AND EXISTS (SELECT 1 FROM team WHERE set_up_at IS NULL AND setup_code IS NOT NULL)";
        let (pending,): (bool,) = with_reader!(self, |pool| sqlx::query_as(sql).fetch_one(pool).await?);
        Ok(pending)
    }

    /// Claims the first run with `code`: sets the team up and creates its first admin, all or
    /// nothing. The outer `Err` is a failure of the database; the inner one says why a claim
    /// was refused.
    pub async fn claim_first_run(
        &self,
        code: &str,
        team: NewTeam,
        admin: NewUser,
    ) -> Result<std::result::Result<User, ClaimRefused>> {
        let id = new_id();
        let now = now_micros();
        with_tx!(self, |tx| {
            let claimed = sqlx::query(
                "UPDATE team SET name = $1, locale = $2, setup_code = NULL, set_up_at = $3 \
                 WHERE id = 1 AND set_up_at IS NULL AND setup_code = $4",
            )
            .bind(&team.name)
            .bind(&team.locale)
            .bind(now)
            .bind(code)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&mut *tx).await?;
            if claimed == 0 || users > 0 {
                let (set_up,): (bool,) =
                    sqlx::query_as("SELECT EXISTS (SELECT 1 FROM team WHERE set_up_at IS NOT NULL)")
                        .fetch_one(&mut *tx)
                        .await?;
                // Dropping the transaction undoes the claim when users came from elsewhere.
                let why = if set_up || users > 0 { ClaimRefused::AlreadySetUp } else { ClaimRefused::WrongCode };
                return Ok(Err(why));
            }
            sqlx::query(
                "INSERT INTO users (id, email, name, role, password_hash, active, locale, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(id)
            .bind(&admin.email)
            .bind(&admin.name)
            .bind(Role::Admin.as_str())
            .bind(&admin.password_hash)
            .bind(true)
            .bind(&team.locale)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| Error::unique_as_conflict(e, "the first admin already exists".to_string()))?;
            tx.record_team(&TeamEntry::by(UserId(id), TeamChange::SetUp), now).await?;
        });
        Ok(Ok(User {
            id: UserId(id),
            email: admin.email,
            name: admin.name,
            role: Role::Admin,
            active: true,
            locale: team.locale,
            time_zone: "UTC".to_string(),
            two_factor: false,
            password_hash: admin.password_hash,
        }))
    }

    /// The first steps of a team, as `user` has taken them (see [`model::FirstSteps`]).
    pub async fn first_steps(&self, user: UserId) -> Result<model::FirstSteps> {
        let sql = "SELECT EXISTS (SELECT 1 FROM mail_settings), (SELECT COUNT(*) FROM users) > 1, \
                   EXISTS (SELECT 1 FROM signatures WHERE user_id = $1 AND body <> '')";
        let (mailbox_connected, team_invited, signature_set): (bool, bool, bool) =
            with_reader!(self, |pool| sqlx::query_as(sql).bind(user.0).fetch_one(pool).await?);
        Ok(model::FirstSteps { mailbox_connected, team_invited, signature_set })
    }

    /// The team's name, empty when it has none (its first admin came from the command line).
    pub async fn team_name(&self) -> Result<String> {
        let row: Option<(String,)> = with_reader!(self, |pool| sqlx::query_as("SELECT name FROM team WHERE id = 1")
            .fetch_optional(pool)
            .await?);
        Ok(row.map(|(name,)| name).unwrap_or_default())
    }

    /// The team's language (`en` when its first admin came from the command line).
    pub async fn team_locale(&self) -> Result<String> {
        let row: Option<(String,)> = with_reader!(self, |pool| sqlx::query_as("SELECT locale FROM team WHERE id = 1")
            .fetch_optional(pool)
            .await?);
        Ok(row.map(|(locale,)| locale).unwrap_or_else(|| "en".to_string()))
    }
}
