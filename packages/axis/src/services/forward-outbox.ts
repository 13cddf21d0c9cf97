/**
 * Federation sender: claims due outbox rows, pushes each package to its next-hop node and
 * records the hop. Failures are retried with exponential back-off (no upper bound on the
 * number of attempts: a child that is down for a day receives everything when it returns).
 * The receiving node is idempotent by package id, so a lost answer only costs a resend.
 */
import { backoffDelayMs } from "../domain/routing.ts";
import { appendEvidence } from "../repositories/evidence-repository.ts";
import {
  type ClaimedOutbox,
  claimOutbox,
  markOutboxRetry,
  markOutboxSent,
} from "../repositories/outbox-repository.ts";
import { findPackage } from "../repositories/package-repository.ts";
import { forwardedBody } from "./package-bytes.ts";
import type { PeerTransport } from "./peer-transport.ts";
import type { NodeContext } from "./ports.ts";

export interface ForwardResult {
  sent: number;
  failed: number;
}

export interface ForwardOptions {
  random?: () => number;
  /**
   * Asked each time a lane frees up: while it answers true the round claims again and keeps
   * every neighbour's lanes busy (a steady pipeline); otherwise the round ends with the rows
   * of its first claim. The node's worker passes "still running"; `forwardNow` claims once.
   */
  keepGoing?: () => boolean;
  /** Called as each hop is recorded or fails (metrics), not only at the end of the round. */
  onOutcome?: (outcome: "sent" | "failed") => void;
}

/** One sender's claimed packages for one neighbour, sent one at a time in claim order. */
interface Lane {
  key: string;
  nodeId: string;
  items: ClaimedOutbox[];
}

export async function forwardOutbox(
  ctx: NodeContext,
  transport: PeerTransport,
  { random = Math.random, keepGoing = () => false, onOutcome }: ForwardOptions = {},
): Promise<ForwardResult> {
  const { config, db } = ctx;
  const inFlight = config.federation.inFlightPerNeighbour;
  const claim = (skipNodes: readonly string[]) => {
    const now = ctx.clock.now().getTime();
    // Longer than one request can take, so a live sender never loses its claim mid-send.
    const leaseMs = config.limits.requestTimeoutMs * 2;
    return db.transaction((trx) =>
      claimOutbox(trx, db.dialect, {
        now,
        leaseUntil: now + leaseMs,
        limit: config.federation.batchSize,
        skipNodes,
      }),
    );
  };
  let sent = 0;
  let failed = 0;
  // Each neighbour has up to `inFlight` lanes at once, one per sender agency: a sender's
  // packages go one at a time in claim order (oldest first), so statuses 01 → 06 arrive in the
  // order they were accepted, while other senders' packages travel beside them. After a
  // failure the rest of that lane waits for the same retry time; other lanes go on.
  // Pipelined around the request in flight: the lane's next package is read while it is out,
  // and each hop is recorded (outbox row + evidence, in order) while the next one is sent.
  // A hop not yet recorded when the node stops is sent again after its lease; the neighbour
  // de-duplicates by package id.
  const lanes = new Map<string, Lane>(); // by node and sender: queued or running
  const queues = new Map<string, Lane[]>(); // by node: lanes waiting for a free slot
  const busy = new Map<string, number>(); // by node: lanes running
  const held = new Set<string>(); // rows in a lane here, until recorded
  const running = new Set<Promise<void>>();
  let laneError: unknown;

  const load = async (item: ClaimedOutbox) => {
    const pkg = await findPackage(db.kysely, item.packageId);
    if (!pkg) throw new Error("package row missing");
    return { pkg, body: await forwardedBody(ctx, pkg) };
  };

  const runLane = async (lane: Lane) => {
    let retryAt: number | undefined;
    let recording: Promise<void> = Promise.resolve();
    // Kept, not left as a rejected promise: raised when the lane ends (rows stay leased).
    let recordError: unknown;
    let next: ReturnType<typeof settleLoad> | undefined;
    const settleLoad = (item: ClaimedOutbox) => settle(load(item));
    try {
      // `items` may grow while the lane runs (a later claim of the same sender and node).
      for (let i = 0; i < lane.items.length; i++) {
        const item = lane.items[i]!;
        if (retryAt !== undefined) {
          await markOutboxRetry(
            db.kysely,
            item.packageId,
            item.nodeId,
            retryAt,
            "waiting behind an earlier package",
          );
          continue;
        }
        const loaded = await (next ?? settleLoad(item));
        const following = lane.items[i + 1];
        next = following ? settleLoad(following) : undefined;
        try {
          if (!loaded.ok) throw loaded.error;
          const { pkg, body } = loaded.value;
          const answer = await transport.sendPackage(item.nodeId, {
            packageId: pkg.id,
            kind: pkg.kind,
            originSignature: pkg.signature,
            body,
          });
          const at = ctx.clock.now();
          recording = recording
            .then(() =>
              db.transaction(async (trx) => {
                await markOutboxSent(trx, item.packageId, item.nodeId, at.getTime());
                await appendEvidence(trx, db.dialect, {
                  at,
                  kind: "forward",
                  nodeId: config.nodeId,
                  packageId: item.packageId,
                  actor: item.nodeId,
                  details: {
                    to: item.nodeId,
                    sha256: pkg.fwd_sha256,
                    attempts: item.attempts,
                    duplicate: answer.duplicate,
                  },
                });
              }),
            )
            .then(() => onOutcome?.("sent"))
            .catch((error: unknown) => {
              recordError ??= error;
            });
          sent++;
        } catch (error) {
          failed++;
          onOutcome?.("failed");
          const delay = backoffDelayMs(
            item.attempts,
            config.federation.backoffBaseMs,
            config.federation.backoffMaxMs,
            random(),
          );
          retryAt = ctx.clock.now().getTime() + delay;
          await recording;
          await markOutboxRetry(db.kysely, item.packageId, item.nodeId, retryAt, errorText(error));
        }
      }
    } finally {
      // Closed in the same tick as the loop's last check, so no later claim appends to it
      // unseen; the sender's next rows stay blocked by these leases until they are recorded.
      lanes.delete(lane.key);
      await next;
      await recording;
      for (const item of lane.items) held.delete(rowKey(item));
    }
    if (recordError !== undefined) throw recordError;
  };

  const startLanes = (nodeId: string) => {
    const queue = queues.get(nodeId) ?? [];
    while ((busy.get(nodeId) ?? 0) < inFlight && queue.length > 0) {
      const lane = queue.shift()!;
      busy.set(nodeId, (busy.get(nodeId) ?? 0) + 1);
      const done: Promise<void> = runLane(lane)
        .catch((error: unknown) => {
          laneError ??= error;
        })
        .finally(() => {
          busy.set(nodeId, busy.get(nodeId)! - 1);
          running.delete(done);
          startLanes(nodeId);
        });
      running.add(done);
    }
  };

  const place = (rows: ClaimedOutbox[]) => {
    const touched = new Set<string>();
    for (const row of rows) {
      // Claimed again only if its lease ran out while it is still in a lane here.
      if (held.has(rowKey(row))) continue;
      held.add(rowKey(row));
      const key = `${row.nodeId}\u0000${row.sender}`;
      const lane = lanes.get(key);
      if (lane) {
        lane.items.push(row);
        continue;
      }
      const created: Lane = { key, nodeId: row.nodeId, items: [row] };
      lanes.set(key, created);
      if (!queues.has(row.nodeId)) queues.set(row.nodeId, []);
      queues.get(row.nodeId)!.push(created);
      touched.add(row.nodeId);
    }
    for (const nodeId of touched) startLanes(nodeId);
  };

  // Every slot of this neighbour taken, or lanes already queued for it: claim nothing for it,
  // so what is claimed starts soon (well within its lease).
  const saturated = (nodeId: string) =>
    (queues.get(nodeId)?.length ?? 0) > 0 || (busy.get(nodeId) ?? 0) >= inFlight;

  try {
    place(await claim([]));
    while (running.size > 0) {
      await Promise.race(running);
      const skip = [...queues.keys()].filter(saturated);
      if (running.size > 0 && skip.length === queues.size) continue;
      if (laneError === undefined && keepGoing()) place(await claim(skip));
    }
  } finally {
    // A failed claim still lets the lanes already running finish and record.
    await Promise.all(running);
  }
  if (laneError !== undefined) throw laneError;
  return { sent, failed };
}

function rowKey(item: ClaimedOutbox): string {
  return `${item.packageId}\u0000${item.nodeId}`;
}

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as Error & { code?: unknown }).code;
  return code === undefined ? error.message : `${String(code)}: ${error.message}`;
}
