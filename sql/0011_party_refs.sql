-- The client file's references, which were free text: geographic sectors and
-- sales representatives (each company's own, under row-level security), and
-- payment methods (one list shared by every company, read-only, with the
-- UNTDID 4461 payment means code that EN 16931 e-invoices carry, BT-81).
-- Also the client's price list becomes a reference of its own company, and
-- marketing segments sit next to the tags.
--
-- Nothing typed before is lost: each distinct sector or sales rep text of a
-- company becomes a sector or a rep (its code derived from the text), and
-- the parties point at it; a payment method text is recognised by its usual
-- French names, and one that is not is kept in the party's notes.
--
-- A party's sector, rep and price list are of its own company: composite
-- foreign keys hold it, since a plain foreign key does not see row-level
-- security. The daemon still looks them up under the policy first, to name
-- the field at fault.

CREATE TABLE sector (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	code text NOT NULL CHECK (code ~ '^[A-Z0-9_.-]{1,20}$'),
	label text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (company_id, code),
	UNIQUE (id, company_id)
);

-- user_id: the rep's own login, when they have one (one rep per user and company).
CREATE TABLE sales_rep (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	code text NOT NULL CHECK (code ~ '^[A-Z0-9_.-]{1,20}$'),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	email text NOT NULL DEFAULT '' CHECK (length(email) <= 200),
	phone text NOT NULL DEFAULT '' CHECK (length(phone) <= 30),
	user_id bigint REFERENCES app_user ON DELETE RESTRICT,
	active boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (company_id, code),
	UNIQUE (company_id, user_id),
	UNIQUE (id, company_id)
);
CREATE INDEX sales_rep_user_idx ON sales_rep (user_id);

DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['sector', 'sales_rep'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY %I ON %I USING (company_id = cpt_company())'
			' WITH CHECK (company_id = cpt_company())', t || '_company', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO comptoir_app', t);
	END LOOP;
END
$$;

-- means_code: UNTDID 4461. Transfers and direct debits are SEPA ones (58,
-- 59), the rule between French and Belgian companies; an LCR is a bill
-- drawn by the creditor on the debtor (70).
CREATE TABLE payment_method (
	code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{1,20}$'),
	label text NOT NULL,
	means_code text NOT NULL CHECK (means_code ~ '^([0-9]{1,3}|ZZZ)$'),
	position smallint NOT NULL UNIQUE -- order in lists
);

INSERT INTO payment_method (code, label, means_code, position) VALUES
	('VIREMENT', 'Virement', '58', 1),
	('CHEQUE', 'Chèque', '20', 2),
	('CARTE', 'Carte bancaire', '48', 3),
	('PRELEVEMENT', 'Prélèvement SEPA', '59', 4),
	('ESPECES', 'Espèces', '10', 5),
	('LCR', 'Lettre de change relevé (LCR)', '70', 6);

GRANT SELECT ON payment_method TO comptoir_app;

-- ---------------------------------------------------------------------------
-- The party's references

ALTER TABLE price_list ADD CONSTRAINT price_list_id_company_key UNIQUE (id, company_id);
ALTER TABLE party DROP CONSTRAINT party_price_list_id_fkey;
ALTER TABLE party ADD CONSTRAINT party_price_list_fk FOREIGN KEY (price_list_id, company_id)
	REFERENCES price_list (id, company_id) ON DELETE RESTRICT;

ALTER TABLE party RENAME COLUMN payment_method TO payment_method_text;
ALTER TABLE party
	ADD COLUMN sector_id bigint,
	ADD COLUMN sales_rep_id bigint,
	ADD COLUMN payment_method text REFERENCES payment_method ON DELETE RESTRICT,
	ADD COLUMN segments text[] NOT NULL DEFAULT '{}',
	ADD CONSTRAINT party_sector_fk FOREIGN KEY (sector_id, company_id)
		REFERENCES sector (id, company_id) ON DELETE RESTRICT,
	ADD CONSTRAINT party_sales_rep_fk FOREIGN KEY (sales_rep_id, company_id)
		REFERENCES sales_rep (id, company_id) ON DELETE RESTRICT;

-- A code for a text typed by hand: upper case without accents, other
-- characters as "_", 20 at most; "_2", "_3"... when the company has it already.
CREATE FUNCTION pg_temp.cpt_ref_code(tbl regclass, company bigint, txt text, fallback text)
	RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	base text := left(btrim(regexp_replace(upper(public.cpt_unaccent(txt)),
		'[^A-Z0-9.-]+', '_', 'g'), '_'), 20);
	candidate text;
	n integer := 1;
	taken boolean;
BEGIN
	IF base = '' THEN
		base := fallback;
	END IF;
	candidate := base;
	LOOP
		EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE company_id = $1 AND code = $2)',
			tbl) INTO taken USING company, candidate;
		EXIT WHEN NOT taken;
		n := n + 1;
		candidate := left(base, 19 - length(n::text)) || '_' || n;
	END LOOP;
	RETURN candidate;
END
$$;

DO $$
DECLARE
	r record;
	new_id bigint;
BEGIN
	FOR r IN SELECT DISTINCT company_id, btrim(sector) AS txt FROM party
		WHERE btrim(sector) <> '' ORDER BY 1, 2 LOOP
		INSERT INTO sector (company_id, code, label)
			VALUES (r.company_id, pg_temp.cpt_ref_code('sector', r.company_id, r.txt, 'SECTEUR'),
				left(r.txt, 200))
			RETURNING id INTO new_id;
		UPDATE party SET sector_id = new_id
			WHERE company_id = r.company_id AND btrim(sector) = r.txt;
	END LOOP;
	FOR r IN SELECT DISTINCT company_id, btrim(sales_rep) AS txt FROM party
		WHERE btrim(sales_rep) <> '' ORDER BY 1, 2 LOOP
		INSERT INTO sales_rep (company_id, code, name)
			VALUES (r.company_id,
				pg_temp.cpt_ref_code('sales_rep', r.company_id, r.txt, 'COMMERCIAL'),
				left(r.txt, 200))
			RETURNING id INTO new_id;
		UPDATE party SET sales_rep_id = new_id
			WHERE company_id = r.company_id AND btrim(sales_rep) = r.txt;
	END LOOP;
END
$$;

DROP FUNCTION pg_temp.cpt_ref_code(regclass, bigint, text, text);

-- Payment methods by the names people type, folded like searches: each code
-- and label, and the usual abbreviations.
WITH known (name, code) AS (
	SELECT cpt_search_key(code), code FROM payment_method
	UNION ALL SELECT cpt_search_key(label), code FROM payment_method
	UNION ALL VALUES
		('vir', 'VIREMENT'), ('virement bancaire', 'VIREMENT'), ('virement sepa', 'VIREMENT'),
		('chq', 'CHEQUE'), ('cheque bancaire', 'CHEQUE'),
		('cb', 'CARTE'), ('carte bleue', 'CARTE'),
		('prlv', 'PRELEVEMENT'), ('prelevement automatique', 'PRELEVEMENT'),
		('liquide', 'ESPECES'),
		('traite', 'LCR'), ('lettre de change', 'LCR'), ('lettre de change releve', 'LCR')
)
UPDATE party p SET payment_method = k.code
	FROM known k
	WHERE k.name = cpt_search_key(btrim(p.payment_method_text));

UPDATE party SET notes = notes || CASE WHEN notes = '' THEN '' ELSE E'\n' END
		|| 'Mode de paiement : ' || btrim(payment_method_text)
	WHERE payment_method IS NULL AND btrim(payment_method_text) <> '';

ALTER TABLE party DROP COLUMN sector, DROP COLUMN sales_rep, DROP COLUMN payment_method_text;

CREATE INDEX party_sector_idx ON party (sector_id);
CREATE INDEX party_sales_rep_idx ON party (sales_rep_id);
CREATE INDEX party_price_list_idx ON party (price_list_id);

-- ---------------------------------------------------------------------------
-- Filtering on tags and segments under row-level security
--
-- As for searches (0008_search_leakproof.sql): the policy is a security
-- barrier, and array containment (@>) is not marked LEAKPROOF, so its GIN
-- index would never serve. cpt_array_contains() is arraycontains under our
-- own name, marked LEAKPROOF: it compares elements with text equality and
-- raises no error that depends on a row. The operator @>> and a GIN
-- operator class over the array support functions (strategy 2: contains)
-- let the index serve it. Its estimates are the generic ones: arraycontsel
-- only knows the built-in operators.

CREATE FUNCTION cpt_array_contains(text[], text[]) RETURNS boolean
	LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF
	AS 'arraycontains';

CREATE OPERATOR public.@>> (
	LEFTARG = text[], RIGHTARG = text[], FUNCTION = public.cpt_array_contains,
	RESTRICT = contsel, JOIN = contjoinsel
);

CREATE OPERATOR CLASS cpt_text_array_contains_ops FOR TYPE text[] USING gin AS
	OPERATOR 2 public.@>> (text[], text[]),
	FUNCTION 1 bttextcmp(text, text),
	FUNCTION 2 ginarrayextract(anyarray, internal, internal),
	FUNCTION 3 ginqueryarrayextract(anyarray, internal, smallint, internal, internal, internal,
		internal),
	FUNCTION 4 ginarrayconsistent(internal, smallint, anyarray, integer, internal, internal,
		internal, internal),
	FUNCTION 6 ginarraytriconsistent(internal, smallint, anyarray, integer, internal, internal,
		internal),
	STORAGE text;

CREATE INDEX party_tags_idx ON party USING gin (tags cpt_text_array_contains_ops);
CREATE INDEX party_segments_idx ON party USING gin (segments cpt_text_array_contains_ops);

GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO comptoir_app;
