/**
 * Enveloped XML-DSig over a whole edXML package (Reference URI="", enveloped-signature +
 * exclusive C14N, SHA-256, RSA-SHA256 or ECDSA P-256), placed as the last child of
 * edXMLHeader. The input bytes are never re-serialised: the signature element is spliced in
 * (replacing the previous package signature in place when asked), so every other byte stays.
 */
import { verify as cryptoVerify } from "node:crypto";
import type { Signer } from "@truc/common";
import { EdxmlError } from "../errors.ts";
import type { ScanLimits } from "../xml/scanner.ts";
import { DSIG_NS, derToP1363, ECDSA_SHA256, ENVELOPED, EXC_C14N, RSA_SHA256, SHA256 } from "./algorithms.ts";
import { escapeText } from "./c14n.ts";
import { PackageScanHandler, PackageScanner } from "./engine.ts";
import { certificateKey } from "./keys.ts";

export interface SignOptions {
  /**
   * Remove the existing package signature first (an axis node appends a TraceHeader on every
   * hop and re-signs with its own certificate). Without it, a signed package is refused.
   */
  readonly replaceExisting?: boolean;
  /** Also write KeyInfo/X509Data/X509SubjectName (RFC 4514 form). Default false. */
  readonly includeSubjectName?: boolean;
  /** Also write the signer's chain certificates after its own (default true). */
  readonly includeChain?: boolean;
  readonly limits?: Partial<ScanLimits>;
}

/** The canonical (exclusive C14N) SignedInfo, written directly in canonical form. */
function signedInfoXml(methodUri: string, digestBase64: string): string {
  return (
    `<SignedInfo xmlns="${DSIG_NS}">` +
    `<CanonicalizationMethod Algorithm="${EXC_C14N}"></CanonicalizationMethod>` +
    `<SignatureMethod Algorithm="${methodUri}"></SignatureMethod>` +
    `<Reference URI=""><Transforms>` +
    `<Transform Algorithm="${ENVELOPED}"></Transform>` +
    `<Transform Algorithm="${EXC_C14N}"></Transform>` +
    `</Transforms><DigestMethod Algorithm="${SHA256}"></DigestMethod>` +
    `<DigestValue>${digestBase64}</DigestValue></Reference></SignedInfo>`
  );
}

/** Node prints subjects as "C=VN\nO=…\nCN=…" (issuer order); XML-DSig wants RFC 4514, reversed. */
export function rfc4514Name(nodeSubject: string): string {
  const escapeValue = (v: string) =>
    v
      .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
      .replace(/^[ #]/, (c) => `\\${c}`)
      .replace(/ $/, "\\ ");
  return nodeSubject
    .split("\n")
    .filter((l) => l.length > 0)
    .map((line) => {
      const eq = line.indexOf("=");
      return `${line.slice(0, eq)}=${escapeValue(line.slice(eq + 1))}`;
    })
    .reverse()
    .join(",");
}

/** Signers whose key has been seen to match their certificate. */
const matchedSigners = new WeakSet<Signer>();

export async function signEdxml(raw: Buffer, signer: Signer, options: SignOptions = {}): Promise<Buffer> {
  const scanner = new PackageScanner(
    new PackageScanHandler({ fixed: { c14n: "exc-c14n", digest: "sha256" } }),
    options.limits,
  );
  scanner.write(raw);
  const scan = scanner.end();
  if (scan.headerCount !== 1 || scan.headerEndTagStart < 0) throw new EdxmlError("EDXML_SIGN_NO_HEADER");
  if (scan.signatureRange && !options.replaceExisting) throw new EdxmlError("EDXML_SIGN_ALREADY_SIGNED");
  const signature = await signatureElement(scan.documentDigest!, signer, options);
  const at = scan.signatureRange ? scan.signatureRange.start : scan.headerEndTagStart;
  const resume = scan.signatureRange ? scan.signatureRange.end : scan.headerEndTagStart;
  return Buffer.concat([raw.subarray(0, at), signature, raw.subarray(resume)]);
}

/**
 * The ds:Signature element for a document whose exclusive-C14N SHA-256 digest (signature
 * excluded) is `documentDigest`. Internal: lets a caller that streams a huge package (two
 * passes over a file) sign it without holding it in memory.
 */
export async function signatureElement(
  documentDigest: Buffer,
  signer: Signer,
  options: Pick<SignOptions, "includeSubjectName" | "includeChain"> = {},
): Promise<Buffer> {
  const isEc = signer.algorithm === "ECDSA-P256-SHA256";
  const signedInfo = signedInfoXml(isEc ? ECDSA_SHA256 : RSA_SHA256, documentDigest.toString("base64"));
  const signedInfoBytes = Buffer.from(signedInfo, "utf8");

  const leaf = certificateKey(signer.certificate);
  const expectedKey = isEc ? "ec" : "rsa";
  if (leaf.key.asymmetricKeyType !== expectedKey) {
    throw new EdxmlError("EDXML_SIGN_SIGNER_FAILED", {
      reason: `${signer.algorithm} signer with a ${leaf.key.asymmetricKeyType} certificate`,
    });
  }
  let value: Buffer;
  try {
    const produced = await signer.sign(signedInfoBytes);
    value = isEc ? derToP1363(produced, 32) : Buffer.from(produced);
  } catch (cause) {
    if (cause instanceof EdxmlError) throw cause;
    throw new EdxmlError(
      "EDXML_SIGN_SIGNER_FAILED",
      { reason: String((cause as Error)?.message ?? cause) },
      { cause },
    );
  }
  // A key that does not match the certificate (a misconfigured token or HSM slot) would
  // produce packages nobody can verify: check before they leave. The mismatch is a property of
  // the signer, so its first signature is checked (a node signs every package it forwards with
  // the same signer; a verify each time cost ~0.1 ms per package).
  if (!matchedSigners.has(signer)) {
    const ok = isEc
      ? cryptoVerify("sha256", signedInfoBytes, { key: leaf.key, dsaEncoding: "ieee-p1363" }, value)
      : cryptoVerify("sha256", signedInfoBytes, leaf.key, value);
    if (!ok)
      throw new EdxmlError("EDXML_SIGN_SIGNER_FAILED", {
        reason: "signature does not match the certificate",
      });
    matchedSigners.add(signer);
  }

  const certificates = [
    leaf.der,
    ...(options.includeChain === false ? [] : signer.chain.map((c) => Buffer.from(c))),
  ];
  const subjectName = options.includeSubjectName
    ? `<X509SubjectName>${escapeText(rfc4514Name(leaf.certificate.subject))}</X509SubjectName>`
    : "";
  return Buffer.from(
    `<Signature xmlns="${DSIG_NS}">${signedInfo}` +
      `<SignatureValue>${value.toString("base64")}</SignatureValue>` +
      `<KeyInfo><X509Data>${subjectName}` +
      certificates.map((c) => `<X509Certificate>${c.toString("base64")}</X509Certificate>`).join("") +
      `</X509Data></KeyInfo></Signature>`,
    "utf8",
  );
}
