/**
 * Next-hop decision for one recipient (pure). The directory row says which node serves the
 * agency and through which neighbour this node reaches it (`viaNode`: null for this node,
 * a child id, or the parent id).
 */
export type NextHop = { kind: "local" } | { kind: "node"; nodeId: string };

export interface DirectoryEntry {
  code: string;
  code102: string | null;
  state: "active" | "suspended";
  deleted: boolean;
  /** Neighbour through which the agency is reached; null when served here. */
  viaNode: string | null;
}

export type RouteDecision = { ok: true; hop: NextHop } | { ok: false; reason: "unknown" | "suspended" };

export function decideNextHop(entry: DirectoryEntry | undefined): RouteDecision {
  if (!entry || entry.deleted) return { ok: false, reason: "unknown" };
  if (entry.state === "suspended") return { ok: false, reason: "suspended" };
  return {
    ok: true,
    hop: entry.viaNode === null ? { kind: "local" } : { kind: "node", nodeId: entry.viaNode },
  };
}

/** Exponential back-off with full jitter bounds: base·2^(attempt-1), capped. `random` in [0,1). */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
