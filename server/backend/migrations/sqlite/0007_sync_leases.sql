-- Which node syncs each mailbox's IMAP folders. Keep in step with ../postgres/0007_sync_leases.sql.

-- One node at a time holds a mailbox's lease until `expires_at` and renews it well before;
-- a node that stops renewing (it died) loses it to the next node that asks. `token` grows
-- with every new holder, and mail fetched under an older token is not recorded (a fencing
-- token: a node that stalled past its lease cannot write after another took over).
CREATE TABLE sync_leases (
    mailbox_id  BLOB PRIMARY KEY NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    holder      TEXT NOT NULL,
    token       INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
