//! Contacts: the customers who write in, found by any of their email addresses.

use model::ContactId;
use uuid::Uuid;

use super::{Store, new_id, with_reader, with_tx};
use crate::error::Result;
use crate::time::now_micros;

/// A customer.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Contact {
    #[sqlx(try_from = "Uuid")]
    pub id: ContactId,
    pub name: String,
    /// The primary email address, lower-cased.
    pub email: String,
}

impl Store {
    /// The contact with this email address, created (with `name`) if there is none. Two
    /// callers racing for the same new address get the same contact.
    pub async fn contact_for_email(&self, email: &str, name: &str) -> Result<Contact> {
        let email = email.trim().to_lowercase();
        if let Some(found) = self.contact_by_email(&email).await? {
            return Ok(found);
        }
        let id = new_id();
        let now = now_micros();
        with_tx!(self, |tx| {
            let inserted = sqlx::query(
                "INSERT INTO contact_emails (email, contact_id, is_primary) VALUES ($1, $2, $3) \
                 ON CONFLICT (email) DO NOTHING",
            )
            .bind(&email)
            .bind(id)
            .bind(true);
            // The contact row must exist before the email that points at it.
            sqlx::query("INSERT INTO contacts (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
                .bind(id)
                .bind(name)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            if inserted.execute(&mut *tx).await?.rows_affected() == 0 {
                sqlx::query("DELETE FROM contacts WHERE id = $1").bind(id).execute(&mut *tx).await?;
            }
        });
        self.contact_by_email(&email)
            .await?
            .ok_or_else(|| crate::Error::Internal(format!("contact for {email} vanished")))
    }

    /// The contact with this (lower-cased) email address.
    pub async fn contact_by_email(&self, email: &str) -> Result<Option<Contact>> {
        let row: Option<Contact> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT c.id, c.name, e.email FROM contact_emails e JOIN contacts c ON c.id = e.contact_id \
                 WHERE e.email = $1",
            )
            .bind(email)
            .fetch_optional(pool)
            .await?
        });
        Ok(row)
    }
}

/// A customer with every address they write from, for the contact card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactCard {
    pub id: ContactId,
    pub name: String,
    /// Primary first.
    pub emails: Vec<String>,
    pub created_at: i64,
}

impl Store {
    /// The contact with this id and all their addresses.
    pub async fn contact_card(&self, id: ContactId) -> Result<ContactCard> {
        let (row, emails): (Option<(String, i64)>, Vec<String>) = with_reader!(self, |pool| {
            let row = sqlx::query_as("SELECT name, created_at FROM contacts WHERE id = $1")
                .bind(id.0)
                .fetch_optional(pool)
                .await?;
            let emails = sqlx::query_scalar(
                "SELECT email FROM contact_emails WHERE contact_id = $1 ORDER BY is_primary DESC, email",
            )
            .bind(id.0)
            .fetch_all(pool)
            .await?;
            (row, emails)
        });
        let (name, created_at) = row.ok_or(crate::Error::NotFound)?;
        Ok(ContactCard { id, name, emails, created_at })
    }
}
