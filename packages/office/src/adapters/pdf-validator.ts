/**
 * `SignatureValidator` on @truc/pdfsign's `verifyPdf`, with trust decided by @truc/pki
 * (`createTrustCallback`: path to a configured anchor at the signing time, key usage, CRL/OCSP).
 * The office keeps both the verdict at a glance (per signature: who, which kind, when, valid?)
 * and pdfsign's full report (`details`) as evidence with the document.
 */
import { createHash } from "node:crypto";
import type { TrustCallback } from "@truc/common";
import { type SignatureReport as PdfSignatureReport, verifyPdf } from "@truc/pdfsign";
import { createTrustCallback, type ValidatorOptions } from "@truc/pki";
import type { SignatureReport, SignatureReportEntry, SignatureValidator } from "../ports.ts";

export interface PdfValidatorOptions {
  /** A ready trust callback, or the options of @truc/pki's validator (anchors, intermediates, revocation). */
  trust: TrustCallback | ValidatorOptions;
  /** Largest PDF validated (default 100 MiB). */
  maxBytes?: number;
}

/** `O=` and `CN=` from pdfsign's "C=VN, L=…, O=…, CN=…" subject text. */
export function subjectAttribute(subject: string | undefined, key: string): string | undefined {
  if (!subject) return undefined;
  const parts = subject.split(/, (?=[A-Za-z0-9.]+=)/);
  const hit = parts.find((p) => p.startsWith(`${key}=`));
  return hit?.slice(key.length + 1);
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function entry(s: PdfSignatureReport, pdf: Buffer): SignatureReportEntry {
  const problem = s.reasons.find((r) => r.severity !== "warning");
  const signedAt = s.timestamp?.valid ? s.timestamp.time : s.claimedSigningTime;
  const organisation = subjectAttribute(s.signer?.subject, "O");
  return {
    signer: s.signer?.commonName ?? s.signer?.subject ?? s.fieldName,
    status: s.verdict,
    ...(problem ? { reason: problem.code } : {}),
    ...(signedAt ? { signedAt } : {}),
    timestamped: Boolean(s.timestamp?.valid),
    ...(s.kind ? { kind: s.kind } : {}),
    ...(organisation ? { organisation } : {}),
    ...(s.certificate
      ? {
          certificate: {
            status: s.certificate.status,
            ...(s.certificate.reason ? { reason: s.certificate.reason } : {}),
            ...(s.signer?.issuer ? { issuer: s.signer.issuer } : {}),
            ...(s.signer?.serialNumber ? { serialNumber: s.signer.serialNumber } : {}),
            ...(s.signer?.notAfter ? { notAfter: s.signer.notAfter } : {}),
          },
        }
      : {}),
    intact: s.integrity.digestMatches && s.integrity.signatureValueValid,
    modifiedAfter: s.reasons.some(
      (r) => r.code === "PDF_MODIFIED_AFTER_SIGNING" || r.code === "PDF_NOT_COVERING_WHOLE_FILE",
    ),
    ...(s.revisionEnd !== undefined && s.revisionEnd <= pdf.length
      ? { revisionSha256: sha256(pdf.subarray(0, s.revisionEnd)) }
      : {}),
  };
}

export function pdfValidator(options: PdfValidatorOptions): SignatureValidator {
  const trust = typeof options.trust === "function" ? options.trust : createTrustCallback(options.trust);
  return {
    async validate(pdf, at): Promise<SignatureReport> {
      const report = await verifyPdf(pdf, {
        trust,
        now: at,
        maxBytes: options.maxBytes ?? 100 * 1024 * 1024,
      });
      return {
        status: report.signatures.length === 0 ? "unsigned" : report.verdict,
        signatures: report.signatures.map((s) => entry(s, pdf)),
        sha256: report.file.sha256,
        details: report,
      };
    },
  };
}
