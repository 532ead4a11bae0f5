/* validate: checking request input (path ids, query arguments, JSON bodies)
 * and replying 400 with the offending field when it is wrong.
 *
 * Bodies are validated against a table of field specs; handlers then pass
 * the validated JSON object to PostgreSQL as one jsonb parameter and pick
 * the fields there (see ep_documents.c), so there is no per-field glue. */
#ifndef CLAIMDB_VALIDATE_H
#define CLAIMDB_VALIDATE_H

#include "fields.h"
#include "request.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* fields_check (fields.h) replying with the problem: 400 (with "allowed"
 * for unknown members and enumerations), or 409 immutable. Returns true, or
 * false after replying. */
bool fields_valid_or_reply(struct request *r, const json_t *obj, const char *prefix,
                           const struct field_spec *specs, enum validate_mode mode);

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
bool query_enum_or_reply(struct request *r, const char *name, const char *const *allowed, const char **out);

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

/* Serializes a JSON value compactly (for a jsonb parameter). The caller
 * free()s the result. Aborts on allocation failure. */
char *json_text(const json_t *value);

#endif
