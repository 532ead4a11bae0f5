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
import json
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
            # an entry may span lines (clang-format): from "{.method" to its "}"
            for entry in re.findall(r'\{\s*\.method = "\w+"(?:[^{}"]|"[^"]*")*\}', f.read()):
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



def covered_elsewhere():
    """The non-GET routes the tests above ask cell by cell."""
    done = {("POST", "/v1/documents"), ("POST", "/v1/actors"), ("POST", "/v1/sources"), ("POST", "/v1/claims"),
            ("POST", "/v1/relations"), ("POST", "/v1/claims/{id}/attributions"),
            ("POST", "/v1/claims/{id}/citations")}
    for resource in ("documents", "claims", "actors", "relations", "attributions", "sources"):
        done.add(("PATCH", f"/v1/{resource}/{{id}}"))
    for resource in RESOURCES:
        done.add(("DELETE", f"/v1/{resource}/{{id}}"))
    return done


def fresh_user(world, prefix="bystander"):
    r = world.admin.post(world.server.base + "/v1/users", json={"username": unique(prefix),
                                                                "password": "a long passphrase"})
    assert r.status_code == 201, r.text
    return r.json()


def fresh_project(world, project):
    """A new project shaped like `project`: `own`'s members with their roles, `pub` public."""
    base = world.server.base
    r = world.admin.post(base + "/v1/projects", json={"slug": unique(project), "name": "n",
                                                      **({"visibility": "public"} if project == "pub" else {})})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    if project == "own":
        for role in ROLES:
            m = world.admin.post(base + f"/v1/projects/{pid}/members", json={"user": world.users[role], "role": role})
            assert m.status_code == 201, m.text
    # the server admin who made it is its owner: keep it that way (the stranger must own none)
    return pid


def trashed_claim(world, project_id):
    base = world.server.base
    c = world.admin.post(base + "/v1/claims", json={"project_id": project_id, "text": unique("gone")})
    assert c.status_code == 201, c.text
    cid = c.json()["id"]
    assert world.admin.delete(base + f"/v1/claims/{cid}").status_code == 204
    return cid


def import_body(project_id, mark):
    return (json.dumps({"type": "header", "format": "claimdb-ndjson", "version": 1}) + "\n"
            + json.dumps({"type": "actor", "id": str(uuid.uuid4()), "project_id": project_id, "name": mark}) + "\n")


def project_cases(world):
    """(method, pattern, role needed in the row's project, success status, kind, make) for the
    project-scoped writes not asked above. make(project) -> (path, body, unchanged): unchanged() is
    true while the write has had no effect (None: nothing to check). kind "change": the path names a
    row (404 where unreadable); "create": the project is named in the body or query (403 where one is
    not a member)."""
    base = world.server.base
    admin = world.admin
    cases = []

    def exported(project, needle):
        return needle in admin.get(base + f"/v1/export?format=ndjson&project_id={world.project_ids[project]}").text

    def in_trash(project, rid):
        items = admin.get(base + "/v1/trash", params={"project_id": world.project_ids[project], "limit": 1000})
        return any(t["id"] == rid for t in items.json()["items"])

    def merge(project):
        pid = world.project_ids[project]
        a, b = (admin.post(base + "/v1/actors", json={"project_id": pid, "name": unique("m"), "force": True})
                .json()["id"] for _ in range(2))
        return f"/v1/actors/{a}/merge", {"into": b}, lambda: admin.get(base + f"/v1/actors/{a}",
                                                                         allow_redirects=False).status_code == 200
    cases.append(("POST", "/v1/actors/{id}/merge", "curator", 200, "change", merge))

    for resource in RESOURCES:
        def revert(project, resource=resource):
            path = f"/v1/{resource}/{world.revisable[project][resource]}"
            rev = admin.get(base + path).json()["rev"]
            if resource == "citations":
                # no second revision (citations have no PATCH): reverting to the current one changes
                # nothing unless updated_by does, so there is no effect to look for
                return path + "/revert", {"to_rev": 1}, None
            return path + "/revert", {"to_rev": 1}, lambda: admin.get(base + path).json()["rev"] == rev
        cases.append(("POST", f"/v1/{resource}/{{id}}/revert", "curator", 200, "change", revert))

    def restore(project):
        cid = trashed_claim(world, world.project_ids[project])
        return f"/v1/trash/claims/{cid}/restore", None, lambda: in_trash(project, cid)
    cases.append(("POST", "/v1/trash/{resource}/{id}/restore", "curator", 200, "change", restore))

    def purge(project):
        cid = trashed_claim(world, world.project_ids[project])
        return f"/v1/trash/claims/{cid}", None, lambda: in_trash(project, cid)
    cases.append(("DELETE", "/v1/trash/{resource}/{id}", "owner", 204, "change", purge))

    def codebook(project):
        r = admin.get(base + "/v1/codebook", params={"project_id": world.project_ids[project], "limit": 1000})
        return r.text

    def codebook_add(project):
        mark = unique("tag")
        return (f"/v1/codebook?project_id={world.project_ids[project]}", {"tag": mark},
                lambda: mark not in codebook(project))
    cases.append(("POST", "/v1/codebook", "curator", 201, "create", codebook_add))

    def codebook_change(project):
        mark = unique("d")
        return (f"/v1/codebook/{world.rows[project]['codebook']}", {"description": mark},
                lambda: mark not in codebook(project))
    cases.append(("PATCH", "/v1/codebook/{id}", "curator", 200, "change", codebook_change))

    def codebook_drop(project):
        mark = unique("t")
        r = admin.post(base + f"/v1/codebook?project_id={world.project_ids[project]}", json={"tag": mark})
        assert r.status_code == 201, r.text
        return f"/v1/codebook/{r.json()['id']}", None, lambda: mark in codebook(project)
    cases.append(("DELETE", "/v1/codebook/{id}", "curator", 204, "change", codebook_drop))

    def do_import(project):
        mark = unique("imported")
        return "/v1/import", import_body(world.project_ids[project], mark), lambda: not exported(project, mark)
    cases.append(("POST", "/v1/import", "manager", 200, "create", do_import))

    def project_change(project):
        mark = unique("d")
        path = f"/v1/projects/{world.project_ids[project]}"
        return path, {"description": mark}, lambda: mark not in admin.get(base + path).text
    cases.append(("PATCH", "/v1/projects/{id}", "manager", 200, "change", project_change))

    def project_drop(project):
        path = f"/v1/projects/{fresh_project(world, project)}"
        return path, None, lambda: admin.get(base + path).status_code == 200
    cases.append(("DELETE", "/v1/projects/{id}", "owner", 204, "change", project_drop))

    def members(project):
        return admin.get(base + f"/v1/projects/{world.project_ids[project]}/members",
                         params={"limit": 1000}).json()["items"]

    def member_add(project):
        user = fresh_user(world)
        return (f"/v1/projects/{world.project_ids[project]}/members", {"user": user["username"], "role": "viewer"},
                lambda: all(m["user_id"] != user["id"] for m in members(project)))
    cases.append(("POST", "/v1/projects/{id}/members", "manager", 201, "change", member_add))

    def member_change(project):
        uid = world.bystanders[project]
        role = next(m["role"] for m in members(project) if m["user_id"] == uid)
        return (f"/v1/projects/{world.project_ids[project]}/members/{uid}",
                {"role": "annotator" if role == "viewer" else "viewer"},
                lambda: next(m["role"] for m in members(project) if m["user_id"] == uid) == role)
    cases.append(("PATCH", "/v1/projects/{id}/members/{user_id}", "manager", 200, "change", member_change))

    def member_drop(project):
        user = fresh_user(world)
        r = admin.post(base + f"/v1/projects/{world.project_ids[project]}/members",
                       json={"user": user["username"], "role": "viewer"})
        assert r.status_code == 201, r.text
        return (f"/v1/projects/{world.project_ids[project]}/members/{user['id']}", None,
                lambda: any(m["user_id"] == user["id"] for m in members(project)))
    cases.append(("DELETE", "/v1/projects/{id}/members/{user_id}", "manager", 204, "change", member_drop))
    return cases


def send(world, who, method, path, body):
    h = headers(world, who)
    if isinstance(body, str):
        return requests.request(method, world.server.base + path, data=body, timeout=60,
                                headers=dict(h, **{"Content-Type": "application/x-ndjson"}))
    return requests.request(method, world.server.base + path, json=body, headers=h, timeout=60)


def test_other_writes_by_role(world):
    """Every other project-scoped write of the route table (merge, revert, restore, purge, codebook,
    import, project settings and deletion, members), for every identity, in every project, each cell
    on rows of its own where the write consumes them: the status, and nothing changed where refused."""
    base = world.server.base
    world.users = {role: requests.get(base + "/v1/me", headers=headers(world, role)).json()["user"]["username"]
                   for role in ROLES}
    world.bystanders = {}
    world.revisable = {}
    for project in PROJECTS:
        pid = world.project_ids[project]
        user = fresh_user(world)
        assert world.admin.post(base + f"/v1/projects/{pid}/members",
                                json={"user": user["username"], "role": "viewer"}).status_code == 201
        world.bystanders[project] = user["id"]
        rows = make_rows(base, world.admin, pid)  # each with a second revision to revert to the first
        for resource, body in (("documents", {"title": "changed"}), ("claims", {"note": "changed"}),
                               ("actors", {"description": "changed"}), ("relations", {"note": "changed"}),
                               ("attributions", {"role": "changed"}), ("sources", {"url": "https://example.org"})):
            assert world.admin.patch(base + f"/v1/{resource}/{rows[resource]}", json=body).status_code == 200
        world.revisable[project] = rows
    cells = 0
    failures = []
    asked = set()
    for method, pattern, role_needed, success, kind, make in project_cases(world):
        asked.add((method, pattern))
        for project in PROJECTS:
            for who in IDENTITIES:
                path, body, unchanged = make(project)
                if kind == "create":
                    want = create_expectation(who, project, role_needed, nested=False)
                    want = success if want == 201 else want
                    if pattern == "/v1/import" and want == 403 and not can_read(who, project) \
                            and who not in ("viewer", "annotator", "curator"):
                        want = 422  # a line naming a project one cannot see: an unknown reference, per line
                else:
                    want = write_expectation(who, role_needed, project, own_row=False,
                                             route_role=route_role(method, pattern))
                    want = success if want is None else want
                r = send(world, who, method, path, body)
                cells += 1
                if r.status_code != want:
                    failures.append((who, project, method, path, r.status_code, want, r.text[:200]))
                if r.status_code == 403 and "role_needed" not in r.json()["error"]:
                    failures.append(("403 names no role", who, project, method, path, r.text[:200]))
                if unchanged and (r.status_code >= 300) != unchanged():
                    failures.append(("effect", who, project, method, path, r.status_code, r.text[:300]))
    print(f"\nother project writes by role: {cells} cells")
    assert cells == len(asked) * len(PROJECTS) * len(IDENTITIES)
    for f in failures:
        print("FAIL", f)
    assert not failures, failures[:20]
    world.asked_other = asked


def test_account_writes_by_identity(world):
    """The writes that belong to no project (users, projects, tokens, session), for every identity;
    then no write route of the route table is left out of this file's matrices."""
    base = world.server.base
    admin = world.admin
    bad = ("anonymous", "wrong", "expired", "revoked")
    cells = 0
    failures = []

    def user_cell(who):
        return fresh_user(world)["id"]

    def admin_token():
        r = admin.post(base + "/v1/tokens", json={"name": unique("spare"), "scopes": ["read"]})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def signer():
        name = unique("signer")
        cli(world.url, "user", "add", name, "--password-stdin", stdin="a long passphrase\n")
        return name

    cases = [
        ("POST", "/v1/users", lambda: ("/v1/users", {"username": unique("u"), "password": "a long passphrase"}),
         lambda who: 401 if who in bad else 201 if who == "admin" else 403),
        ("PATCH", "/v1/users/{id}", lambda: (f"/v1/users/{user_cell(None)}", {"display_name": "changed"}),
         lambda who: 401 if who in bad else 200 if who == "admin" else 403),
        ("POST", "/v1/projects", lambda: ("/v1/projects", {"slug": unique("p"), "name": "n"}),
         lambda who: 401 if who in bad else 201),
        ("POST", "/v1/tokens", lambda: ("/v1/tokens", {"name": unique("t"), "scopes": ["read"]}),
         lambda who: 401 if who in bad else 201),
        # someone else's token: a server admin revokes it, anyone else is told there is no such token
        ("DELETE", "/v1/tokens/{id}", lambda: (f"/v1/tokens/{admin_token()}", None),
         lambda who: 401 if who in bad else 204 if who == "admin" else 404),
        # signing in is open to anyone with the password, whatever else the request carries
        ("POST", "/v1/session", lambda: ("/v1/session", {"username": signer(), "password": "a long passphrase"}),
         lambda who: 201),
        ("DELETE", "/v1/session", lambda: ("/v1/session", None), lambda who: 401 if who in bad else 204),
    ]
    for method, pattern, make, expect in cases:
        for who in IDENTITIES:
            path, body = make()
            r = send(world, who, method, path, body)
            cells += 1
            if r.status_code != expect(who):
                failures.append((who, method, path, r.status_code, expect(who), r.text[:200]))
    print(f"\naccount writes: {cells} cells")
    for f in failures:
        print("FAIL", f)
    assert not failures, failures[:20]
    writes = {(m, p) for m, p, _ in ROUTES if m != "GET"}
    asked = covered_elsewhere() | getattr(world, "asked_other", set()) | {(m, p) for m, p, _, _ in cases}
    assert writes - asked == set(), f"write routes no matrix asks: {sorted(writes - asked)}"


def test_revoked_disabled_and_removed_lose_access_on_every_process(world):
    """The credential cache is per process: another claimdb process serving the same database
    forgets a revoked token, a disabled user and a removed member within the cache's lifetime
    (AUTH_CACHE_SECONDS = 5 in server/auth.h; the issue allows 10 s). Each change is made through
    the first process and watched from a second one that had the credential cached."""
    import time
    other = Server(world.url).start()
    try:
        path = f"/v1/documents/{world.rows['own']['documents']}"
        pid = world.project_ids["own"]

        def fresh_viewer():
            name = unique("watched")
            token = make_token(world.url, name, world.slugs["own"], "viewer")
            h = {"Authorization": "Bearer " + token}
            assert requests.get(other.base + path, headers=h).status_code == 200  # now cached over there
            uid = requests.get(world.server.base + "/v1/me", headers=h).json()["user"]["id"]
            return h, uid

        def lost_within(h, denied):
            start = time.monotonic()
            while time.monotonic() - start < 30:
                if requests.get(other.base + path, headers=h).status_code in denied:
                    return time.monotonic() - start
                time.sleep(0.25)
            return None

        h, uid = fresh_viewer()
        tid = requests.get(world.server.base + "/v1/tokens", headers=h).json()["items"][0]["id"]
        assert requests.delete(world.server.base + f"/v1/tokens/{tid}", headers=h).status_code == 204
        revoked = lost_within(h, {401})
        h, uid = fresh_viewer()
        assert world.admin.patch(world.server.base + f"/v1/users/{uid}", json={"disabled": True}).status_code == 200
        disabled = lost_within(h, {401})
        h, uid = fresh_viewer()
        assert world.admin.delete(world.server.base + f"/v1/projects/{pid}/members/{uid}").status_code == 204
        removed = lost_within(h, {404})
        print(f"\nanother process denied: revoked token after {revoked} s, disabled user after {disabled} s,"
              f" removed member after {removed} s")
        for seconds in (revoked, disabled, removed):
            assert seconds is not None and seconds <= 10, (revoked, disabled, removed)
    finally:
        assert other.stop() == 0


def test_cors_allows_exactly_the_configured_origins_and_cookies_can_be_secure(world):
    """CLAIMDB_CORS_ORIGINS names origins: those, and only those, get CORS headers (preflight
    included); CLAIMDB_COOKIE_SECURE=1 marks the session cookie Secure."""
    s = Server(world.url, CLAIMDB_CORS_ORIGINS="https://app.example, http://localhost:3000",
               CLAIMDB_COOKIE_SECURE="1").start()
    try:
        h = {"Authorization": "Bearer " + world.tokens["viewer"]}
        for origin in ("https://app.example", "http://localhost:3000"):
            r = requests.get(s.base + "/v1/projects", headers=dict(h, Origin=origin))
            assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == origin, r.headers
            assert "Origin" in r.headers["Vary"]
            pre = requests.options(s.base + "/v1/claims", headers={
                "Origin": origin, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type"})
            assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == origin, pre.headers
            assert "POST" in pre.headers["Access-Control-Allow-Methods"]
            assert "Authorization" in pre.headers["Access-Control-Allow-Headers"]
        for origin in ("https://evil.example", "https://app.example.evil.example", "https://app.exampl"):
            r = requests.get(s.base + "/v1/projects", headers=dict(h, Origin=origin))
            assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers, (origin, r.headers)
            pre = requests.options(s.base + "/v1/claims", headers={"Origin": origin,
                                                                     "Access-Control-Request-Method": "POST"})
            assert "Access-Control-Allow-Origin" not in pre.headers, (origin, pre.headers)
        name = unique("secure")
        cli(world.url, "user", "add", name, "--password-stdin", stdin="a long passphrase\n")
        r = requests.post(s.base + "/v1/session", json={"username": name, "password": "a long passphrase"})
        assert r.status_code == 201 and "; Secure" in r.headers["Set-Cookie"], r.headers
        plain = requests.post(world.server.base + "/v1/session", json={"username": name, "password": "a long passphrase"})
        assert plain.status_code == 201 and "Secure" not in plain.headers["Set-Cookie"], plain.headers
    finally:
        assert s.stop() == 0
