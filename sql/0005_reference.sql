-- Reference tables shared by every company: VAT rates of France and Belgium,
-- exemptions and reverse charge with the legal mention the invoice must
-- print, and units. Read by the daemon; changed by migrations.

CREATE TABLE vat_rate (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	country char(2) NOT NULL CHECK (country IN ('FR', 'BE')),
	rate integer NOT NULL CHECK (rate BETWEEN 0 AND 10000), -- hundredths of a percent
	category text NOT NULL CHECK (category IN ('S', 'Z', 'E', 'AE', 'K', 'G', 'O')),
	label text NOT NULL,
	UNIQUE (country, rate, category)
);

INSERT INTO vat_rate (country, rate, category, label) VALUES
	('FR', 2000, 'S', 'Taux normal 20 %'),
	('FR', 1000, 'S', 'Taux intermédiaire 10 %'),
	('FR', 550, 'S', 'Taux réduit 5,5 %'),
	('FR', 210, 'S', 'Taux particulier 2,1 %'),
	('FR', 0, 'Z', 'Taux zéro'),
	('BE', 2100, 'S', 'Taux normal 21 %'),
	('BE', 1200, 'S', 'Taux intermédiaire 12 %'),
	('BE', 600, 'S', 'Taux réduit 6 %'),
	('BE', 0, 'Z', 'Taux zéro');

-- category: EN 16931 VAT category code (E exempt, AE reverse charge, K intra-EU
-- supply, G export, O outside the scope).
CREATE TABLE vat_exemption (
	code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{1,30}$'),
	country char(2) NOT NULL CHECK (country IN ('FR', 'BE')),
	category text NOT NULL CHECK (category IN ('E', 'AE', 'K', 'G', 'O')),
	label text NOT NULL,
	legal_mention text NOT NULL
);

INSERT INTO vat_exemption (code, country, category, label, legal_mention) VALUES
	('FR_FRANCHISE', 'FR', 'E', 'Franchise en base de TVA',
	 'TVA non applicable, article 293 B du CGI'),
	('FR_AUTOLIQ_BTP', 'FR', 'AE', 'Autoliquidation, sous-traitance du bâtiment',
	 'Autoliquidation de la TVA par le preneur, article 283-2 nonies du CGI'),
	('FR_AUTOLIQ_SERVICES_UE', 'FR', 'AE', 'Prestation de services à un assujetti de l''UE',
	 'Autoliquidation, article 283-2 du CGI et article 196 de la directive 2006/112/CE'),
	('FR_LIVRAISON_UE', 'FR', 'K', 'Livraison intracommunautaire de biens',
	 'Exonération de TVA, article 262 ter I du CGI'),
	('FR_EXPORT', 'FR', 'G', 'Exportation hors de l''UE',
	 'Exonération de TVA, article 262 I du CGI'),
	('BE_COCONTRACTANT', 'BE', 'AE', 'Autoliquidation par le cocontractant',
	 'Autoliquidation — article 51, § 2, alinéa 1er, 5° du Code de la TVA'),
	('BE_LIVRAISON_UE', 'BE', 'K', 'Livraison intracommunautaire exemptée',
	 'Livraison intracommunautaire exemptée de TVA — article 39bis du Code de la TVA'),
	('BE_FRANCHISE', 'BE', 'E', 'Régime de la franchise de taxe',
	 'Régime particulier de franchise des petites entreprises — article 56bis du Code de la TVA'),
	('BE_EXPORT', 'BE', 'G', 'Exportation hors de l''UE',
	 'Exemption de TVA — article 39 du Code de la TVA');

CREATE TABLE unit (
	code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9]{1,10}$'),
	label text NOT NULL,
	un_code text NOT NULL -- UN/ECE recommendation 20, for e-invoices
);

INSERT INTO unit (code, label, un_code) VALUES
	('U', 'unité', 'C62'),
	('H', 'heure', 'HUR'),
	('J', 'jour', 'DAY'),
	('FORFAIT', 'forfait', 'C62'),
	('KM', 'kilomètre', 'KMT'),
	('M', 'mètre', 'MTR'),
	('M2', 'mètre carré', 'MTK'),
	('M3', 'mètre cube', 'MTQ'),
	('KG', 'kilogramme', 'KGM'),
	('L', 'litre', 'LTR');

GRANT SELECT ON vat_rate, vat_exemption, unit TO comptoir_app;
