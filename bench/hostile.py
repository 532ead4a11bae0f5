#!/usr/bin/env python3
"""The reproducers of issue 15, replayed against a running claimdb (e.g. a
fresh `make run PORT=8115 DEV_PGPORT=54315`), while a normal client GETs
/v1/actors?limit=1 every 20 ms from 127.0.0.2 and its latency is recorded.
Prints, per reproducer, what the server answered and the client's p50/p99.
127.0.0.1 only; every step bounded in time. Figures on a shared, busy
machine are noisy: read them as such.

Since issue 10 every write, import and export needs a credential: the
"attacker" uses the token given (--token, default the one `make run` leaves
in .data/token), the worst case of a signed-in client, and so does the probe.

usage: bench/hostile.py --port 8080 --database-url postgresql://... --pid PID [--token cdb_...]"""
import argparse
import http.client
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import requests

# The session every request of the script goes through, and the same
# credential as a header line for raw requests (set in main from --token).
S = requests.Session()
AUTH = b""


def _probe_loop(port, path, every, stop, out, headers):
    """The probe's body, in a process of its own: building a 200 MB payload
    in this one holds Python's GIL for seconds, which a thread would have
    measured as the server's latency."""
    lat, fail = [], []
    conn = lambda: http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=("127.0.0.2", 0))
    c = conn()
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            c.request("GET", path, headers=headers)
            r = c.getresponse()
            r.read()
            if r.status == 200:
                lat.append(time.monotonic() - t0)
            else:
                fail.append(r.status)
        except (OSError, http.client.HTTPException) as e:
            fail.append(type(e).__name__)
            c.close()
            c = conn()
        time.sleep(every)
    out.send((lat, fail))


class Probe:
    """A normal client GETting path every `every` s from 127.0.0.2."""

    def __init__(self, port, path="/v1/actors?limit=1", every=0.02):
        self.stop = multiprocessing.Event()
        self.recv, send = multiprocessing.Pipe(duplex=False)
        self.p = multiprocessing.Process(target=_probe_loop, args=(port, path, every, self.stop, send, dict(S.headers)),
                                         daemon=True)
        self.lat, self.fail = [], []

    def __enter__(self):
        self.p.start()
        return self

    def __exit__(self, *a):
        self.stop.set()
        self.lat, self.fail = self.recv.recv()
        self.p.join(10)

    def summary(self):
        xs = sorted(self.lat)
        pct = lambda p: xs[min(len(xs) - 1, int(len(xs) * p))] * 1000 if xs else float("nan")
        return f"{len(xs)} GETs p50 {pct(.5):.1f} ms p99 {pct(.99):.1f} ms max {pct(1.0):.1f} ms, {len(self.fail)} failed"


def raw(port, data, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    return out


def rss_mb(pid):
    return int(open(f"/proc/{pid}/status").read().split("VmRSS:")[1].split()[0]) // 1024


def backends(url):
    return subprocess.run(["psql", url, "-XAtqc", "SELECT count(*) FROM pg_stat_activity WHERE application_name='claimdb'"],
                          capture_output=True, text=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--token", default=None, help="an API token (default: .data/token, as make run leaves it)")
    a = ap.parse_args()
    base = f"http://127.0.0.1:{a.port}"
    token = a.token
    if token is None:
        with open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".data", "token")) as f:
            token = f.read().strip()
    global AUTH
    AUTH = b"Authorization: Bearer " + token.encode() + b"\r\n"
    S.headers["Authorization"] = "Bearer " + token
    results = []

    def step(name, fn):
        with Probe(a.port) as p:
            outcome = fn()
        results.append((name, outcome, p.summary()))
        print(f"- {name}: {outcome}\n    normal client: {p.summary()}", flush=True)

    def exports():
        socks = []
        for _ in range(4):
            s = socket.create_connection(("127.0.0.1", a.port), timeout=10)
            s.sendall(b"GET /v1/export?format=ndjson&q=zzzzqqq HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n")
            socks.append(s)
        fifth = S.get(base + "/v1/export?format=ndjson&q=zzzzqqq", timeout=10).status_code
        time.sleep(3)
        for s in socks:
            s.close()
        return f"4 exports at once, a 5th answered {fifth}"
    step("part 1: four exports with q=zzzzqqq", exports)

    def header_only_imports():
        socks = []
        for _ in range(210):
            try:
                s = socket.create_connection(("127.0.0.1", a.port), timeout=5)
                s.sendall(b"POST /v1/import HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Content-Length: 1000000\r\n\r\n")
                socks.append(s)
            except OSError:
                pass
        time.sleep(2)
        n = backends(a.database_url)
        statuses = {}
        for s in socks:
            s.settimeout(0.2)
            try:
                st = s.recv(64).split(b" ")[1].decode()
            except (OSError, IndexError):
                st = "open"
            statuses[st] = statuses.get(st, 0) + 1
            s.close()
        ok = subprocess.run(["psql", a.database_url, "-XAtqc", "SELECT 1"], capture_output=True).returncode == 0
        return f"claimdb PostgreSQL connections while 210 are held: {n}; answers {statuses}; PostgreSQL accepts others: {ok}"
    step("part 2: 210 header-only imports", header_only_imports)

    def long_line():
        before = rss_mb(a.pid)
        chunk = b"x" * (1 << 20)
        def body():
            yield b'{"type": "document", "title": "'
            for _ in range(400):
                yield chunk
            yield b'"}\n'
        r = S.post(base + "/v1/import?dry_run=true", data=body(), timeout=600)
        peak = rss_mb(a.pid)
        return f"400 MB line: {r.status_code} {r.json()['error']['code']}; RSS {before} -> {peak} MB"
    step("part 3: one 400 MB NDJSON line", long_line)

    def big_document_import():
        doc = json.dumps({"type": "document", "id": str(uuid.uuid4()), "title": "big", "text": "y" * (200 << 20)}) + "\n"
        r = S.post(base + "/v1/import?dry_run=true", data=doc.encode(), timeout=600)
        return f"200 MB document through the import: {r.status_code} {r.json()['error']['code']}"
    step("part 3: a 200 MB document through the import", big_document_import)

    def fifteen_mb_requests():
        before = rss_mb(a.pid)
        for i in range(4):
            S.post(base + "/v1/documents", json={"title": "t", "text": "z" * (15 << 20) + str(i)}, timeout=120)
        time.sleep(1)
        return f"after four 15 MB documents RSS {before} -> {rss_mb(a.pid)} MB"
    step("part 3: memory after 15 MB requests", fifteen_mb_requests)

    def tags():
        r = S.post(base + "/v1/claims", json={"text": "t", "tags": [f"t{i}" for i in range(1_000_000)]}, timeout=120)
        page = S.get(base + "/v1/tags", timeout=30)
        return f"a claim with a million tags: {r.status_code} {r.json()['error']['code']}; /v1/tags {len(page.content)} bytes, next={bool(page.json()['next'])}"
    step("part 3: a million tags", tags)

    def slowloris():
        socks = []
        for _ in range(300):
            try:
                s = socket.create_connection(("127.0.0.1", a.port), timeout=5)
                s.sendall(b"GET /v1/actors HTTP/1.1\r\n")
                socks.append(s)
            except OSError:
                pass
        t0 = time.monotonic()
        alive = list(socks)
        while alive and time.monotonic() - t0 < 20:
            for s in list(alive):
                try:
                    s.sendall(b"X-a: b\r\n")
                except OSError:
                    alive.remove(s)
            time.sleep(0.5)
        for s in socks:
            s.close()
        return f"{len(socks)} dripping connections opened, all cut after {time.monotonic() - t0:.1f} s" if not alive \
            else f"{len(alive)} still open after 20 s"
    step("part 4: slowloris, 300 connections from one address", slowloris)

    def stalled_exports():
        socks = []
        for _ in range(4):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", a.port))
            s.sendall(b"GET /v1/export HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n")
            socks.append(s)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 30 and S.get(base + "/v1/export?format=csv&table=actors").status_code == 503:
            time.sleep(0.2)
        freed = time.monotonic() - t0
        for s in socks:
            s.close()
        return f"4 readers that stop reading: an export slot free again after {freed:.1f} s"
    step("part 4: stalled export readers", stalled_exports)

    def strict():
        q = "&".join(f"a{i}=1" for i in range(446)).encode()
        cases = {
            "two Content-Length": b"POST /v1/actors HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Content-Length: 2\r\nContent-Length: 30\r\n\r\n{}",
            "no Host": b"GET /v1/actors HTTP/1.1\r\n\r\n",
            "HEAD": b"HEAD /v1/actors?limit=1 HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Connection: close\r\n\r\n",
            "Transfer-Encoding: gzip": b"POST /v1/actors HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Transfer-Encoding: gzip\r\n\r\nabc",
            "446 parameters": b"GET /v1/actors?" + q + b" HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n",
            "Content-Length: -1": b"POST /v1/actors HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Content-Length: -1\r\n\r\n",
        }
        out = []
        for name, data in cases.items():
            reply = raw(a.port, data)
            head = reply.split(b"\r\n", 1)[0].decode(errors="replace")
            top = reply.split(b"\r\n\r\n", 1)[0]
            out.append(f"{name} -> {head} (status lines in the head: {reply.count(b'HTTP/1.1 4') + reply.count(b'HTTP/1.1 2') + reply.count(b'HTTP/1.1 5')}, json: {b'application/json' in top})")
        return "; ".join(out)
    step("part 5: strict HTTP", strict)

    def identical_imports():
        from itertools import chain
        lines = [json.dumps({"type": "actor", "id": str(uuid.uuid4()), "name": f"dup {i}", "kind": "person"}) + "\n"
                 for i in range(3000)]
        body = "".join(lines).encode()
        res = [None, None]
        def go(i):
            res[i] = S.post(base + "/v1/import", data=body, timeout=120)
        ts = [threading.Thread(target=go, args=(i,)) for i in range(2)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        return " / ".join(f"{r.status_code} {r.json().get('error', {}).get('code', 'ok')}" for r in res)
    step("part 6: two identical imports at once", identical_imports)

    print("\n| reproducer | answer | normal client |\n|---|---|---|")
    for name, outcome, lat in results:
        print(f"| {name} | {outcome} | {lat} |")


if __name__ == "__main__":
    sys.exit(main())
