/* Runs every unit test; prints "N passed, N failed" and exits non-zero on failure. */
#include "unit.h"

int unit_checks, unit_failures;

static const struct {
    const char *name;
    void (*run)(void);
} tests[] = {
    {"utf8", test_utf8},
    {"anchor", test_anchor},
    {"segments", test_segments},
    {"router", test_router},
    {"cursor", test_cursor},
    {"jsonbuf", test_jsonbuf},
    {"config", test_config},
    {"import_util", test_import_util},
    {"graph_format", test_graph_format},
    {"fields", test_fields},
    {"etag", test_etag},
    {"query", test_query},
};

int main(void)
{
    int failed_areas = 0;
    for (size_t i = 0; i < sizeof tests / sizeof *tests; i++) {
        int before = unit_failures;
        tests[i].run();
        printf("%-10s %s\n", tests[i].name, unit_failures == before ? "ok" : "FAILED");
        failed_areas += unit_failures != before;
    }
    printf("unit: %d passed, %d failed\n", unit_checks - unit_failures, unit_failures);
    return failed_areas ? 1 : 0;
}
