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


def problems(response):
    """(field, code) of every problem of an error response, in order."""
    return [(e.get("field"), e["code"]) for e in response.json()["errors"]]


def test_a_claim_with_many_problems_gets_them_all_at_once(api):
    """Issue 12, part 8: the problems of a claim body, inline attributions and
    citations, their spans, via and references included, come in one
    response, each naming its path; nothing is written."""
    from test_codebook import make_project
    pid = make_project(api, strict=True)
    api.create(f"/v1/codebook?project_id={pid}", {"tag": "topic"})
    doc = api.create("/v1/documents", {"project_id": pid, "title": "t", "text": "The minister said No. No."})
    actor = api.create("/v1/actors", {"project_id": pid, "name": unique("speaker")})
    source = api.create("/v1/sources", {"project_id": pid, "title": unique("src")})
    before = api.get("/v1/claims", params={"document_id": doc["id"]}).json()["items"]
    r = api.post("/v1/claims", {
        "project_id": pid, "document_id": doc["id"], "kind": "rumour", "tags": ["topic", "topc"],
        "target": {"exact": "the minister said"},  # absent as typed: its case differs
        "attributions": [
            {"actor_id": actor["id"], "mode": "shouted"},
            {"actor_id": uid(), "via": "#3", "cue_span": {"exact": "No."}},
            {"actor_id": actor["id"], "via_attribution_id": uid()},
        ],
        "citations": [{"source_id": uid()}, {"source_id": source["id"], "span": {"start": 5, "end": 2}}, 7],
    })
    assert_error(r, 400, "invalid_enum", "kind")
    got = problems(r)
    assert got == [
        ("kind", "invalid_enum"),
        ("tags[1]", "unknown_tag"),
        ("target", "quote_not_found"),
        ("attributions[0].mode", "invalid_enum"),
        ("attributions[1].cue_span", "ambiguous_quote"),
        ("attributions[1].via", "unknown_reference"),
        ("attributions[2].via_attribution_id", "unknown_reference"),
        ("citations[1].span", "empty_span"),
        ("citations[2]", "invalid_type"),
        ("attributions[1].actor_id", "unknown_reference"),
        ("citations[0].source_id", "unknown_reference"),
    ], got
    errors = r.json()["errors"]
    # each keeps what it says on its own: statuses, candidates, suggestions, allowed values
    assert [e["status"] for e in errors][:3] == [400, 422, 422]
    assert errors[1]["suggestions"][0]["tag"] == "topic"
    assert errors[2]["candidates"][0]["exact"] == "The minister said"
    assert "indirect" in errors[3]["allowed"]
    assert api.get("/v1/claims", params={"document_id": doc["id"]}).json()["items"] == before
    # the same body, put right, is written whole
    ok = api.post("/v1/claims", {
        "project_id": pid, "document_id": doc["id"], "tags": ["topic"],
        "target": {"exact": "The minister said"},
        "attributions": [{"actor_id": actor["id"]}, {"actor_id": actor["id"], "via": "#0"}],
        "citations": [{"source_id": source["id"]}],
    })
    assert ok.status_code == 201, ok.text
    assert len(ok.json()["attributions"]) == 2 and len(ok.json()["citations"]) == 1


def test_a_claim_patch_reports_every_problem(api):
    """PATCH collects too: fields, unknown tags and the new target at once."""
    from test_codebook import make_project, set_strict
    pid = make_project(api)
    doc = api.create("/v1/documents", {"project_id": pid, "title": "t", "text": "alpha beta alpha"})
    claim = api.create("/v1/claims", {"project_id": pid, "document_id": doc["id"], "target": {"exact": "beta"}})
    set_strict(api, pid, True)
    r = api.patch(f"/v1/claims/{claim['id']}", {"kind": "x", "text": "", "tags": ["nope", "neither"],
                                                "target": {"exact": "alpha"}})
    assert problems(r) == [("kind", "invalid_enum"), ("text", "invalid_value"), ("tags[0]", "unknown_tag"),
                           ("tags[1]", "unknown_tag"), ("target", "ambiguous_quote")], r.text
    assert api.get(f"/v1/claims/{claim['id']}").json()["rev"] == claim["rev"]


def test_one_attribution_or_citation_reports_fields_and_spans_together(api):
    doc = api.create("/v1/documents", {"title": "t", "text": "said and said"})
    claim = api.create("/v1/claims", {"document_id": doc["id"], "target": {"exact": "and"}})
    actor = api.create("/v1/actors", {"name": unique("speaker")})
    r = api.post(f"/v1/claims/{claim['id']}/attributions",
                 {"actor_id": actor["id"], "polarity": "maybe", "cue_span": {"exact": "said"},
                  "source_span": {"start": 1, "end": 99}})
    assert problems(r) == [("polarity", "invalid_enum"), ("source_span", "span_out_of_range"),
                           ("cue_span", "ambiguous_quote")], r.text
    src = api.create("/v1/sources", {"title": unique("src")})
    r = api.post(f"/v1/claims/{claim['id']}/citations", {"source_id": src["id"], "span": {"exact": "nowhere"}})
    assert_error(r, 422, "quote_not_found", "span")


def test_inline_items_that_are_not_objects_are_each_named(api):
    """Each inline item that is not an object is named by its index, beside the claim's
    own problems."""
    r = api.post("/v1/claims", {"text": "", "kind": "x", "attributions": [1, 2]})
    assert problems(r) == [("kind", "invalid_enum"), ("text", "invalid_value"), ("attributions[0]", "invalid_type"),
                           ("attributions[1]", "invalid_type")], r.text
    assert all(400 <= e["status"] < 500 for e in r.json()["errors"])


def test_every_bad_piece_of_a_discontinuous_span_is_reported(api):
    """A target in segments with two bad pieces (and a bad field beside them) gets all three in one
    response; with good pieces out of order, the order is the one problem."""
    doc = api.create("/v1/documents", {"title": "t", "text": "The report, he said, is a patchwork of lies."})
    r = api.post("/v1/claims", {"document_id": doc["id"], "kind": "gossip", "target": {"segments": [
        {"exact": "The report"}, {"exact": "not in the text"}, {"start": 40, "end": 400}]}})
    assert problems(r) == [("kind", "invalid_enum"), ("target.segments[1]", "quote_not_found"),
                           ("target.segments[2]", "span_out_of_range")], r.text
    r = api.post("/v1/claims", {"document_id": doc["id"], "target": {"segments": [
        {"exact": "is a patchwork of lies"}, {"exact": "The report"}]}})
    assert problems(r) == [("target.segments[1]", "segments_out_of_order")], r.text
