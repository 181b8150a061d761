-- Reveals of masked ID numbers (DESIGN §7: every reveal is an audit event
-- that syncs to the hub). A reveal is written here, durably, before the
-- numbers are shown; it waits (`sent` = 0) until the hub acknowledges it,
-- and is then kept as sent. One the hub refused keeps the hub's reason and
-- is not sent again. Reveals of demo data, or made before the device
-- enrolled, are `demo` and never sent (like demo and trial documents).
CREATE TABLE reveals (
    id           TEXT PRIMARY KEY,
    at           TEXT NOT NULL,
    household_id TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    reason       TEXT,
    via          TEXT NOT NULL,
    demo         INTEGER NOT NULL DEFAULT 0,
    sent         INTEGER NOT NULL DEFAULT 0,
    refused      TEXT,
    refused_en   TEXT
);
-- What the next sync sends, oldest first.
CREATE INDEX reveals_unsent ON reveals (at) WHERE sent = 0 AND demo = 0 AND refused IS NULL;
