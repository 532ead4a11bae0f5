/* import_util: line splitting across chunk boundaries and the UUID map. */
#include "import_util.h"
#include "unit.h"

#include <stdlib.h>

struct collected {
    char text[512];
    size_t n;
};

static void collect(void *cls, const char *line, size_t len)
{
    struct collected *c = cls;
    c->n++;
    size_t used = strlen(c->text);
    if (line)
        snprintf(c->text + used, sizeof c->text - used, "[%.*s]", (int)len, line);
    else
        snprintf(c->text + used, sizeof c->text - used, "[too long:%zu]", len);
}

static void test_lines(void)
{
    /* every way of cutting the stream into chunks gives the same lines */
    const char *stream = "{\"a\":1}\n\r\n{\"b\":\"x\\ny\"}\r\nlast";
    size_t len = strlen(stream);
    for (size_t cut = 0; cut <= len; cut++) {
        struct line_splitter ls = {0};
        struct collected c = {"", 0};
        lines_feed(&ls, stream, cut, collect, &c);
        lines_feed(&ls, stream + cut, len - cut, collect, &c);
        lines_end(&ls, collect, &c);
        CHECK_STR(c.text, "[{\"a\":1}][][{\"b\":\"x\\ny\"}][last]");
        CHECK(c.n == 4);
        lines_free(&ls);
    }
    /* one byte at a time, and a stream ending with a newline has no extra line */
    struct line_splitter ls = {0};
    struct collected c = {"", 0};
    const char *s = "ab\ncd\n";
    for (size_t i = 0; s[i]; i++)
        lines_feed(&ls, s + i, 1, collect, &c);
    lines_end(&ls, collect, &c);
    CHECK_STR(c.text, "[ab][cd]");
    lines_free(&ls);
}

static void test_lines_with_a_maximum(void)
{
    /* a line over the maximum is reported once, as soon as it is seen, and
     * dropped; the lines around it come through whatever the chunking */
    const char *stream = "abcd\nabcdefghij\nxy\n0123456\nend";
    size_t len = strlen(stream);
    for (size_t cut = 0; cut <= len; cut++) {
        struct line_splitter ls = {.max = 5};
        struct collected c = {"", 0};
        lines_feed(&ls, stream, cut, collect, &c);
        lines_feed(&ls, stream + cut, len - cut, collect, &c);
        lines_end(&ls, collect, &c);
        CHECK(c.n == 5);
        CHECK(strncmp(c.text, "[abcd][too long:", 16) == 0);
        CHECK(strstr(c.text, "][xy][too long:") != NULL);
        CHECK(strstr(c.text, "][end]") != NULL);
        CHECK(ls.cap <= 8192);
        lines_free(&ls);
    }
    /* a byte at a time: never more than max + 1 bytes held */
    struct line_splitter ls = {.max = 3};
    struct collected c = {"", 0};
    const char *s = "aaaaaaaaaa\nbb";
    for (size_t i = 0; s[i]; i++) {
        lines_feed(&ls, s + i, 1, collect, &c);
        CHECK(ls.len <= 3);
    }
    lines_end(&ls, collect, &c);
    CHECK_STR(c.text, "[too long:4][bb]");
    lines_free(&ls);
}

static void test_uuid_parse(void)
{
    unsigned char b[16];
    CHECK(uuid_parse("00000000-0000-7000-8000-0000000000aF", b));
    CHECK(b[0] == 0 && b[6] == 0x70 && b[8] == 0x80 && b[15] == 0xaf);
    CHECK(!uuid_parse("00000000-0000-7000-8000-0000000000a", b));
    CHECK(!uuid_parse("00000000-0000-7000-8000-0000000000aff", b));
    CHECK(!uuid_parse("00000000x0000-7000-8000-0000000000af", b));
    CHECK(!uuid_parse("0000000g-0000-7000-8000-0000000000af", b));
    CHECK(!uuid_parse("", b));
}

static void test_uuid_map(void)
{
    struct uuid_map m = {0};
    unsigned char key[16] = {0};
    uint32_t v;
    CHECK(!uuid_map_get(&m, key, &v));
    for (uint32_t i = 0; i < 5000; i++) {
        memcpy(key, &i, sizeof i);
        key[15] = (unsigned char)i;
        CHECK(uuid_map_put(&m, key, i * 2));
    }
    CHECK(m.count == 5000);
    int wrong = 0;
    for (uint32_t i = 0; i < 5000; i++) {
        memcpy(key, &i, sizeof i);
        key[15] = (unsigned char)i;
        wrong += !uuid_map_get(&m, key, &v) || v != i * 2;
    }
    CHECK(wrong == 0);
    uint32_t seven = 7;
    memcpy(key, &seven, sizeof seven);
    key[15] = 7;
    CHECK(uuid_map_put(&m, key, 0)); /* replacing keeps the count; 0 is a value like any other */
    CHECK(m.count == 5000 && uuid_map_get(&m, key, &v) && v == 0);
    CHECK(!uuid_map_put(&m, key, UINT32_MAX));
    key[3] = 0xff;
    CHECK(!uuid_map_get(&m, key, &v));
    uuid_map_free(&m);
    CHECK(!uuid_map_get(&m, key, &v));
}

void test_import_util(void)
{
    test_lines();
    test_lines_with_a_maximum();
    test_uuid_parse();
    test_uuid_map();
}
