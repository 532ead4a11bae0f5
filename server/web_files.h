/* web_files: the page's static files (web/), embedded at build time by
 * scripts/embed_web.sh so that `claimdb serve` serves its own page. */
#ifndef CLAIMDB_WEB_FILES_H
#define CLAIMDB_WEB_FILES_H

#include <stddef.h>

struct web_file {
    const char *name;         /* the file name in web/, e.g. "app.js" */
    const char *content_type; /* from the extension */
    const char *etag;         /* a quoted strong ETag: a prefix of the SHA-256 */
    const unsigned char *data;
    size_t size;
};

extern const struct web_file web_files[];
extern const size_t web_files_count;

#endif
