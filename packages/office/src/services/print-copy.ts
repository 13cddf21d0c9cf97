/**
 * Printing a signed document: a copy (PDF) with a QR code and a short code that lead to the
 * public verification page (`<office URL>/kiem-tra/<code>`), where anyone holding the paper can
 * check it against the signed original. The code maps to the original's digest and file; every
 * print gets its own code and an audit row (who printed what, when).
 */
import { createHash, randomBytes } from "node:crypto";
import { fromJsonText } from "@truc/store";
import { stampPrintedCopy } from "../adapters/print-stamp.ts";
import { OfficeError } from "../errors.ts";
import { findVersion } from "../repositories/outgoing.ts";
import { insertPrintCode } from "../repositories/verification.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";
import { loadIncoming } from "./incoming-support.ts";
import { loadOutgoing } from "./outgoing-support.ts";
import type { IncomingAttachment } from "./views.ts";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** 12 characters of Crockford base32 from 60 random bits. */
export function newPrintCode(random: Buffer = randomBytes(8)): string {
  let value = random.readBigUInt64BE(0) >> 4n;
  let code = "";
  for (let i = 0; i < 12; i++) {
    code = CROCKFORD[Number(value & 31n)]! + code;
    value >>= 5n;
  }
  return code;
}

/** The address printed in the QR code. */
export function verificationUrl(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/kiem-tra/${code}`;
}

export interface PrintedCopy {
  code: string;
  url: string;
  pdf: Buffer;
  fileName: string;
}

export async function printCopy(
  deps: OfficeDeps,
  actor: Actor,
  input: { direction: "outgoing" | "incoming"; id: string; attachment?: number; baseUrl: string },
): Promise<PrintedCopy> {
  const permission = input.direction === "outgoing" ? "outgoing.read" : "incoming.read";
  return runCommand(
    deps,
    { actor, action: "document.print", entity: input.direction, permission },
    async (tx, at) => {
      let file: { ref: string; name: string };
      if (input.direction === "outgoing") {
        const row = await loadOutgoing(tx, actor.agencyId, input.id);
        // Only what the organisation has signed is a document; drafts are not printed with a code.
        if (!["sealed", "issued", "revoked"].includes(row.state)) throw new OfficeError("OFFICE_NOT_SIGNED");
        const v = await findVersion(tx, actor.agencyId, row.id, row.file_version);
        if (!v) throw new OfficeError("OFFICE_FILE_MISSING");
        file = { ref: v.file_ref, name: v.file_name };
      } else {
        const row = await loadIncoming(tx, actor.agencyId, input.id);
        const a = (fromJsonText<IncomingAttachment[]>(row.attachments) ?? [])[input.attachment ?? 0];
        if (!a?.ref) throw new OfficeError("OFFICE_FILE_MISSING");
        file = { ref: a.ref, name: a.name };
      }
      const original = await deps.blobs.read(file.ref);
      if (original.subarray(0, 1024).indexOf("%PDF-") < 0)
        throw new OfficeError("OFFICE_FILE_TYPE_UNSUPPORTED", { contentType: file.name });
      const sha256 = createHash("sha256").update(original).digest("hex");
      const code = newPrintCode();
      await insertPrintCode(tx, {
        code,
        agency_id: actor.agencyId,
        sha256,
        direction: input.direction,
        entity_id: input.id,
        file_ref: file.ref,
        created_by: actor.userId,
        created_at: at.toISOString(),
      });
      const url = verificationUrl(input.baseUrl, code);
      const pdf = Buffer.from(await stampPrintedCopy({ pdf: original, url, code }));
      return {
        result: { code, url, pdf, fileName: file.name.replace(/\.pdf$/i, "") + "-ban-in.pdf" },
        note: { entityId: input.id, details: { code, sha256 } },
      };
    },
  );
}
