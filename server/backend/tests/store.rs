//! The store suite: the same scenarios on SQLite and on PostgreSQL.
//!
//! Every test gets a database of its own: a temp-file SQLite database, or a fresh PostgreSQL
//! database created on the server named by `SANDUQ_TEST_POSTGRES_URL` (default: the local
//! server, user postgres) and dropped afterwards. PostgreSQL tests fail, not skip, when no
//! server answers: `make test` starts one.

use std::collections::HashSet;

use backend::events::EventData;
use backend::store::{AssigneeFilter, By, ConversationFilter, MailboxScope, NewMessage, NewUser};
use backend::testing::{conversation, inbound, note};
use backend::{Error, Store};
use model::{Direction, EventKind, Priority, Role, Status, UserId};

async fn user(store: &Store, email: &str) -> UserId {
    store
        .create_user(NewUser {
            email: email.to_string(),
            name: email.to_string(),
            role: Role::Agent,
            password_hash: "not-a-real-hash".to_string(),
        })
        .await
        .expect("create user")
        .id
}

async fn creates_and_reads_a_conversation(store: &Store) {
    let mailbox = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox");
    let created = conversation(store, mailbox.id, "أين طلبي؟", By::system().at(1_000)).await;
    let read = store.conversation(created.id).await.expect("read back");
    assert_eq!(read, created);
    assert_eq!(read.subject, "أين طلبي؟");
    let events = store.events(created.id).await.expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].what.kind(), EventKind::Created);
    let missing = store.conversation(model::ConversationId(uuid::Uuid::now_v7())).await;
    assert!(matches!(missing, Err(Error::NotFound)));
}

async fn messages_bump_seq_and_activity(store: &Store) {
    let agent = user(store, "omar@shop.test").await;
    let mailbox = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox");
    let conversation = conversation(store, mailbox.id, "Refund", By::system().at(1_000)).await;
    let (_, seq1) =
        store.append_message(conversation.id, inbound("Where is my refund?", Some(2_000))).await.expect("m1");
    let (_, seq2) = store.append_message(conversation.id, note(agent, "Checking with finance")).await.expect("m2");
    assert_eq!((seq1, seq2), (1, 2));
    let read = store.conversation(conversation.id).await.expect("read");
    assert_eq!(read.seq, 2);
    assert!(read.last_activity_at > 2_000, "a note written now moves the activity time");
    let messages = store.messages(conversation.id).await.expect("messages");
    let directions: Vec<Direction> = messages.iter().map(|m| m.direction).collect();
    assert_eq!(directions, vec![Direction::Inbound, Direction::Note]);
    let kinds: Vec<&str> =
        store.events(conversation.id).await.expect("events").iter().map(|e| e.what.kind().as_str()).collect();
    assert_eq!(kinds, vec!["created", "message", "message"]);
}

async fn a_client_id_stores_one_message(store: &Store) {
    let agent = user(store, "omar@shop.test").await;
    let mailbox = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox");
    let conversation = conversation(store, mailbox.id, "Refund", By::system().at(1_000)).await;
    let client_id = uuid::Uuid::now_v7();
    let reply = NewMessage { client_id: Some(client_id), ..note(agent, "Sent twice?") };
    let (first, seq) = store.append_message(conversation.id, reply.clone()).await.expect("first");
    let (second, seq_again) = store.append_message(conversation.id, reply).await.expect("a retry is not an error");
    assert_eq!(second.id, first.id, "the retry answers with the message already stored");
    assert_eq!(seq_again, seq);
    assert_eq!(store.messages(conversation.id).await.expect("messages").len(), 1);
    assert_eq!(store.conversation(conversation.id).await.expect("read").seq, 1, "the retry left no trace");
}

async fn changes_write_events_and_no_ops_do_not(store: &Store) {
    let agent = user(store, "sara@shop.test").await;
    let mailbox = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox");
    let c = conversation(store, mailbox.id, "Broken charger", By::system().at(1_000)).await;

    assert!(store.assign(c.id, Some(agent), By::user(agent)).await.expect("assign"));
    assert!(!store.assign(c.id, Some(agent), By::user(agent)).await.expect("assign again"));
    assert!(store.set_status(c.id, Status::Waiting, By::user(agent)).await.expect("status"));
    assert!(!store.set_status(c.id, Status::Waiting, By::user(agent)).await.expect("status again"));
    assert!(store.set_priority(c.id, Priority::Urgent, By::user(agent)).await.expect("priority"));
    assert!(store.add_tag(c.id, " Refund ", By::user(agent)).await.expect("tag"));
    assert!(!store.add_tag(c.id, "refund", By::user(agent)).await.expect("tag again"));
    assert!(store.add_tag(c.id, "vip", By::user(agent)).await.expect("tag 2"));
    assert!(store.remove_tag(c.id, "vip", By::user(agent)).await.expect("untag"));
    assert!(!store.remove_tag(c.id, "vip", By::user(agent)).await.expect("untag again"));
    assert!(store.assign(c.id, None, By::user(agent)).await.expect("unassign"));
    assert!(matches!(store.add_tag(c.id, "   ", By::user(agent)).await, Err(Error::Refused(_))));

    let read = store.conversation(c.id).await.expect("read");
    assert_eq!((read.status, read.priority, read.assignee_id), (Status::Waiting, Priority::Urgent, None));
    assert_eq!(store.tags_of(c.id).await.expect("tags"), vec!["refund".to_string()]);

    let events = store.events(c.id).await.expect("events");
    let kinds: Vec<&str> = events.iter().map(|e| e.what.kind().as_str()).collect();
    assert_eq!(kinds, vec!["created", "assigned", "status", "priority", "tagged", "tagged", "untagged", "assigned"]);
    assert_eq!(events[2].what, EventData::Status { from: Status::Open, to: Status::Waiting, reason: None });
    assert_eq!(events[1].actor_id, Some(agent));
    assert!(matches!(events[7].what, EventData::Assigned { to: None, .. }));
}

async fn lists_filter_and_page_by_keyset(store: &Store) {
    let sara = user(store, "sara@shop.test").await;
    let omar = user(store, "omar@shop.test").await;
    let support = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox");
    let billing = store.create_mailbox("Billing", "billing@shop.test", false).await.expect("mailbox");
    store.add_member(support.id, sara).await.expect("member");
    store.add_member(support.id, sara).await.expect("member twice is fine");

    // 30 conversations; some share an activity time so the id breaks ties.
    let mut all = Vec::new();
    for i in 0..30i64 {
        let mailbox = if i % 3 == 0 { billing.id } else { support.id };
        let c = conversation(store, mailbox, &format!("conversation {i}"), By::system().at(1_000 + (i / 2))).await;
        if i % 4 == 0 {
            store.set_status(c.id, Status::Closed, By::system()).await.expect("close");
        }
        if i % 5 == 0 {
            store.assign(c.id, Some(omar), By::system()).await.expect("assign");
        }
        if i % 6 == 0 {
            store.add_tag(c.id, "refund", By::system()).await.expect("tag");
        }
        all.push((i, mailbox, store.conversation(c.id).await.expect("read")));
    }

    let expected = |keep: &dyn Fn(i64, model::MailboxId, &backend::store::Conversation) -> bool| {
        let mut v: Vec<_> = all.iter().filter(|(i, m, c)| keep(*i, *m, c)).map(|(_, _, c)| c.clone()).collect();
        v.sort_by_key(|c| std::cmp::Reverse((c.last_activity_at, c.id)));
        v.into_iter().map(|c| c.id).collect::<Vec<_>>()
    };
    let walk = |filter: ConversationFilter| async move {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store.list_conversations(&filter, after, 7).await.expect("page");
            assert!(page.items.len() <= 7);
            seen.extend(page.items.iter().map(|c| c.id));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        seen
    };

    let everything = walk(ConversationFilter::all(MailboxScope::All)).await;
    assert_eq!(everything, expected(&|_, _, _| true));
    assert_eq!(everything.iter().collect::<HashSet<_>>().len(), 30, "no conversation twice");

    let in_support = ConversationFilter { mailbox: Some(support.id), ..ConversationFilter::all(MailboxScope::All) };
    assert_eq!(walk(in_support).await, expected(&|_, m, _| m == support.id));

    let open = ConversationFilter { statuses: vec![Status::Open], ..ConversationFilter::all(MailboxScope::All) };
    assert_eq!(walk(open).await, expected(&|i, _, _| i % 4 != 0));

    let omars =
        ConversationFilter { assignee: Some(AssigneeFilter::User(omar)), ..ConversationFilter::all(MailboxScope::All) };
    assert_eq!(walk(omars).await, expected(&|i, _, _| i % 5 == 0));

    let unassigned_open = ConversationFilter {
        statuses: vec![Status::Open, Status::InProgress],
        assignee: Some(AssigneeFilter::Unassigned),
        ..ConversationFilter::all(MailboxScope::All)
    };
    assert_eq!(walk(unassigned_open).await, expected(&|i, _, _| i % 4 != 0 && i % 5 != 0));

    let refunds = ConversationFilter { tag: Some("refund".to_string()), ..ConversationFilter::all(MailboxScope::All) };
    assert_eq!(walk(refunds).await, expected(&|i, _, _| i % 6 == 0));

    // Sara is a member of Support only: Billing's conversations are not hers to list.
    let saras = walk(ConversationFilter::all(MailboxScope::MemberOf(sara))).await;
    assert_eq!(saras, expected(&|_, m, _| m == support.id));
    let omars_scope = walk(ConversationFilter::all(MailboxScope::MemberOf(omar))).await;
    assert!(omars_scope.is_empty());

    let boxes = store.mailboxes(MailboxScope::MemberOf(sara)).await.expect("mailboxes");
    assert_eq!(boxes.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), vec!["Support"]);
    let open_in_support = all.iter().filter(|(i, m, _)| *m == support.id && i % 4 != 0).count() as i64;
    assert_eq!(boxes[0].open_count, open_in_support);
}

async fn concurrent_writers_all_succeed(store: &Store) {
    let agent = user(store, "sara@shop.test").await;
    let mailbox = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox");
    let shared = conversation(store, mailbox.id, "Busy one", By::system().at(1_000)).await;
    let mut tasks = Vec::new();
    for t in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let own = conversation(&store, mailbox.id, &format!("task {t}"), By::system().at(2_000)).await;
            for i in 0..20 {
                store.append_message(shared.id, note(agent, &format!("{t}/{i}"))).await?;
                store
                    .set_status(own.id, if i % 2 == 0 { Status::Waiting } else { Status::Open }, By::user(agent))
                    .await?;
                store.add_tag(own.id, &format!("t{i}"), By::user(agent)).await?;
            }
            Ok::<_, Error>(())
        }));
    }
    for task in tasks {
        task.await.expect("task ran").expect("no write failed (no BUSY, no deadlock)");
    }
    let read = store.conversation(shared.id).await.expect("read");
    assert_eq!(read.seq, 160, "every append bumped seq exactly once");
    assert_eq!(store.messages(shared.id).await.expect("messages").len(), 160);
}

async fn users_and_sessions(store: &Store) {
    let id = user(store, "sara@shop.test").await;
    let again = store
        .create_user(NewUser {
            email: "sara@shop.test".to_string(),
            name: "Sara again".to_string(),
            role: Role::Admin,
            password_hash: "x".to_string(),
        })
        .await;
    assert!(matches!(again, Err(Error::Conflict(_))), "got {again:?}");
    let token_hash = [7u8; 32];
    store.create_session(&token_hash, id, i64::MAX, None, None).await.expect("session");
    assert_eq!(store.session_user(&token_hash).await.expect("lookup").map(|u| u.id), Some(id));
    store.create_session(&[8u8; 32], id, 0, None, None).await.expect("expired session");
    assert!(store.session_user(&[8u8; 32]).await.expect("lookup").is_none(), "expired");
    store.set_password_hash(id, "new-hash").await.expect("new password");
    assert!(store.session_user(&token_hash).await.expect("lookup").is_none(), "password change ends sessions");
}

async fn list_rows_show_contact_latest_message_assignee_and_tags(store: &Store) {
    let agent = user(store, "sara@shop.test").await;
    let mailbox = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox");
    let c = conversation(store, mailbox.id, "Refund", By::system().at(1_000)).await;
    let bare = conversation(store, mailbox.id, "Nothing yet", By::system().at(900)).await;
    store.append_message(c.id, inbound("First\n\nmessage", Some(2_000))).await.expect("m1");
    store.append_message(c.id, inbound(&"word ".repeat(100), Some(3_000))).await.expect("m2");
    store.append_message(c.id, note(agent, "a note is never the snippet")).await.expect("note");
    store.assign(c.id, Some(agent), By::user(agent)).await.expect("assign");
    store.add_tag(c.id, "vip", By::user(agent)).await.expect("tag");
    store.add_tag(c.id, "refund", By::user(agent)).await.expect("tag");

    let page = store.list_conversations(&ConversationFilter::all(MailboxScope::All), None, 10).await.expect("list");
    let rows = store.describe(page.items).await.expect("describe");
    assert_eq!(rows.len(), 2);
    let row = &rows[0];
    assert_eq!(row.conversation.id, c.id, "the note moved it to the top");
    assert_eq!((row.contact_name.as_str(), row.contact_email.as_str()), ("Layla", "layla@customer.test"));
    assert!(row.snippet.starts_with("word word") && row.snippet.ends_with('…'), "{}", row.snippet);
    assert!(row.snippet.chars().count() <= 161);
    assert_eq!(row.assignee_name.as_deref(), Some("sara@shop.test"));
    assert_eq!(row.tags, vec!["refund".to_string(), "vip".to_string()]);
    assert_eq!(rows[1].conversation.id, bare.id);
    assert_eq!((rows[1].snippet.as_str(), rows[1].assignee_name.as_deref()), ("", None));
    assert!(rows[1].tags.is_empty());
}

async fn mail_settings_keep_sealed_passwords_until_replaced(store: &Store) {
    use backend::mail_settings::{self, Endpoint, MailSettings, Security};
    let key = backend::SecretKey::generate();
    let mailbox = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox");
    let endpoint = |host: &str, port| Endpoint {
        host: host.to_string(),
        port,
        security: Security::Tls,
        user: "support@shop.test".to_string(),
    };
    let mut settings = MailSettings {
        imap: endpoint("imap.gmail.com", 993),
        folders: vec!["INBOX".to_string(), "[Gmail]/Sent Mail".to_string()],
        smtp: endpoint("smtp.gmail.com", 465),
        from_style: mail_settings::FromStyle::Mailbox,
        sync_since: mail_settings::parse_since("2026-01-01").expect("date"),
    };
    mail_settings::save(store, &key, mailbox.id, &settings, (Some("one"), Some("two")), None).await.expect("save");
    settings.imap.port = 1993;
    mail_settings::save(store, &key, mailbox.id, &settings, (None, Some("three")), None).await.expect("edit");
    let all = store.all_mail_settings().await.expect("read");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].1.settings, settings, "folders and ports read back as saved");
    assert!(all[0].1.has_imap_password && all[0].1.has_smtp_password);
    let (imap, smtp) = store.sealed_mail_passwords(mailbox.id).await.expect("sealed");
    assert_eq!(key.open(&imap.expect("imap")).expect("open"), "one", "kept when not given");
    assert_eq!(key.open(&smtp.expect("smtp")).expect("open"), "three", "replaced when given");
}

/// One node at a time holds a mailbox's sync lease: the holder renews it under the same
/// token, nobody else gets it until it expires, a new holder gets a new token, and mail
/// fetched under the old token is refused.
async fn a_sync_lease_has_one_holder_and_fences_the_last(store: &Store) {
    let mailbox = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox").id;
    let minute = 60 * 1_000_000;
    assert_eq!(store.acquire_sync_lease(mailbox, "node-a", minute).await.expect("take"), Some(1));
    assert_eq!(store.acquire_sync_lease(mailbox, "node-b", minute).await.expect("ask"), None, "held");
    assert_eq!(store.acquire_sync_lease(mailbox, "node-a", minute).await.expect("renew"), Some(1), "same token");
    store.reset_folder(mailbox, "INBOX", 7).await.expect("folder");
    let fetched = [backend::store::Fetched { uid: 1, sha256: "ab".repeat(32), size: 10 }];
    store.record_fetched(mailbox, "INBOX", 7, &fetched, 1, Some(1)).await.expect("recorded under the lease");

    // node-a stops renewing (a lease that ended a moment ago): node-b takes it over.
    assert_eq!(store.acquire_sync_lease(mailbox, "node-a", -1).await.expect("let lapse"), Some(1));
    assert_eq!(store.acquire_sync_lease(mailbox, "node-b", minute).await.expect("take over"), Some(2));
    let lease = store.sync_lease(mailbox).await.expect("read").expect("held");
    assert_eq!((lease.holder.as_str(), lease.token), ("node-b", 2));
    assert_eq!(store.acquire_sync_lease(mailbox, "node-a", minute).await.expect("ask"), None, "node-a lost it");
    let late = [backend::store::Fetched { uid: 2, sha256: "cd".repeat(32), size: 10 }];
    let err = store.record_fetched(mailbox, "INBOX", 7, &late, 2, Some(1)).await.expect_err("fenced");
    assert!(err.to_string().contains("another node took over"), "{err}");
    store.record_fetched(mailbox, "INBOX", 7, &late, 2, Some(2)).await.expect("the holder records");
    let lease_again = store.acquire_sync_lease(mailbox, "node-b", minute).await.expect("renew");
    assert_eq!(lease_again, Some(2));
}

backend::on_both_engines!(
    threads = 4;
    creates_and_reads_a_conversation,
    a_sync_lease_has_one_holder_and_fences_the_last,
    messages_bump_seq_and_activity,
    a_client_id_stores_one_message,
    changes_write_events_and_no_ops_do_not,
    lists_filter_and_page_by_keyset,
    concurrent_writers_all_succeed,
    users_and_sessions,
    list_rows_show_contact_latest_message_assignee_and_tags,
    mail_settings_keep_sealed_passwords_until_replaced,
);
