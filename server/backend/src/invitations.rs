//! Inviting people into the team from Settings, and joining by the link.
//!
//! An admin names the person's email, name, role, mailboxes and language; the link goes by
//! mail from the mailbox that sends system mail, or, while no mailbox can send, is given to
//! the admin to pass on. A link works once and for [`INVITATION_DAYS`]; sending the invitation
//! again (by mail or as a link to copy) replaces it. The person opens it, chooses their name,
//! password and language, and is signed in. The rules on the link live in
//! `Store::accept_invitation`, one transaction.

use model::{EmailAddress, Field, InvitationForm, InvitationId, InvitationPreview, Refusal};

use crate::Backend;
use crate::access::Caller;
use crate::auth::{ClientAddr, LinkToken, SessionToken, check_new_password, hash_password};
use crate::error::{Error, Result};
use crate::prefs::LOCALES;
use crate::store::{Invitation, InvitationLink, InvitationRefused, NewInvitation};
use crate::system_mail::invitation_letter;
use crate::time::{DAY, now_micros};

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

/// The path of the page an invitation link opens, before its token.
pub const INVITATION_PATH: &str = "/invitation/";

/// What the invitee sends from the page behind the link.
#[derive(Debug, Clone)]
pub struct Joining {
    pub name: String,
    pub password: String,
    pub locale: String,
}

/// How a fresh link reached, or is to reach, the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// It is in the outbox.
    Mailed,
    /// The admin passes it on.
    Link(String),
}

impl Sent {
    /// The link to show the admin, if it did not go by mail.
    pub fn link(self) -> Option<String> {
        match self {
            Sent::Mailed => None,
            Sent::Link(link) => Some(link),
        }
    }
}

fn refusal(why: InvitationRefused, email: &str) -> Error {
    match why {
        InvitationRefused::EmailTaken => Refusal::EmailTaken { email: email.to_string() },
        InvitationRefused::AlreadyInvited => Refusal::AlreadyInvited { email: email.to_string() },
        InvitationRefused::Expired => Refusal::InvitationExpired,
        InvitationRefused::Used => Refusal::InvitationUsed,
        InvitationRefused::Withdrawn => Refusal::InvitationWithdrawn,
    }
    .into()
}

fn check_locale(locale: &str) -> Result<()> {
    if LOCALES.contains(&locale) { Ok(()) } else { Err(Refusal::UnknownLanguage { text: locale.to_string() }.into()) }
}

fn person_name(name: &str) -> Result<String> {
    model::text::one_line(name, 100).map_err(|fault| Refusal::Text { field: Field::PersonName, fault }.into())
}

impl Backend {
    /// Invites someone; admins only. Refused in words for a bad field, an address that has an
    /// account, or one invited already.
    pub async fn invite(&self, caller: &Caller, form: InvitationForm) -> Result<Sent> {
        caller.require_admin()?;
        let email = EmailAddress::parse(&form.email).map_err(|_| Refusal::NotAnEmail { text: form.email.clone() })?;
        let name = person_name(&form.name)?;
        check_locale(&form.locale)?;
        let mut mailboxes = form.mailboxes;
        mailboxes.sort();
        mailboxes.dedup();
        for mailbox in &mailboxes {
            if self.store.mailbox(*mailbox).await?.removed {
                return Err(Refusal::MailboxRemoved.into());
            }
        }
        let new = NewInvitation {
            email: email.to_string(),
            name,
            role: form.role,
            locale: form.locale,
            mailboxes,
            invited_by: caller.id,
        };
        let (link, sent) = self.fresh_link(caller, &new.email, &new.locale, true).await?;
        match self.store.create_invitation(new, link).await? {
            Ok(id) => {
                tracing::info!(invitation = %id, by = %caller.id, "invited");
                Ok(sent)
            }
            Err(why) => Err(refusal(why, email.as_str())),
        }
    }

    /// Sends a pending invitation again with a new link (the older one stops working): by
    /// mail, or as a link for the admin to copy when `by_mail` is false or no mailbox can send.
    pub async fn resend_invitation(&self, caller: &Caller, id: InvitationId, by_mail: bool) -> Result<Sent> {
        caller.require_admin()?;
        let invitation = self.store.pending_invitation(id).await?;
        let (link, sent) = self.fresh_link(caller, &invitation.email, &invitation.locale, by_mail).await?;
        self.store.renew_invitation(id, link, caller.id).await?;
        Ok(sent)
    }

    /// A new token, its link, and the mail that carries it when one can and should go.
    async fn fresh_link(
        &self,
        caller: &Caller,
        email: &str,
        locale: &str,
        by_mail: bool,
    ) -> Result<(InvitationLink, Sent)> {
        let token = LinkToken::generate();
        let url = format!("{}{INVITATION_PATH}{}", self.public_url.trim_end_matches('/'), token.as_str());
        let mail = if by_mail {
            let team = self.store.team_name().await?;
            let letter = invitation_letter(locale, &team, &caller.name, &url, INVITATION_DAYS);
            self.system_mail(&letter, email).await?
        } else {
            None
        };
        let sent = if mail.is_some() { Sent::Mailed } else { Sent::Link(url) };
        let link = InvitationLink { token_hash: token.hash(), expires_at: now_micros() + INVITATION_DAYS * DAY, mail };
        Ok((link, sent))
    }

    /// The pending invitations, newest first; admins only.
    pub async fn invitations(&self, caller: &Caller) -> Result<Vec<Invitation>> {
        caller.require_admin()?;
        self.store.pending_invitations().await
    }

    /// What the page behind a link shows, for anyone who has the link; a link that no longer
    /// works is refused in words (expired, used, or revoked and replaced).
    pub async fn invitation_preview(&self, token: &str) -> Result<InvitationPreview> {
        let token = LinkToken::from_link(token).ok_or(Refusal::InvitationWithdrawn)?;
        let invitation = self.store.invitation_by_token(&token.hash()).await?.ok_or(Refusal::InvitationWithdrawn)?;
        if invitation.accepted_at.is_some() {
            return Err(Refusal::InvitationUsed.into());
        }
        if invitation.revoked_at.is_some() {
            return Err(Refusal::InvitationWithdrawn.into());
        }
        if invitation.expires_at <= now_micros() {
            return Err(Refusal::InvitationExpired.into());
        }
        Ok(InvitationPreview {
            team: self.store.team_name().await?,
            email: invitation.email,
            name: invitation.name,
            locale: invitation.locale,
        })
    }

    /// Joins the team by an invitation link and signs the new person in. The link works once:
    /// of two racing acceptances one makes the account, the other is refused.
    pub async fn accept_invitation(
        &self,
        token: &str,
        joining: Joining,
        client: Option<ClientAddr>,
        user_agent: Option<&str>,
    ) -> Result<(Caller, SessionToken)> {
        // A dead link is refused before any password is hashed: hashing is what a stranger
        // posting made-up links would make us spend.
        let email = self.invitation_preview(token).await?.email;
        let token = LinkToken::from_link(token).ok_or(Refusal::InvitationWithdrawn)?;
        let name = person_name(&joining.name)?;
        check_locale(&joining.locale)?;
        check_new_password(&joining.password, &[&email, &name])?;
        let password_hash = hash_password(&joining.password).await?;
        match self.store.accept_invitation(&token.hash(), &name, &password_hash, &joining.locale).await? {
            Ok(user) => {
                tracing::info!(user = %user.id, "joined by invitation");
                self.open_session(&user, client, user_agent).await
            }
            // An account made for the address meanwhile (from the command line): it signs in.
            Err(InvitationRefused::EmailTaken) => Err(Refusal::InvitationUsed.into()),
            Err(why) => Err(refusal(why, "")),
        }
    }
}
