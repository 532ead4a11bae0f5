// Offsets: the API counts Unicode code points; the DOM counts UTF-16 code
// units. A character outside the Basic Multilingual Plane (an emoji, a rare
// CJK ideograph) is one code point but two UTF-16 units, so every offset
// that crosses between the page and the API goes through a TextIndex.

export class TextIndex {
  /** @param {string} text the document's text, verbatim */
  constructor(text) {
    this.text = text;
    const n = text.length;
    // cpAt[u] = code points before UTF-16 index u (u in 0..n)
    this.cpAt = new Uint32Array(n + 1);
    const u16 = [];
    let cp = 0;
    for (let u = 0; u < n; u++) {
      this.cpAt[u] = cp;
      const c = text.charCodeAt(u);
      if (c >= 0xd800 && c <= 0xdbff && u + 1 < n) {
        const d = text.charCodeAt(u + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          u16.push(u);
          this.cpAt[u + 1] = cp; // the middle of a pair rounds down to the pair's start
          u++;
          cp++;
          continue;
        }
      }
      u16.push(u);
      cp++;
    }
    this.cpAt[n] = cp;
    u16.push(n);
    // u16At[c] = UTF-16 index of code point c (c in 0..length)
    this.u16At = Uint32Array.from(u16);
    this.length = cp;
  }

  /** UTF-16 index -> code point offset (an index inside a surrogate pair rounds down). */
  toCp(u) {
    return this.cpAt[Math.max(0, Math.min(u, this.text.length))];
  }

  /** code point offset -> UTF-16 index. */
  toU16(c) {
    return this.u16At[Math.max(0, Math.min(c, this.length))];
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
