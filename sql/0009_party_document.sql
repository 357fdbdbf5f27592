-- Documents attached to third parties (clients, prospects, suppliers): any
-- file, kept in the database with its SHA-256 so a read can tell it is still
-- the file that was added. And GDPR anonymisation: a party or a contact whose
-- personal data was erased on request records when, and keeps its row.
-- Company-scoped under row-level security like every business table.

-- A document may only point at a party of its own company, even through a
-- query that forgets the filter: the foreign key carries the company.
ALTER TABLE party ADD CONSTRAINT party_company_id_id_key UNIQUE (company_id, id);

ALTER TABLE party ADD COLUMN anonymised_at timestamptz;
ALTER TABLE party_contact ADD COLUMN anonymised_at timestamptz;

CREATE TABLE party_document (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	party_id bigint NOT NULL,
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	mime_type text NOT NULL CHECK (mime_type ~ '^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$'),
	size bigint NOT NULL CHECK (size > 0),
	sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	content bytea NOT NULL CHECK (octet_length(content) = size),
	created_at timestamptz NOT NULL DEFAULT now(),
	created_by bigint NOT NULL REFERENCES app_user ON DELETE RESTRICT,
	FOREIGN KEY (company_id, party_id) REFERENCES party (company_id, id) ON DELETE RESTRICT
);
-- Lists show a party's documents newest first.
CREATE INDEX party_document_party_idx ON party_document (party_id, created_at DESC, id DESC);
-- Already compressed files (PDF, JPEG, ZIP) gain nothing from TOAST compression.
ALTER TABLE party_document ALTER COLUMN content SET STORAGE EXTERNAL;

ALTER TABLE party_document ENABLE ROW LEVEL SECURITY;
ALTER TABLE party_document FORCE ROW LEVEL SECURITY;
CREATE POLICY party_document_company ON party_document
	USING (company_id = cpt_company()) WITH CHECK (company_id = cpt_company());
GRANT SELECT, INSERT, DELETE ON party_document TO comptoir_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO comptoir_app;
