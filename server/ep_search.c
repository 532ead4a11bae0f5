/* GET /v1/search: ranked full-text search over claims (text and quote) or
 * documents (title and text), with highlighted snippets.
 *
 * Matching (migration 0006): a row matches when its search vector, built in
 * the configuration of its document's language, matches q in
 * websearch_to_tsquery syntax ("a phrase", or, -word) parsed with every
 * configuration in use; or, for partial words and names, when q (3
 * characters or more, no websearch operators) starts a word of it, ignoring
 * case (a regular expression served by pg_trgm indexes). Hits are ordered by rank (ts_rank_cd; a substring-only
 * hit ranks by trigram similarity, scaled below full-text hits), then id.
 *
 * A document hit carries the code-point offsets of its matches: PostgreSQL
 * highlights the whole text with two control-character markers, and the
 * offsets are counted here while the markers are skipped. */
#include "db.h"
#include "page.h"
#include "registry.h"
#include "reply.h"
#include "resource.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most match offsets a document hit lists ("match_count" has them all). */
#define MAX_MATCHES 1000

/* One row: the parsed query and the word-prefix pattern (NULL when q is too
 * short for a trigram index to help or uses websearch operators). OFFSET 0
 * keeps PostgreSQL from pulling the subquery up into the join, where
 * claimdb_tsquery (not inlinable) ran once per candidate row: 4.4 s instead
 * of 1.9 s for a word in 17 000 of 100 000 claims on the busy bench machine. */
#define QUERY_ROW "(SELECT claimdb_tsquery($1::text) AS q, claimdb_prefix_regex($1::text) AS pat OFFSET 0) tq"

/* Parameters: $1 q, $2 project_id, $3 rank and $4 id of the last hit seen,
 * $5 limit. */
static const struct db_statement statements[] = {
    {"search_claims",
     "SELECT c.id, c.rev, hit.rank, c.text, c.exact, c.kind, c.document_id, d.title,"
     " ts_headline(c.search_config, c.text, tq.q,"
     "  'HighlightAll=true, StartSel=<mark>, StopSel=</mark>') AS snippet"
     " FROM " QUERY_ROW " JOIN claims c ON c.search @@ tq.q OR " CLAIM_WORDS_SQL " ~* tq.pat"
     " CROSS JOIN LATERAL (SELECT (CASE WHEN c.search @@ tq.q THEN ts_rank_cd(c.search, tq.q)"
     "  ELSE 0.01 * similarity(c.text, $1::text) END)::real AS rank) hit"
     " LEFT JOIN documents d ON d.id = c.document_id"
     " WHERE ($2::uuid IS NULL OR c.project_id = $2::uuid)"
     " AND ($3::real IS NULL OR (hit.rank, c.id) < ($3::real, $4::uuid))"
     " ORDER BY hit.rank DESC, c.id DESC LIMIT $5::int"},
    {"search_documents",
     "SELECT d.id, d.rev, hit.rank, d.title, d.language, d.published_at,"
     " ts_headline(claimdb_ts_config(d.language), d.text, tq.q,"
     "  'MaxFragments=3, MinWords=8, MaxWords=30, FragmentDelimiter=\" … \","
     "   StartSel=<mark>, StopSel=</mark>') AS snippet,"
     " CASE WHEN d.search @@ tq.q THEN ts_headline(claimdb_ts_config(d.language), d.text, tq.q,"
     "  'HighlightAll=true, StartSel=\"' || chr(2) || '\", StopSel=\"' || chr(3) || '\"') END AS marked"
     " FROM " QUERY_ROW " JOIN documents d ON d.search @@ tq.q OR d.title ~* tq.pat"
     " CROSS JOIN LATERAL (SELECT (CASE WHEN d.search @@ tq.q THEN ts_rank_cd(d.search, tq.q)"
     "  ELSE 0.01 * similarity(d.title, $1::text) END)::real AS rank) hit"
     " WHERE ($2::uuid IS NULL OR d.project_id = $2::uuid)"
     " AND ($3::real IS NULL OR (hit.rank, d.id) < ($3::real, $4::uuid))"
     " ORDER BY hit.rank DESC, d.id DESC LIMIT $5::int"},
    {NULL, NULL},
};

/* A claim hit, search_claims's columns in order ("rev" lets a hit be edited with
 * If-Match without fetching it). Both statements begin with id, rev, rank:
 * the cursor is (rank, id). */
static const struct col claim_hit_cols[] = {
    {"id", COL_STRING},    {"rev", COL_NUMBER},  {"rank", COL_NUMBER},     {"text", COL_STRING},
    {"exact", COL_STRING}, {"kind", COL_STRING}, {"document", COL_OBJECT}, {"id", COL_STRING},
    {"title", COL_STRING}, {NULL, COL_END},      {"snippet", COL_STRING},  {NULL, COL_END},
};
/* A document hit: its members, then "matches" counted in the highlighted
 * text (the last column, not shown as such). */
static const struct col document_hit_cols[] = {
    {"id", COL_STRING},      {"rev", COL_NUMBER},      {"rank", COL_NUMBER},
    {"title", COL_STRING},   {"language", COL_STRING}, {"published_at", COL_STRING},
    {"snippet", COL_STRING}, {NULL, COL_SKIP},         {NULL, COL_END},
};
enum { HIT_RANK = 2, DO_MARKED = 7 };

/* Writes "matches":[{"start","end"}…],"match_count":n from text highlighted
 * with \x02 … \x03 around each match: offsets count code points of the text
 * without the markers (UTF-8 lead bytes, i.e. bytes that are not 10xxxxxx). */
static void write_matches(struct jsonbuf *jb, const char *marked, int is_null)
{
    jb_cstr(jb, ",\"matches\":[");
    size_t count = 0, cp = 0, start = 0;
    char num[64];
    for (const unsigned char *p = (const unsigned char *)marked; !is_null && *p; p++) {
        if (*p == 2) {
            start = cp;
        } else if (*p == 3) {
            if (count < MAX_MATCHES) {
                int n =
                    snprintf(num, sizeof num, "%s{\"start\":%zu,\"end\":%zu}", count ? "," : "", start, cp);
                jb_raw(jb, num, (size_t)n);
            }
            count++;
        } else if ((*p & 0xC0) != 0x80) {
            cp++;
        }
    }
    int n = snprintf(num, sizeof num, "],\"match_count\":%zu", count);
    jb_raw(jb, num, (size_t)n);
}

static void document_hit(struct jsonbuf *jb, const PGresult *res, int row)
{
    rowjson_write_open(jb, res, row, 0, document_hit_cols, "\"type\":\"document\"");
    write_matches(jb, PQgetvalue(res, row, DO_MARKED), PQgetisnull(res, row, DO_MARKED));
    jb_cstr(jb, "}");
}

/* The cursor is (rank, id) of the last hit shown. */
static bool cursor_valid_or_reply(struct request *r, const struct page *pg)
{
    if (!pg->after[0])
        return true;
    char *end;
    strtod(pg->after[0], &end);
    if (pg->after[0][0] && !*end && uuid_valid(pg->after[1]))
        return true;
    reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_cursor", "after", "after is not a cursor of this list");
    return false;
}

static void search(struct request *r)
{
    static const char *const known[] = {"q", "type", "project_id", "limit", "after", NULL};
    static const char *const types[] = {"claim", "document", NULL};
    struct page pg;
    const char *type, *project_id, *q = request_query(r, "q");
    if (!query_known_or_reply(r, known) || !query_enum_or_reply(r, "type", types, &type)
        || !query_uuid_or_reply(r, "project_id", &project_id) || !page_or_reply(r, &pg, 2)
        || !cursor_valid_or_reply(r, &pg))
        return;
    if (!q || !q[strspn(q, " \t\r\n")]) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, q ? "invalid_value" : "missing_parameter", "q",
                    "q is the search text (websearch syntax: words, \"a phrase\", or, -word)");
        return;
    }
    bool documents = type && strcmp(type, "document") == 0;
    const char *params[] = {q, project_id, pg.after[0], pg.after[1], pg.fetch};
    PGresult *res = db_run_or_reply(r, documents ? "search_documents" : "search_claims", 5, params);
    if (!res)
        return;
    int n = PQntuples(res), shown = n > (int)pg.limit ? (int)pg.limit : n;
    struct jsonbuf jb = {0};
    page_begin(&jb);
    for (int i = 0; i < shown; i++) {
        if (i)
            jb_raw(&jb, ",", 1);
        if (documents)
            document_hit(&jb, res, i);
        else
            rowjson_write_style(&jb, res, i, claim_hit_cols, &ROW_COMPACT, "\"type\":\"claim\"");
    }
    const char *last[2] = {shown ? PQgetvalue(res, shown - 1, HIT_RANK) : "",
                           shown ? PQgetvalue(res, shown - 1, 0) : ""};
    page_end(&jb, n > shown, last, 2);
    PQclear(res);
    size_t len;
    char *text = jb_steal(&jb, &len);
    reply_json_owned(r, MHD_HTTP_OK, text, len);
}

static const struct route routes[] = {
    {.method = "GET", .pattern = "/v1/search", .handler = search, .access = ACCESS_READ},
    {.method = NULL},
};

const struct resource search_resource = {.name = "search", .routes = routes, .statements = statements};
