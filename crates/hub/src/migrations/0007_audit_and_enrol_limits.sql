-- Audit rows answer "who (user, device) changed which record when": each row
-- now says what kind of record it touched and, for the hub's own writes and
-- for imports of a revoked device's changes, which admin asked.
ALTER TABLE audit ADD COLUMN kind   TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN admin  TEXT;
ALTER TABLE audit ADD COLUMN detail TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_user ON audit (user_id, id);
CREATE INDEX audit_device ON audit (device_id, id);
CREATE INDEX audit_at ON audit (at);

-- Bad enrolment codes, from any source: enough of them in a short window and
-- the hub refuses every enrolment for a while (see Hub::enroll).
CREATE TABLE enrol_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL
);
CREATE INDEX enrol_failures_at ON enrol_failures (at);
