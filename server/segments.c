#include "segments.h"

#include <stdlib.h>
#include <string.h>

enum segments_status segments_check(const struct anchor_span *sp, size_t n, size_t *bad)
{
    for (size_t i = 1; i < n; i++) {
        *bad = i;
        if (sp[i].start < sp[i - 1].start)
            return SEGMENTS_OUT_OF_ORDER;
        if (sp[i].start < sp[i - 1].end)
            return SEGMENTS_OVERLAP;
    }
    return SEGMENTS_OK;
}

const char *segments_status_code(enum segments_status status)
{
    switch (status) {
    case SEGMENTS_OUT_OF_ORDER: return "segments_out_of_order";
    case SEGMENTS_OVERLAP: return "segments_overlap";
    case SEGMENTS_OK: break;
    }
    return "ok";
}

json_t *segment_json(const char *text, const struct anchor_span *sp)
{
    return json_pack("{s:I, s:I, s:s%, s:s%, s:s%}", "start", (json_int_t)sp->start, "end",
                     (json_int_t)sp->end, "exact", text + sp->byte_start, sp->byte_end - sp->byte_start,
                     "prefix", text + sp->prefix_byte, sp->byte_start - sp->prefix_byte, "suffix",
                     text + sp->byte_end, sp->suffix_byte - sp->byte_end);
}

json_t *segments_stored_json(const char *text, const struct anchor_span *sp, size_t n)
{
    size_t len = 0, joiner = strlen(SEGMENTS_JOINER);
    for (size_t i = 0; i < n; i++)
        len += sp[i].byte_end - sp[i].byte_start + (i ? joiner : 0);
    char *exact = malloc(len + 1);
    if (!exact)
        abort();
    size_t at = 0;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        if (i) {
            memcpy(exact + at, SEGMENTS_JOINER, joiner);
            at += joiner;
        }
        memcpy(exact + at, text + sp[i].byte_start, sp[i].byte_end - sp[i].byte_start);
        at += sp[i].byte_end - sp[i].byte_start;
        json_array_append_new(list, segment_json(text, &sp[i]));
    }
    const struct anchor_span *first = &sp[0], *last = &sp[n - 1];
    json_t *o = json_pack("{s:I, s:I, s:s%, s:s%, s:s%, s:o}", "start", (json_int_t)first->start, "end",
                          (json_int_t)last->end, "exact", exact, at, "prefix", text + first->prefix_byte,
                          first->byte_start - first->prefix_byte, "suffix", text + last->byte_end,
                          last->suffix_byte - last->byte_end, "segments", list);
    free(exact);
    return o;
}
