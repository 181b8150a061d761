-- The highest cursor each device has sent: it has applied every reply up to
-- there, removals included. A document that moved out of the device's scope
-- after that point moved while the device could not know, so its edits to it
-- made before are still accepted (docs/sync-protocol.md, "Edits to a document
-- that moved away").
ALTER TABLE devices ADD COLUMN seen_cursor INTEGER NOT NULL DEFAULT 0;
