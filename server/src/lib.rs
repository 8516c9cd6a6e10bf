//! The `sanduq` process: command line, settings, the HTTP router and start-up.
//!
//! The binary in `main.rs` only parses the command line and calls [`cli::run`]; everything
//! else is here so integration tests can start a real server in-process with
//! [`startup::spawn`] on a port of its own.

#![deny(clippy::unwrap_used)]

pub mod cli;
pub mod config;
pub mod http;
pub mod startup;
#[doc(hidden)]
pub mod testing;

pub use config::{Config, Settings};
