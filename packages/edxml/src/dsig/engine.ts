/**
 * One pass over an edXML package: finds the package signature (the ds:Signature that is the
 * last child of edXML/edXMLEnvelope/edXMLHeader), refuses any other ds:Signature, captures the
 * signature element, and canonicalises the rest of the document (the enveloped-signature
 * transform) into a digest as the bytes stream by.
 *
 * When verifying, the canonicalisation and digest algorithm are only known once the signature
 * has been read, which happens before the body: until then both candidate canonical forms
 * (exclusive and, for legacy signatures, inclusive) are kept in memory (a header's worth of
 * bytes, bounded), then the chosen one is digested and continues straight into the hash.
 *
 * The same pass can also prepare the package's forwarded form (`forward`): the digest an axis
 * node signs after appending its TraceHeader, computed without building the new bytes. The
 * exclusive canonicaliser is shared between verification and forwarding (their canonical
 * streams are the same but for the new hop); at the insertion point the hash state is copied
 * (`Hash.copy()`), the hop's canonical bytes are produced by the same canonicaliser with its
 * output held aside, and the copy continues with the hop and the bytes that followed.
 */
import { createHash, type Hash } from "node:crypto";
import { escapeXml } from "../build.ts";
import { EdxmlError } from "../errors.ts";
import { formatTimestamp } from "../model.ts";
import {
  decodeText,
  type EndTag,
  type ScanHandler,
  type ScanLimits,
  type StartTag,
  XmlScanner,
} from "../xml/scanner.ts";
import { type Canonicalization, type DigestName, DSIG_NS, EDXML_NS } from "./algorithms.ts";
import { StreamingCanonicalizer, XML_NS } from "./c14n.ts";
import { type CapturedElement, SubtreeCapture } from "./signature-info.ts";

/** Canonical bytes kept per candidate form before the signature says which one counts. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;

export interface ScanResult {
  /** SHA-256 of the exact input bytes. */
  readonly inputSha256: Buffer;
  readonly size: number;
  /** The captured package signature, if any. */
  readonly signature: CapturedElement | null;
  /** Namespaces in scope on the ds:Signature element (for inclusive C14N of SignedInfo). */
  readonly signatureNamespaces: ReadonlyMap<string, string>;
  /** xml:* attributes in scope on the ds:Signature element. */
  readonly signatureXmlAttributes: ReadonlyMap<string, string>;
  /** Byte range of the package signature element. */
  readonly signatureRange: { start: number; end: number } | null;
  /** Offset of `</…edXMLHeader>`, or -1 without a header. */
  readonly headerEndTagStart: number;
  readonly headerCount: number;
  /** Canonical digest of the document minus the package signature, when it was computed. */
  readonly documentDigest: Buffer | null;
  /** With the `forward` option: what the forwarded package needs. */
  readonly forward: ForwardScan | null;
}

/** A hop appended to TraceHeaderList by a node (QCVN 102 TraceHeader: OrganId + Timestamp). */
export interface TraceHop {
  organId: string;
  timestamp: Date;
}

/** A change to the received bytes: `remove` bytes at `at` replaced by `insert`. */
export interface EdxmlSplice {
  at: number;
  remove: number;
  insert: Buffer;
}

export interface ForwardScan {
  /** Exclusive-C14N SHA-256 of the forwarded document minus its signature: what a node signs. */
  readonly digest: Buffer;
  /** The TraceHeader insertion, when a hop was given. */
  readonly trace: EdxmlSplice | null;
}

/** The TraceHeader element as inserted, in the prefix of the list it joins. */
export function traceHeaderXml(hop: TraceHop, prefix: string): string {
  const p = prefix ? `${prefix}:` : "";
  if (Number.isNaN(hop.timestamp.getTime()))
    throw new EdxmlError("EDXML_TRACE_INSERT", { reason: "invalid timestamp" });
  return (
    `<${p}TraceHeader><${p}OrganId>${escapeXml(hop.organId)}</${p}OrganId>` +
    `<${p}Timestamp>${formatTimestamp(hop.timestamp)}</${p}Timestamp></${p}TraceHeader>`
  );
}

/** State of the forwarded form's digest along the pass. */
interface ForwardTrack {
  readonly hop: TraceHop | undefined;
  hash: Hash;
  /** Hash state at the latest candidate insertion point, and the canonical bytes since. */
  mark: Hash | null;
  tail: Buffer[];
  /** Where the hop goes in the received bytes (latest candidate). */
  location: { at: number; prefix: string; selfClosing: { end: number; qname: string } | null } | null;
  trace: EdxmlSplice | null;
  listSeen: boolean;
  /** No TraceHeaderList is not an error (the hop is then simply not inserted). */
  readonly optional: boolean;
}

/** Decides, once the signature is captured, how the document must be digested. */
export type DigestChoice = (
  signature: CapturedElement,
) => { c14n: Canonicalization; digest: DigestName } | null;

interface Pending {
  readonly mode: Canonicalization;
  readonly c14n: StreamingCanonicalizer;
  chunks: Buffer[] | null;
  bytes: number;
  hash: Hash | null;
  /** More canonical bytes came before the signature than we keep: only fatal if one comes. */
  overflow: boolean;
}

interface Frame {
  readonly localName: string;
  readonly namespaceURI: string | null;
  /**
   * Role in the edXML skeleton: 1 root edXML, 2 edXMLEnvelope, 3 edXMLHeader,
   * 4 its TraceHeaderList, 5 a TraceHeader in it, 0 other.
   */
  readonly role: number;
}

/**
 * The events side of a package scan. `PackageScanner` feeds it from its own tokeniser; a caller
 * that already tokenises the package (the parser, see `parseAndForwardEdxml`) feeds it the same
 * events and hands over the input's size and hash at the end.
 */
export class PackageScanHandler implements ScanHandler {
  private readonly frames: Frame[] = [];
  private readonly candidates: Pending[] = [];
  /** The exclusive canonicaliser, shared by the exc-c14n candidate and the forward track. */
  private exclusive: StreamingCanonicalizer | null = null;
  private readonly forward: ForwardTrack | null;
  /** While the hop's own canonical bytes are produced: the shared output goes here only. */
  private heldAside: Buffer[] | null = null;

  private nsStack: ReadonlyMap<string, string>[] = [new Map()];
  private xmlAttrStack: ReadonlyMap<string, string>[] = [new Map()];

  private signatureCount = 0;
  private capture: SubtreeCapture | null = null;
  private signature: CapturedElement | null = null;
  private signatureStart = -1;
  private signatureRange: { start: number; end: number } | null = null;
  private signatureNamespaces: ReadonlyMap<string, string> = new Map();
  private signatureXmlAttributes: ReadonlyMap<string, string> = new Map();
  /** Inside the package header, after its signature: only whitespace and comments may follow. */
  private afterSignature = false;
  private headerCount = 0;
  private headerEndTagStart = -1;
  /** Once the header is closed without a signature (or a choice is made), the losers stop. */
  private decided = false;
  private chosen: Pending | null = null;

  /**
   * @param mode canonicalisation and digest known in advance (signing), or `choose` called
   *   with the captured signature to pick them (verifying), or `none` (only `forward`).
   * @param forward also compute the forwarded form's digest, with this hop appended.
   */
  constructor(
    private readonly mode:
      | { fixed: { c14n: Canonicalization; digest: DigestName } }
      | { choose: DigestChoice }
      | { none: true },
    forward?: { hop?: TraceHop | undefined; optional?: boolean },
  ) {
    this.forward = forward
      ? {
          hop: forward.hop,
          hash: createHash("sha256"),
          mark: null,
          tail: [],
          location: null,
          trace: null,
          listSeen: false,
          optional: forward.optional === true,
        }
      : null;
    if (this.forward) this.exclusive = this.canonicalizer("exc-c14n");
    if ("fixed" in mode) {
      const pending = this.pending(mode.fixed.c14n);
      pending.chunks = null;
      pending.hash = createHash(mode.fixed.digest);
      this.chosen = pending;
      this.decided = true;
    } else if ("choose" in mode) {
      this.pending("exc-c14n");
      this.pending("c14n");
    } else {
      this.decided = true;
    }
  }

  /** A canonicaliser whose output goes to the candidates of its form (and the forward track). */
  private canonicalizer(form: Canonicalization): StreamingCanonicalizer {
    return new StreamingCanonicalizer(form, (b) => {
      if (this.heldAside) {
        this.heldAside.push(Buffer.from(b));
        return;
      }
      for (const p of this.candidates) if (p.mode === form) this.accept(p, b);
      if (form === "exc-c14n" && this.forward) {
        this.forward.hash.update(b);
        if (this.forward.mark) this.forward.tail.push(Buffer.from(b));
      }
    });
  }

  private pending(form: Canonicalization): Pending {
    if (form === "exc-c14n") this.exclusive ??= this.canonicalizer("exc-c14n");
    const c14n = form === "exc-c14n" ? this.exclusive! : this.canonicalizer(form);
    const pending: Pending = { mode: form, c14n, chunks: [], bytes: 0, hash: null, overflow: false };
    this.candidates.push(pending);
    return pending;
  }

  private accept(pending: Pending, b: Buffer): void {
    if (pending.hash) {
      pending.hash.update(b);
      return;
    }
    if (!pending.chunks) return;
    pending.bytes += b.length;
    if (pending.bytes > MAX_PENDING_BYTES) {
      pending.chunks = null;
      pending.overflow = true;
      return;
    }
    pending.chunks.push(Buffer.from(b));
  }

  /** After the scanner's end: the scan's findings, for an input of this size and SHA-256. */
  result(input: { size: number; sha256: Buffer }): ScanResult {
    let documentDigest: Buffer | null = null;
    const ended = new Set<StreamingCanonicalizer>();
    const finish = (c: StreamingCanonicalizer) => {
      if (!ended.has(c)) c.end();
      ended.add(c);
    };
    if (this.chosen?.hash && (this.signature || "fixed" in this.mode)) {
      finish(this.chosen.c14n);
      documentDigest = this.chosen.hash.digest();
    }
    let forward: ForwardScan | null = null;
    if (this.forward) {
      if (this.headerCount !== 1 || this.headerEndTagStart < 0) throw new EdxmlError("EDXML_SIGN_NO_HEADER");
      if (this.forward.hop && !this.forward.trace && !this.forward.optional)
        throw new EdxmlError("EDXML_TRACE_INSERT", {
          reason: "no edXMLEnvelope/edXMLHeader/TraceHeaderList",
        });
      finish(this.exclusive!);
      forward = { digest: this.forward.hash.digest(), trace: this.forward.trace };
    }
    return {
      inputSha256: input.sha256,
      size: input.size,
      signature: this.signature,
      signatureNamespaces: this.signatureNamespaces,
      signatureXmlAttributes: this.signatureXmlAttributes,
      signatureRange: this.signatureRange,
      headerEndTagStart: this.headerEndTagStart,
      headerCount: this.headerCount,
      documentDigest,
      forward,
    };
  }

  // ------------------------------------------------------------------ scanner events

  startElement(tag: StartTag): void {
    if (this.capture) {
      this.capture.startElement(tag);
      return;
    }
    const parent = this.frames.at(-1);
    const isDsigSignature = tag.namespaceURI === DSIG_NS && tag.localName === "Signature";
    if (parent?.role === 3 && this.afterSignature) {
      throw new EdxmlError("EDXML_SIGNATURE_MISPLACED", { where: `followed by ${tag.qname} in edXMLHeader` });
    }
    if (isDsigSignature) {
      if (++this.signatureCount > 1)
        throw new EdxmlError("EDXML_SIGNATURE_MULTIPLE", { count: this.signatureCount });
      if (parent?.role !== 3)
        throw new EdxmlError("EDXML_SIGNATURE_MISPLACED", { where: this.path(tag.qname) });
      if (this.headerCount > 1)
        throw new EdxmlError("EDXML_SIGNATURE_MISPLACED", { where: "in a second edXMLHeader" });
      this.signatureStart = tag.start;
      this.signatureNamespaces = this.scopeAfter(tag);
      this.signatureXmlAttributes = this.xmlAttributesAfter(tag);
      this.capture = new SubtreeCapture(tag);
      return;
    }
    if (tag.localName === "Signature" && parent?.role === 3) {
      // A Signature outside the xmldsig namespace (seen in one legacy sample) is no signature.
      throw new EdxmlError("EDXML_SIGNATURE_MALFORMED", {
        reason: `Signature in namespace ${tag.namespaceURI ?? "(none)"}`,
      });
    }

    let role = 0;
    if (tag.namespaceURI === EDXML_NS) {
      if (!parent && tag.localName === "edXML") role = 1;
      else if (parent?.role === 1 && tag.localName === "edXMLEnvelope") role = 2;
      else if (parent?.role === 2 && tag.localName === "edXMLHeader") {
        role = 3;
        if (++this.headerCount > 1 && this.signatureCount > 0) {
          throw new EdxmlError("EDXML_SIGNATURE_MISPLACED", {
            where: "signed edXMLHeader followed by another",
          });
        }
      }
    }
    const lower = role === 0 && this.forward ? tag.localName.toLowerCase() : "";
    if (parent?.role === 3 && lower === "traceheaderlist" && !this.forward!.listSeen) role = 4;
    else if (parent?.role === 4 && lower === "traceheader") role = 5;
    if (!parent && role !== 1) this.stopCandidates(); // not an edXML package: no package signature
    this.frames.push({ localName: tag.localName, namespaceURI: tag.namespaceURI, role });
    this.nsStack.push(this.scopeAfter(tag));
    this.xmlAttrStack.push(this.xmlAttributesAfter(tag));
    for (const c of this.canonicalizers()) c.startElement(tag);
    if (role === 4) {
      // The hop goes first in an empty list; after each TraceHeader otherwise (the last wins).
      this.forward!.listSeen = true;
      this.markInsertion(tag.end, tag.prefix, tag.selfClosing ? { end: tag.end, qname: tag.qname } : null);
    }
  }

  endElement(tag: EndTag): void {
    if (this.capture) {
      if (this.capture.finished) throw new Error("unreachable");
      this.capture.endElement();
      if (this.capture.finished) {
        this.signature = this.capture.root;
        this.capture = null;
        this.signatureRange = { start: this.signatureStart, end: tag.end };
        this.afterSignature = true;
        this.decide();
      }
      return;
    }
    const frame = this.frames.at(-1)!;
    if (frame.role === 4) this.insertHop();
    this.frames.pop();
    this.nsStack.pop();
    this.xmlAttrStack.pop();
    for (const c of this.canonicalizers()) c.endElement();
    if (frame.role === 5) this.markInsertion(tag.end, tag.prefix, null);
    if (frame.role === 3) {
      this.afterSignature = false;
      if (this.headerEndTagStart === -1) this.headerEndTagStart = tag.start;
    }
    // The header (or the envelope) closed without a signature: unsigned, stop canonicalising.
    if (frame.role === 3 || frame.role === 2) this.stopCandidates();
  }

  text(raw: Buffer, plain: boolean, _start: number, cdata: boolean): void {
    if (this.capture) {
      this.capture.text(decodeText(raw, cdata));
      return;
    }
    if (
      this.afterSignature &&
      this.frames.at(-1)?.role === 3 &&
      !/^[ \t\r\n]*$/.test(decodeText(raw, cdata))
    ) {
      throw new EdxmlError("EDXML_SIGNATURE_MISPLACED", { where: "followed by text in edXMLHeader" });
    }
    const active = this.canonicalizers();
    if (active.length === 0) return;
    if (plain) {
      for (const c of active) c.textPlain(raw, cdata);
    } else {
      const decoded = decodeText(raw, cdata);
      for (const c of active) c.textString(decoded);
    }
  }

  comment(): void {
    this.capture?.comment();
  }

  processingInstruction(target: string, data: string): void {
    if (this.capture) {
      this.capture.processingInstruction(target, data);
      return;
    }
    if (this.afterSignature && this.frames.at(-1)?.role === 3) {
      throw new EdxmlError("EDXML_SIGNATURE_MISPLACED", { where: "followed by a processing instruction" });
    }
    for (const c of this.canonicalizers()) c.processingInstruction(target, data);
  }

  // ------------------------------------------------------------------ helpers

  private active(): readonly Pending[] {
    if (this.chosen) return [this.chosen];
    return this.decided ? [] : this.candidates;
  }

  /** The canonicalisers that still need the events (each once, however many it feeds). */
  private canonicalizers(): StreamingCanonicalizer[] {
    const list = this.active().map((p) => p.c14n);
    if (this.forward && !list.includes(this.exclusive!)) list.push(this.exclusive!);
    return list;
  }

  /** A candidate insertion point for the hop: keep the hash state here and the bytes after it. */
  private markInsertion(
    at: number,
    prefix: string,
    selfClosing: { end: number; qname: string } | null,
  ): void {
    const track = this.forward;
    if (!track?.hop) return;
    this.exclusive!.flush();
    track.mark = track.hash.copy();
    track.tail = [];
    track.location = { at, prefix, selfClosing };
  }

  /** At the end of TraceHeaderList: the forwarded digest continues from the last mark + hop. */
  private insertHop(): void {
    const track = this.forward;
    if (!track?.hop || !track.mark || !track.location) return;
    const c14n = this.exclusive!;
    c14n.flush();
    const { prefix, selfClosing } = track.location;
    const uri = this.nsStack.at(-1)!.get(prefix) ?? null;
    const element = (localName: string) => ({
      qname: prefix ? `${prefix}:${localName}` : localName,
      prefix,
      localName,
      namespaceURI: uri,
      attributes: [],
      namespaceDeclarations: [],
    });
    this.heldAside = [];
    c14n.startElement(element("TraceHeader"));
    c14n.startElement(element("OrganId"));
    c14n.textString(track.hop.organId);
    c14n.endElement();
    c14n.startElement(element("Timestamp"));
    c14n.textString(formatTimestamp(track.hop.timestamp));
    c14n.endElement();
    c14n.endElement();
    c14n.flush();
    const hop = this.heldAside;
    this.heldAside = null;
    const hash = track.mark;
    for (const b of hop) hash.update(b);
    for (const b of track.tail) hash.update(b);
    track.hash = hash;
    track.mark = null;
    track.tail = [];
    const xml = traceHeaderXml(track.hop, prefix);
    // A self-closing list is opened: its "/>" (always the tag's last two bytes) becomes ">…</list>".
    track.trace = selfClosing
      ? {
          at: selfClosing.end - 2,
          remove: 2,
          insert: Buffer.from(`>${xml}</${selfClosing.qname}>`, "utf8"),
        }
      : { at: track.location.at, remove: 0, insert: Buffer.from(xml, "utf8") };
  }

  private stopCandidates(): void {
    if (this.decided) return;
    this.decided = true;
    for (const p of this.candidates) p.chunks = null;
  }

  private decide(): void {
    if (!("choose" in this.mode)) return;
    if (this.decided) throw new Error("unreachable: package signature after the decision");
    const choice = this.mode.choose(this.signature!);
    this.decided = true;
    if (!choice) {
      for (const p of this.candidates) p.chunks = null;
      return;
    }
    const pending = this.candidates.find((p) => p.c14n.mode === choice.c14n);
    if (!pending) throw new Error("unreachable: no candidate for the chosen canonicalisation");
    if (pending.overflow) {
      throw new EdxmlError("EDXML_SIGNATURE_TOO_LARGE", { what: "edXMLHeader content before ds:Signature" });
    }
    const hash = createHash(choice.digest);
    for (const b of pending.chunks ?? []) hash.update(b);
    pending.chunks = null;
    pending.hash = hash;
    for (const p of this.candidates) if (p !== pending) p.chunks = null;
    this.chosen = pending;
  }

  private scopeAfter(tag: StartTag): ReadonlyMap<string, string> {
    const current = this.nsStack.at(-1)!;
    if (tag.namespaceDeclarations.length === 0) return current;
    const next = new Map(current);
    for (const d of tag.namespaceDeclarations) {
      if (d.prefix !== "xml") next.set(d.prefix, d.uri);
    }
    return next;
  }

  private xmlAttributesAfter(tag: StartTag): ReadonlyMap<string, string> {
    const current = this.xmlAttrStack.at(-1)!;
    let next: Map<string, string> | null = null;
    for (const a of tag.attributes) {
      if (a.prefix === "xml" || a.namespaceURI === XML_NS) {
        next ??= new Map(current);
        next.set(a.localName, a.value);
      }
    }
    return next ?? current;
  }

  private path(last: string): string {
    return [...this.frames.map((f) => f.localName), last].join("/");
  }
}

/** A package scan over its own tokeniser, hashing the input bytes as they go. */
export class PackageScanner {
  private readonly scanner: XmlScanner;
  private readonly hash = createHash("sha256");
  private size = 0;

  constructor(
    private readonly handler: PackageScanHandler,
    limits?: Partial<ScanLimits>,
  ) {
    this.scanner = new XmlScanner(handler, limits);
  }

  write(chunk: Buffer): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    this.scanner.write(chunk);
  }

  end(): ScanResult {
    this.scanner.end();
    return this.handler.result({ size: this.size, sha256: this.hash.digest() });
  }
}

/**
 * Canonical digest of a package minus its signature (the enveloped transform), streaming.
 * Exposed for tests and tools; `verifyEdxml` and `signEdxml` use the same scanner.
 */
export function canonicalDigest(
  chunks: Buffer | Iterable<Buffer>,
  c14n: Canonicalization,
  digest: DigestName = "sha256",
): Buffer {
  const scanner = new PackageScanner(new PackageScanHandler({ fixed: { c14n, digest } }));
  if (Buffer.isBuffer(chunks)) scanner.write(chunks);
  else for (const chunk of chunks) scanner.write(chunk);
  return scanner.end().documentDigest!;
}
