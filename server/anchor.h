/* anchor: resolving a span of a document given by code-point offsets, by
 * quote (exact + optional prefix/suffix), or both — the two W3C Web
 * Annotation selectors (TextPositionSelector, TextQuoteSelector).
 *
 * Pure logic over a document text that is valid UTF-8; no I/O. */
#ifndef CLAIMDB_ANCHOR_H
#define CLAIMDB_ANCHOR_H

#include <stdbool.h>
#include <stddef.h>

/* Context stored around a span, in code points (as the issue and W3C
 * TextQuoteSelector practice suggest). */
#define ANCHOR_CONTEXT 32
/* How many candidate positions an ambiguity error lists at most. */
#define ANCHOR_MAX_CANDIDATES 20

struct anchor_request {
    bool has_position;      /* start/end given */
    long long start, end;   /* code points, end exclusive */
    const char *exact;      /* NULL when not given; else valid UTF-8 */
    size_t exact_len;
    const char *prefix;     /* NULL or "" when not given */
    size_t prefix_len;
    const char *suffix;
    size_t suffix_len;
};

enum anchor_status {
    ANCHOR_OK,
    ANCHOR_EMPTY_REQUEST,   /* neither offsets nor exact */
    ANCHOR_OUT_OF_RANGE,    /* start < 0 or end past the text */
    ANCHOR_EMPTY_SPAN,      /* start >= end, or exact == "" */
    ANCHOR_MISMATCH,        /* exact differs from the text at start..end */
    ANCHOR_NOT_FOUND,       /* exact does not occur (with that context) */
    ANCHOR_AMBIGUOUS,       /* exact occurs more than once with that context */
};

struct anchor_span {
    size_t start, end;              /* code points */
    size_t byte_start, byte_end;    /* bytes of the exact quote */
    size_t prefix_byte, suffix_byte;/* prefix = [prefix_byte, byte_start), suffix = [byte_end, suffix_byte) */
};

struct anchor_result {
    enum anchor_status status;
    struct anchor_span span;        /* when ANCHOR_OK */
    /* For NOT_FOUND (occurrences of exact ignoring the context) and
     * AMBIGUOUS (occurrences matching the context): the total and up to
     * ANCHOR_MAX_CANDIDATES of them. */
    size_t n_candidates;
    struct anchor_span candidates[ANCHOR_MAX_CANDIDATES];
};

/* Resolves req against text[0..len) (valid UTF-8). Always fills out->status;
 * the other fields as documented above. */
void anchor_resolve(const char *text, size_t len, const struct anchor_request *req,
                    struct anchor_result *out);

/* A short English reason for a status, for error messages. */
const char *anchor_status_message(enum anchor_status status);
/* The error code for a status ("quote_not_found", ...). */
const char *anchor_status_code(enum anchor_status status);

#endif
