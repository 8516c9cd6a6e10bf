//! The live channel over a real socket: a real server, a real database, and websocket clients
//! speaking the documented protocol ([`model::live`]) as the app and the load generator do.
//!
//! Waits are generous bounds; how fast frames arrive is the benchmark's business.

use std::time::Duration;

use backend::Caller;
use model::live::{CLOSE_ACCESS_CHANGED, CLOSE_SIGNED_OUT, ClientMsg, Doing, ServerMsg, Writing};
use model::{ConversationAction, ConversationId, EventKind, MailboxId, Role, Status};
use server::testing::{TestApp, doing_of};

/// Sara and عمر in Support, Nadia in Billing, and Layla's question in Support.
struct Rig {
    app: TestApp,
    support: MailboxId,
    billing: MailboxId,
    conversation: ConversationId,
    sara: Caller,
    omar: Caller,
}

async fn rig() -> Rig {
    let app = TestApp::spawn().await;
    let sara = app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    let omar = app.add_user("omar@shop.test", "عمر", Role::Agent).await;
    app.add_user("nadia@shop.test", "Nadia", Role::Agent).await;
    let support = app.mailbox("Support", &["sara@shop.test", "omar@shop.test"]).await;
    let billing = app.mailbox("Billing", &["nadia@shop.test"]).await;
    let conversation = app.conversation(support, "Where is my order?").await;
    Rig { app, support, billing, conversation, sara, omar }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_signed_in_tabs_of_our_own_origin_may_connect() {
    let rig = rig().await;
    assert_eq!(rig.app.try_connect("sanduq_session=nope", &rig.app.origin).await.err(), Some(401));
    let sara = rig.app.sign_in("sara@shop.test").await;
    assert_eq!(rig.app.try_connect(&sara, "https://evil.test").await.err(), Some(403), "Origin is checked");
    let mut socket = rig.app.connect(&sara).await;
    socket.send_text("{\"shout\":{}}").await;
    assert!(matches!(socket.next().await, ServerMsg::Error { .. }), "a bad frame is answered in words");
    socket.send(ClientMsg::Ping { stamp: 7 }).await;
    assert_eq!(socket.next().await, ServerMsg::Pong { stamp: 7 }, "the socket stays usable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_reach_only_the_members_of_the_mailbox() {
    let rig = rig().await;
    let (sara, nadia) = (rig.app.sign_in("sara@shop.test").await, rig.app.sign_in("nadia@shop.test").await);
    let (mut sara_tab, mut nadia_tab) = (rig.app.connect(&sara).await, rig.app.connect(&nadia).await);
    let backend = rig.app.backend();

    backend.act(&rig.sara, rig.conversation, ConversationAction::SetStatus(Status::Waiting)).await.expect("status");
    let change = sara_tab.next().await;
    let ServerMsg::Change { conversation, mailbox, kind, rev, actor } = change else { panic!("{change:?}") };
    assert_eq!(
        (conversation, mailbox, kind.as_str(), actor),
        (rig.conversation, rig.support, "status", Some(rig.sara.id))
    );
    let stored = backend.store.conversation(rig.conversation).await.expect("read");
    assert_eq!(rev, stored.rev, "the change carries the revision a refetch returns");

    // Nadia hears about her own mailbox only: the next frame she gets is Billing's.
    let invoice = rig.app.conversation(rig.billing, "Invoice").await;
    let heard = nadia_tab.next().await;
    assert!(
        matches!(heard, ServerMsg::Change { conversation, kind, .. } if conversation == invoice && kind == EventKind::Created),
        "{heard:?}"
    );
    // Sara never hears about Billing: after a Support change, hers is still Support's.
    backend.act(&rig.sara, rig.conversation, ConversationAction::AddTag("vip".into())).await.expect("tag");
    let heard = sara_tab.next().await;
    assert!(
        matches!(heard, ServerMsg::Change { conversation, kind, .. } if conversation == rig.conversation && kind == EventKind::Tagged),
        "{heard:?}"
    );

    // Assigning Omar's conversation to Sara gives Sara a notice.
    let omar = &rig.omar;
    backend.act(omar, rig.conversation, ConversationAction::Assign(Some(rig.sara.id))).await.expect("assign");
    let notice = sara_tab.until(|m| matches!(m, ServerMsg::Notice { .. })).await;
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
    backend.post(omar, rig.conversation, note).await.expect("note");
    let notice = sara_tab.until(|m| matches!(m, ServerMsg::Notice { .. })).await;
    assert!(
        matches!(notice, ServerMsg::Notice { ref kind, ref by, .. } if *kind == EventKind::Mentioned && by.as_deref() == Some("عمر")),
        "{notice:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_shows_viewing_and_writing_and_expires_by_itself() {
    let rig = rig().await;
    let (sara, omar) = (rig.app.sign_in("sara@shop.test").await, rig.app.sign_in("omar@shop.test").await);
    let (mut sara_tab, mut omar_tab) = (rig.app.connect(&sara).await, rig.app.connect(&omar).await);
    let c = rig.conversation;
    omar_tab.send(ClientMsg::Watch { conversations: vec![c] }).await;
    omar_tab.send(ClientMsg::View { conversation: Some(c) }).await;
    sara_tab.send(ClientMsg::Watch { conversations: vec![c] }).await;
    // Sara, arriving, learns at once that Omar is there.
    let seen = sara_tab.until(|m| doing_of(m, "عمر").is_some()).await;
    assert_eq!(doing_of(&seen, "عمر"), Some(Doing::Viewing));

    sara_tab.send(ClientMsg::View { conversation: Some(c) }).await;
    let seen = omar_tab.until(|m| doing_of(m, "Sara").is_some()).await;
    assert_eq!(doing_of(&seen, "Sara"), Some(Doing::Viewing));
    sara_tab.send(ClientMsg::Typing { conversation: c, mode: Writing::Reply, stamp: Some(42) }).await;
    let seen = omar_tab.until(|m| doing_of(m, "Sara") == Some(Doing::Reply)).await;
    assert!(matches!(seen, ServerMsg::Presence { stamp: Some(42), .. }), "the stamp comes back: {seen:?}");
    // No further keystroke: writing turns back into viewing by itself.
    let started = std::time::Instant::now();
    omar_tab.until(|m| doing_of(m, "Sara") == Some(Doing::Viewing)).await;
    assert!(started.elapsed() >= Duration::from_secs(4), "typing lasts a few seconds, not one frame");

    // A closed tab leaves at once.
    sara_tab.close().await;
    let seen = omar_tab.until(|m| matches!(m, ServerMsg::Presence { .. })).await;
    assert_eq!(doing_of(&seen, "Sara"), None, "{seen:?}");

    // A tab whose network died (it answers no ping) is gone within ten seconds.
    let mut sara_tab = rig.app.connect(&sara).await;
    sara_tab.send(ClientMsg::View { conversation: Some(c) }).await;
    omar_tab.until(|m| doing_of(m, "Sara").is_some()).await;
    let started = std::time::Instant::now();
    // Stop reading: tungstenite answers pings only while the socket is read.
    let frozen = sara_tab;
    omar_tab.until(|m| matches!(m, ServerMsg::Presence { .. }) && doing_of(m, "Sara").is_none()).await;
    assert!(started.elapsed() <= Duration::from_secs(10), "gone in {:?}", started.elapsed());
    drop(frozen);

    // A conversation of another mailbox cannot be watched or entered.
    let nadia = rig.app.sign_in("nadia@shop.test").await;
    let mut nadia_tab = rig.app.connect(&nadia).await;
    nadia_tab.send(ClientMsg::Watch { conversations: vec![c] }).await;
    nadia_tab.send(ClientMsg::View { conversation: Some(c) }).await;
    nadia_tab.send(ClientMsg::Ping { stamp: 1 }).await;
    assert_eq!(nadia_tab.next().await, ServerMsg::Pong { stamp: 1 }, "no presence of a foreign conversation");
    omar_tab.send(ClientMsg::Ping { stamp: 2 }).await;
    let after = omar_tab.until(|m| matches!(m, ServerMsg::Pong { .. } | ServerMsg::Presence { .. })).await;
    assert_eq!(after, ServerMsg::Pong { stamp: 2 }, "Nadia never showed up in Support");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_close_on_sign_out_and_on_removal_from_the_mailbox() {
    let rig = rig().await;
    let sara = rig.app.sign_in("sara@shop.test").await;
    let mut tab = rig.app.connect(&sara).await;
    let response = rig.app.post_form("/signout", &[], Some(&sara)).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(tab.closed_with().await, CLOSE_SIGNED_OUT);
    assert_eq!(rig.app.try_connect(&sara, &rig.app.origin).await.err(), Some(401), "the old cookie opens nothing");

    let sara = rig.app.sign_in("sara@shop.test").await;
    let mut tab = rig.app.connect(&sara).await;
    let admin = rig.app.add_user("admin@shop.test", "Admin", Role::Admin).await;
    let change = model::SettingsChange::SetMember { user: rig.sara.id, mailbox: rig.support, member: false };
    rig.app.backend().change_settings(&admin, change).await.expect("removed");
    assert_eq!(tab.closed_with().await, CLOSE_ACCESS_CHANGED);

    // Reconnected, she no longer hears about Support.
    let mut tab = rig.app.connect(&sara).await;
    rig.app.backend().act(&admin, rig.conversation, ConversationAction::AddTag("late".into())).await.expect("tag");
    tab.send(ClientMsg::Ping { stamp: 3 }).await;
    assert_eq!(tab.next().await, ServerMsg::Pong { stamp: 3 }, "no change from a mailbox she left");

    // A password change ends every session, and so every socket.
    rig.app.backend().store.add_member(rig.support, rig.sara.id).await.expect("member again");
    let mut tab = rig.app.connect(&sara).await;
    rig.app.backend().set_password(rig.sara.id, "another good password").await.expect("password");
    assert_eq!(tab.closed_with().await, CLOSE_SIGNED_OUT);

    // Once the team requires a second factor, a tab without one gets no more work, and its
    // session cannot open another until the factor is set up.
    let omar = rig.app.sign_in("omar@shop.test").await;
    let mut tab = rig.app.connect(&omar).await;
    let change = model::SettingsChange::RequireTwoFactor { required: true };
    rig.app.backend().change_settings(&admin, change).await.expect("required");
    assert_eq!(tab.closed_with().await, CLOSE_SIGNED_OUT);
    assert_eq!(rig.app.try_connect(&omar, &rig.app.origin).await.err(), Some(403));
}
