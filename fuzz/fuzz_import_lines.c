/* The NDJSON import's line handling: the stream split into lines by
 * import_util's splitter, fed in chunks of a size taken from the input,
 * with a maximum line length from the input; every line must equal what a
 * plain split gives (or be reported too long once), and each line then
 * goes through the import's first checks (UTF-8, JSON object). */
#include "fuzz.h"
#include "import_util.h"
#include "utf8.h"

#include <jansson.h>
#include <string.h>

struct expect {
    const char *stream;
    size_t len, pos; /* where the next expected line starts */
    size_t max;
    size_t lines;
};

/* The next line of the plain split: [start, *end) without "\r" before "\n". */
static size_t next_line(struct expect *e, size_t *start)
{
    *start = e->pos;
    const char *nl = memchr(e->stream + e->pos, '\n', e->len - e->pos);
    size_t stop = nl ? (size_t)(nl - e->stream) : e->len;
    e->pos = nl ? stop + 1 : e->len;
    return stop - *start;
}

static void take(void *cls, const char *line, size_t len)
{
    struct expect *e = cls;
    size_t start;
    size_t raw = next_line(e, &start);
    e->lines++;
    if (!line) {
        FUZZ_ASSERT(e->max && raw > e->max && len > e->max);
        return;
    }
    size_t want = raw && e->stream[start + raw - 1] == '\r' ? raw - 1 : raw;
    FUZZ_ASSERT(!e->max || raw <= e->max);
    FUZZ_ASSERT(len == want && memcmp(line, e->stream + start, len) == 0);
    size_t bad;
    if (utf8_valid(line, len, &bad)) {
        json_error_t err;
        json_t *rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
        json_decref(rec);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    struct expect e = {(const char *)data + 2, size - 2, 0, data[0] % 64, 0};
    size_t chunk = (size_t)data[1] % 17 + 1;
    struct line_splitter ls = {.max = e.max};
    for (size_t at = 0; at < e.len; at += chunk) {
        lines_feed(&ls, e.stream + at, at + chunk <= e.len ? chunk : e.len - at, take, &e);
        FUZZ_ASSERT(!e.max || ls.len <= e.max);
    }
    lines_end(&ls, take, &e);
    FUZZ_ASSERT(!ls.failed);
    FUZZ_ASSERT(e.pos == e.len); /* every line was seen */
    lines_free(&ls);
    return 0;
}
