//! SMTP out: the outbox worker. It claims due replies, sends each one's stored bytes with
//! lettre, and records what the server said:
//!
//! - accepted (2xx): sent, never again;
//! - 4xx, a dropped connection or a timeout: retrying, with backoff, for up to 24 hours;
//! - 5xx: failed, with the server's words for the agent;
//! - a set-up that cannot work with this server (a password set but no AUTH offered,
//!   STARTTLS chosen but not offered): failed at once, saying what an admin should change.
//!
//! A row left `sending` by a crash is claimed again once it is older than twice the SMTP time
//! limit (no live attempt lasts that long, see [`stale_after`]) and sent with the same bytes,
//! so a duplicate, if the server had accepted the first attempt, carries the same Message-ID.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncTransport, Tokio1Executor};

use crate::error::{Error, Result};
use crate::mail_settings::{Endpoint, Security};
use crate::secret::SecretKey;
use crate::store::{DueMail, Store};
use crate::time::now_micros;
use model::MailFault;

/// A claimed row still `sending` after this long (microseconds) was cut off by a crash: a
/// live attempt gives up after `smtp_timeout`.
pub fn stale_after(smtp_timeout: Duration) -> i64 {
    i64::try_from(smtp_timeout.saturating_mul(2).as_micros()).unwrap_or(i64::MAX)
}
/// Temporary failures are retried for this long after the reply was written.
pub const GIVE_UP_AFTER_MICROS: i64 = 24 * 3600 * 1_000_000;

/// The wait before attempt `attempts + 1`: 30 s, 1, 2, 4 … minutes, at most an hour.
pub fn backoff_micros(attempts: i64) -> i64 {
    let secs = 30i64.saturating_mul(1 << attempts.clamp(0, 7)).min(3600);
    secs * 1_000_000
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    /// Try again later, for this reason.
    Temporary(MailFault),
    /// Refused for good, for this reason.
    Permanent(MailFault),
}

/// A transport for an SMTP endpoint.
pub fn transport(endpoint: &Endpoint, password: &str, timeout: Duration) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
    let host = endpoint.host.trim().to_string();
    let tls_parameters = || {
        TlsParameters::new(host.clone())
            .map_err(|e| Error::Remote(MailFault::TlsFailed { host: host.clone(), detail: e.to_string() }))
    };
    let tls = match endpoint.security {
        Security::None => Tls::None,
        Security::StartTls => Tls::Required(tls_parameters()?),
        Security::Tls => Tls::Wrapper(tls_parameters()?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
        .port(endpoint.port)
        .tls(tls)
        .timeout(Some(timeout));
    if !password.is_empty() {
        builder = builder.credentials(Credentials::new(endpoint.user.trim().to_string(), password.to_string()));
    }
    Ok(builder.build())
}

/// The SMTP envelope of a claimed reply.
fn envelope(mail: &DueMail) -> std::result::Result<Envelope, MailFault> {
    let bad = |detail: String| MailFault::BadEnvelope { detail };
    let from: Address = mail.envelope_from.parse().map_err(|_| bad(format!("sender {:?}", mail.envelope_from)))?;
    let to: Vec<Address> = mail
        .envelope_to
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().parse().map_err(|_| bad(format!("recipient {l:?}"))))
        .collect::<std::result::Result<_, _>>()?;
    Envelope::new(Some(from), to).map_err(|e| bad(e.to_string()))
}

/// Sends one claimed reply's bytes.
pub async fn attempt(transport: &AsyncSmtpTransport<Tokio1Executor>, mail: &DueMail) -> Attempt {
    let envelope = match envelope(mail) {
        Ok(envelope) => envelope,
        Err(fault) => return Attempt::Permanent(fault),
    };
    match transport.send_raw(&envelope, &mail.raw).await {
        Ok(_) => Attempt::Sent,
        Err(e) => match setup_fault(&e) {
            Some(fault) => Attempt::Permanent(fault),
            None if e.is_permanent() => Attempt::Permanent(smtp_fault(&e)),
            None => Attempt::Temporary(smtp_fault(&e)),
        },
    }
}

/// What an admin must change when the mailbox's SMTP set-up cannot work with its server.
/// lettre calls these client errors: they come from what we asked for, not from the
/// server's state, so trying again cannot help.
pub fn setup_fault(error: &lettre::transport::smtp::Error) -> Option<MailFault> {
    if !error.is_client() {
        return None;
    }
    let text = error.to_string();
    let lower = text.to_lowercase();
    Some(if lower.contains("authentication mechanism") {
        MailFault::SmtpNoAuth
    } else if lower.contains("starttls") {
        MailFault::SmtpNoStartTls
    } else if lower.contains("not encrypted") {
        MailFault::SmtpNotEncrypted
    } else {
        MailFault::SmtpMisfit { detail: text }
    })
}

/// The server's own words where there are some.
fn smtp_fault(error: &lettre::transport::smtp::Error) -> MailFault {
    let detail = error.to_string();
    match error.status() {
        Some(code) => MailFault::SmtpAnswered { code: code.to_string(), detail },
        None => MailFault::SmtpUnreachable { detail },
    }
}

/// Records an attempt's result.
pub async fn settle(store: &Store, mail: &DueMail, result: Attempt) -> Result<()> {
    let now = now_micros();
    match result {
        Attempt::Sent => store.outbox_sent(mail.id).await,
        Attempt::Permanent(fault) => store.outbox_failed(mail.id, &fault.stored()).await,
        Attempt::Temporary(fault) if now - mail.created_at >= GIVE_UP_AFTER_MICROS => {
            store.outbox_failed(mail.id, &MailFault::GaveUp { last: Box::new(fault) }.stored()).await
        }
        Attempt::Temporary(fault) => {
            store.outbox_retry(mail.id, &fault.stored(), now + backoff_micros(mail.attempts)).await
        }
    }
}

/// One pass: claims what is due and sends it. Returns how many were tried.
pub async fn send_due(store: &Store, key: &SecretKey, timeout: Duration) -> Result<usize> {
    let due = store.claim_outbox(now_micros(), stale_after(timeout), 20).await?;
    let count = due.len();
    for mail in due {
        let result = match store.mail_settings_of(mail.mailbox_id).await? {
            Some((settings, sealed)) => {
                let password = match sealed.map(|s| key.open(&s)).transpose() {
                    Ok(p) => p.unwrap_or_default(),
                    Err(_) => {
                        settle(store, &mail, Attempt::Temporary(MailFault::SmtpPasswordUnreadable)).await?;
                        continue;
                    }
                };
                if mail.raw.is_empty() {
                    Attempt::Permanent(MailFault::WrittenBeforeServers)
                } else {
                    match transport(&settings.smtp, &password, timeout) {
                        Ok(transport) => attempt(&transport, &mail).await,
                        // The TLS set-up cannot work with this host name: a setting to change.
                        Err(Error::Remote(fault)) => Attempt::Permanent(fault),
                        Err(e) => Attempt::Temporary(MailFault::Other { detail: e.to_string() }),
                    }
                }
            }
            None => Attempt::Temporary(MailFault::NoSmtpServer),
        };
        match &result {
            Attempt::Sent => tracing::info!(outbox = %mail.id, "reply sent"),
            Attempt::Temporary(w) => tracing::warn!(outbox = %mail.id, error = %w, "reply not sent yet"),
            Attempt::Permanent(w) => tracing::warn!(outbox = %mail.id, error = %w, "reply refused"),
        }
        settle(store, &mail, result).await?;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stops_at_an_hour() {
        assert_eq!(backoff_micros(0), 30_000_000);
        assert_eq!(backoff_micros(1), 60_000_000);
        assert_eq!(backoff_micros(20), 3_600_000_000);
    }
}
