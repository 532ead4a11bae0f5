"""/v1/claims/{id}/attributions and /v1/attributions/{id}: who asserts a claim, with
role, cue, mode, spans of the mention and the cue, and via chains (reports of reports)."""
from conftest import assert_error, unique

MISSING = "01900000-0000-7000-8000-00000000beef"
TEXT = "Human Rights Watch said that Amnesty asserted the camps exist. Officials denied it."
KEYS = {"id", "rev", "project_id", "claim_id", "actor_id", "role", "cue", "mode", "source_span", "cue_span",
        "via_attribution_id", "annotator", "created_at", "updated_at", "created_by", "updated_by", "actor", "via", "polarity",
        "factuality", "said_at"}


def make_actor(api, name=None, kind="organisation", **extra):
    return api.create("/v1/actors", {"name": name or unique("actor"), "kind": kind, **extra})


def make_claim(api):
    doc = api.create("/v1/documents", {"title": unique("doc"), "text": TEXT})
    return api.create("/v1/claims", {"document_id": doc["id"], "target": {"exact": "the camps exist"}})


def via_chain(api, claim, actor, n):
    """n attributions of the claim to the actor, each reported via the one before."""
    chain = []
    for _ in range(n):
        body = {"actor_id": actor["id"], **({"via_attribution_id": chain[-1]["id"]} if chain else {})}
        chain.append(api.create(f"/v1/claims/{claim['id']}/attributions", body))
    return chain


def make_project(cluster):
    slug = unique("p").lower()
    return cluster.psql(f"INSERT INTO projects (slug, name) VALUES ('{slug}', '{slug}') RETURNING id")


def test_create_get_and_via_chain(api):
    claim = make_claim(api)
    amnesty = make_actor(api, "Amnesty " + unique())
    hrw = make_actor(api, "HRW " + unique())
    r = api.post(f"/v1/claims/{claim['id']}/attributions", {
        "actor_id": amnesty["id"], "role": "NGO", "cue": "asserted", "mode": "indirect",
        "source_span": {"exact": "Amnesty"}, "cue_span": {"exact": "asserted"}, "annotator": "tester"})
    assert r.status_code == 201, r.text
    first = r.json()
    assert r.headers["Location"] == f"/v1/attributions/{first['id']}"
    assert set(first) == KEYS
    assert first["claim_id"] == claim["id"] and first["role"] == "NGO" and first["annotator"] == "tester"
    assert first["actor"] == {"id": amnesty["id"], "name": amnesty["name"], "kind": "organisation"}
    start = TEXT.index("Amnesty")
    assert first["source_span"] == {"start": start, "end": start + 7, "exact": "Amnesty",
                                    "prefix": TEXT[:start][-32:], "suffix": TEXT[start + 7:start + 39]}
    assert first["cue_span"]["exact"] == "asserted" and first["via"] is None
    second = api.create(f"/v1/claims/{claim['id']}/attributions", {
        "actor_id": hrw["id"], "cue": "said", "via_attribution_id": None})
    assert second["mode"] == "indirect" and second["source_span"] is None and second["via"] is None
    # Amnesty's assertion is reported through HRW's report.
    patched = api.patch(f"/v1/attributions/{first['id']}", {"via_attribution_id": second["id"]}).json()
    assert patched["via_attribution_id"] == second["id"]
    assert patched["via"] == {"id": second["id"], "actor_id": hrw["id"], "actor_name": hrw["name"]}
    assert api.get(f"/v1/attributions/{first['id']}").json() == patched
    embedded = api.get(f"/v1/claims/{claim['id']}").json()["attributions"]
    assert [a["id"] for a in embedded] == sorted([first["id"], second["id"]])


def test_via_must_be_an_attribution_of_the_same_claim(api):
    original = make_claim(api)
    actor = make_actor(api)
    reported = api.create(f"/v1/claims/{original['id']}/attributions", {"actor_id": actor["id"]})
    report = api.create("/v1/claims", {"text": "a report of a report"})
    reporter = make_actor(api)
    path = f"/v1/claims/{report['id']}/attributions"
    err = assert_error(api.post(path, {"actor_id": reporter["id"], "via_attribution_id": reported["id"]}), 422,
                       "unknown_reference", "via_attribution_id")
    assert "same claim" in err["message"]
    own = api.create(path, {"actor_id": reporter["id"]})
    assert_error(api.patch(f"/v1/attributions/{own['id']}", {"via_attribution_id": reported["id"]}), 422,
                 "unknown_reference", "via_attribution_id")


def test_reported_chain_in_one_request(api):
    """"the NGO says that Amnesty asserted": the chain and its features in one POST."""
    ngo, amnesty = make_actor(api), make_actor(api)
    c = api.create("/v1/claims", {"text": "the camps are detention facilities", "attributions": [
        {"actor_id": ngo["id"], "cue": "says", "polarity": "positive", "factuality": "certain",
         "said_at": "2022-09"},
        {"actor_id": amnesty["id"], "cue": "asserted", "via": "#0", "polarity": "positive",
         "factuality": "possible", "said_at": "2022-08-31"}]})
    first, second = sorted(c["attributions"], key=lambda a: a["actor_id"] == amnesty["id"])
    assert second["via_attribution_id"] == first["id"] and first["via_attribution_id"] is None
    assert (second["polarity"], second["factuality"], second["said_at"]) == ("positive", "possible", "2022-08-31")
    assert first["said_at"] == "2022-09"
    n = len(api.get("/v1/claims", params={"limit": 1000}).json()["items"])
    for bad, status, code, field in (
            ({"via": "#1"}, 422, "unknown_reference", "attributions[1].via"),  # itself
            ({"via": "#5"}, 422, "unknown_reference", "attributions[1].via"),
            ({"via": "0"}, 400, "invalid_value", "attributions[1].via"),
            ({"via": "#0", "via_attribution_id": first["id"]}, 400, "conflicting_fields", "attributions[1].via"),
            ({"said_at": "2022-13"}, 400, "invalid_date", "attributions[1].said_at"),
            ({"said_at": "22"}, 400, "invalid_date", "attributions[1].said_at"),
            ({"polarity": "neutral"}, 400, "invalid_enum", "attributions[1].polarity"),
            ({"factuality": "likely"}, 400, "invalid_enum", "attributions[1].factuality")):
        r = api.post("/v1/claims", {"text": "x", "attributions": [{"actor_id": ngo["id"]},
                                                                  {"actor_id": amnesty["id"], **bad}]})
        assert_error(r, status, code, field)
    # all or nothing: no claim was left behind by the refused requests
    assert len(api.get("/v1/claims", params={"limit": 1000}).json()["items"]) == n


def test_attribution_features_filter_and_patch(api):
    claim = make_claim(api)
    actor = make_actor(api)
    path = f"/v1/claims/{claim['id']}/attributions"
    denial = api.create(path, {"actor_id": actor["id"], "polarity": "negative", "factuality": "certain",
                               "said_at": "2021"})
    hedge = api.create(path, {"actor_id": actor["id"], "polarity": "positive", "factuality": "possible",
                              "said_at": "2022-08-31"})
    plain = api.create(path, {"actor_id": actor["id"]})
    assert (plain["polarity"], plain["factuality"], plain["said_at"]) == (None, None, None)

    def ids(**params):
        items = api.get("/v1/attributions", params={"claim_id": claim["id"], **params}).json()["items"]
        return [i["id"] for i in items]
    assert ids(polarity="negative") == [denial["id"]]
    assert ids(factuality="possible") == [hedge["id"]]
    assert ids(said_at="2022") == [hedge["id"]] and ids(said_at="2022-08") == [hedge["id"]]
    assert ids(said_at="2021") == [denial["id"]]
    assert_error(api.get("/v1/attributions", params={"polarity": "up"}), 400, "invalid_enum", "polarity")
    items = api.get("/v1/attributions", params={"claim_id": claim["id"]}).json()["items"]
    assert {i["id"]: i["factuality"] for i in items}[hedge["id"]] == "possible"
    r = api.patch(f"/v1/attributions/{plain['id']}", {"factuality": "probable", "said_at": "2020-02-29"})
    assert r.status_code == 200 and r.json()["factuality"] == "probable" and r.json()["said_at"] == "2020-02-29"
    assert_error(api.patch(f"/v1/attributions/{plain['id']}", {"said_at": "2021-02-29"}), 400, "invalid_date",
                 "said_at")
    r = api.patch(f"/v1/attributions/{plain['id']}", {"factuality": None})
    assert r.json()["factuality"] is None


def test_create_errors(api, cluster):
    claim = make_claim(api)
    floating = api.create("/v1/claims", {"text": "no document"})
    actor = make_actor(api)
    path = f"/v1/claims/{claim['id']}/attributions"
    assert_error(api.post(path, {}), 400, "missing_field", "actor_id")
    assert_error(api.post(path, {"actor_id": "x"}), 400, "invalid_uuid", "actor_id")
    assert_error(api.post(path, {"actor_id": actor["id"], "project_id": MISSING}), 400, "unknown_field",
                 "project_id")
    err = assert_error(api.post(path, {"actor_id": actor["id"], "mode": "shouted"}), 400, "invalid_enum", "mode")
    assert err["allowed"] == ["direct_quote", "indirect", "paraphrase", "endorsement", "implicit"]
    assert_error(api.post(path, {"actor_id": actor["id"], "cue": 3}), 400, "invalid_type", "cue")
    assert_error(api.post(path, {"actor_id": actor["id"], "cue_span": "said"}), 400, "invalid_type", "cue_span")
    assert_error(api.post(path, {"actor_id": actor["id"], "cue_span": {"start": 1}}), 400, "missing_field",
                 "cue_span.end")
    assert_error(api.post(path, {"actor_id": MISSING}), 422, "unknown_reference", "actor_id")
    assert_error(api.post(path, {"actor_id": actor["id"], "via_attribution_id": MISSING}), 422,
                 "unknown_reference", "via_attribution_id")
    assert_error(api.post(path, {"actor_id": actor["id"], "cue_span": {"exact": "claimed"}}), 422,
                 "quote_not_found", "cue_span")
    assert_error(api.post(path, {"actor_id": actor["id"], "source_span": {"start": 0, "end": 999}}), 422,
                 "span_out_of_range", "source_span")
    assert_error(api.post(f"/v1/claims/{floating['id']}/attributions",
                          {"actor_id": actor["id"], "cue_span": {"exact": "said"}}), 422, "no_document",
                 "cue_span")
    assert_error(api.post(f"/v1/claims/{MISSING}/attributions", {"actor_id": actor["id"]}), 404, "not_found", "id")
    assert_error(api.post("/v1/claims/x/attributions", {"actor_id": actor["id"]}), 400, "invalid_id", "id")
    assert_error(api.post(path, [1]), 400)
    project = make_project(cluster)
    stranger = api.create("/v1/actors", {"name": unique("stranger"), "project_id": project})
    assert_error(api.post(path, {"actor_id": stranger["id"]}), 422, "unknown_reference", "actor_id")
    other_claim = api.create("/v1/claims", {"text": "elsewhere", "project_id": project})
    foreign = api.create(f"/v1/claims/{other_claim['id']}/attributions", {"actor_id": stranger["id"]})
    assert foreign["project_id"] == project
    assert_error(api.post(path, {"actor_id": actor["id"], "via_attribution_id": foreign["id"]}), 422,
                 "unknown_reference", "via_attribution_id")
    assert api.get(path).json()["items"] == []


def test_list(api):
    claim = make_claim(api)
    actors = [make_actor(api) for _ in range(5)]
    # Ids are UUIDv7: ordered by the millisecond, random within one.
    made = sorted(api.create(f"/v1/claims/{claim['id']}/attributions", {"actor_id": a["id"]})["id"]
                  for a in actors)
    r = api.get(f"/v1/claims/{claim['id']}/attributions")
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["id"] for i in items] == made and r.json()["next"] is None
    assert set(items[0]) == KEYS - {"via"}
    by_id = {a["id"]: a for a in actors}
    first_actor = by_id[items[0]["actor_id"]]
    assert items[0]["actor"] == {"id": first_actor["id"], "name": first_actor["name"], "kind": "organisation"}
    seen, after = [], None
    while True:
        page = api.get(f"/v1/claims/{claim['id']}/attributions", params={"limit": 2, "after": after}).json()
        assert len(page["items"]) <= 2
        seen += [i["id"] for i in page["items"]]
        after = page["next"]
        if not after:
            break
    assert seen == made
    empty = api.create("/v1/claims", {"text": "unattributed"})
    assert api.get(f"/v1/claims/{empty['id']}/attributions").json() == {"items": [], "next": None}
    assert_error(api.get(f"/v1/claims/{MISSING}/attributions"), 404, "not_found", "id")
    assert_error(api.get(f"/v1/claims/{claim['id']}/attributions?actor=x"), 400, "unknown_parameter")
    assert_error(api.get(f"/v1/claims/{claim['id']}/attributions?after=zzz"), 400, "invalid_cursor")


def test_patch(api):
    claim = make_claim(api)
    a1, a2 = make_actor(api), make_actor(api)
    att = api.create(f"/v1/claims/{claim['id']}/attributions", {"actor_id": a1["id"], "cue": "said",
                                                               "cue_span": {"exact": "said"}})
    path = f"/v1/attributions/{att['id']}"
    got = api.patch(path, {"actor_id": a2["id"], "role": "researcher", "mode": "paraphrase",
                           "cue": "denied", "cue_span": {"exact": "denied"}, "source_span": {"exact": "Officials"},
                           "annotator": "ed"}).json()
    assert got["actor"]["id"] == a2["id"] and got["role"] == "researcher" and got["mode"] == "paraphrase"
    assert got["cue_span"]["start"] == TEXT.index("denied") and got["source_span"]["exact"] == "Officials"
    cleared = api.patch(path, {"cue_span": None, "role": None}).json()
    assert cleared["cue_span"] is None and cleared["role"] is None and cleared["source_span"] is not None
    assert api.patch(path, {}).json() == cleared


def test_patch_errors(api):
    claim = make_claim(api)
    actor = make_actor(api)
    a, b, c = via_chain(api, claim, actor, 3)
    path = f"/v1/attributions/{a['id']}"
    assert_error(api.patch(path, {"via_attribution_id": a["id"]}), 422, "via_cycle", "via_attribution_id")
    assert_error(api.patch(path, {"via_attribution_id": c["id"]}), 422, "via_cycle", "via_attribution_id")
    assert_error(api.patch(path, {"via_attribution_id": MISSING}), 422, "unknown_reference", "via_attribution_id")
    assert_error(api.patch(path, {"actor_id": MISSING}), 422, "unknown_reference", "actor_id")
    assert_error(api.patch(path, {"actor_id": None}), 400, "invalid_type", "actor_id")
    assert_error(api.patch(path, {"mode": None}), 400, "invalid_type", "mode")
    assert_error(api.patch(path, {"claim_id": claim["id"]}), 409, "immutable", "claim_id")
    assert_error(api.patch(path, {"cue_span": {"exact": "nothing like it"}}), 422, "quote_not_found", "cue_span")
    assert_error(api.patch(path, {"wat": 1}), 400, "unknown_field", "wat")
    assert_error(api.patch(f"/v1/attributions/{MISSING}", {"role": "x"}), 404, "not_found", "id")
    assert_error(api.patch(f"/v1/attributions/{MISSING}", {"cue_span": {"start": 0, "end": 1}}), 404,
                 "not_found", "id")
    floating = api.create("/v1/claims", {"text": "no document", "attributions": [{"actor_id": actor["id"]}]})
    assert_error(api.patch(f"/v1/attributions/{floating['attributions'][0]['id']}",
                           {"cue_span": {"start": 0, "end": 1}}), 422, "no_document", "cue_span")
    got = api.get(path).json()
    assert got["via_attribution_id"] is None and got["actor_id"] == actor["id"]
    # Moving the chain's head to report through a fresh attribution is fine.
    d = api.create(f"/v1/claims/{claim['id']}/attributions", {"actor_id": actor["id"]})
    assert api.patch(path, {"via_attribution_id": d["id"]}).json()["via"]["id"] == d["id"]


def test_delete(api):
    claim = make_claim(api)
    actor = make_actor(api)
    a, b = via_chain(api, claim, actor, 2)
    assert_error(api.delete(f"/v1/attributions/{a['id']}"), 409, "still_referenced")
    assert api.delete(f"/v1/attributions/{b['id']}").status_code == 204
    assert api.delete(f"/v1/attributions/{a['id']}").status_code == 204
    assert_error(api.get(f"/v1/attributions/{a['id']}"), 404, "not_found", "id")
    assert_error(api.delete(f"/v1/attributions/{a['id']}"), 404, "not_found", "id")
    assert_error(api.delete("/v1/attributions/x"), 400, "invalid_id", "id")
    assert api.get(f"/v1/claims/{claim['id']}").json()["attributions"] == []


def test_get_errors(api):
    assert_error(api.get(f"/v1/attributions/{MISSING}"), 404, "not_found", "id")
    assert_error(api.get("/v1/attributions/123"), 400, "invalid_id", "id")


# ---------------------------------------------------------------- GET /v1/attributions

DEFAULT_PROJECT = "00000000-0000-7000-8000-000000000001"
LIST_KEYS = KEYS - {"via"} | {"claim"}


def attribution_ids(api, **params):
    r = api.get("/v1/attributions", params=params)
    assert r.status_code == 200, r.text
    return [item["id"] for item in r.json()["items"]]


def walk(api, limit, **params):
    seen, after = [], None
    while True:
        r = api.get("/v1/attributions", params={**params, "limit": limit, "after": after})
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= limit
        seen += [i["id"] for i in page["items"]]
        after = page["next"]
        if not after:
            return seen


def test_list_across_claims_with_filters(api, cluster):
    tok = unique("Role")
    doc = api.create("/v1/documents", {"title": unique("doc"), "text": TEXT})
    camps = api.create("/v1/claims", {"document_id": doc["id"], "target": {"exact": "the camps exist"}})
    denial = api.create("/v1/claims", {"document_id": doc["id"], "target": {"exact": "Officials denied it"}})
    floating = api.create("/v1/claims", {"text": "known only through reports " + tok})
    org = make_actor(api, "NGO " + unique())
    person = make_actor(api, "Spokesperson " + unique(), kind="person")
    government = make_actor(api, "Ministry " + unique(), kind="government")

    def attribute(claim, actor, **body):
        return api.create(f"/v1/claims/{claim['id']}/attributions", {"actor_id": actor["id"], **body})["id"]

    a1 = attribute(camps, org, role=f"Human Rights NGO {tok}", cue="asserted", mode="indirect",
                   cue_span={"exact": "asserted"})
    a2 = attribute(camps, person, role=f"ngo SPOKESPERSON {tok}", mode="direct_quote")
    a3 = attribute(denial, org, role="co-signer", mode="endorsement")
    a4 = attribute(floating, org, role=f"100% supporter {tok}", mode="endorsement")
    a5 = attribute(denial, government, mode="endorsement")

    items = api.get("/v1/attributions", params={"actor_id": org["id"]}).json()["items"]
    assert [i["id"] for i in items] == sorted([a1, a3, a4])
    first = next(i for i in items if i["id"] == a1)
    assert set(first) == LIST_KEYS
    assert first["actor"] == {"id": org["id"], "name": org["name"], "kind": "organisation"}
    assert first["claim"] == {"id": camps["id"], "text": "the camps exist", "document_id": doc["id"]}
    assert first["cue"] == "asserted" and first["cue_span"]["exact"] == "asserted" and first["mode"] == "indirect"
    assert {k: first[k] for k in LIST_KEYS - {"claim"}} == {k: v for k, v in api.get(f"/v1/attributions/{a1}")
                                                            .json().items() if k != "via"}
    floating_item = next(i for i in items if i["id"] == a4)
    assert floating_item["claim"] == {"id": floating["id"], "text": floating["text"], "document_id": None}

    assert attribution_ids(api, claim_id=camps["id"]) == sorted([a1, a2])
    assert attribution_ids(api, claim_id=camps["id"], actor_id=person["id"]) == [a2]
    assert attribution_ids(api, document_id=doc["id"]) == sorted([a1, a2, a3, a5])
    assert attribution_ids(api, document_id=doc["id"], actor_id=org["id"]) == sorted([a1, a3])
    assert attribution_ids(api, actor_id=org["id"], document_id=doc["id"], claim_id=denial["id"]) == [a3]
    assert attribution_ids(api, actor_id=org["id"], mode="endorsement") == sorted([a3, a4])
    assert attribution_ids(api, document_id=doc["id"], mode="endorsement") == sorted([a3, a5])
    assert attribution_ids(api, document_id=doc["id"], actor_kind="organisation") == sorted([a1, a3])
    assert attribution_ids(api, document_id=doc["id"], actor_kind="government") == [a5]
    assert attribution_ids(api, claim_id=camps["id"], actor_kind="media") == []
    # role: a substring ignoring case, % and _ taken literally; without a driving filter too.
    assert attribution_ids(api, role=tok.upper()) == sorted([a1, a2, a4])
    assert attribution_ids(api, role="ngo", document_id=doc["id"]) == sorted([a1, a2])
    assert attribution_ids(api, role="100% SUPPORTER", actor_id=org["id"]) == [a4]
    assert attribution_ids(api, role="100_", actor_id=org["id"]) == []
    assert attribution_ids(api, role=tok, mode="endorsement", actor_kind="organisation") == [a4]
    assert attribution_ids(api, claim_id=camps["id"], project_id=DEFAULT_PROJECT) == sorted([a1, a2])
    assert attribution_ids(api, claim_id=camps["id"], project_id=make_project(cluster)) == []
    assert attribution_ids(api, actor_id=MISSING) == [] and attribution_ids(api, document_id=MISSING) == []


def test_list_across_claims_page_walk(api):
    tok = unique("walk")
    actor = make_actor(api)
    claims = [make_claim(api) for _ in range(3)]
    made = sorted(api.create(f"/v1/claims/{c['id']}/attributions",
                             {"actor_id": actor["id"], "role": f"{tok} {n}"})["id"]
                  for c in claims for n in range(3))
    assert walk(api, 2, actor_id=actor["id"]) == made
    assert walk(api, 4, role=tok) == made
    assert walk(api, 1, claim_id=claims[1]["id"]) == sorted(i for i in made if i in
                                                          attribution_ids(api, claim_id=claims[1]["id"]))
    assert len(walk(api, 1, claim_id=claims[1]["id"])) == 3
    first = api.get("/v1/attributions", params={"actor_id": actor["id"], "limit": 9}).json()
    assert [i["id"] for i in first["items"]] == made and first["next"] is None


def test_list_across_claims_errors(api):
    err = assert_error(api.get("/v1/attributions?mode=shouted"), 400, "invalid_enum", "mode")
    assert err["allowed"] == ["direct_quote", "indirect", "paraphrase", "endorsement", "implicit"]
    err = assert_error(api.get("/v1/attributions?actor_kind=alien"), 400, "invalid_enum", "actor_kind")
    assert err["allowed"] == ["person", "organisation", "government", "intergovernmental", "media", "group",
                              "other"]
    for name in ("actor_id", "claim_id", "document_id", "project_id"):
        assert_error(api.get(f"/v1/attributions?{name}=x"), 400, "invalid_uuid", name)
    assert_error(api.get("/v1/attributions?speaker=x"), 400, "unknown_parameter", "speaker")
    assert_error(api.get("/v1/attributions?after=zzz"), 400, "invalid_cursor", "after")
    assert_error(api.get("/v1/attributions?limit=0"), 400, "invalid_limit", "limit")
    assert_error(api.get("/v1/attributions?limit=1001"), 400, "invalid_limit", "limit")
