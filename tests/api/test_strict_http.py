"""Strict HTTP framing and connection deadlines (issue 15, parts 4 and 5):
raw requests over a socket, because the HTTP clients refuse to send most of
these. Deadlines are set to one second here so that every test is bounded
in a few seconds; the assertions are about what happens (a cut, a refusal,
a reply), with generous upper bounds, never about speed."""
import json
import socket
import threading
import time
import uuid

import pytest
import requests

from conftest import Server


def raw(port, data, timeout=5.0):
    """Sends data, returns every byte the server sends until it closes (or
    the timeout passes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    return out


def bearer(server):
    """The Authorization header line of the server's test token, for raw requests."""
    return b"Authorization: Bearer " + server.token.encode() + b"\r\n"


def dripped_until_cut(s, chunk, seconds=8):
    """Sends chunk on s every 0.2 s until the server closes the connection (a failed send,
    or end of file) or `seconds` pass; closes s. Returns whether the server cut it."""
    started, closed = time.monotonic(), False
    while not closed and time.monotonic() - started < seconds:
        try:
            s.sendall(chunk)
            time.sleep(0.2)
            s.setblocking(False)
            try:
                closed = s.recv(100) == b""
            except BlockingIOError:
                pass
            finally:
                s.setblocking(True)
        except (BrokenPipeError, ConnectionResetError):
            closed = True
    s.close()
    return closed


def status_and_error(reply):
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert head.count(b"HTTP/1.1 ") == 1, reply
    assert b"application/json" in head, reply
    return status, json.loads(body)["error"], head


@pytest.fixture(scope="module")
def strict(cluster):
    url = cluster.create_database("strict_" + uuid.uuid4().hex[:10])
    s = Server(url, CLAIMDB_HEADER_TIMEOUT=1, CLAIMDB_MIN_BODY_RATE=1000, CLAIMDB_SEND_TIMEOUT=1).start()
    s.url = url
    s.psql = lambda sql: cluster.psql(sql, db=url.rsplit("/", 1)[1])
    yield s
    s.stop_clean()


def test_differing_content_lengths_are_refused(strict):
    reply = raw(strict.port, b"POST /v1/actors HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                             b"Content-Length: 30\r\nContent-Type: application/json\r\n\r\n{}")
    status, err, head = status_and_error(reply)
    assert (status, err["code"]) == (400, "conflicting_content_length")
    assert b"Connection: close" in head


def test_transfer_encoding_with_content_length_is_refused(strict):
    reply = raw(strict.port, b"POST /v1/actors HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
    status, err, _ = status_and_error(reply)
    assert (status, err["code"]) == (400, "conflicting_framing")


def test_http11_without_host_is_refused(strict):
    status, err, _ = status_and_error(raw(strict.port, b"GET /v1/actors HTTP/1.1\r\n\r\n"))
    assert (status, err["code"]) == (400, "missing_host")
    # HTTP/1.0 has no Host requirement
    reply = raw(strict.port, b"GET /healthz HTTP/1.0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200") or reply.startswith(b"HTTP/1.0 200"), reply


def test_head_on_a_get_route_gives_the_headers_without_a_body(strict):
    get = requests.get(f"{strict.base}/v1/actors?limit=1")
    reply = raw(strict.port, b"HEAD /v1/actors?limit=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), reply
    assert body == b""
    assert f"Content-Length: {len(get.content)}".encode() in head
    # HEAD where only POST exists is still a 405
    assert requests.head(f"{strict.base}/v1/import").status_code == 405


def test_unsupported_transfer_encoding_is_answered(strict):
    status, err, _ = status_and_error(raw(strict.port, b"POST /v1/actors HTTP/1.1\r\nHost: x\r\n"
                                                       b"Transfer-Encoding: gzip\r\n\r\nabc"))
    assert (status, err["code"]) == (501, "unsupported_transfer_encoding")


@pytest.mark.parametrize("count", [65, 446, 2000])
def test_too_many_query_parameters_get_a_json_414_at_once(strict, count):
    query = "&".join(f"a{i}=1" for i in range(count)).encode()
    for close in (b"Connection: close\r\n", b""):
        reply = raw(strict.port, b"GET /v1/actors?" + query + b" HTTP/1.1\r\nHost: x\r\n" + close + b"\r\n",
                    timeout=3)
        status, err, _ = status_and_error(reply)
        assert (status, err["code"]) == (414, "too_many_parameters")
    # 64 is fine: the route then names the first unknown one
    ok = requests.get(f"{strict.base}/v1/actors?" + "&".join(f"a{i}=1" for i in range(64)))
    assert ok.status_code == 400 and ok.json()["error"]["code"] == "unknown_parameter"


def test_a_path_of_hundreds_of_slashes_is_a_404(strict):
    """found by fuzz/fuzz_router.c: the router's segment array overflowed"""
    for n in (600, 1000, 5000):
        r = requests.get(f"{strict.base}/" + "/" * n + "x")
        assert r.status_code in (404, 414), r.status_code
        if r.status_code == 404:
            assert r.json()["error"]["code"] == "not_found"
    assert requests.get(f"{strict.base}/healthz").status_code == 200


def test_headers_have_a_deadline_from_the_first_byte(strict):
    """A client that drips its headers a byte at a time (slowloris) is cut
    at the header deadline (1 s here) although it is never idle."""
    s = socket.create_connection(("127.0.0.1", strict.port), timeout=10)
    s.sendall(b"GET /v1/actors HTTP/1.1\r\nHost: x\r\n")
    assert dripped_until_cut(s, b"X"), "the dripping connection was never cut"
    assert "header_timeout" in strict.read_log()


def test_a_body_slower_than_the_minimum_rate_is_cut(strict):
    s = socket.create_connection(("127.0.0.1", strict.port), timeout=10)
    s.sendall(b"POST /v1/actors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + bearer(strict)
              + b"Content-Length: 100000\r\n\r\n{")
    # 50 bytes/s against a minimum of 1000
    assert dripped_until_cut(s, b" " * 10), "the slow body was never cut"
    assert "body_too_slow" in strict.read_log()


def test_a_stalled_export_reader_is_cut_and_its_transaction_closed(strict):
    text = "x" * 1_000_000
    for _ in range(3):
        r = requests.post(f"{strict.base}/v1/documents", json={"title": "big", "text": text}, headers=strict.auth)
        assert r.status_code == 201, r.text
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(10)
    s.connect(("127.0.0.1", strict.port))
    s.sendall(b"GET /v1/export?format=ndjson HTTP/1.1\r\nHost: x\r\n" + bearer(strict) + b"\r\n")
    assert s.recv(100).startswith(b"HTTP/1.1 200")
    # the client reads nothing more; the server must give up on it and end the export
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "send_stalled" not in strict.read_log():
        time.sleep(0.2)
    assert "send_stalled" in strict.read_log()
    while time.monotonic() < deadline:
        busy = strict.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'claimdb'"
                           " AND state LIKE 'idle in transaction%'")
        if busy == "0":
            break
        time.sleep(0.2)
    assert busy == "0"
    s.close()
    # the slot is free again: a reader that reads gets the whole export
    r = requests.get(f"{strict.base}/v1/export?format=ndjson", timeout=30, headers=strict.auth)
    assert r.status_code == 200 and len(r.content) > 3_000_000
    log = [json.loads(line) for line in strict.read_log().splitlines() if line.startswith('{"time"')]
    cut = [e for e in log if e["path"].startswith("/v1/export") and e.get("terminated")]
    assert cut and cut[0]["terminated"] == "send_stalled", cut


def test_sigterm_refuses_new_connections_while_in_flight_requests_finish(cluster):
    url = cluster.create_database("term_" + uuid.uuid4().hex[:10])
    srv = Server(url, CLAIMDB_SHUTDOWN_GRACE=20).start()
    # an in-flight request: headers sent, the body still coming
    body = json.dumps({"name": "in flight", "kind": "person"}).encode()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    s.sendall(b"POST /v1/actors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + bearer(srv)
              + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:5])
    time.sleep(0.3)
    srv.proc.send_signal(15)
    time.sleep(0.5)
    refused = False
    try:
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()
    except ConnectionRefusedError:
        refused = True
    assert refused, "a new connection was accepted (or hung) during the grace period"
    s.sendall(body[5:])
    reply = b""
    while b"\r\n\r\n" not in reply:
        chunk = s.recv(4096)
        if not chunk:
            break
        reply += chunk
    s.close()
    assert reply.startswith(b"HTTP/1.1 201"), reply
    assert srv.proc.wait(timeout=20) == 0
