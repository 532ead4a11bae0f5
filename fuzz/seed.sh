#!/bin/sh
# Seeds each fuzz target's corpus (DIR/NAME/) from the fixtures and the
# tests, once: records of the fixture dataset as bodies and import lines,
# the route patterns as paths, query strings and cursors from the tests.
set -eu
dir=$1
root=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$dir/.seeded" ] && exit 0
mkdir -p "$dir"
exec python3 - "$dir" "$root" <<'PY'
import glob, json, os, re, sys, hashlib, base64
out, root = sys.argv[1], sys.argv[2]
def put(target, data):
    d = os.path.join(out, target); os.makedirs(d, exist_ok=True)
    if isinstance(data, str): data = data.encode()
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f: f.write(data)
fixture = os.path.join(root, "fixtures", "claimdb.ndjson")
lines = open(fixture, encoding="utf-8").read().splitlines() if os.path.exists(fixture) else []
docs = {}
for i, l in enumerate(lines):
    rec = json.loads(l)
    if i % 7 == 0 or rec.get("type") not in ("claim", "attribution"):
        put("fuzz_json_body", l[:4000])
    if rec.get("type") == "document":
        docs[rec["id"]] = rec.get("text", "")
# import lines: runs of fixture lines with a max length and chunk size in front
for i in range(0, min(len(lines), 400), 20):
    put("fuzz_import_lines", bytes([40, 7]) + "\n".join(lines[i:i + 20]).encode()[:4000])
put("fuzz_import_lines", b"\x05\x01abcd\nabcdefghij\r\nxy\n")
# anchoring: claims' quotes against their documents
claims = [json.loads(l) for l in lines if '"type": "claim"' in l or '"type":"claim"' in l]
for c in claims[:150]:
    t = c.get("target") or {}
    text = docs.get(c.get("document_id"), "")
    if not text or "exact" not in t: continue
    start, end = t.get("start", 0), t.get("end", 0)
    win = max(0, start - 200)
    snippet = text[win:end + 200]
    flags = 3 if c["id"][-1] in "02468ace" else 2
    head = bytes([flags]) + (start - win).to_bytes(2, "little", signed=True) + (end - win).to_bytes(2, "little", signed=True)
    put("fuzz_anchor", head + b"\0".join(s.encode() for s in (snippet, t["exact"], t.get("prefix", ""), t.get("suffix", ""))))
# offsets that are only a hint: "dic " at 0..4 is not the quote "t", whose nearest occurrence is taken
# (fuzz_anchor once asserted that offsets always win)
put("fuzz_anchor", bytes([3, 0, 0, 4, 0]) + b"dic review conducted by th\0t\0\0")
# router: every route pattern (route tables are written with designated
# initializers) with its parameters filled in
methods = ["GET", "POST", "PATCH", "DELETE", "PUT"]
routes = 0
for path in glob.glob(os.path.join(root, "server", "ep_*.c")):
    for m, p in re.findall(r'\.method = "(GET|POST|PATCH|DELETE|PUT)",\s+\.pattern = "(/[^"]*)"', open(path).read()):
        filled = re.sub(r"\{[a-z_]+\}", "0190a1b2-0000-7000-8000-000000000001", p)
        put("fuzz_router", bytes([methods.index(m)]) + filled.encode())
        put("fuzz_router", bytes([5]) + (p + "/").encode())
        routes += 1
if routes < 10:
    sys.exit(f"fuzz/seed.sh: found {routes} route patterns in server/ep_*.c; has the route table's form changed?")
# queries and cursors seen in the tests
queries = set()
for path in glob.glob(os.path.join(root, "tests", "api", "*.py")):
    for q in re.findall(r'\?([A-Za-z_]+=[^"\' )]*)', open(path, errors="replace").read()):
        queries.add(q)
for q in sorted(queries)[:300]:
    put("fuzz_query", q)
put("fuzz_query", "limit=10&after=" + base64.urlsafe_b64encode(b"3\x1ftopic/x").decode().rstrip("="))
put("fuzz_query", "document_id=%00&created_after=2026-02-30T25:00:00Z&q=%E2%80%9C&x;y")
for v in (["3", "topic/x"], ["0190a1b2-0000-7000-8000-000000000001"], ["a", "b", "c", "d"]):
    put("fuzz_cursor", "\x1f".join(v))
open(os.path.join(out, ".seeded"), "w").close()
PY
