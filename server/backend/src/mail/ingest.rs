//! Raw mails to messages: read the stored bytes, parse, sanitize the HTML, store the
//! attachments, then store the message in one transaction ([`Store::ingest_mail`]).
//!
//! A mail that fails never holds up the mails after it. One the parser or the store refuses
//! is quarantined at once with its reason (the same bytes would be refused again); one that
//! failed for a passing reason is tried again on its own timer, with backoff (see
//! [`crate::store::after_failure`]).

use std::collections::HashSet;

use model::{MailboxId, SetAside};
use uuid::Uuid;

use super::blobs::Blobs;
use super::parse::{self, ParsedMail};
use super::sanitize::sanitize_html;
use crate::error::{Error, Result};
use crate::store::{Failure, InboundMail, IncomingMail, IngestOutcome, Store, StoredAttachment};

/// Mails stored per transaction.
pub const BATCH: usize = 50;

/// What one pass over a mailbox's waiting mails did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestReport {
    pub stored: u64,
    pub duplicates: u64,
    pub failed: u64,
    pub quarantined: u64,
}

impl IngestReport {
    fn count(&mut self, outcome: &IngestOutcome) {
        match outcome {
            IngestOutcome::Stored { .. } => self.stored += 1,
            IngestOutcome::Duplicate { .. } => self.duplicates += 1,
        }
    }
}

/// What the store needs of a prepared mail.
fn incoming<'a>(mail: &'a InboundMail, prepared: &'a Prepared) -> IncomingMail<'a> {
    IncomingMail {
        raw_sha256: &mail.sha256,
        parsed: &prepared.parsed,
        body_html: prepared.html.clone(),
        attachments: prepared.attachments.clone(),
    }
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
    /// pass: parsed on a blocking thread, stored [`BATCH`] to a transaction.
    pub async fn run(&self, mailbox: MailboxId) -> Result<IngestReport> {
        let mut report = IngestReport::default();
        let mut tried: HashSet<Uuid> = HashSet::new();
        loop {
            let batch = self.store.pending_inbound(mailbox, 200).await?;
            let fresh: Vec<InboundMail> = batch.into_iter().filter(|m| !tried.contains(&m.id)).collect();
            if fresh.is_empty() {
                return Ok(report);
            }
            tried.extend(fresh.iter().map(|m| m.id));
            let (blobs, max) = (self.blobs.clone(), self.max_mail_bytes);
            let prepared: Vec<(InboundMail, Result<Prepared>)> = tokio::task::spawn_blocking(move || {
                fresh
                    .into_iter()
                    .map(|mail| {
                        let prepared = prepare(&blobs, &mail.sha256, max);
                        (mail, prepared)
                    })
                    .collect()
            })
            .await
            .map_err(|e| Error::Internal(format!("the parser stopped: {e}")))?;
            let mut ready = Vec::with_capacity(prepared.len());
            for (mail, result) in prepared {
                match result {
                    Ok(prepared) => ready.push((mail, prepared)),
                    Err(err) => self.failed(&mut report, mailbox, &mail, &err).await?,
                }
            }
            for chunk in ready.chunks(BATCH) {
                let items: Vec<(Option<Uuid>, IncomingMail<'_>)> =
                    chunk.iter().map(|(mail, prepared)| (Some(mail.id), incoming(mail, prepared))).collect();
                match self.store.ingest_batch(mailbox, &items).await {
                    Ok(outcomes) => outcomes.iter().for_each(|o| report.count(o)),
                    // One mail broke the batch: store them one by one, so only it fails.
                    Err(_) => {
                        for (mail, prepared) in chunk {
                            match self.store.ingest_mail(mailbox, Some(mail.id), incoming(mail, prepared)).await {
                                Ok(outcome) => report.count(&outcome),
                                Err(err) => self.failed(&mut report, mailbox, mail, &err).await?,
                            }
                        }
                    }
                }
            }
        }
    }

    async fn failed(
        &self,
        report: &mut IngestReport,
        mailbox: MailboxId,
        mail: &InboundMail,
        err: &Error,
    ) -> Result<()> {
        tracing::warn!(%mailbox, sha256 = %mail.sha256, error = %err, "a mail failed to ingest");
        report.failed += 1;
        if self.store.inbound_failed(mail.id, &reason(err).stored(), failure_of(err)).await? {
            report.quarantined += 1;
        }
        Ok(())
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

/// Whether a failure can pass: the parser's verdict ([`Error::NotAMail`]) on the same bytes
/// cannot, nor can a refusal of what it holds.
fn failure_of(err: &Error) -> Failure {
    match err {
        Error::NotAMail(_) | Error::Invalid(_) | Error::Refused(_) => Failure::Refused,
        _ => Failure::Passing,
    }
}

/// The reason kept with a failed mail, shown if it ends in quarantine.
fn reason(err: &Error) -> SetAside {
    match err {
        Error::NotAMail(reason) => reason.clone(),
        Error::Invalid(_) | Error::Refused(_) => SetAside::Refused { detail: err.to_string() },
        other => SetAside::KeptFailing { detail: other.to_string() },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parsers_verdict_and_refusals_are_final_and_keep_their_reason() {
        let not_a_mail = Error::NotAMail(SetAside::NoHeaders);
        assert_eq!(failure_of(&not_a_mail), Failure::Refused);
        assert_eq!(reason(&not_a_mail), SetAside::NoHeaders);

        let refused = Error::Refused(model::Refusal::BadColour);
        assert_eq!(failure_of(&refused), Failure::Refused);
        assert!(matches!(reason(&refused), SetAside::Refused { detail } if detail.contains("colour")));
    }

    #[test]
    fn what_may_pass_is_tried_again_and_says_what_failed_last() {
        let failed = Error::Internal("the blob store is unreachable".into());
        assert_eq!(failure_of(&failed), Failure::Passing);
        assert!(matches!(reason(&failed), SetAside::KeptFailing { detail } if detail.contains("blob store")));
    }
}
