"""/v1/actors: create, read, list (name-or-alias lookup, filters, pages), patch, delete, merge."""
import time

import pytest

from conftest import assert_deletes, assert_error, pages, unique

MISSING = "01900000-0000-7000-8000-00000000beef"


def make_project(cluster):
    slug = unique("p").lower()
    return cluster.psql(f"INSERT INTO projects (slug, name) VALUES ('{slug}', '{slug}') RETURNING id")


def make_claim(api, cluster, text="a claim"):
    """A claim without a document: through the API when it exists, else by SQL."""
    r = api.post("/v1/claims", {"text": text})
    if r.status_code in (404, 405):
        return cluster.psql(f"INSERT INTO claims (text) VALUES ('{text}') RETURNING id")
    assert r.status_code == 201, r.text
    return r.json()["id"]


def make_attribution(api, cluster, claim_id, actor_id):
    r = api.post(f"/v1/claims/{claim_id}/attributions", {"actor_id": actor_id})
    if r.status_code in (404, 405):
        return cluster.psql(f"INSERT INTO attributions (claim_id, actor_id) VALUES ('{claim_id}', '{actor_id}')"
                            " RETURNING id")
    assert r.status_code == 201, r.text
    return r.json()["id"]


def make_relation(api, cluster, from_id, to_id, actor_id):
    r = api.post("/v1/relations", {"from_claim_id": from_id, "to_claim_id": to_id, "kind": "refutes",
                                   "asserted_by_actor_id": actor_id})
    if r.status_code in (404, 405):
        return cluster.psql("INSERT INTO relations (from_claim_id, to_claim_id, kind, asserted_by_actor_id)"
                            f" VALUES ('{from_id}', '{to_id}', 'refutes', '{actor_id}') RETURNING id")
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_create_and_get(api):
    body = {"name": "Wang Wenbin", "kind": "person", "aliases": ["汪文斌", "Wenbin Wang"], "force": True,
            "description": "Foreign ministry spokesperson", "external_ids": {"wikidata": "Q65069218"},
            "annotator": "tester"}
    r = api.post("/v1/actors", body)
    assert r.status_code == 201, r.text
    actor = r.json()
    assert r.headers["Location"] == f"/v1/actors/{actor['id']}"
    for key, value in body.items():
        assert key == "force" or actor[key] == value
    assert actor["project_id"] == "00000000-0000-7000-8000-000000000001"
    assert set(actor) == {"id", "rev", "project_id", "name", "kind", "aliases", "description", "external_ids",
                          "annotator", "created_at", "updated_at", "created_by", "updated_by"}
    got = api.get(f"/v1/actors/{actor['id']}")
    assert got.status_code == 200 and got.json() == actor


def test_defaults(api):
    actor = api.create("/v1/actors", {"name": unique("minimal")})
    assert actor["kind"] == "other"
    assert actor["aliases"] == [] and actor["external_ids"] == {}
    assert actor["description"] is None and actor["annotator"] is None


@pytest.mark.parametrize("body, status, code, field", [
    ({"name": "x", "colour": "red"}, 400, "unknown_field", "colour"),
    ({"kind": "person"}, 400, "missing_field", "name"),
    ({"name": ""}, 422, None, "name"),
    ({"name": 7}, 400, "invalid_type", "name"),
    ({"name": "x", "aliases": "y"}, 400, "invalid_type", "aliases"),
    ({"name": "x", "aliases": ["ok", ""]}, 400, "invalid_type", "aliases"),
    ({"name": "x", "aliases": ["ok", 3]}, 400, "invalid_type", "aliases"),
    ({"name": "x", "aliases": None}, 400, "invalid_type", "aliases"),
    ({"name": "x", "external_ids": ["Q1"]}, 400, "invalid_type", "external_ids"),
    ({"name": "x", "project_id": "nope"}, 400, "invalid_uuid", "project_id"),
    ({"name": "x", "project_id": MISSING}, 422, "unknown_reference", "project_id"),
])
def test_create_errors(api, body, status, code, field):
    assert_error(api.post("/v1/actors", body), status, code, field)


def test_bad_kind_lists_allowed(api):
    err = assert_error(api.post("/v1/actors", {"name": "x", "kind": "alien"}), 400, "invalid_enum", "kind")
    assert err["allowed"] == ["person", "organisation", "government", "intergovernmental", "media", "group",
                              "other"]


def test_get_errors(api):
    assert_error(api.get("/v1/actors/not-a-uuid"), 400, "invalid_id", "id")
    assert_error(api.get(f"/v1/actors/{MISSING}"), 404, "not_found", "id")


def test_name_lookup_ignores_case_and_matches_aliases(api):
    tag = unique("Lookup")
    a = api.create("/v1/actors", {"name": f"{tag} Ministry", "aliases": [f"{tag} MFA", "Ünïcode " + tag]})
    b = api.create("/v1/actors", {"name": f"{tag} mfa", "force": True})  # a duplicate on purpose
    api.create("/v1/actors", {"name": f"{tag} Ministry of Something Else", "force": True})

    def ids(name):
        r = api.get("/v1/actors", params={"name": name})
        assert r.status_code == 200, r.text
        return [item["id"] for item in r.json()["items"]]

    assert ids(f"{tag} ministry".upper()) == [a["id"]]
    assert ids(f"{tag} mfa") == sorted([a["id"], b["id"]])
    assert ids(f"ünïcode {tag}".upper()) == [a["id"]]
    assert ids(f"{tag}") == []  # whole names only, not substrings


def test_list_item_shape_and_filters(api, cluster):
    tag = unique("Filter")
    person = api.create("/v1/actors", {"name": tag, "kind": "person", "aliases": ["x"],
                                       "external_ids": {"k": "v"}})
    media = api.create("/v1/actors", {"name": tag, "kind": "media", "force": True})
    items = api.get("/v1/actors", params={"name": tag, "kind": "media"}).json()["items"]
    assert [i["id"] for i in items] == [media["id"]]
    items = api.get("/v1/actors", params={"name": tag, "kind": "person"}).json()["items"]
    assert items == [person]  # list items have the same shape as GET one

    project = make_project(cluster)
    other = api.create("/v1/actors", {"name": tag, "project_id": project})
    assert other["project_id"] == project
    items = api.get("/v1/actors", params={"project_id": project}).json()["items"]
    assert [i["id"] for i in items] == [other["id"]]
    items = api.get("/v1/actors", params={"kind": "media", "limit": 1000}).json()["items"]
    assert media["id"] in [i["id"] for i in items] and all(i["kind"] == "media" for i in items)


def test_list_errors(api):
    assert_error(api.get("/v1/actors", params={"colour": "red"}), 400, "unknown_parameter", "colour")
    err = assert_error(api.get("/v1/actors", params={"kind": "alien"}), 400, "invalid_enum", "kind")
    assert "person" in err["allowed"]
    assert_error(api.get("/v1/actors", params={"project_id": "x"}), 400, "invalid_uuid", "project_id")
    assert_error(api.get("/v1/actors", params={"limit": "0"}), 400, "invalid_limit", "limit")
    assert_error(api.get("/v1/actors", params={"limit": "1001"}), 400, "invalid_limit", "limit")
    assert_error(api.get("/v1/actors", params={"after": "garbage!"}), 400, "invalid_cursor", "after")


def test_pagination_walk(api):
    alias = unique("walk")
    made = [api.create("/v1/actors", {"name": f"{alias} {i}", "aliases": [alias], "force": True})["id"]
            for i in range(7)]
    seen = []
    for n, body in enumerate(pages(api, "/v1/actors", {"name": alias.upper(), "limit": 2}), 1):
        assert len(body["items"]) <= 2
        seen += [i["id"] for i in body["items"]]
        if n == 2:
            # A row added mid-walk comes at the end: ids are time-ordered (to
            # the millisecond; within one, by their random bits).
            time.sleep(0.002)
            made.append(api.create("/v1/actors", {"name": "late", "aliases": [alias], "force": True})["id"])
    assert seen == sorted(made) and seen[-1] == made[-1] and n == 4


def test_patch(api):
    actor = api.create("/v1/actors", {"name": unique("patch"), "kind": "group", "aliases": ["a"],
                                      "description": "d", "external_ids": {"x": "1"}})
    r = api.patch(f"/v1/actors/{actor['id']}", {"kind": "organisation", "aliases": ["b", "c"],
                                                "description": None, "external_ids": None})
    assert r.status_code == 200, r.text
    patched = r.json()
    assert patched["name"] == actor["name"] and patched["kind"] == "organisation"
    assert patched["aliases"] == ["b", "c"] and patched["description"] is None
    assert patched["external_ids"] == {}
    assert patched["created_at"] == actor["created_at"] and patched["updated_at"] >= actor["updated_at"]
    assert api.get(f"/v1/actors/{actor['id']}").json() == patched
    # An empty patch changes nothing.
    assert api.patch(f"/v1/actors/{actor['id']}", {}).json() == patched


def test_patch_errors(api):
    actor = api.create("/v1/actors", {"name": unique("patcherr")})
    path = f"/v1/actors/{actor['id']}"
    assert_error(api.patch(path, {"name": None}), 400, "invalid_type", "name")
    assert_error(api.patch(path, {"kind": None}), 400, "invalid_type", "kind")
    assert_error(api.patch(path, {"kind": "alien"}), 400, "invalid_enum", "kind")
    assert_error(api.patch(path, {"bogus": 1}), 400, "unknown_field", "bogus")
    assert_error(api.patch(path, {"project_id": MISSING}), 409, "immutable", "project_id")
    assert_error(api.patch(f"/v1/actors/{MISSING}", {"name": "x"}), 404, "not_found", "id")
    assert_error(api.patch("/v1/actors/zzz", {"name": "x"}), 400, "invalid_id", "id")


def test_delete(api):
    actor = api.create("/v1/actors", {"name": unique("gone")})
    assert_deletes(api, f"/v1/actors/{actor['id']}", "zzz")


def test_delete_referenced_is_409(api, cluster):
    by_attribution = api.create("/v1/actors", {"name": unique("speaker")})
    make_attribution(api, cluster, make_claim(api, cluster), by_attribution["id"])
    by_relation = api.create("/v1/actors", {"name": unique("asserter")})
    make_relation(api, cluster, make_claim(api, cluster), make_claim(api, cluster), by_relation["id"])
    publisher = api.create("/v1/actors", {"name": unique("publisher")})
    api.create("/v1/sources", {"title": "a report", "publisher_actor_id": publisher["id"]})
    for actor in (by_attribution, by_relation, publisher):
        assert_error(api.delete(f"/v1/actors/{actor['id']}"), 409, "still_referenced")
        assert api.get(f"/v1/actors/{actor['id']}").status_code == 200


def test_merge_moves_references_and_names(api, cluster):
    into = api.create("/v1/actors", {"name": "Ministry of Foreign Affairs", "kind": "government", "force": True,
                                     "aliases": ["MFA", "Waijiaobu"],
                                     "external_ids": {"wikidata": "Q1", "viaf": "v-into"}})
    merged = api.create("/v1/actors", {"name": "Foreign Ministry", "kind": "organisation", "force": True,
                                       "aliases": ["mfa", "外交部", "ministry of foreign affairs", "外交部"],
                                       "description": "duplicate record",
                                       "external_ids": {"wikidata": "Q2", "isni": "i-merged"}})
    claims = [make_claim(api, cluster, f"merge claim {i}") for i in range(3)]
    attribution = make_attribution(api, cluster, claims[0], merged["id"])
    relation = make_relation(api, cluster, claims[1], claims[2], merged["id"])
    source = api.create("/v1/sources", {"title": "white paper", "publisher_actor_id": merged["id"]})

    r = api.post(f"/v1/actors/{merged['id']}/merge", {"into": into["id"]})
    assert r.status_code == 200, r.text
    survivor = r.json()
    assert survivor["id"] == into["id"] and survivor["name"] == into["name"]
    assert survivor["kind"] == "government"
    assert survivor["aliases"] == ["MFA", "Waijiaobu", "Foreign Ministry", "外交部"]
    assert survivor["external_ids"] == {"wikidata": "Q1", "viaf": "v-into", "isni": "i-merged"}
    assert survivor["description"] == "duplicate record"  # into had none
    assert api.get(f"/v1/actors/{into['id']}").json() == survivor

    # The merged id forwards to the survivor (308), no longer a row of its own.
    gone = api.get(f"/v1/actors/{merged['id']}", allow_redirects=False)
    assert gone.status_code == 308 and gone.headers["Location"] == f"/v1/actors/{into['id']}"
    assert cluster.psql(f"SELECT actor_id FROM attributions WHERE id = '{attribution}'") == into["id"]
    assert cluster.psql(f"SELECT asserted_by_actor_id FROM relations WHERE id = '{relation}'") == into["id"]
    assert api.get(f"/v1/sources/{source['id']}").json()["publisher_actor_id"] == into["id"]
    # The merged name now finds the survivor.
    items = api.get("/v1/actors", params={"name": "foreign ministry"}).json()["items"]
    assert into["id"] in [i["id"] for i in items] and merged["id"] not in [i["id"] for i in items]


def test_merge_errors(api, cluster):
    a = api.create("/v1/actors", {"name": unique("ma")})
    b = api.create("/v1/actors", {"name": unique("mb")})
    path = f"/v1/actors/{a['id']}/merge"
    assert_error(api.post(path, {"into": a["id"]}), 422, None, "into")
    assert_error(api.post(path, {"into": a["id"].upper()}), 422, None, "into")
    assert_error(api.post(path, {}), 400, "missing_field", "into")
    assert_error(api.post(path, {"into": "nope"}), 400, "invalid_uuid", "into")
    assert_error(api.post(path, {"into": b["id"], "extra": 1}), 400, "unknown_field", "extra")
    assert_error(api.post(path, {"into": MISSING}), 422, "unknown_reference", "into")
    assert_error(api.post(f"/v1/actors/{MISSING}/merge", {"into": b["id"]}), 404, "not_found", "id")
    assert_error(api.post("/v1/actors/zzz/merge", {"into": b["id"]}), 400, "invalid_id", "id")
    other = api.create("/v1/actors", {"name": unique("mo"), "project_id": make_project(cluster)})
    assert_error(api.post(path, {"into": other["id"]}), 422, None, "into")
    # Nothing changed on any failure.
    assert api.get(f"/v1/actors/{a['id']}").json() == a
    assert api.get(f"/v1/actors/{b['id']}").json() == b
