#include "export_engine.h"

#include "db.h"
#include "entities.h"
#include "entity_sql.h"
#include "jsonbuf.h"
#include "rowjson.h"
#include "slow.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef CLAIMDB_VERSION
#define CLAIMDB_VERSION "dev"
#endif

/* COPY takes no bind parameters, so the filters travel as transaction-local
 * settings (set by the prepared export_filters statement) that the fixed
 * COPY texts below read back: no SQL is ever built from input. */
#define F_DOCUMENT "nullif(current_setting('claimdb.export_document_id', true), '')::uuid"
#define F_ACTOR "nullif(current_setting('claimdb.export_actor_id', true), '')::uuid"
#define F_TAG "nullif(current_setting('claimdb.export_tag', true), '')"
#define F_KIND "nullif(current_setting('claimdb.export_kind', true), '')::claim_kind"
#define F_AFTER "nullif(current_setting('claimdb.export_created_after', true), '')::timestamptz"
#define F_BEFORE "nullif(current_setting('claimdb.export_created_before', true), '')::timestamptz"
#define F_Q "nullif(current_setting('claimdb.export_q', true), '')"

#define EXPORT_FILTERS_SQL                                                     \
    "SELECT set_config('claimdb.export_document_id', coalesce($1, ''), true)," \
    " set_config('claimdb.export_actor_id', coalesce($2, ''), true),"          \
    " set_config('claimdb.export_tag', coalesce($3, ''), true),"               \
    " set_config('claimdb.export_kind', coalesce($4, ''), true),"              \
    " set_config('claimdb.export_created_after', coalesce($5, ''), true),"     \
    " set_config('claimdb.export_created_before', coalesce($6, ''), true),"    \
    " set_config('claimdb.export_q', coalesce($7, ''), true)"

/* The claims a filtered export is about (base) and the closure that keeps
 * the file self-contained: via chains pull in the attributions they reach
 * and those attributions' claims (core); every relation that touches a base
 * claim is kept, with the claim at its other end (and that claim's document)
 * so that it resolves on import — a filter never drops a relation silently;
 * then what all of them reference. */
#define SELECTION                                                                                    \
    "WITH RECURSIVE base AS (SELECT c.id FROM claims c WHERE"                                        \
    " (" F_DOCUMENT " IS NULL OR c.document_id = " F_DOCUMENT ")"                                    \
    " AND (" F_ACTOR " IS NULL OR EXISTS (SELECT 1 FROM attributions fa"                             \
    "      WHERE fa.claim_id = c.id AND fa.actor_id = " F_ACTOR "))"                                 \
    " AND (" F_TAG " IS NULL OR c.tags @> ARRAY[" F_TAG "])"                                         \
    " AND (" F_KIND " IS NULL OR c.kind = " F_KIND ")"                                               \
    " AND (" F_AFTER " IS NULL OR c.created_at >= " F_AFTER ")"                                      \
    " AND (" F_BEFORE " IS NULL OR c.created_at < " F_BEFORE ")"                                     \
    " AND (" F_Q " IS NULL OR c.search @@ (SELECT claimdb_tsquery(" F_Q "))"                         \
    "      OR " CLAIM_WORDS_SQL " ~* (SELECT claimdb_prefix_regex(" F_Q ")))),"                      \
    " chain AS (SELECT a.id, a.claim_id, a.via_attribution_id FROM attributions a"                   \
    "   JOIN base b ON a.claim_id = b.id"                                                            \
    "   UNION SELECT a.id, a.claim_id, a.via_attribution_id FROM attributions a"                     \
    "   JOIN chain ch ON a.id = ch.via_attribution_id),"                                             \
    " core AS (SELECT id FROM base UNION SELECT claim_id FROM chain),"                               \
    " sel_relations AS (SELECT r.id, r.from_claim_id, r.to_claim_id FROM relations r"                \
    "   WHERE r.from_claim_id IN (SELECT id FROM base) OR r.to_claim_id IN (SELECT id FROM base)"    \
    "   OR (r.from_claim_id IN (SELECT id FROM core) AND r.to_claim_id IN (SELECT id FROM core))),"  \
    " sel_claims AS (SELECT id FROM core UNION SELECT from_claim_id FROM sel_relations"              \
    "   UNION SELECT to_claim_id FROM sel_relations),"                                               \
    " sel_citations AS (SELECT ci.id, ci.source_id FROM citations ci"                                \
    "   WHERE ci.claim_id IN (SELECT id FROM core)),"                                                \
    " sel_sources AS (SELECT DISTINCT source_id AS id FROM sel_citations),"                          \
    " sel_documents AS (SELECT document_id AS id FROM claims"                                        \
    "   WHERE id IN (SELECT id FROM sel_claims) AND document_id IS NOT NULL"                         \
    "   UNION SELECT document_id FROM sources"                                                       \
    "   WHERE id IN (SELECT id FROM sel_sources) AND document_id IS NOT NULL),"                      \
    " sel_actors AS (SELECT actor_id AS id FROM attributions WHERE id IN (SELECT id FROM chain)"     \
    "   UNION SELECT asserted_by_actor_id FROM relations WHERE id IN (SELECT id FROM sel_relations)" \
    "   UNION SELECT publisher_actor_id FROM sources WHERE id IN (SELECT id FROM sel_sources)),"     \
    " sel_projects AS (SELECT project_id AS id FROM claims WHERE id IN (SELECT id FROM sel_claims)"  \
    "   UNION SELECT project_id FROM actors WHERE id IN (SELECT id FROM sel_actors)"                 \
    "   UNION SELECT project_id FROM documents WHERE id IN (SELECT id FROM sel_documents)"           \
    "   UNION SELECT project_id FROM sources WHERE id IN (SELECT id FROM sel_sources)) "

/* The depth of an attribution that has a via, in its chain: 1 when its via
 * target is a root. Roots (no via: most attributions) are written first in
 * id order, then these by depth, so every via target comes before the
 * attributions that use it; members of a via cycle (possible after PATCHes)
 * have no depth and come last. The recursion starts from the chained rows
 * only (partial index attributions_via), not from every attribution, and
 * looks their via targets up one by one (a join here hashed all of them). */
#define DEPTH_CTE                                                                                        \
    " depth(id, depth) AS (SELECT a.id, 1 FROM attributions a WHERE a.via_attribution_id IS NOT NULL"    \
    "   AND (SELECT v.via_attribution_id IS NULL FROM attributions v WHERE v.id = a.via_attribution_id)" \
    "   UNION ALL SELECT a.id, depth.depth + 1 FROM attributions a"                                      \
    "   JOIN depth ON a.via_attribution_id = depth.id) "

/* -------------------------------------------------------------- NDJSON */

/* PostgreSQL returns plain columns, a batch per FETCH from a cursor, and the
 * lines are written here (line_write below). Building them with
 * json_build_object cost PostgreSQL 3-4 x a plain COPY of the same rows, and
 * sorting finished lines to put each document's claims after it carried
 * every document text through the sort; now documents and claims come from
 * two index-ordered cursors merged in C. The bytes are exactly those
 * json_build_object wrote before: `"key" : value`, ", " between members,
 * arrays as ["a","b"], timestamps as to_json writes them. */

#define HEADER_LINE                                                                            \
    "SELECT json_build_object('type', 'header', 'format', 'claimdb-ndjson', 'version', 1,"     \
    " 'exported_at', date_trunc('second', now()), 'generator', 'claimdb " CLAIMDB_VERSION "'," \
    " 'filters', json_strip_nulls(json_build_object('document_id', " F_DOCUMENT ","            \
    " 'actor_id', " F_ACTOR ", 'tag', " F_TAG ", 'kind', " F_KIND ","                          \
    " 'created_after', " F_AFTER ", 'created_before', " F_BEFORE ", 'q', " F_Q ")))"

/* Each record's columns, in the order of its line's members: its entity's
 * exported fields (entities.c, in order; generated into entity_sql.h). */
#define PROJECT_COLS PROJECT_SQL_EXPORT("p")
#define CODEBOOK_COLS CODEBOOK_SQL_EXPORT("e")
#define ACTOR_COLS ACTOR_SQL_EXPORT("a")
#define DOCUMENT_COLS DOCUMENT_SQL_EXPORT("d")
#define CLAIM_COLS CLAIM_SQL_EXPORT("c")
#define CLAIM_DOCUMENT_COLUMN CLAIM_EXPORT_COL_DOCUMENT_ID /* the key claims merge on */
#define SOURCE_COLS SOURCE_SQL_EXPORT("s")
#define ATTRIBUTION_COLS ATTRIBUTION_SQL_EXPORT("t")
#define RELATION_COLS RELATION_SQL_EXPORT("r")
#define CITATION_COLS CITATION_SQL_EXPORT("ci")

/* Each line is the row written by rowjson (ROW_SPACED, the interchange
 * format's spacing) with the columns of its entity's exported fields
 * (entities.c, in order, as the *_COLS lists above select them). */
/* One part of the output: the rows of one cursor, or of two merged (the
 * inner rows, ordered by their key column, each written right after the
 * outer row whose id, column 0, equals that key). FETCH sizes keep a batch
 * near a megabyte: documents are the large rows. */
struct ndjson_part {
    const char *declare;
    const char *fetch;
    const struct entity *entity; /* NULL: a line PostgreSQL built whole (the header) */
    const char *inner_declare;
    const struct entity *inner_entity;
    int inner_key;
};

#define OUTER_CURSOR(query) "DECLARE export_outer NO SCROLL CURSOR FOR " query
#define INNER_CURSOR(query) "DECLARE export_inner NO SCROLL CURSOR FOR " query
#define FETCH_ROWS "FETCH FORWARD 1000 FROM export_outer"
#define FETCH_DOCUMENTS "FETCH FORWARD 100 FROM export_outer"
#define FETCH_INNER "FETCH FORWARD 1000 FROM export_inner"

#define PART(query, entity)                                    \
    {                                                          \
        OUTER_CURSOR(query), FETCH_ROWS, entity, NULL, NULL, 0 \
    }
#define DOCUMENTS_PART(dquery, cquery)                                                                \
    {                                                                                                 \
        OUTER_CURSOR(dquery), FETCH_DOCUMENTS, &ENTITY_DOCUMENT, INNER_CURSOR(cquery), &ENTITY_CLAIM, \
            CLAIM_DOCUMENT_COLUMN                                                                     \
    }

#define PROJECTS(where) "SELECT " PROJECT_COLS " FROM projects p " where " ORDER BY p.id"
#define CODEBOOK(where) "SELECT " CODEBOOK_COLS " FROM codebook_entries e " where " ORDER BY e.id"
#define ACTORS(where) "SELECT " ACTOR_COLS " FROM actors a " where " ORDER BY a.id"
#define DOCUMENTS(where) "SELECT " DOCUMENT_COLS " FROM documents d " where " ORDER BY d.id"
#define DOCUMENT_CLAIMS(cand)                                                   \
    "SELECT " CLAIM_COLS " FROM claims c WHERE c.document_id IS NOT NULL " cand \
    " ORDER BY c.document_id, c.id"
#define LOOSE_CLAIMS(cand) \
    "SELECT " CLAIM_COLS " FROM claims c WHERE c.document_id IS NULL " cand " ORDER BY c.id"
#define SOURCES(where) "SELECT " SOURCE_COLS " FROM sources s " where " ORDER BY s.id"
#define ROOT_ATTRIBUTIONS(tand)                                                                \
    "SELECT " ATTRIBUTION_COLS " FROM attributions t WHERE t.via_attribution_id IS NULL " tand \
    " ORDER BY t.id"
#define CHAINED_ATTRIBUTIONS(tand)                                                       \
    "SELECT " ATTRIBUTION_COLS " FROM attributions t LEFT JOIN depth ON depth.id = t.id" \
    " WHERE t.via_attribution_id IS NOT NULL " tand " ORDER BY depth.depth NULLS LAST, t.id"
#define RELATIONS(where) "SELECT " RELATION_COLS " FROM relations r " where " ORDER BY r.id"
#define CITATIONS(where) "SELECT " CITATION_COLS " FROM citations ci " where " ORDER BY ci.id"

static const struct ndjson_part ndjson_all[] = {
    PART(HEADER_LINE, NULL),
    PART(PROJECTS(""), &ENTITY_PROJECT),
    PART(CODEBOOK(""), &ENTITY_CODEBOOK),
    PART(ACTORS(""), &ENTITY_ACTOR),
    DOCUMENTS_PART(DOCUMENTS(""), DOCUMENT_CLAIMS("")),
    PART(LOOSE_CLAIMS(""), &ENTITY_CLAIM),
    PART(SOURCES(""), &ENTITY_SOURCE),
    PART(ROOT_ATTRIBUTIONS(""), &ENTITY_ATTRIBUTION),
    PART("WITH RECURSIVE" DEPTH_CTE CHAINED_ATTRIBUTIONS(""), &ENTITY_ATTRIBUTION),
    PART(RELATIONS(""), &ENTITY_RELATION),
    PART(CITATIONS(""), &ENTITY_CITATION),
    {NULL, NULL, NULL, NULL, NULL, 0},
};

static const struct ndjson_part ndjson_filtered[] = {
    PART(HEADER_LINE, NULL),
    PART(SELECTION PROJECTS("WHERE p.id IN (SELECT id FROM sel_projects)"), &ENTITY_PROJECT),
    /* the whole codebook of each project written: its claims' tags come from it */
    PART(SELECTION CODEBOOK("WHERE e.project_id IN (SELECT id FROM sel_projects)"), &ENTITY_CODEBOOK),
    PART(SELECTION ACTORS("WHERE a.id IN (SELECT id FROM sel_actors)"), &ENTITY_ACTOR),
    DOCUMENTS_PART(SELECTION DOCUMENTS("WHERE d.id IN (SELECT id FROM sel_documents)"),
                   SELECTION DOCUMENT_CLAIMS("AND c.id IN (SELECT id FROM sel_claims)")),
    PART(SELECTION LOOSE_CLAIMS("AND c.id IN (SELECT id FROM sel_claims)"), &ENTITY_CLAIM),
    PART(SELECTION SOURCES("WHERE s.id IN (SELECT id FROM sel_sources)"), &ENTITY_SOURCE),
    PART(SELECTION ROOT_ATTRIBUTIONS("AND t.id IN (SELECT id FROM chain)"), &ENTITY_ATTRIBUTION),
    PART(SELECTION "," DEPTH_CTE CHAINED_ATTRIBUTIONS("AND t.id IN (SELECT id FROM chain)"),
         &ENTITY_ATTRIBUTION),
    PART(SELECTION RELATIONS("WHERE r.id IN (SELECT id FROM sel_relations)"), &ENTITY_RELATION),
    PART(SELECTION CITATIONS("WHERE ci.id IN (SELECT id FROM sel_citations)"), &ENTITY_CITATION),
    {NULL, NULL, NULL, NULL, NULL, 0},
};

/* The revision log (history=true), after every row: one line per entry,
 * built whole by PostgreSQL, in the order of the log (transaction, then
 * entry). `txn` numbers the transactions of the log as exported (dense, from
 * 1): an import keeps it as origin_txn, and exports what it imported under
 * the same numbers, so that export -> import -> export gives the same bytes.
 * (xid, origin_txn) is a transaction here: an imported log's entries share
 * the import's xid. Read under the export's scope, so a project's export
 * holds that project's log. */
#define HISTORY_LINES                                                                                \
    "SELECT json_build_object('type', 'revision',"                                                   \
    " 'txn', dense_rank() OVER (ORDER BY h.xid, h.origin_txn NULLS FIRST),"                          \
    " 'resource', h.resource, 'id', h.id, 'project_id', h.project_id, 'rev', h.rev, 'op', h.op,"     \
    " 'reason', h.reason, 'user_id', h.user_id, 'token_id', h.token_id, 'request_id', h.request_id," \
    " 'at', h.at, 'before', h.before, 'after', h.after)"                                             \
    " FROM revisions h ORDER BY h.xid, h.origin_txn NULLS FIRST, h.seq"

static const struct ndjson_part ndjson_history[] = {
    PART(HISTORY_LINES, NULL),
    {NULL, NULL, NULL, NULL, NULL, 0},
};

/* ---- writing a line */

/* The bytes of the current batch of lines; `sent` of them are handed out. */
struct outbuf {
    struct jsonbuf jb;
    size_t sent;
};

/* The rowjson columns of an entity's exported fields, built once from its
 * description: a span (sql_type "span") is a nested object over the
 * columns start, end, exact, prefix and suffix, and segments when the span
 * is discontinuous (left out otherwise, so one-piece spans are written as
 * before segments existed). */
#define MAX_EXPORT_COLS 48
static struct col export_cols[ENTITY_COUNT][MAX_EXPORT_COLS];
static int export_ncols[ENTITY_COUNT]; /* the SQL columns those take */
static char export_leads[ENTITY_COUNT][40];
static pthread_once_t export_cols_once = PTHREAD_ONCE_INIT;

static enum col_kind kind_of(const struct field_spec *f)
{
    if (strcmp(f->sql_type, "integer") == 0)
        return COL_NUMBER;
    if (strcmp(f->sql_type, "jsonb") == 0)
        return COL_JSON;
    if (strcmp(f->sql_type, "timestamptz") == 0)
        return COL_TIMESTAMP;
    if (strcmp(f->sql_type, "text[]") == 0)
        return COL_PG_ARRAY;
    if (strcmp(f->sql_type, "boolean") == 0)
        return COL_BOOL;
    return COL_STRING; /* text, uuid, date, enumerations */
}

static void build_export_cols(void)
{
    static const struct col span[] = {
        {"start", COL_NUMBER},  {"end", COL_NUMBER},        {"exact", COL_STRING}, {"prefix", COL_STRING},
        {"suffix", COL_STRING}, {"segments", COL_JSON_OPT}, {NULL, COL_END}};
    for (size_t t = 0; ENTITIES[t]; t++) {
        size_t n = 0;
        struct col *cols = export_cols[t];
        for (const struct field_spec *f = ENTITIES[t]->fields; f->name; f++) {
            if (!(f->flags & FIELD_EXPORT))
                continue;
            if (n + 8 >= MAX_EXPORT_COLS)
                abort(); /* a description this wide needs a larger MAX_EXPORT_COLS */
            if (strcmp(f->sql_type, "span") == 0) {
                cols[n++] = (struct col){f->name, COL_OBJECT};
                for (size_t i = 0; i < sizeof span / sizeof *span; i++)
                    cols[n++] = span[i];
                export_ncols[t] +=
                    (int)(sizeof span / sizeof *span) - 1; /* its columns, not the closing COL_END */
            } else {
                cols[n++] = (struct col){f->name, kind_of(f)};
                export_ncols[t]++;
            }
        }
        cols[n] = (struct col){NULL, COL_END};
        snprintf(export_leads[t], sizeof export_leads[t], "\"type\" : \"%s\"", ENTITIES[t]->type);
    }
}

static size_t entity_index(const struct entity *entity)
{
    pthread_once(&export_cols_once, build_export_cols);
    size_t t = 0;
    while (ENTITIES[t] != entity)
        t++;
    return t;
}

/* True when the statement's columns are as many as the entity's exported
 * fields take: a *_COLS list above that misses a field described in
 * entities.c would otherwise shift every value after it. */
static bool columns_match(const PGresult *res, const struct entity *entity, char *err, size_t size)
{
    if (!entity || PQnfields(res) == export_ncols[entity_index(entity)])
        return true;
    snprintf(err, size, "the export's %s columns (%d) do not match its description in entities.c (%d)",
             entity->type, PQnfields(res), export_ncols[entity_index(entity)]);
    return false;
}

/* Row `row` of res as one line of `entity` (NULL: the line is column 0). */
static void line_write(struct outbuf *o, const PGresult *res, int row, const struct entity *entity)
{
    if (!entity) {
        jb_raw(&o->jb, PQgetvalue(res, row, 0), (size_t)PQgetlength(res, row, 0));
    } else {
        size_t t = entity_index(entity);
        rowjson_write_style(&o->jb, res, row, export_cols[t], &ROW_SPACED, export_leads[t]);
    }
    jb_raw(&o->jb, "\n", 1);
}

/* -------------------------------------------------------------- CSV */

/* PostgreSQL's own RFC 4180 writer: quotes where needed, "" inside quotes,
 * NULL as an empty cell, a header row. Timestamps as ISO 8601 with a T;
 * arrays and objects as JSON text. */
#define COPY_CSV(query) "COPY (" query ") TO STDOUT (FORMAT csv, HEADER)"
#define TS(alias, col) "(to_json(" alias "." col ") #>> '{}') AS " col

/* Each table's exported fields (entity_sql.h), arrays and objects as JSON
 * text, timestamps as TS() writes them. */
#define CSV_DOCUMENTS "SELECT " DOCUMENT_SQL_CSV("d") " FROM documents d"
#define CSV_ACTORS "SELECT " ACTOR_SQL_CSV("a") " FROM actors a"
#define CSV_CLAIMS "SELECT " CLAIM_SQL_CSV("c") " FROM claims c"
#define CSV_ATTRIBUTIONS "SELECT " ATTRIBUTION_SQL_CSV("t") " FROM attributions t"
#define CSV_RELATIONS "SELECT " RELATION_SQL_CSV("r") " FROM relations r"
#define CSV_SOURCES "SELECT " SOURCE_SQL_CSV("s") " FROM sources s"
#define CSV_CITATIONS "SELECT " CITATION_SQL_CSV("ci") " FROM citations ci"
/* One row per claim for quick analysis: its document's title, the quote
 * (a discontinuous one's pieces as start-end;start-end, its exact joined),
 * who asserts it (actor names, JSON array) and how many relations touch it. */
#define CSV_CLAIMS_FLAT                                                                         \
    "SELECT c.id, c.document_id, d.title AS document_title, c.start, c.\"end\","                \
    " (SELECT string_agg((g.s->>'start') || '-' || (g.s->>'end'), ';' ORDER BY g.o)"            \
    "   FROM jsonb_array_elements(c.segments) WITH ORDINALITY AS g(s, o)) AS segments,"         \
    " c.exact, c.text, c.kind, to_json(c.tags)::text AS tags,"                                  \
    " (SELECT coalesce(json_agg(DISTINCT a.name), '[]')::text FROM attributions t"              \
    "   JOIN actors a ON a.id = t.actor_id WHERE t.claim_id = c.id) AS speakers,"               \
    " (SELECT count(*) FROM relations r WHERE r.from_claim_id = c.id) AS relations_out,"        \
    " (SELECT count(*) FROM relations r WHERE r.to_claim_id = c.id) AS relations_in,"           \
    " (SELECT count(*) FROM relations r WHERE (r.from_claim_id = c.id OR r.to_claim_id = c.id)" \
    "   AND r.kind IN ('refutes', 'disputes')) AS counterclaims,"                               \
    " c.note, c.annotator, " TS("c", "created_at") ", " TS(                                     \
        "c", "updated_at") " FROM claims c LEFT JOIN documents d ON d.id = c.document_id"

const char *const EXPORT_CSV_TABLES[] = {"documents",    "actors",      "claims",
                                         "attributions", "relations",   "sources",
                                         "citations",    "claims_flat", NULL};

/* Indexed like EXPORT_CSV_TABLES: [0] unfiltered, [1] filtered; each a
 * one-statement list. */
static const char *const csv_copies[][2][2] = {
    {{COPY_CSV(CSV_DOCUMENTS " ORDER BY d.id"), NULL},
     {COPY_CSV(SELECTION CSV_DOCUMENTS " WHERE d.id IN (SELECT id FROM sel_documents) ORDER BY d.id"), NULL}},
    {{COPY_CSV(CSV_ACTORS " ORDER BY a.id"), NULL},
     {COPY_CSV(SELECTION CSV_ACTORS " WHERE a.id IN (SELECT id FROM sel_actors) ORDER BY a.id"), NULL}},
    {{COPY_CSV(CSV_CLAIMS " ORDER BY c.id"), NULL},
     {COPY_CSV(SELECTION CSV_CLAIMS " WHERE c.id IN (SELECT id FROM sel_claims) ORDER BY c.id"), NULL}},
    {{COPY_CSV(CSV_ATTRIBUTIONS " ORDER BY t.id"), NULL},
     {COPY_CSV(SELECTION CSV_ATTRIBUTIONS " WHERE t.claim_id IN (SELECT id FROM base) ORDER BY t.id"), NULL}},
    {{COPY_CSV(CSV_RELATIONS " ORDER BY r.id"), NULL},
     {COPY_CSV(SELECTION CSV_RELATIONS " WHERE r.id IN (SELECT id FROM sel_relations) ORDER BY r.id"), NULL}},
    {{COPY_CSV(CSV_SOURCES " ORDER BY s.id"), NULL},
     {COPY_CSV(SELECTION CSV_SOURCES " WHERE s.id IN (SELECT id FROM sel_sources) ORDER BY s.id"), NULL}},
    {{COPY_CSV(CSV_CITATIONS " ORDER BY ci.id"), NULL},
     {COPY_CSV(SELECTION CSV_CITATIONS " WHERE ci.claim_id IN (SELECT id FROM base) ORDER BY ci.id"), NULL}},
    {{COPY_CSV(CSV_CLAIMS_FLAT " ORDER BY c.id"), NULL},
     {COPY_CSV(SELECTION CSV_CLAIMS_FLAT " WHERE c.id IN (SELECT id FROM base) ORDER BY c.id"), NULL}},
};

/* -------------------------------------------------------------- W3C */

/* One annotation per row, built by PostgreSQL. Output through CSV format
 * with a delimiter and quote that JSON text never contains raw (both are
 * control characters, which json escapes), so each line comes out byte for
 * byte: COPY's text format would double every backslash. */
#define COPY_LINES(query) "COPY (" query ") TO STDOUT (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')"

/* Each claim an Annotation: its text and tags as bodies, the document span
 * as target with both selectors; everything else under claimdb: terms (the
 * export's second context defines them, so a JSON-LD processor keeps every
 * key). Nested records are nodes with urn:uuid ids, references are urn:uuid
 * IRIs, the annotator is a Person, and nulls are left out (json_strip_nulls):
 * JSON-LD drops a null value, so an absent key says the same and survives
 * expansion and compaction. A claim with no document targets its own
 * proposition (an embedded TextualBody). A discontinuous claim has one
 * target per segment, in text order, each a SpecificResource of the document
 * with that segment's quote and position selectors: the model allows several
 * targets, while several selectors of one target must describe the same
 * segment (alternatives, not pieces). */
/* Laid out by hand: clang-format 14 would cut these SQL literals into pieces. */
/* clang-format off */
#define URN(col) "'urn:uuid:' || " col
#define AGENT(name) "CASE WHEN " name " IS NOT NULL THEN json_build_object('type', 'Person', 'name', " name ") END"
#define W3C_CLAIM                                                                                  \
    "json_strip_nulls(json_build_object('id', " URN("c.id") ", 'type', 'Annotation',"             \
    " 'motivation', 'describing', 'created', c.created_at, 'modified', c.updated_at,"              \
    " 'creator', " AGENT("c.annotator") ","                                                         \
    " 'body', (SELECT json_agg(b.v ORDER BY b.o) FROM (SELECT 0::bigint AS o,"                     \
    "   json_build_object('type', 'TextualBody', 'purpose', 'describing', 'format', 'text/plain',"  \
    "   'value', c.text) AS v UNION ALL SELECT g.o, json_build_object('type', 'TextualBody',"      \
    "   'purpose', 'tagging', 'value', g.tag) FROM unnest(c.tags) WITH ORDINALITY AS g(tag, o)) b)," \
    " 'target', CASE WHEN c.segments IS NOT NULL THEN (SELECT json_agg(json_build_object("         \
    "   'type', 'SpecificResource', 'source', " URN("c.document_id") ", 'selector', json_build_array(" \
    "   json_build_object('type', 'TextQuoteSelector', 'exact', g.s->'exact', 'prefix', g.s->'prefix'," \
    "   'suffix', g.s->'suffix'), json_build_object('type', 'TextPositionSelector',"               \
    "   'start', g.s->'start', 'end', g.s->'end'))) ORDER BY g.o)"                                \
    "   FROM jsonb_array_elements(c.segments) WITH ORDINALITY AS g(s, o))"                         \
    "   WHEN c.start IS NOT NULL THEN json_build_object("                                          \
    "   'source', " URN("c.document_id") ", 'selector', json_build_array("                          \
    "   json_build_object('type', 'TextQuoteSelector', 'exact', c.exact, 'prefix', c.prefix,"      \
    "   'suffix', c.suffix),"                                                                      \
    "   json_build_object('type', 'TextPositionSelector', 'start', c.start, 'end', c.\"end\")))"   \
    "   WHEN c.document_id IS NOT NULL THEN to_json(" URN("c.document_id") ")"                      \
    "   ELSE json_build_object('type', 'TextualBody', 'value', c.text) END,"                       \
    " 'claimdb:id', c.id, 'claimdb:project_id', " URN("c.project_id") ","                           \
    " 'claimdb:document_id', " URN("c.document_id") ","                                             \
    " 'claimdb:document_title', (SELECT d.title FROM documents d WHERE d.id = c.document_id),"     \
    " 'claimdb:kind', c.kind, 'claimdb:tags', c.tags, 'claimdb:note', c.note,"                     \
    " 'claimdb:attributions', (SELECT json_agg(json_build_object('id', " URN("t.id") ","          \
    "   'type', 'claimdb:Attribution', 'claimdb:id', t.id, 'claimdb:actor_id', " URN("t.actor_id") "," \
    "   'claimdb:actor_name', a.name, 'claimdb:actor_kind', a.kind, 'claimdb:role', t.role,"       \
    "   'claimdb:cue', t.cue, 'claimdb:mode', t.mode, 'claimdb:polarity', t.polarity,"            \
    "   'claimdb:factuality', t.factuality, 'claimdb:said_at', t.said_at,"                         \
    "   'claimdb:source_span', t.source_span,"                                                     \
    "   'claimdb:cue_span', t.cue_span, 'claimdb:via_attribution_id', " URN("t.via_attribution_id") "," \
    "   'creator', " AGENT("t.annotator") ", 'created', t.created_at, 'modified', t.updated_at)"   \
    "   ORDER BY t.id) FROM attributions t JOIN actors a ON a.id = t.actor_id WHERE t.claim_id = c.id)," \
    " 'claimdb:citations', (SELECT json_agg(json_build_object('id', " URN("ci.id") ","            \
    "   'type', 'claimdb:Citation', 'claimdb:id', ci.id, 'claimdb:source_id', " URN("ci.source_id") "," \
    "   'claimdb:source_title', s.title, 'claimdb:source_url', s.url,"                             \
    "   'claimdb:locator', ci.locator, 'claimdb:span', ci.span, 'creator', " AGENT("ci.annotator") "," \
    "   'created', ci.created_at, 'modified', ci.updated_at) ORDER BY ci.id)"                      \
    "   FROM citations ci JOIN sources s ON s.id = ci.source_id WHERE ci.claim_id = c.id)))"
/* A relation is a `linking` Annotation from the `from` claim (target) to the
 * `to` claim (body), both named by their annotations' ids. */
#define W3C_RELATION                                                                               \
    "json_strip_nulls(json_build_object('id', " URN("r.id") ", 'type', 'Annotation',"             \
    " 'motivation', 'linking', 'created', r.created_at, 'modified', r.updated_at,"                 \
    " 'creator', " AGENT("r.annotator") ","                                                         \
    " 'body', " URN("r.to_claim_id") ", 'target', " URN("r.from_claim_id") ","                      \
    " 'claimdb:id', r.id, 'claimdb:project_id', " URN("r.project_id") ", 'claimdb:relation', r.kind," \
    " 'claimdb:note', r.note, 'claimdb:asserted_by_actor_id', " URN("r.asserted_by_actor_id") "))"
/* clang-format on */

static const char *const w3c_all[] = {
    COPY_LINES("SELECT " W3C_CLAIM " FROM claims c ORDER BY c.id"),
    COPY_LINES("SELECT " W3C_RELATION " FROM relations r ORDER BY r.id"),
    NULL,
};

static const char *const w3c_filtered[] = {
    COPY_LINES(SELECTION "SELECT " W3C_CLAIM
                         " FROM claims c WHERE c.id IN (SELECT id FROM sel_claims) ORDER BY c.id"),
    COPY_LINES(SELECTION "SELECT " W3C_RELATION
                         " FROM relations r WHERE r.id IN (SELECT id FROM sel_relations)"
                         " ORDER BY r.id"),
    NULL,
};

/* The number of annotations, counted in the export's snapshot before any is
 * written (the collection says its total first, and each page whether a
 * next one follows), with a fresh id for the collection. */
static const char *const w3c_count[2] = {
    "SELECT gen_random_uuid(), (SELECT count(*) FROM claims) + (SELECT count(*) FROM relations)",
    SELECTION
    "SELECT gen_random_uuid(), (SELECT count(*) FROM sel_claims) + (SELECT count(*) FROM sel_relations)",
};

/* Annotations per page of the collection. */
#define W3C_PAGE_SIZE 1000

/* The collection and its pages are nodes of one @graph, written as the rows
 * stream: the collection (id, total, first, last), then each page (id,
 * partOf, startIndex, next but on the last) with its items. Pages are
 * "<collection id>#page-N". claimdb's own terms are defined in a second
 * context: the prefix, which of them hold IRIs, and "segments" (the pieces
 * of a discontinuous attribution or citation span, kept inside its
 * claimdb:cue_span, claimdb:source_span or claimdb:span, in order). */
#define W3C_CONTEXT                                                                                       \
    "[\"http://www.w3.org/ns/anno.jsonld\",{\"claimdb\":\"https://claimdb.org/ns#\","                     \
    "\"claimdb:project_id\":{\"@type\":\"@id\"},\"claimdb:document_id\":{\"@type\":\"@id\"},"             \
    "\"claimdb:actor_id\":{\"@type\":\"@id\"},\"claimdb:via_attribution_id\":{\"@type\":\"@id\"},"        \
    "\"claimdb:source_id\":{\"@type\":\"@id\"},\"claimdb:asserted_by_actor_id\":{\"@type\":\"@id\"},"     \
    "\"claimdb:attributions\":{\"@container\":\"@set\"},\"claimdb:citations\":{\"@container\":\"@set\"}," \
    "\"claimdb:tags\":{\"@container\":\"@set\"},"                                                         \
    "\"segments\":{\"@id\":\"claimdb:segments\",\"@container\":\"@list\"}}]"

/* Writes the page header of page `page` (1-based) into buf. */
static void w3c_page_header(char *buf, size_t size, const char *collection, long long page, long long total)
{
    long long pages = (total + W3C_PAGE_SIZE - 1) / W3C_PAGE_SIZE;
    char next[128] = "";
    if (page < pages)
        snprintf(next, sizeof next, "\"next\":\"urn:uuid:%s#page-%lld\",", collection, page + 1);
    snprintf(buf, size,
             "{\"id\":\"urn:uuid:%s#page-%lld\",\"type\":\"AnnotationPage\",\"partOf\":\"urn:uuid:%s\","
             "\"startIndex\":%lld,%s\"items\":[\n",
             collection, page, collection, (page - 1) * W3C_PAGE_SIZE, next);
}

/* The document's start and the collection node (and the first page's header). */
static void w3c_prologue(char *buf, size_t size, const char *collection, long long total)
{
    long long pages = (total + W3C_PAGE_SIZE - 1) / W3C_PAGE_SIZE;
    int n = snprintf(buf, size,
                     "{\"@context\":" W3C_CONTEXT ",\"@graph\":[\n{\"id\":\"urn:uuid:%s\","
                     "\"type\":\"AnnotationCollection\",\"label\":\"claimdb export\","
                     "\"generator\":{\"type\":\"Software\",\"name\":\"claimdb " CLAIMDB_VERSION "\"},"
                     "\"total\":%lld",
                     collection, total);
    if (n < 0 || (size_t)n >= size)
        return;
    if (pages == 0) {
        snprintf(buf + n, size - (size_t)n, "}");
        return;
    }
    n += snprintf(buf + n, size - (size_t)n,
                  ",\"first\":\"urn:uuid:%s#page-1\",\"last\":\"urn:uuid:%s#page-%lld\"},\n", collection,
                  collection, pages);
    if ((size_t)n < size)
        w3c_page_header(buf + n, size - (size_t)n, collection, 1, total);
}

/* -------------------------------------------------------------- engine */

/* An open cursor's current batch. */
struct cursor {
    const char *fetch; /* NULL when the cursor is not open */
    PGresult *batch;
    int row;        /* next row of batch */
    bool exhausted; /* the last FETCH returned no rows */
};

struct export
{
    PGconn *conn;
    enum export_format format;
    bool done;
    /* CSV and W3C: COPY statements, bytes passed through. */
    const char *const *parts; /* the COPY statements still to run, NULL-terminated */
    bool in_copy;
    bool first_item;         /* W3C: no separator before the first annotation */
    long long w3c_items;     /* W3C: annotations written so far */
    long long w3c_total;     /* W3C: annotations in the snapshot */
    char w3c_collection[40]; /* W3C: the collection's uuid */
    char w3c_text[2048];     /* W3C: the prologue, then each page break */
    /* Bytes waiting to be written: up to three segments (W3C separator, a
     * line, the prologue or epilogue); row points at PQgetCopyData memory. */
    const char *pending[3];
    size_t pending_len[3];
    char *row;
    /* NDJSON: cursors, lines written here. */
    const struct ndjson_part *part; /* the current part; its declare is NULL at the end */
    bool history_next;              /* the revision log follows the parts (history=true) */
    bool part_open;
    struct cursor outer, inner;
    struct outbuf out;
};

const char *export_content_type(enum export_format format)
{
    switch (format) {
    case EXPORT_CSV: return "text/csv; charset=utf-8; header=present";
    case EXPORT_W3C: return "application/ld+json; profile=\"http://www.w3.org/ns/anno.jsonld\"";
    case EXPORT_NDJSON: break;
    }
    return "application/x-ndjson; charset=utf-8";
}

static void set_error(char *err, size_t size, const char *what, PGconn *conn, const PGresult *res)
{
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
    snprintf(err, size, "%s: %s", what, msg && *msg ? msg : "unknown error");
    err[strcspn(err, "\n")] = '\0';
}

static bool command(PGconn *conn, const char *sql, char *err, size_t size)
{
    PGresult *res = PQexec(conn, sql);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        set_error(err, size, "starting the export", conn, res);
    PQclear(res);
    return ok;
}

static bool start_next_copy(struct export *ex, char *err, size_t size)
{
    PGresult *res = PQexec(ex->conn, *ex->parts);
    bool ok = PQresultStatus(res) == PGRES_COPY_OUT;
    if (!ok)
        set_error(err, size, "export query", ex->conn, res);
    PQclear(res);
    if (ok) {
        ex->parts++;
        ex->in_copy = true;
    }
    return ok;
}

/* Unnamed: it runs once per export, on a connection that an earlier export
 * may have left it prepared on (kept connections, slow.h). */
static bool set_filters(PGconn *conn, const struct export_filters *f, char *err, size_t size)
{
    const char *params[] = {f->document_id,   f->actor_id,       f->tag, f->kind,
                            f->created_after, f->created_before, f->q};
    PGresult *res = PQexecParams(conn, EXPORT_FILTERS_SQL, 7, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        set_error(err, size, "export filters", conn, res);
    PQclear(res);
    return ok;
}

/* Counts the W3C export's annotations and draws the collection's id. */
static bool w3c_count_items(struct export *ex, bool narrowed, char *err, size_t size)
{
    PGresult *res = PQexec(ex->conn, w3c_count[narrowed ? 1 : 0]);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    if (ok) {
        snprintf(ex->w3c_collection, sizeof ex->w3c_collection, "%s", PQgetvalue(res, 0, 0));
        ex->w3c_total = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    } else {
        set_error(err, size, "counting the annotations", ex->conn, res);
    }
    PQclear(res);
    return ok;
}

static bool filtered(const struct export_filters *f)
{
    return f->document_id || f->actor_id || f->tag || f->kind || f->created_after || f->created_before
           || f->q;
}

static const char *const *copies_for(enum export_format format, const char *table, bool narrowed)
{
    if (format == EXPORT_W3C)
        return narrowed ? w3c_filtered : w3c_all;
    for (size_t i = 0; EXPORT_CSV_TABLES[i]; i++)
        if (table && strcmp(EXPORT_CSV_TABLES[i], table) == 0)
            return csv_copies[i][narrowed ? 1 : 0];
    return NULL;
}

/* The reader's scope: rows of projects it cannot read stay out. One
 * project (?project_id=) narrows the scope itself to that project, so that
 * every query of every format is filtered by row-level security alone; a
 * server admin's admin flag (which reads everything) gives way to curating
 * that project (which reads it, blind or not); the blind projects follow
 * (computed last, from the narrowed sets). */
static bool scope(PGconn *conn, const struct request *r, const char *project_id, char *err, size_t err_size)
{
    bool ok = db_scope_apply(conn, r, false, false);
    if (ok && project_id) {
        const char *params[] = {project_id};
        PGresult *res =
            PQexecParams(conn,
                         "SELECT set_config('claimdb.curate', CASE WHEN claimdb_is_admin()"
                         "   THEN ARRAY[$1::uuid]::text ELSE current_setting('claimdb.curate') END, true),"
                         " set_config('claimdb.read', CASE WHEN claimdb_is_admin()"
                         "   OR $1::uuid = ANY (claimdb_projects('read')) THEN ARRAY[$1::uuid]::text"
                         "   ELSE '{}' END, true),"
                         " set_config('claimdb.admin', 'off', true),"
                         " set_config('claimdb.blind', claimdb_blind_projects_now()::text, true)",
                         1, NULL, params, NULL, NULL, 0);
        ok = PQresultStatus(res) == PGRES_TUPLES_OK;
        PQclear(res);
    }
    if (!ok)
        snprintf(err, err_size, "cannot set the export's scope: %s", PQerrorMessage(conn));
    return ok;
}

struct export *export_open(enum export_format format, const char *table, const struct export_filters *filters,
                           char *err, size_t err_size, bool *unavailable)
{
    *unavailable = false;
    bool narrowed = filtered(filters);
    if (filters->history && (format != EXPORT_NDJSON || narrowed)) {
        snprintf(err, err_size,
                 "history=true exports the whole dataset or project as NDJSON: no format or claim filter");
        return NULL;
    }
    const char *const *parts = format == EXPORT_NDJSON ? NULL : copies_for(format, table, narrowed);
    if (format != EXPORT_NDJSON && !parts) {
        snprintf(err, err_size, "unknown table");
        return NULL;
    }
    char error[512];
    PGconn *conn = slow_conn(error, sizeof error);
    if (!conn) {
        snprintf(err, err_size, "%s", error);
        *unavailable = true;
        return NULL;
    }
    struct export *ex = calloc(1, sizeof *ex);
    if (!ex) {
        PQfinish(conn);
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    ex->conn = conn;
    ex->format = format;
    ex->parts = parts;
    ex->part = narrowed ? ndjson_filtered : ndjson_all;
    ex->history_next = filters->history;
    ex->first_item = true;
    /* The snapshot, with no statement timeout: an export of millions of rows
     * may rightly take minutes; a client that leaves cancels it instead. No
     * JIT: compiling these long statements costs more than it saves. The
     * cursors are read to the end, so plan them for all rows as COPY is.
     * No parallel workers: row-level security's filter (its blind-rule
     * function, costed per row though it rarely runs) made the planner
     * split the claims COPY over two workers and a Gather Merge; the rows
     * still leave through this one connection, so the workers only added
     * their start (~120 ms before the first row) and the passing of every
     * row between processes, and a slot's export took three backends
     * (measured in bench/results.md, session 7). One round trip for all. */
    if (!command(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, err_size)
        || !scope(conn, filters->request, filters->project_id, err, err_size)
        || !command(
            conn,
            "SET LOCAL statement_timeout = 0; SET LOCAL jit = off; SET LOCAL cursor_tuple_fraction = 1;"
            " SET LOCAL max_parallel_workers_per_gather = 0",
            err, err_size)
        || !set_filters(conn, filters, err, err_size)
        || (format == EXPORT_W3C && !w3c_count_items(ex, narrowed, err, err_size))
        || (format != EXPORT_NDJSON && !start_next_copy(ex, err, err_size))) {
        export_close(ex);
        return NULL;
    }
    if (format == EXPORT_W3C) {
        w3c_prologue(ex->w3c_text, sizeof ex->w3c_text, ex->w3c_collection, ex->w3c_total);
        ex->pending[2] = ex->w3c_text;
        ex->pending_len[2] = strlen(ex->w3c_text);
    }
    return ex;
}

/* ---- NDJSON: cursors */

static bool cursor_open(PGconn *conn, struct cursor *c, const char *declare, const char *fetch, char *err,
                        size_t size)
{
    PGresult *res = PQexec(conn, declare);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        set_error(err, size, "export query", conn, res);
    PQclear(res);
    *c = (struct cursor){.fetch = ok ? fetch : NULL};
    return ok;
}

/* Makes the cursor's next row current, fetching a batch when needed.
 * Returns 1 when there is a row, 0 at the end, -1 on error. */
static int cursor_next(PGconn *conn, struct cursor *c, char *err, size_t size)
{
    if (c->batch && c->row < PQntuples(c->batch))
        return 1;
    if (c->exhausted)
        return 0;
    PQclear(c->batch);
    c->batch = PQexec(conn, c->fetch);
    c->row = 0;
    if (PQresultStatus(c->batch) != PGRES_TUPLES_OK) {
        set_error(err, size, "reading the export", conn, c->batch);
        return -1;
    }
    c->exhausted = PQntuples(c->batch) == 0;
    return !c->exhausted;
}

static void cursor_free(struct cursor *c)
{
    PQclear(c->batch);
    *c = (struct cursor){0};
}

/* Closes the current part's cursors and moves to the next part. */
static bool part_finish(struct export *ex, char *err, size_t size)
{
    bool inner = ex->inner.fetch != NULL;
    cursor_free(&ex->outer);
    cursor_free(&ex->inner);
    ex->part_open = false;
    ex->part++;
    return command(ex->conn, inner ? "CLOSE export_outer; CLOSE export_inner" : "CLOSE export_outer", err,
                   size);
}

/* Writes the next line of the current part, opening it first if needed.
 * Returns 1 when a line was written, 0 when the part is over (then the next
 * one is current), -1 on error. Inner rows go right after the outer row
 * their key names: an outer row comes first when its id <= the inner key
 * (uuids in text form compare as the uuids do). */
static int ndjson_next_line(struct export *ex, char *err, size_t size)
{
    const struct ndjson_part *p = ex->part;
    if (!ex->part_open) {
        if (!cursor_open(ex->conn, &ex->outer, p->declare, p->fetch, err, size)
            || (p->inner_declare
                && !cursor_open(ex->conn, &ex->inner, p->inner_declare, FETCH_INNER, err, size)))
            return -1;
        ex->part_open = true;
    }
    int outer = cursor_next(ex->conn, &ex->outer, err, size);
    int inner = p->inner_declare ? cursor_next(ex->conn, &ex->inner, err, size) : 0;
    if (outer < 0 || inner < 0)
        return -1;
    struct cursor *c = &ex->outer;
    const struct entity *entity = p->entity;
    if (inner
        && (!outer
            || strcmp(PQgetvalue(ex->inner.batch, ex->inner.row, p->inner_key),
                      PQgetvalue(ex->outer.batch, ex->outer.row, 0))
                   < 0)) {
        c = &ex->inner;
        entity = p->inner_entity;
    } else if (!outer) {
        return part_finish(ex, err, size) ? 0 : -1;
    }
    if (!columns_match(c->batch, entity, err, size))
        return -1;
    line_write(&ex->out, c->batch, c->row++, entity);
    return 1;
}

/* Fills ex->out with at least `want` bytes of lines, or to the end. */
static int ndjson_fill(struct export *ex, size_t want, char *err, size_t size)
{
    while (ex->out.jb.len < want && ex->part->declare) {
        if (ndjson_next_line(ex, err, size) < 0)
            return -1;
        if (!ex->part->declare && ex->history_next) {
            ex->part = ndjson_history;
            ex->history_next = false;
        }
    }
    return 0;
}

static ssize_t ndjson_read(struct export *ex, char *buf, size_t max, char *err, size_t err_size)
{
    struct outbuf *o = &ex->out;
    if (o->sent == o->jb.len) {
        o->jb.len = o->sent = 0;
        if (o->jb.cap > (4u << 20)) /* after a huge document: give the memory back */
            jb_free(&o->jb);
        if (ndjson_fill(ex, 64 * 1024, err, err_size) < 0)
            return -1;
    }
    size_t n = o->jb.len - o->sent < max ? o->jb.len - o->sent : max;
    if (n == 0) {
        ex->done = true;
        return 0;
    }
    memcpy(buf, o->jb.data + o->sent, n);
    o->sent += n;
    return (ssize_t)n;
}

/* ---- CSV and W3C: COPY */

/* Copies pending segments into buf; returns the bytes written. Segment 2 is
 * written first (prologue), then 0 (separator) and 1 (row). */
static size_t drain(struct export *ex, char *buf, size_t max)
{
    static const int order[] = {2, 0, 1};
    size_t n = 0;
    for (int k = 0; k < 3 && n < max; k++) {
        int i = order[k];
        if (!ex->pending_len[i])
            continue;
        size_t take = ex->pending_len[i] < max - n ? ex->pending_len[i] : max - n;
        memcpy(buf + n, ex->pending[i], take);
        ex->pending[i] += take;
        ex->pending_len[i] -= take;
        n += take;
        if (ex->pending_len[i])
            break;
    }
    return n;
}

/* Ends the COPY whose data is exhausted: its final status must be success. */
static bool finish_copy(struct export *ex, char *err, size_t size)
{
    ex->in_copy = false;
    bool ok = true;
    PGresult *res;
    while ((res = PQgetResult(ex->conn))) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            set_error(err, size, "export query", ex->conn, res);
            ok = false;
        }
        PQclear(res);
    }
    return ok;
}

/* Fetches the next row into the pending segments. Returns 1 when a row is
 * pending, 0 at the end of the export, -1 on error. */
static int next_row(struct export *ex, char *err, size_t size)
{
    for (;;) {
        if (!ex->in_copy) {
            if (!*ex->parts)
                return 0;
            if (!start_next_copy(ex, err, size))
                return -1;
        }
        if (ex->row) {
            PQfreemem(ex->row);
            ex->row = NULL;
        }
        int len = PQgetCopyData(ex->conn, &ex->row, 0);
        if (len > 0) {
            size_t n = (size_t)len;
            if (ex->format == EXPORT_W3C) {
                /* items of one JSON array: a comma between, no trailing newline */
                n -= ex->row[n - 1] == '\n';
                if (ex->first_item) {
                    ex->pending[0] = "";
                } else if (ex->w3c_items % W3C_PAGE_SIZE == 0) { /* close the page, open the next */
                    static const char close_page[] = "\n]},\n";
                    memcpy(ex->w3c_text, close_page, sizeof close_page - 1);
                    w3c_page_header(ex->w3c_text + sizeof close_page - 1,
                                    sizeof ex->w3c_text - sizeof close_page + 1, ex->w3c_collection,
                                    ex->w3c_items / W3C_PAGE_SIZE + 1, ex->w3c_total);
                    ex->pending[0] = ex->w3c_text;
                } else {
                    ex->pending[0] = ",\n";
                }
                ex->pending_len[0] = strlen(ex->pending[0]);
                ex->first_item = false;
                ex->w3c_items++;
            }
            ex->pending[1] = ex->row;
            ex->pending_len[1] = n;
            return 1;
        }
        if (len == -1) {
            if (!finish_copy(ex, err, size))
                return -1;
            continue;
        }
        set_error(err, size, "reading the export", ex->conn, NULL);
        return -1;
    }
}

ssize_t export_read(struct export *ex, char *buf, size_t max, char *err, size_t err_size)
{
    if (ex->format == EXPORT_NDJSON)
        return ndjson_read(ex, buf, max, err, err_size);
    size_t n = 0;
    while (n < max) {
        n += drain(ex, buf + n, max - n);
        if (n == max || ex->done)
            break;
        int got = next_row(ex, err, err_size);
        if (got < 0)
            return -1;
        if (got == 0) {
            ex->done = true;
            if (ex->format == EXPORT_W3C) {
                /* the last page and the graph; with no annotation, the graph only */
                ex->pending[2] = ex->w3c_items ? "\n]}\n]}\n" : "\n]}\n";
                ex->pending_len[2] = strlen(ex->pending[2]);
                n += drain(ex, buf + n, max - n);
            }
            break;
        }
    }
    if (n == 0 && ex->done && ex->pending_len[2] == 0)
        return 0;
    return (ssize_t)n;
}

void export_close(struct export *ex)
{
    if (!ex)
        return;
    if (ex->row)
        PQfreemem(ex->row);
    if (ex->in_copy) {
        /* Tell the backend to stop now rather than when it next writes to a
         * closed socket. */
        PGcancel *cancel = PQgetCancel(ex->conn);
        if (cancel) {
            char buf[256];
            PQcancel(cancel, buf, sizeof buf);
            PQfreeCancel(cancel);
        }
    }
    cursor_free(&ex->outer);
    cursor_free(&ex->inner);
    jb_free(&ex->out.jb);
    /* Read to the end: the connection is kept for the next export or
     * network once its snapshot is let go (a new one costs a backend's
     * start, the password exchange and cold caches: tens of ms). */
    PGresult *res = ex->done && !ex->in_copy ? PQexec(ex->conn, "ROLLBACK") : NULL;
    if (PQresultStatus(res) == PGRES_COMMAND_OK)
        slow_conn_keep(ex->conn);
    else
        PQfinish(ex->conn);
    PQclear(res);
    free(ex);
}
