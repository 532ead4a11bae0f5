"""The fixture dataset (issue 5): verbatim texts, the counts the study needs, and a
deterministic build. Import, anchoring and idempotency are tested in test_import.py."""
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter

import pytest

from conftest import ROOT

FIXTURES = os.path.join(ROOT, "fixtures")
NDJSON = os.path.join(FIXTURES, "claimdb.ndjson")
SEEDS = os.path.join(os.path.dirname(ROOT), "shared", "seeds")


@pytest.fixture(scope="module")
def records():
    with open(NDJSON, encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    by_type = {}
    for r in lines:
        by_type.setdefault(r["type"], []).append(r)
    return lines, by_type


def test_texts_are_verbatim_copies_of_the_seeds():
    names = sorted(os.listdir(os.path.join(FIXTURES, "documents")))
    assert len(names) == 5
    if not os.path.isdir(SEEDS):
        pytest.skip("../shared/seeds is not beside this clone")
    for name in names:
        with open(os.path.join(FIXTURES, "documents", name), "rb") as a, open(os.path.join(SEEDS, name), "rb") as b:
            assert a.read() == b.read(), name


def test_committed_dataset_is_what_the_builder_writes():
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "claimdb.ndjson")
        run = subprocess.run([sys.executable, os.path.join(FIXTURES, "build.py"), "--out", out],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        with open(out, "rb") as a, open(NDJSON, "rb") as b:
            assert a.read() == b.read(), "fixtures/claimdb.ndjson is stale: run fixtures/build.py"


def test_counts_the_study_needs(records):
    lines, t = records
    assert lines[0]["type"] == "header"
    assert len(t["document"]) == 5
    assert len(t["claim"]) >= 250
    assert len(t["actor"]) >= 120
    assert len(t["relation"]) >= 120
    assert len(t["source"]) >= 40
    doc_of = {c["id"]: c.get("document_id") for c in t["claim"]}
    across = [r for r in t["relation"] if doc_of[r["from_claim_id"]] != doc_of[r["to_claim_id"]]]
    assert len(across) >= 40
    per_doc = Counter(c["document_id"] for c in t["claim"])
    assert all(per_doc[d["id"]] >= 20 for d in t["document"]), per_doc  # every text, the long page too


def test_every_claim_is_quoted_tagged_and_attributed(records):
    _, t = records
    sys.path.insert(0, os.path.join(FIXTURES, "src"))
    try:
        from codebook import TAGS
    finally:
        sys.path.pop(0)
    attributed = {a["claim_id"] for a in t["attribution"]}
    for c in t["claim"]:
        if c.get("document_id"):
            assert set(c["target"]) <= {"exact", "prefix", "suffix"} and c["target"]["exact"], c["id"]
        assert c["tags"] and set(c["tags"]) <= set(TAGS), (c["id"], c["tags"])
        assert c["id"] in attributed, c["id"]


def test_open_letter_signatories_endorse_it(records):
    _, t = records
    endorsements = [a for a in t["attribution"] if a["mode"] == "endorsement"]
    assert len({a["actor_id"] for a in endorsements}) >= 100
    kinds = {a["id"]: a["kind"] for a in t["actor"]}
    assert sum(1 for a in {e["actor_id"] for e in endorsements} if kinds[a] == "organisation") >= 10


def test_reports_of_reports_are_chains(records):
    _, t = records
    ids = {a["id"] for a in t["attribution"]}
    chained = [a for a in t["attribution"] if a.get("via_attribution_id")]
    assert len(chained) >= 50
    assert all(a["via_attribution_id"] in ids for a in chained)
