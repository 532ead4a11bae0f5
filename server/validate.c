#include "validate.h"

#include "errors.h"
#include "reply.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *allowed_list(const char *const *allowed)
{
    json_t *list = json_array();
    for (size_t i = 0; allowed[i]; i++)
        json_array_append_new(list, json_string(allowed[i]));
    return list;
}

/* One problem as an element of "errors", in the one error shape (an error
 * object of error_body): unknown members and bad enumerations list what
 * would have been accepted. */
static json_t *problem_json(const struct field_problem *p, const struct field_spec *specs,
                            enum validate_mode mode)
{
    json_t *extra = NULL;
    if (strcmp(p->code, "unknown_field") == 0) {
        json_t *known = json_array();
        for (const struct field_spec *k = specs; k->name; k++)
            if (field_accepted(k, mode))
                json_array_append_new(known, json_string(k->name));
        extra = json_pack("{s:o}", "allowed", known);
    } else if (strcmp(p->code, "invalid_enum") == 0) {
        extra = json_pack("{s:o}", "allowed", allowed_list(p->spec->allowed));
    }
    unsigned status = strcmp(p->code, "immutable") == 0 ? MHD_HTTP_CONFLICT : MHD_HTTP_BAD_REQUEST;
    /* Field names and messages are valid UTF-8: member names come from
     * jansson's parse, which checks it. */
    json_t *body = error_body(status, p->code, p->field, p->message, extra);
    json_t *e = json_incref(json_object_get(body, "error"));
    json_decref(body);
    return e;
}

bool fields_valid_or_reply(struct request *r, const json_t *obj, const char *prefix,
                           const struct field_spec *specs, enum validate_mode mode)
{
    struct field_problem problems[FIELDS_MAX_PROBLEMS];
    size_t n = fields_check_all(obj, prefix, specs, mode, problems, FIELDS_MAX_PROBLEMS);
    if (n == 0)
        return true;
    /* Every field's problem in one response ("errors"); the first is also
     * "error", the shape clients knew, with its "allowed". */
    json_t *errors = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(errors, problem_json(&problems[i], specs, mode));
    reply_errors(r, errors);
    return false;
}

const char *uuid_param_or_reply(struct request *r, const char *name)
{
    const char *v = request_param(r, name);
    if (uuid_valid(v))
        return v;
    reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_id", name, "%s in the path must be a UUID", name);
    return NULL;
}

struct unknown_search {
    const char *const *allowed;
    const char *unknown;
    const char *not_utf8; /* a known parameter whose value is not UTF-8 */
};

static enum MHD_Result find_unknown(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct unknown_search *u = cls;
    for (size_t i = 0; u->allowed[i]; i++)
        if (strcmp(u->allowed[i], key) == 0) {
            if (!value || utf8_valid(value, strlen(value), NULL))
                return MHD_YES;
            u->not_utf8 = key;
            return MHD_NO;
        }
    u->unknown = key;
    return MHD_NO;
}

bool query_known_or_reply(struct request *r, const char *const *allowed)
{
    struct unknown_search u = {allowed, NULL, NULL};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, find_unknown, &u);
    if (u.not_utf8) {
        /* PostgreSQL would refuse the bytes deep inside a statement (or an
         * export's COPY); say which parameter here. */
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_utf8", u.not_utf8,
                    "%s is not valid UTF-8 text once percent-decoded", u.not_utf8);
        return false;
    }
    if (!u.unknown)
        return true;
    reply_error_extra(r, MHD_HTTP_BAD_REQUEST, "unknown_parameter", u.unknown,
                      json_pack("{s:o}", "allowed", allowed_list(allowed)), "unknown query parameter %.100s",
                      u.unknown);
    return false;
}

bool query_uuid_or_reply(struct request *r, const char *name, const char **out)
{
    *out = request_query(r, name);
    if (!*out || uuid_valid(*out))
        return true;
    reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_uuid", name, "%s must be a UUID", name);
    return false;
}

bool query_bool_or_reply(struct request *r, const char *name, bool fallback, bool *out)
{
    const char *v = request_query(r, name);
    if (!v) {
        *out = fallback;
        return true;
    }
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) {
        *out = false;
        return true;
    }
    reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_boolean", name, "%s must be true or false", name);
    return false;
}

bool query_timestamp_or_reply(struct request *r, const char *name, const char **out)
{
    *out = request_query(r, name);
    if (!*out || timestamp_text_valid(*out) || date_text_valid(*out))
        return true;
    reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_timestamp", name,
                "%s must be an ISO 8601 date or date-time, e.g. 2026-11-24T10:00:00Z", name);
    return false;
}

bool query_enum_or_reply(struct request *r, const char *name, const char *const *allowed, const char **out)
{
    *out = request_query(r, name);
    if (!*out)
        return true;
    for (size_t i = 0; allowed[i]; i++)
        if (strcmp(allowed[i], *out) == 0)
            return true;
    reply_error_extra(r, MHD_HTTP_BAD_REQUEST, "invalid_enum", name,
                      json_pack("{s:o}", "allowed", allowed_list(allowed)),
                      "%s must be one of the allowed values", name);
    return false;
}

bool query_uint_or_reply(struct request *r, const char *name, unsigned fallback, unsigned min, unsigned max,
                         unsigned *out)
{
    const char *v = request_query(r, name);
    *out = fallback;
    if (!v)
        return true;
    unsigned long n = 0;
    bool ok = *v && strlen(v) <= 9;
    for (const char *p = v; ok && *p; p++)
        if (*p < '0' || *p > '9')
            ok = false;
        else
            n = n * 10 + (unsigned long)(*p - '0');
    if (ok && n >= min && n <= max) {
        *out = (unsigned)n;
        return true;
    }
    reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_value", name, "%s must be a whole number from %u to %u",
                name, min, max);
    return false;
}

bool query_enum_list_or_reply(struct request *r, const char *name, const char *const *allowed, char *buf,
                              size_t size)
{
    const char *v = request_query(r, name);
    buf[0] = '\0';
    if (!v)
        return true;
    size_t len = 0;
    const char *p = v;
    bool ok = size > 2;
    if (ok)
        buf[len++] = '{';
    while (ok) {
        size_t n = strcspn(p, ",");
        bool known = false;
        for (size_t i = 0; allowed[i] && !known; i++)
            known = strlen(allowed[i]) == n && strncmp(allowed[i], p, n) == 0;
        ok = known && len + n + 2 < size;
        if (ok) {
            if (len > 1)
                buf[len++] = ',';
            memcpy(buf + len, p, n);
            len += n;
        }
        if (!p[n])
            break;
        p += n + 1;
    }
    if (ok) {
        buf[len++] = '}';
        buf[len] = '\0';
        return true;
    }
    buf[0] = '\0';
    reply_error_extra(r, MHD_HTTP_BAD_REQUEST, "invalid_enum", name,
                      json_pack("{s:o}", "allowed", allowed_list(allowed)),
                      "%s must be a comma-separated list of the allowed values", name);
    return false;
}

char *json_text(const json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text)
        abort();
    return text;
}
