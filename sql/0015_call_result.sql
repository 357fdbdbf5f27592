-- Answers to keyed writes (rpc.proto Request.key): a call sent again after
-- its connection dropped finds its first answer here, committed with the
-- call's own work, instead of running twice. Kept a day.
CREATE TABLE call_result (
	key bytea PRIMARY KEY CHECK (length(key) BETWEEN 8 AND 32),
	company_id bigint REFERENCES company ON DELETE CASCADE DEFAULT cpt_company(),
	user_id bigint REFERENCES app_user ON DELETE CASCADE,
	method text NOT NULL,
	payload bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX call_result_created_idx ON call_result (created_at);

ALTER TABLE call_result ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_result FORCE ROW LEVEL SECURITY;
-- A key answers only its own user in its own company.
CREATE POLICY call_result_owner ON call_result
	USING (company_id IS NOT DISTINCT FROM cpt_company() AND user_id IS NOT DISTINCT FROM cpt_user())
	WITH CHECK (company_id IS NOT DISTINCT FROM cpt_company()
		AND user_id IS NOT DISTINCT FROM cpt_user());
GRANT SELECT, INSERT, DELETE ON call_result TO comptoir_app;
