#include "graph_format.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

/* A graph of two nodes and two edges as a statement returns it (part, id,
 * name, source, target), nodes first; one name is NULL. */
static PGresult *small_graph(void)
{
    static const char *const rows[][5] = {
        {"n", "a", "Alice, \"A\"", NULL, NULL},
        {"n", "b", NULL, NULL, NULL},
        {"e", "r1", NULL, "a", "b"},
        {"e", "r2", NULL, "b", "a"},
    };
    PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc attrs[5];
    static char *const names[] = {"part", "id", "name", "source", "target"};
    for (int c = 0; c < 5; c++)
        attrs[c] = (PGresAttDesc){.name = names[c], .format = 0, .typid = 25, .typlen = -1, .atttypmod = -1};
    PQsetResultAttrs(res, 5, attrs);
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 5; c++)
            PQsetvalue(res, r, c, (char *)rows[r][c], rows[r][c] ? (int)strlen(rows[r][c]) : -1);
    return res;
}

static const struct graph_col nodes[] = {
    {"id", 1, G_STRING, G_IN_ALL}, {"name", 2, G_STRING, G_IN_ALL}, {NULL, 0, G_STRING, 0}};
static const struct graph_col edges[] = {{"id", 1, G_STRING, G_IN_ALL},
                                         {"source", 3, G_STRING, G_IN_ALL},
                                         {"target", 4, G_STRING, G_IN_ALL},
                                         {NULL, 0, G_STRING, 0}};
static const struct graph_shape shape = {"g", 0, nodes, edges};

/* The writer fed one row at a time (a cursor's batches) writes exactly what
 * graph_write writes from the whole result, in every format. */
static void check_batches_match_whole(const PGresult *res, enum graph_format f, const char *expected)
{
    struct jsonbuf whole = {0}, batched = {0};
    graph_write(&whole, res, PQntuples(res), &shape, f);
    struct graph_writer w;
    graph_writer_begin(&w, &batched, &shape, f);
    for (int i = 0; i < PQntuples(res); i++)
        graph_writer_rows(&w, &batched, res, i, i + 1, 0);
    graph_writer_end(&w, &batched);
    CHECK_STR(batched.data, whole.data);
    if (expected)
        CHECK_STR(whole.data, expected);
    jb_free(&whole);
    jb_free(&batched);
}

/* Escapes s (n bytes) with fn and compares with expected. */
static void check_escape(void (*fn)(struct jsonbuf *, const char *, size_t), const char *s, size_t n,
                         const char *expected)
{
    struct jsonbuf jb = {0};
    jb_raw(&jb, "", 0);
    fn(&jb, s, n);
    CHECK_STR(jb.data, expected);
    jb_free(&jb);
}

void test_graph_format(void)
{
    static const struct {
        const char *in, *xml, *csv;
    } cases[] = {
        {"plain", "plain", "plain"},
        {"", "", ""},
        {"a & b < c > d \"q\" 'x'", "a &amp; b &lt; c &gt; d &quot;q&quot; 'x'",
         "\"a & b < c > d \"\"q\"\" 'x'\""},
        {"line\nbreak\ttab\rcr", "line\nbreak\ttab\rcr", "\"line\nbreak\ttab\rcr\""},
        {"bell\x07 esc\x1b nul-free", "bell esc nul-free", "bell\x07 esc\x1b nul-free"},
        {"comma, here", "comma, here", "\"comma, here\""},
        {"\"", "&quot;", "\"\"\"\""},
        {"é馬😀", "é馬😀", "é馬😀"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        check_escape(graph_xml_escape, cases[i].in, strlen(cases[i].in), cases[i].xml);
        check_escape(graph_csv_field, cases[i].in, strlen(cases[i].in), cases[i].csv);
    }
    CHECK_STR(graph_content_type(GRAPH_JSON), "application/json");
    CHECK(strncmp(graph_content_type(GRAPH_GRAPHML), "application/graphml+xml", 23) == 0);
    CHECK(strncmp(graph_content_type(GRAPH_CSV_EDGES), "text/csv", 8) == 0);

    PGresult *res = small_graph();
    check_batches_match_whole(
        res, GRAPH_JSON,
        "{\"nodes\":[{\"id\":\"a\",\"name\":\"Alice, \\\"A\\\"\"},{\"id\":\"b\",\"name\":null}],"
        "\"edges\":[{\"id\":\"r1\",\"source\":\"a\",\"target\":\"b\"},"
        "{\"id\":\"r2\",\"source\":\"b\",\"target\":\"a\"}]}");
    check_batches_match_whole(res, GRAPH_CSV_NODES, "id,name\na,\"Alice, \"\"A\"\"\"\nb,\n");
    check_batches_match_whole(res, GRAPH_CSV_EDGES, "id,source,target\nr1,a,b\nr2,b,a\n");
    check_batches_match_whole(res, GRAPH_GRAPHML, NULL);
    /* No edges: JSON still closes the nodes and opens (empty) edges. */
    struct jsonbuf jb = {0};
    graph_write(&jb, res, 2, &shape, GRAPH_JSON);
    CHECK(strstr(jb.data, "],\"edges\":[]}") != NULL);
    jb_free(&jb);
    PQclear(res);
}
