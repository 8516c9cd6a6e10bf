//! The email channel: IMAP in, SMTP out, and everything between.
//!
//! In: [`imap`] fetches new mail read-only and stores the raw bytes ([`blobs`]) before a
//! folder's last UID moves; [`ingest`] parses ([`parse`]), sanitizes ([`sanitize`]) and stores
//! each mail once, threaded ([`thread`]) into its conversation. Out: [`compose`] renders a
//! reply to its final bytes when it is written, and [`send`] delivers exactly those bytes.
//! [`workers`] runs both for every configured mailbox. [`check`] answers "Test connection".

pub mod blobs;
pub mod check;
pub mod compose;
pub mod imap;
pub mod ingest;
pub mod net;
pub mod parse;
pub mod sanitize;
pub mod send;
pub mod thread;
pub mod workers;

pub use blobs::Blobs;
pub use ingest::{Ingest, IngestReport};
pub use workers::{MailOptions, Workers};
