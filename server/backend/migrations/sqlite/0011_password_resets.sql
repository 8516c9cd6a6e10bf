-- Password resets asked for from the sign-in page. Keep in step with
-- ../postgres/0011_password_resets.sql.

-- The link carries a random token; only its SHA-256 is stored. A link works once and for an
-- hour; asking again replaces the links not used yet. The password changes only when the new
-- one is chosen, so until then the old one keeps working.
CREATE TABLE password_resets (
    token_hash  BLOB PRIMARY KEY NOT NULL,
    user_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    -- Replaced by a newer link before it was used.
    replaced_at INTEGER
);
CREATE INDEX password_resets_by_user ON password_resets (user_id);
