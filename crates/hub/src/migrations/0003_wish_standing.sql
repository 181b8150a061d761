-- Sync scope for wishes (docs/sync-protocol.md, "What a device receives"): a
-- wish is sent street-wide only while it is open; a settled one goes to its
-- own grid, its poster and its claimant. `open` is 1 for every other kind.
-- Existing wish rows are filled in by the hub when it applies this migration.
ALTER TABLE documents ADD COLUMN open INTEGER NOT NULL DEFAULT 1;
ALTER TABLE documents ADD COLUMN claimant TEXT;
-- A move now also records a wish's standing before the change, so a wish that
-- settles is removed from devices that no longer receive it (NULL in rows
-- written before this migration: the standing did not change).
ALTER TABLE moves ADD COLUMN old_open INTEGER;
ALTER TABLE moves ADD COLUMN old_claimant TEXT;
