#include "anchor.h"

#include "utf8.h"

#include <string.h>

static void fill_span(const char *text, size_t len, size_t byte_start, size_t byte_end,
                      size_t cp_start, struct anchor_span *sp)
{
    sp->byte_start = byte_start;
    sp->byte_end = byte_end;
    sp->start = cp_start;
    sp->end = cp_start + utf8_count(text + byte_start, byte_end - byte_start);
    sp->prefix_byte = utf8_back(text, byte_start, ANCHOR_CONTEXT);
    sp->suffix_byte = utf8_forward(text, len, byte_end, ANCHOR_CONTEXT);
}

static bool context_matches(const char *text, size_t len, size_t bs, size_t be,
                            const struct anchor_request *req)
{
    if (req->prefix_len > 0 &&
        (req->prefix_len > bs || memcmp(text + bs - req->prefix_len, req->prefix, req->prefix_len) != 0))
        return false;
    if (req->suffix_len > 0 &&
        (be + req->suffix_len > len || memcmp(text + be, req->suffix, req->suffix_len) != 0))
        return false;
    return true;
}

static void resolve_position(const char *text, size_t len, const struct anchor_request *req,
                             struct anchor_result *out)
{
    if (req->start < 0 || req->end < 0) {
        out->status = ANCHOR_OUT_OF_RANGE;
        return;
    }
    if (req->start >= req->end) {
        out->status = ANCHOR_EMPTY_SPAN;
        return;
    }
    size_t bs = utf8_byte_offset(text, len, (size_t)req->start);
    size_t be = bs == (size_t)-1 ? bs
              : utf8_forward(text, len, bs, (size_t)(req->end - req->start));
    if (bs == (size_t)-1 || utf8_count(text + bs, be - bs) != (size_t)(req->end - req->start)) {
        out->status = ANCHOR_OUT_OF_RANGE;
        return;
    }
    if (req->exact && (req->exact_len != be - bs || memcmp(text + bs, req->exact, be - bs) != 0)) {
        out->status = ANCHOR_MISMATCH;
        return;
    }
    fill_span(text, len, bs, be, (size_t)req->start, &out->span);
    out->status = ANCHOR_OK;
}

static void resolve_quote(const char *text, size_t len, const struct anchor_request *req,
                          struct anchor_result *out)
{
    size_t matches = 0, occurrences = 0;
    size_t cp = 0, counted_to = 0; /* code points in text[0..counted_to) */
    struct anchor_span first;
    const char *p = text;
    out->n_candidates = 0;
    while ((size_t)(p - text) + req->exact_len <= len) {
        const char *hit = memmem(p, len - (size_t)(p - text), req->exact, req->exact_len);
        if (!hit)
            break;
        size_t bs = (size_t)(hit - text), be = bs + req->exact_len;
        cp += utf8_count(text + counted_to, bs - counted_to);
        counted_to = bs;
        occurrences++;
        if (context_matches(text, len, bs, be, req)) {
            if (matches == 0)
                fill_span(text, len, bs, be, cp, &first);
            if (matches < ANCHOR_MAX_CANDIDATES)
                fill_span(text, len, bs, be, cp, &out->candidates[matches]);
            matches++;
        }
        p = hit + 1;
    }
    if (matches == 1) {
        out->span = first;
        out->status = ANCHOR_OK;
        return;
    }
    if (matches > 1) {
        out->n_candidates = matches;
        out->status = ANCHOR_AMBIGUOUS;
        return;
    }
    /* Not found with this context: list where the bare quote does occur, so
     * the annotator can see which context would pick the one meant. */
    out->status = ANCHOR_NOT_FOUND;
    out->n_candidates = occurrences;
    if (occurrences == 0)
        return;
    cp = 0;
    counted_to = 0;
    size_t listed = 0;
    p = text;
    while (listed < ANCHOR_MAX_CANDIDATES) {
        const char *hit = memmem(p, len - (size_t)(p - text), req->exact, req->exact_len);
        if (!hit)
            break;
        size_t bs = (size_t)(hit - text);
        cp += utf8_count(text + counted_to, bs - counted_to);
        counted_to = bs;
        fill_span(text, len, bs, bs + req->exact_len, cp, &out->candidates[listed++]);
        p = hit + 1;
    }
}

void anchor_resolve(const char *text, size_t len, const struct anchor_request *req,
                    struct anchor_result *out)
{
    out->n_candidates = 0;
    if (!req->has_position && !req->exact) {
        out->status = ANCHOR_EMPTY_REQUEST;
        return;
    }
    if (req->exact && req->exact_len == 0) {
        out->status = ANCHOR_EMPTY_SPAN;
        return;
    }
    if (req->has_position)
        resolve_position(text, len, req, out);
    else
        resolve_quote(text, len, req, out);
}

const char *anchor_status_message(enum anchor_status status)
{
    switch (status) {
    case ANCHOR_OK: return "ok";
    case ANCHOR_EMPTY_REQUEST: return "a span needs start and end, or exact";
    case ANCHOR_OUT_OF_RANGE: return "offsets lie outside the document text";
    case ANCHOR_EMPTY_SPAN: return "a span must not be empty (start < end, exact non-empty)";
    case ANCHOR_MISMATCH: return "exact does not match the document text at start..end";
    case ANCHOR_NOT_FOUND: return "the quote does not occur in the document with that prefix/suffix";
    case ANCHOR_AMBIGUOUS: return "the quote occurs more than once; add prefix/suffix or offsets to choose";
    }
    return "invalid span";
}

const char *anchor_status_code(enum anchor_status status)
{
    switch (status) {
    case ANCHOR_OK: return "ok";
    case ANCHOR_EMPTY_REQUEST: return "missing_span";
    case ANCHOR_OUT_OF_RANGE: return "span_out_of_range";
    case ANCHOR_EMPTY_SPAN: return "empty_span";
    case ANCHOR_MISMATCH: return "exact_mismatch";
    case ANCHOR_NOT_FOUND: return "quote_not_found";
    case ANCHOR_AMBIGUOUS: return "ambiguous_quote";
    }
    return "invalid_span";
}
