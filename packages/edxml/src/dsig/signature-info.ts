/**
 * The ds:Signature element, captured as a small tree while the package streams by, and its
 * strict reading: one SignedInfo, one Reference with URI="", only the accepted transforms,
 * strict base64, no comments or processing instructions anywhere inside (CVE-2025-29775 hid a
 * comment in DigestValue), no ds:Object (a classic wrapping carrier).
 */
import { EdxmlError } from "../errors.ts";
import {
  C14N_2001,
  CANONICALIZATIONS,
  type Canonicalization,
  DIGESTS,
  type DigestName,
  DSIG_NS,
  decodeStrictBase64,
  ENVELOPED,
  EXC_C14N,
  SIGNATURE_METHODS,
  type SignatureMethodName,
} from "./algorithms.ts";
import type { C14nElement } from "./c14n.ts";
import { StreamingCanonicalizer } from "./c14n.ts";

export interface CapturedElement {
  readonly kind: "element";
  readonly tag: C14nElement;
  readonly children: CapturedNode[];
}
export type CapturedNode =
  | CapturedElement
  | { readonly kind: "text"; readonly value: string }
  | { readonly kind: "comment" }
  | { readonly kind: "pi"; readonly target: string; readonly data: string };

/** Bounds on what a Signature element may hold (its certificates dominate). */
const MAX_CAPTURED_CHARS = 512 * 1024;
const MAX_CAPTURED_ELEMENTS = 256;

/** Builds the tree of one element subtree from scanner-like events. */
export class SubtreeCapture {
  readonly root: CapturedElement;
  private readonly open: CapturedElement[];
  private chars = 0;
  private elements = 1;

  constructor(tag: C14nElement) {
    this.root = { kind: "element", tag, children: [] };
    this.open = [this.root];
  }

  get finished(): boolean {
    return this.open.length === 0;
  }

  startElement(tag: C14nElement): void {
    if (++this.elements > MAX_CAPTURED_ELEMENTS) {
      throw new EdxmlError("EDXML_SIGNATURE_TOO_LARGE", { what: "elements in ds:Signature" });
    }
    const el: CapturedElement = { kind: "element", tag, children: [] };
    this.open.at(-1)!.children.push(el);
    this.open.push(el);
  }

  endElement(): void {
    this.open.pop();
  }

  text(value: string): void {
    this.chars += value.length;
    if (this.chars > MAX_CAPTURED_CHARS) {
      throw new EdxmlError("EDXML_SIGNATURE_TOO_LARGE", { what: "text in ds:Signature" });
    }
    const children = this.open.at(-1)!.children;
    const last = children.at(-1);
    if (last?.kind === "text") children[children.length - 1] = { kind: "text", value: last.value + value };
    else children.push({ kind: "text", value });
  }

  comment(): void {
    this.open.at(-1)!.children.push({ kind: "comment" });
  }

  processingInstruction(target: string, data: string): void {
    this.open.at(-1)!.children.push({ kind: "pi", target, data });
  }
}

export interface ParsedSignature {
  readonly signedInfo: CapturedElement;
  readonly signedInfoC14n: Canonicalization;
  /** How the document (minus the signature) is canonicalised before digesting. */
  readonly documentC14n: Canonicalization;
  readonly digestAlgorithm: DigestName;
  readonly digestValue: Buffer;
  readonly signatureMethod: SignatureMethodName;
  readonly signatureMethodKey: "rsa" | "ec";
  readonly signatureHash: DigestName;
  readonly signatureValue: Buffer;
  /** KeyInfo/X509Data/X509Certificate, in document order (the first is the signer's). */
  readonly certificates: readonly Buffer[];
  readonly legacyAlgorithm: boolean;
}

const malformed = (reason: string) => new EdxmlError("EDXML_SIGNATURE_MALFORMED", { reason });

function isDsig(el: CapturedElement, localName: string): boolean {
  return el.tag.namespaceURI === DSIG_NS && el.tag.localName === localName;
}

/** Element children; anything else must be whitespace (no text, comment or PI). */
function elementChildren(el: CapturedElement): CapturedElement[] {
  const out: CapturedElement[] = [];
  for (const c of el.children) {
    if (c.kind === "element") {
      if (c.tag.namespaceURI !== DSIG_NS)
        throw malformed(`foreign element ${c.tag.qname} in ${el.tag.localName}`);
      out.push(c);
    } else if (c.kind === "text") {
      if (!/^[ \t\r\n]*$/.test(c.value)) throw malformed(`text in ${el.tag.localName}`);
    } else
      throw malformed(
        `${c.kind === "comment" ? "comment" : "processing instruction"} in ${el.tag.localName}`,
      );
  }
  return out;
}

/** Text-only content (no element, comment or PI inside). */
function textContent(el: CapturedElement): string {
  let s = "";
  for (const c of el.children) {
    if (c.kind !== "text") throw malformed(`${el.tag.localName} must contain text only`);
    s += c.value;
  }
  return s;
}

function attribute(el: CapturedElement, name: string): string | undefined {
  for (const a of el.tag.attributes) if (!a.isNamespaceDeclaration && a.qname === name) return a.value;
  return undefined;
}

function algorithmOf(el: CapturedElement): string {
  const algorithm = attribute(el, "Algorithm");
  if (algorithm === undefined) throw malformed(`${el.tag.localName} without Algorithm`);
  return algorithm;
}

function base64Of(el: CapturedElement): Buffer {
  const bytes = decodeStrictBase64(textContent(el));
  if (!bytes) throw new EdxmlError("EDXML_SIGNATURE_BASE64", { element: el.tag.localName });
  return bytes;
}

/** Walks the children in the order the schema gives; `take(name)` consumes the next if it matches. */
function sequence(el: CapturedElement) {
  const children = elementChildren(el);
  let i = 0;
  return {
    take(name: string): CapturedElement | undefined {
      const c = children[i];
      if (c && isDsig(c, name)) {
        i++;
        return c;
      }
      return undefined;
    },
    takeAll(name: string): CapturedElement[] {
      const out: CapturedElement[] = [];
      for (let c = this.take(name); c; c = this.take(name)) out.push(c);
      return out;
    },
    rest(): CapturedElement[] {
      return children.slice(i);
    },
  };
}

export function parseSignature(
  signature: CapturedElement,
  policy: { allowRsaSha1: boolean },
): ParsedSignature {
  const top = sequence(signature);
  const signedInfos = top.takeAll("SignedInfo");
  if (signedInfos.length !== 1)
    throw malformed(`${signedInfos.length} SignedInfo elements (exactly one expected)`);
  const signatureValueEl = top.take("SignatureValue");
  if (!signatureValueEl) throw malformed("missing SignatureValue");
  const keyInfo = top.take("KeyInfo");
  const extra = top.rest()[0];
  if (extra) {
    if (isDsig(extra, "SignedInfo")) throw malformed("several SignedInfo elements");
    throw malformed(`unexpected ${extra.tag.localName} in Signature`);
  }
  const signedInfo = signedInfos[0]!;

  const si = sequence(signedInfo);
  const c14nEl = si.take("CanonicalizationMethod");
  const methodEl = si.take("SignatureMethod");
  if (!c14nEl || !methodEl)
    throw malformed("SignedInfo must start with CanonicalizationMethod, SignatureMethod");
  const references = si.takeAll("Reference");
  const unexpected = si.rest()[0];
  if (unexpected) {
    if (isDsig(unexpected, "Reference")) {
      throw new EdxmlError("EDXML_SIGNATURE_REFERENCE", { reason: "several Reference elements" });
    }
    throw malformed(`unexpected ${unexpected.tag.localName} in SignedInfo`);
  }
  if (references.length !== 1) {
    throw new EdxmlError("EDXML_SIGNATURE_REFERENCE", { reason: `${references.length} Reference elements` });
  }

  const c14nUri = algorithmOf(c14nEl);
  const signedInfoC14n = CANONICALIZATIONS[c14nUri];
  if (!signedInfoC14n) throw new EdxmlError("EDXML_SIGNATURE_TRANSFORM_UNSUPPORTED", { algorithm: c14nUri });
  if (elementChildren(c14nEl).length > 0) {
    throw new EdxmlError("EDXML_SIGNATURE_TRANSFORM_UNSUPPORTED", {
      algorithm: `${c14nUri} with parameters`,
    });
  }
  const methodUri = algorithmOf(methodEl);
  const method = SIGNATURE_METHODS[methodUri];
  if (!method) throw new EdxmlError("EDXML_SIGNATURE_ALGORITHM_UNSUPPORTED", { algorithm: methodUri });
  if (elementChildren(methodEl).length > 0) {
    throw new EdxmlError("EDXML_SIGNATURE_ALGORITHM_UNSUPPORTED", {
      algorithm: `${methodUri} with parameters`,
    });
  }

  const reference = references[0]!;
  const uri = attribute(reference, "URI");
  if (uri !== "") {
    throw new EdxmlError("EDXML_SIGNATURE_REFERENCE", {
      reason: uri === undefined ? "Reference without URI" : `URI="${uri}"`,
    });
  }
  const ref = sequence(reference);
  const transformsEl = ref.take("Transforms");
  const digestMethodEl = ref.take("DigestMethod");
  const digestValueEl = ref.take("DigestValue");
  if (!digestMethodEl || !digestValueEl || ref.rest().length > 0) {
    throw malformed("Reference must hold Transforms?, DigestMethod, DigestValue");
  }
  const transforms: string[] = [];
  if (transformsEl) {
    const t = sequence(transformsEl);
    for (const transform of t.takeAll("Transform")) {
      const algorithm = algorithmOf(transform);
      if (transform.children.some((c) => c.kind === "element")) {
        throw new EdxmlError("EDXML_SIGNATURE_TRANSFORM_UNSUPPORTED", {
          algorithm: `${algorithm} with parameters`,
        });
      }
      elementChildren(transform);
      transforms.push(algorithm);
    }
    if (t.rest().length > 0) throw malformed("unexpected element in Transforms");
  }
  let documentC14n: Canonicalization;
  if (transforms.length === 2 && transforms[0] === ENVELOPED && transforms[1] === EXC_C14N)
    documentC14n = "exc-c14n";
  else if (transforms.length === 1 && transforms[0] === ENVELOPED) documentC14n = "c14n";
  else if (transforms.length === 2 && transforms[0] === ENVELOPED && transforms[1] === C14N_2001)
    documentC14n = "c14n";
  else {
    const offending =
      transforms.find((t) => t !== ENVELOPED && t !== EXC_C14N && t !== C14N_2001) ?? transforms.join(" + ");
    throw new EdxmlError("EDXML_SIGNATURE_TRANSFORM_UNSUPPORTED", {
      algorithm: offending || "(no transform)",
    });
  }

  const digestUri = algorithmOf(digestMethodEl);
  const digest = DIGESTS[digestUri];
  if (!digest) throw new EdxmlError("EDXML_SIGNATURE_ALGORITHM_UNSUPPORTED", { algorithm: digestUri });
  elementChildren(digestMethodEl);
  const digestValue = base64Of(digestValueEl);
  if (digestValue.length !== digest.length)
    throw new EdxmlError("EDXML_SIGNATURE_BASE64", { element: "DigestValue" });
  const signatureValue = base64Of(signatureValueEl);

  const legacyAlgorithm = digest.legacy || method.legacy;
  if (legacyAlgorithm && !policy.allowRsaSha1) {
    throw new EdxmlError("EDXML_SIGNATURE_ALGORITHM_DISALLOWED", {
      algorithm: method.legacy ? methodUri : digestUri,
    });
  }

  if (!keyInfo) throw new EdxmlError("EDXML_SIGNATURE_CERTIFICATE", { reason: "no KeyInfo" });
  const certificates: Buffer[] = [];
  for (const item of elementChildren(keyInfo)) {
    if (!isDsig(item, "X509Data")) continue; // KeyName, KeyValue: never used for trust
    for (const x of elementChildren(item)) {
      if (isDsig(x, "X509Certificate")) certificates.push(base64Of(x));
    }
  }
  if (certificates.length === 0) {
    throw new EdxmlError("EDXML_SIGNATURE_CERTIFICATE", { reason: "no KeyInfo/X509Data/X509Certificate" });
  }

  return {
    signedInfo,
    signedInfoC14n,
    documentC14n,
    digestAlgorithm: digest.name,
    digestValue,
    signatureMethod: method.name,
    signatureMethodKey: method.key,
    signatureHash: method.hash,
    signatureValue,
    certificates,
    legacyAlgorithm,
  };
}

/** Canonical bytes of a captured subtree (comments and PIs inside were already refused). */
export function canonicalizeCaptured(
  root: CapturedElement,
  mode: Canonicalization,
  inherited: {
    namespaces?: ReadonlyMap<string, string>;
    xmlAttributes?: ReadonlyMap<string, string>;
  } = {},
): Buffer {
  const chunks: Buffer[] = [];
  const c = new StreamingCanonicalizer(mode, (b) => chunks.push(Buffer.from(b)), {
    ...(inherited.namespaces ? { inheritedNamespaces: inherited.namespaces } : {}),
    ...(inherited.xmlAttributes ? { inheritedXmlAttributes: inherited.xmlAttributes } : {}),
  });
  const walk = (el: CapturedElement) => {
    c.startElement(el.tag);
    for (const child of el.children) {
      if (child.kind === "element") walk(child);
      else if (child.kind === "text") c.textString(child.value);
      else if (child.kind === "pi") c.processingInstruction(child.target, child.data);
    }
    c.endElement();
  };
  walk(root);
  c.end();
  return Buffer.concat(chunks);
}
