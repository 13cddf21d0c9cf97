/** What `insertPackages` and `writePackage` take, for repository tests that need many packages. */
import type { NewPackage } from "../../src/repositories/package-repository.ts";

export interface PackageSample {
  id: string;
  kind: "edoc" | "status";
  sender: string;
  recipients: string[];
  valid: boolean;
  /** YYYY-MM-DD, the Vietnam day of reception. */
  day: string;
  /** The de-duplication key; default: one of its own. */
  identity?: string;
}

/** A package row (received at 10:00 Vietnam time on its day, plus `offsetMs`), every recipient local. */
export function newPackage(s: PackageSample, offsetMs = 0): NewPackage {
  return {
    row: {
      id: s.id,
      kind: s.kind,
      sender: s.sender,
      document_id: `doc-${s.id}`,
      business_type: "0",
      status_code: s.kind === "status" ? "03" : null,
      response_for: null,
      subject: null,
      notation: null,
      recipients: JSON.stringify(s.recipients),
      raw_sha256: "0".repeat(64),
      raw_size: 100,
      fwd_sha256: "0".repeat(64),
      fwd_size: 100,
      signature: s.valid ? "valid" : "absent",
      identity_key: s.identity ?? `identity-${s.id}`,
      from_node: null,
      caller: null,
      received_at: Date.parse(`${s.day}T03:00:00Z`) + offsetMs,
      raw_inline: 0,
      raw_log_segment: null,
      raw_log_offset: null,
      fwd_splices: null,
      attachments: null,
      diagnostic: null,
    },
    routes: new Map(s.recipients.map((r) => [r, "local"])),
    day: s.day,
  };
}
