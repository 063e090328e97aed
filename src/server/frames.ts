/**
 * The LSP base protocol's framing (`Content-Length: N\r\n\r\n` then N bytes),
 * checked before vscode-jsonrpc reads it. The library trusts the header: after
 * a frame whose Content-Length is shorter than its body, it takes the body's
 * remainder as the next header, and from then on every message as a header
 * with no Content-Length, silently; the server stays alive but answers nothing
 * until its input closes. This stream passes well-formed input through
 * unchanged, byte for byte and at once, and when the bytes where a header must
 * start are not one, skips to the next `Content-Length:` and says so on
 * stderr. The short frame itself reaches the library, which reports its body
 * as malformed JSON and goes on.
 */
import { Transform, type TransformCallback } from 'node:stream';

const HEADER_END = Buffer.from('\r\n\r\n', 'ascii');
const CONTENT_LENGTH = /^content-length: *(\d+)$/i;
/** A header field: a token, a colon, a value of visible characters. */
const HEADER_FIELD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[ \t]*[\x20-\x7e]*$/;
/** Bytes of a header block beyond which input that ends no header is garbage. */
const MAX_HEADER_BYTES = 8192;

export class FrameGuard extends Transform {
  private pending = Buffer.alloc(0);
  /** Bytes of the current body still to pass through; -1 while a header is read. */
  private bodyLeft = -1;

  constructor(private readonly report: (message: string) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length > 0) {
      if (this.bodyLeft >= 0) {
        const take = Math.min(this.bodyLeft, data.length);
        this.push(data.subarray(0, take));
        data = data.subarray(take);
        this.bodyLeft -= take;
        if (this.bodyLeft === 0) this.bodyLeft = -1;
        continue;
      }
      const end = data.indexOf(HEADER_END);
      if (end < 0) {
        // A header still arriving, unless what is here can no longer be the start of one.
        if (data.length > MAX_HEADER_BYTES || !couldStartHeader(data)) data = this.skipToNextHeader(data, data.length, false);
        this.pending = Buffer.from(data);
        break;
      }
      const length = contentLength(data.subarray(0, end).toString('latin1'));
      if (length === null) {
        data = this.skipToNextHeader(data, end + HEADER_END.length, true);
        continue;
      }
      this.push(data.subarray(0, end + HEADER_END.length));
      data = data.subarray(end + HEADER_END.length);
      this.bodyLeft = length === 0 ? -1 : length;
    }
    callback();
  }

  /**
   * Drops the bytes before the next `Content-Length:` (one not at the very
   * start) among the first `within` bytes of `data`. With `complete`, those
   * bytes are a whole header block known to be bad, dropped entirely when no
   * header starts in them; else input is still arriving, and the last bytes
   * are kept in case they begin one. Says so on stderr when it drops anything.
   */
  private skipToNextHeader(data: Buffer, within: number, complete: boolean): Buffer {
    const next = indexOfContentLength(data, within);
    const skipped = next >= 0 ? next : complete ? within : Math.max(0, within - 'content-length:'.length);
    if (skipped > 0) {
      this.report(`pyhang: malformed message from the client (a header, or a Content-Length that does not fit its body); skipped ${skipped} bytes to the next header\n`);
    }
    return data.subarray(skipped);
  }
}

/** The Content-Length of a header block whose every field is well formed, else null. */
function contentLength(block: string): number | null {
  let length: number | null = null;
  for (const field of block.split('\r\n')) {
    if (!HEADER_FIELD.test(field)) return null;
    const match = CONTENT_LENGTH.exec(field);
    if (match) length = Number(match[1]);
  }
  return length !== null && Number.isSafeInteger(length) ? length : null;
}

/** Whether `data`, the start of input where a header is due, can still become one. */
function couldStartHeader(data: Buffer): boolean {
  const text = data.toString('latin1');
  const lastBreak = text.lastIndexOf('\r\n');
  const complete = lastBreak < 0 ? [] : text.slice(0, lastBreak).split('\r\n');
  const partial = lastBreak < 0 ? text : text.slice(lastBreak + 2);
  return complete.every((field) => HEADER_FIELD.test(field)) && /^(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+(?::[ \t]*[\x20-\x7e]*)?)?\r?$/.test(partial);
}

/** Where the next `Content-Length:` after the first byte of `data` starts, in its first `within` bytes (-1: nowhere). */
function indexOfContentLength(data: Buffer, within: number): number {
  return data.subarray(0, within).toString('latin1').toLowerCase().indexOf('content-length:', 1);
}
