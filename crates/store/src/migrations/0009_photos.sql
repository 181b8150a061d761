-- Photos (DESIGN §9). The files live beside device.db, named by hash;
-- `photo_files` is what this device knows of each blob (a photo or a
-- thumbnail): whether its bytes are here, and, for one taken here, how its
-- upload stands. `photo_refs` projects every record's photo list.
CREATE TABLE photo_files (
    hash       TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    is_thumb   INTEGER NOT NULL,
    -- A photo's thumbnail (a photo taken here; others' come with their references).
    thumb      TEXT,
    -- Taken on this device: it must reach the hub, and is never evicted before.
    own        INTEGER NOT NULL,
    on_disk    INTEGER NOT NULL,
    -- own only: waiting (sent bytes so far in `sent`), uploaded, failed.
    upload     TEXT NOT NULL DEFAULT 'waiting',
    sent       INTEGER NOT NULL DEFAULT 0,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_try_at TEXT,
    -- failed: the hub refused it for good (too large); retried only by hand.
    reason_zh  TEXT,
    reason_en  TEXT,
    taken_at   TEXT,
    used_at    TEXT
) WITHOUT ROWID;

CREATE TABLE photo_refs (
    doc_id     TEXT NOT NULL,
    hash       TEXT NOT NULL,
    thumb      TEXT NOT NULL,
    size       INTEGER NOT NULL,
    thumb_size INTEGER NOT NULL,
    step       TEXT NOT NULL,
    caption    TEXT NOT NULL,
    taken_at   TEXT NOT NULL,
    by_user    TEXT NOT NULL,
    pos        INTEGER NOT NULL,
    PRIMARY KEY (doc_id, hash)
) WITHOUT ROWID;

CREATE INDEX photo_refs_by_hash ON photo_refs (hash);
CREATE INDEX photo_refs_by_thumb ON photo_refs (thumb);
CREATE INDEX photo_files_queue ON photo_files (own, upload) WHERE own = 1 AND upload <> 'uploaded';
