//! Two-factor sign-in as stored: each person's sealed TOTP secret and the last time step a
//! code of theirs was used, their recovery codes (SHA-256 only), the sign-ins waiting for a
//! code, and whether the team requires it.
//!
//! Every "use" is one conditional UPDATE, so two requests with the same code cannot both
//! succeed.

use model::{TeamChange, UserId};
use uuid::Uuid;

use super::team_events::{TeamEntry, TeamRows};
use super::{Store, with_reader, with_tx};
use crate::error::{Error, Result};
use crate::time::now_micros;

/// How many codes one waiting sign-in may try before it has to start again.
pub const CHALLENGE_TRIES: i64 = 5;

/// A person's TOTP as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpState {
    /// The secret, sealed with the instance's key.
    pub sealed_secret: Vec<u8>,
    /// A first right code has confirmed it.
    pub enabled: bool,
    /// The newest time step whose code was used.
    pub last_step: i64,
}

impl Store {
    /// Stores a new secret for set-up to confirm; [`Error::Conflict`] while two-factor is on.
    pub async fn begin_totp(&self, user: UserId, sealed_secret: &[u8]) -> Result<()> {
        let changed = with_tx!(self, |tx| {
            sqlx::query("UPDATE users SET totp_secret = $2 WHERE id = $1 AND totp_enabled_at IS NULL")
                .bind(user.0)
                .bind(sealed_secret)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        if changed == 1 { Ok(()) } else { Err(Error::Conflict("two-factor sign-in is on already".into())) }
    }

    /// The person's TOTP, if set-up has begun.
    pub async fn totp(&self, user: UserId) -> Result<Option<TotpState>> {
        let row: Option<(Option<Vec<u8>>, bool, i64)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT totp_secret, totp_enabled_at IS NOT NULL, totp_last_step FROM users WHERE id = $1")
                .bind(user.0)
                .fetch_optional(pool)
                .await?
        });
        let (secret, enabled, last_step) = row.ok_or(Error::NotFound)?;
        Ok(secret.map(|sealed_secret| TotpState { sealed_secret, enabled, last_step }))
    }

    /// Turns two-factor on with the step of its first right code and the recovery codes'
    /// hashes; false when it is on already or that step was used.
    pub async fn enable_totp(&self, user: UserId, step: i64, recovery: &[[u8; 32]]) -> Result<bool> {
        let now = now_micros();
        with_tx!(self, |tx| {
            let changed = sqlx::query(
                "UPDATE users SET totp_enabled_at = $2, totp_last_step = $3 \
                 WHERE id = $1 AND totp_enabled_at IS NULL AND totp_secret IS NOT NULL AND totp_last_step < $3",
            )
            .bind(user.0)
            .bind(now)
            .bind(step)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
            for hash in recovery {
                sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                    .bind(user.0)
                    .bind(hash.as_slice())
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(true)
    }

    /// Uses the code of time step `step`: true unless that step (or a later one) was used.
    pub async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool> {
        let changed = with_tx!(self, |tx| {
            sqlx::query(
                "UPDATE users SET totp_last_step = $2 \
                 WHERE id = $1 AND totp_enabled_at IS NOT NULL AND totp_last_step < $2",
            )
            .bind(user.0)
            .bind(step)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        Ok(changed == 1)
    }

    /// Uses a recovery code: true when it was one of the person's and not used yet.
    pub async fn use_recovery_code(&self, user: UserId, hash: &[u8; 32]) -> Result<bool> {
        let now = now_micros();
        let changed = with_tx!(self, |tx| {
            sqlx::query(
                "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
            )
            .bind(user.0)
            .bind(hash.as_slice())
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        Ok(changed == 1)
    }

    /// Replaces the person's recovery codes.
    pub async fn replace_recovery_codes(&self, user: UserId, recovery: &[[u8; 32]]) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
            for hash in recovery {
                sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                    .bind(user.0)
                    .bind(hash.as_slice())
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(())
    }

    /// Recovery codes the person has not used.
    pub async fn recovery_codes_left(&self, user: UserId) -> Result<usize> {
        let n: i64 = with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                .bind(user.0)
                .fetch_one(pool)
                .await?
        });
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Turns the person's two-factor off: secret, recovery codes and waiting sign-ins go.
    /// `by` is the admin who reset it for them, recorded as a team event.
    pub async fn clear_totp(&self, user: UserId, by: Option<UserId>) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            let changed = sqlx::query("UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL WHERE id = $1")
                .bind(user.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(Error::NotFound);
            }
            for sql in
                ["DELETE FROM recovery_codes WHERE user_id = $1", "DELETE FROM sign_in_challenges WHERE user_id = $1"]
            {
                sqlx::query(sql).bind(user.0).execute(&mut *tx).await?;
            }
            if let Some(by) = by {
                tx.record_team(&TeamEntry::by(by, TeamChange::TwoFactorReset).user(user), now).await?;
            }
        });
        Ok(())
    }

    /// Stores a sign-in that waits for a code until `expires_at`.
    pub async fn create_challenge(&self, token_hash: &[u8], user: UserId, expires_at: i64) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("DELETE FROM sign_in_challenges WHERE expires_at <= $1")
                .bind(now_micros())
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO sign_in_challenges (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
                .bind(token_hash)
                .bind(user.0)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// Counts one try against a waiting sign-in and answers whose it is; `None` once it has
    /// expired, been used or run out of tries.
    pub async fn try_challenge(&self, token_hash: &[u8]) -> Result<Option<UserId>> {
        let now = now_micros();
        let user: Option<Uuid> = with_tx!(self, |tx| {
            sqlx::query_scalar(
                "UPDATE sign_in_challenges SET attempts = attempts + 1 \
                 WHERE token_hash = $1 AND expires_at > $2 AND attempts < $3 RETURNING user_id",
            )
            .bind(token_hash)
            .bind(now)
            .bind(CHALLENGE_TRIES)
            .fetch_optional(&mut *tx)
            .await?
        });
        Ok(user.map(UserId))
    }

    /// Ends a waiting sign-in (its code came).
    pub async fn end_challenge(&self, token_hash: &[u8]) -> Result<bool> {
        let ended = with_tx!(self, |tx| {
            sqlx::query("DELETE FROM sign_in_challenges WHERE token_hash = $1")
                .bind(token_hash)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        Ok(ended == 1)
    }

    /// Whether the team requires two-factor sign-in.
    pub async fn team_requires_two_factor(&self) -> Result<bool> {
        let found: Option<bool> = with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT require_two_factor FROM team WHERE id = 1").fetch_optional(pool).await?
        });
        Ok(found.unwrap_or(false))
    }

    /// Requires two-factor sign-in of everyone, or stops requiring it; `by` is recorded.
    pub async fn set_team_requires_two_factor(&self, required: bool, by: UserId) -> Result<()> {
        let now = now_micros();
        let change = if required { TeamChange::TwoFactorRequired } else { TeamChange::TwoFactorOptional };
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO team (id, created_at, set_up_at, require_two_factor) VALUES (1, $1, $1, $2) \
                 ON CONFLICT (id) DO UPDATE SET require_two_factor = excluded.require_two_factor",
            )
            .bind(now)
            .bind(required)
            .execute(&mut *tx)
            .await?;
            tx.record_team(&TeamEntry::by(by, change), now).await?;
        });
        Ok(())
    }
}
