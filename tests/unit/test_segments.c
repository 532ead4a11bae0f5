#include "segments.h"
#include "unit.h"

#include <stdlib.h>

static struct anchor_span at(const char *text, long long start, long long end)
{
    struct anchor_request req = {.has_position = true, .start = start, .end = end};
    struct anchor_result res;
    anchor_resolve(text, strlen(text), &req, &res);
    CHECK(res.status == ANCHOR_OK);
    return res.span;
}

static struct anchor_span quoted(const char *text, const char *exact)
{
    struct anchor_request req = {.exact = exact, .exact_len = strlen(exact)};
    struct anchor_result res;
    anchor_resolve(text, strlen(text), &req, &res);
    CHECK(res.status == ANCHOR_OK);
    return res.span;
}

static void test_check(void)
{
    const char *text = "abcdefghijklmnopqrstuvwxyz";
    struct anchor_span sp[3] = {at(text, 0, 3), at(text, 5, 8), at(text, 8, 10)};
    size_t bad = 99;
    /* touching is not overlapping */
    CHECK(segments_check(sp, 3, &bad) == SEGMENTS_OK);
    sp[2] = at(text, 7, 10);
    CHECK(segments_check(sp, 3, &bad) == SEGMENTS_OVERLAP && bad == 2);
    sp[2] = at(text, 1, 2);
    CHECK(segments_check(sp, 3, &bad) == SEGMENTS_OUT_OF_ORDER && bad == 2);
    /* the same start twice overlaps (the second does not start before the first) */
    sp[1] = at(text, 0, 2);
    CHECK(segments_check(sp, 2, &bad) == SEGMENTS_OVERLAP && bad == 1);
    /* one inside the other */
    sp[0] = at(text, 0, 10);
    sp[1] = at(text, 2, 4);
    CHECK(segments_check(sp, 2, &bad) == SEGMENTS_OVERLAP && bad == 1);
    CHECK_STR(segments_status_code(SEGMENTS_OVERLAP), "segments_overlap");
    CHECK_STR(segments_status_code(SEGMENTS_OUT_OF_ORDER), "segments_out_of_order");
}

static void test_stored(void)
{
    /* the interrupted quotation, with curly quotes and an astral character */
    const char *text =
        "\u201cThe report,\u201d a spokesperson said, \u201cis a patchwork of lies \U0001F4A5.\u201d";
    struct anchor_span sp[2] = {quoted(text, "The report,"),
                                quoted(text, "is a patchwork of lies \U0001F4A5.")};
    size_t bad;
    CHECK(segments_check(sp, 2, &bad) == SEGMENTS_OK);
    json_t *o = segments_stored_json(text, sp, 2);
    CHECK_STR(json_string_value(json_object_get(o, "exact")),
              "The report, \u2026 is a patchwork of lies \U0001F4A5.");
    CHECK(json_integer_value(json_object_get(o, "start")) == 1);
    /* code points: the emoji counts one */
    CHECK(json_integer_value(json_object_get(o, "end")) == 61);
    CHECK_STR(json_string_value(json_object_get(o, "prefix")), "\u201c");
    CHECK_STR(json_string_value(json_object_get(o, "suffix")), "\u201d");
    json_t *list = json_object_get(o, "segments");
    CHECK(json_array_size(list) == 2);
    json_t *second = json_array_get(list, 1);
    CHECK(json_integer_value(json_object_get(second, "start")) == 36);
    CHECK(json_integer_value(json_object_get(second, "end")) == 61);
    CHECK_STR(json_string_value(json_object_get(second, "exact")), "is a patchwork of lies \U0001F4A5.");
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "suffix")),
              "\u201d a spokesperson said, \u201cis a pat");
    json_decref(o);
    /* a single segment's stored form is the one-piece form */
    json_t *one = segment_json(text, &sp[0]);
    CHECK(json_object_size(one) == 5 && json_integer_value(json_object_get(one, "end")) == 12);
    json_decref(one);
}

void test_segments(void)
{
    test_check();
    test_stored();
}
