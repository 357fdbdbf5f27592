-- The commercial chain: quotes, orders, delivery notes, invoices, deposit
-- invoices, credit notes and pro formas, their lines, the legal numbering,
-- and the unalterable archive of validated invoices and credit notes
-- (France: CGI art. 286 I 3° bis; numbering: CGI annexe II art. 242 nonies A).
--
-- Money in cents, unit prices 1/10000, quantities 1/1000, rates and
-- discounts hundredths of a percent. Every table is company-scoped under
-- row-level security.

-- What the law wants printed about the seller, and its invoicing options.
ALTER TABLE company
	ADD COLUMN legal_form text NOT NULL DEFAULT '',
	ADD COLUMN share_capital text NOT NULL DEFAULT '',
	ADD COLUMN siret text NOT NULL DEFAULT '',
	ADD COLUMN rcs text NOT NULL DEFAULT '',
	ADD COLUMN be_enterprise text NOT NULL DEFAULT '',
	ADD COLUMN address_line1 text NOT NULL DEFAULT '',
	ADD COLUMN address_line2 text NOT NULL DEFAULT '',
	ADD COLUMN postcode text NOT NULL DEFAULT '',
	ADD COLUMN city text NOT NULL DEFAULT '',
	ADD COLUMN phone text NOT NULL DEFAULT '',
	ADD COLUMN email text NOT NULL DEFAULT '',
	ADD COLUMN website text NOT NULL DEFAULT '',
	ADD COLUMN iban text NOT NULL DEFAULT '',
	ADD COLUMN bic text NOT NULL DEFAULT '',
	ADD COLUMN logo bytea,
	ADD COLUMN colour integer NOT NULL DEFAULT 2976335 CHECK (colour BETWEEN 0 AND 16777215),
	ADD COLUMN footer text NOT NULL DEFAULT '',
	-- TVA sur les débits: the mention is printed when the option is taken.
	ADD COLUMN vat_on_debits boolean NOT NULL DEFAULT false,
	-- Late-payment penalties: the ECB rate plus a margin (10 points in
	-- France, 8 in Belgium), never below three times the legal interest rate.
	ADD COLUMN ecb_rate integer NOT NULL DEFAULT 215 CHECK (ecb_rate BETWEEN 0 AND 10000),
	ADD COLUMN penalty_margin integer NOT NULL DEFAULT 1000
		CHECK (penalty_margin BETWEEN 0 AND 10000),
	ADD COLUMN legal_interest_rate integer NOT NULL DEFAULT 316
		CHECK (legal_interest_rate BETWEEN 0 AND 10000),
	ADD COLUMN early_discount text NOT NULL
		DEFAULT 'Pas d''escompte pour paiement anticipé.',
	ADD COLUMN payment_means text NOT NULL DEFAULT '30', -- UNTDID 4461: credit transfer
	ADD COLUMN quote_validity_days integer NOT NULL DEFAULT 30
		CHECK (quote_validity_days BETWEEN 1 AND 365),
	-- The message a document is sent with; {title}, {number}, {date},
	-- {amount}, {due_date}, {company} and {client} are replaced.
	ADD COLUMN mail_subject text NOT NULL DEFAULT '{title} {number} — {company}',
	ADD COLUMN mail_body text NOT NULL DEFAULT
		E'Bonjour,\n\nVeuillez trouver ci-joint notre {title} {number} du {date}, d\'un montant de {amount} TTC.\n\nCordialement,\n{company}';
UPDATE company SET penalty_margin = 800 WHERE country = 'BE';
-- A Belgian company's penalties: the ECB rate plus 8 points, unless set.
CREATE FUNCTION company_defaults() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.country = 'BE' AND NEW.penalty_margin = 1000 THEN
		NEW.penalty_margin := 800;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER company_defaults BEFORE INSERT ON company
	FOR EACH ROW EXECUTE FUNCTION company_defaults();

CREATE TABLE sales_document (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	type text NOT NULL CHECK (type IN ('quote', 'order', 'delivery', 'invoice',
		'deposit_invoice', 'credit_note', 'proforma')),
	state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'validated', 'sent',
		'accepted', 'refused', 'expired', 'cancelled')),
	number text, -- legal number, taken at validation; NULL for a draft
	fiscal_year integer,
	party_id bigint NOT NULL REFERENCES party ON DELETE RESTRICT,
	-- The buyer as it was at validation (name, identifiers, addresses):
	-- what the document says forever, whatever becomes of the client file.
	buyer jsonb NOT NULL DEFAULT '{}',
	delivery_address_id bigint REFERENCES party_address ON DELETE RESTRICT,
	issue_date date NOT NULL DEFAULT current_date,
	due_date date,
	valid_until date,
	delivery_date date,
	payment_terms text NOT NULL DEFAULT 'NET30',
	prices_include_vat boolean NOT NULL DEFAULT false,
	discount_rate integer NOT NULL DEFAULT 0 CHECK (discount_rate BETWEEN 0 AND 10000),
	exemption_code text REFERENCES vat_exemption ON DELETE RESTRICT,
	buyer_reference text NOT NULL DEFAULT '',
	notes text NOT NULL DEFAULT '',
	-- The document it corrects (credit note) or was made from (conversion).
	corrects_id bigint REFERENCES sales_document ON DELETE RESTRICT,
	-- Totals, computed by the server at every save (server/sales_totals.c).
	lines_net bigint NOT NULL DEFAULT 0,
	discount_amount bigint NOT NULL DEFAULT 0,
	net_total bigint NOT NULL DEFAULT 0,
	vat_total bigint NOT NULL DEFAULT 0,
	gross_total bigint NOT NULL DEFAULT 0,
	prepaid bigint NOT NULL DEFAULT 0,
	amount_due bigint NOT NULL DEFAULT 0,
	eco_total bigint NOT NULL DEFAULT 0,
	-- Progress billing ("situation"): the share of the quote invoiced so far,
	-- this invoice included, and what the earlier ones came to (TTC).
	progress_rate integer NOT NULL DEFAULT 0 CHECK (progress_rate BETWEEN 0 AND 10000),
	progress_previous bigint NOT NULL DEFAULT 0,
	-- The archive: the place in the company's chain, and the hashes.
	chain_seq bigint,
	previous_hash text,
	hash text,
	validated_at timestamptz,
	validated_by bigint REFERENCES app_user ON DELETE RESTRICT,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	created_by bigint REFERENCES app_user ON DELETE RESTRICT,
	UNIQUE (company_id, type, number),
	UNIQUE (company_id, chain_seq),
	CHECK ((number IS NULL) = (state = 'draft'))
);
CREATE INDEX sales_document_list_idx ON sales_document (company_id, type, issue_date DESC, id DESC);
CREATE INDEX sales_document_party_idx ON sales_document (party_id);

CREATE TABLE sales_line (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	document_id bigint NOT NULL REFERENCES sales_document ON DELETE CASCADE,
	position integer NOT NULL,
	kind text NOT NULL DEFAULT 'item' CHECK (kind IN ('item', 'text', 'section', 'subtotal')),
	article_id bigint REFERENCES article ON DELETE RESTRICT,
	article_code text NOT NULL DEFAULT '',
	label text NOT NULL DEFAULT '',
	unit text NOT NULL DEFAULT '',
	quantity bigint NOT NULL DEFAULT 0,
	unit_price bigint NOT NULL DEFAULT 0, -- HT, or TTC when the document says so
	discount integer NOT NULL DEFAULT 0 CHECK (discount BETWEEN 0 AND 10000),
	vat_rate integer NOT NULL DEFAULT 0 CHECK (vat_rate BETWEEN 0 AND 10000),
	vat_category text NOT NULL DEFAULT 'S' CHECK (vat_category IN ('S', 'Z', 'E', 'AE', 'K', 'G', 'O')),
	eco_contribution bigint NOT NULL DEFAULT 0, -- per unit, 1/10000, in the price
	amount bigint NOT NULL DEFAULT 0, -- the line as entered (HT or TTC), rounded once
	net bigint NOT NULL DEFAULT 0,	  -- HT, cents; for TTC entry, its share of the rate's base
	source_line_id bigint REFERENCES sales_line ON DELETE RESTRICT,
	UNIQUE (document_id, position)
);
CREATE INDEX sales_line_source_idx ON sales_line (source_line_id);

-- Several quotes or deliveries grouped into one invoice, and every other
-- "made from" link of the chain.
CREATE TABLE sales_link (
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	from_id bigint NOT NULL REFERENCES sales_document ON DELETE CASCADE,
	to_id bigint NOT NULL REFERENCES sales_document ON DELETE CASCADE,
	PRIMARY KEY (from_id, to_id)
);
CREATE INDEX sales_link_to_idx ON sales_link (to_id);

-- Gapless numbering: one row per company, series and fiscal year, locked by
-- the validating transaction (UPDATE ... RETURNING) until it commits.
CREATE TABLE document_sequence (
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	series text NOT NULL,
	fiscal_year integer NOT NULL,
	last_number bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (company_id, series, fiscal_year)
);

-- The head of each company's hash chain: locked the same way.
CREATE TABLE document_chain (
	company_id bigint PRIMARY KEY REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	last_seq bigint NOT NULL DEFAULT 0,
	last_hash text NOT NULL DEFAULT ''
);

-- The PDF produced at validation, byte for byte what is printed again.
CREATE TABLE document_archive (
	document_id bigint PRIMARY KEY REFERENCES sales_document ON DELETE RESTRICT,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	pdf bytea NOT NULL,
	sha256 text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
-- A PDF is compressed already: out of line, without compressing it again.
ALTER TABLE document_archive ALTER COLUMN pdf SET STORAGE EXTERNAL;

-- Inalterability. A validated invoice, deposit invoice or credit note can
-- no longer change, nor its lines, nor its archive, and none is ever
-- deleted — not even from psql. Its state may still move on (sent); the
-- hash covers the content, and comptoirctl verify recomputes it.
CREATE FUNCTION sales_is_locked(doc_type text, doc_number text) RETURNS boolean
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT doc_number IS NOT NULL
		AND doc_type IN ('invoice', 'deposit_invoice', 'credit_note') $$;

CREATE FUNCTION sales_document_guard() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		IF sales_is_locked(OLD.type, OLD.number) THEN
			RAISE EXCEPTION 'document % is validated: it cannot be deleted', OLD.number
				USING ERRCODE = 'integrity_constraint_violation',
				CONSTRAINT = 'sales_document_unalterable';
		END IF;
		RETURN OLD;
	END IF;
	-- The validating transaction seals the document in three steps: the
	-- number, then its place in the chain, then the hash. Once hashed,
	-- nothing but its state moves.
	IF NOT sales_is_locked(OLD.type, OLD.number) THEN
		RETURN NEW; -- a draft, or a document the law does not freeze
	END IF;
	IF (to_jsonb(NEW) - ARRAY['state', 'updated_at', 'chain_seq', 'previous_hash', 'hash'])
	    IS DISTINCT FROM
	   (to_jsonb(OLD) - ARRAY['state', 'updated_at', 'chain_seq', 'previous_hash', 'hash'])
	   OR (OLD.hash IS NOT NULL AND (NEW.chain_seq, NEW.previous_hash, NEW.hash)
		IS DISTINCT FROM (OLD.chain_seq, OLD.previous_hash, OLD.hash)) THEN
		RAISE EXCEPTION 'document % is validated: its content cannot change', OLD.number
			USING ERRCODE = 'integrity_constraint_violation',
			CONSTRAINT = 'sales_document_unalterable';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER sales_document_guard BEFORE UPDATE OR DELETE ON sales_document
	FOR EACH ROW EXECUTE FUNCTION sales_document_guard();

CREATE FUNCTION sales_line_guard() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE doc_type text; doc_number text;
BEGIN
	SELECT type, number INTO doc_type, doc_number FROM sales_document
		WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.document_id ELSE NEW.document_id END;
	IF NOT sales_is_locked(doc_type, doc_number) AND TG_OP = 'UPDATE'
	   AND OLD.document_id <> NEW.document_id THEN
		SELECT type, number INTO doc_type, doc_number FROM sales_document
			WHERE id = OLD.document_id;
	END IF;
	IF sales_is_locked(doc_type, doc_number) THEN
		RAISE EXCEPTION 'document % is validated: its lines cannot change', doc_number
			USING ERRCODE = 'integrity_constraint_violation',
			CONSTRAINT = 'sales_document_unalterable';
	END IF;
	RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER sales_line_guard BEFORE INSERT OR UPDATE OR DELETE ON sales_line
	FOR EACH ROW EXECUTE FUNCTION sales_line_guard();

CREATE TRIGGER document_archive_guard BEFORE UPDATE OR DELETE ON document_archive
	FOR EACH ROW EXECUTE FUNCTION cpt_refuse_change();

DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['sales_document', 'sales_line', 'sales_link', 'document_sequence',
		'document_chain', 'document_archive'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY %I ON %I USING (company_id = cpt_company())'
			' WITH CHECK (company_id = cpt_company())', t || '_company', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO comptoir_app', t);
	END LOOP;
END
$$;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO comptoir_app;
