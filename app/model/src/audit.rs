//! The team's audit trail: who changed what about the team's people, mailboxes and sign-in,
//! and when. The backend writes an entry in the same transaction as the change it records;
//! admins read the newest first on Settings → Team activity (`/settings/activity`).

use serde::{Deserialize, Serialize};

use crate::Role;

/// What was done. The person and mailbox it was done to are on the [`TeamEvent`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TeamChange {
    /// The first admin set the team up (`/setup`).
    SetUp,
    /// An invitation went out to this address.
    Invited {
        email: String,
    },
    /// A pending invitation to this address was revoked.
    InvitationRevoked {
        email: String,
    },
    /// The person accepted their invitation and made their account.
    Joined,
    /// An account was made for the person, with this role (`sanduq user add`, the demo).
    AccountMade {
        role: Role,
    },
    /// The person's role is now this one.
    RoleChanged {
        role: Role,
    },
    Deactivated,
    Reactivated,
    /// The person became a member of the mailbox.
    MemberAdded,
    /// The person stopped being a member of the mailbox.
    MemberRemoved,
    MailboxAdded,
    MailboxRemoved,
    /// The mailbox's mail servers (addresses, sign-in, folders) were saved.
    MailServersSaved,
    /// The mailbox now sends the team's system mail (invitations, password resets); with no
    /// mailbox, none does.
    SystemMailboxSet,
    /// An admin turned off the person's two-factor sign-in (a lost phone).
    TwoFactorReset,
    /// Everyone must now sign in with a second factor.
    TwoFactorRequired,
    /// The team stopped requiring a second factor.
    TwoFactorOptional,
}

impl TeamChange {
    /// The word the store keeps in `team_events.kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            TeamChange::SetUp => "team_set_up",
            TeamChange::Invited { .. } => "invited",
            TeamChange::InvitationRevoked { .. } => "invitation_revoked",
            TeamChange::Joined => "joined",
            TeamChange::AccountMade { .. } => "account_made",
            TeamChange::RoleChanged { .. } => "role_changed",
            TeamChange::Deactivated => "deactivated",
            TeamChange::Reactivated => "reactivated",
            TeamChange::MemberAdded => "member_added",
            TeamChange::MemberRemoved => "member_removed",
            TeamChange::MailboxAdded => "mailbox_added",
            TeamChange::MailboxRemoved => "mailbox_removed",
            TeamChange::MailServersSaved => "mail_servers_saved",
            TeamChange::SystemMailboxSet => "system_mailbox_set",
            TeamChange::TwoFactorReset => "two_factor_reset",
            TeamChange::TwoFactorRequired => "two_factor_required",
            TeamChange::TwoFactorOptional => "two_factor_optional",
        }
    }

    /// The value the store keeps beside the kind (`team_events.detail`): the address of an
    /// invitation, the new role.
    pub fn detail(&self) -> Option<&str> {
        match self {
            TeamChange::Invited { email } | TeamChange::InvitationRevoked { email } => Some(email),
            TeamChange::RoleChanged { role } | TeamChange::AccountMade { role } => Some(role.as_str()),
            _ => None,
        }
    }

    /// Reads a stored kind and detail back; `None` for a word this build does not know.
    pub fn from_stored(kind: &str, detail: Option<&str>) -> Option<TeamChange> {
        let email = || detail.map(str::to_string);
        Some(match kind {
            "team_set_up" => TeamChange::SetUp,
            "invited" => TeamChange::Invited { email: email()? },
            "invitation_revoked" => TeamChange::InvitationRevoked { email: email()? },
            "joined" => TeamChange::Joined,
            "account_made" => TeamChange::AccountMade { role: detail?.parse().ok()? },
            "role_changed" => TeamChange::RoleChanged { role: detail?.parse().ok()? },
            "deactivated" => TeamChange::Deactivated,
            "reactivated" => TeamChange::Reactivated,
            "member_added" => TeamChange::MemberAdded,
            "member_removed" => TeamChange::MemberRemoved,
            "mailbox_added" => TeamChange::MailboxAdded,
            "mailbox_removed" => TeamChange::MailboxRemoved,
            "mail_servers_saved" => TeamChange::MailServersSaved,
            "system_mailbox_set" => TeamChange::SystemMailboxSet,
            "two_factor_reset" => TeamChange::TwoFactorReset,
            "two_factor_required" => TeamChange::TwoFactorRequired,
            "two_factor_optional" => TeamChange::TwoFactorOptional,
            _ => return None,
        })
    }
}

/// One entry of the audit trail, with names as they are now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamEvent {
    /// Microseconds since the epoch.
    pub at: i64,
    /// Who did it; `None` for the command line or the server itself.
    pub actor: Option<String>,
    pub change: TeamChange,
    /// The person it was done to.
    pub user: Option<String>,
    /// The mailbox it was done to.
    pub mailbox: Option<String>,
}

/// A page of the audit trail, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamActivity {
    pub events: Vec<TeamEvent>,
    /// Where the next (older) page starts, when there may be one: pass it back as `before`.
    pub older: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_reads_back_as_stored() {
        let all = [
            TeamChange::SetUp,
            TeamChange::Invited { email: "layla@example.com".into() },
            TeamChange::InvitationRevoked { email: "omar@example.com".into() },
            TeamChange::Joined,
            TeamChange::AccountMade { role: Role::Agent },
            TeamChange::RoleChanged { role: Role::Manager },
            TeamChange::Deactivated,
            TeamChange::Reactivated,
            TeamChange::MemberAdded,
            TeamChange::MemberRemoved,
            TeamChange::MailboxAdded,
            TeamChange::MailboxRemoved,
            TeamChange::MailServersSaved,
            TeamChange::SystemMailboxSet,
            TeamChange::TwoFactorReset,
            TeamChange::TwoFactorRequired,
            TeamChange::TwoFactorOptional,
        ];
        for change in all {
            assert_eq!(TeamChange::from_stored(change.kind(), change.detail()), Some(change));
        }
        assert_eq!(TeamChange::from_stored("role_changed", Some("owner")), None);
        assert_eq!(TeamChange::from_stored("invited", None), None);
        assert_eq!(TeamChange::from_stored("teleported", None), None);
    }
}
