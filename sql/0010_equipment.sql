-- Equipment ("biens et matériels") installed at clients' sites: boilers, heat
-- pumps, lifts... with their warranty and periodic servicing. Company-scoped
-- under row-level security like every business table.
--
-- The rules that span tables are held here too, through composite foreign
-- keys: the client is a party of kind client of the same company, the site an
-- address of kind site of that very client, the supplier a party of kind
-- supplier, the article one of the company's. So a client's site that carries
-- equipment can be neither deleted nor turned into another kind of address.
--
-- Next service: next_service_planned is a date agreed by hand (a visit
-- booked with the client); without one, the next service falls due
-- service_interval_months after the last one (31 January + 1 month = 28
-- February). next_service_date is that outcome, stored so that "due for
-- service" lists read an index, not a formula.

ALTER TABLE party ADD CONSTRAINT party_id_company_kind_key UNIQUE (id, company_id, kind);
ALTER TABLE party_address ADD CONSTRAINT party_address_id_party_kind_key
	UNIQUE (id, party_id, kind);
ALTER TABLE article ADD CONSTRAINT article_id_company_key UNIQUE (id, company_id);

CREATE TABLE equipment (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	party_id bigint NOT NULL,
	party_kind text NOT NULL GENERATED ALWAYS AS ('client') STORED,
	site_id bigint,
	site_kind text NOT NULL GENERATED ALWAYS AS ('site') STORED,
	article_id bigint,
	brand text NOT NULL DEFAULT '' CHECK (length(brand) <= 100),
	model text NOT NULL DEFAULT '' CHECK (length(model) <= 100),
	serial_number text NOT NULL DEFAULT ''
		CHECK (length(serial_number) <= 100 AND serial_number = btrim(serial_number)),
	install_date date,
	warranty_end date, -- the last day covered
	supplier_id bigint,
	supplier_kind text NOT NULL GENERATED ALWAYS AS ('supplier') STORED,
	service_interval_months integer CHECK (service_interval_months BETWEEN 1 AND 120),
	last_service_date date,
	next_service_planned date,
	next_service_date date GENERATED ALWAYS AS (coalesce(next_service_planned,
		(last_service_date + make_interval(months => service_interval_months))::date)) STORED,
	notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
	active boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	-- Folded once at write time; the client's code and name are searched
	-- through party.search_text.
	search_text text GENERATED ALWAYS AS
		(' ' || cpt_search_key(brand || ' ' || model || ' ' || serial_number)) STORED,
	CONSTRAINT equipment_party_fk FOREIGN KEY (party_id, company_id, party_kind)
		REFERENCES party (id, company_id, kind) ON DELETE RESTRICT,
	CONSTRAINT equipment_site_fk FOREIGN KEY (site_id, party_id, site_kind)
		REFERENCES party_address (id, party_id, kind) ON DELETE RESTRICT,
	CONSTRAINT equipment_supplier_fk FOREIGN KEY (supplier_id, company_id, supplier_kind)
		REFERENCES party (id, company_id, kind) ON DELETE RESTRICT,
	CONSTRAINT equipment_article_fk FOREIGN KEY (article_id, company_id)
		REFERENCES article (id, company_id) ON DELETE RESTRICT,
	-- Something must say what it is.
	CONSTRAINT equipment_described CHECK (brand <> '' OR model <> '' OR article_id IS NOT NULL),
	CONSTRAINT equipment_warranty_after_install
		CHECK (warranty_end >= install_date),
	CONSTRAINT equipment_service_after_install
		CHECK (last_service_date >= install_date),
	-- A planned visit is the one after the last service.
	CONSTRAINT equipment_planned_after_service
		CHECK (next_service_planned > last_service_date)
);
-- One serial number per article within a company, case aside.
CREATE UNIQUE INDEX equipment_serial_key ON equipment (company_id, article_id, upper(serial_number))
	WHERE article_id IS NOT NULL AND serial_number <> '';
CREATE INDEX equipment_party_idx ON equipment (party_id, id);
CREATE INDEX equipment_site_idx ON equipment (site_id);
CREATE INDEX equipment_supplier_idx ON equipment (supplier_id);
CREATE INDEX equipment_search_idx ON equipment USING gin (search_text cpt_trgm_contains_ops);
CREATE INDEX equipment_next_service_idx ON equipment (company_id, next_service_date, id);
CREATE INDEX equipment_warranty_idx ON equipment (company_id, warranty_end, id);

ALTER TABLE equipment ENABLE ROW LEVEL SECURITY;
ALTER TABLE equipment FORCE ROW LEVEL SECURITY;
CREATE POLICY equipment_company ON equipment USING (company_id = cpt_company())
	WITH CHECK (company_id = cpt_company());
GRANT SELECT, INSERT, UPDATE, DELETE ON equipment TO comptoir_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO comptoir_app;
