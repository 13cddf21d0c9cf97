/**
 * `DocumentSigner` on @truc/pdfsign: PAdES signatures with the NĐ 30 appearances.
 * - the leader: visible personal signature (the signature image between the title line and the
 *   name, found by the signer's full name on the last page), personal certificate;
 * - the clerk, after numbering: the organisation's signature with the seal image overlapping
 *   the left third of the leader's signature, organisation certificate;
 * - attachments (appendices in separate files, copies): organisation certificate, no image,
 *   number/notation and signing time top-right of the first page.
 * Each signature is an incremental update, so the earlier ones stay valid.
 */
import type { PadesLevel, RevocationData, TimestampAuthority } from "@truc/pdfsign";
import { PdfSignError, signPdf } from "@truc/pdfsign";
import { OfficeError } from "../errors.ts";
import type { DocumentSigner } from "../ports.ts";
import type { Keyring } from "./keyring.ts";

export interface PdfSignerOptions {
  keyring: Keyring;
  /** Default B-B; B-T needs `tsa`, B-LT also `validationData`. */
  level?: PadesLevel;
  tsa?: TimestampAuthority;
  validationData?: (chain: readonly Uint8Array[]) => Promise<RevocationData>;
}

function placementProblem(error: unknown): never {
  if (PdfSignError.is(error) && error.code === "PDF_PLACEMENT_NOT_FOUND")
    throw new OfficeError(
      "OFFICE_SIGNATURE_PLACEMENT",
      { reason: String((error.details as { detail?: string } | undefined)?.detail ?? error.code) },
      { cause: error },
    );
  throw error;
}

export function pdfSigner(options: PdfSignerOptions): DocumentSigner {
  const common = {
    ...(options.level ? { level: options.level } : {}),
    ...(options.tsa ? { tsa: options.tsa } : {}),
    ...(options.validationData ? { validationData: options.validationData } : {}),
  };
  return {
    async signPersonal({ pdf, agencyCode, signerUsername, signer, at }) {
      const key = await options.keyring.personal({ agencyCode, username: signerUsername });
      const signed = await signPdf(pdf, {
        ...common,
        signer: key.signer,
        signingTime: at,
        appearance: { kind: "personal", image: key.image, name: signer.fullName },
        reason: [signer.competence, signer.position].filter(Boolean).join(" "),
      }).catch(placementProblem);
      return Buffer.from(signed.bytes);
    },
    async signOrganisation({ pdf, agencyCode, organName, code, at }) {
      const key = await options.keyring.organisation({ agencyCode });
      const signed = await signPdf(pdf, {
        ...common,
        signer: key.signer,
        signingTime: at,
        appearance: { kind: "organisation", image: key.image },
        reason: `${organName} ban hành văn bản số ${code}`,
      }).catch(placementProblem);
      return Buffer.from(signed.bytes);
    },
    async signAttachment({ pdf, agencyCode, code, at }) {
      const key = await options.keyring.organisation({ agencyCode });
      const signed = await signPdf(pdf, {
        ...common,
        signer: key.signer,
        signingTime: at,
        appearance: { kind: "invisible", notation: code },
      });
      return Buffer.from(signed.bytes);
    },
  };
}
