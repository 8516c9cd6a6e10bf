//! Mail servers in Settings: admins read a mailbox's servers (never its passwords), save
//! them, test them in plain words, and see each folder's sync health and the quarantined
//! mails, with a retry.

use model::{
    ConnectionCheck, FolderHealthView, MailFault, MailServersForm, MailServersView, MailboxId, QuarantinedView, Server,
    ServerForm, SetAside,
};
use uuid::Uuid;

use crate::Backend;
use crate::access::Caller;
use crate::error::{Error, Result};
use crate::mail::{check, compose};
use crate::mail_settings::{self, Endpoint, MailSettings};

fn endpoint_form(endpoint: &Endpoint) -> ServerForm {
    ServerForm {
        host: endpoint.host.clone(),
        port: endpoint.port,
        security: endpoint.security.as_str().to_string(),
        user: endpoint.user.clone(),
        password: String::new(),
    }
}

fn endpoint_of(form: &ServerForm, server: Server) -> Result<Endpoint> {
    let security = form.security.parse().map_err(|_| {
        mail_settings::refused(Some(server), MailFault::UnknownSecurity { text: form.security.clone() })
    })?;
    Ok(Endpoint { host: form.host.trim().to_string(), port: form.port, security, user: form.user.trim().to_string() })
}

/// The settings a form describes, checked.
pub fn settings_of(form: &MailServersForm) -> Result<MailSettings> {
    let folders: Vec<String> =
        form.folders.lines().map(str::trim).filter(|f| !f.is_empty()).map(str::to_string).collect();
    let settings = MailSettings {
        imap: endpoint_of(&form.imap, Server::Imap)?,
        folders: if folders.is_empty() { vec!["INBOX".to_string()] } else { folders },
        smtp: endpoint_of(&form.smtp, Server::Smtp)?,
        from_style: form.from_style.parse()?,
        sync_since: mail_settings::parse_since(&form.sync_since)?,
    };
    settings.check()?;
    Ok(settings)
}

impl Backend {
    /// A mailbox's mail servers and sync health; admins only.
    pub async fn mail_servers(&self, caller: &Caller, mailbox: MailboxId) -> Result<MailServersView> {
        caller.require_admin()?;
        let found = self.store.mailbox(mailbox).await?;
        let stored = self.store.mail_settings(mailbox).await?;
        let folders = self
            .store
            .folder_health(mailbox)
            .await?
            .into_iter()
            .map(|f| FolderHealthView {
                folder: f.folder,
                total: f.exists_count,
                fetched: (f.exists_count - f.pending_count).max(0),
                last_sync_at: f.last_sync_at,
                last_error: f.last_error.as_deref().map(MailFault::from_stored),
            })
            .collect();
        let quarantined = self
            .store
            .quarantined(mailbox)
            .await?
            .into_iter()
            .map(|q| QuarantinedView {
                id: q.id.to_string(),
                folder: q.folder,
                size: q.size,
                reason: SetAside::from_stored(q.last_error.as_deref().unwrap_or_default()).without_detail(),
                received_at: q.created_at,
            })
            .collect();
        let (form, configured, has_imap_password, has_smtp_password) = match stored {
            Some(stored) => (
                MailServersForm {
                    imap: endpoint_form(&stored.settings.imap),
                    folders: stored.settings.folders.join("\n"),
                    smtp: endpoint_form(&stored.settings.smtp),
                    from_style: stored.settings.from_style.as_str().to_string(),
                    sync_since: stored.settings.sync_since.map(mail_settings::format_since).unwrap_or_default(),
                },
                true,
                stored.has_imap_password,
                stored.has_smtp_password,
            ),
            None => (
                MailServersForm {
                    imap: ServerForm {
                        port: 993,
                        security: "tls".into(),
                        user: found.address.clone(),
                        ..ServerForm::default()
                    },
                    folders: "INBOX".into(),
                    smtp: ServerForm {
                        port: 587,
                        security: "starttls".into(),
                        user: found.address.clone(),
                        ..ServerForm::default()
                    },
                    from_style: "agent".into(),
                    sync_since: String::new(),
                },
                false,
                false,
                false,
            ),
        };
        Ok(MailServersView {
            mailbox,
            name: found.name,
            address: found.address,
            form,
            configured,
            has_imap_password,
            has_smtp_password,
            folders,
            quarantined,
            retrying: self.store.retrying_inbound(mailbox).await?,
        })
    }

    /// Saves a mailbox's mail servers; an empty password keeps the stored one. Admins only.
    pub async fn save_mail_servers(&self, caller: &Caller, mailbox: MailboxId, form: &MailServersForm) -> Result<()> {
        caller.require_admin()?;
        let found = self.store.mailbox(mailbox).await?;
        if found.is_demo {
            return Err(mail_settings::refused(None, MailFault::DemoMailbox));
        }
        // Servers again would restart its sync and sending.
        if found.removed {
            return Err(model::Refusal::MailboxRemoved.into());
        }
        let settings = settings_of(form)?;
        let password = |p: &str| if p.is_empty() { None } else { Some(p.to_string()) };
        let (imap, smtp) = (password(&form.imap.password), password(&form.smtp.password));
        let stored = self.store.mail_settings(mailbox).await?.is_some_and(|s| s.has_imap_password);
        if imap.is_none() && !stored {
            return Err(mail_settings::refused(Some(Server::Imap), MailFault::NeedsImapPassword));
        }
        mail_settings::save(
            &self.store,
            &self.secret,
            mailbox,
            &settings,
            (imap.as_deref(), smtp.as_deref()),
            Some(caller.id),
        )
        .await
    }

    /// Tries the servers in the form (with the stored passwords where the form leaves them
    /// empty) and answers in words. Admins only; nothing is saved.
    pub async fn test_mail_servers(
        &self,
        caller: &Caller,
        mailbox: MailboxId,
        form: &MailServersForm,
    ) -> Result<ConnectionCheck> {
        caller.require_admin()?;
        self.store.mailbox(mailbox).await?;
        let settings = settings_of(form)?;
        let (sealed_imap, sealed_smtp) = self.store.sealed_mail_passwords(mailbox).await?;
        let stored = |sealed: Option<Vec<u8>>| sealed.and_then(|s| self.secret.open(&s).ok()).unwrap_or_default();
        let imap = if form.imap.password.is_empty() { stored(sealed_imap) } else { form.imap.password.clone() };
        let smtp = if form.smtp.password.is_empty() { stored(sealed_smtp) } else { form.smtp.password.clone() };
        Ok(check::check(&settings, &imap, &smtp).await)
    }

    /// Puts a quarantined mail back in line. Admins only.
    pub async fn retry_quarantined(&self, caller: &Caller, mailbox: MailboxId, id: &str) -> Result<()> {
        caller.require_admin()?;
        let id = Uuid::try_parse(id).map_err(|_| Error::NotFound)?;
        self.store.retry_inbound(mailbox, id).await
    }

    /// Sends a failed reply again with the same bytes; one written before the mailbox had
    /// mail servers is rendered now, as its author wrote it. Members of its mailbox only.
    pub async fn retry_reply(&self, caller: &Caller, message: model::MessageId) -> Result<()> {
        let stored = self.store.message(message).await?;
        let conversation = self.conversation(caller, stored.conversation_id).await?;
        let mailbox = self.store.mailbox(conversation.mailbox_id).await?;
        if mailbox.removed {
            return Err(model::Refusal::MailboxRemoved.into());
        }
        if self.store.outbox_has_bytes(message).await? {
            return self.store.outbox_retry_failed(message).await;
        }
        // Written before the mailbox could send: rendered now, as its author wrote it.
        let no_servers = || Error::Refused(model::Refusal::NoMailServers);
        let settings = self.store.mail_settings(mailbox.id).await?.ok_or_else(no_servers)?;
        if !self.store.can_send(mailbox.id).await? {
            return Err(no_servers());
        }
        let author = match stored.author_id {
            Some(id) => self.store.user_names(&[id]).await?.remove(&id),
            None => None,
        }
        .unwrap_or_else(|| caller.name.clone());
        let earlier: Vec<_> =
            self.store.messages(conversation.id).await?.into_iter().take_while(|m| m.id != message).collect();
        let contact = self.store.contact_card(conversation.contact_id).await?;
        let to = if stored.to.trim().is_empty() {
            crate::work::reply_defaults(&earlier, &contact, &mailbox.address).0
        } else {
            stored.to.clone()
        };
        let files = self
            .store
            .attachments_of(conversation.id)
            .await?
            .into_iter()
            .filter(|f| f.message_id == message)
            .map(|f| (f.filename, f.content_type, f.sha256))
            .collect();
        let outgoing = self
            .render_outgoing(
                compose::Draft {
                    conversation: conversation.id,
                    message,
                    from_name: settings.settings.from_style.sender_name(&author, &mailbox.name),
                    from_address: mailbox.address.trim().to_lowercase(),
                    to: compose::parse_addresses(&to)?,
                    cc: compose::parse_addresses(&stored.cc)?,
                    bcc: compose::parse_addresses(&stored.bcc)?,
                    subject: stored.subject.clone(),
                    in_reply_to: None,
                    references: Vec::new(),
                    text: stored.body_text.clone(),
                    automatic: false,
                    send_after: crate::time::now_micros(),
                    files: Vec::new(),
                },
                files,
                true,
            )
            .await?;
        self.store.outbox_rerender(message, &outgoing).await
    }

    /// Cancels a reply that has not left yet (undo send); members of its mailbox only.
    pub async fn undo_reply(&self, caller: &Caller, message: model::MessageId) -> Result<()> {
        let stored = self.store.message(message).await?;
        self.conversation(caller, stored.conversation_id).await?;
        self.store.outbox_cancel(message).await
    }
}
