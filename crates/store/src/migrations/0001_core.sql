-- Documents and their projection. Never edit once merged: add a new file.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per Automerge document: its bytes, heads and sync state.
-- sync_state: local (never sent), pending (changes not sent), synced.
CREATE TABLE documents (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    grid       TEXT NOT NULL,
    bytes      BLOB NOT NULL,
    heads      TEXT NOT NULL,
    sync_state TEXT NOT NULL CHECK (sync_state IN ('local', 'pending', 'synced')),
    conflicted INTEGER NOT NULL DEFAULT 0,
    demo       INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX documents_kind ON documents (kind);
CREATE INDEX documents_state ON documents (sync_state) WHERE sync_state != 'synced';

CREATE TABLE households (
    id             TEXT PRIMARY KEY,
    grid           TEXT NOT NULL,
    compound       TEXT NOT NULL,
    building       TEXT NOT NULL,
    unit           TEXT NOT NULL,
    room           TEXT NOT NULL,
    address        TEXT NOT NULL,
    phone          TEXT,
    head_name      TEXT NOT NULL,
    resident_count INTEGER NOT NULL
);
CREATE INDEX households_grid ON households (grid, address);

-- Ordinary tags come from the household document, sensitive ones from the
-- household-private document (sensitive = 1); each projection replaces its own.
CREATE TABLE household_tags (
    household_id TEXT NOT NULL,
    tag          TEXT NOT NULL,
    sensitive    INTEGER NOT NULL,
    PRIMARY KEY (household_id, tag)
) WITHOUT ROWID;
CREATE INDEX household_tags_tag ON household_tags (tag, household_id);

CREATE TABLE residents (
    id           TEXT PRIMARY KEY,
    household_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    phone        TEXT,
    birth_date   TEXT,
    relation     TEXT NOT NULL
);
CREATE INDEX residents_household ON residents (household_id);

-- Pinyin keys (full and initials) of every resident's name; rank orders the
-- surname's own reading first.
CREATE TABLE search_keys (
    key          TEXT NOT NULL,
    household_id TEXT NOT NULL,
    rank         INTEGER NOT NULL,
    PRIMARY KEY (key, household_id)
) WITHOUT ROWID;
CREATE INDEX search_keys_household ON search_keys (household_id);

CREATE TABLE private_parts (
    household_id TEXT PRIMARY KEY,
    grid         TEXT NOT NULL,
    id_count     INTEGER NOT NULL
);

CREATE TABLE issues (
    id             TEXT PRIMARY KEY,
    grid           TEXT NOT NULL,
    category       TEXT NOT NULL,
    stage          TEXT,
    urgency        INTEGER NOT NULL,
    household_id   TEXT,
    reporter       TEXT NOT NULL,
    reported_at    TEXT NOT NULL,
    deadline       TEXT,
    closed_at      TEXT,
    departments    TEXT NOT NULL,
    refused_events INTEGER NOT NULL,
    summary        TEXT NOT NULL
);
CREATE INDEX issues_stage ON issues (stage, category);
CREATE INDEX issues_grid ON issues (grid);
CREATE INDEX issues_deadline ON issues (deadline) WHERE stage = 'dispatched';

CREATE TABLE wishes (
    id             TEXT PRIMARY KEY,
    grid           TEXT NOT NULL,
    household_id   TEXT,
    title          TEXT NOT NULL,
    category       TEXT NOT NULL,
    value_yuan     INTEGER NOT NULL,
    stage          TEXT,
    poster         TEXT NOT NULL,
    claimant       TEXT,
    pending_claims INTEGER NOT NULL,
    posted_at      TEXT NOT NULL
);
CREATE INDEX wishes_stage ON wishes (stage);

CREATE TABLE visits (
    id           TEXT PRIMARY KEY,
    household_id TEXT NOT NULL,
    grid         TEXT NOT NULL,
    visitor      TEXT NOT NULL,
    role         TEXT NOT NULL,
    at           TEXT NOT NULL,
    kind         TEXT NOT NULL
);
CREATE INDEX visits_household ON visits (household_id, at);
CREATE INDEX visits_visitor ON visits (visitor, at);
