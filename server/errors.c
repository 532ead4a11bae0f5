#include "errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *error_body(unsigned status, const char *code, const char *field, const char *message, json_t *extra)
{
    json_t *err =
        json_pack("{s:I, s:s, s:s}", "status", (json_int_t)status, "code", code, "message", message);
    if (!err)
        abort();
    if (field)
        json_object_set_new(err, "field", json_string(field));
    if (extra) {
        json_object_update(err, extra);
        json_decref(extra);
    }
    return json_pack("{s:o}", "error", err);
}

/* How the message of a rule is worded; the field comes from the constraint
 * or column PostgreSQL names. */
enum wording {
    W_UNAVAILABLE, /* the connection is gone */
    W_BUSY,        /* transient: timeout, serialization, lock, resources */
    W_DUPLICATE,   /* unique violation */
    W_REFERENCE,   /* foreign key: a reference to nothing (422) or a delete still referenced (409) */
    W_RULE,        /* check constraint */
    W_REQUIRED,    /* not null */
    W_TOO_LONG,    /* a value over a length or size limit */
    W_FORMAT,      /* data exception: a value PostgreSQL cannot read */
    W_RAISED,      /* claimdb's own RAISE EXCEPTION: its text is meant for the client */
    W_FORBIDDEN,   /* row-level security or privileges (the teams issue) */
    W_MISSING,     /* claimdb's history_write(): its text names the row; the HINT is the foreign key */
    W_INTERNAL,    /* anything else: a bug */
};

/* SQLSTATE → HTTP, first match wins: exact codes before their class, a
 * two-character entry matches the whole class. Model: PostgREST's table. */
static const struct sqlstate_rule {
    const char *state;
    unsigned status;
    const char *code;
    enum wording wording;
} RULES[] = {
    {"57P01", 503, "database_unavailable", W_UNAVAILABLE}, /* admin shutdown */
    {"57P02", 503, "database_unavailable", W_UNAVAILABLE}, /* crash shutdown */
    {"57P03", 503, "database_unavailable", W_UNAVAILABLE}, /* cannot connect now */
    {"08", 503, "database_unavailable", W_UNAVAILABLE},    /* connection exception */
    {"57014", 503, "busy", W_BUSY},                        /* statement timeout, cancel */
    {"40001", 503, "busy", W_BUSY},                        /* serialization failure */
    {"40P01", 503, "busy", W_BUSY},                        /* deadlock */
    {"55P03", 503, "busy", W_BUSY},                        /* lock not available */
    {"53", 503, "busy", W_BUSY},                           /* insufficient resources */
    {"23505", 409, "conflict", W_DUPLICATE},
    {"23P01", 409, "conflict", W_DUPLICATE}, /* exclusion */
    {"23503", 422, "unknown_reference", W_REFERENCE},
    {"23502", 422, "invalid_value", W_REQUIRED},
    {"23514", 422, "invalid_value", W_RULE},
    {"23", 422, "invalid_value", W_RULE},
    {"22001", 422, "invalid_value", W_TOO_LONG}, /* string data right truncation */
    {"54000", 422, "invalid_value", W_TOO_LONG}, /* program limit: e.g. an index row too large */
    {"22", 400, "invalid_value", W_FORMAT},
    {"P0001", 409, "immutable", W_RAISED},
    {"CD412", 412, "precondition_failed", W_RAISED}, /* history_before(): If-Match names an older revision */
    {"CD428", 428, "precondition_required", W_RAISED}, /* history_before(): the project requires If-Match */
    {"CD422", 422, "invalid_revision", W_RAISED},      /* history_revert(): no such revision to go back to */
    {"CD409", 409, "missing_reference", W_MISSING},    /* history_write(): a reference it needs is gone */
    {"42501", HTTP_FORBIDDEN, "forbidden", W_FORBIDDEN}, /* insufficient privilege, row-level security */
    {"28", 503, "database_unavailable",
     W_UNAVAILABLE}, /* claimdb's own login refused: not the client's fault */
};

/* Constraints whose violation reads better in the model's own words.
 * `on_delete` distinguishes the two directions of a foreign key: a row
 * written with a reference to nothing (false) or a row deleted while others
 * still point at it (true). */
static const struct constraint_wording {
    const char *constraint;
    bool on_delete;
    unsigned status;
    const char *code, *field, *message;
} CONSTRAINTS[] = {
    {"revisions_one_project", false, 409, "conflict", "project_id",
     "a revision names a row that belongs to another project"},
    {"revisions_row", false, 409, "conflict", "rev",
     "this revision of this row is logged already (in a project this import cannot read)"},
    {"relations_no_self", false, 422, "self_relation", "to_claim_id",
     "a claim cannot be related to itself: from_claim_id and to_claim_id must differ"},
    {"relations_unique", false, 409, "duplicate_relation", "kind",
     "a relation with the same from_claim_id, to_claim_id and kind already exists"},
    {"documents_project_id_external_id_key", false, 409, "conflict", "external_id",
     "external_id already exists with that value"},
    {"projects_settings_require_if_match_boolean", false, 400, "invalid_type", "settings.require_if_match",
     "settings.require_if_match must be true or false"},
    {"projects_settings_blind_boolean", false, 400, "invalid_type", "settings.blind",
     "settings.blind must be true or false"},
    {"claims_check", false, 422, "invalid_value", "target",
     "target: a span needs start, end and exact together, end after start, and a document"},
    {"attributions_check", false, 422, "invalid_value", "via_attribution_id",
     "an attribution cannot be reported via itself"},
    {"claims_document_id_project_id_fkey", true, 409, "has_claims", "cascade",
     "the document has claims or is a source's text; delete with ?cascade=true to remove its claims (and "
     "unlink"
     " sources) too"},
    {"sources_document_id_project_id_fkey", true, 409, "has_claims", "cascade",
     "the document has claims or is a source's text; delete with ?cascade=true to remove its claims (and "
     "unlink"
     " sources) too"},
    {"attributions_actor_id_project_id_fkey", true, 409, "still_referenced", "id",
     "the actor is still referenced by attributions, relations or sources; remove those or merge the actor "
     "into"
     " another (POST /v1/actors/{id}/merge)"},
    {"relations_asserted_by_actor_id_project_id_fkey", true, 409, "still_referenced", "id",
     "the actor is still referenced by attributions, relations or sources; remove those or merge the actor "
     "into"
     " another (POST /v1/actors/{id}/merge)"},
    {"sources_publisher_actor_id_project_id_fkey", true, 409, "still_referenced", "id",
     "the actor is still referenced by attributions, relations or sources; remove those or merge the actor "
     "into"
     " another (POST /v1/actors/{id}/merge)"},
    {"attributions_via_attribution_id_project_id_fkey", true, 409, "still_referenced", "id",
     "other attributions are reported via this attribution (or via this claim's attributions); delete them or"
     " change their via_attribution_id first"},
    {"citations_source_id_project_id_fkey", true, 409, "still_referenced", "id",
     "the source is still cited by claims; delete those citations first"},
    {"codebook_entries_project_id_parent_fkey", true, 409, "still_referenced", "id",
     "other codebook entries refine this one (their parent); delete or re-parent them first"},
};

/* The JSON field a constraint guards, from PostgreSQL's default names
 * ("attributions_actor_id_project_id_fkey" on "attributions" → "actor_id",
 * "attributions_role_length" → "role"). Writes into buf. */
static const char *constraint_field(const char *table, const char *constraint, char *buf, size_t size)
{
    size_t tl = table ? strlen(table) : 0;
    const char *start = constraint;
    if (tl && strncmp(constraint, table, tl) == 0 && constraint[tl] == '_')
        start += tl + 1;
    snprintf(buf, size, "%s", start);
    static const char *const suffixes[] = {"_project_id_fkey", "_fkey",   "_key",
                                           "_check",           "_length", "_range"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        size_t bl = strlen(buf), sl = strlen(suffixes[i]);
        if (bl > sl && strcmp(buf + bl - sl, suffixes[i]) == 0) {
            buf[bl - sl] = '\0';
            break;
        }
    }
    return buf;
}

static const struct sqlstate_rule *rule_for(const char *state)
{
    static const struct sqlstate_rule internal = {"", 500, "internal", W_INTERNAL};
    static const struct sqlstate_rule unavailable = {"", 503, "database_unavailable", W_UNAVAILABLE};
    if (!state)
        return &unavailable;
    for (size_t i = 0; i < sizeof RULES / sizeof *RULES; i++) {
        size_t n = strlen(RULES[i].state);
        if (strncmp(RULES[i].state, state, n) == 0)
            return &RULES[i];
    }
    return &internal;
}

void db_error_classify(const PGresult *res, bool connection_ok, struct db_error *out)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *table = res ? PQresultErrorField(res, PG_DIAG_TABLE_NAME) : NULL;
    const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    const char *column = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const struct sqlstate_rule *rule = connection_ok ? rule_for(state) : rule_for(NULL);
    /* A foreign key reports both directions under one SQLSTATE; only
     * PostgreSQL's message tells a dangling reference from a delete that
     * others still point at. It is read here, never shown. */
    bool on_delete = rule->wording == W_REFERENCE && primary && strncmp(primary, "update or delete", 16) == 0;

    memset(out, 0, sizeof *out);
    out->status = rule->status;
    out->code = rule->code;
    out->field =
        constraint ? constraint_field(table, constraint, out->field_buf, sizeof out->field_buf) : column;

    for (size_t i = 0; constraint && i < sizeof CONSTRAINTS / sizeof *CONSTRAINTS; i++)
        if (CONSTRAINTS[i].on_delete == on_delete && strcmp(CONSTRAINTS[i].constraint, constraint) == 0) {
            out->status = CONSTRAINTS[i].status;
            out->code = CONSTRAINTS[i].code;
            out->field = CONSTRAINTS[i].field;
            snprintf(out->message, sizeof out->message, "%s", CONSTRAINTS[i].message);
            return;
        }

    const char *f = out->field;
    switch (rule->wording) {
    case W_UNAVAILABLE:
        out->field = NULL;
        out->retry = true;
        snprintf(out->message, sizeof out->message, "the database is not reachable right now; retry shortly");
        break;
    case W_BUSY:
        out->field = NULL;
        out->retry = true;
        snprintf(out->message, sizeof out->message, "the database could not finish in time; retry");
        break;
    case W_DUPLICATE:
        snprintf(out->message, sizeof out->message, "%s already exists with that value", f ? f : "a row");
        break;
    case W_REFERENCE:
        if (on_delete) {
            out->status = 409;
            out->code = "still_referenced";
            out->field = NULL;
            snprintf(out->message, sizeof out->message,
                     "the row is still referenced by other rows; remove those first");
        } else {
            snprintf(out->message, sizeof out->message, "%s does not name an existing row of this project",
                     f ? f : "a reference");
        }
        break;
    case W_RULE:
        snprintf(out->message, sizeof out->message, "%s: the value breaks a rule of the data model",
                 f ? f : "a value");
        break;
    case W_REQUIRED: snprintf(out->message, sizeof out->message, "%s is required", f ? f : "a value"); break;
    case W_TOO_LONG: snprintf(out->message, sizeof out->message, "%s is too long", f ? f : "a value"); break;
    case W_FORMAT:
        snprintf(out->message, sizeof out->message, "%s has a value of the wrong form", f ? f : "a value");
        break;
    case W_RAISED:
        /* claimdb's own triggers: the text and the HINT (the field) are ours. */
        out->field = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
        snprintf(out->message, sizeof out->message, "%s", primary ? primary : "this value cannot change");
        break;
    case W_MISSING: {
        /* "<table> <id> cannot come back: Key (…)=(…) is not present in table …":
         * the text is ours (the keys are ids the client sent or can read). */
        const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
        char resource[32];
        snprintf(resource, sizeof resource, "%.*s", primary ? (int)strcspn(primary, " ") : 0,
                 primary ? primary : "");
        out->field = hint ? constraint_field(resource, hint, out->field_buf, sizeof out->field_buf) : NULL;
        snprintf(out->message, sizeof out->message, "%s", primary ? primary : "a row it needs is gone");
        break;
    }
    case W_FORBIDDEN:
        /* claimdb_guard (migrations/0003_teams.sql) words its refusal and
         * names the role in the HINT; row-level security's own message is
         * PostgreSQL's and stays out (db_reply_error words it). */
        out->field = NULL;
        out->role_needed = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
        snprintf(out->message, sizeof out->message, "%s",
                 out->role_needed && primary ? primary : "you may not read or change this row");
        break;
    case W_INTERNAL:
        out->field = NULL;
        out->unexpected = true;
        snprintf(out->message, sizeof out->message, "unexpected database error; it has been logged");
        break;
    }
}

void db_error_log(const char *event, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    fprintf(stderr, "{\"level\":\"error\",\"event\":\"%s\",\"sqlstate\":\"%s\"}\n%s", event,
            state ? state : "", res ? PQresultErrorMessage(res) : "(no result)\n");
}
