-- Photos (DESIGN §9): each blob stored once, by its SHA-256, as a file
-- under blobs/ beside hub.db; these rows say which are whole and who sent
-- them, and which records reference which blobs (who may fetch one).
CREATE TABLE blobs (
    hash      TEXT PRIMARY KEY,
    size      INTEGER NOT NULL,
    stored_at TEXT NOT NULL,
    device_id TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE blob_refs (
    hash   TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (hash, doc_id)
) WITHOUT ROWID;

CREATE INDEX blob_refs_by_doc ON blob_refs (doc_id);
