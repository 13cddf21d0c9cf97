/**
 * Strict, streaming, namespace-aware XML tokenizer over UTF-8 bytes.
 *
 * Design (why it looks like this):
 * - Character data is located with the native `Buffer.indexOf` (memchr) and handed to the caller as
 *   views of the input chunk, so a 1 GB base64 text node costs a few memchr passes and never
 *   accumulates in memory. Only one markup token (a start tag, end tag, PI or XML declaration) is
 *   ever buffered across chunk boundaries; comments and CDATA sections stream.
 * - UTF-8 validity is checked chunk by chunk with Node's native `buffer.isUtf8`, independently of
 *   tokenizing (a sequence split across chunks is completed with the next chunk).
 * - Hostile input is refused, not tolerated: any DOCTYPE, any entity other than the five predefined
 *   ones, unbound prefixes, and every limit of `ScanLimits` raise a typed `EdxmlError`.
 * - Character data is not checked for forbidden control characters here (that would cost a JS loop
 *   over every attachment byte); `decodeText` rejects them, and the base64 decoder rejects anything
 *   outside its alphabet. Markup (names, attribute values, comments, PIs) is fully checked.
 *
 * Depth: the root element has depth 1.
 */
import { isUtf8 } from "node:buffer";
import { EdxmlError, type EdxmlErrorCode } from "../errors.ts";

export interface ScanLimits {
  maxDepth: number;
  maxAttributesPerElement: number;
  maxNameLength: number;
  maxAttributeValueLength: number;
  maxElements: number;
  maxBytes: number;
}

export const DEFAULT_SCAN_LIMITS: Readonly<ScanLimits> = Object.freeze({
  maxDepth: 64,
  maxAttributesPerElement: 256,
  maxNameLength: 256,
  maxAttributeValueLength: 64 * 1024,
  maxElements: 1_000_000,
  maxBytes: 2 * 1024 * 1024 * 1024,
});

export interface ScannedAttribute {
  qname: string;
  prefix: string;
  localName: string;
  /** Resolved namespace; null for unprefixed attributes other than `xmlns`. */
  namespaceURI: string | null;
  /** Decoded and normalised per XML 1.0 §3.3.3 (CDATA type: no DTD). */
  value: string;
  isNamespaceDeclaration: boolean;
}

export interface StartTag {
  qname: string;
  prefix: string;
  localName: string;
  namespaceURI: string | null;
  /** Document order, xmlns declarations included. */
  attributes: ScannedAttribute[];
  /** Declarations made on this element; prefix "" = default namespace. */
  namespaceDeclarations: { prefix: string; uri: string }[];
  selfClosing: boolean;
  /** Absolute byte offsets: the '<' and just after the '>'. */
  start: number;
  end: number;
  depth: number;
}

export interface EndTag {
  qname: string;
  prefix: string;
  localName: string;
  namespaceURI: string | null;
  start: number;
  end: number;
  depth: number;
}

export interface ScanHandler {
  startElement?(tag: StartTag): void;
  /** Also called for self-closing elements, with start = end = the start tag's end. */
  endElement?(tag: EndTag): void;
  /**
   * Character data in pieces. `raw` is a view into the current input chunk, valid only during the
   * call. `plain` is true when raw has no '&' and no '\r' (its bytes are then exactly the decoded
   * UTF-8 text). Pieces never split an entity/character reference, a UTF-8 sequence or a CR LF pair,
   * and are at most 32 KiB.
   * CDATA sections come with cdata = true (raw = content without the markers).
   */
  text?(raw: Buffer, plain: boolean, start: number, cdata: boolean): void;
  comment?(start: number, end: number): void;
  /** Not called for the XML declaration. */
  processingInstruction?(target: string, data: string, start: number, end: number): void;
}

export const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
export const XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/";

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
const SP = 0x20;
const SLASH = 0x2f;
const QUEST = 0x3f;
const BANG = 0x21;
const DQ = 0x22;
const SQ = 0x27;
const EQ = 0x3d;
const RSQB = 0x5d;
const DASH = 0x2d;
const SEMI = 0x3b;

const isWs = (b: number | undefined) => b === SP || b === LF || b === TAB || b === CR;

enum State {
  Init = 0,
  Text = 1,
  Markup = 2,
  StartTag = 3,
  EndTag = 4,
  Pi = 5,
  Comment = 6,
  Cdata = 7,
}

const NAME_START =
  ":A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D" +
  "\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}";
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const NAME_RE = new RegExp(`^[${NAME_START}][${NAME_CHAR}]*$`, "u");
const FORBIDDEN_CHAR_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };
/** Longest reference we wait for across chunks before judging it (`&#x0010FFFF;` is 12). */
const MAX_REF_LENGTH = 40;
/**
 * Longest piece of character data handed to `ScanHandler.text`. A handler that turns a piece
 * into a string then gets an ordinary V8 string: one over 128 KiB goes to the large-object
 * space and costs about ten times more to make (a 100 KiB attachment's base64 is one text node).
 */
const MAX_TEXT_PIECE = 32 * 1024;

export function isXmlName(name: string): boolean {
  return NAME_RE.test(name);
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function malformed(offset: number, reason: string): EdxmlError {
  return new EdxmlError("EDXML_XML_MALFORMED", { offset, reason });
}

function limitError(limit: keyof ScanLimits, value: number): EdxmlError {
  return new EdxmlError("EDXML_XML_LIMIT_EXCEEDED", { limit, value });
}

/**
 * Resolves one reference body (between '&' and ';'). Returns the replacement text.
 * Throws ENTITY_FORBIDDEN for a syntactically valid name that is not predefined.
 */
function resolveReference(body: string, offset: number): string {
  if (body.charCodeAt(0) === 0x23 /* # */) {
    let cp: number;
    if (/^#x[0-9a-fA-F]{1,8}$/.test(body)) cp = Number.parseInt(body.slice(2), 16);
    else if (/^#[0-9]{1,10}$/.test(body)) cp = Number.parseInt(body.slice(1), 10);
    else throw malformed(offset, "bad character reference");
    if (!isXmlChar(cp)) throw malformed(offset, `character reference to a forbidden character (${cp})`);
    return String.fromCodePoint(cp);
  }
  const predefined = PREDEFINED[body];
  if (predefined !== undefined) return predefined;
  if (isXmlName(body)) throw new EdxmlError("EDXML_XML_ENTITY_FORBIDDEN", { name: body, offset });
  throw malformed(offset, "'&' not followed by a reference");
}

const REF_RE = /&([^;]*);/g;

function resolveReferences(text: string, offset: number): string {
  return text.replace(REF_RE, (_whole, body: string) => resolveReference(body, offset));
}

/**
 * Decodes a piece of character data delivered by `ScanHandler.text`: applies the XML end-of-line
 * rule (CR LF and lone CR become LF), then (outside CDATA) resolves the five predefined entities and
 * numeric character references. Rejects characters XML forbids.
 */
export function decodeText(raw: Buffer, cdata: boolean): string {
  let text = raw.toString("utf8");
  if (FORBIDDEN_CHAR_RE.test(text)) throw malformed(0, "forbidden control character in character data");
  if (text.includes("\r")) text = text.replace(/\r\n?/g, "\n");
  if (!cdata && text.includes("&")) {
    if (text.indexOf("&") !== -1 && /&(?![^;&]*;)/.test(text)) throw malformed(0, "unterminated reference");
    text = resolveReferences(text, 0);
  }
  return text;
}

interface OpenElement {
  qname: string;
  prefix: string;
  localName: string;
  namespaceURI: string | null;
  /** Bindings to restore when this element closes: [prefix, previous uri or undefined]. */
  undo: [string, string | undefined][] | null;
}

interface RawAttribute {
  qname: string;
  prefix: string;
  localName: string;
  value: string;
}

const EMPTY = Buffer.alloc(0);
const NAME_CACHE_MAX = 4096;
/**
 * Names already checked, shared by all scanners: every package repeats the same few dozen
 * names, so the Unicode name regex runs once per name, not once per name per package. Bounded;
 * when full it is emptied, so a stream of junk names cannot keep the common ones out for long.
 */
const checkedNames = new Set<string>();

export class XmlScanner {
  private readonly handler: ScanHandler;
  private readonly limits: ScanLimits;
  /** Working buffer: retained bytes of an unfinished token followed by the newest chunk. */
  private buf: Buffer = EMPTY;
  /** Growable owned buffer used only while bytes have to be retained across chunks. */
  private acc: Buffer | null = null;
  /** Absolute offset of buf[0]. */
  private base = 0;
  /** Index in buf of the first unprocessed byte. */
  private pos = 0;
  private received = 0;
  private state: State = State.Init;
  /** For buffered tokens: bytes already searched (relative to the token start) and quote state. */
  private searchFrom = 0;
  private quote = 0;
  private quotesSeen = 0;
  private quoteStart = 0;
  private tokenStart = 0;
  private readonly stack: OpenElement[] = [];
  private readonly ns = new Map<string, string>([["xml", XML_NAMESPACE]]);
  private elements = 0;
  private rootSeen = false;
  private rootClosed = false;
  private docStart = 0;
  private utf8Carry: Buffer | null = null;
  private ended = false;
  private failure: unknown = null;
  /** When the whole input is known (scanBuffer), used to add line/column to errors. */
  whole: Buffer | null = null;

  constructor(handler: ScanHandler, limits?: Partial<ScanLimits>) {
    this.handler = handler;
    this.limits = { ...DEFAULT_SCAN_LIMITS, ...limits };
  }

  /** Number of input bytes consumed (absolute offset of the first byte not yet tokenized). */
  get position(): number {
    return this.base + this.pos;
  }

  write(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    if (this.ended) throw new TypeError("XmlScanner: write after end");
    if (chunk.length === 0) return;
    try {
      this.received += chunk.length;
      if (this.received > this.limits.maxBytes) throw limitError("maxBytes", this.received);
      this.checkUtf8(chunk);
      this.append(chunk);
      this.run(false);
      this.stash();
    } catch (error) {
      throw this.fail(error);
    }
  }

  end(): void {
    if (this.failure) throw this.failure;
    if (this.ended) return;
    this.ended = true;
    try {
      if (this.utf8Carry)
        throw new EdxmlError("EDXML_XML_ENCODING", { offset: this.received - this.utf8Carry.length });
      this.run(true);
      const at = this.base + this.buf.length;
      if (this.state !== State.Text && this.state !== State.Init) throw malformed(at, "truncated document");
      if (this.stack.length > 0) throw malformed(at, `unclosed element <${this.stack.at(-1)!.qname}>`);
      if (!this.rootSeen) throw malformed(at, "no root element");
    } catch (error) {
      throw this.fail(error);
    }
  }

  private fail(error: unknown): unknown {
    if (error instanceof EdxmlError && this.whole) {
      const offset = error.details?.offset;
      if (typeof offset === "number" && error.details?.line === undefined) {
        const { line, column } = lineColumn(this.whole, offset);
        const upgraded = new EdxmlError(error.code as EdxmlErrorCode, { ...error.details, line, column });
        upgraded.stack = error.stack;
        error = upgraded;
      }
    }
    this.failure = error;
    this.buf = EMPTY;
    this.acc = null;
    return error;
  }

  // ---------------------------------------------------------------- input management

  private checkUtf8(chunk: Buffer): void {
    let start = 0;
    const chunkOffset = this.received - chunk.length;
    if (this.utf8Carry) {
      const carry = this.utf8Carry;
      const lead = carry[0]!;
      const need = (lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2) - carry.length;
      const take = Math.min(need, chunk.length);
      const seq = Buffer.concat([carry, chunk.subarray(0, take)]);
      for (let i = carry.length; i < seq.length; i++) {
        if ((seq[i]! & 0xc0) !== 0x80) throw new EdxmlError("EDXML_XML_ENCODING", { offset: chunkOffset });
      }
      if (take < need) {
        this.utf8Carry = seq;
        return;
      }
      if (!isUtf8(seq)) throw new EdxmlError("EDXML_XML_ENCODING", { offset: chunkOffset - carry.length });
      this.utf8Carry = null;
      start = take;
    }
    let end = chunk.length;
    for (let i = end - 1; i >= start && i >= end - 3; i--) {
      const b = chunk[i]!;
      if (b < 0x80) break;
      if (b >= 0xc0) {
        const n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        if (i + n > end) end = i;
        break;
      }
    }
    if (!isUtf8(chunk.subarray(start, end))) {
      throw new EdxmlError("EDXML_XML_ENCODING", {
        offset: chunkOffset + firstInvalidUtf8(chunk, start, end),
      });
    }
    if (end < chunk.length) this.utf8Carry = Buffer.from(chunk.subarray(end));
  }

  /** buf becomes (retained bytes) + chunk; without retained bytes the chunk is used in place. */
  private append(chunk: Buffer): void {
    const kept = this.buf.length;
    if (kept === 0) {
      this.buf = chunk;
      this.pos = 0;
      return;
    }
    const needed = kept + chunk.length;
    let acc = this.acc!;
    if (acc.length < needed) {
      const grown = Buffer.allocUnsafe(Math.max(needed * 2, 64 * 1024));
      acc.copy(grown, 0, 0, kept);
      acc = grown;
      this.acc = grown;
    }
    chunk.copy(acc, kept);
    this.buf = acc.subarray(0, needed);
  }

  /**
   * After a write: bytes not yet tokenized (an unfinished token, or a held-back tail of text) are
   * copied into the owned buffer, because the caller may reuse its chunk.
   */
  private stash(): void {
    const buf = this.buf;
    const kept = buf.length - this.pos;
    this.base += this.pos;
    if (kept === 0) {
      this.buf = EMPTY;
      this.pos = 0;
      return;
    }
    const acc = this.acc;
    const inAcc = acc !== null && buf.buffer === acc.buffer && buf.byteOffset === acc.byteOffset;
    if (inAcc) {
      if (this.pos > 0) acc.copyWithin(0, this.pos, buf.length);
      this.buf = acc.subarray(0, kept);
    } else {
      let target = acc;
      if (!target || target.length < kept) {
        target = Buffer.allocUnsafe(Math.max(kept * 2, 64 * 1024));
        this.acc = target;
      }
      buf.copy(target, 0, this.pos);
      this.buf = target.subarray(0, kept);
    }
    this.pos = 0;
  }

  // ---------------------------------------------------------------- tokenizer

  private run(final: boolean): void {
    const buf = this.buf;
    const len = buf.length;
    let pos = this.pos;
    for (;;) {
      switch (this.state) {
        case State.Init: {
          // A BOM is skipped; the XML declaration may only come right after it.
          if (this.base + pos === 0) {
            if (len - pos < 3 && !final && buf[0] === 0xef) {
              this.pos = pos;
              return;
            }
            if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
            this.docStart = pos;
          }
          this.state = State.Text;
          break;
        }
        case State.Text: {
          if (pos >= len) {
            this.pos = pos;
            return;
          }
          const lt = buf.indexOf(LT, pos);
          const stop = lt === -1 ? len : lt;
          if (stop > pos) {
            const cut = lt === -1 && !final ? textCut(buf, pos, stop, false) : stop;
            this.emitPieces(buf, pos, cut, false);
            pos = cut;
            if (lt === -1) {
              this.pos = pos;
              return;
            }
          }
          this.tokenStart = this.base + pos;
          this.state = State.Markup;
          break;
        }
        case State.Markup: {
          // buf[pos] is '<': classify the token.
          const next = buf[pos + 1];
          if (next === undefined) {
            if (final) throw malformed(this.base + pos, "truncated document");
            this.pos = pos;
            return;
          }
          if (next === SLASH) this.state = State.EndTag;
          else if (next === QUEST) this.state = State.Pi;
          else if (next === BANG) {
            const kind = classifyBang(buf, pos, len);
            if (kind === 0) {
              if (final) throw malformed(this.base + pos, "truncated document");
              this.pos = pos;
              return;
            }
            if (kind === 3) throw new EdxmlError("EDXML_XML_DTD_FORBIDDEN", { offset: this.base + pos });
            if (kind === 4) throw malformed(this.base + pos, "unknown markup declaration '<!'");
            if (kind === 1) {
              this.state = State.Comment;
              pos += 4;
            } else {
              if (this.stack.length === 0)
                throw malformed(this.base + pos, "CDATA section outside the root element");
              this.state = State.Cdata;
              pos += 9;
            }
            break;
          } else this.state = State.StartTag;
          this.searchFrom = 1;
          this.quote = 0;
          this.quotesSeen = 0;
          break;
        }
        case State.StartTag: {
          const end = this.findTagEnd(buf, pos, len);
          if (end === -1) {
            if (final) throw malformed(this.base + pos, "truncated start tag");
            this.pos = pos;
            return;
          }
          this.startTag(buf, pos, end + 1);
          pos = end + 1;
          this.state = State.Text;
          break;
        }
        case State.EndTag: {
          const gt = buf.indexOf(GT, pos + this.searchFrom);
          if (gt === -1) {
            this.searchFrom = len - pos;
            if (this.searchFrom > this.limits.maxNameLength + 64) {
              throw limitError("maxNameLength", this.searchFrom);
            }
            if (final) throw malformed(this.base + pos, "truncated end tag");
            this.pos = pos;
            return;
          }
          this.endTag(buf, pos, gt + 1);
          pos = gt + 1;
          this.state = State.Text;
          break;
        }
        case State.Pi: {
          let q = buf.indexOf("?>", pos + Math.max(2, this.searchFrom - 1), "latin1");
          if (q === -1) {
            this.searchFrom = len - pos;
            const max = this.limits.maxNameLength + this.limits.maxAttributeValueLength;
            if (this.searchFrom > max) throw limitError("maxAttributeValueLength", this.searchFrom);
            if (final) throw malformed(this.base + pos, "truncated processing instruction");
            this.pos = pos;
            return;
          }
          q += 2;
          this.processingInstruction(buf, pos, q);
          pos = q;
          this.state = State.Text;
          break;
        }
        case State.Comment: {
          // Streams: bytes before a possible terminator are dropped as they are checked.
          const dd = buf.indexOf("--", pos, "latin1");
          if (dd === -1 || dd + 2 >= len) {
            if (final) throw malformed(this.tokenStart, "truncated comment");
            const keep = dd === -1 ? (buf[len - 1] === DASH ? len - 1 : len) : dd;
            this.checkMarkupChars(buf, pos, keep);
            pos = keep;
            this.pos = pos;
            return;
          }
          if (buf[dd + 2] !== GT) throw malformed(this.base + dd, "'--' inside a comment");
          this.checkMarkupChars(buf, pos, dd);
          pos = dd + 3;
          this.handler.comment?.(this.tokenStart, this.base + pos);
          this.state = State.Text;
          break;
        }
        case State.Cdata: {
          const close = buf.indexOf("]]>", pos, "latin1");
          if (close === -1) {
            if (final) throw malformed(this.tokenStart, "truncated CDATA section");
            const cut = textCut(buf, pos, len, true);
            this.emitPieces(buf, pos, cut, true);
            pos = cut;
            this.pos = pos;
            return;
          }
          this.emitPieces(buf, pos, close, true);
          pos = close + 3;
          this.state = State.Text;
          break;
        }
      }
    }
  }

  /**
   * Quote-aware search for the '>' that ends a start tag, resumable across chunks
   * (search position and quote state are kept relative to the token start).
   */
  private findTagEnd(buf: Buffer, start: number, len: number): number {
    let i = start + this.searchFrom;
    let quote = this.quote;
    const maxAttrs = this.limits.maxAttributesPerElement;
    const maxToken =
      maxAttrs * (this.limits.maxNameLength + this.limits.maxAttributeValueLength + 8) +
      this.limits.maxNameLength +
      16;
    while (i < len) {
      if (quote !== 0) {
        const close = buf.indexOf(quote, i);
        if (close === -1) {
          i = len;
          if (i - (start + this.quoteStart) > this.limits.maxAttributeValueLength + 1) {
            throw limitError("maxAttributeValueLength", i - (start + this.quoteStart) - 1);
          }
          break;
        }
        quote = 0;
        i = close + 1;
        continue;
      }
      const b = buf[i]!;
      if (b === GT) {
        this.quote = 0;
        return i;
      }
      if (b === DQ || b === SQ) {
        quote = b;
        this.quoteStart = i - start;
        if (++this.quotesSeen > maxAttrs) throw limitError("maxAttributesPerElement", this.quotesSeen);
      } else if (b === LT) throw malformed(this.base + i, "'<' inside a tag");
      i++;
    }
    this.quote = quote;
    this.searchFrom = i - start;
    if (this.searchFrom > maxToken) throw limitError("maxAttributeValueLength", this.searchFrom);
    return -1;
  }

  // ---------------------------------------------------------------- character data

  /** Character data in [start, end), in pieces of at most MAX_TEXT_PIECE bytes. */
  private emitPieces(buf: Buffer, start: number, end: number, cdata: boolean): void {
    while (end - start > MAX_TEXT_PIECE) {
      const cut = textCut(buf, start, start + MAX_TEXT_PIECE, cdata);
      this.emitText(buf, start, cut, cdata);
      start = cut;
    }
    if (end > start) this.emitText(buf, start, end, cdata);
  }

  private emitText(buf: Buffer, start: number, end: number, cdata: boolean): void {
    const abs = this.base + start;
    let hasAmp = false;
    if (this.stack.length === 0) {
      // Prolog / epilog: only whitespace is allowed.
      for (let i = start; i < end; i++) {
        if (!isWs(buf[i])) {
          throw malformed(
            this.base + i,
            this.rootClosed ? "content after the root element" : "text before the root element",
          );
        }
      }
      return;
    }
    // Searches are bounded to the piece (an unbounded indexOf would rescan the rest of the buffer).
    const piece = buf.subarray(start, end);
    let amp = piece.indexOf(AMP);
    hasAmp = amp !== -1;
    if (!cdata) {
      while (amp !== -1) {
        const semi = piece.indexOf(SEMI, amp + 1);
        const bodyEnd = semi === -1 ? piece.length : semi;
        if (bodyEnd - amp - 1 >= MAX_REF_LENGTH) {
          // Too long for any allowed reference: judge it by its start.
          const head = piece.toString("utf8", amp + 1, amp + 1 + MAX_REF_LENGTH);
          if (isXmlName(head))
            throw new EdxmlError("EDXML_XML_ENTITY_FORBIDDEN", { name: `${head}…`, offset: abs + amp });
          throw malformed(abs + amp, "'&' not followed by a reference");
        }
        if (semi === -1) throw malformed(abs + amp, "unterminated reference");
        resolveReference(piece.toString("utf8", amp + 1, semi), abs + amp);
        amp = piece.indexOf(AMP, semi + 1);
      }
      if (piece.indexOf("]]>", 0, "latin1") !== -1) {
        throw malformed(abs + piece.indexOf("]]>", 0, "latin1"), "']]>' in character data");
      }
    }
    const plain = !hasAmp && piece.indexOf(CR) === -1;
    this.handler.text?.(piece, plain, abs, cdata);
  }

  // ---------------------------------------------------------------- tags

  private name(buf: Buffer, start: number, end: number): string {
    const length = end - start;
    if (length > this.limits.maxNameLength) throw limitError("maxNameLength", length);
    const name = buf.toString("utf8", start, end);
    if (checkedNames.has(name)) return name;
    if (!isXmlName(name)) throw malformed(this.base + start, "invalid name");
    const colon = name.indexOf(":");
    if (colon !== -1 && (colon === 0 || colon === name.length - 1 || name.indexOf(":", colon + 1) !== -1)) {
      throw new EdxmlError("EDXML_XML_NAMESPACE", {
        offset: this.base + start,
        reason: `invalid QName '${name}'`,
      });
    }
    if (checkedNames.size >= NAME_CACHE_MAX) checkedNames.clear();
    checkedNames.add(name);
    return name;
  }

  private startTag(buf: Buffer, start: number, end: number): void {
    const abs = this.base + start;
    if (this.rootClosed) throw malformed(abs, "a second root element");
    if (++this.elements > this.limits.maxElements) throw limitError("maxElements", this.elements);
    const depth = this.stack.length + 1;
    if (depth > this.limits.maxDepth) throw limitError("maxDepth", depth);

    let i = start + 1;
    let j = i;
    while (j < end && !isWs(buf[j]) && buf[j] !== GT && buf[j] !== SLASH) j++;
    if (j === i) throw malformed(abs, "missing element name");
    const qname = this.name(buf, i, j);
    i = j;
    const raw: RawAttribute[] = [];
    let selfClosing = false;
    for (;;) {
      const hadSpace = isWs(buf[i]);
      while (isWs(buf[i])) i++;
      const b = buf[i];
      if (b === GT) break;
      if (b === SLASH) {
        if (buf[i + 1] !== GT) throw malformed(this.base + i, "'/' not followed by '>'");
        selfClosing = true;
        break;
      }
      if (!hadSpace) throw malformed(this.base + i, "missing whitespace before an attribute");
      j = i;
      while (j < end && !isWs(buf[j]) && buf[j] !== EQ && buf[j] !== GT && buf[j] !== SLASH) j++;
      if (j === i) throw malformed(this.base + i, "missing attribute name");
      const attrName = this.name(buf, i, j);
      i = j;
      while (isWs(buf[i])) i++;
      if (buf[i] !== EQ) throw malformed(this.base + i, `attribute '${attrName}' without '='`);
      i++;
      while (isWs(buf[i])) i++;
      const quote = buf[i];
      if (quote !== DQ && quote !== SQ) throw malformed(this.base + i, "attribute value not quoted");
      const close = buf.indexOf(quote, i + 1);
      if (close === -1 || close >= end) throw malformed(this.base + i, "unterminated attribute value");
      const valueLength = close - i - 1;
      if (valueLength > this.limits.maxAttributeValueLength)
        throw limitError("maxAttributeValueLength", valueLength);
      if (raw.length >= this.limits.maxAttributesPerElement) {
        throw limitError("maxAttributesPerElement", raw.length + 1);
      }
      const value = this.attributeValue(buf, i + 1, close);
      const colon = attrName.indexOf(":");
      raw.push({
        qname: attrName,
        prefix: colon === -1 ? "" : attrName.slice(0, colon),
        localName: colon === -1 ? attrName : attrName.slice(colon + 1),
        value,
      });
      i = close + 1;
    }

    // Namespace declarations first, then resolution.
    let undo: [string, string | undefined][] | null = null;
    const declarations: { prefix: string; uri: string }[] = [];
    for (const a of raw) {
      let declared: string | null = null;
      if (a.qname === "xmlns") declared = "";
      else if (a.prefix === "xmlns") declared = a.localName;
      if (declared === null) continue;
      const uri = a.value;
      if (declared === "xmlns") throw this.nsError(abs, "the xmlns prefix cannot be declared");
      if (declared === "xml" ? uri !== XML_NAMESPACE : uri === XML_NAMESPACE) {
        throw this.nsError(abs, "the xml prefix and namespace are reserved to each other");
      }
      if (uri === XMLNS_NAMESPACE) throw this.nsError(abs, "the xmlns namespace cannot be bound");
      if (declared !== "" && uri === "") throw this.nsError(abs, `prefix '${declared}' cannot be undeclared`);
      declarations.push({ prefix: declared, uri });
      if (declared === "xml") continue;
      undo ??= [];
      undo.push([declared, this.ns.get(declared)]);
      if (uri === "") this.ns.delete("");
      else this.ns.set(declared, uri);
    }

    const colon = qname.indexOf(":");
    const prefix = colon === -1 ? "" : qname.slice(0, colon);
    const localName = colon === -1 ? qname : qname.slice(colon + 1);
    let namespaceURI: string | null;
    if (prefix === "") namespaceURI = this.ns.get("") ?? null;
    else {
      if (prefix === "xmlns") throw this.nsError(abs, "element names cannot use the xmlns prefix");
      const uri = this.ns.get(prefix);
      if (uri === undefined) throw this.nsError(abs, `unbound prefix '${prefix}'`);
      namespaceURI = uri;
    }

    const attributes: ScannedAttribute[] = new Array(raw.length);
    const seen = raw.length > 1 ? new Set<string>() : null;
    for (let k = 0; k < raw.length; k++) {
      const a = raw[k]!;
      const isDecl = a.qname === "xmlns" || a.prefix === "xmlns";
      let uri: string | null = null;
      if (isDecl) uri = XMLNS_NAMESPACE;
      else if (a.prefix !== "") {
        const bound = this.ns.get(a.prefix);
        if (bound === undefined) throw this.nsError(abs, `unbound prefix '${a.prefix}'`);
        uri = bound;
      }
      if (seen) {
        if (seen.has(a.qname)) throw malformed(abs, `duplicate attribute '${a.qname}'`);
        seen.add(a.qname);
        if (uri !== null && !isDecl) {
          const expanded = `{${uri}}${a.localName}`;
          if (seen.has(expanded)) throw this.nsError(abs, `duplicate attribute {${uri}}${a.localName}`);
          seen.add(expanded);
        }
      }
      attributes[k] = {
        qname: a.qname,
        prefix: a.prefix,
        localName: a.localName,
        namespaceURI: uri,
        value: a.value,
        isNamespaceDeclaration: isDecl,
      };
    }

    const absEnd = this.base + end;
    this.rootSeen = true;
    this.stack.push({ qname, prefix, localName, namespaceURI, undo });
    this.handler.startElement?.({
      qname,
      prefix,
      localName,
      namespaceURI,
      attributes,
      namespaceDeclarations: declarations,
      selfClosing,
      start: abs,
      end: absEnd,
      depth,
    });
    if (selfClosing) this.closeElement(absEnd, absEnd);
  }

  private nsError(offset: number, reason: string): EdxmlError {
    return new EdxmlError("EDXML_XML_NAMESPACE", { offset, reason });
  }

  private attributeValue(buf: Buffer, start: number, end: number): string {
    let special = false;
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      if (b === LT) throw malformed(this.base + i, "'<' in an attribute value");
      if (b === AMP || b === CR || b === LF || b === TAB || b < 0x20) special = true;
    }
    const text = buf.toString("utf8", start, end);
    if (!special) return text;
    if (FORBIDDEN_CHAR_RE.test(text))
      throw malformed(this.base + start, "forbidden character in an attribute value");
    // §3.3.3: end-of-line handling, then each literal whitespace character becomes a space;
    // characters produced by references are kept as they are.
    const normalised = text.replace(/\r\n|[\r\n\t]/g, " ");
    if (!normalised.includes("&")) return normalised;
    if (/&(?![^;&]*;)/.test(normalised)) throw malformed(this.base + start, "unterminated reference");
    return resolveReferences(normalised, this.base + start);
  }

  private endTag(buf: Buffer, start: number, end: number): void {
    const abs = this.base + start;
    let j = start + 2;
    while (j < end - 1 && !isWs(buf[j])) j++;
    const qname = this.name(buf, start + 2, j);
    for (let k = j; k < end - 1; k++) {
      if (!isWs(buf[k])) throw malformed(this.base + k, "junk in an end tag");
    }
    const open = this.stack.at(-1);
    if (!open) throw malformed(abs, `end tag </${qname}> without a start tag`);
    if (open.qname !== qname) throw malformed(abs, `end tag </${qname}> does not match <${open.qname}>`);
    this.closeElement(abs, this.base + end);
  }

  private closeElement(start: number, end: number): void {
    const depth = this.stack.length;
    const open = this.stack.pop()!;
    if (open.undo) {
      for (let k = open.undo.length - 1; k >= 0; k--) {
        const [prefix, previous] = open.undo[k]!;
        if (previous === undefined) this.ns.delete(prefix);
        else this.ns.set(prefix, previous);
      }
    }
    if (this.stack.length === 0) this.rootClosed = true;
    this.handler.endElement?.({
      qname: open.qname,
      prefix: open.prefix,
      localName: open.localName,
      namespaceURI: open.namespaceURI,
      start,
      end,
      depth,
    });
  }

  private processingInstruction(buf: Buffer, start: number, end: number): void {
    const abs = this.base + start;
    let j = start + 2;
    while (j < end - 2 && !isWs(buf[j])) j++;
    const target = buf.toString("utf8", start + 2, j);
    if (target.length === 0 || !isXmlName(target))
      throw malformed(abs, "invalid processing instruction target");
    if (target.length > this.limits.maxNameLength) throw limitError("maxNameLength", target.length);
    if (target.toLowerCase() === "xml") {
      if (target !== "xml" || abs !== this.docStart) throw malformed(abs, "misplaced XML declaration");
      this.xmlDeclaration(buf.toString("utf8", start, end), abs);
      return;
    }
    if (target.includes(":")) throw this.nsError(abs, "colon in a processing instruction target");
    let d = j;
    while (d < end - 2 && isWs(buf[d])) d++;
    this.checkMarkupChars(buf, d, end - 2);
    this.handler.processingInstruction?.(target, buf.toString("utf8", d, end - 2), abs, this.base + end);
  }

  private xmlDeclaration(text: string, offset: number): void {
    const m =
      /^<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\4)?\s*\?>$/.exec(
        text,
      );
    if (!m) throw malformed(offset, "invalid XML declaration");
    const encoding = m[3];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
      throw new EdxmlError("EDXML_XML_ENCODING", { offset, encoding });
    }
  }

  /** Comments and PI data: reject characters XML forbids (they are small, a JS check is cheap). */
  private checkMarkupChars(buf: Buffer, start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      if (b < 0x20 && b !== TAB && b !== LF && b !== CR)
        throw malformed(this.base + i, "forbidden control character");
    }
  }
}

/**
 * Where to cut streamed character data so that a piece never ends inside a reference, a UTF-8
 * sequence, a CR LF pair, or (for `]]>` detection) after a ']' that may start a terminator.
 */
function textCut(buf: Buffer, start: number, end: number, cdata: boolean): number {
  let cut = end;
  if (!cdata) {
    // An '&' without its ';' in the last MAX_REF_LENGTH bytes starts an unfinished reference.
    // (A bounded look: a search of the whole buffer would make cutting a long text quadratic.)
    for (let i = end - 1; i >= start && i >= end - MAX_REF_LENGTH; i--) {
      if (buf[i] === SEMI) break;
      if (buf[i] === AMP) {
        cut = i;
        break;
      }
    }
  }
  // Incomplete UTF-8 sequence at the end.
  for (let i = cut - 1; i >= start && i >= cut - 3; i--) {
    const b = buf[i]!;
    if (b < 0x80) break;
    if (b >= 0xc0) {
      const n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      if (i + n > cut) cut = i;
      break;
    }
  }
  if (cut > start && buf[cut - 1] === CR) cut--;
  if (cut > start && buf[cut - 1] === RSQB) cut--;
  if (cut > start && buf[cut - 1] === RSQB) cut--;
  return cut;
}

/** 0 = need more bytes, 1 = comment, 2 = CDATA, 3 = DOCTYPE, 4 = other (malformed). */
function classifyBang(buf: Buffer, pos: number, len: number): number {
  const candidates: [string, number][] = [
    ["<!--", 1],
    ["<![CDATA[", 2],
    ["<!DOCTYPE", 3],
  ];
  let undecided = false;
  for (const [marker, kind] of candidates) {
    let k = 0;
    while (k < marker.length && pos + k < len && buf[pos + k] === marker.charCodeAt(k)) k++;
    if (k === marker.length) return kind;
    if (pos + k >= len) undecided = true;
  }
  if (undecided) return 0;
  // Any other declaration (<!ENTITY, <!ELEMENT, <!ATTLIST …) can only come from a DTD.
  if (buf[pos + 2] !== undefined && buf[pos + 2]! >= 0x41 && buf[pos + 2]! <= 0x5a) return 3;
  return 4;
}

function firstInvalidUtf8(buf: Buffer, start: number, end: number): number {
  // Error path only: binary search on prefixes that end at a character boundary is awkward, a
  // linear decode is fine here.
  let i = start;
  while (i < end) {
    const b = buf[i]!;
    const n = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
    if (n === 0 || i + n > end || !isUtf8(buf.subarray(i, i + n))) return i - start;
    i += n;
  }
  return end - start;
}

function lineColumn(buf: Buffer, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const limit = Math.min(offset, buf.length);
  let nl = buf.indexOf(LF, 0);
  while (nl !== -1 && nl < limit) {
    line++;
    lineStart = nl + 1;
    nl = buf.indexOf(LF, lineStart);
  }
  return { line, column: buf.toString("utf8", lineStart, limit).length + 1 };
}

/** Scans a whole buffer (errors then carry line and column). */
export function scanBuffer(buffer: Buffer, handler: ScanHandler, limits?: Partial<ScanLimits>): void {
  const scanner = new XmlScanner(handler, limits);
  scanner.whole = buffer;
  scanner.write(buffer);
  scanner.end();
}
