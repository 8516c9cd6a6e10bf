-- How Sanduq reaches a mailbox's mail servers. Passwords are sealed with the instance's
-- secret key (ChaCha20-Poly1305) and never leave the server.
CREATE TABLE mail_settings (
    mailbox_id      UUID PRIMARY KEY NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    imap_host       TEXT NOT NULL,
    imap_port       INTEGER NOT NULL,
    imap_security   TEXT NOT NULL CHECK (imap_security IN ('none', 'starttls', 'tls')),
    imap_user       TEXT NOT NULL,
    imap_password   BYTEA,
    -- Folder names, one per line (INBOX first).
    imap_folders    TEXT NOT NULL,
    smtp_host       TEXT NOT NULL,
    smtp_port       INTEGER NOT NULL,
    smtp_security   TEXT NOT NULL CHECK (smtp_security IN ('none', 'starttls', 'tls')),
    smtp_user       TEXT NOT NULL,
    smtp_password   BYTEA,
    updated_at      BIGINT NOT NULL
);
