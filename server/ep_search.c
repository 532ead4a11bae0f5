/* GET /v1/search: ranked full-text search over claims (text and quote) or
 * documents (title and text), with highlighted snippets.
 *
 * Matching (migration 0006): a row matches when its search vector, built in
 * the configuration of its document's language, matches q in
 * websearch_to_tsquery syntax ("a phrase", or, -word) parsed with every
 * configuration in use; or, for partial words and names, when q (3
 * characters or more, no websearch operators) starts a word of it, ignoring
 * case (a regular expression served by pg_trgm indexes). The newest
 * SEARCH_CANDIDATES matches are ranked (below), and hits are ordered by rank
 * (ts_rank_cd; a substring-only hit ranks by trigram similarity, scaled below
 * full-text hits), then id.
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

/* The bound on a search's work (issue 13: a request must cost about the same
 * at 100 000 and at 1 000 000 claims). Ranking every match of a common word
 * reads every matching row (17 % of the claims for "detention": 5 s at
 * 1 000 000), and neither GIN nor the RUM extension returns the best-ranked
 * rows of a word without visiting all its postings (RUM's ORDER BY search <=> q
 * ranks from the index, but all of them: 36x the time from 100 000 to 1 000 000
 * rows; bench/results.md, session 6). So a search ranks its candidates: the SEARCH_CANDIDATES newest
 * matches (by id, i.e. creation time), found in one of two ways:
 *   - walking the SEARCH_WALK newest rows (in the project, as the row policies
 *     let the caller see them) and keeping the full-text matches, newest
 *     first: bounded work, enough when at least one row in ten of the recent
 *     ones matches;
 *   - otherwise (a rarer word, a phrase) all matches from the indexes, sorted by
 *     id: work in proportion to the matches, which are then few. OFFSET 0 keeps
 *     the planner from walking the primary key for this branch as well: its
 *     estimate of a phrase is the two words' (~3 % of rows), and at 1 000 000
 *     claims it read 920 000 of them to find 1 000 (6.5 s) instead of 1 085
 *     matches from the index.
 * The walk is of the whole table for a server admin or a project_id, else of
 * each project the caller reads, when they are few (PROJECTS_WALK_WHEN).
 * Either way the candidates are the same rows (the newest matches); the
 * indexes' branch runs only when the walk did not find them (WALKED: fewer
 * than SEARCH_CANDIDATES, or a project's window too short; an initplan's
 * one-time filter). What users see: a query with more matches than that gets
 * the best-ranked of its newest SEARCH_CANDIDATES, and its pages end there. */
#define SEARCH_WALK "10000"
#define SEARCH_CANDIDATES "1000"

/* The parsed query and the word-prefix pattern (NULL when q is too short for a
 * trigram index to help or uses websearch operators), computed once
 * (MATERIALIZED: claimdb_tsquery is not inlinable) and read by the branches
 * as initplans, which index scans take as values. set_config (a setting no one
 * reads, transaction-local) is PARALLEL UNSAFE, which keeps the whole
 * statement in one process: the planner gave the walk two parallel workers,
 * whose start took ~100 ms of a busy core for ~20 ms of scanning (at 100 000
 * claims: 190 ms for a common word and 245 ms for a phrase, 38 and 63 ms
 * serial). */
#define QUERY_CTE                                                                                     \
    "WITH tq AS MATERIALIZED (SELECT q, claimdb_tsquery_pairs(q) AS pairs,"                           \
    " claimdb_prefix_regex($1::text) AS pat, set_config('claimdb.search_serial', '', true) AS serial" \
    " FROM claimdb_tsquery($1::text) q)"
#define TQ_Q "(SELECT q FROM tq)"
#define TQ_PAIRS "(SELECT pairs FROM tq)"
#define TQ_PAT "(SELECT pat FROM tq)"

/* When the walk is bounded: its LIMIT counts the rows the caller may see, so a
 * caller who sees little of a large table (a member of one small project, no
 * project_id) would walk all of it (6 s at 1 000 000 claims). It runs for a
 * server admin (sees every row) and for a project_id the caller reads. */
#define WALK_WHEN "(claimdb_is_admin() OR $2::uuid = ANY (claimdb_projects('read')))"

/* Any other caller without project_id sees only the rows of the projects it
 * reads (the row policies), so when those are few each is walked on its own
 * instead: the SEARCH_WALK newest rows of each project (claims by their index
 * on (project_id, id); documents, which have none, by (id, project_id)
 * backwards, the project tested in the index), keeping the matches and each full window's oldest
 * row. The newest SEARCH_CANDIDATES matches of their union are the newest
 * matches overall unless a project's window stopped above them (that
 * project's older rows, not walked, could hold newer matches than the
 * oldest kept): WALKED below checks that, and otherwise the indexes' branch
 * runs. Beyond SEARCH_WALK_PROJECTS projects, the indexes' branch, as before
 * (issue 13: an ordinary member's search grew 35x from 100 000 to 1 000 000
 * claims on it); and for a phrase with pairs (TQ_PAIRS), whose index lookup
 * reads about its own matches, rarely 1 000: walking first cost the bench's
 * phrase row 2.8x at 100 000 claims (98.9 to 34.9 req/s). */
#define SEARCH_WALK_PROJECTS "8"
#define PROJECTS_WALK_WHEN                                                                            \
    "(NOT claimdb_is_admin() AND $2::uuid IS NULL"                                                    \
    " AND cardinality(claimdb_projects('read')) BETWEEN 1 AND " SEARCH_WALK_PROJECTS " AND " TQ_PAIRS \
    " IS NULL)"

/* Whether the walk's candidates are the newest matches: it found
 * SEARCH_CANDIDATES, and no project's full window (n = SEARCH_WALK: its
 * oldest row) ends above the oldest of them. */
#define WALKED                                                                                      \
    "((SELECT count(*) FROM recent) >= " SEARCH_CANDIDATES " AND NOT EXISTS (SELECT FROM windows w" \
    " WHERE w.n = " SEARCH_WALK " AND w.id > (SELECT id FROM recent ORDER BY id LIMIT 1)))"

/* The candidates (cand: ids) of `table` aliased `a` in the project $2 (a
 * table's own project_id): the walks keep full-text matches (`a`.search), the
 * indexes give every match (`match`, word prefixes too; `more`, a second
 * index branch or nothing, is added to it). Word-prefix-only hits rank below
 * full-text hits, so when the walk finds SEARCH_CANDIDATES full-text matches
 * none of them would be among the shown hits anyway; not testing the prefix
 * on every walked row halves the walk's time. `windows` holds the
 * per-project walk's matches and full windows' oldest rows (hit false unless
 * it matches too); `recent` one walk's newest matches (at most one of the two
 * runs). */
/* clang-format off */
#define CANDIDATES(table, a, match, more)                                                                    \
    " windows AS MATERIALIZED (SELECT w.id, w.hit, w.n FROM unnest(claimdb_projects('read')) p(id)"          \
    "  CROSS JOIN LATERAL (SELECT " a ".id, " a ".search @@ " TQ_Q " AS hit,"                                \
    "   row_number() OVER (ORDER BY " a ".id DESC) AS n FROM (SELECT " a ".id, " a ".search FROM " table " " a \
    "    WHERE " a ".project_id = p.id ORDER BY " a ".id DESC LIMIT " SEARCH_WALK ") " a ") w"                \
    "  WHERE " PROJECTS_WALK_WHEN " AND (w.hit OR w.n = " SEARCH_WALK ")),"                                   \
    " recent AS MATERIALIZED ((SELECT " a ".id FROM (SELECT " a ".id, " a ".search FROM " table " " a        \
    "   WHERE " IN_PROJECT(a) " AND " WALK_WHEN " ORDER BY " a ".id DESC LIMIT " SEARCH_WALK ") " a          \
    "  WHERE " a ".search @@ " TQ_Q " ORDER BY " a ".id DESC LIMIT " SEARCH_CANDIDATES ")"                    \
    "  UNION ALL (SELECT id FROM windows WHERE hit ORDER BY id DESC LIMIT " SEARCH_CANDIDATES ")),"            \
    " cand AS MATERIALIZED (SELECT id FROM recent WHERE " WALKED                                               \
    "  UNION ALL (SELECT m.id FROM (SELECT " a ".id FROM " table " " a " WHERE (" match ")"                  \
    "   AND " IN_PROJECT(a) more " OFFSET 0) m"                                                              \
    "   WHERE NOT " WALKED                                                                                   \
    " ORDER BY m.id DESC LIMIT " SEARCH_CANDIDATES ")),"
/* clang-format on */
#define IN_PROJECT(a) "($2::uuid IS NULL OR " a ".project_id = $2::uuid)"

/* A claim's search vector also holds the pairs of adjacent words (migration
 * 0017), and a phrase the pairs it needs (claimdb_tsquery_pairs, NULL when
 * none, e.g. a single word): with them, the index gives the claims holding
 * the phrase's pairs (1 820 at 1 000 000 claims for "human rights") instead
 * of every claim holding its words (35 098), each read from the heap to check
 * the words' positions. The two index branches are chosen by one-time filters
 * on the pairs, as the walk and the indexes are: `search @@ NULL` would match
 * nothing. The matches are the same either way (the pairs come from the
 * vector the phrase is checked against). The phrase itself is checked on the
 * rows the pairs give (ts_match_vq, the function behind @@, which no index
 * takes as a condition), not in the index: as an index condition GIN read
 * the postings of each of its words, in proportion to the data (at 1 000 000
 * claims it took the bench's phrase from 20.9 to 15.7 ms a statement, and
 * 3.5 to 3.1 ms at 100 000; bench/results.md, session 9). */
#define CLAIM_MATCH "(c.search @@ " TQ_Q " OR " CLAIM_WORDS_SQL " ~* " TQ_PAT ") AND " TQ_PAIRS " IS NULL"
#define CLAIM_PAIRS_MATCH                                                                                   \
    " UNION ALL SELECT c.id FROM claims c WHERE ((c.search @@ " TQ_PAIRS " AND ts_match_vq(c.search, " TQ_Q \
    ")) OR " CLAIM_WORDS_SQL " ~* " TQ_PAT ") AND " IN_PROJECT("c") " AND " TQ_PAIRS " IS NOT NULL"
#define DOCUMENT_MATCH "(d.search @@ " TQ_Q " OR d.title ~* " TQ_PAT ")"

/* Whether the candidates filled the window (the last column of every hit
 * row): the query has at least SEARCH_CANDIDATES matches, and older ones, if
 * any, were not ranked. The reply says so ("capped"). */
#define CAPPED "(SELECT count(*) FROM cand) >= " SEARCH_CANDIDATES " AS capped"

/* Parameters: $1 q, $2 project_id, $3 rank and $4 id of the last hit seen,
 * $5 limit. The page (top) is chosen from the candidates' ids and ranks; its
 * rows, documents and snippets are read after, for those rows only. */
/* clang-format off */
static const struct db_statement statements[] = {
    {"search_claims",
     QUERY_CTE ","
     CANDIDATES("claims", "c", CLAIM_MATCH, CLAIM_PAIRS_MATCH)
     " top AS (SELECT c.id, hit.rank FROM cand JOIN claims c ON c.id = cand.id"
     "  CROSS JOIN LATERAL (SELECT (CASE WHEN c.search @@ " TQ_Q " THEN ts_rank_cd(c.search, " TQ_Q ")"
     "   ELSE 0.01 * similarity(c.text, $1::text) END)::real AS rank) hit"
     "  WHERE $3::real IS NULL OR (hit.rank, c.id) < ($3::real, $4::uuid)"
     "  ORDER BY hit.rank DESC, c.id DESC LIMIT $5::int)"
     " SELECT c.id, c.rev, top.rank, c.text, c.exact, c.kind, c.document_id, d.title,"
     " ts_headline(c.search_config, c.text, " TQ_Q ","
     "  'HighlightAll=true, StartSel=<mark>, StopSel=</mark>') AS snippet, " CAPPED
     " FROM top JOIN claims c ON c.id = top.id LEFT JOIN documents d ON d.id = c.document_id"
     " ORDER BY top.rank DESC, top.id DESC"},
    {"search_documents",
     QUERY_CTE ","
     CANDIDATES("documents", "d", DOCUMENT_MATCH, "")
     " top AS (SELECT d.id, hit.rank FROM cand JOIN documents d ON d.id = cand.id"
     "  CROSS JOIN LATERAL (SELECT (CASE WHEN d.search @@ " TQ_Q " THEN ts_rank_cd(d.search, " TQ_Q ")"
     "   ELSE 0.01 * similarity(d.title, $1::text) END)::real AS rank) hit"
     "  WHERE $3::real IS NULL OR (hit.rank, d.id) < ($3::real, $4::uuid)"
     "  ORDER BY hit.rank DESC, d.id DESC LIMIT $5::int)"
     " SELECT d.id, d.rev, top.rank, d.title, d.language, d.published_at,"
     " ts_headline(claimdb_ts_config(d.language), d.text, " TQ_Q ","
     "  'MaxFragments=3, MinWords=8, MaxWords=30, FragmentDelimiter=\" … \","
     "   StartSel=<mark>, StopSel=</mark>') AS snippet,"
     " CASE WHEN d.search @@ " TQ_Q " THEN ts_headline(claimdb_ts_config(d.language), d.text, " TQ_Q ","
     "  'HighlightAll=true, StartSel=\"' || chr(2) || '\", StopSel=\"' || chr(3) || '\"') END AS marked, " CAPPED
     " FROM top JOIN documents d ON d.id = top.id"
     " ORDER BY top.rank DESC, top.id DESC"},
    {NULL, NULL},
};
/* clang-format on */

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
    PGconn *conn = db_conn_or_reply(r);
    if (!conn)
        return;
    /* Planned for its values: with project_id, the walk of the newest rows then
     * reads that project's (its index on (project_id, id)), where a generic plan
     * filters the whole table's newest rows by project. */
    PGresult *res = db_exec_replanned_or_reply(r, conn, &statements[documents ? 1 : 0], 5, params);
    if (!res)
        return;
    int n = PQntuples(res), shown = n > (int)pg.limit ? (int)pg.limit : n;
    /* "capped" before the page's own members: a page with hits knows it from
     * its rows; one past the last hit has none and says false. */
    bool capped = n > 0 && strcmp(PQgetvalue(res, 0, PQnfields(res) - 1), "t") == 0;
    struct jsonbuf jb = {0};
    jb_cstr(&jb, capped ? "{\"capped\":true,\"candidates\":" SEARCH_CANDIDATES "," : "{\"capped\":false,");
    jb_cstr(&jb, "\"items\":[");
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

/* clang-format off */
static const struct route routes[] = {
    {.method = "GET", .pattern = "/v1/search", .handler = search, .access = ACCESS_READ},
    {.method = NULL},
};
/* clang-format on */

const struct resource search_resource = {.name = "search", .routes = routes, .statements = statements};
