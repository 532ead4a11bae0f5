/* /v1/codebook: each project's tag codebook — the tags its annotators use,
 * hierarchical (topic/xinjiang under topic), each with a description — and
 * the check that makes a claim's tags come from it when the project's
 * settings say strict_tags.
 *
 * Follows ep_documents.c: validated body as one jsonb parameter, single
 * objects built by json_build_object, lists serialized in C. References
 * (the project, the parent entry) are checked inside the write statement so
 * that the error names the field. */
#include "codebook.h"

#include "db.h"
#include "entities.h"
#include "entity_sql.h"
#include "errors.h"
#include "page.h"
#include "registry.h"
#include "reply.h"
#include "resource.h"
#include "rowjson.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The entry as the API shows it; `e` is the row (entity_sql.h). */
#define ENTRY_JSON "json_build_object(" CODEBOOK_SQL_MEMBERS("e") ")"

#define ENTRY_LIST_COLUMNS CODEBOOK_SQL_LIST("e")

static const struct col list_cols[] = {CODEBOOK_LIST_COLS, {NULL, COL_END}};

#define STRICT_TAGS(p) CODEBOOK_STRICT_TAGS_SQL(p)

static const struct db_statement statements[] = {
    /* $1 body, $2 project from the query (NULL: the body's, else the
     * default). One row: the new entry (id, JSON) or NULLs, whether the
     * project and the parent exist. NULLs with both true: the tag exists.
     * A project the caller cannot see is still tried, so that row-level
     * security refuses it (403) as it refuses every other create there, and
     * the foreign key a project that does not exist (a server admin's 422). */
    {"codebook_create",
     "WITH input AS (SELECT $1::jsonb AS b,"
     "  coalesce($2::uuid, ($1::jsonb->>'project_id')::uuid, " DEFAULT_PROJECT_SQL ") AS pid),"
     " checks AS (SELECT EXISTS (SELECT 1 FROM projects p WHERE p.id = pid) AS project_ok,"
     "  (b->>'parent') IS NULL OR EXISTS (SELECT 1 FROM codebook_entries x"
     "   WHERE x.project_id = pid AND x.tag = b->>'parent') AS parent_ok FROM input),"
     " created AS (INSERT INTO codebook_entries AS e (" CODEBOOK_SQL_INSERT_COLUMNS ")"
     "  SELECT " CODEBOOK_SQL_INSERT_VALUES " FROM input, checks"
     "  WHERE parent_ok OR NOT project_ok ON CONFLICT (project_id, tag) DO NOTHING RETURNING e.*)"
     " SELECT e.id, " ENTRY_JSON
     ", checks.project_ok, checks.parent_ok FROM checks LEFT JOIN created e ON true"},
    {"codebook_get", "SELECT " ENTRY_JSON " FROM codebook_entries e WHERE e.id = $1::uuid"},
    /* By tag in byte order; $1 after (a tag), $2 limit, $3 project, $4 prefix. */
    {"codebook_list", "SELECT " ENTRY_LIST_COLUMNS " FROM codebook_entries e"
                      " WHERE ($1::text IS NULL OR e.tag COLLATE \"C\" > $1::text COLLATE \"C\")"
                      " AND ($3::uuid IS NULL OR e.project_id = $3::uuid)"
                      " AND ($4::text IS NULL OR starts_with(e.tag, $4::text))"
                      " ORDER BY e.tag COLLATE \"C\", e.id LIMIT $2::int"},
    /* $1 id, $2 body. No row: no such entry; otherwise the updated entry
     * (or NULLs) and whether the parent exists and leaves no cycle. */
    {"codebook_patch",
     "WITH input AS (SELECT $2::jsonb AS b),"
     " existing AS (SELECT x.project_id, x.tag FROM codebook_entries x WHERE x.id = $1::uuid),"
     " checks AS (SELECT (b->>'parent') IS NULL OR EXISTS (SELECT 1 FROM codebook_entries x"
     "   WHERE x.project_id = existing.project_id AND x.tag = b->>'parent') AS parent_ok,"
     "  (b->>'parent') IS NULL OR NOT EXISTS (WITH RECURSIVE up(tag) AS (SELECT b->>'parent'"
     "   UNION SELECT x.parent FROM codebook_entries x JOIN up ON x.tag = up.tag"
     "   WHERE x.project_id = existing.project_id AND x.parent IS NOT NULL)"
     "   SELECT 1 FROM up WHERE up.tag = existing.tag) AS acyclic FROM input, existing),"
     " updated AS (UPDATE codebook_entries e SET " CODEBOOK_SQL_UPDATE(
         "e") "  FROM input, checks WHERE e.id = $1::uuid AND parent_ok AND acyclic RETURNING e.*)"
              " SELECT e.id, " ENTRY_JSON
              ", checks.parent_ok, checks.acyclic FROM checks LEFT JOIN updated e ON true"},
    {"codebook_delete", "DELETE FROM codebook_entries WHERE id = $1::uuid RETURNING id"},
    /* The tags of $3 (a JSON array) that the codebook of the claim's project
     * lacks when that project has strict_tags: the project is $1, else the
     * claim $2's, else the default. Each with its position and the three
     * most similar entries. No row: every tag is fine. */
    {"codebook_unknown_tags",
     "SELECT t.tag, t.n - 1, (SELECT coalesce(json_agg(json_build_object('tag', s.tag, 'description',"
     "  s.description, 'score', round(s.score::numeric, 3)) ORDER BY s.score DESC, s.tag), '[]')"
     "  FROM (SELECT x.tag, x.description, similarity(x.tag, t.tag) AS score FROM codebook_entries x"
     "   WHERE x.project_id = p.id ORDER BY similarity(x.tag, t.tag) DESC, x.tag LIMIT 3) s)"
     " FROM projects p, jsonb_array_elements_text($3::jsonb) WITH ORDINALITY AS t(tag, n)"
     " WHERE p.id = coalesce($1::uuid, (SELECT c.project_id FROM claims c WHERE c.id = "
     "$2::uuid), " DEFAULT_PROJECT_SQL ")"
     " AND " STRICT_TAGS(
         "p") " AND NOT EXISTS (SELECT 1 FROM codebook_entries x WHERE x.project_id = p.id AND x.tag = t.tag)"
              " ORDER BY t.n"},
    {NULL, NULL},
};

/* An entry's fields are described in entities.c (ENTITY_CODEBOOK), the
 * NDJSON export and import's too. */
#define entry_fields (ENTITY_CODEBOOK.fields)

static bool tag_member_ok_or_reply(struct request *r, const char *name)
{
    const char *tag = json_string_value(json_object_get(r->json, name));
    if (!tag || tag_path_valid(tag))
        return true;
    reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_value", name,
                "%s must be a tag path like topic/xinjiang: no empty segment, no leading or trailing /",
                name);
    return false;
}

static void create_entry(struct request *r)
{
    static const char *const known[] = {"project_id", NULL};
    const char *project_id;
    if (!query_known_or_reply(r, known) || !query_uuid_or_reply(r, "project_id", &project_id)
        || !fields_valid_or_reply(r, r->json, "", entry_fields, VALIDATE_CREATE)
        || !tag_member_ok_or_reply(r, "tag") || !tag_member_ok_or_reply(r, "parent"))
        return;
    const char *in_body = json_string_value(json_object_get(r->json, "project_id"));
    if (project_id && in_body && strcasecmp(project_id, in_body) != 0) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_value", "project_id",
                    "project_id in the query and in the body differ");
        return;
    }
    char *body = json_text(r->json);
    const char *params[] = {body, project_id};
    PGresult *res = db_run_or_reply(r, "codebook_create", 2, params);
    free(body);
    if (!res)
        return;
    if (PQgetvalue(res, 0, 2)[0] != 't')
        reply_error(r, 422, "unknown_reference", "project_id", "project_id does not name a project");
    else if (PQgetvalue(res, 0, 3)[0] != 't')
        reply_error(r, 422, "unknown_reference", "parent",
                    "parent is not a tag of this project's codebook;"
                    " create the parent entry first");
    else if (PQgetisnull(res, 0, 0))
        reply_error(r, MHD_HTTP_CONFLICT, "duplicate_tag", "tag", "the codebook already has this tag");
    else {
        reply_created_row(r, res, "/v1/codebook");
        return;
    }
    PQclear(res);
}

static void list_entries(struct request *r)
{
    static const char *const known[] = {"limit", "after", "project_id", "prefix", NULL};
    struct page pg;
    const char *project_id;
    if (!query_known_or_reply(r, known) || !page_or_reply(r, &pg, 1)
        || !query_uuid_or_reply(r, "project_id", &project_id))
        return;
    const char *params[] = {pg.after[0], pg.fetch, project_id, request_query(r, "prefix")};
    static const int tag_key[] = {2};
    reply_page_of(r, "codebook_list", 4, params, &pg, list_cols, tag_key, 1);
}

static void get_entry(struct request *r)
{
    reply_get_by_id(r, "codebook_get", "codebook entry");
}

static void patch_entry(struct request *r)
{
    const char *id = uuid_param_or_reply(r, "id");
    if (!id)
        return;
    for (const char *const *f = (const char *const[]){"tag", "project_id", NULL}; *f; f++)
        if (json_object_get(r->json, *f)) {
            reply_error(r, MHD_HTTP_CONFLICT, "immutable", *f,
                        "%s of a codebook entry does not change (claims carry the tag): create a new entry",
                        *f);
            return;
        }
    if (!fields_valid_or_reply(r, r->json, "", entry_fields, VALIDATE_PATCH)
        || !tag_member_ok_or_reply(r, "parent"))
        return;
    PGconn *conn = db_conn_or_reply(r);
    PGresult *res = conn ? db_exec_with_body_or_reply(r, conn, "codebook_patch", id, r->json) : NULL;
    if (!res)
        return;
    if (PQntuples(res) == 0)
        reply_not_found(r, "codebook entry", id);
    else if (PQgetvalue(res, 0, 2)[0] != 't')
        reply_error(r, 422, "unknown_reference", "parent", "parent is not a tag of this project's codebook");
    else if (PQgetvalue(res, 0, 3)[0] != 't')
        reply_error(r, 422, "parent_cycle", "parent", "parent would make the entry a refinement of itself");
    else
        reply_json_copy(r, MHD_HTTP_OK, PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1));
    PQclear(res);
}

static void delete_entry(struct request *r)
{
    /* Entries still naming it as parent give 409 still_referenced, worded in errors.c. */
    reply_delete_by_id(r, "codebook_delete", "codebook entry");
}

bool codebook_tags_ok_or_reply(struct request *r, PGconn *conn, const char *project_id, const char *claim_id,
                               const json_t *tags)
{
    if (!json_is_array(tags) || json_array_size(tags) == 0)
        return true;
    char *text = json_text(tags);
    const char *params[] = {project_id, claim_id, text};
    PGresult *res = db_exec_or_reply(r, conn, "codebook_unknown_tags", 3, params);
    free(text);
    if (!res)
        return false;
    bool ok = PQntuples(res) == 0;
    if (!ok) {
        /* One error per unknown tag, each with its own suggestions; the
         * first also lists them all in "unknown" (its shape before errors[]). */
        json_t *unknown = json_array(), *errors = json_array();
        for (int i = 0; i < PQntuples(res); i++) {
            json_t *suggestions = json_loadb(PQgetvalue(res, i, 2), (size_t)PQgetlength(res, i, 2), 0, NULL);
            int index = atoi(PQgetvalue(res, i, 1));
            json_array_append_new(unknown, json_pack("{s:s, s:i, s:O*}", "tag", PQgetvalue(res, i, 0),
                                                     "index", index, "suggestions", suggestions));
            char field[32], message[1200]; /* a tag is at most TAG_MAX_LEN code points */
            snprintf(field, sizeof field, "tags[%d]", index);
            snprintf(message, sizeof message, CODEBOOK_UNKNOWN_TAG_MESSAGE, field, PQgetvalue(res, i, 0));
            json_t *body = error_body(422, "unknown_tag", field, message,
                                      json_pack("{s:o*}", "suggestions", suggestions));
            json_array_append(errors, json_object_get(body, "error"));
            json_decref(body);
        }
        json_object_set_new(json_array_get(errors, 0), "unknown", unknown);
        reply_errors(r, errors);
    }
    PQclear(res);
    return ok;
}

/* Reading the codebook is reading the project; editing it is a curator's
 * (the teams issue's roles: "manage sources and tags"). */
/* clang-format off */
static const struct route routes[] = {
    {.method = "POST",   .pattern = "/v1/codebook",      .handler = create_entry, .body = BODY_JSON, .access = ACCESS_CURATE},
    {.method = "GET",    .pattern = "/v1/codebook",      .handler = list_entries,                    .access = ACCESS_READ},
    {.method = "GET",    .pattern = "/v1/codebook/{id}", .handler = get_entry,                       .access = ACCESS_READ},
    {.method = "PATCH",  .pattern = "/v1/codebook/{id}", .handler = patch_entry,  .body = BODY_JSON, .access = ACCESS_CURATE},
    {.method = "DELETE", .pattern = "/v1/codebook/{id}", .handler = delete_entry,                    .access = ACCESS_CURATE},
    {.method = NULL},
};
/* clang-format on */

const struct resource codebook_resource = {.name = "codebook", .routes = routes, .statements = statements};
