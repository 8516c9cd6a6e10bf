//! Invitations to join the team: who is invited, with which role and mailboxes, and the one
//! link that lets them in.
//!
//! The link's token is random and only its SHA-256 is stored, like a session's. An invitation
//! is pending until it is accepted or revoked; sending it again gives it a new token and a new
//! expiry, so the older link stops working. Accepting is one transaction: a conditional
//! `UPDATE` takes the pending, unexpired invitation (of two racing acceptances exactly one
//! changes the row), then the account and its memberships are made. The mail that carries a
//! link enters the outbox in the transaction that makes the link.

use model::{InvitationId, MailboxId, Role, TeamChange, UserId};
use uuid::Uuid;

use super::outbox::{SystemMail, queue_system_mail};
use super::team_events::{TeamEntry, TeamRows};
use super::users::User;
use super::{Store, new_id, parse_stored, with_reader, with_tx};
use crate::error::{Error, Result};
use crate::time::now_micros;

/// What inviting someone records. The email must already be normalised.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The language of the invitation mail and the page it links to.
    pub locale: String,
    pub mailboxes: Vec<MailboxId>,
    pub invited_by: UserId,
}

/// A fresh link for an invitation: its token's hash, when it expires, and the mail that
/// carries it (from which mailbox), if it goes by mail.
#[derive(Debug, Clone)]
pub struct InvitationLink {
    pub token_hash: [u8; 32],
    pub expires_at: i64,
    pub mail: Option<(MailboxId, SystemMail)>,
}

/// An invitation as stored, with the delivery of the mail that carried its current link.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: InvitationId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub locale: String,
    pub mailboxes: Vec<MailboxId>,
    pub invited_by: Option<UserId>,
    pub created_at: i64,
    /// When the current link was made.
    pub sent_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// The outbox status, attempts and last error of the mail with the current link.
    pub delivery: Option<(String, i64, Option<String>)>,
}

/// Why an invitation was not made or not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationRefused {
    /// Someone signs in with this address already.
    EmailTaken,
    /// The address has a pending invitation; send that one again instead.
    AlreadyInvited,
    /// The link is older than its expiry.
    Expired,
    /// The invitation was accepted already.
    Used,
    /// The invitation was revoked, or the link was replaced by a newer one (or never existed).
    Withdrawn,
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: Uuid,
    email: String,
    name: String,
    role: String,
    locale: String,
    invited_by: Option<Uuid>,
    created_at: i64,
    sent_at: i64,
    expires_at: i64,
    accepted_at: Option<i64>,
    revoked_at: Option<i64>,
    delivery_status: Option<String>,
    delivery_attempts: Option<i64>,
    delivery_error: Option<String>,
}

const INVITATION_COLUMNS: &str = "i.id, i.email, i.name, i.role, i.locale, i.invited_by, i.created_at, i.sent_at, \
     i.expires_at, i.accepted_at, i.revoked_at, o.status AS delivery_status, o.attempts AS delivery_attempts, \
     o.last_error AS delivery_error";

/// Holds back the mail of invitation `$1` if it has not left yet (at `$2`), dropping its bytes.
const CANCEL_MAIL: &str = "UPDATE outbox SET status = 'cancelled', raw = NULL, updated_at = $2 \
     WHERE status IN ('queued', 'retrying') AND id = (SELECT outbox_id FROM invitations WHERE id = $1)";

/// Pending: neither accepted nor revoked (it may have expired).
const PENDING: &str = "accepted_at IS NULL AND revoked_at IS NULL";

impl InvitationRow {
    fn into_invitation(self, mailboxes: Vec<MailboxId>) -> Result<Invitation> {
        Ok(Invitation {
            id: InvitationId(self.id),
            email: self.email,
            name: self.name,
            role: parse_stored("role", &self.role)?,
            locale: self.locale,
            mailboxes,
            invited_by: self.invited_by.map(UserId),
            created_at: self.created_at,
            sent_at: self.sent_at,
            expires_at: self.expires_at,
            accepted_at: self.accepted_at,
            revoked_at: self.revoked_at,
            delivery: self.delivery_status.map(|s| (s, self.delivery_attempts.unwrap_or(0), self.delivery_error)),
        })
    }
}

impl Store {
    /// Records an invitation with its first link (and queues its mail). Refused when the
    /// address has an account or a pending invitation that has not expired; an expired one is
    /// revoked to make room.
    pub async fn create_invitation(
        &self,
        new: NewInvitation,
        link: InvitationLink,
    ) -> Result<std::result::Result<InvitationId, InvitationRefused>> {
        let id = new_id();
        let now = now_micros();
        with_tx!(self, |tx| {
            let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = $1")
                .bind(&new.email)
                .fetch_one(&mut *tx)
                .await?;
            if taken > 0 {
                return Ok(Err(InvitationRefused::EmailTaken));
            }
            sqlx::query(&format!(
                "UPDATE invitations SET revoked_at = $2 WHERE email = $1 AND {PENDING} AND expires_at <= $2"
            ))
            .bind(&new.email)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let outbox = match &link.mail {
                Some((mailbox, mail)) => Some(queue_system_mail(&mut *tx, *mailbox, mail, now).await?),
                None => None,
            };
            let inserted = sqlx::query(
                "INSERT INTO invitations (id, email, name, role, locale, token_hash, invited_by, outbox_id, created_at, \
                 sent_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)",
            )
            .bind(id)
            .bind(&new.email)
            .bind(&new.name)
            .bind(new.role.as_str())
            .bind(&new.locale)
            .bind(&link.token_hash[..])
            .bind(new.invited_by.0)
            .bind(outbox)
            .bind(now)
            .bind(link.expires_at)
            .execute(&mut *tx)
            .await;
            match inserted.map_err(|e| Error::unique_as_conflict(e, String::new())) {
                Ok(_) => {}
                Err(Error::Conflict(_)) => return Ok(Err(InvitationRefused::AlreadyInvited)),
                Err(other) => return Err(other),
            }
            for mailbox in &new.mailboxes {
                sqlx::query("INSERT INTO invitation_mailboxes (invitation_id, mailbox_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(mailbox.0)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.record_team(&TeamEntry::by(new.invited_by, TeamChange::Invited { email: new.email.clone() }), now)
                .await?;
        });
        Ok(Ok(InvitationId(id)))
    }

    /// The pending invitations (expired ones included), newest first.
    pub async fn pending_invitations(&self) -> Result<Vec<Invitation>> {
        let sql = format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations i LEFT JOIN outbox o ON o.id = i.outbox_id \
             WHERE i.{PENDING} ORDER BY i.created_at DESC, i.id DESC"
        );
        let rows: Vec<InvitationRow> = with_reader!(self, |pool| sqlx::query_as(&sql).fetch_all(pool).await?);
        let members: Vec<(Uuid, Uuid)> = with_reader!(self, |pool| {
            sqlx::query_as(&format!(
                "SELECT m.invitation_id, m.mailbox_id FROM invitation_mailboxes m \
                 JOIN invitations i ON i.id = m.invitation_id WHERE i.{PENDING}"
            ))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|row| {
                let mailboxes = members.iter().filter(|(i, _)| *i == row.id).map(|(_, m)| MailboxId(*m)).collect();
                row.into_invitation(mailboxes)
            })
            .collect()
    }

    /// The invitation whose current link has this token hash, in whatever state.
    pub async fn invitation_by_token(&self, token_hash: &[u8; 32]) -> Result<Option<Invitation>> {
        let sql = format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations i LEFT JOIN outbox o ON o.id = i.outbox_id \
             WHERE i.token_hash = $1"
        );
        let row: Option<InvitationRow> =
            with_reader!(self, |pool| sqlx::query_as(&sql).bind(&token_hash[..]).fetch_optional(pool).await?);
        let Some(row) = row else { return Ok(None) };
        let mailboxes: Vec<Uuid> = with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT mailbox_id FROM invitation_mailboxes WHERE invitation_id = $1")
                .bind(row.id)
                .fetch_all(pool)
                .await?
        });
        row.into_invitation(mailboxes.into_iter().map(MailboxId).collect()).map(Some)
    }

    /// The pending invitation with this id; [`Error::NotFound`] once accepted or revoked.
    pub async fn pending_invitation(&self, id: InvitationId) -> Result<Invitation> {
        self.pending_invitations().await?.into_iter().find(|i| i.id == id).ok_or(Error::NotFound)
    }

    /// Gives a pending invitation a new link (and queues its mail): the older link stops
    /// working; `by` is recorded. [`Error::NotFound`] unless the invitation is pending.
    pub async fn renew_invitation(&self, id: InvitationId, link: InvitationLink, by: UserId) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            // The older link's mail, if it has not left, need not leave.
            sqlx::query(CANCEL_MAIL).bind(id.0).bind(now).execute(&mut *tx).await?;
            let outbox = match &link.mail {
                Some((mailbox, mail)) => Some(queue_system_mail(&mut *tx, *mailbox, mail, now).await?),
                None => None,
            };
            let email: Option<String> = sqlx::query_scalar(&format!(
                "UPDATE invitations SET token_hash = $2, expires_at = $3, sent_at = $4, outbox_id = $5 \
                 WHERE id = $1 AND {PENDING} RETURNING email"
            ))
            .bind(id.0)
            .bind(&link.token_hash[..])
            .bind(link.expires_at)
            .bind(now)
            .bind(outbox)
            .fetch_optional(&mut *tx)
            .await?;
            // Dropping the transaction takes the queued mail back.
            let email = email.ok_or(Error::NotFound)?;
            tx.record_team(&TeamEntry::by(by, TeamChange::Invited { email }), now).await?;
        });
        Ok(())
    }

    /// Revokes a pending invitation: its link stops working. [`Error::NotFound`] unless it is
    /// pending. `by` is recorded.
    pub async fn revoke_invitation(&self, id: InvitationId, by: UserId) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            let email: Option<String> = sqlx::query_scalar(&format!(
                "UPDATE invitations SET revoked_at = $2 WHERE id = $1 AND {PENDING} RETURNING email"
            ))
            .bind(id.0)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let email = email.ok_or(Error::NotFound)?;
            tx.record_team(&TeamEntry::by(by, TeamChange::InvitationRevoked { email }), now).await?;
            // A mail that has not left yet need not leave.
            sqlx::query(CANCEL_MAIL).bind(id.0).bind(now).execute(&mut *tx).await?;
        });
        Ok(())
    }

    /// Accepts the invitation whose current link has this token hash: makes the account, with
    /// the invitation's email, role and mailboxes and the chosen name, password and language.
    /// All or nothing; the inner `Err` says why nothing was made.
    pub async fn accept_invitation(
        &self,
        token_hash: &[u8; 32],
        name: &str,
        password_hash: &str,
        locale: &str,
    ) -> Result<std::result::Result<User, InvitationRefused>> {
        let user = new_id();
        let now = now_micros();
        with_tx!(self, |tx| {
            let taken: Option<(Uuid, String, String)> = sqlx::query_as(&format!(
                "UPDATE invitations SET accepted_at = $2 \
                 WHERE token_hash = $1 AND {PENDING} AND expires_at > $2 RETURNING id, email, role"
            ))
            .bind(&token_hash[..])
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((invitation, email, role)) = taken else {
                let found: Option<(Option<i64>, Option<i64>)> =
                    sqlx::query_as("SELECT accepted_at, revoked_at FROM invitations WHERE token_hash = $1")
                        .bind(&token_hash[..])
                        .fetch_optional(&mut *tx)
                        .await?;
                return Ok(Err(match found {
                    Some((Some(_), _)) => InvitationRefused::Used,
                    Some((None, None)) => InvitationRefused::Expired,
                    _ => InvitationRefused::Withdrawn,
                }));
            };
            let role: Role = parse_stored("role", &role)?;
            let inserted = sqlx::query(
                "INSERT INTO users (id, email, name, role, password_hash, active, locale, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(user)
            .bind(&email)
            .bind(name)
            .bind(role.as_str())
            .bind(password_hash)
            .bind(true)
            .bind(locale)
            .bind(now)
            .execute(&mut *tx)
            .await;
            match inserted.map_err(|e| Error::unique_as_conflict(e, String::new())) {
                Ok(_) => {}
                // An account was made for the address since the invitation (from the command line).
                Err(Error::Conflict(_)) => return Ok(Err(InvitationRefused::EmailTaken)),
                Err(other) => return Err(other),
            }
            sqlx::query("UPDATE invitations SET user_id = $2 WHERE id = $1")
                .bind(invitation)
                .bind(user)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO mailbox_members (mailbox_id, user_id) \
                 SELECT mailbox_id, $2 FROM invitation_mailboxes WHERE invitation_id = $1",
            )
            .bind(invitation)
            .bind(user)
            .execute(&mut *tx)
            .await?;
            let joined = TeamEntry::by(UserId(user), TeamChange::Joined).user(UserId(user));
            tx.record_team(&joined, now).await?;
            Ok(Ok(User {
                id: UserId(user),
                email,
                name: name.to_string(),
                role,
                active: true,
                locale: locale.to_string(),
                time_zone: "UTC".to_string(),
                two_factor: false,
                password_hash: password_hash.to_string(),
            }))
        })
    }

    /// Revokes the pending invitations `user` sent (they are no longer an active admin).
    pub async fn revoke_invitations_by(&self, user: UserId) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            let ids: Vec<Uuid> =
                sqlx::query_scalar(&format!("SELECT id FROM invitations WHERE invited_by = $1 AND {PENDING}"))
                    .bind(user.0)
                    .fetch_all(&mut *tx)
                    .await?;
            for id in ids {
                sqlx::query(CANCEL_MAIL).bind(id).bind(now).execute(&mut *tx).await?;
                sqlx::query("UPDATE invitations SET revoked_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(())
    }

    /// Moves an invitation's expiry, as if time had passed. For tests.
    #[doc(hidden)]
    pub async fn set_invitation_expiry(&self, id: InvitationId, expires_at: i64) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("UPDATE invitations SET expires_at = $2 WHERE id = $1")
                .bind(id.0)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// The mailbox that sends the team's system mail: the one chosen in Settings if it can
    /// still send, else the oldest mailbox that can. `None` when no mailbox can send.
    pub async fn system_mailbox(&self) -> Result<Option<MailboxId>> {
        let sql = "SELECT m.id FROM mailboxes m JOIN mail_settings s ON s.mailbox_id = m.id \
                   WHERE NOT m.is_demo ORDER BY (m.id = (SELECT system_mailbox_id FROM team WHERE id = 1)) DESC, \
                   m.created_at, m.id LIMIT 1";
        let found: Option<Uuid> = with_reader!(self, |pool| sqlx::query_scalar(sql).fetch_optional(pool).await?);
        Ok(found.map(MailboxId))
    }

    /// Chooses the mailbox that sends system mail (`None`: the oldest that can send); `by` is
    /// recorded.
    pub async fn set_system_mailbox(&self, mailbox: Option<MailboxId>, by: UserId) -> Result<()> {
        let now = now_micros();
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO team (id, created_at, set_up_at, system_mailbox_id) VALUES (1, $1, $1, $2) \
                 ON CONFLICT (id) DO UPDATE SET system_mailbox_id = excluded.system_mailbox_id",
            )
            .bind(now)
            .bind(mailbox.map(|m| m.0))
            .execute(&mut *tx)
            .await?;
            let entry = TeamEntry { mailbox, ..TeamEntry::by(by, TeamChange::SystemMailboxSet) };
            tx.record_team(&entry, now).await?;
        });
        Ok(())
    }
}
