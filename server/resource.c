#include "resource.h"

#include "reply.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>

void reply_not_found(struct request *r, const char *what, const char *id)
{
    reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "id", "no %s with id %s", what, id);
}

void reply_object_or_404(struct request *r, PGresult *res, int col, const char *what, const char *id)
{
    if (PQntuples(res) == 0) {
        reply_not_found(r, what, id);
        PQclear(res);
    } else {
        reply_object(r, MHD_HTTP_OK, res, 0, col);
    }
}

void reply_created_row(struct request *r, PGresult *res, const char *collection)
{
    char location[128];
    snprintf(location, sizeof location, "%s/%s", collection, PQgetvalue(res, 0, 0));
    reply_created(r, location, PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1));
    PQclear(res);
}

void reply_deleted_or_404(struct request *r, PGresult *res, const char *what, const char *id)
{
    if (PQntuples(res) == 0)
        reply_not_found(r, what, id);
    else
        reply_no_content(r);
    PQclear(res);
}

/* Runs `statement` with the validated path id; NULL after replying. */
static PGresult *exec_with_path_id(struct request *r, const char *statement, const char **id)
{
    *id = uuid_param_or_reply(r, "id");
    const char *params[] = {*id};
    return *id ? db_run_or_reply(r, statement, 1, params) : NULL;
}

void reply_get_by_id(struct request *r, const char *statement, const char *what)
{
    const char *id;
    PGresult *res = exec_with_path_id(r, statement, &id);
    if (res)
        reply_object_or_404(r, res, 0, what, id);
}

void reply_delete_by_id(struct request *r, const char *statement, const char *what)
{
    const char *id;
    PGresult *res = exec_with_path_id(r, statement, &id);
    if (res)
        reply_deleted_or_404(r, res, what, id);
}

PGresult *db_exec_with_body_or_reply(struct request *r, PGconn *conn, const char *statement, const char *id,
                                     const json_t *body)
{
    char *text = json_text(body);
    const char *with_id[] = {id, text}, *alone[] = {text};
    PGresult *res = id ? db_exec_or_reply(r, conn, statement, 2, with_id)
                       : db_exec_or_reply(r, conn, statement, 1, alone);
    free(text);
    return res;
}

void reply_patched_or_404(struct request *r, const char *statement, const char *id, const char *what)
{
    PGconn *conn = db_conn_or_reply(r);
    PGresult *res = conn ? db_exec_with_body_or_reply(r, conn, statement, id, r->json) : NULL;
    if (res)
        reply_object_or_404(r, res, 0, what, id);
}

void reply_patch_from_body(struct request *r, const char *statement, const struct field_spec *specs,
                           const char *what)
{
    const char *id = uuid_param_or_reply(r, "id");
    if (id && fields_valid_or_reply(r, r->json, "", specs, VALIDATE_PATCH))
        reply_patched_or_404(r, statement, id, what);
}

void reply_create_from_body(struct request *r, const char *statement, const struct field_spec *specs,
                            const char *collection)
{
    if (!fields_valid_or_reply(r, r->json, "", specs, VALIDATE_CREATE))
        return;
    PGconn *conn = db_conn_or_reply(r);
    PGresult *res = conn ? db_exec_with_body_or_reply(r, conn, statement, NULL, r->json) : NULL;
    if (res)
        reply_created_row(r, res, collection);
}
