-- Live collaboration. Keep in step with ../sqlite/0006_live.sql.

-- Bumped by every change to a conversation, in the transaction that records its event; the
-- event keeps the value. A live update carries it, so a tab drops an update older than the
-- conversation it already holds.
ALTER TABLE conversations ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
