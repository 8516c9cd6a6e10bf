//! The team's audit trail as stored (`team_events`): one row per change to the team's people,
//! mailboxes and sign-in rules, written inside the transaction of the change itself, so a
//! change is never kept without its entry or its entry without the change.

use model::{MailboxId, TeamChange, TeamEvent, UserId};
use uuid::Uuid;

use super::{ArgumentsOf, EngineOf, Store, new_id, with_reader};
use crate::error::Result;

/// One entry to write: what was done, by whom, to whom or to which mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamEntry {
    pub change: TeamChange,
    /// `None` for the command line or the server itself.
    pub actor: Option<UserId>,
    pub user: Option<UserId>,
    pub mailbox: Option<MailboxId>,
}

impl TeamEntry {
    /// An entry by `actor` (`None`: the command line) about no one in particular.
    pub fn by(actor: impl Into<Option<UserId>>, change: TeamChange) -> TeamEntry {
        TeamEntry { change, actor: actor.into(), user: None, mailbox: None }
    }

    /// The entry, about this person.
    pub fn user(self, user: UserId) -> TeamEntry {
        TeamEntry { user: Some(user), ..self }
    }

    /// The entry, about this mailbox.
    pub fn mailbox(self, mailbox: MailboxId) -> TeamEntry {
        TeamEntry { mailbox: Some(mailbox), ..self }
    }
}

/// Writes an entry inside a write transaction of either engine (`tx.record_team(...)` in
/// [`super::with_tx!`]).
pub(super) trait TeamRows {
    async fn record_team(&mut self, entry: &TeamEntry, at: i64) -> Result<()>;
}

impl<C> TeamRows for C
where
    C: sqlx::Connection,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = EngineOf<C>>,
    for<'q> ArgumentsOf<'q, C>: sqlx::IntoArguments<'q, EngineOf<C>>,
    for<'q> Uuid: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> Option<Uuid>: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> i64: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> &'q str: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, EngineOf<C>> + sqlx::Type<EngineOf<C>>,
{
    async fn record_team(&mut self, entry: &TeamEntry, at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO team_events (id, at, actor_id, user_id, mailbox_id, kind, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(at)
        .bind(entry.actor.map(|a| a.0))
        .bind(entry.user.map(|u| u.0))
        .bind(entry.mailbox.map(|m| m.0))
        .bind(entry.change.kind())
        .bind(entry.change.detail())
        .execute(&mut *self)
        .await?;
        Ok(())
    }
}

/// A stored entry with the names it points at, as they are now.
type EventRow = (Uuid, i64, Option<String>, Option<String>, Option<String>, String, Option<String>);

impl Store {
    /// Up to `limit` entries older than `before` (all when `None`), newest first, and where
    /// the next page starts when this one is full. An entry of a kind this build does not
    /// know is skipped.
    pub async fn team_events(
        &self,
        before: Option<(i64, Uuid)>,
        limit: i64,
    ) -> Result<(Vec<TeamEvent>, Option<(i64, Uuid)>)> {
        let (at, id) = before.unwrap_or((i64::MAX, Uuid::max()));
        let rows: Vec<EventRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT e.id, e.at, a.name, u.name, m.name, e.kind, e.detail FROM team_events e \
                 LEFT JOIN users a ON a.id = e.actor_id LEFT JOIN users u ON u.id = e.user_id \
                 LEFT JOIN mailboxes m ON m.id = e.mailbox_id \
                 WHERE e.at < $1 OR (e.at = $1 AND e.id < $2) ORDER BY e.at DESC, e.id DESC LIMIT $3",
            )
            .bind(at)
            .bind(id)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        let full = i64::try_from(rows.len()).is_ok_and(|n| n == limit);
        let last = rows.last().filter(|_| full).map(|r| (r.1, r.0));
        let events = rows
            .into_iter()
            .filter_map(|(_, at, actor, user, mailbox, kind, detail)| {
                let change = TeamChange::from_stored(&kind, detail.as_deref())?;
                Some(TeamEvent { at, actor, change, user, mailbox })
            })
            .collect();
        Ok((events, last))
    }
}
