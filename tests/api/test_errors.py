"""The one SQLSTATE classifier (server/errors.c): the API and the import
classify a database refusal alike, and no error body shows the database's
insides (constraint names, SQLSTATEs, PostgreSQL's wording)."""
import subprocess

import pytest
import requests

from conftest import assert_error, assert_no_database_insides, unique
from transfer_data import line, uid


def test_check_constraint_is_worded_for_the_field(api):
    # The API checks language's length; its form is the database's CHECK.
    err = assert_error(api.post("/v1/documents", {"title": "t", "text": "x", "language": "English!"}),
                       422, "invalid_value", "language")
    assert "language" in err["message"]


def test_unique_violation_is_a_conflict_on_the_field(api):
    ext = unique("ext")
    api.create("/v1/documents", {"title": "t", "text": "x", "external_id": ext})
    assert_error(api.post("/v1/documents", {"title": "t", "text": "y", "external_id": ext}),
                 409, "conflict", "external_id")


def test_delete_still_referenced_is_worded_by_constraint(api):
    doc = api.create("/v1/documents", {"title": "t", "text": "some text"})
    api.create("/v1/claims", {"text": "c", "document_id": doc["id"], "target": {"exact": "some"}})
    assert_error(api.delete(f"/v1/documents/{doc['id']}"), 409, "has_claims", "cascade")
    assert api.delete(f"/v1/documents/{doc['id']}?cascade=true").status_code == 204


def test_import_classifies_like_the_api(server):
    """The same refusal through POST /v1/import: 422 invalid_value on the
    same field, no constraint name in the body."""
    body = line({"type": "header", "format": "claimdb-ndjson", "version": 1}) + line(
        {"type": "document", "id": uid(), "title": "t", "text": "x", "language": "English!"})
    r = requests.post(server.base + "/v1/import", data=body.encode(), timeout=60, headers=server.auth)
    err = assert_error(r, 422, "invalid_value", "language")
    assert "constraint" not in err
    assert_no_database_insides(err)


def test_a_600_character_role_is_refused_by_every_path(api, server, cluster):
    """The API's limit on an attribution's role (500 code points) holds for
    the API, the import and a direct SQL INSERT alike."""
    role = "é" * 600
    actor = api.create("/v1/actors", {"name": unique("speaker")})
    claim = api.create("/v1/claims", {"text": unique("claim")})
    # the API
    assert_error(api.post(f"/v1/claims/{claim['id']}/attributions", {"actor_id": actor["id"], "role": role}),
                 400, "too_long", "role")
    # the import: the line is refused, nothing is written
    attribution_id = uid()
    body = line({"type": "header", "format": "claimdb-ndjson", "version": 1}) + line(
        {"type": "attribution", "id": attribution_id, "claim_id": claim["id"], "actor_id": actor["id"],
         "role": role})
    err = assert_error(requests.post(server.base + "/v1/import", data=body.encode(), timeout=60, headers=server.auth),
                       422, "invalid_lines")
    assert [(e["line"], e["field"], e["code"]) for e in err["lines"]] == [(2, "role", "too_long")]
    assert api.get(f"/v1/attributions/{attribution_id}").status_code == 404
    # the database itself
    with pytest.raises(subprocess.CalledProcessError) as refused:
        cluster.psql("INSERT INTO attributions (project_id, claim_id, actor_id, role)"
                     f" VALUES ('{claim['project_id']}', '{claim['id']}', '{actor['id']}', '{role}')")
    assert "attributions_role_length" in refused.value.stderr
    # 500 is fine everywhere
    assert api.post(f"/v1/claims/{claim['id']}/attributions",
                    {"actor_id": actor["id"], "role": "é" * 500}).status_code == 201
