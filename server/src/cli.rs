//! The command line: `serve` (the default), `migrate`, `user ...` and `mailbox ...`.
//!
//! Passwords never come from arguments (they would show in `ps` and shell history): they
//! are typed at a prompt, read from standard input, or generated and printed once.

use std::io::{BufRead, IsTerminal};

use backend::{Backend, Store};
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

/// Sanduq: a self-hosted shared inbox and help desk.
#[derive(Debug, Parser)]
#[command(name = "sanduq", version, after_help = AFTER_HELP)]
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
    /// Add a mailbox.
    Add {
        /// Its name in the app, e.g. "Support".
        #[arg(long)]
        name: String,
        /// Its email address, e.g. support@example.com.
        #[arg(long)]
        address: String,
    },
    /// List mailboxes.
    List,
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
            let result = mailbox_command(&store, command).await;
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

async fn mailbox_command(store: &Store, command: MailboxCommand) -> Result<(), String> {
    match command {
        MailboxCommand::Add { name, address } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                return Err("a mailbox name has 1 to 100 characters".to_string());
            }
            let address = model::EmailAddress::parse(&address).map_err(|e| e.to_string())?;
            let mailbox = store.create_mailbox(name, address.as_str(), false).await.map_err(|e| e.to_string())?;
            println!("Added mailbox {} <{}>.", mailbox.name, mailbox.address);
            Ok(())
        }
        MailboxCommand::List => {
            for m in store.mailboxes(backend::store::MailboxScope::All).await.map_err(|e| e.to_string())? {
                println!("{}\t{}\t{} open", m.name, m.address, m.open_count);
            }
            Ok(())
        }
    }
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
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("reading the password from stdin: {e}"))?;
        let password = line.trim_end_matches(['\n', '\r']).to_string();
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
