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
 */
import { createHash, type Hash } from "node:crypto";
import { EdxmlError } from "../errors.ts";
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
}

/** Decides, once the signature is captured, how the document must be digested. */
export type DigestChoice = (
  signature: CapturedElement,
) => { c14n: Canonicalization; digest: DigestName } | null;

interface Pending {
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
  /** Role in the edXML skeleton: 1 root edXML, 2 edXMLEnvelope, 3 edXMLHeader, 0 other. */
  readonly role: number;
}

export class PackageScanner implements ScanHandler {
  private readonly frames: Frame[] = [];
  private readonly candidates: Pending[] = [];
  private readonly rawHash = createHash("sha256");
  private readonly scanner: XmlScanner;
  private size = 0;

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
   * @param fixed canonicalisation and digest known in advance (signing), or
   * @param choose called with the captured signature to pick them (verifying).
   */
  constructor(
    private readonly mode:
      | { fixed: { c14n: Canonicalization; digest: DigestName } }
      | { choose: DigestChoice },
    limits?: Partial<ScanLimits>,
  ) {
    this.scanner = new XmlScanner(this, limits);
    if ("fixed" in mode) {
      const hash = createHash(mode.fixed.digest);
      const pending: Pending = {
        c14n: new StreamingCanonicalizer(mode.fixed.c14n, (b) => hash.update(b)),
        chunks: null,
        bytes: 0,
        hash,
        overflow: false,
      };
      this.candidates.push(pending);
      this.chosen = pending;
      this.decided = true;
    } else {
      for (const c14n of ["exc-c14n", "c14n"] as const) {
        const pending: Pending = {
          chunks: [],
          bytes: 0,
          hash: null,
          overflow: false,
          c14n: new StreamingCanonicalizer(c14n, (b) => {
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
          }),
        };
        this.candidates.push(pending);
      }
    }
  }

  write(chunk: Buffer): void {
    this.size += chunk.length;
    this.rawHash.update(chunk);
    this.scanner.write(chunk);
  }

  end(): ScanResult {
    this.scanner.end();
    let documentDigest: Buffer | null = null;
    if (this.chosen?.hash && (this.signature || "fixed" in this.mode)) {
      this.chosen.c14n.end();
      documentDigest = this.chosen.hash.digest();
    }
    return {
      inputSha256: this.rawHash.digest(),
      size: this.size,
      signature: this.signature,
      signatureNamespaces: this.signatureNamespaces,
      signatureXmlAttributes: this.signatureXmlAttributes,
      signatureRange: this.signatureRange,
      headerEndTagStart: this.headerEndTagStart,
      headerCount: this.headerCount,
      documentDigest,
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
    if (!parent && role !== 1) this.stopCandidates(); // not an edXML package: no package signature
    this.frames.push({ localName: tag.localName, namespaceURI: tag.namespaceURI, role });
    this.nsStack.push(this.scopeAfter(tag));
    this.xmlAttrStack.push(this.xmlAttributesAfter(tag));
    for (const p of this.active()) p.c14n.startElement(tag);
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
    const frame = this.frames.pop()!;
    this.nsStack.pop();
    this.xmlAttrStack.pop();
    for (const p of this.active()) p.c14n.endElement();
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
    const active = this.active();
    if (active.length === 0) return;
    if (plain) {
      for (const p of active) p.c14n.textPlain(raw, cdata);
    } else {
      const decoded = decodeText(raw, cdata);
      for (const p of active) p.c14n.textString(decoded);
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
    for (const p of this.active()) p.c14n.processingInstruction(target, data);
  }

  // ------------------------------------------------------------------ helpers

  private active(): readonly Pending[] {
    if (this.chosen) return [this.chosen];
    return this.decided ? [] : this.candidates;
  }

  private stopCandidates(): void {
    if (this.decided) return;
    this.decided = true;
    for (const p of this.candidates) p.chunks = null;
  }

  private decide(): void {
    if ("fixed" in this.mode) return;
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

/**
 * Canonical digest of a package minus its signature (the enveloped transform), streaming.
 * Exposed for tests and tools; `verifyEdxml` and `signEdxml` use the same scanner.
 */
export function canonicalDigest(
  chunks: Buffer | Iterable<Buffer>,
  c14n: Canonicalization,
  digest: DigestName = "sha256",
): Buffer {
  const scanner = new PackageScanner({ fixed: { c14n, digest } });
  if (Buffer.isBuffer(chunks)) scanner.write(chunks);
  else for (const chunk of chunks) scanner.write(chunk);
  return scanner.end().documentDigest!;
}
