"""/v1/sources and citations: sources CRUD and lists; citing a source from a claim, with spans."""
import pytest

from conftest import assert_error, pages, unique

MISSING = "01900000-0000-7000-8000-00000000beef"

CJK_TEXT = ("外交部发言人汪文斌表示，所谓“强迫劳动”是彻头彻尾的谎言。"
            "根据《新疆的劳动就业保障》白皮书，😀 各族群众的劳动权利得到保障。"
            "白皮书第三节指出，就业人数持续增长。")

AMBIGUOUS_TEXT = ("The report says growth was 5%. Officials say growth was 5%. "
                  "Analysts doubt that growth was 5%.")


def make_project(cluster):
    slug = unique("p").lower()
    return cluster.psql(f"INSERT INTO projects (slug, name) VALUES ('{slug}', '{slug}') RETURNING id")


def make_claim(api, cluster, document_id=None, project_id=None):
    """A claim (of a document, spanless when possible) through the API when it exists, else by SQL."""
    body = {"text": "a claim"}
    if document_id:
        body["document_id"] = document_id
    if project_id:
        body["project_id"] = project_id
    r = api.post("/v1/claims", body)
    if r.status_code in (404, 405):
        doc = f"'{document_id}'" if document_id else "NULL"
        project = f"'{project_id}'" if project_id else "DEFAULT"
        return cluster.psql(f"INSERT INTO claims (document_id, project_id, text) VALUES ({doc}, {project},"
                            " 'a claim') RETURNING id")
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.fixture
def source(api):
    return api.create("/v1/sources", {"title": unique("source"), "kind": "report"})


# ---------------------------------------------------------------- sources

def test_create_and_get_source(api):
    publisher = api.create("/v1/actors", {"name": unique("ASPI"), "kind": "organisation"})
    document = api.create("/v1/documents", {"title": "report text", "text": "full text of the report"})
    body = {"title": "Uyghurs for sale", "kind": "report", "url": "https://example.org/report",
            "publisher_actor_id": publisher["id"], "published_at": "2020-03-01",
            "document_id": document["id"], "annotator": "tester"}
    r = api.post("/v1/sources", body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert r.headers["Location"] == f"/v1/sources/{created['id']}"
    for key, value in body.items():
        assert created[key] == value
    assert set(created) == {"id", "rev", "project_id", "title", "kind", "url", "publisher_actor_id", "published_at",
                            "document_id", "annotator", "created_at", "updated_at", "created_by", "updated_by"}
    got = api.get(f"/v1/sources/{created['id']}").json()
    assert got.pop("publisher") == {"id": publisher["id"], "name": publisher["name"]}
    assert got.pop("citation_count") == 0
    assert got == created


def test_source_defaults(api):
    created = api.create("/v1/sources", {"title": "bare"})
    assert created["kind"] == "other" and created["url"] is None
    assert created["publisher_actor_id"] is None and created["document_id"] is None
    assert api.get(f"/v1/sources/{created['id']}").json()["publisher"] is None


@pytest.mark.parametrize("body, status, code, field", [
    ({"title": "x", "pages": 3}, 400, "unknown_field", "pages"),
    ({"kind": "report"}, 400, "missing_field", "title"),
    ({"title": None}, 400, "invalid_type", "title"),
    ({"title": ""}, 422, None, "title"),
    ({"title": "x", "published_at": "March 2020"}, 400, "invalid_date", "published_at"),
    ({"title": "x", "publisher_actor_id": "abc"}, 400, "invalid_uuid", "publisher_actor_id"),
    ({"title": "x", "publisher_actor_id": MISSING}, 422, "unknown_reference", "publisher_actor_id"),
    ({"title": "x", "document_id": MISSING}, 422, "unknown_reference", "document_id"),
    ({"title": "x", "project_id": MISSING}, 422, "unknown_reference", "project_id"),
])
def test_create_source_errors(api, body, status, code, field):
    assert_error(api.post("/v1/sources", body), status, code, field)


def test_bad_source_kind_lists_allowed(api):
    err = assert_error(api.post("/v1/sources", {"title": "x", "kind": "rumour"}), 400, "invalid_enum", "kind")
    assert err["allowed"] == ["report", "statement", "article", "statistic", "testimony", "law", "dataset",
                              "other"]


def test_publisher_of_another_project_is_422(api, cluster):
    project = make_project(cluster)
    foreign = api.create("/v1/actors", {"name": unique("foreign"), "project_id": project})
    assert_error(api.post("/v1/sources", {"title": "x", "publisher_actor_id": foreign["id"]}), 422,
                 "unknown_reference", "publisher_actor_id")
    ok = api.create("/v1/sources", {"title": "x", "publisher_actor_id": foreign["id"], "project_id": project})
    assert ok["project_id"] == project


def test_get_source_errors(api):
    assert_error(api.get("/v1/sources/12"), 400, "invalid_id", "id")
    assert_error(api.get(f"/v1/sources/{MISSING}"), 404, "not_found", "id")


def test_list_sources_filters_and_walk(api):
    publisher = api.create("/v1/actors", {"name": unique("pub")})
    document = api.create("/v1/documents", {"title": "d", "text": "source text"})
    made = [api.create("/v1/sources", {"title": f"s{i}", "kind": "statement" if i % 2 else "law",
                                       "publisher_actor_id": publisher["id"]})["id"] for i in range(6)]
    with_doc = api.create("/v1/sources", {"title": "with doc", "document_id": document["id"]})

    walked = list(pages(api, "/v1/sources", {"publisher_actor_id": publisher["id"], "limit": 2}))
    assert all(len(body["items"]) <= 2 for body in walked)
    assert [i["id"] for body in walked for i in body["items"]] == sorted(made) and len(walked) == 3  # in id order

    items = api.get("/v1/sources", params={"publisher_actor_id": publisher["id"], "kind": "law"}).json()["items"]
    assert [i["id"] for i in items] == sorted(made[0::2])
    full = api.get(f"/v1/sources/{items[0]['id']}").json()
    del full["publisher"], full["citation_count"]
    assert items[0] == full  # list items have the shape of the object
    items = api.get("/v1/sources", params={"document_id": document["id"]}).json()["items"]
    assert [i["id"] for i in items] == [with_doc["id"]]
    items = api.get("/v1/sources", params={"project_id": "00000000-0000-7000-8000-000000000001",
                                           "limit": 1000}).json()["items"]
    assert set(made) <= {i["id"] for i in items}


def test_list_sources_errors(api):
    assert_error(api.get("/v1/sources", params={"title": "x"}), 400, "unknown_parameter", "title")
    err = assert_error(api.get("/v1/sources", params={"kind": "rumour"}), 400, "invalid_enum", "kind")
    assert "law" in err["allowed"]
    assert_error(api.get("/v1/sources", params={"publisher_actor_id": "x"}), 400, "invalid_uuid",
                 "publisher_actor_id")
    assert_error(api.get("/v1/sources", params={"document_id": "x"}), 400, "invalid_uuid", "document_id")
    assert_error(api.get("/v1/sources", params={"limit": "x"}), 400, "invalid_limit", "limit")
    assert_error(api.get("/v1/sources", params={"after": "%%%"}), 400, "invalid_cursor", "after")


def test_patch_source(api, source):
    publisher = api.create("/v1/actors", {"name": unique("pub")})
    r = api.patch(f"/v1/sources/{source['id']}", {"kind": "statistic", "publisher_actor_id": publisher["id"],
                                                  "published_at": "2021-01-02", "url": "https://x.org"})
    assert r.status_code == 200, r.text
    patched = r.json()
    assert patched["title"] == source["title"] and patched["kind"] == "statistic"
    assert patched["publisher_actor_id"] == publisher["id"] and patched["published_at"] == "2021-01-02"
    r = api.patch(f"/v1/sources/{source['id']}", {"publisher_actor_id": None, "url": None})
    assert r.json()["publisher_actor_id"] is None and r.json()["url"] is None


def test_patch_source_errors(api, source):
    path = f"/v1/sources/{source['id']}"
    assert_error(api.patch(path, {"title": None}), 400, "invalid_type", "title")
    assert_error(api.patch(path, {"kind": "rumour"}), 400, "invalid_enum", "kind")
    assert_error(api.patch(path, {"nope": 1}), 400, "unknown_field", "nope")
    assert_error(api.patch(path, {"publisher_actor_id": MISSING}), 422, "unknown_reference", "publisher_actor_id")
    assert_error(api.patch(path, {"project_id": MISSING}), 409, "immutable", "project_id")
    assert_error(api.patch(f"/v1/sources/{MISSING}", {"title": "x"}), 404, "not_found", "id")
    assert api.get(path).json()["title"] == source["title"]


def test_delete_source(api, source):
    assert api.delete(f"/v1/sources/{source['id']}").status_code == 204
    assert_error(api.get(f"/v1/sources/{source['id']}"), 404)
    assert_error(api.delete(f"/v1/sources/{source['id']}"), 404, "not_found", "id")
    assert_error(api.delete("/v1/sources/1"), 400, "invalid_id", "id")


def test_delete_cited_source_is_409(api, cluster, source):
    claim = make_claim(api, cluster)
    citation = api.create(f"/v1/claims/{claim}/citations", {"source_id": source["id"]})
    assert_error(api.delete(f"/v1/sources/{source['id']}"), 409, "still_referenced")
    assert api.delete(f"/v1/citations/{citation['id']}").status_code == 204
    assert api.delete(f"/v1/sources/{source['id']}").status_code == 204


# ---------------------------------------------------------------- citations

def test_citation_without_span(api, cluster, source):
    claim = make_claim(api, cluster)
    r = api.post(f"/v1/claims/{claim}/citations", {"source_id": source["id"], "locator": "para. 148",
                                                   "annotator": "tester"})
    assert r.status_code == 201, r.text
    citation = r.json()
    assert r.headers["Location"] == f"/v1/citations/{citation['id']}"
    assert citation["claim_id"] == claim and citation["source_id"] == source["id"]
    assert citation["locator"] == "para. 148" and citation["span"] is None
    assert citation["annotator"] == "tester"
    assert citation["source"] == {"id": source["id"], "title": source["title"], "kind": "report"}
    assert api.get(f"/v1/citations/{citation['id']}").json() == citation
    assert api.get(f"/v1/sources/{source['id']}").json()["citation_count"] == 1


def test_citation_span_in_cjk_document(api, cluster, source):
    document = api.create("/v1/documents", {"title": "cjk", "text": CJK_TEXT})
    claim = make_claim(api, cluster, document["id"])
    quote = "《新疆的劳动就业保障》白皮书"
    start = CJK_TEXT.index(quote)
    r = api.post(f"/v1/claims/{claim}/citations", {"source_id": source["id"], "span": {"exact": quote}})
    assert r.status_code == 201, r.text
    span = r.json()["span"]
    assert span["start"] == start and span["end"] == start + len(quote) and span["exact"] == quote
    assert span["prefix"] == CJK_TEXT[max(0, start - 32):start]
    assert span["suffix"] == CJK_TEXT[start + len(quote):start + len(quote) + 32]

    # By offsets, past a character outside the BMP (one code point, not two).
    quote2 = "就业人数持续增长"
    s2 = CJK_TEXT.index(quote2)
    r = api.post(f"/v1/claims/{claim}/citations", {"source_id": source["id"],
                                                   "span": {"start": s2, "end": s2 + len(quote2)}})
    assert r.status_code == 201, r.text
    assert r.json()["span"]["exact"] == quote2
    assert api.get(f"/v1/citations/{r.json()['id']}").json()["span"] == r.json()["span"]


def test_citation_ambiguous_quote_lists_candidates(api, cluster, source):
    document = api.create("/v1/documents", {"title": "amb", "text": AMBIGUOUS_TEXT})
    claim = make_claim(api, cluster, document["id"])
    path = f"/v1/claims/{claim}/citations"
    err = assert_error(api.post(path, {"source_id": source["id"], "span": {"exact": "growth was 5%"}}), 422,
                       field="span")
    assert err["occurrences"] == 3
    starts = [c["start"] for c in err["candidates"]]
    assert starts == [i for i in range(len(AMBIGUOUS_TEXT)) if AMBIGUOUS_TEXT.startswith("growth was 5%", i)]
    # Context picks one.
    r = api.post(path, {"source_id": source["id"], "span": {"exact": "growth was 5%", "prefix": "Officials say "}})
    assert r.status_code == 201, r.text
    assert r.json()["span"]["start"] == starts[1]
    # Not found, out of range, mismatch.
    assert_error(api.post(path, {"source_id": source["id"], "span": {"exact": "growth was 6%"}}), 422, field="span")
    assert_error(api.post(path, {"source_id": source["id"], "span": {"start": 0, "end": 10_000}}), 422,
                 field="span")
    assert_error(api.post(path, {"source_id": source["id"], "span": {"start": 0, "end": 3, "exact": "xyz"}}), 422,
                 field="span")
    assert_error(api.post(path, {"source_id": source["id"], "span": {"start": 0}}), 400, field="span.end")
    assert_error(api.post(path, {"source_id": source["id"], "span": {"quote": "x"}}), 400, "unknown_field",
                 "span.quote")
    assert_error(api.post(path, {"source_id": source["id"], "span": "growth"}), 400, "invalid_type", "span")
    assert api.get(f"/v1/claims/{claim}/citations").json()["items"] == [r.json()]


def test_span_on_claim_without_document_is_422(api, cluster, source):
    claim = make_claim(api, cluster)
    assert_error(api.post(f"/v1/claims/{claim}/citations", {"source_id": source["id"], "span": {"exact": "x"}}),
                 422, field="span")
    # A null span is just no span.
    r = api.post(f"/v1/claims/{claim}/citations", {"source_id": source["id"], "span": None})
    assert r.status_code == 201 and r.json()["span"] is None


def test_create_citation_errors(api, cluster, source):
    claim = make_claim(api, cluster)
    path = f"/v1/claims/{claim}/citations"
    assert_error(api.post(path, {}), 400, "missing_field", "source_id")
    assert_error(api.post(path, {"source_id": source["id"], "page": 3}), 400, "unknown_field", "page")
    assert_error(api.post(path, {"source_id": "abc"}), 400, "invalid_uuid", "source_id")
    assert_error(api.post(path, {"source_id": source["id"], "locator": 5}), 400, "invalid_type", "locator")
    assert_error(api.post(path, {"source_id": MISSING}), 422, "unknown_reference", "source_id")
    assert_error(api.post(f"/v1/claims/{MISSING}/citations", {"source_id": source["id"]}), 404, "not_found", "id")
    assert_error(api.post("/v1/claims/xyz/citations", {"source_id": source["id"]}), 400, "invalid_id", "id")
    assert api.get(path).json() == {"items": [], "next": None}


def test_citing_a_source_of_another_project_is_422(api, cluster):
    project = make_project(cluster)
    foreign = api.create("/v1/sources", {"title": "elsewhere", "project_id": project})
    claim = make_claim(api, cluster)
    assert_error(api.post(f"/v1/claims/{claim}/citations", {"source_id": foreign["id"]}), 422,
                 "unknown_reference", "source_id")
    own_claim = make_claim(api, cluster, project_id=project)
    cited = api.create(f"/v1/claims/{own_claim}/citations", {"source_id": foreign["id"]})
    assert cited["project_id"] == project


def test_list_claim_citations_walk(api, cluster, source):
    claim = make_claim(api, cluster)
    other = api.create("/v1/sources", {"title": "second", "kind": "law"})
    made = [api.create(f"/v1/claims/{claim}/citations",
                       {"source_id": (source if i % 2 else other)["id"], "locator": f"p. {i}"})
            for i in range(5)]
    walked = list(pages(api, f"/v1/claims/{claim}/citations", {"limit": 2}))
    seen = [i for body in walked for i in body["items"]]
    assert seen == sorted(made, key=lambda c: c["id"]) and len(walked) == 3  # list items have the shape of the object, source included
    assert_error(api.get(f"/v1/claims/{MISSING}/citations"), 404, "not_found", "id")
    assert_error(api.get("/v1/claims/q/citations"), 400, "invalid_id", "id")
    assert_error(api.get(f"/v1/claims/{claim}/citations", params={"kind": "x"}), 400, "unknown_parameter", "kind")
    assert_error(api.get(f"/v1/claims/{claim}/citations", params={"after": "!!"}), 400, "invalid_cursor")


def test_get_and_delete_citation(api, cluster, source):
    claim = make_claim(api, cluster)
    citation = api.create(f"/v1/claims/{claim}/citations", {"source_id": source["id"]})
    assert_error(api.get("/v1/citations/abc"), 400, "invalid_id", "id")
    assert_error(api.get(f"/v1/citations/{MISSING}"), 404, "not_found", "id")
    assert api.delete(f"/v1/citations/{citation['id']}").status_code == 204
    assert_error(api.get(f"/v1/citations/{citation['id']}"), 404, "not_found")
    assert_error(api.delete(f"/v1/citations/{citation['id']}"), 404, "not_found", "id")
    assert_error(api.delete("/v1/citations/abc"), 400, "invalid_id", "id")
