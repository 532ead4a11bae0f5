"""GET /v1/network/actors and /v1/network/claims: who bears on whom, with the
documented choices for reporters (via) and endorsements, in JSON, GraphML, CSV."""
import csv
import io
import socket
import subprocess
import uuid
import xml.etree.ElementTree as ET

import pytest
import requests

from conftest import Server, assert_error, assert_slow_slot_freed, assert_slow_slot_taken, claimdb_backends, poll, unique
from transfer_data import line, uid

GML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture(scope="module")
def net(api):
    tag = unique("net/topic")
    old = api.create("/v1/documents", {"title": "old", "text": "Old text.", "published_at": "2020-01-01"})
    new = api.create("/v1/documents", {"title": "new", "text": "New text.", "published_at": "2024-06-01"})
    actors = {k: api.create("/v1/actors", {"name": unique(k)})["id"] for k in ["A", "B", "R", "E", "C"]}

    def claim(text, doc):
        return api.create("/v1/claims", {"text": text, "document_id": doc["id"], "tags": [tag]})["id"]

    def attribute(claim_id, actor, **kw):
        return api.create(f"/v1/claims/{claim_id}/attributions", {"actor_id": actors[actor], **kw})["id"]

    x, x2, y, z = claim("x", new), claim("x2", new), claim("y", old), claim("z", old)
    # x: reported by R (the outlet: implicit) as said by A; endorsed by E (via A's attribution).
    r_attr = attribute(x, "R", mode="implicit")
    a_attr = attribute(x, "A", mode="indirect", via_attribution_id=r_attr)
    attribute(x, "E", mode="endorsement", via_attribution_id=a_attr)
    attribute(x2, "A", mode="direct_quote")
    attribute(y, "B", mode="implicit")
    attribute(z, "C", mode="implicit")
    rel = {
        "x_disputes_y": api.create("/v1/relations", {"from_claim_id": x, "to_claim_id": y, "kind": "disputes"})["id"],
        "x2_refutes_y": api.create("/v1/relations", {"from_claim_id": x2, "to_claim_id": y, "kind": "refutes"})["id"],
        "x2_disputes_y": api.create("/v1/relations", {"from_claim_id": x2, "to_claim_id": y, "kind": "disputes"})["id"],
        "y_supports_z": api.create("/v1/relations", {"from_claim_id": y, "to_claim_id": z, "kind": "supports"})["id"],
    }
    return {"tag": tag, "a": actors, "claims": {"x": x, "x2": x2, "y": y, "z": z}, "rel": rel}


def get(api, path, **params):
    r = api.get(path, params=params)
    assert r.status_code == 200, r.text
    return r


def edges_by(body):
    return {(e["source"], e["target"], e["kind"]): e for e in body["edges"]}


def test_actor_network_speakers_reporters_and_endorsements(api, net):
    a, rel = net["a"], net["rel"]
    body = get(api, "/v1/network/actors", tag=net["tag"]).json()
    e = edges_by(body)
    assert e[(a["A"], a["B"], "disputes")]["weight"] == 2
    assert sorted(e[(a["A"], a["B"], "disputes")]["relation_ids"]) == sorted([rel["x_disputes_y"], rel["x2_disputes_y"]])
    assert e[(a["A"], a["B"], "refutes")] == {"source": a["A"], "target": a["B"], "kind": "refutes", "weight": 1,
                                              "relation_ids": [rel["x2_refutes_y"]]}
    assert e[(a["E"], a["B"], "disputes")]["weight"] == 1        # an endorser makes the claim its own
    assert e[(a["B"], a["C"], "supports")]["weight"] == 1
    assert all(a["R"] not in (s, t) for s, t, _ in e)             # the reporter is not a speaker
    nodes = {n["id"]: n for n in body["nodes"]}
    assert set(nodes) == {a["A"], a["B"], a["C"], a["E"]}
    assert nodes[a["A"]]["claims"] == 2 and nodes[a["B"]]["claims"] == 1 and set(nodes[a["A"]]) == {"id", "name", "kind", "claims"}

    without = edges_by(get(api, "/v1/network/actors", tag=net["tag"], endorsements="false").json())
    assert (a["E"], a["B"], "disputes") not in without and (a["A"], a["B"], "disputes") in without


def test_actor_network_filters(api, net):
    a = net["a"]
    only = edges_by(get(api, "/v1/network/actors", tag=net["tag"], kinds="refutes").json())
    assert set(only) == {(a["A"], a["B"], "refutes")}
    recent = edges_by(get(api, "/v1/network/actors", tag=net["tag"], **{"from": "2024-01-01"}).json())
    assert (a["B"], a["C"], "supports") not in recent and (a["A"], a["B"], "refutes") in recent
    old = edges_by(get(api, "/v1/network/actors", tag=net["tag"], to="2021-12-31").json())
    assert set(old) == {(a["B"], a["C"], "supports")}
    assert get(api, "/v1/network/actors", tag=unique("none")).json() == {"nodes": [], "edges": []}


def test_actor_network_graphml_and_csv(api, net):
    a = net["a"]
    r = get(api, "/v1/network/actors", tag=net["tag"], format="graphml")
    root = ET.fromstring(r.content)
    keys = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in root.iter(GML + "key")}
    assert keys[("node", "claims")] == "long" and keys[("edge", "weight")] == "long"
    assert {n.get("id") for n in root.iter(GML + "node")} == {a["A"], a["B"], a["C"], a["E"]}
    assert all(e.get("source") and e.get("target") for e in root.iter(GML + "edge"))
    rows = list(csv.DictReader(io.StringIO(get(api, "/v1/network/actors", tag=net["tag"], format="csv",
                                               part="edges").text)))
    assert list(rows[0]) == ["source", "target", "kind", "weight", "relation_ids"]
    ab = next(x for x in rows if (x["source"], x["target"], x["kind"]) == (a["A"], a["B"], "disputes"))
    assert ab["weight"] == "2" and len(ab["relation_ids"].split(" ")) == 2
    nodes = list(csv.DictReader(io.StringIO(get(api, "/v1/network/actors", tag=net["tag"], format="csv",
                                                part="nodes").text)))
    assert list(nodes[0]) == ["id", "name", "kind", "claims"] and len(nodes) == 4


def test_claim_network(api, net):
    c, rel = net["claims"], net["rel"]
    body = get(api, "/v1/network/claims", tag=net["tag"]).json()
    assert {n["id"] for n in body["nodes"]} == set(c.values())
    assert {e["id"]: (e["source"], e["target"], e["kind"]) for e in body["edges"]} == {
        rel["x_disputes_y"]: (c["x"], c["y"], "disputes"), rel["x2_refutes_y"]: (c["x2"], c["y"], "refutes"),
        rel["x2_disputes_y"]: (c["x2"], c["y"], "disputes"), rel["y_supports_z"]: (c["y"], c["z"], "supports")}
    root = ET.fromstring(get(api, "/v1/network/claims", tag=net["tag"], format="graphml").content)
    assert {e.get("id") for e in root.iter(GML + "edge")} == set(rel.values())


@pytest.mark.parametrize("path", ["/v1/network/actors", "/v1/network/claims"])
@pytest.mark.parametrize("params,code,field", [
    ({"project_id": "x"}, "invalid_uuid", "project_id"),
    ({"document_id": "x"}, "invalid_uuid", "document_id"),
    ({"kinds": "refutes,hates"}, "invalid_enum", "kinds"),
    ({"from": "2024-13-01"}, "invalid_date", "from"),
    ({"to": "yesterday"}, "invalid_date", "to"),
    ({"endorsements": "maybe"}, None, "endorsements"),
    ({"format": "gexf"}, "invalid_enum", "format"),
    ({"format": "csv"}, "missing_parameter", "part"),
    ({"depth": "3"}, "unknown_parameter", "depth"),
])
def test_bad_parameters(api, path, params, code, field):
    assert_error(api.get(path, params=params), 400, code, field)


# ---- streaming: a network of any size goes out a batch of rows at a time, on a
# connection of its own under the exports' cap, never holding a pooled one.

N_STREAMED = 3000  # claims, each with its own actor: 3 batches of nodes (1000 rows each) and 3 of edges


def open_network_transactions(url):
    """Backends with a network's cursor open in their transaction."""
    return claimdb_backends(url, "state LIKE 'idle in transaction%' AND query LIKE '%graph_rows%'")


@pytest.fixture(scope="module")
def streamed(cluster):
    """A server on its own database holding a chain of N_STREAMED claims, each by its own actor and
    disputing the next, all in one document (s.chain), and a small document (s.small) of two claims,
    one refuting the other; one pooled connection and one slot for slow work (exports, networks)."""
    url = cluster.create_database("net_" + uuid.uuid4().hex[:10])
    s = Server(url, CLAIMDB_MAX_EXPORTS=1, THREADS=1).start()
    s.url = url
    s.chain, s.small = uid(), uid()
    lines = [line({"type": "header", "format": "claimdb-ndjson", "version": 1})]
    lines.append(line({"type": "document", "id": s.chain, "title": "The chain", "text": "A long debate."}))
    lines.append(line({"type": "document", "id": s.small, "title": "Two claims", "text": "Yes. No."}))
    claims = [uid() for _ in range(N_STREAMED)]
    for i, c in enumerate(claims):
        actor = uid()
        lines.append(line({"type": "actor", "id": actor, "name": f"Speaker {i:05d} " + "of a long name " * 12}))
        lines.append(line({"type": "claim", "id": c, "document_id": s.chain,
                           "text": f"Claim {i:05d} " + "that goes on " * 20}))
        lines.append(line({"type": "attribution", "id": uid(), "claim_id": c, "actor_id": actor}))
    for a, b in zip(claims, claims[1:]):
        lines.append(line({"type": "relation", "id": uid(), "from_claim_id": a, "to_claim_id": b, "kind": "disputes"}))
    yes, no = uid(), uid()
    lines += [line({"type": "claim", "id": c, "document_id": s.small, "text": t}) for c, t in ((yes, "Yes"), (no, "No"))]
    lines.append(line({"type": "relation", "id": uid(), "from_claim_id": no, "to_claim_id": yes, "kind": "refutes"}))
    r = requests.post(s.base + "/v1/import", data="".join(lines).encode(), headers=s.auth, timeout=300)
    assert r.status_code == 200, r.text
    yield s
    assert s.stop() == 0, s.read_log()[-3000:]


def test_a_network_of_many_batches_is_whole_in_every_format(streamed):
    def fetch(path, **params):
        r = requests.get(streamed.base + path, params=params, headers=streamed.auth, timeout=60)
        assert r.status_code == 200, r.text
        return r

    body = fetch("/v1/network/actors").json()
    assert len(body["nodes"]) == N_STREAMED and len(body["edges"]) == N_STREAMED - 1
    assert len({n["id"] for n in body["nodes"]}) == N_STREAMED
    assert all(e["weight"] == 1 and len(e["relation_ids"]) == 1 for e in body["edges"])
    root = ET.fromstring(fetch("/v1/network/actors", format="graphml").content)
    assert len(list(root.iter(GML + "node"))) == N_STREAMED and len(list(root.iter(GML + "edge"))) == N_STREAMED - 1
    for part, n in (("nodes", N_STREAMED), ("edges", N_STREAMED - 1)):
        rows = list(csv.DictReader(io.StringIO(fetch("/v1/network/actors", format="csv", part=part).text)))
        assert len(rows) == n
    claims = fetch("/v1/network/claims").json()
    assert len(claims["nodes"]) == N_STREAMED + 2 and len(claims["edges"]) == N_STREAMED
    assert {n["id"] for n in claims["nodes"]} == {e["source"] for e in claims["edges"]} | {
        e["target"] for e in claims["edges"]}
    # A document's network is first read from the pool; one larger than a batch is streamed, whole.
    chain = fetch("/v1/network/claims", document_id=streamed.chain).json()
    assert len(chain["nodes"]) == N_STREAMED and len(chain["edges"]) == N_STREAMED - 1
    assert {n["id"] for n in chain["nodes"]} < {n["id"] for n in claims["nodes"]}
    rows = list(csv.DictReader(io.StringIO(fetch("/v1/network/actors", document_id=streamed.chain, format="csv",
                                                 part="edges").text)))
    assert len(rows) == N_STREAMED - 1


def test_a_stalled_network_reader_holds_a_slot_not_the_pool_and_leaving_ends_its_transaction(streamed):
    # A client that asks and then reads nothing, with a small receive window: the server
    # fills its send buffer and waits, its cursor's transaction open.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", streamed.port))
    sock.sendall(b"GET /v1/network/claims HTTP/1.1\r\nHost: x\r\nAuthorization: "
                 + streamed.auth["Authorization"].encode() + b"\r\n\r\n")
    assert sock.recv(64).startswith(b"HTTP/1.1 200")
    poll(lambda: open_network_transactions(streamed.url))
    assert open_network_transactions(streamed.url) == 1
    # The server's only pooled connection is free: short requests are served meanwhile.
    r = requests.get(streamed.base + "/v1/claims", params={"limit": 1}, headers=streamed.auth, timeout=10)
    assert r.status_code == 200, r.text
    # The one slot of slow work is taken: another network, or an export, waits its turn.
    assert_slow_slot_taken(streamed, "/v1/network/actors", "/v1/export",
                           "/v1/network/claims?document_id=" + streamed.chain)
    # A small document's network (the page asks for one per document it opens) needs no slot.
    replies = {path: requests.get(streamed.base + path, params={"document_id": streamed.small},
                                  headers=streamed.auth, timeout=10)
               for path in ("/v1/network/claims", "/v1/network/actors")}
    assert all(r.status_code == 200 for r in replies.values()), [r.text for r in replies.values()]
    small = replies["/v1/network/claims"].json()
    assert sorted(n["text"] for n in small["nodes"]) == ["No", "Yes"]
    assert [e["kind"] for e in small["edges"]] == ["refutes"]
    assert_slow_slot_freed(streamed, sock, lambda: open_network_transactions(streamed.url), "/v1/network/actors",
                           {"format": "csv", "part": "edges"})


def test_an_export_beside_a_kept_network_connection_stays_within_the_connection_bound(streamed):
    # A streamed network's connection is kept, idle, for the next export or network, which takes it.
    # Together they must stay within the share claimdb states at start (THREADS + max exports,
    # plus the change feed's listener): the export closes a kept connection it has no room for.
    assert requests.get(streamed.base + "/v1/claims", params={"limit": 1}, headers=streamed.auth,
                        timeout=10).status_code == 200
    assert requests.get(streamed.base + "/v1/network/actors", params={"format": "csv", "part": "edges"},
                        headers=streamed.auth, timeout=60).status_code == 200
    connected = "datname = current_database()"
    before = claimdb_backends(streamed.url, connected)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", streamed.port))
    sock.sendall(b"GET /v1/export HTTP/1.1\r\nHost: x\r\nAuthorization: "
                 + streamed.auth["Authorization"].encode() + b"\r\n\r\n")
    try:
        assert sock.recv(64).startswith(b"HTTP/1.1 200")
        assert claimdb_backends(streamed.url, connected) <= before <= 1 + 1 + 1
    finally:
        assert_slow_slot_freed(streamed, sock, lambda: 0, "/v1/network/actors", {"format": "csv", "part": "nodes"})


def test_a_client_leaving_while_postgresql_still_works_cancels_the_statement(streamed):
    # The first FETCH does all of PostgreSQL's work (tens of seconds for a whole project at a
    # million claims), before any byte of the reply. Held here by a lock on relations: the
    # network waits for it until its client hangs up, which must cancel it at once.
    def waiting():
        return claimdb_backends(streamed.url, "wait_event_type = 'Lock' AND query LIKE '%graph_rows%'")

    locker = subprocess.Popen(["psql", streamed.url, "-Xq"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                              text=True)
    try:
        locker.stdin.write("BEGIN;\nLOCK TABLE relations IN ACCESS EXCLUSIVE MODE;\n")
        locker.stdin.flush()
        assert poll(lambda: int(subprocess.run(["psql", streamed.url, "-XAtqc",
                                                "SELECT count(*) FROM pg_locks WHERE relation = 'relations'::regclass"
                                                " AND mode = 'AccessExclusiveLock' AND granted"],
                                               check=True, capture_output=True, text=True).stdout), seconds=10)
        sock = socket.create_connection(("127.0.0.1", streamed.port))
        sock.sendall(b"GET /v1/network/actors HTTP/1.1\r\nHost: x\r\nAuthorization: "
                     + streamed.auth["Authorization"].encode() + b"\r\n\r\n")
        poll(waiting, seconds=10)
        assert waiting() == 1
        sock.close()
        poll(lambda: waiting() == 0)
        assert waiting() == 0  # cancelled while the lock is still held
    finally:
        locker.stdin.write("ROLLBACK;\n")
        locker.stdin.close()
        locker.wait(timeout=10)
    assert poll(lambda: requests.get(streamed.base + "/v1/network/actors", params={"format": "csv", "part": "nodes"},
                                     headers=streamed.auth).status_code != 503, every=0.1)
