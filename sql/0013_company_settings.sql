-- The company's settings ("Paramètres de la société"), edited from the
-- administration console through comptoir.admin.Admin/UpdateCompanySettings:
-- the daemon's role may now update those columns (never id, code nor
-- created_at), and only on the company of the call.

GRANT UPDATE (name, country, legal_form, share_capital, siren, siret, rcs, be_enterprise,
	vat_number, address_line1, address_line2, postcode, city, phone, email, website, iban,
	bic, logo, colour, footer, vat_on_debits, ecb_rate, penalty_margin, legal_interest_rate,
	early_discount, payment_means, quote_validity_days, updated_at)
	ON company TO comptoir_app;

-- Every company stays readable (logins list them, grants name them); only
-- the call's company can be written, even by a query that forgets its
-- filter. Not forced: the schema owner (comptoirctl) creates companies.
ALTER TABLE company ENABLE ROW LEVEL SECURITY;
CREATE POLICY company_read ON company FOR SELECT USING (true);
CREATE POLICY company_update ON company FOR UPDATE
	USING (id = cpt_company()) WITH CHECK (id = cpt_company());

-- The logo printed on documents: a PNG of at most 512 KiB. The handler
-- checks first and names the field; this holds whatever writes.
ALTER TABLE company ADD CONSTRAINT company_logo_png CHECK (logo IS NULL
	OR (octet_length(logo) BETWEEN 8 AND 524288
		AND substring(logo FROM 1 FOR 8) = '\x89504e470d0a1a0a'::bytea));
