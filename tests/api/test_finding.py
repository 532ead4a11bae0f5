"""Finding existing actors and sources (issue 12, part 6): ranked fuzzy search
with pg_trgm, similar names on create, aliases added and removed, merges that
refuse a person into an organisation, and merged ids that forward."""
import uuid

from conftest import assert_error, unique


def test_search_actors_by_partial_alias_ranked(api):
    tag = uuid.uuid4().hex[:6]
    mission = api.create("/v1/actors", {
        "name": f"Permanent Mission of China {tag}", "kind": "government",
        "aliases": [f"Chinese Mission to the UN in Geneva {tag}", f"中国常驻日内瓦代表团 {tag}"]})
    other = api.create("/v1/actors", {"name": f"Geneva Water Board {tag}", "kind": "organisation"})
    items = api.get("/v1/actors", params={"q": f"mission geneva {tag}"}).json()["items"]
    assert items and items[0]["id"] == mission["id"]
    # A typo still finds it; a substring scores 1.
    items = api.get("/v1/actors", params={"q": f"Chinse Misson {tag}"}).json()["items"]
    assert items[0]["id"] == mission["id"] and 0 < items[0]["score"] < 1
    r = api.get("/v1/actors", params={"q": f"water board {tag}"}).json()
    assert r["items"][0]["id"] == other["id"] and r["items"][0]["score"] == 1 and r["next"] is None
    scores = [i["score"] for i in api.get("/v1/actors", params={"q": f"geneva {tag}"}).json()["items"]]
    assert scores == sorted(scores, reverse=True) and len(scores) >= 2
    # _ and % are plain characters, not LIKE wildcards: no substring match (score 1) for them
    near = api.get("/v1/actors", params={"q": f"w_ter board {tag}"}).json()["items"]
    assert near[0]["id"] == other["id"] and near[0]["score"] < 1
    assert api.get("/v1/actors", params={"q": f"geneva {tag}", "kind": "organisation"}).json()["items"][0]["id"] \
        == other["id"]
    assert_error(api.get("/v1/actors", params={"q": ""}), 400, "invalid_parameter", "q")


def test_creating_a_similar_actor_needs_force(api):
    tag = uuid.uuid4().hex[:8]
    wang = api.create("/v1/actors", {"name": f"Wang Wenbin {tag}", "kind": "person", "aliases": [f"汪文斌 {tag}"]})
    err = assert_error(api.post("/v1/actors", {"name": f"wang wen-bin {tag}", "kind": "person"}), 409,
                       "similar_actors", "name")
    assert [s["id"] for s in err["similar"]] == [wang["id"]] and err["similar"][0]["score"] >= 0.6
    err = assert_error(api.post("/v1/actors", {"name": f"汪文斌 {tag}"}), 409, "similar_actors", "name")
    assert err["similar"][0]["id"] == wang["id"]
    forced = api.create("/v1/actors", {"name": f"wang wen-bin {tag}", "kind": "person", "force": True})
    assert "force" not in forced
    # Different enough: no question asked.
    api.create("/v1/actors", {"name": f"Zhao Lijian {tag}", "kind": "person"})
    assert_error(api.post("/v1/actors", {"name": "x", "force": "yes"}), 400, "invalid_type", "force")


def test_aliases_added_and_removed_without_resending(api):
    actor = api.create("/v1/actors", {"name": unique("aliased"), "aliases": ["One", "Two"]})
    path = f"/v1/actors/{actor['id']}"
    r = api.patch(path, {"add_aliases": ["Three", "two", "Four"]})
    assert r.status_code == 200, r.text
    assert r.json()["aliases"] == ["One", "Two", "Three", "Four"]
    r = api.patch(path, {"remove_aliases": ["ONE", "absent"], "add_aliases": ["Five"]})
    assert r.json()["aliases"] == ["Two", "Three", "Four", "Five"]
    assert_error(api.patch(path, {"aliases": ["x"], "add_aliases": ["y"]}), 400, "conflicting_fields", "aliases")
    assert_error(api.patch(path, {"add_aliases": [""]}), 400, "invalid_type", "add_aliases")
    assert api.get(path).json()["aliases"] == ["Two", "Three", "Four", "Five"]


def test_merge_person_into_organisation_needs_force_and_merged_id_forwards(api):
    tag = uuid.uuid4().hex[:8]
    person = api.create("/v1/actors", {"name": f"Person {tag}", "kind": "person"})
    org = api.create("/v1/actors", {"name": f"Organisation {tag}", "kind": "organisation"})
    err = assert_error(api.post(f"/v1/actors/{person['id']}/merge", {"into": org["id"]}), 409, "kind_mismatch",
                       "into")
    assert err["kind"] == "person" and err["into_kind"] == "organisation"
    assert api.get(f"/v1/actors/{person['id']}").status_code == 200
    r = api.post(f"/v1/actors/{person['id']}/merge", {"into": org["id"], "force": True})
    assert r.status_code == 200, r.text
    r = api.get(f"/v1/actors/{person['id']}", allow_redirects=False)
    assert r.status_code == 308 and r.headers["Location"] == f"/v1/actors/{org['id']}"
    assert r.json()["error"]["into"] == org["id"]
    assert api.get(f"/v1/actors/{person['id']}").json()["id"] == org["id"]  # followed
    # Merged again: the first id forwards to the last survivor.
    gov = api.create("/v1/actors", {"name": f"Government {tag}", "kind": "government"})
    assert api.post(f"/v1/actors/{org['id']}/merge", {"into": gov["id"]}).status_code == 200
    r = api.get(f"/v1/actors/{person['id']}", allow_redirects=False)
    assert r.status_code == 308 and r.headers["Location"] == f"/v1/actors/{gov['id']}"
    # Same kind side (two non-persons) needs no force.
    assert_error(api.get(f"/v1/actors/{uuid.uuid4()}"), 404, "not_found", "id")


def test_search_sources_by_title_url_and_publisher(api):
    tag = uuid.uuid4().hex[:6]
    ohchr = api.create("/v1/actors", {"name": f"Office of the High Commissioner {tag}", "kind": "intergovernmental",
                                      "aliases": [f"OHCHR {tag}"]})
    report = api.create("/v1/sources", {"title": f"OHCHR Assessment of human rights concerns in Xinjiang {tag}",
                                        "kind": "report", "url": f"https://www.ohchr.org/{tag}/xinjiang.pdf"})
    by_pub = api.create("/v1/sources", {"title": f"Annual report {tag}", "publisher_actor_id": ohchr["id"]})
    items = api.get("/v1/sources", params={"q": f"xinjang assesment {tag}"}).json()["items"]
    assert items[0]["id"] == report["id"] and 0 < items[0]["score"] < 1
    items = api.get("/v1/sources", params={"q": f"ohchr.org/{tag}"}).json()["items"]
    assert items[0]["id"] == report["id"] and items[0]["score"] == 1 and items[1]["score"] < 1
    ids = [i["id"] for i in api.get("/v1/sources", params={"q": f"high commissioner {tag}"}).json()["items"]]
    assert by_pub["id"] in ids
    cursor = api.get("/v1/sources", params={"limit": 1}).json()["next"]
    assert_error(api.get("/v1/sources", params={"q": "x", "after": cursor}), 400, "invalid_parameter", "q")


def test_similar_names_sent_at_once_create_one_actor(server):
    """Issue 12: the similarity check and the insert are serialized per project (an advisory
    lock in the create's own transaction): of similar names sent at the same moment, one is
    created and the others answer 409 similar_actors naming it. Without the lock, requests on
    different pooled connections all passed the check before any committed."""
    import threading

    import requests
    for round_ in range(4):
        # a base of random letters: similar within a round, not to earlier rounds' names
        base = uuid.uuid4().hex[:12] + " " + uuid.uuid4().hex[:12]
        names = [f"{base} {c}" for c in "abcdef"]
        barrier = threading.Barrier(len(names))
        out = {}

        def create(name):
            barrier.wait()
            out[name] = requests.post(server.base + "/v1/actors", json={"name": name}, headers=server.auth,
                                      timeout=60)

        threads = [threading.Thread(target=create, args=(n,)) for n in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        statuses = sorted(r.status_code for r in out.values())
        assert statuses == [201] + [409] * (len(names) - 1), (round_, statuses)
        made = next(r.json()["id"] for r in out.values() if r.status_code == 201)
        for r in out.values():
            if r.status_code == 409:
                assert made in [s["id"] for s in r.json()["error"]["similar"]]
