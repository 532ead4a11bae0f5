#include "anchor.h"
#include "unit.h"

static struct anchor_result quote(const char *text, const char *exact, const char *prefix, const char *suffix)
{
    struct anchor_request req = {0};
    req.exact = exact;
    req.exact_len = strlen(exact);
    req.prefix = prefix;
    req.prefix_len = prefix ? strlen(prefix) : 0;
    req.suffix = suffix;
    req.suffix_len = suffix ? strlen(suffix) : 0;
    struct anchor_result res;
    anchor_resolve(text, strlen(text), &req, &res);
    return res;
}

static struct anchor_result position(const char *text, long long start, long long end, const char *exact)
{
    struct anchor_request req = {.has_position = true, .start = start, .end = end};
    if (exact) {
        req.exact = exact;
        req.exact_len = strlen(exact);
    }
    struct anchor_result res;
    anchor_resolve(text, strlen(text), &req, &res);
    return res;
}

void test_anchor(void)
{
    const char *text = "Ma Zhaoxu (馬朝旭) said 😀 it was “zero-credibility”; Wang said it was “zero-credibility” too.";
    struct anchor_result r = quote(text, "馬朝旭", NULL, NULL);
    CHECK(r.status == ANCHOR_OK && r.span.start == 11 && r.span.end == 14);
    CHECK(r.span.byte_start == 11 && r.span.byte_end == 20);
    CHECK(r.span.prefix_byte == 0);

    r = quote(text, "said", NULL, NULL);
    CHECK(r.status == ANCHOR_AMBIGUOUS && r.n_candidates == 2);
    CHECK(r.candidates[0].start == 16 && r.candidates[1].start < 100);
    r = quote(text, "said", "Wang ", NULL);
    CHECK(r.status == ANCHOR_OK);
    r = quote(text, "“zero-credibility”", NULL, " too");
    CHECK(r.status == ANCHOR_OK);
    r = quote(text, "“zero-credibility”", NULL, NULL);
    CHECK(r.status == ANCHOR_AMBIGUOUS && r.n_candidates == 2);
    r = quote(text, "not there", NULL, NULL);
    CHECK(r.status == ANCHOR_NOT_FOUND && r.n_candidates == 0);
    r = quote(text, "said", "Nobody ", NULL); /* occurs, but not with that context */
    CHECK(r.status == ANCHOR_NOT_FOUND && r.n_candidates == 2);
    r = quote(text, "", NULL, NULL);
    CHECK(r.status == ANCHOR_EMPTY_SPAN);
    r = quote("aaa", "aa", NULL, NULL); /* overlapping occurrences both count */
    CHECK(r.status == ANCHOR_AMBIGUOUS && r.n_candidates == 2);

    /* offsets after an astral character count it once */
    r = quote(text, "it was", NULL, " “zero-credibility”;");
    CHECK(r.status == ANCHOR_OK && r.span.start == 23);
    r = position(text, 23, 29, "it was");
    CHECK(r.status == ANCHOR_OK && r.span.byte_start == 32);
    r = position(text, 23, 29, "it waS");
    CHECK(r.status == ANCHOR_MISMATCH);
    r = position(text, 5, 5, NULL);
    CHECK(r.status == ANCHOR_EMPTY_SPAN);
    r = position(text, 6, 2, NULL);
    CHECK(r.status == ANCHOR_EMPTY_SPAN);
    r = position(text, 0, 1000, NULL);
    CHECK(r.status == ANCHOR_OUT_OF_RANGE);
    r = position(text, -1, 3, NULL);
    CHECK(r.status == ANCHOR_OUT_OF_RANGE);

    /* combining marks: "é" as e + U+0301 is two code points */
    const char *comb = "cafe\xcc\x81 noir";
    r = quote(comb, "e\xcc\x81", NULL, NULL);
    CHECK(r.status == ANCHOR_OK && r.span.start == 3 && r.span.end == 5);

    /* context is at most ANCHOR_CONTEXT code points */
    const char *longtext = "0123456789012345678901234567890123456789TARGET0123456789012345678901234567890123456789";
    r = quote(longtext, "TARGET", NULL, NULL);
    CHECK(r.status == ANCHOR_OK && r.span.byte_start - r.span.prefix_byte == ANCHOR_CONTEXT);
    CHECK(r.span.suffix_byte - r.span.byte_end == ANCHOR_CONTEXT);

    struct anchor_request none = {0};
    struct anchor_result res;
    anchor_resolve(text, strlen(text), &none, &res);
    CHECK(res.status == ANCHOR_EMPTY_REQUEST);
    CHECK(strcmp(anchor_status_code(ANCHOR_AMBIGUOUS), "ambiguous_quote") == 0);
}
