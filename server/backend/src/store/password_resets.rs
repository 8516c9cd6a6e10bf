//! Password reset links: who asked, until when the link works, and whether it was used.
//!
//! Only the token's SHA-256 is stored. Asking again replaces the links not used yet, so only
//! the newest mail works, even when two requests race. Using a link is one transaction: a conditional `UPDATE` takes the
//! unused, unexpired link (of two racing uses one wins), the password hash changes, and every
//! session of the person ends.

use model::{MailboxId, UserId};
use uuid::Uuid;

use super::outbox::{SystemMail, queue_system_mail};
use super::users::User;
use super::{Store, with_reader, with_tx};
use crate::error::Result;
use crate::time::now_micros;

/// Ends the links of person `$1` not used yet (at `$2`): a newer one was asked for, or the
/// password they would replace is gone.
pub(super) const REPLACE_LINKS: &str =
    "UPDATE password_resets SET replaced_at = $2 WHERE user_id = $1 AND used_at IS NULL AND replaced_at IS NULL";

/// Why a reset link did nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetRefused {
    /// Older than its hour.
    Expired,
    /// Used already.
    Used,
    /// Replaced by a newer link, or never made.
    Withdrawn,
}

impl Store {
    /// Records a reset link for `user` (replacing the ones not used yet) and queues its mail.
    pub async fn create_password_reset(
        &self,
        user: UserId,
        token_hash: &[u8; 32],
        expires_at: i64,
        mail: (MailboxId, SystemMail),
    ) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            // The person's row first, locked: two requests racing on PostgreSQL take turns, so
            // the second replaces the first's link instead of missing it and leaving two.
            sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query(REPLACE_LINKS).bind(user.0).bind(now).execute(&mut *tx).await?;
            queue_system_mail(&mut *tx, mail.0, &mail.1, now).await?;
            sqlx::query(
                "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(&token_hash[..])
            .bind(user.0)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// The person a working reset link belongs to; the inner `Err` says why it does not work.
    pub async fn password_reset_user(&self, token_hash: &[u8; 32]) -> Result<std::result::Result<User, ResetRefused>> {
        let row: Option<(Uuid, i64, Option<i64>, Option<i64>)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT user_id, expires_at, used_at, replaced_at FROM password_resets WHERE token_hash = $1",
            )
            .bind(&token_hash[..])
            .fetch_optional(pool)
            .await?
        });
        Ok(match row {
            None | Some((_, _, None, Some(_))) => Err(ResetRefused::Withdrawn),
            Some((_, _, Some(_), _)) => Err(ResetRefused::Used),
            Some((_, expires_at, None, None)) if expires_at <= now_micros() => Err(ResetRefused::Expired),
            Some((user, ..)) => {
                let user = self.user(UserId(user)).await?;
                // Deactivated since asking: the link does nothing.
                if user.active { Ok(user) } else { Err(ResetRefused::Withdrawn) }
            }
        })
    }

    /// Uses a reset link: the new password hash replaces the old one and every session of the
    /// person ends, all or nothing.
    pub async fn use_password_reset(
        &self,
        token_hash: &[u8; 32],
        password_hash: &str,
    ) -> Result<std::result::Result<UserId, ResetRefused>> {
        let now = now_micros();
        with_tx!(self, |tx| {
            let used: Option<Uuid> = sqlx::query_scalar(
                "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL \
                 AND replaced_at IS NULL AND expires_at > $2 \
                 AND user_id IN (SELECT id FROM users WHERE active) RETURNING user_id",
            )
            .bind(&token_hash[..])
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(user) = used else {
                let found: Option<(Option<i64>, Option<i64>)> =
                    sqlx::query_as("SELECT used_at, replaced_at FROM password_resets WHERE token_hash = $1")
                        .bind(&token_hash[..])
                        .fetch_optional(&mut *tx)
                        .await?;
                return Ok(Err(match found {
                    Some((Some(_), _)) => ResetRefused::Used,
                    Some((None, None)) => ResetRefused::Expired,
                    _ => ResetRefused::Withdrawn,
                }));
            };
            sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
                .bind(user)
                .bind(password_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user).execute(&mut *tx).await?;
            Ok(Ok(UserId(user)))
        })
    }

    /// Moves every reset link of `user` to expire at `at`, as if time had passed. For tests.
    #[doc(hidden)]
    pub async fn set_password_reset_expiry(&self, user: UserId, at: i64) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("UPDATE password_resets SET expires_at = $2 WHERE user_id = $1")
                .bind(user.0)
                .bind(at)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }
}
