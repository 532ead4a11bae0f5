-- Phrase search whose cost follows the phrase's matches, not its words'
-- (issue 13: a search's cost must grow by less than 2x from 100 000 to
-- 1 000 000 claims).
--
-- GIN over a tsvector keeps no positions: for "human rights" it returns every
-- claim holding both words (35 098 of 1 000 000 in the bench's data) and each
-- is read from the heap to keep the 1 820 where they stand side by side. So a
-- claim's search vector now also holds, as lexemes without positions, every
-- pair "a b" of lexemes at adjacent positions (claimdb_word_pairs), and a
-- phrase is first narrowed by the pairs it needs (claimdb_tsquery_pairs): the
-- index then gives the 1 820. What matches is unchanged: a pair lexeme holds a
-- space, which no parsed query lexeme does, so no query finds it by itself, a
-- phrase is still checked against the positions (search @@ q), ranking
-- (ts_rank_cd) reads only the query's lexemes, and a pair comes from the same
-- vector, so every claim matching the phrase holds its pairs.
--
-- Why in the search vector and not a GIN expression index on
-- claimdb_word_pairs(search): under row-level security PostgreSQL lets a
-- condition drive an index scan only when all its functions are LEAKPROOF
-- (see scripts/leakproof.sql), only a superuser may mark a function so, and
-- claimdb's role, which runs the migrations after the superuser's step, is
-- not one; measured: a forced-RLS table's expression index on such a function
-- is never used, even with enable_seqscan off. `@@` on the search column is
-- already allowed.
--
-- Documents keep their vector as it is (a generated column: changing it
-- rewrites every document; a long text's positions stop at 16 383, so its
-- pairs past that would be wrong; and documents are few): a phrase over
-- documents is checked as before.

-- Every pair "a b" of lexemes a at position p and b at p + 1 of v, as a
-- vector of positionless lexemes. Pairs longer than a lexeme may be (2 047
-- bytes) are left out: a phrase of such words is then only checked as before.
CREATE FUNCTION claimdb_word_pairs(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT array_to_tsvector(coalesce(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme), '{}'))
  FROM (SELECT lexeme, unnest(positions) AS pos FROM unnest(v)) a
  JOIN (SELECT lexeme, unnest(positions) AS pos FROM unnest(v)) b ON b.pos = a.pos + 1
  WHERE octet_length(a.lexeme) + octet_length(b.lexeme) < 2047
$$;
COMMENT ON FUNCTION claimdb_word_pairs(tsvector) IS 'The pairs "a b" of lexemes at adjacent positions of a vector, as positionless lexemes.';

-- A claim's search vector: its text (weight A) and quote (B), and their pairs.
-- PARALLEL UNSAFE: claimdb_tsvector's EXCEPTION block starts a subtransaction,
-- which PostgreSQL refuses during a parallel operation (a parallel scan
-- calling it failed).
CREATE FUNCTION claimdb_claim_search(config regconfig, text text, exact text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL UNSAFE AS $$
  SELECT v || claimdb_word_pairs(v) FROM claimdb_tsvector(config, text, exact) v
$$;
COMMENT ON FUNCTION claimdb_claim_search(regconfig, text, text) IS 'A claim''s search vector: claimdb_tsvector of text and quote, plus claimdb_word_pairs of it.';

-- A condition on pairs that every vector matching q meets, or NULL when q
-- gives none; evaluated bottom-up over q's operators, N(x) being the
-- condition of x:
--   a lexeme, a prefix (:*) or weighted one, !x  -> none
--   x & y -> N(x) & N(y) (either alone when the other has none)
--   x | y -> N(x) | N(y), none when either has none
--   a chain of plain lexemes at distance 1 ('a' <-> 'b' <-> 'c') -> 'a b' & 'b c'
--   x <n> y otherwise (a stop word in between: <2>; an operand that is not such
--     a chain) -> the conditions of whichever side is such a chain
-- q is read from its text form (the only way PL/pgSQL can walk a tsquery):
-- quoted lexemes ('' and \\ doubled) with an optional :*ABCD, ( ), !, &, |,
-- <-> and <n>; turned into postfix order first (! binds tightest, then <n>,
-- &, |).
CREATE FUNCTION claimdb_tsquery_pairs(q tsquery) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  ops text[] := '{}';
  postfix text[] := '{}';
  -- the evaluation stack, one entry per operand: whether it is a chain of
  -- plain lexemes at distance 1, its lexemes then (a text[] literal), and
  -- its condition (tsquery text, NULL for none)
  kinds text[] := '{}';
  chains text[] := '{}';
  conds text[] := '{}';
  tok text;
  n int;
  k1 text; k2 text; n1 text; n2 text; chain text[]; kind text; cond text;
BEGIN
  FOR tok IN SELECT m[1] FROM regexp_matches(q::text, '(''(?:[^'']|'''')*''(?::[*A-D]+)?|<\d+>|<->|[&|!()])', 'g') m LOOP
    IF tok IN ('(', '!') THEN
      ops := array_append(ops, tok);
    ELSIF tok = ')' THEN
      WHILE ops[cardinality(ops)] <> '(' LOOP
        postfix := array_append(postfix, ops[cardinality(ops)]);
        ops := trim_array(ops, 1);
      END LOOP;
      ops := trim_array(ops, 1);
      WHILE cardinality(ops) > 0 AND ops[cardinality(ops)] = '!' LOOP
        postfix := array_append(postfix, '!');
        ops := trim_array(ops, 1);
      END LOOP;
    ELSIF tok IN ('&', '|') OR tok LIKE '<%' THEN
      WHILE cardinality(ops) > 0 AND ops[cardinality(ops)] <> '('
            AND (CASE ops[cardinality(ops)] WHEN '|' THEN 1 WHEN '&' THEN 2 ELSE 3 END)
                >= (CASE tok WHEN '|' THEN 1 WHEN '&' THEN 2 ELSE 3 END) LOOP
        postfix := array_append(postfix, ops[cardinality(ops)]);
        ops := trim_array(ops, 1);
      END LOOP;
      ops := array_append(ops, tok);
    ELSE
      postfix := array_append(postfix, tok);
      WHILE cardinality(ops) > 0 AND ops[cardinality(ops)] = '!' LOOP
        postfix := array_append(postfix, '!');
        ops := trim_array(ops, 1);
      END LOOP;
    END IF;
  END LOOP;
  WHILE cardinality(ops) > 0 LOOP
    postfix := array_append(postfix, ops[cardinality(ops)]);
    ops := trim_array(ops, 1);
  END LOOP;

  FOREACH tok IN ARRAY postfix LOOP
    n := cardinality(kinds);
    IF tok LIKE '''%''' THEN
      -- a plain lexeme: a chain of one, unquoted
      kinds := array_append(kinds, 'chain');
      chains := array_append(chains,
        ARRAY[regexp_replace(substr(tok, 2, length(tok) - 2), '([''\\])\1', '\1', 'g')]::text);
      conds := array_append(conds, NULL);
    ELSIF tok LIKE '''%' THEN
      kinds := array_append(kinds, 'other');
      chains := array_append(chains, NULL);
      conds := array_append(conds, NULL);
    ELSIF tok = '!' THEN
      kinds[n] := 'other';
      chains[n] := NULL;
      conds[n] := NULL;
    ELSE
      k1 := kinds[n - 1]; n1 := conds[n - 1];
      k2 := kinds[n]; n2 := conds[n];
      kind := 'other';
      chain := NULL;
      IF tok = '|' THEN
        cond := CASE WHEN n1 IS NOT NULL AND n2 IS NOT NULL THEN '(' || n1 || ') | (' || n2 || ')' END;
      ELSIF tok = '<->' AND k1 = 'chain' AND k2 = 'chain' THEN
        kind := 'chain';
        chain := chains[n - 1]::text[] || chains[n]::text[];
        SELECT string_agg('''' || replace(replace(chain[i] || ' ' || chain[i + 1], '\', '\\'), '''', '''''') || '''',
                          ' & ')
          INTO cond FROM generate_series(1, cardinality(chain) - 1) i;
      ELSE
        IF tok <> '&' THEN
          -- a phrase of other operands: only a chain's own pairs are certain
          n1 := CASE WHEN k1 = 'chain' THEN n1 END;
          n2 := CASE WHEN k2 = 'chain' THEN n2 END;
        END IF;
        cond := CASE WHEN n1 IS NULL THEN n2 WHEN n2 IS NULL THEN n1 ELSE '(' || n1 || ') & (' || n2 || ')' END;
      END IF;
      kinds := trim_array(kinds, 1);
      chains := trim_array(chains, 1);
      conds := trim_array(conds, 1);
      kinds[n - 1] := kind;
      chains[n - 1] := chain::text;
      conds[n - 1] := cond;
    END IF;
  END LOOP;
  RETURN conds[1]::tsquery;
END $$;
COMMENT ON FUNCTION claimdb_tsquery_pairs(tsquery) IS 'A condition on claimdb_word_pairs lexemes that every vector matching q meets (its phrases'' adjacent pairs), or NULL when q has none.';

-- New and edited claims, and claims whose document changes language.
CREATE OR REPLACE FUNCTION claims_search_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_config := coalesce((SELECT claimdb_ts_config(d.language) FROM documents d
                                 WHERE d.id = NEW.document_id), 'pg_catalog.simple');
  NEW.search := claimdb_claim_search(NEW.search_config, NEW.text, NEW.exact);
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION documents_search_config() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_configs VALUES (claimdb_ts_config(NEW.language)) ON CONFLICT DO NOTHING;
  IF TG_OP = 'UPDATE' AND claimdb_ts_config(NEW.language) IS DISTINCT FROM claimdb_ts_config(OLD.language) THEN
    UPDATE claims SET search_config = claimdb_ts_config(NEW.language),
                      search = claimdb_claim_search(claimdb_ts_config(NEW.language), text, exact)
    WHERE document_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;

-- The claims already there: their vector was claimdb_tsvector's, so adding its
-- pairs is the same as recomputing it. No trigger: search is derived (not
-- logged, no new revision, updated_at unchanged).
ALTER TABLE claims DISABLE TRIGGER USER;
UPDATE claims SET search = search || claimdb_word_pairs(search);
ALTER TABLE claims ENABLE TRIGGER USER;

COMMENT ON COLUMN claims.search IS 'Full-text vector of text (weight A) and exact (B), with the pairs of adjacent lexemes (claimdb_word_pairs) for phrases; kept by a trigger.';
