-- Bad enrolment codes are throttled per source address and per code, with a
-- hub-wide ceiling only a flood reaches (see crates/hub/src/enrol.rs), so one
-- stranger can no longer lock enrolment for the whole street. Each failure
-- now says where it came from (an IPv4 address, or an IPv6 /64) and which
-- code was tried (its SHA-256, like issued codes). Rows from before this
-- migration have neither and count towards the ceiling only.
ALTER TABLE enrol_failures ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE enrol_failures ADD COLUMN code_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX enrol_failures_source ON enrol_failures (source, at);
CREATE INDEX enrol_failures_code ON enrol_failures (code_hash, at);
