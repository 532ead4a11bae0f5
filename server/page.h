/* page: the ?limit= and ?after= arguments of list endpoints, and the
 * {"items": [...], "next": …} envelope written around a page of rows. */
#ifndef CLAIMDB_PAGE_H
#define CLAIMDB_PAGE_H

#include "cursor.h"
#include "jsonbuf.h"
#include "rowjson.h"
#include "request.h"

#include <stdbool.h>

#define PAGE_DEFAULT_LIMIT 50
#define PAGE_MAX_LIMIT 1000

struct page {
    unsigned limit;                      /* rows to return */
    char fetch[16];                      /* limit + 1 as text: fetch one more to know if a next page exists */
    const char *after[CURSOR_MAX_PARTS]; /* decoded cursor values, NULL when no cursor */
    char buf[CURSOR_MAX_LEN];
};

/* Parses ?limit (default 50, 1..1000) and ?after (a cursor of `parts`
 * values). Returns false after replying 400 (invalid_limit, invalid_cursor). */
bool page_or_reply(struct request *r, struct page *pg, size_t parts);

/* page_or_reply for lists ordered by id: the cursor holds one UUID.
 * Returns false after replying 400. */
bool page_by_id_or_reply(struct request *r, struct page *pg);

/* Replies 200 with a page of res: at most pg->limit rows, each written with
 * cols; when res holds more rows (the statement fetched pg->fetch), "next"
 * is the cursor of columns key_cols[0..nkeys) of the last row written.
 * Does not clear res. */
void reply_page(struct request *r, const PGresult *res, const struct page *pg, const struct col *cols,
                const int *key_cols, size_t nkeys);

/* As reply_page, for the first n rows of res only (statements that add a
 * row of NULLs to tell "no rows" from "no parent"). */
void reply_page_n(struct request *r, const PGresult *res, int n, const struct page *pg,
                  const struct col *cols, const int *key_cols, size_t nkeys);

/* The end of a list handler: runs `statement` with params on the request's
 * connection and replies with the page of its rows, as reply_page. */
void reply_page_of(struct request *r, const char *statement, int nparams, const char *const *params,
                   const struct page *pg, const struct col *cols, const int *key_cols, size_t nkeys);

/* A ranked list (?q=): the best pg->limit rows of res, and no next page.
 * Does not clear res. */
void reply_ranked_page(struct request *r, const PGresult *res, const struct page *pg, const struct col *cols);

/* GET <parent>/{id}/<children> in full (?limit, ?after by id): runs
 * `statement` ($1 the parent's id, $2 after, $3 the fetch count), which
 * returns the parent's row alone, its columns NULL, when it has no (more)
 * children, and no row when there is no such parent (404 for `parent`). */
void reply_child_page(struct request *r, const char *statement, const char *parent, const struct col *cols);

/* The usual key: column 0, the id. */
extern const int PAGE_KEY_ID[1];

/* Starts the envelope: writes {"items":[ */
void page_begin(struct jsonbuf *jb);

/* Ends the envelope with "next": the cursor for `values` (the sort key of the
 * last row returned) when more rows exist, else null. */
void page_end(struct jsonbuf *jb, bool more, const char *const *values, size_t n);

#endif
