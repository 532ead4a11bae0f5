"""The fixture dataset (fixtures/claimdb.ndjson) answers the researchers' questions
through the documented API, asked as the README's curl examples ask them:

(a) what disputes the assessment's finding that detention may constitute crimes
    against humanity, and who said it?
(b) which claims did the foreign ministry spokesperson make, with which cues?
(c) which organisations endorsed the open letter?

The fixtures are imported into a fresh database with a server of its own, so the
other tests' rows do not interfere."""
from collections import Counter

import pytest

from conftest import fixture_dataset_api


@pytest.fixture(scope="module")
def fixture_api(cluster):
    with fixture_dataset_api(cluster, "fixtures") as (api, report):
        assert report["counts"]["claim"]["inserted"] > 400
        yield api


def get(api, path, **params):
    r = api.get(path, params=params)
    assert r.status_code == 200, (path, params, r.text)
    return r.json()


def actor_id(api, name):
    [actor] = get(api, "/v1/actors", name=name)["items"]
    return actor["id"]


def test_a_who_disputes_the_detention_finding(fixture_api):
    api = fixture_api
    ohchr = actor_id(api, "OHCHR")  # an alias of the Office of the High Commissioner
    findings = get(api, "/v1/claims", q="crimes against humanity", actor_id=ohchr)["items"]
    assert len(findings) >= 2 and all("crimes against humanity" in c["text"].lower() for c in findings)
    [finding] = get(api, "/v1/claims", q="DETENTION", actor_id=ohchr, relation="disputes")["items"]
    assert "detention" in finding["text"] and "crimes against humanity" in finding["text"]

    counter = get(api, f"/v1/claims/{finding['id']}/counterclaims")
    incoming = [i for i in counter["items"]
                if i["direction"] == "incoming" and i["kind"] in ("refutes", "disputes")]
    assert len(incoming) >= 3
    asserting = {s["name"] for i in incoming for s in i["speakers"] if s["mode"] != "endorsement"}
    assert {"Wang Wenbin", "Friends of Socialist China"} <= asserting
    wang = next(i for i in incoming if any(s["name"] == "Wang Wenbin" for s in i["speakers"]))
    assert wang["claim"]["text"] == "The assessment is a patchwork of disinformation."
    assert "spokesperson" in next(s["role"] for s in wang["speakers"] if s["name"] == "Wang Wenbin").lower()
    letter = [i for i in incoming if i["claim"]["document"]["title"].startswith("Statement condemning")]
    assert letter and max(sum(s["mode"] == "endorsement" for s in i["speakers"]) for i in letter) >= 10


def test_b_the_spokespersons_claims_and_cues(fixture_api):
    api = fixture_api
    wang = actor_id(api, "Wang Wenbin")
    items = get(api, "/v1/attributions", actor_id=wang, limit=1000)["items"]
    assert len(items) >= 10 and all(i["actor"]["name"] == "Wang Wenbin" for i in items)
    cued = {i["claim"]["text"]: i["cue"] for i in items if i["cue"]}
    assert len(cued) >= 5
    assert {"said", "added"} <= set(cued.values())
    assert cued["The assessment is a patchwork of disinformation."] == "added"
    # The same people by their role as recorded, whoever holds it.
    by_role = get(api, "/v1/attributions", role="foreign ministry SPOKESPERSON", limit=1000)["items"]
    assert {i["id"] for i in items} <= {i["id"] for i in by_role}
    assert all("foreign ministry spokesperson" in i["role"].lower() for i in by_role)


def test_c_organisations_endorsing_the_open_letter(fixture_api):
    api = fixture_api
    [letter] = [d for d in get(api, "/v1/documents", limit=1000)["items"]
                if d["title"].startswith("Statement condemning the OHCHR Assessment")]
    items = get(api, "/v1/attributions", document_id=letter["id"], mode="endorsement", actor_kind="organisation",
                limit=1000)["items"]
    assert all(i["mode"] == "endorsement" and i["actor"]["kind"] == "organisation"
               and i["claim"]["document_id"] == letter["id"] for i in items)
    organisations = {i["actor"]["name"] for i in items}
    assert len(organisations) >= 10
    assert {"Qiao Collective", "Communist Party of Britain"} <= organisations
    per_claim = Counter(i["claim"]["id"] for i in items)
    assert len(per_claim) >= 3 and min(per_claim.values()) >= 10
    # Paging through the same list in small pages gives the same rows.
    seen, after = [], None
    while True:
        page = get(api, "/v1/attributions", document_id=letter["id"], mode="endorsement",
                   actor_kind="organisation", limit=37, after=after)
        seen += [i["id"] for i in page["items"]]
        after = page["next"]
        if not after:
            break
    assert seen == [i["id"] for i in items]
