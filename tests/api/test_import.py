"""POST /v1/import and `claimdb import`: validation of every line, all or
nothing, idempotence by id, dry runs, updates, streaming."""
import json
import os
import subprocess
import time
import uuid

import pytest
import requests

from conftest import BIN, ROOT, Server, assert_error
from transfer_data import DEFAULT_PROJECT, TRICKY_TEXT, big_dataset, line, small_dataset, uid

FIXTURE = os.path.join(ROOT, "fixtures", "claimdb.ndjson")


@pytest.fixture(scope="module")
def fresh(cluster):
    """A server of its own on an empty database."""
    url = cluster.create_database("imp_" + uuid.uuid4().hex[:10])
    s = Server(url).start()
    s.url = url
    yield s
    assert s.stop() == 0, s.read_log()[-3000:]


def post(server, body, **params):
    return requests.post(server.base + "/v1/import", data=body, params=params, timeout=300, headers=server.auth)


def counts(r):
    assert r.status_code == 200, r.text
    return r.json()["counts"]


def test_import_small_dataset_then_again_unchanged(fresh):
    ids, lines = small_dataset()
    body = "".join(lines).encode()
    c = counts(post(fresh, body))
    assert c["claim"] == {"inserted": 4, "updated": 0, "unchanged": 0}
    assert c["attribution"]["inserted"] == 3 and c["citation"]["inserted"] == 1
    again = counts(post(fresh, body))
    for t, n in again.items():
        assert n["inserted"] == 0 and n["updated"] == 0, (t, n)
    assert again["claim"]["unchanged"] == 4 and again["actor"]["unchanged"] == 2

    doc = requests.get(f"{fresh.base}/v1/documents/{ids['doc']}", headers=fresh.auth).json()
    assert doc["text"] == TRICKY_TEXT and doc["created_at"].startswith("2026-01-01T00:00:00")
    # spans were resolved against the text: quote → offsets and offsets → quote
    rows = fresh_claims(fresh, ids["doc"])
    assert rows[ids["c1"]] == (0, 12, 'He said "no"')
    start = TRICKY_TEXT.index("你好")
    assert rows[ids["c2"]] == (start, start + 2, "你好")
    start = TRICKY_TEXT.index("𝄞 music")
    assert rows[ids["c3"]] == (start, start + 7, "𝄞 music")


def fresh_claims(server, doc_id):
    out = subprocess.run(["psql", server.url, "-XAtq", "-F", "\t", "-c",
                          f"SELECT id, start, \"end\", exact FROM claims WHERE document_id = '{doc_id}'"],
                         check=True, capture_output=True, text=True).stdout
    return {r.split("\t")[0]: (int(r.split("\t")[1]), int(r.split("\t")[2]), r.split("\t", 3)[3])
            for r in out.splitlines() if r}


def row_count(server, table):
    return int(subprocess.run(["psql", server.url, "-XAtqc", f"SELECT count(*) FROM {table}"],
                              check=True, capture_output=True, text=True).stdout)


def test_bad_lines_are_all_listed_and_nothing_is_written(fresh):
    doc, c_ok, c_bad = uid(), uid(), uid()
    before = row_count(fresh, "documents"), row_count(fresh, "claims")
    body = "".join([
        line({"type": "document", "id": doc, "title": "T", "text": "alpha beta alpha"}),
        line({"type": "claim", "id": c_ok, "document_id": doc, "target": {"exact": "beta"}}),
        line({"type": "claim", "id": c_bad, "document_id": doc, "target": {"exact": "alpha"}}),  # ambiguous
        line({"type": "actor", "id": uid(), "name": "X", "kind": "wizard"}),                    # bad enum
        "this is not json\n",
    ])
    r = post(fresh, body.encode())
    err = assert_error(r, 422, "invalid_lines")
    got = [(e["line"], e.get("field"), e["code"]) for e in err["lines"]]
    assert got == [(3, "target", "ambiguous_quote"), (4, "kind", "invalid_enum"), (5, None, "invalid_json")], got
    assert err["lines"][0]["id"] == c_bad and err["lines"][0]["type"] == "claim"
    assert err["invalid"] == 3
    assert (row_count(fresh, "documents"), row_count(fresh, "claims")) == before


def test_two_bad_lines(fresh):
    ok, lines = uid(), []
    lines.append(line({"type": "actor", "id": ok, "name": "Fine"}))
    lines.append(line({"type": "actor", "id": "not-a-uuid", "name": "Bad id"}))
    lines.append(line({"type": "claim", "id": uid(), "text": "x", "frobnicate": 1}))
    err = assert_error(post(fresh, "".join(lines).encode()), 422, "invalid_lines")
    assert [(e["line"], e["field"], e["code"]) for e in err["lines"]] == [
        (2, "id", "invalid_uuid"), (3, "frobnicate", "unknown_field")]
    assert requests.get(f"{fresh.base}/v1/actors/{ok}", headers=fresh.auth).status_code in (404, 405)


def test_references_are_checked_by_line(fresh):
    missing = uid()
    claim = uid()
    body = "".join([
        line({"type": "claim", "id": claim, "text": "floating"}),
        line({"type": "relation", "id": uid(), "from_claim_id": claim, "to_claim_id": missing, "kind": "refutes"}),
        line({"type": "attribution", "id": uid(), "claim_id": claim, "actor_id": missing}),
    ]).encode()
    err = assert_error(post(fresh, body), 422, "invalid_lines")
    assert [(e["line"], e["field"], e["code"]) for e in err["lines"]] == [
        (2, "to_claim_id", "unknown_reference"), (3, "actor_id", "unknown_reference")]


def test_checks_over_the_whole_file_name_every_line(fresh):
    """The checks that see several lines at once (repeated ids and unique
    keys, in the file or against stored rows; references into another
    project) report each offending line, in line order."""
    project, other, slug = uid(), uid(), "p-" + uuid.uuid4().hex[:12]
    stored_doc, ext = uid(), "ext-" + uuid.uuid4().hex[:8]
    assert counts(post(fresh, line({"type": "document", "id": stored_doc, "title": "S", "text": "stored",
                                    "external_id": ext}).encode()))["document"]["inserted"] == 1
    actor, d1, d2, c1, c2 = uid(), uid(), uid(), uid(), uid()
    relation = {"type": "relation", "from_claim_id": c1, "to_claim_id": c2, "kind": "refutes"}
    body = "".join([
        line({"type": "project", "id": project, "slug": slug, "name": "P"}),
        line({"type": "project", "id": other, "slug": slug, "name": "Q"}),                   # 2 slug again
        line({"type": "actor", "id": actor, "name": "A"}),
        line({"type": "actor", "id": actor, "name": "A"}),                                   # 4 id again
        line({"type": "document", "id": d1, "title": "D", "text": "one two", "external_id": "x"}),
        line({"type": "document", "id": d2, "title": "E", "text": "three", "external_id": "x"}),  # 6
        line({"type": "document", "id": uid(), "title": "F", "text": "four", "external_id": ext}),  # 7 stored
        line({"type": "document", "id": uid(), "title": "G", "text": "five", "external_id": "x",
              "project_id": project}),                                                       # another project: fine
        line({"type": "claim", "id": c1, "text": "c1"}),
        line({"type": "claim", "id": c2, "text": "c2"}),
        line(dict(relation, id=uid())),
        line(dict(relation, id=uid())),                                                      # 12 same triple
        line({"type": "claim", "id": uid(), "project_id": project, "document_id": d1,
              "target": {"start": 0, "end": 3, "exact": "one"}}),                            # 13 other project's doc
    ]).encode()
    err = assert_error(post(fresh, body), 422, "invalid_lines")
    got = [(e["line"], e["field"], e["code"]) for e in err["lines"]]
    assert got == [(2, "slug", "conflict"), (4, "id", "duplicate_id"), (6, "external_id", "conflict"),
                   (7, "external_id", "conflict"), (12, "kind", "conflict"),
                   (13, "document_id", "unknown_reference")], got
    assert err["lines"][1]["message"] == "this id is already on line 3"
    assert row_count(fresh, f"projects WHERE slug = '{slug}'") == 0


def test_dry_run_validates_without_writing(fresh):
    actor = uid()
    body = line({"type": "actor", "id": actor, "name": "Dry"}).encode()
    r = post(fresh, body, dry_run="true")
    assert r.status_code == 200 and r.json()["dry_run"] is True
    assert r.json()["counts"]["actor"]["inserted"] == 1
    assert subprocess.run(["psql", fresh.url, "-XAtqc", f"SELECT count(*) FROM actors WHERE id = '{actor}'"],
                          capture_output=True, text=True).stdout.strip() == "0"
    bad = line({"type": "actor", "id": actor}).encode()
    assert_error(post(fresh, bad, dry_run="true"), 422, "invalid_lines")


def test_conflict_then_on_conflict_update(fresh):
    actor = uid()
    first = {"type": "actor", "id": actor, "name": "Before", "created_at": "2025-05-05T05:05:05Z"}
    assert counts(post(fresh, line(first).encode()))["actor"]["inserted"] == 1
    changed = dict(first, name="After")
    err = assert_error(post(fresh, line(changed).encode()), 422, "invalid_lines")
    assert err["lines"][0]["code"] == "conflict" and err["lines"][0]["line"] == 1
    c = counts(post(fresh, line(changed).encode(), on_conflict="update"))
    assert c["actor"] == {"inserted": 0, "updated": 1, "unchanged": 0}
    c = counts(post(fresh, line(changed).encode(), on_conflict="update"))
    assert c["actor"] == {"inserted": 0, "updated": 0, "unchanged": 1}
    name = subprocess.run(["psql", fresh.url, "-XAtqc", f"SELECT name, created_at FROM actors WHERE id = '{actor}'"],
                          capture_output=True, text=True).stdout.strip()
    assert name.startswith("After|2025-05-05 05:05:05")


def test_document_text_is_immutable_even_with_update(fresh):
    doc = uid()
    counts(post(fresh, line({"type": "document", "id": doc, "title": "t", "text": "one"}).encode()))
    err = assert_error(post(fresh, line({"type": "document", "id": doc, "title": "t", "text": "two"}).encode(),
                            on_conflict="update"), 422, "invalid_lines")
    assert any(e["field"] == "text" and e["code"] == "immutable" for e in err["lines"])


def test_claims_may_anchor_on_documents_already_stored(fresh):
    doc = uid()
    counts(post(fresh, line({"type": "document", "id": doc, "title": "t", "text": "stored first, quoted later"}).encode()))
    c = uid()
    r = post(fresh, line({"type": "claim", "id": c, "document_id": doc, "target": {"exact": "quoted"}}).encode())
    assert counts(r)["claim"]["inserted"] == 1
    assert fresh_claims(fresh, doc)[c] == (14, 20, "quoted")


def test_bad_query_parameters(fresh):
    assert_error(post(fresh, b"", on_conflict="maybe"), 400, "invalid_enum", "on_conflict")
    assert_error(post(fresh, b"", bogus="1"), 400, "unknown_parameter")
    assert_error(post(fresh, b"", dry_run="perhaps"), 400, "invalid_boolean")


def test_header_checks(fresh):
    body = line({"type": "header", "format": "claimdb-ndjson", "version": 2}).encode()
    err = assert_error(post(fresh, body), 422, "invalid_lines")
    assert err["lines"][0]["code"] == "unsupported_version"


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for l in f:
            if l.startswith("VmRSS:"):
                return int(l.split()[1])
    return 0


def test_streaming_import_of_20k_claims_keeps_memory_bounded(fresh):
    n = 20000
    before = rss_kb(fresh.proc.pid)
    started = time.time()
    r = requests.post(fresh.base + "/v1/import", data=big_dataset(n), timeout=600, headers=fresh.auth)  # chunked upload
    elapsed = time.time() - started
    c = counts(r)
    assert c["claim"]["inserted"] == n and c["attribution"]["inserted"] == n
    grown_mb = (rss_kb(fresh.proc.pid) - before) / 1024
    print(f"\nimport: {2 * n + 21} records in {elapsed:.2f} s = {(2 * n + 21) / elapsed:.0f} records/s,"
          f" server RSS grew {grown_mb:.1f} MB")
    # The body is ~6 MB; what the server keeps is the claim→document map
    # and the texts it anchors against, far below the body.
    if "ASAN_OPTIONS" not in os.environ:  # AddressSanitizer's quarantine keeps freed memory resident
        assert grown_mb < 64


@pytest.mark.skipif(not os.path.exists(FIXTURE), reason="fixtures/claimdb.ndjson not written yet")
def test_cli_imports_the_fixture_and_every_quote_matches_its_offsets(cluster):
    url = cluster.create_database("fix_" + uuid.uuid4().hex[:10])
    subprocess.run([BIN, "migrate"], env=dict(os.environ, DATABASE_URL=url), check=True, capture_output=True)
    out = subprocess.run([BIN, "import", FIXTURE], env=dict(os.environ, DATABASE_URL=url),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout)  # JSON alone on stdout: `claimdb import F | jq` works
    assert report["file"] == FIXTURE and report["status"] == 200
    with open(FIXTURE) as f:
        n_claims = sum(1 for l in f if json.loads(l)["type"] == "claim")
    assert report["counts"]["claim"]["inserted"] == n_claims
    bad = subprocess.run(["psql", url, "-XAtqc",
                          "SELECT count(*) FROM claims c JOIN documents d ON d.id = c.document_id"
                          " WHERE c.start IS NOT NULL AND substr(d.text, c.start + 1, c.\"end\" - c.start) <> c.exact"],
                         check=True, capture_output=True, text=True).stdout.strip()
    assert bad == "0"
    anchored = subprocess.run(["psql", url, "-XAtqc", "SELECT count(*) FROM claims WHERE start IS NOT NULL"],
                              check=True, capture_output=True, text=True).stdout.strip()
    assert int(anchored) > 0
    # a second import changes nothing
    again = subprocess.run([BIN, "import", FIXTURE], env=dict(os.environ, DATABASE_URL=url),
                           capture_output=True, text=True)
    assert again.returncode == 0
    for t, n in json.loads(again.stdout)["counts"].items():
        assert n["inserted"] == 0 and n["updated"] == 0, (t, n)


def test_every_problem_of_a_line_is_listed(fresh):
    """Issue 12, part 8, for the import: a line with several bad fields lists each of them
    (the API's "errors"), each naming its field; "invalid" counts problems."""
    doc = uid()
    lines = [line({"type": "actor", "id": uid(), "name": "X", "kind": "wizard", "colour": 1, "aliases": "a"}),
             line({"type": "document", "id": doc, "title": "T", "text": "y"}),
             line({"type": "claim", "id": uid(), "document_id": doc, "target": {"exact": "y", "colour": 2,
                                                                                  "start": "0"}})]
    err = assert_error(post(fresh, "".join(lines).encode()), 422, "invalid_lines")
    assert [(e["line"], e["field"], e["code"]) for e in err["lines"]] == [
        (1, "kind", "invalid_enum"), (1, "colour", "unknown_field"), (1, "aliases", "invalid_type"),
        (3, "target.colour", "unknown_field"), (3, "target.start", "invalid_type")], err["lines"]
    assert err["invalid"] == 5 and "5 problems" in err["message"]


def test_codebook_records_come_back_and_strict_tags_hold(fresh):
    """Issue 12: codebook records are imported (before claims), and in a project with
    settings.strict_tags an imported claim with a tag its codebook lacks (stored, or in the
    file) is refused on its line with the API's error and suggestions; all or nothing."""
    h = fresh.auth
    slug = "strict-" + uid()[:8]
    pid = requests.post(fresh.base + "/v1/projects", json={"slug": slug, "name": slug}, headers=h).json()["id"]
    r = requests.patch(f"{fresh.base}/v1/projects/{pid}", json={"settings": {"strict_tags": True}}, headers=h)
    assert r.status_code == 200, r.text
    r = requests.post(fresh.base + "/v1/codebook", params={"project_id": pid}, json={"tag": "topic"}, headers=h)
    assert r.status_code == 201, r.text

    def book():
        return [e["tag"] for e in requests.get(fresh.base + "/v1/codebook", params={"project_id": pid},
                                               headers=h).json()["items"]]

    bad_claim = uid()
    lines = [
        line({"type": "codebook", "id": uid(), "project_id": pid, "tag": "device", "description": "How it argues."}),
        line({"type": "codebook", "id": uid(), "project_id": pid, "tag": "device/denial", "parent": "device"}),
        line({"type": "claim", "id": uid(), "project_id": pid, "text": "fine", "tags": ["topic", "device/denial"]}),
        line({"type": "claim", "id": bad_claim, "project_id": pid, "text": "typos",
              "tags": ["topic", "device/denail", "topc"]}),
    ]
    err = assert_error(post(fresh, "".join(lines).encode()), 422, "invalid_lines")
    assert [(e["line"], e["field"], e["code"]) for e in err["lines"]] == [
        (4, "tags[1]", "unknown_tag"), (4, "tags[2]", "unknown_tag")], err["lines"]
    assert err["lines"][0]["id"] == bad_claim
    assert "device/denial" in [s["tag"] for s in err["lines"][0]["suggestions"]]  # from the file's codebook
    assert err["lines"][1]["suggestions"][0]["tag"] == "topic"  # from the stored one
    api = requests.post(fresh.base + "/v1/claims", json={"project_id": pid, "text": "x", "tags": ["topc"]},
                        headers=h).json()["error"]
    # (the API knows only the stored codebook, the import the file's records too)
    assert api["code"] == "unknown_tag" and api["suggestions"][0] == err["lines"][1]["suggestions"][0]
    assert api["message"].split(": ", 1)[1] == err["lines"][1]["message"].split(": ", 1)[1]
    assert book() == ["topic"]  # nothing was written, not even the codebook records
    # put right, the file goes in whole
    lines[3] = line({"type": "claim", "id": bad_claim, "project_id": pid, "text": "typos",
                     "tags": ["topic", "device/denial"]})
    c = counts(post(fresh, "".join(lines).encode()))
    assert c["codebook"] == {"inserted": 2, "updated": 0, "unchanged": 0} and c["claim"]["inserted"] == 2, c
    assert book() == ["device", "device/denial", "topic"]
    assert counts(post(fresh, "".join(lines).encode()))["codebook"]["unchanged"] == 2
    # an entry's parent must be in the codebook, a tag once per project, a tag a path
    err = assert_error(post(fresh, "".join([
        line({"type": "codebook", "id": uid(), "project_id": pid, "tag": "frame", "parent": "nowhere"}),
        line({"type": "codebook", "id": uid(), "project_id": pid, "tag": "topic"})]).encode()), 422, "invalid_lines")
    assert [(e["line"], e["field"], e["code"]) for e in err["lines"]] == [
        (1, "parent", "unknown_reference"), (2, "tag", "conflict")], err["lines"]
    err = assert_error(post(fresh, line({"type": "codebook", "id": uid(), "project_id": pid, "tag": "a//b",
                                         "parent": "a//b"}).encode()), 422, "invalid_lines")
    assert [(e["field"], e["code"]) for e in err["lines"]] == [("tag", "invalid_value"), ("parent", "invalid_value")]


def test_a_claim_stored_before_strict_tags_reimports_unchanged(fresh):
    """strict_tags judges what an import changes: a claim stored with the same tags before the
    project became strict is left alone."""
    h = fresh.auth
    slug = "later-" + uid()[:8]
    pid = requests.post(fresh.base + "/v1/projects", json={"slug": slug, "name": slug}, headers=h).json()["id"]
    body = line({"type": "claim", "id": uid(), "project_id": pid, "text": "old", "tags": ["legacy"]}).encode()
    assert counts(post(fresh, body))["claim"]["inserted"] == 1
    assert requests.patch(f"{fresh.base}/v1/projects/{pid}", json={"settings": {"strict_tags": True}},
                          headers=h).status_code == 200
    assert counts(post(fresh, body))["claim"]["unchanged"] == 1
