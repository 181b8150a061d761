-- The hub counter when a device enrolled. Moves before it happened before
-- the device existed: they never make a document visible or writable to it
-- at its old place, and never show in its removals (a new device would
-- otherwise learn the ids of records that left its scope long ago).
ALTER TABLE devices ADD COLUMN enrolled_counter INTEGER NOT NULL DEFAULT 0;
