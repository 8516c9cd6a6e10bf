//! The browser's end of the live channel (protocol in [`model::live`]): one websocket per tab,
//! opened once by the app and kept across page changes.
//!
//! Pages tell [`Live`] what they show ([`Live::show_rows`], [`Live::open`]); it keeps the
//! server's subscription in step, and on every (re)connection sends the subscription first
//! and only then bumps [`Live::connected`], so pages refetch after they can no longer miss a
//! change. Changes reach pages through [`Live::on_change`] callbacks (every one, in order,
//! never coalesced); presence is a signal per conversation. On the server this is inert: the
//! signals exist so pages render the same, and nothing connects.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use model::live::{ClientMsg, Present, ServerMsg, Writing};
use model::{ConversationId, EventKind, MailboxId, UserId};

/// The state of the link, as the "reconnecting" banner shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Not connected yet (and on the server, never).
    Starting,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    Up,
    /// Lost; trying again.
    Reconnecting,
    /// The session ended (signed out elsewhere, password changed): no more tries.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    SignedOut,
}

/// A change to a conversation, as pages receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub conversation: ConversationId,
    pub mailbox: MailboxId,
    pub kind: EventKind,
    pub rev: i64,
    pub actor: Option<UserId>,
}

/// Something for this user alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: u64,
    /// `assigned` or `mentioned`.
    pub kind: EventKind,
    pub conversation: ConversationId,
    pub by: Option<String>,
    pub subject: String,
}

type Listener = Arc<dyn Fn(&Changed) + Send + Sync>;

/// The tab's live channel. Copy; provided by the app.
#[derive(Clone, Copy)]
pub struct Live {
    pub link: RwSignal<Link>,
    /// Bumped after each (re)connection once the subscription is sent: refetch on it.
    pub connected: RwSignal<u64>,
    /// Who is in each watched conversation (the signed-in user included).
    pub presence: RwSignal<HashMap<ConversationId, Vec<Present>>>,
    pub notices: RwSignal<Vec<Notice>>,
    /// The signed-in user, once the server said hello.
    pub me: RwSignal<Option<UserId>>,
    rows: RwSignal<Vec<ConversationId>>,
    viewing: RwSignal<Option<ConversationId>>,
    listeners: StoredValue<Vec<(u64, Listener)>>,
    next_id: StoredValue<u64>,
    /// Frames waiting for the socket; sent in order once it is open.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    outgoing: StoredValue<Option<futures_channel::Sender>>,
    /// When each conversation's last `typing` went out (ms since the epoch).
    typed_at: StoredValue<HashMap<(ConversationId, bool), f64>>,
}

/// The channel's sending half, where the browser has one.
#[cfg(feature = "hydrate")]
mod futures_channel {
    pub type Sender = futures::channel::mpsc::UnboundedSender<String>;
}
#[cfg(not(feature = "hydrate"))]
mod futures_channel {
    pub type Sender = ();
}

/// The app's live channel.
pub fn use_live() -> Live {
    use_context::<Live>().unwrap_or_else(Live::new)
}

impl Live {
    fn new() -> Live {
        Live {
            link: RwSignal::new(Link::Starting),
            connected: RwSignal::new(0),
            presence: RwSignal::new(HashMap::new()),
            notices: RwSignal::new(Vec::new()),
            me: RwSignal::new(None),
            rows: RwSignal::new(Vec::new()),
            viewing: RwSignal::new(None),
            listeners: StoredValue::new(Vec::new()),
            next_id: StoredValue::new(0),
            outgoing: StoredValue::new(None),
            typed_at: StoredValue::new(HashMap::new()),
        }
    }

    /// Makes the channel for the app and, in the browser, connects it.
    pub fn provide() -> Live {
        let live = Live::new();
        provide_context(live);
        #[cfg(feature = "hydrate")]
        {
            // Keep the subscription in step with what the pages show.
            Effect::new(move |_| {
                let conversations = live.watched();
                live.send(&ClientMsg::Watch { conversations });
            });
            Effect::new(move |_| {
                let conversation = live.viewing.get();
                live.send(&ClientMsg::View { conversation });
            });
            leptos::task::spawn_local(connection::run(live));
        }
        live
    }

    /// The list rows on screen.
    pub fn show_rows(&self, ids: Vec<ConversationId>) {
        if self.rows.get_untracked() != ids {
            self.rows.set(ids);
        }
    }

    /// The rows of a list that is going away (unless another list showed its own meanwhile).
    pub fn hide_rows(&self, ids: &[ConversationId]) {
        if self.rows.try_with_untracked(|rows| rows == ids) == Some(true) {
            self.rows.set(Vec::new());
        }
    }

    /// The conversation open in this tab (or none).
    pub fn open(&self, conversation: Option<ConversationId>) {
        if self.viewing.get_untracked() != conversation {
            self.viewing.set(conversation);
        }
    }

    /// The tab left `conversation` (unless it has opened another one meanwhile).
    pub fn close(&self, conversation: ConversationId) {
        if self.viewing.try_get_untracked().flatten() == Some(conversation) {
            self.viewing.set(None);
        }
    }

    /// The agent typed in the composer; sent at most every
    /// [`TYPING_EVERY_MS`](model::live::TYPING_EVERY_MS) per conversation and mode.
    pub fn typing(&self, conversation: ConversationId, mode: Writing) {
        let now = now_ms();
        let key = (conversation, mode == Writing::Note);
        let last = self.typed_at.with_value(|t| t.get(&key).copied()).unwrap_or(0.0);
        if now - last >= model::live::TYPING_EVERY_MS as f64 {
            self.typed_at.update_value(|t| {
                t.insert(key, now);
            });
            self.send(&ClientMsg::Typing { conversation, mode, stamp: None });
        }
    }

    /// The agent stopped writing (sent, or emptied the box).
    pub fn idle(&self, conversation: ConversationId) {
        self.typed_at.update_value(|t| t.retain(|(c, _), _| *c != conversation));
        self.send(&ClientMsg::Idle { conversation });
    }

    /// Calls `listener` with every change from now until the calling component is gone.
    pub fn on_change(&self, listener: impl Fn(&Changed) + Send + Sync + 'static) {
        let id = self.next_id.get_value() + 1;
        self.next_id.set_value(id);
        self.listeners.update_value(|l| l.push((id, Arc::new(listener))));
        let listeners = self.listeners;
        on_cleanup(move || {
            let _ = listeners.try_update_value(|l| l.retain(|(i, _)| *i != id));
        });
    }

    /// Calls `run` after each (re)connection that happens while the calling component lives:
    /// what changed while the socket was down (or before it first opened) is unknown, so
    /// what is on screen is read again.
    pub fn on_reconnect(&self, run: impl Fn() + 'static) {
        let connected = self.connected;
        Effect::new(move |seen: Option<u64>| {
            let now = connected.get();
            if seen.is_some_and(|seen| seen != now) {
                run();
            }
            now
        });
    }

    /// Everyone else in a conversation.
    pub fn others_in(&self, conversation: ConversationId) -> Vec<Present> {
        let me = self.me.get();
        self.presence
            .with(|p| p.get(&conversation).cloned().unwrap_or_default())
            .into_iter()
            .filter(|p| Some(p.user) != me)
            .collect()
    }

    /// Drops a notice the user has read.
    pub fn dismiss(&self, id: u64) {
        self.notices.update(|n| n.retain(|x| x.id != id));
    }

    fn watched(&self) -> Vec<ConversationId> {
        let mut ids = self.rows.get();
        if let Some(open) = self.viewing.get()
            && !ids.contains(&open)
        {
            ids.push(open);
        }
        ids.truncate(model::live::MAX_WATCHED);
        ids
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn watched_untracked(&self) -> Vec<ConversationId> {
        untrack(|| self.watched())
    }

    #[allow(unused_variables)]
    fn send(&self, msg: &ClientMsg) {
        #[cfg(feature = "hydrate")]
        self.outgoing.with_value(|out| {
            if let (Some(out), Ok(text)) = (out, serde_json::to_string(msg)) {
                let _ = out.unbounded_send(text);
            }
        });
    }

    /// Applies one frame from the server.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn receive(&self, msg: ServerMsg) {
        match msg {
            ServerMsg::Hello { user, .. } => self.me.set(Some(user)),
            ServerMsg::Presence { conversation, people, .. } => {
                self.presence.update(|p| {
                    if people.is_empty() {
                        p.remove(&conversation);
                    } else {
                        p.insert(conversation, people);
                    }
                });
            }
            ServerMsg::Change { conversation, mailbox, kind, rev, actor } => {
                let change = Changed { conversation, mailbox, kind, rev, actor };
                let listeners: Vec<Listener> =
                    self.listeners.with_value(|l| l.iter().map(|(_, f)| f.clone()).collect());
                for listener in listeners {
                    listener(&change);
                }
            }
            ServerMsg::Notice { conversation, kind, by, subject } => {
                let id = self.next_id.get_value() + 1;
                self.next_id.set_value(id);
                self.notices.update(|n| n.push(Notice { id, kind, conversation, by, subject }));
            }
            ServerMsg::Heartbeat | ServerMsg::Pong { .. } | ServerMsg::Error { .. } => {}
        }
    }
}

/// `run`, at most once per `delay`: the first call schedules it, and the calls until it runs
/// fold into that one (a burst of changes reloads a list once). Nothing runs after the
/// calling component is gone.
pub fn coalesced(
    delay: std::time::Duration,
    run: impl Fn() + Send + Sync + 'static,
) -> impl Fn() + Copy + Send + Sync + 'static {
    let due = StoredValue::new(false);
    let run: StoredValue<Arc<dyn Fn() + Send + Sync>> = StoredValue::new(Arc::new(run));
    move || {
        if due.try_get_value() == Some(false) {
            due.set_value(true);
            set_timeout(
                move || {
                    if due.try_set_value(false).is_none()
                        && let Some(run) = run.try_get_value()
                    {
                        run();
                    }
                },
                delay,
            );
        }
    }
}

fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// The socket's life in the browser: connect, subscribe, read, and reconnect with backoff.
#[cfg(feature = "hydrate")]
mod connection {
    use futures::{FutureExt, SinkExt, StreamExt};
    use gloo_net::websocket::futures::WebSocket;
    use gloo_net::websocket::{Message, WebSocketError};
    use gloo_timers::future::TimeoutFuture;
    use leptos::prelude::*;
    use model::live::{CLOSE_ACCESS_CHANGED, CLOSE_SIGNED_OUT, ClientMsg, HEARTBEAT_SECS, ServerMsg};

    use super::{Link, Live, now_ms};

    /// The longest wait between two attempts.
    const MAX_BACKOFF_MS: u32 = 15_000;
    /// How long a new socket may take to say its first frame, doubled after each socket that
    /// ran out of it (a slow link), up to the silence limit.
    const HELLO_WAIT_MS: f64 = 5_000.0;

    /// How long a socket may be silent once it has spoken: three heartbeats.
    const SILENT_LIMIT_MS: f64 = 3.0 * HEARTBEAT_SECS as f64 * 1000.0;

    pub async fn run(live: Live) {
        let mut backoff = 500u32;
        let mut slow = 0;
        loop {
            let hello_wait = (HELLO_WAIT_MS * f64::from(1u32 << slow.min(4))).min(SILENT_LIMIT_MS);
            let (close, heard) = match WebSocket::open(&url()) {
                Ok(socket) => serve(live, socket, hello_wait).await,
                Err(_) => (None, Heard::Nothing),
            };
            match heard {
                Heard::Spoke => (backoff, slow) = (500, 0),
                Heard::NoHello => slow += 1,
                Heard::Nothing => {}
            }
            live.outgoing.set_value(None);
            live.presence.set(Default::default());
            if close == Some(CLOSE_SIGNED_OUT) {
                // Said, not done: a page being left by its own sign-out must not be sent
                // elsewhere, and text being typed must not be thrown away.
                live.link.set(Link::SignedOut);
                return;
            }
            if close == Some(CLOSE_ACCESS_CHANGED) && matches!(heard, Heard::Spoke) {
                // Closed on purpose so the next socket hears about the right mailboxes: open
                // it at once, with no banner for a link that was never in doubt. Once only:
                // a socket closed so before it spoke goes the usual way.
                continue;
            }
            live.link.set(Link::Reconnecting);
            let jitter = (now_ms() as u32) % 250;
            TimeoutFuture::new(backoff + jitter).await;
            backoff = (backoff * 2).min(MAX_BACKOFF_MS);
        }
    }

    /// What a socket said before it ended.
    enum Heard {
        /// At least one frame.
        Spoke,
        /// Nothing: it closed or failed first.
        Nothing,
        /// Nothing, and it was given up for that.
        NoHello,
    }

    /// Holds one socket open; returns its close code, if the server gave one, and what the
    /// server said on it.
    async fn serve(live: Live, socket: WebSocket, hello_wait: f64) -> (Option<u16>, Heard) {
        let (mut write, mut read) = socket.split();
        let (sender, mut queue) = futures::channel::mpsc::unbounded::<String>();
        live.outgoing.set_value(Some(sender));
        // Subscribe first: what is on screen, then which conversation is open.
        let watch = ClientMsg::Watch { conversations: live.watched_untracked() };
        live.send(&watch);
        live.send(&ClientMsg::View { conversation: live.viewing.get_untracked() });
        let mut heard = now_ms();
        let mut up = false;
        // The server says hello as soon as the socket opens: a socket that has not within
        // `hello_wait` never will (a proxy that holds it, an attempt whose failure never
        // reached the page), so the tab tries again rather than wait.
        let time_left = |up: bool, heard: f64| (if up { SILENT_LIMIT_MS } else { hello_wait }) - (now_ms() - heard);
        let ended = |up: bool| if up { Heard::Spoke } else { Heard::Nothing };
        let given_up = |up: bool| if up { Heard::Spoke } else { Heard::NoHello };
        loop {
            futures::select! {
                frame = read.next().fuse() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        heard = now_ms();
                        if let Ok(msg) = crate::codec::from_json::<ServerMsg>(&text) {
                            live.receive(msg);
                        }
                        if !up {
                            // The subscription went out before this frame was read: from
                            // now on nothing is missed, so the pages refetch.
                            up = true;
                            live.link.set(Link::Up);
                            live.connected.update(|n| *n += 1);
                        }
                    }
                    Some(Ok(Message::Bytes(_))) => heard = now_ms(),
                    Some(Err(WebSocketError::ConnectionClose(event))) => return (Some(event.code), ended(up)),
                    Some(Err(_)) | None => return (None, ended(up)),
                },
                text = queue.next() => {
                    let Some(text) = text else { return (None, ended(up)) };
                    // A socket still connecting holds the send: the same deadline applies.
                    let wait = TimeoutFuture::new(time_left(up, heard).max(0.0) as u32);
                    futures::select! {
                        sent = write.send(Message::Text(text)).fuse() => if sent.is_err() {
                            return (None, ended(up));
                        },
                        _ = wait.fuse() => return (None, given_up(up)),
                    }
                }
                _ = TimeoutFuture::new(1_000).fuse() => {
                    if time_left(up, heard) < 0.0 {
                        return (None, given_up(up));
                    }
                }
            }
        }
    }

    /// `ws(s)://host/live` of the page's own origin.
    fn url() -> String {
        let location = window().location();
        let scheme = if location.protocol().ok().as_deref() == Some("https:") { "wss" } else { "ws" };
        format!("{scheme}://{}/live", location.host().unwrap_or_default())
    }
}
