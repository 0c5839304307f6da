/**
 * The few pieces of Go's standard library that Alertmanager's matcher parsers
 * lean on, so that our parsers read input exactly as Alertmanager does:
 * strconv.Unquote and strconv.Quote for double-quoted strings, unicode.IsSpace,
 * and utf8.ValidString (a JavaScript string is "invalid UTF-8" when it holds a
 * lone surrogate: it cannot be encoded as UTF-8).
 */

/** Go's unicode.IsSpace: the Unicode White_Space property (U+0085 and U+00A0 included, U+FEFF not). */
export function isGoSpace(ch: string): boolean {
  return /^\p{White_Space}$/u.test(ch);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Go's utf8.ValidString for a JavaScript string. */
export function isValidUtf8(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };
const HEX_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * Go's strconv.Unquote for a double-quoted string literal: the escapes \a \b
 * \f \n \r \t \v \\ \" \xHH \ooo \uHHHH \UHHHHHHHH, no raw newline, and bytes
 * from \x and octal escapes joined into UTF-8. Throws on anything Go refuses,
 * and (as matcher/parse does after unquoting) on a result that is not valid UTF-8.
 */
export function goUnquote(quoted: string): string {
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) throw new SyntaxError('invalid syntax');
  const body = quoted.slice(1, -1);
  if (body.includes('\n')) throw new SyntaxError('invalid syntax');
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  const chars = [...body];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '"') throw new SyntaxError('invalid syntax');
    if (c !== '\\') {
      if (!isValidUtf8(c)) throw new SyntaxError('invalid UTF-8');
      bytes.push(...encoder.encode(c));
      continue;
    }
    const e = chars[++i];
    if (e === undefined) throw new SyntaxError('invalid syntax');
    if (Object.hasOwn(SIMPLE_ESCAPES, e)) {
      bytes.push(SIMPLE_ESCAPES[e]);
    } else if (Object.hasOwn(HEX_DIGITS, e)) {
      const digits = chars.slice(i + 1, i + 1 + HEX_DIGITS[e]).join('');
      if (!new RegExp(`^[0-9A-Fa-f]{${HEX_DIGITS[e]}}$`).test(digits)) throw new SyntaxError('invalid syntax');
      i += HEX_DIGITS[e];
      const v = parseInt(digits, 16);
      if (e === 'x') bytes.push(v);
      else if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new SyntaxError('invalid syntax');
      else bytes.push(...encoder.encode(String.fromCodePoint(v)));
    } else if (e >= '0' && e <= '7') {
      const digits = chars.slice(i, i + 3).join('');
      if (!/^[0-7]{3}$/.test(digits)) throw new SyntaxError('invalid syntax');
      i += 2;
      const v = parseInt(digits, 8);
      if (v > 255) throw new SyntaxError('invalid syntax');
      bytes.push(v);
    } else {
      throw new SyntaxError('invalid syntax');
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw new SyntaxError('quoted string contains invalid UTF-8 code points');
  }
}

/** Whether Go's unicode.IsPrint holds: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isGoPrint(ch: string): boolean {
  return ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}

const QUOTE_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };

/** Go's strconv.Quote: a double-quoted literal, non-printable characters escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (Object.hasOwn(QUOTE_ESCAPES, ch)) out += QUOTE_ESCAPES[ch];
    else if (isGoPrint(ch)) out += ch;
    else if (cp < 0x20 || cp === 0x7f || (cp >= 0xd800 && cp <= 0xdfff)) out += cp > 0xff ? '\\ufffd' : `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + '"';
}
