-- Mailboxes removed from the browser, two-factor sign-in, sessions' last use and the team's
-- own audit trail. Keep in step with ../postgres/0012_mailboxes_two_factor.sql.

-- A removed mailbox keeps its conversations for admins; its mail servers and members are
-- gone, so nothing syncs or sends and nobody else sees it.
ALTER TABLE mailboxes ADD COLUMN removed_at INTEGER;

-- TOTP (RFC 6238). The secret is sealed with the instance's secret key; it is stored when
-- set-up begins and counts once `totp_enabled_at` is set by a first right code. The last
-- time step used is kept so a code cannot be used twice.
ALTER TABLE users ADD COLUMN totp_secret BLOB;
ALTER TABLE users ADD COLUMN totp_enabled_at INTEGER;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- One-time recovery codes: only their SHA-256 is stored.
CREATE TABLE recovery_codes (
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (user_id, code_hash)
);

-- A sign-in whose password was right and whose code is still to come. The browser holds a
-- random token (only its SHA-256 is here) for a few minutes and a few tries.
CREATE TABLE sign_in_challenges (
    token_hash  BLOB PRIMARY KEY NOT NULL,
    user_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0
);

-- Everyone must turn on two-factor sign-in before they work.
ALTER TABLE team ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0;

-- When each session was last used (updated at most once a minute).
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;

-- What admins changed about the team that is not a conversation's: mailboxes added and
-- removed, two-factor reset or required.
CREATE TABLE team_events (
    id          BLOB PRIMARY KEY NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    BLOB REFERENCES users (id),
    user_id     BLOB REFERENCES users (id),
    mailbox_id  BLOB REFERENCES mailboxes (id),
    kind        TEXT NOT NULL
);
CREATE INDEX team_events_by_time ON team_events (at);
