-- Invitations, and the mail Sanduq sends on its own (invitations, password resets). Keep in
-- step with ../postgres/0010_invitations.sql.

-- The outbox also carries system mail, which belongs to no conversation: `message_id` may
-- be NULL. SQLite cannot drop a NOT NULL, so the table is made again with its rows.
CREATE TABLE outbox_new (
    id              BLOB PRIMARY KEY NOT NULL,
    message_id      BLOB UNIQUE REFERENCES messages (id),
    mailbox_id      BLOB NOT NULL REFERENCES mailboxes (id),
    status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sending', 'sent', 'retrying', 'failed', 'cancelled')),
    raw             BLOB,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    envelope_from   TEXT,
    envelope_to     TEXT
);
INSERT INTO outbox_new (id, message_id, mailbox_id, status, raw, attempts, next_attempt_at, last_error,
                        created_at, updated_at, envelope_from, envelope_to)
    SELECT id, message_id, mailbox_id, status, raw, attempts, next_attempt_at, last_error,
           created_at, updated_at, envelope_from, envelope_to FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- The mailbox whose mail servers send the team's system mail; NULL means the oldest mailbox
-- that can send.
ALTER TABLE team ADD COLUMN system_mailbox_id BLOB REFERENCES mailboxes (id);

-- An invitation to join the team. The link carries a random token; only its SHA-256 is
-- stored. Sending it again makes a new token, so the older link stops working. One pending
-- invitation per address at a time.
CREATE TABLE invitations (
    id            BLOB PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL,                 -- lower-cased
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'agent')),
    locale        TEXT NOT NULL,
    token_hash    BLOB NOT NULL UNIQUE,
    invited_by    BLOB REFERENCES users (id),
    -- The mail that carried the current link, if it went by mail.
    outbox_id     BLOB REFERENCES outbox (id),
    created_at    INTEGER NOT NULL,
    sent_at       INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    accepted_at   INTEGER,
    user_id       BLOB REFERENCES users (id),
    revoked_at    INTEGER
);
CREATE UNIQUE INDEX invitations_pending ON invitations (email) WHERE accepted_at IS NULL AND revoked_at IS NULL;

CREATE TABLE invitation_mailboxes (
    invitation_id BLOB NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    mailbox_id    BLOB NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    PRIMARY KEY (invitation_id, mailbox_id)
);
