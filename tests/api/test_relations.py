"""Relations between claims (/v1/relations) and GET /v1/claims/{id}/counterclaims."""
import uuid

import pytest

from conftest import assert_deletes, assert_error, unique

DEFAULT_PROJECT = "00000000-0000-7000-8000-000000000001"
RELATION_KINDS = ["refutes", "disputes", "supports", "restates", "qualifies", "responds_to"]


def make_document(api, text, title=None, project=None):
    body = {"title": title or unique("doc"), "text": text}
    if project:
        body["project_id"] = project
    return api.create("/v1/documents", body)


def make_claim(api, doc, quote, text=None, tags=(), project=None):
    """A claim on the first occurrence of `quote` in the document, or, when
    doc is None, a claim without a span whose text is `quote`."""
    body = {"text": text or quote, "tags": list(tags)}
    if project:
        body["project_id"] = project
    if doc is not None:
        start = doc["text"].index(quote)
        body.update(document_id=doc["id"], target={"start": start, "end": start + len(quote)})
    return api.create("/v1/claims", body)["id"]


def make_actor(api, name=None, project=None):
    body = {"name": name or unique("actor"), "kind": "person"}
    if project:
        body["project_id"] = project
    return api.create("/v1/actors", body)["id"]


def attribute(api, claim_id, actor_id, role=None, cue=None, mode="direct_quote"):
    return api.create(f"/v1/claims/{claim_id}/attributions",
                      {"actor_id": actor_id, "role": role, "cue": cue, "mode": mode})["id"]


def make_project(cluster):
    """A second project (projects have no API yet)."""
    slug = unique("p")
    return cluster.psql(f"INSERT INTO projects (slug, name) VALUES ('{slug}', '{slug}') RETURNING id")


@pytest.fixture(scope="module")
def doc(api):
    return make_document(api, "Alpha says one. Beta says two. Gamma says three. Delta says four. "
                              "Epsilon says five. Zeta says six.", title="Relations test document")


@pytest.fixture
def two_claims(api, doc):
    return make_claim(api, doc, "Alpha says one."), make_claim(api, doc, "Beta says two.")


# ---------------------------------------------------------------- create and read

def test_create_relation_201_with_location_and_shape(api, doc, two_claims):
    a, b = two_claims
    actor = make_actor(api, "Relation Asserter")
    r = api.post("/v1/relations", {"from_claim_id": a, "to_claim_id": b, "kind": "refutes",
                                   "note": "flatly", "asserted_by_actor_id": actor, "annotator": "e3"})
    assert r.status_code == 201, r.text
    rel = r.json()
    assert r.headers["Location"] == f"/v1/relations/{rel['id']}"
    uuid.UUID(rel["id"])
    for key in ("id", "from_claim_id", "to_claim_id", "kind", "note", "asserted_by_actor_id", "annotator",
                "created_at", "updated_at"):
        assert key in rel
    assert (rel["from_claim_id"], rel["to_claim_id"], rel["kind"]) == (a, b, "refutes")
    assert rel["note"] == "flatly" and rel["annotator"] == "e3"
    assert rel["asserted_by_actor_id"] == actor
    assert rel["project_id"] == DEFAULT_PROJECT
    assert rel["from_claim"] == {"id": a, "text": "Alpha says one.", "document_id": doc["id"]}
    assert rel["asserted_by"] == {"id": actor, "name": "Relation Asserter"}


def test_get_relation_embeds_claims_and_actor(api, doc, two_claims):
    a, b = two_claims
    created = api.create("/v1/relations", {"from_claim_id": a, "to_claim_id": b, "kind": "supports"})
    got = api.get(f"/v1/relations/{created['id']}")
    assert got.status_code == 200
    rel = got.json()
    assert rel == created
    assert rel["from_claim"] == {"id": a, "text": "Alpha says one.", "document_id": doc["id"]}
    assert rel["to_claim"] == {"id": b, "text": "Beta says two.", "document_id": doc["id"]}
    assert rel["asserted_by"] is None
    assert rel["note"] is None and rel["asserted_by_actor_id"] is None


def test_relation_between_claims_of_two_documents(api, doc):
    other = make_document(api, "Omega replies: not so.")
    a = make_claim(api, doc, "Gamma says three.")
    b = make_claim(api, other, "not so.")
    rel = api.create("/v1/relations", {"from_claim_id": b, "to_claim_id": a, "kind": "disputes"})
    assert rel["from_claim"]["document_id"] == other["id"]
    assert rel["to_claim"]["document_id"] == doc["id"]


def test_relation_of_claim_without_span(api, doc):
    reported = make_claim(api, None, "A proposition known only through reports.")
    b = make_claim(api, doc, "Delta says four.")
    rel = api.create("/v1/relations", {"from_claim_id": b, "to_claim_id": reported, "kind": "responds_to"})
    assert rel["to_claim"] == {"id": reported, "text": "A proposition known only through reports.",
                               "document_id": None}


def test_project_defaults_to_the_claims_project(api, cluster):
    project = make_project(cluster)
    document = make_document(api, "One. Two.", project=project)
    a = make_claim(api, document, "One.", project=project)
    b = make_claim(api, document, "Two.", project=project)
    rel = api.create("/v1/relations", {"from_claim_id": a, "to_claim_id": b, "kind": "qualifies"})
    assert rel["project_id"] == project
    listed = api.get("/v1/relations", params={"project_id": project}).json()["items"]
    assert [x["id"] for x in listed] == [rel["id"]]


# ---------------------------------------------------------------- create errors

def test_self_relation_is_422_on_to_claim_id(api, doc):
    a = make_claim(api, doc, "Epsilon says five.")
    err = assert_error(api.post("/v1/relations", {"from_claim_id": a, "to_claim_id": a, "kind": "refutes"}),
                       422, "self_relation", "to_claim_id")
    assert "itself" in err["message"]
    assert api.get("/v1/relations", params={"claim_id": a}).json()["items"] == []


def test_duplicate_relation_is_409(api, two_claims):
    a, b = two_claims
    api.create("/v1/relations", {"from_claim_id": a, "to_claim_id": b, "kind": "refutes"})
    err = assert_error(api.post("/v1/relations", {"from_claim_id": a, "to_claim_id": b, "kind": "refutes"}),
                       409, "duplicate_relation", "kind")
    assert "already exists" in err["message"]
    # Another kind between the same claims, and the reverse direction, are different relations.
    api.create("/v1/relations", {"from_claim_id": a, "to_claim_id": b, "kind": "disputes"})
    api.create("/v1/relations", {"from_claim_id": b, "to_claim_id": a, "kind": "refutes"})
    assert len(api.get("/v1/relations", params={"claim_id": a}).json()["items"]) == 3


@pytest.mark.parametrize("field", ["from_claim_id", "to_claim_id"])
def test_unknown_claim_is_422_naming_the_field(api, two_claims, field):
    a, b = two_claims
    body = {"from_claim_id": a, "to_claim_id": b, "kind": "refutes", field: str(uuid.uuid4())}
    assert_error(api.post("/v1/relations", body), 422, "unknown_reference", field)


def test_unknown_actor_is_422(api, two_claims):
    a, b = two_claims
    body = {"from_claim_id": a, "to_claim_id": b, "kind": "refutes", "asserted_by_actor_id": str(uuid.uuid4())}
    assert_error(api.post("/v1/relations", body), 422, "unknown_reference", "asserted_by_actor_id")


def test_claim_of_another_project_is_422(api, cluster, doc):
    project = make_project(cluster)
    foreign = make_claim(api, None, "Elsewhere.", project=project)
    mine = make_claim(api, doc, "Zeta says six.")
    assert_error(api.post("/v1/relations", {"from_claim_id": mine, "to_claim_id": foreign, "kind": "refutes"}),
                 422, "unknown_reference", "to_claim_id")
    assert_error(api.post("/v1/relations", {"from_claim_id": mine, "to_claim_id": foreign, "kind": "refutes",
                                            "project_id": project}),
                 422, "unknown_reference", "from_claim_id")


def test_bad_kind_is_400_listing_allowed_values(api, two_claims):
    a, b = two_claims
    err = assert_error(api.post("/v1/relations", {"from_claim_id": a, "to_claim_id": b, "kind": "contradicts"}),
                       400, "invalid_enum", "kind")
    assert err["allowed"] == RELATION_KINDS


@pytest.mark.parametrize("body,code,field", [
    ({"to_claim_id": "B", "kind": "refutes"}, "missing_field", "from_claim_id"),
    ({"from_claim_id": "A", "kind": "refutes"}, "missing_field", "to_claim_id"),
    ({"from_claim_id": "A", "to_claim_id": "B"}, "missing_field", "kind"),
    ({"from_claim_id": "A", "to_claim_id": "B", "kind": "refutes", "weight": 3}, "unknown_field", "weight"),
    ({"from_claim_id": "A", "to_claim_id": "B", "kind": 7}, "invalid_type", "kind"),
    ({"from_claim_id": "A", "to_claim_id": "B", "kind": None}, "invalid_type", "kind"),
    ({"from_claim_id": "not-a-uuid", "to_claim_id": "B", "kind": "refutes"}, "invalid_uuid", "from_claim_id"),
    ({"from_claim_id": "A", "to_claim_id": "B", "kind": "refutes", "note": 5}, "invalid_type", "note"),
    ({"from_claim_id": "A", "to_claim_id": "B", "kind": "refutes", "asserted_by_actor_id": "x"},
     "invalid_uuid", "asserted_by_actor_id"),
])
def test_create_validation_is_400(api, two_claims, body, code, field):
    a, b = two_claims
    body = {k: (a if v == "A" else b if v == "B" else v) for k, v in body.items()}
    assert_error(api.post("/v1/relations", body), 400, code, field)


def test_body_must_be_an_object(api):
    assert_error(api.post("/v1/relations", ["refutes"]), 400, "invalid_json")


# ---------------------------------------------------------------- get / patch / delete errors

def test_get_unknown_is_404_and_bad_id_400(api):
    assert_error(api.get(f"/v1/relations/{uuid.uuid4()}"), 404, "not_found", "id")
    assert_error(api.get("/v1/relations/nope"), 400, "invalid_id", "id")


def test_patch_relation(api, two_claims):
    a, b = two_claims
    rel = api.create("/v1/relations", {"from_claim_id": a, "to_claim_id": b, "kind": "refutes", "note": "n"})
    actor = make_actor(api, "Patcher")
    r = api.patch(f"/v1/relations/{rel['id']}", {"kind": "disputes", "note": None, "asserted_by_actor_id": actor})
    assert r.status_code == 200, r.text
    patched = r.json()
    assert patched["kind"] == "disputes" and patched["note"] is None
    assert patched["asserted_by"] == {"id": actor, "name": "Patcher"}
    assert patched["from_claim_id"] == a and patched["to_claim_id"] == b
    assert patched["updated_at"] >= rel["updated_at"]
    assert api.get(f"/v1/relations/{rel['id']}").json() == patched
    # Reversing the direction is a patch of both ends.
    swapped = api.patch(f"/v1/relations/{rel['id']}", {"from_claim_id": b, "to_claim_id": a}).json()
    assert (swapped["from_claim_id"], swapped["to_claim_id"]) == (b, a)
    assert swapped["from_claim"]["id"] == b


def test_patch_errors(api, two_claims):
    a, b = two_claims
    rel = api.create("/v1/relations", {"from_claim_id": a, "to_claim_id": b, "kind": "refutes"})
    other = api.create("/v1/relations", {"from_claim_id": a, "to_claim_id": b, "kind": "supports"})
    path = f"/v1/relations/{rel['id']}"
    assert_error(api.patch(path, {"to_claim_id": a}), 422, "self_relation", "to_claim_id")
    assert_error(api.patch(f"/v1/relations/{other['id']}", {"kind": "refutes"}), 409, "duplicate_relation", "kind")
    assert_error(api.patch(path, {"kind": "agrees"}), 400, "invalid_enum", "kind")
    assert_error(api.patch(path, {"kind": None}), 400, "invalid_type", "kind")
    assert_error(api.patch(path, {"from_claim_id": None}), 400, "invalid_type", "from_claim_id")
    assert_error(api.patch(path, {"color": "red"}), 400, "unknown_field", "color")
    assert_error(api.patch(path, {"to_claim_id": str(uuid.uuid4())}), 422, "unknown_reference", "to_claim_id")
    assert_error(api.patch(path, {"project_id": DEFAULT_PROJECT}), 409, "immutable", "project_id")
    assert_error(api.patch(f"/v1/relations/{uuid.uuid4()}", {"note": "x"}), 404, "not_found", "id")
    assert_error(api.patch("/v1/relations/xyz", {"note": "x"}), 400, "invalid_id", "id")
    # Nothing above changed the relation.
    assert api.get(path).json() == rel


def test_delete_relation(api, two_claims):
    a, b = two_claims
    rel = api.create("/v1/relations", {"from_claim_id": a, "to_claim_id": b, "kind": "restates"})
    assert_deletes(api, f"/v1/relations/{rel['id']}", "123")


# ---------------------------------------------------------------- list

def test_list_filters(api, doc):
    a = make_claim(api, doc, "Alpha says one.")
    b = make_claim(api, doc, "Beta says two.")
    c = make_claim(api, doc, "Gamma says three.")
    actor = make_actor(api)
    ab = api.create("/v1/relations", {"from_claim_id": a, "to_claim_id": b, "kind": "refutes",
                                      "asserted_by_actor_id": actor})
    bc = api.create("/v1/relations", {"from_claim_id": b, "to_claim_id": c, "kind": "supports"})
    ca = api.create("/v1/relations", {"from_claim_id": c, "to_claim_id": a, "kind": "refutes"})

    def ids(**params):
        r = api.get("/v1/relations", params=params)
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()["items"]]

    assert ids(from_claim_id=a) == [ab["id"]]
    assert ids(to_claim_id=a) == [ca["id"]]
    assert ids(claim_id=a) == [ab["id"], ca["id"]]
    assert ids(claim_id=b, kind="supports") == [bc["id"]]
    assert ids(claim_id=c, kind="refutes") == [ca["id"]]
    assert ids(asserted_by_actor_id=actor) == [ab["id"]]
    assert ids(from_claim_id=a, to_claim_id=c) == []
    item = api.get("/v1/relations", params={"from_claim_id": a}).json()["items"][0]
    assert set(item) >= {"id", "from_claim_id", "to_claim_id", "kind", "note", "asserted_by_actor_id",
                         "annotator", "created_at", "updated_at", "created_by", "updated_by"}
    assert item["asserted_by_actor_id"] == actor and item["created_at"] == ab["created_at"]


def test_list_errors(api):
    err = assert_error(api.get("/v1/relations", params={"kind": "agrees"}), 400, "invalid_enum", "kind")
    assert err["allowed"] == RELATION_KINDS
    assert_error(api.get("/v1/relations", params={"claim_id": "x"}), 400, "invalid_uuid", "claim_id")
    assert_error(api.get("/v1/relations", params={"from_claim_id": "x"}), 400, "invalid_uuid", "from_claim_id")
    assert_error(api.get("/v1/relations", params={"document_id": str(uuid.uuid4())}), 400, "unknown_parameter",
                 "document_id")
    assert_error(api.get("/v1/relations", params={"limit": 0}), 400, "invalid_limit", "limit")
    assert_error(api.get("/v1/relations", params={"limit": 1001}), 400, "invalid_limit", "limit")
    assert_error(api.get("/v1/relations", params={"after": "garbage!"}), 400, "invalid_cursor", "after")


def test_list_pages_by_id(api, doc):
    hub = make_claim(api, doc, "Delta says four.")
    made = []
    for i in range(7):
        other = make_claim(api, None, f"page walk claim {i}")
        made.append(api.create("/v1/relations", {"from_claim_id": other, "to_claim_id": hub,
                                                 "kind": "refutes"})["id"])
    seen, after, pages = [], None, 0
    while True:
        params = {"to_claim_id": hub, "limit": 3}
        if after:
            params["after"] = after
        body = api.get("/v1/relations", params=params).json()
        seen += [x["id"] for x in body["items"]]
        pages += 1
        # A row added mid-walk (its id is larger) shows up on a later page.
        if pages == 1:
            other = make_claim(api, None, "added during the walk")
            made.append(api.create("/v1/relations", {"from_claim_id": other, "to_claim_id": hub,
                                                     "kind": "disputes"})["id"])
        after = body["next"]
        if after is None:
            break
    # Every row exactly once, in id order (ids made within one millisecond
    # need not follow creation order, so compare with the sorted ids).
    assert seen == sorted(made) and pages == 3


# ---------------------------------------------------------------- counterclaims

@pytest.fixture(scope="module")
def debate(api):
    """A finding in a report, rejected by two speakers in a press conference
    (another document), plus a claim the finding itself disputes and a
    supporting claim that is not a counterclaim."""
    report = make_document(api, "The assessment finds serious violations. The camps were voluntary, officials say.",
                           title="Assessment")
    presser = make_document(api, "Spokesperson: the so-called findings are lies. Another official: pure fabrication. "
                                 "An ally: we agree with the assessment.", title="Press conference")
    finding = make_claim(api, report, "serious violations", text="There are serious violations.")
    voluntary = make_claim(api, report, "The camps were voluntary", text="The camps were voluntary.")
    lies = make_claim(api, presser, "the so-called findings are lies")
    fabrication = make_claim(api, presser, "pure fabrication")
    agree = make_claim(api, presser, "we agree with the assessment")
    wang = make_actor(api, "Wang")
    zhao = make_actor(api, "Zhao")
    attribute(api, lies, wang, role="foreign ministry spokesperson", cue="said", mode="direct_quote")
    attribute(api, lies, zhao, role="deputy", cue="echoed", mode="endorsement")
    attribute(api, agree, zhao, role="ally", cue="said")
    rel_lies = api.create("/v1/relations", {"from_claim_id": lies, "to_claim_id": finding, "kind": "refutes"})
    rel_fab = api.create("/v1/relations", {"from_claim_id": fabrication, "to_claim_id": finding,
                                           "kind": "disputes"})
    rel_out = api.create("/v1/relations", {"from_claim_id": finding, "to_claim_id": voluntary,
                                           "kind": "disputes"})
    api.create("/v1/relations", {"from_claim_id": agree, "to_claim_id": finding, "kind": "supports"})
    return dict(report=report, presser=presser, finding=finding, voluntary=voluntary, lies=lies,
                fabrication=fabrication, wang=wang, zhao=zhao, rel_lies=rel_lies, rel_fab=rel_fab,
                rel_out=rel_out)


def test_counterclaims_across_two_documents(api, debate):
    d = debate
    r = api.get(f"/v1/claims/{d['finding']}/counterclaims")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["claim"] == {"id": d["finding"], "text": "There are serious violations."}
    items = body["items"]
    # Incoming first, then outgoing; within a direction by relation id. The
    # supporting claim is not a counterclaim.
    assert [(i["relation_id"], i["kind"], i["direction"]) for i in items] == [
        (d["rel_lies"]["id"], "refutes", "incoming"),
        (d["rel_fab"]["id"], "disputes", "incoming"),
        (d["rel_out"]["id"], "disputes", "outgoing"),
    ]
    lies, fab, out = items
    presser_text = d["presser"]["text"]
    start = presser_text.index("the so-called findings are lies")
    assert lies["claim"]["id"] == d["lies"]
    assert lies["claim"]["text"] == "the so-called findings are lies"
    assert lies["claim"]["document"] == {"id": d["presser"]["id"], "title": "Press conference"}
    assert lies["claim"]["target"]["start"] == start
    assert lies["claim"]["target"]["end"] == start + len("the so-called findings are lies")
    assert lies["claim"]["target"]["exact"] == "the so-called findings are lies"
    assert [{k: s[k] for k in ("id", "name", "role", "cue", "mode")} for s in lies["speakers"]] == [
        {"id": d["wang"], "name": "Wang", "role": "foreign ministry spokesperson", "cue": "said",
         "mode": "direct_quote"},
        {"id": d["zhao"], "name": "Zhao", "role": "deputy", "cue": "echoed", "mode": "endorsement"},
    ]
    assert fab["claim"]["id"] == d["fabrication"] and fab["speakers"] == []
    assert out["claim"]["id"] == d["voluntary"]
    assert out["claim"]["document"] == {"id": d["report"]["id"], "title": "Assessment"}


def test_counterclaims_seen_from_the_other_side(api, debate):
    d = debate
    body = api.get(f"/v1/claims/{d['lies']}/counterclaims").json()
    assert [(i["direction"], i["kind"], i["claim"]["id"]) for i in body["items"]] == [
        ("outgoing", "refutes", d["finding"])]
    assert body["items"][0]["claim"]["document"]["title"] == "Assessment"
    assert body["items"][0]["speakers"] == []


def test_counterclaims_of_a_claim_without_any(api, debate):
    lonely = make_claim(api, None, "Nobody disputes this.")
    assert api.get(f"/v1/claims/{lonely}/counterclaims").json() == {
        "claim": {"id": lonely, "text": "Nobody disputes this."}, "items": [], "next": None}


def test_counterclaims_page_keeping_their_shape(api, debate):
    target = make_claim(api, None, "Much disputed.")
    others = [make_claim(api, None, f"Rebuttal {i}.") for i in range(5)]
    for i, o in enumerate(others):
        api.create("/v1/relations", {"from_claim_id": o, "to_claim_id": target,
                                     "kind": "refutes" if i % 2 else "disputes"})
    whole = api.get(f"/v1/claims/{target}/counterclaims").json()
    assert whole["next"] is None and len(whole["items"]) == 5
    seen, after = [], None
    while True:
        params = {"limit": 2} | ({"after": after} if after else {})
        page = api.get(f"/v1/claims/{target}/counterclaims", params=params).json()
        assert page["claim"] == whole["claim"] and len(page["items"]) <= 2
        seen += page["items"]
        after = page["next"]
        if not after:
            break
    assert seen == whole["items"]
    assert_error(api.get(f"/v1/claims/{target}/counterclaims", params={"after": "bogus"}), 400, "invalid_cursor")
    assert_error(api.get(f"/v1/claims/{target}/counterclaims", params={"limit": 0}), 400, "invalid_limit")
    assert_error(api.get(f"/v1/claims/{target}/counterclaims", params={"x": 1}), 400, "unknown_parameter")


def test_counterclaim_without_span_or_document(api, debate):
    reported = make_claim(api, None, "Reportedly, nothing happened.")
    api.create("/v1/relations", {"from_claim_id": reported, "to_claim_id": debate["voluntary"],
                                 "kind": "refutes"})
    items = api.get(f"/v1/claims/{debate['voluntary']}/counterclaims").json()["items"]
    item = next(i for i in items if i["claim"]["id"] == reported)
    assert item["claim"]["document"] is None and item["claim"]["target"] is None


def test_counterclaims_errors(api):
    assert_error(api.get(f"/v1/claims/{uuid.uuid4()}/counterclaims"), 404, "not_found", "id")
    assert_error(api.get("/v1/claims/nope/counterclaims"), 400, "invalid_id", "id")
    r = api.post(f"/v1/claims/{uuid.uuid4()}/counterclaims", {})
    assert_error(r, 405, "method_not_allowed")
