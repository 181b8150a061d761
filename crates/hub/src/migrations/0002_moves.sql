-- Where a document was before an accepted change moved it (another grid or
-- household), stamped with that change's counter value: devices that could
-- read it there and cannot now are told to remove it.
CREATE TABLE moves (
    doc_id        TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    old_grid      TEXT NOT NULL,
    old_household TEXT,
    PRIMARY KEY (seq, doc_id)
);
