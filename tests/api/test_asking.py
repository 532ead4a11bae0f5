"""Issue 13 on the fixture dataset, asked as the README asks it: the full debate
around the detention finding in one request, who disputes the OHCHR most
often, and a subset export that keeps its links and imports on its own."""
import csv
import io
import json
import os

import pytest

from conftest import ROOT, Api, Server, fixture_dataset_api, unique


@pytest.fixture(scope="module")
def fixture_api(cluster):
    with fixture_dataset_api(cluster, "asking") as (api, _):
        yield api


def get(api, path, **params):
    r = api.get(path, params=params)
    assert r.status_code == 200, (path, params, r.text)
    return r


def test_the_full_debate_around_the_detention_finding(fixture_api):
    api = fixture_api
    hits = get(api, "/v1/search", q='detention "crimes against humanity"').json()["items"]
    finding = hits[0]
    assert "detention" in finding["text"] and "crimes against humanity" in finding["text"]
    thread = get(api, f"/v1/claims/{finding['id']}/thread", depth=10).json()
    ids = {n["id"] for n in thread["nodes"]}
    assert (len(thread["nodes"]), len(thread["edges"])) == (219, 283)
    assert all(e["source"] in ids and e["target"] in ids for e in thread["edges"])
    near = [n for n in thread["nodes"] if n["depth"] == 1]
    assert any("Wang Wenbin" in {s["name"] for s in n["speakers"]} for n in
               get(api, f"/v1/claims/{finding['id']}/thread", depth=2).json()["nodes"])
    assert near and all(n["depth"] >= 0 for n in thread["nodes"])


def test_which_actors_dispute_the_ohchr_most_often(fixture_api):
    api = fixture_api
    [ohchr] = get(api, "/v1/actors", name="OHCHR").json()["items"]
    net = get(api, "/v1/network/actors", kinds="refutes,disputes", endorsements="false").json()
    name = {n["id"]: n["name"] for n in net["nodes"]}
    totals = {}
    for e in net["edges"]:
        if e["target"] == ohchr["id"]:
            totals[name[e["source"]]] = totals.get(name[e["source"]], 0) + e["weight"]
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])
    assert ranked[:2] == [("Friends of Socialist China", 9), ("Wang Wenbin", 6)]
    with_endorsers = get(api, "/v1/network/actors", kinds="refutes,disputes").json()
    assert len(with_endorsers["nodes"]) > len(net["nodes"])  # the open letter's signatories


def records(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_a_document_export_keeps_every_relation_touching_it(fixture_api, cluster):
    api = fixture_api
    [letter] = [d for d in get(api, "/v1/documents", limit=1000).json()["items"]
                if d["title"].startswith("Statement condemning the OHCHR Assessment")]
    claims = get(api, f"/v1/documents/{letter['id']}/claims", limit=1000).json()["items"]
    touching = set()
    for c in claims:
        touching |= {r["id"] for r in get(api, "/v1/relations", claim_id=c["id"], limit=1000).json()["items"]}
    recs = records(get(api, "/v1/export", document_id=letter["id"]).text)
    by_type = {}
    for x in recs[1:]:
        by_type.setdefault(x["type"], []).append(x)
    exported = {r["id"] for r in by_type["relation"]}
    assert exported == touching and len(touching) > 2
    claim_ids = {c["id"] for c in by_type["claim"]}
    assert all(r["from_claim_id"] in claim_ids and r["to_claim_id"] in claim_ids for r in by_type["relation"])
    doc_ids = {d["id"] for d in by_type["document"]}
    assert letter["id"] in doc_ids and all(c.get("document_id") in doc_ids | {None} for c in by_type["claim"])
    # The subset imports into an empty database with nothing dangling.
    other = Server(cluster.create_database(unique("subset").replace("-", "_"))).start()
    try:
        body = "\n".join(json.dumps(x) for x in recs) + "\n"
        r = Api(other.base, other.token).s.post(other.base + "/v1/import", data=body.encode(),
                                   headers={"Content-Type": "application/x-ndjson"})
        assert r.status_code == 200, r.text
        assert r.json()["counts"]["relation"]["inserted"] == len(touching)
    finally:
        assert other.stop() == 0
    # The CSV tables agree: every relation's ends are in claims.csv, and claims_flat's counts
    # (over the document's own claims) add up to the relations exported.
    def table(name):
        text = get(api, "/v1/export", format="csv", table=name, document_id=letter["id"]).text
        return list(csv.DictReader(io.StringIO(text, newline="")))
    rel_csv, claims_csv, flat = table("relations"), table("claims"), table("claims_flat")
    assert {r["id"] for r in rel_csv} == touching
    assert {r["from_claim_id"] for r in rel_csv} | {r["to_claim_id"] for r in rel_csv} <= {c["id"] for c in claims_csv}
    own = {c["id"] for c in claims}
    assert {f["id"] for f in flat} == own
    inside = sum(r["from_claim_id"] in own and r["to_claim_id"] in own for r in rel_csv)
    assert sum(int(f["relations_out"]) + int(f["relations_in"]) for f in flat) == len(touching) + inside


JSONLD = os.path.join(ROOT, "tests", "jsonld")


def jsonld_check(path):
    """Runs tests/jsonld/check.mjs (jsonld.js, offline) on an export; returns its report."""
    import subprocess
    if not os.path.isdir(os.path.join(JSONLD, "node_modules", "jsonld")):
        pytest.fail("jsonld.js is not installed: npm ci --prefix tests/jsonld (make test does it)")
    out = subprocess.run(["node", os.path.join(JSONLD, "check.mjs"), path], capture_output=True, text=True,
                         timeout=600)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert out.returncode == 0, report
    return report


def test_the_w3c_export_is_valid_json_ld(fixture_api, tmp_path):
    path = tmp_path / "fixtures.jsonld"
    path.write_bytes(get(fixture_api, "/v1/export", format="w3c").content)
    report = jsonld_check(str(path))
    # Safe-mode expansion passed, compaction kept every key, no IRI is relative; nested
    # attributions and citations are data: each of their keys gives triples.
    assert report["lost"] == [] and report["relative"] == 0 and report["quads"] > 10000
    ns = "https://claimdb.org/ns#"
    for term in ("actor_id", "actor_name", "mode", "role", "cue", "via_attribution_id", "source_span",
                 "source_id", "locator", "relation", "asserted_by_actor_id"):
        assert report["predicates"][ns + term] > 0, term
        assert report["predicates"][ns + term] == report["keys"]["claimdb:" + term], term
    assert report["predicates"]["http://purl.org/dc/terms/creator"] == report["keys"]["creator"]
    doc = json.loads(path.read_bytes())
    collection = doc["@graph"][0]
    assert collection["generator"]["type"] == "Software" and collection["id"].startswith("urn:uuid:")


def test_the_w3c_export_is_paged(cluster):
    server = Server(cluster.create_database(unique("paged").replace("-", "_"))).start()
    try:
        api = Api(server.base, server.token)
        lines = ['{"type":"header","format":"claimdb-ndjson","version":1}']
        lines += [json.dumps({"type": "claim", "id": f"00000000-0000-7000-8000-{i:012d}", "text": f"claim {i}"})
                  for i in range(1, 2346)]
        r = api.s.post(api.url("/v1/import"), data="\n".join(lines).encode() + b"\n",
                       headers={"Content-Type": "application/x-ndjson"})
        assert r.status_code == 200, r.text
        doc = get(api, "/v1/export", format="w3c").json()
        collection, *pages = doc["@graph"]
        assert collection["total"] == 2345 and len(pages) == 3
        assert collection["first"] == pages[0]["id"] and collection["last"] == pages[-1]["id"]
        assert [p["startIndex"] for p in pages] == [0, 1000, 2000]
        assert [len(p["items"]) for p in pages] == [1000, 1000, 345]
        assert [p.get("next") for p in pages] == [pages[1]["id"], pages[2]["id"], None]
        assert all(p["partOf"] == collection["id"] and p["type"] == "AnnotationPage" for p in pages)
        assert len({a["id"] for p in pages for a in p["items"]}) == 2345
        empty = get(api, "/v1/export", format="w3c", tag="nothing").json()
        assert empty["@graph"] == [{k: v for k, v in empty["@graph"][0].items()}] and empty["@graph"][0]["total"] == 0
    finally:
        assert server.stop() == 0
