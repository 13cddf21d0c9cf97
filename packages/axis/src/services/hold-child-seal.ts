/**
 * Parent side: a child node publishes each new evidence seal here, and this node keeps the
 * latest one. It is the child's anchor that the child itself cannot rewrite: whoever controls
 * the child's database and files can cut the child's log, but not this copy, and the child's
 * verification compares its chain with it (`verify-node-evidence.ts`).
 *
 * The seal must name the calling child, be signed with the very certificate the child
 * presented in the mutual-TLS handshake (pinned in this node's configuration), and not go
 * back: a seal for an earlier record than the one held, or a different seal for the same
 * record, is refused and the held one stays.
 */
import { createHash, verify as verifySignature, X509Certificate } from "node:crypto";
import { sealMessage } from "../domain/evidence.ts";
import {
  type EvidenceAnchor,
  formatAnchor,
  parseAnchor,
  parseAnchorLine,
} from "../domain/evidence-anchor.ts";
import { AxisError } from "../errors.ts";
import { heldChildSeal, holdChildSealRow } from "../repositories/child-seal-repository.ts";
import type { Caller, NodeContext } from "./ports.ts";

export async function holdChildSeal(
  ctx: NodeContext,
  input: {
    caller: Caller & { type: "node" };
    /** The certificate (DER) the caller presented in the TLS handshake. */
    certificate: Uint8Array;
    seal: unknown;
  },
): Promise<{ held: EvidenceAnchor; stored: boolean }> {
  const node = input.caller.nodeId;
  if (!ctx.config.children.some((c) => c.nodeId === node)) throw new AxisError("AXIS_FORBIDDEN");
  const anchor = parseAnchor(input.seal);
  if (!anchor) throw new AxisError("AXIS_REQUEST_INVALID", { reason: "not an evidence seal" });
  const refuse = (reason: string, extra: Record<string, unknown> = {}) =>
    new AxisError("AXIS_EVIDENCE_SEAL_REFUSED", { node, reason, ...extra });
  if (anchor.nodeId !== node) throw refuse(`the seal names node ${anchor.nodeId}`);
  const der = Buffer.from(input.certificate);
  if (createHash("sha256").update(der).digest("hex") !== anchor.certSha256)
    throw refuse("not signed with the certificate the node connected with");
  let valid = false;
  try {
    valid = verifySignature(
      "sha256",
      sealMessage(anchor.nodeId, anchor.seq, anchor.hash),
      new X509Certificate(der).publicKey,
      Buffer.from(anchor.signature, "base64"),
    );
  } catch {
    valid = false;
  }
  if (!valid) throw refuse("signature invalid");

  const held = await heldChildSeal(ctx.db.kysely, node);
  if (held && held.seq === anchor.seq && held.hash === anchor.hash)
    return { held: parseAnchorLine(held.anchor) ?? anchor, stored: false };
  const backwards = (h: { seq: number; hash: string }) =>
    h.seq > anchor.seq
      ? refuse(`older than the seal held here (record ${h.seq})`, { heldSeq: h.seq })
      : refuse(`a different seal for record ${h.seq} is held here`, { heldSeq: h.seq });
  if (held && held.seq >= anchor.seq) throw backwards(held);
  await holdChildSealRow(ctx.db.kysely, {
    node_id: node,
    seq: anchor.seq,
    hash: anchor.hash,
    anchor: formatAnchor(anchor),
    received_at: ctx.clock.now().getTime(),
  });
  // A concurrent publication may have stored a later seal meanwhile: answer with what is held.
  const now = await heldChildSeal(ctx.db.kysely, node);
  const stored = !!now && now.seq === anchor.seq && now.hash === anchor.hash;
  return { held: (now && parseAnchorLine(now.anchor)) || anchor, stored };
}

/** The latest seal of a child held here (what the child asks for when it verifies its log). */
export async function childSealHeld(
  ctx: NodeContext,
  caller: Caller & { type: "node" },
): Promise<{ anchor: EvidenceAnchor | null; receivedAt: string | null }> {
  if (!ctx.config.children.some((c) => c.nodeId === caller.nodeId)) throw new AxisError("AXIS_FORBIDDEN");
  const held = await heldChildSeal(ctx.db.kysely, caller.nodeId);
  return {
    anchor: held ? (parseAnchorLine(held.anchor) ?? null) : null,
    receivedAt: held ? new Date(held.received_at).toISOString() : null,
  };
}
