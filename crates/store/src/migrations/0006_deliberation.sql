-- Residents' deliberation topics (居民议事): the projection rewritten on every
-- save from the fold, with what lists show and what the figures sum
-- (model::deliberation::TopicFacts). A topic is not sensitive and has no
-- private part.
CREATE TABLE deliberations (
    id             TEXT PRIMARY KEY,
    grid           TEXT NOT NULL,
    household      TEXT,
    title          TEXT NOT NULL,
    proposer       TEXT NOT NULL,
    proposer_name  TEXT NOT NULL,
    submitted_by   TEXT NOT NULL,
    -- NULL for a topic never validly proposed (its propose step refused).
    stage          TEXT,
    -- The topic's own date, from which the days to resolution count.
    proposed_at    TEXT NOT NULL,
    accepted       INTEGER NOT NULL,
    resolved_at    TEXT,
    closed_at      TEXT,
    tasks          INTEGER NOT NULL,
    -- The due dates of the tasks not yet done, earliest first, comma-joined
    -- ('' when none): a task is overdue by model::deliberation::task_overdue,
    -- asked with the list's `now`, never in SQL.
    open_task_dues TEXT NOT NULL,
    -- 1 when every task was done by its due date, 0 when one was late, NULL
    -- while a task is open or there are none.
    implemented_on_time INTEGER,
    refused_events INTEGER NOT NULL
);
CREATE INDEX deliberations_stage ON deliberations (stage);
CREATE INDEX deliberations_grid ON deliberations (grid);
