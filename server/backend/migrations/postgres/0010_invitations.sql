-- Invitations, and the mail Sanduq sends on its own (invitations, password resets). Keep in
-- step with ../sqlite/0010_invitations.sql.

-- The outbox also carries system mail, which belongs to no conversation.
ALTER TABLE outbox ALTER COLUMN message_id DROP NOT NULL;

-- The mailbox whose mail servers send the team's system mail; NULL means the oldest mailbox
-- that can send.
ALTER TABLE team ADD COLUMN system_mailbox_id UUID REFERENCES mailboxes (id);

-- An invitation to join the team. The link carries a random token; only its SHA-256 is
-- stored. Sending it again makes a new token, so the older link stops working. One pending
-- invitation per address at a time.
CREATE TABLE invitations (
    id            UUID PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL,                 -- lower-cased
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'agent')),
    locale        TEXT NOT NULL,
    token_hash    BYTEA NOT NULL UNIQUE,
    invited_by    UUID REFERENCES users (id),
    -- The mail that carried the current link, if it went by mail.
    outbox_id     UUID REFERENCES outbox (id),
    created_at    BIGINT NOT NULL,
    sent_at       BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    accepted_at   BIGINT,
    user_id       UUID REFERENCES users (id),
    revoked_at    BIGINT
);
CREATE UNIQUE INDEX invitations_pending ON invitations (email) WHERE accepted_at IS NULL AND revoked_at IS NULL;

CREATE TABLE invitation_mailboxes (
    invitation_id UUID NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    mailbox_id    UUID NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    PRIMARY KEY (invitation_id, mailbox_id)
);
