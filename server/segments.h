/* segments: a discontinuous span — an interrupted quotation, a subject
 * shared by several claims of one sentence — given as a list of one-piece
 * spans ("segments") in text order. Each is resolved like any span
 * (anchor.h); this module checks the list and writes the stored form.
 *
 * Pure logic over resolved spans and a valid UTF-8 text; no I/O. */
#ifndef CLAIMDB_SEGMENTS_H
#define CLAIMDB_SEGMENTS_H

#include "anchor.h"

#include <jansson.h>
#include <stddef.h>

/* How many segments a span has: a list of one is a one-piece span (refused,
 * so that each span has one form), and a cap keeps a request's work small. */
#define SEGMENTS_MIN 2
#define SEGMENTS_MAX 16
/* Between the segments' quotes in the stored exact: space, U+2026, space. */
#define SEGMENTS_JOINER " \xE2\x80\xA6 "

enum segments_status {
    SEGMENTS_OK,
    SEGMENTS_OUT_OF_ORDER, /* a segment starts before the one before it */
    SEGMENTS_OVERLAP,      /* a segment starts before the one before it ends */
};

/* Checks resolved segments sp[0..n) are in text order and do not overlap
 * (one may start where the previous one ends). On failure *bad is the index
 * of the first offending segment (>= 1: it is compared with bad - 1). */
enum segments_status segments_check(const struct anchor_span *sp, size_t n, size_t *bad);

/* The error code of a failed check: "segments_out_of_order",
 * "segments_overlap". */
const char *segments_status_code(enum segments_status status);

/* The stored form of one resolved span of text: a new object
 * {"start","end","exact","prefix","suffix"}. */
json_t *segment_json(const char *text, const struct anchor_span *sp);

/* The stored form of a discontinuous span (n >= 1 checked segments): a new
 * object {"start": first start, "end": last end, "exact": the quotes joined
 * with SEGMENTS_JOINER, "prefix": the first's, "suffix": the last's,
 * "segments": [segment_json of each]}. */
json_t *segments_stored_json(const char *text, const struct anchor_span *sp, size_t n);

#endif
