//! Sync leases: which node syncs a mailbox's IMAP folders, one at a time (see the migration
//! `0007_sync_leases.sql`). One upsert takes, renews or refuses a lease, so two nodes asking
//! at once cannot both get it on either engine.

use model::MailboxId;

use super::{Store, with_reader, with_tx};
use crate::error::Result;
use crate::time::now_micros;

/// A mailbox's lease as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncLease {
    pub holder: String,
    pub token: i64,
    pub expires_at: i64,
}

impl Store {
    /// Takes or renews the mailbox's sync lease for `holder` until `ttl_micros` from now.
    /// Returns its fencing token, which stays the same while the holder keeps renewing in
    /// time and grows when the lease changes hands; `None` while another node holds it.
    pub async fn acquire_sync_lease(&self, mailbox: MailboxId, holder: &str, ttl_micros: i64) -> Result<Option<i64>> {
        let now = now_micros();
        let token: Option<i64> = with_tx!(self, |tx| {
            sqlx::query_scalar(
                "INSERT INTO sync_leases (mailbox_id, holder, token, expires_at) VALUES ($1, $2, 1, $3) \
                 ON CONFLICT (mailbox_id) DO UPDATE SET \
                 token = CASE WHEN sync_leases.holder = excluded.holder AND sync_leases.expires_at >= $4 \
                         THEN sync_leases.token ELSE sync_leases.token + 1 END, \
                 holder = excluded.holder, expires_at = excluded.expires_at \
                 WHERE sync_leases.holder = excluded.holder OR sync_leases.expires_at < $4 \
                 RETURNING token",
            )
            .bind(mailbox.0)
            .bind(holder)
            .bind(now.saturating_add(ttl_micros))
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?
        });
        Ok(token)
    }

    /// The mailbox's lease, if any node ever held it.
    pub async fn sync_lease(&self, mailbox: MailboxId) -> Result<Option<SyncLease>> {
        let row: Option<(String, i64, i64)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT holder, token, expires_at FROM sync_leases WHERE mailbox_id = $1")
                .bind(mailbox.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(holder, token, expires_at)| SyncLease { holder, token, expires_at }))
    }
}
