//! Sanduq's backend: the store, the domain rules, sign-in and sessions.
//!
//! Nothing here knows about Leptos or HTTP. The app's server functions and the server's
//! handlers call [`Backend`] with a [`Caller`] (who is asking), and every rule about who may
//! see or change what is enforced here, where it can be tested without a browser.

#![deny(clippy::unwrap_used)]

pub mod access;
pub mod auth;
pub mod demo;
pub mod error;
pub mod events;
pub mod files;
pub mod first_run;
pub mod invitations;
pub mod live;
pub mod mail;
pub mod mail_admin;
pub mod mail_settings;
pub mod password_reset;
pub mod prefs;
pub mod secret;
pub mod security;
pub mod settings;
pub mod store;
pub mod system_mail;
#[doc(hidden)]
pub mod testing;
pub mod time;
pub mod two_factor;
pub mod work;

pub use access::{Caller, OpenedConversation, Refine, Sidebar};
pub use auth::{ClientAddr, SessionToken, SignInLimits};
pub use error::{Error, Result};
pub use secret::SecretKey;
pub use store::Store;

use std::fmt;
use std::sync::Arc;

/// How long a reply waits before it leaves unless configured (`SANDUQ_UNDO_SECS`).
pub const DEFAULT_UNDO_SECS: u64 = 10;

/// The backend: the store plus the rules, and what the rules need to remember (the sign-in
/// rate limiters). Cheap to clone. Its operations live with the rules they apply:
/// sign-in and sessions in [`auth`], who may see what in [`access`].
#[derive(Clone)]
pub struct Backend {
    pub store: Store,
    limiters: Arc<auth::SignInLimiters>,
    /// The limits on asking for password reset links.
    resets: Arc<password_reset::ResetLimiters>,
    /// Whether the team is known to be set up (see `first_run`).
    set_up: Arc<first_run::SetUp>,
    /// How long a reply waits before it leaves, so the agent can undo it.
    pub undo_send: std::time::Duration,
    /// Seals and opens the mail servers' passwords.
    secret: SecretKey,
    /// Raw mails and attachments, where the server keeps them.
    pub blobs: Option<mail::Blobs>,
    /// Carries changes and presence to the open tabs of every node.
    pub live: live::Bus,
    /// The address people reach the app at (`SANDUQ_PUBLIC_URL`), for the links in system mail.
    pub public_url: String,
}

impl Backend {
    /// A backend over `store` with the default sign-in limits.
    pub fn new(store: Store) -> Backend {
        Backend::with_limits(store, SignInLimits::default())
    }

    /// A backend over `store` with the given sign-in limits.
    pub fn with_limits(store: Store, limits: SignInLimits) -> Backend {
        Backend {
            live: live::Bus::new(store.clone()),
            store,
            limiters: Arc::new(auth::SignInLimiters::new(limits)),
            resets: Arc::new(password_reset::ResetLimiters::new()),
            set_up: Arc::default(),
            undo_send: std::time::Duration::from_secs(DEFAULT_UNDO_SECS),
            secret: SecretKey::generate(),
            blobs: None,
            public_url: "http://127.0.0.1:3000".to_string(),
        }
    }

    /// The same backend reached by people at `url` (the links in system mail point there).
    pub fn with_public_url(mut self, url: &str) -> Backend {
        self.public_url = url.trim_end_matches('/').to_string();
        self
    }

    /// The same backend reading attachments from `blobs`.
    pub fn with_blobs(mut self, blobs: mail::Blobs) -> Backend {
        self.blobs = Some(blobs);
        self
    }

    /// The same backend sealing passwords with the instance's `secret` key (the server always
    /// sets it; without it passwords saved in Settings are sealed with a key of this process).
    pub fn with_secret(mut self, secret: SecretKey) -> Backend {
        self.secret = secret;
        self
    }

    /// The same backend with replies waiting `undo` before they leave.
    pub fn with_undo_send(mut self, undo: std::time::Duration) -> Backend {
        self.undo_send = undo;
        self
    }
}

impl fmt::Debug for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backend").field("store", &self.store).finish_non_exhaustive()
    }
}
