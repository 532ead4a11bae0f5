"""Discontinuous spans (issue 12, part 3): a claim's target, an attribution's cue or
source span and a citation's span may be {"segments": [...]}, each segment given like
a one-piece span (offsets, or a quote with context, match and position hints), in text
order, not overlapping. Stored with the segments; exact joins their quotes with " … ";
start/end are the first's start and the last's end. Every export carries them
losslessly and the import takes them back."""
import csv
import io
import json
import uuid

import pytest
import requests

from conftest import Server, assert_error, unique
from test_asking import jsonld_check

TEXT = ("\u201cThe report,\u201d a spokesperson said on Tuesday, \u201cis a patchwork of lies.\u201d"
        " The report said detention \U0001F44D\U0001F3FD may amount to crimes. The report, again.")
JOIN = " \u2026 "


def span(start, end):
    return {"start": start, "end": end, "exact": TEXT[start:end], "prefix": TEXT[max(0, start - 32):start],
            "suffix": TEXT[end:end + 32]}


FIRST = TEXT.index("The report,")
SECOND = TEXT.index("is a patchwork of lies.")
FIRST_END, SECOND_END = FIRST + len("The report,"), SECOND + len("is a patchwork of lies.")


def expected_target(*pieces):
    segs = [span(s, e) for s, e in pieces]
    return {"start": segs[0]["start"], "end": segs[-1]["end"], "exact": JOIN.join(s["exact"] for s in segs),
            "prefix": segs[0]["prefix"], "suffix": segs[-1]["suffix"], "segments": segs}


def normalized_segments(target):
    """The target with its segments' members in a fixed order (jsonb keeps its own)."""
    return dict(target, segments=[dict(sorted(s.items())) for s in target["segments"]])


@pytest.fixture(scope="module")
def doc(api):
    return api.create("/v1/documents", {"title": unique("interrupted"), "text": TEXT, "language": "en"})


def post_claim(api, doc, target, **extra):
    return api.post("/v1/claims", {"document_id": doc["id"], "target": target, **extra})


def test_by_offsets(api, doc):
    r = post_claim(api, doc, {"segments": [{"start": FIRST, "end": FIRST_END}, {"start": SECOND, "end": SECOND_END}]})
    assert r.status_code == 201, r.text
    claim = r.json()
    want = expected_target((FIRST, FIRST_END), (SECOND, SECOND_END))
    assert normalized_segments(claim["target"]) == normalized_segments(want)
    assert claim["target"]["exact"] == "The report, \u2026 is a patchwork of lies."
    assert claim["text"] == claim["target"]["exact"]
    # the same in the list, the document's claims and GET
    assert api.get(f"/v1/claims/{claim['id']}").json()["target"] == claim["target"]
    listed = api.get("/v1/claims", params={"document_id": doc["id"], "limit": 1000}).json()["items"]
    assert next(c for c in listed if c["id"] == claim["id"])["target"] == claim["target"]
    of_doc = api.get(f"/v1/documents/{doc['id']}/claims", params={"limit": 1000}).json()["items"]
    assert next(c for c in of_doc if c["id"] == claim["id"])["target"] == claim["target"]
    # one-piece claims have no segments member at all
    one = post_claim(api, doc, {"exact": "may amount to crimes"}).json()
    # the segmented claim as a counterclaim of another, and as it was at revision 1
    api.create("/v1/relations", {"from_claim_id": claim["id"], "to_claim_id": one["id"], "kind": "refutes"})
    [counter] = api.get(f"/v1/claims/{one['id']}/counterclaims").json()["items"]
    assert counter["claim"]["target"] == claim["target"]
    assert api.patch(f"/v1/claims/{claim['id']}", {"target": {"start": FIRST, "end": FIRST_END}}).status_code == 200
    assert api.get(f"/v1/claims/{claim['id']}", params={"at": "1"}).json()["target"] == claim["target"]
    assert "segments" not in one["target"]
    assert "segments" not in next(c for c in api.get("/v1/claims", params={"document_id": doc["id"]}).json()["items"]
                                  if c["id"] == one["id"])["target"]


def test_by_quotes_with_context_hints_and_normalized_match(api, doc):
    # "The report," occurs three times: the prefix picks the first; the second piece is
    # typed with a straight apostrophe-free quote that needs no normalization, the third
    # with an emoji whose skin tone the normalized match keeps
    r = post_claim(api, doc, {"segments": [
        {"exact": "The report,", "prefix": "\u201c"},
        {"exact": "is a patchwork of lies."},
    ], "match": "normalized"})
    assert r.status_code == 201, r.text
    assert r.json()["target"]["start"] == FIRST and r.json()["target"]["end"] == SECOND_END
    # a position hint per segment: the quote nearest to the given offsets
    last = TEXT.rindex("The report,")
    r = post_claim(api, doc, {"segments": [
        {"exact": "The report said", "start": 0, "end": 3},
        {"exact": "The report,", "start": last, "end": last + 11},
    ]})
    assert r.status_code == 201, r.text
    segs = r.json()["target"]["segments"]
    assert [(s["start"], s["end"]) for s in segs] == [(TEXT.index("The report said"), TEXT.index("The report said") + 15),
                                                      (last, last + 11)]
    # a segment typed with curly quotes missing: candidates name the segment
    err = assert_error(post_claim(api, doc, {"segments": [{"exact": "The report,", "prefix": "\u201c"},
                                                          {"exact": '"is a patchwork of lies."'}]}),
                       422, "quote_not_found", "target.segments[1]")
    assert err["candidates"][0]["exact"] == "\u201cis a patchwork of lies.\u201d"
    # a segment splitting the emoji from its skin tone
    thumb = TEXT.index("\U0001F44D")
    err = assert_error(post_claim(api, doc, {"segments": [{"start": FIRST, "end": FIRST_END},
                                                          {"start": thumb, "end": thumb + 1}]}),
                       422, "splits_grapheme", "target.segments[1]")
    assert err["boundaries"]["end"] == {"before": thumb, "after": thumb + 2}
    ok = post_claim(api, doc, {"segments": [{"start": FIRST, "end": FIRST_END}, {"start": thumb, "end": thumb + 1}],
                               "allow_grapheme_split": True})
    assert ok.status_code == 201, ok.text


def test_order_overlap_count_and_shape_are_checked(api, doc):
    a, b = {"start": FIRST, "end": FIRST_END}, {"start": SECOND, "end": SECOND_END}
    err = assert_error(post_claim(api, doc, {"segments": [b, a]}), 422, "segments_out_of_order", "target.segments[1]")
    assert "text order" in err["message"]
    assert_error(post_claim(api, doc, {"segments": [a, {"start": FIRST + 4, "end": SECOND}]}), 422,
                 "segments_overlap", "target.segments[1]")
    assert_error(post_claim(api, doc, {"segments": [a, a]}), 422, "segments_overlap", "target.segments[1]")
    # touching pieces do not overlap
    assert post_claim(api, doc, {"segments": [{"start": 0, "end": 4}, {"start": 4, "end": 8}]}).status_code == 201
    assert_error(post_claim(api, doc, {"segments": [a]}), 400, "invalid_value", "target.segments")
    assert_error(post_claim(api, doc, {"segments": []}), 400, "invalid_value", "target.segments")
    many = [{"start": i, "end": i + 1} for i in range(0, 34, 2)]
    assert_error(post_claim(api, doc, {"segments": many}), 400, "invalid_value", "target.segments")
    assert_error(post_claim(api, doc, {"segments": "1-12;24-47"}), 400, "invalid_type", "target.segments")
    assert_error(post_claim(api, doc, {"segments": [a, 7]}), 400, "invalid_type", "target.segments[1]")
    assert_error(post_claim(api, doc, {"segments": [a, {"start": SECOND}]}), 400, "missing_field",
                 "target.segments[1].end")
    assert_error(post_claim(api, doc, {"segments": [a, {"start": SECOND, "end": SECOND_END, "color": "red"}]}), 400,
                 None, "target.segments[1].color")
    assert_error(post_claim(api, doc, {"segments": [a, {"segments": [a, b]}]}), 400, "invalid_value",
                 "target.segments[1].segments")
    assert_error(post_claim(api, doc, {"segments": [a, {"start": SECOND, "end": len(TEXT) + 5}]}), 422,
                 "span_out_of_range", "target.segments[1]")
    # members beside the segments are derived: accepted when they agree, refused otherwise
    good = expected_target((FIRST, FIRST_END), (SECOND, SECOND_END))
    assert post_claim(api, doc, good).status_code == 201
    assert_error(post_claim(api, doc, dict(good, exact="The report, is a patchwork of lies.")), 422,
                 "invalid_value", "target.exact")
    assert_error(post_claim(api, doc, dict(good, start=0)), 422, "invalid_value", "target.start")


def test_patch_to_segments_and_back(api, doc):
    claim = post_claim(api, doc, {"start": FIRST, "end": FIRST_END}).json()
    r = api.patch(f"/v1/claims/{claim['id']}", {"target": {"segments": [
        {"start": FIRST, "end": FIRST_END, "exact": "The report,"}, {"start": SECOND, "end": SECOND_END}]}})
    assert r.status_code == 200, r.text
    assert normalized_segments(r.json()["target"]) == normalized_segments(
        expected_target((FIRST, FIRST_END), (SECOND, SECOND_END)))
    # sending back the target as read changes nothing
    again = api.patch(f"/v1/claims/{claim['id']}", {"target": r.json()["target"]})
    assert again.status_code == 200 and again.json()["target"] == r.json()["target"]
    assert_error(api.patch(f"/v1/claims/{claim['id']}", {"target": {"segments": [{"start": SECOND, "end": SECOND_END},
                                                                                  {"start": FIRST, "end": FIRST_END}]}}),
                 422, "segments_out_of_order", "target.segments[1]")
    # PATCH of something else keeps the segments
    assert api.patch(f"/v1/claims/{claim['id']}", {"note": "interrupted"}).json()["target"]["segments"]
    back = api.patch(f"/v1/claims/{claim['id']}", {"target": {"start": FIRST, "end": FIRST_END}})
    assert back.status_code == 200 and back.json()["target"] == span(FIRST, FIRST_END)


def test_attribution_cue_and_citation_spans(api, doc):
    actor = api.create("/v1/actors", {"name": unique("spokesperson")})
    source = api.create("/v1/sources", {"title": unique("report")})
    said = TEXT.index("said on Tuesday")
    claim = api.create("/v1/claims", {
        "document_id": doc["id"],
        "target": {"segments": [{"start": FIRST, "end": FIRST_END}, {"start": SECOND, "end": SECOND_END}]},
        "attributions": [{"actor_id": actor["id"], "mode": "direct_quote",
                          "cue_span": {"segments": [{"start": said, "end": said + 4}, {"exact": "Tuesday"}]}}],
        "citations": [{"source_id": source["id"],
                       "span": {"segments": [{"exact": "The report said"}, {"exact": "may amount to crimes"}]}}]})
    cue = claim["attributions"][0]["cue_span"]
    assert cue["exact"] == "said \u2026 Tuesday" and cue["start"] == said and len(cue["segments"]) == 2
    assert claim["citations"][0]["span"]["exact"] == "The report said \u2026 may amount to crimes"
    assert_error(api.post(f"/v1/claims/{claim['id']}/attributions", {
        "actor_id": actor["id"], "cue_span": {"segments": [{"exact": "Tuesday"}, {"start": said, "end": said + 4}]}}),
        422, "segments_out_of_order", "cue_span.segments[1]")


@pytest.fixture(scope="module")
def two_servers(cluster):
    servers = []
    for prefix in ("seg_a_", "seg_b_"):
        servers.append(Server(cluster.create_database(prefix + uuid.uuid4().hex[:10])).start())
    yield servers
    for s in servers:
        assert s.stop() == 0, s.read_log()[-3000:]


def test_exports_and_the_import_carry_the_segments(two_servers, tmp_path):
    a, b = two_servers
    s = requests.Session()
    s.headers.update(a.auth)
    d = s.post(a.base + "/v1/documents", json={"title": "interrupted", "text": TEXT}).json()
    actor = s.post(a.base + "/v1/actors", json={"name": "Spokesperson"}).json()
    r = s.post(a.base + "/v1/claims", json={
        "document_id": d["id"], "kind": "evaluative", "tags": ["topic/test"],
        "target": {"segments": [{"start": FIRST, "end": FIRST_END}, {"start": SECOND, "end": SECOND_END}]},
        "attributions": [{"actor_id": actor["id"], "cue_span": {"segments": [{"exact": "said on"},
                                                                             {"exact": "Tuesday"}]}}]})
    assert r.status_code == 201, r.text
    claim = r.json()
    one = s.post(a.base + "/v1/claims", json={"document_id": d["id"], "target": {"exact": "may amount to crimes"}}).json()

    # NDJSON: the target with its segments; export -> import elsewhere -> export is byte-identical
    first = s.get(a.base + "/v1/export").content
    recs = {x.get("id"): x for x in map(json.loads, first.decode().splitlines())}
    assert recs[claim["id"]]["target"] == claim["target"]
    assert "segments" not in recs[one["id"]]["target"]
    r = requests.post(b.base + "/v1/import", data=first, headers=b.auth)
    assert r.status_code == 200, r.text[:3000]
    second = requests.get(b.base + "/v1/export", headers=b.auth).content
    assert first.split(b"\n", 1)[1] == second.split(b"\n", 1)[1]
    assert requests.get(f"{b.base}/v1/claims/{claim['id']}", headers=b.auth).json()["target"] == claim["target"]
    # importing it again where it came from changes nothing
    r = s.post(a.base + "/v1/import", data=first)
    assert r.status_code == 200 and r.json()["counts"]["claim"]["updated"] == 0, r.text

    # the import checks segments like the API
    line = dict(recs[claim["id"]], id=str(uuid.uuid4()))
    line["target"] = {"segments": list(reversed(line["target"]["segments"]))}
    body = first.split(b"\n", 1)[0] + b"\n" + json.dumps(recs[d["id"]]).encode() + b"\n" + json.dumps(line).encode() + b"\n"
    err = assert_error(s.post(a.base + "/v1/import", data=body), 422, "invalid_lines")["lines"][0]
    assert (err["line"], err["code"], err["field"]) == (3, "segments_out_of_order", "target.segments[1]")
    line["target"] = dict(claim["target"], exact="something else")
    body = first.split(b"\n", 1)[0] + b"\n" + json.dumps(recs[d["id"]]).encode() + b"\n" + json.dumps(line).encode() + b"\n"
    err = assert_error(s.post(a.base + "/v1/import", data=body), 422, "invalid_lines")["lines"][0]
    assert (err["code"], err["field"]) == ("exact_mismatch", "target.exact")

    # CSV: the claims table has the segments as JSON beside the joined quote; claims_flat as ranges
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(
        s.get(a.base + "/v1/export", params={"format": "csv", "table": "claims"}).content.decode(), newline=""))}
    assert json.loads(rows[claim["id"]]["segments"]) == json.loads(json.dumps(claim["target"]["segments"]))
    assert rows[claim["id"]]["exact"] == "The report, \u2026 is a patchwork of lies."
    assert rows[one["id"]]["segments"] == ""
    flat = {row["id"]: row for row in csv.DictReader(io.StringIO(
        s.get(a.base + "/v1/export", params={"format": "csv", "table": "claims_flat"}).content.decode(), newline=""))}
    assert flat[claim["id"]]["segments"] == f"{FIRST}-{FIRST_END};{SECOND}-{SECOND_END}"
    assert flat[claim["id"]]["exact"] == "The report, \u2026 is a patchwork of lies." and flat[one["id"]]["segments"] == ""

    # W3C: one SpecificResource per segment, each with its quote and position selectors;
    # the W3C model's MUST rules: every target has a source IRI, every selector a type,
    # TextQuoteSelector an exact, TextPositionSelector non-negative start <= end
    path = tmp_path / "segments.jsonld"
    path.write_bytes(s.get(a.base + "/v1/export", params={"format": "w3c"}).content)
    w3c = json.loads(path.read_bytes())
    items = {x["claimdb:id"]: x for page in w3c["@graph"][1:] for x in page["items"] if "claimdb:id" in x}
    anno = items[claim["id"]]
    assert isinstance(anno["target"], list) and len(anno["target"]) == 2
    for target, (start, end) in zip(anno["target"], [(FIRST, FIRST_END), (SECOND, SECOND_END)]):
        assert target["type"] == "SpecificResource" and target["source"] == "urn:uuid:" + d["id"]
        sel = {x["type"]: x for x in target["selector"]}
        assert set(sel) == {"TextQuoteSelector", "TextPositionSelector"}
        assert sel["TextQuoteSelector"]["exact"] == TEXT[start:end]
        assert sel["TextQuoteSelector"]["prefix"] == TEXT[max(0, start - 32):start]
        assert (sel["TextPositionSelector"]["start"], sel["TextPositionSelector"]["end"]) == (start, end)
        assert 0 <= start <= end
    assert items[one["id"]]["target"]["source"] == "urn:uuid:" + d["id"]
    report = jsonld_check(str(path))
    assert report["lost"] == [] and report["relative"] == 0
    # the cue span's segments are data too (an RDF list of the pieces)
    assert report["predicates"]["https://claimdb.org/ns#segments"] >= 1
