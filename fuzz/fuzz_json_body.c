/* JSON body validation: what http.c does with a BODY_JSON body (UTF-8
 * check, jansson with JSON_REJECT_DUPLICATES, an object required) and then
 * fields_check against a spec table with every field type, in both modes,
 * and span_fields for a "target" member. */
#include "fuzz.h"
#include "span.h"
#include "utf8.h"
#include "validate.h"

#include <string.h>

static const char *const kinds[] = {"factual", "evaluative", "normative", NULL};
/* Designated initializers, as entities.c writes them: every field accepted
 * in create and PATCH bodies (positional ones had drifted from the struct,
 * leaving every field unknown and the type checks unfuzzed). */
#define BOTH (FIELD_CREATE | FIELD_PATCH)
static const struct field_spec specs[] = {
    {.name = "title", .type = F_STRING, .required = true, .max_len = 200, .flags = BOTH},
    {.name = "kind", .type = F_STRING, .nullable = true, .allowed = kinds, .flags = BOTH},
    {.name = "id", .type = F_UUID, .flags = BOTH},
    {.name = "published_on", .type = F_DATE, .nullable = true, .flags = BOTH},
    {.name = "created_at", .type = F_TIMESTAMP, .flags = BOTH},
    {.name = "count", .type = F_INTEGER, .flags = BOTH},
    {.name = "flag", .type = F_BOOLEAN, .flags = BOTH},
    {.name = "metadata", .type = F_OBJECT, .nullable = true, .flags = BOTH},
    {.name = "tags", .type = F_STRING_ARRAY, .max_len = 100, .flags = BOTH},
    {.name = "target", .type = F_SPAN, .flags = BOTH},
    {.name = "attributions", .type = F_ARRAY, .flags = BOTH},
    {.name = NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t bad;
    if (!utf8_valid((const char *)data, size, &bad)) {
        FUZZ_ASSERT(bad < size);
        return 0;
    }
    json_error_t err;
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(body)) {
        json_decref(body);
        return 0;
    }
    struct field_problem p;
    for (int mode = VALIDATE_CREATE; mode <= VALIDATE_PATCH; mode++) {
        memset(&p, 0, sizeof p);
        if (!fields_check(body, mode ? "attributions[3]." : "", specs, (enum validate_mode)mode, &p)) {
            FUZZ_ASSERT(p.code && *p.code && p.message[0]);
            FUZZ_ASSERT(strlen(p.field) < sizeof p.field && strlen(p.message) < sizeof p.message);
        }
    }
    const json_t *target = json_object_get(body, "target");
    if (json_is_object(target) && !fields_check(target, "target.", span_fields, VALIDATE_CREATE, &p))
        FUZZ_ASSERT(p.code != NULL);
    json_decref(body);
    return 0;
}
