-- The article catalogue: goods, services, labour and travel, with families
-- and subfamilies, labels in other languages, multi-level bills of materials
-- ("nomenclatures"), price lists per client category and per client with
-- quantity breaks and validity dates, and suppliers' prices.
--
-- Unit prices carry 4 decimals (1/10000 of the currency), quantities 3, rates
-- and discounts hundredths of a percent, as everywhere in Comptoir.

-- Two levels: a family (parent_id NULL) and its subfamilies.
CREATE TABLE article_family (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	parent_id bigint REFERENCES article_family ON DELETE RESTRICT,
	code text NOT NULL CHECK (code ~ '^[A-Z0-9_.-]{1,20}$'),
	label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
	UNIQUE (company_id, code)
);

CREATE TABLE article (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	code text NOT NULL CHECK (code ~ '^[A-Z0-9_./-]{1,30}$'),
	kind text NOT NULL CHECK (kind IN ('goods', 'service', 'labour', 'travel')),
	label text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
	unit text NOT NULL REFERENCES unit ON DELETE RESTRICT DEFAULT 'U',
	purchase_price bigint NOT NULL DEFAULT 0 CHECK (purchase_price >= 0),
	sale_price bigint NOT NULL DEFAULT 0 CHECK (sale_price >= 0),
	vat_rate_id bigint NOT NULL REFERENCES vat_rate ON DELETE RESTRICT,
	eco_contribution bigint NOT NULL DEFAULT 0 CHECK (eco_contribution >= 0), -- DEEE, per unit
	family_id bigint REFERENCES article_family ON DELETE RESTRICT,
	subfamily_id bigint REFERENCES article_family ON DELETE RESTRICT,
	barcode text NOT NULL DEFAULT '',
	stock_tracked boolean NOT NULL DEFAULT false,
	serial_tracked boolean NOT NULL DEFAULT false,
	active boolean NOT NULL DEFAULT true,
	notes text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	search_text text GENERATED ALWAYS AS
		(cpt_search_key(code || ' ' || label || ' ' || barcode)) STORED,
	label_key text GENERATED ALWAYS AS (cpt_search_key(label)) STORED,
	UNIQUE (company_id, code),
	-- A serial number is only followed on stock.
	CHECK (NOT serial_tracked OR stock_tracked),
	CHECK (NOT stock_tracked OR kind = 'goods')
);
CREATE INDEX article_search_idx ON article USING gin (search_text gin_trgm_ops);
CREATE INDEX article_label_idx ON article (company_id, label_key, id);
CREATE INDEX article_family_idx ON article (family_id);

CREATE TABLE article_translation (
	article_id bigint NOT NULL REFERENCES article ON DELETE CASCADE,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	lang text NOT NULL CHECK (lang ~ '^[a-z]{2}$'),
	label text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
	PRIMARY KEY (article_id, lang)
);

-- One level of a bill of materials; levels nest through the components' own
-- lines. Cycles are refused by the trigger below, whoever writes.
CREATE TABLE bom_line (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	parent_id bigint NOT NULL REFERENCES article ON DELETE CASCADE,
	component_id bigint NOT NULL REFERENCES article ON DELETE RESTRICT,
	quantity bigint NOT NULL CHECK (quantity > 0),
	position integer NOT NULL DEFAULT 0,
	UNIQUE (parent_id, component_id)
);
CREATE INDEX bom_line_component_idx ON bom_line (component_id);

CREATE FUNCTION bom_refuse_cycle() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	-- Serialises BOM writes of the company, so that two transactions cannot
	-- each close half of a cycle.
	PERFORM pg_advisory_xact_lock(hashtext('comptoir.bom'), NEW.company_id::int);
	IF NEW.parent_id = NEW.component_id OR EXISTS (
		WITH RECURSIVE below(id) AS (
			SELECT NEW.component_id
			UNION
			SELECT b.component_id FROM bom_line b JOIN below ON b.parent_id = below.id
		)
		SELECT 1 FROM below WHERE id = NEW.parent_id) THEN
		RAISE EXCEPTION 'bill of materials cycle through article %', NEW.parent_id
			USING ERRCODE = 'check_violation', CONSTRAINT = 'bom_line_cycle';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER bom_line_cycle BEFORE INSERT OR UPDATE ON bom_line
	FOR EACH ROW EXECUTE FUNCTION bom_refuse_cycle();

-- A client category ("Syndics", "Revendeurs"...): clients point to one.
CREATE TABLE price_list (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	code text NOT NULL CHECK (code ~ '^[A-Z0-9_.-]{1,20}$'),
	label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
	UNIQUE (company_id, code)
);

ALTER TABLE party ADD COLUMN price_list_id bigint REFERENCES price_list ON DELETE RESTRICT;

-- A price of an article for a price list or for one client, from a quantity,
-- over a validity period: either a fixed unit price or a discount off the
-- article's sale price. See server/pricing.c for the resolution rule.
CREATE TABLE price_rule (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	price_list_id bigint REFERENCES price_list ON DELETE CASCADE,
	party_id bigint REFERENCES party ON DELETE CASCADE,
	article_id bigint NOT NULL REFERENCES article ON DELETE CASCADE,
	min_quantity bigint NOT NULL DEFAULT 0 CHECK (min_quantity >= 0),
	unit_price bigint CHECK (unit_price >= 0),
	discount integer CHECK (discount BETWEEN 0 AND 10000),
	valid_from date,
	valid_to date,
	CHECK ((price_list_id IS NULL) <> (party_id IS NULL)),
	CHECK ((unit_price IS NULL) <> (discount IS NULL)),
	CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
);
CREATE INDEX price_rule_article_idx ON price_rule (article_id);
CREATE INDEX price_rule_list_idx ON price_rule (price_list_id);
CREATE INDEX price_rule_party_idx ON price_rule (party_id);

-- What a supplier sells an article for, under its own reference.
CREATE TABLE supplier_price (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	supplier_id bigint NOT NULL REFERENCES party ON DELETE CASCADE,
	article_id bigint NOT NULL REFERENCES article ON DELETE CASCADE,
	supplier_ref text NOT NULL DEFAULT '',
	min_quantity bigint NOT NULL DEFAULT 0 CHECK (min_quantity >= 0),
	unit_price bigint NOT NULL CHECK (unit_price >= 0),
	valid_from date,
	valid_to date,
	updated_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (supplier_id, article_id, min_quantity),
	CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
);
CREATE INDEX supplier_price_article_idx ON supplier_price (article_id);

DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['article_family', 'article', 'article_translation', 'bom_line',
		'price_list', 'price_rule', 'supplier_price'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY %I ON %I USING (company_id = cpt_company())'
			' WITH CHECK (company_id = cpt_company())', t || '_company', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO comptoir_app', t);
	END LOOP;
END
$$;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO comptoir_app;
