-- The head of the chain keeps the hash it replaced: the validating statement
-- takes the head's lock, computes the new hash from the old one and returns
-- both, in one step (server/sales_validate.c). A sub-select could not read
-- the old hash safely there: its snapshot may predate the lock.
ALTER TABLE document_chain ADD COLUMN prev_hash text NOT NULL DEFAULT '';
