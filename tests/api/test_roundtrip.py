"""Export everything, import it into an empty database, export again: the
two exports are byte-identical (but for the header's exported_at)."""
import os
import uuid

import pytest
import requests

from conftest import ROOT, Server
from transfer_data import big_dataset, small_dataset

FIXTURE = os.path.join(ROOT, "fixtures", "claimdb.ndjson")


@pytest.fixture(scope="module")
def two_servers(cluster):
    servers = []
    for name in ("rt_a_", "rt_b_"):
        url = cluster.create_database(name + uuid.uuid4().hex[:10])
        servers.append(Server(url).start())
    yield servers
    for s in servers:
        assert s.stop() == 0, s.read_log()[-3000:]


def body_without_header(content):
    header, rest = content.split(b"\n", 1)
    assert b'"type" : "header"' in header or b'"type":"header"' in header
    return rest


def test_round_trip_is_byte_identical(two_servers):
    a, b = two_servers
    # a project's own codebook travels too (issue 12), hierarchical; the default project's seeded
    # codebook has the same ids in both databases (migration 0014), so it comes back unchanged
    pid = requests.post(a.base + "/v1/projects", json={"slug": "rt-codebook", "name": "Round trip"},
                        headers=a.auth).json()["id"]
    for tag, parent in (("topic", None), ("topic/xinjiang", "topic")):
        r = requests.post(a.base + "/v1/codebook", params={"project_id": pid},
                          json={"tag": tag, "parent": parent, "description": f"when {tag} applies"}, headers=a.auth)
        assert r.status_code == 201, r.text
    _, lines = small_dataset()
    assert requests.post(a.base + "/v1/import", data="".join(lines).encode(), headers=a.auth).status_code == 200
    assert requests.post(a.base + "/v1/import", data=big_dataset(2000, n_docs=3), headers=a.auth).status_code == 200
    if os.path.exists(FIXTURE):
        with open(FIXTURE, "rb") as f:
            r = requests.post(a.base + "/v1/import", data=f, headers=a.auth)
        assert r.status_code == 200, r.text[:3000]
    first = requests.get(a.base + "/v1/export", headers=a.auth).content
    assert b'"type" : "codebook"' in first and b'"tag" : "topic/xinjiang"' in first
    r = requests.post(b.base + "/v1/import", data=first, headers=b.auth)
    assert r.status_code == 200, r.text[:3000]
    second = requests.get(b.base + "/v1/export", headers=b.auth).content
    assert body_without_header(first) == body_without_header(second)
    # every table's CSV too
    for table in ("documents", "actors", "claims", "attributions", "relations", "sources", "citations",
                  "claims_flat"):
        q = {"format": "csv", "table": table}
        assert requests.get(a.base + "/v1/export", params=q, headers=a.auth).content == \
            requests.get(b.base + "/v1/export", params=q, headers=b.auth).content, table
    # and importing the export back where it came from changes nothing
    r = requests.post(a.base + "/v1/import", data=first, headers=a.auth)
    assert r.status_code == 200
    for t, n in r.json()["counts"].items():
        assert n["inserted"] == 0 and n["updated"] == 0, (t, n)
