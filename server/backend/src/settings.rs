//! What admins change in Settings: people (role, mailboxes, active or not, two-factor
//! reset), mailboxes (added, named, members, removed), tags, and whether two-factor sign-in
//! is required; and the audit trail of those changes (Team activity). Only admins may read
//! or change any of it, and an admin cannot demote or deactivate themselves, so a team
//! cannot lock itself out.

use model::{Field, Refusal, SettingsChange, TeamMember};

use crate::Backend;
use crate::access::Caller;
use crate::error::{Error, Result};
use crate::store::{Mailbox, MailboxScope, TagCount};
use crate::time::now_micros;

/// Everything the Settings page shows.
#[derive(Debug, Clone)]
pub struct TeamSettings {
    pub users: Vec<TeamMember>,
    pub mailboxes: Vec<Mailbox>,
    pub tags: Vec<TagCount>,
    pub invitations: Vec<model::InvitationView>,
    /// The mailboxes that can send (they have mail servers).
    pub can_send: Vec<model::MailboxId>,
    /// The mailbox that sends system mail, if any can.
    pub system_mailbox: Option<model::MailboxId>,
    /// Everyone must turn on two-factor sign-in.
    pub require_two_factor: bool,
}

/// Entries on a page of Team activity.
const ACTIVITY_PAGE: i64 = 100;

/// Reads a page start of Team activity: `MICROS_UUID`.
fn activity_cursor(token: &str) -> Option<(i64, uuid::Uuid)> {
    let (at, id) = token.split_once('_')?;
    Some((at.parse().ok()?, id.parse().ok()?))
}

/// The longest mailbox name, in characters.
const MAX_MAILBOX_NAME: usize = 80;

/// A mailbox name as stored: one line, 1 to [`MAX_MAILBOX_NAME`] characters.
pub fn mailbox_name(name: &str) -> Result<String> {
    model::text::one_line(name, MAX_MAILBOX_NAME)
        .map_err(|fault| model::Refusal::Text { field: model::Field::MailboxName, fault }.into())
}

/// Refuses a colour not written like `#3b82f6` (the store keeps it lower-case).
fn check_colour(colour: &str) -> Result<()> {
    let colour = colour.trim();
    let hex = colour.strip_prefix('#').unwrap_or(colour);
    if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) { Ok(()) } else { Err(Refusal::BadColour.into()) }
}

/// A clash with a stored name, as the refusal that names it.
fn taken(field: Field, name: &str) -> impl FnOnce(Error) -> Error + '_ {
    move |error| match error {
        Error::Conflict(_) => Refusal::NameTaken { field, name: name.trim().to_string() }.into(),
        other => other,
    }
}

impl Backend {
    /// Adds a mailbox with its members (admins only); its mail servers are set on its own
    /// page next. A taken name is refused in words.
    pub async fn add_mailbox(&self, caller: &Caller, form: &model::NewMailboxForm) -> Result<model::MailboxId> {
        caller.require_admin()?;
        let name = mailbox_name(&form.name)?;
        let address = model::EmailAddress::parse(&form.address)
            .map_err(|_| Refusal::NotAnEmail { text: form.address.trim().to_string() })?;
        for user in &form.members {
            self.store.user(*user).await?;
        }
        let mailbox = self
            .store
            .add_team_mailbox(&name, address.as_str(), &form.members, caller.id)
            .await
            .map_err(taken(Field::MailboxName, &name))?;
        for user in &form.members {
            self.live.publish(crate::live::Signal::Access { user: *user }).await?;
        }
        tracing::info!(mailbox = %mailbox.id, by = %caller.id, "mailbox added");
        Ok(mailbox.id)
    }

    /// The team, the mailboxes and the tags; admins only.
    pub async fn settings(&self, caller: &Caller) -> Result<TeamSettings> {
        caller.require_admin()?;
        let memberships = self.store.memberships().await?;
        let users: Vec<TeamMember> = self
            .store
            .users()
            .await?
            .into_iter()
            .map(|u| TeamMember {
                mailboxes: memberships.iter().filter(|(_, user)| *user == u.id).map(|(m, _)| *m).collect(),
                id: u.id,
                name: u.name,
                email: u.email,
                role: u.role,
                active: u.active,
                two_factor: u.two_factor,
            })
            .collect();
        let mailboxes = self.store.mailboxes(MailboxScope::All).await?;
        let tags = self.store.tags(MailboxScope::All).await?;
        let now = now_micros();
        let invitations = self
            .store
            .pending_invitations()
            .await?
            .into_iter()
            .map(|i| model::InvitationView {
                invited_by: users
                    .iter()
                    .find(|u| Some(u.id) == i.invited_by)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                id: i.id,
                email: i.email,
                name: i.name,
                role: i.role,
                mailboxes: i.mailboxes,
                sent_at: i.sent_at,
                expires_at: i.expires_at,
                expired: i.expires_at <= now,
                delivery: i.delivery.map(|(status, attempts, error)| model::Delivery {
                    status: status.parse().unwrap_or(model::DeliveryStatus::Queued),
                    attempts,
                    last_error: error.as_deref().map(model::MailFault::from_stored),
                }),
            })
            .collect();
        let mut can_send = Vec::new();
        for mailbox in mailboxes.iter().filter(|m| !m.is_demo) {
            if self.store.can_send(mailbox.id).await? {
                can_send.push(mailbox.id);
            }
        }
        let system_mailbox = self.store.system_mailbox().await?;
        let require_two_factor = self.store.team_requires_two_factor().await?;
        Ok(TeamSettings { users, mailboxes, tags, invitations, can_send, system_mailbox, require_two_factor })
    }

    /// A page of the team's audit trail, newest first, from `before` (a page's `older`) on;
    /// admins only. A `before` that no page gave is refused.
    pub async fn team_activity(&self, caller: &Caller, before: Option<&str>) -> Result<model::TeamActivity> {
        caller.require_admin()?;
        let before = match before.filter(|b| !b.is_empty()) {
            Some(token) => Some(activity_cursor(token).ok_or(Refusal::BadFilter)?),
            None => None,
        };
        let (events, last) = self.store.team_events(before, ACTIVITY_PAGE).await?;
        Ok(model::TeamActivity { events, older: last.map(|(at, id)| format!("{at}_{id}")) })
    }

    /// Applies one change from Settings; admins only.
    pub async fn change_settings(&self, caller: &Caller, change: SettingsChange) -> Result<()> {
        caller.require_admin()?;
        // Whose live sockets must reconnect to hear about the right mailboxes.
        let access_of = match &change {
            SettingsChange::SetRole { user, .. }
            | SettingsChange::SetActive { user, .. }
            | SettingsChange::SetMember { user, .. } => Some(*user),
            // Its members' sockets stop hearing about it once it is removed.
            SettingsChange::RemoveMailbox { .. } => None,
            _ => None,
        };
        self.apply_settings(caller, change).await?;
        if let Some(user) = access_of {
            self.live.publish(crate::live::Signal::Access { user }).await?;
        }
        Ok(())
    }

    async fn apply_settings(&self, caller: &Caller, change: SettingsChange) -> Result<()> {
        match change {
            SettingsChange::SetRole { user, role } => {
                if user == caller.id && role != model::Role::Admin {
                    return Err(Refusal::OwnAdminRole.into());
                }
                self.store.set_role(user, role, caller.id).await?;
                // Invitations stand on their sender's say-so: an admin no more, theirs end.
                if role != model::Role::Admin {
                    self.store.revoke_invitations_by(user).await?;
                }
                Ok(())
            }
            SettingsChange::SetActive { user, active } => {
                if user == caller.id && !active {
                    return Err(Refusal::DeactivateSelf.into());
                }
                self.store.set_active(user, active, caller.id).await?;
                if !active {
                    self.store.revoke_invitations_by(user).await?;
                }
                Ok(())
            }
            SettingsChange::SetMember { user, mailbox, member } => {
                self.store.user(user).await?;
                if self.store.mailbox(mailbox).await?.removed && member {
                    return Err(Refusal::MailboxRemoved.into());
                }
                self.store.set_member(mailbox, user, member, caller.id).await
            }
            SettingsChange::RenameMailbox { mailbox, name } => {
                let name = mailbox_name(&name)?;
                self.store.rename_mailbox(mailbox, &name).await.map_err(taken(Field::MailboxName, &name))
            }
            SettingsChange::CreateTag { name, color } => {
                check_colour(&color)?;
                self.store.create_tag(&name, &color).await.map(|_| ()).map_err(taken(Field::TagName, &name))
            }
            SettingsChange::UpdateTag { tag, name, color } => {
                check_colour(&color)?;
                self.store.update_tag(tag, &name, &color).await.map_err(taken(Field::TagName, &name))
            }
            SettingsChange::DeleteTag { tag } => self.store.delete_tag(tag).await,
            SettingsChange::RevokeInvitation { invitation } => {
                self.store.revoke_invitation(invitation, caller.id).await
            }
            SettingsChange::SetSystemMailbox { mailbox } => {
                if let Some(mailbox) = mailbox
                    && (self.store.mailbox(mailbox).await?.is_demo || !self.store.can_send(mailbox).await?)
                {
                    // Demo mailboxes never send.
                    return Err(Refusal::NoMailServers.into());
                }
                self.store.set_system_mailbox(mailbox, caller.id).await
            }
            SettingsChange::RemoveMailbox { mailbox, confirm } => {
                let found = self.store.mailbox(mailbox).await?;
                if confirm.trim() != found.name {
                    return Err(Refusal::ConfirmName { name: found.name }.into());
                }
                let members = self.store.mailbox_users(mailbox).await?;
                self.store.remove_mailbox(mailbox, caller.id).await?;
                tracing::info!(mailbox = %mailbox, by = %caller.id, "mailbox removed");
                for user in members {
                    self.live.publish(crate::live::Signal::Access { user: user.id }).await?;
                }
                Ok(())
            }
            SettingsChange::RequireTwoFactor { required } => {
                self.store.set_team_requires_two_factor(required, caller.id).await?;
                if required {
                    // The open tabs of those without a second factor stop getting work.
                    for user in self.store.users().await?.into_iter().filter(|u| u.active && !u.two_factor) {
                        self.live.publish(crate::live::Signal::Sessions { user: user.id }).await?;
                    }
                }
                Ok(())
            }
            SettingsChange::ResetTwoFactor { user } => self.reset_two_factor(caller, user).await,
        }
    }
}
