-- Third parties: clients and prospects (a prospect becomes a client and keeps
-- its history: same row, kind changes), with their addresses (billing,
-- delivery, intervention sites) and contacts. Company-scoped under row-level
-- security like every business table.

-- unaccent() is only STABLE; indexes need an immutable wrapper bound to the
-- dictionary explicitly. Names are schema-qualified: pg_restore rebuilds the
-- indexes with an empty search_path.
CREATE FUNCTION cpt_unaccent(text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
	AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

CREATE FUNCTION cpt_search_key(text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
	AS $$ SELECT lower(public.cpt_unaccent($1)) $$;

CREATE TABLE party (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	kind text NOT NULL CHECK (kind IN ('client', 'prospect')),
	code text NOT NULL CHECK (code ~ '^[A-Z0-9_.-]{1,20}$'),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	legal_form text NOT NULL DEFAULT '',
	country char(2) NOT NULL DEFAULT 'FR',
	siren text NOT NULL DEFAULT '',
	siret text NOT NULL DEFAULT '',
	be_enterprise text NOT NULL DEFAULT '',
	vat_number text NOT NULL DEFAULT '',
	sector text NOT NULL DEFAULT '',
	sales_rep text NOT NULL DEFAULT '',
	payment_terms text NOT NULL DEFAULT 'NET30',
	payment_method text NOT NULL DEFAULT '',
	payer_id bigint REFERENCES party ON DELETE RESTRICT,
	dispute boolean NOT NULL DEFAULT false,
	notes text NOT NULL DEFAULT '',
	tags text[] NOT NULL DEFAULT '{}',
	converted_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	-- Folded once at write time, not per row at every keystroke.
	search_text text GENERATED ALWAYS AS
		(cpt_search_key(code || ' ' || name || ' ' || siren || ' ' || vat_number)) STORED,
	name_key text GENERATED ALWAYS AS (cpt_search_key(name)) STORED,
	UNIQUE (company_id, code)
);
CREATE INDEX party_search_idx ON party USING gin (search_text gin_trgm_ops);
CREATE INDEX party_name_idx ON party (company_id, name_key, id);

CREATE TABLE party_address (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	party_id bigint NOT NULL REFERENCES party ON DELETE CASCADE,
	kind text NOT NULL CHECK (kind IN ('billing', 'delivery', 'site')),
	label text NOT NULL DEFAULT '',
	line1 text NOT NULL DEFAULT '',
	line2 text NOT NULL DEFAULT '',
	postcode text NOT NULL DEFAULT '',
	city text NOT NULL DEFAULT '',
	country char(2) NOT NULL DEFAULT 'FR'
);
CREATE INDEX party_address_party_idx ON party_address (party_id);

CREATE TABLE party_contact (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	party_id bigint NOT NULL REFERENCES party ON DELETE CASCADE,
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	role text NOT NULL DEFAULT '',
	email text NOT NULL DEFAULT '',
	phone text NOT NULL DEFAULT '',
	mobile text NOT NULL DEFAULT ''
);
CREATE INDEX party_contact_party_idx ON party_contact (party_id);

DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['party', 'party_address', 'party_contact'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY %I ON %I USING (company_id = cpt_company())'
			' WITH CHECK (company_id = cpt_company())', t || '_company', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO comptoir_app', t);
	END LOOP;
END
$$;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO comptoir_app;
