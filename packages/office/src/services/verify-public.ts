/**
 * Public verification (no account): a citizen, a bank or another office uploads a signed PDF,
 * or types the short code of a printed copy, and gets a plain answer — is it authentic and
 * unchanged, who signed it (person and organisation) and when, were the certificates valid,
 * and does this office know that the document was since revoked or replaced.
 *
 * It reveals nothing beyond what the document itself shows: the signers come from the file's
 * own signatures; what this office knows is reduced to one word (current / revoked / replaced),
 * without names of agencies, recipients, people or internal ids. A file is recognised by its
 * SHA-256 or by the digest of one of its signed revisions (so a copy with later incremental
 * changes — a printed copy's stamp, a recipient's own signature — is still recognised).
 */
import { fromJsonText } from "@truc/store";
import { OfficeError } from "../errors.ts";
import type { SignatureReport } from "../ports.ts";
import type { Tx } from "../repositories/rows.ts";
import { findPrintCode, findSignedFiles } from "../repositories/verification.ts";
import type { OfficeDeps } from "./context.ts";

export type RegistryStatus = "current" | "revoked" | "replaced" | "unknown";

export interface PublicSignature {
  kind: "personal" | "organisation" | null;
  /** Person's full name, or the body's name, as in the certificate. */
  signer: string;
  organisation: string | null;
  signedAt: string | null;
  /** Whether `signedAt` is proven by a trusted time-stamp (otherwise claimed by the signer). */
  timestamped: boolean;
  status: "valid" | "invalid" | "indeterminate";
  /** Stable code of the problem (PDF_*, PKI_*), if any. */
  problem: string | null;
  certificate: {
    valid: boolean;
    status: "valid" | "invalid" | "indeterminate" | "unknown";
    reason: string | null;
    issuer: string | null;
    notAfter: string | null;
  };
}

export interface PublicVerification {
  /** valid = authentic, unchanged and signed with trusted certificates. */
  verdict: "valid" | "invalid" | "indeterminate" | "unsigned";
  /** Every signature matches the bytes it signed. */
  authentic: boolean;
  /** Nothing was changed after the signatures (other than what signing allows). */
  unchanged: boolean;
  signatures: PublicSignature[];
  /** What this office knows of the document since it was signed. */
  registry: { status: RegistryStatus };
  file: { sha256: string | null; size: number };
  checkedAt: string;
  /** For a printed copy looked up by its code. */
  printedCopy?: { code: string };
}

export const PUBLIC_MAX_BYTES = 20 * 1024 * 1024;

const q = (deps: OfficeDeps) => deps.db.kysely as unknown as Tx;

async function registryStatus(deps: OfficeDeps, digests: string[]): Promise<RegistryStatus> {
  const tx = q(deps);
  const hits = await findSignedFiles(tx, [...new Set(digests)]);
  if (hits.length === 0) return "unknown";
  let status: RegistryStatus = "current";
  const worse = (s: RegistryStatus) => {
    if (s === "revoked" || (s === "replaced" && status === "current")) status = s;
  };
  for (const hit of hits) {
    if (hit.direction === "outgoing") {
      const row = await tx
        .selectFrom("office_outgoing")
        .select(["state", "document_id"])
        .where("agency_id", "=", hit.agency_id)
        .where("id", "=", hit.entity_id)
        .executeTakeFirst();
      if (!row) continue;
      if (row.state === "revoked") worse("revoked");
      if (row.document_id) {
        const replacements = await tx
          .selectFrom("office_outgoing")
          .select(["replaces"])
          .where("agency_id", "=", hit.agency_id)
          .where("state", "=", "issued")
          .where("replaces", "!=", "[]")
          .execute();
        if (replacements.some((r) => (fromJsonText<string[]>(r.replaces) ?? []).includes(row.document_id!)))
          worse("replaced");
      }
    } else {
      const row = await tx
        .selectFrom("office_incoming")
        .select(["state", "replaced_by"])
        .where("agency_id", "=", hit.agency_id)
        .where("id", "=", hit.entity_id)
        .executeTakeFirst();
      if (!row) continue;
      if (row.state === "revoked" || row.state === "taken_back") worse("revoked");
      if (row.replaced_by) worse("replaced");
    }
  }
  return status;
}

function publicSignatures(report: SignatureReport): PublicSignature[] {
  return report.signatures.map((s) => ({
    kind: s.kind ?? null,
    signer: s.signer,
    organisation: s.organisation ?? null,
    signedAt: s.signedAt ?? null,
    timestamped: Boolean(s.timestamped),
    status: s.status,
    problem: s.reason ?? null,
    certificate: {
      valid: s.certificate?.status === "valid",
      status: s.certificate?.status ?? "unknown",
      reason: s.certificate?.reason ?? null,
      issuer: s.certificate?.issuer ?? null,
      notAfter: s.certificate?.notAfter ?? null,
    },
  }));
}

export async function verifyPublic(deps: OfficeDeps, input: { pdf: Buffer }): Promise<PublicVerification> {
  if (input.pdf.length > PUBLIC_MAX_BYTES) throw new OfficeError("OFFICE_PAYLOAD_TOO_LARGE");
  if (input.pdf.subarray(0, 1024).indexOf("%PDF-") < 0)
    throw new OfficeError("OFFICE_FILE_TYPE_UNSUPPORTED", { contentType: "not a PDF" });
  const at = deps.clock.now();
  let report: SignatureReport;
  try {
    report = await deps.validator.validate(input.pdf, at);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "PDF_MALFORMED" || code === "PDF_TOO_LARGE")
      throw new OfficeError("OFFICE_FILE_TYPE_UNSUPPORTED", { contentType: code }, { cause: error });
    throw error;
  }
  const signatures = publicSignatures(report);
  const digests = [
    ...(report.sha256 ? [report.sha256] : []),
    ...report.signatures.flatMap((s) => (s.revisionSha256 ? [s.revisionSha256] : [])),
  ];
  return {
    verdict: report.status,
    authentic: report.signatures.length > 0 && report.signatures.every((s) => s.intact !== false),
    unchanged: report.signatures.length > 0 && report.signatures.every((s) => s.modifiedAfter !== true),
    signatures,
    registry: { status: await registryStatus(deps, digests) },
    file: { sha256: report.sha256 ?? null, size: input.pdf.length },
    checkedAt: at.toISOString(),
  };
}

/** Short codes: 12 characters of Crockford base32 (60 bits), printed in groups of four. */
export function normalisePrintCode(text: string): string | null {
  const compact = text.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  return /^[0-9A-HJKMNP-TV-Z]{12}$/.test(compact) ? compact : null;
}

/** A printed copy's code → the signed original, verified now. */
export async function verifyPrintCode(deps: OfficeDeps, code: string): Promise<PublicVerification> {
  const normal = normalisePrintCode(code);
  const row = normal ? await findPrintCode(q(deps), normal) : undefined;
  if (!row) throw new OfficeError("OFFICE_NOT_FOUND", { entity: "print code" });
  const pdf = await deps.blobs.read(row.file_ref);
  return { ...(await verifyPublic(deps, { pdf })), printedCopy: { code: row.code } };
}

/** The signed original behind a printed copy (to compare with the paper). */
export async function printCodeOriginal(deps: OfficeDeps, code: string): Promise<Buffer> {
  const normal = normalisePrintCode(code);
  const row = normal ? await findPrintCode(q(deps), normal) : undefined;
  if (!row) throw new OfficeError("OFFICE_NOT_FOUND", { entity: "print code" });
  return deps.blobs.read(row.file_ref);
}
