//! A mailbox's mail-server settings as stored; the passwords stay sealed bytes here.

use model::{MailboxId, TeamChange, UserId};
use uuid::Uuid;

use super::team_events::{TeamEntry, TeamRows};
use super::{Store, parse_stored, with_reader, with_tx};
use crate::error::Result;
use crate::mail_settings::{Endpoint, MailSettings, StoredMailSettings};
use crate::time::now_micros;

#[derive(sqlx::FromRow)]
struct MailRow {
    mailbox_id: Uuid,
    imap_host: String,
    imap_port: i32,
    imap_security: String,
    imap_user: String,
    has_imap_password: bool,
    imap_folders: String,
    smtp_host: String,
    smtp_port: i32,
    smtp_security: String,
    smtp_user: String,
    has_smtp_password: bool,
    from_style: String,
    sync_since: Option<i64>,
}

/// The sealed IMAP and SMTP passwords, each if stored.
pub type SealedPasswords = (Option<Vec<u8>>, Option<Vec<u8>>);

const MAIL_SELECT: &str = "SELECT mailbox_id, imap_host, imap_port, imap_security, imap_user, \
     imap_password IS NOT NULL AS has_imap_password, imap_folders, smtp_host, smtp_port, smtp_security, smtp_user, \
     smtp_password IS NOT NULL AS has_smtp_password, from_style, sync_since FROM mail_settings";

impl MailRow {
    fn into_settings(self) -> Result<(MailboxId, StoredMailSettings)> {
        let port = |p: i32| u16::try_from(p).unwrap_or(0);
        let settings = MailSettings {
            imap: Endpoint {
                host: self.imap_host,
                port: port(self.imap_port),
                security: parse_stored("imap_security", &self.imap_security)?,
                user: self.imap_user,
            },
            folders: self.imap_folders.lines().map(str::to_string).collect(),
            smtp: Endpoint {
                host: self.smtp_host,
                port: port(self.smtp_port),
                security: parse_stored("smtp_security", &self.smtp_security)?,
                user: self.smtp_user,
            },
            from_style: parse_stored("from_style", &self.from_style)?,
            sync_since: self.sync_since,
        };
        Ok((
            MailboxId(self.mailbox_id),
            StoredMailSettings {
                settings,
                has_imap_password: self.has_imap_password,
                has_smtp_password: self.has_smtp_password,
            },
        ))
    }
}

impl Store {
    /// Stores a mailbox's mail servers; a password given as `None` keeps the stored one.
    /// `by` (`None`: the command line) is recorded.
    pub async fn save_mail_settings(
        &self,
        mailbox: MailboxId,
        settings: &MailSettings,
        (imap_password, smtp_password): (Option<Vec<u8>>, Option<Vec<u8>>),
        by: Option<UserId>,
    ) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO mail_settings (mailbox_id, imap_host, imap_port, imap_security, imap_user, imap_password, \
                 imap_folders, smtp_host, smtp_port, smtp_security, smtp_user, smtp_password, updated_at, from_style, sync_since) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                 ON CONFLICT (mailbox_id) DO UPDATE SET imap_host = $2, imap_port = $3, imap_security = $4, \
                 imap_user = $5, imap_password = COALESCE($6, mail_settings.imap_password), imap_folders = $7, \
                 smtp_host = $8, smtp_port = $9, smtp_security = $10, smtp_user = $11, \
                 smtp_password = COALESCE($12, mail_settings.smtp_password), updated_at = $13, from_style = $14, \
                 sync_since = $15",
            )
            .bind(mailbox.0)
            .bind(settings.imap.host.trim())
            .bind(i32::from(settings.imap.port))
            .bind(settings.imap.security.as_str())
            .bind(settings.imap.user.trim())
            .bind(imap_password)
            .bind(settings.folders.join("\n"))
            .bind(settings.smtp.host.trim())
            .bind(i32::from(settings.smtp.port))
            .bind(settings.smtp.security.as_str())
            .bind(settings.smtp.user.trim())
            .bind(smtp_password)
            .bind(now)
            .bind(settings.from_style.as_str())
            .bind(settings.sync_since)
            .execute(&mut *tx)
            .await?;
            tx.record_team(&TeamEntry::by(by, TeamChange::MailServersSaved).mailbox(mailbox), now).await?;
        });
        Ok(())
    }

    /// Every mailbox's mail-server settings (mailboxes without any are left out).
    pub async fn all_mail_settings(&self) -> Result<Vec<(MailboxId, StoredMailSettings)>> {
        let rows: Vec<MailRow> = with_reader!(self, |pool| sqlx::query_as(MAIL_SELECT).fetch_all(pool).await?);
        rows.into_iter().map(MailRow::into_settings).collect()
    }

    /// One mailbox's mail-server settings, if it has any.
    pub async fn mail_settings(&self, mailbox: MailboxId) -> Result<Option<StoredMailSettings>> {
        let sql = format!("{MAIL_SELECT} WHERE mailbox_id = $1");
        let row: Option<MailRow> =
            with_reader!(self, |pool| sqlx::query_as(&sql).bind(mailbox.0).fetch_optional(pool).await?);
        Ok(row.map(MailRow::into_settings).transpose()?.map(|(_, stored)| stored))
    }

    /// The sealed IMAP and SMTP passwords of a mailbox, for the mail workers.
    pub async fn sealed_mail_passwords(&self, mailbox: MailboxId) -> Result<SealedPasswords> {
        let row: Option<SealedPasswords> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT imap_password, smtp_password FROM mail_settings WHERE mailbox_id = $1")
                .bind(mailbox.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.unwrap_or((None, None)))
    }
}
