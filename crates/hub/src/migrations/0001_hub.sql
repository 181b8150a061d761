-- The hub's store. Never edit once merged: add a new file.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every document of the street, with what scope checks need and the hub-wide
-- counter value of its latest accepted change.
CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    grid        TEXT NOT NULL,
    household   TEXT,
    reporter    TEXT,
    departments TEXT NOT NULL DEFAULT '',
    bytes       BLOB NOT NULL,
    heads       TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX documents_seq ON documents (seq);
CREATE INDEX documents_grid_seq ON documents (grid, seq);

CREATE TABLE grids (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    community_name TEXT NOT NULL
);

CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    role        TEXT NOT NULL,
    scope       TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    revoked_at  TEXT,
    enrolled_at TEXT NOT NULL
);

CREATE TABLE device_actors (
    actor     TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices (id)
);

-- One-time enrolment codes, stored hashed; single use; they expire.
CREATE TABLE enrol_codes (
    code_hash  TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    user_name  TEXT NOT NULL,
    role       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_by    TEXT
);

-- Who changed which record when; the hub's own writes name the admin who asked.
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    device_id TEXT,
    user_id   TEXT NOT NULL,
    doc_id    TEXT NOT NULL,
    action    TEXT NOT NULL
);
CREATE INDEX audit_doc ON audit (doc_id);
