/* entities: each entity of the model described once — projects, codebook
 * entries, documents, actors, claims, attributions, relations, sources, citations.
 *
 * For every field: its JSON name (= SQL column), SQL type, JSON kind,
 * validation (enumeration, length limit, required, nullable), where it may
 * be written (API create, API PATCH, server-owned) and whether the NDJSON
 * export writes it (and so the import reads it). From this:
 *   - the API's body validation and the import's (fields_check, modes
 *     VALIDATE_CREATE / VALIDATE_PATCH / VALIDATE_IMPORT);
 *   - `claimdb describe`, which prints it as JSON; the tests compare that
 *     with schema/openapi.json (properties, enums, limits), with the SQL
 *     enumerations and CHECKs of the migrations (schema/schema.sql), with
 *     the NDJSON export's members and with the list items, and fail on any
 *     difference.
 * Adding a plain field: the migration and one line here (DEVELOPERS.md). */
#ifndef CLAIMDB_ENTITIES_H
#define CLAIMDB_ENTITIES_H

#include "fields.h"

#include <jansson.h>

struct entity {
    const char *type;                /* the NDJSON record type: "document" */
    const char *table;               /* the SQL table: "documents" */
    const char *schema;              /* the OpenAPI component schema: "Document" */
    const struct field_spec *fields; /* terminated by {NULL} */
};

extern const struct entity ENTITY_PROJECT, ENTITY_CODEBOOK, ENTITY_ACTOR, ENTITY_DOCUMENT, ENTITY_CLAIM,
    ENTITY_SOURCE, ENTITY_ATTRIBUTION, ENTITY_RELATION, ENTITY_CITATION;

/* Every entity, in the NDJSON export's order, NULL-terminated. */
#define ENTITY_COUNT 9
extern const struct entity *const ENTITIES[];

/* The members of a span object (target, source_span, cue_span, span). */
extern const struct field_spec span_fields[];

/* The description as JSON (for `claimdb describe`): {"entities": [{"type",
 * "table", "schema", "fields": [{"name", "sql_type", "kind", "required",
 * "nullable", "enum", "max_length", "create", "patch", "server", "export", "doc"}]}],
 * "span": [...]}. Returns a new reference. */
json_t *entities_describe(void);

#endif
