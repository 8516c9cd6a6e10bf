//! "Forgot password?": a link by mail that lets a person choose a new password.
//!
//! Asking answers the same whatever the address: whether it has an account, and whether a
//! mail could be sent, is never told, and the work is done after the answer so it does not
//! take longer for a real account either. Asking is rate limited per address asked for and
//! per client (the Zammad CVE-2022-35488 class: nobody can flood a person's mailbox, or walk
//! the list of addresses). A link works once and for [`RESET_MINUTES`]; asking again replaces
//! the older link. The password changes only when the new one is chosen, and then every
//! session of the person ends (live sockets too), and the browser that chose it is signed in.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use model::{EmailAddress, Refusal};

use crate::Backend;
use crate::auth::LinkToken as ResetToken;
use crate::auth::{ClientAddr, SignedIn, check_new_password, hash_password, limited_as};
use crate::error::{Error, Result};
use crate::store::ResetRefused;
use crate::system_mail::reset_letter;
use crate::time::now_micros;

/// How long a reset link works.
pub const RESET_MINUTES: i64 = 60;

/// The path of the page a reset link opens, before its token.
pub const RESET_PATH: &str = "/reset/";

/// The limits on asking: per address asked for, and per client address. In memory, per node.
pub(crate) struct ResetLimiters {
    per_email: DefaultKeyedRateLimiter<String>,
    per_client: DefaultKeyedRateLimiter<IpAddr>,
}

impl ResetLimiters {
    pub(crate) fn new() -> ResetLimiters {
        let quota = |burst: u32, period: Duration| {
            Quota::with_period(period)
                .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
        };
        ResetLimiters {
            // Three mails to one address, then one every ten minutes.
            per_email: DefaultKeyedRateLimiter::keyed(quota(3, Duration::from_secs(600))),
            // Ten asks from one client, then one every three minutes.
            per_client: DefaultKeyedRateLimiter::keyed(quota(10, Duration::from_secs(180))),
        }
    }
}

fn refusal(why: ResetRefused) -> Error {
    match why {
        ResetRefused::Expired => Refusal::ResetExpired,
        ResetRefused::Used => Refusal::ResetUsed,
        ResetRefused::Withdrawn => Refusal::ResetWithdrawn,
    }
    .into()
}

impl Backend {
    /// Asks for a reset link for `email`. Answers `Ok` for any address (or
    /// [`Error::RateLimited`], counted the same for every address); the mail, if the address
    /// has an active account and a mailbox can send, is written after the answer.
    pub async fn request_password_reset(&self, email: &str, client: Option<ClientAddr>) -> Result<()> {
        // The limit's key is the address as parsed (at most 254 bytes), so the map holds no
        // large keys; text that is no address shares one key, and gets the same answer.
        let asked = EmailAddress::parse(email).map(|e| e.to_string()).unwrap_or_default();
        let now = DefaultClock::default().now();
        let limited =
            |n: governor::NotUntil<_>| Error::RateLimited { retry_after_secs: n.wait_time_from(now).as_secs().max(1) };
        if let Some(client) = client {
            self.resets.per_client.check_key(&limited_as(client.0)).map_err(limited)?;
        }
        self.resets.per_email.check_key(&asked).map_err(limited)?;
        if self.resets.per_email.len() > 100_000 {
            self.resets.per_email.retain_recent();
            self.resets.per_client.retain_recent();
        }
        let backend = self.clone();
        tokio::spawn(async move {
            if let Err(e) = backend.send_reset_link(&asked).await {
                tracing::warn!(error = %e, "a password reset mail could not be written");
            }
        });
        Ok(())
    }

    /// Writes the reset mail for `email` if it has an active account and a mailbox can send.
    async fn send_reset_link(&self, email: &str) -> Result<()> {
        let Ok(email) = EmailAddress::parse(email) else { return Ok(()) };
        let Some(user) = self.store.user_by_email(email.as_str()).await?.filter(|u| u.active) else {
            return Ok(());
        };
        let token = ResetToken::generate();
        let url = format!("{}{RESET_PATH}{}", self.public_url.trim_end_matches('/'), token.as_str());
        let locale = if user.locale.is_empty() { self.store.team_locale().await? } else { user.locale.clone() };
        let letter = reset_letter(&locale, &user.name, &url, RESET_MINUTES);
        let Some(mail) = self.system_mail(&letter, &user.email).await? else {
            tracing::warn!(user = %user.id, "a password reset was asked for, but no mailbox can send mail; \
                 an operator can set the password with `sanduq user passwd`");
            return Ok(());
        };
        let expires_at = now_micros() + RESET_MINUTES * 60 * 1_000_000;
        self.store.create_password_reset(user.id, &token.hash(), expires_at, mail).await?;
        tracing::info!(user = %user.id, "a password reset link was mailed");
        Ok(())
    }

    /// The address a working reset link is for, for its page; a link that does not work is
    /// refused in words.
    pub async fn reset_preview(&self, token: &str) -> Result<String> {
        let token = ResetToken::from_link(token).ok_or(Refusal::ResetWithdrawn)?;
        self.store.password_reset_user(&token.hash()).await?.map(|u| u.email).map_err(refusal)
    }

    /// Sets the new password chosen on a reset link's page, ends every other session of the
    /// person, and signs this browser in; a person with two-factor on is asked for a code
    /// next, as at sign-in (whoever reads their mail must not skip it).
    pub async fn reset_password(
        &self,
        token: &str,
        password: &str,
        client: Option<ClientAddr>,
        user_agent: Option<&str>,
    ) -> Result<SignedIn> {
        let token = ResetToken::from_link(token).ok_or(Refusal::ResetWithdrawn)?;
        let user = self.store.password_reset_user(&token.hash()).await?.map_err(refusal)?;
        check_new_password(password, &[&user.email, &user.name])?;
        let password_hash = hash_password(password).await?;
        let id = self.store.use_password_reset(&token.hash(), &password_hash).await?.map_err(refusal)?;
        // The password has changed; the other tabs hear of it, or find out at their next request.
        if let Err(e) = self.live.publish(crate::live::Signal::Sessions { user: id }).await {
            tracing::warn!(error = %e, "could not tell the other tabs that the password changed");
        }
        tracing::info!(user = %id, "password reset");
        let user = self.store.user(id).await?;
        if user.two_factor {
            return Ok(SignedIn::NeedsCode(self.challenge(id).await?));
        }
        let (caller, session) = self.open_session(&user, client, user_agent).await?;
        Ok(SignedIn::Session(caller, session))
    }
}
