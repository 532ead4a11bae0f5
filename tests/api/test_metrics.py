"""GET /metrics (issue 15, part 9): the Prometheus text format, checked by
Prometheus's own promtool; a server-admin route on the API port (authorize(),
like /v1/users), or without credentials on a port of its own bound to
CLAIMDB_METRICS_LISTEN."""
import re
import shutil
import subprocess
import uuid

import pytest
import requests

from conftest import Server, assert_error, free_port, make_token


@pytest.fixture(scope="module")
def metered(cluster):
    url = cluster.create_database("metrics_" + uuid.uuid4().hex[:10])
    s = Server(url, CLAIMDB_METRICS_PORT=free_port(), CLAIMDB_MAX_EXPORTS=1).start()
    s.metrics_port = int(s.env["CLAIMDB_METRICS_PORT"])
    yield s
    assert s.stop() == 0, s.read_log()[-3000:]


def scrape(server):
    r = requests.get(server.base + "/metrics", headers=server.auth)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return r.text


def value(text, name, **labels):
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    m = re.search(rf"^{re.escape(name)}{{{re.escape(want)}}} (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


def test_metrics_need_a_server_admin_on_the_api_port(metered):
    url = metered.base + "/metrics"
    r = requests.get(url)
    assert_error(r, 401, "unauthorized")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(requests.get(url, headers={"Authorization": "Bearer nope"}), 401)
    # a signed-in user who is no server admin, even a project's owner
    owner = make_token(metered.database_url, "metrics_owner", "default", "owner", scope="read,write,admin")
    r = requests.get(url, headers={"Authorization": "Bearer " + owner})
    assert_error(r, 403, "forbidden")
    assert r.json()["error"]["role_needed"] == "server_admin"
    # a server admin's read-only token does not act as a server admin
    admin_read = make_token(metered.database_url, "metrics_admin", scope="read", admin=True)
    assert_error(requests.get(url, headers={"Authorization": "Bearer " + admin_read}), 403, "forbidden")
    text = scrape(metered)
    assert "claimdb_http_requests_total" in text


def test_counts_latencies_and_rejections(metered):
    before = scrape(metered)
    for _ in range(3):
        assert requests.get(metered.base + "/v1/actors?limit=1").status_code == 200
    assert requests.get(metered.base + "/v1/actors/nope").status_code == 400
    assert requests.get(metered.base + "/v1/nothing").status_code == 404
    requests.get(metered.base + "/v1/actors?" + "&".join(f"p{i}=1" for i in range(100)))
    after = scrape(metered)
    route = "GET /v1/actors"
    assert value(after, "claimdb_http_requests_total", route=route, status=200) \
        - value(before, "claimdb_http_requests_total", route=route, status=200) == 3
    assert value(after, "claimdb_http_requests_total", route="GET /v1/actors/{id}", status=400) >= 1
    assert value(after, "claimdb_http_requests_total", route="none", status=404) >= 1
    assert value(after, "claimdb_http_request_duration_seconds_bucket", route=route, le="+Inf") >= 3
    assert value(after, "claimdb_rejected_total", reason="too_many_parameters") >= 1
    for name in ("claimdb_db_connections", "claimdb_db_connection_waiters", "claimdb_in_flight"):
        assert re.search(rf"^{name}[{{ ]", after, re.M), name
    assert value(after, "claimdb_in_flight", kind="export") == 0


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian package prometheus) is not installed")
def test_promtool_accepts_the_output(metered):
    requests.get(metered.base + "/v1/claims?limit=2")
    for text in (scrape(metered), requests.get(f"http://127.0.0.1:{metered.metrics_port}/metrics").text):
        check = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_the_metrics_port_serves_metrics_only_without_a_token(metered):
    base = f"http://127.0.0.1:{metered.metrics_port}"
    r = requests.get(base + "/metrics")
    assert r.status_code == 200 and "claimdb_http_requests_total" in r.text
    assert requests.get(base + "/v1/actors").status_code == 404
