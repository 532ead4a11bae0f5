#include "page.h"

#include "config.h"
#include "db.h"
#include "reply.h"
#include "resource.h"
#include "validate.h"

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

const int PAGE_KEY_ID[1] = {0};

bool page_by_id_or_reply(struct request *r, struct page *pg)
{
    if (!page_or_reply(r, pg, 1))
        return false;
    if (pg->after[0] && !uuid_valid(pg->after[0])) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_cursor", "after", "after is not a cursor of this list");
        return false;
    }
    return true;
}

void reply_page(struct request *r, const PGresult *res, const struct page *pg, const struct col *cols,
                const int *key_cols, size_t nkeys)
{
    reply_page_n(r, res, PQntuples(res), pg, cols, key_cols, nkeys);
}

void reply_page_n(struct request *r, const PGresult *res, int n, const struct page *pg,
                  const struct col *cols, const int *key_cols, size_t nkeys)
{
    int shown = n > (int)pg->limit ? (int)pg->limit : n;
    struct jsonbuf jb = {0};
    page_begin(&jb);
    for (int i = 0; i < shown; i++) {
        if (i)
            jb_raw(&jb, ",", 1);
        rowjson_write(&jb, res, i, cols);
    }
    const char *last[CURSOR_MAX_PARTS] = {0};
    for (size_t k = 0; k < nkeys && k < CURSOR_MAX_PARTS; k++)
        last[k] = shown ? PQgetvalue(res, shown - 1, key_cols[k]) : "";
    page_end(&jb, n > shown, last, nkeys);
    size_t len;
    char *text = jb_steal(&jb, &len);
    reply_json_owned(r, MHD_HTTP_OK, text, len);
}

void reply_page_of(struct request *r, const char *statement, int nparams, const char *const *params,
                   const struct page *pg, const struct col *cols, const int *key_cols, size_t nkeys)
{
    PGresult *res = db_run_or_reply(r, statement, nparams, params);
    if (!res)
        return;
    reply_page(r, res, pg, cols, key_cols, nkeys);
    PQclear(res);
}

void reply_ranked_page(struct request *r, const PGresult *res, const struct page *pg, const struct col *cols)
{
    int n = PQntuples(res) < (int)pg->limit ? PQntuples(res) : (int)pg->limit;
    reply_page_n(r, res, n, pg, cols, PAGE_KEY_ID, 1);
}

void reply_child_page(struct request *r, const char *statement, const char *parent, const struct col *cols)
{
    static const char *const known[] = {"limit", "after", NULL};
    struct page pg;
    const char *id = uuid_param_or_reply(r, "id");
    if (!id || !query_known_or_reply(r, known) || !page_by_id_or_reply(r, &pg))
        return;
    const char *params[] = {id, pg.after[0], pg.fetch};
    PGresult *res = db_run_or_reply(r, statement, 3, params);
    if (!res)
        return;
    if (PQntuples(res) == 0)
        reply_not_found(r, parent, id);
    else /* the parent's row alone: no (more) children */
        reply_page_n(r, res, PQgetisnull(res, 0, 0) ? 0 : PQntuples(res), &pg, cols, PAGE_KEY_ID, 1);
    PQclear(res);
}
