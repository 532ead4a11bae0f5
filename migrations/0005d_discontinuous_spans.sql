-- Discontinuous spans (issue 12, part 3): an interrupted quotation ("The
-- report," he said, "is a patchwork of lies.") is one claim in several
-- pieces. The claim keeps its one-piece columns, so that range queries and
-- the document's claims in text order keep working: start is the first
-- segment's start, end the last one's end, exact the segments' quotes joined
-- with ' … ', prefix the first one's and suffix the last one's. The pieces
-- themselves are kept whole, as the API and the export write them.
-- Attribution and citation spans are jsonb already and carry their segments
-- inside (the same "segments" member).

ALTER TABLE claims ADD COLUMN segments jsonb
  CONSTRAINT claims_segments_check CHECK (segments IS NULL OR (start IS NOT NULL
    AND jsonb_typeof(segments) = 'array' AND jsonb_array_length(segments) BETWEEN 2 AND 16));
COMMENT ON COLUMN claims.segments IS 'A discontinuous target''s pieces in text order, [{start,end,exact,prefix,suffix}] (2 to 16); null for a one-piece target.';

-- A logged claim as the API shows it (GET /v1/claims/{id}?at=): its span
-- columns become "target", with the segments of a discontinuous one (the
-- same function as in 0004_history.sql, which knew no segments).
CREATE OR REPLACE FUNCTION revision_view(resource text, r jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN r IS NULL OR resource <> 'claims' THEN r
    ELSE (r - ARRAY['start', 'end', 'exact', 'prefix', 'suffix', 'segments'])
         || jsonb_build_object('target', CASE WHEN r->'start' = 'null'::jsonb OR r->'start' IS NULL THEN NULL
              ELSE jsonb_build_object('start', r->'start', 'end', r->'end', 'exact', r->'exact',
                                      'prefix', r->'prefix', 'suffix', r->'suffix')
                   || CASE WHEN r->'segments' IS NULL OR r->'segments' = 'null'::jsonb THEN '{}'::jsonb
                      ELSE jsonb_build_object('segments', r->'segments') END END)
  END
$$;
