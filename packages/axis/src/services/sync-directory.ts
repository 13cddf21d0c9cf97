/**
 * Delta sync of the federated directory with one neighbour: pull the rows it changed since
 * the last cursor and store them as reached through that neighbour. Rows this node serves
 * are never taken from outside, and the neighbour does not echo rows it learnt from us, so
 * the versions settle. Rows pass on transitively (they get a new local version here).
 */

import {
  findAgency,
  listNodes,
  setDirectoryCursor,
  upsertAgency,
} from "../repositories/directory-repository.ts";
import { appendEvidence } from "../repositories/evidence-repository.ts";
import type { PeerTransport } from "./peer-transport.ts";
import type { NodeContext } from "./ports.ts";

export async function syncDirectory(
  ctx: NodeContext,
  transport: PeerTransport,
  nodeId: string,
): Promise<{ applied: number; cursor: number }> {
  const node = (await listNodes(ctx.db.kysely)).find((n) => n.node_id === nodeId);
  let cursor = Number(node?.directory_cursor ?? 0);
  let applied = 0;
  for (;;) {
    const page = await transport.fetchDirectory(nodeId, cursor);
    if (page.rows.length === 0) break;
    const now = ctx.clock.now();
    await ctx.db.transaction(async (trx) => {
      let changed = 0;
      for (const remote of page.rows) {
        if (remote.serving_node === ctx.config.nodeId) continue;
        const local = await findAgency(trx, remote.code);
        if (local && local.serving_node === ctx.config.nodeId) continue;
        const { version: _v, modified_at: _m, ...rest } = remote;
        await upsertAgency(trx, { ...rest, via_node: nodeId }, now.getTime());
        changed++;
      }
      await setDirectoryCursor(trx, nodeId, page.cursor);
      if (changed > 0) {
        await appendEvidence(trx, ctx.db.dialect, {
          at: now,
          kind: "directory",
          nodeId: ctx.config.nodeId,
          packageId: null,
          actor: nodeId,
          details: { op: "sync", from: nodeId, rows: changed, cursor: page.cursor },
        });
      }
      applied += changed;
    });
    cursor = page.cursor;
    if (!page.more) break;
  }
  return { applied, cursor };
}
