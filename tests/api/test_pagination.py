"""Keyset pagination of the claim lists: every row exactly once, in a stable order,
even while rows are being added."""
import threading
import time

from conftest import assert_error, unique

TEXT = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho"


def walk(api, path, params, limit=7):
    """Follows "next" to the end; returns the items in order."""
    seen, after, pages = [], None, 0
    while True:
        r = api.get(path, params={**params, "limit": limit, "after": after})
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= limit
        seen += page["items"]
        pages += 1
        after = page["next"]
        if not after:
            return seen
        assert page["items"], "a cursor must not follow an empty page"
        assert pages < 10000


class Inserter(threading.Thread):
    """Creates claims until stopped (through its own connection)."""

    def __init__(self, api, body):
        super().__init__(daemon=True)
        import requests
        self.session = requests.Session()
        self.session.headers.update(api.s.headers)  # the same credentials
        base = api.base
        self.url = base + "/v1/claims"
        self.body = body
        self.stop = threading.Event()
        self.made = []
        self.errors = []

    def run(self):
        i = 0
        while not self.stop.is_set() and i < 2000:
            body = self.body(i)
            r = self.session.post(self.url, json=body)
            if r.status_code != 201:
                self.errors.append(r.text)
                return
            self.made.append(r.json()["id"])
            i += 1


def spans(i):
    starts = [TEXT.index(w) for w in TEXT.split()]
    start = starts[(i * 5) % len(starts)]
    return {"start": start, "end": start + 2}


def test_claims_walk_under_concurrent_inserts(api):
    annotator = unique("walker")
    before = [api.create("/v1/claims", {"text": f"claim {i}", "annotator": annotator})["id"] for i in range(60)]
    inserter = Inserter(api, lambda i: {"text": f"new {i}", "annotator": annotator})
    inserter.start()
    try:
        while len(inserter.made) < 3 and inserter.is_alive():
            time.sleep(0.005)
        seen = [item["id"] for item in walk(api, "/v1/claims", {"annotator": annotator})]
    finally:
        inserter.stop.set()
        inserter.join(30)
    assert not inserter.errors, inserter.errors[:1]
    assert inserter.made, "the inserter made nothing while the walk ran"
    assert len(seen) == len(set(seen)), "a row appeared twice"
    assert seen == sorted(seen), "ids must come in ascending order"
    assert set(before) <= set(seen), "a pre-existing row was skipped"
    # The walk is a consistent prefix: what it saw of the new rows plus everything before them.
    assert set(seen) <= set(before) | set(inserter.made)


def test_document_walk_under_concurrent_inserts(api):
    doc = api.create("/v1/documents", {"title": unique("walk"), "text": TEXT})

    def body(i):
        if i % 4 == 3:
            return {"document_id": doc["id"], "text": f"unanchored {i}"}
        return {"document_id": doc["id"], "target": spans(i)}

    before = [api.create("/v1/claims", body(i))["id"] for i in range(50)]
    inserter = Inserter(api, lambda i: body(i + 1))
    inserter.start()
    try:
        while len(inserter.made) < 3 and inserter.is_alive():
            time.sleep(0.005)
        items = walk(api, f"/v1/documents/{doc['id']}/claims", {})
        by_id = walk(api, "/v1/claims", {"document_id": doc["id"]}, limit=9)
    finally:
        inserter.stop.set()
        inserter.join(30)
    assert not inserter.errors, inserter.errors[:1]
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    assert set(before) <= set(ids)
    # Text order: (start, id), the claims without a span after the others, by id.
    keys = [(i["target"] is None, i["target"]["start"] if i["target"] else 0, i["id"]) for i in items]
    assert keys == sorted(keys)
    assert any(i["target"] is None for i in items)
    other = [i["id"] for i in by_id]
    assert len(other) == len(set(other)) and other == sorted(other) and set(before) <= set(other)


def test_limits_and_cursors(api):
    annotator = unique("limits")
    made = sorted(api.create("/v1/claims", {"text": f"c{i}", "annotator": annotator})["id"] for i in range(5))
    page = api.get("/v1/claims", params={"annotator": annotator, "limit": 5}).json()
    assert [i["id"] for i in page["items"]] == made and page["next"] is None
    page = api.get("/v1/claims", params={"annotator": annotator, "limit": 4}).json()
    assert [i["id"] for i in page["items"]] == made[:4] and page["next"]
    rest = api.get("/v1/claims", params={"annotator": annotator, "after": page["next"]}).json()
    assert [i["id"] for i in rest["items"]] == made[4:] and rest["next"] is None
    assert len(api.get("/v1/claims", params={"limit": 1000}).json()["items"]) <= 1000
    default = api.get("/v1/claims").json()
    assert len(default["items"]) <= 50
    # A cursor of the document list (two values) is not a cursor of the claim list (one).
    doc = api.create("/v1/documents", {"title": unique("d"), "text": TEXT})
    for i in range(3):
        api.create("/v1/claims", {"document_id": doc["id"], "target": spans(i)})
    doc_cursor = api.get(f"/v1/documents/{doc['id']}/claims", params={"limit": 1}).json()["next"]
    assert_error(api.get("/v1/claims", params={"after": doc_cursor}), 400, "invalid_cursor", "after")
    claim_cursor = page["next"]
    assert_error(api.get(f"/v1/documents/{doc['id']}/claims", params={"after": claim_cursor}), 400,
                 "invalid_cursor", "after")
