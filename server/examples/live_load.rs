//! Load generator for the live channel. Starts one or two real `sanduq serve` processes on
//! one database, opens signed-in websockets spread over conversations (ten per
//! conversation), sends `typing` frames at a steady total rate, and prints the delivery
//! latency (typing frame sent → presence frame received by each other watcher) and each
//! server's RSS per socket.
//!
//! ```text
//! cargo run --release -p server --example live_load -- [--postgres] [--nodes N] [--sockets N]
//!     [--conversations N] [--rate EVENTS_PER_SEC] [--seconds N]
//! ```
//!
//! Sessions come from the database directly (the generator signs its users in through its
//! own backend), so the servers' sign-in rate limit is never involved. The servers are the
//! release binary next to this example (`SANDUQ_BIN` overrides). PostgreSQL comes from
//! `SANDUQ_TEST_POSTGRES_URL` or the loopback server, in a database of its own.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backend::testing::TestDb;
use backend::{Backend, SignInLimits};
use futures::{SinkExt, StreamExt};
use model::live::{ClientMsg, ServerMsg, Writing};
use model::{ConversationId, Role, Status};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const PASSWORD: &str = "correct horse battery";
const ORIGIN: &str = "http://sanduq.bench";

struct Options {
    postgres: bool,
    nodes: usize,
    sockets: usize,
    conversations: usize,
    rate: u64,
    seconds: u64,
}

fn options() -> Options {
    let mut o = Options { postgres: false, nodes: 1, sockets: 1000, conversations: 100, rate: 1000, seconds: 10 };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = || args.get(i + 1).and_then(|v| v.parse::<u64>().ok()).expect("a number after the flag");
        match args[i].as_str() {
            "--postgres" => {
                o.postgres = true;
                i += 1;
                continue;
            }
            "--nodes" => o.nodes = value() as usize,
            "--sockets" => o.sockets = value() as usize,
            "--conversations" => o.conversations = value() as usize,
            "--rate" => o.rate = value(),
            "--seconds" => o.seconds = value(),
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    o
}

/// A `sanduq serve` process, stopped when dropped.
struct Node {
    child: Child,
    url: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port()
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let o = options();
    let db = if o.postgres { TestDb::postgres().await } else { TestDb::sqlite().await };
    let data = tempfile::tempdir().expect("tempdir");
    let limits = SignInLimits {
        account_burst: 1_000,
        account_period: Duration::from_millis(1),
        address_burst: 1_000_000,
        address_period: Duration::from_millis(1),
    };
    let backend = Backend::with_limits(db.store.clone(), limits);

    // A mailbox, its agents (one per ten sockets) and the conversations.
    let users = (o.sockets / 10).max(1);
    let mailbox = backend.store.create_mailbox("Load", "load@bench.test", false).await.expect("mailbox");
    let contact = backend.store.contact_for_email("customer@bench.test", "Customer").await.expect("contact");
    let mut conversations = Vec::new();
    for n in 0..o.conversations {
        let new = backend::store::NewConversation {
            mailbox_id: mailbox.id,
            contact_id: contact.id,
            subject: format!("Load {n}"),
            status: Status::Open,
            priority: model::Priority::Normal,
        };
        conversations.push(backend.store.create_conversation(new, backend::store::By::system()).await.expect("c").id);
    }
    let mut cookies = Vec::new();
    for n in 0..users {
        let email = format!("agent{n}@bench.test");
        let user = backend.add_user(&email, &format!("Agent {n}"), Role::Agent, PASSWORD).await.expect("user");
        backend.store.add_member(mailbox.id, user.id).await.expect("member");
        let (_, token) =
            backend.sign_in(&email, PASSWORD, None, None).await.expect("session").session().expect("no code");
        cookies.push(format!("sanduq_session={}", token.as_str()));
    }

    // The servers.
    let bin = std::env::var("SANDUQ_BIN").unwrap_or_else(|_| {
        let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_string());
        format!("{target}/release/sanduq")
    });
    let mut nodes = Vec::new();
    for n in 0..o.nodes {
        let port = free_port();
        let dir = data.path().join(format!("node{n}"));
        std::fs::create_dir_all(&dir).expect("node dir");
        let child = Command::new(&bin)
            .arg("serve")
            .env("SANDUQ_DATA_DIR", &dir)
            .env("SANDUQ_DATABASE_URL", &db.url)
            .env("SANDUQ_ADDR", format!("127.0.0.1:{port}"))
            .env("SANDUQ_PUBLIC_URL", ORIGIN)
            .env("SANDUQ_SECRET_KEY", "cd".repeat(32))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{bin}: {e} (build it with `cargo build --release -p server`)"));
        nodes.push(Node { child, url: format!("127.0.0.1:{port}") });
    }
    let http = reqwest::Client::new();
    for node in &nodes {
        let started = Instant::now();
        while http.get(format!("http://{}/healthz", node.url)).send().await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "a node did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before: Vec<u64> = nodes.iter().map(|n| rss_kib(n.child.id())).collect();

    // The sockets: socket i is agent i % users in conversation (i / 10) % conversations, on
    // node i % nodes.
    let epoch = Instant::now();
    let latencies = Arc::new(Mutex::new(Vec::<u64>::with_capacity(1 << 20)));
    let mut senders = Vec::new();
    let mut watched = Vec::new();
    for i in 0..o.sockets {
        let node = &nodes[i % nodes.len()];
        let conversation: ConversationId = conversations[(i / 10) % conversations.len()];
        let mut request = format!("ws://{}/live", node.url).into_client_request().expect("request");
        request.headers_mut().insert("cookie", cookies[i % users].parse().expect("cookie"));
        request.headers_mut().insert("origin", ORIGIN.parse().expect("origin"));
        let (socket, _) = tokio_tungstenite::connect_async(request).await.expect("websocket");
        let (mut write, mut read) = socket.split();
        let (tx, mut rx) = mpsc::unbounded_channel::<String>();
        tokio::spawn(async move {
            while let Some(text) = rx.recv().await {
                if write.send(Message::Text(text.into())).await.is_err() {
                    return;
                }
            }
        });
        let latencies = latencies.clone();
        tokio::spawn(async move {
            while let Some(Ok(frame)) = read.next().await {
                if let Message::Text(text) = frame
                    && let Ok(ServerMsg::Presence { stamp: Some(sent), .. }) = serde_json::from_str(text.as_str())
                {
                    let now = epoch.elapsed().as_micros() as u64;
                    if let Ok(mut l) = latencies.lock() {
                        l.push(now.saturating_sub(sent));
                    }
                }
            }
        });
        let subscribe = [
            ClientMsg::Watch { conversations: vec![conversation] },
            ClientMsg::View { conversation: Some(conversation) },
        ];
        for msg in subscribe {
            let _ = tx.send(serde_json::to_string(&msg).expect("json"));
        }
        senders.push(tx);
        watched.push(conversation);
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after: Vec<u64> = nodes.iter().map(|n| rss_kib(n.child.id())).collect();
    latencies.lock().expect("lock").clear();

    // The load: `rate` typing frames a second, round robin over the sockets.
    let total = o.rate * o.seconds;
    let interval = Duration::from_secs_f64(1.0 / o.rate as f64);
    let started = Instant::now();
    for n in 0..total {
        let due = started + interval.mul_f64(n as f64);
        tokio::time::sleep_until(due.into()).await;
        let i = (n as usize * 7) % senders.len();
        let stamp = epoch.elapsed().as_micros() as u64;
        let msg = ClientMsg::Typing { conversation: watched[i], mode: Writing::Reply, stamp: Some(stamp) };
        let _ = senders[i].send(serde_json::to_string(&msg).expect("json"));
    }
    let sent_for = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let under_load: Vec<u64> = nodes.iter().map(|n| rss_kib(n.child.id())).collect();

    let mut all = latencies.lock().expect("lock").clone();
    all.sort_unstable();
    let engine = if o.postgres { "PostgreSQL" } else { "SQLite" };
    println!(
        "live_load: {} node(s) on {engine}, {} sockets over {} conversations, {} typing frames in {:.1} s ({:.0}/s)",
        nodes.len(),
        o.sockets,
        o.conversations,
        total,
        sent_for.as_secs_f64(),
        total as f64 / sent_for.as_secs_f64()
    );
    println!(
        "  deliveries {} (expected about {}): p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        all.len(),
        total * 10,
        percentile(&all, 0.50),
        percentile(&all, 0.95),
        percentile(&all, 0.99),
        percentile(&all, 1.0)
    );
    for (n, node) in nodes.iter().enumerate() {
        let sockets = o.sockets.div_ceil(nodes.len());
        let per = (after[n].saturating_sub(before[n])) as f64 / sockets as f64;
        println!(
            "  node {n} ({}): RSS {} MiB idle, {} MiB with {sockets} sockets ({per:.1} KiB per socket), {} MiB after the load",
            node.url,
            before[n] / 1024,
            after[n] / 1024,
            under_load[n] / 1024
        );
    }
    drop(senders);
    drop(nodes);
}
