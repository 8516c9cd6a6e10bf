-- Mail out from the composer. Keep in step with ../postgres/0005_compose.sql.

-- A reply draft keeps its recipients (one address list per field, as typed) and whether it
-- forwards the conversation, so a reload loses none of them.
ALTER TABLE drafts ADD COLUMN to_addrs TEXT NOT NULL DEFAULT '';
ALTER TABLE drafts ADD COLUMN cc_addrs TEXT NOT NULL DEFAULT '';
ALTER TABLE drafts ADD COLUMN bcc_addrs TEXT NOT NULL DEFAULT '';
ALTER TABLE drafts ADD COLUMN forward INTEGER NOT NULL DEFAULT 0;

-- Files an agent attached in the composer and has not sent yet: the bytes are already in the
-- blob store; sending moves the row to `attachments`. `conversation_id` ties it to that
-- conversation's draft (none for a new conversation).
CREATE TABLE uploads (
    id              BLOB PRIMARY KEY NOT NULL,
    user_id         BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id BLOB REFERENCES conversations (id) ON DELETE CASCADE,
    filename        TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX uploads_by_user ON uploads (user_id, conversation_id);

-- Each agent's signature in each mailbox, added under their replies.
CREATE TABLE signatures (
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mailbox_id BLOB NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, mailbox_id)
);

-- How replies name their sender: "Agent via Mailbox" or the mailbox's name alone; and the
-- first sync fetches only mail since this time (UTC microseconds), all mail when NULL.
ALTER TABLE mail_settings ADD COLUMN from_style TEXT NOT NULL DEFAULT 'agent'
    CHECK (from_style IN ('agent', 'mailbox'));
ALTER TABLE mail_settings ADD COLUMN sync_since INTEGER;
