//! Start-up: open the store, build the router, listen, and run until asked to stop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use backend::mail::{Blobs, MailOptions};
use backend::{Backend, SignInLimits, Store};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{Config, redact_url};
use crate::http::{self, AppState, WebSettings};

/// Opens (and migrates) the database the config names. The error names the setting.
pub async fn open_store(config: &Config) -> Result<Store, String> {
    Store::open(&config.database_url)
        .await
        .map_err(|e| format!("SANDUQ_DATABASE_URL={}: cannot open the database: {e}", redact_url(&config.database_url)))
}

/// The folder of raw mails and attachments, `DATA_DIR/blobs`.
fn open_blobs(config: &Config) -> Result<Blobs, String> {
    Blobs::open(config.data_dir.join("blobs")).map_err(|e| format!("SANDUQ_DATA_DIR: {e}"))
}

/// A server running in the background (tests, benchmarks).
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its backend, for arranging data and checking results.
    pub backend: Backend,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), String>>,
}

impl Running {
    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) -> Result<(), String> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.map_err(|e| format!("server task failed: {e}"))?
    }
}

/// Starts a server in the background on `config.addr` (port 0 picks a free one).
pub async fn spawn(mut config: Config, limits: SignInLimits) -> Result<Running, String> {
    let store = open_store(&config).await?;
    let backend = Backend::with_limits(store, limits)
        .with_undo_send(config.undo_send)
        .with_secret(config.secret_key.clone())
        .with_blobs(open_blobs(&config)?);
    let listener = bind(config.addr).await?;
    let addr = listener.local_addr().map_err(|e| format!("SANDUQ_ADDR: {e}"))?;
    // A public URL made from port 0 names no real address; the bound one is it.
    if config.public_url.port() == Some(0) {
        config.public_url = url::Url::parse(&format!("http://{addr}")).map_err(|e| format!("SANDUQ_ADDR: {e}"))?;
    }
    let backend = backend.with_public_url(config.public_url.as_str());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(run(listener, config, backend.clone(), async move {
        let _ = stopped.await;
    }));
    Ok(Running { addr, backend, stop: Some(stop), task })
}

/// `sanduq serve`: runs until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> Result<(), String> {
    let store = open_store(&config).await?;
    let backend = Backend::new(store)
        .with_undo_send(config.undo_send)
        .with_secret(config.secret_key.clone())
        .with_blobs(open_blobs(&config)?)
        .with_public_url(config.public_url.as_str());
    let listener = bind(config.addr).await?;
    tracing::info!(url = %config.public_url, addr = %config.addr, data_dir = %config.data_dir.display(), "Sanduq is listening");
    announce_first_run(&backend, &config).await?;
    run(listener, config, backend, shutdown_signal()).await
}

/// On a database with no one who can sign in, prints the set-up code and writes it into the
/// data folder (readable by the server's user only), so the operator can open the set-up page;
/// once the team is set up, removes that file.
async fn announce_first_run(backend: &Backend, config: &Config) -> Result<(), String> {
    let file = config.data_dir.join(model::SETUP_CODE_FILE);
    let code = backend.prepare_first_run().await.map_err(|e| format!("preparing the first run: {e}"))?;
    let Some(code) = code else {
        if file.exists() {
            let _ = std::fs::remove_file(&file);
        }
        return Ok(());
    };
    write_private(&file, &format!("{}\n", code.as_str()))
        .map_err(|e| format!("SANDUQ_DATA_DIR: cannot write {}: {e}", file.display()))?;
    tracing::warn!(
        setup_url = %format!("{}/setup", config.public_url.as_str().trim_end_matches('/')),
        setup_code = code.as_str(),
        file = %file.display(),
        "no one can sign in yet: open the set-up page and give it this code (or create an admin with `sanduq user add --role admin`)"
    );
    Ok(())
}

/// Writes `text` to `path`, readable and writable by this user alone.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, String> {
    TcpListener::bind(addr).await.map_err(|e| format!("SANDUQ_ADDR={addr}: cannot listen: {e}"))
}

async fn run(
    listener: TcpListener,
    config: Config,
    backend: Backend,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let hub = backend::live::hub::Hub::start(backend.clone())
        .await
        .map_err(|e| format!("the live channel cannot start: {e}"))?;
    let state = AppState {
        leptos: config.leptos.clone(),
        backend: backend.clone(),
        web: Arc::new(WebSettings {
            public_url: config.public_url.clone(),
            trusted_proxies: config.trusted_proxies.clone(),
        }),
        hub: hub.clone(),
    };
    let sweeper = tokio::spawn(sweep_sessions(backend.clone()));
    let blobs = backend.blobs.clone().ok_or_else(|| "the backend has no blob folder".to_string())?;
    let options = MailOptions {
        poll: config.imap_poll,
        smtp_timeout: config.smtp_timeout,
        lease: config.sync_lease,
        ..MailOptions::default()
    };
    // IMAP sync and the outbox sender; dropped (stopped) when the server stops.
    let node = backend.live.node.0.clone();
    let mail_workers =
        backend::mail::workers::start(backend.store.clone(), blobs, config.secret_key.clone(), options, node);
    let app = http::router(state).into_make_service_with_connect_info::<SocketAddr>();
    // Open websockets would hold a graceful shutdown forever: close them first.
    let stopping = hub.clone();
    let shutdown = async move {
        shutdown.await;
        stopping.stop().await;
    };
    let result = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    sweeper.abort();
    drop(mail_workers);
    backend.store.close().await;
    result.map_err(|e| format!("the HTTP server stopped: {e}"))
}

/// Deletes expired sessions once an hour.
async fn sweep_sessions(backend: Backend) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match backend.store.delete_expired_sessions().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "expired sessions removed"),
            Err(e) => tracing::warn!(error = %e, "removing expired sessions failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
