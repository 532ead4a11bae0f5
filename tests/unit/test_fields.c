/* The pure validators (server/fields.c) against the data-driven cases in
 * tests/unit/suites/fields.txt, and the entity descriptions' invariants. */
#include "entities.h"
#include "fields.h"
#include "unit.h"

#include <jansson.h>
#include <stdlib.h>

#define SUITE "tests/unit/suites/fields.txt"

static char *trim(char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static const struct entity *entity_named(const char *name)
{
    for (const struct entity *const *e = ENTITIES; *e; e++)
        if (strcmp((*e)->type, name) == 0)
            return *e;
    return NULL;
}

/* One case; returns true when the outcome is the expected one. */
static bool run_case(const char *what, const char *input, const char *expected)
{
    if (strcmp(what, "uuid") == 0)
        return uuid_valid(input) == (strcmp(expected, "ok") == 0);
    if (strcmp(what, "date") == 0)
        return date_text_valid(input) == (strcmp(expected, "ok") == 0);
    if (strcmp(what, "timestamp") == 0)
        return timestamp_text_valid(input) == (strcmp(expected, "ok") == 0);
    char name[32], mode_name[16];
    if (sscanf(what, "%31s %15s", name, mode_name) != 2)
        return false;
    const struct entity *e = entity_named(name);
    enum validate_mode mode = strcmp(mode_name, "create") == 0  ? VALIDATE_CREATE
                              : strcmp(mode_name, "patch") == 0 ? VALIDATE_PATCH
                                                                : VALIDATE_IMPORT;
    json_t *obj = json_loads(input, 0, NULL);
    if (!e || !obj)
        return false;
    struct field_problem p;
    bool ok = fields_check(obj, "", e->fields, mode, &p);
    json_decref(obj);
    if (ok)
        return strcmp(expected, "ok") == 0;
    char got[300];
    snprintf(got, sizeof got, "%s %s", p.code, p.field);
    if (strcmp(got, expected) != 0)
        fprintf(stderr, "  got %s\n", got);
    return strcmp(got, expected) == 0;
}

static void suite(void)
{
    FILE *f = fopen(SUITE, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[4096];
    int cases = 0;
    for (int no = 1; fgets(line, sizeof line, f); no++) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *a = strstr(line, " | "), *b = a ? strstr(a + 3, " | ") : NULL;
        CHECK(b != NULL);
        if (!b)
            continue;
        *a = *b = '\0';
        bool ok = run_case(trim(line), trim(a + 3), trim(b + 3));
        if (!ok)
            fprintf(stderr, "%s:%d: case failed\n", SUITE, no);
        CHECK(ok);
        cases++;
    }
    fclose(f);
    CHECK(cases > 60);
}

/* What the description promises about itself. */
static void invariants(void)
{
    for (const struct entity *const *e = ENTITIES; *e; e++) {
        CHECK(strcmp((*e)->fields[0].name, "id") == 0);
        for (const struct field_spec *s = (*e)->fields; s->name; s++) {
            /* server-owned fields are never written by the API */
            if (s->flags & FIELD_SERVER)
                CHECK(!(s->flags & (FIELD_CREATE | FIELD_PATCH)));
            /* an enumeration is a string; limits apply to strings */
            if (s->allowed)
                CHECK(s->type == F_STRING && s->sql_type != NULL);
            if (s->max_len)
                CHECK(s->type == F_STRING || s->type == F_STRING_ARRAY);
            /* what the export writes is a column */
            if (s->flags & FIELD_EXPORT)
                CHECK(s->sql_type != NULL);
        }
    }
}

/* fields_member_ok says of one member what fields_check_all says of it. */
static void member_checks(void)
{
    const struct field_spec *claim = ENTITY_CLAIM.fields;
    json_t *body = json_pack("{s:s, s:s, s:[s,i], s:n, s:[]}", "kind", "rumour", "document_id",
                             "00000000-0000-7000-8000-000000000001", "tags", "ok", 3, "note", "attributions");
    CHECK(!fields_member_ok(body, "kind", claim, VALIDATE_CREATE)); /* not in the enumeration */
    CHECK(fields_member_ok(body, "document_id", claim, VALIDATE_CREATE));
    CHECK(fields_member_ok(body, "attributions", claim, VALIDATE_CREATE));
    CHECK(!fields_member_ok(body, "attributions", claim, VALIDATE_PATCH)); /* inline on create only */
    CHECK(!fields_member_ok(body, "tags", claim, VALIDATE_CREATE));        /* an item is no string */
    CHECK(fields_member_ok(body, "note", claim, VALIDATE_CREATE));         /* nullable */
    CHECK(fields_member_ok(body, "target", claim, VALIDATE_CREATE));       /* absent: nothing wrong */
    struct field_problem p[FIELDS_MAX_PROBLEMS];
    CHECK(fields_check_all(body, "", claim, VALIDATE_CREATE, p, FIELDS_MAX_PROBLEMS) == 2);
    json_decref(body);
}

void test_fields(void)
{
    suite();
    invariants();
    member_checks();
}
