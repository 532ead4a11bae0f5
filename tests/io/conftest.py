"""The fault suite's harness (tests/io): the API tests' cluster and server
helpers, a latency probe that plays a normal client from another loopback
address, and a report of its figures (build/io-latency.txt).

Everything runs on 127.0.0.1 (and 127.0.0.2 for the probe, the same
loopback interface) and every test is bounded in time."""
import http.client
import importlib.util
import os
import sys
import threading
import time


API = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "api")
sys.path.append(API)  # transfer_data
# the API tests' harness, loaded under a name of its own (both files are "conftest")
_spec = importlib.util.spec_from_file_location("api_conftest", os.path.join(API, "conftest.py"))
_api = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_api)
BIN, ROOT, Cluster, Server, free_port = _api.BIN, _api.ROOT, _api.Cluster, _api.Server, _api.free_port

REPORT = os.path.join(ROOT, os.environ.get("BUILD", "build"), "io-latency.txt")


class Probe:
    """A normal client: GET path every `every` seconds on a keep-alive
    connection from 127.0.0.2 (so that per-address limits aimed at an
    attacker on 127.0.0.1 do not apply to it), recording each latency, and
    each failure (no reply within `timeout`, or a status other than 200).
    It signs in as the server's test user (a token, as an API client does),
    so its requests go through authorize() like everyone's."""

    def __init__(self, server, path="/v1/actors?limit=1", every=0.02, timeout=5.0):
        self.port, self.path, self.every, self.timeout = server.port, path, every, timeout
        self.headers = dict(server.auth)
        self.latencies, self.failures = [], []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout,
                                          source_address=("127.0.0.2", 0))

    def _run(self):
        conn = self._connect()
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                conn.request("GET", self.path, headers=self.headers)
                resp = conn.getresponse()
                resp.read()
                elapsed = time.monotonic() - started
                if resp.status == 200:
                    self.latencies.append(elapsed)
                else:
                    self.failures.append(f"status {resp.status}")
            except (OSError, http.client.HTTPException) as e:
                # a keep-alive connection the server closed (idle deadline) is
                # reopened; anything else is a failure
                self.failures.append(f"{type(e).__name__}: {e}")
                conn.close()
                conn = self._connect()
            time.sleep(self.every)
        conn.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=self.timeout + 1)

    def percentile(self, p):
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")

    def report(self, name):
        line = (f"{name}: {len(self.latencies)} GETs, p50 {self.percentile(0.5) * 1000:.1f} ms, "
                f"p99 {self.percentile(0.99) * 1000:.1f} ms, max {max(self.latencies, default=0) * 1000:.1f} ms, "
                f"{len(self.failures)} failed")
        print("\n" + line)
        os.makedirs(os.path.dirname(REPORT), exist_ok=True)
        with open(REPORT, "a") as f:
            f.write(time.strftime("%Y-%m-%dT%H:%M:%SZ ", time.gmtime()) + line + "\n")
        return line


cluster = _api.cluster  # the API tests' session fixture: one throwaway cluster
