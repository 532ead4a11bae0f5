"""Datasets for the export/import tests, built as NDJSON lines in memory."""
import json
import uuid

DEFAULT_PROJECT = "00000000-0000-7000-8000-000000000001"


def uid():
    return str(uuid.uuid4())


def line(obj):
    return json.dumps(obj, ensure_ascii=False) + "\n"


TRICKY_TEXT = ('He said "no" \\ twice,\ttabbed;\r\nthen: 你好, 𝄞 music, e\u0301 combining, '
               'and a comma, "quoted", line\nbreaks. The end.')


def small_dataset():
    """A document with awkward characters, an actor, claims anchored three
    ways, a claim without a document, a via chain, a relation, a source and
    a citation. Returns (ids, lines)."""
    ids = {k: uid() for k in ("doc", "actor", "actor2", "c1", "c2", "c3", "c4", "a1", "a2", "a3", "rel", "src",
                              "cit")}
    lines = [
        line({"type": "header", "format": "claimdb-ndjson", "version": 1}),
        line({"type": "actor", "id": ids["actor"], "name": "Alice \"A\" Example", "kind": "person",
              "aliases": ["Al", "Ali\\ce"], "external_ids": {"wikidata": "Q1"}}),
        line({"type": "actor", "id": ids["actor2"], "name": "Newswire", "kind": "media"}),
        line({"type": "document", "id": ids["doc"], "title": "Tricky, \"text\"", "text": TRICKY_TEXT,
              "metadata": {"k": [1, "two"]}, "published_at": "2026-01-02", "language": "en",
              "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}),
        line({"type": "claim", "id": ids["c1"], "document_id": ids["doc"], "target": {"start": 0, "end": 12},
              "kind": "factual", "tags": ["topic/test", "x,y"], "note": "a \"note\"\nwith newline"}),
        line({"type": "claim", "id": ids["c2"], "document_id": ids["doc"], "target": {"exact": "你好"},
              "text": "Greets", "kind": "evaluative"}),
        line({"type": "claim", "id": ids["c3"], "document_id": ids["doc"],
              "target": {"exact": "𝄞 music", "prefix": "你好, "}}),
        line({"type": "claim", "id": ids["c4"], "text": "A proposition known only through reports",
              "kind": "predictive", "annotator": "tester"}),
        line({"type": "source", "id": ids["src"], "title": "The report", "kind": "report",
              "publisher_actor_id": ids["actor2"], "document_id": ids["doc"]}),
        line({"type": "attribution", "id": ids["a1"], "claim_id": ids["c1"], "actor_id": ids["actor2"],
              "mode": "direct_quote", "cue": "said", "cue_span": {"exact": "said"}}),
        line({"type": "attribution", "id": ids["a3"], "claim_id": ids["c4"], "actor_id": ids["actor2"],
              "mode": "indirect", "cue": "reported", "polarity": "positive", "said_at": "2026-01"}),
        # a report chain stays within one claim: the newswire (a3) reports that Alice said it
        line({"type": "attribution", "id": ids["a2"], "claim_id": ids["c4"], "actor_id": ids["actor"],
              "mode": "indirect", "via_attribution_id": ids["a3"], "role": "spokesperson",
              "factuality": "possible", "said_at": "2025-12-31"}),
        line({"type": "relation", "id": ids["rel"], "from_claim_id": ids["c2"], "to_claim_id": ids["c1"],
              "kind": "refutes", "asserted_by_actor_id": ids["actor"]}),
        line({"type": "citation", "id": ids["cit"], "claim_id": ids["c1"], "source_id": ids["src"],
              "locator": "para. 1", "span": {"start": 3, "end": 7}}),
    ]
    return ids, lines


def big_dataset(n_claims, n_docs=20):
    """n_docs documents of numbered sentences and n_claims claims on them,
    anchored by offsets, with an actor and an attribution per claim
    (generated lazily: a streaming body)."""
    actor = uid()
    yield line({"type": "header", "format": "claimdb-ndjson", "version": 1}).encode()
    yield line({"type": "actor", "id": actor, "name": "Bulk speaker", "kind": "person"}).encode()
    per_doc = -(-n_claims // n_docs)
    made = 0
    claim_ids = []
    for d in range(n_docs):
        count = min(per_doc, n_claims - made)
        if count <= 0:
            break
        sentences = [f"Sentence {i:06d} of document {d} says something. " for i in range(count)]
        text = "".join(sentences)
        doc = uid()
        yield line({"type": "document", "id": doc, "title": f"Bulk {d}", "text": text}).encode()
        pos = 0
        for s in sentences:
            c = uid()
            claim_ids.append(c)
            yield line({"type": "claim", "id": c, "document_id": doc,
                        "target": {"start": pos, "end": pos + len(s) - 1}, "tags": ["bulk"]}).encode()
            pos += len(s)
        made += count
    for c in claim_ids:
        yield line({"type": "attribution", "id": uid(), "claim_id": c, "actor_id": actor}).encode()
