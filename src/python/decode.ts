/**
 * Bytes to text as Python reads a source file: a UTF-8 BOM, or a PEP 263 coding
 * cookie on line 1 or 2, else UTF-8. Anything that cannot be decoded gets one
 * clear message instead of a crash or mojibake.
 */

export type DecodeResult = { text: string; encoding: string } | { error: string };

const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
const LATIN_1 = new Set(['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1', 'iso_8859_1', 'l1', 'iso-latin-1', '8859', 'cp819']);
const UTF_8 = new Set(['utf-8', 'utf8', 'utf_8', 'u8', 'utf', 'cp65001']);

/** The encoding a coding cookie names, or null (PEP 263: line 1, or line 2 when line 1 is a comment or blank). */
export function codingCookie(bytes: Uint8Array): string | null {
  const head = latin1(bytes.subarray(0, Math.min(bytes.length, 1024)));
  const lines = head.split(/\r\n|\r|\n/, 2);
  const first = lines[0] ?? '';
  const m1 = COOKIE.exec(first);
  if (m1) return m1[1]!.toLowerCase();
  if (!/^[ \t\f]*(#.*)?$/.test(first)) return null;
  const m2 = COOKIE.exec(lines[1] ?? '');
  return m2 ? m2[1]!.toLowerCase() : null;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Offset of the first byte that breaks UTF-8, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need >= n) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** 1-based line of a byte; lines end at `\n`, `\r\n` or a lone `\r`, as in positions.ts. */
function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 10 || (bytes[i] === 13 && bytes[i + 1] !== 10)) line++;
  return line;
}

export function decodeSource(bytes: Uint8Array): DecodeResult {
  if (bytes.indexOf(0) !== -1) {
    return { error: 'File skipped: it contains NUL bytes, so it is not Python source (binary file?)' };
  }
  let body = bytes;
  let bom = false;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    body = bytes.subarray(3);
    bom = true;
  }
  const cookie = codingCookie(body);
  if (bom && cookie && !UTF_8.has(cookie)) {
    return { error: `File has a UTF-8 byte order mark but its coding cookie says '${cookie}'` };
  }
  if (!cookie || UTF_8.has(cookie)) {
    const bad = firstInvalidUtf8(body);
    if (bad !== -1) {
      const hex = body[bad]!.toString(16).padStart(2, '0');
      return {
        error: `File is not valid UTF-8 (byte 0x${hex} on line ${lineOfByte(body, bad)}); add a PEP 263 coding cookie if it uses another encoding`,
      };
    }
    // The BOM was stripped above; a second one is text and must survive (ignoreBOM keeps it).
    return { text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(body), encoding: 'utf-8' };
  }
  if (LATIN_1.has(cookie)) return { text: latin1(body), encoding: 'latin-1' };
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(cookie.replace(/_/g, '-'), { fatal: true });
  } catch {
    return { error: `Unknown encoding '${cookie}' in the coding cookie` };
  }
  // Node 20's TextDecoder reads windows-1252 (and `ascii`, a label WHATWG maps to it) as latin-1.
  if (decoder.encoding === 'windows-1252') return decodeWindows1252(body, cookie);
  try {
    return { text: decoder.decode(body), encoding: cookie };
  } catch {
    return { error: `File cannot be decoded as '${cookie}', the encoding its coding cookie declares` };
  }
}

const ASCII = new Set(['ascii', 'us_ascii', '646', 'us', 'cp367', 'csascii', 'ibm367', 'iso646_us', 'ansi_x3.4_1968', 'ansi_x3.4_1986']);
/** windows-1252's bytes 0x80–0x9F; the five it leaves undefined (empty here) are errors, as in Python's codec. */
const CP1252_HIGH = [
  '\u20ac', '', '\u201a', '\u0192', '\u201e', '\u2026', '\u2020', '\u2021', '\u02c6', '\u2030', '\u0160', '\u2039', '\u0152', '', '\u017d', '',
  '', '\u2018', '\u2019', '\u201c', '\u201d', '\u2022', '\u2013', '\u2014', '\u02dc', '\u2122', '\u0161', '\u203a', '\u0153', '', '\u017e', '\u0178',
];

/** cp1252 as Python decodes it (latin-1 but for 0x80–0x9F), or plain ASCII when the cookie names it. */
function decodeWindows1252(body: Uint8Array, cookie: string): DecodeResult {
  const ascii = ASCII.has(cookie.replace(/-/g, '_'));
  let text = '';
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    const char = b < 0x80 ? String.fromCharCode(b) : ascii ? '' : b <= 0x9f ? CP1252_HIGH[b - 0x80]! : String.fromCharCode(b);
    if (char === '') {
      const hex = b.toString(16).padStart(2, '0');
      return { error: `File cannot be decoded as '${cookie}', the encoding its coding cookie declares (byte 0x${hex} on line ${lineOfByte(body, i)})` };
    }
    text += char;
  }
  return { text, encoding: cookie };
}
