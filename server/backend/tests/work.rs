//! What agents do in a conversation, through the backend's rules, on both engines: every
//! action persists and writes its event, replies are queued in the outbox, drafts survive and
//! are consumed, bad input is refused in words, and nobody touches a mailbox they are not in.

use backend::events::EventData;
use backend::store::{By, DraftText, NewConversation, Store};
use backend::testing::{caller, conversation};
use backend::time::{DAY, now_micros};
use backend::work::Posted;
use backend::{Backend, Caller, Error, Refine};
use model::{
    ComposerMode, ConversationAction, ConversationId, DeliveryStatus, Direction, InboxView, ListView, MailboxId,
    Priority, Role, Status,
};
use uuid::Uuid;

struct Team {
    backend: Backend,
    support: MailboxId,
    sara: Caller,
    omar: Caller,
    /// An agent of another mailbox only.
    nadia: Caller,
    conversation: ConversationId,
}

async fn team(store: &Store) -> Team {
    let backend = Backend::new(store.clone());
    let sara = caller(&backend, "sara@shop.test", "Sara", Role::Agent).await;
    let omar = caller(&backend, "omar@shop.test", "عمر", Role::Agent).await;
    let nadia = caller(&backend, "nadia@shop.test", "Nadia", Role::Agent).await;
    let support = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox");
    let billing = store.create_mailbox("Billing", "billing@shop.test", false).await.expect("mailbox");
    store.add_member(support.id, sara.id).await.expect("member");
    store.add_member(support.id, omar.id).await.expect("member");
    store.add_member(billing.id, nadia.id).await.expect("member");
    let conversation = conversation(store, support.id, "Where is my order?", By::system()).await;
    Team { backend, support: support.id, sara, omar, nadia, conversation: conversation.id }
}

async fn kinds(store: &Store, id: ConversationId) -> Vec<String> {
    store.events(id).await.expect("events").into_iter().map(|e| e.what.kind().as_str().to_string()).collect()
}

async fn a_reply_is_queued_and_consumes_the_draft(store: &Store) {
    let t = team(store).await;
    let b = &t.backend;
    b.save_draft(&t.sara, t.conversation, ComposerMode::Reply, &DraftText::body("Hello Layla, your ord"))
        .await
        .expect("draft");
    b.save_draft(&t.sara, t.conversation, ComposerMode::Note, &DraftText::body("ask the warehouse"))
        .await
        .expect("draft");
    let opened = b.open_conversation(&t.sara, t.conversation).await.expect("open");
    assert_eq!(opened.drafts.len(), 2, "both drafts come back");
    let others = b.open_conversation(&t.omar, t.conversation).await.expect("open");
    assert!(others.drafts.is_empty(), "drafts are private to their author");

    let reply = b
        .post(
            &t.sara,
            t.conversation,
            Posted::text(ComposerMode::Reply, "Hello Layla, your order left today.\n", Uuid::new_v4()),
        )
        .await
        .expect("reply");
    assert_eq!(reply.direction, Direction::Outbound);
    assert_eq!(reply.subject, "Re: Where is my order?");
    assert_eq!(reply.from_email, "support@shop.test");
    assert_eq!(reply.body_text, "Hello Layla, your order left today.");
    assert_eq!(reply.delivery.as_ref().map(|d| d.status), Some(DeliveryStatus::Queued));

    let opened = b.open_conversation(&t.sara, t.conversation).await.expect("open");
    let stored = opened.messages.last().expect("the reply");
    assert_eq!(stored.delivery.as_ref().map(|d| d.status), Some(DeliveryStatus::Queued), "read back from the outbox");
    let modes: Vec<ComposerMode> = opened.drafts.iter().map(|d| d.mode).collect();
    assert_eq!(modes, vec![ComposerMode::Note], "the reply draft is consumed, the note draft stays");
    assert_eq!(store.conversation(t.conversation).await.expect("read").seq, 1);

    let note = b
        .post(&t.sara, t.conversation, Posted::text(ComposerMode::Note, "Warehouse confirmed", Uuid::new_v4()))
        .await
        .expect("note");
    assert_eq!(note.direction, Direction::Note);
    assert!(note.delivery.is_none(), "a note never goes to the outbox");
    let opened = b.open_conversation(&t.sara, t.conversation).await.expect("open");
    assert!(opened.drafts.is_empty());
    assert_eq!(kinds(store, t.conversation).await, vec!["created", "message", "message"]);
}

async fn the_same_client_id_posts_once(store: &Store) {
    let t = team(store).await;
    let id = Uuid::new_v4();
    let first =
        t.backend.post(&t.sara, t.conversation, Posted::text(ComposerMode::Reply, "Once", id)).await.expect("first");
    let again =
        t.backend.post(&t.sara, t.conversation, Posted::text(ComposerMode::Reply, "Once", id)).await.expect("retry");
    assert_eq!(first.id, again.id);
    assert_eq!(store.messages(t.conversation).await.expect("messages").len(), 1);
}

/// The words of a refusal ([`Error::Refused`] or [`Error::Invalid`]); anything else fails
/// the test.
fn invalid<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(Error::Refused(refusal)) => refusal.to_string(),
        Err(Error::Invalid(words)) => words,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// Fails the test unless `result` is [`Error::NotFound`].
fn not_found<T: std::fmt::Debug>(result: Result<T, Error>, what: &str) {
    assert!(matches!(result, Err(Error::NotFound)), "{what}: {result:?}");
}

async fn bad_input_is_refused_in_words(store: &Store) {
    let t = team(store).await;
    let b = &t.backend;
    let words =
        invalid(b.post(&t.sara, t.conversation, Posted::text(ComposerMode::Reply, "  \n ", Uuid::new_v4())).await);
    assert!(words.contains("write a reply"), "{words}");
    let long = "x".repeat(backend::work::MAX_BODY_CHARS + 1);
    invalid(b.post(&t.sara, t.conversation, Posted::text(ComposerMode::Note, &long, Uuid::new_v4())).await);
    invalid(b.save_draft(&t.sara, t.conversation, ComposerMode::Reply, &DraftText::body(&long)).await);
    invalid(b.act(&t.sara, t.conversation, ConversationAction::Rename("   ".to_string())).await);
    invalid(b.act(&t.sara, t.conversation, ConversationAction::Rename("s".repeat(251))).await);
    invalid(b.act(&t.sara, t.conversation, ConversationAction::Snooze(Some(now_micros() - 1))).await);
    invalid(b.act(&t.sara, t.conversation, ConversationAction::Snooze(Some(now_micros() + 400 * DAY))).await);
    invalid(b.act(&t.sara, t.conversation, ConversationAction::AddTag(" ".to_string())).await);
    // Control characters cannot be typed, only injected: refused in every one-line field, and
    // in texts that keep line breaks (PostgreSQL could not even store a NUL).
    for injected in ["Order\0 1042", "\u{1b}[2J", "a\u{7f}b"] {
        let words = invalid(b.act(&t.sara, t.conversation, ConversationAction::Rename(injected.to_string())).await);
        assert!(words.contains("control characters"), "{words}");
        invalid(b.act(&t.sara, t.conversation, ConversationAction::AddTag(injected.to_string())).await);
        invalid(b.post(&t.sara, t.conversation, Posted::text(ComposerMode::Note, injected, Uuid::new_v4())).await);
    }
    invalid(b.set_signature(&t.sara, t.support, "Sara\0").await);
    let words = invalid(b.act(&t.sara, t.conversation, ConversationAction::Assign(Some(t.nadia.id))).await);
    assert!(words.contains("not an active member"), "{words}");
    assert_eq!(kinds(store, t.conversation).await, vec!["created"], "nothing refused left a trace");
    assert!(store.messages(t.conversation).await.expect("messages").is_empty());
}

async fn every_action_persists_and_writes_its_event(store: &Store) {
    let t = team(store).await;
    let (b, id, sara) = (&t.backend, t.conversation, &t.sara);
    let act = |action: ConversationAction| async move { b.act(sara, id, action).await.expect("act") };

    assert!(act(ConversationAction::SetStatus(Status::InProgress)).await);
    assert!(!act(ConversationAction::SetStatus(Status::InProgress)).await, "setting it again changes nothing");
    assert!(act(ConversationAction::SetPriority(Priority::Urgent)).await);
    assert!(act(ConversationAction::Assign(Some(t.omar.id))).await);
    assert!(act(ConversationAction::Assign(None)).await);
    assert!(act(ConversationAction::Assign(Some(t.sara.id))).await);
    assert!(act(ConversationAction::AddTag("Refund".to_string())).await);
    assert!(act(ConversationAction::AddTag("شحن".to_string())).await);
    assert!(act(ConversationAction::RemoveTag("refund".to_string())).await);
    assert!(act(ConversationAction::Follow(true)).await);
    assert!(!act(ConversationAction::Follow(true)).await);
    assert!(act(ConversationAction::Rename("  Order 1042\n late ".to_string())).await);
    assert!(act(ConversationAction::SnoozeFor(3_600)).await);
    assert!(act(ConversationAction::Snooze(None)).await);
    assert!(act(ConversationAction::Follow(false)).await);

    let c = store.conversation(id).await.expect("read");
    assert_eq!((c.status, c.priority, c.assignee_id), (Status::InProgress, Priority::Urgent, Some(t.sara.id)));
    assert_eq!(c.subject, "Order 1042 late", "one line, trimmed");
    assert_eq!(c.snoozed_until, None);
    assert_eq!(store.tags_of(id).await.expect("tags"), vec!["شحن".to_string()]);
    assert!(store.followers(id).await.expect("followers").is_empty());
    assert_eq!(
        kinds(store, id).await,
        vec![
            "created",
            "status",
            "priority",
            "assigned",
            "assigned",
            "assigned",
            "tagged",
            "tagged",
            "untagged",
            "followed",
            "renamed",
            "snoozed",
            "unsnoozed",
            "unfollowed"
        ]
    );
    let events = store.events(id).await.expect("events");
    assert!(events.iter().skip(1).all(|e| e.actor_id == Some(t.sara.id)), "every change names its author");
    let renamed = events.iter().find(|e| matches!(e.what, EventData::Renamed { .. })).expect("renamed");
    assert!(matches!(&renamed.what, EventData::Renamed { from, .. } if from == "Where is my order?"), "{renamed:?}");

    // The opened conversation carries names for every person in its history.
    let opened = b.open_conversation(&t.sara, id).await.expect("open");
    assert_eq!(opened.names.get(&t.omar.id).map(String::as_str), Some("عمر"));
    let assignable: Vec<&str> = opened.assignable.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(assignable, vec!["Sara", "عمر"], "members of the mailbox, not Nadia");
    assert_eq!(opened.contact.emails, vec!["layla@customer.test".to_string()]);
}

async fn outsiders_cannot_list_read_or_change(store: &Store) {
    let t = team(store).await;
    let (b, id, nadia) = (&t.backend, t.conversation, &t.nadia);
    not_found(b.open_conversation(nadia, id).await.map(|_| ()), "open");
    not_found(b.act(nadia, id, ConversationAction::SetStatus(Status::Closed)).await, "status");
    not_found(b.act(nadia, id, ConversationAction::Assign(Some(nadia.id))).await, "assign");
    not_found(b.act(nadia, id, ConversationAction::AddTag("x".to_string())).await, "tag");
    not_found(b.act(nadia, id, ConversationAction::Follow(true)).await, "follow");
    not_found(b.post(nadia, id, Posted::text(ComposerMode::Reply, "Hi", Uuid::new_v4())).await.map(|_| ()), "reply");
    not_found(b.post(nadia, id, Posted::text(ComposerMode::Note, "Hi", Uuid::new_v4())).await.map(|_| ()), "note");
    not_found(b.save_draft(nadia, id, ComposerMode::Reply, &DraftText::body("Hi")).await, "draft");
    not_found(
        b.mailbox_conversations(nadia, t.support, ListView::Open, Refine::default(), None, 50).await.map(|_| ()),
        "list the mailbox",
    );
    let open = b.inbox_view(nadia, InboxView::AllOpen, Refine::default(), None, 50).await.expect("view");
    assert!(open.items.is_empty(), "no foreign conversation in a view");
    let counts = b.sidebar(nadia).await.expect("sidebar");
    assert!(counts.views.iter().all(|(_, n)| *n == 0), "{:?}", counts.views);
    assert_eq!(kinds(store, id).await, vec!["created"], "nothing changed");
    assert!(store.messages(id).await.expect("messages").is_empty());
}

async fn snoozed_conversations_leave_the_working_views(store: &Store) {
    let t = team(store).await;
    let b = &t.backend;
    let count = |counts: &backend::Sidebar, v: InboxView| {
        counts.views.iter().find(|(x, _)| *x == v).map(|(_, n)| *n).expect("counted")
    };
    let ids = |page: backend::store::Page<backend::store::ListedConversation>| {
        page.items.into_iter().map(|l| l.conversation.id).collect::<Vec<_>>()
    };
    assert_eq!(b.mailbox(&t.sara, t.support).await.expect("mailbox").open_count, 1);
    let before = b.sidebar(&t.sara).await.expect("sidebar");
    assert_eq!((count(&before, InboxView::AllOpen), count(&before, InboxView::Snoozed)), (1, 0));
    b.act(&t.sara, t.conversation, ConversationAction::SnoozeFor(DAY / 1_000_000)).await.expect("snooze");
    let after = b.sidebar(&t.sara).await.expect("sidebar");
    assert_eq!((count(&after, InboxView::AllOpen), count(&after, InboxView::Snoozed)), (0, 1));
    let open = b.inbox_view(&t.sara, InboxView::AllOpen, Refine::default(), None, 50).await.expect("open");
    assert!(ids(open).is_empty());
    let snoozed = b.inbox_view(&t.sara, InboxView::Snoozed, Refine::default(), None, 50).await.expect("snoozed");
    assert_eq!(ids(snoozed), vec![t.conversation]);
    let mailbox =
        b.mailbox_conversations(&t.sara, t.support, ListView::Open, Refine::default(), None, 50).await.expect("list");
    assert!(ids(mailbox).is_empty(), "the mailbox's Open tab hides it too");
    assert_eq!(b.mailbox(&t.sara, t.support).await.expect("mailbox").open_count, 0, "and its count");
}

async fn lists_narrow_by_tag_and_assignee(store: &Store) {
    let t = team(store).await;
    let b = &t.backend;
    b.act(&t.sara, t.conversation, ConversationAction::AddTag("refund".to_string())).await.expect("tag");
    let refine = |tag: Option<&str>, assignee| Refine { tag: tag.map(str::to_string), assignee };
    let count = |page: backend::store::Page<backend::store::ListedConversation>| page.items.len();
    let list = |r: Refine| b.mailbox_conversations(&t.sara, t.support, ListView::Open, r, None, 50);
    assert_eq!(count(list(refine(Some("refund"), None)).await.expect("list")), 1);
    assert_eq!(count(list(refine(Some("shipping"), None)).await.expect("list")), 0);
    let unassigned = Some(backend::store::AssigneeFilter::Unassigned);
    assert_eq!(count(list(refine(None, unassigned)).await.expect("list")), 1);
    b.act(&t.sara, t.conversation, ConversationAction::Assign(Some(t.omar.id))).await.expect("assign");
    let omar = Some(backend::store::AssigneeFilter::User(t.omar.id));
    assert_eq!(count(list(refine(Some("refund"), omar)).await.expect("list")), 1);
    assert_eq!(count(list(refine(None, unassigned)).await.expect("list")), 0);
    let tags = b.sidebar(&t.sara).await.expect("sidebar").tags;
    assert_eq!(tags.iter().map(|t| (t.name.as_str(), t.open_count)).collect::<Vec<_>>(), vec![("refund", 1)]);
}

async fn sidebar_counts_match_the_views(store: &Store) {
    let t = team(store).await;
    let b = &t.backend;
    let contact = store.contact_for_email("ali@customer.test", "Ali").await.expect("contact");
    let admin = caller(b, "boss@shop.test", "Boss", Role::Admin).await;
    for (i, status) in
        [Status::Open, Status::InProgress, Status::Waiting, Status::Closed, Status::Open, Status::Waiting]
            .into_iter()
            .enumerate()
    {
        let c = store
            .create_conversation(
                NewConversation {
                    mailbox_id: t.support,
                    contact_id: contact.id,
                    subject: format!("case {i}"),
                    status,
                    priority: Priority::Normal,
                },
                By::system(),
            )
            .await
            .expect("conversation");
        if i % 2 == 0 {
            b.act(&t.sara, c.id, ConversationAction::Assign(Some(t.sara.id))).await.expect("assign");
        }
        if i == 4 || i == 5 {
            b.act(&t.sara, c.id, ConversationAction::SnoozeFor(3_600)).await.expect("snooze");
        }
    }
    for who in [&t.sara, &t.omar, &t.nadia, &admin] {
        let counts = b.sidebar(who).await.expect("sidebar");
        for (view, count) in counts.views {
            let listed = b.inbox_view(who, view, Refine::default(), None, 500).await.expect("view").items.len();
            assert_eq!(count, listed as i64, "{view:?} for {}", who.email);
        }
    }
}

/// Two agents answer the same state of a conversation at once: exactly one reply is stored
/// and queued, the other is refused as stale with nothing written, and sending it again
/// against the conversation as it now is ("Send anyway") goes through.
async fn of_two_racing_replies_exactly_one_is_sent(store: &Store) {
    let t = team(store).await;
    let b = &t.backend;
    let mut resent = 0;
    for round in 0..20 {
        let seen = store.conversation(t.conversation).await.expect("read").seq;
        let reply =
            |text: String| Posted { seen_seq: Some(seen), ..Posted::text(ComposerMode::Reply, &text, Uuid::new_v4()) };
        let (sara, omar) = (b.clone(), b.clone());
        let (sara_caller, omar_caller) = (t.sara.clone(), t.omar.clone());
        let (one, two) = (reply(format!("Sara, round {round}")), reply(format!("Omar, round {round}")));
        let first = tokio::spawn(async move { sara.post(&sara_caller, t.conversation, one).await });
        let second =
            tokio::spawn(
                async move { omar.post(&omar_caller, t.conversation, two.clone()).await.map_err(|e| (e, two)) },
            );
        let (first, second) = (first.await.expect("task"), second.await.expect("task"));
        let sent = usize::from(first.is_ok()) + usize::from(second.is_ok());
        assert_eq!(sent, 1, "round {round}: exactly one of two racing replies passes");
        let now = store.conversation(t.conversation).await.expect("read").seq;
        assert_eq!(now, seen + 1, "round {round}: one bump only");
        if let Err((err, refused)) = second {
            assert!(matches!(err, Error::Stale { seq } if seq == now), "refused as stale: {err:?}");
            // Send anyway: the same text against what the agent has now read.
            b.post(&t.omar, t.conversation, Posted { seen_seq: Some(now), client_id: Uuid::new_v4(), ..refused })
                .await
                .expect("send anyway");
            resent += 1;
        } else if let Err(err) = first {
            assert!(matches!(err, Error::Stale { .. }), "refused as stale: {err:?}");
        }
    }
    let messages = store.messages(t.conversation).await.expect("messages");
    let outbound = messages.iter().filter(|m| m.direction == Direction::Outbound).count();
    assert_eq!(outbound, 20 + resent, "no reply was lost or doubled");

    // A note also moves the conversation on: a reply written before it is refused.
    let seen = store.conversation(t.conversation).await.expect("read").seq;
    b.post(&t.omar, t.conversation, Posted::text(ComposerMode::Note, "I'll take this one", Uuid::new_v4()))
        .await
        .expect("note");
    let late = Posted { seen_seq: Some(seen), ..Posted::text(ComposerMode::Reply, "Hello!", Uuid::new_v4()) };
    let err = b.post(&t.sara, t.conversation, late.clone()).await.expect_err("stale");
    assert!(err.to_string().contains("while you were writing"), "{err}");
    assert_eq!(store.conversation(t.conversation).await.expect("read").seq, seen + 1, "the refusal wrote nothing");
    // The same client id retried after a success answers with the first reply, however far
    // the conversation has moved since.
    let now = seen + 1;
    let sent = b.post(&t.sara, t.conversation, Posted { seen_seq: Some(now), ..late.clone() }).await.expect("sent");
    b.post(&t.omar, t.conversation, Posted::text(ComposerMode::Note, "ok", Uuid::new_v4())).await.expect("note");
    let again = b.post(&t.sara, t.conversation, Posted { seen_seq: Some(now), ..late }).await.expect("retried");
    assert_eq!(again.id, sent.id, "a retried request sends once");
}

async fn an_event_this_version_cannot_read_does_not_break_the_conversation(store: &Store) {
    let t = team(store).await;
    let b = &t.backend;
    b.act(&t.sara, t.conversation, ConversationAction::AddTag("refund".to_string())).await.expect("tag");
    // A newer version wrote kinds and data this one does not know.
    backend::testing::execute(store, "UPDATE events SET kind = 'merged', data = '{\"into\":1}' WHERE kind = 'created'")
        .await;
    backend::testing::execute(store, "UPDATE events SET data = 'not json' WHERE kind = 'tagged'").await;
    let events = store.events(t.conversation).await.expect("events still read");
    assert_eq!(events[0].what, EventData::Unknown { kind: "merged".to_string() });
    assert_eq!(events[1].what, EventData::Unknown { kind: "tagged".to_string() });
    let opened = b.open_conversation(&t.sara, t.conversation).await.expect("the conversation still opens");
    assert_eq!(opened.events.len(), 2);
}

backend::on_both_engines!(
    a_reply_is_queued_and_consumes_the_draft,
    of_two_racing_replies_exactly_one_is_sent,
    the_same_client_id_posts_once,
    bad_input_is_refused_in_words,
    every_action_persists_and_writes_its_event,
    outsiders_cannot_list_read_or_change,
    snoozed_conversations_leave_the_working_views,
    lists_narrow_by_tag_and_assignee,
    sidebar_counts_match_the_views,
    an_event_this_version_cannot_read_does_not_break_the_conversation,
);
