"""Who may do what: the access matrix over the route table, leaks, row-level security.

Its own server and database. Three projects: `own` (private; the role users
are members of it), `other` (private; nobody below is a member) and `pub`
(public). Rows of every kind in each, made by the server admin. Identities:
anonymous, a wrong token, an expired one, a revoked one, viewer, annotator,
curator, manager and owner of `own`, a member of another project only, and
a server admin. Every GET route of the route table is asked by every
identity about every project's rows, and a set of writes by role; every
cell's status is checked, and no response body may contain the id of a row
of a project the identity cannot read. The cell count is printed.
"""
import glob
import os
import re
import subprocess
import uuid

import pytest
import requests

from conftest import BIN, ROOT, Server, cli, make_token, unique

IDENTITIES = ["anonymous", "wrong", "expired", "revoked", "viewer", "annotator", "curator", "manager", "owner",
              "stranger", "admin"]
ROLES = ["viewer", "annotator", "curator", "manager", "owner"]
PROJECTS = ["own", "other", "pub"]
RESOURCES = ["documents", "actors", "claims", "attributions", "relations", "sources", "citations"]


def get_routes():
    """(METHOD, pattern, access) of every route table entry of server/ep_*.c."""
    routes = set()
    for path in glob.glob(os.path.join(ROOT, "server", "ep_*.c")):
        with open(path, encoding="utf-8") as f:
            for entry in re.findall(r'^\s*\{\.method = "\w+".*$', f.read(), re.M):
                routes.add((re.search(r'\.method = "(\w+)"', entry).group(1),
                            re.search(r'\.pattern = "([^"]+)"', entry).group(1),
                            re.search(r'\.access = (ACCESS_\w+)', entry).group(1)))
    return sorted(routes)


ROLE_OF_ACCESS = {"ACCESS_ANNOTATE": "annotator", "ACCESS_CURATE": "curator", "ACCESS_MANAGE": "manager",
                  "ACCESS_OWN": "owner"}


def route_role(method, pattern):
    """The role the route table says a route needs in some project."""
    return ROLE_OF_ACCESS[next(a for m, p, a in ROUTES if m == method and p == pattern)]


ROUTES = get_routes()


@pytest.fixture(scope="module")
def world(cluster):
    url = cluster.create_database("access_" + uuid.uuid4().hex[:10])
    s = Server(url).start()
    w = type("World", (), {})()
    w.server, w.url = s, url
    slugs = {p: unique(p) for p in PROJECTS}
    w.slugs = slugs
    w.project_ids = {}
    for p in PROJECTS:
        w.project_ids[p] = cli(url, "project", "add", slugs[p], "--owner", "tester",
                               *(["--public"] if p == "pub" else []))
    tokens = {"anonymous": None, "wrong": "cdb_0123456789abcdef_" + "A" * 43}
    for role in ROLES:
        tokens[role] = make_token(url, unique(role), slugs["own"], role, scope="read,write,admin")
    elsewhere = unique("else")
    cli(url, "project", "add", elsewhere)
    tokens["stranger"] = make_token(url, unique("stranger"), elsewhere, "owner", scope="read,write,admin")
    tokens["expired"] = make_token(url, unique("exp"), slugs["own"], "owner", scope="read,write,admin", expires=0)
    tokens["revoked"] = make_token(url, unique("rev"), slugs["own"], "owner", scope="read,write,admin")
    cli(url, "token", "revoke", tokens["revoked"])
    tokens["admin"] = s.token
    w.tokens = tokens
    admin = requests.Session()
    admin.headers.update(s.auth)
    w.admin = admin
    w.rows = {p: make_rows(s.base, admin, w.project_ids[p]) for p in PROJECTS}
    yield w
    code = s.stop()
    assert code == 0, s.read_log()[-3000:]


def make_rows(base, session, project_id):
    def post(path, body):
        r = session.post(base + path, json=body)
        assert r.status_code == 201, (path, r.status_code, r.text)
        return r.json()
    text = "The ministry said the report was false. Critics said it was accurate."
    doc = post("/v1/documents", {"project_id": project_id, "title": unique("doc"), "text": text})
    actor = post("/v1/actors", {"project_id": project_id, "name": unique("actor")})
    source = post("/v1/sources", {"project_id": project_id, "title": unique("src")})
    c1 = post("/v1/claims", {"project_id": project_id, "document_id": doc["id"], "target": {"exact": "the report was false"},
                             "attributions": [{"actor_id": actor["id"], "mode": "indirect"}],
                             "citations": [{"source_id": source["id"]}]})
    c2 = post("/v1/claims", {"project_id": project_id, "document_id": doc["id"], "target": {"exact": "it was accurate"}})
    rel = post("/v1/relations", {"from_claim_id": c2["id"], "to_claim_id": c1["id"], "kind": "refutes"})
    entry = post(f"/v1/codebook?project_id={project_id}", {"tag": unique("tag"), "description": "d"})
    return {"documents": doc["id"], "actors": actor["id"], "sources": source["id"], "claims": c1["id"],
            "attributions": c1["attributions"][0]["id"], "citations": c1["citations"][0]["id"],
            "relations": rel["id"], "projects": project_id, "codebook": entry["id"], "claims_other": c2["id"]}


def headers(world, who):
    token = world.tokens[who]
    return {"Authorization": "Bearer " + token} if token else {}


def can_read(who, project):
    if who == "admin":
        return True
    if project == "pub":
        return who not in ("wrong", "expired", "revoked")
    return project == "own" and who in ROLES


def expected_get(who, access, pattern, project):
    """The status of GET pattern about `project`'s rows for `who`."""
    if access == "ACCESS_PUBLIC":
        return 200
    if who in ("wrong", "expired", "revoked"):
        return 401
    if access == "ACCESS_USER":
        return 401 if who == "anonymous" else 200
    if access == "ACCESS_ADMIN":
        return 401 if who == "anonymous" else 200 if who == "admin" else 403
    if "{id}" not in pattern and pattern != "/v1/export":
        return 200  # lists: filtered, never refused
    if can_read(who, project):
        return 200
    return 401 if who == "anonymous" else 404


def test_access_matrix(world):
    base = world.server.base
    cells = leaks = 0
    failures = []
    for method, pattern, access in ROUTES:
        if method != "GET":
            continue
        for project in PROJECTS:
            rows = world.rows[project]
            if "{id}" in pattern:
                resource = pattern.split("/")[2]
                path = pattern.replace("{id}", rows[resource])
            else:
                path = pattern
            if pattern == "/ui/{file}":
                path = "/ui/app.js"  # the page's files: public, like the page itself
            if pattern == "/v1/export":  # per project: like a row of that project
                path += "?format=ndjson&project_id=" + rows["projects"]
            if pattern == "/v1/search":
                path += "?q=report"
            for who in IDENTITIES:
                r = requests.get(base + path, headers=headers(world, who), timeout=60)
                want = expected_get(who, access, pattern, project)
                cells += 1
                if r.status_code != want:
                    failures.append((who, project, method, path, r.status_code, want, r.text[:200]))
                if r.status_code == 401:
                    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer"), (who, path)
                for p in PROJECTS:
                    if not can_read(who, p) and r.status_code < 300:
                        for rid in world.rows[p].values():
                            if rid in r.text:
                                leaks += 1
                                failures.append(("LEAK", who, p, path, rid))
    print(f"\naccess matrix: {cells} GET cells, {leaks} leaks")
    assert not failures, failures[:10]
    assert leaks == 0


def write_expectation(who, role_needed, project, own_row, route_role="annotator"):
    """Status of a change to an existing row of `project` needing role_needed
    (annotators may change their own rows)."""
    if who in ("wrong", "expired", "revoked", "anonymous"):
        return 401
    order = {r: i for i, r in enumerate(ROLES)}
    best = "owner" if who == "stranger" else who  # the stranger owns another project
    if who == "admin":
        return None
    if order.get(best, -1) < order[route_role]:
        return 403  # refused before the handler (the route's declared access): no such role anywhere
    if not can_read(who, project):
        return 404
    if project != "own":
        return 403  # readable (public) but not a member
    if order[who] >= order[role_needed] or (role_needed == "curator" and own_row):
        return None
    return 403


def test_changes_by_role(world):
    """PATCH on rows the admin made: curators and up (not annotators: not theirs), 404 where unreadable."""
    base = world.server.base
    cells = 0
    failures = []
    for resource, body in (("documents", {"title": "changed"}), ("claims", {"note": "changed"}),
                           ("actors", {"description": "changed"}), ("relations", {"note": "changed"}),
                           ("attributions", {"role": "changed"}), ("sources", {"url": "https://example.org"})):
        for project in PROJECTS:
            path = f"/v1/{resource}/{world.rows[project][resource]}"
            for who in IDENTITIES:
                want = write_expectation(who, "curator", project, own_row=False,
                                         route_role=route_role("PATCH", f"/v1/{resource}/{{id}}"))
                r = requests.patch(base + path, json=body, headers=headers(world, who), timeout=60)
                cells += 1
                ok = r.status_code == 200 if want is None else r.status_code == want
                if not ok:
                    failures.append((who, project, path, r.status_code, want, r.text[:200]))
                if r.status_code == 403:
                    assert "role_needed" in r.json()["error"] or "scope" in r.json()["error"]["message"], r.text
    print(f"\nchanges by role: {cells} cells")
    assert not failures, failures[:10]


def create_expectation(who, project, role_needed, nested):
    """Status of creating a row in `project` that needs role_needed there;
    nested: the path names a row of the project (a claim), so an unreadable
    project is 404 for it rather than 403."""
    if who in ("wrong", "expired", "revoked", "anonymous"):
        return 401
    if who == "admin":
        return 201
    order = {r: i for i, r in enumerate(ROLES)}
    best = "owner" if who == "stranger" else who
    if order[best] < order[role_needed]:
        return 403  # the route's declared access: no such role anywhere
    if nested and not can_read(who, project):
        return 404
    if project != "own" or who not in ROLES or order[who] < order[role_needed]:
        return 403
    return 201


def test_creates_by_role(world):
    """POST of every create route, in every project, for every identity: the
    role the route table declares, the role in the row's project, and nothing
    created where refused."""
    base = world.server.base
    cells = 0
    failures = []
    for project in PROJECTS:
        pid = world.project_ids[project]
        rows = world.rows[project]
        routes = [
            ("/v1/documents", lambda m: {"project_id": pid, "title": m, "text": "Some words."}, False),
            ("/v1/actors", lambda m: {"project_id": pid, "name": m, "force": True}, False),
            ("/v1/sources", lambda m: {"project_id": pid, "title": m}, False),
            ("/v1/claims", lambda m: {"project_id": pid, "text": m}, False),
            ("/v1/relations", lambda m: {"from_claim_id": rows["claims"], "to_claim_id": rows["claims_other"],
                                         "kind": "supports", "note": m}, False),
            (f"/v1/claims/{rows['claims']}/attributions", lambda m: {"actor_id": rows["actors"], "role": m}, True),
            (f"/v1/claims/{rows['claims']}/citations", lambda m: {"source_id": rows["sources"], "locator": m}, True),
        ]
        for path, body, nested in routes:
            pattern = re.sub(r"/v1/claims/[0-9a-f-]{36}/", "/v1/claims/{id}/", path)
            for who in IDENTITIES:
                mark = unique(who)
                want = {create_expectation(who, project, route_role("POST", pattern), nested)}
                if path == "/v1/relations" and want == {403} and not can_read(who, project):
                    # the claims it names are invisible to the caller: refused as a reference to
                    # nothing (422 naming from_claim_id) or as writing outside one's projects
                    want = {403, 422}
                r = requests.post(base + path, json=body(mark), headers=headers(world, who), timeout=60)
                cells += 1
                if r.status_code not in want:
                    failures.append((who, project, path, r.status_code, want, r.text[:200]))
                if r.status_code == 201 and path == "/v1/relations":
                    # one relation per pair and kind: make room for the next identity's
                    assert world.admin.delete(base + f"/v1/relations/{r.json()['id']}").status_code == 204
                if r.status_code != 201:
                    export = world.admin.get(base + f"/v1/export?format=ndjson&project_id={pid}").text
                    if mark in export:
                        failures.append(("created anyway", who, project, path, r.status_code))
    print(f"\ncreates by role: {cells} cells")
    assert cells == len(PROJECTS) * len(IDENTITIES) * 7
    assert not failures, failures[:40]


def test_deletes_by_role(world):
    """DELETE of every resource, on rows the admin made, for every identity in
    every project: each cell on a fresh set of rows (a delete that is allowed
    consumes its row). Curators and up delete (annotators: not others' rows),
    unreadable rows are 404, and a refused delete leaves the row in place."""
    base = world.server.base
    order = ["citations", "relations", "attributions", "claims", "sources", "actors", "documents"]
    cells = 0
    failures = []
    for project in PROJECTS:
        for who in IDENTITIES:
            rows = make_rows(base, world.admin, world.project_ids[project])
            for resource in order:
                path = f"/v1/{resource}/{rows[resource]}"
                want = write_expectation(who, "curator", project, own_row=False,
                                         route_role=route_role("DELETE", f"/v1/{resource}/{{id}}"))
                query = "?cascade=true" if resource == "documents" else ""
                r = requests.delete(base + path + query, headers=headers(world, who), timeout=60)
                cells += 1
                if r.status_code != (204 if want is None else want):
                    failures.append((who, project, path, r.status_code, want, r.text[:200]))
                still = world.admin.get(base + path).status_code
                if still != (404 if r.status_code == 204 else 200):
                    failures.append(("row after", who, project, path, r.status_code, still))
    print(f"\ndeletes by role: {cells} cells")
    assert cells == len(PROJECTS) * len(IDENTITIES) * len(order)
    assert not failures, failures[:10]


def test_annotators_change_their_own_rows_and_creates_need_a_role(world):
    base = world.server.base
    h = headers(world, "annotator")
    pid = world.project_ids["own"]
    body = {"project_id": pid, "text": "my own proposition", "created_by": "someone else"}
    mine = requests.post(base + "/v1/claims", json={k: v for k, v in body.items() if k != "created_by"}, headers=h)
    assert mine.status_code == 201, mine.text
    cid = mine.json()["id"]
    assert requests.patch(base + f"/v1/claims/{cid}", json={"note": "still mine"}, headers=h).status_code == 200
    # created_by/updated_by are the server's: the annotator's user
    who = subprocess.run(
        ["psql", world.url, "-XAtqc", f"SELECT u.username, v.username FROM claims c JOIN users u ON u.id = c.created_by"
                                      f" JOIN users v ON v.id = c.updated_by WHERE c.id = '{cid}'"],
        capture_output=True, text=True).stdout
    assert who.startswith("annotator") and who.count("annotator") == 2, who
    # but not the admin's claim in the same project
    r = requests.patch(base + f"/v1/claims/{world.rows['own']['claims']}", json={"note": "not mine"}, headers=h)
    assert r.status_code == 403 and r.json()["error"]["role_needed"] == "curator", r.text
    # a viewer may not create; the error names the role
    r = requests.post(base + "/v1/claims", json={"project_id": pid, "text": "x"}, headers=headers(world, "viewer"))
    assert r.status_code == 403 and r.json()["error"]["role_needed"] == "annotator", r.text
    # an annotator of `own` may not create in `other` (nor learn whether it exists)
    r = requests.post(base + "/v1/claims", json={"project_id": world.project_ids["other"], "text": "x"}, headers=h)
    assert r.status_code == 403, r.text
    r = requests.post(base + "/v1/claims", json={"project_id": str(uuid.uuid4()), "text": "x"}, headers=h)
    assert r.status_code == 403, r.text
    # curators delete anyone's rows, viewers nothing
    assert requests.delete(base + f"/v1/claims/{cid}", headers=headers(world, "viewer")).status_code == 403
    assert requests.delete(base + f"/v1/claims/{cid}", headers=headers(world, "curator")).status_code == 204


def test_revoked_and_removed_lose_access_at_once_here(world):
    base = world.server.base
    url = world.url
    user = unique("leaver")
    token = make_token(url, user, world.slugs["own"], "viewer")
    h = {"Authorization": "Bearer " + token}
    path = f"/v1/documents/{world.rows['own']['documents']}"
    assert requests.get(base + path, headers=h).status_code == 200
    # removal through the API (this process forgets its cache at once)
    r = world.admin.delete(base + f"/v1/projects/{world.project_ids['own']}/members/"
                           + requests.get(base + "/v1/me", headers=h).json()["user"]["id"])
    assert r.status_code == 204, r.text
    assert requests.get(base + path, headers=h).status_code == 404
    # revocation through the API
    mine = requests.get(base + "/v1/tokens", headers=h).json()["items"]
    assert len(mine) == 1 and "token" not in mine[0] and token not in str(mine)
    assert requests.delete(base + f"/v1/tokens/{mine[0]['id']}", headers=h).status_code == 204
    assert requests.get(base + "/v1/me", headers=h).status_code == 401


def test_row_level_security_hides_other_projects_from_an_unscoped_statement(world):
    """Defense in depth: a statement run as claimdb's role with no request scope
    (as a handler that forgot its filter would, if the scope were missing) sees
    no row of any private project; with a viewer's scope, only that project's."""
    env = dict(os.environ)
    env.pop("PGOPTIONS", None)  # no claimdb.admin: exactly the server's role and nothing else
    for table in RESOURCES:
        out = subprocess.run(["psql", world.url, "-XAtqc", f"SELECT count(*) FROM {table}"], env=env,
                             capture_output=True, text=True, check=True).stdout.strip()
        pub = subprocess.run(["psql", world.url, "-XAtqc", f"SELECT count(*) FROM {table} WHERE project_id = "
                              f"'{world.project_ids['pub']}'"], capture_output=True, text=True, check=True).stdout
        assert out == "0", (table, out)  # nothing at all: the scope names no project
        assert int(pub) > 0
    scoped = subprocess.run(
        ["psql", world.url, "-XAtq", "-c",
         f"BEGIN; SELECT set_config('claimdb.read', '{{{world.project_ids['own']}}}', true);"
         " SELECT count(DISTINCT project_id) FROM claims; COMMIT;"],
        env=env, capture_output=True, text=True, check=True).stdout.split()
    assert scoped[-1] == "1", scoped
    super_role = subprocess.run(["psql", world.url, "-XAtqc", "SELECT rolsuper OR rolbypassrls FROM pg_roles"
                                 " WHERE rolname = current_user"], env=env, capture_output=True, text=True,
                                check=True).stdout.strip()
    assert super_role == "f"


def test_no_credentials_in_logs_or_errors(world):
    log = world.server.read_log()
    for token in world.tokens.values():
        if token:
            assert token not in log
            # the secret after cdb_<public id>_ (base64url: it may hold "_" itself)
            assert token.split("_", 2)[2] not in log


def test_json_routes_refuse_other_content_types_and_cors_is_off(world):
    base = world.server.base
    r = requests.post(base + "/v1/documents", data='{"title": "t", "text": "x"}',
                      headers=dict(world.server.auth, **{"Content-Type": "text/plain"}))
    assert r.status_code == 415, r.text
    r = requests.get(base + "/v1/projects", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in r.headers
    assert r.headers["X-Request-Id"]
    r = requests.get(base + "/v1/projects", headers={"X-Request-Id": "trace-42"})
    assert r.headers["X-Request-Id"] == "trace-42"


def test_cli_sets_a_password_that_signs_in(world):
    """`claimdb user password NAME` (as make run's first start uses for "owner"):
    the new password signs in, the old one no longer does, a short one is refused. (Before the throttling
    test: its failures slow sign-ins from this address for a while.)"""
    base = world.server.base
    name = unique("forgetful")
    cli(world.url, "user", "add", name, "--password-stdin", stdin="the first passphrase\n")
    cli(world.url, "user", "password", name, stdin="the second passphrase\n")
    new = requests.post(base + "/v1/session", json={"username": name, "password": "the second passphrase"})
    old = requests.post(base + "/v1/session", json={"username": name, "password": "the first passphrase"})
    assert old.status_code == 401 and new.status_code == 201, (old.text, new.text)
    short = subprocess.run([BIN, "user", "password", name], input="short\n", capture_output=True, text=True,
                           env=dict(os.environ, DATABASE_URL=world.url))
    assert short.returncode == 2 and "at least 8 characters" in short.stderr, short.stderr
    nobody = subprocess.run([BIN, "user", "password", unique("nobody")], input="long enough pass\n",
                            capture_output=True, text=True, env=dict(os.environ, DATABASE_URL=world.url))
    assert nobody.returncode == 1 and "no user" in nobody.stderr, nobody.stderr


def test_session_sign_in_cookie_and_throttling(world):
    """POST /v1/session: an HttpOnly SameSite=Strict cookie that works like a token;
    DELETE signs out; repeated failures are slowed (429 with Retry-After)."""
    base = world.server.base
    name = unique("signer")
    cli(world.url, "user", "add", name, "--password-stdin", stdin="a long passphrase\n")
    cli(world.url, "project", "member", world.slugs["own"], name, "viewer")
    r = requests.post(base + "/v1/session", json={"username": name, "password": "a long passphrase"})
    assert r.status_code == 201, r.text
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie, cookie
    assert "a long passphrase" not in r.text
    s = requests.Session()
    s.cookies.update(r.cookies)
    me = s.get(base + "/v1/me")
    assert me.status_code == 200 and me.json()["credential"]["kind"] == "session", me.text
    assert s.get(base + f"/v1/documents/{world.rows['own']['documents']}").status_code == 200
    assert s.get(base + f"/v1/documents/{world.rows['other']['documents']}").status_code == 404
    assert s.delete(base + "/v1/session").status_code == 204
    assert requests.get(base + "/v1/me", cookies=r.cookies).status_code == 401
    # one answer for a wrong password and an unknown user
    bad = requests.post(base + "/v1/session", json={"username": name, "password": "wrong guess"})
    nobody = requests.post(base + "/v1/session", json={"username": unique("nobody"), "password": "wrong guess"})
    assert bad.status_code == nobody.status_code == 401 and bad.json() == nobody.json()
    statuses = [requests.post(base + "/v1/session", json={"username": name, "password": "wrong guess"}).status_code
                for _ in range(6)]
    assert 429 in statuses, statuses
    slowed = requests.post(base + "/v1/session", json={"username": name, "password": "a long passphrase"})
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) >= 1, slowed.text
    assert "wrong guess" not in world.server.read_log() and "a long passphrase" not in world.server.read_log()

