-- Suppliers are third parties too: same record, addresses and contacts, read
-- and written through their own service under the suppliers.* rights.
ALTER TABLE party DROP CONSTRAINT party_kind_check;
ALTER TABLE party ADD CONSTRAINT party_kind_check
	CHECK (kind IN ('client', 'prospect', 'supplier'));
