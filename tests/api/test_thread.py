"""GET /v1/claims/{id}/thread: every claim reachable through relations in
either direction up to a depth, in one round trip, in JSON, GraphML or CSV."""
import csv
import io
import uuid
import xml.etree.ElementTree as ET

import pytest

from conftest import assert_error

GML = "{http://graphml.graphdrawing.org/xmlns}"


def claim(api, text, doc=None):
    body = {"text": text}
    if doc:
        start = doc["text"].index(text)
        body.update(document_id=doc["id"], target={"start": start, "end": start + len(text)})
    return api.create("/v1/claims", body)["id"]


def relate(api, a, b, kind):
    return api.create("/v1/relations", {"from_claim_id": a, "to_claim_id": b, "kind": kind})["id"]


@pytest.fixture(scope="module")
def web(api):
    """root <-refutes- a <-disputes- b -supports-> c ; a -restates-> root2 ; a cycle b -> d -> a;
    far: c <-qualifies- e <-responds_to- f (depth 4 from root)."""
    doc = api.create("/v1/documents", {"title": "thread doc", "text": "The root finding. A rebuttal & <more>."})
    actor = api.create("/v1/actors", {"name": "Thread Speaker \"T\""})
    n = {k: claim(api, f"{k} claim") for k in ["a", "b", "c", "d", "e", "f", "root2", "island"]}
    n["root"] = claim(api, "The root finding.", doc)
    api.create(f"/v1/claims/{n['a']}/attributions", {"actor_id": actor["id"]})
    r = {
        "a_refutes_root": relate(api, n["a"], n["root"], "refutes"),
        "b_disputes_a": relate(api, n["b"], n["a"], "disputes"),
        "b_supports_c": relate(api, n["b"], n["c"], "supports"),
        "a_restates_root2": relate(api, n["a"], n["root2"], "restates"),
        "b_supports_d": relate(api, n["b"], n["d"], "supports"),
        "d_disputes_a": relate(api, n["d"], n["a"], "disputes"),
        "e_qualifies_c": relate(api, n["e"], n["c"], "qualifies"),
        "f_responds_e": relate(api, n["f"], n["e"], "responds_to"),
    }
    return {"n": n, "r": r, "doc": doc, "actor": actor}


def thread(api, cid, **params):
    resp = api.get(f"/v1/claims/{cid}/thread", params=params)
    assert resp.status_code == 200, resp.text
    return resp


def test_default_depth_three_both_directions_and_cycles(api, web):
    n, r = web["n"], web["r"]
    body = thread(api, n["root"]).json()
    depth = {x["id"]: x["depth"] for x in body["nodes"]}
    assert depth == {n["root"]: 0, n["a"]: 1, n["b"]: 2, n["root2"]: 2, n["d"]: 2, n["c"]: 3}
    assert len(body["nodes"]) == len(depth)  # each claim once, at its shortest distance
    edges = {e["id"]: e for e in body["edges"]}
    assert set(edges) == {r["a_refutes_root"], r["b_disputes_a"], r["b_supports_c"], r["a_restates_root2"],
                          r["b_supports_d"], r["d_disputes_a"]}
    assert edges[r["a_refutes_root"]] == {"id": r["a_refutes_root"], "rev": 1, "source": n["a"], "target": n["root"],
                                          "kind": "refutes"}
    root = body["nodes"][0]
    assert root["id"] == n["root"] and root["exact"] == "The root finding."
    assert root["document"] == {"id": web["doc"]["id"], "title": "thread doc"} and root["speakers"] == []
    a = next(x for x in body["nodes"] if x["id"] == n["a"])
    assert a["speakers"] == [{"id": web["actor"]["id"], "name": 'Thread Speaker "T"'}] and a["document"] is None
    assert set(a) == {"id", "rev", "text", "exact", "document", "speakers", "depth"}


def test_depth_and_kinds(api, web):
    n = web["n"]
    assert {x["id"] for x in thread(api, n["root"], depth=1).json()["nodes"]} == {n["root"], n["a"]}
    assert [x["id"] for x in thread(api, n["root"], depth=0).json()["nodes"]] == [n["root"]]
    far = thread(api, n["root"], depth=10).json()
    assert {n["e"], n["f"]} <= {x["id"] for x in far["nodes"]} and n["island"] not in {x["id"] for x in far["nodes"]}
    only = thread(api, n["root"], kinds="refutes,disputes", depth=10).json()
    assert {x["id"] for x in only["nodes"]} == {n["root"], n["a"], n["b"], n["d"]}
    assert {e["kind"] for e in only["edges"]} == {"refutes", "disputes"}


def test_graphml_loads_with_typed_keys(api, web):
    n = web["n"]
    resp = thread(api, n["root"], format="graphml")
    assert resp.headers["Content-Type"].startswith("application/graphml+xml")
    root = ET.fromstring(resp.content)
    keys = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in root.iter(GML + "key")}
    assert keys[("node", "depth")] == "long" and keys[("node", "text")] == "string"
    assert keys[("edge", "kind")] == "string"
    nodes = {x.get("id"): x for x in root.iter(GML + "node")}
    assert set(nodes) == {x["id"] for x in thread(api, n["root"]).json()["nodes"]}
    a = {d.get("key"): d.text for d in nodes[n["a"]]}
    assert a["n_speakers"] == 'Thread Speaker "T"' and a["n_depth"] == "1"
    edges = list(root.iter(GML + "edge"))
    assert all(e.get("source") in nodes and e.get("target") in nodes for e in edges) and len(edges) == 6


def test_csv_parts(api, web):
    n = web["n"]
    resp = thread(api, n["root"], format="csv", part="nodes")
    assert resp.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert list(rows[0]) == ["id", "text", "exact", "document_id", "document_title", "speakers", "depth"]
    assert {row["id"] for row in rows} == {x["id"] for x in thread(api, n["root"]).json()["nodes"]}
    edges = list(csv.DictReader(io.StringIO(thread(api, n["root"], format="csv", part="edges").text)))
    assert list(edges[0]) == ["id", "source", "target", "kind"] and len(edges) == 6


@pytest.mark.parametrize("params,status,code,field", [
    ({"depth": 11}, 400, "invalid_value", "depth"),
    ({"depth": -1}, 400, "invalid_value", "depth"),
    ({"depth": "x"}, 400, "invalid_value", "depth"),
    ({"kinds": "refutes,likes"}, 400, "invalid_enum", "kinds"),
    ({"kinds": ""}, 400, "invalid_enum", "kinds"),
    ({"format": "gexf"}, 400, "invalid_enum", "format"),
    ({"format": "csv"}, 400, "missing_parameter", "part"),
    ({"part": "nodes"}, 400, "invalid_parameter", "part"),
    ({"limit": 3}, 400, "unknown_parameter", "limit"),
])
def test_bad_parameters(api, web, params, status, code, field):
    assert_error(api.get(f"/v1/claims/{web['n']['root']}/thread", params=params), status, code, field)


def test_unknown_claim(api):
    assert_error(api.get(f"/v1/claims/{uuid.uuid4()}/thread"), 404, "not_found", "id")
    assert_error(api.get("/v1/claims/nope/thread"), 400, "invalid_id", "id")
