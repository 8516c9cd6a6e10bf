//! Sanduq's backend: the store, the domain rules, sign-in and sessions.
//!
//! Nothing here knows about Leptos or HTTP. The app's server functions and the server's
//! handlers call [`Backend`] with a [`Caller`] (who is asking), and every rule about who may
//! see or change what is enforced here, where it can be tested without a browser.

#![deny(clippy::unwrap_used)]

pub mod access;
pub mod auth;
pub mod error;
pub mod secret;
pub mod store;
#[doc(hidden)]
pub mod testing;
pub mod time;

pub use access::Caller;
pub use auth::{Backend, ClientAddr, SessionToken, SignInLimits};
pub use error::{Error, Result};
pub use secret::SecretKey;
pub use store::Store;
