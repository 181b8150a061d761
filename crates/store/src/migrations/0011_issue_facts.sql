-- The monthly report's facts of each issue (model::monthly::IssueFacts),
-- projected on each save beside what the lists read: when it was first
-- accepted, and each resident's evaluation with, for an unsatisfied one,
-- whom its send-back counts against (projection::encode_evaluations). Issues
-- stored before this migration are projected again when the store next
-- opens (the `reproject_issues` mark), in one transaction.
ALTER TABLE issues ADD COLUMN accepted_at TEXT;
ALTER TABLE issues ADD COLUMN evaluations TEXT NOT NULL DEFAULT '';
CREATE INDEX issues_closed ON issues (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX issues_accepted ON issues (accepted_at) WHERE accepted_at IS NOT NULL;
INSERT INTO meta (key, value) SELECT 'reproject_issues', '1' WHERE EXISTS (SELECT 1 FROM issues);
