/**
 * Child side: publishes the chain's last seal to the parent node, which keeps the latest one
 * as this node's external anchor (`hold-child-seal.ts`). Runs after every seal round; a seal
 * the parent has not confirmed is published again next round. The parent refuses a seal that
 * goes back (this node's log was cut or restored from an old copy): the refusal is the alarm.
 */
import type { EvidenceAnchor } from "../domain/evidence-anchor.ts";
import type { PeerTransport } from "./peer-transport.ts";
import type { NodeContext } from "./ports.ts";
import { lastSealAnchor } from "./seal-evidence.ts";

export interface PublishSealState {
  /** The last seal the parent confirmed holding, in this process. */
  published?: EvidenceAnchor;
}

export async function publishSeal(
  ctx: NodeContext,
  transport: PeerTransport,
  state: PublishSealState,
): Promise<{ published: EvidenceAnchor } | undefined> {
  const parent = ctx.config.parent;
  if (!parent) return undefined;
  const anchor = await lastSealAnchor(ctx);
  if (!anchor) return undefined;
  const done = state.published;
  if (done && done.seq === anchor.seq && done.hash === anchor.hash) return undefined;
  await transport.publishSeal(parent.nodeId, anchor);
  state.published = anchor;
  return { published: anchor };
}
