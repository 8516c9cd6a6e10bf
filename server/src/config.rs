//! Settings: defaults, then `SANDUQ_*` environment variables (or the same as flags), loaded
//! and checked in one place. A setting that cannot work stops start-up with one line that
//! names it; secrets never appear in `Debug` output or in `--help`.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use backend::SecretKey;
use backend::store::Engine;
use clap::Args;
use ipnet::IpNet;
use leptos::config::LeptosOptions;
use url::Url;

/// The settings as given on the command line or in the environment.
#[derive(Args, Clone, Default)]
pub struct Settings {
    /// Folder for the SQLite database, the generated secret key and stored files.
    #[arg(long, env = "SANDUQ_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite://PATH` or `postgres://USER@HOST/DB`.
    /// [default: SQLite at DATA_DIR/sanduq.db]
    #[arg(long, env = "SANDUQ_DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,

    /// Address and port to listen on. Overrides LEPTOS_SITE_ADDR. [default: 127.0.0.1:3000]
    #[arg(long, env = "SANDUQ_ADDR", global = true)]
    pub addr: Option<SocketAddr>,

    /// The URL people open Sanduq at, e.g. https://help.example.com. Requests that change
    /// something must come from this origin; https makes the session cookie Secure.
    /// [default: http://ADDR]
    #[arg(long, env = "SANDUQ_PUBLIC_URL", global = true)]
    pub public_url: Option<Url>,

    /// Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For header
    /// is believed, e.g. 127.0.0.1,10.0.0.0/8. [default: none]
    #[arg(long, env = "SANDUQ_TRUSTED_PROXIES", value_delimiter = ',', global = true)]
    pub trusted_proxies: Vec<IpNet>,

    /// Seconds between looks at IMAP folders other than INBOX (and at INBOX on servers
    /// without IDLE). [default: 60]
    #[arg(long, env = "SANDUQ_IMAP_POLL_SECS", global = true)]
    pub imap_poll_secs: Option<u64>,

    /// Seconds a reply waits before it leaves, during which the agent can undo it.
    /// [default: 10]
    #[arg(long, env = "SANDUQ_UNDO_SECS", global = true)]
    pub undo_secs: Option<u64>,

    /// Seconds one SMTP delivery may take before it is given up and retried. A reply left
    /// "sending" twice this long (Sanduq was stopped mid-send) is sent again with the same
    /// Message-ID. [default: 60]
    #[arg(long, env = "SANDUQ_SMTP_TIMEOUT_SECS", global = true)]
    pub smtp_timeout_secs: Option<u64>,
    /// How long a node's hold on a mailbox's IMAP sync lasts without renewal: with several
    /// nodes, a dead node's mailboxes are synced by another within about this time.
    /// [default: 30]
    #[arg(long, env = "SANDUQ_SYNC_LEASE_SECS", global = true)]
    pub sync_lease_secs: Option<u64>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url.as_deref().map(redact_url))
            .field("addr", &self.addr)
            .field("public_url", &self.public_url.as_ref().map(Url::as_str))
            .field("trusted_proxies", &self.trusted_proxies)
            .field("imap_poll_secs", &self.imap_poll_secs)
            .field("undo_secs", &self.undo_secs)
            .field("smtp_timeout_secs", &self.smtp_timeout_secs)
            .field("sync_lease_secs", &self.sync_lease_secs)
            .finish()
    }
}

/// Everything the server needs, checked.
#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub engine: Engine,
    pub addr: SocketAddr,
    pub public_url: Url,
    pub trusted_proxies: Vec<IpNet>,
    pub secret_key: SecretKey,
    pub leptos: LeptosOptions,
    /// Between looks at polled IMAP folders.
    pub imap_poll: Duration,
    /// How long a reply can be undone.
    pub undo_send: Duration,
    /// Limit on one SMTP delivery.
    pub smtp_timeout: Duration,
    /// How long a mailbox's sync lease lasts without renewal.
    pub sync_lease: Duration,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("addr", &self.addr)
            .field("public_url", &self.public_url.as_str())
            .field("trusted_proxies", &self.trusted_proxies)
            .field("secret_key", &self.secret_key)
            .field("imap_poll", &self.imap_poll)
            .field("undo_send", &self.undo_send)
            .field("smtp_timeout", &self.smtp_timeout)
            .field("sync_lease", &self.sync_lease)
            .finish()
    }
}

/// The database URL without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

impl Settings {
    /// The database URL these settings name.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("sanduq.db").display()))
    }

    /// Checks the settings and prepares the data dir. The error is one line naming the
    /// setting to fix.
    pub fn load(&self) -> Result<Config, String> {
        self.load_with_secret(std::env::var("SANDUQ_SECRET_KEY").ok())
    }

    /// [`Settings::load`] with the secret key given rather than read from the environment.
    pub fn load_with_secret(&self, secret_key: Option<String>) -> Result<Config, String> {
        prepare_data_dir(&self.data_dir)?;
        let database_url = self.database_url();
        let engine = Engine::of_url(&database_url).map_err(|_| {
            format!(
                "SANDUQ_DATABASE_URL={} is not a database URL: it must start with sqlite:// or postgres://",
                redact_url(&database_url)
            )
        })?;
        let secret_key = match secret_key {
            Some(text) if !text.trim().is_empty() => {
                SecretKey::parse(&text).map_err(|e| format!("SANDUQ_SECRET_KEY {e}"))?
            }
            _ if engine == Engine::Postgres => {
                return Err("SANDUQ_SECRET_KEY is required when the database is PostgreSQL (every node must \
                            share it); make one with `openssl rand -hex 32`"
                    .to_string());
            }
            _ => SecretKey::load_or_generate(&self.data_dir.join("secret.key"))
                .map_err(|e| format!("SANDUQ_DATA_DIR: {e}"))?,
        };

        let mut leptos =
            leptos::config::get_configuration(None).map_err(|e| format!("LEPTOS_* settings: {e}"))?.leptos_options;
        if leptos.output_name.is_empty() {
            leptos.output_name = "sanduq".into();
        }
        // An unpacked release keeps the site beside the binary; `LEPTOS_SITE_ROOT` wins.
        if std::env::var_os("LEPTOS_SITE_ROOT").is_none()
            && let Some(site) = site_beside_binary()
        {
            leptos.site_root = site.into();
        }
        if let Some(addr) = self.addr {
            leptos.site_addr = addr;
        }
        let addr = leptos.site_addr;
        let public_url = match &self.public_url {
            Some(url) => {
                if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                    return Err(format!("SANDUQ_PUBLIC_URL={url} must be an http:// or https:// URL"));
                }
                url.clone()
            }
            None => Url::parse(&format!("http://{addr}")).map_err(|e| format!("SANDUQ_ADDR={addr}: {e}"))?,
        };
        let imap_poll = match self.imap_poll_secs {
            Some(0) => return Err("SANDUQ_IMAP_POLL_SECS must be at least 1".to_string()),
            Some(secs) => Duration::from_secs(secs),
            None => Duration::from_secs(60),
        };
        let undo_send = match self.undo_secs {
            Some(secs) if secs > 600 => return Err("SANDUQ_UNDO_SECS must be at most 600 (ten minutes)".to_string()),
            Some(secs) => Duration::from_secs(secs),
            None => Duration::from_secs(backend::DEFAULT_UNDO_SECS),
        };
        let smtp_timeout = match self.smtp_timeout_secs {
            Some(secs) if !(1..=600).contains(&secs) => {
                return Err("SANDUQ_SMTP_TIMEOUT_SECS must be 1 to 600".to_string());
            }
            Some(secs) => Duration::from_secs(secs),
            None => Duration::from_secs(60),
        };
        let sync_lease = match self.sync_lease_secs {
            Some(secs) if !(3..=600).contains(&secs) => {
                return Err("SANDUQ_SYNC_LEASE_SECS must be 3 to 600".to_string());
            }
            Some(secs) => Duration::from_secs(secs),
            None => Duration::from_secs(30),
        };
        Ok(Config {
            imap_poll,
            undo_send,
            smtp_timeout,
            sync_lease,
            data_dir: self.data_dir.clone(),
            database_url,
            engine,
            addr,
            public_url,
            trusted_proxies: self.trusted_proxies.clone(),
            secret_key,
            leptos,
        })
    }
}

/// Creates the data dir if needed and proves it is writable.
fn prepare_data_dir(dir: &Path) -> Result<(), String> {
    let shown = dir.display();
    std::fs::create_dir_all(dir).map_err(|e| format!("SANDUQ_DATA_DIR={shown} cannot be created: {e}"))?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"ok").map_err(|e| format!("SANDUQ_DATA_DIR={shown} is not writable: {e}"))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// The `site/` folder next to the running binary, as `make dist` lays it out, if it holds the
/// built app.
fn site_beside_binary() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let site = exe.parent()?.join("site");
    site.join("pkg").is_dir().then(|| site.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_hidden() {
        assert_eq!(redact_url("postgres://sanduq:hunter2@db:5432/sanduq"), "postgres://sanduq:***@db:5432/sanduq");
        assert_eq!(redact_url("sqlite://./data/sanduq.db"), "sqlite://./data/sanduq.db");
        let settings = Settings { database_url: Some("postgres://u:hunter2@db/x".to_string()), ..Settings::default() };
        assert!(!format!("{settings:?}").contains("hunter2"));
    }

    #[test]
    fn a_bad_database_url_names_the_setting() {
        let dir = tempfile::tempdir().expect("tempdir");
        let settings = Settings {
            data_dir: dir.path().to_path_buf(),
            database_url: Some("mysql://localhost/x".to_string()),
            ..Settings::default()
        };
        let err = settings.load().expect_err("mysql is not supported");
        assert!(err.starts_with("SANDUQ_DATABASE_URL="), "{err}");
    }

    #[test]
    fn postgres_needs_a_secret_key_from_the_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let settings = Settings {
            data_dir: dir.path().to_path_buf(),
            database_url: Some("postgres://postgres@127.0.0.1/sanduq".to_string()),
            ..Settings::default()
        };
        let err = settings.load_with_secret(None).expect_err("secret required");
        assert!(err.starts_with("SANDUQ_SECRET_KEY is required"), "{err}");
        let err = settings.load_with_secret(Some("short".to_string())).expect_err("bad secret");
        assert!(err.starts_with("SANDUQ_SECRET_KEY must be 64 hex digits"), "{err}");
        assert!(settings.load_with_secret(Some("ab".repeat(32))).is_ok());
    }

    #[test]
    fn an_unwritable_data_dir_names_the_setting() {
        let settings = Settings { data_dir: PathBuf::from("/proc/sanduq-cannot-be-here"), ..Settings::default() };
        let err = settings.load().expect_err("not writable");
        assert!(err.starts_with("SANDUQ_DATA_DIR="), "{err}");
    }
}
