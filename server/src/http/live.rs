//! `/live`: the websocket every tab of the app holds open (protocol in [`model::live`]).
//!
//! The upgrade passes the cross-site guard like any state-changing request (its `Origin` must
//! be `SANDUQ_PUBLIC_URL`) and needs a valid session (401 otherwise). This module only moves
//! frames: the [`Hub`] decides who hears what. The server pings every [`PING_EVERY`]; a
//! socket that has sent nothing (pongs included) for [`SILENT_LIMIT`] is taken as lost, so
//! the presence of a tab whose network died is gone within ten seconds.

use std::time::{Duration, Instant};

use axum::Extension;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use backend::{Caller, SessionToken};
use futures::{SinkExt, StreamExt};
use model::live::{CLOSE_SIGNED_OUT, ClientMsg, FrameProblem, ServerMsg};

use super::AppState;

/// How often the server pings each socket.
pub const PING_EVERY: Duration = Duration::from_secs(2);
/// A socket silent this long is closed as lost.
pub const SILENT_LIMIT: Duration = Duration::from_secs(7);
/// How often a socket's session is checked again (sign-outs on this node close it at once;
/// this catches a password changed from the CLI on SQLite).
const SESSION_CHECK: Duration = Duration::from_secs(60);
/// The longest frame a tab may send.
const MAX_FRAME: usize = 64 * 1024;
/// The longest a write to one socket may take before it counts as lost.
const WRITE_LIMIT: Duration = Duration::from_secs(10);

/// Upgrades a signed-in tab's request to the live socket.
pub async fn live(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    token: Option<Extension<SessionToken>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let (Some(Extension(caller)), Some(Extension(token))) = (caller, token) else {
        return (StatusCode::UNAUTHORIZED, "Sign in to open the live channel.\n").into_response();
    };
    // Small buffers: a socket mostly idles, and a thousand of them must stay cheap.
    upgrade
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| serve(state, caller, token, socket))
}

async fn serve(state: AppState, caller: Caller, token: SessionToken, socket: WebSocket) {
    let hub = state.hub.clone();
    let mut connection = match hub.connect(&caller, token.clone()).await {
        Ok(connection) => connection,
        Err(err) => {
            tracing::warn!(%err, "a live socket could not join the hub");
            return;
        }
    };
    let (mut sink, mut stream) = socket.split();
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut session_check = tokio::time::interval(SESSION_CHECK);
    session_check.tick().await;
    let mut heard = Instant::now();
    let close_code = loop {
        tokio::select! {
            frame = connection.frames.recv() => {
                let Some(text) = frame else { break None };
                if !write(&mut sink, Message::Text(text.into())).await {
                    break None;
                }
            }
            changed = connection.close.changed() => {
                if changed.is_err() {
                    break None;
                }
                if let Some(code) = *connection.close.borrow() {
                    break Some(code);
                }
            }
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    heard = Instant::now();
                    match serde_json::from_str::<ClientMsg>(text.as_str()) {
                        Ok(msg) => hub.receive(connection.id, msg).await,
                        Err(err) => {
                            let error = ServerMsg::Error { problem: FrameProblem::Unreadable { detail: err.to_string() } };
                            let text = serde_json::to_string(&error).unwrap_or_default();
                            if !write(&mut sink, Message::Text(text.into())).await {
                                break None;
                            }
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break None,
                Some(Ok(_)) => heard = Instant::now(),
            },
            _ = ping.tick() => {
                if heard.elapsed() > SILENT_LIMIT {
                    break None;
                }
                if !write(&mut sink, Message::Ping(Vec::new().into())).await {
                    break None;
                }
            }
            _ = session_check.tick() => {
                if let Ok(None) = state.backend.session(&token).await {
                    break Some(CLOSE_SIGNED_OUT);
                }
            }
        }
    };
    hub.disconnect(connection.id).await;
    if let Some(code) = close_code {
        let frame = CloseFrame { code, reason: close_reason(code).into() };
        let _ = write(&mut sink, Message::Close(Some(frame))).await;
    }
}

/// Writes one frame; `false` when the socket is gone or too slow to take it.
async fn write(sink: &mut futures::stream::SplitSink<WebSocket, Message>, message: Message) -> bool {
    matches!(tokio::time::timeout(WRITE_LIMIT, sink.send(message)).await, Ok(Ok(())))
}

fn close_reason(code: u16) -> &'static str {
    match code {
        model::live::CLOSE_SIGNED_OUT => "signed out",
        model::live::CLOSE_ACCESS_CHANGED => "your mailboxes changed",
        model::live::CLOSE_TOO_SLOW => "too slow; reconnect",
        _ => "closing",
    }
}
