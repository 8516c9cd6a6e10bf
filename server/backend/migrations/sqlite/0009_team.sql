-- The team itself: its name and language, and whether the first run has been done. Keep in
-- step with ../postgres/0009_team.sql.

-- One row at most (id 1). `sanduq serve` on a database with no users writes the row with a
-- one-time set-up code; the set-up page's claim clears the code and sets `set_up_at` in the
-- transaction that creates the first admin, so only one claim can ever succeed. A database
-- whose first admin came from the command line has no row: the team is then unnamed.
CREATE TABLE team (
    id          INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    name        TEXT NOT NULL DEFAULT '',
    locale      TEXT NOT NULL DEFAULT 'en',
    setup_code  TEXT,
    created_at  BIGINT NOT NULL,
    set_up_at   BIGINT
);
