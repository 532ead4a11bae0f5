/* page: the ?limit= and ?after= arguments of list endpoints, and the
 * {"items": [...], "next": …} envelope written around a page of rows. */
#ifndef CLAIMDB_PAGE_H
#define CLAIMDB_PAGE_H

#include "cursor.h"
#include "jsonbuf.h"
#include "request.h"

#include <stdbool.h>

#define PAGE_DEFAULT_LIMIT 50
#define PAGE_MAX_LIMIT 1000

struct page {
    unsigned limit;                 /* rows to return */
    char fetch[16];                 /* limit + 1 as text: fetch one more to know if a next page exists */
    const char *after[CURSOR_MAX_PARTS]; /* decoded cursor values, NULL when no cursor */
    char buf[CURSOR_MAX_LEN];
};

/* Parses ?limit (default 50, 1..1000) and ?after (a cursor of `parts`
 * values). Returns false after replying 400 (invalid_limit, invalid_cursor). */
bool page_or_reply(struct request *r, struct page *pg, size_t parts);

/* Starts the envelope: writes {"items":[ */
void page_begin(struct jsonbuf *jb);

/* Ends the envelope with "next": the cursor for `values` (the sort key of the
 * last row returned) when more rows exist, else null. */
void page_end(struct jsonbuf *jb, bool more, const char *const *values, size_t n);

#endif
