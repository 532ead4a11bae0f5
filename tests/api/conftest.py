"""API test harness: a throwaway PostgreSQL cluster and the real claimdb binary.

One cluster and one server per test session (pytest -p xdist is not used: two
cores). Tests speak HTTP to it with requests. CLAIMDB_BIN names the binary
(the Makefile sets it; build/claimdb by default).

Authentication is on, as in production. Every Server, once started, creates
through the command line (`claimdb user add`, `project member`, `token
create`) a user "tester" who is a server admin and owner of the default
project, with a read,write,admin token: `server.token`, `server.auth` (the
header, for raw requests calls) and the `api` fixture, whose requests carry
it. Tests of access itself make their own users and tokens (`make_token`).
Cluster.psql runs as the cluster's superuser (row-level security does not
apply to it); claimdb itself connects as the non-superuser role claimdb.
"""
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

import pytest
import requests

# The harness's own psql checks (subprocess "psql URL ...") read the database
# as the command line does: with claimdb.admin on, so that row-level security
# hides nothing from them. claimdb serve never gets it (Server drops it).
os.environ["PGOPTIONS"] = "-c claimdb.admin=on"

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CLAIMDB_BIN", os.path.join(ROOT, "build", "claimdb"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A private PostgreSQL cluster in a temporary folder (scripts/pg.sh)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="claimdb-test-pg-")
        self.port = free_port()
        self.url = None  # with claimdb's password, known once started

    def pg(self, *args, **kw):
        env = dict(os.environ, PG_FSYNC="off")
        return subprocess.run(["sh", os.path.join(ROOT, "scripts", "pg.sh"), args[0], self.dir, str(self.port),
                               *args[1:]], check=True, env=env, **kw)

    def start(self):
        self.pg("start")
        self.url = self.pg("url", capture_output=True, text=True).stdout.strip()

    def stop(self):
        self.pg("stop")

    def psql(self, sql, db="claimdb"):
        """Runs sql as the cluster's superuser (no row-level security); returns the output."""
        out = self.pg("psql", "-d", db, "-At", "-c", sql, capture_output=True, text=True)
        return out.stdout.strip()

    def create_database(self, name):
        """A new database owned by claimdb's role; returns its URL."""
        self.pg("createdb", name, capture_output=True)
        return self.url.rsplit("/", 1)[0] + "/" + name

    def destroy(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    """claimdb serve as a child process; its stderr goes to a log file."""

    def __init__(self, database_url, **env):
        self.database_url = database_url
        self.token = None
        self.auth = {}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = tempfile.mktemp(prefix="claimdb-test-", suffix=".log")
        self.env = dict(os.environ, DATABASE_URL=database_url, PORT=str(self.port), LISTEN="127.0.0.1",
                        **{k: str(v) for k, v in env.items()})
        self.env.pop("PGOPTIONS", None)  # the server's connections get only each request's scope
        self.proc = None

    def start(self, wait=True):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([BIN, "serve"], env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        if wait:
            deadline = time.time() + 30
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"claimdb exited with {self.proc.returncode}:\n{self.read_log()}")
                try:
                    if requests.get(self.base + "/healthz", timeout=1).status_code == 200:
                        self.token = admin_token(self.database_url)
                        self.auth = {"Authorization": "Bearer " + self.token}
                        return self
                except requests.ConnectionError:
                    pass
                time.sleep(0.05)
            raise RuntimeError("claimdb did not start:\n" + self.read_log())
        return self

    def stop(self, timeout=30):
        """SIGTERM and wait; returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self.log.close()

    def read_log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop_clean(self):
        """Stops, and asserts a clean stop: exit code 0 and no sanitizer report in the log
        (under `make check` the sanitizers report at exit)."""
        code = self.stop()
        log = self.read_log()
        assert code == 0, f"claimdb exited with {code}:\n{log[-5000:]}"
        assert "AddressSanitizer" not in log and "runtime error:" not in log, log[-5000:]


def cli(database_url, *args, stdin=None):
    """Runs `claimdb ARGS` against database_url; returns its standard output (stripped)."""
    out = subprocess.run([BIN, *args], env=dict(os.environ, DATABASE_URL=database_url), input=stdin,
                         capture_output=True, text=True)
    assert out.returncode == 0, (args, out.stdout, out.stderr)
    return out.stdout.strip()


_admin_tokens = {}


def admin_token(database_url):
    """The token of "tester" (server admin, owner of the default project) in this
    database, created through the command line the first time."""
    if database_url not in _admin_tokens:
        cli(database_url, "migrate")
        users = subprocess.run([BIN, "token", "list", "--user", "tester"], capture_output=True, text=True,
                               env=dict(os.environ, DATABASE_URL=database_url)).stdout
        if "tester" not in users:
            cli(database_url, "user", "add", "tester", "--admin")
            cli(database_url, "project", "member", "default", "tester", "owner")
        _admin_tokens[database_url] = cli(database_url, "token", "create", "--user", "tester",
                                          "--scope", "read,write,admin", "--name", "tests")
    return _admin_tokens[database_url]


def make_token(database_url, username, project=None, role=None, scope="read,write", admin=False, expires=None):
    """A user (created when new) with `role` in `project` (a slug), and a new token for them."""
    listing = subprocess.run([BIN, "token", "list", "--user", username], capture_output=True, text=True,
                             env=dict(os.environ, DATABASE_URL=database_url)).stdout
    if username not in listing:
        subprocess.run([BIN, "user", "add", username] + (["--admin"] if admin else []), capture_output=True,
                       env=dict(os.environ, DATABASE_URL=database_url))
    if project and role:
        cli(database_url, "project", "member", project, username, role)
    args = ["token", "create", "--user", username, "--scope", scope]
    if expires is not None:
        args += ["--expires", str(expires)]
    return cli(database_url, *args)


@pytest.fixture(scope="session")
def cluster():
    c = Cluster()
    c.start()
    yield c
    c.destroy()


@pytest.fixture(scope="session")
def server(cluster):
    s = Server(cluster.url).start()
    yield s
    s.stop_clean()  # a clean stop is part of the suite


class Api:
    """Thin helper over requests with the server's base URL."""

    def __init__(self, base, token=None):
        self.base = base
        self.s = requests.Session()
        if token:
            self.s.headers["Authorization"] = "Bearer " + token

    def url(self, path):
        return self.base + path

    def get(self, path, **kw):
        return self.s.get(self.url(path), **kw)

    def post(self, path, json=None, **kw):
        return self.s.post(self.url(path), json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.s.patch(self.url(path), json=json, **kw)

    def delete(self, path, **kw):
        return self.s.delete(self.url(path), **kw)

    def create(self, path, body):
        """POSTs and asserts 201; returns the created object."""
        r = self.post(path, body)
        assert r.status_code == 201, (path, r.status_code, r.text)
        return r.json()


@pytest.fixture(scope="session")
def api(server):
    return Api(server.base, server.token)


# What PostgreSQL's own error text looks like: error bodies must carry none
# of it (no constraint or table names, no SQLSTATE, no PostgreSQL wording).
DATABASE_INSIDES = re.compile(
    r"SQLSTATE|violates|constraint|_fkey|_pkey|_key\b|_check\b|\brelation \"|duplicate key|PostgreSQL|"
    r"invalid input syntax|value too long|\bERROR:|\b(?:08|22|23|40|42|53|54|55|57)[0-9][0-9A-Z]{2}\b|\bP0001\b")


def assert_no_database_insides(err):
    """An error object says nothing about the database's insides."""
    for key in ("message", "field", "code"):
        value = err.get(key)
        assert not (isinstance(value, str) and DATABASE_INSIDES.search(value)), (key, err)


def assert_error(response, status, code=None, field=None):
    """Asserts the one error shape, and returns the error object."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    err = body["error"]
    assert err["status"] == status
    assert isinstance(err["message"], str) and err["message"]
    assert_no_database_insides(err)
    if "errors" in body:  # every problem at once (issue 12): the first is "error"
        assert body["errors"] and body["errors"][0] == err, body
        for e in body["errors"]:
            assert isinstance(e["status"], int) and e["code"] and e["message"], e
            assert_no_database_insides(e)
    if code is not None:
        assert err["code"] == code, err
    if field is not None:
        assert err.get("field") == field, err
    return err


def unique(prefix="x"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def poll(predicate, seconds=5, every=0.05):
    """Calls predicate until it returns a true value or `seconds` have passed; returns its
    last value. For waiting on a condition without timing it: how fast is for make bench,
    not for a test on a busy machine."""
    deadline = time.time() + seconds
    while True:
        value = predicate()
        if value or time.time() >= deadline:
            return value
        time.sleep(every)


def pages(api, path, params=None):
    """GETs a list with params, then follows "next" to its end: yields each page (the JSON
    body) in turn; the next page is asked for only when the caller takes it."""
    after = None
    while True:
        r = api.get(path, params={**(params or {}), "after": after})
        assert r.status_code == 200, (path, r.text)
        page = r.json()
        yield page
        after = page["next"]
        if not after:
            return


def assert_deletes(api, path, malformed):
    """DELETE path answers 204 with no body; then GET and a second DELETE answer 404, and
    a DELETE of the collection's `malformed` id 400 invalid_id."""
    r = api.delete(path)
    assert r.status_code == 204 and r.content == b""
    assert_error(api.get(path), 404, "not_found")
    assert_error(api.delete(path), 404, "not_found", "id")
    assert_error(api.delete(path.rsplit("/", 1)[0] + "/" + malformed), 400, "invalid_id", "id")


def claimdb_backends(url, condition):
    """How many of claimdb's backends in url's database meet `condition` (SQL over
    pg_stat_activity's columns: query, state, …), asked by psql on a connection of its own."""
    return int(subprocess.run(["psql", url, "-XAtqc",
                               "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'claimdb'"
                               f" AND ({condition}) AND pid <> pg_backend_pid()"],
                              check=True, capture_output=True, text=True).stdout)


def assert_slow_slot_taken(server, *paths):
    """Each of paths answers 503 too_many_exports with Retry-After: the slot of slow work
    (exports and streamed networks share CLAIMDB_MAX_EXPORTS) is taken."""
    for path in paths:
        busy = requests.get(server.base + path, headers=server.auth, timeout=10)
        assert_error(busy, 503, "too_many_exports")
        assert busy.headers["Retry-After"]


def assert_slow_slot_freed(server, sock, open_count, path, params):
    """Closes sock, the client that held the slot of slow work: its transaction ends
    (open_count() falls to 0) and path with params is served again, both polled."""
    sock.close()
    poll(lambda: open_count() == 0)
    assert open_count() == 0
    assert poll(lambda: requests.get(server.base + path, params=params, headers=server.auth).status_code != 503,
                every=0.1)


FIXTURES = os.path.join(ROOT, "fixtures", "claimdb.ndjson")


@contextlib.contextmanager
def fixture_dataset_api(cluster, name):
    """A server of its own on a fresh database into which the fixture dataset
    (fixtures/claimdb.ndjson) is imported, so that other tests' rows do not interfere:
    gives (Api, the import's report), and stops the server cleanly at the end. Skips when
    the fixtures are not built."""
    if not os.path.exists(FIXTURES):
        pytest.skip("fixtures/claimdb.ndjson not built")
    server = Server(cluster.create_database(unique(name).replace("-", "_"))).start()
    api = Api(server.base, server.token)
    with open(FIXTURES, "rb") as f:
        r = api.s.post(api.url("/v1/import"), data=f.read(), headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    yield api, r.json()
    server.stop_clean()
