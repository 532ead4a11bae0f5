"""GET /v1/export and `claimdb export`: NDJSON order, CSV tables, W3C Web
Annotation, filters, the concurrency cap and cancellation on disconnect."""
import csv
import io
import json
import os
import socket
import subprocess
import time
import uuid

import pytest
import requests

from conftest import BIN, Server, assert_error, assert_slow_slot_freed, assert_slow_slot_taken, claimdb_backends, poll
from transfer_data import TRICKY_TEXT, big_dataset, small_dataset

def entity_csv_columns():
    """The CSV columns of each entity table: its exported fields in the
    description's order (`claimdb describe`), a span as its columns and
    segments (tests/api/test_description.py checks the same on other data)."""
    description = json.loads(subprocess.run([BIN, "describe"], check=True, capture_output=True, text=True).stdout)
    tables = {}
    for entity in description["entities"]:
        if entity["type"] in ("project", "codebook"):  # NDJSON only
            continue
        tables[entity["table"]] = [c for f in entity["fields"] if f["export"] for c in (
            ["start", "end", "exact", "prefix", "suffix", "segments"] if f["sql_type"] == "span" else [f["name"]])]
    return tables


CSV_COLUMNS = {
    **entity_csv_columns(),
    # a report, not an entity: written by hand
    "claims_flat": ["id", "document_id", "document_title", "start", "end", "segments", "exact", "text", "kind", "tags",
                    "speakers", "relations_out", "relations_in", "counterclaims", "note", "annotator", "created_at",
                    "updated_at"],
}
# The tables as this file knows them, so that an entity's columns cannot all go missing unnoticed.
assert set(CSV_COLUMNS) == {"documents", "actors", "claims", "attributions", "relations", "sources", "citations",
                            "claims_flat"}


@pytest.fixture(scope="module")
def loaded(cluster):
    """A server on its own database holding the small dataset, capped at one export."""
    url = cluster.create_database("exp_" + uuid.uuid4().hex[:10])
    s = Server(url, CLAIMDB_MAX_EXPORTS=1).start()
    s.url = url
    s.ids, lines = small_dataset()
    r = requests.post(s.base + "/v1/import", data="".join(lines).encode(), headers=s.auth)
    assert r.status_code == 200, r.text
    yield s
    assert s.stop() == 0, s.read_log()[-3000:]


def export(server, **params):
    r = requests.get(server.base + "/v1/export", params=params, timeout=120, headers=server.auth)
    assert r.status_code == 200, r.text
    return r


def records(text):
    return [json.loads(l) for l in text.splitlines()]


def test_ndjson_order_and_every_reference_points_back(loaded):
    r = export(loaded)
    assert r.headers["Content-Type"].startswith("application/x-ndjson")
    recs = records(r.content.decode())
    assert recs[0]["type"] == "header" and recs[0]["format"] == "claimdb-ndjson" and recs[0]["version"] == 1
    types = [x["type"] for x in recs[1:]]
    order = ["project", "codebook", "actor", "document", "claim", "source", "attribution", "relation", "citation"]
    # documents and their claims interleave; otherwise the sections come in order
    ranks = [order.index(t if t != "claim" else "document") for t in types]
    assert ranks == sorted(ranks), types
    seen = set()
    for x in recs[1:]:
        for k, v in x.items():
            if k.endswith("_id") and k != "external_id" and v is not None:
                assert v in seen, (x["type"], k)
        seen.add(x["id"])
    doc = next(x for x in recs if x["type"] == "document")
    assert doc["text"] == TRICKY_TEXT
    by_id = {x["id"]: x for x in recs[1:]}
    c3 = by_id[loaded.ids["c3"]]
    assert c3["target"]["exact"] == "𝄞 music" and c3["target"]["prefix"].endswith("你好, ")
    # attributions: the via target comes first
    ids = [x["id"] for x in recs if x["type"] == "attribution"]
    assert ids.index(loaded.ids["a3"]) < ids.index(loaded.ids["a2"])


def test_exports_are_deterministic(loaded):
    a = export(loaded).content.split(b"\n", 1)[1]
    b = export(loaded).content.split(b"\n", 1)[1]
    assert a == b


def test_every_csv_table_parses_with_the_right_columns_and_rows(loaded):
    expected_rows = {"documents": 1, "actors": 2, "claims": 4, "attributions": 3, "relations": 1, "sources": 1,
                     "citations": 1, "claims_flat": 4}
    for table, columns in CSV_COLUMNS.items():
        r = export(loaded, format="csv", table=table)
        assert r.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
        assert rows[0] == columns, table
        assert len(rows) - 1 == expected_rows[table], table
        assert all(len(row) == len(columns) for row in rows), table
    docs = list(csv.DictReader(io.StringIO(export(loaded, format="csv", table="documents").content.decode(), newline="")))
    assert docs[0]["text"] == TRICKY_TEXT
    assert docs[0]["created_at"] == "2026-01-01T00:00:00+00:00" and docs[0]["url"] == ""
    assert json.loads(docs[0]["metadata"]) == {"k": [1, "two"]}
    flat = {row["id"]: row for row in
            csv.DictReader(io.StringIO(export(loaded, format="csv", table="claims_flat").content.decode(), newline=""))}
    c1 = flat[loaded.ids["c1"]]
    assert json.loads(c1["tags"]) == ["topic/test", "x,y"] and json.loads(c1["speakers"]) == ["Newswire"]
    assert c1["relations_in"] == "1" and c1["counterclaims"] == "1" and c1["note"] == 'a "note"\nwith newline'
    assert flat[loaded.ids["c4"]]["document_id"] == "" and flat[loaded.ids["c4"]]["start"] == ""


def test_w3c_web_annotation(loaded):
    r = export(loaded, format="w3c")
    assert r.headers["Content-Type"].startswith("application/ld+json")
    doc = r.json()
    assert doc["@context"][0] == "http://www.w3.org/ns/anno.jsonld" and "claimdb" in doc["@context"][1]
    collection, *pages = doc["@graph"]
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 5
    assert [p["id"] for p in pages] == [collection["first"]] and pages[0]["partOf"] == collection["id"]
    items = pages[0]["items"]
    claims = {a["claimdb:id"]: a for a in items if a["motivation"] == "describing"}
    links = [a for a in items if a["motivation"] == "linking"]
    assert len(claims) == 4 and len(links) == 1
    c2 = claims[loaded.ids["c2"]]
    assert c2["type"] == "Annotation" and c2["id"] == "urn:uuid:" + loaded.ids["c2"]
    sel = {s["type"]: s for s in c2["target"]["selector"]}
    start = TRICKY_TEXT.index("你好")
    assert sel["TextQuoteSelector"]["exact"] == "你好"
    assert (sel["TextPositionSelector"]["start"], sel["TextPositionSelector"]["end"]) == (start, start + 2)
    assert c2["target"]["source"] == "urn:uuid:" + loaded.ids["doc"]
    c1 = claims[loaded.ids["c1"]]
    assert {"type": "TextualBody", "purpose": "tagging", "value": "x,y"} in c1["body"]
    assert c1["claimdb:attributions"][0]["claimdb:actor_name"] == "Newswire"
    assert c1["claimdb:attributions"][0]["id"].startswith("urn:uuid:")
    assert links[0]["target"] == "urn:uuid:" + loaded.ids["c2"] and links[0]["body"] == "urn:uuid:" + loaded.ids["c1"]
    assert links[0]["claimdb:relation"] == "refutes"


def test_filters_give_a_self_contained_subset(loaded):
    recs = records(export(loaded, kind="predictive").content.decode())
    assert recs[0]["filters"] == {"kind": "predictive"}
    by_type = {}
    for x in recs[1:]:
        by_type.setdefault(x["type"], []).append(x["id"])
    # c4's report chain (a2 via a3) stays within c4; the newswire actor comes along
    assert set(by_type["claim"]) == {loaded.ids["c4"]}
    assert set(by_type["attribution"]) == {loaded.ids["a3"], loaded.ids["a2"]}
    assert set(by_type["actor"]) == {loaded.ids["actor"], loaded.ids["actor2"]}
    assert "document" not in by_type
    assert "relation" not in by_type  # c2 is not selected
    flat = list(csv.DictReader(io.StringIO(export(loaded, format="csv", table="claims_flat", tag="topic/test")
                                           .content.decode(), newline="")))
    assert [row["id"] for row in flat] == [loaded.ids["c1"]]
    assert records(export(loaded, document_id=str(uuid.uuid4())).content.decode())[1:] == []


def test_bad_parameters(loaded):
    base = loaded.base + "/v1/export"
    assert_error(requests.get(base, params={"format": "xml"}, headers=loaded.auth), 400, "invalid_enum", "format")
    assert_error(requests.get(base, params={"format": "csv"}, headers=loaded.auth), 400, "missing_parameter", "table")
    assert_error(requests.get(base, params={"format": "csv", "table": "secrets"}, headers=loaded.auth), 400, "invalid_enum", "table")
    assert_error(requests.get(base, params={"table": "claims"}, headers=loaded.auth), 400, "invalid_parameter", "table")
    assert_error(requests.get(base, params={"document_id": "nope"}, headers=loaded.auth), 400, "invalid_uuid", "document_id")
    assert_error(requests.get(base, params={"kind": "silly"}, headers=loaded.auth), 400, "invalid_enum", "kind")
    assert_error(requests.get(base, params={"created_after": "yesterday"}, headers=loaded.auth), 400, "invalid_timestamp")
    assert_error(requests.get(base, params={"limit": "3"}, headers=loaded.auth), 400, "unknown_parameter")


def copy_backends(url):
    """Backends serving an export: its COPY (CSV, W3C) or its cursors (NDJSON)."""
    return claimdb_backends(url, "query LIKE 'COPY%' OR query ~ '^(DECLARE|FETCH|CLOSE) .*export_(outer|inner)'")


def test_cap_on_concurrent_exports_and_disconnect_frees_the_connection(loaded):
    r = requests.post(loaded.base + "/v1/import", data=big_dataset(20000), timeout=600, headers=loaded.auth)
    assert r.status_code == 200, r.text
    # A client that asks and then reads nothing: the export stays open.
    sock = socket.create_connection(("127.0.0.1", loaded.port))
    sock.sendall(b"GET /v1/export HTTP/1.1\r\nHost: x\r\nAuthorization: " + loaded.auth["Authorization"].encode()
                 + b"\r\n\r\n")
    assert sock.recv(64).startswith(b"HTTP/1.1 200")
    poll(lambda: copy_backends(loaded.url))
    assert copy_backends(loaded.url) == 1
    assert_slow_slot_taken(loaded, "/v1/export")
    assert_slow_slot_freed(loaded, sock, lambda: copy_backends(loaded.url), "/v1/export",
                           {"format": "csv", "table": "actors"})


def test_big_export_streams_with_flat_memory(loaded):
    # 20k claims from the test above (or fewer when run alone: load them)
    if int(subprocess.run(["psql", loaded.url, "-XAtqc", "SELECT count(*) FROM claims"],
                          capture_output=True, text=True).stdout) < 20000:
        requests.post(loaded.base + "/v1/import", data=big_dataset(20000), timeout=600, headers=loaded.auth)
    pid = loaded.proc.pid
    rss = []
    started = time.time()
    n = 0
    with requests.get(loaded.base + "/v1/export", stream=True, timeout=120, headers=loaded.auth) as r:
        for chunk in r.iter_lines():
            n += 1
            if n % 5000 == 0:
                rss.append(int(open(f"/proc/{pid}/status").read().split("VmRSS:")[1].split()[0]))
    elapsed = time.time() - started
    print(f"\nexport: {n} lines in {elapsed:.2f} s = {n / elapsed:.0f} lines/s; RSS kB samples {rss}")
    assert n > 40000
    if "ASAN_OPTIONS" not in os.environ:  # AddressSanitizer's quarantine keeps freed memory resident
        assert max(rss) - min(rss) < 16 * 1024


def test_cli_export_matches_the_endpoint(loaded):
    env = dict(os.environ, DATABASE_URL=loaded.url)
    out = subprocess.run([BIN, "export", "--format", "csv", "--table", "actors"], env=env, capture_output=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout == export(loaded, format="csv", table="actors").content
    out = subprocess.run([BIN, "export", "--kind", "predictive"], env=env, capture_output=True)
    assert out.returncode == 0
    assert out.stdout.split(b"\n", 1)[1] == export(loaded, kind="predictive").content.split(b"\n", 1)[1]
    bad = subprocess.run([BIN, "export", "--table", "actors"], env=env, capture_output=True)
    assert bad.returncode == 2


def test_q_filter_matches_text_or_exact_ignoring_case(loaded):
    recs = records(export(loaded, q="gREETS").content.decode())
    assert recs[0]["filters"] == {"q": "gREETS"}
    # c2 refutes c1: the relation comes along, with c1 to resolve its other end (issue 13)
    assert {x["id"] for x in recs if x["type"] == "claim"} == {loaded.ids["c2"], loaded.ids["c1"]}
    assert [x["from_claim_id"] for x in recs if x["type"] == "relation"] == [loaded.ids["c2"]]
    assert {x["id"] for x in records(export(loaded, q="KNOWN ONLY").content.decode()) if x["type"] == "claim"} \
        == {loaded.ids["c4"]}
    flat = list(csv.DictReader(io.StringIO(export(loaded, format="csv", table="claims_flat", q="greets")
                                           .content.decode(), newline="")))
    assert [row["id"] for row in flat] == [loaded.ids["c2"]]
    # % and _ are plain characters, not LIKE wildcards.
    assert records(export(loaded, q="_reets").content.decode())[1:] == []
    assert records(export(loaded, q="gre%s").content.decode())[1:] == []
