//! What agents do in a conversation: reply, write notes, keep drafts, and change its status,
//! snooze, priority, assignee, tags, followers and subject.
//!
//! Every operation first checks that the caller may see the conversation's mailbox (a foreign
//! conversation is [`Error::NotFound`]), then checks the input in words a person can act on,
//! then makes one store call, which writes the change and its event together.

use model::{ComposerMode, ConversationAction, ConversationId, Direction, MessageId};
use uuid::Uuid;

use crate::Backend;
use crate::access::Caller;
use crate::error::{Error, Result};
use crate::mail::compose;
use crate::mail::parse::Party;
use crate::store::{By, Message, NewMessage};
use crate::time::{DAY, SECOND, now_micros};

/// The longest reply, note or draft, in characters.
pub const MAX_BODY_CHARS: usize = 100_000;
/// The longest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 250;
/// How far ahead a conversation may be snoozed.
pub const MAX_SNOOZE: i64 = 366 * DAY;

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
                        return Err(Error::Invalid(
                            "that person is not an active member of this mailbox and cannot be assigned".to_string(),
                        ));
                    }
                }
                self.store.assign(id, assignee, by).await
            }
            ConversationAction::AddTag(name) => self.store.add_tag(id, &name, by).await,
            ConversationAction::RemoveTag(name) => self.store.remove_tag(id, &name, by).await,
            ConversationAction::Follow(follow) => self.store.set_following(id, caller.id, follow, by).await,
            ConversationAction::Rename(subject) => {
                let subject = one_line(&subject);
                if subject.is_empty() {
                    return Err(Error::Invalid("the subject cannot be empty".to_string()));
                }
                if subject.chars().count() > MAX_SUBJECT_CHARS {
                    return Err(Error::Invalid(format!("a subject has at most {MAX_SUBJECT_CHARS} characters")));
                }
                self.store.rename(id, &subject, by).await
            }
        }
    }

    /// Snoozes until a time ahead (at most [`MAX_SNOOZE`]), or wakes the conversation.
    async fn snooze(&self, id: ConversationId, until: Option<i64>, by: By) -> Result<bool> {
        if let Some(until) = until {
            let now = now_micros();
            if until <= now {
                return Err(Error::Invalid("choose a time in the future to snooze until".to_string()));
            }
            if until > now + MAX_SNOOZE {
                return Err(Error::Invalid("a conversation can be snoozed for a year at most".to_string()));
            }
        }
        self.store.snooze(id, until, by).await
    }

    /// Posts what the composer holds: a reply (stored as an outbound message and queued in the
    /// outbox for sending) or an internal note (never sent). The author's draft of that kind
    /// is consumed. The same `client_id` twice posts once and answers with the first message.
    pub async fn post(
        &self,
        caller: &Caller,
        id: ConversationId,
        mode: ComposerMode,
        body: &str,
        client_id: Uuid,
    ) -> Result<Message> {
        let conversation = self.conversation(caller, id).await?;
        let body = body.trim_end();
        if body.trim().is_empty() {
            return Err(Error::Invalid(match mode {
                ComposerMode::Reply => "write a reply before sending".to_string(),
                ComposerMode::Note => "write a note before adding it".to_string(),
            }));
        }
        check_length(body)?;
        let new = match mode {
            ComposerMode::Reply => {
                let mailbox = self.store.mailbox(conversation.mailbox_id).await?;
                let subject = reply_subject(&conversation.subject);
                let outgoing = if self.store.can_send(mailbox.id).await? {
                    Some(self.render_reply(caller, &conversation, &mailbox, &subject, body).await?)
                } else {
                    None
                };
                NewMessage {
                    direction: Direction::Outbound,
                    author_id: Some(caller.id),
                    from_name: caller.name.clone(),
                    from_email: mailbox.address,
                    subject,
                    body_text: body.to_string(),
                    body_html: None,
                    client_id: Some(client_id),
                    at: None,
                    queue: true,
                    outgoing,
                }
            }
            ComposerMode::Note => NewMessage {
                direction: Direction::Note,
                author_id: Some(caller.id),
                from_name: caller.name.clone(),
                from_email: caller.email.clone(),
                subject: String::new(),
                body_text: body.to_string(),
                body_html: None,
                client_id: Some(client_id),
                at: None,
                queue: false,
                outgoing: None,
            },
        };
        let (message, _seq) = self.store.append_message(id, new).await?;
        Ok(message)
    }

    /// Renders a reply to the conversation's customer to the bytes that will leave.
    async fn render_reply(
        &self,
        caller: &Caller,
        conversation: &crate::store::Conversation,
        mailbox: &crate::store::Mailbox,
        subject: &str,
        body: &str,
    ) -> Result<crate::store::Outgoing> {
        let contact = self.store.contact_card(conversation.contact_id).await?;
        let email = contact
            .emails
            .first()
            .ok_or_else(|| Error::Invalid(format!("{} has no email address to reply to", contact.name)))?;
        let (in_reply_to, references) = self.store.thread_headers(conversation.id).await?;
        let undo = i64::try_from(self.undo_send.as_micros()).unwrap_or(i64::MAX);
        compose::render(&compose::Draft {
            conversation: conversation.id,
            message: MessageId(crate::store::new_message_id()),
            from_name: format!("{} via {}", caller.name, mailbox.name),
            from_address: mailbox.address.trim().to_lowercase(),
            to: vec![Party { name: contact.name.clone(), email: email.clone() }],
            cc: Vec::new(),
            bcc: Vec::new(),
            subject: subject.to_string(),
            in_reply_to,
            references,
            text: body.to_string(),
            automatic: false,
            send_after: now_micros().saturating_add(undo),
        })
    }

    /// Saves the caller's draft as they type; an empty body deletes it.
    pub async fn save_draft(&self, caller: &Caller, id: ConversationId, mode: ComposerMode, body: &str) -> Result<()> {
        self.conversation(caller, id).await?;
        check_length(body)?;
        self.store.save_draft(id, caller.id, mode, body).await
    }
}

fn check_length(body: &str) -> Result<()> {
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(Error::Invalid(format!("a message has at most {MAX_BODY_CHARS} characters")));
    }
    Ok(())
}

/// Text on one line: runs of whitespace (newlines included) become one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The subject of a reply: the conversation's, with one "Re: " in front.
pub fn reply_subject(subject: &str) -> String {
    let lower = subject.to_lowercase();
    if lower.starts_with("re:") { subject.to_string() } else { format!("Re: {subject}") }
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
    fn one_line_folds_whitespace() {
        assert_eq!(one_line("  New\n subject\t here "), "New subject here");
    }
}
