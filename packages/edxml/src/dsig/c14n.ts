/**
 * Streaming XML canonicalisation (W3C Exclusive C14N 1.0 and, for legacy VPCP signatures,
 * inclusive C14N 1.0), both *without comments*, driven by parser events instead of a DOM.
 *
 * The caller feeds the events of one element subtree (the whole document for a Reference with
 * URI="", or a captured SignedInfo) and receives canonical bytes through `sink` in chunks of
 * up to 16 KiB, valid only during the call (the buffer is reused: a sink that keeps bytes copies
 * them). A text piece whose raw bytes already are their canonical form (no '&', no
 * '\r', no '>') is passed through without being decoded, so a base64 attachment costs little
 * more than a hash of its bytes.
 */

export const XML_NS = "http://www.w3.org/XML/1998/namespace";

export interface C14nAttribute {
  readonly qname: string;
  readonly prefix: string | null;
  readonly localName: string;
  readonly namespaceURI: string | null;
  readonly value: string;
  readonly isNamespaceDeclaration: boolean;
}

export interface C14nElement {
  readonly qname: string;
  readonly prefix: string | null;
  readonly localName: string;
  readonly namespaceURI: string | null;
  readonly attributes: readonly C14nAttribute[];
  readonly namespaceDeclarations: readonly { readonly prefix: string; readonly uri: string }[];
}

export type C14nMode = "exc-c14n" | "c14n";

export interface C14nOptions {
  /**
   * Inclusive C14N of a subtree that is not the document element (e.g. SignedInfo): the
   * namespaces in scope at its parent, rendered on the apex.
   */
  readonly inheritedNamespaces?: ReadonlyMap<string, string>;
  /** Inclusive C14N of a subtree: xml:* attributes of its ancestors (nearest wins), by local name. */
  readonly inheritedXmlAttributes?: ReadonlyMap<string, string>;
}

const CHUNK = 16 * 1024;
/** Raw text at least this long goes straight to the sink instead of being copied. */
const DIRECT = 4 * 1024;
const GT = 0x3e;
const LT = 0x3c;
const AMP = 0x26;

interface Frame {
  /** Namespace declarations rendered in the output so far (prefix → URI; "" = default). */
  readonly rendered: ReadonlyMap<string, string>;
  /** Inclusive mode only: namespaces in scope in the input. */
  readonly inScope: ReadonlyMap<string, string>;
  readonly qname: string;
}

const EMPTY_MAP: ReadonlyMap<string, string> = new Map();

interface NamespaceRendering {
  /** What the nearest output ancestor has rendered. */
  readonly base: ReadonlyMap<string, string>;
  /** Copy-on-write: only elements that declare something get their own map. */
  rendered: Map<string, string> | undefined;
  readonly decls: [string, string][];
}

function renderNamespace(ns: NamespaceRendering, prefix: string, uri: string): void {
  if (prefix === "xml") return;
  const current = (ns.rendered ?? ns.base).get(prefix) ?? (prefix === "" ? "" : undefined);
  // An unprefixed name in no namespace under an unset default: nothing to undeclare.
  if (current === uri || (prefix !== "" && uri === "")) return;
  ns.rendered ??= new Map(ns.base);
  ns.rendered.set(prefix, uri);
  ns.decls.push([prefix, uri]);
}

export function compareCodePoints(a: string, b: string): number {
  // UTF-16 order differs from code-point order only around surrogates; handle that case.
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

const TEXT_SPECIAL = /[&<>\r]/g;
const ATTR_SPECIAL = /[&<"\t\n\r]/g;
const TEXT_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" };
const ATTR_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  '"': "&quot;",
  "\t": "&#x9;",
  "\n": "&#xA;",
  "\r": "&#xD;",
};

export const escapeText = (s: string): string => s.replace(TEXT_SPECIAL, (c) => TEXT_ESCAPES[c]!);
export const escapeAttribute = (s: string): string => s.replace(ATTR_SPECIAL, (c) => ATTR_ESCAPES[c]!);

export class StreamingCanonicalizer {
  private readonly stack: Frame[] = [];
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  private rootSeen = false;
  private done = false;

  constructor(
    readonly mode: C14nMode,
    private readonly sink: (bytes: Buffer) => void,
    private readonly options: C14nOptions = {},
  ) {}

  get depth(): number {
    return this.stack.length;
  }

  startElement(el: C14nElement): void {
    if (this.done && this.stack.length === 0) throw new Error("c14n: second document element");
    const apex = this.stack.length === 0;
    const parent = this.stack.at(-1);
    const renderedIn = parent?.rendered ?? EMPTY_MAP;
    // Namespace declarations to render (no closure here: this runs for every element).
    const ns: NamespaceRendering = { base: renderedIn, rendered: undefined, decls: [] };
    let inScope = parent?.inScope ?? EMPTY_MAP;
    if (this.mode === "exc-c14n") {
      renderNamespace(ns, el.prefix || "", el.namespaceURI ?? "");
      for (const a of el.attributes) {
        if (!a.isNamespaceDeclaration && a.prefix) renderNamespace(ns, a.prefix, a.namespaceURI ?? "");
      }
    } else {
      if (apex && this.options.inheritedNamespaces) inScope = this.options.inheritedNamespaces;
      if (el.namespaceDeclarations.length > 0) {
        const next = new Map(inScope);
        for (const d of el.namespaceDeclarations) next.set(d.prefix, d.uri);
        inScope = next;
      }
      if (apex) for (const [p, u] of inScope) renderNamespace(ns, p, u);
      else
        for (const d of el.namespaceDeclarations) renderNamespace(ns, d.prefix, inScope.get(d.prefix) ?? "");
    }
    const rendered = ns.rendered;
    const decls = ns.decls;

    this.stack.push({ rendered: rendered ?? renderedIn, inScope, qname: el.qname });
    this.rootSeen = true;

    let out = `<${el.qname}`;
    if (decls.length > 1) decls.sort((x, y) => compareCodePoints(x[0], y[0]));
    for (const [p, u] of decls)
      out += p === "" ? ` xmlns="${escapeAttribute(u)}"` : ` xmlns:${p}="${escapeAttribute(u)}"`;

    let attrs: { ns: string; local: string; qname: string; value: string }[] = [];
    for (const a of el.attributes) {
      if (a.isNamespaceDeclaration) continue;
      const ns = a.prefix === "xml" ? XML_NS : (a.namespaceURI ?? "");
      attrs.push({ ns, local: a.localName, qname: a.qname, value: a.value });
    }
    if (apex && this.mode === "c14n" && this.options.inheritedXmlAttributes) {
      for (const [local, value] of this.options.inheritedXmlAttributes) {
        if (!attrs.some((a) => a.ns === XML_NS && a.local === local)) {
          attrs.push({ ns: XML_NS, local, qname: `xml:${local}`, value });
        }
      }
    }
    if (attrs.length > 1) {
      attrs = attrs.sort((x, y) => compareCodePoints(x.ns, y.ns) || compareCodePoints(x.local, y.local));
    }
    for (const a of attrs) out += ` ${a.qname}="${escapeAttribute(a.value)}"`;
    this.writeString(`${out}>`);
  }

  endElement(): void {
    const frame = this.stack.pop();
    if (!frame) throw new Error("c14n: unbalanced end tag");
    this.writeString(`</${frame.qname}>`);
    if (this.stack.length === 0) this.done = true;
  }

  /** Text already decoded (entities resolved, line ends normalised). */
  textString(text: string): void {
    if (this.stack.length === 0 || text.length === 0) return;
    this.writeString(escapeText(text));
  }

  /**
   * A text piece as raw UTF-8 bytes whose decoded form equals the bytes (no '&', no '\r').
   * `cdata`: the bytes are CDATA content, where '<' and '&' may also appear.
   */
  textPlain(raw: Buffer, cdata: boolean): void {
    if (this.stack.length === 0 || raw.length === 0) return;
    if (raw.indexOf(GT) !== -1 || (cdata && (raw.indexOf(LT) !== -1 || raw.indexOf(AMP) !== -1))) {
      this.writeString(escapeText(raw.toString("utf8")));
      return;
    }
    this.writeBytes(raw);
  }

  processingInstruction(target: string, data: string): void {
    // The XML declaration is not a processing instruction; a parser that reports it as one
    // must not make it part of the canonical form.
    if (target === "xml") return;
    const body = data.replace(/^[ \t\r\n]+/, "");
    const pi = body ? `<?${target} ${body}?>` : `<?${target}?>`;
    if (this.stack.length > 0) this.writeString(pi);
    else if (this.rootSeen) this.writeString(`\n${pi}`);
    else this.writeString(`${pi}\n`);
  }

  /** Flushes what is buffered; call once after the last event. */
  end(): void {
    if (this.stack.length !== 0) throw new Error("c14n: unclosed elements");
    this.flush();
  }

  flush(): void {
    if (this.pos === 0) return;
    this.sink(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  private writeBytes(bytes: Buffer): void {
    if (bytes.length >= DIRECT) {
      this.flush();
      this.sink(bytes);
      return;
    }
    if (this.pos + bytes.length > CHUNK) this.flush();
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
  }

  private writeString(s: string): void {
    if (s.length * 3 > CHUNK - this.pos) {
      this.flush();
      if (s.length * 3 > CHUNK) {
        this.sink(Buffer.from(s, "utf8"));
        return;
      }
    }
    this.pos += this.buf.write(s, this.pos, "utf8");
  }
}
