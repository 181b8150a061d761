-- The monthly report's facts of each issue (model::monthly::IssueFacts),
-- projected on each save beside what the lists read: when it was first
-- accepted, and in `facts` each dispatch's time limit and the closing that
-- ended it, each closing, and each resident's evaluation with whom an
-- unsatisfied one counts against (projection::encode_facts). `facts_from`
-- and `facts_to` are the earliest and latest time in `facts`, so a month's
-- report reads only the issues it bears on. Issues stored before this
-- migration are projected again when the store next opens (the
-- `reproject_issues` mark), in one transaction.
ALTER TABLE issues ADD COLUMN accepted_at TEXT;
ALTER TABLE issues ADD COLUMN facts TEXT NOT NULL DEFAULT '';
ALTER TABLE issues ADD COLUMN facts_from TEXT;
ALTER TABLE issues ADD COLUMN facts_to TEXT;
CREATE INDEX issues_accepted ON issues (accepted_at) WHERE accepted_at IS NOT NULL;
CREATE INDEX issues_facts ON issues (facts_from, facts_to) WHERE facts_from IS NOT NULL;
INSERT INTO meta (key, value) SELECT 'reproject_issues', '1' WHERE EXISTS (SELECT 1 FROM issues);
