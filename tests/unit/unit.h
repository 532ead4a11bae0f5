/* A minimal unit-test harness: CHECK records a failure and goes on; each
 * test file defines `void test_<area>(void)` and lists it in test_main.c. */
#ifndef CLAIMDB_UNIT_H
#define CLAIMDB_UNIT_H

#include <stdio.h>
#include <string.h>

extern int unit_checks, unit_failures;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        unit_checks++;                                                               \
        if (!(cond)) {                                                               \
            unit_failures++;                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_STR(a, b) CHECK(strcmp((a), (b)) == 0)

void test_utf8(void);
void test_graph_format(void);
void test_anchor(void);
void test_segments(void);
void test_router(void);
void test_cursor(void);
void test_jsonbuf(void);
void test_config(void);
void test_import_util(void);
void test_fields(void);
void test_etag(void);
void test_query(void);

#endif
