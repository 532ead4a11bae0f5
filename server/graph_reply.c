#include "graph_reply.h"

#include "reply.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool graph_format_or_reply(struct request *r, enum graph_format *f)
{
    static const char *const formats[] = {"json", "graphml", "csv", NULL};
    static const char *const parts[] = {"nodes", "edges", NULL};
    const char *format, *part;
    if (!query_enum_or_reply(r, "format", formats, &format) || !query_enum_or_reply(r, "part", parts, &part))
        return false;
    bool csv = format && strcmp(format, "csv") == 0;
    if (csv && !part) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "missing_parameter", "part",
                    "format=csv writes one table: name it with part=nodes or part=edges");
        return false;
    }
    if (!csv && part) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_parameter", "part", "part applies to format=csv only");
        return false;
    }
    *f = !format                             ? GRAPH_JSON
         : strcmp(format, "graphml") == 0    ? GRAPH_GRAPHML
         : csv && strcmp(part, "edges") == 0 ? GRAPH_CSV_EDGES
         : csv                               ? GRAPH_CSV_NODES
                                             : GRAPH_JSON;
    return true;
}

void reply_graph(struct request *r, const PGresult *res, int n, const struct graph_shape *shape,
                 enum graph_format f)
{
    struct jsonbuf jb = {0};
    graph_write(&jb, res, n, shape, f);
    size_t len;
    char *text = jb_steal(&jb, &len);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        fputs("claimdb: cannot create a response\n", stderr);
        abort();
    }
    reply_response(r, MHD_HTTP_OK, resp);
    r->bytes_out = len;
    graph_reply_headers(r, shape, f);
}

void graph_reply_headers(struct request *r, const struct graph_shape *shape, enum graph_format f)
{
    reply_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, graph_content_type(f));
    if (f == GRAPH_CSV_NODES || f == GRAPH_CSV_EDGES || f == GRAPH_GRAPHML) {
        char disposition[128];
        snprintf(disposition, sizeof disposition, "attachment; filename=\"claimdb-%s%s.%s\"", shape->name,
                 f == GRAPH_CSV_NODES   ? "-nodes"
                 : f == GRAPH_CSV_EDGES ? "-edges"
                                        : "",
                 f == GRAPH_GRAPHML ? "graphml" : "csv");
        reply_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    }
}
