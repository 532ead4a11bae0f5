/* Quote and position anchoring (anchor.c): the input is
 * flags(1) start(2) end(2) then text \0 exact \0 prefix \0 suffix, all
 * UTF-8. A resolved span must lie in the text, count code points as the
 * text does and quote exactly what was asked for. */
#include "anchor.h"
#include "fuzz.h"
#include "utf8.h"

#include <string.h>

static const char *part(const char **p, const char *end, size_t *len)
{
    const char *start = *p;
    const char *nul = memchr(start, '\0', (size_t)(end - start));
    *len = (size_t)((nul ? nul : end) - start);
    *p = nul ? nul + 1 : end;
    return start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    struct anchor_request req = {0};
    unsigned flags = data[0];
    req.has_position = flags & 1;
    req.start = (long long)(int16_t)(data[1] | data[2] << 8);
    req.end = (long long)(int16_t)(data[3] | data[4] << 8);
    const char *p = (const char *)data + 5, *end = (const char *)data + size;
    size_t text_len, n;
    const char *text = part(&p, end, &text_len);
    const char *exact = part(&p, end, &n);
    if (flags & 2) {
        req.exact = exact;
        req.exact_len = n;
    }
    req.prefix = part(&p, end, &req.prefix_len);
    req.suffix = part(&p, end, &req.suffix_len);
    size_t bad;
    if (!utf8_valid(text, text_len, &bad) || (req.exact && !utf8_valid(req.exact, req.exact_len, &bad))
        || !utf8_valid(req.prefix, req.prefix_len, &bad) || !utf8_valid(req.suffix, req.suffix_len, &bad))
        return 0;
    /* the text must be a string of its own (anchor reads it with a length) */
    char *copy = malloc(text_len + 1);
    if (!copy)
        return 0;
    memcpy(copy, text, text_len);
    copy[text_len] = '\0';
    struct anchor_result out;
    anchor_resolve(copy, text_len, &req, &out);
    FUZZ_ASSERT(anchor_status_code(out.status) && anchor_status_message(out.status));
    if (out.status == ANCHOR_OK) {
        const struct anchor_span *s = &out.span;
        FUZZ_ASSERT(s->prefix_byte <= s->byte_start && s->byte_start < s->byte_end);
        FUZZ_ASSERT(s->byte_end <= s->suffix_byte && s->suffix_byte <= text_len);
        FUZZ_ASSERT(s->start < s->end);
        FUZZ_ASSERT(utf8_count(copy, s->byte_start) == s->start);
        FUZZ_ASSERT(utf8_count(copy + s->byte_start, s->byte_end - s->byte_start) == s->end - s->start);
        if (req.exact)
            FUZZ_ASSERT(s->byte_end - s->byte_start == req.exact_len
                        && memcmp(copy + s->byte_start, req.exact, req.exact_len) == 0);
        /* Offsets alone, or offsets where exact is: the span is there. Else
         * they were a hint and the span moved to the occurrence of exact
         * nearest to them (quoting exact, checked above). */
        if (req.has_position && !out.moved)
            FUZZ_ASSERT((long long)s->start == req.start && (long long)s->end == req.end);
        if (out.moved)
            FUZZ_ASSERT(req.has_position && req.exact
                        && ((long long)s->start != req.start || (long long)s->end != req.end));
    }
    if (out.status == ANCHOR_AMBIGUOUS || out.status == ANCHOR_NOT_FOUND) {
        size_t listed = out.n_candidates < ANCHOR_MAX_CANDIDATES ? out.n_candidates : ANCHOR_MAX_CANDIDATES;
        for (size_t i = 0; i < listed; i++)
            FUZZ_ASSERT(out.candidates[i].byte_end <= text_len
                        && out.candidates[i].byte_start <= out.candidates[i].byte_end);
    }
    free(copy);
    return 0;
}
