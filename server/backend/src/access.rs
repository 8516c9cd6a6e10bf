//! Who may see what. Admins see every mailbox; managers and agents see the mailboxes they are
//! members of, and the conversations in them. Anything outside that answers
//! [`Error::NotFound`], exactly as if it did not exist.

use model::{ConversationId, InboxView, ListView, MailboxId, Me, Role, UserId};

use crate::Backend;
use crate::error::{Error, Result};
use crate::store::{
    AssigneeFilter, ContactCard, Conversation, ConversationFilter, Cursor, Draft, Event, ListedConversation, Mailbox,
    MailboxScope, Message, Page, TagCount, User,
};

/// A conversation as [`Backend::open_conversation`] returns it.
#[derive(Debug, Clone)]
pub struct OpenedConversation {
    pub listed: ListedConversation,
    pub mailbox: Mailbox,
    pub messages: Vec<Message>,
    /// The files that came with the messages.
    pub attachments: Vec<crate::store::Attachment>,
    pub events: Vec<Event>,
    /// Names of the users who wrote messages, made or were the subject of changes, or follow.
    pub names: std::collections::HashMap<UserId, String>,
    /// The caller's unsent reply and note.
    pub drafts: Vec<Draft>,
    pub followers: Vec<UserId>,
    /// Who the conversation may be assigned to: the mailbox's active members and admins.
    pub assignable: Vec<User>,
    /// The customer.
    pub contact: ContactCard,
    /// The customer's other conversations the caller may see, most recent first.
    pub other_conversations: Vec<ListedConversation>,
    /// Whom a reply goes to by default, and whom "Reply all" adds as Cc (see
    /// [`crate::work::reply_defaults`]).
    pub reply_to: String,
    pub reply_all: String,
    /// The caller's files attached to their reply draft, not sent yet.
    pub uploads: Vec<crate::store::Upload>,
    /// The caller's signature in this mailbox, added under their replies.
    pub signature: String,
    /// Whether replies leave by mail (the mailbox has servers); demo mailboxes never send.
    pub can_send: bool,
}

/// What narrows a list beyond its view: one tag, one assignee (or nobody).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refine {
    pub tag: Option<String>,
    pub assignee: Option<AssigneeFilter>,
}

/// What the sidebar counts: the working views and the tags, within what the caller may see.
#[derive(Debug, Clone)]
pub struct Sidebar {
    /// Every view but Closed, with how many conversations it holds.
    pub views: Vec<(InboxView, i64)>,
    pub tags: Vec<TagCount>,
}

/// How many of the customer's other conversations the contact card lists.
const OTHER_CONVERSATIONS: u32 = 10;

/// The signed-in user making a request. Made only from a valid session (or, for the CLI and
/// tests, from a stored user), so holding one means "this person is signed in".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The interface language the caller chose: `en`, `ar` or `fa`.
    pub locale: String,
    /// The IANA time zone the caller reads times in.
    pub time_zone: String,
    /// The team requires two-factor sign-in and the caller has not turned it on: until they
    /// do, they may only do that.
    pub must_enrol: bool,
}

impl From<&User> for Caller {
    fn from(user: &User) -> Caller {
        Caller {
            id: user.id,
            email: user.email.clone(),
            name: user.name.clone(),
            role: user.role,
            locale: user.locale.clone(),
            time_zone: user.time_zone.clone(),
            must_enrol: false,
        }
    }
}

impl Caller {
    /// The mailboxes this caller may see.
    pub fn mailbox_scope(&self) -> MailboxScope {
        if self.role.sees_all_mailboxes() { MailboxScope::All } else { MailboxScope::MemberOf(self.id) }
    }

    /// The caller as the app shows them.
    pub fn me(&self) -> Me {
        Me {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role,
            locale: self.locale.clone(),
            time_zone: self.time_zone.clone(),
        }
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

    /// A page of a mailbox's view, narrowed by `refine`, most recent activity first;
    /// [`Error::NotFound`] if the caller may not see the mailbox.
    pub async fn mailbox_conversations(
        &self,
        caller: &Caller,
        mailbox: MailboxId,
        view: ListView,
        refine: Refine,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<ListedConversation>> {
        self.check_mailbox(caller, mailbox).await?;
        let filter = ConversationFilter {
            mailbox: Some(mailbox),
            statuses: view.statuses(),
            snoozed: view.snoozed(),
            assignee: refine.assignee,
            tag: refine.tag,
            ..ConversationFilter::all(caller.mailbox_scope())
        };
        let page = self.store.list_conversations(&filter, after, limit).await?;
        Ok(Page { items: self.store.describe(page.items).await?, next: page.next })
    }

    /// A page of one of the views across every mailbox the caller may see, narrowed by
    /// `refine` (a view's own assignee rule wins over the refinement's).
    pub async fn inbox_view(
        &self,
        caller: &Caller,
        view: InboxView,
        refine: Refine,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<ListedConversation>> {
        let filter = view_filter(caller, view, refine);
        let page = self.store.list_conversations(&filter, after, limit).await?;
        Ok(Page { items: self.store.describe(page.items).await?, next: page.next })
    }

    /// The sidebar's counts for the caller.
    pub async fn sidebar(&self, caller: &Caller) -> Result<Sidebar> {
        let counts = self.store.view_counts(caller.mailbox_scope(), caller.id).await?;
        let views = vec![
            (InboxView::Unassigned, counts.unassigned),
            (InboxView::Mine, counts.mine),
            (InboxView::AllOpen, counts.open),
            (InboxView::Waiting, counts.waiting),
            (InboxView::Snoozed, counts.snoozed),
        ];
        let tags = self.store.tags(caller.mailbox_scope()).await?;
        Ok(Sidebar { views, tags })
    }

    /// Everything an agent reads when opening a conversation: its list row, mailbox, messages
    /// and audit trail with the names of the people in them, the caller's drafts, the
    /// followers, who it may be assigned to, and the customer's card. [`Error::NotFound`] if
    /// the caller may not see it.
    pub async fn open_conversation(&self, caller: &Caller, id: ConversationId) -> Result<OpenedConversation> {
        let conversation = self.conversation(caller, id).await?;
        let (mailbox_id, contact_id) = (conversation.mailbox_id, conversation.contact_id);
        let mailbox = self.store.mailbox(mailbox_id).await?;
        let listed = self.store.describe(vec![conversation]).await?.pop().ok_or(Error::NotFound)?;
        let messages = self.store.messages(id).await?;
        let attachments = self.store.attachments_of(id).await?;
        let events = self.store.events(id).await?;
        let drafts = self.store.drafts(id, caller.id).await?;
        let followers = self.store.followers(id).await?;
        let assignable = self.store.mailbox_users(mailbox_id).await?;
        let contact = self.store.contact_card(contact_id).await?;
        let filter =
            ConversationFilter { contact: Some(contact_id), ..ConversationFilter::all(caller.mailbox_scope()) };
        let others = self.store.list_conversations(&filter, None, OTHER_CONVERSATIONS + 1).await?.items;
        let others = others.into_iter().filter(|c| c.id != id).take(OTHER_CONVERSATIONS as usize).collect();
        let other_conversations = self.store.describe(others).await?;
        let (reply_to, reply_all) = crate::work::reply_defaults(&messages, &contact, &mailbox.address);
        let uploads = self.store.draft_uploads(caller.id, id).await?;
        let signature = self.store.signature(caller.id, mailbox_id).await?;
        let can_send = self.store.can_send(mailbox_id).await?;

        let mut wanted: Vec<UserId> = messages.iter().filter_map(|m| m.author_id).collect();
        wanted.extend(events.iter().filter_map(|e| e.actor_id));
        wanted.extend(events.iter().flat_map(|e| e.what.people()));
        wanted.extend(followers.iter().copied());
        let mut names = self.store.user_names(&wanted).await?;
        names.extend(assignable.iter().map(|u| (u.id, u.name.clone())));
        Ok(OpenedConversation {
            listed,
            mailbox,
            messages,
            attachments,
            events,
            names,
            drafts,
            followers,
            assignable,
            contact,
            other_conversations,
            reply_to,
            reply_all,
            uploads,
            signature,
            can_send,
        })
    }

    /// The conversation, if the caller may see its mailbox; [`Error::NotFound`] otherwise.
    pub async fn conversation(&self, caller: &Caller, id: ConversationId) -> Result<Conversation> {
        let conversation = self.store.conversation(id).await?;
        self.check_mailbox(caller, conversation.mailbox_id).await?;
        Ok(conversation)
    }
}

/// What one of the views across mailboxes shows to `caller`, narrowed by `refine` (a view's
/// own assignee rule wins over the refinement's).
fn view_filter(caller: &Caller, view: InboxView, refine: Refine) -> ConversationFilter {
    let assignee = match view {
        InboxView::Unassigned => Some(AssigneeFilter::Unassigned),
        InboxView::Mine => Some(AssigneeFilter::User(caller.id)),
        InboxView::AllOpen | InboxView::Waiting | InboxView::Closed | InboxView::Snoozed => refine.assignee,
    };
    ConversationFilter {
        statuses: view.statuses(),
        snoozed: view.snoozed(),
        assignee,
        tag: refine.tag,
        ..ConversationFilter::all(caller.mailbox_scope())
    }
}
