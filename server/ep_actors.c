/* /v1/actors: the people, organisations, governments, media and groups who
 * make, report or endorse claims, and merging two records of the same one.
 *
 * Follows ep_documents.c: validated body as one jsonb parameter, single
 * objects built by json_build_object, lists serialized in C. */
#include "db.h"
#include "entities.h"
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


/* The actor as the API shows it; `a` is the row. */
#define ACTOR_JSON                                                                         \
    "json_build_object('id', a.id, 'rev', a.rev, 'project_id', a.project_id, 'name', a.name,"           \
    " 'kind', a.kind, 'aliases', a.aliases, 'description', a.description,"                \
    " 'external_ids', a.external_ids, 'annotator', a.annotator,"                          \
    " 'created_at', a.created_at, 'updated_at', a.updated_at)"

/* List columns, in list_cols order. */
#define ACTOR_LIST_COLUMNS                                                                 \
    "a.id, a.rev, a.project_id, a.name, a.kind, to_json(a.aliases), a.description,"              \
    " a.external_ids, a.annotator, a.created_at, a.updated_at"

/* The filters both list statements share; $1 after, $2 project, $3 kind. */
#define ACTOR_LIST_FILTERS                                                                 \
    " ($1::uuid IS NULL OR a.id > $1::uuid)"                                               \
    " AND ($2::uuid IS NULL OR a.project_id = $2::uuid)"                                   \
    " AND ($3::actor_kind IS NULL OR a.kind = $3::actor_kind)"

/* A JSON array of strings in the body `b` as text[] (empty when absent). */
#define BODY_TEXT_ARRAY(member) "ARRAY(SELECT jsonb_array_elements_text(b->'" member "'))"

static const struct col list_cols[] = {
    {"id", COL_STRING}, {"rev", COL_NUMBER}, {"project_id", COL_STRING}, {"name", COL_STRING},
    {"kind", COL_STRING}, {"aliases", COL_JSON}, {"description", COL_STRING},
    {"external_ids", COL_JSON}, {"annotator", COL_STRING}, {"created_at", COL_TIMESTAMP},
    {"updated_at", COL_TIMESTAMP}, {NULL, COL_END},
};

static const struct db_statement statements[] = {
    {"actor_create",
     "INSERT INTO actors AS a (project_id, name, kind, aliases, description, external_ids, annotator)"
     " SELECT coalesce((b->>'project_id')::uuid, " DEFAULT_PROJECT_SQL "), b->>'name',"
     " coalesce((b->>'kind')::actor_kind, 'other'), " BODY_TEXT_ARRAY("aliases") ","
     " b->>'description', coalesce(nullif(b->'external_ids', 'null'), '{}'), b->>'annotator'"
     " FROM (SELECT $1::jsonb AS b) AS input"
     " RETURNING a.id, " ACTOR_JSON},
    {"actor_get", "SELECT " ACTOR_JSON " FROM actors a WHERE a.id = $1::uuid"},
    {"actor_list",
     "SELECT " ACTOR_LIST_COLUMNS " FROM actors a WHERE" ACTOR_LIST_FILTERS
     " ORDER BY a.id LIMIT $4::int"},
    /* A separate statement whose name condition is never optional, planned
     * on its own (MATERIALIZED): otherwise, once PostgreSQL switches the
     * prepared statement to a generic plan, ORDER BY id LIMIT n makes it walk
     * the primary key and filter every actor (170 ms at 50k actors) instead
     * of asking the GIN index actors_names (a few ms). */
    {"actor_list_by_name",
     "WITH named AS MATERIALIZED (SELECT * FROM actors"
     "  WHERE actor_names(name, aliases) @> ARRAY[lower($5::text)])"
     " SELECT " ACTOR_LIST_COLUMNS " FROM named a WHERE" ACTOR_LIST_FILTERS
     " ORDER BY a.id LIMIT $4::int"},
    {"actor_patch",
     "UPDATE actors a SET"
     " name = CASE WHEN b ? 'name' THEN b->>'name' ELSE a.name END,"
     " kind = CASE WHEN b ? 'kind' THEN (b->>'kind')::actor_kind ELSE a.kind END,"
     " aliases = CASE WHEN b ? 'aliases' THEN " BODY_TEXT_ARRAY("aliases") " ELSE a.aliases END,"
     " description = CASE WHEN b ? 'description' THEN b->>'description' ELSE a.description END,"
     " external_ids = CASE WHEN b ? 'external_ids' THEN coalesce(nullif(b->'external_ids', 'null'), '{}')"
     "  ELSE a.external_ids END,"
     " annotator = CASE WHEN b ? 'annotator' THEN b->>'annotator' ELSE a.annotator END"
     " FROM (SELECT $2::jsonb AS b) AS input WHERE a.id = $1::uuid"
     " RETURNING " ACTOR_JSON},
    {"actor_delete", "DELETE FROM actors WHERE id = $1::uuid RETURNING id"},
    /* Locks both actors of a merge, in id order (two merges of the same
     * pair cannot deadlock); `merged` tells which row is which. */
    {"actor_merge_lock",
     "SELECT a.id = $1::uuid AS merged, a.project_id FROM actors a"
     " WHERE a.id IN ($1::uuid, $2::uuid) ORDER BY a.id FOR UPDATE"},
    /* Moves every reference from $1 to $2 and folds $1's names into $2's
     * aliases (first spelling kept, none equal to $2's name, ignoring case)
     * and its external ids under $2's (which win on a clash). */
    {"actor_merge_move",
     "WITH attributions_moved AS (UPDATE attributions SET actor_id = $2::uuid WHERE actor_id = $1::uuid),"
     " relations_moved AS (UPDATE relations SET asserted_by_actor_id = $2::uuid"
     "  WHERE asserted_by_actor_id = $1::uuid),"
     " sources_moved AS (UPDATE sources SET publisher_actor_id = $2::uuid WHERE publisher_actor_id = $1::uuid)"
     " UPDATE actors a SET"
     " aliases = ARRAY(SELECT n FROM (SELECT DISTINCT ON (lower(u.n)) u.n, u.pos"
     "   FROM unnest(a.aliases || array_prepend(m.name, m.aliases)) WITH ORDINALITY AS u(n, pos)"
     "   WHERE lower(u.n) <> lower(a.name) ORDER BY lower(u.n), u.pos) AS kept ORDER BY pos),"
     " external_ids = m.external_ids || a.external_ids,"
     " description = coalesce(a.description, m.description)"
     " FROM actors m WHERE a.id = $2::uuid AND m.id = $1::uuid"},
    {"actor_merge_drop",
     "WITH gone AS (DELETE FROM actors WHERE id = $1::uuid)"
     " SELECT " ACTOR_JSON " FROM actors a WHERE a.id = $2::uuid"},
    {NULL, NULL},
};


static const struct field_spec merge_fields[] = {
    {.name = "into", .type = F_UUID, .required = true, .flags = FIELD_CREATE},
    {.name = NULL},
};

static void create_actor(struct request *r)
{
    reply_create_from_body(r, "actor_create", ENTITY_ACTOR.fields, "/v1/actors");
}

static void get_actor(struct request *r)
{
    reply_get_by_id(r, "actor_get", "actor");
}

static void list_actors(struct request *r)
{
    static const char *const known[] = {"limit", "after", "project_id", "kind", "name", NULL};
    struct page pg;
    const char *project_id, *kind;
    if (!query_known_or_reply(r, known) || !page_by_id_or_reply(r, &pg)
        || !query_uuid_or_reply(r, "project_id", &project_id)
        || !query_enum_or_reply(r, "kind", ACTOR_KINDS, &kind))
        return;
    PGconn *conn = db_conn_or_reply(r);
    if (!conn)
        return;
    const char *name = request_query(r, "name");
    const char *params[] = {pg.after[0], project_id, kind, pg.fetch, name};
    PGresult *res = name ? db_exec_or_reply(r, conn, "actor_list_by_name", 5, params)
                         : db_exec_or_reply(r, conn, "actor_list", 4, params);
    if (!res)
        return;
    reply_page(r, res, &pg, list_cols, PAGE_KEY_ID, 1);
    PQclear(res);
}

static void patch_actor(struct request *r)
{
    const char *id = uuid_param_or_reply(r, "id");
    if (!id || !fields_valid_or_reply(r, r->json, "", ENTITY_ACTOR.fields, VALIDATE_PATCH))
        return;
    PGconn *conn = db_conn_or_reply(r);
    if (!conn)
        return;
    PGresult *res = db_exec_with_body_or_reply(r, conn, "actor_patch", id, r->json);
    if (!res)
        return;
    reply_object_or_404(r, res, 0, "actor", id);
}

static void delete_actor(struct request *r)
{
    /* Rows still pointing at it give 409 still_referenced, worded in errors.c. */
    reply_delete_by_id(r, "actor_delete", "actor");
}

/* Checks the locked rows of a merge: both actors exist, in one project.
 * Returns true, or false after replying. */
static bool merge_pair_valid_or_reply(struct request *r, const PGresult *locked, const char *id)
{
    const char *merged_project = NULL, *into_project = NULL;
    for (int i = 0; i < PQntuples(locked); i++) {
        if (PQgetvalue(locked, i, 0)[0] == 't')
            merged_project = PQgetvalue(locked, i, 1);
        else
            into_project = PQgetvalue(locked, i, 1);
    }
    if (!merged_project) {
        reply_not_found(r, "actor", id);
        return false;
    }
    if (!into_project) {
        reply_error(r, 422, "unknown_reference", "into", "into does not name an existing actor");
        return false;
    }
    if (strcmp(merged_project, into_project) != 0) {
        reply_error(r, 422, "unknown_reference", "into",
                    "into names an actor of another project; only actors of one project merge");
        return false;
    }
    return true;
}

static void merge_actor(struct request *r)
{
    const char *id = uuid_param_or_reply(r, "id");
    if (!id || !fields_valid_or_reply(r, r->json, "", merge_fields, VALIDATE_CREATE))
        return;
    const char *into = json_string_value(json_object_get(r->json, "into"));
    if (strcasecmp(id, into) == 0) {
        reply_error(r, 422, "invalid_value", "into", "an actor cannot be merged into itself");
        return;
    }
    PGconn *conn = db_conn_or_reply(r);
    if (!conn || !db_begin_or_reply(r, conn))
        return;
    const char *params[] = {id, into};
    r->reason = "merge"; /* the revision log labels what the merge changes */
    PGresult *res = db_exec_or_reply(r, conn, "actor_merge_lock", 2, params);
    bool ok = res && merge_pair_valid_or_reply(r, res, id);
    PQclear(res);
    if (ok) {
        res = db_exec_or_reply(r, conn, "actor_merge_move", 2, params);
        ok = res != NULL;
        PQclear(res);
    }
    PGresult *survivor = ok ? db_exec_or_reply(r, conn, "actor_merge_drop", 2, params) : NULL;
    if (!survivor || !db_commit_or_reply(r, conn)) {
        PQclear(survivor);
        db_rollback(conn);
        return;
    }
    reply_json_copy(r, MHD_HTTP_OK, PQgetvalue(survivor, 0, 0), (size_t)PQgetlength(survivor, 0, 0));
    PQclear(survivor);
}

static const struct route routes[] = {
    {.method = "POST", .pattern = "/v1/actors", .handler = create_actor, .body = BODY_JSON, .access = ACCESS_ANNOTATE},
    {.method = "GET", .pattern = "/v1/actors", .handler = list_actors, .access = ACCESS_READ},
    {.method = "GET", .pattern = "/v1/actors/{id}", .handler = get_actor, .access = ACCESS_READ},
    {.method = "PATCH", .pattern = "/v1/actors/{id}", .handler = patch_actor, .body = BODY_JSON, .access = ACCESS_CURATE},
    {.method = "DELETE", .pattern = "/v1/actors/{id}", .handler = delete_actor, .access = ACCESS_CURATE},
    {.method = "POST", .pattern = "/v1/actors/{id}/merge", .handler = merge_actor, .body = BODY_JSON, .access = ACCESS_CURATE},
    {.method = NULL},
};

const struct resource actor_resource = {.name = "actors", .routes = routes, .statements = statements};
