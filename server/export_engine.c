#include "export_engine.h"

#include "db.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const struct db_statement export_statements[] = {
    {"export_filters",
     "SELECT set_config('claimdb.export_document_id', coalesce($1, ''), true),"
     " set_config('claimdb.export_actor_id', coalesce($2, ''), true),"
     " set_config('claimdb.export_tag', coalesce($3, ''), true),"
     " set_config('claimdb.export_kind', coalesce($4, ''), true),"
     " set_config('claimdb.export_created_after', coalesce($5, ''), true),"
     " set_config('claimdb.export_created_before', coalesce($6, ''), true),"
     " set_config('claimdb.export_q', coalesce($7, ''), true)"},
    {NULL, NULL},
};

/* The claims a filtered export is about (base) and the closure that keeps
 * the file self-contained: via chains pull in the attributions they reach
 * and those attributions' claims; then what all of them reference. */
#define SELECTION                                                                                  \
    "WITH RECURSIVE base AS (SELECT c.id FROM claims c WHERE"                                      \
    " (" F_DOCUMENT " IS NULL OR c.document_id = " F_DOCUMENT ")"                                  \
    " AND (" F_ACTOR " IS NULL OR EXISTS (SELECT 1 FROM attributions fa"                           \
    "      WHERE fa.claim_id = c.id AND fa.actor_id = " F_ACTOR "))"                               \
    " AND (" F_TAG " IS NULL OR c.tags @> ARRAY[" F_TAG "])"                                       \
    " AND (" F_KIND " IS NULL OR c.kind = " F_KIND ")"                                             \
    " AND (" F_AFTER " IS NULL OR c.created_at >= " F_AFTER ")"                                    \
    " AND (" F_BEFORE " IS NULL OR c.created_at < " F_BEFORE ")"                                   \
    " AND (" F_Q " IS NULL OR strpos(lower(c.text), lower(" F_Q ")) > 0"                           \
    "      OR strpos(lower(c.exact), lower(" F_Q ")) > 0)),"                                       \
    " chain AS (SELECT a.id, a.claim_id, a.via_attribution_id FROM attributions a"                 \
    "   JOIN base b ON a.claim_id = b.id"                                                          \
    "   UNION SELECT a.id, a.claim_id, a.via_attribution_id FROM attributions a"                   \
    "   JOIN chain ch ON a.id = ch.via_attribution_id),"                                           \
    " sel_claims AS (SELECT id FROM base UNION SELECT claim_id FROM chain),"                       \
    " sel_relations AS (SELECT r.id FROM relations r"                                              \
    "   WHERE r.from_claim_id IN (SELECT id FROM sel_claims)"                                      \
    "   AND r.to_claim_id IN (SELECT id FROM sel_claims)),"                                        \
    " sel_citations AS (SELECT ci.id, ci.source_id FROM citations ci"                              \
    "   WHERE ci.claim_id IN (SELECT id FROM sel_claims)),"                                        \
    " sel_sources AS (SELECT DISTINCT source_id AS id FROM sel_citations),"                        \
    " sel_documents AS (SELECT document_id AS id FROM claims"                                      \
    "   WHERE id IN (SELECT id FROM sel_claims) AND document_id IS NOT NULL"                       \
    "   UNION SELECT document_id FROM sources"                                                     \
    "   WHERE id IN (SELECT id FROM sel_sources) AND document_id IS NOT NULL),"                    \
    " sel_actors AS (SELECT actor_id AS id FROM attributions WHERE id IN (SELECT id FROM chain)"   \
    "   UNION SELECT asserted_by_actor_id FROM relations WHERE id IN (SELECT id FROM sel_relations)" \
    "   UNION SELECT publisher_actor_id FROM sources WHERE id IN (SELECT id FROM sel_sources)),"   \
    " sel_projects AS (SELECT project_id AS id FROM claims WHERE id IN (SELECT id FROM sel_claims)" \
    "   UNION SELECT project_id FROM actors WHERE id IN (SELECT id FROM sel_actors)"               \
    "   UNION SELECT project_id FROM documents WHERE id IN (SELECT id FROM sel_documents)"         \
    "   UNION SELECT project_id FROM sources WHERE id IN (SELECT id FROM sel_sources)) "

/* An attribution's depth in its via chain: roots 0. Ordering by it puts
 * every via target before the attributions that use it; members of a via
 * cycle (possible after PATCHes) have none and come last. */
#define DEPTH_CTE                                                                                  \
    " depth(id, depth) AS (SELECT id, 0 FROM attributions WHERE via_attribution_id IS NULL"        \
    "   UNION ALL SELECT a.id, depth.depth + 1 FROM attributions a"                                \
    "   JOIN depth ON a.via_attribution_id = depth.id) "

/* -------------------------------------------------------------- NDJSON */

/* One line per row, built by PostgreSQL. Output through CSV format with a
 * delimiter and quote that JSON text never contains raw (both are control
 * characters, which json escapes), so each line comes out byte for byte:
 * COPY's text format would double every backslash. */
#define COPY_LINES(query) "COPY (" query ") TO STDOUT (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')"

#define HEADER_LINE                                                                                \
    "SELECT json_build_object('type', 'header', 'format', 'claimdb-ndjson', 'version', 1,"         \
    " 'exported_at', date_trunc('second', now()), 'generator', 'claimdb " CLAIMDB_VERSION "',"     \
    " 'filters', json_strip_nulls(json_build_object('document_id', " F_DOCUMENT ","                \
    " 'actor_id', " F_ACTOR ", 'tag', " F_TAG ", 'kind', " F_KIND ","                              \
    " 'created_after', " F_AFTER ", 'created_before', " F_BEFORE ", 'q', " F_Q ")))"

#define PROJECT_LINE                                                                               \
    "json_build_object('type', 'project', 'id', p.id, 'slug', p.slug, 'name', p.name,"             \
    " 'description', p.description, 'annotator', p.annotator, 'created_at', p.created_at,"         \
    " 'updated_at', p.updated_at)"
#define ACTOR_LINE                                                                                 \
    "json_build_object('type', 'actor', 'id', a.id, 'project_id', a.project_id, 'name', a.name,"   \
    " 'kind', a.kind, 'aliases', a.aliases, 'description', a.description,"                         \
    " 'external_ids', a.external_ids, 'annotator', a.annotator, 'created_at', a.created_at,"       \
    " 'updated_at', a.updated_at)"
#define DOCUMENT_LINE                                                                              \
    "json_build_object('type', 'document', 'id', d.id, 'project_id', d.project_id,"                \
    " 'title', d.title, 'text', d.text, 'sha256', d.sha256, 'length', d.length, 'url', d.url,"     \
    " 'publisher', d.publisher, 'author', d.author, 'published_at', d.published_at,"               \
    " 'language', d.language, 'external_id', d.external_id, 'metadata', d.metadata,"               \
    " 'annotator', d.annotator, 'created_at', d.created_at, 'updated_at', d.updated_at)"
#define CLAIM_TARGET                                                                               \
    "CASE WHEN c.start IS NULL THEN NULL ELSE json_build_object('start', c.start, 'end', c.\"end\"," \
    " 'exact', c.exact, 'prefix', c.prefix, 'suffix', c.suffix) END"
#define CLAIM_LINE                                                                                 \
    "json_build_object('type', 'claim', 'id', c.id, 'project_id', c.project_id,"                   \
    " 'document_id', c.document_id, 'target', " CLAIM_TARGET ", 'text', c.text, 'kind', c.kind,"   \
    " 'tags', c.tags, 'note', c.note, 'annotator', c.annotator, 'created_at', c.created_at,"       \
    " 'updated_at', c.updated_at)"
#define SOURCE_LINE                                                                                \
    "json_build_object('type', 'source', 'id', s.id, 'project_id', s.project_id, 'title', s.title," \
    " 'kind', s.kind, 'url', s.url, 'publisher_actor_id', s.publisher_actor_id,"                   \
    " 'published_at', s.published_at, 'document_id', s.document_id, 'annotator', s.annotator,"     \
    " 'created_at', s.created_at, 'updated_at', s.updated_at)"
#define ATTRIBUTION_LINE                                                                           \
    "json_build_object('type', 'attribution', 'id', t.id, 'project_id', t.project_id,"             \
    " 'claim_id', t.claim_id, 'actor_id', t.actor_id, 'role', t.role, 'cue', t.cue,"               \
    " 'mode', t.mode, 'source_span', t.source_span, 'cue_span', t.cue_span,"                       \
    " 'via_attribution_id', t.via_attribution_id, 'annotator', t.annotator,"                       \
    " 'created_at', t.created_at, 'updated_at', t.updated_at)"
#define RELATION_LINE                                                                              \
    "json_build_object('type', 'relation', 'id', r.id, 'project_id', r.project_id,"                \
    " 'from_claim_id', r.from_claim_id, 'to_claim_id', r.to_claim_id, 'kind', r.kind,"             \
    " 'note', r.note, 'asserted_by_actor_id', r.asserted_by_actor_id, 'annotator', r.annotator,"   \
    " 'created_at', r.created_at, 'updated_at', r.updated_at)"
#define CITATION_LINE                                                                              \
    "json_build_object('type', 'citation', 'id', ci.id, 'project_id', ci.project_id,"              \
    " 'claim_id', ci.claim_id, 'source_id', ci.source_id, 'locator', ci.locator, 'span', ci.span," \
    " 'annotator', ci.annotator, 'created_at', ci.created_at, 'updated_at', ci.updated_at)"

#define PROJECTS(where) "SELECT " PROJECT_LINE " FROM projects p " where " ORDER BY p.id"
#define ACTORS(where) "SELECT " ACTOR_LINE " FROM actors a " where " ORDER BY a.id"
/* Each document followed by its claims; the sort key is (document, 0 for
 * the document or 1 for a claim, id). */
#define DOCUMENTS_WITH_CLAIMS(dwhere, cand)                                                        \
    "SELECT line FROM (SELECT d.id AS doc, 0 AS k, d.id AS id, " DOCUMENT_LINE " AS line"          \
    " FROM documents d " dwhere " UNION ALL SELECT c.document_id, 1, c.id, " CLAIM_LINE            \
    " FROM claims c WHERE c.document_id IS NOT NULL " cand ") x ORDER BY doc, k, id"
#define LOOSE_CLAIMS(cand) "SELECT " CLAIM_LINE " FROM claims c WHERE c.document_id IS NULL " cand " ORDER BY c.id"
#define SOURCES(where) "SELECT " SOURCE_LINE " FROM sources s " where " ORDER BY s.id"
#define ATTRIBUTIONS(where)                                                                        \
    "SELECT " ATTRIBUTION_LINE " FROM attributions t LEFT JOIN depth ON depth.id = t.id " where    \
    " ORDER BY depth.depth NULLS LAST, t.id"
#define RELATIONS(where) "SELECT " RELATION_LINE " FROM relations r " where " ORDER BY r.id"
#define CITATIONS(where) "SELECT " CITATION_LINE " FROM citations ci " where " ORDER BY ci.id"

static const char *const ndjson_all[] = {
    COPY_LINES(HEADER_LINE),
    COPY_LINES(PROJECTS("")),
    COPY_LINES(ACTORS("")),
    COPY_LINES(DOCUMENTS_WITH_CLAIMS("", "")),
    COPY_LINES(LOOSE_CLAIMS("")),
    COPY_LINES(SOURCES("")),
    COPY_LINES("WITH RECURSIVE" DEPTH_CTE ATTRIBUTIONS("")),
    COPY_LINES(RELATIONS("")),
    COPY_LINES(CITATIONS("")),
    NULL,
};

static const char *const ndjson_filtered[] = {
    COPY_LINES(HEADER_LINE),
    COPY_LINES(SELECTION PROJECTS("WHERE p.id IN (SELECT id FROM sel_projects)")),
    COPY_LINES(SELECTION ACTORS("WHERE a.id IN (SELECT id FROM sel_actors)")),
    COPY_LINES(SELECTION DOCUMENTS_WITH_CLAIMS("WHERE d.id IN (SELECT id FROM sel_documents)",
                                               "AND c.id IN (SELECT id FROM sel_claims)")),
    COPY_LINES(SELECTION LOOSE_CLAIMS("AND c.id IN (SELECT id FROM sel_claims)")),
    COPY_LINES(SELECTION SOURCES("WHERE s.id IN (SELECT id FROM sel_sources)")),
    COPY_LINES(SELECTION "," DEPTH_CTE ATTRIBUTIONS("WHERE t.id IN (SELECT id FROM chain)")),
    COPY_LINES(SELECTION RELATIONS("WHERE r.id IN (SELECT id FROM sel_relations)")),
    COPY_LINES(SELECTION CITATIONS("WHERE ci.id IN (SELECT id FROM sel_citations)")),
    NULL,
};

/* -------------------------------------------------------------- CSV */

/* PostgreSQL's own RFC 4180 writer: quotes where needed, "" inside quotes,
 * NULL as an empty cell, a header row. Timestamps as ISO 8601 with a T;
 * arrays and objects as JSON text. */
#define COPY_CSV(query) "COPY (" query ") TO STDOUT (FORMAT csv, HEADER)"
#define TS(alias, col) "(to_json(" alias "." col ") #>> '{}') AS " col

#define CSV_DOCUMENTS                                                                              \
    "SELECT d.id, d.project_id, d.title, d.text, d.sha256, d.length, d.url, d.publisher, d.author," \
    " d.published_at, d.language, d.external_id, d.metadata::text AS metadata, d.annotator, "      \
    TS("d", "created_at") ", " TS("d", "updated_at") " FROM documents d"
#define CSV_ACTORS                                                                                 \
    "SELECT a.id, a.project_id, a.name, a.kind, to_json(a.aliases)::text AS aliases,"              \
    " a.description, a.external_ids::text AS external_ids, a.annotator, " TS("a", "created_at") ", "    \
    TS("a", "updated_at") " FROM actors a"
#define CSV_CLAIMS                                                                                 \
    "SELECT c.id, c.project_id, c.document_id, c.start, c.\"end\", c.exact, c.prefix, c.suffix,"   \
    " c.text, c.kind, to_json(c.tags)::text AS tags, c.note, c.annotator, " TS("c", "created_at") ", "  \
    TS("c", "updated_at") " FROM claims c"
#define CSV_ATTRIBUTIONS                                                                           \
    "SELECT t.id, t.project_id, t.claim_id, t.actor_id, t.role, t.cue, t.mode,"                    \
    " t.source_span::text AS source_span, t.cue_span::text AS cue_span, t.via_attribution_id,"     \
    " t.annotator, " TS("t", "created_at") ", " TS("t", "updated_at") " FROM attributions t"
#define CSV_RELATIONS                                                                              \
    "SELECT r.id, r.project_id, r.from_claim_id, r.to_claim_id, r.kind, r.note,"                   \
    " r.asserted_by_actor_id, r.annotator, " TS("r", "created_at") ", " TS("r", "updated_at")                \
    " FROM relations r"
#define CSV_SOURCES                                                                                \
    "SELECT s.id, s.project_id, s.title, s.kind, s.url, s.publisher_actor_id, s.published_at,"     \
    " s.document_id, s.annotator, " TS("s", "created_at") ", " TS("s", "updated_at") " FROM sources s"
#define CSV_CITATIONS                                                                              \
    "SELECT ci.id, ci.project_id, ci.claim_id, ci.source_id, ci.locator, ci.span::text AS span,"   \
    " ci.annotator, " TS("ci", "created_at") ", " TS("ci", "updated_at") " FROM citations ci"
/* One row per claim for quick analysis: its document's title, the quote,
 * who asserts it (actor names, JSON array) and how many relations touch it. */
#define CSV_CLAIMS_FLAT                                                                            \
    "SELECT c.id, c.document_id, d.title AS document_title, c.start, c.\"end\", c.exact, c.text,"  \
    " c.kind, to_json(c.tags)::text AS tags,"                                                      \
    " (SELECT coalesce(json_agg(DISTINCT a.name), '[]')::text FROM attributions t"                 \
    "   JOIN actors a ON a.id = t.actor_id WHERE t.claim_id = c.id) AS speakers,"                  \
    " (SELECT count(*) FROM relations r WHERE r.from_claim_id = c.id) AS relations_out,"           \
    " (SELECT count(*) FROM relations r WHERE r.to_claim_id = c.id) AS relations_in,"              \
    " (SELECT count(*) FROM relations r WHERE (r.from_claim_id = c.id OR r.to_claim_id = c.id)"    \
    "   AND r.kind IN ('refutes', 'disputes')) AS counterclaims,"                                  \
    " c.note, c.annotator, " TS("c", "created_at") ", " TS("c", "updated_at")                                \
    " FROM claims c LEFT JOIN documents d ON d.id = c.document_id"

const char *const EXPORT_CSV_TABLES[] = {"documents", "actors", "claims", "attributions", "relations",
                                         "sources", "citations", "claims_flat", NULL};

/* Indexed like EXPORT_CSV_TABLES: [0] unfiltered, [1] filtered; each a
 * one-statement list. */
static const char *const csv_copies[][2][2] = {
    {{COPY_CSV(CSV_DOCUMENTS " ORDER BY d.id"), NULL},
     {COPY_CSV(SELECTION CSV_DOCUMENTS " WHERE d.id IN (SELECT id FROM sel_documents) ORDER BY d.id"), NULL}},
    {{COPY_CSV(CSV_ACTORS " ORDER BY a.id"), NULL},
     {COPY_CSV(SELECTION CSV_ACTORS " WHERE a.id IN (SELECT id FROM sel_actors) ORDER BY a.id"), NULL}},
    {{COPY_CSV(CSV_CLAIMS " ORDER BY c.id"), NULL},
     {COPY_CSV(SELECTION CSV_CLAIMS " WHERE c.id IN (SELECT id FROM base) ORDER BY c.id"), NULL}},
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

/* Each claim an Annotation: its text and tags as bodies, the document span
 * as target with both selectors; everything else under claimdb:. A claim
 * with no document targets its own proposition (an embedded TextualBody). */
#define W3C_CLAIM                                                                                  \
    "json_build_object('id', 'urn:uuid:' || c.id, 'type', 'Annotation', 'motivation', 'describing'," \
    " 'created', c.created_at, 'modified', c.updated_at, 'creator', c.annotator,"                  \
    " 'body', (SELECT json_agg(b.v ORDER BY b.o) FROM (SELECT 0::bigint AS o,"                     \
    "   json_build_object('type', 'TextualBody', 'purpose', 'describing', 'format', 'text/plain',"  \
    "   'value', c.text) AS v UNION ALL SELECT g.o, json_build_object('type', 'TextualBody',"      \
    "   'purpose', 'tagging', 'value', g.tag) FROM unnest(c.tags) WITH ORDINALITY AS g(tag, o)) b)," \
    " 'target', CASE WHEN c.start IS NOT NULL THEN json_build_object("                             \
    "   'source', 'urn:uuid:' || c.document_id, 'selector', json_build_array("                     \
    "   json_build_object('type', 'TextQuoteSelector', 'exact', c.exact, 'prefix', c.prefix,"      \
    "   'suffix', c.suffix),"                                                                      \
    "   json_build_object('type', 'TextPositionSelector', 'start', c.start, 'end', c.\"end\")))"   \
    "   WHEN c.document_id IS NOT NULL THEN to_json('urn:uuid:' || c.document_id)"                 \
    "   ELSE json_build_object('type', 'TextualBody', 'value', c.text) END,"                       \
    " 'claimdb:id', c.id, 'claimdb:project_id', c.project_id, 'claimdb:document_id', c.document_id," \
    " 'claimdb:document_title', (SELECT d.title FROM documents d WHERE d.id = c.document_id),"     \
    " 'claimdb:kind', c.kind, 'claimdb:tags', c.tags, 'claimdb:note', c.note,"                     \
    " 'claimdb:attributions', (SELECT coalesce(json_agg(json_build_object('id', t.id,"             \
    "   'actor_id', t.actor_id, 'actor_name', a.name, 'actor_kind', a.kind, 'role', t.role,"       \
    "   'cue', t.cue, 'mode', t.mode, 'source_span', t.source_span, 'cue_span', t.cue_span,"       \
    "   'via_attribution_id', t.via_attribution_id, 'annotator', t.annotator,"                     \
    "   'created_at', t.created_at, 'updated_at', t.updated_at) ORDER BY t.id), '[]')"             \
    "   FROM attributions t JOIN actors a ON a.id = t.actor_id WHERE t.claim_id = c.id),"          \
    " 'claimdb:citations', (SELECT coalesce(json_agg(json_build_object('id', ci.id,"               \
    "   'source_id', ci.source_id, 'source_title', s.title, 'source_url', s.url,"                  \
    "   'locator', ci.locator, 'span', ci.span, 'annotator', ci.annotator,"                        \
    "   'created_at', ci.created_at, 'updated_at', ci.updated_at) ORDER BY ci.id), '[]')"          \
    "   FROM citations ci JOIN sources s ON s.id = ci.source_id WHERE ci.claim_id = c.id))"
/* A relation is a `linking` Annotation from the `from` claim (target) to the
 * `to` claim (body), both named by their annotations' ids. */
#define W3C_RELATION                                                                               \
    "json_build_object('id', 'urn:uuid:' || r.id, 'type', 'Annotation', 'motivation', 'linking',"  \
    " 'created', r.created_at, 'modified', r.updated_at, 'creator', r.annotator,"                  \
    " 'body', 'urn:uuid:' || r.to_claim_id, 'target', 'urn:uuid:' || r.from_claim_id,"             \
    " 'claimdb:id', r.id, 'claimdb:project_id', r.project_id, 'claimdb:relation', r.kind,"         \
    " 'claimdb:note', r.note, 'claimdb:asserted_by_actor_id', r.asserted_by_actor_id)"

static const char *const w3c_all[] = {
    COPY_LINES("SELECT " W3C_CLAIM " FROM claims c ORDER BY c.id"),
    COPY_LINES("SELECT " W3C_RELATION " FROM relations r ORDER BY r.id"),
    NULL,
};

static const char *const w3c_filtered[] = {
    COPY_LINES(SELECTION "SELECT " W3C_CLAIM " FROM claims c WHERE c.id IN (SELECT id FROM base) ORDER BY c.id"),
    COPY_LINES(SELECTION "SELECT " W3C_RELATION " FROM relations r WHERE r.id IN (SELECT id FROM sel_relations)"
                         " ORDER BY r.id"),
    NULL,
};

static const char W3C_PROLOGUE[] =
    "{\"@context\":[\"http://www.w3.org/ns/anno.jsonld\",{\"claimdb\":\"https://claimdb.org/ns#\"}],"
    "\"type\":\"AnnotationCollection\",\"label\":\"claimdb export\",\"generator\":\"claimdb " CLAIMDB_VERSION "\","
    "\"first\":{\"type\":\"AnnotationPage\",\"items\":[\n";
static const char W3C_EPILOGUE[] = "\n]}}\n";

/* -------------------------------------------------------------- engine */

struct export {
    PGconn *conn;
    enum export_format format;
    const char *const *parts;  /* the COPY statements still to run, NULL-terminated */
    bool in_copy;
    bool done;
    bool first_item;           /* W3C: no separator before the first annotation */
    /* Bytes waiting to be written: up to three segments (W3C separator, a
     * line, the prologue or epilogue); row points at PQgetCopyData memory. */
    const char *pending[3];
    size_t pending_len[3];
    char *row;
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

static bool set_filters(PGconn *conn, const struct export_filters *f, char *err, size_t size)
{
    const struct db_statement *st = &export_statements[0];
    const char *params[] = {f->document_id, f->actor_id, f->tag, f->kind, f->created_after, f->created_before,
                            f->q};
    PGresult *res = PQprepare(conn, st->name, st->sql, 0, NULL);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        set_error(err, size, "preparing the export", conn, NULL);
        return false;
    }
    res = PQexecPrepared(conn, st->name, 7, params, NULL, NULL, 0);
    ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        set_error(err, size, "export filters", conn, res);
    PQclear(res);
    return ok;
}

static bool filtered(const struct export_filters *f)
{
    return f->document_id || f->actor_id || f->tag || f->kind || f->created_after || f->created_before || f->q;
}

static const char *const *parts_for(enum export_format format, const char *table, bool narrowed)
{
    switch (format) {
    case EXPORT_NDJSON: return narrowed ? ndjson_filtered : ndjson_all;
    case EXPORT_W3C: return narrowed ? w3c_filtered : w3c_all;
    case EXPORT_CSV: break;
    }
    for (size_t i = 0; EXPORT_CSV_TABLES[i]; i++)
        if (table && strcmp(EXPORT_CSV_TABLES[i], table) == 0)
            return csv_copies[i][narrowed ? 1 : 0];
    return NULL;
}

struct export *export_open(enum export_format format, const char *table,
                           const struct export_filters *filters, char *err, size_t err_size,
                           bool *unavailable)
{
    *unavailable = false;
    bool narrowed = filtered(filters);
    const char *const *parts = parts_for(format, table, narrowed);
    if (!parts) {
        snprintf(err, err_size, "unknown table");
        return NULL;
    }
    const char *error = NULL;
    PGconn *conn = db_connect(false, &error);
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
    ex->first_item = true;
    /* The snapshot, with no statement timeout: an export of millions of rows
     * may rightly take minutes; a client that leaves cancels it instead. No
     * JIT: compiling these long statements costs more than it saves. */
    if (!command(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, err_size)
        || !command(conn, "SET LOCAL statement_timeout = 0", err, err_size)
        || !command(conn, "SET LOCAL jit = off", err, err_size)
        || !set_filters(conn, filters, err, err_size) || !start_next_copy(ex, err, err_size)) {
        export_close(ex);
        return NULL;
    }
    if (format == EXPORT_W3C) {
        ex->pending[2] = W3C_PROLOGUE;
        ex->pending_len[2] = sizeof W3C_PROLOGUE - 1;
    }
    return ex;
}

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
                ex->pending[0] = ex->first_item ? "" : ",\n";
                ex->pending_len[0] = ex->first_item ? 0 : 2;
                ex->first_item = false;
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
                ex->pending[2] = W3C_EPILOGUE;
                ex->pending_len[2] = sizeof W3C_EPILOGUE - 1;
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
    PQfinish(ex->conn);
    free(ex);
}
