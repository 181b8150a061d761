-- A device's refused pushes and probes (pushes naming records it may not
-- read) are audit rows; counting its recent ones decides whether its syncs
-- wait (Hub::throttle_prober), so they are found by device, action and time.
CREATE INDEX audit_device_action_at ON audit (device_id, action, at);
