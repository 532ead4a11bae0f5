#include "entities.h"

#include "db.h" /* DEFAULT_PROJECT_SQL */

/* Fields every entity has. */
#define ID_FIELD                                                                                 \
    {                                                                                            \
        .name = "id", .sql_type = "uuid", .type = F_UUID, .required = true, .flags = FIELD_OWNED \
    }
/* The revision number (issue 11): kept by the history triggers, the ETag of
 * the row; not exported (the revision log is, with --history). */
#define REV_FIELD                                                                     \
    {                                                                                 \
        .name = "rev", .sql_type = "bigint", .type = F_INTEGER, .flags = FIELD_SERVER \
    }
/* A row's project: the default project unless a create names one. */
#define PROJECT_FIELD                                                                                   \
    {                                                                                                   \
        .name = "project_id", .sql_type = "uuid", .type = F_UUID, .flags = FIELD_CREATE | FIELD_EXPORT, \
        .sql_default = DEFAULT_PROJECT_SQL                                                              \
    }
#define ANNOTATOR_FIELD                                                                              \
    {                                                                                                \
        .name = "annotator", .sql_type = "text", .type = F_STRING, .nullable = true, .max_len = 200, \
        .flags = FIELD_WRITABLE                                                                      \
    }
#define TIMESTAMP_FIELDS                                                                           \
    {.name = "created_at", .sql_type = "timestamptz", .type = F_TIMESTAMP, .flags = FIELD_OWNED},  \
    {                                                                                              \
        .name = "updated_at", .sql_type = "timestamptz", .type = F_TIMESTAMP, .flags = FIELD_OWNED \
    }
/* Who created and who last changed the row (issue 10): set by the database
 * from the request's user, never by a client; NULL for rows written by the
 * command line or before accounts existed. Not exported: users are not part
 * of a dataset (the free-text annotator carries provenance between servers). */
#define AUTHOR_FIELDS                                                                                     \
    {.name = "created_by", .sql_type = "uuid", .type = F_UUID, .nullable = true, .flags = FIELD_SERVER},  \
    {                                                                                                     \
        .name = "updated_by", .sql_type = "uuid", .type = F_UUID, .nullable = true, .flags = FIELD_SERVER \
    }
#define END_FIELDS   \
    {                \
        .name = NULL \
    }

static const struct field_spec project_fields[] = {
    ID_FIELD,
    REV_FIELD,
    {.name = "slug",
     .sql_type = "text",
     .type = F_STRING,
     .required = true,
     .max_len = 63,
     .flags = FIELD_EXPORT},
    {.name = "name",
     .sql_type = "text",
     .type = F_STRING,
     .required = true,
     .max_len = 500,
     .flags = FIELD_EXPORT},
    {.name = "description", .sql_type = "text", .type = F_STRING, .nullable = true, .flags = FIELD_EXPORT},
    ANNOTATOR_FIELD,
    TIMESTAMP_FIELDS,
    END_FIELDS,
};

static const struct field_spec actor_fields[] = {
    ID_FIELD,
    REV_FIELD,
    PROJECT_FIELD,
    {.name = "name",
     .sql_type = "text",
     .type = F_STRING,
     .required = true,
     .max_len = 500,
     .flags = FIELD_WRITABLE},
    {.name = "kind",
     .sql_type = "actor_kind",
     .type = F_STRING,
     .allowed = ACTOR_KINDS,
     .flags = FIELD_WRITABLE,
     .sql_default = "'other'"},
    {.name = "aliases",
     .sql_type = "text[]",
     .type = F_STRING_ARRAY,
     .max_len = ALIAS_MAX_LEN,
     .flags = FIELD_WRITABLE | FIELD_PATCH_BY_HAND},
    {.name = "description", .sql_type = "text", .type = F_STRING, .nullable = true, .flags = FIELD_WRITABLE},
    {.name = "external_ids",
     .sql_type = "jsonb",
     .type = F_OBJECT,
     .nullable = true,
     .flags = FIELD_WRITABLE,
     .sql_value = "coalesce(nullif(b->'external_ids', 'null'), '{}')"},
    ANNOTATOR_FIELD,
    TIMESTAMP_FIELDS,
    AUTHOR_FIELDS,
    END_FIELDS,
};

static const struct field_spec document_fields[] = {
    ID_FIELD,
    REV_FIELD,
    PROJECT_FIELD,
    {.name = "title",
     .sql_type = "text",
     .type = F_STRING,
     .required = true,
     .max_len = 1000,
     .flags = FIELD_WRITABLE},
    {.name = "text",
     .sql_type = "text",
     .type = F_STRING,
     .required = true,
     .flags = FIELD_CREATE | FIELD_EXPORT | FIELD_UNLISTED},
    {.name = "sha256", .sql_type = "text", .type = F_STRING, .max_len = 64, .flags = FIELD_OWNED},
    {.name = "length", .sql_type = "integer", .type = F_INTEGER, .flags = FIELD_OWNED},
    {.name = "url",
     .sql_type = "text",
     .type = F_STRING,
     .nullable = true,
     .max_len = 2000,
     .flags = FIELD_WRITABLE},
    {.name = "publisher",
     .sql_type = "text",
     .type = F_STRING,
     .nullable = true,
     .max_len = 500,
     .flags = FIELD_WRITABLE},
    {.name = "author",
     .sql_type = "text",
     .type = F_STRING,
     .nullable = true,
     .max_len = 500,
     .flags = FIELD_WRITABLE},
    {.name = "published_at", .sql_type = "date", .type = F_DATE, .nullable = true, .flags = FIELD_WRITABLE},
    {.name = "language",
     .sql_type = "text",
     .type = F_STRING,
     .nullable = true,
     .max_len = 35,
     .flags = FIELD_WRITABLE},
    {.name = "external_id",
     .sql_type = "text",
     .type = F_STRING,
     .nullable = true,
     .max_len = 500,
     .flags = FIELD_WRITABLE},
    {.name = "metadata",
     .sql_type = "jsonb",
     .type = F_OBJECT,
     .nullable = true,
     .flags = FIELD_WRITABLE,
     .sql_value = "coalesce(b->'metadata', '{}')"},
    {.name = "done",
     .sql_type = "boolean",
     .type = F_BOOLEAN,
     .flags = FIELD_WRITABLE,
     .sql_default = "false"},
    ANNOTATOR_FIELD,
    TIMESTAMP_FIELDS,
    AUTHOR_FIELDS,
    END_FIELDS,
};

/* The tags of body b, deduplicated in the order first given. */
#define TAGS_FROM_BODY                                                                    \
    "ARRAY(SELECT t FROM jsonb_array_elements_text(b->'tags') WITH ORDINALITY AS x(t, n)" \
    " GROUP BY t ORDER BY min(n))"

/* A claim's span is the target object, stored in the columns start, end,
 * exact, prefix and suffix (sql_type "span"). attributions and citations
 * are created inline with the claim and exported as their own records. */
static const struct field_spec claim_fields[] = {
    ID_FIELD,
    REV_FIELD,
    PROJECT_FIELD,
    {.name = "document_id", .sql_type = "uuid", .type = F_UUID, .nullable = true, .flags = FIELD_WRITABLE},
    {.name = "target", .sql_type = "span", .type = F_SPAN, .nullable = true, .flags = FIELD_WRITABLE},
    {.name = "text",
     .sql_type = "text",
     .type = F_STRING,
     .flags = FIELD_WRITABLE,
     .sql_default = "s->>'exact'"},
    {.name = "kind",
     .sql_type = "claim_kind",
     .type = F_STRING,
     .allowed = CLAIM_KINDS,
     .flags = FIELD_WRITABLE,
     .sql_default = "'factual'"},
    {.name = "tags",
     .sql_type = "text[]",
     .type = F_STRING_ARRAY,
     .max_len = TAG_MAX_LEN,
     .flags = FIELD_WRITABLE,
     .sql_value = TAGS_FROM_BODY},
    {.name = "note", .sql_type = "text", .type = F_STRING, .nullable = true, .flags = FIELD_WRITABLE},
    {.name = "attributions", .type = F_ARRAY, .flags = FIELD_CREATE},
    {.name = "citations", .type = F_ARRAY, .flags = FIELD_CREATE},
    ANNOTATOR_FIELD,
    TIMESTAMP_FIELDS,
    AUTHOR_FIELDS,
    END_FIELDS,
};

static const struct field_spec source_fields[] = {
    ID_FIELD,
    REV_FIELD,
    PROJECT_FIELD,
    {.name = "title",
     .sql_type = "text",
     .type = F_STRING,
     .required = true,
     .max_len = 1000,
     .flags = FIELD_WRITABLE},
    {.name = "kind",
     .sql_type = "source_kind",
     .type = F_STRING,
     .allowed = SOURCE_KINDS,
     .flags = FIELD_WRITABLE,
     .sql_default = "'other'"},
    {.name = "url",
     .sql_type = "text",
     .type = F_STRING,
     .nullable = true,
     .max_len = 2000,
     .flags = FIELD_WRITABLE},
    {.name = "publisher_actor_id",
     .sql_type = "uuid",
     .type = F_UUID,
     .nullable = true,
     .flags = FIELD_WRITABLE},
    {.name = "published_at", .sql_type = "date", .type = F_DATE, .nullable = true, .flags = FIELD_WRITABLE},
    {.name = "document_id", .sql_type = "uuid", .type = F_UUID, .nullable = true, .flags = FIELD_WRITABLE},
    ANNOTATOR_FIELD,
    TIMESTAMP_FIELDS,
    AUTHOR_FIELDS,
    END_FIELDS,
};

/* The API takes the claim (and so the project) from the path. */
static const struct field_spec attribution_fields[] = {
    ID_FIELD,
    REV_FIELD,
    {.name = "project_id", .sql_type = "uuid", .type = F_UUID, .flags = FIELD_EXPORT},
    {.name = "claim_id", .sql_type = "uuid", .type = F_UUID, .required = true, .flags = FIELD_EXPORT},
    {.name = "actor_id", .sql_type = "uuid", .type = F_UUID, .required = true, .flags = FIELD_WRITABLE},
    {.name = "role",
     .sql_type = "text",
     .type = F_STRING,
     .nullable = true,
     .max_len = 500,
     .flags = FIELD_WRITABLE},
    {.name = "cue",
     .sql_type = "text",
     .type = F_STRING,
     .nullable = true,
     .max_len = 1000,
     .flags = FIELD_WRITABLE},
    {.name = "mode",
     .sql_type = "attribution_mode",
     .type = F_STRING,
     .allowed = ATTRIBUTION_MODES,
     .flags = FIELD_WRITABLE,
     .sql_default = "'indirect'"},
    {.name = "polarity",
     .sql_type = "attribution_polarity",
     .type = F_STRING,
     .nullable = true,
     .allowed = ATTRIBUTION_POLARITIES,
     .flags = FIELD_WRITABLE},
    {.name = "factuality",
     .sql_type = "attribution_factuality",
     .type = F_STRING,
     .nullable = true,
     .allowed = ATTRIBUTION_FACTUALITIES,
     .flags = FIELD_WRITABLE},
    {.name = "said_at",
     .sql_type = "text",
     .type = F_PARTIAL_DATE,
     .nullable = true,
     .flags = FIELD_WRITABLE},
    /* the statements resolve spans first (source_in, cue_in: ep_attributions.c) */
    {.name = "source_span",
     .sql_type = "jsonb",
     .type = F_SPAN,
     .nullable = true,
     .flags = FIELD_WRITABLE,
     .sql_value = "source_in"},
    {.name = "cue_span",
     .sql_type = "jsonb",
     .type = F_SPAN,
     .nullable = true,
     .flags = FIELD_WRITABLE,
     .sql_value = "cue_in"},
    {.name = "via_attribution_id",
     .sql_type = "uuid",
     .type = F_UUID,
     .nullable = true,
     .flags = FIELD_WRITABLE},
    ANNOTATOR_FIELD,
    TIMESTAMP_FIELDS,
    AUTHOR_FIELDS,
    END_FIELDS,
};

/* A relation is in its from claim's project unless a create names one. */
static const struct field_spec relation_fields[] = {
    ID_FIELD,
    REV_FIELD,
    {.name = "project_id",
     .sql_type = "uuid",
     .type = F_UUID,
     .flags = FIELD_CREATE | FIELD_EXPORT,
     .sql_default =
         "(SELECT project_id FROM claims WHERE id = (b->>'from_claim_id')::uuid), " DEFAULT_PROJECT_SQL},
    {.name = "from_claim_id", .sql_type = "uuid", .type = F_UUID, .required = true, .flags = FIELD_WRITABLE},
    {.name = "to_claim_id", .sql_type = "uuid", .type = F_UUID, .required = true, .flags = FIELD_WRITABLE},
    {.name = "kind",
     .sql_type = "relation_kind",
     .type = F_STRING,
     .required = true,
     .allowed = RELATION_KINDS,
     .flags = FIELD_WRITABLE},
    {.name = "note", .sql_type = "text", .type = F_STRING, .nullable = true, .flags = FIELD_WRITABLE},
    {.name = "asserted_by_actor_id",
     .sql_type = "uuid",
     .type = F_UUID,
     .nullable = true,
     .flags = FIELD_WRITABLE},
    ANNOTATOR_FIELD,
    TIMESTAMP_FIELDS,
    AUTHOR_FIELDS,
    END_FIELDS,
};

/* The API takes the claim from the path; a citation never changes. */
static const struct field_spec citation_fields[] = {
    ID_FIELD,
    REV_FIELD,
    {.name = "project_id", .sql_type = "uuid", .type = F_UUID, .flags = FIELD_EXPORT},
    {.name = "claim_id", .sql_type = "uuid", .type = F_UUID, .required = true, .flags = FIELD_EXPORT},
    {.name = "source_id",
     .sql_type = "uuid",
     .type = F_UUID,
     .required = true,
     .flags = FIELD_CREATE | FIELD_EXPORT},
    {.name = "locator",
     .sql_type = "text",
     .type = F_STRING,
     .nullable = true,
     .max_len = 1000,
     .flags = FIELD_CREATE | FIELD_EXPORT},
    {.name = "span",
     .sql_type = "jsonb",
     .type = F_SPAN,
     .nullable = true,
     .flags = FIELD_CREATE | FIELD_EXPORT},
    {.name = "annotator",
     .sql_type = "text",
     .type = F_STRING,
     .nullable = true,
     .max_len = 200,
     .flags = FIELD_CREATE | FIELD_EXPORT},
    TIMESTAMP_FIELDS,
    AUTHOR_FIELDS,
    END_FIELDS,
};

/* Accepted wherever a span is (API bodies and import records). */
const struct field_spec span_fields[] = {
    {.name = "start", .type = F_INTEGER, .flags = FIELD_WRITABLE},
    {.name = "end", .type = F_INTEGER, .flags = FIELD_WRITABLE},
    {.name = "exact", .type = F_STRING, .flags = FIELD_WRITABLE},
    {.name = "prefix", .type = F_STRING, .nullable = true, .flags = FIELD_WRITABLE},
    {.name = "suffix", .type = F_STRING, .nullable = true, .flags = FIELD_WRITABLE},
    /* a discontinuous span's pieces, each a one-piece span, in text order
     * (segments.h); then start, end, exact, prefix and suffix are derived */
    {.name = "segments", .type = F_ARRAY, .flags = FIELD_WRITABLE},
    /* how to resolve it, not stored: accept a match under normalization, a
     * span cutting a grapheme cluster (anchor.h) */
    {.name = "match", .type = F_STRING, .allowed = SPAN_MATCHES, .flags = FIELD_WRITABLE},
    {.name = "allow_grapheme_split", .type = F_BOOLEAN, .flags = FIELD_WRITABLE},
    END_FIELDS,
};

/* A project's tag codebook (/v1/codebook, migration 0005b): no rev (not in
 * the history), tag and project set once. Exported right after the projects
 * so that an import knows a project's codebook before its claims' tags. */
static const struct field_spec codebook_fields[] = {
    ID_FIELD,
    /* the create statement works out pid: the query's project, the body's, else the default */
    {.name = "project_id",
     .sql_type = "uuid",
     .type = F_UUID,
     .flags = FIELD_CREATE | FIELD_EXPORT,
     .sql_value = "pid"},
    {.name = "tag",
     .sql_type = "text",
     .type = F_STRING,
     .required = true,
     .max_len = TAG_MAX_LEN,
     .flags = FIELD_CREATE | FIELD_EXPORT},
    {.name = "description",
     .sql_type = "text",
     .type = F_STRING,
     .nullable = true,
     .max_len = 2000,
     .flags = FIELD_WRITABLE},
    {.name = "parent",
     .sql_type = "text",
     .type = F_STRING,
     .nullable = true,
     .max_len = TAG_MAX_LEN,
     .flags = FIELD_WRITABLE},
    ANNOTATOR_FIELD,
    TIMESTAMP_FIELDS,
    AUTHOR_FIELDS,
    END_FIELDS,
};

const struct entity ENTITY_PROJECT = {"project", "projects", "Project", project_fields};
const struct entity ENTITY_CODEBOOK = {"codebook", "codebook_entries", "CodebookEntry", codebook_fields};
const struct entity ENTITY_ACTOR = {"actor", "actors", "Actor", actor_fields};
const struct entity ENTITY_DOCUMENT = {"document", "documents", "Document", document_fields};
const struct entity ENTITY_CLAIM = {"claim", "claims", "Claim", claim_fields};
const struct entity ENTITY_SOURCE = {"source", "sources", "Source", source_fields};
const struct entity ENTITY_ATTRIBUTION = {"attribution", "attributions", "Attribution", attribution_fields};
const struct entity ENTITY_RELATION = {"relation", "relations", "Relation", relation_fields};
const struct entity ENTITY_CITATION = {"citation", "citations", "Citation", citation_fields};

const struct entity *const ENTITIES[] = {
    &ENTITY_PROJECT, &ENTITY_CODEBOOK,    &ENTITY_ACTOR,    &ENTITY_DOCUMENT, &ENTITY_CLAIM,
    &ENTITY_SOURCE,  &ENTITY_ATTRIBUTION, &ENTITY_RELATION, &ENTITY_CITATION, NULL,
};

static const char *kind_name(enum field_type t)
{
    switch (t) {
    case F_STRING: return "string";
    case F_UUID: return "uuid";
    case F_DATE: return "date";
    case F_PARTIAL_DATE: return "partial_date";
    case F_TIMESTAMP: return "timestamp";
    case F_INTEGER: return "integer";
    case F_BOOLEAN: return "boolean";
    case F_OBJECT: return "object";
    case F_STRING_ARRAY: return "string_array";
    case F_SPAN: return "span";
    case F_ARRAY: return "array";
    }
    return "unknown";
}

static json_t *describe_fields(const struct field_spec *fields)
{
    json_t *list = json_array();
    for (const struct field_spec *f = fields; f->name; f++) {
        json_t *allowed = json_null();
        if (f->allowed) {
            allowed = json_array();
            for (size_t i = 0; f->allowed[i]; i++)
                json_array_append_new(allowed, json_string(f->allowed[i]));
        }
        json_array_append_new(
            list, json_pack("{s:s, s:s?, s:s, s:b, s:b, s:o, s:I, s:b, s:b, s:b, s:b, s:s?}", "name", f->name,
                            "sql_type", f->sql_type, "kind", kind_name(f->type), "required", f->required,
                            "nullable", f->nullable, "enum", allowed, "max_length", (json_int_t)f->max_len,
                            "create", (f->flags & FIELD_CREATE) != 0, "patch", (f->flags & FIELD_PATCH) != 0,
                            "server", (f->flags & FIELD_SERVER) != 0, "export",
                            (f->flags & FIELD_EXPORT) != 0, "doc", f->doc));
    }
    return list;
}

json_t *entities_describe(void)
{
    json_t *list = json_array();
    for (const struct entity *const *e = ENTITIES; *e; e++)
        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:s, s:o}", "type", (*e)->type, "table", (*e)->table,
                                        "schema", (*e)->schema, "fields", describe_fields((*e)->fields)));
    return json_pack("{s:o, s:o}", "entities", list, "span", describe_fields(span_fields));
}
