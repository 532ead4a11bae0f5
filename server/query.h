/* query: the pure parts of query-string handling, before MHD stores the
 * arguments (unit-tested and fuzzed: fuzz/fuzz_query.c). */
#ifndef CLAIMDB_QUERY_H
#define CLAIMDB_QUERY_H

#include <stddef.h>

/* More query parameters than any route reads by far. MHD stores each in the
 * connection's 32 KiB pool; a few hundred exhausted it and MHD closed the
 * connection without a reply, so the server counts them first (and answers
 * 414 beyond this). */
#define QUERY_MAX_PARAMS 64

/* The number of parameters in the query string q (the text after '?', up to
 * its end or a space): separators are '&' and ';'. An empty q has 1. */
unsigned query_param_count(const char *q);

/* %HH-decodes s in place (as MHD does, '+' untouched), except that "%00"
 * stays as it is: a NUL would cut the value short in every C string after
 * this (GET /v1/claims/%00 became the list of claims); left encoded it is
 * refused as the malformed id or value it is. Returns the new length; s is
 * NUL-terminated there and holds no NUL before it. */
size_t query_unescape(char *s);

#endif
