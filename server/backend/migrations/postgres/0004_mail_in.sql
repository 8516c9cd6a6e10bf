-- Mail in: where each IMAP folder's sync got to, and every mail fetched, in the order its raw
-- bytes were stored. Keep in step with ../sqlite/0004_mail_in.sql.

-- One row per synced folder. `last_uid` moves only after the mails up to it are stored raw;
-- a new `uidvalidity` means the folder was recreated and is fetched again from the start.
CREATE TABLE imap_folders (
    mailbox_id    UUID NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    folder        TEXT NOT NULL,
    uidvalidity   BIGINT NOT NULL,
    last_uid      BIGINT NOT NULL DEFAULT 0,
    -- Progress for admins: messages in the folder at the last look, and how many of them
    -- were still to fetch.
    exists_count  BIGINT NOT NULL DEFAULT 0,
    pending_count BIGINT NOT NULL DEFAULT 0,
    last_sync_at  BIGINT,
    last_error    TEXT,
    PRIMARY KEY (mailbox_id, folder)
);

-- Every mail fetched, stored raw (content-addressed blob) before it is parsed. The same bytes
-- twice in a mailbox (a second folder, a resync) are one row. A mail that fails to ingest 3
-- times is quarantined with its reason and never blocks the ones after it.
CREATE TABLE inbound_mails (
    id          UUID PRIMARY KEY NOT NULL,
    mailbox_id  UUID NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    sha256      TEXT NOT NULL,
    size        BIGINT NOT NULL,
    folder      TEXT NOT NULL,
    uid         BIGINT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'stored', 'duplicate', 'quarantined')),
    attempts    BIGINT NOT NULL DEFAULT 0,
    last_error  TEXT,
    message_id  UUID REFERENCES messages (id),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (mailbox_id, sha256)
);
CREATE INDEX inbound_mails_by_state ON inbound_mails (mailbox_id, state, attempts, created_at);

-- Mail that is itself automatic (auto-replies, lists, bounces) never gets an automatic answer.
ALTER TABLE messages ADD COLUMN automatic BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX messages_by_content ON messages (mailbox_id, content_sha256);

-- Mail out: whom the SMTP envelope names (Bcc is only here, never in the bytes); the
-- exact bytes every attempt sends are in `raw`.
ALTER TABLE outbox ADD COLUMN envelope_from TEXT;
ALTER TABLE outbox ADD COLUMN envelope_to TEXT;
