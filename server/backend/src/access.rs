//! Who may see what. Admins see every mailbox; managers and agents see the mailboxes they are
//! members of, and the conversations in them. Anything outside that answers
//! [`Error::NotFound`], exactly as if it did not exist.

use model::{ConversationId, InboxView, MailboxId, Me, Role, Status, UserId};

use crate::Backend;
use crate::error::{Error, Result};
use crate::store::{
    AssigneeFilter, Conversation, ConversationFilter, Cursor, Event, ListedConversation, Mailbox, MailboxScope,
    Message, Page, User,
};

/// A conversation as [`Backend::open_conversation`] returns it.
#[derive(Debug, Clone)]
pub struct OpenedConversation {
    pub listed: ListedConversation,
    pub mailbox: Mailbox,
    pub messages: Vec<Message>,
    pub events: Vec<Event>,
    /// Names of the users who wrote messages or made changes.
    pub names: std::collections::HashMap<UserId, String>,
}

/// The signed-in user making a request. Made only from a valid session (or, for the CLI and
/// tests, from a stored user), so holding one means "this person is signed in".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
}

impl From<&User> for Caller {
    fn from(user: &User) -> Caller {
        Caller { id: user.id, email: user.email.clone(), name: user.name.clone(), role: user.role }
    }
}

impl Caller {
    /// The mailboxes this caller may see.
    pub fn mailbox_scope(&self) -> MailboxScope {
        if self.role.sees_all_mailboxes() { MailboxScope::All } else { MailboxScope::MemberOf(self.id) }
    }

    /// The caller as the app shows them.
    pub fn me(&self) -> Me {
        Me { id: self.id, email: self.email.clone(), name: self.name.clone(), role: self.role }
    }

    /// Fails with [`Error::Forbidden`] unless the caller is an admin.
    pub fn require_admin(&self) -> Result<()> {
        if self.role == Role::Admin { Ok(()) } else { Err(Error::Forbidden) }
    }
}

impl Backend {
    /// The mailboxes the caller may see, by name, with their open counts.
    pub async fn mailboxes(&self, caller: &Caller) -> Result<Vec<Mailbox>> {
        self.store.mailboxes(caller.mailbox_scope()).await
    }

    /// The mailbox, if the caller may see it; [`Error::NotFound`] otherwise.
    pub async fn mailbox(&self, caller: &Caller, id: MailboxId) -> Result<Mailbox> {
        self.check_mailbox(caller, id).await?;
        self.store.mailbox(id).await
    }

    /// Fails with [`Error::NotFound`] unless the caller may see the mailbox.
    pub async fn check_mailbox(&self, caller: &Caller, id: MailboxId) -> Result<()> {
        match caller.mailbox_scope() {
            MailboxScope::All => Ok(()),
            MailboxScope::MemberOf(user) => {
                if self.store.is_member(id, user).await? {
                    Ok(())
                } else {
                    Err(Error::NotFound)
                }
            }
        }
    }

    /// A page of a mailbox's conversations in `statuses` (any if empty), most recent activity
    /// first, for the list; [`Error::NotFound`] if the caller may not see the mailbox.
    pub async fn mailbox_conversations(
        &self,
        caller: &Caller,
        mailbox: MailboxId,
        statuses: Vec<Status>,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<ListedConversation>> {
        self.check_mailbox(caller, mailbox).await?;
        let filter =
            ConversationFilter { mailbox: Some(mailbox), statuses, ..ConversationFilter::all(caller.mailbox_scope()) };
        let page = self.store.list_conversations(&filter, after, limit).await?;
        Ok(Page { items: self.store.describe(page.items).await?, next: page.next })
    }

    /// A page of one of the views across every mailbox the caller may see.
    pub async fn inbox_view(
        &self,
        caller: &Caller,
        view: InboxView,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<ListedConversation>> {
        let assignee = match view {
            InboxView::Unassigned => Some(AssigneeFilter::Unassigned),
            InboxView::Mine => Some(AssigneeFilter::User(caller.id)),
            InboxView::AllOpen | InboxView::Waiting | InboxView::Closed => None,
        };
        let filter = ConversationFilter {
            statuses: view.statuses(),
            assignee,
            ..ConversationFilter::all(caller.mailbox_scope())
        };
        let page = self.store.list_conversations(&filter, after, limit).await?;
        Ok(Page { items: self.store.describe(page.items).await?, next: page.next })
    }

    /// Everything an agent reads when opening a conversation: its list row, mailbox, messages
    /// and audit trail, with the names of the people in them. [`Error::NotFound`] if the caller
    /// may not see it.
    pub async fn open_conversation(&self, caller: &Caller, id: ConversationId) -> Result<OpenedConversation> {
        let conversation = self.conversation(caller, id).await?;
        let mailbox = self.store.mailbox(conversation.mailbox_id).await?;
        let listed = self.store.describe(vec![conversation]).await?.pop().ok_or(Error::NotFound)?;
        let messages = self.store.messages(id).await?;
        let events = self.store.events(id).await?;
        let names = self.store.users().await?.into_iter().map(|u| (u.id, u.name)).collect();
        Ok(OpenedConversation { listed, mailbox, messages, events, names })
    }

    /// The conversation, if the caller may see its mailbox; [`Error::NotFound`] otherwise.
    pub async fn conversation(&self, caller: &Caller, id: ConversationId) -> Result<Conversation> {
        let conversation = self.store.conversation(id).await?;
        self.check_mailbox(caller, conversation.mailbox_id).await?;
        Ok(conversation)
    }
}
