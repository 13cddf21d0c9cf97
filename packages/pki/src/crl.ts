import { createHash, type KeyObject, type X509Certificate as NodeX509 } from "node:crypto";
import { type Bytes, crlToDer, normalizeSerial, toPem } from "./der.ts";
import { PkiError } from "./errors.ts";
import { toWebPrivateKey, webSigningAlgorithm } from "./keys.ts";
import { OID, REVOCATION_REASONS, type RevocationReason, reasonName } from "./oids.ts";
import { crypto, x509 } from "./setup.ts";

export interface CrlEntry {
  serial: string;
  revokedAt: Date;
  reason: RevocationReason;
  invalidityDate?: Date;
}

export interface BuildCrlOptions {
  issuerCertificate: Bytes;
  issuerKey: KeyObject;
  entries: readonly CrlEntry[];
  crlNumber: number;
  thisUpdate: Date;
  nextUpdate: Date;
}

/** DER INTEGER of a non-negative number. */
function derInteger(n: number): Uint8Array {
  let hex = BigInt(n).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let body = Buffer.from(hex, "hex");
  if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return Buffer.concat([Buffer.from([0x02, body.length]), body]);
}

/** A full CRL (no deltas) with CRL number, AKI and reason codes. */
export async function buildCrl(o: BuildCrlOptions): Promise<Buffer> {
  const issuer = new x509.X509Certificate(o.issuerCertificate);
  const ski = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  const extensions: InstanceType<typeof x509.Extension>[] = [
    new x509.Extension(OID.crlNumber, false, derInteger(o.crlNumber)),
  ];
  if (ski) extensions.push(new x509.AuthorityKeyIdentifierExtension(ski.keyId));
  const crl = await x509.X509CrlGenerator.create({
    issuer: issuer.subjectName,
    thisUpdate: o.thisUpdate,
    nextUpdate: o.nextUpdate,
    entries: o.entries.map((e) => ({
      serialNumber: e.serial,
      revocationDate: e.revokedAt,
      reason: REVOCATION_REASONS[e.reason] as number,
      ...(e.invalidityDate ? { invalidity: e.invalidityDate } : {}),
    })),
    extensions,
    signingKey: await toWebPrivateKey(o.issuerKey),
    signingAlgorithm: webSigningAlgorithm(o.issuerKey),
  });
  return Buffer.from(crl.rawData);
}

/** PEM with the `X509 CRL` label OpenSSL expects (@peculiar/x509 writes `CRL`). */
export function crlToPem(der: Bytes): string {
  return toPem(der, "X509 CRL");
}

export interface ParsedCrl {
  der: Buffer;
  issuerDn: string;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  crlNumber: number | undefined;
  entries: Map<string, { revokedAt: Date; reason: RevocationReason }>;
  /** Checks the CRL signature against an issuer certificate (cached per issuer). */
  verifiedBy(issuer: NodeX509): Promise<boolean>;
}

/** Parses a CRL (DER or PEM with either label). */
export function parseCrl(input: Bytes | string): ParsedCrl {
  const der = crlToDer(input);
  let crl: InstanceType<typeof x509.X509Crl>;
  try {
    crl = new x509.X509Crl(der);
  } catch (error) {
    throw new PkiError("PKI_MALFORMED", { what: "CRL" }, { cause: error });
  }
  const entries = new Map<string, { revokedAt: Date; reason: RevocationReason }>();
  for (const e of crl.entries) {
    entries.set(normalizeSerial(e.serialNumber), {
      revokedAt: e.revocationDate,
      reason: reasonName(e.reason),
    });
  }
  const numberExt = crl.extensions.find((e) => e.type === OID.crlNumber);
  let crlNumber: number | undefined;
  if (numberExt) {
    const v = Buffer.from(numberExt.value);
    crlNumber = Number.parseInt(v.subarray(2).toString("hex") || "0", 16);
  }
  const verified = new Map<string, boolean>();
  return {
    der,
    issuerDn: crl.issuer,
    thisUpdate: crl.thisUpdate,
    nextUpdate: crl.nextUpdate,
    crlNumber,
    entries,
    async verifiedBy(issuer) {
      const key = issuer.fingerprint256;
      let ok = verified.get(key);
      if (ok === undefined) {
        try {
          const publicKey = await new x509.X509Certificate(issuer.raw).publicKey.export(crypto);
          ok = await crl.verify({ publicKey }, crypto);
        } catch {
          ok = false;
        }
        verified.set(key, ok);
      }
      return ok;
    },
  };
}

export function crlFingerprint(der: Bytes): string {
  return createHash("sha256").update(der).digest("hex");
}
