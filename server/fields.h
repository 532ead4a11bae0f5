/* fields: the pure validators, linked into the unit tests — a JSON object
 * checked against a table of field specs (fields_check), dates, timestamps
 * and UUIDs — and the enumerations of the model. Nothing here replies or
 * touches the database: validate.h turns a problem into a reply, the import
 * into a line's error. */
#ifndef CLAIMDB_FIELDS_H
#define CLAIMDB_FIELDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The most items any array field may hold (tags, aliases, inline
 * attributions and citations): a claim with a million tags made every
 * GET /v1/tags return 28 MB. */
#define FIELD_MAX_ITEMS 100

enum field_type {
    F_STRING,    /* JSON string (valid UTF-8 by jansson's parsing) */
    F_UUID,      /* string in canonical 8-4-4-4-12 hex form */
    F_DATE,      /* "YYYY-MM-DD" */
    F_TIMESTAMP, /* ISO 8601 / RFC 3339 date-time */
    F_INTEGER,
    F_BOOLEAN,
    F_OBJECT,       /* any JSON object (jsonb metadata) */
    F_STRING_ARRAY, /* array of strings */
    F_SPAN,         /* a span object; parsed further by span.h */
    F_ARRAY,        /* array of objects, checked by the handler */
    F_PARTIAL_DATE, /* "YYYY-MM-DD", "YYYY-MM" or "YYYY": as precise as a text gives */
};

/* Where a field may be written (a field_spec's flags). */
enum field_flag {
    FIELD_CREATE = 1,    /* accepted in an API create body */
    FIELD_PATCH = 2,     /* accepted in an API PATCH body */
    FIELD_EXPORT = 4,    /* written by the NDJSON export and accepted by the import */
    FIELD_SERVER = 8,    /* server-owned (ids, timestamps, derived values): shown, never written by the API */
    FIELD_UNLISTED = 16, /* left out of list items (a document's text: large; its GET has it) */
    FIELD_PATCH_BY_HAND = 32, /* PATCH accepts it, but its SET clause is the resource file's own
                                 (left out of E_SQL_UPDATE: an actor's aliases also take
                                 add_aliases and remove_aliases) */
};
/* The usual combinations. */
#define FIELD_WRITABLE (FIELD_CREATE | FIELD_PATCH | FIELD_EXPORT)
#define FIELD_OWNED (FIELD_SERVER | FIELD_EXPORT)

/* One field of an entity (entities.c) or of a nested object: written with
 * designated initializers, one line per field. */
struct field_spec {
    const char *name;           /* JSON name; the SQL column has the same name when sql_type is set */
    const char *sql_type;       /* the column's type as the migrations declare it; NULL: not a column */
    enum field_type type;       /* the JSON kind, checked by fields_check */
    bool required;              /* must be present (and not null) where the field is accepted, but PATCH */
    bool nullable;              /* null accepted (clears the value on PATCH) */
    const char *const *allowed; /* F_STRING: the enumeration, NULL-terminated */
    size_t max_len;             /* F_STRING, F_STRING_ARRAY items: most code points, 0 = no limit;
                                    also a CHECK in the database (migrations/0002) */
    unsigned flags;             /* enum field_flag */
    /* How the generated SQL (server/gen/gen_entity_sql.c, build/entity_sql.h)
     * treats the column, when not as its sql_type says: */
    const char *sql_value;   /* the value read from the request body `b` (create and PATCH);
                                NULL: b->>'name' cast to sql_type */
    const char *sql_default; /* on create, the value when the body has none (coalesce) */
    const char *doc;         /* the OpenAPI description of a property `make openapi` adds */
};

/* Which body is checked: an API create, an API PATCH (nothing is
 * required), or an import record (the exported fields). */
enum validate_mode { VALIDATE_CREATE, VALIDATE_PATCH, VALIDATE_IMPORT };

/* True when spec s is accepted in mode. */
bool field_accepted(const struct field_spec *s, enum validate_mode mode);

/* The first problem fields_check finds: an error code ("unknown_field",
 * "invalid_type", "invalid_enum", "too_long", "missing_field", "immutable"
 * for a column given on PATCH that is set once (not server-owned), …), the field
 * with its prefix, a message naming it, and the spec concerned (NULL for an
 * unknown member). */
struct field_problem {
    const char *code;
    char field[256];
    char message[512];
    const struct field_spec *spec;
};

/* Checks obj against specs (terminated by {NULL}) in mode: members not
 * accepted in mode, missing required members (not on PATCH), null where it
 * is not allowed, types, enumerations, lengths, formats. Field names are
 * prefixed with `prefix` ("" or "attributions[2]."). Returns true when obj
 * is valid, else false with *p filled. Pure: the API replies with *p
 * (fields_valid_or_reply), the import records it for the line. */
/* The most problems one validation reports. */
#define FIELDS_MAX_PROBLEMS 32

/* Every problem of obj as fields_check finds them (in member order, then the
 * missing required members), at most max, in out[]. Returns how many (0:
 * obj is valid). */
size_t fields_check_all(const json_t *obj, const char *prefix, const struct field_spec *specs,
                        enum validate_mode mode, struct field_problem *out, size_t max);

/* True when member `key` of obj is absent or has no problem fields_check
 * would report (accepted in mode, null only where allowed, type,
 * enumeration, length, format): what a handler collecting every problem
 * (reply.h) asks before a later check uses the value. */
bool fields_member_ok(const json_t *obj, const char *key, const struct field_spec *specs,
                      enum validate_mode mode);

bool fields_check(const json_t *obj, const char *prefix, const struct field_spec *specs,
                  enum validate_mode mode, struct field_problem *p);

/* True when s is a UUID in 8-4-4-4-12 hex form (either case). */
bool uuid_valid(const char *s);

/* True when s is a date "YYYY-MM-DD", as F_DATE accepts (for validators
 * that collect errors rather than reply, e.g. the import). */
bool date_text_valid(const char *s);
/* True when s is an ISO 8601 date-time with a time zone, as F_TIMESTAMP accepts. */
bool timestamp_text_valid(const char *s);

/* The longest tag and actor alias, in code points: each is an entry of a GIN
 * index, and PostgreSQL refuses entries over about 2700 bytes with an error
 * that cannot name the field. */
#define TAG_MAX_LEN 200

/* True when tag is a path of non-empty segments: "topic/xinjiang", not
 * "/topic", "topic/" or "topic//x" (a codebook entry's tag and parent; the
 * database checks the same). */
bool tag_path_valid(const char *tag);
#define ALIAS_MAX_LEN 500

/* Enumerations shared by the model (NULL-terminated). */
extern const char *const ACTOR_KINDS[];
extern const char *const CLAIM_KINDS[];
extern const char *const ATTRIBUTION_MODES[];
extern const char *const RELATION_KINDS[];
extern const char *const SOURCE_KINDS[];
extern const char *const ATTRIBUTION_POLARITIES[];
extern const char *const ATTRIBUTION_FACTUALITIES[];

/* True when s is "YYYY-MM-DD" (a day that exists), "YYYY-MM" or "YYYY", as
 * F_PARTIAL_DATE accepts. */
bool partial_date_valid(const char *s);
/* The values of a span's "match": exact (the default), normalized (anchor.h). */
extern const char *const SPAN_MATCHES[];

#endif
