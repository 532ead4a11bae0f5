"""GET /v1/tags: the tags in use on claims, with counts."""
import uuid

from conftest import assert_error, unique

DEFAULT_PROJECT = "00000000-0000-7000-8000-000000000001"


def make_tagged_claim(api, tags, project=DEFAULT_PROJECT):
    """A claim without a span carrying `tags`."""
    return api.create("/v1/claims", {"text": "tagged", "tags": tags, "project_id": project})["id"]


def test_tags_with_counts_sorted_by_count_then_tag(api):
    ns = unique("ns")  # a private prefix: other tests' tags do not interfere
    a, b, c = f"{ns}/alpha", f"{ns}/beta", f"{ns}/gamma"
    make_tagged_claim(api, [b, a])
    make_tagged_claim(api, [b, c])
    make_tagged_claim(api, [b])
    make_tagged_claim(api, [c])
    r = api.get("/v1/tags", params={"prefix": ns + "/"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"items": [{"tag": b, "count": 3}, {"tag": c, "count": 2}, {"tag": a, "count": 1}],
                        "next": None}
    # the same a page at a time
    first = api.get("/v1/tags", params={"prefix": ns + "/", "limit": 2}).json()
    assert first["items"] == [{"tag": b, "count": 3}, {"tag": c, "count": 2}] and first["next"]
    rest = api.get("/v1/tags", params={"prefix": ns + "/", "limit": 2, "after": first["next"]}).json()
    assert rest == {"items": [{"tag": a, "count": 1}], "next": None}


def test_tags_unfiltered_include_everything_in_order(api):
    ns = unique("all")
    make_tagged_claim(api, [f"{ns}/x"])
    items, after = [], None
    while True:
        page = api.get("/v1/tags", params={"limit": 1000, **({"after": after} if after else {})}).json()
        items += page["items"]
        after = page["next"]
        if not after:
            break
    assert {"tag": f"{ns}/x", "count": 1} in items
    keys = [(-i["count"], i["tag"].encode()) for i in items]
    assert keys == sorted(keys)
    assert len({i["tag"] for i in items}) == len(items)


def test_prefix_is_literal_not_a_pattern(api):
    ns = unique("lit")
    make_tagged_claim(api, [f"{ns}/a_b", f"{ns}/axb", f"{ns}/100%"])
    assert [i["tag"] for i in api.get("/v1/tags", params={"prefix": f"{ns}/a_"}).json()["items"]] == [f"{ns}/a_b"]
    assert [i["tag"] for i in api.get("/v1/tags", params={"prefix": f"{ns}/100%"}).json()["items"]] == [
        f"{ns}/100%"]
    assert api.get("/v1/tags", params={"prefix": f"{ns}/%"}).json() == {"items": [], "next": None}


def test_unknown_prefix_is_empty(api):
    assert api.get("/v1/tags", params={"prefix": unique("none") + "/"}).json() == {"items": [], "next": None}


def test_tags_by_project(api, cluster):
    slug = unique("p")  # projects have no API yet
    project = cluster.psql(f"INSERT INTO projects (slug, name) VALUES ('{slug}', '{slug}') RETURNING id")
    ns = unique("proj")
    make_tagged_claim(api, [f"{ns}/only-here"], project=project)
    make_tagged_claim(api, [f"{ns}/default"])
    assert api.get("/v1/tags", params={"project_id": project}).json() == {
        "items": [{"tag": f"{ns}/only-here", "count": 1}], "next": None}
    default = api.get("/v1/tags", params={"project_id": DEFAULT_PROJECT, "prefix": ns}).json()["items"]
    assert default == [{"tag": f"{ns}/default", "count": 1}]


def test_deleted_claims_no_longer_count(api):
    ns = unique("gone")
    claim = make_tagged_claim(api, [f"{ns}/t"])
    make_tagged_claim(api, [f"{ns}/t"])
    assert api.get("/v1/tags", params={"prefix": ns}).json()["items"] == [{"tag": f"{ns}/t", "count": 2}]
    assert api.delete(f"/v1/claims/{claim}").status_code == 204
    assert api.get("/v1/tags", params={"prefix": ns}).json()["items"] == [{"tag": f"{ns}/t", "count": 1}]


def test_tags_errors(api):
    err = assert_error(api.get("/v1/tags", params={"top": 5}), 400, "unknown_parameter", "top")
    assert set(err["allowed"]) == {"prefix", "project_id", "limit", "after"}
    assert_error(api.get("/v1/tags", params={"project_id": "nope"}), 400, "invalid_uuid", "project_id")
    assert_error(api.post("/v1/tags", {}), 405, "method_not_allowed")
    assert api.get("/v1/tags", params={"project_id": str(uuid.uuid4())}).json() == {"items": [], "next": None}


def test_tags_page_and_arrays_are_capped(api):
    too_many = [f"t{i}" for i in range(101)]
    r = api.post("/v1/claims", {"text": "many tags", "tags": too_many})
    assert_error(r, 400, "too_many_items", "tags")
    r = api.post("/v1/actors", {"name": unique("a"), "kind": "person", "aliases": too_many})
    assert_error(r, 400, "too_many_items", "aliases")
    r = api.post("/v1/claims", {"text": "x", "attributions": [{}] * 101})
    assert_error(r, 400, "too_many_items", "attributions")
    r = api.post("/v1/claims", {"text": "x", "citations": [{}] * 101})
    assert_error(r, 400, "too_many_items", "citations")
    assert api.get("/v1/tags", params={"limit": 1001}).status_code == 400
    assert_error(api.get("/v1/tags", params={"after": "bogus"}), 400, "invalid_cursor")
