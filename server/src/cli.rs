//! The command line: `serve` (the default), `migrate`, `user ...` and `mailbox ...`.
//!
//! Passwords never come from arguments (they would show in `ps` and shell history): they
//! are typed at a prompt, read from standard input, or generated and printed once.

use std::io::{BufRead, IsTerminal};

use backend::mail_settings::{self, Endpoint, MailSettings, Security, StoredMailSettings};
use backend::{Backend, SecretKey, Store};
use clap::{Parser, Subcommand};
use model::Role;
use rand::Rng;

use crate::config::Settings;
use crate::startup;

const AFTER_HELP: &str = "\
Settings come from the environment (or the flags above):
  SANDUQ_DATA_DIR          folder for the SQLite database, secret key and files [./data]
  SANDUQ_DATABASE_URL      sqlite://PATH or postgres://USER:PASSWORD@HOST/DB [SQLite in the data dir]
  SANDUQ_ADDR              address to listen on [127.0.0.1:3000]
  SANDUQ_PUBLIC_URL        URL people open Sanduq at; requests from other origins are refused [http://ADDR]
  SANDUQ_TRUSTED_PROXIES   proxies whose X-Forwarded-For is believed, comma-separated [none]
  SANDUQ_SECRET_KEY        64 hex digits (openssl rand -hex 32); required on PostgreSQL, generated into
                           the data dir on SQLite. Environment only, never printed.
  RUST_LOG                 log filter [info]
";

/// What `sanduq --version` prints after the name: the version and the commit it was built from.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("SANDUQ_COMMIT"), ")");

/// Sanduq: a self-hosted shared inbox and help desk.
#[derive(Debug, Parser)]
#[command(name = "sanduq", version = VERSION, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the app (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage agents, managers and admins.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage mailboxes.
    #[command(subcommand)]
    Mailbox(MailboxCommand),
    /// Load demo data into an empty database: a store's team of 5, 3 mailboxes, 300
    /// customers and 1,000 conversations from the last 60 days, in English, Arabic and Persian.
    /// Demo mailboxes never send mail.
    Demo {
        /// Then copy its conversations (moved back in time, without history) until there are
        /// this many: for load tests such as `make bench`.
        #[arg(long, value_name = "N")]
        conversations: Option<usize>,
    },
}

/// `sanduq user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is read from standard input (or a prompt).
    Add {
        /// Their email address; they sign in with it.
        #[arg(long)]
        email: String,
        /// Their name as customers and colleagues see it.
        #[arg(long)]
        name: String,
        /// admin, manager or agent.
        #[arg(long)]
        role: Role,
        /// A mailbox (by name) they belong to; repeat for several.
        #[arg(long = "mailbox")]
        mailboxes: Vec<String>,
        /// Make up a strong password and print it once, instead of reading one.
        #[arg(long)]
        generate_password: bool,
    },
    /// Set a user's password (read from standard input or a prompt); signs them out everywhere.
    Passwd {
        #[arg(long)]
        email: String,
    },
    /// List users.
    List,
}

/// `sanduq mailbox ...`
#[derive(Debug, Subcommand)]
pub enum MailboxCommand {
    /// Add a mailbox, with its mail servers if given. The IMAP and SMTP passwords come from
    /// SANDUQ_IMAP_PASSWORD / SANDUQ_SMTP_PASSWORD, or else from standard input (IMAP on the
    /// first line, SMTP on the second; no second line means the same password, as with a Gmail
    /// app password), never from the command line.
    Add {
        /// Its name in the app, e.g. "Support".
        #[arg(long)]
        name: String,
        /// Its email address, e.g. support@example.com.
        #[arg(long)]
        address: String,
        #[command(flatten)]
        servers: Box<MailServerArgs>,
    },
    /// List mailboxes.
    List,
    /// Import mail files (.eml, one mail each) into a mailbox, as if they had arrived: each is
    /// stored once, threaded, and shown. For moving history from another tool.
    Import {
        /// The mailbox's name.
        #[arg(long)]
        name: String,
        /// The files to import.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
}

/// The mail servers of `sanduq mailbox add`. Without `--imap-host` the mailbox has none yet.
#[derive(Debug, clap::Args)]
pub struct MailServerArgs {
    /// IMAP server, e.g. imap.gmail.com.
    #[arg(long, requires = "smtp_host")]
    imap_host: Option<String>,
    /// IMAP port [default: 993 with tls, 143 otherwise].
    #[arg(long)]
    imap_port: Option<u16>,
    /// IMAP security: none (loopback only), starttls or tls.
    #[arg(long, default_value = "tls")]
    imap_security: String,
    /// IMAP user [default: the mailbox address].
    #[arg(long)]
    imap_user: Option<String>,
    /// A folder to sync; repeat for several [default: INBOX].
    #[arg(long = "folder")]
    folders: Vec<String>,
    /// SMTP server, e.g. smtp.gmail.com.
    #[arg(long, requires = "imap_host")]
    smtp_host: Option<String>,
    /// SMTP port [default: 465 with tls, 587 with starttls, 25 with none].
    #[arg(long)]
    smtp_port: Option<u16>,
    /// SMTP security: none (loopback only), starttls or tls.
    #[arg(long, default_value = "tls")]
    smtp_security: String,
    /// SMTP user [default: the IMAP user].
    #[arg(long)]
    smtp_user: Option<String>,
    /// How replies name their sender: agent ("Sara via Support") or mailbox ("Support").
    #[arg(long, default_value = "agent")]
    from_style: String,
    /// Fetch only mail that arrived since this date (YYYY-MM-DD) [default: all mail].
    #[arg(long)]
    since: Option<String>,
}

impl MailServerArgs {
    /// The settings these arguments describe, if any server was named.
    fn settings(&self, address: &str) -> Result<Option<MailSettings>, String> {
        let (Some(imap_host), Some(smtp_host)) = (&self.imap_host, &self.smtp_host) else {
            return Ok(None);
        };
        let imap_security: Security = self.imap_security.parse().map_err(|e: backend::Error| e.to_string())?;
        let smtp_security: Security = self.smtp_security.parse().map_err(|e: backend::Error| e.to_string())?;
        let imap_user = self.imap_user.clone().unwrap_or_else(|| address.to_string());
        let settings = MailSettings {
            imap: Endpoint {
                host: imap_host.clone(),
                port: self.imap_port.unwrap_or(imap_security.imap_port()),
                security: imap_security,
                user: imap_user.clone(),
            },
            folders: if self.folders.is_empty() { vec!["INBOX".to_string()] } else { self.folders.clone() },
            smtp: Endpoint {
                host: smtp_host.clone(),
                port: self.smtp_port.unwrap_or(smtp_security.smtp_port()),
                security: smtp_security,
                user: self.smtp_user.clone().unwrap_or(imap_user),
            },
            from_style: self.from_style.parse().map_err(|e: backend::Error| e.to_string())?,
            sync_since: mail_settings::parse_since(self.since.as_deref().unwrap_or_default())
                .map_err(|e| e.to_string())?,
        };
        settings.check().map_err(|e| e.to_string())?;
        Ok(Some(settings))
    }
}

/// The IMAP and SMTP passwords: from the environment, else a prompt or standard input.
fn mail_passwords() -> Result<(String, String), String> {
    let from_env = |name: &str| std::env::var(name).ok().filter(|p| !p.is_empty());
    let imap = match from_env("SANDUQ_IMAP_PASSWORD") {
        Some(p) => p,
        None if std::io::stdin().is_terminal() => {
            rpassword::prompt_password("IMAP password: ").map_err(|e| format!("reading the password: {e}"))?
        }
        None => read_line("the IMAP password")?,
    };
    let smtp = match from_env("SANDUQ_SMTP_PASSWORD") {
        Some(p) => p,
        None if std::io::stdin().is_terminal() => rpassword::prompt_password("SMTP password (Enter: the same): ")
            .map_err(|e| format!("reading the password: {e}"))?,
        None => read_line("the SMTP password").unwrap_or_default(),
    };
    if imap.is_empty() {
        return Err("no IMAP password: set SANDUQ_IMAP_PASSWORD or pipe it in".to_string());
    }
    let smtp = if smtp.is_empty() { imap.clone() } else { smtp };
    Ok((imap, smtp))
}

/// One line of standard input, without its line end.
fn read_line(what: &str) -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("reading {what} from stdin: {e}"))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// Runs the command. The error is one line for the operator.
pub async fn run(cli: Cli) -> Result<(), String> {
    let command = cli.command.unwrap_or(Command::Serve);
    let config = cli.settings.load()?;
    match command {
        Command::Serve => startup::serve(config).await,
        Command::Migrate => {
            let store = startup::open_store(&config).await?;
            store.close().await;
            println!("The database is up to date.");
            Ok(())
        }
        Command::User(command) => {
            let backend = Backend::new(startup::open_store(&config).await?);
            let result = user_command(&backend, command).await;
            backend.store.close().await;
            result
        }
        Command::Demo { conversations } => {
            let backend = Backend::new(startup::open_store(&config).await?);
            let mut result = backend::demo::load(&backend, backend::time::now_micros()).await;
            if let (Ok(summary), Some(target)) = (&mut result, conversations) {
                match backend::demo::bulk::grow_to(&backend.store, target).await {
                    Ok(added) => summary.conversations += added,
                    Err(err) => result = Err(err),
                }
            }
            backend.store.close().await;
            let summary = result.map_err(|e| e.to_string())?;
            println!(
                "Loaded the demo: {} mailboxes, {} customers, {} conversations.",
                summary.mailboxes, summary.contacts, summary.conversations
            );
            println!("Sign in with the password {} as:", backend::demo::DEMO_PASSWORD);
            for (email, name, role) in &summary.accounts {
                println!("  {email:<28} {name} ({role})");
            }
            Ok(())
        }
        Command::Mailbox(command) => {
            let store = startup::open_store(&config).await?;
            let blobs = backend::mail::Blobs::open(config.data_dir.join("blobs"))
                .map_err(|e| format!("SANDUQ_DATA_DIR: {e}"))?;
            let result = mailbox_command(&store, &config.secret_key, &blobs, command).await;
            store.close().await;
            result
        }
    }
}

async fn user_command(backend: &Backend, command: UserCommand) -> Result<(), String> {
    match command {
        UserCommand::Add { email, name, role, mailboxes, generate_password } => {
            let mut boxes = Vec::new();
            for wanted in &mailboxes {
                let found = backend.store.mailbox_by_name(wanted).await.map_err(|e| match e {
                    backend::Error::NotFound => {
                        format!("no mailbox named {wanted:?}; add it with `sanduq mailbox add --name {wanted:?} --address ...`")
                    }
                    other => other.to_string(),
                })?;
                boxes.push(found);
            }
            let password = if generate_password { make_password() } else { read_password(true)? };
            let user = backend.add_user(&email, &name, role, &password).await.map_err(|e| e.to_string())?;
            for mailbox in &boxes {
                backend.store.add_member(mailbox.id, user.id).await.map_err(|e| e.to_string())?;
            }
            println!("Added {} <{}> as {}.", user.name, user.email, user.role);
            if !boxes.is_empty() {
                let names: Vec<&str> = boxes.iter().map(|m| m.name.as_str()).collect();
                println!("Member of: {}.", names.join(", "));
            }
            if generate_password {
                println!("Password: {password}");
            }
            Ok(())
        }
        UserCommand::Passwd { email } => {
            let email = email.trim().to_lowercase();
            let user = backend
                .store
                .user_by_email(&email)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no user with the email {email}"))?;
            let password = read_password(true)?;
            backend.set_password(user.id, &password).await.map_err(|e| e.to_string())?;
            println!("Password changed for {}; their sessions have ended.", user.email);
            Ok(())
        }
        UserCommand::List => {
            for user in backend.store.users().await.map_err(|e| e.to_string())? {
                let state = if user.active { "" } else { " (deactivated)" };
                println!("{}\t{}\t{}{}", user.email, user.role, user.name, state);
            }
            Ok(())
        }
    }
}

async fn mailbox_command(
    store: &Store,
    key: &SecretKey,
    blobs: &backend::mail::Blobs,
    command: MailboxCommand,
) -> Result<(), String> {
    match command {
        MailboxCommand::Import { name, files } => {
            let mailbox = store.mailbox_by_name(name.trim()).await.map_err(|_| format!("no mailbox named {name:?}"))?;
            let ingest = backend::mail::Ingest {
                store: store.clone(),
                blobs: blobs.clone(),
                max_mail_bytes: backend::mail::parse::DEFAULT_MAX_MAIL_BYTES,
            };
            let (mut stored, mut duplicates, mut failed) = (0, 0, 0);
            for file in files {
                let outcome = match std::fs::read(&file) {
                    Ok(raw) => ingest.ingest_raw(mailbox.id, raw).await.map_err(|e| e.to_string()),
                    Err(e) => Err(format!("cannot read it: {e}")),
                };
                match outcome {
                    Ok(backend::store::IngestOutcome::Stored { .. }) => stored += 1,
                    Ok(backend::store::IngestOutcome::Duplicate { .. }) => duplicates += 1,
                    Err(e) => {
                        failed += 1;
                        eprintln!("{}: {e}", file.display());
                    }
                }
            }
            println!("Imported into {}: {stored} stored, {duplicates} already there, {failed} failed.", mailbox.name);
            if failed > 0 { Err(format!("{failed} files could not be imported")) } else { Ok(()) }
        }
        MailboxCommand::Add { name, address, servers } => {
            let name = backend::settings::mailbox_name(&name).map_err(|e| e.to_string())?;
            let address = model::EmailAddress::parse(&address).map_err(|e| e.to_string())?;
            // Everything is checked and the passwords read before anything is stored.
            let settings = servers.settings(address.as_str())?;
            let passwords = settings.as_ref().map(|_| mail_passwords()).transpose()?;
            let mailbox = store.create_mailbox(&name, address.as_str(), false).await.map_err(|e| e.to_string())?;
            if let (Some(settings), Some((imap, smtp))) = (&settings, &passwords) {
                mail_settings::save(store, key, mailbox.id, settings, (Some(imap), Some(smtp)), None)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            println!("Added mailbox {} <{}>.", mailbox.name, mailbox.address);
            Ok(())
        }
        MailboxCommand::List => {
            let servers = store.all_mail_settings().await.map_err(|e| e.to_string())?;
            for m in store.mailboxes(backend::store::MailboxScope::All).await.map_err(|e| e.to_string())? {
                let mail = match servers.iter().find(|(id, _)| *id == m.id) {
                    Some((_, stored)) => describe_servers(stored),
                    None if m.is_demo => "demo: never sends mail".to_string(),
                    None => "no mail servers yet".to_string(),
                };
                println!("{}\t{}\t{} open\t{mail}", m.name, m.address, m.open_count);
            }
            Ok(())
        }
    }
}

/// `IMAP host:port (tls) as user [INBOX, Sent]; SMTP host:port (tls) as user`; passwords
/// never, only whether one is missing.
fn describe_servers(stored: &StoredMailSettings) -> String {
    let s = &stored.settings;
    let missing = |has: bool| if has { "" } else { ", no password" };
    format!(
        "IMAP {}:{} ({}{}) as {} [{}]; SMTP {}:{} ({}{}) as {}",
        s.imap.host,
        s.imap.port,
        s.imap.security,
        missing(stored.has_imap_password),
        s.imap.user,
        s.folders.join(", "),
        s.smtp.host,
        s.smtp.port,
        s.smtp.security,
        missing(stored.has_smtp_password),
        s.smtp.user,
    )
}

/// A password from a prompt (typed twice) or the first line of standard input.
fn read_password(confirm: bool) -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| format!("reading the password: {e}"))?;
        if confirm {
            let second = rpassword::prompt_password("Again: ").map_err(|e| format!("reading the password: {e}"))?;
            if first != second {
                return Err("the two passwords differ".to_string());
            }
        }
        Ok(first)
    } else {
        let password = read_line("the password")?;
        if password.is_empty() {
            return Err("no password on standard input (pipe one in, or use --generate-password)".to_string());
        }
        Ok(password)
    }
}

/// 20 characters from an alphabet without look-alikes.
fn make_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..20).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect()
}
