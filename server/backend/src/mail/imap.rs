//! IMAP in: sign in, open a folder read-only (EXAMINE), and fetch what is new with
//! `BODY.PEEK[]` in UID batches bounded by count and size, so nothing on the server is ever
//! marked read, moved or deleted.
//!
//! Every call has a time limit; a call that runs out drops the connection (the caller
//! reconnects with backoff). The raw bytes of each batch are stored as blobs, and only then does
//! the folder's last UID move past them, in the transaction that records them
//! ([`crate::Store::record_fetched`]).

use std::time::Duration;

use async_imap::{Client, Session};
use futures::TryStreamExt;
use model::{MailFault, MailboxId};

use super::blobs::Blobs;
use super::net::{MailStream, connect_tcp, start_tls};
use crate::error::{Error, Result};
use crate::mail_settings::{Endpoint, Security};
use crate::store::{Fetched, Store};

/// A signed-in IMAP connection.
pub type ImapSession = Session<MailStream>;

/// Time limits for IMAP calls.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connecting, signing in, and each small command.
    pub call: Duration,
    /// Fetching one batch.
    pub batch: Duration,
    /// Mails per batch.
    pub batch_count: usize,
    /// Bytes per batch (a single larger mail is fetched alone).
    pub batch_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            call: Duration::from_secs(30),
            batch: Duration::from_secs(180),
            batch_count: 100,
            batch_bytes: 16 * 1024 * 1024,
        }
    }
}

async fn within<T, E: std::fmt::Display>(
    limit: Duration,
    what: &str,
    call: impl Future<Output = std::result::Result<T, E>>,
) -> Result<T> {
    match tokio::time::timeout(limit, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(Error::Remote(MailFault::CommandFailed { command: what.to_string(), detail: e.to_string() })),
        Err(_) => Err(Error::Remote(MailFault::CommandTimeout { command: what.to_string(), secs: limit.as_secs() })),
    }
}

/// Connects and signs in.
pub async fn sign_in(endpoint: &Endpoint, password: &str, limits: &Limits) -> Result<ImapSession> {
    let host = endpoint.host.trim();
    let tcp = connect_tcp(host, endpoint.port, limits.call).await?;
    let stream = match endpoint.security {
        Security::Tls => start_tls(tcp, host, limits.call).await?,
        Security::None => MailStream::Plain(tcp),
        Security::StartTls => {
            let mut client = Client::new(MailStream::Plain(tcp));
            greeting(&mut client, host, limits).await?;
            within(limits.call, "STARTTLS", client.run_command_and_check_ok("STARTTLS", None))
                .await
                .map_err(|_| Error::Remote(MailFault::NoStartTls { host: host.to_string(), port: endpoint.port }))?;
            match client.into_inner() {
                MailStream::Plain(tcp) => start_tls(tcp, host, limits.call).await?,
                tls @ MailStream::Tls(_) => tls,
            }
        }
    };
    let mut client = Client::new(stream);
    if endpoint.security != Security::StartTls {
        greeting(&mut client, host, limits).await?;
    }
    match tokio::time::timeout(limits.call, client.login(endpoint.user.trim(), password)).await {
        Ok(Ok(session)) => Ok(session),
        Ok(Err((async_imap::error::Error::No(text), _))) | Ok(Err((async_imap::error::Error::Bad(text), _))) => {
            Err(Error::Remote(MailFault::SignInRejected {
                user: endpoint.user.trim().to_string(),
                detail: text.trim().to_string(),
            }))
        }
        Ok(Err((e, _))) => {
            Err(Error::Remote(MailFault::SignInFailed { host: host.to_string(), detail: e.to_string() }))
        }
        Err(_) => Err(Error::Remote(MailFault::SignInTimeout { host: host.to_string(), secs: limits.call.as_secs() })),
    }
}

async fn greeting(client: &mut Client<MailStream>, host: &str, limits: &Limits) -> Result<()> {
    match tokio::time::timeout(limits.call, client.read_response()).await {
        Ok(Ok(Some(_))) => Ok(()),
        Ok(Ok(None)) => Err(Error::Remote(MailFault::NotImap { host: host.to_string(), detail: None })),
        Ok(Err(e)) => Err(Error::Remote(MailFault::NotImap { host: host.to_string(), detail: Some(e.to_string()) })),
        Err(_) => {
            Err(Error::Remote(MailFault::GreetingTimeout { host: host.to_string(), secs: limits.call.as_secs() }))
        }
    }
}

/// Opens `folder` read-only; returns its UIDVALIDITY and message count.
pub async fn examine(session: &mut ImapSession, folder: &str, limits: &Limits) -> Result<(i64, i64)> {
    let opened = match tokio::time::timeout(limits.call, session.examine(folder)).await {
        Ok(Ok(opened)) => opened,
        Ok(Err(async_imap::error::Error::No(text))) => {
            let detail = text.trim().to_string();
            return Err(Error::Remote(MailFault::FolderMissing { folder: folder.to_string(), detail }));
        }
        Ok(Err(e)) => {
            return Err(Error::Remote(MailFault::FolderFailed { folder: folder.to_string(), detail: e.to_string() }));
        }
        Err(_) => return Err(Error::Remote(MailFault::FolderTimeout { folder: folder.to_string() })),
    };
    let uidvalidity = opened.uid_validity.map(i64::from).unwrap_or(0);
    Ok((uidvalidity, i64::from(opened.exists)))
}

/// What one sync of a folder did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FolderSync {
    pub exists: i64,
    pub fetched: u64,
    /// The folder was recreated (new UIDVALIDITY) and fetched again from the start.
    pub resynced: bool,
}

/// Fetches what is new in `folder` (already examined by the caller or not), storing raw
/// bytes before moving the last UID. `after_batch` runs after each batch is recorded (the
/// caller ingests there). The first sync of a mailbox with a backfill date (see
/// [`crate::mail_settings::MailSettings::sync_since`]) starts at the oldest mail that arrived
/// since that day; after that every new mail is fetched. `fence` is the node's sync-lease
/// token: once another node holds the lease, nothing more is recorded.
#[allow(clippy::too_many_arguments)] // each is a different thing the sync needs; none is optional
pub async fn sync_folder<F, Fut>(
    session: &mut ImapSession,
    store: &Store,
    blobs: &Blobs,
    mailbox: MailboxId,
    folder: &str,
    limits: &Limits,
    fence: Option<i64>,
    mut after_batch: F,
) -> Result<FolderSync>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let (uidvalidity, exists) = examine(session, folder, limits).await?;
    let mut report = FolderSync { exists, ..FolderSync::default() };
    let state = store.folder_state(mailbox, folder).await?;
    let last_uid = match state {
        Some(state) if state.uidvalidity == uidvalidity => state.last_uid,
        // Only an error was recorded so far: this is the first sync.
        Some(state) if state.uidvalidity == 0 => {
            store.reset_folder(mailbox, folder, uidvalidity).await?;
            0
        }
        Some(_) => {
            tracing::warn!(%mailbox, folder, uidvalidity, "UIDVALIDITY changed: fetching the folder again");
            report.resynced = true;
            store.reset_folder(mailbox, folder, uidvalidity).await?;
            0
        }
        None => {
            store.reset_folder(mailbox, folder, uidvalidity).await?;
            0
        }
    };
    if exists == 0 {
        store.folder_progress(mailbox, folder, 0, 0, None).await?;
        return Ok(report);
    }

    // A first sync with a backfill date starts at the oldest mail that arrived since then.
    let mut first_wanted = last_uid + 1;
    // What progress counts: the whole folder, or only the mail since the backfill date.
    let mut backfill = false;
    if last_uid == 0
        && let Some(since) = store.mail_settings(mailbox).await?.and_then(|m| m.settings.sync_since)
    {
        let query = format!("SINCE {}", imap_date(since));
        let found = within(limits.batch, "searching mail by date", async { session.uid_search(&query).await }).await?;
        match found.iter().min() {
            Some(oldest) => {
                first_wanted = i64::from(*oldest);
                backfill = true;
            }
            None => {
                store.folder_progress(mailbox, folder, 0, 0, None).await?;
                return Ok(report);
            }
        }
    }

    // Which mails are new, and how big.
    let listing: Vec<async_imap::types::Fetch> = within(limits.batch, "listing new mail", async {
        session.uid_fetch(format!("{first_wanted}:*"), "(UID RFC822.SIZE)").await?.try_collect().await
    })
    .await?;
    let mut new: Vec<(u32, u64)> = listing
        .iter()
        .filter_map(|f| f.uid.map(|uid| (uid, u64::from(f.size.unwrap_or(0)))))
        .filter(|(uid, _)| i64::from(*uid) >= first_wanted)
        .collect();
    new.sort_unstable();
    new.dedup_by_key(|(uid, _)| *uid);
    let mut pending = i64::try_from(new.len()).unwrap_or(i64::MAX);
    let in_scope = if backfill { pending } else { exists };
    store.folder_progress(mailbox, folder, in_scope, pending, None).await?;

    for batch in batches(&new, limits) {
        let set = batch.iter().map(|(uid, _)| uid.to_string()).collect::<Vec<_>>().join(",");
        let fetched: Vec<async_imap::types::Fetch> = within(limits.batch, "fetching mail", async {
            session.uid_fetch(&set, "(UID BODY.PEEK[])").await?.try_collect().await
        })
        .await?;
        let mut bodies: Vec<(u32, Vec<u8>)> = fetched
            .iter()
            .filter_map(|f| Some((f.uid?, f.body()?.to_vec())))
            .filter(|(uid, _)| batch.iter().any(|(u, _)| u == uid))
            .collect();
        bodies.sort_by_key(|(uid, _)| *uid);
        let blobs = blobs.clone();
        let stored: Vec<Fetched> = tokio::task::spawn_blocking(move || -> Result<Vec<Fetched>> {
            bodies
                .into_iter()
                .map(|(uid, bytes)| {
                    Ok(Fetched {
                        uid: i64::from(uid),
                        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                        sha256: blobs.put(&bytes)?,
                    })
                })
                .collect()
        })
        .await
        .map_err(|e| Error::Internal(format!("the blob writer stopped: {e}")))??;
        // A mail expunged between listing and fetching is simply gone; the UID moves past it.
        let batch_last = batch.last().map(|(uid, _)| i64::from(*uid)).unwrap_or(last_uid);
        store.record_fetched(mailbox, folder, uidvalidity, &stored, batch_last, fence).await?;
        report.fetched += stored.len() as u64;
        pending -= i64::try_from(batch.len()).unwrap_or(0);
        store.folder_progress(mailbox, folder, in_scope, pending.max(0), None).await?;
        after_batch().await?;
    }
    Ok(report)
}

/// Splits the new mails into batches bounded by count and bytes.
fn batches<'a>(new: &'a [(u32, u64)], limits: &Limits) -> Vec<&'a [(u32, u64)]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, (_, size)) in new.iter().enumerate() {
        let count = i - start;
        if count > 0 && (count >= limits.batch_count || bytes + size > limits.batch_bytes) {
            out.push(&new[start..i]);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < new.len() {
        out.push(&new[start..]);
    }
    out
}

/// Signs out politely; a failure here changes nothing.
pub async fn sign_out(mut session: ImapSession, limits: &Limits) {
    let _ = tokio::time::timeout(limits.call, session.logout()).await;
}

/// A time as an IMAP SEARCH date (`1-Feb-2026`, the day in UTC).
fn imap_date(at: i64) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let day = jiff::Timestamp::from_microsecond(at)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let month = MONTHS.get(usize::try_from(day.month() - 1).unwrap_or(0)).copied().unwrap_or("Jan");
    format!("{}-{month}-{}", day.day(), day.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_dates_are_imap_dates() {
        let at = crate::mail_settings::parse_since("2026-02-01").expect("date").expect("some");
        assert_eq!(imap_date(at), "1-Feb-2026");
    }

    #[test]
    fn batches_are_bounded_by_count_and_bytes() {
        let limits = Limits { batch_count: 3, batch_bytes: 100, ..Limits::default() };
        let new: Vec<(u32, u64)> = vec![(1, 10), (2, 10), (3, 10), (4, 10), (5, 90), (6, 500), (7, 1)];
        let sizes: Vec<Vec<u32>> =
            batches(&new, &limits).iter().map(|b| b.iter().map(|(uid, _)| *uid).collect()).collect();
        assert_eq!(sizes, vec![vec![1, 2, 3], vec![4, 5], vec![6], vec![7]]);
    }
}
