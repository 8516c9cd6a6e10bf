//! The hub: one per node. It keeps this node's open sockets, who is where in every
//! conversation (from all nodes' presence signals), and fans signals out to the sockets that
//! may see them.
//!
//! A socket hears about a conversation only if its user may see the conversation's mailbox,
//! checked against the store when the tab first names the conversation. Frames go out
//! through a bounded queue per socket; a tab that does not read its frames is closed with
//! [`CLOSE_TOO_SLOW`] rather than let the queue grow. The state is one mutex never held
//! across an `.await`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use model::live::Doing;
use model::live::{
    CLOSE_ACCESS_CHANGED, CLOSE_SIGNED_OUT, CLOSE_TOO_SLOW, ClientMsg, HEARTBEAT_SECS, MAX_WATCHED, Present, ServerMsg,
    TYPING_TTL_MS, Writing,
};
use model::{ConversationId, MailboxId, UserId};
use tokio::sync::{broadcast, mpsc, watch};

use super::{ALIVE_EVERY, Change, NODE_TIMEOUT, NodeId, PresenceOf, Signal};
use crate::access::Caller;
use crate::error::Result;
use crate::store::MailboxScope;
use crate::{Backend, SessionToken};

/// How many frames may wait for one socket before it counts as too slow.
const QUEUE: usize = 256;
/// How often the hub expires typing and checks on nodes.
const TICK: Duration = Duration::from_millis(250);

/// This node's live hub. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    state: Arc<Mutex<State>>,
    backend: Backend,
}

/// One open socket, as its transport sees it: frames to write, and the close code once the
/// hub wants it closed.
pub struct Connection {
    pub id: u64,
    pub frames: mpsc::Receiver<String>,
    pub close: watch::Receiver<Option<u16>>,
}

/// Which mailboxes a socket's user may see.
enum Visible {
    All,
    Only(HashSet<MailboxId>),
}

impl Visible {
    fn allows(&self, mailbox: MailboxId) -> bool {
        match self {
            Visible::All => true,
            Visible::Only(set) => set.contains(&mailbox),
        }
    }
}

struct Sock {
    user: UserId,
    name: String,
    session: SessionToken,
    visible: Visible,
    out: mpsc::Sender<String>,
    close: watch::Sender<Option<u16>>,
    watched: HashSet<ConversationId>,
    viewing: Option<ConversationId>,
    doing: Doing,
    typing_until: Option<Instant>,
}

/// One socket's entry in a conversation, from any node.
#[derive(Clone)]
struct Entry {
    user: UserId,
    name: String,
    doing: Doing,
}

type SocketKey = (NodeId, u64);

#[derive(Default)]
struct State {
    next_id: u64,
    sockets: HashMap<u64, Sock>,
    watchers: HashMap<ConversationId, HashSet<u64>>,
    /// The mailbox of every conversation a tab has named, as checked against the store.
    known: HashMap<ConversationId, MailboxId>,
    presence: HashMap<ConversationId, HashMap<SocketKey, Entry>>,
    located: HashMap<SocketKey, ConversationId>,
    nodes: HashMap<NodeId, Instant>,
    last_heartbeat: Option<Instant>,
    last_alive: Option<Instant>,
}

impl Hub {
    /// Starts the bus and the hub's own tasks. Returns once the bus listens.
    pub async fn start(backend: Backend) -> Result<Hub> {
        let signals = backend.live.subscribe();
        backend.live.start().await?;
        let hub = Hub { state: Arc::new(Mutex::new(State::default())), backend };
        tokio::spawn(hub.clone().consume(signals));
        tokio::spawn(hub.clone().tick());
        hub.backend.live.publish(Signal::Alive { node: hub.node().clone() }).await?;
        Ok(hub)
    }

    fn node(&self) -> &NodeId {
        &self.backend.live.node
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain maps behind; carry on with them.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Closes every socket with 1001 (the server is stopping) and tells the other nodes that
    /// this one's presence is gone.
    pub async fn stop(&self) {
        let ids: Vec<u64> = self.lock().sockets.keys().copied().collect();
        for id in ids {
            self.close(id, 1001);
        }
        self.publish(Signal::Gone { node: self.node().clone() }).await;
    }

    /// How many sockets this node holds.
    pub fn sockets(&self) -> usize {
        self.lock().sockets.len()
    }

    /// Registers a socket of a signed-in user and queues its `hello`.
    pub async fn connect(&self, caller: &Caller, session: SessionToken) -> Result<Connection> {
        let visible = match caller.mailbox_scope() {
            MailboxScope::All => Visible::All,
            MailboxScope::MemberOf(_) => {
                Visible::Only(self.backend.mailboxes(caller).await?.into_iter().map(|m| m.id).collect())
            }
        };
        let (out, frames) = mpsc::channel(QUEUE);
        let (close_tx, close) = watch::channel(None);
        let hello = frame(&ServerMsg::Hello { user: caller.id, heartbeat_secs: HEARTBEAT_SECS });
        let _ = out.try_send(hello);
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.sockets.insert(
            id,
            Sock {
                user: caller.id,
                name: caller.name.clone(),
                session,
                visible,
                out,
                close: close_tx,
                watched: HashSet::new(),
                viewing: None,
                doing: Doing::Viewing,
                typing_until: None,
            },
        );
        Ok(Connection { id, frames, close })
    }

    /// Forgets a closed socket; its presence leaves every node.
    pub async fn disconnect(&self, id: u64) {
        let left = {
            let mut state = self.lock();
            let Some(sock) = state.sockets.remove(&id) else { return };
            state.unwatch(id, &sock.watched);
            sock.viewing.map(|_| self.presence_of(id, &sock, None, None))
        };
        if let Some(left) = left {
            self.publish(left).await;
        }
    }

    /// Handles one frame from a tab.
    pub async fn receive(&self, id: u64, msg: ClientMsg) {
        match msg {
            ClientMsg::Ping { stamp } => self.send_to(id, &ServerMsg::Pong { stamp }),
            ClientMsg::Watch { mut conversations } => {
                conversations.truncate(MAX_WATCHED);
                let allowed = self.allowed(id, &conversations).await;
                let snapshots = {
                    let mut state = self.lock();
                    let Some(sock) = state.sockets.get_mut(&id) else { return };
                    let old = std::mem::replace(&mut sock.watched, allowed.iter().copied().collect());
                    state.unwatch(id, &old);
                    for conversation in &allowed {
                        state.watchers.entry(*conversation).or_default().insert(id);
                    }
                    allowed
                        .iter()
                        .filter(|c| state.presence.get(c).is_some_and(|p| !p.is_empty()))
                        .map(|c| ServerMsg::Presence { conversation: *c, people: state.people(c), stamp: None })
                        .collect::<Vec<_>>()
                };
                for snapshot in snapshots {
                    self.send_to(id, &snapshot);
                }
            }
            ClientMsg::View { conversation } => {
                if let Some(c) = conversation
                    && self.allowed(id, &[c]).await.is_empty()
                {
                    return;
                }
                self.set_doing(id, conversation, Doing::Viewing, None).await;
            }
            ClientMsg::Typing { conversation, mode, stamp } => {
                if self.allowed(id, &[conversation]).await.is_empty() {
                    return;
                }
                let doing = match mode {
                    Writing::Reply => Doing::Reply,
                    Writing::Note => Doing::Note,
                };
                self.set_doing(id, Some(conversation), doing, stamp).await;
            }
            ClientMsg::Idle { conversation } => {
                let viewing = self.lock().sockets.get(&id).and_then(|s| s.viewing);
                if viewing == Some(conversation) {
                    self.set_doing(id, Some(conversation), Doing::Viewing, None).await;
                }
            }
        }
    }

    /// Of `conversations`, those the socket's user may see (checked against the store the
    /// first time each is named).
    async fn allowed(&self, id: u64, conversations: &[ConversationId]) -> Vec<ConversationId> {
        let unknown: Vec<ConversationId> = {
            let state = self.lock();
            conversations.iter().filter(|c| !state.known.contains_key(c)).copied().collect()
        };
        if !unknown.is_empty() {
            match self.backend.store.conversation_mailboxes(&unknown).await {
                Ok(found) => {
                    let mut state = self.lock();
                    if state.known.len() > 200_000 {
                        state.known.clear();
                    }
                    state.known.extend(found);
                }
                Err(err) => tracing::warn!(%err, "checking conversations for a live socket failed"),
            }
        }
        let state = self.lock();
        let Some(sock) = state.sockets.get(&id) else { return Vec::new() };
        conversations.iter().filter(|c| state.known.get(c).is_some_and(|m| sock.visible.allows(*m))).copied().collect()
    }

    /// Sets where a socket is and what it does there, and tells every node.
    async fn set_doing(&self, id: u64, conversation: Option<ConversationId>, doing: Doing, stamp: Option<u64>) {
        let signal = {
            let mut state = self.lock();
            let Some(sock) = state.sockets.get_mut(&id) else { return };
            let same = sock.viewing == conversation && sock.doing == doing;
            sock.viewing = conversation;
            sock.doing = doing;
            sock.typing_until =
                (doing != Doing::Viewing).then(|| Instant::now() + Duration::from_millis(TYPING_TTL_MS));
            // A repeated typing frame still goes out: it carries its stamp and keeps the
            // other tabs' "is writing" alive.
            if same && doing == Doing::Viewing {
                return;
            }
            let sock = &state.sockets[&id];
            self.presence_of(id, sock, conversation, stamp)
        };
        self.publish(signal).await;
    }

    fn presence_of(&self, id: u64, sock: &Sock, conversation: Option<ConversationId>, stamp: Option<u64>) -> Signal {
        Signal::Presence(PresenceOf {
            node: self.node().clone(),
            socket: id,
            user: sock.user,
            name: sock.name.clone(),
            conversation,
            doing: sock.doing,
            stamp,
        })
    }

    async fn publish(&self, signal: Signal) {
        if let Err(err) = self.backend.live.publish(signal).await {
            tracing::warn!(%err, "publishing on the live bus failed");
        }
    }

    fn send_to(&self, id: u64, msg: &ServerMsg) {
        let state = self.lock();
        if let Some(sock) = state.sockets.get(&id) {
            push(sock, frame(msg));
        }
    }

    /// Applies every signal from the bus, in order.
    async fn consume(self, mut signals: broadcast::Receiver<Signal>) {
        loop {
            let signal = match signals.recv().await {
                Ok(signal) => signal,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the live hub fell behind the bus; every tab resyncs");
                    Signal::Lost
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            self.apply(signal).await;
        }
    }

    async fn apply(&self, signal: Signal) {
        match signal {
            Signal::Presence(p) => {
                let mut state = self.lock();
                // Presence proves its node alive too: a node first heard of this way (its
                // first Alive came before this one listened) is still timed out if it dies.
                state.nodes.insert(p.node.clone(), Instant::now());
                let key = (p.node.clone(), p.socket);
                let mut touched = Vec::new();
                if let Some(old) = state.located.remove(&key) {
                    if let Some(entries) = state.presence.get_mut(&old) {
                        entries.remove(&key);
                        if entries.is_empty() {
                            state.presence.remove(&old);
                        }
                    }
                    if Some(old) != p.conversation {
                        touched.push((old, None));
                    }
                }
                if let Some(conversation) = p.conversation {
                    state.located.insert(key.clone(), conversation);
                    state
                        .presence
                        .entry(conversation)
                        .or_default()
                        .insert(key, Entry { user: p.user, name: p.name, doing: p.doing });
                    touched.push((conversation, p.stamp));
                }
                for (conversation, stamp) in touched {
                    state.tell_watchers(conversation, stamp);
                }
            }
            Signal::Change(change) => self.fan_out(change).await,
            Signal::Alive { node } => {
                let stranger = {
                    let mut state = self.lock();
                    state.nodes.insert(node.clone(), Instant::now()).is_none() && &node != self.node()
                };
                if stranger {
                    // A node that just started (or came back) knows nobody here yet.
                    let mine: Vec<Signal> = {
                        let state = self.lock();
                        state
                            .sockets
                            .iter()
                            .filter(|(_, s)| s.viewing.is_some())
                            .map(|(id, s)| self.presence_of(*id, s, s.viewing, None))
                            .collect()
                    };
                    for signal in mine {
                        self.publish(signal).await;
                    }
                }
            }
            Signal::Gone { node } => {
                let mut state = self.lock();
                state.nodes.remove(&node);
                state.drop_node(&node);
            }
            Signal::Sessions { user } => {
                let sessions: Vec<(u64, SessionToken)> = {
                    let state = self.lock();
                    state
                        .sockets
                        .iter()
                        .filter(|(_, s)| s.user == user)
                        .map(|(id, s)| (*id, s.session.clone()))
                        .collect()
                };
                for (id, session) in sessions {
                    // Ended, or held back until a second factor is set up (the team now
                    // requires one): no more work reaches the socket.
                    match self.backend.session(&session).await {
                        Ok(None) => self.close(id, CLOSE_SIGNED_OUT),
                        Ok(Some(caller)) if caller.must_enrol => self.close(id, CLOSE_SIGNED_OUT),
                        _ => {}
                    }
                }
            }
            Signal::Access { user } => {
                let ids: Vec<u64> =
                    self.lock().sockets.iter().filter(|(_, s)| s.user == user).map(|(id, _)| *id).collect();
                for id in ids {
                    self.close(id, CLOSE_ACCESS_CHANGED);
                }
            }
            Signal::Lost => {
                let ids: Vec<u64> = self.lock().sockets.keys().copied().collect();
                for id in ids {
                    self.close(id, CLOSE_TOO_SLOW);
                }
            }
        }
    }

    /// Sends a change to every socket that may see its mailbox, and a notice to the person a
    /// conversation was assigned to or a note mentions.
    async fn fan_out(&self, change: Change) {
        let msg = frame(&ServerMsg::Change {
            conversation: change.conversation,
            mailbox: change.mailbox,
            kind: change.kind,
            rev: change.rev,
            actor: change.actor,
        });
        let notify = {
            let mut state = self.lock();
            state.known.insert(change.conversation, change.mailbox);
            let mut notify = Vec::new();
            for (id, sock) in &state.sockets {
                if sock.visible.allows(change.mailbox) {
                    push(sock, msg.clone());
                    if change.notify.contains(&sock.user) && change.actor != Some(sock.user) {
                        notify.push(*id);
                    }
                }
            }
            notify
        };
        if notify.is_empty() {
            return;
        }
        let Ok(conversation) = self.backend.store.conversation(change.conversation).await else { return };
        let by = match change.actor {
            Some(actor) => self.backend.store.user(actor).await.ok().map(|u| u.name),
            None => None,
        };
        let notice = ServerMsg::Notice {
            conversation: change.conversation,
            kind: change.kind,
            by,
            subject: conversation.subject,
        };
        for id in notify {
            self.send_to(id, &notice);
        }
    }

    /// Asks the transport to close a socket with `code`.
    fn close(&self, id: u64, code: u16) {
        if let Some(sock) = self.lock().sockets.get(&id) {
            let _ = sock.close.send(Some(code));
        }
    }

    /// Expires typing, says this node is alive, forgets dead nodes and sends heartbeats.
    async fn tick(self) {
        let mut ticks = tokio::time::interval(TICK);
        loop {
            ticks.tick().await;
            let now = Instant::now();
            let mut signals = Vec::new();
            {
                let mut state = self.lock();
                let mut expired = Vec::new();
                for (id, sock) in state.sockets.iter_mut() {
                    if sock.typing_until.is_some_and(|until| until <= now) {
                        sock.typing_until = None;
                        sock.doing = Doing::Viewing;
                        expired.push(*id);
                    }
                }
                for id in expired {
                    let sock = &state.sockets[&id];
                    signals.push(self.presence_of(id, sock, sock.viewing, None));
                }
                if state.last_alive.is_none_or(|at| now.duration_since(at) >= ALIVE_EVERY) {
                    state.last_alive = Some(now);
                    signals.push(Signal::Alive { node: self.node().clone() });
                }
                let dead: Vec<NodeId> = state
                    .nodes
                    .iter()
                    .filter(|(node, seen)| *node != self.node() && now.duration_since(**seen) > NODE_TIMEOUT)
                    .map(|(node, _)| node.clone())
                    .collect();
                for node in dead {
                    tracing::info!(node = %node.0, "a node went quiet; its presence is dropped");
                    state.nodes.remove(&node);
                    state.drop_node(&node);
                }
                if state.last_heartbeat.is_none_or(|at| now.duration_since(at) >= Duration::from_secs(HEARTBEAT_SECS)) {
                    state.last_heartbeat = Some(now);
                    let beat = frame(&ServerMsg::Heartbeat);
                    for sock in state.sockets.values() {
                        push(sock, beat.clone());
                    }
                }
            }
            for signal in signals {
                self.publish(signal).await;
            }
        }
    }
}

impl State {
    /// Stops sending a socket the presence of `conversations`.
    fn unwatch(&mut self, id: u64, conversations: &HashSet<ConversationId>) {
        for conversation in conversations {
            if let Some(set) = self.watchers.get_mut(conversation) {
                set.remove(&id);
                if set.is_empty() {
                    self.watchers.remove(conversation);
                }
            }
        }
    }

    /// Everyone in a conversation, one entry per person (their busiest socket), by name.
    fn people(&self, conversation: &ConversationId) -> Vec<Present> {
        let mut by_user: HashMap<UserId, Present> = HashMap::new();
        for entry in self.presence.get(conversation).into_iter().flat_map(|p| p.values()) {
            let present = by_user.entry(entry.user).or_insert_with(|| Present {
                user: entry.user,
                name: entry.name.clone(),
                doing: entry.doing,
            });
            if rank(entry.doing) > rank(present.doing) {
                present.doing = entry.doing;
            }
        }
        let mut people: Vec<Present> = by_user.into_values().collect();
        people.sort_by(|a, b| a.name.cmp(&b.name).then(a.user.cmp(&b.user)));
        people
    }

    /// Sends a conversation's presence to the sockets watching it.
    fn tell_watchers(&self, conversation: ConversationId, stamp: Option<u64>) {
        let Some(watchers) = self.watchers.get(&conversation) else { return };
        let msg = frame(&ServerMsg::Presence { conversation, people: self.people(&conversation), stamp });
        for id in watchers {
            if let Some(sock) = self.sockets.get(id) {
                push(sock, msg.clone());
            }
        }
    }

    /// Drops a node's presence and tells the watchers of what changed.
    fn drop_node(&mut self, node: &NodeId) {
        let keys: Vec<SocketKey> = self.located.keys().filter(|(n, _)| n == node).cloned().collect();
        let mut touched = HashSet::new();
        for key in keys {
            if let Some(conversation) = self.located.remove(&key) {
                if let Some(entries) = self.presence.get_mut(&conversation) {
                    entries.remove(&key);
                    if entries.is_empty() {
                        self.presence.remove(&conversation);
                    }
                }
                touched.insert(conversation);
            }
        }
        for conversation in touched {
            self.tell_watchers(conversation, None);
        }
    }
}

/// Writing beats viewing; a reply beats a note (it is the one that could reach the customer
/// twice).
fn rank(doing: Doing) -> u8 {
    match doing {
        Doing::Viewing => 0,
        Doing::Note => 1,
        Doing::Reply => 2,
    }
}

fn frame(msg: &ServerMsg) -> String {
    // Serializing plain data with string keys cannot fail.
    serde_json::to_string(msg).unwrap_or_default()
}

/// Queues a frame; a socket whose queue is full is closed as too slow.
fn push(sock: &Sock, text: String) {
    if let Err(mpsc::error::TrySendError::Full(_)) = sock.out.try_send(text) {
        let _ = sock.close.send(Some(CLOSE_TOO_SLOW));
    }
}
