#include "fields.h"

#include "utf8.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const ACTOR_KINDS[] = {"person", "organisation", "government", "intergovernmental",
                                   "media",  "group",        "other",      NULL};
const char *const CLAIM_KINDS[] = {"factual", "statistical", "evaluative", "normative",
                                   "causal",  "predictive",  "other",      NULL};
const char *const ATTRIBUTION_MODES[] = {"direct_quote", "indirect", "paraphrase",
                                         "endorsement",  "implicit", NULL};
const char *const RELATION_KINDS[] = {"refutes",   "disputes",    "supports", "restates",
                                      "qualifies", "responds_to", NULL};
const char *const SPAN_MATCHES[] = {"exact", "normalized", NULL};
const char *const ATTRIBUTION_POLARITIES[] = {"positive", "negative", NULL};
const char *const ATTRIBUTION_FACTUALITIES[] = {"certain", "probable", "possible", NULL};
const char *const SOURCE_KINDS[] = {"report", "statement", "article", "statistic", "testimony",
                                    "law",    "dataset",   "other",   NULL};

bool uuid_valid(const char *s)
{
    if (!s || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* The number in the n digits at s (which digits() has checked). */
static int number(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* YYYY-MM-DD naming a day that exists: PostgreSQL would refuse 2026-02-30
 * or year 0 only deep in a statement, where the error cannot name the field. */
static bool date_valid(const char *s)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!(strlen(s) >= 10 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-'
          && digits(s + 8, 2)))
        return false;
    int year = number(s, 4), month = number(s + 5, 2), day = number(s + 8, 2);
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return year >= 1 && month >= 1 && month <= 12 && day >= 1
           && day <= days[month - 1] + (month == 2 && leap);
}

/* YYYY-MM-DDTHH:MM[:SS[.frac]][Z|±HH[:MM]] with the ranges of RFC 3339 (a
 * leap second :60 included) and offsets PostgreSQL accepts (up to ±15:59). */
static bool timestamp_valid(const char *s)
{
    if (!date_valid(s) || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        return false;
    const char *p = s + 11;
    if (!digits(p, 2) || p[2] != ':' || !digits(p + 3, 2) || number(p, 2) > 23 || number(p + 3, 2) > 59)
        return false;
    p += 5;
    if (*p == ':') {
        if (!digits(p + 1, 2) || number(p + 1, 2) > 60)
            return false;
        p += 3;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p))
                return false;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    if (*p == 'Z' || *p == 'z')
        return p[1] == '\0';
    if (*p == '+' || *p == '-') {
        if (!digits(p + 1, 2) || number(p + 1, 2) > 15)
            return false;
        p += 3;
        if (*p == ':')
            p++;
        if (*p && (!digits(p, 2) || number(p, 2) > 59))
            return false;
        return *p == '\0' || p[2] == '\0';
    }
    return false;
}

static const char *type_name(enum field_type t)
{
    switch (t) {
    case F_STRING: return "a string";
    case F_UUID: return "a UUID string";
    case F_DATE: return "a date string (YYYY-MM-DD)";
    case F_PARTIAL_DATE: return "a date string (YYYY-MM-DD, YYYY-MM or YYYY)";
    case F_TIMESTAMP: return "an ISO 8601 date-time string";
    case F_INTEGER: return "an integer";
    case F_BOOLEAN: return "true or false";
    case F_OBJECT: return "an object";
    case F_STRING_ARRAY: return "an array of strings";
    case F_SPAN: return "a span object";
    case F_ARRAY: return "an array";
    }
    return "a value";
}

/* Fills p and returns false. */
__attribute__((format(printf, 4, 5))) static bool problem(struct field_problem *p, const char *code,
                                                          const struct field_spec *spec, const char *fmt, ...)
{
    p->code = code;
    p->spec = spec;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof p->message, fmt, ap);
    va_end(ap);
    return false;
}

static bool check_value(const json_t *v, const char *field, const struct field_spec *s,
                        struct field_problem *p)
{
    bool type_ok;
    switch (s->type) {
    case F_STRING:
    case F_UUID:
    case F_DATE:
    case F_TIMESTAMP:
    case F_PARTIAL_DATE: type_ok = json_is_string(v); break;
    case F_INTEGER: type_ok = json_is_integer(v); break;
    case F_BOOLEAN: type_ok = json_is_boolean(v); break;
    case F_OBJECT:
    case F_SPAN: type_ok = json_is_object(v); break;
    case F_STRING_ARRAY:
    case F_ARRAY: type_ok = json_is_array(v); break;
    default: type_ok = false;
    }
    if (!type_ok)
        return problem(p, "invalid_type", s, "%s must be %s%s", field, type_name(s->type),
                       s->nullable ? " or null" : "");
    if (json_is_array(v) && json_array_size(v) > FIELD_MAX_ITEMS)
        return problem(p, "too_many_items", s, "%s has more than %d items", field, FIELD_MAX_ITEMS);
    const char *str = json_is_string(v) ? json_string_value(v) : NULL;
    switch (s->type) {
    case F_STRING:
        if (s->allowed) {
            for (size_t i = 0; s->allowed[i]; i++)
                if (strcmp(s->allowed[i], str) == 0)
                    return true;
            char list[256] = "";
            for (size_t i = 0; s->allowed[i]; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                         s->allowed[i]);
            return problem(p, "invalid_enum", s, "%s must be one of: %s", field, list);
        }
        if (s->max_len && utf8_count(str, json_string_length(v)) > s->max_len)
            return problem(p, "too_long", s, "%s is longer than %zu characters", field, s->max_len);
        return true;
    case F_UUID: return uuid_valid(str) || problem(p, "invalid_uuid", s, "%s must be a UUID", field);
    case F_DATE:
        return (strlen(str) == 10 && date_valid(str))
               || problem(p, "invalid_date", s, "%s must be a date, YYYY-MM-DD", field);
    case F_PARTIAL_DATE:
        return partial_date_valid(str)
               || problem(p, "invalid_date", s,
                          "%s must be a date: YYYY-MM-DD, or YYYY-MM or YYYY when the text"
                          " gives no more",
                          field);
    case F_TIMESTAMP:
        return timestamp_valid(str)
               || problem(p, "invalid_timestamp", s,
                          "%s must be an ISO 8601 date-time with a time zone, e.g. 2026-11-24T10:00:00Z",
                          field);
    case F_STRING_ARRAY: {
        size_t i;
        const json_t *item;
        json_array_foreach(v, i, item)
        {
            if (!json_is_string(item) || json_string_length(item) == 0)
                return problem(p, "invalid_type", s, "%s[%zu] must be a non-empty string", field, i);
            if (s->max_len && utf8_count(json_string_value(item), json_string_length(item)) > s->max_len)
                return problem(p, "too_long", s, "%s[%zu] is longer than %zu characters", field, i,
                               s->max_len);
        }
        return true;
    }
    default: return true;
    }
}

bool field_accepted(const struct field_spec *s, enum validate_mode mode)
{
    switch (mode) {
    case VALIDATE_CREATE: return s->flags & FIELD_CREATE;
    case VALIDATE_PATCH: return s->flags & FIELD_PATCH;
    case VALIDATE_IMPORT: return s->flags & FIELD_EXPORT;
    }
    return false;
}

/* The problem of member key (value v) of an object, if any: false with *p
 * filled, true when the member is fine. */
static bool member_ok(const char *key, const json_t *v, const char *prefix, const struct field_spec *specs,
                      enum validate_mode mode, struct field_problem *p)
{
    const struct field_spec *s = specs;
    while (s->name && strcmp(s->name, key) != 0)
        s++;
    snprintf(p->field, sizeof p->field, "%s%s", prefix, key);
    if (s->name && !field_accepted(s, mode) && mode == VALIDATE_PATCH && s->sql_type
        && !(s->flags & FIELD_SERVER))
        return problem(p, "immutable", s, "%s is set when the row is created and cannot change", p->field);
    if (!s->name || !field_accepted(s, mode))
        return problem(p, "unknown_field", NULL, "%s is not a field of this object", p->field);
    if (json_is_null(v))
        return (s->nullable && !(mode != VALIDATE_PATCH && s->required))
               || problem(p, "invalid_type", s, "%s must not be null", p->field);
    return check_value(v, p->field, s, p);
}

size_t fields_check_all(const json_t *obj, const char *prefix, const struct field_spec *specs,
                        enum validate_mode mode, struct field_problem *out, size_t max)
{
    size_t n = 0;
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (n < max && !member_ok(key, v, prefix, specs, mode, &out[n]))
            n++;
    }
    if (mode != VALIDATE_PATCH)
        for (const struct field_spec *s = specs; s->name && n < max; s++)
            if (s->required && field_accepted(s, mode) && !json_object_get(obj, s->name)) {
                snprintf(out[n].field, sizeof out[n].field, "%s%s", prefix, s->name);
                problem(&out[n], "missing_field", s, "%s is required", out[n].field);
                n++;
            }
    return n;
}

bool fields_member_ok(const json_t *obj, const char *key, const struct field_spec *specs,
                      enum validate_mode mode)
{
    const json_t *v = json_object_get(obj, key);
    struct field_problem p = {0}; /* written, not read: member_ok fills it */
    return !v || member_ok(key, v, "", specs, mode, &p);
}

bool fields_check(const json_t *obj, const char *prefix, const struct field_spec *specs,
                  enum validate_mode mode, struct field_problem *p)
{
    return fields_check_all(obj, prefix, specs, mode, p, 1) == 0;
}

bool tag_path_valid(const char *tag)
{
    size_t n = strlen(tag);
    return n > 0 && tag[0] != '/' && tag[n - 1] != '/' && !strstr(tag, "//");
}

bool partial_date_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 10)
        return date_valid(s);
    if (n == 7)
        return digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && number(s, 4) >= 1 && number(s + 5, 2) >= 1
               && number(s + 5, 2) <= 12;
    return n == 4 && digits(s, 4) && number(s, 4) >= 1;
}

bool date_text_valid(const char *s)
{
    return strlen(s) == 10 && date_valid(s);
}

bool timestamp_text_valid(const char *s)
{
    return timestamp_valid(s);
}
