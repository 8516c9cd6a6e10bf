//! Raw mails to messages: read the stored bytes, parse, sanitize the HTML, store the
//! attachments, then store the message in one transaction ([`Store::ingest_mail`]).
//!
//! A mail that fails is counted; the third failure quarantines it with its reason, and the
//! mails after it go on regardless.

use std::collections::HashSet;

use model::MailboxId;
use uuid::Uuid;

use super::blobs::Blobs;
use super::parse::{self, ParsedMail};
use super::sanitize::sanitize_html;
use crate::error::{Error, Result};
use crate::store::{InboundMail, IncomingMail, IngestOutcome, Store, StoredAttachment};

/// What one pass over a mailbox's waiting mails did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestReport {
    pub stored: u64,
    pub duplicates: u64,
    pub failed: u64,
    pub quarantined: u64,
}

/// Parses and stores mails.
#[derive(Debug, Clone)]
pub struct Ingest {
    pub store: Store,
    pub blobs: Blobs,
    pub max_mail_bytes: usize,
}

/// A mail parsed and its parts stored, ready for the transaction.
struct Prepared {
    parsed: ParsedMail,
    html: Option<String>,
    attachments: Vec<StoredAttachment>,
}

impl Ingest {
    /// Parses and stores every mail of the mailbox waiting to be, each at most once in this
    /// pass.
    pub async fn run(&self, mailbox: MailboxId) -> Result<IngestReport> {
        let mut report = IngestReport::default();
        let mut tried: HashSet<Uuid> = HashSet::new();
        loop {
            let batch = self.store.pending_inbound(mailbox, 200).await?;
            let fresh: Vec<InboundMail> = batch.into_iter().filter(|m| !tried.contains(&m.id)).collect();
            if fresh.is_empty() {
                return Ok(report);
            }
            for mail in fresh {
                tried.insert(mail.id);
                match self.one(mailbox, &mail).await {
                    Ok(IngestOutcome::Stored { .. }) => report.stored += 1,
                    Ok(IngestOutcome::Duplicate { .. }) => report.duplicates += 1,
                    Err(err) => {
                        let reason = reason(&err);
                        tracing::warn!(%mailbox, sha256 = %mail.sha256, error = %reason, "a mail failed to ingest");
                        report.failed += 1;
                        if self.store.inbound_failed(mail.id, &reason).await? {
                            report.quarantined += 1;
                        }
                    }
                }
            }
        }
    }

    async fn one(&self, mailbox: MailboxId, mail: &InboundMail) -> Result<IngestOutcome> {
        let blobs = self.blobs.clone();
        let (sha, max) = (mail.sha256.clone(), self.max_mail_bytes);
        let prepared = tokio::task::spawn_blocking(move || prepare(&blobs, &sha, max))
            .await
            .map_err(|e| Error::Internal(format!("the parser stopped: {e}")))??;
        self.store
            .ingest_mail(
                mailbox,
                Some(mail.id),
                IncomingMail {
                    raw_sha256: &mail.sha256,
                    parsed: &prepared.parsed,
                    body_html: prepared.html,
                    attachments: prepared.attachments,
                },
            )
            .await
    }

    /// Stores raw bytes that did not come through IMAP (tests, imports) and ingests them at
    /// once.
    pub async fn ingest_raw(&self, mailbox: MailboxId, raw: Vec<u8>) -> Result<IngestOutcome> {
        let blobs = self.blobs.clone();
        let max = self.max_mail_bytes;
        let (sha, prepared) = tokio::task::spawn_blocking(move || -> Result<(String, Prepared)> {
            let sha = blobs.put(&raw)?;
            let prepared = prepare(&blobs, &sha, max)?;
            Ok((sha, prepared))
        })
        .await
        .map_err(|e| Error::Internal(format!("the parser stopped: {e}")))??;
        self.store
            .ingest_mail(
                mailbox,
                None,
                IncomingMail {
                    raw_sha256: &sha,
                    parsed: &prepared.parsed,
                    body_html: prepared.html,
                    attachments: prepared.attachments,
                },
            )
            .await
    }
}

/// The words kept with a failed mail.
fn reason(err: &Error) -> String {
    match err {
        Error::Invalid(words) => words.clone(),
        other => other.to_string(),
    }
}

fn prepare(blobs: &Blobs, sha: &str, max_bytes: usize) -> Result<Prepared> {
    let raw = blobs.get(sha)?;
    let parsed = parse::parse(&raw, max_bytes)?;
    let html = parsed.html.as_deref().map(sanitize_html).filter(|h| !h.trim().is_empty());
    let mut attachments = Vec::with_capacity(parsed.attachments.len());
    for attachment in &parsed.attachments {
        attachments.push(StoredAttachment {
            filename: attachment.filename.clone(),
            content_type: attachment.content_type.clone(),
            size: i64::try_from(attachment.bytes.len()).unwrap_or(i64::MAX),
            sha256: blobs.put(&attachment.bytes)?,
            content_id: attachment.content_id.clone(),
            inline: attachment.inline,
        });
    }
    Ok(Prepared { parsed, html, attachments })
}
