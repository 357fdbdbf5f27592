-- The e-mail outbox and the record of scheduled job runs.
--
-- A message is queued inside the transaction of the call that writes it (so a
-- rolled-back call queues nothing) and sent later by the daemon's outbox job
-- through SMTP: queued -> sending -> sent, or back to queued with a later
-- next_attempt_at after a temporary failure, or failed. While a message is
-- "sending", next_attempt_at is the end of the sender's lease: a message left
-- "sending" by a daemon that died is due again once its lease ends.
--
-- Company-scoped under row-level security like every business table. The job
-- reads every company's outbox by setting comptoir.company_id to each company
-- in turn, so the policy holds for it too.

CREATE TABLE mail_outbox (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	to_addrs text[] NOT NULL CHECK (cardinality(to_addrs) BETWEEN 1 AND 100),
	cc_addrs text[] NOT NULL DEFAULT '{}' CHECK (cardinality(cc_addrs) <= 100),
	bcc_addrs text[] NOT NULL DEFAULT '{}' CHECK (cardinality(bcc_addrs) <= 100),
	reply_to text NOT NULL DEFAULT '' CHECK (length(reply_to) <= 254),
	subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
	body text NOT NULL CHECK (octet_length(body) <= 65536),
	-- The business record the message is about ('sales_document', 42), for
	-- "every e-mail sent" on that record. Not a foreign key: any table.
	ref_table text CHECK (ref_table ~ '^[a-z][a-z0-9_]{0,62}$'),
	ref_id bigint,
	state text NOT NULL DEFAULT 'queued'
		CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
	attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	last_error text NOT NULL DEFAULT '',
	sent_at timestamptz,
	-- Ours, fixed at queueing: a message sent again carries the same one.
	message_id text NOT NULL CHECK (message_id ~ '^<[^<>[:space:]]+@[^<>[:space:]]+>$'),
	-- The server's answer to the message ("250 2.0.0 Ok: queued as 4F2A1").
	smtp_reply text NOT NULL DEFAULT '',
	-- NULL when a job queued it (reminders), not a user.
	created_by bigint REFERENCES app_user ON DELETE RESTRICT,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (company_id, id),
	CHECK ((ref_table IS NULL) = (ref_id IS NULL)),
	CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
-- The job's question: what is due, per company.
CREATE INDEX mail_outbox_due_idx ON mail_outbox (company_id, next_attempt_at)
	WHERE state IN ('queued', 'sending');
CREATE INDEX mail_outbox_ref_idx ON mail_outbox (company_id, ref_table, ref_id, id);
CREATE INDEX mail_outbox_company_idx ON mail_outbox (company_id, id);

CREATE TABLE mail_attachment (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company_id bigint NOT NULL REFERENCES company ON DELETE RESTRICT
		DEFAULT cpt_company(),
	mail_id bigint NOT NULL,
	position integer NOT NULL CHECK (position >= 0),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	mime_type text NOT NULL CHECK (mime_type ~ '^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$'),
	size bigint NOT NULL CHECK (size > 0),
	sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	content bytea NOT NULL CHECK (octet_length(content) = size),
	-- Of the same company as its message, even through a query that forgets the filter.
	FOREIGN KEY (company_id, mail_id) REFERENCES mail_outbox (company_id, id)
		ON DELETE CASCADE,
	UNIQUE (mail_id, position)
);
-- PDFs and images gain nothing from TOAST compression.
ALTER TABLE mail_attachment ALTER COLUMN content SET STORAGE EXTERNAL;

DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['mail_outbox', 'mail_attachment'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY %I ON %I USING (company_id = cpt_company())'
			' WITH CHECK (company_id = cpt_company())', t || '_company', t);
	END LOOP;
END
$$;
-- Messages are history: no DELETE for the daemon.
GRANT SELECT, INSERT, UPDATE ON mail_outbox TO comptoir_app;
GRANT SELECT, INSERT ON mail_attachment TO comptoir_app;

-- One row per run of a scheduled job (e-mail outbox, and later contract
-- billing, reminders...), whatever the company: a run spans them all. A run
-- without finished_at was cut short (daemon killed, database lost). Runs that
-- did nothing are pruned after a day; the others are kept.
CREATE TABLE job_run (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	job text NOT NULL CHECK (job ~ '^[a-z][a-z0-9_]{0,62}$'),
	runner text NOT NULL DEFAULT '', -- host and process id of the daemon
	started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	finished_at timestamptz,
	items integer NOT NULL DEFAULT 0 CHECK (items >= 0),
	error text,
	CHECK (finished_at IS NULL OR finished_at >= started_at)
);
CREATE INDEX job_run_job_idx ON job_run (job, started_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON job_run TO comptoir_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO comptoir_app;
