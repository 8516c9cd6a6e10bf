//! The live channel over a real socket: a real server, a real database, and websocket clients
//! speaking the documented protocol ([`model::live`]) as the app and the load generator do.
//!
//! Waits are generous bounds; how fast frames arrive is the benchmark's business.

use std::time::Duration;

use backend::testing::TestDb;
use backend::{Caller, SignInLimits};
use futures::{SinkExt, StreamExt};
use model::live::{CLOSE_ACCESS_CHANGED, CLOSE_SIGNED_OUT, ClientMsg, Doing, ServerMsg, Writing};
use model::{ConversationAction, ConversationId, EventKind, MailboxId, Role, Status};
use server::Settings;
use server::startup::{self, Running};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const PASSWORD: &str = "correct horse battery";
const WAIT: Duration = Duration::from_secs(10);

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

struct Rig {
    server: Running,
    http: reqwest::Client,
    support: MailboxId,
    billing: MailboxId,
    conversation: ConversationId,
    sara: Caller,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

async fn rig() -> Rig {
    let db = TestDb::sqlite().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = Settings {
        data_dir: dir.path().to_path_buf(),
        database_url: Some(db.url.clone()),
        addr: Some("127.0.0.1:0".parse().expect("addr")),
        ..Settings::default()
    };
    let config = settings.load_with_secret(Some("ab".repeat(32))).expect("config");
    let server = startup::spawn(config, SignInLimits::default()).await.expect("server starts");
    let backend = server.backend.clone();
    let store = &backend.store;
    let mut callers = Vec::new();
    for (email, name) in [("sara@shop.test", "Sara"), ("omar@shop.test", "عمر"), ("nadia@shop.test", "Nadia")] {
        callers.push(Caller::from(&backend.add_user(email, name, Role::Agent, PASSWORD).await.expect("user")));
    }
    let support = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox").id;
    let billing = store.create_mailbox("Billing", "billing@shop.test", false).await.expect("mailbox").id;
    store.add_member(support, callers[0].id).await.expect("member");
    store.add_member(support, callers[1].id).await.expect("member");
    store.add_member(billing, callers[2].id).await.expect("member");
    let conversation = conversation_in(&server, support, "Where is my order?").await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    Rig { server, http, support, billing, conversation, sara: callers[0].clone(), _db: db, _dir: dir }
}

async fn conversation_in(server: &Running, mailbox: MailboxId, subject: &str) -> ConversationId {
    use backend::store::{By, NewConversation};
    let store = &server.backend.store;
    let contact = store.contact_for_email("layla@customer.test", "Layla").await.expect("contact");
    let new = NewConversation {
        mailbox_id: mailbox,
        contact_id: contact.id,
        subject: subject.to_string(),
        status: Status::Open,
        priority: model::Priority::Normal,
    };
    store.create_conversation(new, By::system()).await.expect("conversation").id
}

impl Rig {
    /// Signs in through the form and returns the `Cookie` header value.
    async fn sign_in(&self, email: &str) -> String {
        let response = self
            .http
            .post(format!("{}/signin", self.server.url()))
            .header("origin", self.server.url())
            .form(&[("email", email), ("password", PASSWORD)])
            .send()
            .await
            .expect("sign in");
        let cookie = response.headers().get("set-cookie").expect("cookie").to_str().expect("ascii");
        cookie.split(';').next().expect("pair").to_string()
    }

    /// Opens `/live` as a tab of Sanduq's own page would.
    async fn connect(&self, cookie: &str) -> Socket {
        self.try_connect(cookie, &self.server.url()).await.expect("upgrade")
    }

    async fn try_connect(&self, cookie: &str, origin: &str) -> Result<Socket, u16> {
        let url = format!("{}/live", self.server.url().replace("http://", "ws://"));
        let mut request = url.into_client_request().expect("request");
        request.headers_mut().insert("cookie", cookie.parse().expect("header"));
        request.headers_mut().insert("origin", origin.parse().expect("header"));
        match tokio_tungstenite::connect_async(request).await {
            Ok((mut socket, _)) => {
                assert!(matches!(next(&mut socket).await, ServerMsg::Hello { .. }), "hello comes first");
                Ok(socket)
            }
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
            Err(err) => panic!("connecting failed: {err}"),
        }
    }
}

async fn send(socket: &mut Socket, msg: ClientMsg) {
    let text = serde_json::to_string(&msg).expect("json");
    socket.send(Message::Text(text.into())).await.expect("send");
}

/// The next protocol frame, skipping heartbeats.
async fn next(socket: &mut Socket) -> ServerMsg {
    loop {
        let frame = tokio::time::timeout(WAIT, socket.next()).await.expect("a frame in time");
        match frame.expect("socket open").expect("frame") {
            Message::Text(text) => {
                let msg: ServerMsg = serde_json::from_str(text.as_str()).expect("a protocol frame");
                if msg != ServerMsg::Heartbeat {
                    return msg;
                }
            }
            Message::Close(frame) => panic!("closed: {frame:?}"),
            _ => {}
        }
    }
}

/// Frames until one matches.
async fn until(socket: &mut Socket, what: impl Fn(&ServerMsg) -> bool) -> ServerMsg {
    loop {
        let msg = next(socket).await;
        if what(&msg) {
            return msg;
        }
    }
}

/// The close code the server ends the socket with.
async fn closed_with(socket: &mut Socket) -> u16 {
    loop {
        let frame = tokio::time::timeout(WAIT, socket.next()).await.expect("closed in time");
        match frame {
            Some(Ok(Message::Close(Some(frame)))) => return frame.code.into(),
            Some(Ok(Message::Close(None))) | None => return 1005,
            Some(Err(err)) => panic!("socket failed instead of closing: {err}"),
            Some(Ok(_)) => {}
        }
    }
}

fn doing_of(msg: &ServerMsg, name: &str) -> Option<Doing> {
    match msg {
        ServerMsg::Presence { people, .. } => people.iter().find(|p| p.name == name).map(|p| p.doing),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_signed_in_tabs_of_our_own_origin_may_connect() {
    let rig = rig().await;
    assert_eq!(rig.try_connect("sanduq_session=nope", &rig.server.url()).await.err(), Some(401));
    let sara = rig.sign_in("sara@shop.test").await;
    assert_eq!(rig.try_connect(&sara, "https://evil.test").await.err(), Some(403), "Origin is checked");
    let mut socket = rig.connect(&sara).await;
    socket.send(Message::Text("{\"type\":\"shout\"}".into())).await.expect("send");
    assert!(matches!(next(&mut socket).await, ServerMsg::Error { .. }), "a bad frame is answered in words");
    send(&mut socket, ClientMsg::Ping { stamp: 7 }).await;
    assert_eq!(next(&mut socket).await, ServerMsg::Pong { stamp: 7 }, "the socket stays usable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_reach_only_the_members_of_the_mailbox() {
    let rig = rig().await;
    let (sara, nadia) = (rig.sign_in("sara@shop.test").await, rig.sign_in("nadia@shop.test").await);
    let (mut sara_tab, mut nadia_tab) = (rig.connect(&sara).await, rig.connect(&nadia).await);
    let backend = &rig.server.backend;

    backend.act(&rig.sara, rig.conversation, ConversationAction::SetStatus(Status::Waiting)).await.expect("status");
    let change = next(&mut sara_tab).await;
    let ServerMsg::Change { conversation, mailbox, kind, rev, actor } = change else { panic!("{change:?}") };
    assert_eq!(
        (conversation, mailbox, kind.as_str(), actor),
        (rig.conversation, rig.support, "status", Some(rig.sara.id))
    );
    let stored = backend.store.conversation(rig.conversation).await.expect("read");
    assert_eq!(rev, stored.rev, "the change carries the revision a refetch returns");

    // Nadia hears about her own mailbox only: the next frame she gets is Billing's.
    let invoice = conversation_in(&rig.server, rig.billing, "Invoice").await;
    let heard = next(&mut nadia_tab).await;
    assert!(
        matches!(heard, ServerMsg::Change { conversation, kind, .. } if conversation == invoice && kind == EventKind::Created),
        "{heard:?}"
    );
    // Sara never hears about Billing: after a Support change, hers is still Support's.
    backend.act(&rig.sara, rig.conversation, ConversationAction::AddTag("vip".into())).await.expect("tag");
    let heard = next(&mut sara_tab).await;
    assert!(
        matches!(heard, ServerMsg::Change { conversation, kind, .. } if conversation == rig.conversation && kind == EventKind::Tagged),
        "{heard:?}"
    );

    // Assigning Omar's conversation to Sara gives Sara a notice.
    let omar = backend.store.user_by_email("omar@shop.test").await.expect("lookup").expect("omar");
    let omar = Caller::from(&omar);
    backend.act(&omar, rig.conversation, ConversationAction::Assign(Some(rig.sara.id))).await.expect("assign");
    let notice = until(&mut sara_tab, |m| matches!(m, ServerMsg::Notice { .. })).await;
    assert_eq!(
        notice,
        ServerMsg::Notice {
            conversation: rig.conversation,
            kind: EventKind::Assigned,
            by: Some("عمر".into()),
            subject: "Where is my order?".into()
        }
    );
    // A note that @mentions her gives her a notice too; Omar, who wrote it, gets none.
    let note = backend::work::Posted::text(model::ComposerMode::Note, "@sara can you call her?", uuid::Uuid::new_v4());
    backend.post(&omar, rig.conversation, note).await.expect("note");
    let notice = until(&mut sara_tab, |m| matches!(m, ServerMsg::Notice { .. })).await;
    assert!(
        matches!(notice, ServerMsg::Notice { ref kind, ref by, .. } if *kind == EventKind::Mentioned && by.as_deref() == Some("عمر")),
        "{notice:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_shows_viewing_and_writing_and_expires_by_itself() {
    let rig = rig().await;
    let (sara, omar) = (rig.sign_in("sara@shop.test").await, rig.sign_in("omar@shop.test").await);
    let (mut sara_tab, mut omar_tab) = (rig.connect(&sara).await, rig.connect(&omar).await);
    let c = rig.conversation;
    send(&mut omar_tab, ClientMsg::Watch { conversations: vec![c] }).await;
    send(&mut omar_tab, ClientMsg::View { conversation: Some(c) }).await;
    send(&mut sara_tab, ClientMsg::Watch { conversations: vec![c] }).await;
    // Sara, arriving, learns at once that Omar is there.
    let seen = until(&mut sara_tab, |m| doing_of(m, "عمر").is_some()).await;
    assert_eq!(doing_of(&seen, "عمر"), Some(Doing::Viewing));

    send(&mut sara_tab, ClientMsg::View { conversation: Some(c) }).await;
    let seen = until(&mut omar_tab, |m| doing_of(m, "Sara").is_some()).await;
    assert_eq!(doing_of(&seen, "Sara"), Some(Doing::Viewing));
    send(&mut sara_tab, ClientMsg::Typing { conversation: c, mode: Writing::Reply, stamp: Some(42) }).await;
    let seen = until(&mut omar_tab, |m| doing_of(m, "Sara") == Some(Doing::Reply)).await;
    assert!(matches!(seen, ServerMsg::Presence { stamp: Some(42), .. }), "the stamp comes back: {seen:?}");
    // No further keystroke: writing turns back into viewing by itself.
    let started = std::time::Instant::now();
    until(&mut omar_tab, |m| doing_of(m, "Sara") == Some(Doing::Viewing)).await;
    assert!(started.elapsed() >= Duration::from_secs(4), "typing lasts a few seconds, not one frame");

    // A closed tab leaves at once.
    sara_tab.close(None).await.expect("close");
    let seen = until(&mut omar_tab, |m| matches!(m, ServerMsg::Presence { .. })).await;
    assert_eq!(doing_of(&seen, "Sara"), None, "{seen:?}");

    // A tab whose network died (it answers no ping) is gone within ten seconds.
    let mut sara_tab = rig.connect(&sara).await;
    send(&mut sara_tab, ClientMsg::View { conversation: Some(c) }).await;
    until(&mut omar_tab, |m| doing_of(m, "Sara").is_some()).await;
    let started = std::time::Instant::now();
    // Stop reading: tungstenite answers pings only while the socket is read.
    let frozen = sara_tab;
    until(&mut omar_tab, |m| matches!(m, ServerMsg::Presence { .. }) && doing_of(m, "Sara").is_none()).await;
    assert!(started.elapsed() <= Duration::from_secs(10), "gone in {:?}", started.elapsed());
    drop(frozen);

    // A conversation of another mailbox cannot be watched or entered.
    let nadia = rig.sign_in("nadia@shop.test").await;
    let mut nadia_tab = rig.connect(&nadia).await;
    send(&mut nadia_tab, ClientMsg::Watch { conversations: vec![c] }).await;
    send(&mut nadia_tab, ClientMsg::View { conversation: Some(c) }).await;
    send(&mut nadia_tab, ClientMsg::Ping { stamp: 1 }).await;
    assert_eq!(next(&mut nadia_tab).await, ServerMsg::Pong { stamp: 1 }, "no presence of a foreign conversation");
    send(&mut omar_tab, ClientMsg::Ping { stamp: 2 }).await;
    let after = until(&mut omar_tab, |m| matches!(m, ServerMsg::Pong { .. } | ServerMsg::Presence { .. })).await;
    assert_eq!(after, ServerMsg::Pong { stamp: 2 }, "Nadia never showed up in Support");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_close_on_sign_out_and_on_removal_from_the_mailbox() {
    let rig = rig().await;
    let sara = rig.sign_in("sara@shop.test").await;
    let mut tab = rig.connect(&sara).await;
    let response = rig
        .http
        .post(format!("{}/signout", rig.server.url()))
        .header("cookie", &sara)
        .header("origin", rig.server.url())
        .send()
        .await
        .expect("sign out");
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(closed_with(&mut tab).await, CLOSE_SIGNED_OUT);
    assert_eq!(rig.try_connect(&sara, &rig.server.url()).await.err(), Some(401), "the old cookie opens nothing");

    let sara = rig.sign_in("sara@shop.test").await;
    let mut tab = rig.connect(&sara).await;
    let admin = Caller::from(
        &rig.server.backend.add_user("admin@shop.test", "Admin", Role::Admin, PASSWORD).await.expect("admin"),
    );
    let change = model::SettingsChange::SetMember { user: rig.sara.id, mailbox: rig.support, member: false };
    rig.server.backend.change_settings(&admin, change).await.expect("removed");
    assert_eq!(closed_with(&mut tab).await, CLOSE_ACCESS_CHANGED);

    // Reconnected, she no longer hears about Support.
    let mut tab = rig.connect(&sara).await;
    rig.server.backend.act(&admin, rig.conversation, ConversationAction::AddTag("late".into())).await.expect("tag");
    send(&mut tab, ClientMsg::Ping { stamp: 3 }).await;
    assert_eq!(next(&mut tab).await, ServerMsg::Pong { stamp: 3 }, "no change from a mailbox she left");

    // A password change ends every session, and so every socket.
    rig.server.backend.store.add_member(rig.support, rig.sara.id).await.expect("member again");
    let mut tab = rig.connect(&sara).await;
    rig.server.backend.set_password(rig.sara.id, "another good password").await.expect("password");
    assert_eq!(closed_with(&mut tab).await, CLOSE_SIGNED_OUT);
}
