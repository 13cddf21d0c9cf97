/**
 * The generic path: a DOM (@xmldom/xmldom) and xml-crypto's canonicalisers and checkSignature,
 * wrapped in the same strict rules as the streaming verifier. It loads the whole package in
 * memory and parses it twice (once here, once inside xml-crypto), so it is the test oracle and
 * the benchmark baseline, not the production path.
 */
import { createHash, verify as cryptoVerify } from "node:crypto";
import { createRequire } from "node:module";
import type { DOMParser as DOMParserType, Element as XElement } from "@xmldom/xmldom";
import { C14nCanonicalization, ExclusiveCanonicalization, SignedXml } from "xml-crypto";
import { EdxmlError } from "../errors.ts";
import { type Canonicalization, type DigestName, DSIG_NS, ECDSA_SHA256, EDXML_NS } from "./algorithms.ts";
import type { C14nAttribute, C14nElement } from "./c14n.ts";
import { certificateKey } from "./keys.ts";
import { type CapturedElement, type CapturedNode, parseSignature } from "./signature-info.ts";
import { finishVerification, type VerifyOptions, type VerifyResult } from "./verify.ts";

const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/**
 * The DOM xml-crypto itself uses (its own nested @xmldom/xmldom 0.8). Its canonicalisers give
 * wrong output on xmldom 0.9 documents: an element in no namespace under an `xmlns=""` parent
 * gets a redundant `xmlns=""` (0.9 reports the namespace as null, 0.8 as ""), so the
 * "xml-crypto on xmldom 0.9" speed-up measured in limits.md §2b is not a safe configuration.
 */
const { DOMParser } = createRequire(import.meta.resolve("xml-crypto"))("@xmldom/xmldom") as {
  DOMParser: typeof DOMParserType;
};

function parseDom(raw: Buffer) {
  if (raw.includes("<!DOCTYPE") || raw.includes("<!ENTITY"))
    throw new EdxmlError("EDXML_XML_DTD_FORBIDDEN", {});
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== "warning") errors.push(message);
    },
  }).parseFromString(raw.toString("utf8"), "text/xml");
  if (errors.length > 0 || !doc.documentElement) {
    throw new EdxmlError("EDXML_XML_MALFORMED", { offset: -1, reason: errors[0] ?? "no root element" });
  }
  return doc;
}

/** The package signature per the strict placement rules, or null when unsigned. */
function findPackageSignature(doc: ReturnType<typeof parseDom>): XElement | null {
  const all = doc.getElementsByTagNameNS(DSIG_NS, "Signature");
  if (all.length > 1) throw new EdxmlError("EDXML_SIGNATURE_MULTIPLE", { count: all.length });
  const sig = all.item(0);
  if (!sig) return null;
  const header = sig.parentNode as XElement | null;
  const envelope = header?.parentNode as XElement | null;
  const root = envelope?.parentNode as XElement | null;
  const is = (el: XElement | null | undefined, name: string) =>
    el?.namespaceURI === EDXML_NS && el.localName === name;
  if (
    !is(header, "edXMLHeader") ||
    !is(envelope, "edXMLEnvelope") ||
    !is(root, "edXML") ||
    root !== doc.documentElement
  ) {
    throw new EdxmlError("EDXML_SIGNATURE_MISPLACED", { where: `child of ${header?.nodeName ?? "(none)"}` });
  }
  for (let n = header!.previousSibling; n; n = n.previousSibling) {
    if (is(n as XElement, "edXMLHeader"))
      throw new EdxmlError("EDXML_SIGNATURE_MISPLACED", { where: "in a second edXMLHeader" });
  }
  for (let n = sig.nextSibling; n; n = n.nextSibling) {
    if (
      n.nodeType === 1 ||
      n.nodeType === 7 ||
      (n.nodeType === 3 && !/^[ \t\r\n]*$/.test(n.nodeValue ?? ""))
    ) {
      throw new EdxmlError("EDXML_SIGNATURE_MISPLACED", { where: "not the last child of edXMLHeader" });
    }
  }
  return sig;
}

/** DOM element → the tree shape the strict signature reader takes. */
function capture(el: XElement): CapturedElement {
  const attributes: C14nAttribute[] = [];
  const namespaceDeclarations: { prefix: string; uri: string }[] = [];
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    const isDecl = a.namespaceURI === XMLNS_NS || a.name === "xmlns" || a.prefix === "xmlns";
    attributes.push({
      qname: a.name,
      prefix: a.prefix ?? "",
      localName: a.localName ?? a.name,
      namespaceURI: a.namespaceURI ?? null,
      value: a.value,
      isNamespaceDeclaration: isDecl,
    });
    if (isDecl)
      namespaceDeclarations.push({ prefix: a.prefix === "xmlns" ? (a.localName ?? "") : "", uri: a.value });
  }
  const tag: C14nElement = {
    qname: el.tagName,
    prefix: el.prefix ?? "",
    localName: el.localName ?? el.tagName,
    namespaceURI: el.namespaceURI ?? null,
    attributes,
    namespaceDeclarations,
  };
  const children: CapturedNode[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1) children.push(capture(c as XElement));
    else if (c.nodeType === 3 || c.nodeType === 4) {
      const last = children.at(-1);
      const value = c.nodeValue ?? "";
      if (last?.kind === "text") children[children.length - 1] = { kind: "text", value: last.value + value };
      else children.push({ kind: "text", value });
    } else if (c.nodeType === 8) children.push({ kind: "comment" });
    else if (c.nodeType === 7) children.push({ kind: "pi", target: c.nodeName, data: c.nodeValue ?? "" });
  }
  return { kind: "element", tag, children };
}

/**
 * Digest of the package minus its signature (enveloped transform), canonicalised by xml-crypto:
 * the oracle the streaming canonicaliser is tested against.
 */
export function domDocumentDigest(
  raw: Buffer,
  c14n: Canonicalization,
  digest: DigestName = "sha256",
): Buffer {
  const doc = parseDom(raw);
  const sigs = doc.getElementsByTagNameNS(DSIG_NS, "Signature");
  for (let i = sigs.length - 1; i >= 0; i--) {
    const s = sigs.item(i)!;
    s.parentNode?.removeChild(s);
  }
  const C = c14n === "exc-c14n" ? ExclusiveCanonicalization : C14nCanonicalization;
  // xml-crypto canonicalises the document element for URI="" (top-level PIs are not included).
  // xml-crypto is typed against the DOM lib's Element; xmldom's is structurally what it reads.
  const algorithm = new C();
  const process = algorithm.process as (node: unknown, options: object) => string;
  const canonical = process.call(algorithm, doc.documentElement, {});
  return createHash(digest).update(canonical, "utf8").digest();
}

class EcdsaSha256 {
  getAlgorithmName = () => ECDSA_SHA256;
  getSignature = (): string => {
    throw new Error("signing is not done through xml-crypto");
  };
  verifySignature = (material: string, key: string, signatureValue: string): boolean => {
    const value = Buffer.from(signatureValue, "base64");
    if (value.length !== 64) return false;
    return cryptoVerify("sha256", Buffer.from(material, "utf8"), { key, dsaEncoding: "ieee-p1363" }, value);
  };
}

/** Same contract as `verifyEdxml`, through the DOM and xml-crypto's checkSignature. */
export async function verifyEdxmlDom(
  input: Buffer | AsyncIterable<Uint8Array>,
  options: VerifyOptions,
): Promise<VerifyResult> {
  let raw: Buffer;
  if (Buffer.isBuffer(input)) raw = input;
  else {
    const chunks: Buffer[] = [];
    for await (const c of input) chunks.push(Buffer.from(c));
    raw = Buffer.concat(chunks);
  }
  const doc = parseDom(raw);
  const sigEl = findPackageSignature(doc);
  const scan = {
    inputSha256: createHash("sha256").update(raw).digest(),
    size: raw.length,
    signature: sigEl ? capture(sigEl) : null,
    signatureNamespaces: new Map<string, string>(),
    signatureXmlAttributes: new Map<string, string>(),
    documentDigest: null,
  };
  if (!sigEl || !scan.signature) return finishVerification(scan, null, options);
  const parsed = parseSignature(scan.signature, { allowRsaSha1: options.policy?.allowRsaSha1 === true });

  const signer = certificateKey(parsed.certificates[0]!);
  const sx = new SignedXml({ publicCert: signer.certificate.toString(), getCertFromKeyInfo: () => null });
  (sx.SignatureAlgorithms as Record<string, unknown>)[ECDSA_SHA256] = EcdsaSha256;
  sx.loadSignature(sigEl.toString());
  let digestOk = true;
  let signatureOk = true;
  try {
    if (!sx.checkSignature(raw.toString("utf8"))) digestOk = false;
  } catch (error) {
    const message = String((error as Error).message);
    if (/signature value .* is incorrect/.test(message)) signatureOk = false;
    else if (/digest/.test(message)) digestOk = false;
    else throw new EdxmlError("EDXML_SIGNATURE_MALFORMED", { reason: message }, { cause: error });
  }
  return finishVerification(scan, parsed, options, { digestOk, signatureOk });
}
