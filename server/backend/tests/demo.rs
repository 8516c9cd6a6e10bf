//! The demo data: the right size, in three languages, with history, and the same every time.

use backend::demo::{self, DEMO_PASSWORD};
use backend::store::{ConversationFilter, MailboxScope};
use backend::testing::TestDb;
use backend::{Backend, Error, Store};
use model::Status;

/// Every conversation as (mailbox, subject, status, priority, assigned, tags, messages), sorted.
async fn snapshot(store: &Store) -> Vec<String> {
    let mut rows = Vec::new();
    let mut after = None;
    loop {
        let page =
            store.list_conversations(&ConversationFilter::all(MailboxScope::All), after, 500).await.expect("page");
        for c in &page.items {
            let mailbox = store.mailbox(c.mailbox_id).await.expect("mailbox").name;
            let tags = store.tags_of(c.id).await.expect("tags").join(",");
            let messages = store.messages(c.id).await.expect("messages").len();
            rows.push(format!(
                "{mailbox}|{}|{:?}|{:?}|{}|{tags}|{messages}",
                c.subject,
                c.status,
                c.priority,
                c.assignee_id.is_some()
            ));
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_is_a_living_inbox_and_always_the_same() {
    let now = backend::time::now_micros();
    let first = TestDb::sqlite().await;
    let backend = Backend::new(first.store.clone());
    let started = std::time::Instant::now();
    let summary = demo::load(&backend, now).await.expect("load");
    eprintln!("demo loaded in {:.1} s", started.elapsed().as_secs_f64());
    assert_eq!((summary.mailboxes, summary.contacts, summary.conversations), (3, 300, 1000));
    assert_eq!(summary.accounts.len(), 5);

    let rows = snapshot(&first.store).await;
    assert_eq!(rows.len(), 1000);
    let arabic = rows.iter().filter(|r| r.contains("طلب") || r.contains("المقاس")).count();
    let persian = rows.iter().filter(|r| r.chars().any(|c| matches!(c, 'پ' | 'چ' | 'ژ' | 'گ' | 'ی'))).count();
    assert!(arabic > 100 && persian > 50, "arabic {arabic}, persian {persian}");
    for status in [Status::Open, Status::InProgress, Status::Waiting, Status::Closed] {
        assert!(rows.iter().filter(|r| r.contains(&format!("|{status:?}|"))).count() > 50, "{status:?} is rare");
    }

    let boxes = first.store.mailboxes(MailboxScope::All).await.expect("mailboxes");
    assert!(boxes.iter().all(|m| m.is_demo), "demo mailboxes never send");
    let page =
        first.store.list_conversations(&ConversationFilter::all(MailboxScope::All), None, 50).await.expect("page");
    for c in &page.items {
        let events = first.store.events(c.id).await.expect("events");
        assert!(events.len() >= 3, "created, message, tagged at least");
        assert!(events.iter().all(|e| e.created_at <= now && e.created_at > now - 61 * backend::time::DAY));
        assert!(c.last_activity_at <= now);
    }

    for (email, _, _) in &summary.accounts {
        backend.sign_in(email, DEMO_PASSWORD, None, None).await.expect("demo accounts sign in");
    }
    assert!(matches!(demo::load(&backend, now).await, Err(Error::Conflict(_))), "only into an empty database");

    let second = TestDb::sqlite().await;
    demo::load(&Backend::new(second.store.clone()), now).await.expect("load again");
    assert_eq!(snapshot(&second.store).await, rows, "deterministic");
}
