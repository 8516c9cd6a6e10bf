//! The first run: a fresh server, with no one who can sign in, is claimed in the browser by
//! its first admin, who names the team and its language.
//!
//! A stranger who reaches a fresh server first must not claim it, so the set-up page asks for
//! a one-time code that only the operator sees: `sanduq serve` prints it at start and writes it
//! into the data folder ([`model::SETUP_CODE_FILE`]). The code lives in the database, so every
//! node of a team started on one empty database asks for the same one. Guesses are rate limited
//! like passwords. The claim itself is one transaction (`Store::claim_first_run`): of two racing
//! claims one wins, the other is refused and creates nothing.

use std::sync::atomic::{AtomicBool, Ordering};

use model::{EmailAddress, Field, Refusal};
use rand::Rng;

use crate::Backend;
use crate::access::Caller;
use crate::auth::{ClientAddr, SessionToken, check_new_password, hash_password, limited_as};
use crate::error::Result;
use crate::prefs::LOCALES;
use crate::store::{ClaimRefused, NewTeam, NewUser};

/// The letters of a set-up code: no 0/O, 1/I/L, so it can be read off a screen and typed.
const CODE_LETTERS: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// The longest team name, in characters.
pub const MAX_TEAM_NAME: usize = 80;

/// A one-time set-up code, such as `K7QX-M2RD-HT9B` (60 bits). Never logged by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct SetupCode(String);

impl std::fmt::Debug for SetupCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetupCode(<redacted>)")
    }
}

impl SetupCode {
    fn generate() -> SetupCode {
        let mut rng = rand::rngs::OsRng;
        let groups: Vec<String> = (0..3)
            .map(|_| (0..4).map(|_| char::from(CODE_LETTERS[rng.gen_range(0..CODE_LETTERS.len())])).collect())
            .collect();
        SetupCode(groups.join("-"))
    }

    /// The code as typed: any case, spaces and dashes anywhere.
    fn typed(text: &str) -> String {
        let letters: String =
            text.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
        letters.as_bytes().chunks(4).map(|g| String::from_utf8_lossy(g).into_owned()).collect::<Vec<_>>().join("-")
    }

    /// The code, to print for the operator.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the set-up page sends.
#[derive(Debug, Clone)]
pub struct FirstRun {
    pub code: String,
    pub team: String,
    pub name: String,
    pub email: String,
    pub password: String,
    /// `en`, `ar` or `fa`: the first admin's language and the team's.
    pub locale: String,
}

/// Whether the first run is done, once known: it never comes undone, so pages stop asking the
/// database.
#[derive(Debug, Default)]
pub(crate) struct SetUp(AtomicBool);

impl Backend {
    /// The set-up code to print at start, when the database has no one who can sign in;
    /// `None` otherwise. The same code until the team is set up, however often it is asked.
    pub async fn prepare_first_run(&self) -> Result<Option<SetupCode>> {
        let code = self.store.first_run_code(SetupCode::generate().as_str()).await?;
        if code.is_none() {
            self.set_up.0.store(true, Ordering::Relaxed);
        }
        Ok(code.map(SetupCode))
    }

    /// Whether this server still waits for its first admin (the set-up page is open).
    pub async fn first_run_pending(&self) -> Result<bool> {
        if self.set_up.0.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let pending = self.store.first_run_pending().await?;
        if !pending {
            self.set_up.0.store(true, Ordering::Relaxed);
        }
        Ok(pending)
    }

    /// Sets the team up and signs its first admin in. Refused, creating nothing, once the team
    /// is set up, for a wrong code, or for a field that breaks its rule (in words).
    pub async fn set_up_team(
        &self,
        form: FirstRun,
        client: Option<ClientAddr>,
        user_agent: Option<&str>,
    ) -> Result<(Caller, SessionToken)> {
        let key = ("first run".to_string(), client.map(|c| limited_as(c.0)));
        self.check_sign_in_limits(&key)?;
        if !self.first_run_pending().await? {
            return Err(Refusal::AlreadySetUp.into());
        }
        let team = model::text::one_line(&form.team, MAX_TEAM_NAME)
            .map_err(|fault| Refusal::Text { field: Field::TeamName, fault })?;
        let name = model::text::one_line(&form.name, 100)
            .map_err(|fault| Refusal::Text { field: Field::PersonName, fault })?;
        let email = EmailAddress::parse(&form.email).map_err(|_| Refusal::NotAnEmail { text: form.email.clone() })?;
        if !LOCALES.contains(&form.locale.as_str()) {
            return Err(Refusal::UnknownLanguage { text: form.locale }.into());
        }
        check_new_password(&form.password, &[email.as_str(), &name, &team])?;
        let password_hash = hash_password(&form.password).await?;
        let admin = NewUser { email: email.to_string(), name, role: model::Role::Admin, password_hash };
        let code = SetupCode::typed(&form.code);
        let team = NewTeam { name: team, locale: form.locale };
        match self.store.claim_first_run(&code, team, admin).await? {
            Ok(user) => {
                self.set_up.0.store(true, Ordering::Relaxed);
                tracing::info!(user = %user.id, "the team is set up");
                self.open_session(&user, client, user_agent).await
            }
            Err(ClaimRefused::AlreadySetUp) => {
                self.set_up.0.store(true, Ordering::Relaxed);
                Err(Refusal::AlreadySetUp.into())
            }
            Err(ClaimRefused::WrongCode) => {
                self.count_failure(key);
                Err(Refusal::WrongSetupCode.into())
            }
        }
    }

    /// The checklist of a new team's first steps, for admins while a step is left; `None` for
    /// everyone else, and once every step is done.
    pub async fn first_steps(&self, caller: &Caller) -> Result<Option<model::FirstSteps>> {
        if caller.role != model::Role::Admin {
            return Ok(None);
        }
        let steps = self.store.first_steps(caller.id).await?;
        Ok((!steps.all_done()).then_some(steps))
    }

    /// Where `/` leads the caller: the view of the inbox most worth opening (Mine when they
    /// have conversations, else Unassigned), or `None` for the home page while an admin has
    /// first steps left.
    pub async fn home_view(&self, caller: &Caller) -> Result<Option<model::InboxView>> {
        if self.first_steps(caller).await?.is_some() {
            return Ok(None);
        }
        let counts = self.store.view_counts(caller.mailbox_scope(), caller.id).await?;
        Ok(Some(if counts.mine > 0 { model::InboxView::Mine } else { model::InboxView::Unassigned }))
    }

    /// The team's name; empty when its first admin came from the command line.
    pub async fn team_name(&self) -> Result<String> {
        self.store.team_name().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_three_groups_of_readable_letters() {
        let code = SetupCode::generate();
        let groups: Vec<&str> = code.as_str().split('-').collect();
        assert_eq!(groups.len(), 3);
        assert!(groups.iter().all(|g| g.len() == 4 && g.bytes().all(|b| CODE_LETTERS.contains(&b))));
        assert_ne!(SetupCode::generate(), code, "codes are random");
        assert_eq!(format!("{code:?}"), "SetupCode(<redacted>)");
    }

    #[test]
    fn a_code_is_read_as_typed_in_any_case_with_or_without_dashes() {
        assert_eq!(SetupCode::typed("k7qx m2rd-ht9b "), "K7QX-M2RD-HT9B");
        assert_eq!(SetupCode::typed("K7QXM2RDHT9B"), "K7QX-M2RD-HT9B");
        assert_eq!(SetupCode::typed("K7QX-M2RD-HT9B"), "K7QX-M2RD-HT9B");
    }
}
