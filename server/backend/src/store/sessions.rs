//! Server-side sessions. The store sees only the SHA-256 of a session token.

use model::UserId;

use super::users::{User, UserRow};
use super::{Store, with_reader, with_tx};
use crate::error::Result;
use crate::time::now_micros;

impl Store {
    /// Stores a new session for `user` until `expires_at`.
    pub async fn create_session(
        &self,
        token_hash: &[u8],
        user: UserId,
        expires_at: i64,
        client_ip: Option<String>,
        user_agent: Option<String>,
    ) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, client_ip, user_agent) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(token_hash)
            .bind(user.0)
            .bind(now)
            .bind(expires_at)
            .bind(client_ip)
            .bind(user_agent)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// The active user whose unexpired session has this token hash. One query: it runs on
    /// every request.
    pub async fn session_user(&self, token_hash: &[u8]) -> Result<Option<User>> {
        let now = now_micros();
        let sql = "SELECT u.id, u.email, u.name, u.role, u.active, u.locale, u.time_zone, u.password_hash \
                   FROM sessions s JOIN users u ON u.id = s.user_id \
                   WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active";
        let row: Option<UserRow> =
            with_reader!(self, |pool| sqlx::query_as(sql).bind(token_hash).bind(now).fetch_optional(pool).await?);
        row.map(User::try_from).transpose()
    }

    /// Ends one session.
    pub async fn delete_session(&self, token_hash: &[u8]) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
        });
        Ok(())
    }

    /// Removes sessions that have expired.
    pub async fn delete_expired_sessions(&self) -> Result<u64> {
        let now = now_micros();
        let n = with_tx!(self, |tx| {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        Ok(n)
    }
}
