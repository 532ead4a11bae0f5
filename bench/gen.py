#!/usr/bin/env python3
"""Benchmark dataset generator for claimdb.

Writes one dataset twice, deterministically from --seed:
  * tab-separated COPY files (PostgreSQL text format), one per table, loaded
    by bench/load.sql straight into a migrated database;
  * dataset.ndjson in the interchange format (schema/ndjson.md), for the
    POST /v1/import measurement;
plus id lists (ids/*.txt) that the load generators pick from, and meta.json
with the row counts.

Shape (N claims): documents of 1-5 KB of mixed text (English, French and
German with accents, CJK, combining marks, emoji outside the BMP), ~10 claims
per document and a few documents of 100-200 claims, 1-2 attributions per
claim (some reported via another attribution, some with a cue span), relations
on ~30 % of claims (a third of them across documents, half refutes/disputes),
0-2 citations over a pool of sources, 0-3 codebook tags, ~1 % of claims
without a document. Spans are code-point offsets into the text with exact,
prefix and suffix (up to 32 code points) consistent with it, as the server's
anchoring computes them.

Usage: gen.py --claims N --out DIR [--seed S]
"""
import argparse
import hashlib
import json
import os
import random
import sys
import time

CONTEXT = 32
DEFAULT_PROJECT = "00000000-0000-7000-8000-000000000001"
BASE_MS = 1767225600000  # 2026-01-01T00:00:00Z

EN = ("the government said that its policy had reduced emissions by a third since the report was "
      "published while critics argued the figures were misleading and the ministry denied any "
      "wrongdoing in a statement on Tuesday officials claimed evidence showed growth unemployment "
      "rose sharply according to data from the agency spokesperson rejected allegations as "
      "baseless fabricated interference internal affairs human rights observers documented camps "
      "detention independent investigation found no credible basis for those claims economy "
      "inflation budget deficit vaccine safety trial results election fraud court ruled").split()
FR = ("le ministère a déclaré que la politique était efficace selon les données publiées "
      "l'opposition conteste ces chiffres élevés à propos de la sécurité être où été français "
      "réfugiés économie déficit société générale enquête indépendante").split()
DE = ("die Regierung erklärte dass die Maßnahmen wirksam gewesen seien Kritiker bezweifeln "
      "Ergebnisse über Grundsätzlich Behörde Prüfung öffentliche Äußerungen").split()
CJK = ["中国", "外交部", "发言人", "表示", "新疆", "人权", "报告", "数据显示", "经济增长", "否认",
       "指控", "毫无根据", "日本政府", "発表した", "한국", "정부는"]
ODD = ["café\u0301", "nai\u0308ve", "Zoë", "ﬁnance", "😀", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "🇪🇺", "“quoted”", "—",
       "«citation»", "‘scare’", "x²", "€12bn", "naïve", "Ångström", "Ελλάδα", "Україна", "العربية"]
WORDS = EN * 6 + FR * 2 + DE * 2 + CJK + ODD
WORD_BYTES = {w: len(w.encode()) + 1 for w in WORDS}

TAGS = ([f"topic/{t}" for t in ("xinjiang", "climate", "economy", "elections", "health", "migration",
                                 "trade", "security", "media", "courts", "énergie", "人权")]
        + [f"region/{r}" for r in ("europe", "asia", "africa", "americas", "oceania", "middle-east")]
        + [f"frame/{f}" for f in ("denial", "whataboutism", "appeal-to-authority", "statistic",
                                  "anecdote", "counter-accusation", "legal")]
        + [f"code/{i:03d}" for i in range(120)])
CLAIM_KINDS = ["factual"] * 5 + ["statistical"] * 2 + ["evaluative", "normative", "causal", "predictive", "other"]
ACTOR_KINDS = ["person"] * 4 + ["organisation", "government", "government", "intergovernmental", "media", "group", "other"]
MODES = ["direct_quote", "direct_quote", "indirect", "indirect", "paraphrase", "endorsement", "implicit"]
REL_KINDS = ["refutes", "refutes", "disputes", "disputes", "supports", "restates", "qualifies", "responds_to"]
SOURCE_KINDS = ["report", "statement", "article", "statistic", "testimony", "law", "dataset", "other"]
ROLES = [None, None, "foreign ministry spokesperson", "minister", "researcher", "director",
         "porte-parole", "发言人", "chief economist", "editor"]
CUES = ["said", "claimed", "slammed", "denied", "according to", "stated", "argued", "insisted",
        "a déclaré", "表示", "erklärte", "warned", "noted"]
ANNOTATORS = ["alice", "bob", "chen.wei", "dana", "émile", None]
LANGS = ["en", "en", "en", "fr", "de", "zh", "ja", "en-GB"]


class Ids:
    """UUIDv7 in creation order: 48-bit millisecond clock, version 7, variant 10."""

    def __init__(self, rng):
        self.rng = rng
        self.ms = BASE_MS
        self._sec = None
        self._sec_str = ""

    def next(self):
        self.ms += 1
        ms = self.ms
        r = self.rng.getrandbits(76)
        h = f"{ms:012x}"
        return (f"{h[:8]}-{h[8:]}-7{r & 0xfff:03x}-{0x8000 | ((r >> 12) & 0x3fff):04x}-"
                f"{r >> 26 & 0xffffffffffff:012x}")

    def stamp(self):
        """The timestamp of the last id, RFC 3339 with milliseconds."""
        sec = self.ms // 1000
        if sec != self._sec:
            self._sec = sec
            self._sec_str = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
        return f"{self._sec_str}.{self.ms % 1000:03d}Z"


def esc(v):
    """A value in COPY text format."""
    if v is None:
        return "\\N"
    if not isinstance(v, str):
        return str(v)
    if "\\" in v or "\n" in v or "\t" in v or "\r" in v:
        v = v.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return v


def pg_array(items):
    return "{" + ",".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in items) + "}"


def row(f, *values):
    f.write("\t".join(map(esc, values)))
    f.write("\n")


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def make_text(rng, target_bytes):
    paras, size, para = [], 0, []
    while size < target_bytes:
        k = rng.randint(6, 24)
        words = rng.choices(WORDS, k=k)
        size += sum(WORD_BYTES[w] for w in words) + 1
        words[0] = words[0][:1].upper() + words[0][1:]
        para.append(" ".join(words) + rng.choice(".....?!;"))
        if rng.random() < 0.2:
            paras.append(" ".join(para))
            para = []
            size += 1
    if para:
        paras.append(" ".join(para))
    return "\n\n".join(paras)


def span_at(text, s, e):
    return {"start": s, "end": e, "exact": text[s:e],
            "prefix": text[max(0, s - CONTEXT):s], "suffix": text[e:e + CONTEXT]}


def pick_span(rng, text, lo, hi):
    """A span of lo..hi code points that starts after a space and ends before one."""
    n = len(text)
    for _ in range(8):
        s = rng.randrange(0, max(1, n - lo))
        if s:
            sp = text.find(" ", s)
            s = sp + 1 if 0 <= sp < n - lo else s
        e = min(n, s + rng.randint(lo, hi))
        sp = text.find(" ", e)
        e = sp if sp != -1 and sp - s <= hi * 2 else e
        if e > s and text[s:e].strip():
            return s, e
    return 0, min(n, lo)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--claims", type=int, default=100000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    N = max(args.claims, 200)
    rng = random.Random(args.seed)
    ids = Ids(rng)
    out = args.out
    os.makedirs(os.path.join(out, "ids"), exist_ok=True)
    t0 = time.time()

    def open_w(name):
        return open(os.path.join(out, name), "w", encoding="utf-8", newline="\n", buffering=1 << 20)

    f_act, f_doc, f_src = open_w("actors.tsv"), open_w("documents.tsv"), open_w("sources.tsv")
    f_cla, f_att = open_w("claims.tsv"), open_w("attributions.tsv")
    f_rel, f_cit = open_w("relations.tsv"), open_w("citations.tsv")
    # NDJSON in the export order: one part file per section, concatenated at the end.
    j_head, j_docs = open_w("part0.ndjson"), open_w("part1.ndjson")
    j_src, j_att = open_w("part2.ndjson"), open_w("part3.ndjson")
    j_rel, j_cit = open_w("part4.ndjson"), open_w("part5.ndjson")
    counts = dict.fromkeys(("actors", "documents", "claims", "sources", "attributions", "relations",
                            "citations"), 0)

    j_head.write(dumps({"type": "header", "format": "claimdb-ndjson", "version": 1,
                        "exported_at": "2026-01-01T00:00:00Z", "generator": "claimdb bench/gen.py"}) + "\n")

    # ---- actors
    n_actors = max(50, N // 100)
    actor_ids = []
    for i in range(n_actors):
        aid = ids.next()
        ts = ids.stamp()
        actor_ids.append(aid)
        name = f"{rng.choice(['Wang', 'Smith', 'Müller', 'Dupont', 'García', 'Nakamura', 'Ольга', 'Ministry of'])} {i}"
        kind = rng.choice(ACTOR_KINDS)
        aliases = [f"{name} (alias {k})" for k in range(rng.choice((0, 0, 1, 2)))]
        desc = rng.choice((None, "Spokesperson", "Research institute", "Broadcaster", "政府机构"))
        ext = {"wikidata": f"Q{1000 + i}"} if rng.random() < 0.3 else {}
        ann = rng.choice(ANNOTATORS)
        row(f_act, aid, DEFAULT_PROJECT, name, kind, pg_array(aliases), desc, dumps(ext), ts, ts, ann)
        j_head.write(dumps({"type": "actor", "id": aid, "project_id": DEFAULT_PROJECT, "name": name,
                            "kind": kind, "aliases": aliases, "description": desc, "external_ids": ext,
                            "annotator": ann, "created_at": ts, "updated_at": ts}) + "\n")
    counts["actors"] = n_actors

    # Source ids come first so that claims can cite them; their rows are written
    # after the documents (a source may point to a document).
    n_sources = max(20, N // 200)
    source_ids = [ids.next() for _ in range(n_sources)]
    source_stamps = [ids.stamp()] * n_sources

    # ---- documents, each followed by its claims (and their dependants, to side files)
    doc_ids, all_claims = [], []
    large_docs, counter = [], set()
    claims_left = N - N // 100  # ~1 % of claims have no document
    n_large = max(3, N // 20000)
    large_at = set(rng.sample(range(max(n_large * 2, N // 25)), n_large))
    d = 0
    while claims_left > 0:
        big = d in large_at
        k = min(claims_left, rng.randint(100, 200) if big else rng.randint(4, 16))
        claims_left -= k
        did = ids.next()
        ts = ids.stamp()
        doc_ids.append(did)
        text = make_text(rng, rng.randint(4000, 5000) if big else rng.randint(1000, 5000))
        lang = rng.choice(LANGS)
        title = f"{rng.choice(['Press conference', 'Rapport', 'Statement', '记者会', 'Interview', 'Bericht'])} no. {d}"
        url = f"https://example.org/docs/{d}"
        publisher = rng.choice((None, "Ministry of Foreign Affairs", "Le Monde", "新华社", "BBC"))
        author = rng.choice((None, "Staff", "J. Doe"))
        pub = f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        meta = {"genre": rng.choice(("press", "report", "transcript")), "bench": True}
        ann = rng.choice(ANNOTATORS)
        row(f_doc, did, DEFAULT_PROJECT, title, text, url, publisher, author, pub, lang, f"bench-{d}",
            dumps(meta), ts, ts, ann)
        j_docs.write(dumps({"type": "document", "id": did, "project_id": DEFAULT_PROJECT, "title": title,
                            "text": text, "sha256": hashlib.sha256(text.encode()).hexdigest(),
                            "length": len(text), "url": url, "publisher": publisher, "author": author,
                            "published_at": pub, "language": lang, "external_id": f"bench-{d}",
                            "metadata": meta, "annotator": ann, "created_at": ts, "updated_at": ts}) + "\n")
        counts["documents"] += 1
        if big:
            large_docs.append(did)
        doc_claims = []
        for _ in range(k):
            s, e = pick_span(rng, text, 25, 220)
            doc_claims.append(emit_claim(rng, ids, did, text, span_at(text, s, e), f_cla, j_docs, counts))
        for cid in doc_claims:
            emit_dependants(rng, ids, cid, text, doc_claims, all_claims, actor_ids, source_ids,
                            f_att, f_rel, f_cit, j_att, j_rel, j_cit, counts, counter)
        all_claims.extend(doc_claims)
        d += 1
    loose = [emit_claim(rng, ids, None, None, None, f_cla, j_docs, counts) for _ in range(N // 100)]
    for cid in loose:
        emit_dependants(rng, ids, cid, None, loose, all_claims, actor_ids, source_ids,
                        f_att, f_rel, f_cit, j_att, j_rel, j_cit, counts, counter)
    all_claims.extend(loose)

    # ---- sources
    for i, sid in enumerate(source_ids):
        ts = source_stamps[i]
        title = f"{rng.choice(['Annual report', 'Statement', 'Dataset', 'Law', 'Témoignage', '白皮书'])} {i}"
        kind = rng.choice(SOURCE_KINDS)
        url = f"https://example.org/sources/{i}" if rng.random() < 0.7 else None
        pub_actor = rng.choice(actor_ids) if rng.random() < 0.5 else None
        pub = f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.8 else None
        sdoc = rng.choice(doc_ids) if rng.random() < 0.1 else None
        ann = rng.choice(ANNOTATORS)
        row(f_src, sid, DEFAULT_PROJECT, title, kind, url, pub_actor, pub, sdoc, ts, ts, ann)
        j_src.write(dumps({"type": "source", "id": sid, "project_id": DEFAULT_PROJECT, "title": title,
                           "kind": kind, "url": url, "publisher_actor_id": pub_actor, "published_at": pub,
                           "document_id": sdoc, "annotator": ann, "created_at": ts, "updated_at": ts}) + "\n")
    counts["sources"] = n_sources

    for f in (f_act, f_doc, f_src, f_cla, f_att, f_rel, f_cit, j_head, j_docs, j_src, j_att, j_rel, j_cit):
        f.close()
    with open(os.path.join(out, "dataset.ndjson"), "wb") as dst:
        for p in range(6):
            part = os.path.join(out, f"part{p}.ndjson")
            with open(part, "rb") as src:
                while True:
                    buf = src.read(1 << 22)
                    if not buf:
                        break
                    dst.write(buf)
            os.unlink(part)

    def write_ids(name, items):
        with open(os.path.join(out, "ids", name), "w") as f:
            f.write("\n".join(items) + "\n")

    write_ids("claims.txt", all_claims)
    write_ids("large_documents.txt", large_docs)
    write_ids("counterclaims.txt", sorted(counter))
    counts["records"] = sum(counts.values())
    meta = {"claims_requested": args.claims, "seed": args.seed, "counts": counts,
            "large_documents": len(large_docs), "claims_with_counterclaims": len(counter),
            "ndjson_bytes": os.path.getsize(os.path.join(out, "dataset.ndjson")),
            "seconds": round(time.time() - t0, 1)}
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps(meta), file=sys.stderr)


def emit_claim(rng, ids, did, text, target, f_cla, j_docs, counts):
    cid = ids.next()
    ts = ids.stamp()
    exact = target["exact"] if target else None
    ctext = exact if target and rng.random() < 0.7 else " ".join(rng.choices(WORDS, k=rng.randint(5, 20)))
    kind = rng.choice(CLAIM_KINDS)
    tags = rng.sample(TAGS, rng.choice((0, 1, 1, 2, 2, 3)))
    note = rng.choice((None, None, None, "check the translation", "figure disputed", "à vérifier"))
    ann = rng.choice(ANNOTATORS)
    t = target or {}
    row(f_cla, cid, DEFAULT_PROJECT, did, t.get("start"), t.get("end"), exact, t.get("prefix"),
        t.get("suffix"), ctext, kind, pg_array(tags), note, ts, ts, ann)
    j_docs.write(dumps({"type": "claim", "id": cid, "project_id": DEFAULT_PROJECT, "document_id": did,
                        "target": target, "text": ctext, "kind": kind, "tags": tags, "note": note,
                        "annotator": ann, "created_at": ts, "updated_at": ts}) + "\n")
    counts["claims"] += 1
    return cid


def emit_dependants(rng, ids, cid, text, siblings, earlier, actor_ids, source_ids,
                    f_att, f_rel, f_cit, j_att, j_rel, j_cit, counts, counter):
    # attributions: 1-2, the second sometimes reported via the first
    first = None
    for a in range(1 if rng.random() < 0.6 else 2):
        aid = ids.next()
        ts = ids.stamp()
        actor = rng.choice(actor_ids)
        role, cue, mode = rng.choice(ROLES), rng.choice(CUES), rng.choice(MODES)
        cue_span = None
        if text is not None and rng.random() < 0.2:
            s, e = pick_span(rng, text, 3, 12)
            cue_span = span_at(text, s, e)
        via = first if a == 1 and rng.random() < 0.3 else None
        ann = rng.choice(ANNOTATORS)
        row(f_att, aid, DEFAULT_PROJECT, cid, actor, role, cue, mode, None,
            dumps(cue_span) if cue_span else None, via, ts, ts, ann)
        j_att.write(dumps({"type": "attribution", "id": aid, "project_id": DEFAULT_PROJECT, "claim_id": cid,
                           "actor_id": actor, "role": role, "cue": cue, "mode": mode, "source_span": None,
                           "cue_span": cue_span, "via_attribution_id": via, "annotator": ann,
                           "created_at": ts, "updated_at": ts}) + "\n")
        counts["attributions"] += 1
        first = first or aid
    # relations on ~30 % of claims, a third of them to a claim of another document
    if rng.random() < 0.3:
        if earlier and (rng.random() < 0.33 or len(siblings) < 2):
            to = rng.choice(earlier)
        else:
            to = rng.choice(siblings)
        if to != cid:
            rid = ids.next()
            ts = ids.stamp()
            kind = rng.choice(REL_KINDS)
            note = rng.choice((None, None, "explicit rebuttal", "implicit"))
            by = rng.choice(actor_ids) if rng.random() < 0.3 else None
            ann = rng.choice(ANNOTATORS)
            row(f_rel, rid, DEFAULT_PROJECT, cid, to, kind, note, by, ts, ts, ann)
            j_rel.write(dumps({"type": "relation", "id": rid, "project_id": DEFAULT_PROJECT, "from_claim_id": cid,
                               "to_claim_id": to, "kind": kind, "note": note, "asserted_by_actor_id": by,
                               "annotator": ann, "created_at": ts, "updated_at": ts}) + "\n")
            counts["relations"] += 1
            if kind in ("refutes", "disputes"):
                counter.add(cid)
                counter.add(to)
    # citations: 0-2
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        xid = ids.next()
        ts = ids.stamp()
        src = rng.choice(source_ids)
        locator = rng.choice((None, f"para. {rng.randint(1, 300)}", f"p. {rng.randint(1, 80)}"))
        ann = rng.choice(ANNOTATORS)
        row(f_cit, xid, DEFAULT_PROJECT, cid, src, locator, None, ts, ts, ann)
        j_cit.write(dumps({"type": "citation", "id": xid, "project_id": DEFAULT_PROJECT, "claim_id": cid,
                           "source_id": src, "locator": locator, "span": None, "annotator": ann,
                           "created_at": ts, "updated_at": ts}) + "\n")
        counts["citations"] += 1


if __name__ == "__main__":
    main()
