#include "anchor.h"

#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ------------------------------------------------------------ normalization */

/* What normalize() folds. Each is one way a quote typed or pasted from a
 * screen differs from the stored text; turning one off at a time tells which
 * of them a candidate needed (the "differs" of an error). */
enum {
    NORM_DECOMPOSE = 1 << 0, /* canonical decomposition + reordering: NFD, so NFC-equal texts compare equal */
    NORM_CASE = 1 << 1,      /* Unicode case folding */
    NORM_QUOTES = 1 << 2,
    NORM_DASHES = 1 << 3,
    NORM_SPACE = 1 << 4, /* a run of white space is one space */
    NORM_ALL = 31,
};

/* One code point of a normalized text and the bytes of the original it came
 * from ([from, to): a decomposed character gives several units with the
 * same origin, a run of white space one unit with a wider one). */
struct unit {
    int32_t cp;
    uint32_t from, to;
};

struct norm {
    struct unit *u;
    size_t n, cap;
};

static void push(struct norm *nm, int32_t cp, size_t from, size_t to)
{
    if (nm->n == nm->cap) {
        nm->cap = nm->cap ? nm->cap * 2 : 64;
        nm->u = realloc(nm->u, nm->cap * sizeof *nm->u);
        if (!nm->u)
            abort();
    }
    nm->u[nm->n++] = (struct unit){cp, (uint32_t)from, (uint32_t)to};
}

static bool is_space(int32_t cp)
{
    return cp == '\t' || cp == '\n' || cp == '\v' || cp == '\f' || cp == '\r' || cp == 0x85 || cp == 0x2028
           || cp == 0x2029 || utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

static int32_t fold_punctuation(int32_t cp, unsigned flags)
{
    if (flags & NORM_QUOTES) {
        switch (cp) {
        case 0x2018:
        case 0x2019:
        case 0x201A:
        case 0x201B:
        case 0x2032:
        case 0x0060:
        case 0x00B4:
        case 0x02BC:
        case 0xFF07: return '\'';
        case 0x201C:
        case 0x201D:
        case 0x201E:
        case 0x201F:
        case 0x2033:
        case 0x00AB:
        case 0x00BB:
        case 0xFF02: return '"';
        default: break;
        }
    }
    if (flags & NORM_DASHES) {
        if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE58 || cp == 0xFE63 || cp == 0xFF0D)
            return '-';
    }
    return cp;
}

/* Normalizes s[0..n) (valid UTF-8) with `flags`; offsets are relative to
 * base (the byte offset of s in the document). */
static void normalize(const char *s, size_t n, size_t base, unsigned flags, struct norm *out)
{
    out->n = 0;
    size_t i = 0;
    bool in_space = false;
    utf8proc_option_t options =
        (flags & NORM_DECOMPOSE ? UTF8PROC_DECOMPOSE : 0) | (flags & NORM_CASE ? UTF8PROC_CASEFOLD : 0);
    while (i < n) {
        int32_t cp;
        utf8proc_ssize_t step =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (step <= 0) /* not reached with valid UTF-8; skip a byte rather than loop */
            step = 1, cp = 0xFFFD;
        size_t from = base + i, to = base + i + (size_t)step;
        i += (size_t)step;
        if ((flags & NORM_SPACE) && is_space(cp)) {
            if (in_space)
                out->u[out->n - 1].to = (uint32_t)to;
            else
                push(out, ' ', from, to);
            in_space = true;
            continue;
        }
        in_space = false;
        int32_t buf[32];
        int boundclass = 0;
        utf8proc_ssize_t k = options ? utf8proc_decompose_char(cp, buf, 32, options, &boundclass) : 0;
        if (k <= 0 || k > 32) {
            buf[0] = cp;
            k = 1;
        }
        for (utf8proc_ssize_t j = 0; j < k; j++)
            push(out, fold_punctuation(buf[j], flags), from, to);
    }
    if (!(flags & NORM_DECOMPOSE))
        return;
    /* Canonical ordering: marks of a run sorted (stably) by combining class. */
    for (size_t a = 1; a < out->n; a++) {
        struct unit x = out->u[a];
        int cc = utf8proc_get_property(x.cp)->combining_class;
        if (cc == 0)
            continue;
        size_t b = a;
        while (b > 0) {
            int prev = utf8proc_get_property(out->u[b - 1].cp)->combining_class;
            if (prev == 0 || prev <= cc)
                break;
            out->u[b] = out->u[b - 1];
            b--;
        }
        out->u[b] = x;
    }
}

static bool units_equal(const struct unit *a, const struct unit *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].cp != b[i].cp)
            return false;
    return true;
}

/* Whether two strings are equal under `flags`, ignoring white space at the
 * ends when spaces are folded (a quote pasted with a trailing newline). */
static bool equal_under(const char *a, size_t an, const char *b, size_t bn, unsigned flags)
{
    struct norm x = {0}, y = {0};
    normalize(a, an, 0, flags, &x);
    normalize(b, bn, 0, flags, &y);
    size_t xs = 0, xe = x.n, ys = 0, ye = y.n;
    if (flags & NORM_SPACE) {
        while (xs < xe && x.u[xs].cp == ' ')
            xs++;
        while (xe > xs && x.u[xe - 1].cp == ' ')
            xe--;
        while (ys < ye && y.u[ys].cp == ' ')
            ys++;
        while (ye > ys && y.u[ye - 1].cp == ' ')
            ye--;
    }
    bool eq = xe - xs == ye - ys && units_equal(x.u + xs, y.u + ys, xe - xs);
    free(x.u);
    free(y.u);
    return eq;
}

/* Which of the foldings the document's text needed to equal the quote: the
 * ones without which they no longer compare equal. */
static unsigned differences(const char *doc, size_t dn, const char *quote, size_t qn)
{
    static const struct {
        unsigned norm, diff;
    } kinds[] = {
        {NORM_DECOMPOSE, ANCHOR_DIFF_COMPOSITION}, {NORM_CASE, ANCHOR_DIFF_CASE},
        {NORM_QUOTES, ANCHOR_DIFF_QUOTES},         {NORM_DASHES, ANCHOR_DIFF_DASHES},
        {NORM_SPACE, ANCHOR_DIFF_WHITESPACE},
    };
    if (dn == qn && memcmp(doc, quote, dn) == 0)
        return 0;
    unsigned d = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (!equal_under(doc, dn, quote, qn, NORM_ALL & ~kinds[i].norm))
            d |= kinds[i].diff;
    return d;
}

/* ------------------------------------------------------------ candidates */

struct cand {
    size_t bs, be; /* bytes of the match */
    unsigned differs;
    bool context_ok;
};

struct cands {
    struct cand *c;
    size_t n, cap;
};

static void cand_add(struct cands *cs, size_t bs, size_t be, unsigned differs, bool context_ok)
{
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? cs->cap * 2 : 16;
        cs->c = realloc(cs->c, cs->cap * sizeof *cs->c);
        if (!cs->c)
            abort();
    }
    cs->c[cs->n++] = (struct cand){bs, be, differs, context_ok};
}

static bool context_matches(const char *text, size_t len, size_t bs, size_t be,
                            const struct anchor_request *req)
{
    if (req->prefix_len > 0
        && (req->prefix_len > bs || memcmp(text + bs - req->prefix_len, req->prefix, req->prefix_len) != 0))
        return false;
    if (req->suffix_len > 0
        && (be + req->suffix_len > len || memcmp(text + be, req->suffix, req->suffix_len) != 0))
        return false;
    return true;
}

/* Every byte-exact occurrence of the quote, overlapping ones included,
 * with whether the context matches. */
static void exact_matches(const char *text, size_t len, const struct anchor_request *req, struct cands *out)
{
    const char *p = text;
    while ((size_t)(p - text) + req->exact_len <= len) {
        const char *hit = memmem(p, len - (size_t)(p - text), req->exact, req->exact_len);
        if (!hit)
            break;
        size_t bs = (size_t)(hit - text), be = bs + req->exact_len;
        bool ok = context_matches(text, len, bs, be, req);
        cand_add(out, bs, be, 0, ok);
        p = hit + 1;
    }
}

/* Units [s, e) of nm without white space at either end. */
static void trim_spaces(const struct norm *nm, size_t *s, size_t *e)
{
    *s = 0;
    *e = nm->n;
    while (*s < *e && nm->u[*s].cp == ' ')
        (*s)++;
    while (*e > *s && nm->u[*e - 1].cp == ' ')
        (*e)--;
}

/* Every match of the quote under full normalization, each starting and
 * ending on whole characters of the document, with how it differs from the
 * request and whether the context matches (also under normalization). */
static void normalized_matches(const char *text, size_t len, const struct anchor_request *req,
                               struct cands *out)
{
    if (len >= UINT32_MAX / 2) /* units keep 32-bit offsets; such a text is far past any body limit */
        return;
    struct norm t = {0}, q = {0}, pre = {0}, suf = {0};
    normalize(text, len, 0, NORM_ALL, &t);
    normalize(req->exact, req->exact_len, 0, NORM_ALL, &q);
    if (req->prefix_len)
        normalize(req->prefix, req->prefix_len, 0, NORM_ALL, &pre);
    if (req->suffix_len)
        normalize(req->suffix, req->suffix_len, 0, NORM_ALL, &suf);
    size_t qs, qe;
    trim_spaces(&q, &qs, &qe);
    size_t m = qe - qs;
    for (size_t i = 0; m > 0 && i + m <= t.n; i++) {
        if (t.u[i].cp != q.u[qs].cp || !units_equal(t.u + i, q.u + qs, m))
            continue;
        size_t j = i + m;
        /* Not from the middle of a decomposed character or a space run. */
        if ((i > 0 && t.u[i - 1].from == t.u[i].from) || (j < t.n && t.u[j].from == t.u[j - 1].from))
            continue;
        /* Nor leaving out combining marks: "cafe" is not canonically "cafe\u0301". */
        if (utf8proc_get_property(t.u[i].cp)->combining_class != 0
            || (j < t.n && utf8proc_get_property(t.u[j].cp)->combining_class != 0))
            continue;
        size_t bs = t.u[i].from, be = t.u[i].to;
        for (size_t k = i; k < j; k++) {
            bs = t.u[k].from < bs ? t.u[k].from : bs;
            be = t.u[k].to > be ? t.u[k].to : be;
        }
        unsigned differs = differences(text + bs, be - bs, req->exact, req->exact_len);
        if (pre.n && !(pre.n <= i && units_equal(t.u + i - pre.n, pre.u, pre.n)))
            differs |= ANCHOR_DIFF_PREFIX;
        if (suf.n && !(j + suf.n <= t.n && units_equal(t.u + j, suf.u, suf.n)))
            differs |= ANCHOR_DIFF_SUFFIX;
        cand_add(out, bs, be, differs, !(differs & (ANCHOR_DIFF_PREFIX | ANCHOR_DIFF_SUFFIX)));
    }
    free(t.u);
    free(q.u);
    free(pre.u);
    free(suf.u);
}

/* ------------------------------------------------------------ spans */

static void fill_span(const char *text, size_t len, size_t byte_start, size_t byte_end, size_t cp_start,
                      struct anchor_span *sp)
{
    sp->byte_start = byte_start;
    sp->byte_end = byte_end;
    sp->start = cp_start;
    sp->end = cp_start + utf8_count(text + byte_start, byte_end - byte_start);
    sp->prefix_byte = utf8_back(text, byte_start, ANCHOR_CONTEXT);
    sp->suffix_byte = utf8_forward(text, len, byte_end, ANCHOR_CONTEXT);
    sp->differs = 0;
}

static size_t distance(size_t a, long long b)
{
    return (long long)a > b ? (size_t)((long long)a - b) : (size_t)(b - (long long)a);
}

/* Lists the candidates of cs (in text order; only those whose context
 * matches when only_context_ok) in out->candidates: the ANCHOR_MAX_CANDIDATES
 * nearest to `hint` (a code point; nearest first, the earlier on a tie)
 * when hint >= 0, else the first ones in text order. out->n_candidates gets
 * how many there are in all, which is returned. */
static size_t list_candidates(const char *text, size_t len, const struct cands *cs, bool only_context_ok,
                              long long hint, struct anchor_result *out)
{
    size_t kept = 0, shown = 0, cp = 0, counted_to = 0;
    for (size_t i = 0; i < cs->n; i++) {
        const struct cand *c = &cs->c[i];
        if (only_context_ok && !c->context_ok)
            continue;
        kept++;
        if (hint < 0 && shown == ANCHOR_MAX_CANDIDATES)
            continue;
        if (c->bs < counted_to)
            cp = 0, counted_to = 0;
        cp += utf8_count(text + counted_to, c->bs - counted_to);
        counted_to = c->bs;
        struct anchor_span sp;
        fill_span(text, len, c->bs, c->be, cp, &sp);
        sp.differs = c->differs;
        size_t at = shown;
        if (hint >= 0) {
            while (at > 0 && distance(sp.start, hint) < distance(out->candidates[at - 1].start, hint))
                at--;
            if (at == ANCHOR_MAX_CANDIDATES)
                continue;
        }
        size_t last = shown < ANCHOR_MAX_CANDIDATES ? shown : ANCHOR_MAX_CANDIDATES - 1;
        memmove(out->candidates + at + 1, out->candidates + at, (last - at) * sizeof *out->candidates);
        out->candidates[at] = sp;
        if (shown < ANCHOR_MAX_CANDIDATES)
            shown++;
    }
    out->n_candidates = kept;
    return kept;
}

static void accept(struct anchor_result *out, const struct anchor_span *sp)
{
    out->span = *sp;
    out->status = ANCHOR_OK;
    out->n_candidates = 0;
}

/* Offsets given: the span there, or — when exact is given and differs —
 * the occurrence of exact nearest to them. */
static void resolve_position(const char *text, size_t len, const struct anchor_request *req,
                             struct anchor_result *out)
{
    if (req->start < 0 || req->end < 0) {
        out->status = ANCHOR_OUT_OF_RANGE;
        return;
    }
    if (req->start >= req->end) {
        out->status = ANCHOR_EMPTY_SPAN;
        return;
    }
    size_t bs = utf8_byte_offset(text, len, (size_t)req->start);
    size_t be = bs == (size_t)-1 ? bs : utf8_forward(text, len, bs, (size_t)(req->end - req->start));
    if (bs == (size_t)-1 || utf8_count(text + bs, be - bs) != (size_t)(req->end - req->start)) {
        out->status = ANCHOR_OUT_OF_RANGE;
        return;
    }
    if (!req->exact || (req->exact_len == be - bs && memcmp(text + bs, req->exact, be - bs) == 0)) {
        fill_span(text, len, bs, be, (size_t)req->start, &out->span);
        out->status = ANCHOR_OK;
        return;
    }
    /* A position hint: the quote is authoritative, the offsets say which
     * occurrence. */
    struct cands found = {0};
    exact_matches(text, len, req, &found);
    if (list_candidates(text, len, &found, true, req->start, out) > 0) {
        out->moved = true;
        accept(out, &out->candidates[0]);
        free(found.c);
        return;
    }
    found.n = 0;
    normalized_matches(text, len, req, &found);
    if (req->normalized && list_candidates(text, len, &found, true, req->start, out) > 0) {
        out->moved = out->normalized = true;
        accept(out, &out->candidates[0]);
    } else {
        list_candidates(text, len, &found, false, req->start, out);
        out->status = ANCHOR_MISMATCH;
    }
    free(found.c);
}

/* A quote alone: its one occurrence with the context; failing that, its
 * matches under normalization. */
static void resolve_quote(const char *text, size_t len, const struct anchor_request *req,
                          struct anchor_result *out)
{
    struct cands found = {0};
    exact_matches(text, len, req, &found);
    size_t n = list_candidates(text, len, &found, true, -1, out);
    if (n == 1) {
        accept(out, &out->candidates[0]);
    } else if (n > 1) {
        out->status = ANCHOR_AMBIGUOUS;
    } else {
        found.n = 0;
        normalized_matches(text, len, req, &found);
        n = req->normalized ? list_candidates(text, len, &found, true, -1, out) : 0;
        if (n == 1) {
            out->normalized = true;
            accept(out, &out->candidates[0]);
        } else if (n > 1) {
            out->status = ANCHOR_AMBIGUOUS;
        } else {
            list_candidates(text, len, &found, false, -1, out);
            out->status = ANCHOR_NOT_FOUND;
        }
    }
    free(found.c);
}

/* ------------------------------------------------------------ graphemes */

bool anchor_grapheme_boundary(const char *text, size_t len, size_t at, size_t *before, size_t *after)
{
    const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)text;
    if (at == 0 || at >= len) {
        *before = *after = at == 0 ? 0 : utf8_count(text, len);
        return true;
    }
    /* From the start of the text: the rules for regional indicator pairs and
     * emoji ZWJ sequences carry state along. */
    int32_t prev, cur, state = 0;
    utf8proc_ssize_t step = utf8proc_iterate(s, (utf8proc_ssize_t)len, &prev);
    size_t i = step > 0 ? (size_t)step : 1, cp = 1, last = 0;
    while (i < len) {
        step = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cur);
        if (step <= 0)
            step = 1, cur = 0xFFFD;
        if (utf8proc_grapheme_break_stateful(prev, cur, &state)) {
            if (i == at) {
                *before = *after = cp;
                return true;
            }
            if (i > at) {
                *before = last;
                *after = cp;
                return false;
            }
            last = cp;
        }
        prev = cur;
        i += (size_t)step;
        cp++;
    }
    *before = last;
    *after = cp;
    return false;
}

/* ------------------------------------------------------------ entry points */

void anchor_resolve(const char *text, size_t len, const struct anchor_request *req, struct anchor_result *out)
{
    memset(out, 0, sizeof *out);
    if (!req->has_position && !req->exact) {
        out->status = ANCHOR_EMPTY_REQUEST;
        return;
    }
    if (req->exact && req->exact_len == 0) {
        out->status = ANCHOR_EMPTY_SPAN;
        return;
    }
    if (req->has_position)
        resolve_position(text, len, req, out);
    else
        resolve_quote(text, len, req, out);
    if (out->status != ANCHOR_OK || req->allow_split)
        return;
    struct anchor_boundaries *b = &out->boundaries;
    bool start_ok =
        anchor_grapheme_boundary(text, len, out->span.byte_start, &b->start_before, &b->start_after);
    bool end_ok = anchor_grapheme_boundary(text, len, out->span.byte_end, &b->end_before, &b->end_after);
    if (!start_ok || !end_ok)
        out->status = ANCHOR_SPLITS_GRAPHEME;
}

const char *anchor_message(const struct anchor_request *req, const struct anchor_result *res)
{
    bool context = req->prefix_len > 0 || req->suffix_len > 0, listed = res->n_candidates > 0;
    switch (res->status) {
    case ANCHOR_NOT_FOUND:
        if (!listed)
            return context
                       ? "the quote does not occur in the document with that prefix/suffix, nor under"
                         " normalization"
                       : "the quote does not occur in the document, nor under normalization (case, quotes,"
                         " dashes, white space, Unicode composition)";
        return context
                   ? "the quote does not occur in the document with that prefix/suffix; the candidates are"
                     " where it does occur (exactly or under normalization): adjust prefix/suffix, give"
                     " offsets, or send \"match\": \"normalized\""
                   : "the quote does not occur in the document exactly; the candidates match it under"
                     " normalization: send \"match\": \"normalized\" to accept a unique one, or offsets to"
                     " pick one";
    case ANCHOR_MISMATCH:
        return listed ? "exact does not occur in the document exactly; the candidates match it under"
                        " normalization, nearest to start first: send \"match\": \"normalized\" to take the"
                        " nearest"
                      : "exact does not match the document text at start..end, nor anywhere else in it";
    default: return anchor_status_message(res->status);
    }
}

const char *anchor_status_message(enum anchor_status status)
{
    switch (status) {
    case ANCHOR_OK: return "ok";
    case ANCHOR_EMPTY_REQUEST: return "a span needs start and end, or exact";
    case ANCHOR_OUT_OF_RANGE: return "offsets lie outside the document text";
    case ANCHOR_EMPTY_SPAN: return "a span must not be empty (start < end, exact non-empty)";
    case ANCHOR_MISMATCH: return "exact does not match the document text at start..end";
    case ANCHOR_NOT_FOUND: return "the quote does not occur in the document";
    case ANCHOR_AMBIGUOUS: return "the quote occurs more than once; add prefix/suffix or offsets to choose";
    case ANCHOR_SPLITS_GRAPHEME:
        return "the span starts or ends inside a character as readers see it (a grapheme cluster: an emoji"
               " with its modifiers, a letter with its accents); use the boundaries given, or send"
               " \"allow_grapheme_split\": true";
    }
    return "invalid span";
}

const char *anchor_status_code(enum anchor_status status)
{
    switch (status) {
    case ANCHOR_OK: return "ok";
    case ANCHOR_EMPTY_REQUEST: return "missing_span";
    case ANCHOR_OUT_OF_RANGE: return "span_out_of_range";
    case ANCHOR_EMPTY_SPAN: return "empty_span";
    case ANCHOR_MISMATCH: return "exact_mismatch";
    case ANCHOR_NOT_FOUND: return "quote_not_found";
    case ANCHOR_AMBIGUOUS: return "ambiguous_quote";
    case ANCHOR_SPLITS_GRAPHEME: return "splits_grapheme";
    }
    return "invalid_span";
}

const char *anchor_diff_name(int i)
{
    static const char *const names[ANCHOR_DIFF_COUNT] = {"composition", "case",   "quotes", "dashes",
                                                         "whitespace",  "prefix", "suffix"};
    return i >= 0 && i < ANCHOR_DIFF_COUNT ? names[i] : "other";
}
