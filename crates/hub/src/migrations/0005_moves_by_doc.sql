-- Every pushed change to a document the hub holds looks up the document's
-- first move after the device's seen_cursor (0004): find it by document.
CREATE INDEX moves_doc_seq ON moves (doc_id, seq);
