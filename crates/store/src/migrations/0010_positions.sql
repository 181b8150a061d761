-- Where an issue was seen or a visit made (DESIGN §9): WGS-84, projected
-- from the record's `position` on each save, for the issue page and the
-- dashboard's plot of the last 30 days.
ALTER TABLE issues ADD COLUMN lat REAL;
ALTER TABLE issues ADD COLUMN lon REAL;
ALTER TABLE issues ADD COLUMN accuracy REAL;
ALTER TABLE issues ADD COLUMN position_source TEXT;
ALTER TABLE visits ADD COLUMN lat REAL;
ALTER TABLE visits ADD COLUMN lon REAL;
ALTER TABLE visits ADD COLUMN accuracy REAL;
ALTER TABLE visits ADD COLUMN position_source TEXT;
