"""Hostile input on every route of the route tables: malformed bodies, wrong
types, huge numbers, bad query strings and bad path ids. Whatever is sent,
the answer is the one JSON error shape with a 4xx status (never a 500, never
a crash), a failed write leaves nothing behind, and the server keeps
answering. Runs against a server of its own on an empty database, so that
the junk it creates never meets the other tests; sampling is seeded."""
import base64
import glob
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import uuid

import pytest
import requests

from conftest import BIN, ROOT, Server, assert_error, assert_no_database_insides, unique

SEED = 20261124
sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))  # to read back metadata nested 2000 deep
TEXT = ("The ministry said the report was false. Critics said the report was accurate. "
        "Officials added that numbers rose by 40 per cent. Nobody disputed that.")
NIL = "00000000-0000-0000-0000-000000000000"
TIMEOUT = 30

# Bodies that are not a JSON object, or not JSON at all (raw bytes).
RAW_BODIES = [
    b"", b"not json", b"{", b"}", b"[1, 2]", b'"a string"', b"42", b"-1.5e308", b"true", b"null",
    b"{}", b'{"a": 1, "a": 2}', b"[" * 10000 + b"]" * 10000, b'{"x":' * 5000 + b"1" + b"}" * 5000,
    b'{"title": "\xff\xfe"}', b'{"title": "\xc3"}', b'{"title": "\xed\xa0\x80"}', b"\x00\x01\x02",
    b'{"title": "a\\u0000b"}', b'{"title": "\\ud800"}', b'{"title": "\\udc00x"}', b'{"title": "\\uZZZZ"}',
    b'{"n": 9223372036854775808}', b'{"n": -9223372036854775809}', b'{"n": 1e999}', b'{"n": NaN}',
    b"\xef\xbb\xbf{}", b'{"title": "x"} trailing', b'{"title": "x"}{"title": "y"}',
]

# 8000 characters that do not compress: too big for any index entry.
NOISE = "".join(random.Random(SEED).choices("abcdefghijklmnopqrstuvwxyz0123456789", k=8000))

DEEP = "@deep@"

# Values put in place of each known field (and of each span member).
WRONG_VALUES = [
    "str", "", 0, -1, 1.5, True, False, None, [], [1, "two"], {}, {"a": {"b": []}},
    2**63 - 1, -2**63, 2**31, -2**31 - 1, 1e308, -1e308, "x" * 100_000, "a\u0000b", "\ud800",
    "\U0001d11e" * 3, NIL, str(uuid.UUID(int=1)), "2026-02-30", "9999-12-31T25:00:00Z",
    "-1", "99999999999999999999", [[[[[[[[[[[]]]]]]]]]]], ["x"] * 2000,
    NOISE, [NOISE], {"k": NOISE}, DEEP, {"k": DEEP}, [DEEP],
]


def dumps(body):
    """JSON text of body, with DEEP as arrays nested 2000 deep (under jansson's
    limit of 2048; beyond Python's recursion limit)."""
    return json.dumps(body).replace(f'"{DEEP}"', "[" * 2000 + "]" * 2000).encode()

# Query argument values tried for every parameter a route knows.
QUERY_VALUES = [
    "", "abc", "-1", "0", "1001", "99999999999999999999", "-99999999999999999999", "1e308", "%FF%FE",
    "%00", "%C3", "x" * 4000, NIL, "not-a-uuid", "true", "2026-13-45", "2026-01-01T00:00:00Z",
    "%27%3B--", "%E2%80%AE", "a%2Cb",
]


def describe():
    """The server's own description of its routes and entities (claimdb describe)."""
    return json.loads(subprocess.run([BIN, "describe"], check=True, capture_output=True, text=True).stdout)


DESCRIPTION = describe()


def route_table():
    """(METHOD, pattern, body kind) of every route the server has."""
    return sorted((r["method"], r["pattern"], "BODY_" + r["body"].upper()) for r in DESCRIPTION["routes"])


def file_fields(pattern):
    """The field names of the entity that `pattern` serves."""
    resource = pattern.split("/")[-1] if "{" not in pattern.split("/")[-1] else pattern.split("/")[-2]
    names = set()
    for entity in DESCRIPTION["entities"]:
        if entity["table"] == resource:
            names |= {f["name"] for f in entity["fields"]}
    # Accounts, tokens, sessions and members are not entities of the dataset, nor is the
    # codebook (a project's configuration): the valid body's members (added by the caller)
    # are their fields.
    assert names or resource in ("merge", "import", "revert", "session", "tokens", "users", "members",
                                 "codebook"), pattern
    return sorted(names)


ROUTES = route_table()


# ---------------------------------------------------------------- harness

@pytest.fixture(scope="module")
def hostile(cluster):
    """A server of its own on an empty database; it must stop cleanly (no
    sanitizer report) after all of this."""
    url = cluster.create_database("hostile_" + uuid.uuid4().hex[:10])
    s = Server(url).start()
    s.url = url
    s.session = requests.Session()
    s.session.headers.update(s.auth)
    RACE_AUTH.update(s.auth)
    s.psql = lambda sql: cluster.psql(sql, db=url.rsplit("/", 1)[1])
    yield s
    code = s.stop()
    log = s.read_log()
    assert code == 0, f"claimdb exited with {code}:\n{log[-5000:]}"
    for report in ("AddressSanitizer", "LeakSanitizer", "runtime error:", '"status":500'):
        assert report not in log, log[-5000:]


def check(response, where):
    """The bar for any answer: below 500, and an error is the one JSON shape
    whose status is the HTTP status. Returns the error object or None."""
    status = response.status_code
    # 503 is documented for a database that is down or busy; this one is up and idle.
    assert status < 500, (where, status, response.text[:2000])
    if status < 400:
        return None
    assert response.headers.get("Content-Type", "").startswith("application/json"), (where, response.text[:500])
    try:
        err = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        pytest.fail(f"{where}: {status} without the error shape: {response.text[:500]!r}")
    assert err["status"] == status, (where, err)
    assert isinstance(err["code"], str) and err["code"], (where, err)
    assert isinstance(err["message"], str) and err["message"], (where, err)
    assert_no_database_insides(err)
    return err


def send(s, method, path, body=None, where=None, **kw):
    r = s.session.request(method, s.base + path, data=body, timeout=TIMEOUT,
                          headers={"Content-Type": "application/json"} if body is not None else {}, **kw)
    check(r, where or f"{method} {path}")
    return r


def alive(s):
    r = requests.get(s.base + "/healthz", timeout=5, headers=s.auth)
    assert r.status_code == 200, r.text


def create(s, path, body):
    r = s.session.post(s.base + path, json=body, timeout=TIMEOUT)
    assert r.status_code == 201, (path, r.status_code, r.text)
    return r.json()


class World:
    """Real rows of every kind, and makers of throwaway ones for destructive calls."""

    def __init__(self, s):
        self.s = s
        self.doc = create(s, "/v1/documents", {"title": unique("doc"), "text": TEXT})
        self.actor = create(s, "/v1/actors", {"name": unique("actor"), "kind": "government"})
        self.actor2 = create(s, "/v1/actors", {"name": unique("actor")})
        self.source = create(s, "/v1/sources", {"title": unique("src"), "kind": "report"})
        self.claim = self.new_claim("the report was false")
        self.claim2 = self.new_claim("the report was accurate")
        self.attribution = self.claim["attributions"][0]
        self.citation = self.claim["citations"][0]
        self.relation = create(s, "/v1/relations", {"from_claim_id": self.claim2["id"],
                                                    "to_claim_id": self.claim["id"], "kind": "refutes"})
        self.entry = create(s, "/v1/codebook", {"tag": unique("tag"), "description": "d"})
        self.project = create(s, "/v1/projects", {"slug": unique("p"), "name": "hostile"})
        self.user = create(s, "/v1/users", {"username": unique("u"), "password": "correct horse"})
        create(s, f"/v1/projects/{self.project['id']}/members", {"user": self.user["username"], "role": "viewer"})
        self.token = create(s, "/v1/tokens", {"name": "hostile", "scopes": ["read"]})
        self.ids = {"documents": self.doc["id"], "actors": self.actor["id"], "claims": self.claim["id"],
                    "attributions": self.attribution["id"], "citations": self.citation["id"],
                    "relations": self.relation["id"], "sources": self.source["id"],
                    "trash": self.claim["id"],  # /v1/trash/{resource}/{id}: a row that is not in the trash
                    "projects": self.project["id"], "users": self.user["id"], "tokens": self.token["id"],
                    "codebook": self.entry["id"]}

    def new_claim(self, exact=None):
        body = {"text": unique("proposition")} if exact is None else \
            {"document_id": self.doc["id"], "target": {"exact": exact}}
        body["attributions"] = [{"actor_id": self.actor["id"], "mode": "indirect", "cue": "said"}]
        body["citations"] = [{"source_id": self.source["id"], "locator": "p. 1"}]
        return create(self.s, "/v1/claims", body)

    def fresh_id(self, resource):
        """The id of a new row that a destructive call may consume."""
        s = self.s
        if resource == "documents":
            return create(s, "/v1/documents", {"title": unique("doc"), "text": TEXT})["id"]
        if resource == "actors":
            return create(s, "/v1/actors", {"name": unique("actor")})["id"]
        if resource == "sources":
            return create(s, "/v1/sources", {"title": unique("src")})["id"]
        if resource == "projects":
            return create(s, "/v1/projects", {"slug": unique("p")})["id"]
        if resource == "tokens":
            return create(s, "/v1/tokens", {"scopes": ["read"]})["id"]
        if resource == "users":
            return create(s, "/v1/users", {"username": unique("u")})["id"]
        if resource == "codebook":
            return create(s, "/v1/codebook", {"tag": unique("tag")})["id"]
        claim = self.new_claim()
        if resource == "claims":
            return claim["id"]
        if resource == "attributions":
            return claim["attributions"][0]["id"]
        if resource == "citations":
            return claim["citations"][0]["id"]
        return create(s, "/v1/relations", {"from_claim_id": claim["id"], "to_claim_id": self.claim["id"],
                                           "kind": "supports"})["id"]

    def other_type_id(self, resource):
        """The id of an existing row of another kind than `resource`."""
        return self.ids["actors" if resource != "actors" else "claims"]

    def valid_body(self, method, pattern):
        """A body the route accepts, to be spoiled one field at a time."""
        w = {
            ("POST", "/v1/documents"): {"title": unique("doc"), "text": "some text", "language": "en",
                                        "published_at": "2026-01-01", "metadata": {"k": 1}},
            ("PATCH", "/v1/documents/{id}"): {"title": unique("doc"), "url": "https://example.org"},
            ("POST", "/v1/actors"): {"name": unique("actor"), "kind": "person", "aliases": ["A"]},
            ("PATCH", "/v1/actors/{id}"): {"description": "d", "aliases": ["B"]},
            ("POST", "/v1/actors/{id}/merge"): {"into": self.actor2["id"]},
            ("POST", "/v1/claims"): {
                "document_id": self.doc["id"], "target": {"start": 4, "end": 12, "exact": "ministry"},
                "kind": "factual", "tags": ["t"], "note": "n",
                "attributions": [{"actor_id": self.actor["id"], "mode": "indirect",
                                  "cue_span": {"exact": "said", "prefix": "ministry "}}],
                "citations": [{"source_id": self.source["id"], "span": {"start": 0, "end": 3}}]},
            ("PATCH", "/v1/claims/{id}"): {"note": "n", "tags": ["a"], "target": {"exact": "the report was false"}},
            ("POST", "/v1/claims/{id}/attributions"): {"actor_id": self.actor2["id"], "mode": "paraphrase",
                                                       "role": "r", "source_span": {"start": 0, "end": 3}},
            ("PATCH", "/v1/attributions/{id}"): {"role": "spokesperson", "cue_span": {"exact": "Critics"}},
            ("POST", "/v1/relations"): {"from_claim_id": self.claim["id"], "to_claim_id": self.claim2["id"],
                                        "kind": "disputes", "asserted_by_actor_id": self.actor["id"]},
            ("PATCH", "/v1/relations/{id}"): {"note": "n", "kind": "disputes"},
            ("POST", "/v1/sources"): {"title": unique("src"), "kind": "article", "published_at": "2026-01-01",
                                      "publisher_actor_id": self.actor2["id"]},
            ("PATCH", "/v1/sources/{id}"): {"url": "https://example.org", "document_id": self.doc["id"]},
            ("POST", "/v1/claims/{id}/citations"): {"source_id": self.source["id"], "locator": "p. 2",
                                                    "span": {"exact": "Nobody"}},
            ("POST", "/v1/session"): {"username": self.user["username"], "password": "wrong password"},
            ("POST", "/v1/tokens"): {"name": "t", "scopes": ["read"], "expires_days": 1},
            ("POST", "/v1/users"): {"username": unique("u"), "display_name": "U", "email": "u@example.org"},
            ("PATCH", "/v1/users/{id}"): {"display_name": "V", "email": "v@example.org"},
            ("POST", "/v1/projects"): {"slug": unique("p"), "name": "n", "visibility": "private",
                                       "settings": {"blind": False}},
            ("PATCH", "/v1/projects/{id}"): {"name": "m", "description": "d", "settings": {"blind": False}},
            ("POST", "/v1/projects/{id}/members"): {"user": self.user["username"], "role": "annotator"},
            ("PATCH", "/v1/projects/{id}/members/{user_id}"): {"role": "curator"},
            ("POST", "/v1/codebook"): {"tag": unique("tag"), "description": "d", "annotator": "a"},
            ("PATCH", "/v1/codebook/{id}"): {"description": "d2", "annotator": "b"},
        }
        for collection in ("documents", "actors", "claims", "attributions", "relations", "sources", "citations"):
            w[("POST", f"/v1/{collection}/{{id}}/revert")] = {"to_rev": 1}
        return w[(method, pattern)]

    def path(self, pattern, value=None):
        """pattern with {id} replaced by value, or by the id of a real row of its kind
        ({file}, the page's static files: a real one)."""
        if "{file}" in pattern:
            return pattern.replace("{file}", "app.js" if value is None else value)
        pattern = pattern.replace("{user_id}", self.user["id"])
        if "{id}" not in pattern:
            return pattern
        resource = pattern.split("/")[2]
        return pattern.replace("{id}", self.ids[resource] if value is None else value).replace("{resource}", "claims")


@pytest.fixture(scope="module")
def world(hostile):
    return World(hostile)


def rng(*salt):
    return random.Random(f"{SEED}:{':'.join(map(str, salt))}")


def body_routes():
    return [(m, p) for m, p, b in ROUTES if b == "BODY_JSON"]


def spoiled_bodies(base, fields, r):
    """(where, body) pairs: base with one member (or span member) given a wrong value."""
    out = []
    for field in fields:
        for value in WRONG_VALUES:
            out.append((field, {**base, field: value}))
    for field, value in base.items():
        if isinstance(value, dict) and field != "metadata":  # a span
            for member in ("start", "end", "exact", "prefix", "suffix", "segments", "bogus"):
                for v in r.sample(WRONG_VALUES, 10):
                    out.append((f"{field}.{member}", {**base, field: {**value, member: v}}))
            # a discontinuous span whose second piece is spoiled
            for member in ("start", "end", "exact", "prefix", "suffix", "segments", "bogus"):
                for v in r.sample(WRONG_VALUES, 4):
                    out.append((f"{field}.segments[1].{member}",
                                {**base, field: {"segments": [value, {**value, member: v}]}}))
        if isinstance(value, list) and value and isinstance(value[0], dict):  # inline attributions/citations
            for member in list(value[0]) + ["bogus"]:
                for v in r.sample(WRONG_VALUES, 8):
                    out.append((f"{field}[0].{member}", {**base, field: [value[0], {**value[0], member: v}]}))
    return out


# ---------------------------------------------------------------- bodies

@pytest.mark.parametrize("method,pattern", body_routes())
def test_malformed_bodies(hostile, world, method, pattern):
    path = world.path(pattern)
    for body in RAW_BODIES:
        r = send(hostile, method, path, body, where=f"{method} {pattern} {body[:40]!r}")
        if r.status_code < 400 and body not in (b"{}",):
            pytest.fail(f"{method} {pattern} accepted {body[:60]!r}: {r.status_code} {r.text[:300]}")
        if body and body[:1] != b"{":
            assert r.status_code == 400, (body[:40], r.text)
    alive(hostile)


@pytest.mark.parametrize("method,pattern", body_routes())
def test_every_field_with_every_wrong_type(hostile, world, method, pattern):
    r = rng(method, pattern)
    base = world.valid_body(method, pattern)
    fields = sorted(set(file_fields(pattern)) | set(base) | {"id", "created_at", "bogus"})
    cases = spoiled_bodies(base, fields, r)
    if len(cases) > 500:
        cases = r.sample(cases, 500)
    for field, body in cases:
        path = world.path(pattern, world.fresh_id("actors") if pattern.endswith("/merge") else None)
        send(hostile, method, path, dumps(body), where=f"{method} {pattern} {field}")
    alive(hostile)


# ---------------------------------------------------------------- query strings

def allowed_params(s, path, method):
    r = s.session.request(method, s.base + path + "?zz_unknown=1", timeout=TIMEOUT)
    err = check(r, f"{method} {path}?zz_unknown=1")
    if err and err["code"] == "unknown_parameter":
        assert err["field"] == "zz_unknown", err
        return err["allowed"]
    return []


@pytest.mark.parametrize("method,pattern", [(m, p) for m, p, _ in ROUTES if m in ("GET", "DELETE")])
def test_bad_query_strings(hostile, world, method, pattern):
    r = rng(method, pattern)
    fresh = method == "DELETE"
    resource = pattern.split("/")[2] if "{id}" in pattern else None
    path = world.path(pattern, world.fresh_id(resource) if fresh else None)
    params = allowed_params(hostile, path, method) + ["limit", "after"]
    queries = [f"{p}={v}" for p in params for v in QUERY_VALUES]
    queries += [f"{p}=a&{p}=b" for p in params] + [f"{p}" for p in params] + [f"{p}=" for p in params]
    queries += ["%FF%FE=1", "=", "&&&", "a=%", "a=%G1", "limit=1&limit=2000", "%00=1", "x" * 3000 + "=1"]
    queries = r.sample(queries, min(len(queries), 150))
    for q in queries:
        rr = hostile.session.request(method, f"{hostile.base}{path}?{q}", timeout=TIMEOUT)
        check(rr, f"{method} {pattern}?{q[:80]}")
        if fresh and rr.status_code == 204:
            path = world.path(pattern, world.fresh_id(resource))
    alive(hostile)


def test_limits_and_cursors_on_every_list(hostile, world):
    lists = [p for m, p, _ in ROUTES if m == "GET"]
    other_cursor = None
    for i in range(3):
        create(hostile, "/v1/actors", {"name": unique("page")})
    got = hostile.session.get(f"{hostile.base}/v1/actors?limit=1", timeout=TIMEOUT).json()
    other_cursor = got["next"]
    assert other_cursor
    cursors = ["", "AAAA", "YzE", "YzEf", "!!!!", "YzEfbm90LWEtdXVpZA", "YzEfMTIzHzQ1Ng", other_cursor,
               other_cursor + "A", other_cursor[:-1], "A" * 400]
    for pattern in lists:
        path = world.path(pattern)
        for limit in ("0", "-1", "1001", "abc", "99999999999999999999", "1.5", " 1", "+1", "0x10", "1000"):
            check(hostile.session.get(f"{hostile.base}{path}?limit={limit}", timeout=TIMEOUT),
                  f"GET {pattern}?limit={limit}")
        for c in cursors:
            r = hostile.session.get(f"{hostile.base}{path}", params={"after": c}, timeout=TIMEOUT)
            err = check(r, f"GET {pattern}?after={c}")
            # /metrics (text, for server admins) reads no query: nothing to page
            if err and err["code"] not in ("unknown_parameter",) and pattern not in ("/v1/export", "/metrics"):
                assert err.get("field") == "after", (pattern, c, err)
    alive(hostile)


# ---------------------------------------------------------------- path ids

@pytest.mark.parametrize("method,pattern,body", [r for r in ROUTES if "{id}" in r[1]])
def test_bad_path_ids(hostile, world, method, pattern, body):
    resource = pattern.split("/")[2]
    destructive = method == "DELETE" or pattern.endswith("/merge")
    real = world.fresh_id(resource) if destructive else world.ids[resource]
    ids = ["not-a-uuid", NIL, str(uuid.uuid4()), world.other_type_id(resource), "x" * 2000, "y" * 200,
           "%FF%FE", "%00", "%C3%28", real.upper(), real + "0", "{" + real + "}", real[:-1], real.replace("-", ""),
           "%2F", "-1", "99999999999999999999", "ffffffff-ffff-ffff-ffff-ffffffffffff"]
    data = b"{}" if body == "BODY_JSON" else None
    for value in ids:
        path = pattern.replace("{id}", value)
        r = send(hostile, method, path, data, where=f"{method} {pattern} id={value[:40]}")
        if value != real.upper():
            assert r.status_code >= 400, (method, pattern, value, r.status_code, r.text[:300])
    alive(hostile)


# ---------------------------------------------------------------- transport-level garbage

def raw_request(s, data):
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return out
            out += chunk


def test_raw_bytes_in_the_request_line(hostile):
    for target in (b"/v1/claims/\xff\xfe", b"/v1/\xc3", b"/v1/claims?q=\xff", b"/v1/documents?external_id=\xff\xfe",
                   b"/v1/tags?prefix=\xed\xa0\x80", b"/v1/claims?tag=%FF", b"/\xff"):
        reply = raw_request(hostile, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        status = int(reply.split(b" ", 2)[1])
        assert status < 500, (target, reply[:500])
        if status >= 400 and b"application/json" in reply:
            err = json.loads(reply.split(b"\r\n\r\n", 1)[1])["error"]
            assert err["status"] == status and err["message"], (target, err)
    alive(hostile)


def test_declared_length_and_huge_body(hostile, world):
    r = requests.post(hostile.base + "/v1/documents", headers=dict(hostile.auth, **{"Content-Type": "application/json"}), data=b'{"title":"t","text":"' + b"x" * (17 << 20) + b'"}',
                      timeout=60)
    assert_error(r, 413, "body_too_large")
    alive(hostile)


# ---------------------------------------------------------------- never half-written

def counts(s):
    return s.psql("SELECT (SELECT count(*) FROM claims), (SELECT count(*) FROM attributions),"
                  " (SELECT count(*) FROM citations), (SELECT count(*) FROM relations),"
                  " (SELECT count(*) FROM documents), (SELECT count(*) FROM actors), (SELECT count(*) FROM sources)")


@pytest.mark.parametrize("bad", [
    {"actor_id": str(uuid.uuid4()), "mode": "indirect"},                 # no such actor: 422
    {"actor_id": "ACTOR", "mode": "wizardry"},                            # bad enum: 400
    {"actor_id": "ACTOR", "cue_span": {"exact": "not in the text"}},      # unresolvable span: 422
    {"actor_id": "ACTOR", "via_attribution_id": str(uuid.uuid4())},       # dangling via: 422
    {"actor_id": "ACTOR", "frobnicate": 1},                               # unknown field: 400
])
def test_claim_with_one_bad_inline_attribution_leaves_nothing(hostile, world, bad):
    bad = {k: (world.actor["id"] if v == "ACTOR" else v) for k, v in bad.items()}
    good = {"actor_id": world.actor["id"], "mode": "direct_quote"}
    before = counts(hostile)
    body = {"document_id": world.doc["id"], "target": {"exact": "numbers rose"},
            "attributions": [good, {**good, "actor_id": world.actor2["id"]}, bad],
            "citations": [{"source_id": world.source["id"]}]}
    r = hostile.session.post(hostile.base + "/v1/claims", json=body, timeout=TIMEOUT)
    err = check(r, "POST /v1/claims with a bad attribution")
    assert r.status_code in (400, 422), r.text
    assert err["field"].startswith("attributions[2]"), err
    assert counts(hostile) == before
    # and a bad citation after good attributions
    body["attributions"] = [good]
    body["citations"] = [{"source_id": world.source["id"]}, {"source_id": str(uuid.uuid4())}]
    err = check(hostile.session.post(hostile.base + "/v1/claims", json=body, timeout=TIMEOUT), "bad citation")
    assert err and err["field"].startswith("citations[1]"), err
    assert counts(hostile) == before


def test_failed_imports_write_nothing(hostile, world):
    before = counts(hostile)
    ok_actor, doc = str(uuid.uuid4()), str(uuid.uuid4())
    header = json.dumps({"type": "header", "format": "claimdb-ndjson", "version": 1}) + "\n"
    good = [json.dumps({"type": "actor", "id": ok_actor, "name": "Fine"}) + "\n",
            json.dumps({"type": "document", "id": doc, "title": "T", "text": "alpha beta"}) + "\n",
            json.dumps({"type": "claim", "id": str(uuid.uuid4()), "document_id": doc,
                        "target": {"exact": "beta"}}) + "\n"]
    bad_lines = [
        "not json\n", "[1,2]\n", '"str"\n', "{}\n", '{"type": "wizard"}\n', '{"type": "actor"}\n',
        json.dumps({"type": "actor", "id": str(uuid.uuid4()), "name": 5}) + "\n",
        json.dumps({"type": "claim", "id": str(uuid.uuid4()), "document_id": doc,
                    "target": {"start": 2**63 - 1, "end": -2**63}}) + "\n",
        json.dumps({"type": "claim", "id": str(uuid.uuid4()), "document_id": doc,
                    "target": {"start": 0, "end": 2**31 + 5}}) + "\n",
        json.dumps({"type": "relation", "id": str(uuid.uuid4()), "from_claim_id": str(uuid.uuid4()),
                    "to_claim_id": str(uuid.uuid4()), "kind": "refutes"}) + "\n",
        json.dumps({"type": "actor", "id": ok_actor, "name": "Twice"}) + "\n",
        '{"type": "actor", "id": "' + str(uuid.uuid4()) + '", "name": "\\ud800"}\n',
        '{"type": "actor", "id": "' + str(uuid.uuid4()) + '", "name": "a\\u0000b"}\n',
        '{"type": "actor", "name": "x", "name": "y"}\n',
        "[" * 10000 + "\n",
        '{"type": "actor", "id": "' + str(uuid.uuid4()) + '", "name": "\xff"}\n',
        json.dumps({"type": "document", "id": str(uuid.uuid4()), "title": "t", "text": "x" * 100_000,
                    "published_at": "2026-02-30"}) + "\n",
        json.dumps({"type": "actor", "id": str(uuid.uuid4()), "name": "n", "created_at": "yesterday"}) + "\n",
    ]
    for bad in bad_lines:
        for body in (header + "".join(good) + bad, header + bad + "".join(good)):
            data = body.encode("utf-8", "surrogatepass") if "\xff" not in bad else \
                body.replace("\xff", "").encode() + b"\xff\n"
            r = requests.post(hostile.base + "/v1/import", data=data, timeout=60, headers=hostile.auth)
            check(r, f"import {bad[:60]!r}")
            assert r.status_code in (400, 409, 413, 422), (bad[:60], r.status_code, r.text[:500])
    for data in (b"", b"\x00" * 100, b"\xff\xfe" + "x".encode("utf-16"), b"\n\n\n", header.encode() * 2,
                 b'{"type": "header", "format": "other", "version": 99}\n'):
        r = requests.post(hostile.base + "/v1/import", data=data, timeout=60, headers=hostile.auth)
        check(r, f"import {data[:30]!r}")
    r = requests.post(hostile.base + "/v1/import?dry_run=maybe", data=header.encode(), timeout=60, headers=hostile.auth)
    assert_error(r, 400, field="dry_run")
    assert counts(hostile) == before
    alive(hostile)


# ---------------------------------------------------------------- races

RACE_AUTH = {}


def race(calls, threads=6, rounds=3):
    """Runs calls (functions returning a response) from several threads at once;
    returns the statuses."""
    statuses, errors = [], []
    barrier = threading.Barrier(threads)

    def worker(i):
        session = requests.Session()
        session.headers.update(RACE_AUTH)
        try:
            barrier.wait(timeout=10)
            for k in range(rounds):
                r = calls[(i + k) % len(calls)](session)
                statuses.append(r.status_code)
                if r.status_code >= 400:
                    check(r, "race")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(60)
    assert not errors, errors
    return statuses


def test_concurrent_patch_and_delete_of_one_row(hostile, world):
    base = hostile.base
    for resource, patch in (("claims", {"note": "raced"}), ("actors", {"description": "raced"}),
                            ("attributions", {"role": "raced"}), ("relations", {"note": "raced"}),
                            ("sources", {"url": "https://example.org/raced"}), ("documents", {"title": "raced"})):
        rid = world.fresh_id(resource)
        url = f"{base}/v1/{resource}/{rid}"
        calls = [lambda s, u=url, p=patch: s.patch(u, json=p, timeout=TIMEOUT),
                 lambda s, u=url: s.delete(u, timeout=TIMEOUT),
                 lambda s, u=url: s.get(u, timeout=TIMEOUT)]
        statuses = race(calls)
        assert set(statuses) <= {200, 204, 404, 409}, (resource, statuses)
        assert statuses.count(204) <= 1, (resource, statuses)


def test_concurrent_duplicate_creates_and_merges(hostile, world):
    base = hostile.base
    c1, c2 = world.new_claim()["id"], world.new_claim()["id"]
    rel = {"from_claim_id": c1, "to_claim_id": c2, "kind": "supports"}
    statuses = race([lambda s: s.post(f"{base}/v1/relations", json=rel, timeout=TIMEOUT)])
    assert statuses.count(201) == 1 and set(statuses) <= {201, 409}, statuses
    a, b = world.fresh_id("actors"), world.fresh_id("actors")
    statuses = race([lambda s: s.post(f"{base}/v1/actors/{a}/merge", json={"into": b}, timeout=TIMEOUT),
                     lambda s: s.post(f"{base}/v1/actors/{b}/merge", json={"into": a}, timeout=TIMEOUT)],
                    threads=4, rounds=2)
    assert set(statuses) <= {200, 404, 409, 422}, statuses
    alive(hostile)


# ---------------------------------------------------------------- regressions: each a bug this file found

def test_error_messages_quoting_bytes_that_are_not_utf8_keep_their_shape(hostile):
    """Was: the message quoting a path or parameter name that is not UTF-8
    could not be encoded, and the error went out without "message"."""
    err = assert_error(hostile.session.get(hostile.base + "/v1/%FF%FE"), 404, "not_found")
    assert err["message"].startswith("no such resource: /v1/")
    err = assert_error(hostile.session.get(hostile.base + "/v1/claims?%FF=1"), 400, "unknown_parameter")
    assert err["field"] == "?" and "allowed" in err


def test_nul_in_the_path_is_not_the_end_of_it(hostile):
    """Was: %00 cut the path short, so GET /v1/claims/%00 listed the claims."""
    assert_error(hostile.session.get(hostile.base + "/v1/claims/%00"), 400, "invalid_id", "id")
    assert_error(hostile.session.delete(hostile.base + "/v1/actors/%00"), 400, "invalid_id", "id")
    assert_error(hostile.session.get(hostile.base + "/v1/%00"), 404, "not_found")


def test_query_values_that_are_not_utf8_are_refused_by_name(hostile):
    """Was: 500 from /v1/export (the COPY refused the bytes), and 400 without
    a field from the lists (PostgreSQL refused them inside the statement)."""
    for path, name in (("/v1/export", "tag"), ("/v1/export", "q"), ("/v1/claims", "q"), ("/v1/tags", "prefix"),
                       ("/v1/documents", "external_id"), ("/v1/actors", "name"), ("/v1/attributions", "role")):
        assert_error(hostile.session.get(f"{hostile.base}{path}?{name}=%C3"), 400, "invalid_utf8", name)


def test_dates_and_times_that_do_not_exist_are_refused_by_name(hostile, world):
    """Was: 400 without a field (PostgreSQL refused 2026-02-30 in the
    statement), a 422 without a line from the import, and from /v1/export a
    200 whose body broke off once the COPY hit the bad filter."""
    for day in ("2026-02-30", "2025-02-29", "2026-04-31", "0000-01-01"):
        for path in ("/v1/documents", "/v1/sources"):
            r = hostile.session.post(hostile.base + path, json={"title": "t", "text": "x", "published_at": day}
                                     if path == "/v1/documents" else {"title": "t", "published_at": day})
            assert_error(r, 400, "invalid_date", "published_at")
    create(hostile, "/v1/sources", {"title": "leap", "published_at": "2024-02-29"})
    for when in ("2026-02-30", "2026-01-01T25:00:00Z", "2026-01-01T10:61:00Z", "2026-01-01T10:00:61Z",
                 "2026-01-01T10:00:00+16:00", "2026-01-01T10:00:00+01:60"):
        for path in ("/v1/export", "/v1/claims"):
            assert_error(hostile.session.get(hostile.base + path, params={"created_after": when}), 400,
                         "invalid_timestamp", "created_after")
    assert hostile.session.get(hostile.base + "/v1/claims",
                               params={"created_after": "2016-12-31T23:59:60+15:59"}).status_code == 200
    header = json.dumps({"type": "header", "format": "claimdb-ndjson", "version": 1}) + "\n"
    line = json.dumps({"type": "document", "id": str(uuid.uuid4()), "title": "t", "text": "x",
                       "published_at": "2026-02-30"}) + "\n"
    err = assert_error(requests.post(hostile.base + "/v1/import", data=(header + line).encode(), timeout=60, headers=hostile.auth),
                       422, "invalid_lines")
    assert [(e["line"], e["field"], e["code"]) for e in err["lines"]] == [(2, "published_at", "invalid_date")]


def test_tags_and_aliases_too_long_for_their_index_are_refused_by_name(hostile, world):
    """Was: 422 invalid_value without a field ("index row size 8016 exceeds
    maximum 2712 for index claims_tags") once PostgreSQL tried to index them."""
    r = hostile.session.post(hostile.base + "/v1/claims", json={"text": "t", "tags": ["ok", NOISE]})
    assert_error(r, 400, "too_long", "tags")
    r = hostile.session.patch(f"{hostile.base}/v1/claims/{world.claim['id']}", json={"tags": [NOISE[:201]]})
    assert_error(r, 400, "too_long", "tags")
    assert_error(hostile.session.post(hostile.base + "/v1/actors", json={"name": "n", "aliases": [NOISE]}),
                 400, "too_long", "aliases")
    create(hostile, "/v1/claims", {"text": "t", "tags": [NOISE[:200]]})
    create(hostile, "/v1/actors", {"name": "n", "aliases": ["\U0001d11e" * 500]})
    header = json.dumps({"type": "header", "format": "claimdb-ndjson", "version": 1}) + "\n"
    line = json.dumps({"type": "claim", "id": str(uuid.uuid4()), "text": "t", "tags": [NOISE]}) + "\n"
    err = assert_error(requests.post(hostile.base + "/v1/import", data=(header + line).encode(), timeout=60, headers=hostile.auth),
                       422, "invalid_lines")
    assert [(e["line"], e["field"], e["code"]) for e in err["lines"]] == [(2, "tags", "too_long")]


def test_document_claims_cursor_past_the_integer_range(hostile, world):
    """Was: 400 invalid_value without a field (the cursor's start overflowed
    PostgreSQL's integer)."""
    def cursor(*parts):
        raw = ("c1" + "".join("\x1f" + p for p in parts)).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")
    for start in ("2147483648", "99999999999999999999"):
        r = hostile.session.get(f"{hostile.base}/v1/documents/{world.doc['id']}/claims",
                                params={"after": cursor(start, str(uuid.uuid4()))})
        assert_error(r, 400, "invalid_cursor", "after")
