//! The mail workers of one `sanduq` process: a sync task per configured folder, and the
//! outbox sender.
//!
//! The supervisor reads the mailboxes' mail settings every few seconds and starts, restarts
//! (settings changed) or stops folder tasks to match, for the mailboxes whose sync lease this
//! node holds: with several nodes on one PostgreSQL database, each mailbox is synced by one
//! node at a time, and by another within a lease's time when that node dies. A folder task signs in, syncs, and then
//! waits: INBOX in IDLE where the server offers it (re-issued before 29 minutes), other folders
//! by polling. Any failure drops the connection and reconnects with backoff; the folder's
//! last error is kept for its sync health. Dropping [`Workers`] stops everything.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_imap::types::UnsolicitedResponse;
use model::{MailFault, MailboxId};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::blobs::Blobs;
use super::imap::{self, Limits};
use super::ingest::Ingest;
use super::send;
use crate::error::{Error, Result};
use crate::mail_settings::MailSettings;
use crate::secret::SecretKey;
use crate::store::Store;
use crate::time::now_micros;

/// How the workers behave; every duration has an environment setting in the server.
#[derive(Debug, Clone)]
pub struct MailOptions {
    /// Folders other than INBOX (and INBOX without IDLE) are looked at this often.
    pub poll: Duration,
    /// IDLE is re-issued this often (servers drop it after 30 minutes).
    pub idle: Duration,
    /// The supervisor re-reads the settings this often.
    pub reload: Duration,
    /// The outbox is looked at this often.
    pub send_tick: Duration,
    /// Limit on one SMTP conversation.
    pub smtp_timeout: Duration,
    /// Longest wait between reconnects.
    pub max_backoff: Duration,
    /// A mailbox's sync lease lasts this long; the holder renews it every third of it, and a
    /// dead holder's mailboxes move to another node within about this time.
    pub lease: Duration,
    pub limits: Limits,
    pub max_mail_bytes: usize,
}

impl Default for MailOptions {
    fn default() -> MailOptions {
        MailOptions {
            poll: Duration::from_secs(60),
            idle: Duration::from_secs(25 * 60),
            reload: Duration::from_secs(10),
            send_tick: Duration::from_secs(1),
            smtp_timeout: Duration::from_secs(60),
            max_backoff: Duration::from_secs(300),
            lease: Duration::from_secs(30),
            limits: Limits::default(),
            max_mail_bytes: super::parse::DEFAULT_MAX_MAIL_BYTES,
        }
    }
}

/// The running workers; dropping this stops them.
pub struct Workers {
    supervisor: JoinHandle<()>,
    sender: JoinHandle<()>,
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.supervisor.abort();
        self.sender.abort();
    }
}

/// Everything a folder task needs.
#[derive(Clone)]
struct Shared {
    /// This node's name on the sync leases.
    node: String,
    store: Store,
    blobs: Blobs,
    key: SecretKey,
    options: Arc<MailOptions>,
    /// One ingest task per mailbox, however many folders feed it; a folder kicks it after
    /// each batch, so fetching the next batch and parsing this one run side by side.
    ingesters: Arc<std::sync::Mutex<HashMap<MailboxId, Ingester>>>,
}

/// A mailbox's ingest task and the bell that wakes it; dropping it stops the task.
struct Ingester {
    bell: Arc<Notify>,
    task: JoinHandle<()>,
}

impl Drop for Ingester {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Shared {
    fn ingest(&self) -> Ingest {
        Ingest { store: self.store.clone(), blobs: self.blobs.clone(), max_mail_bytes: self.options.max_mail_bytes }
    }

    /// Wakes the mailbox's ingest task (starting it if needed). A kick while it runs makes
    /// it run once more, so nothing stored raw waits for the next batch.
    fn kick_ingest(&self, mailbox: MailboxId) {
        let Ok(mut ingesters) = self.ingesters.lock() else {
            tracing::error!("the ingest registry is poisoned");
            return;
        };
        let ingester = ingesters.entry(mailbox).or_insert_with(|| {
            let bell = Arc::new(Notify::new());
            let task = tokio::spawn(run_ingest(self.ingest(), mailbox, bell.clone(), self.node.clone()));
            Ingester { bell, task }
        });
        ingester.bell.notify_one();
    }
}

/// Parses and stores a mailbox's raw mails whenever its bell rings, and when a mail that
/// failed for a passing reason is due again (no new mail needs to arrive for that). Only the
/// bell of this node's folder tasks starts a pass, or the timer while this node holds the
/// mailbox's sync lease: two nodes never parse the same mails at once.
async fn run_ingest(ingest: Ingest, mailbox: MailboxId, bell: Arc<Notify>, node: String) {
    let mut next_retry: Option<i64> = None;
    loop {
        match next_retry {
            Some(at) => {
                // At least a second between passes, whatever the clock says.
                let wait =
                    Duration::from_micros(u64::try_from(at - now_micros()).unwrap_or(0)).max(Duration::from_secs(1));
                tokio::select! {
                    _ = bell.notified() => {}
                    _ = tokio::time::sleep(wait) => {
                        let holder = ingest.store.sync_lease(mailbox).await.ok().flatten().map(|lease| lease.holder);
                        if holder.as_deref() != Some(node.as_str()) {
                            next_retry = None;
                            continue;
                        }
                    }
                }
            }
            None => bell.notified().await,
        }
        next_retry = match ingest.run(mailbox).await {
            Ok(report) => {
                if report != super::ingest::IngestReport::default() {
                    tracing::info!(%mailbox, stored = report.stored, duplicates = report.duplicates,
                        failed = report.failed, quarantined = report.quarantined, "mail ingested");
                }
                match ingest.store.next_inbound_retry(mailbox).await {
                    Ok(at) => at,
                    Err(_) => Some(now_micros() + FAILED_PASS_WAIT_MICROS),
                }
            }
            // The store failed mid-pass (a full disk, a read-only database): wait before the
            // next try instead of parsing the same mails again at once.
            Err(e) => {
                tracing::warn!(%mailbox, error = %e, "ingesting mail failed");
                Some(now_micros() + FAILED_PASS_WAIT_MICROS)
            }
        };
    }
}

/// The wait after an ingest pass that the store failed.
const FAILED_PASS_WAIT_MICROS: i64 = 30_000_000;

/// Starts the supervisor and the sender; `node` names this process on the sync leases.
pub fn start(store: Store, blobs: Blobs, key: SecretKey, options: MailOptions, node: String) -> Workers {
    let shared = Shared {
        node,
        store,
        blobs,
        key,
        options: Arc::new(options),
        ingesters: Arc::new(std::sync::Mutex::new(HashMap::new())),
    };
    let sender = tokio::spawn(run_sender(shared.clone()));
    let supervisor = tokio::spawn(supervise(shared));
    Workers { supervisor, sender }
}

/// A running folder task, the settings it was started with and the lease token it syncs
/// under.
struct FolderTask {
    settings: MailSettings,
    password: Vec<u8>,
    token: i64,
    task: JoinHandle<()>,
}

impl Drop for FolderTask {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Keeps a folder task running for every configured folder of the mailboxes whose sync lease
/// this node holds, and none for the others. Runs every third of the lease (or more often
/// when `reload` says so), which also renews the leases held.
async fn supervise(shared: Shared) {
    let mut running: HashMap<(MailboxId, String), FolderTask> = HashMap::new();
    let tick = shared.options.reload.min(shared.options.lease / 3);
    let ttl = i64::try_from(shared.options.lease.as_micros()).unwrap_or(i64::MAX);
    loop {
        match shared.store.all_mail_settings().await {
            Ok(all) => {
                let mut wanted = HashMap::new();
                for (mailbox, stored) in all {
                    let Ok((Some(sealed), _)) = shared.store.sealed_mail_passwords(mailbox).await else { continue };
                    let token = match shared.store.acquire_sync_lease(mailbox, &shared.node, ttl).await {
                        Ok(Some(token)) => token,
                        Ok(None) => continue,
                        Err(e) => {
                            tracing::warn!(%mailbox, error = %e, "renewing the sync lease failed");
                            continue;
                        }
                    };
                    for folder in &stored.settings.folders {
                        wanted.insert((mailbox, folder.clone()), (stored.settings.clone(), sealed.clone(), token));
                    }
                }
                running.retain(|key, task| {
                    wanted
                        .get(key)
                        .is_some_and(|(s, p, token)| *s == task.settings && *p == task.password && *token == task.token)
                        && !task.task.is_finished()
                });
                for (key, (settings, password, token)) in wanted {
                    if running.contains_key(&key) {
                        continue;
                    }
                    let (mailbox, folder) = key.clone();
                    tracing::info!(%mailbox, folder, token, "syncing under this node's lease");
                    let task = tokio::spawn(run_folder(
                        shared.clone(),
                        mailbox,
                        folder,
                        settings.clone(),
                        password.clone(),
                        token,
                    ));
                    running.insert(key, FolderTask { settings, password, token, task });
                }
            }
            Err(e) => tracing::warn!(error = %e, "reading mail settings failed"),
        }
        tokio::time::sleep(tick).await;
    }
}

/// Syncs one folder for as long as it is configured.
async fn run_folder(
    shared: Shared,
    mailbox: MailboxId,
    folder: String,
    settings: MailSettings,
    sealed: Vec<u8>,
    token: i64,
) {
    let mut failures: u32 = 0;
    // Mail stored raw by an earlier run but not yet parsed goes first.
    shared.kick_ingest(mailbox);
    loop {
        let result = match shared.key.open(&sealed) {
            Ok(password) => folder_session(&shared, mailbox, &folder, &settings, &password, token, &mut failures).await,
            Err(_) => Err(Error::Remote(MailFault::PasswordUnreadable)),
        };
        if let Err(e) = result {
            failures = failures.saturating_add(1);
            let wait = backoff(failures, shared.options.max_backoff);
            tracing::warn!(%mailbox, folder, error = %e, retry_in_secs = wait.as_secs(), "IMAP sync failed");
            let fault = match e {
                Error::Remote(fault) => fault,
                other => MailFault::Other { detail: other.to_string() },
            };
            if let Err(store_error) = shared.store.folder_error(mailbox, &folder, &fault.stored()).await {
                tracing::warn!(%mailbox, folder, error = %store_error, "recording the sync error failed");
            }
            tokio::time::sleep(wait).await;
        }
    }
}

fn idle_timeout(limit: Duration) -> Error {
    Error::Remote(MailFault::CommandTimeout { command: "IDLE".to_string(), secs: limit.as_secs() })
}

fn idle_failed(error: &async_imap::error::Error) -> Error {
    Error::Remote(MailFault::CommandFailed { command: "IDLE".to_string(), detail: error.to_string() })
}

/// Reconnect waits: 1, 2, 4 … seconds up to `max`.
fn backoff(failures: u32, max: Duration) -> Duration {
    Duration::from_secs(1u64 << failures.saturating_sub(1).min(16)).min(max)
}

/// One connection's life: sign in, then sync and wait until something fails.
async fn folder_session(
    shared: &Shared,
    mailbox: MailboxId,
    folder: &str,
    settings: &MailSettings,
    password: &str,
    token: i64,
    failures: &mut u32,
) -> Result<()> {
    let limits = shared.options.limits;
    let mut session = imap::sign_in(&settings.imap, password, &limits).await?;
    let is_inbox = folder.eq_ignore_ascii_case("INBOX");
    let idle = is_inbox
        && tokio::time::timeout(limits.call, session.capabilities())
            .await
            .ok()
            .and_then(|c| c.ok())
            .is_some_and(|c| c.has_str("IDLE"));
    // What the server says outside a command's answer (EXISTS for new mail) lands here.
    let unsolicited = session.unsolicited_responses.clone();
    loop {
        // The sync below covers everything announced so far.
        while unsolicited.try_recv().is_ok() {}
        imap::sync_folder(&mut session, &shared.store, &shared.blobs, mailbox, folder, &limits, Some(token), || {
            shared.kick_ingest(mailbox);
            async { Ok(()) }
        })
        .await?;
        *failures = 0;
        if idle {
            let mut handle = session.idle();
            tokio::time::timeout(limits.call, handle.init())
                .await
                .map_err(|_| idle_timeout(limits.call))?
                .map_err(|e| idle_failed(&e))?;
            // Mail announced during the sync or just before IDLE began is not announced again:
            // sync at once instead of waiting for the next change.
            let announced = std::iter::from_fn(|| unsolicited.try_recv().ok())
                .any(|r| matches!(r, UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_)));
            if !announced {
                let (wait, _stop) = handle.wait_with_timeout(shared.options.idle);
                // The outer limit holds even when keep-alives reset IDLE's own timer.
                let _ = tokio::time::timeout(shared.options.idle, wait).await;
            }
            session = tokio::time::timeout(limits.call, handle.done())
                .await
                .map_err(|_| idle_timeout(limits.call))?
                .map_err(|e| idle_failed(&e))?;
        } else {
            tokio::time::sleep(shared.options.poll).await;
            tokio::time::timeout(limits.call, session.noop())
                .await
                .map_err(|_| Error::Remote(MailFault::ConnectionLost { detail: None }))?
                .map_err(|e| Error::Remote(MailFault::ConnectionLost { detail: Some(e.to_string()) }))?;
        }
    }
}

async fn run_sender(shared: Shared) {
    loop {
        match send::send_due(&shared.store, &shared.key, shared.options.smtp_timeout).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "the outbox sender failed"),
        }
        tokio::time::sleep(shared.options.send_tick).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnects_back_off_to_a_limit() {
        let max = Duration::from_secs(300);
        assert_eq!(backoff(1, max), Duration::from_secs(1));
        assert_eq!(backoff(4, max), Duration::from_secs(8));
        assert_eq!(backoff(40, max), max);
    }
}
