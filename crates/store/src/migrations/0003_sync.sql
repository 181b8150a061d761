-- The heads the hub has acknowledged for each document: changes after them
-- are what the next sync pushes.
ALTER TABLE documents ADD COLUMN acked_heads TEXT NOT NULL DEFAULT '';
