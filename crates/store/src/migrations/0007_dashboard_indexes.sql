-- The dashboard of a street-staff laptop reads 120,000 issues and 400,000
-- visits. Each of its figures gets an index it can answer from alone, so
-- opening it reads a small range instead of every row (DESIGN §6: the
-- dashboard opens in 50 ms on a whole street).

-- Issues reported per day over the last two weeks: a range, not a scan.
CREATE INDEX issues_reported ON issues (reported_at);
-- Median time to close: the hours each closed issue took, kept by the
-- projection (parsing 200,000 times on each open took most of the dashboard),
-- in order, so the median is read from the middle of the index.
ALTER TABLE issues ADD COLUMN hours_to_close REAL;
UPDATE issues SET hours_to_close = (julianday(closed_at) - julianday(reported_at)) * 24.0
    WHERE closed_at IS NOT NULL;
CREATE INDEX issues_hours ON issues (hours_to_close) WHERE hours_to_close IS NOT NULL;
-- Overdue: the issues with a deadline in a stage that can be overdue (the
-- model says which), with their deadline, for the model's rule.
CREATE INDEX issues_deadlines ON issues (stage, deadline) WHERE deadline IS NOT NULL;
-- Households visited in the last 30 days: the recent visits, not every household.
CREATE INDEX visits_at ON visits (at, household_id);

-- Issues by stage and category, kept as a tally by triggers, so the
-- dashboard reads some 130 rows instead of counting 120,000. A stage the
-- fold has not set is ''. The store turns recursive_triggers on, so the row
-- an INSERT OR REPLACE removes is subtracted like any deleted row.
CREATE TABLE issue_tally (
    stage    TEXT NOT NULL,
    category TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (stage, category)
) WITHOUT ROWID;
INSERT INTO issue_tally (stage, category, n)
    SELECT coalesce(stage, ''), category, count(*) FROM issues GROUP BY 1, 2;
CREATE TRIGGER issue_tally_insert AFTER INSERT ON issues BEGIN
    INSERT INTO issue_tally (stage, category, n)
        VALUES (coalesce(NEW.stage, ''), NEW.category, 1)
        ON CONFLICT (stage, category) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_tally_delete AFTER DELETE ON issues BEGIN
    UPDATE issue_tally SET n = n - 1
        WHERE stage = coalesce(OLD.stage, '') AND category = OLD.category;
END;
CREATE TRIGGER issue_tally_update AFTER UPDATE OF stage, category ON issues BEGIN
    UPDATE issue_tally SET n = n - 1
        WHERE stage = coalesce(OLD.stage, '') AND category = OLD.category;
    INSERT INTO issue_tally (stage, category, n)
        VALUES (coalesce(NEW.stage, ''), NEW.category, 1)
        ON CONFLICT (stage, category) DO UPDATE SET n = n + 1;
END;
