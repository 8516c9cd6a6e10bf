//! Conversation lists: the filters of the inbox views, the keyset cursor, the list query and
//! what a list row shows.
//!
//! Lists page by keyset on (last activity, id), newest first, never by OFFSET, so page 1,000
//! costs what page 1 does. The list query is built with [`sqlx::QueryBuilder`]: conditions
//! are literals, values are always bound.

use model::{ContactId, ConversationId, MailboxId, Status, UserId};
use sqlx::QueryBuilder;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use super::{CONVERSATION_COLUMNS, Conversation, ConversationRow};
use crate::error::Result;
use crate::store::{MailboxScope, Store, placeholders, with_reader};
use crate::time::now_micros;

/// Whose conversations a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Nobody's yet.
    Unassigned,
    /// This user's.
    User(UserId),
}

/// What a conversation list shows. Empty `statuses` means any status.
#[derive(Debug, Clone)]
pub struct ConversationFilter {
    pub scope: MailboxScope,
    pub mailbox: Option<MailboxId>,
    pub statuses: Vec<Status>,
    pub assignee: Option<AssigneeFilter>,
    pub tag: Option<String>,
    /// Only this customer's conversations.
    pub contact: Option<ContactId>,
    /// `Some(true)`: only conversations snoozed until later; `Some(false)`: only those awake;
    /// `None`: both.
    pub snoozed: Option<bool>,
}

impl ConversationFilter {
    /// Everything in `scope`.
    pub fn all(scope: MailboxScope) -> ConversationFilter {
        ConversationFilter {
            scope,
            mailbox: None,
            statuses: Vec::new(),
            assignee: None,
            tag: None,
            contact: None,
            snoozed: None,
        }
    }
}

/// How many conversations each working view holds (see [`Store::view_counts`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewCounts {
    pub unassigned: i64,
    pub mine: i64,
    pub open: i64,
    pub waiting: i64,
    pub snoozed: i64,
}

/// Where a page of a list ends: the next page starts after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub last_activity_at: i64,
    pub id: ConversationId,
}

impl Cursor {
    /// The cursor as URL-safe text: `MICROS_UUID`.
    pub fn token(&self) -> String {
        format!("{}_{}", self.last_activity_at, self.id)
    }

    /// Reads [`Cursor::token`] text; anything else is no cursor.
    pub fn parse(token: &str) -> Option<Cursor> {
        let (at, id) = token.split_once('_')?;
        Some(Cursor { last_activity_at: at.parse().ok()?, id: id.parse().ok()? })
    }
}

/// One page of a list and the cursor of the next, if there is one.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

/// A conversation with what a list row shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedConversation {
    pub conversation: Conversation,
    pub contact_name: String,
    pub contact_email: String,
    /// The start of the latest customer or agent message (notes excluded).
    pub snippet: String,
    pub assignee_name: Option<String>,
    pub tags: Vec<String>,
}

/// How much of the latest message a list row shows.
const SNIPPET_CHARS: usize = 160;

impl Store {
    /// One page of conversations matching `filter`, most recent activity first, starting
    /// after `after`.
    pub async fn list_conversations(
        &self,
        filter: &ConversationFilter,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<Conversation>> {
        let limit = limit.clamp(1, 500);
        let now = now_micros();
        let rows: Vec<ConversationRow> = with_reader!(self, |pool| {
            list_query(filter, after, limit, now).build_query_as().fetch_all(pool).await?
        });
        let mut items = rows.into_iter().map(Conversation::try_from).collect::<Result<Vec<_>>>()?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|c| Cursor { last_activity_at: c.last_activity_at, id: c.id })
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// How many conversations each working view holds for `user` within `scope`, in one pass
    /// over the count index. The rules are [`model::InboxView`]'s: open means open or in
    /// progress, Mine and Snoozed also take waiting, and snoozed ones leave the other views.
    pub async fn view_counts(&self, scope: MailboxScope, user: UserId) -> Result<ViewCounts> {
        let scope_condition = match scope {
            MailboxScope::All => "",
            MailboxScope::MemberOf(_) => {
                " AND mailbox_id IN (SELECT mailbox_id FROM mailbox_members WHERE user_id = $3)"
            }
        };
        let sql = format!(
            "SELECT \
             COALESCE(SUM(CASE WHEN status <> 'waiting' AND assignee_id IS NULL AND awake THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN assignee_id = $1 AND awake THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN status <> 'waiting' AND awake THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN status = 'waiting' AND awake THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN awake THEN 0 ELSE 1 END), 0) \
             FROM (SELECT status, assignee_id, (snoozed_until IS NULL OR snoozed_until <= $2) AS awake \
             FROM conversations WHERE status IN ('open', 'in_progress', 'waiting'){scope_condition}) AS working"
        );
        let row: (i64, i64, i64, i64, i64) = with_reader!(self, |pool| {
            let query = sqlx::query_as(&sql).bind(user.0).bind(now_micros());
            match scope {
                MailboxScope::MemberOf(member) => query.bind(member.0).fetch_one(pool).await?,
                MailboxScope::All => query.fetch_one(pool).await?,
            }
        });
        Ok(ViewCounts { unassigned: row.0, mine: row.1, open: row.2, waiting: row.3, snoozed: row.4 })
    }
}

/// The list query for `filter`: the conversations after `after`, newest activity first, one
/// more than `limit` to know whether a next page exists. Only values are bound; every piece of
/// SQL is a literal here.
fn list_query<'a, DB>(
    filter: &'a ConversationFilter,
    after: Option<Cursor>,
    limit: u32,
    now: i64,
) -> QueryBuilder<'a, DB>
where
    DB: sqlx::Database,
    for<'q> Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut sql = QueryBuilder::new(format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE 1 = 1"));
    if let MailboxScope::MemberOf(user) = filter.scope {
        sql.push(" AND mailbox_id IN (SELECT mailbox_id FROM mailbox_members WHERE user_id = ");
        sql.push_bind(user.0).push(")");
    }
    if let Some(mailbox) = filter.mailbox {
        sql.push(" AND mailbox_id = ").push_bind(mailbox.0);
    }
    if !filter.statuses.is_empty() {
        sql.push(" AND status IN (");
        let mut statuses = sql.separated(", ");
        for status in &filter.statuses {
            statuses.push_bind(status.as_str());
        }
        sql.push(")");
    }
    match filter.assignee {
        Some(AssigneeFilter::Unassigned) => {
            sql.push(" AND assignee_id IS NULL");
        }
        Some(AssigneeFilter::User(user)) => {
            sql.push(" AND assignee_id = ").push_bind(user.0);
        }
        None => {}
    }
    if let Some(tag) = &filter.tag {
        sql.push(
            " AND EXISTS (SELECT 1 FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id \
             WHERE ct.conversation_id = conversations.id AND t.name = ",
        );
        sql.push_bind(tag.as_str()).push(")");
    }
    if let Some(contact) = filter.contact {
        sql.push(" AND contact_id = ").push_bind(contact.0);
    }
    match filter.snoozed {
        Some(true) => {
            sql.push(" AND snoozed_until > ").push_bind(now);
        }
        Some(false) => {
            sql.push(" AND (snoozed_until IS NULL OR snoozed_until <= ").push_bind(now).push(")");
        }
        None => {}
    }
    if let Some(cursor) = after {
        sql.push(" AND (last_activity_at < ").push_bind(cursor.last_activity_at);
        sql.push(" OR (last_activity_at = ").push_bind(cursor.last_activity_at);
        sql.push(" AND id < ").push_bind(cursor.id.0).push("))");
    }
    sql.push(" ORDER BY last_activity_at DESC, id DESC LIMIT ").push_bind(i64::from(limit) + 1);
    sql
}

impl Store {
    /// What list rows show of `items`: contact, latest message, assignee and tags, in four
    /// queries whatever the page size.
    pub async fn describe(&self, items: Vec<Conversation>) -> Result<Vec<ListedConversation>> {
        use std::collections::HashMap;
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = items.iter().map(|c| c.id.0).collect();
        let contact_ids: Vec<Uuid> = items.iter().map(|c| c.contact_id.0).collect();
        let user_ids: Vec<Uuid> = items.iter().filter_map(|c| c.assignee_id.map(|u| u.0)).collect();

        let contacts_sql = format!(
            "SELECT c.id, c.name, COALESCE(e.email, '') FROM contacts c \
             LEFT JOIN contact_emails e ON e.contact_id = c.id AND e.is_primary WHERE c.id IN ({})",
            placeholders(1, contact_ids.len())
        );
        let snippets_sql = format!(
            "SELECT m.conversation_id, m.body_text FROM messages m WHERE m.conversation_id IN ({}) \
             AND m.direction <> 'note' AND m.id = (SELECT m2.id FROM messages m2 \
             WHERE m2.conversation_id = m.conversation_id AND m2.direction <> 'note' \
             ORDER BY m2.created_at DESC, m2.id DESC LIMIT 1)",
            placeholders(1, ids.len())
        );
        let tags_sql = format!(
            "SELECT ct.conversation_id, t.name FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id \
             WHERE ct.conversation_id IN ({}) ORDER BY t.name",
            placeholders(1, ids.len())
        );
        let users_sql = format!("SELECT id, name FROM users WHERE id IN ({})", placeholders(1, user_ids.len()));

        let contacts: Vec<(Uuid, String, String)> = self.fetch_by_ids(&contacts_sql, &contact_ids).await?;
        let snippets: Vec<(Uuid, String)> = self.fetch_by_ids(&snippets_sql, &ids).await?;
        let tags: Vec<(Uuid, String)> = self.fetch_by_ids(&tags_sql, &ids).await?;
        let users: Vec<(Uuid, String)> = self.fetch_by_ids(&users_sql, &user_ids).await?;

        let contacts: HashMap<Uuid, (String, String)> = contacts.into_iter().map(|(id, n, e)| (id, (n, e))).collect();
        let snippets: HashMap<Uuid, String> = snippets.into_iter().collect();
        let users: HashMap<Uuid, String> = users.into_iter().collect();
        let mut tags_of: HashMap<Uuid, Vec<String>> = HashMap::new();
        for (id, name) in tags {
            tags_of.entry(id).or_default().push(name);
        }
        Ok(items
            .into_iter()
            .map(|c| {
                let (contact_name, contact_email) = contacts.get(&c.contact_id.0).cloned().unwrap_or_default();
                let snippet = snippets.get(&c.id.0).map(|t| snippet_of(t)).unwrap_or_default();
                ListedConversation {
                    contact_name,
                    contact_email,
                    snippet,
                    assignee_name: c.assignee_id.and_then(|u| users.get(&u.0).cloned()),
                    tags: tags_of.remove(&c.id.0).unwrap_or_default(),
                    conversation: c,
                }
            })
            .collect())
    }
}

impl Store {
    /// Runs `sql`, whose placeholders `$1..$n` take `ids`, and reads every row.
    pub(crate) async fn fetch_by_ids<T>(&self, sql: &str, ids: &[Uuid]) -> Result<Vec<T>>
    where
        T: Send + Unpin + for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow>,
    {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = with_reader!(self, |pool| {
            let mut query = sqlx::query_as::<_, T>(sql);
            for id in ids {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await?
        });
        Ok(rows)
    }
}

/// The first words of a message on one line.
fn snippet_of(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= SNIPPET_CHARS {
        flat
    } else {
        let cut: String = flat.chars().take(SNIPPET_CHARS).collect();
        format!("{}…", cut.trim_end())
    }
}
