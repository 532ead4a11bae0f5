"""Anchoring claims (and attribution spans) in texts with CJK characters, characters
outside the Basic Multilingual Plane and combining marks: offsets are Unicode code
points of the stored text (Python str indices), never UTF-16 units or bytes, and the
text is never normalised."""
import json

import pytest

from conftest import assert_error, unique

# 😀 and 𝄞 are outside the BMP (two UTF-16 units, four UTF-8 bytes); "cafe\u0301" is
# decomposed (e + COMBINING ACUTE ACCENT) while "café" is precomposed (U+00E9).
TEXT = ("外交部發言人馬朝旭說：「這份報告毫無可信度。」😀😀 "
        "The cafe\u0301 owner disagreed; the café next door agreed. 𝄞 music. "
        "記者問馬朝旭是否屬實。")


@pytest.fixture(scope="module")
def doc(api):
    d = api.create("/v1/documents", {"title": unique("unicode"), "text": TEXT, "language": "zh"})
    assert d["length"] == len(TEXT)
    return d


def claim(api, doc, target, **extra):
    return api.post("/v1/claims", {"document_id": doc["id"], "target": target, **extra})


def expected_span(start, end):
    return {"start": start, "end": end, "exact": TEXT[start:end], "prefix": TEXT[max(0, start - 32):start],
            "suffix": TEXT[end:end + 32]}


def test_by_offsets_after_astral_characters(api, doc):
    start = TEXT.index("The cafe")
    r = claim(api, doc, {"start": start, "end": start + 9})
    assert r.status_code == 201, r.text
    assert r.json()["target"] == expected_span(start, start + 9)
    assert r.json()["target"]["exact"] == "The cafe\u0301"
    # The prefix counts 😀 as one code point each: 32 code points back, not 32 UTF-16 units.
    assert r.json()["target"]["prefix"].endswith("😀😀 ")


def test_by_quote_cjk(api, doc):
    r = claim(api, doc, {"exact": "毫無可信度"})
    assert r.status_code == 201, r.text
    start = TEXT.index("毫無可信度")
    assert r.json()["target"] == expected_span(start, start + 5)
    assert r.json()["text"] == "毫無可信度"


def test_both_forms_agree(api, doc):
    start = TEXT.index("𝄞")
    r = claim(api, doc, {"start": start, "end": start + 7, "exact": "𝄞 music"})
    assert r.status_code == 201, r.text
    assert r.json()["target"] == expected_span(start, start + 7)


def test_astral_character_is_one_code_point(api, doc):
    start = TEXT.index("😀")
    target = claim(api, doc, {"start": start, "end": start + 1}).json()["target"]
    assert target["exact"] == "😀" and target["suffix"].startswith("😀 The")
    # The offsets are a hint: the quote is found where it does occur, nearest to them.
    moved = claim(api, doc, {"start": start + 5, "end": start + 6, "exact": "😀😀"}).json()["target"]
    assert (moved["start"], moved["end"]) == (start, start + 2)
    assert_error(claim(api, doc, {"start": start, "end": start + 1, "exact": "😀😀😀"}), 422, "exact_mismatch",
                 "target")


def test_combining_marks_are_not_normalised(api, doc):
    decomposed = claim(api, doc, {"exact": "cafe\u0301"}).json()["target"]
    assert decomposed["start"] == TEXT.index("cafe\u0301") and decomposed["end"] == decomposed["start"] + 5
    precomposed = claim(api, doc, {"exact": "café"}).json()["target"]
    assert precomposed["start"] == TEXT.index("café") and precomposed["end"] == precomposed["start"] + 4
    assert precomposed["start"] != decomposed["start"]
    # Ending between a letter and its combining mark cuts a grapheme cluster: refused with the
    # nearest boundaries, unless the client opts in (offsets are still code points).
    start = TEXT.index("cafe\u0301")
    err = assert_error(claim(api, doc, {"start": start, "end": start + 4}), 422, "splits_grapheme", "target")
    assert err["boundaries"]["end"] == {"before": start + 3, "after": start + 5}
    assert err["boundaries"]["start"] == {"before": start, "after": start}
    cut = claim(api, doc, {"start": start, "end": start + 4, "allow_grapheme_split": True}).json()["target"]
    assert cut["exact"] == "cafe" and cut["suffix"].startswith("\u0301 owner")
    assert "allow_grapheme_split" not in cut
    # "cafe" alone occurs once (the decomposed one); "caf" twice.
    err = assert_error(claim(api, doc, {"exact": "caf"}), 422, "ambiguous_quote", "target")
    assert sorted(c["start"] for c in err["candidates"]) == [TEXT.index("cafe\u0301"), TEXT.index("café")]


def test_mismatch(api, doc):
    start = TEXT.index("馬朝旭")
    assert_error(claim(api, doc, {"start": start, "end": start + 3, "exact": "马朝旭"}), 422, "exact_mismatch",
                 "target")


def test_out_of_range(api, doc):
    n = len(TEXT)
    assert claim(api, doc, {"start": n - 1, "end": n}).json()["target"]["exact"] == "。"
    # Past the code-point length though well within the UTF-8 byte length.
    assert len(TEXT.encode()) > n + 10
    assert_error(claim(api, doc, {"start": n - 1, "end": n + 1}), 422, "span_out_of_range", "target")
    assert_error(claim(api, doc, {"start": n + 5, "end": n + 10}), 422, "span_out_of_range", "target")
    assert_error(claim(api, doc, {"start": -1, "end": 2}), 422, "span_out_of_range", "target")


def test_empty_spans(api, doc):
    assert_error(claim(api, doc, {"start": 5, "end": 5}), 422, "empty_span", "target")
    assert_error(claim(api, doc, {"start": 6, "end": 5}), 422, "empty_span", "target")
    assert_error(claim(api, doc, {"exact": ""}), 422, "empty_span", "target")


def test_ambiguous_lists_candidates_and_context_decides(api, doc):
    first, second = TEXT.index("馬朝旭"), TEXT.rindex("馬朝旭")
    err = assert_error(claim(api, doc, {"exact": "馬朝旭"}), 422, "ambiguous_quote", "target")
    assert err["occurrences"] == 2
    assert [(c["start"], c["end"]) for c in err["candidates"]] == [(first, first + 3), (second, second + 3)]
    assert err["candidates"][1]["prefix"].endswith("記者問")
    by_prefix = claim(api, doc, {"exact": "馬朝旭", "prefix": "記者問"}).json()["target"]
    assert by_prefix == expected_span(second, second + 3)
    by_suffix = claim(api, doc, {"exact": "馬朝旭", "suffix": "說："}).json()["target"]
    assert by_suffix == expected_span(first, first + 3)
    by_offsets = claim(api, doc, {"exact": "馬朝旭", "start": second, "end": second + 3}).json()["target"]
    assert by_offsets["start"] == second


def test_not_found(api, doc):
    err = assert_error(claim(api, doc, {"exact": "習近平"}), 422, "quote_not_found", "target")
    assert err["candidates"] == [] and "prefix" not in err["message"]
    # The quote occurs, but not with that context: the error shows where it does occur.
    err = assert_error(claim(api, doc, {"exact": "馬朝旭", "prefix": "總理"}), 422, "quote_not_found", "target")
    assert err["occurrences"] == 2 and len(err["candidates"]) == 2
    assert all(c["differs"] == ["prefix"] and c["exact"] == "馬朝旭" for c in err["candidates"])
    assert "prefix/suffix" in err["message"]


def test_attribution_spans_in_cjk(api, doc):
    actor = api.create("/v1/actors", {"name": "馬朝旭 " + unique(), "kind": "person"})
    c = claim(api, doc, {"exact": "這份報告毫無可信度"}, attributions=[{
        "actor_id": actor["id"], "cue": "說", "mode": "direct_quote",
        "source_span": {"exact": "馬朝旭", "suffix": "說"}, "cue_span": {"exact": "說"}}]).json()
    [att] = c["attributions"]
    first = TEXT.index("馬朝旭")
    assert att["source_span"] == expected_span(first, first + 3)
    assert att["cue_span"] == expected_span(TEXT.index("說"), TEXT.index("說") + 1)


# Tolerant anchoring: a quote typed or pasted from a screen.
NEWS = ("China\u2019s mission said the report was \u201ca patchwork of lies\u201d \u2014 and\u00a0the\n"
        "ministry agreed. Critics called it \u201cA PATCHWORK OF LIES\u201d too.")


@pytest.fixture(scope="module")
def news(api):
    return api.create("/v1/documents", {"title": unique("news"), "text": NEWS, "language": "en"})


def test_normalized_candidates_then_accept(api, news):
    typed = 'China\'s mission said the report was "a patchwork of lies" - and the ministry'
    err = assert_error(claim(api, news, {"exact": typed}), 422, "quote_not_found", "target")
    [cand] = err["candidates"]
    start = NEWS.index("China")
    end = NEWS.index(" agreed")
    assert (cand["start"], cand["end"]) == (start, end)
    assert cand["exact"] == NEWS[start:end]
    assert cand["differs"] == ["quotes", "dashes", "whitespace"]
    assert "match" in err["message"] and "prefix" not in err["message"]
    r = claim(api, news, {"exact": typed, "match": "normalized"})
    assert r.status_code == 201, r.text
    # The document's exact text is stored, never the client's.
    assert r.json()["target"] == {"start": start, "end": end, "exact": NEWS[start:end], "prefix": "",
                                  "suffix": NEWS[end:end + 32]}
    assert r.json()["text"] == NEWS[start:end]


def test_normalized_ambiguous_and_by_context(api, news):
    quote = '"a patchwork of lies"'
    err = assert_error(claim(api, news, {"exact": quote}), 422, "quote_not_found", "target")
    assert [c["differs"] for c in err["candidates"]] == [["quotes"], ["case", "quotes"]]
    err = assert_error(claim(api, news, {"exact": quote, "match": "normalized"}), 422, "ambiguous_quote", "target")
    assert err["occurrences"] == 2
    r = claim(api, news, {"exact": quote, "match": "normalized", "suffix": " too"})
    assert r.status_code == 201, r.text
    assert r.json()["target"]["exact"] == "\u201cA PATCHWORK OF LIES\u201d"
    # A position hint picks the nearest when normalization is accepted.
    second = NEWS.index("\u201cA PATCH")
    r = claim(api, news, {"exact": quote, "match": "normalized", "start": second - 3, "end": second + 18})
    assert r.status_code == 201, r.text
    assert r.json()["target"]["start"] == second
    assert_error(claim(api, news, {"exact": quote, "match": "fuzzy"}), 400, "invalid_enum", "target.match")


def test_import_reports_candidates(api, news):
    line = {"type": "claim", "id": "018f0000-0000-7000-8000-00000000c0de", "document_id": news["id"],
            "target": {"exact": '"a patchwork of lies" - and'}, "text": "x", "kind": "factual", "tags": []}
    body = json.dumps(line) + "\n"
    err = assert_error(api.post("/v1/import?dry_run=true", data=body.encode()), 422, "invalid_lines")
    [e] = [e for e in err["lines"] if e.get("field") == "target"]
    assert e["code"] == "quote_not_found"
    assert e["candidates"][0]["exact"] == NEWS[NEWS.index("\u201ca patch"):NEWS.index("\u00a0the")]
    assert e["candidates"][0]["differs"] == ["quotes", "dashes"]
