#include "jsonbuf.h"
#include "unit.h"

#include <jansson.h>
#include <stdlib.h>

void test_jsonbuf(void)
{
    struct jsonbuf jb = {0};
    const char raw[] = "q\"b\\s\n\t\x01 é馬😀";
    jb_raw(&jb, "[", 1);
    jb_string(&jb, raw, sizeof raw - 1);
    jb_raw(&jb, ",", 1);
    jb_timestamp(&jb, "2026-11-24 10:00:00.5+00");
    jb_raw(&jb, ",", 1);
    jb_timestamp(&jb, "2026-11-24 10:00:00+05:30");
    jb_raw(&jb, ",", 1);
    jb_string_or_null(&jb, NULL, 1);
    jb_raw(&jb, "]", 1);
    json_error_t err;
    json_t *v = json_loads(jb.data, 0, &err);
    CHECK(v != NULL);
    if (v) {
        CHECK_STR(json_string_value(json_array_get(v, 0)), raw);
        CHECK_STR(json_string_value(json_array_get(v, 1)), "2026-11-24T10:00:00.5+00:00");
        CHECK_STR(json_string_value(json_array_get(v, 2)), "2026-11-24T10:00:00+05:30");
        CHECK(json_is_null(json_array_get(v, 3)));
        json_decref(v);
    }
    size_t len;
    char *s = jb_steal(&jb, &len);
    CHECK(s && len > 0 && jb.data == NULL);
    free(s);
    for (int i = 0; i < 10000; i++)
        jb_key(&jb, "k");
    CHECK(jb.len == 40000);
    jb_free(&jb);

    /* What the export and the lists share: timestamps as to_json writes
     * them (BC kept), arrays as array_to_json writes them. */
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"0044-03-15 12:00:00+00 BC", "\"0044-03-15T12:00:00+00:00 BC\""},
        {"2026-01-01 00:00:00-03", "\"2026-01-01T00:00:00-03:00\""},
        {"{a,\"b c\",NULL,\"x\\\"y\"}", "[\"a\",\"b c\",null,\"x\\\"y\"]"},
        {"{}", "[]"},
        {"[0:1]={p,q}", "[\"p\",\"q\"]"},
        {"{{a,b},{c,d}}", "[[\"a\",\"b\"],[\"c\",\"d\"]]"},
        {"{\"tab\there\",null}", "[\"tab\\there\",null]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (cases[i].in[0] == '{' || cases[i].in[0] == '[')
            jb_pg_array(&jb, cases[i].in, strlen(cases[i].in));
        else
            jb_timestamp_n(&jb, cases[i].in, strlen(cases[i].in));
        if (strcmp(jb.data, cases[i].out) != 0)
            fprintf(stderr, "jsonbuf case %zu: %s\n", i, jb.data);
        CHECK_STR(jb.data, cases[i].out);
        jb.len = 0;
    }
    jb_free(&jb);
}
