//! The backend's one error type.
//!
//! Each variant says what went wrong in terms a caller can act on; the app maps them to HTTP
//! statuses and words. `NotFound` is also the answer for things that exist but belong to a
//! mailbox the caller is not in, so a foreign id reveals nothing.

/// What a backend operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing does not exist, or the caller may not see it.
    #[error("not found")]
    NotFound,
    /// The input is wrong, for a typed reason the app words in the reader's language.
    #[error("{0}")]
    Refused(#[from] model::Refusal),
    /// The input is wrong; the text says how, in English (the CLI, and the refusals not yet
    /// typed as a [`model::Refusal`]).
    #[error("{0}")]
    Invalid(String),
    /// A mail's bytes cannot become a conversation, for a reason trying again cannot change
    /// (the parser's verdict).
    #[error("{0}")]
    NotAMail(model::SetAside),
    /// The change clashes with what is stored (a taken email, a duplicate name).
    #[error("{0}")]
    Conflict(String),
    /// A reply was written against an older state of the conversation: someone added to it
    /// since (`seq` is its number now). Nothing was sent.
    #[error("someone else added to this conversation while you were writing; read it, then send anyway or edit")]
    Stale { seq: i64 },
    /// No valid session.
    #[error("sign in to continue")]
    Unauthenticated,
    /// Signed in, but the role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// Wrong email or password. One message for both, so accounts cannot be probed.
    #[error("wrong email or password")]
    BadCredentials,
    /// Too many sign-in attempts from this address, for this account or for any.
    #[error("too many sign-in attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    /// A mail server failed or refused, for a typed reason an admin can act on.
    #[error("{0}")]
    Remote(model::MailFault),
    /// The database failed. Logged, never shown in detail.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A bug or an impossible state. Logged, never shown in detail.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The backend's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Turns a unique-constraint violation into a [`Error::Conflict`] with `message`; other
    /// database errors stay as they are.
    pub fn unique_as_conflict(err: sqlx::Error, message: impl Into<String>) -> Error {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => Error::Conflict(message.into()),
            _ => Error::Database(err),
        }
    }
}
