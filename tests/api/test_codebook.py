"""The per-project tag codebook (issue 12, part 7): entries with descriptions,
hierarchical, strict tags with suggestions, tags by prefix, claims by tag
prefix, and the fixtures' codebook as the default project's."""
import os
import sys

import pytest

from conftest import ROOT, Api, assert_error, make_token, unique

DEFAULT = "00000000-0000-7000-8000-000000000001"


def make_project(api, strict=False):
    """A project of its own (the caller, a server admin, becomes its owner)."""
    slug = unique("cb").lower()
    pid = api.create("/v1/projects", {"slug": slug, "name": slug})["id"]
    if strict:
        set_strict(api, pid, True)
    return pid


def set_strict(api, project, on):
    """strict_tags is a project setting (projects.settings), changed by a manager."""
    r = api.patch(f"/v1/projects/{project}", {"settings": {"strict_tags": on}})
    assert r.status_code == 200, r.text
    assert r.json()["settings"]["strict_tags"] is on


def test_default_project_has_the_fixture_codebook(api):
    sys.path.insert(0, os.path.join(ROOT, "fixtures", "src"))
    import codebook
    items, after = [], None
    while True:
        params = {"project_id": DEFAULT, "limit": 10, **({"after": after} if after else {})}
        page = api.get("/v1/codebook", params=params).json()
        items += page["items"]
        after = page["next"]
        if not after:
            break
    by_tag = {i["tag"]: i for i in items}
    for tag, description in codebook.TAGS.items():
        assert by_tag[tag]["description"] == description
        assert by_tag[tag]["parent"] == tag.split("/")[0]
    assert by_tag["topic"]["parent"] is None
    assert [i["tag"] for i in items] == sorted(by_tag, key=lambda t: t.encode())


def test_entries_crud_and_hierarchy(api, cluster):
    pid = make_project(api)
    topic = api.create(f"/v1/codebook?project_id={pid}", {"tag": "topic", "description": "What it is about."})
    assert topic["project_id"] == pid and topic["parent"] is None
    x = api.create("/v1/codebook", {"project_id": pid, "tag": "topic/xinjiang", "parent": "topic",
                                    "description": "Xinjiang."})
    assert api.get(f"/v1/codebook/{x['id']}").json() == x
    assert_error(api.post(f"/v1/codebook?project_id={pid}", {"tag": "topic/xinjiang"}), 409, "duplicate_tag", "tag")
    assert_error(api.post(f"/v1/codebook?project_id={pid}", {"tag": "device/x", "parent": "device"}), 422,
                 "unknown_reference", "parent")
    assert_error(api.post(f"/v1/codebook?project_id={pid}", {"tag": "topic//x"}), 400, "invalid_value", "tag")
    assert_error(api.post(f"/v1/codebook?project_id={pid}", {"tag": "/x"}), 400, "invalid_value", "tag")
    assert_error(api.post(f"/v1/codebook?project_id={pid}", {"description": "x"}), 400, "missing_field", "tag")
    assert_error(api.post(f"/v1/codebook?project_id={pid}", {"tag": "x", "project_id": DEFAULT}), 400,
                 "invalid_value", "project_id")
    assert_error(api.post("/v1/codebook?project_id=00000000-0000-7000-8000-00000000dead", {"tag": "x"}), 422,
                 "unknown_reference", "project_id")
    # PATCH: description and parent; the tag stays; no cycles.
    r = api.patch(f"/v1/codebook/{x['id']}", {"description": "Xinjiang, Uyghurs."})
    assert r.status_code == 200 and r.json()["description"] == "Xinjiang, Uyghurs."
    assert_error(api.patch(f"/v1/codebook/{x['id']}", {"tag": "topic/tibet"}), 409, "immutable", "tag")
    assert_error(api.patch(f"/v1/codebook/{topic['id']}", {"parent": "topic/xinjiang"}), 422, "parent_cycle",
                 "parent")
    assert_error(api.patch(f"/v1/codebook/{topic['id']}", {"parent": "nowhere"}), 422, "unknown_reference",
                 "parent")
    # A parent with children stays until they go.
    assert_error(api.delete(f"/v1/codebook/{topic['id']}"), 409, "still_referenced", "id")
    assert api.delete(f"/v1/codebook/{x['id']}").status_code == 204
    assert api.delete(f"/v1/codebook/{topic['id']}").status_code == 204
    assert_error(api.get(f"/v1/codebook/{topic['id']}"), 404, "not_found", "id")
    assert api.get("/v1/codebook", params={"project_id": pid}).json()["items"] == []


def test_strict_tags_refuse_typos_with_suggestions(api, cluster):
    pid = make_project(api)
    for tag, parent in (("topic", None), ("topic/xinjiang", "topic"), ("topic/detention", "topic")):
        api.create(f"/v1/codebook?project_id={pid}", {"tag": tag, "parent": parent})
    # Not strict: any tag goes.
    assert api.post("/v1/claims", {"project_id": pid, "text": "x", "tags": ["topic/xinjang"]}).status_code == 201
    set_strict(api, pid, True)
    err = assert_error(api.post("/v1/claims", {"project_id": pid, "text": "x",
                                               "tags": ["topic/detention", "topic/xinjang", "topc"]}),
                       422, "unknown_tag", "tags[1]")
    assert err["suggestions"][0]["tag"] == "topic/xinjiang"
    assert [u["tag"] for u in err["unknown"]] == ["topic/xinjang", "topc"]
    assert err["unknown"][1]["index"] == 2 and err["unknown"][1]["suggestions"][0]["tag"] == "topic"
    ok = api.create("/v1/claims", {"project_id": pid, "text": "x", "tags": ["topic/xinjiang"]})
    assert_error(api.patch(f"/v1/claims/{ok['id']}", {"tags": ["topic/detentoin"]}), 422, "unknown_tag", "tags[0]")
    assert api.patch(f"/v1/claims/{ok['id']}", {"tags": ["topic/detention"]}).status_code == 200
    # Other projects (the default one here) are not strict.
    assert api.post("/v1/claims", {"text": "x", "tags": [unique("free")]}).status_code == 201


def test_tags_and_claims_by_prefix(api, cluster):
    pid = make_project(api)
    tag = unique("pfx")
    a = api.create("/v1/claims", {"project_id": pid, "text": "a", "tags": [f"{tag}/one"]})
    b = api.create("/v1/claims", {"project_id": pid, "text": "b", "tags": [f"{tag}/two", "other"]})
    api.create("/v1/claims", {"project_id": pid, "text": "c", "tags": ["other"]})
    items = api.get("/v1/claims", params={"tag_prefix": f"{tag}/", "project_id": pid}).json()["items"]
    assert [i["id"] for i in items] == [a["id"], b["id"]]
    tags = api.get("/v1/tags", params={"prefix": tag}).json()["items"]
    assert [t["tag"] for t in tags] == [f"{tag}/one", f"{tag}/two"]
    assert api.get("/v1/claims", params={"tag_prefix": "%"}).json()["items"] == []


def test_codebook_writes_need_a_curator_of_the_project(api, server):
    """Annotators use the codebook, curators keep it: a project's annotator may read
    its entries but not create, change or delete them (403 naming the role, also when
    they curate another project), and nobody sees another project's entries."""
    mine, theirs, hidden = make_project(api), make_project(api), make_project(api)
    slug = {p: api.get(f"/v1/projects/{p}").json()["slug"] for p in (mine, theirs)}
    entry = api.create(f"/v1/codebook?project_id={mine}", {"tag": "topic"})
    # only an annotator anywhere: refused before the handler runs
    annotator = Api(server.base, make_token(server.database_url, unique("ann").lower(), slug[mine], "annotator"))
    assert annotator.get(f"/v1/codebook/{entry['id']}").json()["tag"] == "topic"
    err = assert_error(annotator.post(f"/v1/codebook?project_id={mine}", {"tag": "topic/x"}), 403, "forbidden")
    assert err["role_needed"] == "curator"
    assert_error(annotator.patch(f"/v1/codebook/{entry['id']}", {"description": "d"}), 403, "forbidden")
    # a curator of another project, annotator of this one: refused by the database for this project's rows
    name = unique("cur").lower()
    make_token(server.database_url, name, slug[mine], "annotator")
    both = Api(server.base, make_token(server.database_url, name, slug[theirs], "curator"))
    assert_error(both.post(f"/v1/codebook?project_id={mine}", {"tag": "topic/x"}), 403, "forbidden")
    err = assert_error(both.patch(f"/v1/codebook/{entry['id']}", {"description": "d"}), 403, "forbidden")
    assert err["role_needed"] == "curator"
    assert_error(both.delete(f"/v1/codebook/{entry['id']}"), 403, "forbidden")
    assert api.get(f"/v1/codebook/{entry['id']}").json()["description"] is None
    # ... and a curator where they are one
    own = both.create(f"/v1/codebook?project_id={theirs}", {"tag": "topic", "description": "About."})
    assert both.patch(f"/v1/codebook/{own['id']}", {"description": "What it is about."}).status_code == 200
    # a project they cannot read: its entries are not there for them
    secret = api.create(f"/v1/codebook?project_id={hidden}", {"tag": "topic"})
    assert_error(both.get(f"/v1/codebook/{secret['id']}"), 404, "not_found")
    assert_error(both.delete(f"/v1/codebook/{secret['id']}"), 404, "not_found")
    # writing there is refused as every create is where one is no member (whether it exists is not told)
    err = assert_error(both.post(f"/v1/codebook?project_id={hidden}", {"tag": "topic/y"}), 403, "forbidden")
    assert err["role_needed"] == "curator"
    assert both.get("/v1/codebook", params={"project_id": hidden}).json()["items"] == []
