-- Reveals of masked ID numbers on devices (DESIGN §7). Each is one audit
-- row (action `device-reveal`) and one row here under the entry's id, the
-- key that makes a retried push (a reply lost after the commit) write
-- nothing twice. `community` is that of the household's grid as the hub
-- held it when the reveal arrived (NULL when it held none): the dashboard
-- counts reveals per community, user and month from here.
CREATE TABLE reveals (
    id          TEXT PRIMARY KEY,
    audit_id    INTEGER NOT NULL REFERENCES audit (id),
    at          TEXT NOT NULL,
    received_at TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    household   TEXT NOT NULL,
    community   TEXT,
    via         TEXT NOT NULL,
    reason      TEXT
);
CREATE INDEX reveals_community_at ON reveals (community, at);
CREATE INDEX reveals_user_at ON reveals (user_id, at);
