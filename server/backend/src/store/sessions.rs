//! Server-side sessions. The store sees only the SHA-256 of a session token.

use model::UserId;

use super::users::{User, UserRow};
use super::{Store, with_reader, with_tx};
use crate::error::Result;
use crate::time::now_micros;

/// A valid session, as the request gate reads it.
#[derive(Debug, Clone)]
pub struct SessionFound {
    pub user: User,
    pub team_requires_two_factor: bool,
    pub last_seen_at: i64,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    required: bool,
    last_seen_at: i64,
}

/// One of a person's sessions, for their list of signed-in browsers.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredSession {
    pub token_hash: Vec<u8>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

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
        Ok(self.session(token_hash).await?.map(|s| s.user))
    }

    /// The session with this token hash, if it is valid: its user, whether the team
    /// requires two-factor sign-in, and when it was last used. One query: it runs on every
    /// request.
    pub async fn session(&self, token_hash: &[u8]) -> Result<Option<SessionFound>> {
        let now = now_micros();
        let sql = "SELECT u.id, u.email, u.name, u.role, u.active, u.locale, u.time_zone, \
                   u.totp_enabled_at IS NOT NULL AS two_factor, u.password_hash, \
                   COALESCE((SELECT t.require_two_factor FROM team t WHERE t.id = 1), FALSE) AS required, \
                   COALESCE(s.last_seen_at, s.created_at) AS last_seen_at \
                   FROM sessions s JOIN users u ON u.id = s.user_id \
                   WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active";
        let row: Option<SessionRow> =
            with_reader!(self, |pool| sqlx::query_as(sql).bind(token_hash).bind(now).fetch_optional(pool).await?);
        row.map(|row| {
            Ok(SessionFound {
                team_requires_two_factor: row.required,
                last_seen_at: row.last_seen_at,
                user: User::try_from(row.user)?,
            })
        })
        .transpose()
    }

    /// Notes that the session was used now.
    pub async fn touch_session(&self, token_hash: &[u8]) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
                .bind(token_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// The user's unexpired sessions, most recently used first.
    pub async fn sessions_of(&self, user: UserId) -> Result<Vec<StoredSession>> {
        let now = now_micros();
        let rows: Vec<StoredSession> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT token_hash, created_at, COALESCE(last_seen_at, created_at) AS last_seen_at, client_ip, user_agent \
                 FROM sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC",
            )
            .bind(user.0)
            .bind(now)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// Ends the user's sessions whose token hash starts with `prefix` (all of them when it is
    /// empty), except the one hashed `keep`. Answers how many ended.
    pub async fn end_sessions(&self, user: UserId, prefix: &[u8], keep: &[u8]) -> Result<u64> {
        let ended = with_tx!(self, |tx| {
            let hashes: Vec<Vec<u8>> = sqlx::query_scalar("SELECT token_hash FROM sessions WHERE user_id = $1")
                .bind(user.0)
                .fetch_all(&mut *tx)
                .await?;
            let mut ended = 0;
            for hash in hashes.iter().filter(|h| h.starts_with(prefix) && h.as_slice() != keep) {
                ended += sqlx::query("DELETE FROM sessions WHERE token_hash = $1 AND user_id = $2")
                    .bind(hash)
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            ended
        });
        Ok(ended)
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
