//! A person's own account security, as Settings → Security shows it: whether two-factor
//! sign-in is on (and required), how many recovery codes are left, and every browser signed
//! in as them, with the address and the time it was last used; they can sign out one or all
//! the others.

use model::{SecurityView, SessionView};

use crate::Backend;
use crate::access::Caller;
use crate::auth::SessionToken;
use crate::error::{Error, Result};

/// The bytes of a session's token hash that name it in the list (its public reference).
const REFERENCE_BYTES: usize = 8;

/// What a User-Agent names, browser and system; empty where it names none.
fn device(user_agent: Option<&str>) -> (String, String) {
    let Some(found) = user_agent.and_then(|ua| woothee::parser::Parser::new().parse(ua)) else {
        return (String::new(), String::new());
    };
    let known = |s: &str| if s == woothee::woothee::VALUE_UNKNOWN { String::new() } else { s.to_string() };
    (known(found.name), known(found.os))
}

/// Which sessions to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndSessions {
    /// The one with this reference (from [`SessionView::id`]).
    One(String),
    /// Every one but the caller's.
    AllOthers,
}

impl Backend {
    /// The caller's account security; `current` is the session the request came with.
    pub async fn security(&self, caller: &Caller, current: &SessionToken) -> Result<SecurityView> {
        let me = self.store.user(caller.id).await?;
        let current = current.hash();
        let mut sessions: Vec<SessionView> = self
            .store
            .sessions_of(caller.id)
            .await?
            .into_iter()
            .map(|s| {
                let (browser, system) = device(s.user_agent.as_deref());
                SessionView {
                    id: hex::encode(&s.token_hash[..REFERENCE_BYTES.min(s.token_hash.len())]),
                    browser,
                    system,
                    address: s.client_ip,
                    signed_in_at: s.created_at,
                    last_seen_at: s.last_seen_at,
                    current: s.token_hash == current,
                }
            })
            .collect();
        sessions.sort_by_key(|s| !s.current);
        Ok(SecurityView {
            two_factor: me.two_factor,
            recovery_left: if me.two_factor { self.store.recovery_codes_left(caller.id).await? } else { 0 },
            required: self.store.team_requires_two_factor().await?,
            sessions,
            admin: caller.role == model::Role::Admin,
        })
    }

    /// Signs out the caller's other sessions, one or all; their live sockets close. The
    /// session the request came with is never ended here (signing out does that).
    pub async fn end_sessions(&self, caller: &Caller, current: &SessionToken, which: EndSessions) -> Result<()> {
        let prefix = match &which {
            EndSessions::One(reference) => {
                let bytes = hex::decode(reference).map_err(|_| Error::NotFound)?;
                if bytes.len() != REFERENCE_BYTES {
                    return Err(Error::NotFound);
                }
                bytes
            }
            EndSessions::AllOthers => Vec::new(),
        };
        let ended = self.store.end_sessions(caller.id, &prefix, &current.hash()).await?;
        if ended == 0 && matches!(which, EndSessions::One(_)) {
            return Err(Error::NotFound);
        }
        self.live.publish(crate::live::Signal::Sessions { user: caller.id }).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_its_browser_and_system() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/131.0.0.0 Safari/537.36";
        let (browser, system) = device(Some(chrome));
        assert_eq!(browser, "Chrome");
        assert!(system.starts_with("Windows"), "{system}");
        assert_eq!(device(None), (String::new(), String::new()));
        assert_eq!(device(Some("curl-ish/1")), (String::new(), String::new()));
    }
}
