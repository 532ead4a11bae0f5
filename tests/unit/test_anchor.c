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

static struct anchor_result normalized(const char *text, const char *exact, bool accept)
{
    struct anchor_request req = {.exact = exact, .exact_len = strlen(exact), .normalized = accept};
    struct anchor_result res;
    anchor_resolve(text, strlen(text), &req, &res);
    return res;
}

static struct anchor_result hinted(const char *text, long long start, long long end, const char *exact,
                                   bool accept)
{
    struct anchor_request req = {.has_position = true,
                                 .start = start,
                                 .end = end,
                                 .exact = exact,
                                 .exact_len = strlen(exact),
                                 .normalized = accept};
    struct anchor_result res;
    anchor_resolve(text, strlen(text), &req, &res);
    return res;
}

/* Tolerant anchoring: quotes, case, dashes, white space and composition. */
static void test_normalized(void)
{
    /* curly quotes, an apostrophe, an en dash, a non-breaking space and a line break */
    const char *text =
        "He said \u201cChina\u2019s report\u201d was a 2019\u20132020\u00a0survey,\nnot a census. "
        "CHINA\u2019S REPORT again.";
    struct anchor_result r = normalized(text, "\"China's report\"", false);
    CHECK(r.status == ANCHOR_NOT_FOUND && r.n_candidates == 1);
    CHECK(r.candidates[0].start == 8 && r.candidates[0].end == 24);
    CHECK(r.candidates[0].differs == ANCHOR_DIFF_QUOTES);
    r = normalized(text, "\"China's report\"", true);
    CHECK(r.status == ANCHOR_OK && r.normalized && r.span.start == 8 && r.span.end == 24);
    CHECK(r.span.byte_end - r.span.byte_start == strlen("\u201cChina\u2019s report\u201d"));
    /* case folding finds both; accepting needs a unique one */
    r = normalized(text, "china's report", false);
    CHECK(r.status == ANCHOR_NOT_FOUND && r.n_candidates == 2);
    CHECK(r.candidates[0].differs == (ANCHOR_DIFF_QUOTES | ANCHOR_DIFF_CASE));
    CHECK(r.candidates[1].differs == (ANCHOR_DIFF_QUOTES | ANCHOR_DIFF_CASE));
    r = normalized(text, "china's report", true);
    CHECK(r.status == ANCHOR_AMBIGUOUS && r.n_candidates == 2);
    /* dash and white-space runs (NBSP, a newline typed as two spaces) */
    r = normalized(text, "2019-2020 survey,  not", true);
    CHECK(r.status == ANCHOR_OK && r.normalized);
    r = normalized(text, "2019-2020 survey,  not", false);
    CHECK(r.status == ANCHOR_NOT_FOUND
          && r.candidates[0].differs == (ANCHOR_DIFF_DASHES | ANCHOR_DIFF_WHITESPACE));
    /* surrounding white space of the quote is not part of the match */
    r = normalized(text, " not a census.\n", true);
    CHECK(r.status == ANCHOR_OK && r.span.byte_end - r.span.byte_start == strlen("not a census."));
    r = normalized(text, "nowhere at all", true);
    CHECK(r.status == ANCHOR_NOT_FOUND && r.n_candidates == 0);

    /* NFC: a precomposed quote finds the decomposed text, and back */
    const char *decomposed = "Le cafe\u0301 de Re\u0301mi.";
    r = normalized(decomposed, "caf\u00e9", false);
    CHECK(r.status == ANCHOR_NOT_FOUND && r.n_candidates == 1 && r.candidates[0].start == 3
          && r.candidates[0].end == 8 && r.candidates[0].differs == ANCHOR_DIFF_COMPOSITION);
    r = normalized("Le caf\u00e9.", "CAFE\u0301", true);
    CHECK(r.status == ANCHOR_OK && r.span.start == 3 && r.span.end == 7);
    /* a match may not end between a letter and its accent */
    r = normalized(decomposed, "CAFE", false);
    CHECK(r.status == ANCHOR_NOT_FOUND && r.n_candidates == 0);
    /* canonical order of combining marks: dot below + acute in either order */
    r = normalized("x a\u0323\u0301 y", "a\u0301\u0323", true);
    CHECK(r.status == ANCHOR_OK && r.span.start == 2 && r.span.end == 5);

    /* CJK and astral characters: offsets count code points */
    const char *cjk = "\U0001F600 \u99ac\u671d\u65ed\u8aaa\uff1a\u300c\u9019\u4efd\u5831\u544a\u300d";
    r = normalized(cjk, "\u99ac\u671d\u65ed\u8aaa:", true); /* fullwidth colon is not folded */
    CHECK(r.status == ANCHOR_NOT_FOUND);
    r = normalized(cjk, "\u9019\u4efd\u5831\u544a ", true);
    CHECK(r.status == ANCHOR_OK && r.span.start == 8 && r.span.end == 12);

    /* the context is compared under normalization too */
    struct anchor_request req = {
        .exact = "report", .exact_len = 6, .prefix = "china's ", .prefix_len = 8, .normalized = true};
    anchor_resolve(text, strlen(text), &req, &r);
    CHECK(r.status == ANCHOR_AMBIGUOUS && r.n_candidates == 2);
    req.suffix = "\" was";
    req.suffix_len = strlen(req.suffix);
    anchor_resolve(text, strlen(text), &req, &r);
    CHECK(r.status == ANCHOR_OK && r.span.start == 17);
    req.normalized = false;
    anchor_resolve(text, strlen(text), &req, &r);
    CHECK(r.status == ANCHOR_NOT_FOUND && r.n_candidates == 2);
    CHECK(r.candidates[0].differs == 0 && r.candidates[1].differs == (ANCHOR_DIFF_CASE | ANCHOR_DIFF_SUFFIX));
    CHECK(strcmp(anchor_message(&req, &r), anchor_status_message(ANCHOR_NOT_FOUND)) != 0);
    CHECK(strstr(anchor_message(&req, &r), "prefix/suffix") != NULL);
    struct anchor_request bare = {.exact = "xyz", .exact_len = 3};
    anchor_resolve(text, strlen(text), &bare, &r);
    CHECK(strstr(anchor_message(&bare, &r), "prefix") == NULL);
}

/* A position hint picks the nearest occurrence. */
static void test_hint(void)
{
    const char *text = "said one; said two; said three; said four";
    struct anchor_result r = hinted(text, 19, 23, "said", false);
    CHECK(r.status == ANCHOR_OK && r.moved && r.span.start == 20);
    r = hinted(text, 8, 12, "said", false);
    CHECK(r.status == ANCHOR_OK && r.span.start == 10);
    r = hinted(text, 0, 4, "said", false);
    CHECK(r.status == ANCHOR_OK && !r.moved && r.span.start == 0);
    r = hinted(text, 30, 34, "SAID", false);
    CHECK(r.status == ANCHOR_MISMATCH && r.n_candidates == 4 && r.candidates[0].start == 32
          && r.candidates[1].start == 20);
    r = hinted(text, 30, 34, "SAID", true);
    CHECK(r.status == ANCHOR_OK && r.normalized && r.span.start == 32);
}

/* Spans on grapheme cluster boundaries (UAX #29). */
static void test_graphemes(void)
{
    /* thumbs up + skin tone (2 code points), e + combining acute, a family ZWJ sequence, a flag */
    const char *text =
        "ok \U0001F44D\U0001F3FD cafe\u0301 \U0001F468\u200D\U0001F469\u200D\U0001F467 \U0001F1EB\U0001F1F7!";
    struct anchor_result r = position(text, 3, 4, NULL);
    CHECK(r.status == ANCHOR_SPLITS_GRAPHEME);
    CHECK(r.boundaries.start_before == 3 && r.boundaries.start_after == 3);
    CHECK(r.boundaries.end_before == 3 && r.boundaries.end_after == 5);
    r = position(text, 3, 5, NULL);
    CHECK(r.status == ANCHOR_OK);
    r = position(text, 6, 10, NULL); /* "cafe" without its accent */
    CHECK(r.status == ANCHOR_SPLITS_GRAPHEME && r.boundaries.end_before == 9 && r.boundaries.end_after == 11);
    r = quote(text, "cafe", NULL, NULL);
    CHECK(r.status == ANCHOR_SPLITS_GRAPHEME);
    r = position(text, 12, 14, NULL); /* into the ZWJ family */
    CHECK(r.status == ANCHOR_SPLITS_GRAPHEME && r.boundaries.end_before == 12
          && r.boundaries.end_after == 17);
    r = position(text, 18, 19, NULL); /* half a flag */
    CHECK(r.status == ANCHOR_SPLITS_GRAPHEME && r.boundaries.end_after == 20);
    r = position(text, 18, 21, NULL);
    CHECK(r.status == ANCHOR_OK);
    struct anchor_request req = {.has_position = true, .start = 3, .end = 4, .allow_split = true};
    anchor_resolve(text, strlen(text), &req, &r);
    CHECK(r.status == ANCHOR_OK && r.span.end == 4);
    size_t before, after;
    CHECK(anchor_grapheme_boundary(text, strlen(text), 0, &before, &after) && before == 0);
    CHECK(anchor_grapheme_boundary(text, strlen(text), strlen(text), &before, &after) && after == 21);
    CHECK(strcmp(anchor_status_code(ANCHOR_SPLITS_GRAPHEME), "splits_grapheme") == 0);
}

void test_anchor(void)
{
    test_normalized();
    test_hint();
    test_graphemes();
    const char *text =
        "Ma Zhaoxu (馬朝旭) said 😀 it was “zero-credibility”; Wang said it was “zero-credibility” too.";
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
    const char *longtext =
        "0123456789012345678901234567890123456789TARGET0123456789012345678901234567890123456789";
    r = quote(longtext, "TARGET", NULL, NULL);
    CHECK(r.status == ANCHOR_OK && r.span.byte_start - r.span.prefix_byte == ANCHOR_CONTEXT);
    CHECK(r.span.suffix_byte - r.span.byte_end == ANCHOR_CONTEXT);

    struct anchor_request none = {0};
    struct anchor_result res;
    anchor_resolve(text, strlen(text), &none, &res);
    CHECK(res.status == ANCHOR_EMPTY_REQUEST);
    CHECK(strcmp(anchor_status_code(ANCHOR_AMBIGUOUS), "ambiguous_quote") == 0);
}
