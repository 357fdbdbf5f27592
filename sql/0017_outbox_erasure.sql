-- GDPR erasure reaches the outbox (server/party_anonymise.c): the record of
-- a message stays (that it was sent, when, about which document), the
-- person's address and the text written to them go.
--
-- addrs with each address in erase (lower case) replaced, or every one of
-- them when everything.
CREATE FUNCTION cpt_erase_addresses(addrs text[], erase text[], everything boolean)
	RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT coalesce(array_agg(CASE WHEN everything OR lower(a) = ANY (erase)
		THEN '(adresse anonymisée)' ELSE a END ORDER BY n), '{}')
		FROM unnest(addrs) WITH ORDINALITY u(a, n) $$;
