-- Sanduq schema, SQLite flavour. Ids are UUIDv7 stored as 16-byte blobs; times are UTC
-- microseconds since the Unix epoch. Keep in step with ../postgres/0001_init.sql.

CREATE TABLE users (
    id            BLOB PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL UNIQUE,          -- lower-cased
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'agent')),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    locale        TEXT NOT NULL DEFAULT 'en',
    time_zone     TEXT NOT NULL DEFAULT 'UTC',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- The cookie holds a random token; only its SHA-256 is stored, so a copy of the database
-- does not let anyone sign in.
CREATE TABLE sessions (
    token_hash   BLOB PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    client_ip    TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE mailboxes (
    id         BLOB PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL UNIQUE,
    address    TEXT NOT NULL,
    channel    TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'chat')),
    is_demo    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE mailbox_members (
    mailbox_id BLOB NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (mailbox_id, user_id)
);
CREATE INDEX mailbox_members_by_user ON mailbox_members (user_id);

CREATE TABLE contacts (
    id         BLOB PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE contact_emails (
    email      TEXT PRIMARY KEY NOT NULL,        -- lower-cased
    contact_id BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    is_primary INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contact_emails_by_contact ON contact_emails (contact_id);

CREATE TABLE conversations (
    id               BLOB PRIMARY KEY NOT NULL,
    mailbox_id       BLOB NOT NULL REFERENCES mailboxes (id),
    contact_id       BLOB NOT NULL REFERENCES contacts (id),
    subject          TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'open'
                     CHECK (status IN ('open', 'in_progress', 'waiting', 'closed', 'spam', 'trash')),
    snoozed_until    INTEGER,
    priority         TEXT NOT NULL DEFAULT 'normal'
                     CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_id      BLOB REFERENCES users (id),
    -- Bumped by every message, note and queued reply: the send guard compares it.
    seq              INTEGER NOT NULL DEFAULT 0,
    last_activity_at INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX conversations_by_mailbox ON conversations (mailbox_id, last_activity_at DESC, id DESC);
CREATE INDEX conversations_by_status ON conversations (mailbox_id, status, last_activity_at DESC, id DESC);
CREATE INDEX conversations_by_assignee ON conversations (assignee_id, last_activity_at DESC, id DESC);
CREATE INDEX conversations_by_activity ON conversations (last_activity_at DESC, id DESC);
CREATE INDEX conversations_by_contact ON conversations (contact_id);

CREATE TABLE messages (
    id                BLOB PRIMARY KEY NOT NULL,
    conversation_id   BLOB NOT NULL REFERENCES conversations (id),
    mailbox_id        BLOB NOT NULL REFERENCES mailboxes (id),
    direction         TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'note')),
    author_id         BLOB REFERENCES users (id),
    from_name         TEXT NOT NULL DEFAULT '',
    from_email        TEXT NOT NULL DEFAULT '',
    to_addrs          TEXT NOT NULL DEFAULT '',
    cc_addrs          TEXT NOT NULL DEFAULT '',
    bcc_addrs         TEXT NOT NULL DEFAULT '',
    subject           TEXT NOT NULL DEFAULT '',
    body_text         TEXT NOT NULL DEFAULT '',
    body_html         TEXT,
    message_id_header TEXT,
    in_reply_to       TEXT,
    references_header TEXT,
    raw_sha256        TEXT,
    content_sha256    TEXT,
    -- Made by the browser for each reply, so a double click or a retried request sends once.
    client_id         BLOB UNIQUE,
    created_at        INTEGER NOT NULL
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at, id);
CREATE INDEX messages_by_message_id ON messages (mailbox_id, message_id_header);

CREATE TABLE attachments (
    id           BLOB PRIMARY KEY NOT NULL,
    message_id   BLOB NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    content_id   TEXT,
    is_inline    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attachments_by_message ON attachments (message_id);

CREATE TABLE tags (
    id         BLOB PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL UNIQUE,
    color      TEXT NOT NULL DEFAULT '#64748b',
    created_at INTEGER NOT NULL
);

CREATE TABLE conversation_tags (
    conversation_id BLOB NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    tag_id          BLOB NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, tag_id)
);
CREATE INDEX conversation_tags_by_tag ON conversation_tags (tag_id);

CREATE TABLE followers (
    conversation_id BLOB NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, user_id)
);

CREATE TABLE drafts (
    conversation_id BLOB NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mode            TEXT NOT NULL CHECK (mode IN ('reply', 'note')),
    body            TEXT NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id, mode)
);

-- The audit trail: one row for every change, in the transaction that makes the change.
CREATE TABLE events (
    id              BLOB PRIMARY KEY NOT NULL,
    conversation_id BLOB REFERENCES conversations (id) ON DELETE CASCADE,
    mailbox_id      BLOB REFERENCES mailboxes (id) ON DELETE CASCADE,
    actor_id        BLOB REFERENCES users (id),
    kind            TEXT NOT NULL,
    data            TEXT NOT NULL DEFAULT '{}',
    created_at      INTEGER NOT NULL
);
CREATE INDEX events_by_conversation ON events (conversation_id, id);

-- Replies waiting to leave, with the exact bytes every attempt sends.
CREATE TABLE outbox (
    id              BLOB PRIMARY KEY NOT NULL,
    message_id      BLOB NOT NULL UNIQUE REFERENCES messages (id),
    mailbox_id      BLOB NOT NULL REFERENCES mailboxes (id),
    status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sending', 'sent', 'retrying', 'failed', 'cancelled')),
    raw             BLOB,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
