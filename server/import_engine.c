#include "import_engine.h"

#include "anchor.h"
#include "codebook.h"
#include "db.h"
#include "entities.h"
#include "entity_sql.h"
#include "errors.h"
#include "import_util.h"
#include "segments.h"
#include "span.h"
#include "utf8.h"
#include "validate.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bad lines listed in a 422 at most; the count says how many there were. */
#define MAX_LISTED_ERRORS 1000
/* Document texts kept in memory to resolve spans against, in bytes. The
 * most recent texts are kept (a document's claims follow it in a file);
 * older ones come from the database (documents stored before) or, for
 * spans given in full, are checked by the final query instead. */
#define TEXT_CACHE_BUDGET ((size_t)64 << 20)
/* Memory for each sort and hash of the check and the writes (they join
 * and sort every staged row; the 4 MB default spills them to disk). */
#define IMPORT_WORK_MEM "64MB"
/* Staged rows are sent to COPY in chunks of about this size. */
#define COPY_CHUNK (256 * 1024)

/* ------------------------------------------------------------ statements */

/* The staging table: one row per valid line, the record normalised by the
 * C side (defaults filled in, spans resolved). The project and every
 * reference are copied out of the record into uuid columns as the line is
 * staged, so that the checks join on plain, analysed columns instead of
 * re-reading the jsonb of every row (a document's record holds its whole
 * text). A reference column has the name of the field it comes from; a
 * field name means the same thing in every record type that has it.
 * `unverified` names spans given in full whose document text was not at
 * hand: the check query compares them with the text. */
#define STAGE_REFERENCES                                                                       \
    "project_id uuid, document_id uuid, claim_id uuid, actor_id uuid, source_id uuid,"         \
    " via_attribution_id uuid, from_claim_id uuid, to_claim_id uuid, publisher_actor_id uuid," \
    " asserted_by_actor_id uuid"
/* The fields behind the reference columns, in the order of STAGE_REFERENCES. */
static const char *const STAGED_REFERENCES[] = {"project_id",
                                                "document_id",
                                                "claim_id",
                                                "actor_id",
                                                "source_id",
                                                "via_attribution_id",
                                                "from_claim_id",
                                                "to_claim_id",
                                                "publisher_actor_id",
                                                "asserted_by_actor_id",
                                                NULL};
/* Partitioned by type, so that a check or write of one type reads only
 * that type's rows (one COPY still fills every partition). */
#define CREATE_STAGE                                                                               \
    "CREATE TEMP TABLE import_stage (line integer NOT NULL, type text NOT NULL, id uuid NOT NULL," \
    " " STAGE_REFERENCES ", unverified text[], rec jsonb NOT NULL) PARTITION BY LIST (type)"
#define STAGE_PARTITION(type) \
    "CREATE TEMP TABLE import_stage_" type " PARTITION OF import_stage FOR VALUES IN ('" type "')"
/* CSV with a delimiter and quote that never occur in JSON text (control
 * characters are escaped there) reads every field byte for byte. */
#define COPY_STAGE "COPY import_stage FROM STDIN (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')"
/* Statistics for the planner: autovacuum never analyses a temporary table,
 * and without them every join over the stage is planned for a handful of
 * rows. The record itself is left out (wide, and nothing joins on it). */
#define ANALYZE_STAGE                                                                               \
    "ANALYZE import_stage (line, type, id, project_id, document_id, claim_id, actor_id, source_id," \
    " via_attribution_id, from_claim_id, to_claim_id, publisher_actor_id, asserted_by_actor_id)"

/* Typed rows per record type, named like the table's columns, and the
 * columns an import compares and writes (besides id and timestamps),
 * prefixed with a row alias: both follow from the entity's exported fields
 * (entities.c, generated into entity_sql.h). */
#define ROWS(type, ROW_LIST) "SELECT " ROW_LIST " FROM import_stage s WHERE s.type = '" type "'"
#define PROJECT_ROWS ROWS("project", PROJECT_SQL_IMPORT_ROWS)
#define CODEBOOK_ROWS ROWS("codebook", CODEBOOK_SQL_IMPORT_ROWS)
#define ACTOR_ROWS ROWS("actor", ACTOR_SQL_IMPORT_ROWS)
#define DOCUMENT_ROWS ROWS("document", DOCUMENT_SQL_IMPORT_ROWS)
#define CLAIM_ROWS ROWS("claim", CLAIM_SQL_IMPORT_ROWS)
#define SOURCE_ROWS ROWS("source", SOURCE_SQL_IMPORT_ROWS)
#define ATTRIBUTION_ROWS ROWS("attribution", ATTRIBUTION_SQL_IMPORT_ROWS)
#define RELATION_ROWS ROWS("relation", RELATION_SQL_IMPORT_ROWS)
#define CITATION_ROWS ROWS("citation", CITATION_SQL_IMPORT_ROWS)

#define PROJECT_COLS PROJECT_SQL_IMPORT_COLUMNS
#define CODEBOOK_COLS CODEBOOK_SQL_IMPORT_COLUMNS
#define ACTOR_COLS ACTOR_SQL_IMPORT_COLUMNS
#define DOCUMENT_COLS DOCUMENT_SQL_IMPORT_COLUMNS
#define CLAIM_COLS CLAIM_SQL_IMPORT_COLUMNS
#define SOURCE_COLS SOURCE_SQL_IMPORT_COLUMNS
#define ATTRIBUTION_COLS ATTRIBUTION_SQL_IMPORT_COLUMNS
#define RELATION_COLS RELATION_SQL_IMPORT_COLUMNS
#define CITATION_COLS CITATION_SQL_IMPORT_COLUMNS

/* A staged row s differs from the stored row t: in any column, or in a
 * timestamp the line gives (an omitted one is the server's to set). */
#define DIFFERS(COLS)                                                    \
    "((" COLS("t.") ") IS DISTINCT FROM (" COLS(                         \
        "s.") ")"                                                        \
              " OR coalesce(s.created_at, t.created_at) <> t.created_at" \
              " OR coalesce(s.updated_at, t.updated_at) <> t.updated_at)"

/* Writes one record type: updates the stored rows that differ (only with
 * $1 = on_conflict=update; otherwise the checks have refused them), inserts
 * the new ones, and counts. Foreign keys are checked at the end of the
 * statement, so rows may point at rows inserted by the same statement (via
 * chains). */
#define WRITE(table, ROWS, COLS)                                                                            \
    "WITH s AS MATERIALIZED (" ROWS "),"                                                                    \
    " u AS (UPDATE " table " t SET (" COLS("") ") = (" COLS(                                                \
        "s.") "),"                                                                                          \
              "   created_at = coalesce(s.created_at, t.created_at),"                                       \
              "   updated_at = coalesce(s.updated_at, t.updated_at)"                                        \
              "   FROM s WHERE t.id = s.id AND $1::bool AND " DIFFERS(                                      \
                  COLS) " RETURNING 1),"                                                                    \
                        " i AS (INSERT INTO " table                                                         \
                        " (id, " COLS("") ", created_at, updated_at)"                                       \
                                          "   SELECT s.id, " COLS(                                          \
                                              "s.") ", coalesce(s.created_at, now()),"                      \
                                                    "   coalesce(s.updated_at, s.created_at, now()) FROM s" \
                                                    "   WHERE NOT EXISTS (SELECT 1 FROM " table             \
                                                    " t WHERE t.id = s.id) RETURNING 1)"                    \
                                                    " SELECT (SELECT count(*) FROM i), (SELECT count(*) "   \
                                                    "FROM u), (SELECT count(*) FROM s)"

/* Lines whose id is stored with other content: an error unless
 * on_conflict=update ($1). */
#define CONFLICTS(type, table, ROWS, COLS)                                                       \
    "SELECT s.line, '" type "', s.id, NULL, 'conflict',"                                         \
    " 'a different " type " with this id exists; import with ?on_conflict=update to replace it'" \
    " FROM (" ROWS ") s JOIN " table " t ON t.id = s.id WHERE NOT $1::bool AND " DIFFERS(COLS)

/* A reference that names no row of the same project, in the file or stored. */
#define REFERENCE(type, field, table, target)                                                                \
    "SELECT s.line, s.type, s.id, '" field "', 'unknown_reference',"                                         \
    " '" field " does not name a " target " of this project, in the file or the database'"                   \
    " FROM import_stage s WHERE s.type = '" type "' AND s." field " IS NOT NULL"                             \
    " AND NOT EXISTS (SELECT 1 FROM " table " x WHERE x.id = s." field "   AND x.project_id = s.project_id)" \
    " AND NOT EXISTS (SELECT 1 FROM import_stage o WHERE o.type = '" target "'"                              \
    "   AND o.id = s." field " AND o.project_id = s.project_id)"
#define PROJECT_REFERENCE(type)                                            \
    "SELECT s.line, s.type, s.id, 'project_id', 'unknown_reference',"      \
    " 'project_id does not name a project, in the file or the database'"   \
    " FROM import_stage s WHERE s.type = '" type "'"                       \
    " AND NOT EXISTS (SELECT 1 FROM projects x WHERE x.id = s.project_id)" \
    " AND NOT EXISTS (SELECT 1 FROM import_stage o WHERE o.type = 'project' AND o.id = s.project_id)"
/* A row never moves between projects (every reference is project-scoped). */
#define MOVED(type, table)                                                          \
    "SELECT s.line, s.type, s.id, 'project_id', 'immutable',"                       \
    " 'this " type " exists in another project; rows cannot move between projects'" \
    " FROM import_stage s JOIN " table " t ON t.id = s.id"                          \
    " WHERE s.type = '" type "' AND t.project_id <> s.project_id"
/* Lines of one type that repeat a unique key of an earlier line (`first`
 * over a partition: one sort, where a per-line search of the stage would
 * be quadratic) or that of another stored row, keyed on `key`. */
#define UNIQUE_KEY(type, key, field, message, STORED)                                    \
    "SELECT k.line, '" type "', k.id, '" field "', 'conflict', '" message "'"            \
    " FROM (SELECT s.*, min(s.line) OVER (PARTITION BY " key ") AS first"                \
    "   FROM (SELECT s.line, s.id, s.project_id, s.from_claim_id, s.to_claim_id,"        \
    "     s.rec->>'" field "' AS value FROM import_stage s WHERE s.type = '" type "') s" \
    "   WHERE s.value IS NOT NULL) k"                                                    \
    " WHERE k.line > k.first OR EXISTS (" STORED ")"

/* The revision log (history=true, issue 11): revision lines are staged as
 * type 'revision' under their row's id (which repeats: one line per
 * revision). Restoring a project's log needs the owner role in it, as
 * exporting it does (the revisions table itself lets any writer append, for
 * the triggers); the rows before and after a change are in the line's
 * project; an entry logged here already must be the same one (then it is
 * skipped: the default project's creation is in every database); a
 * revision appears once in a file. Entries of projects the import cannot
 * read are kept apart by the log's constraints (migration 0016). */
#define REVISION_ROWS                                                                                    \
    "SELECT s.line, s.id, s.project_id, s.rec->>'resource' AS resource, (s.rec->>'rev')::bigint AS rev," \
    " s.rec->>'op' AS op, s.rec->>'reason' AS reason, (s.rec->>'user_id')::uuid AS user_id,"             \
    " (s.rec->>'token_id')::uuid AS token_id, s.rec->>'request_id' AS request_id,"                       \
    " (s.rec->>'at')::timestamptz AS at, nullif(s.rec->'before', 'null') AS before,"                     \
    " nullif(s.rec->'after', 'null') AS after, (s.rec->>'txn')::bigint AS txn"                           \
    " FROM import_stage s WHERE s.type = 'revision'"
#define REVISION_CHECKS                                                                                    \
    "SELECT s.line, 'revision', s.id, 'project_id', 'forbidden',"                                          \
    " 'restoring the revision log of a project needs the owner role in it'"                                \
    " FROM import_stage s WHERE s.type = 'revision' AND NOT (SELECT claimdb_is_admin())"                   \
    " AND NOT s.project_id = ANY ((SELECT claimdb_projects('owner'))::uuid[])"                             \
    " UNION ALL SELECT s.line, 'revision', s.id, 'project_id', 'invalid_value',"                           \
    " 'the row before or after this change is in another project than the line'"                           \
    " FROM (" REVISION_ROWS ") s WHERE EXISTS (SELECT 1 FROM (VALUES (s.before), (s.after)) v (image)"     \
    "  WHERE v.image IS NOT NULL AND v.image->>(CASE WHEN s.resource = 'projects' THEN 'id' ELSE "         \
    "'project_id' END)"                                                                                    \
    "   IS DISTINCT FROM s.project_id::text)"                                                              \
    " UNION ALL SELECT s.line, 'revision', s.id, 'rev', 'conflict',"                                       \
    " 'revision ' || s.rev || ' of this row is logged here already with other content'"                    \
    " FROM (" REVISION_ROWS                                                                                \
    ") s JOIN revisions h ON h.id = s.id AND h.resource = s.resource AND h.rev = s.rev"                    \
    " WHERE (h.op, h.at, h.before, h.after) IS DISTINCT FROM (s.op, s.at, s.before, s.after)"              \
    " UNION ALL SELECT d.line, 'revision', d.id, 'rev', 'duplicate_id',"                                   \
    " 'this revision of this row is already on line ' || d.first"                                          \
    " FROM (SELECT s.line, s.id, min(s.line) OVER (PARTITION BY s.id, s.rec->>'resource', s.rec->>'rev') " \
    "AS first"                                                                                             \
    "   FROM import_stage s WHERE s.type = 'revision') d WHERE d.line > d.first"
/* Appends the file's entries that are not logged here yet, in file order
 * (the export's: transaction, then entry), keeping the file's transaction
 * number as origin_txn; wakes the change feed's waiters. */
#define WRITE_REVISIONS                                                                                     \
    "WITH s AS MATERIALIZED (" REVISION_ROWS "),"                                                           \
    " i AS (INSERT INTO revisions (resource, id, project_id, rev, op, reason, user_id, token_id,"           \
    "   request_id, at, before, after, origin_txn)"                                                         \
    "   SELECT s.resource, s.id, s.project_id, s.rev, s.op, s.reason, s.user_id, s.token_id,"               \
    "   s.request_id, s.at, s.before, s.after, s.txn FROM s WHERE NOT EXISTS (SELECT 1 FROM revisions h"    \
    "     WHERE h.id = s.id AND h.resource = s.resource AND h.rev = s.rev)"                                 \
    "   ORDER BY s.line RETURNING project_id),"                                                             \
    " n AS (SELECT pg_notify('claimdb_changes', p.project_id::text) FROM (SELECT DISTINCT project_id FROM " \
    "i) p)"                                                                                                 \
    " SELECT (SELECT count(*) FROM i), 0, (SELECT count(*) FROM s), (SELECT count(*) FROM n)"

/* After the writes, when the file has a log: every row the file's log
 * covers must agree with the last entry logged for it, or its next change
 * could not be logged (one entry per revision of a row: migration 0016)
 * and would be refused. A row still stored must not be behind that
 * revision, nor deleted by it. What this refuses: importing a newer
 * export of a project over a database seeded from an older one, whose
 * rows the newer log deletes or changes while the row here stays as it
 * was. (line, type, id, field, code, message), line: the row's last
 * entry in the file. */
/* Laid out by hand: clang-format 14 would cut these SQL literals into pieces. */
/* clang-format off */
#define STORED_REV(resource)                                                                       \
    " WHEN '" resource "' THEN (SELECT x.rev FROM " resource " x WHERE x.id = l.id)"
#define LOG_AGREES_SQL                                                                             \
    "WITH covered AS (SELECT s.rec->>'resource' AS resource, s.id, max(s.line) AS line"            \
    "   FROM import_stage s WHERE s.type = 'revision' GROUP BY 1, 2),"                             \
    " last AS (SELECT c.line, c.resource, c.id, h.rev, h.op FROM covered c CROSS JOIN LATERAL"     \
    "   (SELECT h.rev, h.op FROM revisions h WHERE h.id = c.id AND h.resource = c.resource"        \
    "    ORDER BY h.rev DESC LIMIT 1) h),"                                                         \
    " stored AS (SELECT l.*, CASE l.resource" STORED_REV("projects") STORED_REV("documents")       \
    STORED_REV("actors") STORED_REV("claims") STORED_REV("attributions") STORED_REV("relations")   \
    STORED_REV("sources") STORED_REV("citations") STORED_REV("members") " END AS stored_rev"       \
    "   FROM last l)"                                                                              \
    " SELECT line, 'revision', id, 'rev', 'conflict', CASE WHEN op IN ('delete', 'purge')"         \
    "  THEN 'the log ends with this row''s ' || op || ' (revision ' || rev || '), but this database"  \
    " holds the row: import the file into a database without it'"                                 \
    "  ELSE 'the log ends with revision ' || rev || ' of this row, but this database holds it at"  \
    " revision ' || stored_rev || ': import the file into a database without the row, or holding" \
    " this revision of it' END"                                                                    \
    " FROM stored WHERE stored_rev IS NOT NULL AND (op IN ('delete', 'purge') OR stored_rev < rev)" \
    " ORDER BY line"

/* Every problem the staged lines have that only the database can see, in
 * line order: (line, type, id, field, code, message). $2: ids may repeat
 * (the stage's unique index could not be built), so look for them. */
static const char CHECK_SQL[] =
    /* an id twice in the file */
    "SELECT line, type, id, 'id', 'duplicate_id', 'this id is already on line ' || first"
    " FROM (SELECT s.line, s.type, s.id, min(s.line) OVER (PARTITION BY s.type, s.id) AS first"
    "   FROM import_stage s WHERE $2::bool AND s.type <> 'revision') d WHERE line > first"
    " UNION ALL " CONFLICTS("project", "projects", PROJECT_ROWS, PROJECT_COLS)
    " UNION ALL " CONFLICTS("codebook", "codebook_entries", CODEBOOK_ROWS, CODEBOOK_COLS)
    " UNION ALL " CONFLICTS("actor", "actors", ACTOR_ROWS, ACTOR_COLS)
    " UNION ALL " CONFLICTS("document", "documents", DOCUMENT_ROWS, DOCUMENT_COLS)
    " UNION ALL " CONFLICTS("claim", "claims", CLAIM_ROWS, CLAIM_COLS)
    " UNION ALL " CONFLICTS("source", "sources", SOURCE_ROWS, SOURCE_COLS)
    " UNION ALL " CONFLICTS("attribution", "attributions", ATTRIBUTION_ROWS, ATTRIBUTION_COLS)
    " UNION ALL " CONFLICTS("relation", "relations", RELATION_ROWS, RELATION_COLS)
    " UNION ALL " CONFLICTS("citation", "citations", CITATION_ROWS, CITATION_COLS)
    " UNION ALL " MOVED("codebook", "codebook_entries")
    " UNION ALL " MOVED("actor", "actors") " UNION ALL " MOVED("document", "documents")
    " UNION ALL " MOVED("claim", "claims") " UNION ALL " MOVED("source", "sources")
    " UNION ALL " MOVED("attribution", "attributions") " UNION ALL " MOVED("relation", "relations")
    " UNION ALL " MOVED("citation", "citations")
    /* a document's text never changes, even with on_conflict=update */
    " UNION ALL SELECT s.line, s.type, s.id, 'text', 'immutable',"
    " 'a document with this id exists with another text; a document''s text never changes'"
    " FROM import_stage s JOIN documents t ON t.id = s.id"
    " WHERE s.type = 'document' AND t.text <> s.rec->>'text'"
    " UNION ALL SELECT s.line, s.type, s.id, 'sha256', 'invalid_value',"
    " 'sha256 does not match the text (it is computed; omit it or give the right one)'"
    " FROM import_stage s WHERE s.type = 'document' AND s.rec ? 'sha256'"
    " AND s.rec->>'sha256' <> text_sha256(s.rec->>'text')"
    " UNION ALL " PROJECT_REFERENCE("codebook")
    " UNION ALL " PROJECT_REFERENCE("actor") " UNION ALL " PROJECT_REFERENCE("document")
    " UNION ALL " PROJECT_REFERENCE("claim") " UNION ALL " PROJECT_REFERENCE("source")
    " UNION ALL " PROJECT_REFERENCE("attribution") " UNION ALL " PROJECT_REFERENCE("relation")
    " UNION ALL " PROJECT_REFERENCE("citation")
    " UNION ALL " REFERENCE("claim", "document_id", "documents", "document")
    " UNION ALL " REFERENCE("source", "document_id", "documents", "document")
    " UNION ALL " REFERENCE("source", "publisher_actor_id", "actors", "actor")
    " UNION ALL " REFERENCE("attribution", "claim_id", "claims", "claim")
    " UNION ALL " REFERENCE("attribution", "actor_id", "actors", "actor")
    " UNION ALL " REFERENCE("attribution", "via_attribution_id", "attributions", "attribution")
    /* a report chain stays within one claim (as the API checks) */
    " UNION ALL SELECT s.line, s.type, s.id, 'via_attribution_id', 'unknown_reference',"
    " 'via_attribution_id names an attribution of another claim; a report chain stays within one claim'"
    " FROM import_stage s CROSS JOIN LATERAL (SELECT coalesce((SELECT v.claim_id FROM import_stage v"
    "  WHERE v.type = 'attribution' AND v.id = s.via_attribution_id),"
    "  (SELECT a.claim_id FROM attributions a WHERE a.id = s.via_attribution_id)) AS claim_id) via"
    " WHERE s.type = 'attribution' AND s.via_attribution_id IS NOT NULL AND via.claim_id <> s.claim_id"
    " UNION ALL " REFERENCE("relation", "from_claim_id", "claims", "claim")
    " UNION ALL " REFERENCE("relation", "to_claim_id", "claims", "claim")
    " UNION ALL " REFERENCE("relation", "asserted_by_actor_id", "actors", "actor")
    " UNION ALL " REFERENCE("citation", "claim_id", "claims", "claim")
    " UNION ALL " REFERENCE("citation", "source_id", "sources", "source")
    /* a codebook entry's parent: a tag of the same project's codebook */
    " UNION ALL SELECT s.line, s.type, s.id, 'parent', 'unknown_reference',"
    " 'parent is not a tag of this project''s codebook, in the file or the database'"
    " FROM import_stage s WHERE s.type = 'codebook' AND s.rec->>'parent' IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM codebook_entries x WHERE x.project_id = s.project_id"
    "   AND x.tag = s.rec->>'parent')"
    " AND NOT EXISTS (SELECT 1 FROM import_stage o WHERE o.type = 'codebook'"
    "   AND o.project_id = s.project_id AND o.rec->>'tag' = s.rec->>'parent')"
    /* unique keys: codebook tags, project slugs, document external ids, relation triples */
    " UNION ALL " UNIQUE_KEY("codebook", "s.project_id, s.value", "tag",
                             "the project''s codebook has this tag under another id",
                             "SELECT 1 FROM codebook_entries t WHERE t.tag = k.value"
                             " AND t.project_id = k.project_id AND t.id <> k.id")
    " UNION ALL " UNIQUE_KEY("project", "s.value", "slug", "another project has this slug",
                             "SELECT 1 FROM projects t WHERE t.slug = k.value AND t.id <> k.id")
    " UNION ALL " UNIQUE_KEY("document", "s.project_id, s.value", "external_id",
                             "another document of this project has this external_id",
                             "SELECT 1 FROM documents t WHERE t.external_id = k.value"
                             " AND t.project_id = k.project_id AND t.id <> k.id")
    " UNION ALL " UNIQUE_KEY("relation", "s.from_claim_id, s.to_claim_id, s.value", "kind",
                             "another relation has the same from_claim_id, to_claim_id and kind",
                             "SELECT 1 FROM relations t WHERE t.from_claim_id = k.from_claim_id"
                             " AND t.to_claim_id = k.to_claim_id AND t.kind = k.value::relation_kind"
                             " AND t.id <> k.id")
    /* spans given in full whose text was not at hand while reading */
    " UNION ALL SELECT s.line, s.type, s.id, f.field, 'exact_mismatch',"
    " f.field || ': exact does not match the document text at start..end'"
    " FROM import_stage s CROSS JOIN LATERAL unnest(s.unverified) AS f(field)"
    " CROSS JOIN LATERAL (SELECT CASE WHEN s.type = 'claim' THEN s.document_id"
    "   ELSE coalesce((SELECT o.document_id FROM import_stage o"
    "     WHERE o.type = 'claim' AND o.id = s.claim_id),"
    "   (SELECT c.document_id FROM claims c WHERE c.id = s.claim_id)) END AS doc) d"
    " CROSS JOIN LATERAL (SELECT coalesce((SELECT o.rec->>'text' FROM import_stage o"
    "   WHERE o.type = 'document' AND o.id = d.doc), (SELECT x.text FROM documents x"
    "   WHERE x.id = d.doc)) AS text, s.rec->f.field AS sp) t"
    " WHERE s.unverified IS NOT NULL AND (t.text IS NULL"
    "   OR char_length(t.text) < (t.sp->>'end')::int"
    "   OR substr(t.text, (t.sp->>'start')::int + 1, (t.sp->>'end')::int - (t.sp->>'start')::int)"
    "      IS DISTINCT FROM t.sp->>'exact')"
    " UNION ALL " REVISION_CHECKS
" ORDER BY 1, 4";

/* clang-format on */
/* Claims whose tags the codebook of their project lacks when that project
 * has strict_tags (codebook.h): its stored entries and the file's codebook
 * records, which replace stored ones of the same tag. A claim stored with
 * the same tags is left alone (it may predate strict_tags). Each unknown
 * tag: (line, id, index in tags, tag, the three most similar entries as the
 * API's 422 unknown_tag suggests them). */
#define UNKNOWN_TAGS_SQL                                                                                    \
    "WITH strict AS (SELECT p.id FROM projects p WHERE " CODEBOOK_STRICT_TAGS_SQL(                          \
        "p") "  AND p.id IN (SELECT s.project_id FROM import_stage s WHERE s.type = 'claim')),"             \
             " book AS (SELECT o.project_id, o.rec->>'tag' AS tag, o.rec->>'description' AS description"    \
             "  FROM import_stage o WHERE o.type = 'codebook' AND o.project_id IN (SELECT id FROM strict)"  \
             "  UNION ALL SELECT x.project_id, x.tag, x.description FROM codebook_entries x"                \
             "  WHERE x.project_id IN (SELECT id FROM strict) AND NOT EXISTS (SELECT 1 FROM import_stage o" \
             "   WHERE o.type = 'codebook' AND o.project_id = x.project_id AND o.rec->>'tag' = x.tag))"     \
             " SELECT s.line, s.id, t.n - 1, t.tag, (SELECT coalesce(json_agg(json_build_object('tag', "    \
             "b.tag,"                                                                                       \
             "  'description', b.description, 'score', round(b.score::numeric, 3)) ORDER BY b.score DESC, " \
             "b.tag),"                                                                                      \
             "  '[]') FROM (SELECT k.tag, k.description, similarity(k.tag, t.tag) AS score FROM book k"     \
             "   WHERE k.project_id = s.project_id ORDER BY 3 DESC, k.tag LIMIT 3) b)"                      \
             " FROM import_stage s CROSS JOIN LATERAL jsonb_array_elements_text(s.rec->'tags')"             \
             "  WITH ORDINALITY AS t(tag, n)"                                                               \
             " WHERE s.type = 'claim' AND s.project_id IN (SELECT id FROM strict)"                          \
             " AND NOT EXISTS (SELECT 1 FROM book k WHERE k.project_id = s.project_id AND k.tag = t.tag)"   \
             " AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = s.id"                                    \
             "  AND c.tags = ARRAY(SELECT jsonb_array_elements_text(s.rec->'tags')))"                       \
             " ORDER BY s.line, t.n"

/* Statements on the import's own connection, prepared once the staging
 * table exists. Order of the writes follows the references. */
static const struct db_statement import_statements[] = {
    {"import_check", CHECK_SQL},
    {"import_unknown_tags", UNKNOWN_TAGS_SQL},
    {"import_project", WRITE("projects", PROJECT_ROWS, PROJECT_COLS)},
    {"import_codebook", WRITE("codebook_entries", CODEBOOK_ROWS, CODEBOOK_COLS)},
    {"import_actor", WRITE("actors", ACTOR_ROWS, ACTOR_COLS)},
    {"import_document", WRITE("documents", DOCUMENT_ROWS, DOCUMENT_COLS)},
    {"import_claim", WRITE("claims", CLAIM_ROWS, CLAIM_COLS)},
    {"import_source", WRITE("sources", SOURCE_ROWS, SOURCE_COLS)},
    {"import_attribution", WRITE("attributions", ATTRIBUTION_ROWS, ATTRIBUTION_COLS)},
    {"import_relation", WRITE("relations", RELATION_ROWS, RELATION_COLS)},
    {"import_citation", WRITE("citations", CITATION_ROWS, CITATION_COLS)},
    {"import_revisions", WRITE_REVISIONS},
    {"import_log_agrees", LOG_AGREES_SQL},
    {NULL, NULL},
};

/* Statements on the look-up connection: texts of documents stored before. */
static const struct db_statement lookup_statements[] = {
    {"import_document_text", "SELECT text FROM documents WHERE id = $1::uuid"},
    {"import_claim_document", "SELECT document_id FROM claims WHERE id = $1::uuid"},
    {NULL, NULL},
};

/* ------------------------------------------------------------ record rules */

/* In ENTITIES order (entities.c). */
static const char *const TYPES[] = {"project", "codebook",    "actor",    "document", "claim",
                                    "source",  "attribution", "relation", "citation", NULL};

enum record_type {
    T_PROJECT,
    T_CODEBOOK,
    T_ACTOR,
    T_DOCUMENT,
    T_CLAIM,
    T_SOURCE,
    T_ATTRIBUTION,
    T_RELATION,
    T_CITATION,
    T_COUNT
};

/* ------------------------------------------------------------ state */

/* A document the file mentions: its text while it fits the cache budget. */
struct doc_entry {
    char id[37];
    char *text; /* NULL when not (or no longer) at hand */
    size_t len;
    bool looked_up; /* the database was asked already */
};

struct import {
    struct import_options opt;
    PGconn *conn;   /* the import's transaction: staging and writes */
    PGconn *lookup; /* texts of documents stored before (opened on demand) */
    bool lookup_failed;
    bool opened;     /* open_import ran (conn may still be NULL if it failed) */
    bool overlong;   /* a line was longer than lines.max: the import is refused */
    char fatal[512]; /* a database failure that ends the import */

    struct line_splitter lines;
    size_t line_no;
    size_t records;
    bool seen_record;
    bool history; /* revision lines were staged: the import restores the log */

    json_t *errors; /* the listed bad lines */
    size_t n_errors;

    struct doc_entry *docs;
    size_t n_docs, cap_docs, cached_bytes;
    uint32_t *cached; /* docs[] holding a text, oldest first from cached_head */
    size_t cached_head, n_cached, cap_cached;
    struct uuid_map doc_index; /* document id → docs[] */
    struct uuid_map claim_doc; /* claim id → docs[] of its document (UINT32_MAX-1: none) */

    char *chunk; /* staged rows waiting for PQputCopyData */
    size_t chunk_len, chunk_cap;
    bool copying;
};

#define NO_DOCUMENT (UINT32_MAX - 1)

static void add_error(struct import *im, const char *type, const char *id, const char *field,
                      const char *code, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void add_error(struct import *im, const char *type, const char *id, const char *field,
                      const char *code, const char *fmt, ...)
{
    im->n_errors++;
    if (im->n_errors > MAX_LISTED_ERRORS)
        return;
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    json_t *e = json_pack("{s:I, s:s?, s:s?, s:s?, s:s, s:s}", "line", (json_int_t)im->line_no, "type", type,
                          "id", id, "field", field, "code", code, "message", message);
    if (!e) /* a field or id echoed from the input that is not valid UTF-8 */
        e = json_pack("{s:I, s:s, s:s}", "line", (json_int_t)im->line_no, "code", code, "message", message);
    json_array_append_new(im->errors, e);
}

/* Adds `details` (stolen; NULL for none) to the error just added, when it
 * was listed: the import reports a span's candidates as the API does. */
static void error_details(struct import *im, json_t *details)
{
    if (details && im->n_errors <= MAX_LISTED_ERRORS)
        json_object_update(json_array_get(im->errors, json_array_size(im->errors) - 1), details);
    json_decref(details);
}

/* Checks obj against specs with the API's own rules (fields.h); adds every
 * problem as an error of the line, as the API lists them in "errors". */
static bool fields_ok(struct import *im, const json_t *obj, const char *prefix,
                      const struct field_spec *specs, const char *type, const char *id)
{
    struct field_problem p[FIELDS_MAX_PROBLEMS];
    size_t n = fields_check_all(obj, prefix, specs, VALIDATE_IMPORT, p, FIELDS_MAX_PROBLEMS);
    for (size_t i = 0; i < n; i++)
        add_error(im, type, id, p[i].field, p[i].code, "%s", p[i].message);
    return n == 0;
}

/* ------------------------------------------------------------ document texts */

static struct doc_entry *doc_slot(struct import *im, const char *doc_id, uint32_t *index_out)
{
    unsigned char key[16];
    if (!uuid_parse(doc_id, key))
        return NULL;
    uint32_t index;
    if (uuid_map_get(&im->doc_index, key, &index)) {
        *index_out = index;
        return &im->docs[index];
    }
    if (im->n_docs == im->cap_docs) {
        size_t cap = im->cap_docs ? im->cap_docs * 2 : 64;
        struct doc_entry *grown = realloc(im->docs, cap * sizeof *grown);
        if (!grown)
            return NULL;
        im->docs = grown;
        im->cap_docs = cap;
    }
    index = (uint32_t)im->n_docs;
    if (!uuid_map_put(&im->doc_index, key, index))
        return NULL;
    im->docs[im->n_docs] = (struct doc_entry){0};
    snprintf(im->docs[im->n_docs].id, sizeof im->docs[im->n_docs].id, "%s", doc_id);
    im->n_docs++;
    *index_out = index;
    return &im->docs[index];
}

/* Keeps a copy of d's text, dropping the oldest texts kept to stay within
 * the budget. */
static void keep_text(struct import *im, struct doc_entry *d, const char *text, size_t len)
{
    if (d->text || len > TEXT_CACHE_BUDGET)
        return;
    while (im->cached_bytes + len > TEXT_CACHE_BUDGET && im->cached_head < im->n_cached) {
        struct doc_entry *old = &im->docs[im->cached[im->cached_head++]];
        im->cached_bytes -= old->len;
        free(old->text);
        old->text = NULL;
    }
    if (im->cached_head > im->n_cached / 2) { /* reuse the queue's free front */
        memmove(im->cached, im->cached + im->cached_head,
                (im->n_cached - im->cached_head) * sizeof *im->cached);
        im->n_cached -= im->cached_head;
        im->cached_head = 0;
    }
    if (im->n_cached == im->cap_cached) {
        size_t cap = im->cap_cached ? im->cap_cached * 2 : 64;
        uint32_t *grown = realloc(im->cached, cap * sizeof *grown);
        if (!grown)
            return;
        im->cached = grown;
        im->cap_cached = cap;
    }
    d->text = malloc(len + 1);
    if (!d->text)
        return;
    memcpy(d->text, text, len);
    d->text[len] = '\0';
    d->len = len;
    im->cached_bytes += len;
    im->cached[im->n_cached++] = (uint32_t)(d - im->docs);
}

static bool lookup_ready(struct import *im)
{
    if (im->lookup)
        return true;
    if (im->lookup_failed)
        return false;
    char error[512];
    im->lookup = db_connect(false, error, sizeof error);
    if (im->lookup && !db_scope_apply(im->lookup, im->opt.request, true, true)) {
        PQfinish(im->lookup);
        im->lookup = NULL;
    }
    for (const struct db_statement *st = lookup_statements; im->lookup && st->name; st++) {
        PGresult *res = PQprepare(im->lookup, st->name, st->sql, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            PQfinish(im->lookup);
            im->lookup = NULL;
        }
        PQclear(res);
    }
    im->lookup_failed = !im->lookup;
    return im->lookup != NULL;
}

/* The text of document doc_id: from the file (cached) or the database.
 * NULL when not at hand (unknown, or beyond the cache budget). */
static const struct doc_entry *document_text(struct import *im, const char *doc_id)
{
    uint32_t index;
    struct doc_entry *d = doc_slot(im, doc_id, &index);
    if (!d || d->text || d->looked_up || !lookup_ready(im))
        return d && d->text ? d : NULL;
    d->looked_up = true;
    const char *params[] = {doc_id};
    PGresult *res = PQexecPrepared(im->lookup, "import_document_text", 1, params, NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        keep_text(im, d, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
    PQclear(res);
    return d->text ? d : NULL;
}

/* The document of claim claim_id (from the file, else the database):
 * writes its id into doc_id (37 bytes). False when unknown or none. */
static bool claim_document(struct import *im, const char *claim_id, char doc_id[37])
{
    unsigned char key[16];
    uint32_t index;
    if (!uuid_parse(claim_id, key))
        return false;
    if (uuid_map_get(&im->claim_doc, key, &index)) {
        if (index == NO_DOCUMENT)
            return false;
        snprintf(doc_id, 37, "%s", im->docs[index].id);
        return true;
    }
    if (!lookup_ready(im))
        return false;
    const char *params[] = {claim_id};
    PGresult *res = PQexecPrepared(im->lookup, "import_claim_document", 1, params, NULL, NULL, 0);
    bool found = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0);
    if (found)
        snprintf(doc_id, 37, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    uint32_t slot;
    if (found && doc_slot(im, doc_id, &slot))
        uuid_map_put(&im->claim_doc, key, slot);
    else
        uuid_map_put(&im->claim_doc, key, NO_DOCUMENT);
    return found;
}

/* ------------------------------------------------------------ spans */

enum span_outcome { SPAN_RESOLVED, SPAN_UNVERIFIED, SPAN_BAD };

/* Resolves one-piece span `span` (named `field` in errors) against the
 * document's text d into *out. The span's members were validated. */
static bool resolve_piece(struct import *im, const json_t *span, const char *field, const struct doc_entry *d,
                          const char *type, const char *id, struct anchor_span *out)
{
    json_t *start = json_object_get(span, "start"), *end = json_object_get(span, "end");
    json_t *exact = json_object_get(span, "exact");
    struct anchor_request req = {0};
    req.has_position = start != NULL;
    req.start = start ? json_integer_value(start) : 0;
    req.end = end ? json_integer_value(end) : 0;
    const json_t *p = json_object_get(span, "prefix"), *s = json_object_get(span, "suffix");
    if (exact) {
        req.exact = json_string_value(exact);
        req.exact_len = json_string_length(exact);
    }
    if (json_is_string(p)) {
        req.prefix = json_string_value(p);
        req.prefix_len = json_string_length(p);
    }
    if (json_is_string(s)) {
        req.suffix = json_string_value(s);
        req.suffix_len = json_string_length(s);
    }
    span_options(span, &req);
    /* Stored spans are data, not a hand's selection: one that cuts a
     * grapheme cluster may have been made with allow_grapheme_split. */
    req.allow_split = true;
    struct anchor_result res;
    anchor_resolve(d->text, d->len, &req, &res);
    if (res.status != ANCHOR_OK) {
        add_error(im, type, id, field, anchor_status_code(res.status), "%s: %s", field,
                  anchor_message(&req, &res));
        error_details(im, span_error_details(d->text, &res));
        return false;
    }
    *out = res.span;
    return true;
}

/* The members of a one-piece span: start and end together, and either. */
static bool piece_members_ok(struct import *im, const json_t *span, const char *field, const char *type,
                             const char *id)
{
    json_t *start = json_object_get(span, "start"), *end = json_object_get(span, "end");
    if ((start == NULL) != (end == NULL)) {
        add_error(im, type, id, field, "missing_field", "%s: start and end go together", field);
        return false;
    }
    if (!start && !json_object_get(span, "exact")) {
        add_error(im, type, id, field, "missing_field",
                  "%s needs start and end, or exact (with optional prefix/suffix)", field);
        return false;
    }
    return true;
}

/* A discontinuous span (with "segments") of rec's member `field`: each
 * segment resolved like a one-piece span, checked for order and overlap, and
 * the stored form (segments_stored_json) put in its place; start, end,
 * exact, prefix and suffix beside them must be those derived from them.
 * Needs the document's text at hand. */
static enum span_outcome resolve_segments(struct import *im, json_t *rec, const char *field,
                                          const json_t *span, const struct doc_entry *d, const char *type,
                                          const char *id)
{
    char name[96];
    const json_t *list = json_object_get(span, "segments");
    size_t n = json_array_size(list);
    snprintf(name, sizeof name, "%s.segments", field);
    if (n < SEGMENTS_MIN || n > SEGMENTS_MAX) {
        add_error(im, type, id, name, "invalid_value", "%s: %d to %d spans in text order", name, SEGMENTS_MIN,
                  SEGMENTS_MAX);
        return SPAN_BAD;
    }
    if (!d) {
        add_error(im, type, id, field, "document_unavailable",
                  "%s: a span with segments needs its document's text (put the document's line before the"
                  " lines that point into it)",
                  field);
        return SPAN_BAD;
    }
    struct anchor_span sp[SEGMENTS_MAX];
    for (size_t i = 0; i < n; i++) {
        const json_t *seg = json_array_get(list, i);
        char prefix[112];
        snprintf(name, sizeof name, "%s.segments[%zu]", field, i);
        snprintf(prefix, sizeof prefix, "%s.", name);
        if (!json_is_object(seg)) {
            add_error(im, type, id, name, "invalid_type", "%s must be a span object", name);
            return SPAN_BAD;
        }
        if (json_object_get(seg, "segments")) {
            add_error(im, type, id, name, "invalid_value", "%s: a segment is a one-piece span", name);
            return SPAN_BAD;
        }
        if (!fields_ok(im, seg, prefix, span_fields, type, id) || !piece_members_ok(im, seg, name, type, id)
            || !resolve_piece(im, seg, name, d, type, id, &sp[i]))
            return SPAN_BAD;
    }
    size_t bad = 0;
    enum segments_status status = segments_check(sp, n, &bad);
    if (status != SEGMENTS_OK) {
        snprintf(name, sizeof name, "%s.segments[%zu]", field, bad);
        add_error(im, type, id, name, segments_status_code(status),
                  "%s (%zu..%zu) %s segments[%zu]: segments are given in text order and do not overlap", name,
                  sp[bad].start, sp[bad].end, status == SEGMENTS_OVERLAP ? "overlaps" : "comes before",
                  bad - 1);
        return SPAN_BAD;
    }
    json_t *full = segments_stored_json(d->text, sp, n);
    static const char *const derived[] = {"start", "end", "exact", "prefix", "suffix", NULL};
    for (size_t k = 0; derived[k]; k++) {
        const json_t *given = json_object_get(span, derived[k]);
        if (given && !json_is_null(given) && !json_equal(given, json_object_get(full, derived[k]))) {
            snprintf(name, sizeof name, "%s.%s", field, derived[k]);
            add_error(im, type, id, name, "exact_mismatch", "%s differs from the one its segments give",
                      name);
            json_decref(full);
            return SPAN_BAD;
        }
    }
    json_object_set_new(rec, field, full);
    return SPAN_RESOLVED;
}

/* Resolves span member `field` of rec against the document's text (d, or
 * NULL when not at hand) and replaces it with the full stored form. */
static enum span_outcome resolve_span(struct import *im, json_t *rec, const char *field,
                                      const struct doc_entry *d, const char *type, const char *id)
{
    json_t *span = json_object_get(rec, field);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s.", field);
    if (!fields_ok(im, span, prefix, span_fields, type, id))
        return SPAN_BAD;
    if (json_object_get(span, "segments"))
        return resolve_segments(im, rec, field, span, d, type, id);
    if (!piece_members_ok(im, span, field, type, id))
        return SPAN_BAD;
    if (!d) {
        /* Checked against the text by the final query; only a full span can be. */
        if (json_object_get(span, "start") && json_object_get(span, "exact"))
            return SPAN_UNVERIFIED;
        add_error(im, type, id, field, "document_unavailable",
                  "%s: the document's text is not at hand (put a document's lines before the lines that"
                  " point into it, or give start, end and exact)",
                  field);
        return SPAN_BAD;
    }
    struct anchor_span sp;
    if (!resolve_piece(im, span, field, d, type, id, &sp))
        return SPAN_BAD;
    json_object_set_new(rec, field, span_stored_json(d->text, &sp));
    return SPAN_RESOLVED;
}

/* ------------------------------------------------------------ staging */

static void flush_chunk(struct import *im)
{
    if (!im->chunk_len || im->fatal[0])
        return;
    if (PQputCopyData(im->conn, im->chunk, (int)im->chunk_len) != 1)
        snprintf(im->fatal, sizeof im->fatal, "staging: %s", PQerrorMessage(im->conn));
    im->chunk_len = 0;
}

static void chunk_add(struct import *im, const char *s, size_t n)
{
    if (im->chunk_len + n > im->chunk_cap) {
        size_t cap = im->chunk_cap ? im->chunk_cap : COPY_CHUNK * 2;
        while (cap < im->chunk_len + n)
            cap *= 2;
        char *p = realloc(im->chunk, cap);
        if (!p) {
            snprintf(im->fatal, sizeof im->fatal, "out of memory");
            return;
        }
        im->chunk = p;
        im->chunk_cap = cap;
    }
    memcpy(im->chunk + im->chunk_len, s, n);
    im->chunk_len += n;
}

/* Appends one staging row: line, type, id, the references (validated
 * UUIDs or absent, which reads as NULL), unverified spans, record. */
static void stage_text(struct import *im, const char *type, const char *id, const char *unverified,
                       const json_t *rec, const char *text, size_t len)
{
    char head[600];
    size_t n = (size_t)snprintf(head, sizeof head, "%zu\x01%s\x01%s\x01", im->line_no, type, id);
    for (size_t i = 0; STAGED_REFERENCES[i]; i++) {
        const json_t *ref = json_object_get(rec, STAGED_REFERENCES[i]);
        n += (size_t)snprintf(head + n, sizeof head - n, "%s\x01",
                              json_is_string(ref) ? json_string_value(ref) : "");
    }
    n += (size_t)snprintf(head + n, sizeof head - n, "%s\x01", unverified);
    chunk_add(im, head, n);
    chunk_add(im, text, len);
    chunk_add(im, "\n", 1);
    if (im->chunk_len >= COPY_CHUNK)
        flush_chunk(im);
}

static void stage(struct import *im, const char *type, const char *id, const char *unverified, json_t *rec)
{
    char *text = json_dumps(rec, JSON_COMPACT);
    if (!text) {
        snprintf(im->fatal, sizeof im->fatal, "out of memory");
        return;
    }
    stage_text(im, type, id, unverified, rec, text, strlen(text));
    free(text);
}

/* ------------------------------------------------------------ one line */

static void set_default(json_t *rec, const char *key, json_t *value)
{
    if (!json_object_get(rec, key))
        json_object_set(rec, key, value);
    json_decref(value);
}

static bool header_ok(struct import *im, const json_t *rec)
{
    const json_t *format = json_object_get(rec, "format"), *version = json_object_get(rec, "version");
    if (im->seen_record) {
        add_error(im, "header", NULL, "type", "misplaced_header", "the header must be the first line");
        return false;
    }
    if (!json_is_string(format) || strcmp(json_string_value(format), "claimdb-ndjson") != 0) {
        add_error(im, "header", NULL, "format", "unsupported_format", "format must be \"claimdb-ndjson\"");
        return false;
    }
    if (!json_is_integer(version) || json_integer_value(version) != 1) {
        add_error(im, "header", NULL, "version", "unsupported_version",
                  "this claimdb reads version 1 of the format");
        return false;
    }
    return true;
}

/* A claim's target; also remembers which document the claim is in. */
static bool claim_ok(struct import *im, json_t *rec, const char *id, const char **unverified)
{
    const json_t *doc = json_object_get(rec, "document_id");
    const json_t *target = json_object_get(rec, "target");
    const char *doc_id = json_is_string(doc) ? json_string_value(doc) : NULL;
    unsigned char key[16];
    uint32_t slot = NO_DOCUMENT;
    if (doc_id)
        doc_slot(im, doc_id, &slot);
    if (uuid_parse(id, key))
        uuid_map_put(&im->claim_doc, key, slot);
    if (json_is_object(target)) {
        if (!doc_id) {
            add_error(im, "claim", id, "target", "missing_field", "a claim with a target needs document_id");
            return false;
        }
        enum span_outcome out = resolve_span(im, rec, "target", document_text(im, doc_id), "claim", id);
        if (out == SPAN_BAD)
            return false;
        if (out == SPAN_UNVERIFIED)
            *unverified = "{target}";
    }
    if (!json_object_get(rec, "text")) {
        const json_t *exact = json_object_get(json_object_get(rec, "target"), "exact");
        if (!exact) {
            add_error(im, "claim", id, "text", "missing_field", "a claim without a target needs text");
            return false;
        }
        json_object_set(rec, "text", (json_t *)exact);
    }
    if (json_string_length(json_object_get(rec, "text")) == 0) {
        add_error(im, "claim", id, "text", "invalid_value", "text must not be empty");
        return false;
    }
    return true;
}

/* A codebook entry's tag and parent are tag paths, and differ (as the API
 * and the database's CHECKs say). */
static bool codebook_entry_ok(struct import *im, const json_t *rec, const char *id)
{
    const char *tag = json_string_value(json_object_get(rec, "tag"));
    const char *parent = json_string_value(json_object_get(rec, "parent"));
    bool ok = true;
    if (!tag_path_valid(tag)) {
        add_error(im, "codebook", id, "tag", "invalid_value",
                  "tag must be a tag path like topic/xinjiang: no empty segment, no leading or trailing /");
        ok = false;
    }
    if (parent && !tag_path_valid(parent)) {
        add_error(
            im, "codebook", id, "parent", "invalid_value",
            "parent must be a tag path like topic/xinjiang: no empty segment, no leading or trailing /");
        ok = false;
    } else if (parent && strcmp(parent, tag) == 0) {
        add_error(im, "codebook", id, "parent", "invalid_value", "an entry cannot refine itself");
        ok = false;
    }
    return ok;
}

/* Spans of an attribution or citation, against the document of its claim. */
static bool claim_spans_ok(struct import *im, json_t *rec, const char *type, const char *id,
                           const char *const *fields, char *unverified, size_t size)
{
    char doc_id[37];
    bool have_doc = false, looked = false;
    const struct doc_entry *d = NULL;
    size_t used = 0;
    for (size_t i = 0; fields[i]; i++) {
        if (!json_is_object(json_object_get(rec, fields[i])))
            continue;
        if (!looked) {
            looked = true;
            have_doc = claim_document(im, json_string_value(json_object_get(rec, "claim_id")), doc_id);
            d = have_doc ? document_text(im, doc_id) : NULL;
        }
        if (!have_doc) {
            add_error(im, type, id, fields[i], "unknown_reference",
                      "%s needs the claim's document, but claim_id names no claim with a document",
                      fields[i]);
            return false;
        }
        enum span_outcome out = resolve_span(im, rec, fields[i], d, type, id);
        if (out == SPAN_BAD)
            return false;
        if (out == SPAN_UNVERIFIED)
            used += (size_t)snprintf(unverified + used, size - used, "%s%s", used ? "," : "{", fields[i]);
    }
    if (used)
        snprintf(unverified + used, size - used, "}");
    return true;
}

static bool record_ok(struct import *im, enum record_type t, json_t *rec, const char *id, char *unverified,
                      size_t size)
{
    static const char *const attribution_spans[] = {"source_span", "cue_span", NULL};
    static const char *const citation_spans[] = {"span", NULL};
    const char *fixed = NULL;
    if (t != T_PROJECT)
        set_default(rec, "project_id", json_string(DEFAULT_PROJECT_ID));
    switch (t) {
    case T_PROJECT: break;
    case T_CODEBOOK: return codebook_entry_ok(im, rec, id);
    case T_ACTOR:
        set_default(rec, "kind", json_string("other"));
        set_default(rec, "aliases", json_array());
        if (json_is_null(json_object_get(rec, "external_ids")))
            json_object_del(rec, "external_ids");
        set_default(rec, "external_ids", json_object());
        break;
    case T_DOCUMENT: {
        const json_t *text = json_object_get(rec, "text"), *length = json_object_get(rec, "length");
        size_t len = json_string_length(text);
        size_t bad;
        if (!utf8_valid(json_string_value(text), len, &bad)) {
            add_error(im, "document", id, "text", "invalid_utf8", "text is not valid UTF-8 (byte %zu)", bad);
            return false;
        }
        if (length && (json_int_t)utf8_count(json_string_value(text), len) != json_integer_value(length)) {
            add_error(
                im, "document", id, "length", "invalid_value",
                "length does not match the text (it counts code points; omit it or give the right one)");
            return false;
        }
        json_object_del(rec, "length");
        set_default(rec, "done", json_false());
        if (json_is_null(json_object_get(rec, "metadata")))
            json_object_del(rec, "metadata");
        set_default(rec, "metadata", json_object());
        uint32_t slot;
        struct doc_entry *d = doc_slot(im, id, &slot);
        if (d)
            keep_text(im, d, json_string_value(text), len);
        break;
    }
    case T_CLAIM:
        set_default(rec, "kind", json_string("factual"));
        set_default(rec, "tags", json_array());
        if (!claim_ok(im, rec, id, &fixed))
            return false;
        break;
    case T_SOURCE: set_default(rec, "kind", json_string("other")); break;
    case T_ATTRIBUTION:
        set_default(rec, "mode", json_string("indirect"));
        if (json_is_string(json_object_get(rec, "via_attribution_id"))
            && strcmp(json_string_value(json_object_get(rec, "via_attribution_id")), id) == 0) {
            add_error(im, "attribution", id, "via_attribution_id", "invalid_value",
                      "an attribution cannot be reported through itself");
            return false;
        }
        return claim_spans_ok(im, rec, "attribution", id, attribution_spans, unverified, size);
    case T_RELATION:
        if (strcmp(json_string_value(json_object_get(rec, "from_claim_id")),
                   json_string_value(json_object_get(rec, "to_claim_id")))
            == 0) {
            add_error(im, "relation", id, "to_claim_id", "invalid_value",
                      "a claim cannot be related to itself");
            return false;
        }
        break;
    case T_CITATION: return claim_spans_ok(im, rec, "citation", id, citation_spans, unverified, size);
    case T_COUNT: break;
    }
    if (fixed)
        snprintf(unverified, size, "%s", fixed);
    return true;
}

/* A revision line (history=true): the fields of schema/ndjson.md, and the
 * row images its operation has. */
static const char *const REVISION_RESOURCES[] = {"projects",     "documents", "actors",  "claims",
                                                 "attributions", "relations", "sources", "citations",
                                                 "members",      NULL};
static const char *const REVISION_OPS[] = {"create", "update", "delete", "purge", NULL};
static const struct field_spec revision_fields[] = {
    {.name = "txn", .type = F_INTEGER, .required = true, .flags = FIELD_EXPORT},
    {.name = "resource",
     .type = F_STRING,
     .required = true,
     .allowed = REVISION_RESOURCES,
     .flags = FIELD_EXPORT},
    {.name = "id", .type = F_UUID, .required = true, .flags = FIELD_EXPORT},
    {.name = "project_id", .type = F_UUID, .required = true, .flags = FIELD_EXPORT},
    {.name = "rev", .type = F_INTEGER, .required = true, .flags = FIELD_EXPORT},
    {.name = "op", .type = F_STRING, .required = true, .allowed = REVISION_OPS, .flags = FIELD_EXPORT},
    {.name = "reason", .type = F_STRING, .nullable = true, .max_len = 100, .flags = FIELD_EXPORT},
    {.name = "user_id", .type = F_UUID, .nullable = true, .flags = FIELD_EXPORT},
    {.name = "token_id", .type = F_UUID, .nullable = true, .flags = FIELD_EXPORT},
    {.name = "request_id", .type = F_STRING, .nullable = true, .max_len = 200, .flags = FIELD_EXPORT},
    {.name = "at", .type = F_TIMESTAMP, .required = true, .flags = FIELD_EXPORT},
    {.name = "before", .type = F_OBJECT, .nullable = true, .flags = FIELD_EXPORT},
    {.name = "after", .type = F_OBJECT, .nullable = true, .flags = FIELD_EXPORT},
    {.name = NULL},
};

/* Checks a revision line and stages it as written (the row images keep
 * their numbers exactly as the export wrote them). */
static void revision_line(struct import *im, json_t *rec, const char *id, const char *line, size_t len)
{
    json_object_del(rec, "type");
    if (!fields_ok(im, rec, "", revision_fields, "revision", id))
        return;
    const char *op = json_string_value(json_object_get(rec, "op"));
    bool before = json_is_object(json_object_get(rec, "before")),
         after = json_is_object(json_object_get(rec, "after"));
    bool want_before = strcmp(op, "update") == 0 || strcmp(op, "delete") == 0;
    bool want_after = strcmp(op, "create") == 0 || strcmp(op, "update") == 0;
    const json_t *after_id = json_object_get(json_object_get(rec, "after"), "id");
    if (json_integer_value(json_object_get(rec, "rev")) < 1
        || json_integer_value(json_object_get(rec, "txn")) < 1) {
        add_error(im, "revision", id, json_integer_value(json_object_get(rec, "rev")) < 1 ? "rev" : "txn",
                  "invalid_value", "rev and txn count from 1");
    } else if (before != want_before || after != want_after) {
        add_error(im, "revision", id, before != want_before ? "before" : "after", "invalid_value",
                  "a %s has %s", op,
                  strcmp(op, "create") == 0   ? "the row after it only (before is null)"
                  : strcmp(op, "update") == 0 ? "the row before and after it"
                  : strcmp(op, "delete") == 0 ? "the row before it only (after is null)"
                                              : "no row (before and after are null)");
    } else if (after && (!json_is_string(after_id) || strcmp(json_string_value(after_id), id) != 0)) {
        add_error(im, "revision", id, "after.id", "invalid_value",
                  "the row after the change must have this id");
    } else if (im->n_errors == 0) {
        im->history = true;
        /* Staged as the line itself (its images byte for byte), in a COPY
         * that takes a carriage return for the end of a row: JSON allows
         * one only as whitespace between tokens, where a space is the same. */
        char *staged = memchr(line, '\r', len) ? strndup(line, len) : NULL;
        for (size_t i = 0; staged && i < len; i++)
            if (staged[i] == '\r')
                staged[i] = ' ';
        stage_text(im, "revision", id, "", rec, staged ? staged : line, len);
        free(staged);
    }
}

static bool blank(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (line[i] != ' ' && line[i] != '\t')
            return false;
    return true;
}

static void take_line(void *cls, const char *line, size_t len)
{
    struct import *im = cls;
    im->line_no++;
    if (!line) { /* longer than any record can be: the import is refused */
        im->records++;
        im->overlong = true;
        add_error(im, NULL, NULL, NULL, "line_too_long",
                  "the line is longer than the largest record accepted (%zu bytes)", im->lines.max);
        return;
    }
    if (blank(line, len) || im->fatal[0])
        return;
    im->records++;
    size_t bad;
    if (!utf8_valid(line, len, &bad)) {
        add_error(im, NULL, NULL, NULL, "invalid_utf8", "the line is not valid UTF-8 (byte %zu)", bad);
        return;
    }
    json_error_t jerr;
    json_t *rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(rec)) {
        add_error(im, NULL, NULL, NULL, "invalid_json", "not a JSON object: %s",
                  rec ? "another value" : jerr.text);
        json_decref(rec);
        return;
    }
    const json_t *type = json_object_get(rec, "type");
    const char *tname = json_is_string(type) ? json_string_value(type) : NULL;
    if (tname && strcmp(tname, "header") == 0) {
        header_ok(im, rec);
        im->seen_record = true;
        json_decref(rec);
        return;
    }
    im->seen_record = true;
    enum record_type t = T_COUNT;
    for (size_t i = 0; tname && TYPES[i]; i++)
        if (strcmp(TYPES[i], tname) == 0)
            t = (enum record_type)i;
    const json_t *idv = json_object_get(rec, "id");
    const char *id =
        json_is_string(idv) && uuid_valid(json_string_value(idv)) ? json_string_value(idv) : NULL;
    if (tname && strcmp(tname, "revision") == 0) {
        revision_line(im, rec, id, line, len);
    } else if (t == T_COUNT) {
        add_error(
            im, NULL, id, "type", tname ? "invalid_enum" : "missing_field",
            "type must be one of: header, project, codebook, actor, document, source, claim, attribution,"
            " relation, citation, revision");
    } else {
        /* The rest is the entity's own fields, checked as its description
         * says (entities.c): what the export writes, the import reads. */
        json_object_del(rec, "type");
        char unverified[64] = "";
        if (fields_ok(im, rec, "", ENTITIES[t]->fields, TYPES[t], id)
            && record_ok(im, t, rec, id, unverified, sizeof unverified) && im->n_errors == 0) {
            /* Once a line is bad nothing will be written: stop staging, but
             * keep validating to report every bad line. */
            stage(im, TYPES[t], id, unverified, rec);
        }
    }
    json_decref(rec);
}

/* ------------------------------------------------------------ lifecycle */

static bool exec_ok(struct import *im, const char *sql, ExecStatusType want)
{
    PGresult *res = PQexec(im->conn, sql);
    bool ok = PQresultStatus(res) == want;
    if (!ok)
        snprintf(im->fatal, sizeof im->fatal, "%s", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

struct import *import_begin(const struct import_options *opt)
{
    struct import *im = calloc(1, sizeof *im);
    if (!im)
        return NULL;
    im->opt = *opt;
    im->lines.max = opt->max_line;
    im->errors = json_array();
    return im;
}

/* Connects, opens the transaction and the staging COPY: on the first data,
 * so that a client that sends headers and nothing else holds no database
 * connection. Returns false with im->fatal set. */
static bool open_import(struct import *im)
{
    if (im->opened)
        return im->conn && !im->fatal[0];
    im->opened = true;
    char error[512];
    im->conn = db_connect(false, error, sizeof error);
    if (!im->conn) {
        snprintf(im->fatal, sizeof im->fatal, "%s", error);
        return false;
    }
    /* No statement timeout (a large import rightly takes a while) and no JIT:
     * compiling the long check statement takes seconds and saves nothing. */
    bool ok = exec_ok(im, "BEGIN", PGRES_COMMAND_OK) && db_scope_apply(im->conn, im->opt.request, true, false)
              && exec_ok(im, "SET LOCAL statement_timeout = 0", PGRES_COMMAND_OK)
              /* the revision log labels the rows the import writes */
              && exec_ok(im, "SELECT set_config('claimdb.reason', 'import', true)", PGRES_TUPLES_OK)
              && exec_ok(im, "SET LOCAL jit = off", PGRES_COMMAND_OK)
              && exec_ok(im, "SET LOCAL work_mem = '" IMPORT_WORK_MEM "'", PGRES_COMMAND_OK)
              && exec_ok(im, "SET LOCAL maintenance_work_mem = '" IMPORT_WORK_MEM "'", PGRES_COMMAND_OK)
              && exec_ok(im, CREATE_STAGE, PGRES_COMMAND_OK)
              && exec_ok(im, STAGE_PARTITION("project"), PGRES_COMMAND_OK)
              && exec_ok(im, STAGE_PARTITION("codebook"), PGRES_COMMAND_OK)
              && exec_ok(im, STAGE_PARTITION("actor"), PGRES_COMMAND_OK)
              && exec_ok(im, STAGE_PARTITION("document"), PGRES_COMMAND_OK)
              && exec_ok(im, STAGE_PARTITION("claim"), PGRES_COMMAND_OK)
              && exec_ok(im, STAGE_PARTITION("source"), PGRES_COMMAND_OK)
              && exec_ok(im, STAGE_PARTITION("attribution"), PGRES_COMMAND_OK)
              && exec_ok(im, STAGE_PARTITION("relation"), PGRES_COMMAND_OK)
              && exec_ok(im, STAGE_PARTITION("citation"), PGRES_COMMAND_OK)
              && exec_ok(im, STAGE_PARTITION("revision"), PGRES_COMMAND_OK);
    for (const struct db_statement *st = import_statements; ok && st->name; st++) {
        PGresult *res = PQprepare(im->conn, st->name, st->sql, 0, NULL);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok)
            snprintf(im->fatal, sizeof im->fatal, "preparing %s: %s", st->name, PQresultErrorMessage(res));
        PQclear(res);
    }
    ok = ok && exec_ok(im, COPY_STAGE, PGRES_COPY_IN);
    im->copying = ok;
    return ok;
}

int import_feed(struct import *im, const char *data, size_t len)
{
    if (im->overlong)
        return -1;
    if (!im->opened && len)
        open_import(im);
    lines_feed(&im->lines, data, len, take_line, im);
    return im->overlong ? -1 : 0;
}

size_t import_records(const struct import *im)
{
    return im->records;
}

/* A database failure while checking or writing: the transaction is gone.
 * Classified as the API classifies it (errors.h), worded for an import. */
static unsigned database_failure(struct import *im, const PGresult *res, json_t **body)
{
    struct db_error e;
    db_error_classify(res, PQstatus(im->conn) == CONNECTION_OK, &e);
    if (!res && e.status == 503)
        fprintf(stderr, "{\"level\":\"error\",\"event\":\"import_failed\"}\n%s\n", im->fatal);
    else if (e.unexpected)
        db_error_log("import_failed", res);
    char message[600];
    json_t *extra = NULL;
    if (e.status == HTTP_FORBIDDEN) {
        /* Row-level security refused a row of a project the caller reads but
         * does not manage (an unreadable one is already an unknown reference):
         * the import's own role, as db_reply_error names a route's. */
        const char *role = e.role_needed ? e.role_needed : "manager";
        extra = json_pack("{s:s}", "role_needed", role);
        snprintf(message, sizeof message,
                 "nothing was imported: importing into this project needs the %s role there", role);
    } else {
        snprintf(message, sizeof message, "nothing was imported: %s", e.message);
    }
    *body = error_body(e.status, e.code, e.field, message, extra);
    return e.status;
}

static bool end_copy(struct import *im)
{
    flush_chunk(im);
    im->copying = false;
    if (PQputCopyEnd(im->conn, im->fatal[0] ? "import abandoned" : NULL) != 1 && !im->fatal[0])
        snprintf(im->fatal, sizeof im->fatal, "%s", PQerrorMessage(im->conn));
    PGresult *res;
    while ((res = PQgetResult(im->conn))) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && !im->fatal[0])
            snprintf(im->fatal, sizeof im->fatal, "%s", PQresultErrorMessage(res));
        PQclear(res);
    }
    return !im->fatal[0];
}

static void add_checked_errors(struct import *im, PGresult *res)
{
    for (int i = 0; i < PQntuples(res); i++) {
        im->n_errors++;
        if (im->n_errors > MAX_LISTED_ERRORS)
            continue;
        json_array_append_new(im->errors,
                              json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s}", "line",
                                        (json_int_t)atoll(PQgetvalue(res, i, 0)), "type",
                                        PQgetvalue(res, i, 1), "id", PQgetvalue(res, i, 2), "field",
                                        PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3), "code",
                                        PQgetvalue(res, i, 4), "message", PQgetvalue(res, i, 5)));
    }
}

/* Adds each unknown tag of a claim under strict_tags (import_unknown_tags)
 * as the API words it, with its suggestions. */
static void add_unknown_tags(struct import *im, PGresult *res)
{
    for (int i = 0; i < PQntuples(res); i++) {
        im->n_errors++;
        if (im->n_errors > MAX_LISTED_ERRORS)
            continue;
        char field[32], message[1200]; /* a tag is at most TAG_MAX_LEN code points */
        snprintf(field, sizeof field, "tags[%s]", PQgetvalue(res, i, 2));
        snprintf(message, sizeof message, CODEBOOK_UNKNOWN_TAG_MESSAGE, field, PQgetvalue(res, i, 3));
        json_array_append_new(
            im->errors,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o*}", "line",
                      (json_int_t)atoll(PQgetvalue(res, i, 0)), "type", "claim", "id", PQgetvalue(res, i, 1),
                      "field", field, "code", "unknown_tag", "message", message, "suggestions",
                      json_loadb(PQgetvalue(res, i, 4), (size_t)PQgetlength(res, i, 4), 0, NULL)));
    }
}

/* A listed error and where it was found, for a stable sort by line. */
struct listed {
    json_t *error;
    size_t order;
};

static int by_line(const void *a, const void *b)
{
    const struct listed *p = a, *q = b;
    json_int_t x = json_integer_value(json_object_get(p->error, "line"));
    json_int_t y = json_integer_value(json_object_get(q->error, "line"));
    if (x != y)
        return (x > y) - (x < y);
    return (p->order > q->order) - (p->order < q->order);
}

static unsigned invalid_lines(struct import *im, json_t **body)
{
    /* line order, whichever side found the problem */
    size_t n = json_array_size(im->errors);
    /* (several problems of one line keep the order they were found in) */
    struct listed *items = malloc((n ? n : 1) * sizeof *items);
    json_t *sorted = json_array();
    if (items) {
        for (size_t i = 0; i < n; i++)
            items[i] = (struct listed){json_array_get(im->errors, i), i};
        qsort(items, n, sizeof *items, by_line);
        for (size_t i = 0; i < n; i++)
            json_array_append(sorted, items[i].error);
        free(items);
    }
    char message[200];
    snprintf(message, sizeof message, "%zu problem%s in the lines; nothing was imported", im->n_errors,
             im->n_errors == 1 ? "" : "s");
    *body = error_body(422, "invalid_lines", NULL, message,
                       json_pack("{s:I, s:b, s:o}", "invalid", (json_int_t)im->n_errors, "truncated",
                                 im->n_errors > MAX_LISTED_ERRORS, "lines", sorted));
    return 422;
}

/* Runs the prepared statement `name` on the import's connection. Returns its
 * rows (the caller clears them), or NULL after database_failure has set
 * *body and *status. */
static PGresult *exec_rows(struct import *im, const char *name, int nparams, const char *const *params,
                           json_t **body, unsigned *status)
{
    PGresult *res = PQexecPrepared(im->conn, name, nparams, params, NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_TUPLES_OK)
        return res;
    *status = database_failure(im, res, body);
    PQclear(res);
    return NULL;
}

/* Runs the check `name`, whose rows are problems, and adds them with `add`.
 * Returns false after database_failure has set *body and *status. */
static bool run_check(struct import *im, const char *name, int nparams, const char *const *params,
                      void (*add)(struct import *, PGresult *), json_t **body, unsigned *status)
{
    PGresult *res = exec_rows(im, name, nparams, params, body, status);
    if (!res)
        return false;
    add(im, res);
    PQclear(res);
    return true;
}

/* Indexes the stage by (id, type). A unique index is built when it can
 * be: then no id repeats within a type and the check need not look for
 * repeats (a sort of every staged row); *repeated says which. */
static bool index_stage(struct import *im, bool *repeated)
{
    if (!exec_ok(im, "SAVEPOINT stage_index", PGRES_COMMAND_OK))
        return false;
    PGresult *res =
        PQexec(im->conn, "CREATE UNIQUE INDEX ON import_stage (id, type) WHERE type <> 'revision'");
    *repeated = PQresultStatus(res) != PGRES_COMMAND_OK;
    PQclear(res);
    if (!*repeated)
        return exec_ok(im, "RELEASE SAVEPOINT stage_index", PGRES_COMMAND_OK);
    return exec_ok(im, "ROLLBACK TO SAVEPOINT stage_index", PGRES_COMMAND_OK)
           && exec_ok(im, "CREATE INDEX ON import_stage (id, type)", PGRES_COMMAND_OK);
}

unsigned import_finish(struct import *im, json_t **body)
{
    if (!im->overlong)
        lines_end(&im->lines, take_line, im);
    if (im->overlong) {
        *body = error_body(413, "line_too_long", NULL,
                           "a line is longer than the largest record accepted; nothing was imported",
                           json_pack("{s:o}", "lines", json_incref(im->errors)));
        return 413;
    }
    if (!open_import(im))
        return database_failure(im, NULL, body);
    if (im->lines.failed)
        snprintf(im->fatal, sizeof im->fatal, "out of memory reading a line");
    if (!end_copy(im))
        return database_failure(im, NULL, body);
    const char *update = im->opt.update ? "true" : "false";
    bool repeated_ids = false;
    if (!index_stage(im, &repeated_ids) || !exec_ok(im, ANALYZE_STAGE, PGRES_COMMAND_OK))
        return database_failure(im, NULL, body);
    const char *params[] = {update, repeated_ids ? "true" : "false"};
    unsigned status = 0;
    if (!run_check(im, "import_check", 2, params, add_checked_errors, body, &status)
        || !run_check(im, "import_unknown_tags", 0, NULL, add_unknown_tags, body, &status))
        return status;
    if (im->n_errors) {
        exec_ok(im, "ROLLBACK", PGRES_COMMAND_OK);
        return invalid_lines(im, body);
    }
    json_t *counts = json_object();
    /* A log in the file goes in first: the rows it covers are then written
     * as its last entries describe them, without entries of their own
     * (history_import, migration 0015). */
    if (im->history) {
        PGresult *res = exec_rows(im, "import_revisions", 0, NULL, body, &status);
        if (!res) {
            json_decref(counts);
            return status;
        }
        long long inserted = atoll(PQgetvalue(res, 0, 0)), staged = atoll(PQgetvalue(res, 0, 2));
        json_object_set_new(counts, "revision",
                            json_pack("{s:I, s:I, s:I}", "inserted", (json_int_t)inserted, "updated",
                                      (json_int_t)0, "unchanged", (json_int_t)(staged - inserted)));
        PQclear(res);
        if (!exec_ok(im, "SELECT set_config('claimdb.history_import', 'on', true)", PGRES_TUPLES_OK)) {
            json_decref(counts);
            return database_failure(im, NULL, body);
        }
    }
    for (size_t t = 0; TYPES[t]; t++) {
        char name[32];
        snprintf(name, sizeof name, "import_%s", TYPES[t]);
        PGresult *res = exec_rows(im, name, 1, params, body, &status);
        if (!res) {
            json_decref(counts);
            return status;
        }
        long long inserted = atoll(PQgetvalue(res, 0, 0)), updated = atoll(PQgetvalue(res, 0, 1));
        long long staged = atoll(PQgetvalue(res, 0, 2));
        json_object_set_new(counts, TYPES[t],
                            json_pack("{s:I, s:I, s:I}", "inserted", (json_int_t)inserted, "updated",
                                      (json_int_t)updated, "unchanged",
                                      (json_int_t)(staged - inserted - updated)));
        PQclear(res);
    }
    if (im->history) {
        if (!run_check(im, "import_log_agrees", 0, NULL, add_checked_errors, body, &status)) {
            json_decref(counts);
            return status;
        }
        if (im->n_errors) {
            json_decref(counts);
            exec_ok(im, "ROLLBACK", PGRES_COMMAND_OK);
            return invalid_lines(im, body);
        }
    }
    if (!exec_ok(im, im->opt.dry_run ? "ROLLBACK" : "COMMIT", PGRES_COMMAND_OK)) {
        json_decref(counts);
        return database_failure(im, NULL, body);
    }
    *body =
        json_pack("{s:b, s:s, s:I, s:o}", "dry_run", im->opt.dry_run, "on_conflict",
                  im->opt.update ? "update" : "error", "records", (json_int_t)im->records, "counts", counts);
    return 200;
}

void import_free(struct import *im)
{
    if (!im)
        return;
    if (im->conn)
        PQfinish(im->conn); /* an open transaction rolls back with the session */
    if (im->lookup)
        PQfinish(im->lookup);
    lines_free(&im->lines);
    json_decref(im->errors);
    for (size_t i = 0; i < im->n_docs; i++)
        free(im->docs[i].text);
    free(im->docs);
    free(im->cached);
    uuid_map_free(&im->doc_index);
    uuid_map_free(&im->claim_doc);
    free(im->chunk);
    free(im);
}
