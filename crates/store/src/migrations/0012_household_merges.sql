-- Household merges (合并). Each household's own merge events fold to at most
-- one direct survivor: `household_merges` keeps that edge as the document
-- says it. `household_survivors` is every merged household's final survivor,
-- resolved over all edges at once (chains followed, cycles broken by the
-- smallest id), and rewritten whenever an edge changes, so lists, counts and
-- a survivor's page read one indexed table instead of walking chains.
CREATE TABLE household_merges (
    household_id TEXT PRIMARY KEY,
    into_id TEXT NOT NULL,
    by_user TEXT NOT NULL,
    by_role TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE household_survivors (
    household_id TEXT PRIMARY KEY,
    survivor_id TEXT NOT NULL
);
CREATE INDEX household_survivors_by_survivor ON household_survivors (survivor_id);
