-- Photos (DESIGN §9): each blob stored once, by its SHA-256, as a file
-- under blobs/ beside hub.db; these rows say which are whole and who sent
-- them, and which records reference which blobs (who may fetch one).
CREATE TABLE blobs (
    hash      TEXT PRIMARY KEY,
    size      INTEGER NOT NULL,
    stored_at TEXT NOT NULL,
    device_id TEXT NOT NULL
) WITHOUT ROWID;

-- `by_user`: who added the reference. A reference opens a blob to the
-- record's readers only if that user sent the blob's bytes (blob_senders):
-- naming a hash one learned is not having the photo.
CREATE TABLE blob_refs (
    hash    TEXT NOT NULL,
    doc_id  TEXT NOT NULL,
    by_user TEXT NOT NULL,
    PRIMARY KEY (hash, doc_id)
) WITHOUT ROWID;

-- Every user who completed an upload of a blob (hash checked), the first
-- and any who sent the same bytes again.
CREATE TABLE blob_senders (
    hash    TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (hash, user_id)
) WITHOUT ROWID;

CREATE INDEX blob_refs_by_doc ON blob_refs (doc_id);
