//! Test support for the server's integration tests (`server/tests/`): the app on a loopback
//! port with a database of its own, a client that signs in and calls server functions as the
//! browser does, a tab's live socket, and `sanduq serve` as a process of its own. Nothing in
//! the product calls it.
//!
//! It lives in the server library rather than in a `tests/support/mod.rs` pulled in by
//! `mod support;`: compiled once and linked by every test binary, instead of compiled again
//! into each of them, where each binary would also warn about the helpers it does not use.
//! For it, `reqwest`, `tokio-tungstenite` and `tempfile` are ordinary dependencies; all three
//! were in the tree already (axum's `ws` feature uses the same `tokio-tungstenite`). The
//! database and the mail servers come from [`backend::testing`], which the backend's own
//! suites share.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use backend::testing::TestDb;
use backend::{Backend, Caller, SignInLimits};
use futures::{SinkExt, StreamExt};
use model::live::{ClientMsg, Doing, ServerMsg};
use model::{ConversationId, MailboxId, Role};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::Settings;
use crate::startup::{self, Running};

pub use backend::testing::PASSWORD;

/// A running server, its database and a client that does not follow redirects.
pub struct TestApp {
    pub server: Running,
    pub client: reqwest::Client,
    /// What Sanduq's own pages send as `Origin`: the public URL.
    pub origin: String,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// The app on SQLite, with the default sign-in limits.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(TestDb::sqlite().await, None, SignInLimits::default()).await
    }

    /// The app on `db`, served at `public_url` (its own address if `None`).
    pub async fn spawn_with(db: TestDb, public_url: Option<&str>, limits: SignInLimits) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let settings = Settings {
            data_dir: dir.path().to_path_buf(),
            database_url: Some(db.url.clone()),
            addr: Some("127.0.0.1:0".parse().expect("addr")),
            public_url: public_url.map(|u| u.parse().expect("url")),
            trusted_proxies: Vec::new(),
            ..Settings::default()
        };
        let config = settings.load_with_secret(Some("ab".repeat(32))).expect("config");
        let server = startup::spawn(config, limits).await.expect("server starts");
        let origin = public_url.map(str::to_string).unwrap_or_else(|| server.url());
        TestApp { server, client: client(), origin, _db: db, _dir: dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    pub fn backend(&self) -> &Backend {
        &self.server.backend
    }

    /// A user who signs in with [`PASSWORD`].
    pub async fn add_user(&self, email: &str, name: &str, role: Role) -> Caller {
        backend::testing::caller(self.backend(), email, name, role).await
    }

    /// A mailbox `name@shop.test` with the users of `members` (by email) in it.
    pub async fn mailbox(&self, name: &str, members: &[&str]) -> MailboxId {
        let store = &self.backend().store;
        let mailbox =
            store.create_mailbox(name, &format!("{}@shop.test", name.to_lowercase()), false).await.expect("mailbox");
        for email in members {
            let user = store.user_by_email(email).await.expect("lookup").expect("user exists");
            store.add_member(mailbox.id, user.id).await.expect("member");
        }
        mailbox.id
    }

    /// A conversation with Layla in `mailbox`.
    pub async fn conversation(&self, mailbox: MailboxId, subject: &str) -> ConversationId {
        let by = backend::store::By::system();
        backend::testing::conversation(&self.backend().store, mailbox, subject, by).await.id
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send().await.expect("GET")
    }

    /// A form POST as Sanduq's own page sends it.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)], cookie: Option<&str>) -> reqwest::Response {
        self.post_form_from(path, form, cookie, Some(&self.origin), Some("same-origin")).await
    }

    /// A form POST with the `Origin` and `Sec-Fetch-Site` of someone else's page (or none).
    pub async fn post_form_from(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        origin: Option<&str>,
        fetch_site: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self.client.post(self.url(path)).form(form);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        request.send().await.expect("POST")
    }

    /// Signs in through the form and returns the `Cookie` header value to send afterwards.
    pub async fn sign_in(&self, email: &str) -> String {
        sign_in(&self.client, &self.server.url(), &self.origin, email).await
    }

    /// The server function `/api/{endpoint}` called with a form: its status and body.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)], cookie: Option<&str>) -> (StatusCode, String) {
        let response = self.post_form(&format!("/api/{endpoint}"), form, cookie).await;
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    /// Opens `/live` as a tab of Sanduq's own page would.
    pub async fn connect(&self, cookie: &str) -> Tab {
        self.try_connect(cookie, &self.origin).await.expect("upgrade")
    }

    /// Opens `/live` from a page of `origin`; a refused upgrade is its HTTP status.
    pub async fn try_connect(&self, cookie: &str, origin: &str) -> Result<Tab, u16> {
        Tab::connect(&self.server.url(), cookie, origin).await
    }
}

/// A client that does not follow redirects, so tests see where the server sends them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// Signs `email` in with [`PASSWORD`] at the server on `base` (`http://host:port`) from a page
/// of `origin`, checks that the browser is sent home, and returns the `Cookie` header value.
pub async fn sign_in(client: &reqwest::Client, base: &str, origin: &str, email: &str) -> String {
    let response = client
        .post(format!("{base}/signin"))
        .header("origin", origin)
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email} signs in");
    assert_eq!(location(response.headers()), "/");
    session_cookie(response.headers()).expect("a session cookie")
}

/// Where a redirect sends the browser ("" if nowhere).
pub fn location(headers: &HeaderMap) -> String {
    headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// `sanduq_session=...` from the response's Set-Cookie, if it sets a non-empty one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sanduq_session=") && !v.starts_with("sanduq_session=;"))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

/// Every Set-Cookie of the response, one a line.
pub fn set_cookie_text(headers: &HeaderMap) -> String {
    headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join("\n")
}

/// One tab's live socket, speaking [`model::live`]. Every wait is bounded by the tab's
/// `wait` (10 s unless [`Tab::waiting`] says otherwise): for one frame in [`Tab::next`], for
/// all of them in [`Tab::until`].
pub struct Tab {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    wait: Duration,
}

impl Tab {
    /// Opens `/live` on the server at `base` with `cookie` from a page of `origin`, and reads
    /// the `Hello` that comes first. A refused upgrade is its HTTP status.
    pub async fn connect(base: &str, cookie: &str, origin: &str) -> Result<Tab, u16> {
        let url = format!("{}/live", base.replace("http://", "ws://"));
        let mut request = url.into_client_request().expect("request");
        request.headers_mut().insert("cookie", cookie.parse().expect("header"));
        request.headers_mut().insert("origin", origin.parse().expect("header"));
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, _)) => {
                let mut tab = Tab { socket, wait: Duration::from_secs(10) };
                assert!(matches!(tab.next().await, ServerMsg::Hello { .. }), "hello comes first");
                Ok(tab)
            }
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
            Err(err) => panic!("connecting failed: {err}"),
        }
    }

    /// The same tab with every wait bounded by `wait` instead.
    pub fn waiting(self, wait: Duration) -> Tab {
        Tab { wait, ..self }
    }

    pub async fn send(&mut self, msg: ClientMsg) {
        self.send_text(&serde_json::to_string(&msg).expect("json")).await;
    }

    /// Sends any text, protocol or not.
    pub async fn send_text(&mut self, text: &str) {
        self.socket.send(Message::Text(text.to_string().into())).await.expect("send");
    }

    /// The next protocol frame, skipping heartbeats. The socket closing is a failure.
    pub async fn next(&mut self) -> ServerMsg {
        loop {
            let frame = tokio::time::timeout(self.wait, self.socket.next()).await.expect("a frame in time");
            if let Some(msg) = protocol(frame.expect("socket open").expect("frame")) {
                return msg;
            }
        }
    }

    /// Frames until one matches (heartbeats skipped), all within the tab's wait.
    pub async fn until(&mut self, what: impl Fn(&ServerMsg) -> bool) -> ServerMsg {
        let started = Instant::now();
        loop {
            let left = self.wait.saturating_sub(started.elapsed());
            let frame = tokio::time::timeout(left, self.socket.next()).await.expect("the frame in time");
            if let Some(msg) = protocol(frame.expect("socket open").expect("frame"))
                && what(&msg)
            {
                return msg;
            }
        }
    }

    /// The close code the server ends the socket with.
    pub async fn closed_with(&mut self) -> u16 {
        loop {
            let frame = tokio::time::timeout(self.wait, self.socket.next()).await.expect("closed in time");
            match frame {
                Some(Ok(Message::Close(Some(frame)))) => return frame.code.into(),
                Some(Ok(Message::Close(None))) | None => return 1005,
                Some(Err(err)) => panic!("socket failed instead of closing: {err}"),
                Some(Ok(_)) => {}
            }
        }
    }

    /// Closes the tab as a browser does.
    pub async fn close(mut self) {
        self.socket.close(None).await.expect("close");
    }
}

/// A text frame read as the protocol (any text must parse), heartbeats, pings and pongs as
/// none; a close is a failure. With `NODE_LOG` set every frame is printed, for debugging.
fn protocol(frame: Message) -> Option<ServerMsg> {
    if std::env::var_os("NODE_LOG").is_some() {
        eprintln!("frame: {frame:?}");
    }
    match frame {
        Message::Text(text) => {
            let msg: ServerMsg = serde_json::from_str(text.as_str()).expect("a protocol frame");
            (msg != ServerMsg::Heartbeat).then_some(msg)
        }
        Message::Close(frame) => panic!("closed: {frame:?}"),
        _ => None,
    }
}

/// What `name` is doing in a presence frame (`None` if absent or another kind of frame).
pub fn doing_of(msg: &ServerMsg, name: &str) -> Option<Doing> {
    match msg {
        ServerMsg::Presence { people, .. } => people.iter().find(|p| p.name == name).map(|p| p.doing),
        _ => None,
    }
}

/// `bin serve` (the test's `env!("CARGO_BIN_EXE_sanduq")`) on `data` and `addr`, with
/// nothing from the caller's environment but `PATH`, an empty site, errors only in its log
/// (`RUST_LOG` may be set again), and its standard error shown with the test's. The caller
/// adds its settings and spawns it.
pub fn serve_command(bin: &str, data: &Path, addr: &str) -> Command {
    let site = data.join("site");
    std::fs::create_dir_all(&site).expect("site dir");
    let mut command = Command::new(bin);
    command
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SANDUQ_DATA_DIR", data)
        .env("SANDUQ_ADDR", addr)
        .env("LEPTOS_SITE_ROOT", &site)
        .env("LEPTOS_OUTPUT_NAME", "sanduq")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    command
}
