//! What agents do in a conversation: reply (to whom they choose, with files and their
//! signature), forward it, write notes, keep drafts, and change its status, snooze,
//! priority, assignee, tags, followers and subject.
//!
//! Every operation first checks that the caller may see the conversation's mailbox (a foreign
//! conversation is [`Error::NotFound`]), then checks the input in words a person can act on,
//! then makes one store call, which writes the change and its event together.

use model::text::TextFault;
use model::{
    AttachmentId, ComposerMode, ConversationAction, ConversationId, Direction, Field, MailboxId, MessageId, Priority,
    Refusal, Status, Writing,
};
use uuid::Uuid;

use crate::Backend;
use crate::access::Caller;
use crate::error::{Error, Result};
use crate::mail::compose;
use crate::mail::parse::Party;
use crate::store::{By, ContactCard, DraftText, Message, NewConversation, NewMessage, Recipients};
use crate::time::{DAY, SECOND, now_micros};

/// The longest reply, note or draft, in characters.
pub const MAX_BODY_CHARS: usize = 100_000;
/// The longest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 250;
/// How far ahead a conversation may be snoozed.
pub const MAX_SNOOZE: i64 = 366 * DAY;
/// The most a reply's files may weigh together: mail servers refuse mail over about 25 MB,
/// and base64 makes files a third larger.
pub const MAX_ATTACHED_BYTES: i64 = model::MAX_REPLY_FILES_MB as i64 * 1_000_000;
/// The longest To, Cc or Bcc line a draft keeps, in characters.
pub const MAX_ADDRESS_LINE_CHARS: usize = 5_000;
/// The line between a forward's text and the conversation it forwards.
pub const FORWARD_MARK: &str = "---------- Forwarded conversation ----------";

/// What the composer posts.
#[derive(Debug, Clone)]
pub struct Posted {
    pub mode: ComposerMode,
    /// The text and, for a reply, its recipients as typed and whether it forwards.
    pub text: DraftText,
    /// The author's uploads to send with a reply.
    pub attachments: Vec<AttachmentId>,
    /// The browser-made id: the same one twice posts once.
    pub client_id: Uuid,
    /// The conversation's `seq` the author saw. A reply with one is refused with
    /// [`Error::Stale`] if anything was added since; the app and the HTTP API always send it
    /// (`None` is for the CLI, the demo and a conversation's first mail).
    pub seen_seq: Option<i64>,
}

/// What "New conversation" sends.
#[derive(Debug, Clone)]
pub struct NewOutbound {
    pub mailbox: MailboxId,
    pub subject: String,
    /// The text and its recipients: the first To address is the customer.
    pub text: DraftText,
    pub attachments: Vec<AttachmentId>,
    pub client_id: Uuid,
}

/// The people a note mentions: `@` followed by a member's full name or first name
/// (any case), ending at a space, punctuation or the end of the text. Names in Arabic and
/// Persian script work alike.
pub fn mentions(text: &str, members: &[(model::UserId, String)]) -> Vec<model::UserId> {
    let lower = text.to_lowercase();
    let ends_word = |rest: &str| rest.chars().next().is_none_or(|c| !c.is_alphanumeric());
    let mut found = Vec::new();
    for (id, name) in members {
        let full = name.trim().to_lowercase();
        let first = full.split_whitespace().next().unwrap_or_default().to_string();
        let named = lower.match_indices('@').any(|(at, _)| {
            let rest = &lower[at + 1..];
            [&full, &first].iter().any(|n| !n.is_empty() && rest.starts_with(n.as_str()) && ends_word(&rest[n.len()..]))
        });
        if named && !found.contains(id) {
            found.push(*id);
        }
    }
    found
}

/// A reply's files as stored: (file name, content type, blob), in order.
pub(crate) type StoredFiles = Vec<(String, String, String)>;

impl Posted {
    /// Text alone: a note, or a reply to the customer with no copies and no files.
    pub fn text(mode: ComposerMode, body: &str, client_id: Uuid) -> Posted {
        Posted { mode, text: DraftText::body(body), attachments: Vec::new(), client_id, seen_seq: None }
    }
}

impl Backend {
    /// Applies one change from the conversation's controls. Returns whether anything changed
    /// (setting what is already set is not an error, and writes no event).
    pub async fn act(&self, caller: &Caller, id: ConversationId, action: ConversationAction) -> Result<bool> {
        let conversation = self.conversation(caller, id).await?;
        let by = By::user(caller.id);
        match action {
            ConversationAction::SetStatus(status) => self.store.set_status(id, status, by).await,
            ConversationAction::SnoozeFor(seconds) => {
                let until = now_micros().saturating_add(seconds.saturating_mul(SECOND));
                self.snooze(id, Some(until), by).await
            }
            ConversationAction::Snooze(until) => self.snooze(id, until, by).await,
            ConversationAction::SetPriority(priority) => self.store.set_priority(id, priority, by).await,
            ConversationAction::Assign(assignee) => {
                if let Some(assignee) = assignee {
                    let allowed = self.store.mailbox_users(conversation.mailbox_id).await?;
                    if !allowed.iter().any(|u| u.id == assignee) {
                        return Err(Refusal::NotAMember.into());
                    }
                }
                self.store.assign(id, assignee, by).await
            }
            ConversationAction::AddTag(name) => self.store.add_tag(id, &name, by).await,
            ConversationAction::RemoveTag(name) => self.store.remove_tag(id, &name, by).await,
            ConversationAction::Follow(follow) => self.store.set_following(id, caller.id, follow, by).await,
            ConversationAction::Rename(subject) => {
                let subject = subject_line(&subject)?;
                self.store.rename(id, &subject, by).await
            }
        }
    }

    /// Snoozes until a time ahead (at most [`MAX_SNOOZE`]), or wakes the conversation.
    async fn snooze(&self, id: ConversationId, until: Option<i64>, by: By) -> Result<bool> {
        if let Some(until) = until {
            let now = now_micros();
            if until <= now {
                return Err(Refusal::SnoozeInThePast.into());
            }
            if until > now + MAX_SNOOZE {
                return Err(Refusal::SnoozeTooLong.into());
            }
        }
        self.store.snooze(id, until, by).await
    }

    /// Posts what the composer holds: a reply (stored as an outbound message and queued in the
    /// outbox for sending) or an internal note (never sent). The author's draft of that kind
    /// is consumed, and their uploads named in `attachments` go with the reply. The same
    /// `client_id` twice posts once and answers with the first message.
    ///
    /// A reply goes to the recipients typed (To defaults to the customer), carries the
    /// author's signature for the mailbox, and is rendered to its final bytes when the mailbox
    /// can send. A forward goes to the recipients typed, with the conversation's mail below
    /// the agent's text and its files attached, and without the customer's threading headers.
    pub async fn post(&self, caller: &Caller, id: ConversationId, posted: Posted) -> Result<Message> {
        self.post_in(caller, id, posted, false).await
    }

    /// [`Backend::post`]; `first` is the opening mail of a conversation an agent started,
    /// which keeps the subject as written.
    async fn post_in(&self, caller: &Caller, id: ConversationId, posted: Posted, first: bool) -> Result<Message> {
        let conversation = self.conversation(caller, id).await?;
        let body = posted.text.body.trim_end();
        if body.trim().is_empty() {
            let what = match (posted.mode, posted.text.forward) {
                (ComposerMode::Reply, false) => Writing::Reply,
                (ComposerMode::Reply, true) => Writing::Forward,
                (ComposerMode::Note, _) => Writing::Note,
            };
            return Err(Refusal::NothingWritten { what }.into());
        }
        check_length(body)?;
        // A retried post answers with the first one before its recipients and files are
        // checked again (the files are the first one's attachments by now).
        if let Some(earlier) = self.store.message_of_client_id(posted.client_id).await?
            && earlier.conversation_id == id
        {
            return Ok(earlier);
        }
        let new = match posted.mode {
            ComposerMode::Reply => self.reply(caller, &conversation, body, &posted, first).await?,
            ComposerMode::Note => NewMessage {
                direction: Direction::Note,
                author_id: Some(caller.id),
                from_name: caller.name.clone(),
                from_email: caller.email.clone(),
                subject: String::new(),
                body_text: body.to_string(),
                body_html: None,
                client_id: Some(posted.client_id),
                at: None,
                queue: false,
                outgoing: None,
                attachments: Vec::new(),
                recipients: Recipients::default(),
                seen_seq: None,
            },
        };
        let (message, _seq) = self.store.append_message(id, new).await?;
        if message.direction == Direction::Note {
            let members = self.store.mailbox_users(conversation.mailbox_id).await?;
            let named: Vec<(model::UserId, String)> =
                members.into_iter().filter(|u| u.id != caller.id).map(|u| (u.id, u.name)).collect();
            let people = mentions(&message.body_text, &named);
            self.store.record_mentions(id, message.id, &people, By::user(caller.id)).await?;
        }
        Ok(message)
    }

    /// Starts a conversation with a customer from the app: the first To address is the
    /// customer (found or created), the mail leaves like a reply, and the conversation waits
    /// for their answer, assigned to the caller. The same `client_id` twice starts one.
    pub async fn start_conversation(&self, caller: &Caller, new: NewOutbound) -> Result<ConversationId> {
        self.check_mailbox(caller, new.mailbox).await?;
        if self.store.mailbox(new.mailbox).await?.removed {
            return Err(Refusal::MailboxRemoved.into());
        }
        if let Some(earlier) = self.store.conversation_of_client_id(new.client_id).await? {
            return Ok(earlier);
        }
        let subject = subject_line(&new.subject)?;
        if new.text.body.trim().is_empty() {
            return Err(Refusal::NothingWritten { what: Writing::NewMail }.into());
        }
        check_length(&new.text.body)?;
        let to = compose::parse_addresses(&new.text.to)?;
        let customer = to.first().ok_or(Refusal::NoCustomerAddress)?;
        // Everything the mail needs is checked before the conversation exists.
        compose::parse_addresses(&new.text.cc)?;
        compose::parse_addresses(&new.text.bcc)?;
        self.store.uploads(caller.id, &new.attachments).await.map_err(|e| match e {
            Error::NotFound => Refusal::AttachmentGone.into(),
            other => other,
        })?;
        let contact = self.store.contact_for_email(&customer.email, &customer.name).await?;
        let by = By::user(caller.id);
        let conversation = self
            .store
            .create_conversation(
                NewConversation {
                    mailbox_id: new.mailbox,
                    contact_id: contact.id,
                    subject,
                    status: Status::Waiting,
                    priority: Priority::Normal,
                },
                by,
            )
            .await?;
        self.store.assign(conversation.id, Some(caller.id), by).await?;
        let posted = Posted {
            mode: ComposerMode::Reply,
            text: DraftText { forward: false, ..new.text },
            attachments: new.attachments,
            client_id: new.client_id,
            seen_seq: Some(conversation.seq),
        };
        self.post_in(caller, conversation.id, posted, true).await?;
        Ok(conversation.id)
    }

    /// A reply or forward, with its recipients checked, signature added, files read and,
    /// when the mailbox can send, its bytes rendered.
    async fn reply(
        &self,
        caller: &Caller,
        conversation: &crate::store::Conversation,
        body: &str,
        posted: &Posted,
        first: bool,
    ) -> Result<NewMessage> {
        let forward = posted.text.forward;
        let mailbox = self.store.mailbox(conversation.mailbox_id).await?;
        if mailbox.removed {
            return Err(Refusal::MailboxRemoved.into());
        }
        let messages = self.store.messages(conversation.id).await?;
        let contact = self.store.contact_card(conversation.contact_id).await?;
        let mut to = compose::parse_addresses(&posted.text.to)?;
        if to.is_empty() {
            if forward {
                return Err(Refusal::NoForwardAddress.into());
            }
            let (default_to, _) = reply_defaults(&messages, &contact, &mailbox.address);
            to = compose::parse_addresses(&default_to)?;
            if to.is_empty() {
                return Err(Refusal::CustomerHasNoAddress { name: contact.name.clone() }.into());
            }
        }
        let cc = compose::parse_addresses(&posted.text.cc)?;
        let bcc = compose::parse_addresses(&posted.text.bcc)?;
        if to.len() + cc.len() + bcc.len() > compose::MAX_RECIPIENTS {
            return Err(Refusal::TooManyRecipients { max: compose::MAX_RECIPIENTS }.into());
        }

        let join = |parties: &[Party]| parties.iter().map(Party::display).collect::<Vec<_>>().join(", ");
        let recipients = Recipients { to: join(&to), cc: join(&cc), bcc: join(&bcc) };
        let signature = self.store.signature(caller.id, mailbox.id).await?;
        let mut text = body.to_string();
        if !signature.trim().is_empty() {
            text = format!("{text}\n\n{}", signature.trim_end());
        }
        let uploads = self.store.uploads(caller.id, &posted.attachments).await.map_err(|e| match e {
            Error::NotFound => Refusal::AttachmentGone.into(),
            other => other,
        })?;
        let attached: i64 = uploads.iter().map(|u| u.size).sum();
        if attached > MAX_ATTACHED_BYTES {
            return Err(Refusal::FilesTooLarge { max_mb: model::MAX_REPLY_FILES_MB }.into());
        }
        let subject = if forward {
            forward_subject(&conversation.subject)
        } else if first {
            conversation.subject.clone()
        } else {
            reply_subject(&conversation.subject)
        };
        let mut forwarded_files = Vec::new();
        if forward {
            text = format!("{text}\n\n{FORWARD_MARK}\n\n{}", transcript(&messages));
            let mut room = MAX_ATTACHED_BYTES - attached;
            for file in self.store.attachments_of(conversation.id).await?.into_iter().filter(|f| !f.is_inline) {
                if file.size <= room {
                    room -= file.size;
                    forwarded_files.push((file.filename, file.content_type, file.sha256));
                }
            }
        }

        let outgoing = match self.store.mail_settings(mailbox.id).await? {
            Some(settings) if self.store.can_send(mailbox.id).await? => {
                let files = uploads
                    .iter()
                    .map(|u| (u.filename.clone(), u.content_type.clone(), u.sha256.clone()))
                    .chain(forwarded_files)
                    .collect();
                let undo = i64::try_from(self.undo_send.as_micros()).unwrap_or(i64::MAX);
                let draft = compose::Draft {
                    conversation: conversation.id,
                    message: MessageId(crate::store::new_message_id()),
                    from_name: settings.settings.from_style.sender_name(&caller.name, &mailbox.name),
                    from_address: mailbox.address.trim().to_lowercase(),
                    to,
                    cc,
                    bcc,
                    subject: subject.clone(),
                    in_reply_to: None,
                    references: Vec::new(),
                    text: text.clone(),
                    automatic: false,
                    send_after: now_micros().saturating_add(undo),
                    files: Vec::new(),
                };
                Some(self.render_outgoing(draft, files, !forward).await?)
            }
            _ => None,
        };
        Ok(NewMessage {
            direction: Direction::Outbound,
            author_id: Some(caller.id),
            from_name: caller.name.clone(),
            from_email: mailbox.address,
            subject,
            body_text: text,
            body_html: None,
            client_id: Some(posted.client_id),
            at: None,
            queue: true,
            outgoing,
            attachments: posted.attachments.clone(),
            recipients,
            seen_seq: posted.seen_seq,
        })
    }

    /// Renders a reply to its final bytes: reads its files from the blob store and, for a
    /// reply in the customer's thread, the thread's headers.
    pub(crate) async fn render_outgoing(
        &self,
        mut draft: compose::Draft,
        files: StoredFiles,
        threaded: bool,
    ) -> Result<crate::store::Outgoing> {
        let blobs =
            self.blobs.as_ref().ok_or_else(|| Error::Internal("no blob store to read files from".to_string()))?;
        for (filename, content_type, sha256) in files {
            let bytes = blobs.get_async(&sha256).await?;
            draft.files.push(compose::OutgoingFile { filename, content_type, bytes });
        }
        if threaded {
            (draft.in_reply_to, draft.references) = self.store.thread_headers(draft.conversation).await?;
        }
        compose::render(&draft)
    }

    /// Saves the caller's draft as they type; a blank one is deleted.
    pub async fn save_draft(
        &self,
        caller: &Caller,
        id: ConversationId,
        mode: ComposerMode,
        draft: &DraftText,
    ) -> Result<()> {
        self.conversation(caller, id).await?;
        check_length(&draft.body)?;
        for line in [&draft.to, &draft.cc, &draft.bcc] {
            if line.chars().count() > MAX_ADDRESS_LINE_CHARS {
                let fault = TextFault::TooLong { max: MAX_ADDRESS_LINE_CHARS };
                return Err(Refusal::Text { field: Field::AddressLine, fault }.into());
            }
        }
        self.store.save_draft(id, caller.id, mode, draft).await
    }
}

fn check_length(body: &str) -> Result<()> {
    model::text::check_multi_line(body, MAX_BODY_CHARS)
        .map_err(|fault| Refusal::Text { field: Field::Message, fault }.into())
}

/// A subject as stored: one line, 1 to [`MAX_SUBJECT_CHARS`] characters.
fn subject_line(text: &str) -> Result<String> {
    model::text::one_line(text, MAX_SUBJECT_CHARS)
        .map_err(|fault| Refusal::Text { field: Field::Subject, fault }.into())
}

/// The subject of a reply: the conversation's, with one "Re: " in front.
pub fn reply_subject(subject: &str) -> String {
    let lower = subject.to_lowercase();
    if lower.starts_with("re:") { subject.to_string() } else { format!("Re: {subject}") }
}

/// The subject of a forward: the conversation's, with "Fwd: " in front.
pub fn forward_subject(subject: &str) -> String {
    let lower = subject.to_lowercase();
    if lower.starts_with("fwd:") || lower.starts_with("fw:") { subject.to_string() } else { format!("Fwd: {subject}") }
}

/// Whom a reply goes to unless the agent says otherwise, and whom "Reply all" adds as Cc:
/// the sender of the customer's latest mail, and everyone else it was addressed to but
/// this mailbox; the customer's first address when they never wrote.
pub fn reply_defaults(messages: &[Message], contact: &ContactCard, mailbox_address: &str) -> (String, String) {
    let Some(last) = messages.iter().rev().find(|m| m.direction == Direction::Inbound) else {
        return (contact.emails.first().cloned().unwrap_or_default(), String::new());
    };
    let sender = Party { name: last.from_name.clone(), email: last.from_email.to_lowercase() };
    let own = mailbox_address.trim().to_lowercase();
    let others: Vec<String> = compose::parse_addresses(&format!("{}, {}", last.to, last.cc))
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.email != own && p.email != sender.email)
        .map(|p| p.display())
        .collect();
    (sender.display(), others.join(", "))
}

/// The customer-facing mail of a conversation as plain text, oldest first, for a forward.
/// Internal notes are never part of it.
pub fn transcript(messages: &[Message]) -> String {
    messages
        .iter()
        .filter(|m| m.direction != Direction::Note)
        .map(|m| {
            let from = Party { name: m.from_name.clone(), email: m.from_email.clone() }.display();
            let date = jiff::Timestamp::from_microsecond(m.created_at)
                .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default();
            let mut head = format!("From: {from}\nDate: {date}\n");
            if !m.to.is_empty() {
                head.push_str(&format!("To: {}\n", m.to));
            }
            if !m.cc.is_empty() {
                head.push_str(&format!("Cc: {}\n", m.cc));
            }
            format!("{head}Subject: {}\n\n{}", m.subject, m.body_text.trim_end())
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_get_one_re() {
        assert_eq!(reply_subject("Where is my order?"), "Re: Where is my order?");
        assert_eq!(reply_subject("RE: Where is my order?"), "RE: Where is my order?");
    }

    #[test]
    fn mentions_name_members_by_full_or_first_name() {
        let (sara, omar, reza) =
            (model::UserId(Uuid::nil()), model::UserId(Uuid::max()), model::UserId(Uuid::from_u128(7)));
        let team = [(sara, "Sara Nasser".to_string()), (omar, "عمر خليل".to_string()), (reza, "Reza".to_string())];
        assert_eq!(mentions("@sara can you check?", &team), [sara]);
        assert_eq!(mentions("Ask @Sara Nasser and @عمر.", &team), [sara, omar]);
        assert_eq!(mentions("@Rezaei is someone else; mail reza@shop.test", &team), []);
        assert_eq!(mentions("no one here", &team), []);
    }
}
