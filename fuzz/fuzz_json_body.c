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
static const struct field_spec specs[] = {
    {"title", F_STRING, true, false, NULL, 200},
    {"kind", F_STRING, false, true, kinds, 0},
    {"id", F_UUID, false, false, NULL, 0},
    {"published_on", F_DATE, false, true, NULL, 0},
    {"created_at", F_TIMESTAMP, false, false, NULL, 0},
    {"count", F_INTEGER, false, false, NULL, 0},
    {"flag", F_BOOLEAN, false, false, NULL, 0},
    {"metadata", F_OBJECT, false, true, NULL, 0},
    {"tags", F_STRING_ARRAY, false, false, NULL, 100},
    {"target", F_SPAN, false, false, NULL, 0},
    {"attributions", F_ARRAY, false, false, NULL, 0},
    {NULL, F_STRING, false, false, NULL, 0},
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
