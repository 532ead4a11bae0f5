#!/usr/bin/env python3
"""claimdb benchmark harness (run through bench/run.sh / `make bench`).

usage: bench.py CLAIMDB_BIN [N]

Generates (or reuses) a dataset of N claims, starts a throwaway PostgreSQL
cluster and claimdb pinned to one core, drives them from the other core, and
compares each endpoint with PostgreSQL's own ceiling measured in the same run.
See bench/README.md for the method and how to read the table.

Environment (all optional):
  BENCH_DURATION=10     seconds measured per read benchmark
  BENCH_WARMUP=2        seconds of warm-up before each (discarded)
  BENCH_CONNECTIONS=32  wrk connections
  BENCH_THREADS=2       claimdb THREADS = its database connections = pgbench clients
  BENCH_ONLY=get,open,get1,list,counter,search,phrase,thread,actors,csv,ndjson,write,longpoll,import,page   run only these rows
  BENCH_WAITERS=1000    idle GET /v1/changes?wait= clients of the long-poll row
  BENCH_SEED=1          dataset seed
  BENCH_DIR=build/bench where the data sets and the run folder live
  BENCH_SERVER_CPU=0 BENCH_CLIENT_CPU=1   the two cores
  BENCH_ACCESS_LOG=1    claimdb's access log (on, as shipped), to a file
  BENCH_KEEP=0          1 = leave the cluster and claimdb running at the end
  BENCH_IMPORT_TIMEOUT=180   seconds the import may take before it counts as a miss
  BENCH_HEAVY_DURATION=60    seconds measured for the whole-project network (each request takes seconds)
  BENCH_RESULTS=bench/results.md   where the table is appended ("" = nowhere)
"""
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PROJECT = "00000000-0000-7000-8000-000000000001"
# Search rows: a word in about one claim in ten of the generated text, and a phrase
# (two of its words side by side) in about one in a thousand.
SEARCH_WORD = "detention"
SEARCH_PHRASE = '"human rights"'
BENCH = os.path.join(ROOT, "bench")
ENV = os.environ


def env_int(name, default):
    v = ENV.get(name, "")
    return int(v) if v.strip() else default


DURATION = env_int("BENCH_DURATION", 10)
WARMUP = env_int("BENCH_WARMUP", 2)
CONNS = env_int("BENCH_CONNECTIONS", 32)
THREADS = env_int("BENCH_THREADS", 2)
SEED = env_int("BENCH_SEED", 1)
SERVER_CPU = ENV.get("BENCH_SERVER_CPU", "0")
CLIENT_CPU = ENV.get("BENCH_CLIENT_CPU", "1")
ACCESS_LOG = ENV.get("BENCH_ACCESS_LOG", "1")
KEEP = ENV.get("BENCH_KEEP", "0") == "1"
IMPORT_TIMEOUT = env_int("BENCH_IMPORT_TIMEOUT", 180)
HEAVY_DURATION = env_int("BENCH_HEAVY_DURATION", 60)
ONLY = set(filter(None, ENV.get("BENCH_ONLY", "").split(","))) or None
WORK = os.path.abspath(os.path.join(ROOT, ENV.get("BENCH_DIR", "build/bench")))
RESULTS = ENV.get("BENCH_RESULTS", os.path.join(BENCH, "results.md"))
PG_BINDIR = ENV.get("PG_BINDIR") or (
    "/usr/lib/postgresql/15/bin" if os.path.isdir("/usr/lib/postgresql/15/bin")
    else os.path.dirname(shutil.which("initdb") or shutil.which("psql") or "/usr/bin/psql"))
PINNED = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
TABLES = ["projects", "actors", "documents", "sources", "claims", "attributions", "relations", "citations"]
# Columns the generator writes, in COPY order (documents.sha256/length are generated).
COPY_COLUMNS = {
    "actors": "id, project_id, name, kind, aliases, description, external_ids, created_at, updated_at, annotator",
    "documents": "id, project_id, title, text, url, publisher, author, published_at, language, external_id, "
                 "metadata, created_at, updated_at, annotator",
    "sources": "id, project_id, title, kind, url, publisher_actor_id, published_at, document_id, created_at, "
               "updated_at, annotator",
    "claims": 'id, project_id, document_id, start, "end", exact, prefix, suffix, text, kind, tags, note, '
              "created_at, updated_at, annotator",
    "attributions": "id, project_id, claim_id, actor_id, role, cue, mode, source_span, cue_span, "
                    "via_attribution_id, created_at, updated_at, annotator",
    "relations": "id, project_id, from_claim_id, to_claim_id, kind, note, asserted_by_actor_id, created_at, "
                 "updated_at, annotator",
    "citations": "id, project_id, claim_id, source_id, locator, span, created_at, updated_at, annotator",
}
LOAD_ORDER = ["actors", "documents", "sources", "claims", "attributions", "relations", "citations"]


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def on_core(cpu, argv):
    return (["taskset", "-c", cpu] + argv) if PINNED else argv


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(argv, **kw):
    kw.setdefault("check", True)
    return subprocess.run(argv, **kw)


def cpus_of(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Cpus_allowed_list:"):
                    return line.split()[1]
    except OSError:
        pass
    return "?"


def proc_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class CpuMeter:
    """How busy the server core was, and how much of it a process used, over a span."""
    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, pid=None):
        self.pid = pid
        self.start = self._sample()

    def _sample(self):
        busy = total = 0
        with open("/proc/stat") as f:
            for line in f:
                if line.startswith(f"cpu{SERVER_CPU} "):
                    v = [int(x) for x in line.split()[1:]]
                    total = sum(v[:8])
                    busy = total - v[3] - v[4]  # minus idle and iowait
        proc = 0
        if self.pid:
            try:
                with open(f"/proc/{self.pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                proc = int(fields[11]) + int(fields[12])  # utime + stime
            except OSError:
                pass
        return busy, total, proc

    def stop(self):
        b1, t1, p1 = self._sample()
        b0, t0, p0 = self.start
        dt = max(t1 - t0, 1)
        return {"core_busy": 100.0 * (b1 - b0) / dt, "proc_share": 100.0 * (p1 - p0) / dt,
                "proc_seconds": (p1 - p0) / self.TICK}


def reset_peak(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0), so each row reports its own peak."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# ---------------------------------------------------------------- cluster
class Cluster:
    def __init__(self, folder, port):
        self.dir, self.port = folder, port
        self.env = dict(ENV, PG_FSYNC="off", PG_BINDIR=PG_BINDIR)

    def password(self):
        """claimdb's (non-superuser) role's password, kept by scripts/pg.sh."""
        with open(os.path.join(self.dir, "claimdb.password")) as f:
            return f.read().strip()

    def url(self, db="claimdb"):
        return f"postgresql://claimdb:{self.password()}@127.0.0.1:{self.port}/{db}"

    def start(self):
        # The postmaster starts on the server core; every backend it forks inherits it.
        run(on_core(SERVER_CPU, ["sh", os.path.join(ROOT, "scripts/pg.sh"), "start", self.dir, str(self.port)]),
            env=self.env, stdout=subprocess.DEVNULL)

    def stop(self):
        run(["sh", os.path.join(ROOT, "scripts/pg.sh"), "stop", self.dir, str(self.port)], env=self.env,
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def postmaster_pid(self):
        try:
            with open(os.path.join(self.dir, "data", "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def psql_argv(self, db="claimdb"):
        """psql as the cluster's superuser over its socket: loading by COPY, and
        counting, must not be filtered by row-level security."""
        return on_core(CLIENT_CPU, ["sh", os.path.join(ROOT, "scripts/pg.sh"), "psql", self.dir, str(self.port),
                                    "-d", db])

    def sql(self, query, db="claimdb"):
        out = run(self.psql_argv(db) + ["-At", "-c", query], capture_output=True, text=True)
        return out.stdout.strip()

    def psql_script(self, script, db="claimdb", stdout=subprocess.DEVNULL):
        return run(self.psql_argv(db) + ["-f", "-"], input=script.encode(), stdout=stdout)

    def createdb(self, db):
        self.sql(f"DROP DATABASE IF EXISTS {db}", "postgres")
        self.sql(f"CREATE DATABASE {db} OWNER claimdb", "postgres")

    def token(self, binary, db="claimdb"):
        """A user `bench`, owner (not server admin) of the default project, and its token:
        claimdb runs with authentication on, and row-level security is exercised."""
        env = dict(ENV, DATABASE_URL=self.url(db))
        env.pop("PGOPTIONS", None)
        run([binary, "user", "add", "bench"], env=env, check=False, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        run([binary, "project", "member", "default", "bench", "owner"], env=env, stderr=subprocess.DEVNULL)
        return run([binary, "token", "create", "--user", "bench", "--scope", "read,write,admin"], env=env,
                   capture_output=True, text=True).stdout.strip()

    @property
    def log_path(self):
        return os.path.join(self.dir, "server.log")


def load_script(data):
    """psql script: every generated table by COPY FROM STDIN (\\copy), in one transaction."""
    lines = ["BEGIN;"]
    for t in LOAD_ORDER:
        path = os.path.join(data, f"{t}.tsv").replace("'", "''")
        lines.append(f"\\copy {t} ({COPY_COLUMNS[t]}) FROM '{path}'")
    lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- claimdb
class Claimdb:
    def __init__(self, binary, database_url, logfile, extra_env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(ENV, DATABASE_URL=database_url, PORT=str(self.port), LISTEN="127.0.0.1",
                   THREADS=str(THREADS), CLAIMDB_ACCESS_LOG=ACCESS_LOG)
        env.pop("PGOPTIONS", None)
        env.update(extra_env or {})
        self.logf = open(logfile, "ab")
        self.proc = subprocess.Popen(on_core(SERVER_CPU, [binary, "serve", "--no-migrate"]), env=env,
                                     stdout=self.logf, stderr=self.logf)
        deadline = time.time() + 30
        while True:
            try:
                status, _ = http_get(self.base + "/healthz", timeout=1)
                if status == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"claimdb did not start (see {logfile})")
            time.sleep(0.1)
        self.pid = self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()


AUTH = {}  # {"Authorization": "Bearer cdb_…"} once the bench user exists


def http_get(url, timeout=60):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=AUTH), timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


# ---------------------------------------------------------------- statement capture
LOG_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def log_entries(text):
    """Splits a PostgreSQL stderr log into messages (continuation lines start with a tab)."""
    entries = []
    for line in text.split("\n"):
        if LOG_START.match(line) or not entries:
            entries.append(line)
        else:
            entries[-1] += "\n" + (line[1:] if line.startswith("\t") else line)
    return entries


def captured_statements(log_text):
    """The statements a probe request executed, from log_min_duration_statement=0 output:
    [{"name", "sql", "params": {n: value-or-None}}] in order."""
    out, after_execute = [], False
    for e in log_entries(log_text):
        m = re.search(r"LOG:  duration: [\d.]+ ms  (?:execute ([^:]+)|statement): (.*)", e, re.S)
        if m:
            out.append({"name": m.group(1) or "(simple)", "sql": m.group(2).strip(), "params": {}})
            after_execute = True
            continue
        if "DETAIL:  parameters:" in e and after_execute:  # not the one after a bind
            for n, v in PARAM.findall(e):
                out[-1]["params"][int(n)] = None if v == "NULL" else v[1:-1].replace("''", "'")
        after_execute = False
    return out


class Probe:
    """A claimdb whose sessions log every statement with its parameters, to learn
    exactly what each endpoint sends (and how many round trips it takes)."""

    def __init__(self, binary, cluster, logfile):
        self.cluster = cluster
        # One thread: its one connection is made (and its statements prepared) by the
        # first request, so later requests log only what they execute.
        self.server = Claimdb(binary, cluster.url(), logfile, {
            "THREADS": "1", "PGOPTIONS": "-c log_min_duration_statement=0 -c log_parameter_max_length=-1"})

    def capture(self, fn):
        with open(self.cluster.log_path, "rb") as f:
            f.seek(0, 2)
            start = f.tell()
        result = fn(self.server.base)
        time.sleep(0.3)  # the log collector writes asynchronously
        with open(self.cluster.log_path, "rb") as f:
            f.seek(start)
            text = f.read().decode("utf-8", "replace")
        return result, captured_statements(text)


GRAPH_CURSOR = "DECLARE graph_rows NO SCROLL CURSOR FOR "
GRAPH_BATCH = 1000  # rows per FETCH (server/graph_stream.c)


def streamed_graph(statements):
    """A streamed network's captured statements (server/graph_stream.c: BEGIN, the scope, a
    setting, the cursor over the network statement, its FETCHes, ROLLBACK) as what its ceiling
    runs: the request's scope and the cursor's statement itself, all rows at once, as
    claimdb ran it before it streamed. Returns (statements, number of FETCHes)."""
    out, fetches = [], 0
    for st in statements:
        if st["sql"].startswith("SELECT set_config('claimdb.user_id'"):
            out.append(dict(st, name="claimdb_scope"))
        elif st["sql"].startswith(GRAPH_CURSOR):
            out.append(dict(st, sql=st["sql"][len(GRAPH_CURSOR):]))
        elif st["sql"].startswith("FETCH"):
            fetches += 1
    return out, fetches


def colon_safe(m):
    """A string literal rewritten so that pgbench sees no ':name' variable in it."""
    lit = m.group(0)
    if not re.search(r":[A-Za-z0-9_]", lit):
        return lit
    body = lit[1:-1].replace("\\", "\\005C").replace(":", "\\003A")
    return "U&'" + body + "'"


LOOKUP_WIDTH = 20  # ids fetched per lookup: its cost is spread over this many statements


def pgbench_value(v, defines):
    """A captured parameter value as pgbench script text: NULL, an empty literal, or a :variable
    (added to `defines`, the -D values, once per distinct value)."""
    if v is None:
        return "NULL"
    if v == "":
        return "''"  # pgbench refuses an empty -D value; the literal is the same text
    var = next((k for k, x in defines.items() if x == v), None) or f"p_{len(defines) + 1}"
    defines[var] = v
    return ":" + var


def pgbench_script(statements, id_value, lookup_table, width=LOOKUP_WIDTH):
    """A pgbench script running exactly `statements` `width` (LOOKUP_WIDTH) times per transaction,
    each time with the parameter that held the probe's id bound to another id fetched
    at random from a lookup table; other parameters as -D variables.
    Returns (script, defines, notes)."""
    cols = ", ".join(f"id{i}" for i in range(1, LOOKUP_WIDTH + 1))
    lines = ["\\set r random(1, :nrows)", f"SELECT {cols} FROM {lookup_table} WHERE n = :r \\gset"]
    defines, notes, nulls = {}, set(), set()
    scoped = any(st["name"] == "claimdb_scope" for st in statements)
    for rep in range(1, width + 1):
        if scoped:  # as claimdb sends them: the scope and its statement in one pipeline, one Sync
            lines.append("\\startpipeline")
        for st in statements:
            def sub(m, st=st, rep=rep):
                n = int(m.group(1))
                if n not in st["params"]:
                    return m.group(0)
                v = st["params"][n]
                if v == id_value:
                    return f":id{rep}"
                if v is None:
                    nulls.add(n)
                return pgbench_value(v, defines)
            sql = re.sub(r"(?<![A-Za-z0-9_&])'(?:[^']|'')*'", colon_safe, st["sql"])
            if sql != st["sql"]:
                notes.add(f"{st['name']}: literals with ':name' written as U&'…\\003A…' (pgbench would "
                          "take :name for a variable); same value, and the statement is prepared once")
            lines.append(re.sub(r"\$(\d+)", sub, sql).rstrip().rstrip(";") + ";")
        if scoped:
            lines.append("\\endpipeline")
    if nulls:
        notes.add("parameters " + ", ".join(f"${n}" for n in sorted(nulls)) + " were NULL: written as NULL "
                  "(pgbench cannot bind a NULL)")
    return "\n".join(lines) + "\n", defines, sorted(notes)


def wide_lookup(cluster, table, ids_file, rundir, seed):
    """bench.<table>: rows of LOOKUP_WIDTH ids drawn at random from ids_file.
    Returns the table's name and row count."""
    import random
    with open(ids_file) as f:
        ids = [line.strip() for line in f if line.strip()]
    rng = random.Random(seed)
    nrows = max(64, -(-len(ids) // LOOKUP_WIDTH))
    path = os.path.join(rundir, f"{table}.tsv")
    with open(path, "w") as f:
        for n in range(1, nrows + 1):
            f.write(str(n) + "\t" + "\t".join(rng.choice(ids) for _ in range(LOOKUP_WIDTH)) + "\n")
    cols = ", ".join(f"id{i} uuid NOT NULL" for i in range(1, LOOKUP_WIDTH + 1))
    cluster.psql_script(f"CREATE TABLE bench.{table} (n int PRIMARY KEY, {cols});\n"
                        f"\\copy bench.{table} FROM '{path}'\nVACUUM ANALYZE bench.{table};\n")
    return f"bench.{table}", nrows


# ---------------------------------------------------------------- load generators
def wrk(base, ids_file, template, conns, seconds, timeout=10):
    argv = on_core(CLIENT_CPU, ["wrk", "-t", "1", "-c", str(conns), "-d", f"{seconds}s", "--timeout", f"{timeout}s",
                                "-s", os.path.join(BENCH, "ids.lua"), base, "--", ids_file, template,
                                AUTH.get("Authorization", "")])
    out = run(argv, capture_output=True, text=True).stdout
    m = re.search(r"^BENCH (.*)$", out, re.M)
    if not m:
        raise RuntimeError("wrk printed no BENCH line:\n" + out)
    r = {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    return r


def openloop(base, ids_file, template, rate, conns, seconds):
    """bench/openloop.c: requests at a fixed rate, latency from the scheduled send time."""
    binary = os.path.join(BENCH, "work", "openloop")
    src = os.path.join(BENCH, "openloop.c")
    if not os.path.exists(binary) or os.path.getmtime(binary) < os.path.getmtime(src):
        os.makedirs(os.path.dirname(binary), exist_ok=True)
        run(["cc", "-O2", "-o", binary, src])
    host, port = base.split("//", 1)[1].rsplit(":", 1)
    argv = on_core(CLIENT_CPU, [binary, host, port, str(rate), str(seconds), str(conns), ids_file, template]
                   + ([AUTH["Authorization"]] if "Authorization" in AUTH else []))
    out = run(argv, capture_output=True, text=True).stdout
    m = re.search(r"^BENCH (.*)$", out, re.M)
    if not m:
        raise RuntimeError("openloop printed no BENCH line:\n" + out)
    return {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


def pgbench(cluster, script_path, defines, nrows, seconds, mode="prepared"):
    argv = on_core(CLIENT_CPU, [os.path.join(PG_BINDIR, "pgbench"), "-h", "127.0.0.1", "-p", str(cluster.port),
                                "-U", "claimdb", "-n", "-M", mode, "-c", str(THREADS), "-j", "1",
                                "-T", str(seconds), "-f", script_path, "-D", f"nrows={nrows}"])
    for k, v in defines.items():
        argv += ["-D", f"{k}={v}"]
    argv.append("claimdb")
    res = run(argv, capture_output=True, text=True, check=False, env=dict(ENV, PGPASSWORD=cluster.password()))
    m = re.search(r"tps = ([\d.]+)", res.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", res.stdout)
    if res.returncode != 0 or not m or (failed and int(failed.group(1))):
        raise RuntimeError(f"pgbench failed ({res.returncode}):\n{res.stdout[-1500:]}\n{res.stderr[-1500:]}")
    lat = re.search(r"latency average = ([\d.]+) ms", res.stdout)
    return {"tps": float(m.group(1)), "lat_ms": float(lat.group(1)) if lat else None}


DATA_TABLES = ("claims", "documents", "relations", "attributions", "actors")


def seq_scans(cluster, statements):
    """The data tables a sequential scan reads in EXPLAIN of the captured statements
    (executed as prepared with their captured parameters, as claimdb runs them)."""
    found = set()
    for i, st in enumerate(statements):
        args = ", ".join("NULL" if st["params"].get(n) is None else "'" + st["params"][n].replace("'", "''") + "'"
                         for n in range(1, max(st["params"] or {0: 0}) + 1))
        script = (f"PREPARE bench_explain{i} AS {st['sql']};\n"
                  f"EXPLAIN EXECUTE bench_explain{i}{'(' + args + ')' if args else ''};\n")
        res = run(cluster.psql_argv() + ["-X", "-A", "-t", "-f", "-"], input=script, capture_output=True,
                  text=True, check=False)
        found |= {t for t in re.findall(r"Seq Scan on (\w+)", res.stdout) if t in DATA_TABLES}
    return sorted(found)


def timed(argv, **kw):
    t0 = time.monotonic()
    res = run(argv, **kw)
    return time.monotonic() - t0, res


# ---------------------------------------------------------------- rows
class Row:
    def __init__(self, key, name, unit, target):
        self.key, self.name, self.unit, self.target = key, name, unit, target
        self.value = self.ceiling = self.p50 = self.p99 = self.rss = None
        self.verdict, self.note = "n/a", ""

    @property
    def ratio(self):
        return self.value / self.ceiling if self.value and self.ceiling else None


def fmt_rate(v):
    if v is None:
        return "—"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def fmt_ms(us):
    return "—" if us is None else f"{us / 1000:.2f} ms"


def fmt_mb(kb):
    return "—" if kb is None else f"{kb / 1024:.1f} MB"


def table(rows):
    head = ["endpoint", "claimdb", "ceiling", "ratio", "p50", "p99", "peak RSS", "target", "verdict"]
    body = []
    for r in rows:
        body.append([r.name, f"{fmt_rate(r.value)} {r.unit}" if r.value else "—",
                     f"{fmt_rate(r.ceiling)} {r.unit}" if r.ceiling else "—",
                     f"{r.ratio:.2f}×" if r.ratio else "—", fmt_ms(r.p50), fmt_ms(r.p99), fmt_mb(r.rss),
                     r.target, r.verdict + (f" ({r.note})" if r.note else "")])
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in b) + " |" for b in body]
    return "\n".join(lines)


# ---------------------------------------------------------------- main
def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].strip() else 100000
    t_start = time.monotonic()
    for tool in ("wrk", "curl"):
        if not shutil.which(tool):
            log(f"{tool} is missing: sh scripts/deps.sh bench")
            return 1
    if not PINNED:
        log("fewer than 2 cores or no taskset: running unpinned; the ratios mean less")

    # ---- data
    data = os.path.join(WORK, f"data-{n}-{SEED}")
    stamp = os.path.join(data, "meta.json")
    gen = os.path.join(BENCH, "gen.py")
    if not os.path.exists(stamp) or os.path.getmtime(stamp) < os.path.getmtime(gen):
        shutil.rmtree(data, ignore_errors=True)
        log(f"generating {n} claims into {os.path.relpath(data, ROOT)}")
        run([sys.executable, gen, "--claims", str(n), "--out", data, "--seed", str(SEED)])
    else:
        log(f"reusing the dataset in {os.path.relpath(data, ROOT)}")
    with open(stamp) as f:
        meta = json.load(f)
    counts = meta["counts"]
    records = counts["records"]

    rundir = os.path.join(WORK, "run")
    pgdir = os.path.join(rundir, "pg")
    if os.path.exists(pgdir):
        Cluster(pgdir, 0).stop()
    shutil.rmtree(rundir, ignore_errors=True)
    os.makedirs(os.path.join(rundir, "pgbench"))
    cluster = Cluster(pgdir, free_port())
    servers = []
    details = []
    rows = [Row("get", "GET /v1/claims/{id}", "req/s", "≥ 0.6×"),
            Row("open", "GET /v1/claims/{id}, open loop at 50% of the get row", "req/s", "p99 ≤ 5 ms"),
            Row("get1", "GET /v1/claims/{id}, 1 connection", "req/s", "(context)"),
            Row("list", "GET /v1/claims?document_id=…&limit=100", "req/s", "≥ 0.5×"),
            Row("counter", "GET /v1/claims/{id}/counterclaims", "req/s", "≥ 0.5×"),
            Row("search", f"GET /v1/search?q={SEARCH_WORD} (a common word)", "req/s", "≥ 0.5×, no seq scan"),
            Row("phrase", f"GET /v1/search?q={SEARCH_PHRASE} (a phrase)", "req/s", "≥ 0.5×, no seq scan"),
            Row("thread", "GET /v1/claims/{id}/thread (depth 3)", "req/s", "≥ 0.5×, no seq scan"),
            Row("actors", "GET /v1/network/actors?project_id=… (whole project)", "req/s",
                "≥ 0.5×, RSS growth < 64 MB"),
            Row("csv", "GET /v1/export?format=csv&table=claims", "rows/s", "≥ 0.8×"),
            Row("ndjson", "GET /v1/export?format=ndjson", "rows/s", "≥ 0.5×, RSS growth < 64 MB"),
            Row("write", "POST /v1/claims with 2 inline attributions (history on)", "req/s", "≥ 0.5×"),
            Row("longpoll", f"{WAITERS} idle GET /v1/changes?wait=60", "", "< 20 MB, +0 db connections"),
            Row("import", "POST /v1/import (NDJSON, empty db)", "rows/s", "≥ 0.25×"),
            Row("idle", "idle server", "", "RSS < 16 MB"),
            Row("page", "the page: open 001_… (76 KB, 274 claims) until drawn, headless Chromium", "", "median < 1 s, script < 300 KB")]
    by = {r.key: r for r in rows}
    wanted = lambda key: ONLY is None or key in ONLY  # noqa: E731

    try:
        # ---- cluster, schema, data
        log(f"starting PostgreSQL (fsync=off) on port {cluster.port}, pinned to core {SERVER_CPU}")
        cluster.start()
        run([binary, "migrate"], env=dict(ENV, DATABASE_URL=cluster.url()), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        log("loading the dataset with COPY")
        t_load, _ = timed(cluster.psql_argv() + ["-f", "-"], input=load_script(data).encode(),
                          stdout=subprocess.DEVNULL)
        details.append(f"initial load: {records:,} rows by COPY in {t_load:.1f} s ({records / t_load:,.0f} rows/s)")
        cluster.psql_script("VACUUM ANALYZE;\nCREATE SCHEMA bench;\nGRANT USAGE ON SCHEMA bench TO claimdb;\n"
                            "ALTER DEFAULT PRIVILEGES IN SCHEMA bench GRANT SELECT ON TABLES TO claimdb;\n"
                            # the probe's sessions log their statements: claimdb's role is no superuser
                            "GRANT SET ON PARAMETER log_min_duration_statement, log_parameter_max_length"
                            " TO claimdb;\n")
        AUTH["Authorization"] = "Bearer " + cluster.token(binary)
        id_files = {k: os.path.join(data, "ids", f"{k}.txt") for k in ("claims", "large_documents", "counterclaims")}
        lookups = {k: wide_lookup(cluster, f"{k}_wide", p, rundir, SEED) for k, p in id_files.items()}
        check_spans(cluster, n, details)
        pm = cluster.postmaster_pid()
        details.append(f"pinning: postmaster cores {cpus_of(pm)}; clients (wrk, pgbench, psql, curl) "
                       f"core {CLIENT_CPU if PINNED else 'any'}")

        # ---- probe: what each endpoint sends
        probe = Probe(binary, cluster, os.path.join(rundir, "claimdb-probe.log"))
        servers.append(probe.server)
        reads = {
            "get": ("claims", "/v1/claims/{id}"),
            "get1": ("claims", "/v1/claims/{id}"),
            "list": ("large_documents", "/v1/claims?document_id={id}&limit=100"),
            "counter": ("counterclaims", "/v1/claims/{id}/counterclaims"),
            # No {id} in these: the ids file is read but the path stays the same.
            "search": ("claims", "/v1/search?q=" + urllib.parse.quote(SEARCH_WORD)),
            "phrase": ("claims", "/v1/search?q=" + urllib.parse.quote(SEARCH_PHRASE)),
            "thread": ("counterclaims", "/v1/claims/{id}/thread"),
            "actors": ("claims", "/v1/network/actors?project_id=" + DEFAULT_PROJECT),
        }
        plans = {}
        for key, (ids_name, template) in reads.items():
            if not wanted(key) or key == "get1" and "get" in plans:
                continue
            with open(id_files[ids_name]) as f:
                some_id = f.readline().strip()
            path = template.replace("{id}", some_id)
            http_get(probe.server.base + path)  # the first request on a thread connects and prepares
            (status, body), statements = probe.capture(lambda base: http_get(base + path))
            if status != 200:
                by[key].note = f"not available: HTTP {status}"
                continue
            if key == "actors":
                statements, fetches = streamed_graph(statements)
                details.append(f"actors: streamed from a cursor: its set-up and first batch in one round trip, "
                               f"then {fetches - 1} more FETCH of {GRAPH_BATCH} rows; the ceiling runs the "
                               "cursor's statement whole")
            plans[key] = (ids_name, template, statements, some_id)
            try:
                doc = json.loads(body)
                if key == "list" and len(doc.get("items", [])) != 100:
                    details.append(f"  NOTE list: {len(doc.get('items', []))} items for a document of 100+ claims")
                if key == "get" and doc.get("id") != some_id:
                    details.append("  NOTE get: the claim returned has another id")
            except ValueError:
                details.append(f"  NOTE {key}: the response is not JSON")
            details.append(f"{key}: {len(statements)} statement(s) per request: "
                           + ", ".join(s["name"] for s in statements))
            # claimdb_scope (the request's identity) is sent in the same libpq pipeline as
            # the statement it precedes, with one Sync: the pair is one round trip.
            trips = len([s for s in statements if s["name"] != "claimdb_scope"])
            if trips != 1 and key != "actors":
                details.append(f"  NOTE {key}: a read should be ONE round trip; this one takes {trips}")
        if "get" in plans and wanted("get1"):
            plans["get1"] = plans["get"]

        exports = {"csv": "/v1/export?format=csv&table=claims", "ndjson": "/v1/export?format=ndjson"}
        export_sql = {}
        for key, path in exports.items():
            if not wanted(key):
                continue
            # The probe's export doubles as the warm-up and checks the row count.
            (res, secs), statements = probe.capture(lambda base: curl_records(base + path, key == "csv"))
            status, lines = res
            if status != 200:
                by[key].note = f"not available: HTTP {status}"
                continue
            expect = counts["claims"] + 1 if key == "csv" else records + 2  # + header (+ project)
            if lines != expect:
                details.append(f"  NOTE {key}: export has {lines} lines, expected {expect}")
            export_sql[key] = statements
            details.append(f"{key} export: {len(statements)} statement(s): "
                           + "; ".join(statement_label(s["sql"]) for s in statements))
        probe.server.stop()
        servers.remove(probe.server)

        # ---- the measured server
        server = Claimdb(binary, cluster.url(), os.path.join(rundir, "claimdb.log"))
        servers.append(server)
        for _ in range(4 * THREADS):
            http_get(server.base + "/readyz")
        by["idle"].rss = proc_kb(server.pid, "VmRSS")
        by["idle"].verdict = "meets" if by["idle"].rss is not None and by["idle"].rss < 16 * 1024 else "misses"
        details.append(f"claimdb pid {server.pid}: cores {cpus_of(server.pid)}, THREADS={THREADS}, "
                       f"access log {'on' if ACCESS_LOG == '1' else 'off'}")

        lookup_tps = None
        for key in ("get", "get1", "list", "counter", "search", "phrase", "thread", "actors"):
            row = by[key]
            if not wanted(key) or key not in plans:
                continue
            ids_name, template, statements, some_id = plans[key]
            # A search for a common word and the whole-project network take a good part of a
            # second each: as many connections as claimdb has threads (as pgbench has clients),
            # so that wrk's latencies do not become queueing past its timeout.
            conns = 1 if key == "get1" else THREADS if key in ("search", "actors") else CONNS
            # A whole project's network takes seconds (tens at a million claims): longer runs
            # and a longer timeout, or the few requests that fit in DURATION say little.
            secs, timeout = (max(DURATION, HEAVY_DURATION), 120) if key == "actors" else (DURATION, 10)
            rss_start = proc_kb(server.pid, "VmRSS")
            log(f"{key}: wrk {conns} connections, {WARMUP}+{secs} s")
            if WARMUP:
                wrk(server.base, id_files[ids_name], template, conns, WARMUP, timeout)
            reset_peak(server.pid)
            meter = CpuMeter(server.pid)
            w = wrk(server.base, id_files[ids_name], template, conns, secs, timeout)
            cpu = meter.stop()
            details.append(f"{key}: core {SERVER_CPU} {cpu['core_busy']:.0f}% busy during wrk, claimdb "
                           f"{cpu['proc_share']:.0f}% of it ({1e6 * cpu['proc_seconds'] / max(w['requests'], 1):.0f} "
                           f"µs CPU per request)")
            row.value, row.p50, row.p99 = w["rps"], w["p50_us"], w["p99_us"]
            row.rss = proc_kb(server.pid, "VmHWM")
            if w["status_errors"] or w["socket_errors"]:
                row.note = f"{int(w['status_errors'])} non-2xx, {int(w['socket_errors'])} socket errors"
            if key == "get1":
                row.verdict = "context"
                continue
            if key == "get" and wanted("open"):
                # Latency at a load the server can carry: an open loop at half the
                # throughput just measured, each latency from its scheduled send time.
                op = by["open"]
                rate = max(1, int(w["rps"] / 2))
                log(f"open: {rate} req/s open loop over {CONNS} connections, {DURATION} s")
                o = openloop(server.base, id_files[ids_name], template, rate, CONNS, DURATION)
                op.value, op.p50, op.p99 = o["requests"] / (o["duration_us"] / 1e6), o["p50_us"], o["p99_us"]
                op.rss = proc_kb(server.pid, "VmHWM")
                details.append(f"open: {rate} req/s scheduled (50% of {w['rps']:,.0f}), {int(o['requests'])} answered, "
                               f"{int(o['unsent'])} never sent, max {fmt_ms(o['max_us'])}")
                if o["status_errors"] or o["socket_errors"] or o["unsent"]:
                    op.note = (f"{int(o['status_errors'])} non-2xx, {int(o['socket_errors'])} socket errors, "
                               f"{int(o['unsent'])} unsent")
                op.verdict = "meets" if op.p99 <= 5000 and not op.note else "misses"
            # ceiling: pgbench, same SQL, same number of database connections
            table_name, nrows = lookups[ids_name]
            # The whole-project network takes seconds a statement (tens at a million claims), and
            # pgbench ends a run only between transactions: one statement per transaction there.
            width = 1 if key == "actors" else LOOKUP_WIDTH
            # claimdb plans the network for its values on every request (its cursor, like
            # db_exec_replanned_or_reply); a prepared statement switches to a generic plan after
            # five runs, which for this statement is far slower: the ceiling plans it likewise.
            mode = "extended" if key == "actors" else "prepared"
            text, defines, notes = pgbench_script(statements, some_id, table_name, width)
            spath = os.path.join(rundir, "pgbench", f"{key}.sql")
            with open(spath, "w") as f:
                f.write(text)
            details += [f"  {key}: {x}" for x in notes]
            if lookup_tps is None:
                lpath = os.path.join(rundir, "pgbench", "lookup.sql")
                with open(lpath, "w") as f:
                    f.write("".join(text.splitlines(True)[:2]))
                log(f"pgbench: the id lookup alone, {THREADS} clients, {WARMUP}+{DURATION} s")
                if WARMUP:
                    pgbench(cluster, lpath, {}, nrows, WARMUP)
                lookup_tps = pgbench(cluster, lpath, {}, nrows, DURATION)["tps"]
                details.append(f"pgbench: the lookup of {LOOKUP_WIDTH} ids alone: {lookup_tps:,.0f} tps")
            # Two ways to drive the same statements with the same connections: one round
            # trip each (the definition), and pipelined, 20 to a round trip (see
            # bench/README.md: claimdb's backends, on claimdb's core, are woken cheaply;
            # pgbench's, from the other core, are not). The ceiling is the better one.
            with open(ppath := spath.replace(".sql", "_pipelined.sql"), "w") as f:
                lines = text.splitlines(True)
                inner = [x for x in lines[2:] if x.strip() not in ("\\startpipeline", "\\endpipeline")]
                f.write("".join(lines[:2]) + "\\startpipeline\n" + "".join(inner) + "\\endpipeline\n")
            tried = []
            for label, script in (("one round trip each", spath), ("pipelined", ppath))[:2 if width > 1 else 1]:
                log(f"{key}: pgbench {THREADS} clients, {label}, {WARMUP}+{DURATION} s")
                if WARMUP:
                    pgbench(cluster, script, defines, nrows, WARMUP, mode)
                meter = CpuMeter()
                script_tps = pgbench(cluster, script, defines, nrows, secs, mode)["tps"]
                busy = meter.stop()["core_busy"]
                # A pgbench transaction is one lookup then `width` runs of the endpoint's
                # SQL; take the lookup's time out (per transaction, 1/tps adds up).
                per_txn = 1 / script_tps - 1 / lookup_tps
                rate = width / (per_txn if per_txn > 0 else 1 / script_tps)
                tried.append(f"{label} {rate:,.{2 if rate < 10 else 0}f}/s (core {SERVER_CPU} {busy:.0f}% busy)")
                row.ceiling = max(row.ceiling or 0, rate)
            details.append(f"{key}: pgbench {THREADS} clients, lookups taken out: " + ", ".join(tried))
            ok = row.ratio is not None and row.ratio >= (0.6 if key == "get" else 0.5)
            if key in ("search", "phrase", "thread"):
                scans = seq_scans(cluster, statements)
                details.append(f"{key}: EXPLAIN of its statement: "
                               + (f"seq scans on {', '.join(scans)}" if scans else "no seq scan on a data table"))
                ok = ok and not scans
            if key == "actors":
                growth = (row.rss or 0) - (rss_start or 0)
                details.append(f"actors: claimdb RSS {fmt_mb(rss_start)} before, peak {fmt_mb(row.rss)} during "
                               f"({fmt_mb(growth)} growth)")
                ok = ok and growth < 64 * 1024
            row.verdict = "meets" if ok and not row.note else "misses"

        # ---- exports: curl > /dev/null vs COPY (…) TO STDOUT (FORMAT csv) through psql
        for key, path in exports.items():
            row = by[key]
            if not wanted(key) or key not in export_sql:
                continue
            nrows = counts["claims"] if key == "csv" else records
            if key == "csv":
                ceiling_sql = copy_script(export_sql[key])
            else:
                ceiling_sql = ("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\n"
                               + "".join(f"COPY (SELECT * FROM {t} ORDER BY id) TO STDOUT (FORMAT csv);\n"
                                         for t in TABLES) + "COMMIT;\n")
            with open(os.path.join(rundir, "pgbench", f"{key}_copy.sql"), "w") as f:
                f.write(ceiling_sql)
            cluster.psql_script(ceiling_sql)  # warm-up (the probe's export warmed the other side)
            # One export is a single timing, easily disturbed: alternate the two, as many
            # times as fit in about BENCH_DURATION seconds (1-5), and keep the best of each.
            rss_before = proc_kb(server.pid, "VmRSS")
            reset_peak(server.pid)
            curl_times, copy_times, reps = [], [], 1
            while len(curl_times) < reps:
                log(f"{key} export: curl, then COPY through psql ({len(curl_times) + 1}/{reps})")
                secs, res = timed(on_core(CLIENT_CPU, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"]
                                          + [a for k, v in AUTH.items() for a in ("-H", f"{k}: {v}")]
                                          + [server.base + path]), capture_output=True, text=True)
                if res.stdout.strip() != "200":
                    break
                t_copy, _ = timed(cluster.psql_argv() + ["-f", "-"], input=ceiling_sql.encode(),
                                  stdout=subprocess.DEVNULL)
                curl_times.append(secs)
                copy_times.append(t_copy)
                if len(curl_times) == 1:
                    reps = max(1, min(5, int(DURATION / (secs + t_copy))))
            row.rss = proc_kb(server.pid, "VmHWM")
            if res.stdout.strip() != "200":
                row.note = f"HTTP {res.stdout.strip()}"
                row.verdict = "misses"
                continue
            secs, t_copy = min(curl_times), min(copy_times)
            row.value = nrows / secs
            ceiling_rows = nrows if key == "csv" else records + 1  # + the default project
            row.ceiling = ceiling_rows / t_copy
            details.append(f"{key}: best of {len(curl_times)}: curl {secs:.2f} s for {nrows:,} rows "
                           f"({', '.join(f'{x:.2f}' for x in curl_times)}); COPY {t_copy:.2f} s "
                           f"({', '.join(f'{x:.2f}' for x in copy_times)})")
            if key == "ndjson":
                # The export's own statements straight through psql: how much of the gap is SQL.
                own = copy_script(export_sql[key])
                with open(os.path.join(rundir, "pgbench", "ndjson_own.sql"), "w") as f:
                    f.write(own)
                t_own, res_own = timed(cluster.psql_argv() + ["-f", "-"], capture_output=True, text=True,
                                       input="\\timing on\n\\o /dev/null\n" + copy_script(export_sql[key], True))
                details.append(f"ndjson: the export's own statements through psql take {t_own:.2f} s "
                               f"({records / t_own:,.0f} rows/s, {records / t_own / row.ceiling:.2f}× the plain COPY)")
                times = [sum(map(float, re.findall(r"^Time: ([\d.]+) ms", part, re.M)))
                         for part in res_own.stdout.split("@@statement\n")[1:]]
                slow = sorted(zip(times, export_sql[key]), key=lambda x: -x[0])[:3]
                details.append("ndjson: slowest statements: " + "; ".join(
                    f"{ms:.0f} ms {statement_label(st['sql'])}" for ms, st in slow))
            ok = row.ratio >= (0.8 if key == "csv" else 0.5)
            if key == "ndjson" and rss_before is not None and row.rss is not None:
                growth = row.rss - rss_before
                details.append(f"ndjson export: RSS {rss_before / 1024:.1f} MB before, peak {row.rss / 1024:.1f} MB "
                               f"(growth {growth / 1024:.1f} MB)")
                ok = ok and growth < 64 * 1024
            row.verdict = "meets" if ok else "misses"

        # ---- writes (history on): POST /v1/claims vs pgbench running the statements it sends
        if wanted("write"):
            measure_writes(binary, cluster, data, rundir, by["write"], details, servers)
        if wanted("longpoll"):
            measure_longpoll(binary, cluster, rundir, by["longpoll"], details, servers)

        # ---- import: POST /v1/import into an empty database vs COPY FROM STDIN of the same rows
        if wanted("import"):
            measure_import(binary, cluster, data, rundir, records, counts, by["import"], details, servers)

        by["idle"].note = ""
        after = proc_kb(server.pid, "VmRSS")
        details.append(f"claimdb RSS at the end: {fmt_mb(after)}")
    finally:
        for s in servers:
            s.stop()
        if KEEP:
            log(f"BENCH_KEEP=1: the cluster is still running in {pgdir} (port {cluster.port})")
        else:
            cluster.stop()

    if wanted("page"):
        measure_page(binary, by["page"], details)

    for r in rows:
        if r.verdict == "n/a" and not r.note:
            r.note = "not measured" if ONLY and r.key not in ONLY else "not available"
    elapsed = time.monotonic() - t_start
    report = render(rows, details, n, meta, elapsed)
    print(report)
    if RESULTS:
        with open(RESULTS, "a") as f:
            if f.tell() == 0:
                f.write("# claimdb benchmark results\n\nAppended by `make bench` (bench/run.sh); see bench/README.md.\n\n")
            f.write(report + "\n")
        log(f"appended to {os.path.relpath(RESULTS, ROOT)}")
    return 0


COUNT_CSV = ("import csv, io, sys; "
             "print(sum(1 for _ in csv.reader(io.TextIOWrapper(sys.stdin.buffer, 'utf-8', newline=''))))")


def curl_records(url, csv_format):
    """Streams an export on the client core, counting lines (CSV: records, which may
    span lines). Returns ((status, count), seconds)."""
    t0 = time.monotonic()
    counter = f"{sys.executable} -c \"{COUNT_CSV}\"" if csv_format else "wc -l"
    res = run(on_core(CLIENT_CPU, ["sh", "-c", f'curl -s -H "$2" -D /dev/stderr "$1" | {counter}', "sh", url,
                                   "Authorization: " + AUTH.get("Authorization", "")]),
              capture_output=True, text=True)
    m = re.search(r"HTTP/[\d.]+ (\d+)", res.stderr)
    return (int(m.group(1)) if m else 0, int(res.stdout.strip() or 0)), time.monotonic() - t0


def copy_script(statements, markers=False):
    """The export's statements as one psql script, any COPY … TO STDOUT as is and a
    SELECT wrapped in COPY (…) TO STDOUT (FORMAT csv); parameters inlined as literals."""
    out = []
    for st in statements:
        if "set_config('claimdb." in st["sql"]:
            continue  # the request scope: the ceiling's psql is the superuser, whom row-level security skips
        sql = re.sub(r"\$(\d+)", lambda m: "NULL" if st["params"].get(int(m.group(1))) is None
                     else "'" + st["params"][int(m.group(1))].replace("'", "''") + "'", st["sql"]).rstrip(";")
        if re.match(r"\s*(SELECT|WITH)\b", sql, re.I):
            sql = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
        out.append(("\\echo @@statement\n" if markers else "") + sql + ";")
    return "\n".join(out) + "\n"


def statement_label(sql):
    m = re.search(r"'type', '(\w+)'", sql)
    if m:
        return m.group(1) + " rows"
    sql = " ".join(sql.split())
    return sql if len(sql) <= 40 else sql[:40] + "…"


def check_spans(cluster, n, details):
    """Spot-checks that claims' offsets, exact, prefix and suffix agree with their document."""
    pct = min(100.0, 2000000.0 / max(n, 1))
    bad = cluster.sql(f"""
      SELECT count(*) FILTER (WHERE substr(d.text, c.start + 1, c."end" - c.start) <> c.exact
                                 OR substr(d.text, greatest(c.start - 31, 1), c.start - greatest(c.start - 32, 0)) <> c.prefix
                                 OR substr(d.text, c."end" + 1, 32) <> c.suffix), count(*)
      FROM claims c TABLESAMPLE BERNOULLI ({pct}) REPEATABLE (1) JOIN documents d ON d.id = c.document_id""")
    wrong, total = map(int, bad.split("|"))
    details.append(f"span check: {total:,} sampled claims, {wrong} inconsistent with their document")
    if wrong:
        raise RuntimeError(f"{wrong} generated claims do not match their document text")


WAITERS = env_int("BENCH_WAITERS", 1000)


def http_post(url, body, timeout=60):
    req = urllib.request.Request(url, data=body.encode(), method="POST", headers={"Content-Type": "application/json", **AUTH})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def measure_writes(binary, cluster, data, rundir, row, details, servers):
    """Creating a claim with two inline attributions (every row logged by the
    history triggers, in the same transaction) over HTTP at CONNS connections,
    against pgbench running the statements the endpoint sends (captured by a
    probe, the same triggers firing) with THREADS clients."""
    with open(os.path.join(data, "ids", "large_documents.txt")) as f:
        doc = f.readline().strip()
    actors = cluster.sql("SELECT string_agg(id::text, ' ') FROM (SELECT id FROM actors ORDER BY id LIMIT 2) a").split()
    body = json.dumps({"document_id": doc, "text": "a claim made by the benchmark", "kind": "factual",
                       "tags": ["bench/write"], "note": "bench",
                       "attributions": [{"actor_id": actors[0], "mode": "indirect", "role": "spokesperson", "cue": "said"},
                                        {"actor_id": actors[1], "mode": "endorsement"}]})
    body_path = os.path.join(rundir, "write_body.json")
    with open(body_path, "w") as f:
        f.write(body)
    probe = Probe(binary, cluster, os.path.join(rundir, "claimdb-probe-write.log"))
    servers.append(probe.server)
    http_post(probe.server.base + "/v1/claims", body)  # connects and prepares
    (status, _), statements = probe.capture(lambda base: http_post(base + "/v1/claims", body))
    probe.server.stop()
    servers.remove(probe.server)
    if status != 201:
        row.note = f"not available: HTTP {status}"
        return
    details.append(f"write: {len(statements)} statement(s) per request: " + ", ".join(s["name"] for s in statements))
    lines, defines = [], {}
    for st in statements:
        def sub(m, st=st):
            n = int(m.group(1))
            if n not in st["params"]:
                return m.group(0)
            v = st["params"][n]
            return pgbench_value(v, defines)
        sql = re.sub(r"(?<![A-Za-z0-9_&])'(?:[^']|'')*'", colon_safe, st["sql"])
        lines.append(re.sub(r"\$(\d+)", sub, sql).rstrip().rstrip(";") + ";")
    if any(st["name"] == "claimdb_scope" for st in statements):
        # claimdb sends the scope pipelined with BEGIN and commits at the end: its
        # transaction-local settings must hold for every statement (one more round
        # trip here for BEGIN than claimdb makes: a slightly lower ceiling)
        lines = ["BEGIN;"] + lines + ["COMMIT;"]
    spath = os.path.join(rundir, "pgbench", "write.sql")
    with open(spath, "w") as f:
        f.write("\n".join(lines) + "\n")
    server = Claimdb(binary, cluster.url(), os.path.join(rundir, "claimdb-write.log"))
    servers.append(server)
    try:
        log(f"write: wrk POST {CONNS} connections, {WARMUP}+{DURATION} s")
        argv = lambda secs: on_core(CLIENT_CPU, ["wrk", "-t", "1", "-c", str(CONNS), "-d", f"{secs}s", "--timeout", "10s",
                                                 "-s", os.path.join(BENCH, "post.lua"), server.base, "--", body_path,
                                                 "/v1/claims", AUTH.get("Authorization", "")])  # noqa: E731
        if WARMUP:
            run(argv(WARMUP), capture_output=True)
        out = run(argv(DURATION), capture_output=True, text=True).stdout
        m = re.search(r"^BENCH (.*)$", out, re.M)
        w = {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
        row.value, row.p50, row.p99 = w["requests"] / (w["duration_us"] / 1e6), w["p50_us"], w["p99_us"]
        row.rss = proc_kb(server.pid, "VmHWM")
        if w["status_errors"] or w["socket_errors"]:
            row.note = f"{int(w['status_errors'])} non-2xx, {int(w['socket_errors'])} socket errors"
    finally:
        server.stop()
        servers.remove(server)
    log(f"write: pgbench {THREADS} clients, the same statements, {WARMUP}+{DURATION} s")
    if WARMUP:
        pgbench(cluster, spath, defines, 1, WARMUP)
    row.ceiling = pgbench(cluster, spath, defines, 1, DURATION)["tps"]
    logged = cluster.sql("SELECT count(*) FROM revisions WHERE reason IS NULL AND op = 'create'")
    details.append(f"write: {logged} create entries in the revision log after the run (claimdb's and pgbench's)")
    row.verdict = "meets" if row.ratio and row.ratio >= 0.5 and not row.note else "misses"


def measure_longpoll(binary, cluster, rundir, row, details, servers):
    """WAITERS clients wait on GET /v1/changes?wait=60 at the end of the feed:
    the server's RSS growth and its database connections while they wait,
    then one change wakes them all."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = WAITERS + 512
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    server = Claimdb(binary, cluster.url(), os.path.join(rundir, "claimdb-longpoll.log"),
                     {"CLAIMDB_PER_IP_LIMIT": str(WAITERS + 64), "CLAIMDB_TIMEOUT": "120"})
    servers.append(server)
    socks = []
    try:
        cursor = None
        while True:  # the end of the feed
            status, page = http_get(server.base + "/v1/changes?limit=1000" + (f"&after={cursor}" if cursor else ""))
            page = json.loads(page)
            cursor = page["next"]
            if not page["more"]:
                break
        # claimdb's connections, and those of them busy (in a statement or a
        # transaction): a waiter must hold none. The pool may open a slot
        # more while a thousand requests arrive (it is bounded by THREADS,
        # not by clients): idle in the pool, not held by a waiter. (Other
        # servers of this run count in the total too.)
        conns_sql = ("SELECT count(*) || ' ' || count(*) FILTER (WHERE state <> 'idle') FROM pg_stat_activity"
                     " WHERE application_name = 'claimdb' AND pid <> pg_backend_pid()")
        for _ in range(4 * THREADS):
            http_get(server.base + "/readyz")
        time.sleep(0.5)
        rss0, (conns0, busy0) = proc_kb(server.pid, "VmRSS"), map(int, cluster.sql(conns_sql).split())
        # With the bench user's token: an anonymous caller sees only public
        # projects, so the change below (default project) never reached the
        # waiters, which answered 200 empty at the end of their wait and
        # were counted as woken (the 2026-12-02 02:17 row).
        request = (f"GET /v1/changes?after={cursor}&wait=60 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   f"Authorization: {AUTH['Authorization']}\r\nConnection: close\r\n\r\n").encode()
        for _ in range(WAITERS):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=90)
            s.sendall(request)
            socks.append(s)
        time.sleep(3)
        rss1, (conns1, busy1) = proc_kb(server.pid, "VmRSS"), map(int, cluster.sql(conns_sql).split())
        t0 = time.monotonic()
        status, created = http_post(server.base + "/v1/actors", json.dumps({"name": "woken by the long-poll benchmark"}))
        actor_id = json.loads(created)["id"].encode() if status == 201 else b"(actor not created)"
        woken, t_last = 0, 0.0
        for s in socks:
            data = b""
            try:
                while True:  # Connection: close: the whole reply, to EOF
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            # woken = answered 200 with the new change, not at the end of its wait
            if data.startswith(b"HTTP/1.1 200") and actor_id in data:
                woken += 1
                t_last = time.monotonic() - t0
        t_wake = t_last
        row.rss = rss1
        growth = rss1 - rss0
        details.append(f"longpoll: {WAITERS} waiting: RSS {rss0 / 1024:.1f} MB before, {rss1 / 1024:.1f} MB while "
                       f"they wait (+{growth / 1024:.1f} MB, {1024 * growth / WAITERS:.0f} bytes each); claimdb's "
                       f"database connections {conns0} before, {conns1} while they wait (one of them the LISTEN "
                       f"connection, there from the start, and those of the other servers of this run), busy {busy0} before "
                       f"and {busy1} while they wait; one change woke {woken} in {t_wake:.2f} s")
        row.note = f"+{growth / 1024:.1f} MB, {busy1} connections held, {woken}/{WAITERS} woken"
        row.verdict = "meets" if growth < 20 * 1024 and busy1 == 0 and woken == WAITERS else "misses"
    finally:
        for s in socks:
            s.close()
        server.stop()
        servers.remove(server)


def measure_import(binary, cluster, data, rundir, records, counts, row, details, servers):
    ndjson = os.path.join(data, "dataset.ndjson")
    # ceiling: the same rows by COPY FROM STDIN into a freshly migrated database
    cluster.createdb("claimdb_copy")
    run([binary, "migrate"], env=dict(ENV, DATABASE_URL=cluster.url("claimdb_copy")), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    log("import ceiling: COPY FROM STDIN into an empty database")
    t_copy, _ = timed(cluster.psql_argv("claimdb_copy") + ["-f", "-"], input=load_script(data).encode(),
                      stdout=subprocess.DEVNULL)
    cluster.sql("DROP DATABASE claimdb_copy", "postgres")
    row.ceiling = records / t_copy

    cluster.createdb("claimdb_import")
    url = cluster.url("claimdb_import")
    run([binary, "migrate"], env=dict(ENV, DATABASE_URL=url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Claimdb(binary, url, os.path.join(rundir, "claimdb-import.log"))
    import_auth = "Bearer " + cluster.token(binary, "claimdb_import")
    servers.append(server)
    try:
        log(f"import: POST /v1/import of {os.path.getsize(ndjson) / 1e6:.0f} MB")
        reset_peak(server.pid)
        resp = os.path.join(rundir, "import-response.json")
        secs, res = timed(on_core(CLIENT_CPU, [
            "curl", "-s", "-o", resp, "-w", "%{http_code}", "-X", "POST", "-H", "Content-Type: application/x-ndjson",
            "-H", "Authorization: " + import_auth,
            "--max-time", str(IMPORT_TIMEOUT), "--data-binary", "@" + ndjson, server.base + "/v1/import"]),
            capture_output=True, text=True, check=False)
        row.rss = proc_kb(server.pid, "VmHWM")
        status = res.stdout.strip()
        if res.returncode == 28:
            row.note = f"unfinished after {IMPORT_TIMEOUT} s, so < {records / IMPORT_TIMEOUT:,.0f} rows/s"
            row.verdict = "misses"
            details.append(f"import: cut off after {IMPORT_TIMEOUT} s (BENCH_IMPORT_TIMEOUT); "
                           f"the database was busy with: {busy_query(cluster, 'claimdb_import')}")
            return
        if res.returncode != 0:
            row.note = f"curl exit {res.returncode}"
            row.verdict = "misses"
            return
        if status == "404":
            row.note = "not available: HTTP 404"
            return
        if not status.startswith("2"):
            with open(resp, "rb") as f:
                body = f.read(300).decode("utf-8", "replace")
            row.note = f"HTTP {status}"
            row.verdict = "misses"
            details.append(f"import: HTTP {status}: {body}")
            return
        row.value = records / secs
        got = cluster.sql("SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in LOAD_ORDER),
                          "claimdb_import").split("|")
        want = [str(counts[t]) for t in LOAD_ORDER]
        if got != want:
            row.note = "row counts differ"
            details.append(f"import: row counts {got}, expected {want}")
        details.append(f"import: {secs:.1f} s for {records:,} records; COPY {t_copy:.1f} s")
        row.verdict = "meets" if row.ratio >= 0.25 and not row.note else "misses"
    finally:
        server.stop()
        servers.remove(server)
        cluster.sql("DROP DATABASE IF EXISTS claimdb_import WITH (FORCE)", "postgres")


def busy_query(cluster, db):
    q = cluster.sql("SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 160) || ' (for ' || "
                    "round(extract(epoch FROM now() - query_start)) || ' s)' FROM pg_stat_activity "
                    f"WHERE datname = '{db}' AND state = 'active' ORDER BY query_start LIMIT 1", "postgres")
    return q or "nothing"


def measure_page(binary, row, details):
    """bench/page.mjs: the fixtures on a cluster of its own (not the generated
    dataset), Chromium opening the longest seed document RUNS times."""
    chromium = ENV.get("CHROMIUM", "/usr/bin/chromium")
    harness = os.path.join(ROOT, "tests", "e2e", "node_modules", "playwright-core")
    if not (os.path.exists(chromium) and shutil.which("node") and os.path.isdir(harness)):
        row.note = "chromium, node or tests/e2e/node_modules (npm ci --prefix tests/e2e) absent"
        return
    log("the page: opening 001_… in headless Chromium")
    try:
        out = subprocess.run(["node", os.path.join(BENCH, "page.mjs"), binary], capture_output=True, text=True,
                             timeout=600, check=True).stdout
        res = json.loads(out.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError) as e:
        row.note = f"failed: {e}"
        return
    row.p50 = res["median_ms"] * 1000
    row.p99 = res["max_ms"] * 1000
    ok = res["median_ms"] < 1000 and res["script_bytes"] < 300 * 1024
    row.verdict = "meets" if ok else "misses"
    row.note = f"script {res['script_bytes'] / 1024:.0f} KB; p99 column = slowest of {res['runs']}"
    details.append(f"the page: {res['runs']} loads of 001_… ({res['claims']} claims), navigation start to text and "
                   f"highlights drawn: min {res['min_ms']:.0f} ms, median {res['median_ms']:.0f} ms, "
                   f"p90 {res['p90_ms']:.0f} ms, max {res['max_ms']:.0f} ms (load average {res['loadavg']:.1f}); the page's own script "
                   f"{res['script_bytes']:,} bytes (not pinned to a core: Chromium, claimdb and PostgreSQL share both)")


def render(rows, details, n, meta, elapsed):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    except OSError:
        pass
    git = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
                         text=True).stdout.strip() or "?"
    pgver = subprocess.run([os.path.join(PG_BINDIR, "postgres"), "--version"], capture_output=True,
                           text=True).stdout.strip()
    c = meta["counts"]
    head = [f"## {time.strftime('%Y-%m-%d %H:%M %Z')} — N={n:,} claims, {DURATION} s per row after {WARMUP} s "
            f"warm-up, {CONNS} connections, THREADS={THREADS}",
            "",
            f"machine: {os.cpu_count()} × {cpu}, {platform.system()} {platform.release()}; {pgver} (fsync=off); "
            f"git {git}; PostgreSQL + claimdb on core {SERVER_CPU}, load generators on core {CLIENT_CPU}"
            + ("" if PINNED else " (NOT pinned)"),
            f"data: {c['documents']:,} documents, {c['claims']:,} claims, {c['attributions']:,} attributions, "
            f"{c['relations']:,} relations, {c['citations']:,} citations, {c['actors']:,} actors, "
            f"{c['sources']:,} sources ({meta['large_documents']} documents of 100+ claims); "
            f"whole run {elapsed / 60:.1f} min",
            "", ""]
    return "\n".join(head) + table(rows) + "\n\n" + "\n".join(f"- {d}" for d in details) + "\n"


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
