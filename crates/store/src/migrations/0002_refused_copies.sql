-- Read-only copies of records the hub refused: kept, never synced, exportable.
CREATE TABLE refused_copies (
    id         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    bytes      BLOB NOT NULL,
    reason     TEXT NOT NULL,
    refused_at TEXT NOT NULL,
    PRIMARY KEY (id, refused_at)
);
