/* /v1/actors: the people, organisations, governments, media and groups who
 * make, report or endorse claims, and merging two records of the same one.
 *
 * Follows ep_documents.c: validated body as one jsonb parameter, single
 * objects built by json_build_object, lists serialized in C. */
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
#include <strings.h>

/* How similar (pg_trgm similarity of whole names, 0..1) a new actor's name
 * must be to an existing name or alias for the create to ask for "force".
 * 0.6 catches "Wang Wenbin"/"Wang Wen-bin", "OHCHR"/"OHCHR." and case
 * variants, not "Wang Wenbin"/"Wang Yi". */
#define SIMILAR_ACTOR_THRESHOLD "0.6"

/* The actor as the API shows it; `a` is the row (entity_sql.h). */
#define ACTOR_JSON "json_build_object(" ACTOR_SQL_MEMBERS("a") ")"

/* List columns, in list_cols order. */
#define ACTOR_LIST_COLUMNS ACTOR_SQL_LIST("a")

/* The filters both list statements share; $1 after, $2 project, $3 kind. */
#define ACTOR_LIST_FILTERS                               \
    " ($1::uuid IS NULL OR a.id > $1::uuid)"             \
    " AND ($2::uuid IS NULL OR a.project_id = $2::uuid)" \
    " AND ($3::actor_kind IS NULL OR a.kind = $3::actor_kind)"

/* A JSON array of strings in the body `b` as text[] (empty when absent). */
#define BODY_TEXT_ARRAY(member) "ARRAY(SELECT jsonb_array_elements_text(b->'" member "'))"

static const struct col list_cols[] = {ACTOR_LIST_COLS, {NULL, COL_END}};

static const struct db_statement statements[] = {
    /* Creates the actor unless its name is very similar to a name or alias
     * of the project's actors and the body lacks "force": true. One row:
     * the new id and object (NULL when not created) and the similar actors. */
    {"actor_create",
     "WITH input AS (SELECT $1::jsonb AS b, coalesce(($1::jsonb->>'force')::bool, false) AS force),"
     " alike AS (SELECT coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'name', s.name, 'kind', s.kind,"
     "  'aliases', s.aliases, 'score', round(s.score::numeric, 3)) ORDER BY s.score DESC, s.id), '[]') AS "
     "list"
     "  FROM input, LATERAL (SELECT x.id, x.name, x.kind, x.aliases, (SELECT max(similarity(lower(n),"
     "   lower(b->>'name'))) FROM unnest(array_prepend(x.name, x.aliases)) AS n) AS score FROM actors x"
     "   WHERE NOT force AND x.project_id = coalesce((b->>'project_id')::uuid, " DEFAULT_PROJECT_SQL ")"
     "   AND x.id IN (SELECT m.id FROM actor_matches(lower(b->>'name')) m)) s"
     "  WHERE s.score >= " SIMILAR_ACTOR_THRESHOLD "),"
     " created AS (INSERT INTO actors AS a (" ACTOR_SQL_INSERT_COLUMNS ")"
     "  SELECT " ACTOR_SQL_INSERT_VALUES "  FROM input, alike WHERE force OR alike.list = '[]'::jsonb"
     "  RETURNING a.id, " ACTOR_JSON " AS object)"
     " SELECT created.id, created.object, alike.list FROM alike LEFT JOIN created ON true"},
    /* Taken before actor_create in the same transaction (db_exec_locked_or_reply):
     * creates in one project queue here, so the similarity check of each sees
     * the actors the previous ones committed; two similar names sent at the
     * same moment were both created. $1 the body, as actor_create's. */
    {"actor_create_lock",
     "SELECT pg_advisory_xact_lock(hashtext('claimdb actor names'),"
     " hashtext(coalesce(($1::jsonb->>'project_id')::uuid, " DEFAULT_PROJECT_SQL ")::text))"},
    {"actor_get", "SELECT " ACTOR_JSON " FROM actors a WHERE a.id = $1::uuid"},
    {"actor_list",
     "SELECT " ACTOR_LIST_COLUMNS " FROM actors a WHERE" ACTOR_LIST_FILTERS " ORDER BY a.id LIMIT $4::int"},
    /* A separate statement whose name condition is never optional, planned
     * on its own (MATERIALIZED): otherwise, once PostgreSQL switches the
     * prepared statement to a generic plan, ORDER BY id LIMIT n makes it walk
     * the primary key and filter every actor (170 ms at 50k actors) instead
     * of asking the GIN index actors_names (a few ms). */
    {"actor_list_by_name",
     "WITH named AS MATERIALIZED (SELECT * FROM actors"
     "  WHERE actor_names(name, aliases) @> ARRAY[lower($5::text)])"
     " SELECT " ACTOR_LIST_COLUMNS " FROM named a WHERE" ACTOR_LIST_FILTERS " ORDER BY a.id LIMIT $4::int"},
    /* Ranked fuzzy search over names and aliases (?q=): actor_matches (a
     * substring, or pg_trgm word similarity, through the trigram index
     * actors_search); best first, then by id. $5 q. */
    {"actor_search", "WITH found AS MATERIALIZED (SELECT m.id, m.score FROM actor_matches(lower($5::text)) m)"
                     " SELECT " ACTOR_LIST_COLUMNS
                     ", round(found.score::numeric, 3) FROM found JOIN actors a ON a.id = found.id"
                     " WHERE" ACTOR_LIST_FILTERS " ORDER BY found.score DESC, a.id LIMIT $4::int"},
    /* The merged actor's forwarding address, when $1 is no longer an actor. */
    {"actor_redirect", "SELECT into_id FROM actor_merges WHERE merged_id = $1::uuid"},
    /* aliases (FIELD_PATCH_BY_HAND) also take add_aliases and remove_aliases. */
    {"actor_patch",
     "UPDATE actors a SET " ACTOR_SQL_UPDATE(
         "a") ","
              " aliases = CASE WHEN b ? 'aliases' THEN " BODY_TEXT_ARRAY(
                  "aliases") "  WHEN b ? 'add_aliases' OR b ? 'remove_aliases' THEN ARRAY(SELECT n FROM "
                             "(SELECT DISTINCT ON (lower(u.n))"
                             "   u.n, u.pos FROM unnest(a.aliases || " BODY_TEXT_ARRAY(
                                 "add_aliases") ") WITH ORDINALITY AS u(n, pos)"
                                                "   WHERE lower(u.n) NOT IN (SELECT lower(x) FROM "
                                                "jsonb_array_elements_text(coalesce(b->'remove_aliases',"
                                                "   '[]')) AS x) ORDER BY lower(u.n), u.pos) AS kept ORDER "
                                                "BY pos)"
                                                "  ELSE a.aliases END"
                                                " FROM (SELECT $2::jsonb AS b) AS input WHERE a.id = $1::uuid"
                                                " RETURNING " ACTOR_JSON},
    {"actor_delete", "DELETE FROM actors WHERE id = $1::uuid RETURNING id"},
    /* Locks both actors of a merge, in id order (two merges of the same
     * pair cannot deadlock); `merged` tells which row is which. */
    {"actor_merge_lock", "SELECT a.id = $1::uuid AS merged, a.project_id, a.kind FROM actors a"
                         " WHERE a.id IN ($1::uuid, $2::uuid) ORDER BY a.id FOR UPDATE"},
    /* Moves every reference from $1 to $2 and folds $1's names into $2's
     * aliases (first spelling kept, none equal to $2's name, ignoring case)
     * and its external ids under $2's (which win on a clash). */
    {"actor_merge_move",
     "WITH attributions_moved AS (UPDATE attributions SET actor_id = $2::uuid WHERE actor_id = $1::uuid),"
     " forwarded AS (UPDATE actor_merges SET into_id = $2::uuid WHERE into_id = $1::uuid),"
     " recorded AS (INSERT INTO actor_merges (merged_id, into_id, project_id)"
     "  SELECT m.id, $2::uuid, m.project_id FROM actors m WHERE m.id = $1::uuid),"
     " relations_moved AS (UPDATE relations SET asserted_by_actor_id = $2::uuid"
     "  WHERE asserted_by_actor_id = $1::uuid),"
     " sources_moved AS (UPDATE sources SET publisher_actor_id = $2::uuid WHERE publisher_actor_id = "
     "$1::uuid)"
     " UPDATE actors a SET"
     " aliases = ARRAY(SELECT n FROM (SELECT DISTINCT ON (lower(u.n)) u.n, u.pos"
     "   FROM unnest(a.aliases || array_prepend(m.name, m.aliases)) WITH ORDINALITY AS u(n, pos)"
     "   WHERE lower(u.n) <> lower(a.name) ORDER BY lower(u.n), u.pos) AS kept ORDER BY pos),"
     " external_ids = m.external_ids || a.external_ids,"
     " description = coalesce(a.description, m.description)"
     " FROM actors m WHERE a.id = $2::uuid AND m.id = $1::uuid"},
    {"actor_merge_drop", "WITH gone AS (DELETE FROM actors WHERE id = $1::uuid)"
                         " SELECT " ACTOR_JSON " FROM actors a WHERE a.id = $2::uuid"},
    {NULL, NULL},
};

static const struct field_spec merge_fields[] = {
    {.name = "into", .type = F_UUID, .required = true, .flags = FIELD_CREATE},
    {.name = "force", .type = F_BOOLEAN, .flags = FIELD_CREATE},
    {.name = NULL},
};

/* Request members that are not fields of the actor: "force" on create;
 * aliases added or removed without resending the list on PATCH. */
static const struct field_spec create_options[] = {
    {.name = "force", .type = F_BOOLEAN, .flags = FIELD_CREATE},
    {.name = NULL},
};
static const struct field_spec patch_options[] = {
    {.name = "add_aliases", .type = F_STRING_ARRAY, .max_len = ALIAS_MAX_LEN, .flags = FIELD_PATCH},
    {.name = "remove_aliases", .type = F_STRING_ARRAY, .max_len = ALIAS_MAX_LEN, .flags = FIELD_PATCH},
    {.name = NULL},
};

/* Validates body: the members named in options against them, the rest
 * against the actor's description. Returns false after replying 400. */
static bool actor_body_valid_or_reply(struct request *r, const struct field_spec *options,
                                      enum validate_mode mode)
{
    json_t *fields = json_copy(r->json), *extra = json_object();
    for (const struct field_spec *o = options; o->name; o++) {
        json_t *v = json_object_get(fields, o->name);
        if (v) {
            json_object_set(extra, o->name, v);
            json_object_del(fields, o->name);
        }
    }
    bool ok = fields_valid_or_reply(r, fields, "", ENTITY_ACTOR.fields, mode)
              && fields_valid_or_reply(r, extra, "", options, mode);
    json_decref(fields);
    json_decref(extra);
    return ok;
}

/* Search results: list_cols and the rank. */
static const struct col search_cols[] = {ACTOR_LIST_COLS, {"score", COL_NUMBER}, {NULL, COL_END}};

static void create_actor(struct request *r)
{
    if (!actor_body_valid_or_reply(r, create_options, VALIDATE_CREATE))
        return;
    PGconn *conn = db_conn_or_reply(r);
    if (!conn)
        return;
    char *body = json_text(r->json);
    const char *params[] = {body};
    PGresult *res = db_exec_locked_or_reply(r, conn, "actor_create_lock", "actor_create", 1, params);
    free(body);
    if (!res)
        return;
    if (!PQgetisnull(res, 0, 0)) {
        reply_created_row(r, res, "/v1/actors");
        return;
    }
    json_t *similar = json_loadb(PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2), 0, NULL);
    PQclear(res);
    reply_error_extra(r, MHD_HTTP_CONFLICT, "similar_actors", "name", json_pack("{s:o*}", "similar", similar),
                      "name is very similar to the name or an alias of existing actors (listed in similar);"
                      " use one of them, or send \"force\": true to create the actor anyway");
}

/* GET /v1/actors/{id}; a merged actor's id answers 308 to the actor it went into. */
static void get_actor(struct request *r)
{
    const char *id = uuid_param_or_reply(r, "id");
    PGconn *conn = id ? db_conn_or_reply(r) : NULL;
    if (!conn)
        return;
    const char *params[] = {id};
    PGresult *res = db_exec_or_reply(r, conn, "actor_get", 1, params);
    if (!res)
        return;
    if (PQntuples(res) > 0) {
        reply_object(r, MHD_HTTP_OK, res, 0, 0); /* with its ETag, as every GET of one row */
        return;
    }
    PQclear(res);
    res = db_exec_or_reply(r, conn, "actor_redirect", 1, params);
    if (!res)
        return;
    if (PQntuples(res) == 0) {
        reply_not_found(r, "actor", id);
    } else {
        char location[64];
        snprintf(location, sizeof location, "/v1/actors/%s", PQgetvalue(res, 0, 0));
        reply_error_extra(r, MHD_HTTP_PERMANENT_REDIRECT, "merged", "id",
                          json_pack("{s:s}", "into", PQgetvalue(res, 0, 0)), "actor %s was merged into %s",
                          id, PQgetvalue(res, 0, 0));
        reply_header(r, "Location", location);
    }
    PQclear(res);
}

static void list_actors(struct request *r)
{
    static const char *const known[] = {"limit", "after", "project_id", "kind", "name", "q", NULL};
    struct page pg;
    const char *project_id, *kind, *q = request_query(r, "q");
    if (!query_known_or_reply(r, known) || !page_by_id_or_reply(r, &pg)
        || !query_uuid_or_reply(r, "project_id", &project_id)
        || !query_enum_or_reply(r, "kind", ACTOR_KINDS, &kind))
        return;
    if (q && (!q[0] || pg.after[0] || request_query(r, "name"))) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_parameter", "q",
                    "q must not be empty, and is ranked (the best `limit` matches, no next page): it does"
                    " not combine with after or name");
        return;
    }
    const char *name = request_query(r, "name");
    const char *params[] = {pg.after[0], project_id, kind, pg.fetch, q ? q : name};
    if (!q) {
        reply_page_of(r, name ? "actor_list_by_name" : "actor_list", name ? 5 : 4, params, &pg, list_cols,
                      PAGE_KEY_ID, 1);
        return;
    }
    PGresult *res = db_run_or_reply(r, "actor_search", 5, params);
    if (!res)
        return;
    reply_ranked_page(r, res, &pg, search_cols); /* the best `limit`, no cursor */
    PQclear(res);
}

static void patch_actor(struct request *r)
{
    const char *id = uuid_param_or_reply(r, "id");
    if (!id || !actor_body_valid_or_reply(r, patch_options, VALIDATE_PATCH))
        return;
    if (json_object_get(r->json, "aliases")
        && (json_object_get(r->json, "add_aliases") || json_object_get(r->json, "remove_aliases"))) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "conflicting_fields", "aliases",
                    "aliases replaces the list; add_aliases/remove_aliases change it: send one or the other");
        return;
    }
    reply_patched_or_404(r, "actor_patch", id, "actor");
}

static void delete_actor(struct request *r)
{
    /* Rows still pointing at it give 409 still_referenced, worded in errors.c. */
    reply_delete_by_id(r, "actor_delete", "actor");
}

/* Checks the locked rows of a merge: both actors exist, in one project, and
 * a person merges into a non-person (or back) only with "force". Returns
 * true, or false after replying. */
static bool merge_pair_valid_or_reply(struct request *r, const PGresult *locked, const char *id)
{
    const char *merged_project = NULL, *into_project = NULL, *merged_kind = NULL, *into_kind = NULL;
    for (int i = 0; i < PQntuples(locked); i++) {
        if (PQgetvalue(locked, i, 0)[0] == 't') {
            merged_project = PQgetvalue(locked, i, 1);
            merged_kind = PQgetvalue(locked, i, 2);
        } else {
            into_project = PQgetvalue(locked, i, 1);
            into_kind = PQgetvalue(locked, i, 2);
        }
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
    /* A person is not an organisation: merging across that line is almost
     * always a wrong click, so it takes "force". */
    if ((strcmp(merged_kind, "person") == 0) != (strcmp(into_kind, "person") == 0)
        && !json_is_true(json_object_get(r->json, "force"))) {
        reply_error_extra(r, MHD_HTTP_CONFLICT, "kind_mismatch", "into",
                          json_pack("{s:s, s:s}", "kind", merged_kind, "into_kind", into_kind),
                          "merging a %s into a %s mixes a person with a non-person; send \"force\": true"
                          " if they really are one",
                          merged_kind, into_kind);
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

/* clang-format off */
static const struct route routes[] = {
    {.method = "POST",   .pattern = "/v1/actors",            .handler = create_actor, .body = BODY_JSON, .access = ACCESS_ANNOTATE},
    {.method = "GET",    .pattern = "/v1/actors",            .handler = list_actors,                     .access = ACCESS_READ},
    {.method = "GET",    .pattern = "/v1/actors/{id}",       .handler = get_actor,                       .access = ACCESS_READ},
    {.method = "PATCH",  .pattern = "/v1/actors/{id}",       .handler = patch_actor,  .body = BODY_JSON, .access = ACCESS_CURATE},
    {.method = "DELETE", .pattern = "/v1/actors/{id}",       .handler = delete_actor,                    .access = ACCESS_CURATE},
    {.method = "POST",   .pattern = "/v1/actors/{id}/merge", .handler = merge_actor,  .body = BODY_JSON, .access = ACCESS_CURATE},
    {.method = NULL},
};
/* clang-format on */

const struct resource actor_resource = {.name = "actors", .routes = routes, .statements = statements};
