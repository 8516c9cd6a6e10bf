//! Real mail servers for tests and benchmarks, started on loopback in a temp dir and stopped
//! with the value: Dovecot (Debian `dovecot-imapd`) with a throwaway config and one user, and
//! an SMTP server (Debian `python3-aiosmtpd`) that writes what it receives to a folder.
//!
//! `make test` installs both packages. Mail is put into Dovecot over IMAP (`APPEND`), as
//! another mail client would, so IDLE sessions hear about it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use async_imap::Client;
use futures::TryStreamExt;

use crate::mail::net::MailStream;
use crate::mail_settings::{Endpoint, MailSettings, Security};

/// The test account's user and password.
pub const USER: &str = "support";
pub const PASSWORD: &str = "dovecot-test-password";

/// A free port on loopback (released for the server to take).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn wait_for_port(port: u16, what: &str, log: &Path) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = std::fs::read_to_string(log).unwrap_or_default();
    panic!("{what} did not start on port {port}; its log:\n{log}");
}

/// A Dovecot IMAP server of our own.
pub struct Dovecot {
    dir: tempfile::TempDir,
    pub port: u16,
    child: Option<Child>,
}

impl Dovecot {
    /// Starts Dovecot with an empty mailbox.
    pub fn start() -> Dovecot {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let mut dovecot = Dovecot { dir, port, child: None };
        dovecot.write_config();
        dovecot.run();
        dovecot
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn write_config(&self) {
        let root = self.root();
        // As root, Dovecot runs mail processes as the user the userdb names, never as root.
        let is_root = Command::new("id").arg("-u").output().map(|o| o.stdout.trim_ascii() == b"0").unwrap_or(false);
        let (uid, gid) =
            if is_root { ("65534".to_string(), "65534".to_string()) } else { (own_id("-u"), own_id("-g")) };
        for sub in ["run", "state", "mail", "home"] {
            std::fs::create_dir_all(root.join(sub)).expect("dovecot dirs");
        }
        std::fs::write(root.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).expect("passwd");
        let config = format!(
            "base_dir = {root}/run\nstate_dir = {root}/state\nlog_path = {root}/dovecot.log\n\
             protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n\
             auth_mechanisms = plain login\nmail_location = maildir:{root}/mail/%u\n\
             first_valid_uid = 1\nfirst_valid_gid = 1\n\
             service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  \
             inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             passdb {{\n  driver = passwd-file\n  args = {root}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={root}/home/%u\n}}\n\
             imap_idle_notify_interval = 2 mins\n",
            root = root.display(),
            port = self.port,
        );
        std::fs::write(root.join("dovecot.conf"), config).expect("dovecot.conf");
        if is_root {
            // The mail processes run as nobody: they must reach and write the mail folders.
            let _ = Command::new("chmod").args(["755", &root.display().to_string()]).status();
            for sub in ["mail", "home"] {
                let _ =
                    Command::new("chown").args(["-R", "65534:65534", &root.join(sub).display().to_string()]).status();
            }
        }
    }

    fn run(&mut self) {
        let child = Command::new("dovecot")
            .args(["-F", "-c"])
            .arg(self.root().join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dovecot runs (apt-get install dovecot-imapd; `make test` does)");
        self.child = Some(child);
        wait_for_port(self.port, "Dovecot", &self.root().join("dovecot.log"));
    }

    /// Kills the server at once, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // Children (imap, auth) may outlive the master for a moment; its pid file goes with it.
        let _ = std::fs::remove_file(self.root().join("run/master.pid"));
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() && start.elapsed() < Duration::from_secs(5)
        {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts it again on the same port with the same mail.
    pub fn restart(&mut self) {
        self.kill();
        self.run();
    }

    /// An IMAP endpoint for Sanduq's settings.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint { host: "127.0.0.1".into(), port: self.port, security: Security::None, user: USER.into() }
    }

    /// Signs in as the test user, as another mail client would.
    pub async fn client(&self) -> async_imap::Session<MailStream> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.expect("connect to dovecot");
        let mut client = Client::new(MailStream::Plain(tcp));
        client.read_response().await.expect("greeting").expect("greeting line");
        client.login(USER, PASSWORD).await.map_err(|(e, _)| e).expect("login")
    }

    /// Appends mails to `folder` (created if missing), with `flags` such as `(\Seen)`.
    pub async fn append_all(&self, folder: &str, mails: &[Vec<u8>], flags: Option<&str>) {
        let mut session = self.client().await;
        let _ = session.create(folder).await;
        for mail in mails {
            session.append(folder, flags, None, mail).await.expect("append");
        }
        session.logout().await.expect("logout");
    }

    /// Appends mails that arrived at `internal_date` (IMAP form: `01-Jan-2024 10:00:00 +0000`).
    pub async fn append_dated(&self, folder: &str, mails: &[Vec<u8>], internal_date: &str) {
        let mut session = self.client().await;
        let _ = session.create(folder).await;
        // async-imap writes the date as given: the quotes are ours to add.
        let quoted = format!("\"{internal_date}\"");
        for mail in mails {
            session.append(folder, None, Some(&quoted), mail).await.expect("append");
        }
        session.logout().await.expect("logout");
    }

    /// Deletes and recreates `folder`: the server gives it a new UIDVALIDITY.
    pub async fn recreate(&self, folder: &str) {
        let mut session = self.client().await;
        session.delete(folder).await.expect("delete folder");
        session.create(folder).await.expect("create folder");
        session.logout().await.expect("logout");
    }

    /// The flags of every mail in `folder`, by UID.
    pub async fn flags(&self, folder: &str) -> Vec<(u32, Vec<String>)> {
        let mut session = self.client().await;
        session.examine(folder).await.expect("examine");
        let fetched: Vec<async_imap::types::Fetch> =
            session.uid_fetch("1:*", "(UID FLAGS)").await.expect("fetch").try_collect().await.expect("flags");
        session.logout().await.expect("logout");
        fetched.iter().map(|f| (f.uid.unwrap_or(0), f.flags().map(|flag| format!("{flag:?}")).collect())).collect()
    }
}

fn own_id(flag: &str) -> String {
    Command::new("id")
        .arg(flag)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "1000".into())
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The SMTP server: aiosmtpd with a handler that writes each mail and its envelope to a
/// folder, and answers as told by the file `mode` in that folder (`accept`, `tempfail`,
/// `reject`).
const SMTP_SINK: &str = r#"
import asyncio, json, os, sys, time
from aiosmtpd.controller import Controller

port, folder = int(sys.argv[1]), sys.argv[2]

class Sink:
    async def handle_DATA(self, server, session, envelope):
        try:
            mode = open(os.path.join(folder, "mode")).read().strip()
        except OSError:
            mode = "accept"
        if mode == "tempfail":
            return "451 4.3.0 try again later"
        if mode == "reject":
            return "550 5.7.1 relaying denied for this sender"
        name = "%d-%d" % (time.time_ns(), os.getpid())
        with open(os.path.join(folder, name + ".eml.tmp"), "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(os.path.join(folder, name + ".json"), "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        os.rename(os.path.join(folder, name + ".eml.tmp"), os.path.join(folder, name + ".eml"))
        return "250 2.0.0 queued as " + name

controller = Controller(Sink(), hostname="127.0.0.1", port=port, decode_data=False)
controller.start()
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
"#;

/// A mail the SMTP server received.
#[derive(Debug, Clone)]
pub struct Received {
    pub raw: Vec<u8>,
    pub from: String,
    pub to: Vec<String>,
}

/// The SMTP server of our own.
pub struct SmtpSink {
    dir: tempfile::TempDir,
    pub port: u16,
    child: Option<Child>,
}

impl SmtpSink {
    /// Starts it, accepting everything.
    pub fn start() -> SmtpSink {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("sink.py"), SMTP_SINK).expect("sink.py");
        std::fs::create_dir_all(dir.path().join("mail")).expect("mail dir");
        let mut sink = SmtpSink { dir, port: free_port(), child: None };
        sink.run();
        sink
    }

    fn mail_dir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    fn run(&mut self) {
        // Debian's Python, where python3-aiosmtpd is installed.
        let python = if Path::new("/usr/bin/python3").exists() { "/usr/bin/python3" } else { "python3" };
        let log = std::fs::File::create(self.dir.path().join("sink.log")).expect("log");
        let child = Command::new(python)
            .arg(self.dir.path().join("sink.py"))
            .arg(self.port.to_string())
            .arg(self.mail_dir())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("python3 runs (apt-get install python3-aiosmtpd; `make test` does)");
        self.child = Some(child);
        wait_for_port(self.port, "the SMTP server", &self.dir.path().join("sink.log"));
    }

    /// Stops it: connections are refused until [`SmtpSink::resume`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port.
    pub fn resume(&mut self) {
        self.stop();
        self.run();
    }

    /// How it answers from now on: `accept`, `tempfail` (451) or `reject` (550).
    pub fn set_mode(&self, mode: &str) {
        std::fs::write(self.mail_dir().join("mode"), mode).expect("mode");
    }

    /// An SMTP endpoint for Sanduq's settings.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint { host: "127.0.0.1".into(), port: self.port, security: Security::None, user: USER.into() }
    }

    /// Everything received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.mail_dir())
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        names.retain(|p| p.extension().is_some_and(|e| e == "eml"));
        names.sort();
        names
            .into_iter()
            .filter_map(|path| {
                let raw = std::fs::read(&path).ok()?;
                let envelope: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(path.with_extension("json")).ok()?).ok()?;
                Some(Received {
                    raw,
                    from: envelope["from"].as_str().unwrap_or_default().to_string(),
                    to: envelope["to"]
                        .as_array()
                        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                        .unwrap_or_default(),
                })
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A mailbox named `name` at `address` that sends through `smtp` (its IMAP side is never
/// used): for system mail and replies without a Dovecot.
pub async fn sending_mailbox(
    store: &crate::Store,
    key: &crate::SecretKey,
    smtp: &SmtpSink,
    name: &str,
    address: &str,
) -> model::MailboxId {
    let mailbox = store.create_mailbox(name, address, false).await.expect("mailbox").id;
    let settings = MailSettings {
        imap: smtp.endpoint(),
        folders: vec!["INBOX".into()],
        smtp: smtp.endpoint(),
        from_style: crate::mail_settings::FromStyle::Agent,
        sync_since: None,
    };
    crate::mail_settings::save(store, key, mailbox, &settings, (Some(""), Some("")), None)
        .await
        .expect("mail settings");
    mailbox
}

/// Mail settings for a mailbox served by these two.
pub fn settings(dovecot: &Dovecot, smtp: &SmtpSink, folders: &[&str]) -> MailSettings {
    MailSettings {
        imap: dovecot.endpoint(),
        folders: folders.iter().map(|f| f.to_string()).collect(),
        smtp: smtp.endpoint(),
        from_style: crate::mail_settings::FromStyle::Agent,
        sync_since: None,
    }
}
