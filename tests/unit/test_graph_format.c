#include "graph_format.h"
#include "unit.h"

#include <stdlib.h>

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
        {"a & b < c > d \"q\" 'x'", "a &amp; b &lt; c &gt; d &quot;q&quot; 'x'", "\"a & b < c > d \"\"q\"\" 'x'\""},
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
}
