/* anchor: resolving a span of a document given by code-point offsets, by
 * quote (exact + optional prefix/suffix), or both — the two W3C Web
 * Annotation selectors (TextPositionSelector, TextQuoteSelector).
 *
 * A quote that does not occur byte for byte is looked for again under
 * normalization (Unicode canonical equivalence, case folding, quote,
 * apostrophe and dash variants, runs of white space) with libutf8proc, so
 * that a quote typed with straight quotes or pasted across a line break
 * finds the text it means: the matches are reported as candidates, or
 * accepted when the request asks for it (normalized). Spans are checked to
 * start and end on extended grapheme cluster boundaries (UAX #29), since a
 * span that cuts an emoji from its skin-tone modifier or a letter from its
 * accent is almost always a mistake.
 *
 * Pure logic over a document text that is valid UTF-8; no I/O. Aborts on
 * allocation failure. */
#ifndef CLAIMDB_ANCHOR_H
#define CLAIMDB_ANCHOR_H

#include <stdbool.h>
#include <stddef.h>

/* Context stored around a span, in code points (as the issue and W3C
 * TextQuoteSelector practice suggest). */
#define ANCHOR_CONTEXT 32
/* How many candidate positions an error lists at most. */
#define ANCHOR_MAX_CANDIDATES 20

struct anchor_request {
    bool has_position;    /* start/end given */
    long long start, end; /* code points, end exclusive */
    const char *exact;    /* NULL when not given; else valid UTF-8 */
    size_t exact_len;
    const char *prefix; /* NULL or "" when not given */
    size_t prefix_len;
    const char *suffix;
    size_t suffix_len;
    bool normalized;  /* accept a match found only under normalization */
    bool allow_split; /* accept a span that cuts a grapheme cluster */
};

enum anchor_status {
    ANCHOR_OK,
    ANCHOR_EMPTY_REQUEST,   /* neither offsets nor exact */
    ANCHOR_OUT_OF_RANGE,    /* start < 0 or end past the text */
    ANCHOR_EMPTY_SPAN,      /* start >= end, or exact == "" */
    ANCHOR_MISMATCH,        /* exact occurs neither at start..end nor elsewhere */
    ANCHOR_NOT_FOUND,       /* exact does not occur (with that context) */
    ANCHOR_AMBIGUOUS,       /* exact occurs more than once with that context */
    ANCHOR_SPLITS_GRAPHEME, /* start or end falls inside a grapheme cluster */
};

/* How a candidate's text differs from the request (bits of
 * anchor_span.differs); anchor_diff_name names each. */
enum {
    ANCHOR_DIFF_COMPOSITION = 1 << 0, /* precomposed vs decomposed characters (NFC) */
    ANCHOR_DIFF_CASE = 1 << 1,
    ANCHOR_DIFF_QUOTES = 1 << 2,     /* curly vs straight quotes and apostrophes */
    ANCHOR_DIFF_DASHES = 1 << 3,     /* hyphen, en/em dash, minus */
    ANCHOR_DIFF_WHITESPACE = 1 << 4, /* kind or number of white-space characters */
    ANCHOR_DIFF_PREFIX = 1 << 5,     /* the given prefix does not precede it */
    ANCHOR_DIFF_SUFFIX = 1 << 6,     /* the given suffix does not follow it */
    ANCHOR_DIFF_COUNT = 7,
};

struct anchor_span {
    size_t start, end;           /* code points */
    size_t byte_start, byte_end; /* bytes of the exact quote */
    size_t prefix_byte,
        suffix_byte;  /* prefix = [prefix_byte, byte_start), suffix = [byte_end, suffix_byte) */
    unsigned differs; /* ANCHOR_DIFF_* bits; 0 for an exact match */
};

/* The grapheme cluster boundaries nearest to a span's start and end, in code
 * points (before <= offset <= after). */
struct anchor_boundaries {
    size_t start_before, start_after, end_before, end_after;
};

struct anchor_result {
    enum anchor_status status;
    struct anchor_span span;             /* when ANCHOR_OK, and ANCHOR_SPLITS_GRAPHEME */
    bool normalized;                     /* OK: found only under normalization */
    bool moved;                          /* OK: exact was found away from the position hint */
    struct anchor_boundaries boundaries; /* when ANCHOR_SPLITS_GRAPHEME */
    /* For AMBIGUOUS (occurrences matching the context), NOT_FOUND and
     * MISMATCH (matches of the quote under normalization, ignoring the
     * context): the total and up to ANCHOR_MAX_CANDIDATES of them, in text
     * order, or nearest to the position hint first when one was given. */
    size_t n_candidates;
    struct anchor_span candidates[ANCHOR_MAX_CANDIDATES];
};

/* Resolves req against text[0..len) (valid UTF-8). Always fills out->status;
 * the other fields as documented above.
 * - offsets alone: the span there;
 * - quote: its one occurrence with the given context; when there is none,
 *   the matches under normalization become candidates, and with
 *   req->normalized a unique one is accepted (the span is the document's
 *   text, never the request's);
 * - offsets and quote: the quote at the offsets, else (a position hint, as
 *   W3C clients send after the text changed around the quote) its
 *   occurrence nearest to start, exact first, then under normalization
 *   when req->normalized.
 * Unless req->allow_split, a span that starts or ends inside a grapheme
 * cluster is ANCHOR_SPLITS_GRAPHEME with the nearest boundaries. */
void anchor_resolve(const char *text, size_t len, const struct anchor_request *req,
                    struct anchor_result *out);

/* A short English reason for the outcome of req, for error messages
 * (mentions prefix/suffix only when the request gave one). */
const char *anchor_message(const struct anchor_request *req, const struct anchor_result *res);
/* A short English reason for a status, for error messages. */
const char *anchor_status_message(enum anchor_status status);
/* The error code for a status ("quote_not_found", ...). */
const char *anchor_status_code(enum anchor_status status);
/* The name of difference bit number i (0 <= i < ANCHOR_DIFF_COUNT):
 * "composition", "case", "quotes", "dashes", "whitespace", "prefix",
 * "suffix". */
const char *anchor_diff_name(int i);

/* Whether byte offset `at` of text[0..len) is an extended grapheme cluster
 * boundary (UAX #29); *before and *after get the nearest boundaries at or
 * before / at or after it, in code points. at must be a code-point start. */
bool anchor_grapheme_boundary(const char *text, size_t len, size_t at, size_t *before, size_t *after);

#endif
