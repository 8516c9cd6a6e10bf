//! Demo data: a small online store's support team with two months of mail, in English,
//! Arabic and Persian, so a newcomer sees a living inbox on the first `make run`.
//!
//! The content is deterministic (a fixed seed drives every choice); only the times move with
//! the day it is loaded, so the data always spans the last 60 days. It goes through the same
//! store operations as real work, so every conversation has its audit trail. Demo mailboxes
//! are marked `is_demo` and never deliver mail.

pub mod bulk;
mod content;

use std::collections::HashSet;

use model::{ContactId, Direction, MailboxId, Priority, Status, UserId};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::store::{By, MailboxScope, NewConversation, NewMessage, Recipients};
use crate::time::{DAY, SECOND};
use crate::{Backend, Error, Result};
use content::{AGENTS, Agent, DOMAINS, EXTRA_TAGS, FIRST_NAMES, LAST_NAMES, Lang, MAILBOXES, SCENARIOS, Scenario};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "sanduq-demo";
/// How many customers the demo has.
pub const CONTACTS: usize = 300;
/// How many conversations the demo has.
pub const CONVERSATIONS: usize = 1000;
const SEED: u64 = 0x5a4e_4455_5121;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;

/// What was loaded, for the operator.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// Email, name and role of each demo account (all with [`DEMO_PASSWORD`]).
    pub accounts: Vec<(String, String, model::Role)>,
    pub mailboxes: usize,
    pub contacts: usize,
    pub conversations: usize,
}

struct Customer {
    id: ContactId,
    first_name: &'static str,
    name: String,
    email: String,
}

/// Loads the demo into an empty database; `now` anchors the 60 days.
pub async fn load(backend: &Backend, now: i64) -> Result<DemoSummary> {
    let store = &backend.store;
    if !store.users().await?.is_empty() || !store.mailboxes(MailboxScope::All).await?.is_empty() {
        return Err(Error::Conflict(
            "the database already has users or mailboxes; demo data goes only into an empty database".to_string(),
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);

    let mut mailboxes = Vec::new();
    for (name, address) in MAILBOXES {
        mailboxes.push(store.create_mailbox(name, address, true).await?.id);
    }
    let mut team: Vec<(UserId, &'static Agent)> = Vec::new();
    let mut accounts = Vec::new();
    for agent in &AGENTS {
        let user = backend.add_user(agent.email, agent.name, agent.role, DEMO_PASSWORD).await?;
        for &b in agent.mailboxes {
            store.add_member(mailboxes[b], user.id).await?;
        }
        team.push((user.id, agent));
        accounts.push((agent.email.to_string(), agent.name.to_string(), agent.role));
    }

    let customers = make_customers(backend, &mut rng).await?;
    for _ in 0..CONVERSATIONS {
        let lang = pick_lang(&mut rng);
        let scenarios: Vec<&Scenario> = SCENARIOS.iter().filter(|s| s.lang == lang).collect();
        let scenario = scenarios.choose(&mut rng).copied().ok_or_else(|| missing("scenario"))?;
        let group = customers.iter().find(|(l, _)| *l == lang).map(|(_, c)| c).ok_or_else(|| missing("customers"))?;
        let customer = group.choose(&mut rng).ok_or_else(|| missing("customer"))?;
        let mailbox = mailboxes[scenario.mailbox];
        let members: Vec<&(UserId, &Agent)> =
            team.iter().filter(|(_, agent)| agent.mailboxes.contains(&scenario.mailbox)).collect();
        conversation(backend, &mut rng, now, scenario, customer, mailbox, &members).await?;
    }

    Ok(DemoSummary { accounts, mailboxes: mailboxes.len(), contacts: CONTACTS, conversations: CONVERSATIONS })
}

fn missing(what: &str) -> Error {
    Error::Internal(format!("demo content has no {what}"))
}

fn pick_lang(rng: &mut ChaCha8Rng) -> Lang {
    match rng.gen_range(0..10) {
        0..=3 => Lang::Ar,
        4..=5 => Lang::Fa,
        _ => Lang::En,
    }
}

/// 300 customers: 40% Arabic, 20% Persian, 40% English names, each with a unique address.
async fn make_customers(backend: &Backend, rng: &mut ChaCha8Rng) -> Result<Vec<(Lang, Vec<Customer>)>> {
    let mut groups: Vec<(Lang, Vec<Customer>)> = vec![(Lang::Ar, vec![]), (Lang::Fa, vec![]), (Lang::En, vec![])];
    let mut taken = HashSet::new();
    for i in 0..CONTACTS {
        let lang = match i % 5 {
            0 | 1 => Lang::Ar,
            2 => Lang::Fa,
            _ => Lang::En,
        };
        let firsts = FIRST_NAMES.iter().find(|(l, _)| *l == lang).map(|(_, n)| *n).ok_or_else(|| missing("names"))?;
        let lasts = LAST_NAMES.iter().find(|(l, _)| *l == lang).map(|(_, n)| *n).ok_or_else(|| missing("names"))?;
        let (first, first_ascii) = *firsts.choose(rng).ok_or_else(|| missing("first name"))?;
        let (last, last_ascii) = *lasts.choose(rng).ok_or_else(|| missing("last name"))?;
        let domain = DOMAINS.choose(rng).ok_or_else(|| missing("domain"))?;
        let mut email = format!("{first_ascii}.{last_ascii}@{domain}");
        let mut n = 2;
        while !taken.insert(email.clone()) {
            email = format!("{first_ascii}.{last_ascii}{n}@{domain}");
            n += 1;
        }
        let name = format!("{first} {last}");
        let contact = backend.store.contact_for_email(&email, &name).await?;
        let group = groups.iter_mut().find(|(l, _)| *l == lang).ok_or_else(|| missing("group"))?;
        group.1.push(Customer { id: contact.id, first_name: first, name, email });
    }
    Ok(groups)
}

/// One conversation with its thread, status, assignee, tags and maybe a note, all at
/// plausible times in the last 60 days.
async fn conversation(
    backend: &Backend,
    rng: &mut ChaCha8Rng,
    now: i64,
    scenario: &Scenario,
    customer: &Customer,
    mailbox: MailboxId,
    members: &[&(UserId, &'static Agent)],
) -> Result<()> {
    let store = &backend.store;
    let order = rng.gen_range(10_000..99_999).to_string();
    let started = now - rng.gen_range(20 * MINUTE..60 * DAY);
    let fill = |text: &str, agent: &str| {
        text.replace("{name}", customer.first_name).replace("{order}", &order).replace("{agent}", agent)
    };
    let status = match rng.gen_range(0..100) {
        0..=29 => Status::Open,
        30..=44 => Status::InProgress,
        45..=64 => Status::Waiting,
        _ => Status::Closed,
    };
    let priority = match rng.gen_range(0..100) {
        0..=9 => Priority::Low,
        10..=79 => Priority::Normal,
        80..=94 => Priority::High,
        _ => Priority::Urgent,
    };
    let &&(agent_id, agent) = members.choose(rng).ok_or_else(|| missing("member"))?;
    let agent_name = if scenario.lang == Lang::En { agent.latin_first_name } else { agent.native_first_name };
    let assigned = status != Status::Open || rng.gen_bool(0.4);
    let subject = fill(scenario.subject, agent_name);

    let conversation = store
        .create_conversation(
            NewConversation {
                mailbox_id: mailbox,
                contact_id: customer.id,
                subject: subject.clone(),
                status: Status::Open,
                priority: Priority::Normal,
            },
            By::system().at(started),
        )
        .await?;
    let id = conversation.id;
    let inbound = |body: String, at: i64| NewMessage {
        direction: Direction::Inbound,
        author_id: None,
        from_name: customer.name.clone(),
        from_email: customer.email.clone(),
        subject: subject.clone(),
        body_text: body,
        body_html: None,
        client_id: None,
        at: Some(at),
        queue: false,
        outgoing: None,
        attachments: Vec::new(),
        recipients: Recipients::default(),
        seen_seq: None,
    };
    store.append_message(id, inbound(fill(scenario.customer, agent_name), started)).await?;

    let mut t = started;
    // Each step moves time forward by up to half the room left before now, so recent
    // conversations get their replies minutes apart instead of all at the last minute.
    let mut step = |rng: &mut ChaCha8Rng, min: i64, max: i64| {
        let room = (now - MINUTE - t).max(0);
        t += rng.gen_range(min..max).min(room / 2 + 1);
        t
    };
    if priority != Priority::Normal {
        store.set_priority(id, priority, By::user(agent_id).at(step(rng, MINUTE, 30 * MINUTE))).await?;
    }
    if assigned {
        store.assign(id, Some(agent_id), By::user(agent_id).at(step(rng, 2 * MINUTE, 3 * HOUR))).await?;
    }
    store.add_tag(id, scenario.tag, By::user(agent_id).at(step(rng, MINUTE, 10 * MINUTE))).await?;
    if rng.gen_bool(0.12) {
        let extra = EXTRA_TAGS.choose(rng).ok_or_else(|| missing("tag"))?;
        store.add_tag(id, extra, By::user(agent_id).at(step(rng, MINUTE, 10 * MINUTE))).await?;
    }
    if rng.gen_bool(0.3) {
        let at = step(rng, 5 * MINUTE, 2 * HOUR);
        store.append_message(id, agent_message(Direction::Note, agent_id, scenario.note.to_string(), at)).await?;
    }
    if status != Status::Open {
        let at = step(rng, 10 * MINUTE, 20 * HOUR);
        let reply = NewMessage {
            subject: reply_subject(&subject),
            ..agent_message(Direction::Outbound, agent_id, fill(scenario.reply, agent_name), at)
        };
        store.append_message(id, reply).await?;
        if status == Status::Closed || rng.gen_bool(0.3) {
            let at = step(rng, 30 * MINUTE, 30 * HOUR);
            let follow_up =
                NewMessage { subject: reply_subject(&subject), ..inbound(fill(scenario.follow_up, agent_name), at) };
            store.append_message(id, follow_up).await?;
        }
        store.set_status(id, status, By::user(agent_id).at(step(rng, MINUTE, 2 * HOUR))).await?;
    }
    Ok(())
}

fn agent_message(direction: Direction, agent: UserId, body: String, at: i64) -> NewMessage {
    NewMessage {
        direction,
        author_id: Some(agent),
        from_name: String::new(),
        from_email: String::new(),
        subject: String::new(),
        body_text: body,
        body_html: None,
        client_id: None,
        at: Some(at),
        queue: false,
        outgoing: None,
        attachments: Vec::new(),
        recipients: Recipients::default(),
        seen_seq: None,
    }
}

fn reply_subject(subject: &str) -> String {
    format!("Re: {subject}")
}
