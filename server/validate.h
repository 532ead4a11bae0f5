/* validate: checking request input (path ids, query arguments, JSON bodies)
 * and replying 400 with the offending field when it is wrong.
 *
 * Bodies are validated against a table of field specs; handlers then pass
 * the validated JSON object to PostgreSQL as one jsonb parameter and pick
 * the fields there (see ep_documents.c), so there is no per-field glue. */
#ifndef CLAIMDB_VALIDATE_H
#define CLAIMDB_VALIDATE_H

#include "request.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum field_type {
    F_STRING,       /* JSON string (valid UTF-8 by jansson's parsing) */
    F_UUID,         /* string in canonical 8-4-4-4-12 hex form */
    F_DATE,         /* "YYYY-MM-DD" */
    F_TIMESTAMP,    /* ISO 8601 / RFC 3339 date-time */
    F_INTEGER,
    F_BOOLEAN,
    F_OBJECT,       /* any JSON object (jsonb metadata) */
    F_STRING_ARRAY, /* array of strings */
    F_SPAN,         /* a span object; parsed further by span.h */
    F_ARRAY,        /* array of objects, checked by the handler */
};

struct field_spec {
    const char *name;
    enum field_type type;
    bool required;               /* must be present (and not null) on create */
    bool nullable;               /* null accepted (clears the value on PATCH) */
    const char *const *allowed;  /* F_STRING: the enumeration, NULL-terminated */
    size_t max_len;              /* F_STRING, F_STRING_ARRAY items: most code points, 0 = no limit */
};

enum validate_mode { VALIDATE_CREATE, VALIDATE_PATCH };

/* The first problem fields_check finds: an error code ("unknown_field",
 * "invalid_type", "invalid_enum", "too_long", "missing_field", …), the field
 * with its prefix, a message naming it, and the spec concerned (NULL for an
 * unknown member). */
struct field_problem {
    const char *code;
    char field[256];
    char message[512];
    const struct field_spec *spec;
};

/* The checks of fields_valid_or_reply, reporting instead of replying (the
 * import collects problems per line). Returns true when obj is valid, else
 * false with *p filled. */
bool fields_check(const json_t *obj, const char *prefix, const struct field_spec *specs,
                  enum validate_mode mode, struct field_problem *p);

/* Checks obj against specs (terminated by {NULL}): unknown members, missing
 * required members (CREATE only), types, enumerations, formats. Field names
 * in errors are prefixed with `prefix` ("" or "attributions[2]."). Returns
 * true, or false after replying 400. */
bool fields_valid_or_reply(struct request *r, const json_t *obj, const char *prefix,
                           const struct field_spec *specs, enum validate_mode mode);

/* True when s is a UUID in 8-4-4-4-12 hex form (either case). */
bool uuid_valid(const char *s);

/* The path parameter `name` as a validated UUID, or NULL after replying 400
 * (invalid_id). The pointer is valid for the request. */
const char *uuid_param_or_reply(struct request *r, const char *name);

/* Rejects query arguments not in `allowed` (NULL-terminated) with 400
 * unknown_parameter, and values that are not UTF-8 with 400 invalid_utf8.
 * Returns true when all are known and well-formed. */
bool query_known_or_reply(struct request *r, const char *const *allowed);

/* Query argument `name` as a UUID; *out = NULL when absent. Returns false
 * after replying 400 when present but malformed. */
bool query_uuid_or_reply(struct request *r, const char *name, const char **out);

/* Query argument `name` as a boolean ("true"/"false"/"1"/"0"); default
 * when absent. Returns false after replying 400 when malformed. */
bool query_bool_or_reply(struct request *r, const char *name, bool fallback, bool *out);

/* Query argument `name` as an ISO 8601 timestamp; *out = NULL when absent. */
bool query_timestamp_or_reply(struct request *r, const char *name, const char **out);

/* Query argument `name` that must be one of `allowed` (NULL-terminated);
 * *out = NULL when absent. */
bool query_enum_or_reply(struct request *r, const char *name, const char *const *allowed,
                         const char **out);

/* Query argument `name` as a whole number in [min, max]; fallback when
 * absent. Returns false after replying 400 (invalid_value). */
bool query_uint_or_reply(struct request *r, const char *name, unsigned fallback, unsigned min, unsigned max,
                         unsigned *out);

/* Query argument `name` as a comma-separated list of values of `allowed`,
 * written into buf as a PostgreSQL array literal ("{a,b}"); buf is "" when
 * absent. Returns false after replying 400 (invalid_enum, with the allowed
 * values) when a value is unknown or the list does not fit in size bytes. */
bool query_enum_list_or_reply(struct request *r, const char *name, const char *const *allowed, char *buf,
                              size_t size);

/* True when s is a date "YYYY-MM-DD", as F_DATE accepts (for validators
 * that collect errors rather than reply, e.g. the import). */
bool date_text_valid(const char *s);
/* True when s is an ISO 8601 date-time with a time zone, as F_TIMESTAMP accepts. */
bool timestamp_text_valid(const char *s);

/* Serializes a JSON value compactly (for a jsonb parameter). The caller
 * free()s the result. Aborts on allocation failure. */
char *json_text(const json_t *value);

/* The longest tag and actor alias, in code points: each is an entry of a GIN
 * index, and PostgreSQL refuses entries over about 2700 bytes with an error
 * that cannot name the field. */
#define TAG_MAX_LEN 200
#define ALIAS_MAX_LEN 500

/* Enumerations shared by the model (NULL-terminated). */
extern const char *const ACTOR_KINDS[];
extern const char *const CLAIM_KINDS[];
extern const char *const ATTRIBUTION_MODES[];
extern const char *const RELATION_KINDS[];
extern const char *const SOURCE_KINDS[];

#endif
