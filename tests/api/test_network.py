"""GET /v1/network/actors and /v1/network/claims: who bears on whom, with the
documented choices for reporters (via) and endorsements, in JSON, GraphML, CSV."""
import csv
import io
import xml.etree.ElementTree as ET

import pytest

from conftest import assert_error, unique

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
