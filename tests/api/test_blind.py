"""Blind annotation: a project with settings.blind hides annotators' work from
each other until the document is marked done (curators see everything). The
rule lives in the row-level security policies, so every way of reading a row
follows it: the row, lists, search, exports, the history and the change feed."""

import json
import os
import subprocess

import requests

from conftest import cli, make_token, unique


def as_(server, token):
    s = requests.Session()
    s.headers["Authorization"] = "Bearer " + token
    base = server.base

    class Caller:
        def get(self, path, **kw):
            return s.get(base + path, timeout=60, **kw)

        def post(self, path, body):
            return s.post(base + path, json=body, timeout=60)

        def patch(self, path, body):
            return s.patch(base + path, json=body, timeout=60)

        def delete(self, path):
            return s.delete(base + path, timeout=60)

    return Caller()


def test_blind_project_hides_annotators_work_until_the_document_is_done(server, cluster):
    url = cluster.url
    slug = unique("blind")
    project_id = cli(url, "project", "add", slug, "--owner", "tester")
    names = {role: unique(role) for role in ("ann_a", "ann_b", "curator", "viewer")}
    roles = {"ann_a": "annotator", "ann_b": "annotator", "curator": "curator", "viewer": "viewer"}
    who = {k: as_(server, make_token(url, names[k], slug, roles[k])) for k in names}
    owner = as_(server, server.token)

    # the setting: a boolean, set by a manager (the owner here); anything else is refused by name
    bad = owner.patch(f"/v1/projects/{project_id}", {"settings": {"blind": "yes"}})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "settings.blind", bad.text
    assert owner.patch(f"/v1/projects/{project_id}", {"settings": {"blind": True}}).status_code == 200

    text = "The minister said the camps are schools. The report says they are prisons."
    doc = who["curator"].post("/v1/documents", {"project_id": project_id, "title": unique("doc"), "text": text})
    assert doc.status_code == 201, doc.text
    doc = doc.json()
    actor = who["curator"].post("/v1/actors", {"project_id": project_id, "name": unique("minister"), "kind": "person"})
    assert actor.status_code == 201, actor.text
    actor = actor.json()

    def claim(caller, exact, phrase):
        r = caller.post("/v1/claims", {"project_id": project_id, "document_id": doc["id"], "target": {"exact": exact},
                                       "text": phrase,
                                       "attributions": [{"actor_id": actor["id"], "mode": "indirect"}]})
        assert r.status_code == 201, r.text
        return r.json()

    ca = claim(who["ann_a"], "the camps are schools", "Blindword-a the camps are schools")
    cb = claim(who["ann_b"], "they are prisons", "Blindword-b they are prisons")

    def visible(caller):
        """The claim ids the caller can see, by every way of reading."""
        seen = {}
        items = caller.get(f"/v1/documents/{doc['id']}/claims").json()["items"]
        seen["document's claims"] = {c["id"] for c in items}
        seen["list"] = {c["id"] for c in caller.get(f"/v1/claims?project_id={project_id}").json()["items"]}
        seen["get"] = {c["id"] for c in (ca, cb) if caller.get(f"/v1/claims/{c['id']}").status_code == 200}
        hits = caller.get("/v1/search?q=Blindword").json()
        seen["search"] = {c["id"] for c in (ca, cb) if c["id"] in str(hits)}
        export = caller.get(f"/v1/export?format=ndjson&project_id={project_id}").text
        seen["export"] = {c["id"] for c in (ca, cb) if c["id"] in export}
        seen["attributions"] = {c["id"] for c in (ca, cb)
                                if caller.get(f"/v1/attributions/{c['attributions'][0]['id']}").status_code == 200}
        seen["revisions"] = {c["id"] for c in (ca, cb)
                             if caller.get(f"/v1/claims/{c['id']}/revisions").json().get("items")}
        changes = caller.get("/v1/changes?limit=1000").text
        seen["changes"] = {c["id"] for c in (ca, cb) if c["id"] in changes}
        return seen

    def assert_sees(caller, ids, when):
        for way, got in visible(caller).items():
            assert got == ids, (when, way, got, ids)

    both = {ca["id"], cb["id"]}
    assert_sees(who["ann_a"], {ca["id"]}, "before done")
    assert_sees(who["ann_b"], {cb["id"]}, "before done")
    assert_sees(who["viewer"], set(), "before done")
    assert_sees(who["curator"], both, "before done")
    assert_sees(owner, both, "before done")

    # The request's scope statement stores the blind projects it implies (claimdb.blind); a
    # statement whose scope did not (a path that forgot it) computes them, never shows more.
    me = who["ann_a"].get("/v1/me").json()
    me = me.get("user", me)
    scoped = subprocess.run(
        ["psql", url, "-XAtq", "-c",
         f"BEGIN; SELECT set_config('claimdb.read', '{{{project_id}}}', true),"
         f" set_config('claimdb.user_id', '{me['id']}', true);"
         f" SELECT count(*) FROM claims WHERE project_id = '{project_id}'; COMMIT;"],
        env={k: v for k, v in os.environ.items() if k != "PGOPTIONS"},  # no claimdb.admin
        capture_output=True, text=True, check=True).stdout.split()
    assert scoped[-1] == "1", scoped

    # another's hidden claim is absent, not forbidden: 404 for change and delete too
    assert who["ann_a"].patch(f"/v1/claims/{cb['id']}", {"note": "peek"}).status_code == 404
    assert who["ann_a"].delete(f"/v1/claims/{cb['id']}").status_code == 404

    # an annotator cannot end the blind phase; a curator can
    assert who["ann_a"].patch(f"/v1/documents/{doc['id']}", {"done": True}).status_code == 403
    done = who["curator"].patch(f"/v1/documents/{doc['id']}", {"done": True})
    assert done.status_code == 200 and done.json()["done"] is True, done.text
    assert_sees(who["ann_a"], both, "after done")
    assert_sees(who["ann_b"], both, "after done")
    assert_sees(who["viewer"], both, "after done")
    # still the annotators' own rows to change: seeing is not editing
    assert who["ann_a"].patch(f"/v1/claims/{cb['id']}", {"note": "peek"}).status_code == 403

    # the setting off: everyone sees everything again, on every document
    who["curator"].patch(f"/v1/documents/{doc['id']}", {"done": False})
    assert_sees(who["ann_a"], {ca["id"]}, "not done again")
    assert owner.patch(f"/v1/projects/{project_id}", {"settings": {"blind": False}}).status_code == 200
    assert_sees(who["ann_a"], both, "blind off")


def test_done_is_a_document_field(api):
    """done: false by default, a boolean, patchable, in the list items."""
    doc = api.post("/v1/documents", json={"title": unique("d"), "text": "Some text."}).json()
    assert doc["done"] is False
    bad = api.patch(f"/v1/documents/{doc['id']}", json={"done": "yes"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "done", bad.text
    assert api.patch(f"/v1/documents/{doc['id']}", json={"done": True}).json()["done"] is True
    items = api.get(f"/v1/documents?limit=500").json()["items"]
    assert any(d["id"] == doc["id"] and d["done"] is True for d in items)


def test_exports_are_per_project_unless_server_admin(server, cluster):
    url = cluster.url
    one, two = unique("exp1"), unique("exp2")
    ids = {s: cli(url, "project", "add", s, "--owner", "tester") for s in (one, two)}
    name = unique("reader")
    token = make_token(url, name, one, "viewer")
    reader = as_(server, token)
    # a reader of one project: that project, without naming it
    r = reader.get("/v1/export?format=ndjson")
    assert r.status_code == 200, r.text
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert lines[0]["type"] == "header"
    assert [x["id"] for x in lines if x["type"] == "project"] == [ids[one]], r.text[:1000]
    # a reader of two must choose
    cli(url, "project", "member", two, name, "viewer")
    reader = as_(server, make_token(url, name))  # a new credential: the server caches one's projects briefly
    r = reader.get("/v1/export?format=ndjson")
    assert r.status_code == 400 and r.json()["error"]["field"] == "project_id", r.text
    r = reader.get(f"/v1/export?format=csv&table=documents&project_id={ids[two]}")
    assert r.status_code == 200, r.text
    # a project one cannot read is absent
    r = reader.get("/v1/export?format=ndjson&project_id=00000000-0000-7000-8000-0000000000ff")
    assert r.status_code == 404 and r.json()["error"]["field"] == "project_id", r.text
    # a server admin exports everything, or one project when named
    admin = as_(server, server.token)
    everything = admin.get("/v1/export?format=ndjson").text
    assert ids[one] in everything and ids[two] in everything
    narrowed = admin.get(f"/v1/export?format=ndjson&project_id={ids[one]}").text
    assert ids[one] in narrowed and ids[two] not in narrowed


def test_created_by_and_updated_by_are_the_callers_and_cannot_be_forged(server, cluster):
    url = cluster.url
    slug = unique("authors")
    project_id = cli(url, "project", "add", slug, "--owner", "tester")
    ann = as_(server, make_token(url, unique("ann"), slug, "annotator"))
    cur = as_(server, make_token(url, unique("cur"), slug, "curator"))
    ann_id = ann.get("/v1/me").json()["user"]["id"]
    cur_id = cur.get("/v1/me").json()["user"]["id"]
    doc = cur.post("/v1/documents", {"project_id": project_id, "title": unique("d"), "text": "One claim here."}).json()
    assert doc["created_by"] == doc["updated_by"] == cur_id
    forged = ann.post("/v1/claims", {"project_id": project_id, "document_id": doc["id"],
                                     "target": {"exact": "One claim"}, "created_by": cur_id})
    assert forged.status_code == 400 and forged.json()["error"]["field"] == "created_by", forged.text
    claim = ann.post("/v1/claims", {"project_id": project_id, "document_id": doc["id"], "target": {"exact": "One claim"}})
    assert claim.status_code == 201, claim.text
    claim = claim.json()
    assert claim["created_by"] == ann_id
    changed = cur.patch(f"/v1/claims/{claim['id']}", {"note": "checked"}).json()
    assert changed["created_by"] == ann_id and changed["updated_by"] == cur_id
    listed = [c for c in cur.get(f"/v1/documents/{doc['id']}/claims").json()["items"] if c["id"] == claim["id"]]
    assert listed[0]["created_by"] == ann_id and listed[0]["updated_by"] == cur_id
    assert cur.patch(f"/v1/claims/{claim['id']}", {"updated_by": ann_id}).status_code == 400
