/**
 * Federation sender: claims due outbox rows, pushes each package to its next-hop node and
 * records the hop. Failures are retried with exponential back-off (no upper bound on the
 * number of attempts: a child that is down for a day receives everything when it returns).
 * The receiving node is idempotent by package id, so a lost answer only costs a resend.
 */
import { backoffDelayMs } from "../domain/routing.ts";
import { appendEvidence } from "../repositories/evidence-repository.ts";
import { claimOutbox, markOutboxRetry, markOutboxSent } from "../repositories/outbox-repository.ts";
import { findPackage } from "../repositories/package-repository.ts";
import { forwardedBytes } from "./package-bytes.ts";
import type { PeerTransport } from "./peer-transport.ts";
import type { NodeContext } from "./ports.ts";

export interface ForwardResult {
  sent: number;
  failed: number;
}

export async function forwardOutbox(
  ctx: NodeContext,
  transport: PeerTransport,
  { random = Math.random }: { random?: () => number } = {},
): Promise<ForwardResult> {
  const { config, db } = ctx;
  const now = ctx.clock.now().getTime();
  // Longer than one request can take, so a live sender never loses its claim mid-send.
  const leaseMs = config.limits.requestTimeoutMs * 2;
  const claimed = await db.transaction((trx) =>
    claimOutbox(trx, db.dialect, { now, leaseUntil: now + leaseMs, limit: config.federation.batchSize }),
  );
  let sent = 0;
  let failed = 0;
  // Neighbours are served in parallel, but each one gets its packages one at a time in
  // claim order (oldest first), so statuses 01 → 06 arrive in the order they were accepted.
  // After a failure the rest of that neighbour's batch waits for the same retry time.
  // Pipelined around the one request in flight: the next package's bytes are read while it is
  // out, and each hop is recorded (outbox row + evidence, in order) while the next one is sent.
  // A hop not yet recorded when the node stops is sent again after its lease; the neighbour
  // de-duplicates by package id.
  const byNode = new Map<string, typeof claimed>();
  for (const item of claimed) byNode.set(item.nodeId, [...(byNode.get(item.nodeId) ?? []), item]);
  const load = async (item: (typeof claimed)[number]) => {
    const pkg = await findPackage(db.kysely, item.packageId);
    if (!pkg) throw new Error("package row missing");
    return { pkg, body: await forwardedBytes(ctx, pkg) };
  };
  await Promise.all(
    [...byNode.values()].map(async (items) => {
      let retryAt: number | undefined;
      let recording: Promise<void> = Promise.resolve();
      // Kept, not left as a rejected promise: raised at the end of the round (rows stay leased).
      let recordError: unknown;
      let next = items[0] ? settle(load(items[0])) : undefined;
      for (const [i, item] of items.entries()) {
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
        const loaded = await next!;
        next = items[i + 1] ? settle(load(items[i + 1]!)) : undefined;
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
            .catch((error: unknown) => {
              recordError ??= error;
            });
          sent++;
        } catch (error) {
          failed++;
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
      await next;
      await recording;
      if (recordError !== undefined) throw recordError;
    }),
  );
  return { sent, failed };
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
