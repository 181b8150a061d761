-- A remote wipe (DESIGN §7): the admin asks for it; the device erases its
-- store and key only after the hub holds everything it had, then says so.
ALTER TABLE devices ADD COLUMN wipe_requested_at TEXT;
ALTER TABLE devices ADD COLUMN wiped_at TEXT;
