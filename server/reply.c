#include "reply.h"

#include "errors.h"
#include "etag.h"
#include "utf8.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void reply_response(struct request *r, unsigned status, struct MHD_Response *response)
{
    if (r->response) {
        /* A handler replied over a reply already made (usually the error
         * that should have stopped it): a bug. The first reply stands; debug
         * builds (the tests) stop here so that it is found. */
        fprintf(stderr, "{\"level\":\"error\",\"event\":\"double_reply\",\"kept\":%u,\"dropped\":%u}\n",
                r->status, status);
        assert(!"a handler replied twice");
        MHD_destroy_response(response);
        return;
    }
    r->response = response;
    r->status = status;
}

void reply_drop(struct request *r)
{
    if (r->response)
        MHD_destroy_response(r->response);
    r->response = NULL;
    r->status = 0;
    r->bytes_out = 0;
}

void reply_header(struct request *r, const char *name, const char *value)
{
    if (r->response)
        MHD_add_response_header(r->response, name, value);
}

static void reply_buffer(struct request *r, unsigned status, char *body, size_t len,
                         enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
    if (!resp) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free(body);
        fputs("claimdb: cannot create a response\n", stderr);
        abort();
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    reply_response(r, status, resp);
    if (r->response == resp)
        r->bytes_out = len;
}

void reply_json_owned(struct request *r, unsigned status, char *body, size_t len)
{
    reply_buffer(r, status, body, len, MHD_RESPMEM_MUST_FREE);
}

void reply_json_copy(struct request *r, unsigned status, const char *body, size_t len)
{
    reply_buffer(r, status, (char *)body, len, MHD_RESPMEM_MUST_COPY);
}

static void clear_result(void *res)
{
    PQclear(res);
}

void reply_json_result(struct request *r, unsigned status, PGresult *res, int row, int col)
{
    size_t len = (size_t)PQgetlength(res, row, col);
#if MHD_VERSION >= 0x00097302
    /* The body stays in the PGresult: a single object's reply is most of
     * what a GET by id does in C, and copying it was a malloc and a memcpy. */
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(
        len, PQgetvalue(res, row, col), clear_result, res);
    if (!resp) {
        PQclear(res);
        fputs("claimdb: cannot create a response\n", stderr);
        abort();
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    reply_response(r, status, resp);
    r->bytes_out = len;
#else
    reply_json_copy(r, status, PQgetvalue(res, row, col), len);
    clear_result(res);
#endif
}

void reply_etag(struct request *r, const char *body, size_t len)
{
    long long rev = etag_rev_of_json(body, len);
    if (rev < 0)
        return;
    char tag[ETAG_MAX];
    etag_make(rev, body, len, tag);
    reply_header(r, MHD_HTTP_HEADER_ETAG, tag);
}

void reply_object(struct request *r, unsigned status, PGresult *res, int row, int col)
{
    const char *body = PQgetvalue(res, row, col);
    size_t len = (size_t)PQgetlength(res, row, col);
    long long rev = etag_rev_of_json(body, len);
    char tag[ETAG_MAX];
    if (rev >= 0)
        etag_make(rev, body, len, tag);
    const char *none_match =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (rev >= 0 && status == MHD_HTTP_OK && none_match && strcmp(r->method, "GET") == 0
        && etag_none_match(none_match, tag)) {
        PQclear(res);
        struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        reply_response(r, MHD_HTTP_NOT_MODIFIED, resp);
        r->bytes_out = 0;
        reply_header(r, MHD_HTTP_HEADER_ETAG, tag);
        return;
    }
    reply_json_result(r, status, res, row, col);
    if (rev >= 0)
        reply_header(r, MHD_HTTP_HEADER_ETAG, tag);
}

void reply_json(struct request *r, unsigned status, json_t *value)
{
    /* 15 significant digits: a score of 0.9 from PostgreSQL reads 0.9, not
     * the 0.90000000000000002 of jansson's default 17. */
    char *text = json_dumps(value, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(value);
    if (!text) {
        fputs("claimdb: cannot serialize a reply\n", stderr);
        abort();
    }
    reply_json_owned(r, status, text, strlen(text));
}

void reply_created(struct request *r, const char *location, const char *body, size_t len)
{
    reply_json_copy(r, MHD_HTTP_CREATED, body, len);
    reply_header(r, MHD_HTTP_HEADER_LOCATION, location);
    reply_etag(r, body, len);
}

void reply_no_content(struct request *r)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    reply_response(r, MHD_HTTP_NO_CONTENT, resp);
    r->bytes_out = 0;
}

/* Messages and field names quote what the client sent (a path, a query
 * parameter's name), which may be any bytes, and truncation may cut a
 * character in two; JSON strings must be UTF-8, so each byte that breaks it
 * becomes '?'. */
static void utf8_scrub(char *s)
{
    size_t bad;
    while (!utf8_valid(s, strlen(s), &bad))
        s[bad] = '?';
}

static void error_v(struct request *r, unsigned status, const char *code, const char *field, json_t *extra,
                    const char *fmt, va_list ap)
{
    char message[1024], field_text[256];
    vsnprintf(message, sizeof message, fmt, ap);
    utf8_scrub(message);
    if (field) {
        snprintf(field_text, sizeof field_text, "%s", field);
        utf8_scrub(field_text);
    }
    json_t *body = error_body(status, code, field ? field_text : NULL, message, extra);
    if (r->collecting && status < 500) {
        json_t *one = json_array();
        json_array_append(one, json_object_get(body, "error"));
        json_decref(body);
        reply_errors(r, one);
        return;
    }
    if (r->collecting && r->response) { /* a server error was replied already */
        json_decref(body);
        return;
    }
    reply_json(r, status, body);
}

void reply_errors(struct request *r, json_t *errors)
{
    if (r->collecting) {
        if (!r->collected)
            r->collected = json_array();
        json_array_extend(r->collected, errors);
        json_decref(errors);
        return;
    }
    json_t *first = json_array_get(errors, 0);
    unsigned status = (unsigned)json_integer_value(json_object_get(first, "status"));
    reply_json(r, status ? status : 500, json_pack("{s:O, s:o}", "error", first, "errors", errors));
}

void reply_collect_begin(struct request *r)
{
    assert(!r->collecting && "collections do not nest");
    r->collecting = true;
}

bool reply_collect_end(struct request *r)
{
    r->collecting = false;
    json_t *collected = r->collected;
    r->collected = NULL;
    if (r->response) {
        json_decref(collected);
        return false;
    }
    if (!collected)
        return true;
    reply_errors(r, collected);
    return false;
}

void reply_error(struct request *r, unsigned status, const char *code, const char *field, const char *fmt,
                 ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_v(r, status, code, field, NULL, fmt, ap);
    va_end(ap);
}

void reply_error_extra(struct request *r, unsigned status, const char *code, const char *field, json_t *extra,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_v(r, status, code, field, extra, fmt, ap);
    va_end(ap);
}
