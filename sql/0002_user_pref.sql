-- Per-user preferences (list columns, their order and widths...), kept on the
-- server so they follow the user between workstations.
CREATE TABLE user_pref (
	user_id bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
	key text NOT NULL CHECK (key ~ '^[a-z0-9_.-]{1,100}$'),
	value text NOT NULL CHECK (length(value) <= 8192),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, key)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON user_pref TO comptoir_app;
