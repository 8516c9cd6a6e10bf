//! Sign-in, sessions and passwords.
//!
//! Passwords are hashed with argon2id on the blocking pool (hashing takes tens of
//! milliseconds and must not stall the async workers). A session is a random token in an
//! HttpOnly cookie; the store keeps only its SHA-256. Sign-in is rate limited before any
//! password is checked, so the limit also caps the CPU an attacker can make us spend on
//! hashing. Two limits: attempts per client address (one address cannot try account after
//! account), and *failed* attempts per account from one client address. A stranger guessing
//! Sara's password elsewhere uses up only their own attempts, never Sara's, so the rightful
//! owner is not locked out; and Sara signing in again and again (tabs, devices, tests) is never
//! refused for succeeding.

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
use model::{EmailAddress, Refusal, Role, UserId};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::Backend;
use crate::access::Caller;
use crate::error::{Error, Result};
use crate::store::{NewUser, User};
use crate::time::{DAY, now_micros};
pub use crate::two_factor::SignedIn;

/// How long a session lasts.
pub const SESSION_DAYS: i64 = 30;
/// A session's "last seen" is written at most this often (microseconds).
const SEEN_EVERY: i64 = 60 * 1_000_000;
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
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

    pub(crate) fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

/// The secret in a link sent by mail (an invitation, a password reset). Never logged; only
/// its SHA-256 is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToken(String);

impl fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkToken(<redacted>)")
    }
}

impl LinkToken {
    pub(crate) fn generate() -> LinkToken {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        LinkToken(hex::encode(bytes))
    }

    /// Takes a token from a link. Anything that is not 64 hex digits is no token.
    pub fn from_link(text: &str) -> Option<LinkToken> {
        (text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())).then(|| LinkToken(text.to_ascii_lowercase()))
    }

    /// The text to put in the link (or, for a sign-in waiting for its code, the cookie).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

/// How many sign-in attempts are allowed before the limit trips.
#[derive(Debug, Clone, Copy)]
pub struct SignInLimits {
    /// Failed attempts for one account from one client address in a burst, then one more per
    /// `account_period`. A right password forgets that client's failures.
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

/// The sign-in rate limiters: failures per account from one client address, attempts per
/// client address, and wrong two-factor codes per person. In memory: each node counts its
/// own attempts.
pub(crate) struct SignInLimiters {
    per_account: FailureLimiter,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    /// Wrong codes per person from anywhere; a right password does not forget them (it is
    /// what an attacker has), only a right code does.
    pub(crate) codes: FailureLimiter,
}

/// Wrong two-factor codes a person may have in a burst, then one more per
/// [`CODE_PERIOD`]: a six-digit code (three right at a time) would take years to guess.
const CODE_BURST: u32 = 10;
const CODE_PERIOD: Duration = Duration::from_secs(90);

impl SignInLimiters {
    pub(crate) fn new(limits: SignInLimits) -> SignInLimiters {
        SignInLimiters {
            per_account: FailureLimiter::new(limits.account_burst, limits.account_period),
            per_address: DefaultKeyedRateLimiter::keyed(quota(limits.address_burst, limits.address_period)),
            codes: FailureLimiter::new(CODE_BURST, CODE_PERIOD),
        }
    }
}

/// One account as tried from one client address (see [`limited_as`]).
pub(crate) type FailureKey = (String, Option<IpAddr>);

/// The address a client is limited as. An IPv6 client usually holds a whole /64 and can pick
/// any address in it, so the /64 counts as one client; IPv4 addresses count one by one.
pub(crate) fn limited_as(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        v4 => v4,
    }
}

/// Failed sign-ins per key: a bucket of `burst` failures that drains one every `period`.
/// governor counts every attempt it is asked about, so it cannot count failures alone; this
/// is the same leaky bucket, filled only by failures.
pub(crate) struct FailureLimiter {
    burst: f64,
    period: Duration,
    /// Failures still counted, as of the instant beside them.
    counted: std::sync::Mutex<std::collections::HashMap<FailureKey, (f64, std::time::Instant)>>,
}

impl FailureLimiter {
    fn new(burst: u32, period: Duration) -> FailureLimiter {
        FailureLimiter {
            burst: f64::from(burst.max(1)),
            period: period.max(Duration::from_millis(1)),
            counted: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// The failures of `entry` still counted at `now`.
    fn drained(&self, entry: (f64, std::time::Instant), now: std::time::Instant) -> f64 {
        let drained = now.saturating_duration_since(entry.1).as_secs_f64() / self.period.as_secs_f64();
        (entry.0 - drained).max(0.0)
    }

    /// How long `key` must wait before it may try again, if it has no try left.
    pub(crate) fn wait(&self, key: &FailureKey) -> Option<Duration> {
        let now = std::time::Instant::now();
        let counted = self.counted.lock().ok()?;
        let left = self.drained(*counted.get(key)?, now);
        (left + 1.0 > self.burst).then(|| self.period.mul_f64(left + 1.0 - self.burst))
    }

    /// Counts a failure of `key`.
    pub(crate) fn failed(&self, key: FailureKey) {
        let now = std::time::Instant::now();
        let Ok(mut counted) = self.counted.lock() else { return };
        // Forget keys that have fully drained, so the map cannot grow without end.
        if counted.len() > 100_000 {
            counted.retain(|_, entry| self.drained(*entry, now) > 0.0);
        }
        let left = counted.get(&key).map(|entry| self.drained(*entry, now)).unwrap_or(0.0);
        counted.insert(key, (left + 1.0, now));
    }

    /// A right password from `key`: its failures no longer count.
    pub(crate) fn succeeded(&self, key: &FailureKey) {
        if let Ok(mut counted) = self.counted.lock() {
            counted.remove(key);
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

/// Checks a new password: its length, then that it is not one of the most common passwords
/// nor made of them, of common words and names, keyboard runs, dates, or the person's own
/// `known` words (their email, their name). zxcvbn ranks it against those lists; a password
/// it would guess in under 10^8 tries (score below 3) is refused, whatever its length.
pub fn check_new_password(password: &str, known: &[&str]) -> Result<()> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(Refusal::PasswordTooShort { min: MIN_PASSWORD_CHARS }.into());
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(Refusal::PasswordTooLong { max: MAX_PASSWORD_CHARS }.into());
    }
    // The address's parts count as words of the person too (`omar.haddad@shop.test`).
    let parts: Vec<&str> = known.iter().flat_map(|k| k.split(['@', '.', ' ', '-', '_', '+'])).collect();
    let inputs: Vec<&str> = known.iter().copied().chain(parts).filter(|w| w.chars().count() > 2).collect();
    if zxcvbn::zxcvbn(password, &inputs).score() < zxcvbn::Score::Three {
        return Err(Refusal::PasswordCommon.into());
    }
    Ok(())
}

impl Backend {
    /// Creates a user after checking every field. Used by the CLI and by admins.
    pub async fn add_user(&self, email: &str, name: &str, role: Role, password: &str) -> Result<User> {
        let email = EmailAddress::parse(email).map_err(|_| Refusal::NotAnEmail { text: email.to_string() })?;
        let name = model::text::one_line(name, 100)
            .map_err(|fault| model::Refusal::Text { field: model::Field::PersonName, fault })?;
        check_new_password(password, &[email.as_str(), &name])?;
        let password_hash = hash_password(password).await?;
        let email = email.to_string();
        self.store.create_user(NewUser { email: email.clone(), name, role, password_hash }).await.map_err(|e| match e {
            Error::Conflict(_) => Refusal::EmailTaken { email }.into(),
            other => other,
        })
    }

    /// Checks the email and password and opens a session, or, for a person with two-factor
    /// sign-in, a sign-in that waits for their code. Wrong email, wrong password and
    /// deactivated account all answer [`Error::BadCredentials`].
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: Option<ClientAddr>,
        user_agent: Option<&str>,
    ) -> Result<SignedIn> {
        let account = email.trim().to_lowercase();
        let key = (account.clone(), client.map(|c| limited_as(c.0)));
        self.check_sign_in_limits(&key)?;
        let result = self.check_credentials(&account, password).await;
        match &result {
            Ok(_) => self.limiters.per_account.succeeded(&key),
            Err(Error::BadCredentials) => self.limiters.per_account.failed(key),
            Err(_) => {}
        }
        let user = result?;
        if user.two_factor {
            return Ok(SignedIn::NeedsCode(self.challenge(user.id).await?));
        }
        let (caller, token) = self.open_session(&user, client, user_agent).await?;
        Ok(SignedIn::Session(caller, token))
    }

    /// Opens a session for `user`, who has just proved who they are.
    pub(crate) async fn open_session(
        &self,
        user: &User,
        client: Option<ClientAddr>,
        user_agent: Option<&str>,
    ) -> Result<(Caller, SessionToken)> {
        let token = SessionToken::generate();
        let expires_at = now_micros() + SESSION_DAYS * DAY;
        let user_agent = user_agent.map(|ua| ua.chars().take(300).collect::<String>());
        self.store
            .create_session(&token.hash(), user.id, expires_at, client.map(|c| c.0.to_string()), user_agent)
            .await?;
        tracing::info!(user = %user.id, "signed in");
        Ok((Caller::from(user), token))
    }

    /// The active user with this email and password; [`Error::BadCredentials`] otherwise.
    async fn check_credentials(&self, account: &str, password: &str) -> Result<User> {
        if password.chars().count() > MAX_PASSWORD_CHARS {
            return Err(Error::BadCredentials);
        }
        let user = match EmailAddress::parse(account) {
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
        Ok(user)
    }

    pub(crate) fn check_sign_in_limits(&self, key: &FailureKey) -> Result<()> {
        let limited = |wait: Duration| Error::RateLimited { retry_after_secs: wait.as_secs().max(1) };
        if let Some(ip) = key.1 {
            let now = DefaultClock::default().now();
            self.limiters.per_address.check_key(&ip).map_err(|n| limited(n.wait_time_from(now)))?;
            // Forget addresses whose limit has fully recovered, so the map cannot grow without end.
            if self.limiters.per_address.len() > 100_000 {
                self.limiters.per_address.retain_recent();
            }
        }
        match self.limiters.per_account.wait(key) {
            Some(wait) => Err(limited(wait)),
            None => Ok(()),
        }
    }

    /// Counts a wrong guess from `key` (a password, a set-up code) against its limit.
    pub(crate) fn count_failure(&self, key: FailureKey) {
        self.limiters.per_account.failed(key);
    }

    /// The signed-in user of a session token, if the session is valid.
    /// Notes when it was used, at most once a minute.
    pub async fn session(&self, token: &SessionToken) -> Result<Option<Caller>> {
        let Some(found) = self.store.session(&token.hash()).await? else {
            return Ok(None);
        };
        if now_micros() - found.last_seen_at > SEEN_EVERY {
            // Only a note for the sessions list: a busy database must not refuse the request.
            if let Err(e) = self.store.touch_session(&token.hash()).await {
                tracing::warn!(error = %e, "could not note when a session was last used");
            }
        }
        let mut caller = Caller::from(&found.user);
        caller.must_enrol = found.team_requires_two_factor && !found.user.two_factor;
        Ok(Some(caller))
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
        let person = self.store.user(user).await?;
        check_new_password(password, &[&person.email, &person.name])?;
        let hash = hash_password(password).await?;
        self.store.set_password_hash(user, &hash).await?;
        self.live.publish(crate::live::Signal::Sessions { user }).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(account: &str, ip: [u8; 4]) -> FailureKey {
        (account.to_string(), Some(IpAddr::from(ip)))
    }

    #[test]
    fn only_failures_count_and_a_right_password_forgets_them() {
        let limiter = FailureLimiter::new(2, Duration::from_secs(60));
        let (stranger, owner) = (key("sara@shop.test", [192, 0, 2, 1]), key("sara@shop.test", [192, 0, 2, 2]));
        assert_eq!(limiter.wait(&stranger), None);
        limiter.failed(stranger.clone());
        assert_eq!(limiter.wait(&stranger), None, "one failure of two allowed");
        limiter.failed(stranger.clone());
        let wait = limiter.wait(&stranger).expect("no try left");
        assert!(wait > Duration::from_secs(55) && wait <= Duration::from_secs(60), "{wait:?}");
        assert_eq!(limiter.wait(&owner), None, "another address is not touched");
        limiter.failed(owner.clone());
        limiter.succeeded(&owner);
        limiter.failed(owner.clone());
        assert_eq!(limiter.wait(&owner), None, "the success forgot the failure before it");
    }

    #[test]
    fn an_ipv6_client_is_limited_by_its_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(limited_as(a), limited_as(b));
        assert_ne!(limited_as(a), limited_as(other));
        let v4: IpAddr = "192.0.2.7".parse().expect("ip");
        assert_eq!(limited_as(v4), v4);
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().expect("ip");
        assert_eq!(limited_as(mapped), v4);
    }

    #[test]
    fn a_new_password_is_long_and_not_a_common_one() {
        let refused = |p: &str, known: &[&str]| match check_new_password(p, known) {
            Err(Error::Refused(r)) => Some(r),
            _ => None,
        };
        assert_eq!(refused("short", &[]), Some(Refusal::PasswordTooShort { min: 10 }));
        for common in ["1234567890", "password123", "qwertyuiop", "iloveyou12", "1q2w3e4r5t6y", "aaaaaaaaaaaa"] {
            assert_eq!(refused(common, &[]), Some(Refusal::PasswordCommon), "{common}");
        }
        assert_eq!(
            refused("haddad.omar", &["omar.haddad@shop.test", "Omar Haddad"]),
            Some(Refusal::PasswordCommon),
            "made of the person's own name"
        );
        for fine in ["correct horse battery", "كلمة سر طويلة جدا", "Tq7#vLp2-xK9m", "sanduq-demo"] {
            assert_eq!(refused(fine, &["sara@shop.test"]), None, "{fine}");
        }
        assert_eq!(refused(&"x".repeat(MAX_PASSWORD_CHARS + 1), &[]), Some(Refusal::PasswordTooLong { max: 1024 }));
    }

    #[test]
    fn a_link_token_is_64_hex_digits_and_never_printed() {
        let token = LinkToken::generate();
        assert_eq!(LinkToken::from_link(token.as_str()), Some(token.clone()));
        assert_eq!(LinkToken::from_link(&token.as_str().to_uppercase()), Some(token.clone()));
        assert_eq!(LinkToken::from_link("abc"), None);
        assert_eq!(LinkToken::from_link(&"g".repeat(64)), None);
        assert_eq!(format!("{token:?}"), "LinkToken(<redacted>)");
    }

    #[test]
    fn failures_drain_with_time() {
        let limiter = FailureLimiter::new(1, Duration::from_millis(40));
        let k = key("omar@shop.test", [192, 0, 2, 3]);
        limiter.failed(k.clone());
        assert!(limiter.wait(&k).is_some());
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(limiter.wait(&k), None);
    }
}
