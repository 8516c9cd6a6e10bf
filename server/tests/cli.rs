//! The `sanduq` binary as an operator meets it: settings that cannot work stop start-up with
//! one line naming the setting, passwords come from standard input, and users and mailboxes
//! made on the command line can sign in.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sanduq");

/// Runs `sanduq ARGS` with a clean Sanduq environment plus `env`, feeding `stdin`.
fn sanduq(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut command = Command::new(BIN);
    command.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for var in [
        "SANDUQ_DATA_DIR",
        "SANDUQ_DATABASE_URL",
        "SANDUQ_ADDR",
        "SANDUQ_PUBLIC_URL",
        "SANDUQ_SECRET_KEY",
        "SANDUQ_IMAP_PASSWORD",
        "SANDUQ_SMTP_PASSWORD",
    ] {
        command.env_remove(var);
    }
    command.env("RUST_LOG", "warn");
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("run sanduq");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

/// Asserts the command failed with one `sanduq:` line naming `setting`.
fn fails_naming(output: &Output, setting: &str) {
    let text = stderr(output);
    assert!(!output.status.success(), "should fail: {text}");
    assert!(!text.contains("panicked"), "no panic: {text}");
    let last = text.lines().last().unwrap_or_default();
    assert!(last.starts_with("sanduq: ") && last.contains(setting), "names {setting}: {text}");
}

#[test]
fn settings_that_cannot_work_stop_start_up_with_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8 path");
    let key = "ab".repeat(32);

    let bad_url = sanduq(&["migrate"], &[("SANDUQ_DATA_DIR", data), ("SANDUQ_DATABASE_URL", "mysql://x/y")], "");
    fails_naming(&bad_url, "SANDUQ_DATABASE_URL");

    let no_secret = sanduq(
        &["migrate"],
        &[("SANDUQ_DATA_DIR", data), ("SANDUQ_DATABASE_URL", "postgres://postgres@127.0.0.1:1/sanduq")],
        "",
    );
    fails_naming(&no_secret, "SANDUQ_SECRET_KEY");

    let bad_secret = sanduq(&["migrate"], &[("SANDUQ_DATA_DIR", data), ("SANDUQ_SECRET_KEY", "hunter2")], "");
    fails_naming(&bad_secret, "SANDUQ_SECRET_KEY");
    assert!(!stderr(&bad_secret).contains("hunter2"), "the secret is never printed");

    let unreachable = sanduq(
        &["migrate"],
        &[
            ("SANDUQ_DATA_DIR", data),
            ("SANDUQ_DATABASE_URL", "postgres://postgres:hunter2@127.0.0.1:1/sanduq"),
            ("SANDUQ_SECRET_KEY", &key),
        ],
        "",
    );
    fails_naming(&unreachable, "SANDUQ_DATABASE_URL");
    assert!(!stderr(&unreachable).contains("hunter2"), "the database password is never printed");

    let missing_dir = sanduq(
        &["migrate"],
        &[("SANDUQ_DATA_DIR", data), ("SANDUQ_DATABASE_URL", "sqlite:///nonexistent/folder/sanduq.db")],
        "",
    );
    fails_naming(&missing_dir, "SANDUQ_DATABASE_URL");

    let unwritable = sanduq(&["migrate"], &[("SANDUQ_DATA_DIR", "/proc/sanduq")], "");
    fails_naming(&unwritable, "SANDUQ_DATA_DIR");

    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let busy = sanduq(&["serve"], &[("SANDUQ_DATA_DIR", data), ("SANDUQ_ADDR", &addr)], "");
    fails_naming(&busy, "SANDUQ_ADDR");
}

#[test]
fn users_and_mailboxes_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8 path");
    let env = [("SANDUQ_DATA_DIR", data)];

    assert!(sanduq(&["migrate"], &env, "").status.success());
    assert!(dir.path().join("sanduq.db").exists());
    assert!(dir.path().join("secret.key").exists(), "the secret key is generated on SQLite");

    let unknown_mailbox = sanduq(
        &["user", "add", "--email", "sara@shop.test", "--name", "Sara", "--role", "agent", "--mailbox", "Support"],
        &env,
        "correct horse battery\n",
    );
    assert!(!unknown_mailbox.status.success());
    assert!(stderr(&unknown_mailbox).contains("no mailbox named \"Support\""), "{}", stderr(&unknown_mailbox));

    let added = sanduq(&["mailbox", "add", "--name", "Support", "--address", "Support@Shop.test"], &env, "");
    assert!(added.status.success(), "{}", stderr(&added));
    let bad_address = sanduq(&["mailbox", "add", "--name", "Other", "--address", "not an address"], &env, "");
    assert!(!bad_address.status.success());

    let sara = sanduq(
        &["user", "add", "--email", "sara@shop.test", "--name", "Sara", "--role", "agent", "--mailbox", "Support"],
        &env,
        "correct horse battery\n",
    );
    assert!(sara.status.success(), "{}", stderr(&sara));
    assert!(stdout(&sara).contains("Member of: Support."));

    let short =
        sanduq(&["user", "add", "--email", "omar@shop.test", "--name", "Omar", "--role", "agent"], &env, "short\n");
    assert!(!short.status.success());
    assert!(stderr(&short).contains("at least 10 characters"), "{}", stderr(&short));

    let bad_role = sanduq(&["user", "add", "--email", "omar@shop.test", "--name", "Omar", "--role", "owner"], &env, "");
    assert!(!bad_role.status.success());
    assert!(stderr(&bad_role).contains("admin, manager or agent"), "{}", stderr(&bad_role));

    let again = sanduq(
        &["user", "add", "--email", "SARA@shop.test", "--name", "Sara", "--role", "agent"],
        &env,
        "another password\n",
    );
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));

    let admin = sanduq(
        &["user", "add", "--email", "boss@shop.test", "--name", "Boss", "--role", "admin", "--generate-password"],
        &env,
        "",
    );
    assert!(admin.status.success(), "{}", stderr(&admin));
    assert!(stdout(&admin).lines().any(|l| l.starts_with("Password: ") && l.len() == "Password: ".len() + 20));

    let list = stdout(&sanduq(&["user", "list"], &env, ""));
    assert!(list.contains("sara@shop.test\tagent\tSara") && list.contains("boss@shop.test\tadmin\tBoss"), "{list}");
    assert!(stdout(&sanduq(&["mailbox", "list"], &env, "")).contains("Support\tsupport@shop.test"));

    let passwd = sanduq(&["user", "passwd", "--email", "sara@shop.test"], &env, "a new long password\n");
    assert!(passwd.status.success(), "{}", stderr(&passwd));
    let nobody = sanduq(&["user", "passwd", "--email", "nobody@shop.test"], &env, "a new long password\n");
    assert!(!nobody.status.success());
    let empty = sanduq(&["user", "passwd", "--email", "sara@shop.test"], &env, "");
    assert!(stderr(&empty).contains("no password on standard input"), "{}", stderr(&empty));
}

#[test]
fn help_documents_every_setting() {
    let help = stdout(&sanduq(&["--help"], &[], ""));
    for setting in [
        "SANDUQ_DATA_DIR",
        "SANDUQ_DATABASE_URL",
        "SANDUQ_ADDR",
        "SANDUQ_PUBLIC_URL",
        "SANDUQ_TRUSTED_PROXIES",
        "SANDUQ_SECRET_KEY",
        "SANDUQ_IMAP_POLL_SECS",
        "SANDUQ_UNDO_SECS",
        "SANDUQ_SMTP_TIMEOUT_SECS",
    ] {
        assert!(help.contains(setting), "--help lacks {setting}");
    }
}

#[test]
fn demo_data_goes_into_an_empty_database_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8 path");
    let env = [("SANDUQ_DATA_DIR", data)];
    let demo = sanduq(&["demo"], &env, "");
    assert!(demo.status.success(), "{}", stderr(&demo));
    let text = stdout(&demo);
    assert!(text.contains("3 mailboxes, 300 customers, 1000 conversations"), "{text}");
    assert!(text.contains("sanduq-demo") && text.contains("amal@nour-store.example"), "{text}");
    let again = sanduq(&["demo"], &env, "");
    assert!(!again.status.success());
    assert!(stderr(&again).contains("only into an empty database"), "{}", stderr(&again));
}

#[test]
fn mailboxes_get_their_mail_servers_with_sealed_passwords() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8 path");
    let env = [("SANDUQ_DATA_DIR", data)];
    let gmail = sanduq(
        &[
            "mailbox",
            "add",
            "--name",
            "Support",
            "--address",
            "support@shop.test",
            "--imap-host",
            "imap.gmail.com",
            "--smtp-host",
            "smtp.gmail.com",
            "--folder",
            "INBOX",
            "--folder",
            "[Gmail]/Sent Mail",
        ],
        &env,
        "gmail app password\n",
    );
    assert!(gmail.status.success(), "{}", stderr(&gmail));
    let local = sanduq(
        &[
            "mailbox",
            "add",
            "--name",
            "Local",
            "--address",
            "help@shop.test",
            "--imap-host",
            "127.0.0.1",
            "--imap-security",
            "none",
            "--imap-port",
            "1143",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-security",
            "starttls",
        ],
        &[("SANDUQ_DATA_DIR", data), ("SANDUQ_IMAP_PASSWORD", "imap secret"), ("SANDUQ_SMTP_PASSWORD", "smtp secret")],
        "",
    );
    assert!(local.status.success(), "{}", stderr(&local));

    // Plain text to a remote server, a missing password, half a configuration: refused,
    // and nothing stored.
    let clear = sanduq(
        &[
            "mailbox",
            "add",
            "--name",
            "Clear",
            "--address",
            "c@shop.test",
            "--imap-host",
            "imap.example.com",
            "--imap-security",
            "none",
            "--smtp-host",
            "smtp.example.com",
        ],
        &env,
        "p\n",
    );
    fails_naming(&clear, "in the clear");
    let no_password = sanduq(
        &[
            "mailbox",
            "add",
            "--name",
            "Empty",
            "--address",
            "e@shop.test",
            "--imap-host",
            "i.test",
            "--smtp-host",
            "s.test",
        ],
        &env,
        "",
    );
    fails_naming(&no_password, "SANDUQ_IMAP_PASSWORD");
    let half =
        sanduq(&["mailbox", "add", "--name", "Half", "--address", "h@shop.test", "--imap-host", "i.test"], &env, "");
    assert!(!half.status.success() && stderr(&half).contains("--smtp-host"), "{}", stderr(&half));

    let list = sanduq(&["mailbox", "list"], &env, "");
    let text = stdout(&list);
    assert!(text.contains("IMAP imap.gmail.com:993 (tls) as support@shop.test [INBOX, [Gmail]/Sent Mail]"), "{text}");
    assert!(text.contains("SMTP smtp.gmail.com:465 (tls) as support@shop.test"), "{text}");
    assert!(text.contains("IMAP 127.0.0.1:1143 (none) as help@shop.test"), "{text}");
    assert!(text.contains("SMTP 127.0.0.1:587 (starttls)"), "{text}");
    assert!(!text.contains("Clear") && !text.contains("Empty") && !text.contains("Half"), "{text}");
    for word in ["gmail app password", "imap secret", "smtp secret"] {
        assert!(!text.contains(word), "a password in the listing: {text}");
    }

    // The passwords are sealed on disk.
    for entry in std::fs::read_dir(dir.path()).expect("data dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            continue;
        }
        let bytes = std::fs::read(path).expect("read");
        for word in ["gmail app password", "imap secret", "smtp secret"] {
            assert!(!bytes.windows(word.len()).any(|w| w == word.as_bytes()), "{word:?} in plain text on disk");
        }
    }
}

#[test]
fn mail_files_are_imported_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8 path");
    let env = [("SANDUQ_DATA_DIR", data)];
    assert!(
        sanduq(&["mailbox", "add", "--name", "Support", "--address", "support@shop.test"], &env, "").status.success()
    );
    let mail = dir.path().join("order.eml");
    std::fs::write(
        &mail,
        "From: Layla <layla@customer.test>\r\nTo: support@shop.test\r\nSubject: Order\r\nMessage-ID: <o1@customer.test>\r\n\r\nHello\r\n",
    )
    .expect("write");
    let mail = mail.to_str().expect("utf-8 path");
    let first = sanduq(&["mailbox", "import", "--name", "Support", mail], &env, "");
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("1 stored, 0 already there, 0 failed"), "{}", stdout(&first));
    let again = sanduq(&["mailbox", "import", "--name", "Support", mail], &env, "");
    assert!(stdout(&again).contains("0 stored, 1 already there"), "{}", stdout(&again));
    let missing = sanduq(&["mailbox", "import", "--name", "Support", "/nonexistent.eml"], &env, "");
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("cannot read it"), "{}", stderr(&missing));
    let nobody = sanduq(&["mailbox", "import", "--name", "Nope", mail], &env, "");
    assert!(stderr(&nobody).contains("no mailbox named"), "{}", stderr(&nobody));
}

#[test]
fn the_version_names_the_commit_it_was_built_from() {
    let output = sanduq(&["--version"], &[], "");
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.starts_with(&format!("sanduq {} (", env!("CARGO_PKG_VERSION"))), "{text}");
    let commit = text.trim_end().trim_end_matches(')').rsplit('(').next().unwrap_or_default();
    assert!(commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit()), "a commit hash: {text}");
}

/// `sanduq serve` on an empty data folder says where to set the team up and with what code,
/// and leaves the code in the data folder for the operator, readable by them alone; the pages
/// lead to the set-up page.
#[tokio::test]
async fn a_fresh_server_prints_its_set_up_code_and_keeps_it_in_the_data_folder() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let port = backend::testing::mailservers::free_port();
    let mut child = server::testing::serve_command(BIN, dir.path(), &format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start sanduq");
    let file = dir.path().join(model::SETUP_CODE_FILE);
    let start = std::time::Instant::now();
    while !file.exists() {
        assert!(start.elapsed() < std::time::Duration::from_secs(30), "no set-up code was written");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let code = std::fs::read_to_string(&file).expect("read the code");
    let code = code.trim();
    assert!(code.len() == 14 && code.split('-').count() == 3, "{code:?}");
    let mode = std::fs::metadata(&file).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "only the server's user reads the code");
    let client = server::testing::client();
    let r = client.get(format!("http://127.0.0.1:{port}/")).send().await.expect("GET /");
    assert_eq!(server::testing::location(r.headers()), "/setup");
    child.kill().expect("stop");
    let output = child.wait_with_output().expect("output");
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(said.contains(code) && said.contains("/setup"), "the log names the code and the page: {said}");
}
