// Offsets: the API counts Unicode code points; the DOM counts UTF-16 code
// units. A character outside the Basic Multilingual Plane (an emoji, a rare
// CJK ideograph) is one code point but two UTF-16 units, so every offset
// that crosses between the page and the API goes through a TextIndex.

export class TextIndex {
  /** @param {string} text the document's text, verbatim */
  constructor(text) {
    this.text = text;
    const n = text.length;
    // Most texts have no character outside the BMP: then both units agree
    // and no table is needed.
    this.bmp = !/[\uD800-\uDFFF]/.test(text);
    if (this.bmp) {
      this.length = n;
      return;
    }
    // cpAt[u] = code points before UTF-16 index u (u in 0..n); the middle
    // of a surrogate pair rounds down to the pair's start.
    // u16At[c] = UTF-16 index of code point c (c in 0..length).
    this.cpAt = new Uint32Array(n + 1);
    const u16At = new Uint32Array(n + 1);
    let cp = 0;
    for (let u = 0; u < n; u++) {
      this.cpAt[u] = cp;
      u16At[cp] = u;
      const c = text.charCodeAt(u);
      if (c >= 0xd800 && c <= 0xdbff && u + 1 < n) {
        const d = text.charCodeAt(u + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          this.cpAt[u + 1] = cp;
          u++;
        }
      }
      cp++;
    }
    this.cpAt[n] = cp;
    u16At[cp] = n;
    this.u16At = u16At.subarray(0, cp + 1);
    this.length = cp;
  }

  /** UTF-16 index -> code point offset (an index inside a surrogate pair rounds down). */
  toCp(u) {
    const v = Math.max(0, Math.min(u, this.text.length));
    return this.bmp ? v : this.cpAt[v];
  }

  /** code point offset -> UTF-16 index. */
  toU16(c) {
    const v = Math.max(0, Math.min(c, this.length));
    return this.bmp ? v : this.u16At[v];
  }

  /** The text between two code point offsets. */
  slice(start, end) {
    return this.text.slice(this.toU16(start), this.toU16(end));
  }
}

/** The segments of a claim's (or a span's) target: one for a contiguous
 *  target, several for a discontinuous one ({"segments": [...]}). */
export function segmentsOf(target) {
  if (!target) return [];
  if (Array.isArray(target.segments) && target.segments.length) {
    return target.segments.filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end));
  }
  if (Number.isInteger(target.start) && Number.isInteger(target.end)) return [target];
  return [];
}
