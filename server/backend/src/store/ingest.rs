//! The decisions of storing a mail, as plain functions over the rows the store found: is it
//! a copy of a message already stored, who is the customer and which way did it go, which
//! conversation does it join and why, and does it wake that conversation up.
//!
//! Nothing here touches the database. [`Store::ingest_mail`](super::Store::ingest_mail)
//! fetches the candidates one stage at a time (a later stage only when the earlier ones found
//! nothing, so a reply costs no subject search), calls these rules and writes what they
//! decide. Keeping them apart is what lets the unit tests below state each rule, the "never
//! join two customers" one above all, without a database.

use model::{ContactId, ConversationId, Direction, Status};
use uuid::Uuid;

use super::Conversation;
use crate::mail::parse::{ParsedMail, Party};
use crate::mail::thread::{SUBJECT_WINDOW_MICROS, conversation_of, subject_key};

/// A stored message that might be the mail being stored again: one with the same Message-ID
/// or, for a mail without one, the same content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct StoredCopy {
    pub id: Uuid,
    pub content_sha256: Option<String>,
    pub direction: Direction,
}

/// The stored message `mail` is a copy of, if any: the same content (a resync, a second
/// folder), or, from us, our own reply found again in the Sent folder (stored before it had
/// a content hash). A different mail reusing a Message-ID is not a copy.
pub(super) fn duplicate_of(mail: &ParsedMail, from_us: bool, candidates: &[StoredCopy]) -> Option<Uuid> {
    candidates
        .iter()
        .find(|stored| match &stored.content_sha256 {
            Some(hash) => *hash == mail.content_sha256,
            None => from_us && stored.direction == Direction::Outbound,
        })
        .map(|stored| stored.id)
}

/// Whether the mail was sent from the mailbox's own address (`address` lower-cased).
pub(super) fn is_from_us(mail: &ParsedMail, address: &str) -> bool {
    mail.from.as_ref().is_some_and(|from| from.email == address)
}

/// Which way the mail went: our own mail (found in Sent, or a copy to ourselves) is an
/// agent's reply, anything else came from a customer.
pub(super) fn direction(from_us: bool) -> Direction {
    if from_us { Direction::Outbound } else { Direction::Inbound }
}

/// Who the customer is: the sender, or for our own mail its first recipient that is not us.
/// A bounce of our reply has none (the mailer daemon is nobody's contact): it joins the
/// conversation of the reply that bounced.
pub(super) fn customer<'m>(mail: &'m ParsedMail, address: &str, from_us: bool, bounce: bool) -> Option<&'m Party> {
    if bounce {
        None
    } else if from_us {
        mail.to.iter().chain(mail.cc.iter()).find(|party| party.email != address)
    } else {
        mail.from.as_ref()
    }
}

/// When the mail happened in the history: its own date (a backfill of two months keeps its
/// order), but never a date in the future.
pub(super) fn history_time(mail: &ParsedMail, now: i64) -> i64 {
    mail.date.filter(|date| *date > 0 && *date <= now).unwrap_or(now)
}

/// What the threading rules know of the mail being stored.
#[derive(Debug, Clone, Copy)]
pub(super) struct Threading<'m> {
    pub mail: &'m ParsedMail,
    pub from_us: bool,
    /// The customer's contact, when the mail has one.
    pub contact: Option<ContactId>,
    /// [`history_time`].
    pub at: i64,
}

impl Threading<'_> {
    /// The Message-IDs the mail answers, the most telling first: In-Reply-To, then References
    /// from the newest back.
    pub fn referenced(&self) -> Vec<&str> {
        self.mail.in_reply_to.iter().chain(self.mail.references.iter().rev()).map(String::as_str).collect()
    }

    /// Whether a subject match is possible at all: the mail has a customer and a subject
    /// beyond its reply prefixes (see [`by_subject`]).
    pub fn may_match_subject(&self) -> bool {
        self.contact.is_some() && !subject_key(&self.mail.subject).is_empty()
    }

    /// The conversations our reply tokens in [`Threading::referenced`] name, in that order.
    pub fn reply_tokens(&self) -> Vec<ConversationId> {
        self.referenced().into_iter().filter_map(conversation_of).collect()
    }
}

/// Why a mail joins a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reason {
    /// A delivery report about one of our replies: it goes where the reply is.
    BounceOfOurReply,
    /// It answers a mail of ours whose Message-ID names the conversation.
    OurReplyToken,
    /// It answers a Message-ID stored in the conversation, and the sender belongs there.
    Referenced(Belongs),
    /// The same subject from the same customer within [`SUBJECT_WINDOW_MICROS`].
    SameSubject,
}

/// Why the sender of a referencing mail belongs in the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Belongs {
    /// The sender is the conversation's customer.
    Customer,
    /// The sender wrote or was written to in the conversation.
    Participant,
    /// The mail is ours.
    Us,
}

/// The conversation a mail joins, and why. No match means a new conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Joined {
    pub conversation: Conversation,
    pub why: Reason,
}

/// The conversation of the reply a bounce is about.
pub(super) fn by_bounce(bounced: Option<Conversation>) -> Option<Joined> {
    bounced.map(|conversation| Joined { conversation, why: Reason::BounceOfOurReply })
}

/// The first of `tokens` that names one of `found` (the conversations of this mailbox with
/// those ids). A token is ours, so it needs no check of who sent the mail.
pub(super) fn by_token(tokens: &[ConversationId], mut found: Vec<Conversation>) -> Option<Joined> {
    let at = tokens.iter().find_map(|token| found.iter().position(|c| c.id == *token))?;
    Some(Joined { conversation: found.swap_remove(at), why: Reason::OurReplyToken })
}

/// Why the sender belongs in `candidate` without asking who took part in it, if they do.
fn belongs_without_asking(mail: &Threading<'_>, candidate: &Conversation) -> Option<Belongs> {
    if mail.from_us {
        Some(Belongs::Us)
    } else if Some(candidate.contact_id) == mail.contact {
        Some(Belongs::Customer)
    } else {
        None
    }
}

/// Of `candidates` (the conversations holding a referenced Message-ID, newest first), those
/// whose participants the store must look up before [`by_reference`] can decide: the ones
/// ahead of the first the sender belongs to anyway. Usually none, as a customer answers
/// their own conversation.
pub(super) fn ask_who_took_part(mail: &Threading<'_>, candidates: &[Conversation]) -> Vec<ConversationId> {
    candidates.iter().take_while(|c| belongs_without_asking(mail, c).is_none()).map(|c| c.id).collect()
}

/// The newest of `candidates` the sender belongs to; `took_part` holds those of
/// [`ask_who_took_part`] in which the sender wrote or was written to. Never a conversation
/// of another customer the sender has no part in: a shared Message-ID (a forwarded thread, a
/// mailing list) must not join two customers.
pub(super) fn by_reference(
    mail: &Threading<'_>,
    candidates: Vec<Conversation>,
    took_part: &[ConversationId],
) -> Option<Joined> {
    candidates.into_iter().find_map(|conversation| {
        let belongs = belongs_without_asking(mail, &conversation)
            .or_else(|| took_part.contains(&conversation.id).then_some(Belongs::Participant))?;
        Some(Joined { conversation, why: Reason::Referenced(belongs) })
    })
}

/// The newest of `candidates` (the customer's recent conversations) with the mail's subject,
/// once reply prefixes are gone: the same customer, active within the window, not spam or
/// trash. An empty subject matches nothing.
pub(super) fn by_subject(mail: &Threading<'_>, candidates: Vec<Conversation>) -> Option<Joined> {
    let contact = mail.contact?;
    let key = subject_key(&mail.mail.subject);
    if key.is_empty() {
        return None;
    }
    let since = mail.at - SUBJECT_WINDOW_MICROS;
    candidates
        .into_iter()
        .filter(|c| c.contact_id == contact && c.last_activity_at >= since)
        .filter(|c| !matches!(c.status, Status::Spam | Status::Trash))
        .find(|c| subject_key(&c.subject) == key)
        .map(|conversation| Joined { conversation, why: Reason::SameSubject })
}

/// The subject of a conversation a mail starts.
pub(super) fn new_subject(mail: &ParsedMail) -> &str {
    if mail.subject.is_empty() { "(no subject)" } else { mail.subject.as_str() }
}

/// The status of a conversation a mail starts: our own mail waits for the customer, theirs
/// waits for us.
pub(super) fn new_status(direction: Direction) -> Status {
    if direction == Direction::Outbound { Status::Waiting } else { Status::Open }
}

/// What a stored mail does to the conversation it joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wake {
    /// Nothing changes.
    Stays,
    /// Closed or waiting on the customer, it is open again (and awake).
    Reopens { from: Status },
    /// Snoozed, it is awake again.
    Unsnoozes,
}

/// The customer wrote again, by hand, in a conversation that was already there: it needs
/// someone again. Our own mail, an auto-reply or a new conversation wakes nothing.
pub(super) fn wake(direction: Direction, automatic: bool, new_conversation: bool, joined: &Conversation) -> Wake {
    if direction != Direction::Inbound || automatic || new_conversation {
        Wake::Stays
    } else if matches!(joined.status, Status::Closed | Status::Waiting) {
        Wake::Reopens { from: joined.status }
    } else if joined.snoozed_until.is_some() {
        Wake::Unsnoozes
    } else {
        Wake::Stays
    }
}

#[cfg(test)]
mod tests {
    use model::{MailboxId, MessageId, Priority};

    use super::*;
    use crate::mail::thread::message_id_for;

    const US: &str = "support@shop.test";
    const NOW: i64 = 1_800_000_000_000_000;

    fn party(email: &str) -> Party {
        Party { name: String::new(), email: email.to_string() }
    }

    fn mail_from(email: &str) -> ParsedMail {
        ParsedMail {
            from: Some(party(email)),
            to: vec![party(US)],
            subject: "Where is my order?".to_string(),
            content_sha256: "hash-a".to_string(),
            ..ParsedMail::default()
        }
    }

    fn contact() -> ContactId {
        ContactId(Uuid::now_v7())
    }

    fn conversation(customer: ContactId, subject: &str) -> Conversation {
        Conversation {
            id: ConversationId(Uuid::now_v7()),
            mailbox_id: MailboxId(Uuid::nil()),
            contact_id: customer,
            subject: subject.to_string(),
            status: Status::Open,
            priority: Priority::Normal,
            assignee_id: None,
            snoozed_until: None,
            seq: 1,
            rev: 1,
            last_activity_at: NOW - 3_600_000_000,
            created_at: NOW - 3_600_000_000,
        }
    }

    fn threading(mail: &ParsedMail, contact: Option<ContactId>) -> Threading<'_> {
        Threading { mail, from_us: is_from_us(mail, US), contact, at: NOW }
    }

    fn copy(hash: Option<&str>, direction: Direction) -> StoredCopy {
        StoredCopy { id: Uuid::now_v7(), content_sha256: hash.map(str::to_string), direction }
    }

    #[test]
    fn the_same_content_again_is_a_duplicate() {
        let mail = mail_from("jo@customer.test");
        let other = copy(Some("hash-b"), Direction::Inbound);
        let same = copy(Some("hash-a"), Direction::Inbound);
        assert_eq!(duplicate_of(&mail, false, &[other.clone(), same.clone()]), Some(same.id));
        assert_eq!(duplicate_of(&mail, false, &[other]), None, "a different mail reusing a Message-ID is kept");
        assert_eq!(duplicate_of(&mail, false, &[]), None);
    }

    #[test]
    fn our_own_reply_found_in_sent_is_a_duplicate_of_the_reply() {
        let mail = mail_from(US);
        let reply = copy(None, Direction::Outbound);
        assert_eq!(duplicate_of(&mail, true, std::slice::from_ref(&reply)), Some(reply.id));
        assert_eq!(duplicate_of(&mail, false, std::slice::from_ref(&reply)), None, "only when the copy is ours");
        assert_eq!(duplicate_of(&mail, true, &[copy(None, Direction::Note)]), None);
    }

    #[test]
    fn a_customer_mail_is_inbound_and_its_sender_is_the_customer() {
        let mail = mail_from("jo@customer.test");
        let from_us = is_from_us(&mail, US);
        assert!(!from_us);
        assert_eq!(direction(from_us), Direction::Inbound);
        assert_eq!(customer(&mail, US, from_us, false), Some(&party("jo@customer.test")));
        assert_eq!(new_status(direction(from_us)), Status::Open);
    }

    #[test]
    fn our_own_mail_is_outbound_and_its_first_other_recipient_is_the_customer() {
        let mut mail = mail_from(US);
        mail.to = vec![party(US), party("jo@customer.test")];
        mail.cc = vec![party("boss@customer.test")];
        let from_us = is_from_us(&mail, US);
        assert!(from_us);
        assert_eq!(direction(from_us), Direction::Outbound);
        assert_eq!(customer(&mail, US, from_us, false), Some(&party("jo@customer.test")));
        assert_eq!(new_status(direction(from_us)), Status::Waiting);
    }

    #[test]
    fn a_bounce_has_no_customer() {
        let mail = mail_from("mailer-daemon@customer.test");
        assert_eq!(customer(&mail, US, false, true), None);
    }

    #[test]
    fn the_history_keeps_the_mails_date_but_never_a_future_one() {
        let mut mail = mail_from("jo@customer.test");
        mail.date = Some(NOW - 10);
        assert_eq!(history_time(&mail, NOW), NOW - 10);
        mail.date = Some(NOW + 10);
        assert_eq!(history_time(&mail, NOW), NOW);
        mail.date = None;
        assert_eq!(history_time(&mail, NOW), NOW);
    }

    #[test]
    fn a_bounce_joins_the_conversation_of_the_reply_that_bounced() {
        let theirs = conversation(contact(), "Order");
        let joined = by_bounce(Some(theirs.clone()));
        assert_eq!(joined, Some(Joined { conversation: theirs, why: Reason::BounceOfOurReply }));
        assert_eq!(by_bounce(None), None);
    }

    #[test]
    fn our_reply_token_joins_the_conversation_it_names_first() {
        let (first, second) = (conversation(contact(), "A"), conversation(contact(), "B"));
        let mut mail = mail_from("jo@customer.test");
        mail.in_reply_to = vec![message_id_for(second.id, MessageId(Uuid::now_v7()), "shop.test")];
        mail.references = vec![
            message_id_for(first.id, MessageId(Uuid::now_v7()), "shop.test"),
            "unrelated@elsewhere.test".to_string(),
        ];
        let tokens = threading(&mail, None).reply_tokens();
        assert_eq!(tokens, vec![second.id, first.id], "In-Reply-To first, then References");
        let joined = by_token(&tokens, vec![first.clone(), second.clone()]);
        assert_eq!(joined, Some(Joined { conversation: second, why: Reason::OurReplyToken }));
        assert_eq!(by_token(&tokens, Vec::new()), None, "a token of another mailbox finds nothing");
    }

    #[test]
    fn a_reference_joins_the_customers_own_conversation() {
        let jo = contact();
        let mail = mail_from("jo@customer.test");
        let facts = threading(&mail, Some(jo));
        let newer = conversation(jo, "Order");
        assert!(ask_who_took_part(&facts, std::slice::from_ref(&newer)).is_empty());
        let joined = by_reference(&facts, vec![newer.clone()], &[]);
        assert_eq!(joined, Some(Joined { conversation: newer, why: Reason::Referenced(Belongs::Customer) }));
    }

    #[test]
    fn a_reference_never_joins_two_customers() {
        let (jo, sam) = (contact(), contact());
        let mail = mail_from("sam@customer.test");
        let facts = threading(&mail, Some(sam));
        let jos = conversation(jo, "Order");
        assert_eq!(ask_who_took_part(&facts, std::slice::from_ref(&jos)), vec![jos.id]);
        assert_eq!(by_reference(&facts, vec![jos.clone()], &[]), None, "Sam took no part in Jo's conversation");
        assert_eq!(
            by_reference(&facts, vec![jos.clone()], &[jos.id]),
            Some(Joined { conversation: jos, why: Reason::Referenced(Belongs::Participant) }),
            "Sam was copied in Jo's conversation"
        );
    }

    #[test]
    fn a_reference_prefers_the_newest_conversation_the_sender_belongs_to() {
        let (jo, sam) = (contact(), contact());
        let mail = mail_from("sam@customer.test");
        let facts = threading(&mail, Some(sam));
        let (jos, sams, older) = (conversation(jo, "A"), conversation(sam, "B"), conversation(sam, "C"));
        let candidates = vec![jos.clone(), sams.clone(), older];
        assert_eq!(ask_who_took_part(&facts, &candidates), vec![jos.id], "only those ahead of Sam's own");
        let joined = by_reference(&facts, candidates.clone(), &[]);
        assert_eq!(joined, Some(Joined { conversation: sams, why: Reason::Referenced(Belongs::Customer) }));
        let joined = by_reference(&facts, candidates, &[jos.id]);
        assert_eq!(joined, Some(Joined { conversation: jos, why: Reason::Referenced(Belongs::Participant) }));
    }

    #[test]
    fn our_own_mail_joins_whatever_it_references() {
        let mail = mail_from(US);
        let facts = threading(&mail, Some(contact()));
        let theirs = conversation(contact(), "Order");
        assert!(ask_who_took_part(&facts, std::slice::from_ref(&theirs)).is_empty());
        let joined = by_reference(&facts, vec![theirs.clone()], &[]);
        assert_eq!(joined, Some(Joined { conversation: theirs, why: Reason::Referenced(Belongs::Us) }));
    }

    #[test]
    fn the_same_subject_from_the_same_customer_within_the_window_joins() {
        let jo = contact();
        let mut mail = mail_from("jo@customer.test");
        mail.subject = "RE: AW: where is my ORDER?".to_string();
        let facts = threading(&mail, Some(jo));
        let other = conversation(jo, "Refund");
        let same = conversation(jo, "Where is my order?");
        let joined = by_subject(&facts, vec![other, same.clone()]);
        assert_eq!(joined, Some(Joined { conversation: same.clone(), why: Reason::SameSubject }));

        let mut old = same.clone();
        old.last_activity_at = NOW - SUBJECT_WINDOW_MICROS - 1;
        assert_eq!(by_subject(&facts, vec![old]), None, "outside the window");
        let mut spam = same.clone();
        spam.status = Status::Spam;
        assert_eq!(by_subject(&facts, vec![spam]), None, "never into spam");
        assert_eq!(by_subject(&facts, vec![conversation(contact(), &same.subject)]), None, "never another customer's");
        assert_eq!(by_subject(&threading(&mail, None), vec![same]), None, "no customer, no subject match");
    }

    #[test]
    fn an_empty_subject_starts_a_new_conversation() {
        let jo = contact();
        let mut mail = mail_from("jo@customer.test");
        mail.subject = "Re: ".to_string();
        assert_eq!(by_subject(&threading(&mail, Some(jo)), vec![conversation(jo, "")]), None);
    }

    #[test]
    fn the_customer_writing_again_reopens_a_closed_or_waiting_conversation() {
        let mut theirs = conversation(contact(), "Order");
        for status in [Status::Closed, Status::Waiting] {
            theirs.status = status;
            theirs.snoozed_until = Some(NOW + 1);
            assert_eq!(wake(Direction::Inbound, false, false, &theirs), Wake::Reopens { from: status });
        }
    }

    #[test]
    fn the_customer_writing_again_wakes_a_snoozed_conversation() {
        let mut theirs = conversation(contact(), "Order");
        assert_eq!(wake(Direction::Inbound, false, false, &theirs), Wake::Stays);
        theirs.snoozed_until = Some(NOW + 1);
        assert_eq!(wake(Direction::Inbound, false, false, &theirs), Wake::Unsnoozes);
    }

    #[test]
    fn our_mail_an_auto_reply_or_a_new_conversation_wakes_nothing() {
        let mut theirs = conversation(contact(), "Order");
        theirs.status = Status::Closed;
        theirs.snoozed_until = Some(NOW + 1);
        assert_eq!(wake(Direction::Outbound, false, false, &theirs), Wake::Stays);
        assert_eq!(wake(Direction::Inbound, true, false, &theirs), Wake::Stays);
        assert_eq!(wake(Direction::Inbound, false, true, &theirs), Wake::Stays);
    }
}
