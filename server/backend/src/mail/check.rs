//! "Test connection": signs in to the IMAP server, opens every folder to sync, and greets
//! the SMTP server with the credentials, answering in words an admin can act on.

use std::time::Duration;

use super::imap::{self, Limits};
use super::send::transport;
use crate::error::Error;
use crate::mail_settings::MailSettings;

/// What a connection test found, step by step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// `Ok(words)` for a step that worked, `Err(words)` for one that did not.
    pub imap: std::result::Result<String, String>,
    pub smtp: std::result::Result<String, String>,
}

impl CheckReport {
    /// Both servers work.
    pub fn ok(&self) -> bool {
        self.imap.is_ok() && self.smtp.is_ok()
    }
}

/// Tries both servers with these settings and passwords.
pub async fn check(settings: &MailSettings, imap_password: &str, smtp_password: &str) -> CheckReport {
    let limits = Limits { call: Duration::from_secs(15), ..Limits::default() };
    CheckReport {
        imap: check_imap(settings, imap_password, &limits).await,
        smtp: check_smtp(settings, smtp_password).await,
    }
}

async fn check_imap(settings: &MailSettings, password: &str, limits: &Limits) -> std::result::Result<String, String> {
    let mut session = imap::sign_in(&settings.imap, password, limits).await.map_err(words)?;
    let mut found = Vec::new();
    for folder in &settings.folders {
        match imap::examine(&mut session, folder, limits).await {
            Ok((_, exists)) => found.push(format!("{folder} ({exists} mails)")),
            Err(e) => {
                imap::sign_out(session, limits).await;
                return Err(words(e));
            }
        }
    }
    imap::sign_out(session, limits).await;
    Ok(format!("signed in as {}; folders found: {}", settings.imap.user.trim(), found.join(", ")))
}

async fn check_smtp(settings: &MailSettings, password: &str) -> std::result::Result<String, String> {
    let endpoint = &settings.smtp;
    let host = endpoint.host.trim();
    // Resolve and connect first, for the plain words about names and ports.
    super::net::connect_tcp(host, endpoint.port, Duration::from_secs(15)).await.map_err(words)?;
    let transport = transport(endpoint, password, Duration::from_secs(15)).map_err(words)?;
    match transport.test_connection().await {
        Ok(true) => Ok(format!("{host} accepted the connection and the sign-in")),
        Ok(false) => Err(format!("{host} did not accept the connection")),
        Err(e) if e.is_client() => Err(super::send::setup_words(&e).unwrap_or_else(|| e.to_string())),
        Err(e) if e.is_permanent() => Err(format!("the SMTP server rejected us: {e} (check the user and password)")),
        Err(e) if e.to_string().to_lowercase().contains("tls") => Err(format!("TLS failed with {host}: {e}")),
        Err(e) => Err(format!("the SMTP server failed: {e}")),
    }
}

fn words(error: Error) -> String {
    match error {
        Error::Remote(words) | Error::Invalid(words) => words,
        other => other.to_string(),
    }
}
