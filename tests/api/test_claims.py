"""/v1/claims and /v1/documents/{id}/claims: create (with inline attributions and
citations), the embedded read, lists and filters, patch, delete; the press-conference
seed document annotated as a new user would."""
import json
import os
import subprocess

import pytest

from conftest import BIN, ROOT, assert_error, unique

MISSING = "01900000-0000-7000-8000-00000000beef"
DEFAULT_PROJECT = "00000000-0000-7000-8000-000000000001"
# A claim's stored fields as entities.c describes them (a list item shows exactly these).
FLAT_KEYS = {f["name"] for e in json.loads(subprocess.run([BIN, "describe"], check=True, capture_output=True,
                                                            text=True).stdout)["entities"]
             if e["type"] == "claim" for f in e["fields"] if f["sql_type"]}
assert FLAT_KEYS >= {"id", "rev", "project_id", "document_id", "target", "text", "kind", "tags", "note", "annotator",
                     "created_at", "updated_at", "created_by", "updated_by"}
EMBED_KEYS = FLAT_KEYS | {"document", "attributions", "citations", "relations"}

TEXT = "The ministry said the report was false. Critics said the report was accurate."


def make_document(api, text=TEXT, **extra):
    return api.create("/v1/documents", {"title": unique("doc"), "text": text, **extra})


def make_actor(api, name=None, kind="person", **extra):
    return api.create("/v1/actors", {"name": name or unique("actor"), "kind": kind, **extra})


def make_project(cluster):
    slug = unique("p").lower()
    return cluster.psql(f"INSERT INTO projects (slug, name) VALUES ('{slug}', '{slug}') RETURNING id")


def seed_text(name="002_e5673879f5f70b04.txt"):
    for folder in (os.path.join(ROOT, "fixtures", "documents"), "/work/shared/seeds"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                return f.read()
    pytest.skip("seed document not found")


# ---------------------------------------------------------------- create

def test_create_by_offsets(api):
    doc = make_document(api)
    start = TEXT.index("report was false.")
    r = api.post("/v1/claims", {"document_id": doc["id"], "target": {"start": start, "end": start + 17},
                                "kind": "evaluative", "tags": ["topic/xinjiang"], "note": "n",
                                "annotator": "tester"})
    assert r.status_code == 201, r.text
    claim = r.json()
    assert r.headers["Location"] == f"/v1/claims/{claim['id']}"
    assert set(claim) == EMBED_KEYS
    assert claim["target"] == {"start": start, "end": start + 17, "exact": "report was false.",
                               "prefix": "The ministry said the ", "suffix": TEXT[start + 17:start + 49]}
    assert claim["text"] == "report was false."
    assert claim["kind"] == "evaluative" and claim["tags"] == ["topic/xinjiang"]
    assert claim["note"] == "n" and claim["annotator"] == "tester"
    assert claim["project_id"] == DEFAULT_PROJECT
    assert claim["document"] == {"id": doc["id"], "title": doc["title"]}
    assert claim["attributions"] == [] and claim["citations"] == []
    assert claim["relations"] == {"outgoing": [], "incoming": []}
    assert api.get(f"/v1/claims/{claim['id']}").json() == claim


def test_create_by_quote_with_text_and_defaults(api):
    doc = make_document(api)
    claim = api.create("/v1/claims", {"document_id": doc["id"],
                                      "target": {"exact": "the report was accurate"},
                                      "text": "The OHCHR report is accurate."})
    assert claim["target"]["start"] == TEXT.index("the report was accurate")
    assert claim["target"]["exact"] == "the report was accurate"
    assert claim["text"] == "The OHCHR report is accurate."
    assert claim["kind"] == "factual" and claim["tags"] == [] and claim["note"] is None


def test_claim_without_document(api):
    claim = api.create("/v1/claims", {"text": "Xinjiang residents enjoy religious freedom."})
    assert claim["document_id"] is None and claim["target"] is None and claim["document"] is None
    assert api.get(f"/v1/claims/{claim['id']}").json()["text"] == claim["text"]


def test_claim_with_document_but_no_target(api):
    doc = make_document(api)
    claim = api.create("/v1/claims", {"document_id": doc["id"], "text": "Somewhere in it."})
    assert claim["document_id"] == doc["id"] and claim["target"] is None


def test_tags_deduplicated_in_order(api):
    claim = api.create("/v1/claims", {"text": "t", "tags": ["b", "a", "b", "c", "a"]})
    assert claim["tags"] == ["b", "a", "c"]


def test_create_errors(api):
    doc = make_document(api)
    assert_error(api.post("/v1/claims", {"kind": "factual"}), 400, "missing_field", "text")
    assert_error(api.post("/v1/claims", {"document_id": doc["id"]}), 400, "missing_field", "text")
    assert_error(api.post("/v1/claims", {"target": {"start": 0, "end": 3}}), 400, "missing_field",
                 "document_id")
    assert_error(api.post("/v1/claims", {"text": ""}), 400, "invalid_value", "text")
    assert_error(api.post("/v1/claims", {"text": "t", "bogus": 1}), 400, "unknown_field", "bogus")
    assert_error(api.post("/v1/claims", {"text": 5}), 400, "invalid_type", "text")
    err = assert_error(api.post("/v1/claims", {"text": "t", "kind": "rumour"}), 400, "invalid_enum", "kind")
    assert "factual" in err["allowed"]
    assert_error(api.post("/v1/claims", {"text": "t", "tags": ["ok", ""]}), 400, "invalid_type", "tags")
    assert_error(api.post("/v1/claims", {"text": "t", "tags": "x"}), 400, "invalid_type", "tags")
    assert_error(api.post("/v1/claims", {"text": "t", "document_id": "nope"}), 400, "invalid_uuid",
                 "document_id")
    assert_error(api.post("/v1/claims", {"text": "t", "document_id": MISSING}), 422, "unknown_reference",
                 "document_id")
    assert_error(api.post("/v1/claims", {"document_id": doc["id"], "target": "0-3"}), 400, "invalid_type",
                 "target")
    assert_error(api.post("/v1/claims", {"document_id": doc["id"], "target": {"start": 0}}), 400,
                 "missing_field", "target.end")
    assert_error(api.post("/v1/claims", {"document_id": doc["id"], "target": {"start": 0, "end": 3, "x": 1}}),
                 400, "unknown_field", "target.x")
    assert_error(api.post("/v1/claims", {"document_id": doc["id"], "target": {"exact": "absent words"}}),
                 422, "quote_not_found", "target")
    assert_error(api.post("/v1/claims", {"text": "t", "attributions": {}}), 400, "invalid_type",
                 "attributions")
    assert_error(api.post("/v1/claims", {"text": "t", "project_id": MISSING}), 422, "unknown_reference",
                 "project_id")


def test_document_of_another_project_is_422(api, cluster):
    project = make_project(cluster)
    doc = api.create("/v1/documents", {"title": "other", "text": TEXT, "project_id": project})
    assert_error(api.post("/v1/claims", {"document_id": doc["id"], "target": {"start": 0, "end": 3}}),
                 422, "unknown_reference", "document_id")
    claim = api.create("/v1/claims", {"document_id": doc["id"], "project_id": project,
                                      "target": {"start": 0, "end": 3}})
    assert claim["project_id"] == project and claim["target"]["exact"] == "The"


# ---------------------------------------------------------------- inline attributions and citations

def test_inline_attributions_and_citations(api):
    doc = make_document(api)
    ministry = make_actor(api, "Ministry " + unique(), "government")
    critic = make_actor(api)
    source = api.create("/v1/sources", {"title": unique("report"), "kind": "report"})
    claim = api.create("/v1/claims", {
        "document_id": doc["id"], "target": {"exact": "the report was false"},
        "attributions": [
            {"actor_id": ministry["id"], "role": "government", "cue": "said", "mode": "indirect",
             "source_span": {"exact": "The ministry"}, "cue_span": {"exact": "said", "suffix": " the report was f"}},
            {"actor_id": critic["id"], "mode": "endorsement"},
        ],
        "citations": [{"source_id": source["id"], "locator": "para. 148", "span": {"exact": "Critics"}}],
    })
    # Embedded lists are in id order; ids made in the same millisecond are in random order.
    atts = sorted(claim["attributions"], key=lambda a: a["actor"]["id"] != ministry["id"])
    assert [a["id"] for a in claim["attributions"]] == sorted(a["id"] for a in atts)
    assert [a["actor"]["id"] for a in atts] == [ministry["id"], critic["id"]]
    assert atts[0]["actor"] == {"id": ministry["id"], "name": ministry["name"], "kind": "government"}
    assert atts[0]["cue_span"]["start"] == TEXT.index("said") and atts[0]["cue_span"]["exact"] == "said"
    assert atts[0]["source_span"] == {"start": 0, "end": 12, "exact": "The ministry", "prefix": "",
                                      "suffix": " said the report was false. Crit"}
    assert atts[1]["mode"] == "endorsement" and atts[1]["claim_id"] == claim["id"]
    [cit] = claim["citations"]
    assert cit["locator"] == "para. 148" and cit["source_id"] == source["id"]
    assert cit["source"] == {"id": source["id"], "title": source["title"], "kind": "report"}
    assert cit["span"]["start"] == TEXT.index("Critics") and cit["span"]["exact"] == "Critics"


def count_claims(cluster, text):
    return int(cluster.psql(f"SELECT count(*) FROM claims WHERE text = '{text}'"))


def test_inline_errors_roll_everything_back(api, cluster):
    doc = make_document(api)
    actor = make_actor(api)
    text = unique("atomic")
    cases = [
        ({"attributions": [{"actor_id": actor["id"]}, {"actor_id": actor["id"], "mode": "shouted"}]},
         400, "invalid_enum", "attributions[1].mode"),
        ({"attributions": [{"actor_id": actor["id"]}, {"role": "x"}]}, 400, "missing_field",
         "attributions[1].actor_id"),
        ({"attributions": [{"actor_id": MISSING}]}, 422, "unknown_reference", "attributions[0].actor_id"),
        ({"attributions": [{"actor_id": actor["id"], "via_attribution_id": MISSING}]}, 422,
         "unknown_reference", "attributions[0].via_attribution_id"),
        ({"attributions": [{"actor_id": actor["id"], "cue_span": {"exact": "nowhere"}}]}, 422,
         "quote_not_found", "attributions[0].cue_span"),
        ({"attributions": [{"actor_id": actor["id"], "cue_span": {"exact": "said"}}]}, 422,
         "ambiguous_quote", "attributions[0].cue_span"),
        ({"attributions": ["x"]}, 400, "invalid_type", "attributions[0]"),
        ({"attributions": [{"actor_id": actor["id"]}], "citations": [{"source_id": MISSING}]}, 422,
         "unknown_reference", "citations[0].source_id"),
    ]
    for extra, status, code, field in cases:
        body = {"document_id": doc["id"], "target": {"start": 0, "end": 12}, "text": text, **extra}
        assert_error(api.post("/v1/claims", body), status, code, field)
    assert count_claims(cluster, text) == 0
    assert int(cluster.psql(f"SELECT count(*) FROM attributions WHERE actor_id = '{actor['id']}'")) == 0


def test_inline_span_without_document_is_422(api):
    actor = make_actor(api)
    assert_error(api.post("/v1/claims", {"text": "t", "attributions": [
        {"actor_id": actor["id"], "cue_span": {"exact": "said"}}]}), 422, "no_document",
        "attributions[0].cue_span")


def test_inline_actor_of_another_project_is_422(api, cluster):
    project = make_project(cluster)
    actor = api.create("/v1/actors", {"name": unique("elsewhere"), "project_id": project})
    assert_error(api.post("/v1/claims", {"text": "t", "attributions": [{"actor_id": actor["id"]}]}),
                 422, "unknown_reference", "attributions[0].actor_id")


# ---------------------------------------------------------------- the embedded read

def test_get_embeds_relations_with_speakers(api):
    doc = make_document(api)
    ministry = make_actor(api, "Ministry " + unique(), "government")
    critic = make_actor(api, "Critic " + unique())
    false_claim = api.create("/v1/claims", {"document_id": doc["id"], "target": {"exact": "the report was false"},
                                            "attributions": [{"actor_id": ministry["id"], "cue": "said"}]})
    accurate = api.create("/v1/claims", {"document_id": doc["id"],
                                         "target": {"exact": "the report was accurate"},
                                         "attributions": [{"actor_id": critic["id"], "cue": "said"}]})
    rel = api.create("/v1/relations", {"from_claim_id": false_claim["id"], "to_claim_id": accurate["id"],
                                       "kind": "refutes", "note": "direct contradiction"})
    got = api.get(f"/v1/claims/{accurate['id']}").json()
    [incoming] = got["relations"]["incoming"]
    assert got["relations"]["outgoing"] == []
    assert incoming["id"] == rel["id"] and incoming["kind"] == "refutes"
    assert incoming["from_claim_id"] == false_claim["id"] and incoming["note"] == "direct contradiction"
    assert incoming["claim"] == {"id": false_claim["id"], "text": "the report was false",
                                 "document_id": doc["id"],
                                 "speakers": [{"id": ministry["id"], "name": ministry["name"]}]}
    out = api.get(f"/v1/claims/{false_claim['id']}").json()["relations"]["outgoing"]
    assert [o["claim"]["speakers"] for o in out] == [[{"id": critic["id"], "name": critic["name"]}]]


def test_get_errors(api):
    assert_error(api.get(f"/v1/claims/{MISSING}"), 404, "not_found", "id")
    assert_error(api.get("/v1/claims/not-a-uuid"), 400, "invalid_id", "id")


# ---------------------------------------------------------------- lists

def test_list_shape_and_filters(api):
    doc = make_document(api)
    other_doc = make_document(api)
    actor = make_actor(api)
    tag = unique("topic")
    annotator = unique("ann")
    a = api.create("/v1/claims", {"document_id": doc["id"], "target": {"start": 0, "end": 12}, "tags": [tag],
                                  "kind": "statistical", "annotator": annotator,
                                  "attributions": [{"actor_id": actor["id"]}]})
    b = api.create("/v1/claims", {"document_id": doc["id"], "target": {"start": 40, "end": 47},
                                  "annotator": annotator})
    c = api.create("/v1/claims", {"document_id": other_doc["id"], "target": {"start": 0, "end": 3},
                                  "tags": [tag], "annotator": annotator})
    api.create("/v1/relations", {"from_claim_id": c["id"], "to_claim_id": b["id"], "kind": "disputes"})

    def ids(query):
        r = api.get("/v1/claims?" + query)
        assert r.status_code == 200, r.text
        return [item["id"] for item in r.json()["items"]]

    items = api.get(f"/v1/claims?document_id={doc['id']}").json()["items"]
    assert [i["id"] for i in items] == sorted([a["id"], b["id"]])
    first = next(i for i in items if i["id"] == a["id"])
    assert set(first) == FLAT_KEYS
    assert {k: first[k] for k in FLAT_KEYS} == {k: a[k] for k in FLAT_KEYS}
    assert ids(f"actor_id={actor['id']}") == [a["id"]]
    assert ids(f"actor_id={actor['id']}&document_id={other_doc['id']}") == []
    assert ids(f"tag={tag}") == sorted([a["id"], c["id"]])
    assert ids(f"tag={tag}&document_id={doc['id']}") == [a["id"]]
    assert ids(f"annotator={annotator}&kind=statistical") == [a["id"]]
    assert ids(f"annotator={annotator}&relation=disputes") == sorted([b["id"], c["id"]])
    assert ids(f"annotator={annotator}&relation=refutes") == []
    assert ids(f"annotator={annotator}&created_after={a['created_at'].replace('+', '%2B')}") == \
        sorted([a["id"], b["id"], c["id"]])
    assert ids(f"annotator={annotator}&created_before={a['created_at'].replace('+', '%2B')}") == []
    assert ids(f"annotator={annotator}&created_before=2000-01-01") == []
    assert ids(f"annotator={annotator}&project_id={DEFAULT_PROJECT}") == sorted([a["id"], b["id"], c["id"]])
    no_doc = api.create("/v1/claims", {"text": "floating", "annotator": annotator})
    [item] = [i for i in api.get(f"/v1/claims?annotator={annotator}").json()["items"] if i["id"] == no_doc["id"]]
    assert item["target"] is None and item["document_id"] is None and item["tags"] == []


def test_list_errors(api):
    assert_error(api.get("/v1/claims?speaker=x"), 400, "unknown_parameter", "speaker")
    assert_error(api.get("/v1/claims?document_id=x"), 400, "invalid_uuid", "document_id")
    assert_error(api.get("/v1/claims?actor_id=x"), 400, "invalid_uuid", "actor_id")
    err = assert_error(api.get("/v1/claims?kind=rumour"), 400, "invalid_enum", "kind")
    assert "statistical" in err["allowed"]
    err = assert_error(api.get("/v1/claims?relation=hates"), 400, "invalid_enum", "relation")
    assert "refutes" in err["allowed"]
    assert_error(api.get("/v1/claims?created_after=yesterday"), 400, "invalid_timestamp", "created_after")
    assert_error(api.get("/v1/claims?limit=0"), 400, "invalid_limit", "limit")
    assert_error(api.get("/v1/claims?limit=1001"), 400, "invalid_limit", "limit")
    assert_error(api.get("/v1/claims?after=garbage"), 400, "invalid_cursor", "after")


def test_document_claims_in_text_order(api):
    doc = make_document(api)
    late = api.create("/v1/claims", {"document_id": doc["id"], "target": {"start": 40, "end": 47}})
    early = api.create("/v1/claims", {"document_id": doc["id"], "target": {"start": 0, "end": 12}})
    same_start = api.create("/v1/claims", {"document_id": doc["id"], "target": {"start": 0, "end": 3}})
    unspanned = api.create("/v1/claims", {"document_id": doc["id"], "text": "somewhere"})
    unspanned2 = api.create("/v1/claims", {"document_id": doc["id"], "text": "elsewhere"})
    # (start, id); claims without a span last, by id.
    expected = sorted([early["id"], same_start["id"]]) + [late["id"]] + sorted([unspanned["id"], unspanned2["id"]])
    r = api.get(f"/v1/documents/{doc['id']}/claims")
    assert r.status_code == 200
    assert [i["id"] for i in r.json()["items"]] == expected and r.json()["next"] is None
    assert set(r.json()["items"][0]) == FLAT_KEYS
    for limit in (1, 2, 3):
        seen, after = [], None
        while True:
            page = api.get(f"/v1/documents/{doc['id']}/claims", params={"limit": limit, "after": after}).json()
            seen += [i["id"] for i in page["items"]]
            after = page["next"]
            if not after:
                break
        assert seen == expected, limit


def test_document_claims_errors(api):
    empty = make_document(api)
    r = api.get(f"/v1/documents/{empty['id']}/claims")
    assert r.status_code == 200 and r.json() == {"items": [], "next": None}
    assert_error(api.get(f"/v1/documents/{MISSING}/claims"), 404, "not_found", "id")
    assert_error(api.get("/v1/documents/x/claims"), 400, "invalid_id", "id")
    assert_error(api.get(f"/v1/documents/{empty['id']}/claims?tag=x"), 400, "unknown_parameter", "tag")
    assert_error(api.get(f"/v1/documents/{empty['id']}/claims?after=garbage"), 400, "invalid_cursor", "after")


# ---------------------------------------------------------------- patch and delete

def test_patch_fields(api):
    claim = api.create("/v1/claims", {"text": "old", "note": "n", "tags": ["a"]})
    r = api.patch(f"/v1/claims/{claim['id']}", {"text": "new", "kind": "normative", "tags": ["x", "x", "y"],
                                                 "note": None, "annotator": "ed"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert set(got) == EMBED_KEYS
    assert (got["text"], got["kind"], got["tags"], got["note"], got["annotator"]) == \
        ("new", "normative", ["x", "y"], None, "ed")
    assert got["created_at"] == claim["created_at"] and got["updated_at"] >= claim["updated_at"]
    assert api.get(f"/v1/claims/{claim['id']}").json() == got


def test_patch_reanchors_within_the_document(api):
    doc = make_document(api)
    claim = api.create("/v1/claims", {"document_id": doc["id"], "target": {"start": 0, "end": 12},
                                      "text": "keep me"})
    got = api.patch(f"/v1/claims/{claim['id']}", {"target": {"exact": "Critics"},
                                                   "document_id": doc["id"]}).json()
    assert got["target"]["start"] == TEXT.index("Critics") and got["target"]["exact"] == "Critics"
    assert got["text"] == "keep me" and got["document_id"] == doc["id"]
    unanchored = api.patch(f"/v1/claims/{claim['id']}", {"target": None}).json()
    assert unanchored["target"] is None and unanchored["document_id"] == doc["id"]


def test_patch_errors(api):
    doc = make_document(api)
    other = make_document(api)
    claim = api.create("/v1/claims", {"document_id": doc["id"], "target": {"start": 0, "end": 12}})
    floating = api.create("/v1/claims", {"text": "floating"})
    path = f"/v1/claims/{claim['id']}"
    assert_error(api.patch(path, {"document_id": other["id"]}), 409, "immutable", "document_id")
    assert_error(api.patch(path, {"document_id": None}), 409, "immutable", "document_id")
    assert_error(api.patch(path, {"project_id": DEFAULT_PROJECT}), 409, "immutable", "project_id")
    assert_error(api.patch(f"/v1/claims/{floating['id']}", {"document_id": doc["id"]}), 409, "immutable",
                 "document_id")
    assert_error(api.patch(f"/v1/claims/{floating['id']}", {"target": {"start": 0, "end": 1}}), 422,
                 "no_document", "target")
    assert_error(api.patch(path, {"target": {"start": 5, "end": 5}}), 422, "empty_span", "target")
    assert_error(api.patch(path, {"target": {"exact": "said"}}), 422, "ambiguous_quote", "target")
    assert_error(api.patch(path, {"text": None}), 400, "invalid_type", "text")
    assert_error(api.patch(path, {"text": ""}), 400, "invalid_value", "text")
    assert_error(api.patch(path, {"kind": None}), 400, "invalid_type", "kind")
    assert_error(api.patch(path, {"kind": "rumour"}), 400, "invalid_enum", "kind")
    assert_error(api.patch(path, {"attributions": []}), 400, "unknown_field", "attributions")
    assert_error(api.patch(f"/v1/claims/{MISSING}", {"text": "x"}), 404, "not_found", "id")
    assert_error(api.patch(f"/v1/claims/{MISSING}", {"target": {"start": 0, "end": 1}}), 404, "not_found", "id")
    assert_error(api.patch("/v1/claims/x", {"text": "x"}), 400, "invalid_id", "id")
    assert api.get(path).json()["target"]["end"] == 12


def test_delete_cascades(api, cluster):
    doc = make_document(api)
    actor = make_actor(api)
    source = api.create("/v1/sources", {"title": unique("src")})
    claim = api.create("/v1/claims", {"document_id": doc["id"], "target": {"start": 0, "end": 12},
                                      "attributions": [{"actor_id": actor["id"]}],
                                      "citations": [{"source_id": source["id"]}]})
    other = api.create("/v1/claims", {"text": "other"})
    api.create("/v1/relations", {"from_claim_id": other["id"], "to_claim_id": claim["id"], "kind": "refutes"})
    r = api.delete(f"/v1/claims/{claim['id']}")
    assert r.status_code == 204 and r.content == b""
    assert_error(api.get(f"/v1/claims/{claim['id']}"), 404, "not_found")
    for table in ("attributions", "citations"):
        assert cluster.psql(f"SELECT count(*) FROM {table} WHERE claim_id = '{claim['id']}'") == "0"
    assert cluster.psql(f"SELECT count(*) FROM relations WHERE to_claim_id = '{claim['id']}'") == "0"
    assert api.get(f"/v1/claims/{other['id']}").json()["relations"]["outgoing"] == []
    assert_error(api.delete(f"/v1/claims/{claim['id']}"), 404, "not_found", "id")
    assert_error(api.delete("/v1/claims/x"), 400, "invalid_id", "id")


def test_via_stays_within_the_claim_and_the_chain_goes_with_it(api):
    actor = make_actor(api)
    reported = api.create("/v1/claims", {"text": "original", "attributions": [
        {"actor_id": actor["id"]}, {"actor_id": actor["id"], "via": "#0"}]})
    via = reported["attributions"][0]["id"]
    # a report chain stays within one claim (issue 12): another claim cannot report through it
    r = api.post("/v1/claims", {"text": "report of it", "attributions": [
        {"actor_id": actor["id"], "via_attribution_id": via}]})
    assert_error(r, 422, "unknown_reference", "attributions[0].via_attribution_id")
    # so deleting the claim takes its whole chain along
    assert api.delete(f"/v1/claims/{reported['id']}").status_code == 204


# ---------------------------------------------------------------- the seed document

def test_press_conference_seed(api):
    """The acceptance walk of issue 3: findings, the spokesperson's rejections with their
    cues, refutes relations, a source for the assessment; the finding shows who disputes it."""
    text = seed_text()
    doc = api.create("/v1/documents", {"title": "China Slams UN Report on Xinjiang", "text": text,
                                       "language": "en", "publisher": "The Geopolitics"})
    wang = make_actor(api, "Wang Wenbin " + unique(), "person")
    ohchr = make_actor(api, "OHCHR " + unique(), "intergovernmental")
    assessment = api.create("/v1/sources", {"title": "OHCHR Assessment of human rights concerns in Xinjiang",
                                            "kind": "report", "publisher_actor_id": ohchr["id"],
                                            "published_at": "2022-08-31"})
    finding = api.create("/v1/claims", {
        "document_id": doc["id"],
        "target": {"exact": "“appear to be discriminatory in nature or effect”"},
        "text": "Vocational training centres appear to be discriminatory in nature or effect.",
        "kind": "evaluative", "tags": ["topic/xinjiang", "topic/detention"],
        "attributions": [{"actor_id": ohchr["id"], "cue": "the report said", "mode": "direct_quote",
                          "cue_span": {"exact": "the report said"}}],
        "citations": [{"source_id": assessment["id"], "locator": "para. 148"}],
    })
    assert text[finding["target"]["start"]:finding["target"]["end"]] == finding["target"]["exact"]
    assert finding["target"]["exact"].startswith("“") and finding["target"]["exact"].endswith("”")
    rejection = api.create("/v1/claims", {
        "document_id": doc["id"],
        "target": {"exact": "“a patchwork of disinformation”"},
        "text": "The OHCHR assessment is a patchwork of disinformation.",
        "kind": "evaluative",
        "attributions": [{"actor_id": wang["id"], "role": "Chinese Foreign Ministry spokesperson",
                          "cue": "added", "mode": "direct_quote",
                          "source_span": {"exact": "He", "suffix": " added that the report was"},
                          "cue_span": {"exact": "added", "prefix": "He ", "suffix": " that the report was “a"}}],
    })
    cue = rejection["attributions"][0]["cue_span"]
    assert text[cue["start"]:cue["end"]] == "added"
    zero = api.create("/v1/claims", {
        "document_id": doc["id"], "target": {"exact": "“zero-credibility”"},
        "attributions": [{"actor_id": wang["id"], "cue": "said", "mode": "direct_quote"}],
    })
    for rejecting in (rejection, zero):
        api.create("/v1/relations", {"from_claim_id": rejecting["id"], "to_claim_id": finding["id"],
                                     "kind": "refutes", "asserted_by_actor_id": wang["id"]})
    got = api.get(f"/v1/claims/{finding['id']}").json()
    incoming = sorted(got["relations"]["incoming"], key=lambda i: i["claim"]["id"] != rejection["id"])
    assert [i["claim"]["id"] for i in incoming] == [rejection["id"], zero["id"]]
    assert all(i["kind"] == "refutes" and i["asserted_by_actor_id"] == wang["id"] for i in incoming)
    assert incoming[0]["claim"]["text"] == "The OHCHR assessment is a patchwork of disinformation."
    assert incoming[1]["claim"]["text"] == "“zero-credibility”"
    assert all(i["claim"]["speakers"] == [{"id": wang["id"], "name": wang["name"]}] for i in incoming)
    assert got["citations"][0]["source"]["title"].startswith("OHCHR Assessment")
    assert got["attributions"][0]["actor"]["kind"] == "intergovernmental"
    in_order = api.get(f"/v1/documents/{doc['id']}/claims").json()["items"]
    assert [c["id"] for c in in_order] == [zero["id"], rejection["id"], finding["id"]]
    # "genocide" is quoted in the text: a bare curly-quoted word occurs once, "report" many times.
    err = assert_error(api.post("/v1/claims", {"document_id": doc["id"], "target": {"exact": "report"}}),
                       422, "ambiguous_quote", "target")
    assert err["occurrences"] > 5 and all(text[c["start"]:c["end"]] == "report" for c in err["candidates"])


# ---------------------------------------------------------------- q: text search

def claim_ids(api, **params):
    r = api.get("/v1/claims", params=params)
    assert r.status_code == 200, r.text
    return [item["id"] for item in r.json()["items"]]


def test_list_q_matches_text_or_exact_ignoring_case(api):
    tok = unique("Needle")
    doc = make_document(api, text=f"The minister said {tok} was fine. Critics disagreed.")
    actor = make_actor(api)
    by_exact = api.create("/v1/claims", {"document_id": doc["id"], "target": {"exact": f"{tok} was fine"},
                                         "text": "The matter was fine.", "attributions": [{"actor_id": actor["id"]}]})
    by_text = api.create("/v1/claims", {"text": f"Reportedly {tok.upper()} was not fine."})
    other = api.create("/v1/claims", {"document_id": doc["id"], "target": {"exact": "Critics disagreed"}})
    both = sorted([by_exact["id"], by_text["id"]])
    assert claim_ids(api, q=tok) == both
    assert claim_ids(api, q=tok.upper()) == both and claim_ids(api, q=tok.lower()) == both
    # Every statement variant applies q: by document, by actor, and the general one.
    assert claim_ids(api, q=tok, document_id=doc["id"]) == [by_exact["id"]]
    assert claim_ids(api, q=tok.swapcase(), actor_id=actor["id"]) == [by_exact["id"]]
    assert claim_ids(api, q="THE MATTER was", document_id=doc["id"]) == [by_exact["id"]]
    assert claim_ids(api, q="critics DISAGREED", document_id=doc["id"]) == [other["id"]]
    assert claim_ids(api, q=tok, kind="factual", annotator=unique("nobody")) == []
    assert claim_ids(api, q=tok + " was fine", limit=1) in ([by_exact["id"]], [by_text["id"]])


def test_list_q_reads_words_and_takes_pattern_characters_literally(api):
    """q is full text (issue 13): words, not a LIKE pattern; a word prefix
    matches through a regular expression in which q's characters are literal."""
    tok = unique("meta")
    literal = api.create("/v1/claims", {"text": f"{tok} 100% of_it a\\b"})
    other = api.create("/v1/claims", {"text": f"{tok} 100x ofYit aXb"})
    assert claim_ids(api, q=f"{tok} 100%") == [literal["id"]]
    assert claim_ids(api, q=f"{tok} ofYit") == [other["id"]]
    assert claim_ids(api, q=tok[:-2]) == sorted([literal["id"], other["id"]])  # a word prefix
    assert claim_ids(api, q=tok[:-2] + "..") == []  # . is not a wildcard
    for q in ("\\", "%", "(((", "[a-", "a|b", "*"):
        assert claim_ids(api, q=q) is not None
    assert_error(api.get("/v1/claims", params={"q": tok, "qq": "x"}), 400, "unknown_parameter", "qq")



def test_every_field_problem_in_one_response(api):
    """Issue 12, part 8: a body with three problems gets them all at once ("errors"), the
    first also as "error"."""
    r = api.post("/v1/claims", {"kind": "opinion", "tags": "x", "colour": "red", "text": "t"})
    err = assert_error(r, 400)
    errors = r.json()["errors"]
    assert {(e["code"], e["field"]) for e in errors} == {("invalid_enum", "kind"), ("invalid_type", "tags"),
                                                         ("unknown_field", "colour")}
    first = errors[0]
    assert (err["code"], err["field"], err["message"]) == (first["code"], first["field"], first["message"])
    assert next(e for e in errors if e["field"] == "kind")["allowed"][0] == "factual"
    # a missing required field is listed with the others
    r = api.post("/v1/actors", {"kind": "alien", "aliases": [""]})
    assert {(e["code"], e["field"]) for e in r.json()["errors"]} == {
        ("invalid_enum", "kind"), ("invalid_type", "aliases"), ("missing_field", "name")}
