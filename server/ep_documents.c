/* /v1/documents: the verbatim texts claims are anchored to.
 *
 * The pattern every resource file follows: validate the body against a field
 * table, pass it to PostgreSQL as one jsonb parameter, let the statement pick
 * the fields and return the row as JSON (json_build_object: one object costs
 * the database no more than plain columns), and reply with that text. Lists
 * return plain columns serialized in C (rowjson). */
#include "db.h"
#include "entities.h"
#include "entity_sql.h"
#include "page.h"
#include "registry.h"
#include "reply.h"
#include "resource.h"
#include "rowjson.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The document as the API shows it; `d` is the row (entity_sql.h). */
#define DOCUMENT_JSON "json_build_object(" DOCUMENT_SQL_MEMBERS("d") ")"

/* List items: every stored field but the text, which can be large
 * (GET /v1/documents/{id} has it). Order matches list_cols. */
#define DOCUMENT_LIST_COLUMNS DOCUMENT_SQL_LIST("d")

static const struct col list_cols[] = {DOCUMENT_LIST_COLS, {NULL, COL_END}};

static const struct db_statement statements[] = {
    {"document_create", "INSERT INTO documents AS d (" DOCUMENT_SQL_INSERT_COLUMNS ")"
                        " SELECT " DOCUMENT_SQL_INSERT_VALUES " FROM (SELECT $1::jsonb AS b) AS input"
                        " RETURNING d.id, " DOCUMENT_JSON},
    {"document_get", "SELECT " DOCUMENT_JSON " FROM documents d WHERE d.id = $1::uuid"},
    {"document_list", "SELECT " DOCUMENT_LIST_COLUMNS " FROM documents d"
                      " WHERE ($1::uuid IS NULL OR d.id > $1::uuid)"
                      " AND ($2::uuid IS NULL OR d.project_id = $2::uuid)"
                      " AND ($3::text IS NULL OR d.external_id = $3)"
                      /* q as in GET /v1/search: full text of title and text, or a word start in the title */
                      " AND ($5::text IS NULL OR d.search @@ (SELECT claimdb_tsquery($5::text))"
                      "  OR d.title ~* (SELECT claimdb_prefix_regex($5::text)))"
                      " ORDER BY d.id LIMIT $4::int"},
    {"document_patch", "UPDATE documents d SET " DOCUMENT_SQL_UPDATE(
                           "d") " FROM (SELECT $2::jsonb AS b) AS input WHERE d.id = $1::uuid"
                                " RETURNING " DOCUMENT_JSON},
    {"document_delete", "DELETE FROM documents WHERE id = $1::uuid RETURNING id"},
    /* Claims go (their attributions, relations and citations cascade with
     * them); sources that quoted the document stay, unlinked from it. */
    {"document_delete_cascade",
     "WITH gone AS (DELETE FROM claims WHERE document_id = $1::uuid),"
     " unlinked AS (UPDATE sources SET document_id = NULL WHERE document_id = $1::uuid)"
     " DELETE FROM documents WHERE id = $1::uuid RETURNING id"},
    {NULL, NULL},
};

static void create_document(struct request *r)
{
    reply_create_from_body(r, "document_create", ENTITY_DOCUMENT.fields, "/v1/documents");
}

static void get_document(struct request *r)
{
    reply_get_by_id(r, "document_get", "document");
}

static void list_documents(struct request *r)
{
    static const char *const known[] = {"limit", "after", "project_id", "external_id", "q", NULL};
    struct page pg;
    const char *project_id;
    if (!query_known_or_reply(r, known) || !page_by_id_or_reply(r, &pg)
        || !query_uuid_or_reply(r, "project_id", &project_id))
        return;
    const char *params[] = {pg.after[0], project_id, request_query(r, "external_id"), pg.fetch,
                            request_query(r, "q")};
    reply_page_of(r, "document_list", 5, params, &pg, list_cols, PAGE_KEY_ID, 1);
}

static void patch_document(struct request *r)
{
    /* text and project_id are set once: 409 immutable (fields_check). */
    reply_patch_from_body(r, "document_patch", ENTITY_DOCUMENT.fields, "document");
}

static void delete_document(struct request *r)
{
    static const char *const known[] = {"cascade", NULL};
    bool cascade;
    if (!uuid_param_or_reply(r, "id") || !query_known_or_reply(r, known)
        || !query_bool_or_reply(r, "cascade", false, &cascade))
        return;
    /* A document with claims gives 409 has_claims, naming ?cascade=true
     * (the wording of claims_document_id_project_id_fkey in errors.c). */
    reply_delete_by_id(r, cascade ? "document_delete_cascade" : "document_delete", "document");
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "POST",   .pattern = "/v1/documents",      .handler = create_document, .body = BODY_JSON, .access = ACCESS_CURATE},
    {.method = "GET",    .pattern = "/v1/documents",      .handler = list_documents,                     .access = ACCESS_READ},
    {.method = "GET",    .pattern = "/v1/documents/{id}", .handler = get_document,                       .access = ACCESS_READ},
    {.method = "PATCH",  .pattern = "/v1/documents/{id}", .handler = patch_document,  .body = BODY_JSON, .access = ACCESS_CURATE},
    {.method = "DELETE", .pattern = "/v1/documents/{id}", .handler = delete_document,                    .access = ACCESS_CURATE},
    {.method = NULL},
};
/* clang-format on */

const struct resource document_resource = {.name = "documents", .routes = routes, .statements = statements};
