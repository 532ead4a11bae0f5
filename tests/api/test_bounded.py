"""Bounded resources (issue 15, parts 2, 3 and 10): database connections,
concurrent imports, import line length, memory given back, and the import
and export commands as a terminal or a script uses them."""
import json
import os
import socket
import subprocess
import time
import uuid

import pytest
import requests

from conftest import BIN, Server, assert_error, make_token
from transfer_data import small_dataset


def claimdb_backends(cluster, url):
    db = url.rsplit("/", 1)[1]
    return int(cluster.psql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{db}'"
                            " AND application_name = 'claimdb'"))


@pytest.fixture(scope="module")
def bounded(cluster):
    url = cluster.create_database("bounded_" + uuid.uuid4().hex[:10])
    s = Server(url, THREADS=2, CLAIMDB_MAX_IMPORTS=2, CLAIMDB_BODY_LIMIT="64k").start()
    s.url = url
    yield s
    assert s.stop() == 0, s.read_log()[-3000:]


def open_import(server):
    """An import whose headers are sent (by a server admin, who may import)
    and whose body never comes."""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.sendall(b"POST /v1/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + server.token.encode()
              + b"\r\nContent-Length: 1000000\r\n\r\n")
    return s


def test_header_only_imports_hold_no_connection_and_are_capped(bounded, cluster):
    # a request first, as a running server has had: the token is then known
    # (authorize() asks the database only on a credential-cache miss) and a
    # pool slot is open
    assert requests.get(bounded.base + "/v1/me", headers=bounded.auth, timeout=10).status_code == 200
    before = claimdb_backends(cluster, bounded.url)
    held = [open_import(bounded) for _ in range(2)]
    time.sleep(0.5)
    # no data yet: no database connection taken
    assert claimdb_backends(cluster, bounded.url) == before
    # beyond the cap: 503 with Retry-After, at once
    r = requests.post(bounded.base + "/v1/import", data=b"", timeout=10, headers=bounded.auth)
    err = assert_error(r, 503, "too_many_imports")
    assert r.headers["Retry-After"]
    for s in held:
        s.close()
    # the slots come back when those clients go
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        r = requests.post(bounded.base + "/v1/import", params={"dry_run": "true"}, data=b"", timeout=10,
                          headers=bounded.auth)
        if r.status_code != 503:
            break
        time.sleep(0.2)
    assert r.status_code != 503, r.text


def test_many_header_only_imports_leave_postgresql_usable(bounded, cluster):
    """The reproducer of part 2 (210 header-only imports), scaled to the
    per-address limit: PostgreSQL still takes connections and claimdb's
    count stays within its bound."""
    socks = []
    for _ in range(60):
        try:
            socks.append(open_import(bounded))
        except OSError:
            break
    time.sleep(0.5)
    bound = 2 + 4 + 2 * 2  # THREADS + max exports + 2 x max imports
    assert claimdb_backends(cluster, bounded.url) <= bound
    assert cluster.psql("SELECT 1") == "1"
    assert requests.get(bounded.base + "/v1/actors?limit=1", timeout=10, headers=bounded.auth).status_code == 200
    for s in socks:
        s.close()


def test_a_pooled_connection_carries_no_scope_from_one_request_to_the_next(cluster):
    """One pooled database connection (THREADS=1) serves every caller in
    turn. Each request's identity is pipelined with its own statements as
    transaction-local settings, so what one caller's request set must never
    reach the next caller's: an outsider and an anonymous caller, each right
    after the admin on the same connection, see nothing of the private
    project."""
    url = cluster.create_database("poolscope_" + uuid.uuid4().hex[:10])
    s = Server(url, THREADS=1).start()
    try:
        outsider = {"Authorization": "Bearer " + make_token(url, "outsider")}
        made = requests.post(s.base + "/v1/actors", json={"name": "Private Person", "kind": "person"},
                             headers=s.auth, timeout=10)
        assert made.status_code == 201, made.text
        actor = made.json()["id"]
        for _ in range(10):
            assert requests.get(f"{s.base}/v1/actors/{actor}", headers=s.auth, timeout=10).status_code == 200
            assert requests.get(f"{s.base}/v1/actors/{actor}", headers=outsider, timeout=10).status_code == 404
            assert actor in requests.get(f"{s.base}/v1/actors", headers=s.auth, timeout=10).text
            listed = requests.get(f"{s.base}/v1/actors", headers=outsider, timeout=10)
            assert listed.status_code == 200 and actor not in listed.text
            assert requests.get(f"{s.base}/v1/actors/{actor}", timeout=10).status_code == 401
            anonymous = requests.get(f"{s.base}/v1/actors", timeout=10)
            assert anonymous.status_code == 200 and actor not in anonymous.text
        # it was one connection (plus the change feed's listener)
        assert claimdb_backends(cluster, url) <= 2
    finally:
        assert s.stop() == 0


def test_an_import_line_longer_than_the_body_limit_is_refused_as_soon_as_seen(bounded):
    ids, lines = small_dataset()
    long_line = b'{"type": "document", "title": "' + b"x" * 200_000 + b'"}\n'
    body = "".join(lines[:2]).encode() + long_line + "".join(lines[2:]).encode()
    r = requests.post(bounded.base + "/v1/import", data=body, timeout=60, headers=bounded.auth)
    err = assert_error(r, 413, "line_too_long")
    assert err["lines"][0]["line"] == 3
    # nothing was written
    assert requests.get(bounded.base + "/v1/documents", headers=bounded.auth).json()["items"] == []


def test_memory_is_given_back_after_large_requests(bounded):
    if "ASAN_OPTIONS" in os.environ:
        pytest.skip("AddressSanitizer's quarantine keeps freed memory resident")
    # this module's server has a 64 KB body limit: one with the default 16 MB
    big = Server(bounded.url).start()
    try:
        pid = big.proc.pid
        rss_big = lambda: int(open(f"/proc/{pid}/status").read().split("VmRSS:")[1].split()[0]) // 1024
        before = rss_big()
        text = "y" * (15 << 20)
        for _ in range(4):
            r = requests.post(big.base + "/v1/documents", json={"title": "t", "text": text + str(_)}, timeout=120,
                              headers=big.auth)
            assert r.status_code in (201, 422), r.text[:300]
        time.sleep(0.5)
        after = rss_big()
        # 171 MB stayed resident before malloc_trim; what remains is far below one body's copies
        assert after - before < 60, (before, after)
    finally:
        assert big.stop() == 0


def test_cli_help_json_summary_and_unmigrated_database(cluster, tmp_path):
    for cmd in ("import", "export"):
        out = subprocess.run([BIN, cmd, "--help"], capture_output=True, text=True)
        assert out.returncode == 0 and out.stdout.startswith(f"usage: claimdb {cmd}"), out
    url = cluster.create_database("unmig_" + uuid.uuid4().hex[:10])
    env = dict(os.environ, DATABASE_URL=url)
    ids, lines = small_dataset()
    f = tmp_path / "small.ndjson"
    f.write_text("".join(lines))
    out = subprocess.run([BIN, "import", str(f)], env=env, capture_output=True, text=True)
    assert out.returncode == 1
    assert "run claimdb migrate" in out.stderr and "relation" not in out.stderr, out.stderr
    out = subprocess.run([BIN, "export"], env=env, capture_output=True, text=True)
    assert out.returncode == 1 and "run claimdb migrate" in out.stderr
    subprocess.run([BIN, "migrate"], env=env, check=True, capture_output=True)
    out = subprocess.run([BIN, "import", str(f), str(f)], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    reports = [json.loads(l) for l in out.stdout.splitlines()]  # one JSON object per file, nothing else
    assert [r["file"] for r in reports] == [str(f), str(f)]
    assert all(r["status"] == 200 for r in reports)
    # a failing file is JSON on stdout too, and a line on stderr
    bad = tmp_path / "bad.ndjson"
    bad.write_text('{"type": "nonsense"}\n')
    out = subprocess.run([BIN, "import", str(bad)], env=env, capture_output=True, text=True)
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["status"] == 422 and report["error"]["code"] == "invalid_lines"
    assert "claimdb import" in out.stderr
