//! "Test connection": signs in to the IMAP server, opens every folder to sync, and greets
//! the SMTP server with the credentials, answering with typed faults an admin can act on.

use std::time::Duration;

use model::{ConnectionCheck, ImapReached, MailFault};

use super::imap::{self, Limits};
use super::send::transport;
use crate::error::Error;
use crate::mail_settings::MailSettings;

/// Tries both servers with these settings and passwords.
pub async fn check(settings: &MailSettings, imap_password: &str, smtp_password: &str) -> ConnectionCheck {
    let limits = Limits { call: Duration::from_secs(15), ..Limits::default() };
    ConnectionCheck {
        imap: check_imap(settings, imap_password, &limits).await,
        smtp: check_smtp(settings, smtp_password).await,
    }
}

async fn check_imap(settings: &MailSettings, password: &str, limits: &Limits) -> Result<ImapReached, MailFault> {
    let mut session = imap::sign_in(&settings.imap, password, limits).await.map_err(fault)?;
    let mut folders = Vec::new();
    for folder in &settings.folders {
        match imap::examine(&mut session, folder, limits).await {
            Ok((_, exists)) => folders.push((folder.clone(), exists)),
            Err(e) => {
                imap::sign_out(session, limits).await;
                return Err(fault(e));
            }
        }
    }
    imap::sign_out(session, limits).await;
    Ok(ImapReached { user: settings.imap.user.trim().to_string(), folders })
}

async fn check_smtp(settings: &MailSettings, password: &str) -> Result<String, MailFault> {
    let endpoint = &settings.smtp;
    let host = endpoint.host.trim();
    // Resolve and connect first, for the plain words about names and ports.
    super::net::connect_tcp(host, endpoint.port, Duration::from_secs(15)).await.map_err(fault)?;
    let transport = transport(endpoint, password, Duration::from_secs(15)).map_err(fault)?;
    match transport.test_connection().await {
        Ok(true) => Ok(host.to_string()),
        Ok(false) => Err(MailFault::SmtpNotAccepted { host: host.to_string() }),
        Err(e) if e.is_client() => {
            Err(super::send::setup_fault(&e).unwrap_or_else(|| MailFault::SmtpMisfit { detail: e.to_string() }))
        }
        Err(e) if e.is_permanent() => Err(MailFault::SmtpRejected { detail: e.to_string() }),
        Err(e) if e.to_string().to_lowercase().contains("tls") => {
            Err(MailFault::TlsFailed { host: host.to_string(), detail: e.to_string() })
        }
        Err(e) => Err(MailFault::SmtpFailed { detail: e.to_string() }),
    }
}

/// The fault a step failed with; anything else (a bug) in its own words.
fn fault(error: Error) -> MailFault {
    match error {
        Error::Remote(fault) => fault,
        other => MailFault::Other { detail: other.to_string() },
    }
}
