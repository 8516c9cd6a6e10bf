//! Sign-in, sessions and passwords.
//!
//! Passwords are hashed with argon2id on the blocking pool (hashing takes tens of
//! milliseconds and must not stall the async workers). A session is a random token in an
//! HttpOnly cookie; the store keeps only its SHA-256. Sign-in is rate limited before any
//! password is checked, so the limit also caps the CPU an attacker can make us spend on
//! hashing. The limits are per client address (one address cannot try account after account)
//! and per account *from one client address*: a stranger guessing Sara's password from
//! elsewhere uses up their own attempts, never Sara's, so the rightful owner is not locked out.

use std::fmt;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::OnceLock;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use model::{EmailAddress, Role, UserId};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::Backend;
use crate::access::Caller;
use crate::error::{Error, Result};
use crate::store::{NewUser, User};
use crate::time::{DAY, now_micros};

/// How long a session lasts.
pub const SESSION_DAYS: i64 = 30;
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted (argon2 would take anything; this keeps requests small).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// A client's network address, as far as it can be trusted (see `SANDUQ_TRUSTED_PROXIES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

/// The secret in a session cookie. Never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

impl SessionToken {
    fn generate() -> SessionToken {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SessionToken(hex::encode(bytes))
    }

    /// Takes a token from a cookie. Anything that is not 64 hex digits is no token.
    pub fn from_cookie(value: &str) -> Option<SessionToken> {
        (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| SessionToken(value.to_ascii_lowercase()))
    }

    /// The text to put in the cookie.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

/// How many sign-in attempts are allowed before the limit trips.
#[derive(Debug, Clone, Copy)]
pub struct SignInLimits {
    /// Attempts for one account from one client address in a burst, then one more per
    /// `account_period`.
    pub account_burst: u32,
    pub account_period: Duration,
    /// Attempts from one client address in a burst, then one more per `address_period`.
    pub address_burst: u32,
    pub address_period: Duration,
}

impl Default for SignInLimits {
    fn default() -> SignInLimits {
        SignInLimits {
            account_burst: 5,
            account_period: Duration::from_secs(60),
            address_burst: 20,
            address_period: Duration::from_secs(10),
        }
    }
}

/// The sign-in rate limiters, per account from one client address and per client address. In
/// memory: each node counts its own attempts.
pub(crate) struct SignInLimiters {
    per_account: DefaultKeyedRateLimiter<(String, Option<IpAddr>)>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl SignInLimiters {
    pub(crate) fn new(limits: SignInLimits) -> SignInLimiters {
        SignInLimiters {
            per_account: DefaultKeyedRateLimiter::keyed(quota(limits.account_burst, limits.account_period)),
            per_address: DefaultKeyedRateLimiter::keyed(quota(limits.address_burst, limits.address_period)),
        }
    }
}

fn quota(burst: u32, period: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN)).allow_burst(burst)
}

/// Hashes a password with argon2id (default parameters: 19 MiB, 2 passes) off the async
/// workers.
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("hashing a password failed: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("hashing task failed: {e}")))?
}

/// Checks a password against a stored hash off the async workers.
async fn verify_password(password: &str, hash: &str) -> Result<bool> {
    let password = password.to_owned();
    let hash = hash.to_owned();
    tokio::task::spawn_blocking(move || {
        let parsed =
            PasswordHash::new(&hash).map_err(|e| Error::Internal(format!("stored hash is unreadable: {e}")))?;
        Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|e| Error::Internal(format!("verifying task failed: {e}")))?
}

/// A hash of a password nobody knows, checked when the account does not exist so that an
/// unknown email takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        let mut secret = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        Argon2::default().hash_password(&secret, &salt).map(|h| h.to_string()).unwrap_or_default()
    })
}

/// Checks a new password's length.
pub fn check_new_password(password: &str) -> Result<()> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(Error::Invalid(format!("a password needs at least {MIN_PASSWORD_CHARS} characters")));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(Error::Invalid(format!("a password has at most {MAX_PASSWORD_CHARS} characters")));
    }
    Ok(())
}

impl Backend {
    /// Creates a user after checking every field. Used by the CLI and by admins.
    pub async fn add_user(&self, email: &str, name: &str, role: Role, password: &str) -> Result<User> {
        let email = EmailAddress::parse(email).map_err(|e| Error::Invalid(e.to_string()))?;
        let name = model::text::one_line(name, 100).map_err(|fault| Error::Invalid(format!("a name {fault}")))?;
        check_new_password(password)?;
        let password_hash = hash_password(password).await?;
        self.store.create_user(NewUser { email: email.to_string(), name, role, password_hash }).await
    }

    /// Checks the email and password and opens a session. Wrong email, wrong password and
    /// deactivated account all answer [`Error::BadCredentials`].
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: Option<ClientAddr>,
        user_agent: Option<&str>,
    ) -> Result<(Caller, SessionToken)> {
        let account = email.trim().to_lowercase();
        self.check_sign_in_limits(&account, client)?;
        if password.chars().count() > MAX_PASSWORD_CHARS {
            return Err(Error::BadCredentials);
        }
        let user = match EmailAddress::parse(&account) {
            Ok(email) => self.store.user_by_email(email.as_str()).await?,
            Err(_) => None,
        };
        let Some(user) = user else {
            verify_password(password, decoy_hash()).await?;
            return Err(Error::BadCredentials);
        };
        if !verify_password(password, &user.password_hash).await? || !user.active {
            return Err(Error::BadCredentials);
        }
        let token = SessionToken::generate();
        let expires_at = now_micros() + SESSION_DAYS * DAY;
        let user_agent = user_agent.map(|ua| ua.chars().take(300).collect::<String>());
        self.store
            .create_session(&token.hash(), user.id, expires_at, client.map(|c| c.0.to_string()), user_agent)
            .await?;
        tracing::info!(user = %user.id, "signed in");
        Ok((Caller::from(&user), token))
    }

    fn check_sign_in_limits(&self, account: &str, client: Option<ClientAddr>) -> Result<()> {
        let now = DefaultClock::default().now();
        let limited = |wait: Duration| Error::RateLimited { retry_after_secs: wait.as_secs().max(1) };
        if let Some(ClientAddr(ip)) = client {
            self.limiters.per_address.check_key(&ip).map_err(|n| limited(n.wait_time_from(now)))?;
        }
        let key = (account.to_string(), client.map(|c| c.0));
        self.limiters.per_account.check_key(&key).map_err(|n| limited(n.wait_time_from(now)))?;
        // Forget keys whose limit has fully recovered, so the maps cannot grow without end.
        if self.limiters.per_account.len() > 100_000 {
            self.limiters.per_account.retain_recent();
            self.limiters.per_address.retain_recent();
        }
        Ok(())
    }

    /// The signed-in user of a session token, if the session is valid.
    pub async fn session(&self, token: &SessionToken) -> Result<Option<Caller>> {
        Ok(self.store.session_user(&token.hash()).await?.as_ref().map(Caller::from))
    }

    /// Ends a session; its live sockets close.
    pub async fn sign_out(&self, token: &SessionToken) -> Result<()> {
        let user = self.store.session_user(&token.hash()).await?.map(|u| u.id);
        self.store.delete_session(&token.hash()).await?;
        if let Some(user) = user {
            self.live.publish(crate::live::Signal::Sessions { user }).await?;
        }
        Ok(())
    }

    /// Sets a new password and ends every session of the user, live sockets included.
    pub async fn set_password(&self, user: UserId, password: &str) -> Result<()> {
        check_new_password(password)?;
        let hash = hash_password(password).await?;
        self.store.set_password_hash(user, &hash).await?;
        self.live.publish(crate::live::Signal::Sessions { user }).await
    }
}
