//! Two-factor sign-in with TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, one step
//! of clock drift either way), and one-time recovery codes.
//!
//! Turning it on: [`Backend::begin_two_factor`] makes a secret (sealed with the instance's
//! key, like mailbox passwords) and answers it as text and as a QR code;
//! [`Backend::confirm_two_factor`] takes a first right code, turns it on and answers ten
//! recovery codes, shown once (only their SHA-256 is stored).
//!
//! Signing in: a right password for a person with two-factor on opens no session but a
//! [`Challenge`], a few minutes and a few tries long; [`Backend::sign_in_code`] takes a code
//! from the app or a recovery code. Each time step's code works once (the last step used is
//! stored), each recovery code works once, and wrong codes count against the same
//! per-account limit as wrong passwords.

use model::{Refusal, TwoFactorSetup, UserId};
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};

use crate::Backend;
use crate::access::Caller;
use crate::auth::{ClientAddr, LinkToken, SessionToken, limited_as};
use crate::error::{Error, Result};
use crate::time::now_micros;

/// Seconds a code lasts.
pub const STEP_SECS: u64 = 30;
/// Digits in a code.
pub const DIGITS: usize = 6;
/// How many recovery codes a person gets.
pub const RECOVERY_CODES: usize = 10;
/// How long a sign-in waits for its code.
pub const CHALLENGE_MINUTES: i64 = 5;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
const SECRET_BYTES: usize = 20;

/// A sign-in whose password was right, waiting for its code; kept in a short cookie.
pub type Challenge = LinkToken;

/// What a right password leads to.
#[derive(Debug)]
pub enum SignedIn {
    /// A session: the person has no second factor.
    Session(Caller, SessionToken),
    /// A code is wanted next.
    NeedsCode(Challenge),
}

impl SignedIn {
    /// The session, when no code is wanted.
    pub fn session(self) -> Option<(Caller, SessionToken)> {
        match self {
            SignedIn::Session(caller, token) => Some((caller, token)),
            SignedIn::NeedsCode(_) => None,
        }
    }
}

/// The generator for `secret`, checking one step at a time (drift is allowed by
/// [`matching_step`], which needs to know the step that matched).
fn totp(secret: Vec<u8>) -> Result<TOTP> {
    TOTP::new(Algorithm::SHA1, DIGITS, 0, STEP_SECS, secret)
        .map_err(|e| Error::Invalid(format!("a two-factor secret cannot be used: {e}")))
}

/// The time step (of [`STEP_SECS`]) in which `code` is right for `secret` at `at` (Unix
/// seconds), allowing one step of drift either way; `None` when it is right in none.
pub fn matching_step(secret: &[u8], code: &str, at: u64) -> Result<Option<i64>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret.to_vec())?;
    let now = at / STEP_SECS;
    for step in [now.saturating_sub(1), now, now + 1] {
        // `check` compares in constant time.
        if totp.check(&code, step * STEP_SECS) {
            return Ok(i64::try_from(step).ok());
        }
    }
    Ok(None)
}

/// The code for `secret` at `at` (Unix seconds): what the person's app shows then.
pub fn code_at(secret: &[u8], at: u64) -> Result<String> {
    Ok(totp(secret.to_vec())?.generate(at))
}

/// The secret's bytes from its text as shown (base32, spaces allowed), as an app reads it.
pub fn key_bytes(shown: &str) -> Option<Vec<u8>> {
    let text: String = shown.chars().filter(|c| !c.is_whitespace()).collect();
    totp_rs::Secret::Encoded(text.to_ascii_uppercase()).to_bytes().ok()
}

/// A recovery code as typed: lower case, without spaces or dashes.
fn recovery_hash(code: &str) -> [u8; 32] {
    let plain: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    Sha256::digest(plain.as_bytes()).into()
}

/// Ten new recovery codes (`abcde-fghij`, 50 random bits each) and their hashes.
fn new_recovery_codes() -> (Vec<String>, Vec<[u8; 32]>) {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut bytes = [0u8; 10];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let letters: String = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
        codes.push(format!("{}-{}", &letters[..5], &letters[5..]));
    }
    let hashes = codes.iter().map(|c| recovery_hash(c)).collect();
    (codes, hashes)
}

/// Unix seconds now.
fn now_secs() -> u64 {
    u64::try_from(now_micros() / 1_000_000).unwrap_or(0)
}

/// The secret as people type it: base32 in groups of four.
fn grouped(base32: &str) -> String {
    let chars: Vec<char> = base32.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// The QR code of `text` as SVG markup.
fn qr_svg(text: &str) -> Result<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| Error::Invalid(format!("QR code: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build())
}

impl Backend {
    /// Begins turning on two-factor sign-in for the caller: a new secret, as text, as an
    /// `otpauth://` link and as its QR code. Beginning again replaces a secret not yet
    /// confirmed; while two-factor is on, it is refused.
    pub async fn begin_two_factor(&self, caller: &Caller) -> Result<TwoFactorSetup> {
        let mut secret = [0u8; SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let base32 = totp(secret.to_vec())?.get_secret_base32();
        self.store.begin_totp(caller.id, &self.secret.seal(&base32)).await?;
        let team = self.store.team_name().await?;
        let issuer = if team.trim().is_empty() { "Sanduq".to_string() } else { format!("{team} (Sanduq)") };
        let mut uri = url::Url::parse("otpauth://totp/").map_err(|e| Error::Invalid(e.to_string()))?;
        uri.set_path(&format!("{issuer}:{}", caller.email));
        uri.query_pairs_mut()
            .append_pair("secret", &base32)
            .append_pair("issuer", &issuer)
            .append_pair("algorithm", "SHA1")
            .append_pair("digits", &DIGITS.to_string())
            .append_pair("period", &STEP_SECS.to_string());
        let uri = uri.to_string();
        Ok(TwoFactorSetup { secret: grouped(&base32), qr_svg: qr_svg(&uri)?, uri })
    }

    /// Turns two-factor on with a first right code; answers the recovery codes, shown once.
    pub async fn confirm_two_factor(&self, caller: &Caller, code: &str) -> Result<Vec<String>> {
        self.confirm_two_factor_at(caller, code, now_secs()).await
    }

    /// [`Backend::confirm_two_factor`] at `at` (Unix seconds), for tests with a fixed clock.
    pub async fn confirm_two_factor_at(&self, caller: &Caller, code: &str, at: u64) -> Result<Vec<String>> {
        let state = self.store.totp(caller.id).await?.ok_or(Refusal::WrongCode)?;
        if state.enabled {
            return Err(Error::Conflict("two-factor sign-in is on already".into()));
        }
        let secret = self.open_secret(&state.sealed_secret)?;
        let step = matching_step(&secret, code, at)?.ok_or(Refusal::WrongCode)?;
        let (codes, hashes) = new_recovery_codes();
        if !self.store.enable_totp(caller.id, step, &hashes).await? {
            return Err(Refusal::WrongCode.into());
        }
        tracing::info!(user = %caller.id, "two-factor sign-in turned on");
        Ok(codes)
    }

    /// Turns the caller's two-factor off, with a right code (or recovery code) as proof.
    /// Refused while the team requires it.
    pub async fn disable_two_factor(&self, caller: &Caller, code: &str) -> Result<()> {
        if self.store.team_requires_two_factor().await? {
            return Err(Refusal::TwoFactorRequired.into());
        }
        if !self.check_code(caller.id, code, now_secs()).await? {
            return Err(Refusal::WrongCode.into());
        }
        self.store.clear_totp(caller.id, None).await
    }

    /// New recovery codes for the caller (the old ones stop working), with a right code as
    /// proof.
    pub async fn new_recovery_codes(&self, caller: &Caller, code: &str) -> Result<Vec<String>> {
        if !self.check_code(caller.id, code, now_secs()).await? {
            return Err(Refusal::WrongCode.into());
        }
        let (codes, hashes) = new_recovery_codes();
        self.store.replace_recovery_codes(caller.id, &hashes).await?;
        Ok(codes)
    }

    /// An admin turns off another person's two-factor (they lost their phone); recorded
    /// as a team event. They sign in with their password and set it up anew.
    /// Their sessions end too: whoever has the lost phone may have one. An admin's own
    /// two-factor is turned off with a code, like anyone's.
    pub async fn reset_two_factor(&self, admin: &Caller, user: UserId) -> Result<()> {
        admin.require_admin()?;
        if user == admin.id {
            return Err(Error::Forbidden);
        }
        self.store.user(user).await?;
        self.store.clear_totp(user, Some(admin.id)).await?;
        self.store.end_sessions(user, &[], &[]).await?;
        self.live.publish(crate::live::Signal::Sessions { user }).await?;
        tracing::info!(user = %user, by = %admin.id, "two-factor sign-in reset by an admin");
        Ok(())
    }

    /// Whether `code` is the person's code now (used up by this call) or one of their
    /// unused recovery codes (likewise). Every path that takes a code comes here, so wrong
    /// codes count against the person wherever they are typed, and past the limit
    /// ([`crate::auth`]'s `CODE_BURST`) no code is even looked at.
    async fn check_code(&self, user: UserId, code: &str, at: u64) -> Result<bool> {
        let key = (user.to_string(), None);
        if let Some(wait) = self.limiters.codes.wait(&key) {
            return Err(Error::RateLimited { retry_after_secs: wait.as_secs().max(1) });
        }
        let right = self.code_is_right(user, code, at).await?;
        if right {
            self.limiters.codes.succeeded(&key);
        } else {
            self.limiters.codes.failed(key);
        }
        Ok(right)
    }

    async fn code_is_right(&self, user: UserId, code: &str, at: u64) -> Result<bool> {
        let Some(state) = self.store.totp(user).await?.filter(|s| s.enabled) else {
            return Ok(false);
        };
        let secret = self.open_secret(&state.sealed_secret)?;
        if let Some(step) = matching_step(&secret, code, at)? {
            return self.store.use_totp_step(user, step).await;
        }
        let typed: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        if typed.len() == 10 {
            return self.store.use_recovery_code(user, &recovery_hash(code)).await;
        }
        Ok(false)
    }

    fn open_secret(&self, sealed: &[u8]) -> Result<Vec<u8>> {
        let base32 = self.secret.open(sealed).map_err(Error::Invalid)?;
        totp_rs::Secret::Encoded(base32).to_bytes().map_err(|e| Error::Invalid(format!("two-factor secret: {e:?}")))
    }

    /// A right password's next step for `user`: a waiting sign-in when they have
    /// two-factor on.
    pub(crate) async fn challenge(&self, user: UserId) -> Result<Challenge> {
        let challenge = Challenge::generate();
        let expires_at = now_micros() + CHALLENGE_MINUTES * 60 * 1_000_000;
        self.store.create_challenge(&challenge.hash(), user, expires_at).await?;
        Ok(challenge)
    }

    /// The second step of signing in: the code from the person's app, or a recovery code.
    /// A waiting sign-in that expired or ran out of tries answers
    /// [`Error::BadCredentials`] (sign in again); a wrong code [`Refusal::WrongCode`].
    pub async fn sign_in_code(
        &self,
        challenge: &Challenge,
        code: &str,
        client: Option<ClientAddr>,
        user_agent: Option<&str>,
    ) -> Result<(Caller, SessionToken)> {
        self.sign_in_code_at(challenge, code, client, user_agent, now_secs()).await
    }

    /// [`Backend::sign_in_code`] at `at` (Unix seconds), for tests with a fixed clock.
    pub async fn sign_in_code_at(
        &self,
        challenge: &Challenge,
        code: &str,
        client: Option<ClientAddr>,
        user_agent: Option<&str>,
        at: u64,
    ) -> Result<(Caller, SessionToken)> {
        let user = self.store.try_challenge(&challenge.hash()).await?.ok_or(Error::BadCredentials)?;
        let person = self.store.user(user).await?;
        if !person.active {
            return Err(Error::BadCredentials);
        }
        let key = (person.email.clone(), client.map(|c| limited_as(c.0)));
        self.check_sign_in_limits(&key)?;
        if !self.check_code(user, code, at).await? {
            return Err(Refusal::WrongCode.into());
        }
        // Two right codes at once (an app code and a recovery code) open one session.
        if !self.store.end_challenge(&challenge.hash()).await? {
            return Err(Error::BadCredentials);
        }
        self.open_session(&person, client, user_agent).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's SHA-1 secret, and its test vectors cut to six digits.
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_are_the_rfc_6238_test_vectors() {
        for (at, code) in
            [(59, "287082"), (1_111_111_109, "081804"), (1_234_567_890, "005924"), (2_000_000_000, "279037")]
        {
            assert_eq!(code_at(RFC_SECRET, at).expect("code"), code, "at {at}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_one_either_side() {
        let at = 1_234_567_890;
        let code = code_at(RFC_SECRET, at).expect("code");
        let step = i64::try_from(at / STEP_SECS).expect("step");
        assert_eq!(matching_step(RFC_SECRET, &code, at).expect("check"), Some(step));
        assert_eq!(matching_step(RFC_SECRET, &code, at + STEP_SECS).expect("check"), Some(step), "a step late");
        assert_eq!(matching_step(RFC_SECRET, &code, at - STEP_SECS).expect("check"), Some(step), "a step early");
        assert_eq!(matching_step(RFC_SECRET, &code, at + 3 * STEP_SECS).expect("check"), None, "too late");
        assert_eq!(matching_step(RFC_SECRET, "12345", at).expect("check"), None, "too short");
        assert_eq!(matching_step(RFC_SECRET, "abcdef", at).expect("check"), None, "not digits");
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(RFC_SECRET, &spaced, at).expect("check"), Some(step), "typed with a space");
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_typed_loosely() {
        let (codes, hashes) = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let distinct: std::collections::HashSet<_> = hashes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        assert!(codes.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
        assert_eq!(recovery_hash(&codes[0].to_uppercase().replace('-', " ")), hashes[0]);
    }

    #[test]
    fn the_secret_is_shown_in_groups_of_four() {
        assert_eq!(grouped("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
    }
}
