"""History (issue 11): revisions on every row, ETags and If-Match, the
revision log, revert, the trash, and the change feed."""
import json
import os
import random
import subprocess
import threading
import time
import uuid

import pytest
import requests

from conftest import BIN, Api, Server, assert_error, cli, make_token, unique

TEXT = ("The ministry said the report was false. Critics said the report was accurate. "
        "Nobody disputes that the camps exist. A second paragraph repeats that the report was false.")
OTHER = "An editorial replied that the report was accurate and that the ministry was wrong."


@pytest.fixture(scope="module")
def own(cluster):
    """A server on a database of its own: the exports compared here hold
    nothing but what these tests made."""
    url = cluster.create_database("history_" + uuid.uuid4().hex[:10])
    s = Server(url).start()
    s.url = url
    yield s
    assert s.stop() == 0, s.read_log()[-3000:]


@pytest.fixture(scope="module")
def h(own):
    return Api(own.base, own.token)


def make_world(api):
    doc = api.create("/v1/documents", {"title": unique("doc"), "text": TEXT})
    other = api.create("/v1/documents", {"title": unique("other"), "text": OTHER})
    third = api.create("/v1/documents", {"title": unique("third"), "text": OTHER})
    actor = api.create("/v1/actors", {"name": unique("ministry"), "kind": "government"})
    source = api.create("/v1/sources", {"title": unique("report"), "kind": "report"})
    return doc, other, third, actor, source


def claim_on(api, doc, quote, **extra):
    return api.create("/v1/claims", {"document_id": doc["id"], "target": {"exact": quote}, **extra})


def export(own):
    r = requests.get(own.base + "/v1/export", params={"format": "ndjson"}, headers=own.auth)
    assert r.status_code == 200
    return r.content.split(b"\n", 1)[1]


# ---------------------------------------------------------------- rev and ETags

def test_rev_everywhere_and_etag(h):
    doc, _, _, actor, source = make_world(h)
    claim = claim_on(h, doc, "the camps exist", attributions=[{"actor_id": actor["id"], "cue": "said"}],
                     citations=[{"source_id": source["id"]}])
    assert claim["rev"] == 1 and claim["attributions"][0]["rev"] == 1 and claim["citations"][0]["rev"] == 1
    for path in ("/v1/documents", "/v1/actors", "/v1/claims", "/v1/attributions", "/v1/sources", "/v1/relations"):
        items = h.get(path, params={"limit": 5}).json()["items"]
        assert all(isinstance(i["rev"], int) and i["rev"] >= 1 for i in items), path
    r = h.get(f"/v1/claims/{claim['id']}")
    tag = r.headers["ETag"]
    assert tag.startswith('"1-') and tag.endswith('"')
    assert h.get(f"/v1/claims/{claim['id']}", headers={"If-None-Match": tag}).status_code == 304
    assert h.get(f"/v1/claims/{claim['id']}", headers={"If-None-Match": '"1-0"'}).status_code == 200
    # A new attribution changes the representation, not the claim's revision: a new tag.
    h.create(f"/v1/claims/{claim['id']}/attributions", {"actor_id": actor["id"], "cue": "added"})
    r2 = h.get(f"/v1/claims/{claim['id']}", headers={"If-None-Match": tag})
    assert r2.status_code == 200 and r2.json()["rev"] == 1 and r2.headers["ETag"] != tag
    patched = h.patch(f"/v1/claims/{claim['id']}", {"note": "n"})
    assert patched.json()["rev"] == 2 and patched.headers["ETag"].startswith('"2-')
    # A PATCH that changes nothing is no revision.
    assert h.patch(f"/v1/claims/{claim['id']}", {"note": "n"}).json()["rev"] == 2
    for path in (f"/v1/documents/{doc['id']}", f"/v1/actors/{actor['id']}", f"/v1/sources/{source['id']}",
                 f"/v1/attributions/{claim['attributions'][0]['id']}", f"/v1/citations/{claim['citations'][0]['id']}"):
        r = h.get(path)
        assert r.headers["ETag"].startswith(f'"{r.json()["rev"]}-'), path


def test_rev_in_threads_counterclaims_search_and_members(h, own):
    """A client holding any representation of a row can send If-Match for it without
    fetching it again: the thread's nodes and edges, the counterclaims view (claim and
    relation), search hits and members carry the row's rev."""
    doc, other, _, actor, _ = make_world(h)
    claim = claim_on(h, doc, "the camps exist", attributions=[{"actor_id": actor["id"]}])
    reply = claim_on(h, other, "the report was accurate")
    rel = h.create("/v1/relations", {"from_claim_id": reply["id"], "to_claim_id": claim["id"], "kind": "refutes"})
    h.patch(f"/v1/claims/{reply['id']}", {"note": "twice"})
    h.patch(f"/v1/relations/{rel['id']}", {"note": "twice"})
    thread = h.get(f"/v1/claims/{claim['id']}/thread").json()
    assert {n["id"]: n["rev"] for n in thread["nodes"]} == {claim["id"]: 1, reply["id"]: 2}
    assert [(e["id"], e["rev"]) for e in thread["edges"]] == [(rel["id"], 2)]
    item = h.get(f"/v1/claims/{claim['id']}/counterclaims").json()["items"][0]
    assert (item["relation_id"], item["relation_rev"], item["claim"]["id"], item["claim"]["rev"]) == \
        (rel["id"], 2, reply["id"], 2)
    assert h.patch(f"/v1/claims/{reply['id']}", {"note": "thrice"},
                   headers={"If-Match": f'"{item["claim"]["rev"]}-0"'}).status_code in (200, 412)
    members = h.get(f"/v1/projects/{claim['project_id']}/members").json()["items"]
    assert members and all(isinstance(m["rev"], int) for m in members)


def test_two_clients_same_etag_exactly_one_wins(h):
    doc, *_ = make_world(h)
    claim = claim_on(h, doc, "the report was accurate")
    tag = h.get(f"/v1/claims/{claim['id']}").headers["ETag"]
    barrier = threading.Barrier(2)
    results = {}

    def edit(name):
        s = requests.Session()
        s.headers.update(h.s.headers)  # the same credentials
        barrier.wait()
        results[name] = s.patch(f"{h.base}/v1/claims/{claim['id']}", json={"note": name},
                                headers={"If-Match": tag})

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    statuses = sorted(r.status_code for r in results.values())
    assert statuses == [200, 412], {k: (v.status_code, v.text[:200]) for k, v in results.items()}
    winner = next(k for k, v in results.items() if v.status_code == 200)
    loser = next(v for v in results.values() if v.status_code == 412)
    err = assert_error(loser, 412, "precondition_failed", "If-Match")
    assert err["current"]["note"] == winner and err["current"]["rev"] == 2 and err["current_rev"] == 2
    assert loser.headers["ETag"].startswith('"2-')
    # No update lost: the loser reapplies on the current revision and it sticks.
    again = h.patch(f"/v1/claims/{claim['id']}", {"note": winner + "+other"}, headers={"If-Match": loser.headers["ETag"]})
    assert again.status_code == 200 and again.json()["rev"] == 3
    notes = [i["after"]["note"] for i in h.get(f"/v1/claims/{claim['id']}/revisions").json()["items"]]
    assert notes == [winner + "+other", winner, None]


def test_if_match_forms_and_delete(h):
    doc, _, _, actor, _ = make_world(h)
    item = h.get("/v1/actors", params={"name": actor["name"]}).json()["items"][0]
    # A list item's rev is enough to write safely.
    assert h.patch(f"/v1/actors/{actor['id']}", {"description": "a"}, headers={"If-Match": f'"{item["rev"]}"'}).status_code == 200
    r = h.patch(f"/v1/actors/{actor['id']}", {"description": "b"}, headers={"If-Match": f'"{item["rev"]}"'})
    assert_error(r, 412, "precondition_failed")
    assert r.json()["error"]["current"]["description"] == "a"
    for bad in ('1', '"x"', '"1", "2"', 'W/', '"1-zz"x'):
        assert_error(h.patch(f"/v1/actors/{actor['id']}", {"description": "c"}, headers={"If-Match": bad}),
                     400, "invalid_header", "If-Match")
    assert h.patch(f"/v1/actors/{actor['id']}", {"description": "c"}, headers={"If-Match": "*"}).status_code == 200
    claim = claim_on(h, doc, "Nobody disputes")
    assert_error(h.delete(f"/v1/claims/{claim['id']}", headers={"If-Match": '"7"'}), 412)
    assert h.get(f"/v1/claims/{claim['id']}").status_code == 200
    tag = h.get(f"/v1/claims/{claim['id']}").headers["ETag"]
    assert h.delete(f"/v1/claims/{claim['id']}", headers={"If-Match": tag}).status_code == 204
    # A cascade checks the document's revision only, not its claims'.
    d2 = h.create("/v1/documents", {"title": unique("d"), "text": TEXT})
    claim_on(h, d2, "the camps exist")
    assert h.delete(f"/v1/documents/{d2['id']}?cascade=true", headers={"If-Match": '"1"'}).status_code == 204


# ---------------------------------------------------------------- the log

def test_revisions_at_and_revert(h):
    doc, *_ = make_world(h)
    claim = claim_on(h, doc, "The ministry said the report was false", note="first", tags=["a"])
    t1 = h.get(f"/v1/claims/{claim['id']}/revisions").json()["items"][0]["at"]
    h.patch(f"/v1/claims/{claim['id']}", {"note": "second", "target": {"exact": "Critics"}})
    h.patch(f"/v1/claims/{claim['id']}", {"note": "third", "tags": ["b"]})
    page = h.get(f"/v1/claims/{claim['id']}/revisions", params={"limit": 2}).json()
    assert [i["rev"] for i in page["items"]] == [3, 2] and page["next"]
    assert page["items"][0]["op"] == "update" and page["items"][0]["before"]["note"] == "second"
    assert page["items"][1]["after"]["target"]["exact"] == "Critics"
    rest = h.get(f"/v1/claims/{claim['id']}/revisions", params={"after": page["next"]}).json()
    assert [i["rev"] for i in rest["items"]] == [1] and rest["next"] is None and rest["items"][0]["op"] == "create"
    assert {"user_id", "token_id", "request_id", "at", "reason"} <= set(rest["items"][0])

    old = h.get(f"/v1/claims/{claim['id']}", params={"at": "1"})
    assert old.status_code == 200 and old.json()["note"] == "first" and old.json()["rev"] == 1
    assert old.json()["target"]["exact"] == "The ministry said the report was false" and old.headers["ETag"].startswith('"1-')
    assert h.get(f"/v1/claims/{claim['id']}", params={"at": t1}).json()["note"] == "first"
    assert_error(h.get(f"/v1/claims/{claim['id']}", params={"at": "9"}), 404, "not_found", "at")
    assert_error(h.get(f"/v1/claims/{claim['id']}", params={"at": "yesterday"}), 400, "invalid_value", "at")
    assert_error(h.get(f"/v1/claims/{claim['id']}", params={"at": "2000-01-01T00:00:00Z"}), 404)

    r = h.post(f"/v1/claims/{claim['id']}/revert", {"to_rev": 1})
    assert r.status_code == 200, r.text
    back = r.json()
    assert back["rev"] == 4 and back["note"] == "first" and back["tags"] == ["a"]
    assert back["target"]["exact"] == "The ministry said the report was false"
    assert h.get(f"/v1/claims/{claim['id']}/revisions").json()["items"][0]["reason"] == "revert"
    assert_error(h.post(f"/v1/claims/{claim['id']}/revert", {"to_rev": 99}), 422, "invalid_revision", "to_rev")
    assert_error(h.post(f"/v1/claims/{claim['id']}/revert", {"to_rev": "1"}), 400, "invalid_value", "to_rev")
    assert_error(h.post(f"/v1/claims/{claim['id']}/revert", {"to_rev": 1, "x": 1}), 400)
    assert_error(h.post(f"/v1/claims/{uuid.uuid4()}/revert", {"to_rev": 1}), 404)
    assert_error(h.post(f"/v1/claims/{claim['id']}/revert", {"to_rev": 1}, headers={"If-Match": '"1"'}), 412)
    h.delete(f"/v1/claims/{claim['id']}")
    assert_error(h.get(f"/v1/claims/{claim['id']}", params={"at": "5"}), 404, "deleted", "at")
    assert_error(h.post(f"/v1/claims/{claim['id']}/revert", {"to_rev": 5}), 422, "invalid_revision")


def test_revert_needing_a_row_that_is_gone_is_409(h):
    doc, _, _, actor, _ = make_world(h)
    other = h.create("/v1/actors", {"name": unique("other")})
    claim = claim_on(h, doc, "Critics said", attributions=[{"actor_id": actor["id"]}])
    att = claim["attributions"][0]
    assert h.patch(f"/v1/attributions/{att['id']}", {"actor_id": other["id"]}).status_code == 200
    assert h.delete(f"/v1/actors/{actor['id']}").status_code == 204
    err = assert_error(h.post(f"/v1/attributions/{att['id']}/revert", {"to_rev": 1}), 409, "missing_reference",
                       "actor_id")
    assert actor["id"] in err["message"] and "actors" in err["message"]
    assert h.get(f"/v1/attributions/{att['id']}").json()["actor_id"] == other["id"]


def test_every_path_is_recorded_and_the_log_is_append_only(h, own, cluster):
    doc, _, _, actor, _ = make_world(h)
    a = claim_on(h, doc, "the camps exist", attributions=[{"actor_id": actor["id"]}])
    b = claim_on(h, doc, "Critics said")
    dupe = h.create("/v1/actors", {"name": unique("dupe")})
    h.create(f"/v1/claims/{b['id']}/attributions", {"actor_id": dupe["id"]})
    assert h.post(f"/v1/actors/{dupe['id']}/merge", {"into": actor["id"]}).status_code == 200
    imported = str(uuid.uuid4())
    line = {"type": "actor", "id": imported, "name": unique("imported"), "kind": "person"}
    assert h.post("/v1/import", data=json.dumps(line) + "\n").status_code == 200
    assert h.delete(f"/v1/documents/{doc['id']}?cascade=true").status_code == 204

    def log(table, row_id):
        return cluster.psql(f"SELECT string_agg(op || ':' || rev, ',' ORDER BY seq) FROM revisions"
                            f" WHERE resource = '{table}' AND id = '{row_id}'", db=own.url.rsplit("/", 1)[1])

    assert log("actors", dupe["id"]) == "create:1,delete:2"            # merged away
    assert log("actors", imported) == "create:1"                      # imported
    assert log("claims", a["id"]) == "create:1,delete:2"              # cascaded with the document
    assert log("claims", b["id"]) == "create:1,delete:2"
    assert log("attributions", a["attributions"][0]["id"]) == "create:1,delete:2"
    assert log("documents", doc["id"]) == "create:1,delete:2"
    db = own.url.rsplit("/", 1)[1]
    for sql in ("UPDATE revisions SET op = 'create'", "DELETE FROM revisions", "TRUNCATE revisions"):
        with pytest.raises(subprocess.CalledProcessError) as e:
            cluster.psql(sql, db=db)
        assert "append-only" in e.value.stderr


# ---------------------------------------------------------------- trash

def test_delete_and_restore_a_claim_with_cross_document_relations(h, own):
    doc, other, third, actor, source = make_world(h)
    claim = claim_on(h, doc, "ministry said the report was false", tags=["t"],
                     attributions=[{"actor_id": actor["id"], "cue": "said", "cue_span": {"exact": "said", "prefix": "ministry "}}],
                     citations=[{"source_id": source["id"], "locator": "p. 1"}])
    reply = claim_on(h, other, "the report was accurate")
    answer = claim_on(h, third, "the ministry was wrong")
    h.create("/v1/relations", {"from_claim_id": reply["id"], "to_claim_id": claim["id"], "kind": "refutes"})
    h.create("/v1/relations", {"from_claim_id": claim["id"], "to_claim_id": answer["id"], "kind": "responds_to"})
    before = export(own)
    assert h.delete(f"/v1/claims/{claim['id']}").status_code == 204
    assert export(own) != before
    trash = h.get("/v1/trash", params={"project_id": claim["project_id"], "limit": 1000}).json()["items"]
    mine = [t for t in trash if t["id"] == claim["id"]]
    assert mine and mine[0]["resource"] == "claims" and mine[0]["row"]["note"] is None
    r = h.post(f"/v1/trash/claims/{claim['id']}/restore")
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["missing"] == []
    assert sorted(x["resource"] for x in report["restored"]) == ["attributions", "citations", "claims",
                                                                 "relations", "relations"]
    assert export(own) == before  # identical but for revisions (not exported) and change times
    got = h.get(f"/v1/claims/{claim['id']}").json()
    assert got["rev"] == 3 and len(got["relations"]["incoming"]) == 1 and len(got["relations"]["outgoing"]) == 1
    assert h.get(f"/v1/claims/{claim['id']}/revisions").json()["items"][0]["reason"] == "restore"
    assert_error(h.post(f"/v1/trash/claims/{claim['id']}/restore"), 404, "not_in_trash")
    assert all(t["id"] != claim["id"] for t in h.get("/v1/trash", params={"limit": 1000}).json()["items"])


def test_restore_names_what_is_missing_and_purge(h):
    doc, other, _, _, _ = make_world(h)
    claim = claim_on(h, doc, "Nobody disputes")
    reply = claim_on(h, other, "the ministry was wrong")
    rel = h.create("/v1/relations", {"from_claim_id": reply["id"], "to_claim_id": claim["id"], "kind": "disputes"})
    h.delete(f"/v1/claims/{claim['id']}")
    h.delete(f"/v1/claims/{reply['id']}")
    r = h.post(f"/v1/trash/claims/{claim['id']}/restore")
    assert r.status_code == 200
    missing = r.json()["missing"]
    assert [m["id"] for m in missing] == [rel["id"]] and "from_claim_id" in missing[0]["reason"]
    assert h.get(f"/v1/relations/{rel['id']}").status_code == 404
    # The relation stays in the trash; once both ends are back it can be restored on its own.
    assert any(t["id"] == rel["id"] for t in h.get("/v1/trash", params={"limit": 1000}).json()["items"])
    assert_error(h.post(f"/v1/trash/relations/{rel['id']}/restore"), 409, "missing_reference", "from_claim_id")
    assert [x["id"] for x in h.post(f"/v1/trash/claims/{reply['id']}/restore").json()["restored"]] == [reply["id"]]
    r = h.post(f"/v1/trash/relations/{rel['id']}/restore")
    assert r.status_code == 200 and [x["id"] for x in r.json()["restored"]] == [rel["id"]]
    assert h.get(f"/v1/relations/{rel['id']}").json()["rev"] == 3

    gone = claim_on(h, doc, "Critics said")
    h.delete(f"/v1/claims/{gone['id']}")
    assert h.delete(f"/v1/trash/claims/{gone['id']}").status_code == 204
    assert_error(h.post(f"/v1/trash/claims/{gone['id']}/restore"), 404, "not_in_trash")
    assert_error(h.delete(f"/v1/trash/claims/{gone['id']}"), 404, "not_in_trash")
    revs = h.get(f"/v1/claims/{gone['id']}/revisions").json()["items"]
    assert [(i["op"], i["reason"]) for i in revs[:2]] == [("purge", "purge"), ("delete", None)]
    assert_error(h.post(f"/v1/trash/widgets/{gone['id']}/restore"), 404, "not_found", "resource")
    assert_error(h.post("/v1/trash/claims/nope/restore"), 400)
    assert_error(h.get("/v1/trash", params={"after": "x"}), 400, "invalid_cursor")


# ---------------------------------------------------------------- members

def test_members_have_revisions_in_the_log(own, h):
    """Memberships are rows of the history too (issue 11 lists members): a
    rev in their JSON, and each add, role change and removal in the log."""
    slug = unique("team")
    project_id = cli(own.url, "project", "add", slug, "--owner", "tester")
    username = unique("member")
    cli(own.url, "user", "add", username)
    _, cursor = feed_all(h, project_id=project_id)
    added = h.create(f"/v1/projects/{project_id}/members", {"user": username, "role": "viewer"})
    assert added["rev"] == 1
    path = f"/v1/projects/{project_id}/members/{added['user_id']}"
    assert h.patch(path, {"role": "curator"}).json()["rev"] == 2
    assert h.patch(path, {"role": "curator"}).json()["rev"] == 2  # no change, no revision
    listed = [m for m in h.get(f"/v1/projects/{project_id}/members").json()["items"] if m["username"] == username]
    assert [(m["role"], m["rev"]) for m in listed] == [("curator", 2)]
    assert h.delete(path).status_code == 204
    changes, _ = feed_all(h, cursor, project_id=project_id)
    mine = [c for c in changes if c["resource"] == "members" and (c["after"] or c["before"])["user_id"] == added["user_id"]]
    assert [(c["op"], c["rev"], (c["after"] or {}).get("role")) for c in mine] == \
        [("create", 1, "viewer"), ("update", 2, "curator"), ("delete", 3, None)]
    assert mine[0]["user_id"] is not None  # who did it
    # A removed membership is logged, not in the trash (it is not restored: it is added again).
    trash = h.get("/v1/trash", params={"project_id": project_id, "limit": 1000}).json()["items"]
    assert all(t["resource"] != "members" for t in trash)


# ---------------------------------------------------------------- the change feed

def feed_all(api, cursor=None, **params):
    items = []
    while True:
        page = api.get("/v1/changes", params={"limit": 1000, **({"after": cursor} if cursor else {}), **params}).json()
        items += page["items"]
        cursor = page["next"]
        if not page["more"]:
            return items, cursor


def test_long_poll_wakes_on_a_change_and_holds_no_connection(h, own, cluster):
    _, cursor = feed_all(h)
    empty = h.get("/v1/changes", params={"after": cursor}).json()
    assert empty == {"items": [], "next": cursor, "more": False}
    assert_error(h.get("/v1/changes", params={"wait": "61"}), 400, "invalid_value", "wait")
    assert_error(h.get("/v1/changes", params={"after": "bogus"}), 400, "invalid_cursor")
    db = own.url.rsplit("/", 1)[1]
    connections = f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{db}' AND application_name = 'claimdb'"
    before = int(cluster.psql(connections))
    results = []

    def wait():
        results.append(requests.get(f"{h.base}/v1/changes", params={"after": cursor, "wait": 30}, timeout=60,
                                    headers=dict(h.s.headers)))

    waiters = [threading.Thread(target=wait) for _ in range(40)]
    for t in waiters:
        t.start()
    time.sleep(0.5)
    # 40 held requests: no more database connections than the server's own
    # (the request pool: THREADS, by default one per core and at least 2, each
    # opened on first use; and the feed's one listener), and its threads still
    # answer everyone else. A waiting long poll gives its pooled connection
    # back. Counting against `before` alone was flaky: a pool slot that had
    # not yet been used opens its connection while the waiters arrive.
    threads = max(os.cpu_count() or 1, 2)
    assert int(cluster.psql(connections)) <= max(before, threads + 1)
    assert h.get("/healthz").status_code == 200
    started = time.monotonic()
    actor = h.create("/v1/actors", {"name": unique("woken")})
    for t in waiters:
        t.join(60)
    assert time.monotonic() - started < 25
    assert len(results) == 40
    for r in results:
        assert r.status_code == 200
        assert [(i["resource"], i["id"], i["op"]) for i in r.json()["items"]] == [("actors", actor["id"], "create")]


class OpenTransaction:
    """A psql session that holds a transaction with an xid open in the
    database at `url` until released (by pg_terminate_backend, as pg_sleep
    does not notice its client leaving)."""

    def __init__(self, cluster, url):
        self.cluster = cluster
        self.name = "claimdb-test-holder-" + uuid.uuid4().hex[:8]
        self.proc = subprocess.Popen(["psql", "-X", "-q", url, "-c",
                                      "BEGIN; SELECT pg_current_xact_id(); SELECT pg_sleep(60); COMMIT;"],
                                     env=dict(os.environ, PGAPPNAME=self.name), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while self.cluster.psql(f"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{self.name}'"
                                " AND backend_xid IS NOT NULL", db="postgres") != "1":
            assert time.monotonic() < deadline, "the holding transaction did not start"
            time.sleep(0.05)

    def release(self):
        self.cluster.psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{self.name}'",
                          db="postgres")
        self.proc.wait(15)


def test_the_feed_is_held_back_by_its_own_database_only(h, own, cluster):
    """The feed serves a transaction's changes once no older transaction
    that may still write this database runs. A transaction open in another
    database of the cluster (autovacuum, another application) does not
    count: with the snapshot's cluster-wide xmin it held every follower back
    (test_long_poll_... failed once, waiting out its 30 s). One open in this
    database does: it may still commit changes the cursor would skip."""
    elsewhere = OpenTransaction(cluster, cluster.create_database("elsewhere_" + uuid.uuid4().hex[:10]))
    try:
        _, cursor = feed_all(h)
        actor = h.create("/v1/actors", {"name": unique("unheld")})
        page = h.get("/v1/changes", params={"after": cursor}).json()
        assert [(i["id"], i["op"]) for i in page["items"]] == [(actor["id"], "create")]
        cursor = page["next"]
        here = OpenTransaction(cluster, own.url)
        try:
            held = h.create("/v1/actors", {"name": unique("held")})
            assert h.get("/v1/changes", params={"after": cursor}).json() == {"items": [], "next": cursor,
                                                                               "more": False}
        finally:
            here.release()
        page = h.get("/v1/changes", params={"after": cursor, "wait": 10}).json()
        assert [(i["id"], i["op"]) for i in page["items"]] == [(held["id"], "create")]
    finally:
        elsewhere.release()


def test_short_wait_times_out_empty(h):
    _, cursor = feed_all(h)
    started = time.monotonic()
    r = h.get("/v1/changes", params={"after": cursor, "wait": 1})
    assert r.status_code == 200 and r.json()["items"] == [] and time.monotonic() - started >= 0.9


def apply_change(copy, change, applied):
    """Applies one change to the follower's copy: a row's newest revision
    wins (a transaction can commit after a younger one that changed the
    same row; rev orders each row's changes)."""
    key = (change["resource"], change["id"])
    if change["rev"] <= applied.get(key, 0):
        return
    applied[key] = change["rev"]
    if change["after"] is None:
        copy.pop(key, None)
    else:
        copy[key] = change["after"]


def copy_sql(copy, applied):
    """The follower's copy as SQL for an empty claimdb database."""
    # Rows in any order: no FK triggers, no history; the search columns (not
    # exported, kept by triggers that do not fire here) may stay empty.
    out = ["ALTER TABLE claims ALTER COLUMN search DROP NOT NULL;", "SET session_replication_role = replica;"]
    for (table, _), row in sorted(copy.items()):
        if table == "claims":
            target = row.pop("target")
            row = dict(row, **(target or {"start": None, "end": None, "exact": None, "prefix": None, "suffix": None}))
        row = {k: v for k, v in row.items() if k not in ("sha256", "length")}
        literal = json.dumps(row).replace("'", "''")
        cols = ", ".join(f'"{c}"' for c in row)
        out.append(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM jsonb_populate_record(NULL::{table}, '{literal}')"
                   f" ON CONFLICT (id) DO UPDATE SET rev = EXCLUDED.rev;")
    return "\n".join(out)


def test_a_follower_rebuilds_the_project_exactly(h, own, cluster):
    """A follower reads /v1/changes (long-polling) while four writers apply
    random creates, edits, deletes, reverts and restores through the API,
    the import and actor merges; its copy, loaded into an empty database,
    exports the same NDJSON as the original."""
    rng = random.Random(11)
    ops_total = 1000
    docs = [h.create("/v1/documents", {"title": unique("feed"), "text": TEXT}) for _ in range(3)]
    stop = threading.Event()
    copy, applied, errors = {}, {}, []

    def follow():
        cursor = None
        while True:
            page = requests.get(f"{h.base}/v1/changes", params={"limit": 500, "wait": 1,
                                                                **({"after": cursor} if cursor else {})}, timeout=30,
                                headers=dict(h.s.headers)).json()
            for change in page["items"]:
                apply_change(copy, change, applied)
            cursor = page["next"]
            if stop.is_set() and not page["items"]:
                return

    follower = threading.Thread(target=follow)
    follower.start()
    lock = threading.Lock()
    claims, actors, deleted = [], [], []
    done = [0]

    def writer(seed):
        w = random.Random(seed)
        s = requests.Session()
        s.headers.update(h.s.headers)  # the same credentials
        base = h.base + "/v1"
        while True:
            with lock:
                if done[0] >= ops_total:
                    return
                done[0] += 1
            op = w.choice(["claim", "claim", "edit", "edit", "delete", "revert", "restore", "actor", "import",
                           "merge", "attribute", "relate"])
            try:
                if op == "claim" or not claims:
                    doc = w.choice(docs)
                    r = s.post(f"{base}/claims", json={"document_id": doc["id"], "text": unique("c"),
                                                       "tags": [w.choice("abc")]})
                    if r.status_code == 201:
                        with lock:
                            claims.append(r.json()["id"])
                elif op == "edit":
                    r = s.patch(f"{base}/claims/{w.choice(claims)}", json={"note": unique("n"), "kind": w.choice(["factual", "causal"])})
                elif op == "delete":
                    with lock:
                        victim = claims.pop(w.randrange(len(claims)))
                    if s.delete(f"{base}/claims/{victim}").status_code == 204:
                        with lock:
                            deleted.append(victim)
                elif op == "restore" and deleted:
                    with lock:
                        back = deleted.pop(w.randrange(len(deleted)))
                    if s.post(f"{base}/trash/claims/{back}/restore").status_code == 200:
                        with lock:
                            claims.append(back)
                elif op == "revert":
                    c = w.choice(claims)
                    s.post(f"{base}/claims/{c}/revert", json={"to_rev": 1})
                elif op == "actor" or (op in ("merge", "attribute") and len(actors) < 2):
                    r = s.post(f"{base}/actors", json={"name": unique("a")})
                    if r.status_code == 201:
                        with lock:
                            actors.append(r.json()["id"])
                elif op == "import":
                    aid = str(uuid.uuid4())
                    lines = [{"type": "actor", "id": aid, "name": unique("imp")},
                             {"type": "claim", "id": str(uuid.uuid4()), "text": unique("imported claim")}]
                    r = s.post(f"{base}/import", data="".join(json.dumps(x) + "\n" for x in lines))
                    if r.status_code == 200:
                        with lock:
                            actors.append(aid)
                elif op == "merge":
                    with lock:
                        gone = actors.pop(w.randrange(len(actors)))
                        into = w.choice(actors)
                    s.post(f"{base}/actors/{gone}/merge", json={"into": into})
                elif op == "attribute":
                    s.post(f"{base}/claims/{w.choice(claims)}/attributions", json={"actor_id": w.choice(actors)})
                elif op == "relate" and len(claims) > 1:
                    a, b = w.sample(claims, 2)
                    s.post(f"{base}/relations", json={"from_claim_id": a, "to_claim_id": b, "kind": "supports"})
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))

    writers = [threading.Thread(target=writer, args=(rng.random(),)) for _ in range(4)]
    for t in writers:
        t.start()
    for t in writers:
        t.join(600)
    stop.set()
    follower.join(120)
    assert not follower.is_alive() and not errors, errors[:3]
    assert done[0] >= ops_total
    kinds = cluster.psql("SELECT string_agg(DISTINCT coalesce(reason, op), ',') FROM revisions",
                         db=own.url.rsplit("/", 1)[1])
    assert {"create", "update", "delete", "revert", "restore"} <= set(kinds.split(","))

    url = cluster.create_database("follower_" + uuid.uuid4().hex[:10])
    migrated = subprocess.run([BIN, "migrate"], env={"DATABASE_URL": url}, capture_output=True, text=True)
    assert migrated.returncode == 0, migrated.stderr
    # Loaded as the cluster's superuser: COPY FROM is refused to a role that
    # row-level security applies to (claimdb's).
    cluster.pg("psql", "-d", url.rsplit("/", 1)[1], "-At", "-f", "-", input=copy_sql(copy, applied),
               capture_output=True, text=True)
    mine = subprocess.run([BIN, "export"], env={"DATABASE_URL": url}, capture_output=True, check=True).stdout
    theirs = subprocess.run([BIN, "export"], env={"DATABASE_URL": own.url}, capture_output=True, check=True).stdout
    assert mine.split(b"\n", 1)[1] == theirs.split(b"\n", 1)[1]


# ---------------------------------------------------------------- require_if_match

def test_require_if_match_makes_an_unconditional_write_428(own, h):
    """settings.require_if_match: PATCH, DELETE and revert of a row of that
    project without If-Match are 428; with one they work; If-Match: * is a
    precondition too; other projects and cascades are not affected."""
    slug = unique("strict")
    out = subprocess.run([BIN, "project", "add", slug, "--owner", "tester"], capture_output=True, text=True,
                         env=dict(os.environ, DATABASE_URL=own.url))
    assert out.returncode == 0, out.stderr
    project_id = out.stdout.strip()
    assert_error(h.patch(f"/v1/projects/{project_id}", json={"settings": {"require_if_match": "yes"}}), 400,
                 field="settings.require_if_match")
    assert h.patch(f"/v1/projects/{project_id}", json={"settings": {"require_if_match": True}}).status_code == 200
    doc = h.create("/v1/documents", {"project_id": project_id, "title": unique("d"), "text": TEXT})
    claim = h.create("/v1/claims", {"project_id": project_id, "document_id": doc["id"],
                                    "target": {"exact": "the camps exist"}})
    err = assert_error(h.patch(f"/v1/claims/{claim['id']}", json={"note": "n"}), 428, "precondition_required",
                       "If-Match")
    assert "If-Match" in err["message"]
    assert h.get(f"/v1/claims/{claim['id']}").json()["note"] is None  # nothing changed
    etag = h.get(f"/v1/claims/{claim['id']}").headers["ETag"]
    changed = h.patch(f"/v1/claims/{claim['id']}", json={"note": "n"}, headers={"If-Match": etag})
    assert changed.status_code == 200, changed.text
    assert h.patch(f"/v1/claims/{claim['id']}", json={"note": "m"}, headers={"If-Match": "*"}).status_code == 200
    assert_error(h.post(f"/v1/claims/{claim['id']}/revert", {"to_rev": 1}), 428, "precondition_required")
    assert_error(h.delete(f"/v1/claims/{claim['id']}"), 428, "precondition_required")
    assert_error(h.delete(f"/v1/documents/{doc['id']}?cascade=true"), 428, "precondition_required")
    etag = h.get(f"/v1/documents/{doc['id']}").headers["ETag"]
    gone = h.delete(f"/v1/documents/{doc['id']}?cascade=true", headers={"If-Match": etag})
    assert gone.status_code == 204, gone.text  # its claims go with it, without one each
    assert h.get(f"/v1/claims/{claim['id']}").status_code == 404
    # the default project does not require it
    other = h.create("/v1/documents", {"title": unique("free"), "text": TEXT})
    assert h.patch(f"/v1/documents/{other['id']}", json={"title": "renamed"}).status_code == 200


# ---------------------------------------------------------------- the log in the dataset

def export_cli(url, *args):
    out = subprocess.run([BIN, "export", *args], env=dict(os.environ, DATABASE_URL=url), capture_output=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def migrated_database(cluster, prefix):
    """A new database of the cluster, migrated and empty; returns its URL."""
    url = cluster.create_database(prefix + uuid.uuid4().hex[:10])
    assert subprocess.run([BIN, "migrate"], env=dict(os.environ, DATABASE_URL=url), capture_output=True).returncode == 0
    return url


def import_cli(url, data):
    """`claimdb import` of data (bytes) through a file, as a user runs it; returns its output."""
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"claimdb-history-{uuid.uuid4().hex}.ndjson")
    with open(path, "wb") as f:
        f.write(data)
    try:
        return cli(url, "import", path)
    finally:
        os.unlink(path)


def revision_lines(data):
    return [json.loads(x) for x in data.split(b"\n") if x.startswith(b'{"type" : "revision"')]


def test_export_history_round_trips_into_an_empty_database(h, own, cluster):
    """export --history -> import into an empty database -> export --history:
    the same bytes after the header; the imported log is the log (revisions,
    rev, and a restore that brings back what went with a deleted claim)."""
    doc, other, _, actor, source = make_world(h)
    claim = claim_on(h, doc, "ministry said the report was false",
                     attributions=[{"actor_id": actor["id"], "cue": "said"}],
                     citations=[{"source_id": source["id"], "locator": "p. 2"}])
    reply = claim_on(h, other, "the report was accurate")
    h.create("/v1/relations", {"from_claim_id": reply["id"], "to_claim_id": claim["id"], "kind": "refutes"})
    h.patch(f"/v1/claims/{reply['id']}", {"note": "edited once"})
    h.patch(f"/v1/claims/{reply['id']}", {"note": "edited twice"})
    assert h.delete(f"/v1/claims/{claim['id']}").status_code == 204

    plain = export_cli(own.url)
    full = export_cli(own.url, "--history")
    revisions = revision_lines(full)
    # The plain export is the history export without its revision lines (which come last).
    assert revisions and full.split(b"\n", 1)[1].startswith(plain.split(b"\n", 1)[1])
    assert b'"type" : "revision"' not in plain
    assert [r["txn"] for r in revisions] == sorted(r["txn"] for r in revisions) and revisions[0]["txn"] == 1
    mine = [(r["op"], r["rev"]) for r in revisions if r["id"] == reply["id"]]
    assert mine == [("create", 1), ("update", 2), ("update", 3)]
    gone = [r for r in revisions if r["id"] == claim["id"]]
    assert [r["op"] for r in gone] == ["create", "delete"] and gone[1]["after"] is None

    url = migrated_database(cluster, "history_copy_")
    report = json.loads(import_cli(url, full))
    # The default project's creation is in every database: logged already, skipped.
    assert report["counts"]["revision"] == {"inserted": len(revisions) - 1, "updated": 0, "unchanged": 1}
    again = export_cli(url, "--history")
    assert again.split(b"\n", 1)[1] == full.split(b"\n", 1)[1]
    assert export_cli(url).split(b"\n", 1)[1] == plain.split(b"\n", 1)[1]

    copy = Server(url).start()
    try:
        c = Api(copy.base, copy.token)
        got = c.get(f"/v1/claims/{reply['id']}")
        assert got.json()["rev"] == 3 and got.headers["ETag"].startswith('"3-')
        assert [i["after"]["note"] for i in c.get(f"/v1/claims/{reply['id']}/revisions").json()["items"]] == \
            ["edited twice", "edited once", None]
        restored = c.post(f"/v1/trash/claims/{claim['id']}/restore")
        assert restored.status_code == 200, restored.text
        assert sorted(x["resource"] for x in restored.json()["restored"]) == \
            ["attributions", "citations", "claims", "relations"]
        assert c.get(f"/v1/claims/{claim['id']}").json()["rev"] == 3
    finally:
        assert copy.stop() == 0, copy.read_log()[-3000:]


def test_an_imported_log_must_agree_with_the_rows_it_covers(h, own, cluster):
    """A database seeded from an older --history export, then the newer export of the same
    data imported over it, whose log deletes a claim that database still holds: refused (422
    conflict on the claim's delete entry) and nothing written; the claim stays editable there.
    (Before, the import went through, and the claim's next edit was refused with 409: its next
    revision was logged already.)"""
    doc, *_ = make_world(h)
    claim_on(h, doc, "ministry said the report was false")
    gone = claim_on(h, doc, "Critics said the report was accurate")
    older = export_cli(own.url, "--history")
    assert h.delete(f"/v1/claims/{gone['id']}").status_code == 204
    newer = export_cli(own.url, "--history")

    url = migrated_database(cluster, "history_seeded_")
    import_cli(url, older)
    copy = Server(url).start()
    try:
        c = Api(copy.base, copy.token)
        err = assert_error(c.post("/v1/import", data=newer), 422, "invalid_lines")
        assert [(x["code"], x["field"], x["id"]) for x in err["lines"]] == [("conflict", "rev", gone["id"])]
        assert "delete" in err["lines"][0]["message"]
        entry = json.loads(newer.split(b"\n")[err["lines"][0]["line"] - 1])
        assert (entry["type"], entry["id"], entry["op"]) == ("revision", gone["id"], "delete")
        # nothing written: the claim's log is its creation, and its next edit is logged
        assert [i["op"] for i in c.get(f"/v1/claims/{gone['id']}/revisions").json()["items"]] == ["create"]
        assert c.patch(f"/v1/claims/{gone['id']}", {"note": "still here"}).status_code == 200
    finally:
        assert copy.stop() == 0, copy.read_log()[-3000:]


def test_history_export_and_import_are_the_owners(own):
    slug = unique("hist")
    project_id = cli(own.url, "project", "add", slug, "--owner", "tester")
    owner_name = unique("owner")
    owner = Api(own.base, make_token(own.url, owner_name, slug, "owner", scope="read,write,admin"))
    manager = Api(own.base, make_token(own.url, unique("manager"), slug, "manager", scope="read,write,admin"))
    doc = owner.create("/v1/documents", {"project_id": project_id, "title": unique("d"), "text": TEXT})
    claim = owner.create("/v1/claims", {"project_id": project_id, "document_id": doc["id"],
                                        "target": {"exact": "the camps exist"}})
    owner.patch(f"/v1/claims/{claim['id']}", {"note": "n"})
    params = {"project_id": project_id, "history": "true"}
    err = assert_error(manager.get("/v1/export", params=params), 403, "forbidden", "history")
    assert err["role_needed"] == "owner"
    # An owner's role counts with a token of the admin scope, as for every owner's action.
    weak = Api(own.base, make_token(own.url, owner_name, scope="read,write"))
    assert_error(weak.get("/v1/export", params=params), 403, "forbidden", "history")
    r = owner.get("/v1/export", params=params)
    assert r.status_code == 200
    revisions = revision_lines(r.content)
    assert {x["project_id"] for x in revisions} == {project_id}
    assert [(x["resource"], x["op"]) for x in revisions if x["resource"] != "members"] == \
        [("projects", "create"), ("documents", "create"), ("claims", "create"), ("claims", "update")]
    assert sorted(x["after"]["role"] for x in revisions if x["resource"] == "members") == ["manager", "owner", "owner"]
    plain = owner.get("/v1/export", params={"project_id": project_id})
    assert plain.content.split(b"\n", 1)[1] == r.content.split(b"\n", 1)[1].split(b'\n{"type" : "revision"')[0] + b"\n"
    assert_error(owner.get("/v1/export", params={**params, "format": "csv", "table": "claims"}), 400,
                 "invalid_parameter", "history")
    assert_error(owner.get("/v1/export", params={**params, "kind": "factual"}), 400, "invalid_parameter", "history")
    assert_error(owner.get("/v1/export", params={**params, "history": "maybe"}), 400, field="history")
    # The command line: one project with --project, its log with --history.
    by_cli = export_cli(own.url, "--project", slug, "--history")
    assert by_cli.split(b"\n", 1)[1] == r.content.split(b"\n", 1)[1]
    lines = [json.loads(x) for x in export_cli(own.url, "--project", slug).split(b"\n")[1:] if x]
    assert lines and all(x.get("project_id", x["id"]) == project_id for x in lines)
    bad = subprocess.run([BIN, "export", "--project", unique("nosuch")], capture_output=True, text=True,
                         env=dict(os.environ, DATABASE_URL=own.url))
    assert bad.returncode == 1 and "no project" in bad.stderr

    # Importing a log: an owner restores their project's, not another's; a manager none.
    row = str(uuid.uuid4())
    entry = {"type": "revision", "txn": 1, "resource": "actors", "id": row, "project_id": project_id, "rev": 1,
             "op": "create", "reason": None, "user_id": None, "token_id": None, "request_id": None,
             "at": "2026-01-02T00:00:00+00:00", "before": None,
             "after": {"id": row, "project_id": project_id, "name": "restored", "kind": "other", "rev": 1}}
    elsewhere = dict(entry, id=str(uuid.uuid4()), project_id="00000000-0000-7000-8000-000000000001")
    elsewhere["after"] = dict(entry["after"], id=elsewhere["id"], project_id=elsewhere["project_id"])
    body = "".join(json.dumps(x) + "\n" for x in (entry, elsewhere))
    err = assert_error(manager.post("/v1/import", data=body), 422, "invalid_lines")
    assert [(x["line"], x["code"], x["field"]) for x in err["lines"]] == [(1, "forbidden", "project_id"),
                                                                          (2, "forbidden", "project_id")]
    assert "owner role" in err["lines"][0]["message"]
    err = assert_error(owner.post("/v1/import", data=body), 422, "invalid_lines")
    assert [(x["line"], x["code"], x["field"]) for x in err["lines"]] == [(2, "forbidden", "project_id")]
    wrong = dict(entry, op="update")
    err = assert_error(owner.post("/v1/import", data=json.dumps(wrong) + "\n"), 422, "invalid_lines")
    assert [(x["code"], x["field"]) for x in err["lines"]] == [("invalid_value", "before")]
    twice = json.dumps(entry) + "\n" + json.dumps(entry) + "\n"
    err = assert_error(owner.post("/v1/import", data=twice), 422, "invalid_lines")
    assert [(x["line"], x["code"]) for x in err["lines"]] == [(2, "duplicate_id")]
    actor = {"type": "actor", "id": row, "project_id": project_id, "name": "restored", "kind": "other"}
    r = owner.post("/v1/import", data=json.dumps(entry) + "\n" + json.dumps(actor) + "\n")
    assert r.status_code == 200, r.text
    assert r.json()["counts"]["revision"]["inserted"] == 1
    # The imported entry is the actor's log: no second entry from the import itself.
    revs = owner.get(f"/v1/actors/{row}/revisions").json()["items"]
    assert [(i["op"], i["rev"], i["at"][:10]) for i in revs] == [("create", 1, "2026-01-02")]
    assert owner.get(f"/v1/actors/{row}").json()["rev"] == 1
    # The same entry again is logged already (unchanged); with other content it is a conflict.
    assert owner.post("/v1/import", data=json.dumps(entry) + "\n").json()["counts"]["revision"]["unchanged"] == 1
    err = assert_error(owner.post("/v1/import", data=json.dumps(dict(entry, at="2026-01-03T00:00:00Z")) + "\n"),
                       422, "invalid_lines")
    assert [(x["code"], x["field"]) for x in err["lines"]] == [("conflict", "rev")]
    # The log stays append-only for the API: no route writes it, an import only adds.
    assert owner.get(f"/v1/actors/{row}/revisions").json()["items"][0]["at"].startswith("2026-01-02")


def test_an_imported_log_cannot_reach_rows_of_other_projects(own):
    """An owner of one project imports revision lines about rows of another (its rows are
    invisible to them): refused whether the line's row images name the other project or
    claim to be theirs, and nothing is added to that row's log. A carriage return between a
    line's tokens (JSON whitespace) is no problem."""
    admin = Api(own.base, own.token)
    victim = admin.create("/v1/documents", {"title": unique("victim"), "text": TEXT})
    slug = unique("forger")
    mine = cli(own.url, "project", "add", slug, "--owner", "tester")
    forger = Api(own.base, make_token(own.url, unique("forger"), slug, "owner", scope="read,write,admin"))

    def entry(row_id, project_id, image_project, rev):
        return {"type": "revision", "txn": 1, "resource": "documents", "id": row_id, "project_id": project_id,
                "rev": rev, "op": "update", "reason": None, "user_id": None, "token_id": None,
                "request_id": None, "at": "2026-01-02T00:00:00+00:00",
                "before": {"id": row_id, "project_id": image_project, "title": "t", "rev": rev - 1},
                "after": {"id": row_id, "project_id": image_project, "title": "forged", "rev": rev}}
    # the images give the row's real project: not the line's
    err = assert_error(forger.post("/v1/import", data=json.dumps(entry(victim["id"], mine, victim["project_id"], 2))
                                   + "\n"), 422, "invalid_lines")
    assert [(x["code"], x["field"]) for x in err["lines"]] == [("invalid_value", "project_id")]
    # the images claim the forger's project: the log knows the row is another project's
    for rev in (1, 2):
        r = forger.post("/v1/import", data=json.dumps(entry(victim["id"], mine, mine, rev)) + "\n")
        assert r.status_code == 409 and r.json()["error"]["field"] in ("project_id", "rev"), r.text
    assert [i["op"] for i in admin.get(f"/v1/documents/{victim['id']}/revisions").json()["items"]] == ["create"]
    assert admin.get(f"/v1/documents/{victim['id']}").json()["title"] == victim["title"]
    # a line of their own, with a carriage return between two tokens
    row = str(uuid.uuid4())
    own_entry = dict(entry(row, mine, mine, 1), op="create", before=None)
    own_entry["after"] = {"id": row, "project_id": mine, "name": "restored", "kind": "other", "rev": 1}
    own_entry["resource"] = "actors"
    line = json.dumps(own_entry).replace(', "op"', ',\r"op"')
    assert "\r" in line
    r = forger.post("/v1/import", data=line + "\n")
    assert r.status_code == 200 and r.json()["counts"]["revision"]["inserted"] == 1, r.text
