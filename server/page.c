#include "page.h"

#include "config.h"
#include "reply.h"

#include <stdio.h>

bool page_or_reply(struct request *r, struct page *pg, size_t parts)
{
    const char *limit = request_query(r, "limit");
    pg->limit = PAGE_DEFAULT_LIMIT;
    if (limit && (config_parse_uint(limit, PAGE_MAX_LIMIT, &pg->limit) != 0 || pg->limit == 0)) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_limit", "limit",
                    "limit must be a whole number from 1 to %d", PAGE_MAX_LIMIT);
        return false;
    }
    snprintf(pg->fetch, sizeof pg->fetch, "%u", pg->limit + 1);
    for (size_t i = 0; i < CURSOR_MAX_PARTS; i++)
        pg->after[i] = NULL;
    const char *after = request_query(r, "after");
    if (after && !cursor_decode(after, parts, pg->buf, pg->after)) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_cursor", "after",
                    "after must be a cursor returned as \"next\" by this list");
        return false;
    }
    return true;
}

void page_begin(struct jsonbuf *jb)
{
    jb_cstr(jb, "{\"items\":[");
}

void page_end(struct jsonbuf *jb, bool more, const char *const *values, size_t n)
{
    char cursor[CURSOR_MAX_LEN];
    if (more && cursor_encode(values, n, cursor)) {
        jb_cstr(jb, "],\"next\":\"");
        jb_cstr(jb, cursor);
        jb_cstr(jb, "\"}");
    } else {
        jb_cstr(jb, "],\"next\":null}");
    }
}
