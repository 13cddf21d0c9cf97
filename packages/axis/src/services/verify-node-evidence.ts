/**
 * Verifies this node's evidence log against every anchor it can reach: its own anchor file
 * and, when it has a parent, the latest seal the parent holds for it. A source that cannot be
 * read (parent unreachable) is reported, and the check goes on with the others.
 */
import type { AnchorSource } from "../domain/evidence-anchor.ts";
import { chainEvidence } from "./chain-evidence.ts";
import type { PeerTransport } from "./peer-transport.ts";
import type { NodeContext } from "./ports.ts";
import { type EvidenceReport, verifyEvidenceLog } from "./verify-evidence-log.ts";

export async function gatherAnchors(
  ctx: NodeContext,
  transport: PeerTransport | undefined,
): Promise<AnchorSource[]> {
  const sources: AnchorSource[] = [];
  if (ctx.anchorFile) {
    try {
      const file = await ctx.anchorFile.read();
      if (file) sources.push(file);
    } catch (error) {
      sources.push({
        source: ctx.anchorFile.path,
        anchors: [],
        malformed: [],
        error: (error as Error).message,
      });
    }
  }
  const parent = ctx.config.parent;
  if (parent && transport) {
    const source = `parent:${parent.nodeId}`;
    try {
      const held = await transport.fetchHeldSeal(parent.nodeId);
      sources.push({ source, anchors: held ? [{ line: 1, anchor: held }] : [], malformed: [] });
    } catch (error) {
      sources.push({ source, anchors: [], malformed: [], error: (error as Error).message });
    }
  }
  return sources;
}

export async function verifyNodeEvidence(
  ctx: NodeContext,
  { transport, anchors }: { transport?: PeerTransport | undefined; anchors?: readonly AnchorSource[] } = {},
): Promise<EvidenceReport> {
  // Records wait in a queue until the chainer links them; verify the whole log, not a prefix.
  await chainEvidence(ctx);
  const sources = [...(await gatherAnchors(ctx, transport)), ...(anchors ?? [])];
  return verifyEvidenceLog(ctx.db.kysely, {
    anchors: sources,
    ...(ctx.signer ? { nodeCertificates: [ctx.signer.certificate] } : {}),
  });
}
