-- Search as you type under row-level security.
--
-- The company policy is a security barrier: PostgreSQL only uses a query's
-- condition inside an index when the condition cannot leak rows the policy
-- hides, that is when its function is LEAKPROOF. LIKE (textlike) is not
-- marked so, which turned every "contains" search into a sequential scan.
-- cpt_contains() is textlike under our own name, marked LEAKPROOF: its only
-- error (a pattern ending with the escape character) depends on the pattern,
-- which cpt_like_pattern() always builds, never on the row. An operator and
-- a GIN operator class over pg_trgm's support functions (strategy 3: LIKE)
-- let the trigram index serve it. Being our own objects, they survive a
-- dump and restore, unlike a flag set on a system function.

CREATE FUNCTION cpt_contains(text, text) RETURNS boolean
	LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF
	AS 'textlike';

CREATE OPERATOR public.~~> (
	LEFTARG = text, RIGHTARG = text, FUNCTION = public.cpt_contains,
	RESTRICT = likesel, JOIN = likejoinsel
);

CREATE OPERATOR CLASS cpt_trgm_contains_ops FOR TYPE text USING gin AS
	OPERATOR 3 public.~~> (text, text),
	FUNCTION 1 btint4cmp(integer, integer),
	FUNCTION 2 public.gin_extract_value_trgm(text, internal),
	FUNCTION 3 public.gin_extract_query_trgm(text, internal, smallint, internal, internal,
		internal, internal),
	FUNCTION 4 public.gin_trgm_consistent(internal, smallint, text, integer, internal,
		internal, internal, internal),
	FUNCTION 6 public.gin_trgm_triconsistent(internal, smallint, text, integer, internal,
		internal, internal),
	STORAGE integer;

-- The LIKE pattern for what was typed, folded like the stored search texts,
-- with LIKE's own characters escaped so that "50%" searches for "50%".
-- Three characters or more are looked for anywhere ('%dupo%'); one or two
-- only at the start of a word ('% du%'): so short a text found anywhere
-- matches half the table and tells nothing, and a word start is what
-- someone who has typed two letters is after. The stored texts begin with a
-- space so that the first word has a start too.
CREATE FUNCTION cpt_like_pattern(text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
	AS $$
	SELECT CASE WHEN char_length(k) < 3 THEN '% ' ELSE '%' END
		|| replace(replace(replace(k, '\', '\\'), '%', '\%'), '_', '\_') || '%'
	FROM (SELECT public.cpt_search_key(btrim($1)) AS k) t
	$$;

ALTER TABLE party DROP COLUMN search_text;
ALTER TABLE party ADD COLUMN search_text text GENERATED ALWAYS AS
	(' ' || cpt_search_key(code || ' ' || name || ' ' || siren || ' ' || vat_number)) STORED;
CREATE INDEX party_search_idx ON party USING gin (search_text cpt_trgm_contains_ops);

ALTER TABLE article DROP COLUMN search_text;
ALTER TABLE article ADD COLUMN search_text text GENERATED ALWAYS AS
	(' ' || cpt_search_key(code || ' ' || label || ' ' || barcode)) STORED;
CREATE INDEX article_search_idx ON article USING gin (search_text cpt_trgm_contains_ops);
