-- Core schema: companies ("dossiers"), users, roles and permissions, grants,
-- sessions, login failures and the append-only audit log.
--
-- The daemon connects as a member of the group role comptoir_app, which owns
-- nothing and has neither SUPERUSER nor BYPASSRLS: row-level security applies
-- to it. Company-scoped tables filter on cpt_company(), the value the daemon
-- sets with SET LOCAL comptoir.company_id at the start of every call.

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'comptoir_app') THEN
		CREATE ROLE comptoir_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
	END IF;
END
$$;

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE FUNCTION cpt_company() RETURNS bigint
	LANGUAGE sql STABLE PARALLEL SAFE
	AS $$ SELECT nullif(current_setting('comptoir.company_id', true), '')::bigint $$;

CREATE FUNCTION cpt_user() RETURNS bigint
	LANGUAGE sql STABLE PARALLEL SAFE
	AS $$ SELECT nullif(current_setting('comptoir.user_id', true), '')::bigint $$;

CREATE TABLE company (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9_-]{1,20}$'),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	country char(2) NOT NULL DEFAULT 'FR' CHECK (country IN ('FR', 'BE')),
	siren text,
	vat_number text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app_user (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	login text NOT NULL CHECK (login ~ '^[a-z0-9._@-]{2,64}$'),
	display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
	email text NOT NULL DEFAULT '',
	password_hash text NOT NULL,
	must_change_password boolean NOT NULL DEFAULT true,
	locked boolean NOT NULL DEFAULT false,
	locked_until timestamptz,
	last_login_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX app_user_login_key ON app_user (login);
CREATE INDEX app_user_search_idx ON app_user
	USING gin ((lower(login || ' ' || display_name || ' ' || email)) gin_trgm_ops);

CREATE TABLE permission (
	name text PRIMARY KEY CHECK (name ~ '^[a-z_]+\.[a-z_]+$'),
	description text NOT NULL
);

CREATE TABLE role (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
	description text NOT NULL DEFAULT '',
	builtin boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE role_permission (
	role_id bigint NOT NULL REFERENCES role ON DELETE CASCADE,
	permission text NOT NULL REFERENCES permission ON DELETE RESTRICT,
	PRIMARY KEY (role_id, permission)
);

-- A user has at most one role in each company it may open.
CREATE TABLE user_company_role (
	user_id bigint NOT NULL REFERENCES app_user ON DELETE RESTRICT,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT,
	role_id bigint NOT NULL REFERENCES role ON DELETE RESTRICT,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, company_id)
);

-- Sessions are rows so that any daemon can resume them. Only the SHA-256 of
-- the token is kept.
CREATE TABLE session (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	token_hash bytea NOT NULL UNIQUE,
	user_id bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT,
	client_name text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now(),
	last_seen_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL
);
CREATE INDEX session_user_idx ON session (user_id);

CREATE TABLE login_failure (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
	at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failure_user_at_idx ON login_failure (user_id, at);

-- Append-only: who, when, which method and which rows. Rows without a company
-- are installation-wide actions (users, roles, failed logins).
CREATE TABLE audit_log (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT clock_timestamp(),
	user_id bigint REFERENCES app_user ON DELETE RESTRICT,
	company_id bigint REFERENCES company ON DELETE RESTRICT,
	method text NOT NULL,
	target text NOT NULL DEFAULT '',
	row_ids bigint[] NOT NULL DEFAULT '{}',
	detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_company_id_idx ON audit_log (company_id, id);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, id);
CREATE INDEX audit_log_at_idx ON audit_log (at);

CREATE FUNCTION cpt_refuse_change() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
		USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION cpt_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION cpt_refuse_change();

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_company ON audit_log
	USING (company_id = cpt_company() OR company_id IS NULL)
	WITH CHECK (company_id = cpt_company() OR company_id IS NULL);

-- Permissions known today; each later module's migration adds its own.
INSERT INTO permission (name, description) VALUES
	('admin.users', 'Gérer les utilisateurs, les rôles et les droits'),
	('admin.audit', 'Consulter le journal d''audit'),
	('clients.read', 'Consulter les clients et prospects'),
	('clients.write', 'Créer et modifier les clients et prospects'),
	('suppliers.read', 'Consulter les fournisseurs'),
	('suppliers.write', 'Créer et modifier les fournisseurs'),
	('articles.read', 'Consulter les articles'),
	('articles.write', 'Créer et modifier les articles'),
	('quotes.read', 'Consulter les devis'),
	('quotes.write', 'Créer et modifier les devis'),
	('invoices.read', 'Consulter les factures et avoirs'),
	('invoices.write', 'Créer et modifier les factures brouillons'),
	('invoices.validate', 'Valider les factures et avoirs'),
	('payments.read', 'Consulter les règlements'),
	('payments.write', 'Saisir les règlements'),
	('contracts.read', 'Consulter les contrats'),
	('contracts.write', 'Créer et modifier les contrats'),
	('interventions.read', 'Consulter les interventions et le planning'),
	('interventions.write', 'Planifier et saisir les interventions'),
	('stock.read', 'Consulter le stock et les achats'),
	('stock.write', 'Mouvements de stock et commandes fournisseurs'),
	('accounting.export', 'Exporter vers la comptabilité');

INSERT INTO role (name, description, builtin) VALUES
	('Administrateur', 'Tous les droits', true),
	('Consultation', 'Lecture seule', true);
INSERT INTO role_permission (role_id, permission)
	SELECT r.id, p.name FROM role r, permission p WHERE r.name = 'Administrateur';
INSERT INTO role_permission (role_id, permission)
	SELECT r.id, p.name FROM role r, permission p
	WHERE r.name = 'Consultation' AND p.name LIKE '%.read';

GRANT USAGE ON SCHEMA public TO comptoir_app;
GRANT SELECT ON company, permission TO comptoir_app;
GRANT SELECT, INSERT, UPDATE ON app_user, role TO comptoir_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON role_permission, user_company_role, session,
	login_failure TO comptoir_app;
GRANT SELECT, INSERT ON audit_log TO comptoir_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO comptoir_app;
