"""Issue 12's acceptance, as a new user would try it: a real-looking document with curly
and straight quotes, an emoji with a skin-tone modifier, a combining accent and an
interrupted quotation, annotated through the API only; then export -> import into an
empty database -> export again, identical after the header, and the W3C export of the
discontinuous claim checked against the W3C model's MUST rules (and by a JSON-LD
processor)."""
import uuid

import pytest
import requests

from conftest import Server, assert_error
from test_asking import jsonld_check

TEXT = ("GENEVA \u2014 China\u2019s mission rejected the report on Tuesday. \u201cThe report,\u201d a spokesperson"
        " said, \u201cis a patchwork of lies.\u201d Activists \U0001F44D\U0001F3FD welcomed it outside the caf"
        "e\u0301. Human Rights Watch said that Amnesty International had asserted the detentions \u201cmay"
        " amount to crimes against humanity\u201d.")


@pytest.fixture(scope="module")
def servers(cluster):
    made = []
    for prefix in ("acc_a_", "acc_b_"):
        name = prefix + uuid.uuid4().hex[:10]
        s = Server(cluster.create_database(name)).start()
        s.db = name
        made.append(s)
    yield made
    for s in made:
        assert s.stop() == 0, s.read_log()[-3000:]


def call(s, method, path, body=None, **params):
    return requests.request(method, s.base + path, json=body, params=params, headers=s.auth, timeout=60)


def created(r):
    assert r.status_code == 201, r.text
    return r.json()


def test_annotate_then_round_trip(servers, cluster, tmp_path):
    a, b = servers
    # A project of our own whose codebook is strict (a project setting, PATCH /v1/projects/{id}).
    pid = created(call(a, "POST", "/v1/projects", {"slug": "acceptance", "name": "Acceptance"}))["id"]
    r = call(a, "PATCH", f"/v1/projects/{pid}", {"settings": {"strict_tags": True}})
    assert r.status_code == 200 and r.json()["settings"] == {"strict_tags": True}, r.text
    for tag, parent in (("topic", None), ("topic/xinjiang", "topic"), ("topic/detention", "topic")):
        created(call(a, "POST", "/v1/codebook", {"tag": tag, "parent": parent}, project_id=pid))
    doc = created(call(a, "POST", "/v1/documents", {"project_id": pid, "title": "China rejects report",
                                                     "language": "en", "text": TEXT}))

    # 1. A quote typed with straight quotes: found by its candidates, created with match normalized.
    typed = "China's mission rejected the report"
    err = assert_error(call(a, "POST", "/v1/claims", {"project_id": pid, "document_id": doc["id"],
                                                       "target": {"exact": typed}}), 422, "quote_not_found", "target")
    [cand] = err["candidates"]
    assert cand["exact"] == "China\u2019s mission rejected the report" and cand["differs"] == ["quotes"]
    rejection = created(call(a, "POST", "/v1/claims", {
        "project_id": pid, "document_id": doc["id"], "kind": "evaluative", "tags": ["topic/xinjiang"],
        "target": {"exact": typed, "match": "normalized"}}))
    assert rejection["target"]["exact"] == cand["exact"] and rejection["target"]["start"] == cand["start"]

    # 2. A span splitting the emoji from its skin-tone modifier is refused with the boundaries.
    thumb = TEXT.index("\U0001F44D")
    err = assert_error(call(a, "POST", "/v1/claims", {"project_id": pid, "document_id": doc["id"],
                                                       "target": {"start": thumb, "end": thumb + 1}}),
                       422, "splits_grapheme", "target")
    assert err["boundaries"]["end"] == {"before": thumb, "after": thumb + 2}
    # ... and the accent from its letter too.
    e = TEXT.index("e\u0301")
    assert_error(call(a, "POST", "/v1/claims", {"project_id": pid, "document_id": doc["id"],
                                                 "target": {"start": e - 3, "end": e + 1}}), 422, "splits_grapheme")
    created(call(a, "POST", "/v1/claims", {"project_id": pid, "document_id": doc["id"],
                                            "target": {"exact": "Activists \U0001F44D\U0001F3FD welcomed it"}}))

    # 3. The interrupted quotation is one claim of two segments, each given by its quote.
    quotation = created(call(a, "POST", "/v1/claims", {
        "project_id": pid, "document_id": doc["id"], "kind": "evaluative", "tags": ["topic/xinjiang"],
        "target": {"segments": [{"exact": "The report,"}, {"exact": "is a patchwork of lies."}]}}))
    pieces = [(TEXT.index("The report,"), TEXT.index("The report,") + 11),
              (TEXT.index("is a patchwork"), TEXT.index("is a patchwork") + len("is a patchwork of lies."))]
    assert quotation["target"]["exact"] == "The report, \u2026 is a patchwork of lies."
    assert [(x["start"], x["end"]) for x in quotation["target"]["segments"]] == pieces
    assert (quotation["target"]["start"], quotation["target"]["end"]) == (pieces[0][0], pieces[1][1])

    # 4. The speaker found by a partial alias; a similar new name needs force.
    mission = created(call(a, "POST", "/v1/actors", {
        "project_id": pid, "name": "Permanent Mission of the People's Republic of China to the UN at Geneva",
        "kind": "government", "aliases": ["China's Geneva mission"]}))
    found = call(a, "GET", "/v1/actors", q="geneva mission", project_id=pid).json()["items"]
    assert found[0]["id"] == mission["id"]
    err = assert_error(call(a, "POST", "/v1/actors", {"project_id": pid, "name": "China's Geneva Mission"}),
                       409, "similar_actors", "name")
    assert err["similar"][0]["id"] == mission["id"]

    # 5. A reported-via chain with its hedged, dated attribution, in one request; the tag typo refused.
    hrw = created(call(a, "POST", "/v1/actors", {"project_id": pid, "name": "Human Rights Watch",
                                                 "kind": "organisation"}))
    amnesty = created(call(a, "POST", "/v1/actors", {"project_id": pid, "name": "Amnesty International",
                                                     "kind": "organisation"}))
    finding = {"project_id": pid, "document_id": doc["id"], "kind": "evaluative",
               "target": {"exact": '"may amount to crimes against humanity"', "match": "normalized"},
               "tags": ["topic/detentoin"],
               "attributions": [
                   {"actor_id": hrw["id"], "cue": "said", "mode": "indirect", "cue_span": {"exact": "said that"},
                    "source_span": {"exact": "Human Rights Watch"}, "polarity": "positive", "factuality": "certain"},
                   {"actor_id": amnesty["id"], "cue": "had asserted", "mode": "direct_quote", "via": "#0",
                    "source_span": {"exact": "Amnesty International"}, "polarity": "positive",
                    "factuality": "possible", "said_at": "2022-08"}]}
    err = assert_error(call(a, "POST", "/v1/claims", finding), 422, "unknown_tag", "tags[0]")
    assert err["suggestions"][0]["tag"] == "topic/detention"
    finding["tags"] = ["topic/detention"]
    claim = created(call(a, "POST", "/v1/claims", finding))
    assert claim["target"]["exact"] == "\u201cmay amount to crimes against humanity\u201d"
    by_actor = {x["actor_id"]: x for x in claim["attributions"]}
    assert by_actor[amnesty["id"]]["via_attribution_id"] == by_actor[hrw["id"]]["id"]
    assert (by_actor[amnesty["id"]]["factuality"], by_actor[amnesty["id"]]["said_at"]) == ("possible", "2022-08")
    hedged = call(a, "GET", "/v1/attributions", factuality="possible", said_at="2022").json()["items"]
    assert [x["id"] for x in hedged] == [by_actor[amnesty["id"]]["id"]]

    # 6. Export -> import into an empty database -> export again: identical after the header.
    first = requests.get(a.base + "/v1/export", headers=a.auth, timeout=60).content
    r = requests.post(b.base + "/v1/import", data=first, headers=b.auth, timeout=60)
    assert r.status_code == 200, r.text[:3000]
    second = requests.get(b.base + "/v1/export", headers=b.auth, timeout=60).content
    assert first.split(b"\n", 1)[1] == second.split(b"\n", 1)[1]
    assert b'"said_at" : "2022-08"' in first or b'"said_at":"2022-08"' in first
    assert call(b, "GET", f"/v1/claims/{quotation['id']}").json()["target"] == quotation["target"]

    # 7. The W3C export of the discontinuous claim: one target per segment. The model's MUST
    # rules for it: an Annotation has an id IRI, type Annotation, a target; a Specific
    # Resource has exactly one source IRI; each selector has a type; a TextQuoteSelector has
    # exactly one exact; a TextPositionSelector has exactly one start and one end, integers,
    # 0 <= start <= end; a TextualBody has a value. Then a JSON-LD processor expands it in
    # safe mode and compacts it back without losing a key (tests/jsonld/check.mjs).
    export = requests.get(a.base + "/v1/export", params={"format": "w3c"}, headers=a.auth, timeout=60)
    w3c = export.json()
    [anno] = [x for page in w3c["@graph"][1:] for x in page["items"] if x.get("claimdb:id") == quotation["id"]]
    assert anno["id"] == "urn:uuid:" + quotation["id"] and anno["type"] == "Annotation"
    targets = anno["target"]
    assert isinstance(targets, list) and len(targets) == 2
    for target, (start, end) in zip(targets, pieces):
        assert target["type"] == "SpecificResource"
        assert isinstance(target["source"], str) and target["source"] == "urn:uuid:" + doc["id"]
        for selector in target["selector"]:
            assert selector["type"] in ("TextQuoteSelector", "TextPositionSelector")
            if selector["type"] == "TextQuoteSelector":
                assert selector["exact"] == TEXT[start:end]
            else:
                assert isinstance(selector["start"], int) and isinstance(selector["end"], int)
                assert 0 <= selector["start"] <= selector["end"] and (selector["start"], selector["end"]) == (start, end)
    assert all(isinstance(body.get("value"), str) for body in anno["body"] if body["type"] == "TextualBody")
    path = tmp_path / "acceptance.jsonld"
    path.write_bytes(export.content)
    report = jsonld_check(str(path))
    assert report["lost"] == [] and report["relative"] == 0
