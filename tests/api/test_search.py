"""GET /v1/search and q on the claim and document lists: full text in each
document's language (websearch syntax), word prefixes through trigrams, ranked
hits with highlighted snippets, code-point offsets of a document's matches."""
import re

import pytest
import requests

from conftest import assert_error, cli, make_token, pages, unique
from transfer_data import line, uid


def make_document(api, text, language=None, title=None):
    body = {"title": title or unique("doc"), "text": text}
    if language:
        body["language"] = language
    return api.create("/v1/documents", body)


def make_claim(api, doc, quote, text=None):
    body = {"document_id": doc["id"], "target": {"exact": quote}}
    if text:
        body["text"] = text
    return api.create("/v1/claims", body)


def search(api, **params):
    r = api.get("/v1/search", params=params)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def corpus(api):
    """Documents sharing a marker word, so that other tests' rows do not interfere."""
    marker = unique("zq").replace("-", "")
    en = make_document(api, f"{marker}: The ministry rejected the report. Detention may constitute crimes against"
                            f" humanity, the report found. Crimes were documented; humanity was not spared."
                            f" Spokesperson Wenbinski said the claims were lies.", language="en")
    fr = make_document(api, f"{marker} : Les autorités ont rejeté les accusations du rapport.", language="fr")
    plain = make_document(api, f"{marker} the ministry rejected nothing here.")
    claims = {
        "rejected": make_claim(api, en, "The ministry rejected the report."),
        "phrase": make_claim(api, en, "Detention may constitute crimes against humanity"),
        "scattered": make_claim(api, en, "Crimes were documented; humanity was not spared."),
        "name": make_claim(api, en, "Spokesperson Wenbinski said the claims were lies."),
        "fr": make_claim(api, fr, "Les autorités ont rejeté les accusations du rapport."),
        "plain": make_claim(api, plain, "the ministry rejected nothing here."),
    }
    return {"marker": marker, "en": en, "fr": fr, "plain": plain, "claims": claims}


def ids(items):
    return [i["id"] for i in items]


def test_a_stemmed_word_finds_its_forms_in_the_documents_language(api, corpus):
    c = corpus["claims"]
    hits = search(api, q="rejects", limit=1000)["items"]
    found = set(ids(hits))
    assert c["rejected"]["id"] in found          # English: rejects ~ rejected
    assert c["plain"]["id"] not in found         # no language: 'simple', no stemming
    assert c["fr"]["id"] in set(ids(search(api, q="rejetées", limit=1000)["items"]))  # French stemmer
    assert c["plain"]["id"] in set(ids(search(api, q="rejected", limit=1000)["items"]))
    hit = next(h for h in hits if h["id"] == c["rejected"]["id"])
    assert hit["type"] == "claim" and hit["document"] == {"id": corpus["en"]["id"], "title": corpus["en"]["title"]}
    assert "<mark>rejected</mark>" in hit["snippet"] and hit["exact"] == "The ministry rejected the report."
    ranks = [h["rank"] for h in hits]
    assert ranks == sorted(ranks, reverse=True)


def test_a_phrase_finds_only_the_phrase(api, corpus):
    c = corpus["claims"]
    words = set(ids(search(api, q="crimes against humanity", limit=1000)["items"]))
    phrase = search(api, q='"crimes against humanity"', limit=1000)["items"]
    assert c["phrase"]["id"] in set(ids(phrase)) and c["scattered"]["id"] not in set(ids(phrase))
    assert {c["phrase"]["id"], c["scattered"]["id"]} <= words
    assert all(re.search(r"crimes\W+against\W+humanity", h["text"], re.I) for h in phrase)


def test_a_phrase_does_not_reach_from_one_field_into_the_next(api):
    """A claim's text and quote, and a document's title and text, are one
    search vector, the second field's words numbered on after the first's
    (migration 0019b): a phrase made of the last word of one field and the
    first of the next is in neither, so it finds nothing; each field's own
    phrases, and the words, still match."""
    doc = make_document(api, "Quindle outright, said the ministry of wimblets.", title="Annual zorblax")
    claim = make_claim(api, doc, "Quindle outright", text="The ministry spoke of a grand zorblax")
    claim_ids = lambda q: ids(search(api, q=q, limit=1000)["items"])
    doc_ids = lambda q: ids(search(api, q=q, type="document", limit=1000)["items"])
    assert claim["id"] not in claim_ids('"zorblax quindle"')
    assert claim["id"] in claim_ids('"grand zorblax"') and claim["id"] in claim_ids('"quindle outright"')
    assert claim["id"] in claim_ids("zorblax quindle")
    assert doc["id"] not in doc_ids('"zorblax quindle"')
    assert doc["id"] in doc_ids('"annual zorblax"') and doc["id"] in doc_ids('"quindle outright"')
    assert doc["id"] in doc_ids("zorblax quindle")
    # split between the fields, the two words still rank above a word-prefix-only hit (at most 0.01)
    assert [h["rank"] for h in search(api, q="zorblax quindle")["items"] if h["id"] == claim["id"]][0] > 0.01


def test_or_and_minus(api, corpus):
    m, c = corpus["marker"], corpus["claims"]
    either = set(ids(search(api, q="spared or lies", limit=1000)["items"]))
    assert {c["scattered"]["id"], c["name"]["id"]} <= either
    without = set(ids(search(api, q="crimes -spared", limit=1000)["items"]))
    assert c["phrase"]["id"] in without and c["scattered"]["id"] not in without
    assert m  # the marker keeps these documents apart from others'


def test_a_word_prefix_finds_partial_words_and_names(api, corpus):
    c = corpus["claims"]
    hits = search(api, q="Wenbin", limit=1000)["items"]  # the text says Wenbinski
    assert c["name"]["id"] in set(ids(hits))
    assert c["name"]["id"] not in set(ids(search(api, q="enbinski", limit=1000)["items"]))  # not mid-word


def test_document_hits_carry_code_point_offsets(api, corpus):
    m = corpus["marker"]
    assert search(api, q=f"{m} humanity", type="document")["capped"] is False
    [hit] = [h for h in search(api, q=f"{m} humanity", type="document", limit=1000)["items"]
             if h["id"] == corpus["en"]["id"]]
    text = corpus["en"]["text"]
    assert hit["type"] == "document" and hit["title"] == corpus["en"]["title"] and hit["language"] == "en"
    assert hit["match_count"] == len(hit["matches"]) >= 3
    words = {text[x["start"]:x["end"]].lower() for x in hit["matches"]}
    assert words == {m.lower(), "humanity"}
    assert "<mark>" in hit["snippet"]


def test_offsets_count_code_points_not_bytes(api):
    doc = make_document(api, "Ünïcödé “quoted” — détente 🙂 detention happened; detention again.", language="en")
    [hit] = [h for h in search(api, q="detention", type="document", limit=1000)["items"] if h["id"] == doc["id"]]
    assert [doc["text"][x["start"]:x["end"]] for x in hit["matches"]] == ["detention", "detention"]


def test_lists_take_q(api, corpus):
    c = corpus["claims"]
    listed = ids(api.get("/v1/claims", params={"q": "rejects", "document_id": corpus["en"]["id"]}).json()["items"])
    assert listed == [c["rejected"]["id"]]
    docs = ids(api.get("/v1/documents", params={"q": f"{corpus['marker']} accusations", "limit": 1000}).json()["items"])
    assert docs == [corpus["fr"]["id"]]


def test_changing_a_documents_language_reindexes_its_claims(api):
    doc = make_document(api, "Officials denied the allegations outright.")
    claim = make_claim(api, doc, "Officials denied the allegations outright.")
    assert claim["id"] not in set(ids(search(api, q="denies allegation", limit=1000)["items"]))
    assert api.patch(f"/v1/documents/{doc['id']}", {"language": "en"}).status_code == 200
    assert claim["id"] in set(ids(search(api, q="denies allegation", limit=1000)["items"]))


def test_pages_follow_rank_then_id(api, corpus):
    q = "crimes OR rejected OR ministry OR lies OR rapport"
    whole = search(api, q=q, limit=1000)["items"]
    assert len(whole) >= 5
    seen, after = [], None
    while True:
        params = {"q": q, "limit": 2}
        if after:
            params["after"] = after
        page = search(api, **params)
        seen += ids(page["items"])
        after = page["next"]
        if not after:
            break
    assert seen == ids(whole)


def test_document_pages_follow_rank_then_id(api, corpus):
    q = f"{corpus['marker']} OR rejected OR rapport"
    whole = search(api, q=q, type="document", limit=1000)["items"]
    assert {corpus["en"]["id"], corpus["fr"]["id"], corpus["plain"]["id"]} <= set(ids(whole))
    keys = [(h["rank"], h["id"]) for h in whole]
    assert keys == sorted(keys, reverse=True)
    seen = [i for page in pages(api, "/v1/search", {"q": q, "type": "document", "limit": 1}) for i in ids(page["items"])]
    assert seen == ids(whole)


@pytest.fixture(scope="module")
def phrases(api):
    """Claims that hold a phrase's words side by side, and claims that hold
    the same words apart (or all of a 3-word phrase's pairs, but not the
    phrase), in English and French documents."""
    quotes = {
        "phrase": "Human rights of detainees were ignored.",
        "apart": "Every human has rights, they said.",
        "council": "The human rights council met.",
        "pairs": "The human rights body and the rights council met.",
        "detainees": "Detainees kept their rights of appeal.",
        "prison": "Prison conditions were harsh.",
        "torture": "Human rights and torture were discussed.",
        "hyphen": "A well-known fact.",
        "hyphen_apart": "Well, it was known.",
    }
    en = make_document(api, " ".join(quotes.values()), language="en")
    fr_quotes = {"fr": "Les droits humains sont universels.", "fr_apart": "Les humains ont des droits."}
    fr = make_document(api, " ".join(fr_quotes.values()), language="fr")
    claims = {k: make_claim(api, en, v) for k, v in quotes.items()}
    claims.update({k: make_claim(api, fr, v) for k, v in fr_quotes.items()})
    return claims


def found(api, phrases, q, **params):
    """Which of the phrases fixture's claims q finds, by key."""
    hit = set(ids(search(api, q=q, limit=1000, **params)["items"]))
    return {k for k, c in phrases.items() if c["id"] in hit}


def test_a_phrase_needs_its_words_side_by_side(api, phrases):
    """A phrase is narrowed by the pairs of adjacent words it needs
    (migration 0017), then checked against the words' positions: rows with
    the words apart, or with all of a phrase's pairs but not the phrase, are
    not hits; a stop word inside a phrase, OR, -word, a hyphenated word, a
    French document and word prefixes work as before."""
    assert "apart" in found(api, phrases, "human rights")
    assert found(api, phrases, '"human rights"') == {"phrase", "council", "pairs", "torture"}
    assert found(api, phrases, '"human rights council"') == {"council"}
    assert found(api, phrases, '"rights of detainees"') == {"phrase"}
    assert found(api, phrases, '"human rights council" or "prison conditions"') == {"council", "prison"}
    assert found(api, phrases, '"human rights" -torture') == {"phrase", "council", "pairs"}
    assert found(api, phrases, '"human rights" "prison conditions"') == set()
    assert found(api, phrases, "well-known") == {"hyphen"}
    assert found(api, phrases, '"droits humains"') == {"fr"}
    assert found(api, phrases, "droits humains") == {"fr", "fr_apart"}
    assert {"phrase", "detainees"} <= found(api, phrases, "detain")  # a word prefix


def test_a_phrases_pages_follow_rank_then_id(api, phrases):
    whole = search(api, q='"human rights"', limit=1000)["items"]
    seen = [i for page in pages(api, "/v1/search", {"q": '"human rights"', "limit": 1}) for i in ids(page["items"])]
    assert seen == ids(whole) and len(whole) >= 4


@pytest.mark.parametrize("query,pairs", [
    ("'human' <-> 'right' | 'human' <-> 'rights'", "'human right' | 'human rights'"),
    ("'a' <-> 'b' <-> 'c'", "'a b' & 'b c'"),
    ("'a' <-> ( 'b' <-> 'c' )", "'a b' & 'b c'"),
    ("'a' <-> 'b' & !'c'", "'a b'"),
    ("'x' <-> 'y' & ( 'a' <-> 'b' | 'c' <-> 'd' )", "'x y' & ( 'a b' | 'c d' )"),
    ("'x' <-> 'y' & ( 'a' <-> 'b' | 'c' )", "'x y'"),
    ("'x' <-> 'y' <2> 'z'", "'x y'"),
    (r"'it''s' <-> 'a\\b'", r"'it''s a\\b'"),
    # no condition: a stop word inside, a single word, AND of words, a negated
    # phrase, a prefix or weighted word, a phrase of other operands, an OR with
    # a side that has none
    ("'right' <2> 'detaine' | 'rights' <-> 'of' <-> 'detainees'", ""),
    ("'a'", ""),
    ("'a' & 'b'", ""),
    ("!( 'a' <-> 'b' )", ""),
    ("!'a' <-> 'b'", ""),
    ("'a':* <-> 'b'", ""),
    ("'a' <-> 'b':A", ""),
    ("( 'a' | 'b' ) <-> 'c'", ""),
])
def test_a_querys_pair_condition(cluster, query, pairs):
    """claimdb_tsquery_pairs: the pairs every vector matching the query holds
    (empty: none, NULL)."""
    sql = "SELECT coalesce(claimdb_tsquery_pairs(%s::tsquery)::text, '')" % ("'" + query.replace("'", "''") + "'")
    assert cluster.psql(sql) == pairs


@pytest.mark.parametrize("q", ['"human rights"', "detention -torture", "the", "droits humains", ""])
def test_a_query_states_each_of_its_forms_once(server, cluster, q):
    """claimdb_tsquery ORs the query as each configuration in use parses it,
    each distinct form once, in a fixed order (migration 0019): every row a
    search checks or ranks evaluates each alternative, and most words parse
    alike in several languages. A form no configuration keeps (a stop word in
    all of them) is left out."""
    lit = "'" + q.replace("'", "''") + "'"
    forms = set(cluster.psql(f"SELECT websearch_to_tsquery(config, {lit})::text FROM search_configs").splitlines())
    forms.discard("")
    parsed = cluster.psql(f"SELECT claimdb_tsquery({lit})::text")
    alternatives = parsed.split(" | ") if parsed else []
    assert alternatives == sorted(forms), (parsed, forms)
    if q == '"human rights"':
        assert parsed == "'human' <-> 'right' | 'human' <-> 'rights'"


def test_every_claim_holds_the_pairs_of_its_phrases(cluster, api, phrases, corpus):
    """No claim matches a query without holding the query's pairs (the pair
    condition removes no hit), and every way a claim's vector is written (a new
    claim, an edit, its document's language changed) keeps its pairs."""
    doc = make_document(api, "Nothing here about rights of anyone.")
    edited = make_claim(api, doc, "Nothing here")
    assert api.patch(f"/v1/claims/{edited['id']}", {"text": "human rights defenders"}).status_code == 200
    assert api.patch(f"/v1/documents/{doc['id']}", {"language": "en"}).status_code == 200
    assert cluster.psql("SELECT count(*) FROM claims WHERE search IS DISTINCT FROM "
                        "claimdb_claim_search(search_config, text, exact)") == "0"
    queries = ['"human rights"', '"human rights council"', '"rights of detainees" or "prison conditions"',
               '"human rights" -torture', "well-known", '"droits humains"', '"crimes against humanity"',
               '"the ministry rejected"', '"human rights defenders"']
    for q in queries:
        lit = "'" + q.replace("'", "''") + "'"
        assert cluster.psql(f"SELECT count(*) FROM claims WHERE search @@ claimdb_tsquery({lit})"
                            f" AND NOT coalesce(search @@ claimdb_tsquery_pairs(claimdb_tsquery({lit})), true)") == "0", q
    assert cluster.psql("SELECT count(*) FROM claims WHERE search @@ "
                        "claimdb_tsquery_pairs(claimdb_tsquery('\"human rights defenders\"'))") == "1"


@pytest.mark.parametrize("params,code,field", [
    ({}, "missing_parameter", "q"),
    ({"q": "  "}, "invalid_value", "q"),
    ({"q": "x", "type": "actor"}, "invalid_enum", "type"),
    ({"q": "x", "project_id": "nope"}, "invalid_uuid", "project_id"),
    ({"q": "x", "after": "bogus"}, "invalid_cursor", "after"),
    ({"q": "x", "limit": "0"}, "invalid_limit", "limit"),
    ({"q": "x", "sort": "rank"}, "unknown_parameter", "sort"),
])
def test_bad_requests_are_400_naming_the_field(api, params, code, field):
    assert_error(api.get("/v1/search", params=params), 400, code, field)


@pytest.mark.parametrize("q", ["the", "a", "!!", "\"", "-", "or", "((", "'", "\\", "%_", "a:*", "x & y | !z <-> w"])
def test_odd_queries_answer_200(api, q):
    r = api.get("/v1/search", params={"q": q})
    assert r.status_code == 200, (q, r.text)
    assert isinstance(r.json()["items"], list)
    r = api.get("/v1/search", params={"q": q, "type": "document"})
    assert r.status_code == 200, (q, r.text)


def test_search_uses_its_indexes_under_row_level_security(server, cluster):
    """With row-level security on, PostgreSQL lets a condition drive an index
    scan only when its functions are leakproof (scripts/leakproof.sql, applied
    by scripts/pg.sh): the full-text and word-prefix conditions of a search
    must still use their GIN indexes, as claimdb's own role with a scope, not
    fall back to reading every claim. enable_seqscan=off makes the planner take
    an index whenever it may, so the plan shows whether it may."""
    import subprocess
    sql = """
BEGIN;
SET LOCAL enable_seqscan = off;
SELECT set_config('claimdb.read', '{00000000-0000-7000-8000-000000000001}', true);
EXPLAIN SELECT c.id FROM claims c WHERE c.search @@ claimdb_tsquery('"human rights"');
EXPLAIN SELECT c.id FROM claims c WHERE c.search @@ claimdb_tsquery_pairs(claimdb_tsquery('"human rights"'));
EXPLAIN SELECT c.id FROM claims c WHERE (c.text || CASE WHEN c.exact IS NULL THEN '' ELSE ' ' || c.exact END)
  ~* claimdb_prefix_regex('detain');
EXPLAIN SELECT d.id FROM documents d WHERE d.search @@ claimdb_tsquery('report') OR d.title ~* claimdb_prefix_regex('repo');
ROLLBACK;
"""
    out = subprocess.run(["psql", cluster.url, "-X", "-At", "-v", "ON_ERROR_STOP=1"], input=sql,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    plans = out.stdout
    assert "claims_search" in plans and "claims_words_trgm" in plans, plans
    assert "documents_search" in plans and "documents_title_trgm" in plans, plans
    assert "Seq Scan on claims" not in plans and "Seq Scan on documents" not in plans, plans
    assert plans.count("Bitmap Index Scan on claims_search") == 2, plans  # the phrase and its pairs
    # and the role is not one that row-level security leaves alone
    role = subprocess.run(["psql", cluster.url, "-XAtc", "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"],
                          capture_output=True, text=True).stdout.strip()
    assert role == "f", role


def test_a_common_word_ranks_its_newest_1000_matches_page_by_page(server, cluster, api):
    """A word in more claims than the candidate window (SEARCH_CANDIDATES in
    ep_search.c): the hits are the best-ranked of its 1,000 newest matches (by
    id), ordered by rank then id, the same whole or page by page; the project
    filter and row-level security apply as to every read."""
    url = cluster.url
    slug = unique("window")
    project_id = cli(url, "project", "add", slug, "--owner", "tester")
    word = unique("zw").replace("-", "")
    claims = [uid() for _ in range(1050)]
    body = line({"type": "header", "format": "claimdb-ndjson", "version": 1}) + "".join(
        # every seventh claim says the word twice: a higher rank
        line({"type": "claim", "id": cid, "project_id": project_id,
              "text": f"{word} was said" + (f" and {word} repeated" if i % 7 == 0 else "")})
        for i, cid in enumerate(claims))
    r = requests.post(server.base + "/v1/import", data=body.encode(), timeout=300, headers=server.auth)
    assert r.status_code in (200, 201), r.text
    newest = set(sorted(claims, reverse=True)[:1000])

    whole = search(api, q=word, project_id=project_id, limit=1000)
    assert whole["next"] is None and set(ids(whole["items"])) == newest
    # the reply says that older matches were left out, on every page
    assert whole["capped"] is True and whole["candidates"] == 1000
    assert search(api, q=word, project_id=project_id, limit=5)["capped"] is True
    keys = [(h["rank"], h["id"]) for h in whole["items"]]
    assert keys == sorted(keys, reverse=True) and keys[0][0] > keys[-1][0]
    seen = [i for page in pages(api, "/v1/search", {"q": word, "project_id": project_id, "limit": 300})
            for i in ids(page["items"])]
    assert seen == ids(whole["items"])
    # a rarer query of the same claims: all its matches (fewer than the window), from the indexes
    twice = search(api, q=f'"{word} repeated"', project_id=project_id, limit=1000)
    assert set(ids(twice["items"])) == {cid for i, cid in enumerate(claims) if i % 7 == 0}
    assert twice["capped"] is False and "candidates" not in twice
    # another project's filter, and a reader of another project only, see none of them
    assert search(api, q=word, project_id="00000000-0000-7000-8000-000000000001")["items"] == []
    other = unique("elsewhere")
    cli(url, "project", "add", other, "--owner", "tester")
    token = make_token(url, unique("outsider"), other, "annotator")
    r = requests.get(server.base + "/v1/search", params={"q": word}, headers={"Authorization": "Bearer " + token})
    assert r.status_code == 200 and r.json()["items"] == [], r.text


def test_a_member_without_project_id_gets_the_same_newest_matches(server, cluster, api):
    """A caller who is no server admin, searching without project_id, has each
    project it reads walked on its own (the newest SEARCH_WALK rows of each):
    the candidates must be the newest matches of all its projects, as an
    admin's search or a project_id gives them. Here project `big` holds one
    match and then more than SEARCH_WALK newer claims that do not match: its
    window stops above the oldest of the small project's 1,000 newest
    matches, so the walk alone would miss that match and the indexes' branch
    must answer instead."""
    url = cluster.url
    small, big = unique("walk-small"), unique("walk-big")
    small_id = cli(url, "project", "add", small, "--owner", "tester")
    big_id = cli(url, "project", "add", big, "--owner", "tester")
    word, every10 = unique("zw").replace("-", ""), unique("zv").replace("-", "")
    ids_sorted = sorted(uid() for _ in range(1100 + 1 + 10001))  # ids order the claims (newest = greatest)
    in_small, lone, fillers = ids_sorted[:1100], ids_sorted[1100], ids_sorted[1101:]
    claims = ([(cid, small_id, f"{word} said" + (f" and {word} repeated" if i % 7 == 0 else ""))
               for i, cid in enumerate(in_small)]
              + [(lone, big_id, f"{word} said once in the big project")]
              + [(cid, big_id, f"{every10} filler" if i % 10 == 0 else "filler")
                 for i, cid in enumerate(fillers)])
    body = line({"type": "header", "format": "claimdb-ndjson", "version": 1}) + "".join(
        line({"type": "claim", "id": cid, "project_id": pid, "text": text}) for cid, pid, text in claims)
    r = requests.post(server.base + "/v1/import", data=body.encode(), timeout=300, headers=server.auth)
    assert r.status_code in (200, 201), r.text
    one = make_token(url, unique("walker"), small, "annotator")
    reader = unique("walker")
    make_token(url, reader, small, "annotator")
    both = make_token(url, reader, big, "annotator")

    def as_member(token, **params):
        r = requests.get(server.base + "/v1/search", params=dict(params, limit=1000),
                         headers={"Authorization": "Bearer " + token})
        assert r.status_code == 200, r.text
        return r.json()

    def hits(reply):
        return [(h["id"], h["rank"]) for h in reply["items"]]

    # two projects, the big one's window cut above the cutoff: the lone match is among the newest
    found = as_member(both, q=word)
    assert set(ids(found["items"])) == {lone} | set(in_small[-999:]) and found["capped"] is True
    assert hits(found) == hits(search(api, q=word, limit=1000))
    # two projects, every match inside the big one's window: the walk's own answer
    tenth = as_member(both, q=every10)
    assert set(ids(tenth["items"])) == set(fillers[::10][-1000:]) and tenth["capped"] is True
    assert hits(tenth) == hits(search(api, q=every10, limit=1000))
    assert hits(tenth) == hits(search(api, q=every10, project_id=big_id, limit=1000))
    # one project, its whole window walked: its newest 1,000 matches
    alone = as_member(one, q=word)
    assert set(ids(alone["items"])) == set(in_small[-1000:]) and alone["capped"] is True
    assert hits(alone) == hits(search(api, q=word, project_id=small_id, limit=1000))
    # a phrase (fewer matches than the window) and its pages, as for a project_id
    phrase = as_member(both, q=f'"{word} repeated"')
    assert hits(phrase) == hits(search(api, q=f'"{word} repeated"', project_id=small_id, limit=1000))
    assert phrase["capped"] is False and len(phrase["items"]) == len(in_small[::7])
