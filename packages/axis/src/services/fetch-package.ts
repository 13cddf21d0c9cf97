import type { Readable } from "node:stream";
import { isStorageFull } from "@truc/store";
import { AxisError } from "../errors.ts";
import { appendEvidence } from "../repositories/evidence-repository.ts";
import { findDeliveries, findPackage, leaseDelivery } from "../repositories/package-repository.ts";
import { callerAgencies } from "./caller-agencies.ts";
import { forwardedBytes, forwardedStream } from "./package-bytes.ts";
import type { Caller, NodeContext } from "./ports.ts";

export interface FetchedPackage {
  packageId: string;
  kind: "edoc" | "status";
  sender: string;
  size: number;
  sha256: string;
  /** The package as forwarded to the recipient (with this node's TraceHeader). */
  open(): Promise<Readable>;
  read(): Promise<Buffer>;
}

/**
 * Hands a package to one of its recipients and leases the mailbox row: until the lease ends
 * it is not listed again; without an acknowledgement it is offered again afterwards. A
 * caller only ever sees packages addressed to its own agencies (else "not found", so ids of
 * other agencies' packages are not confirmed).
 */
export async function fetchPackage(
  ctx: NodeContext,
  input: { caller: Caller; packageId: string },
): Promise<FetchedPackage> {
  const recipients = await callerAgencies(ctx, input.caller);
  const deliveries = await findDeliveries(ctx.db.kysely, input.packageId, recipients);
  const pkg = deliveries.length > 0 ? await findPackage(ctx.db.kysely, input.packageId) : undefined;
  if (!pkg) throw new AxisError("AXIS_PACKAGE_NOT_FOUND", { docId: input.packageId });
  const now = ctx.clock.now();
  const leaseUntil = now.getTime() + ctx.config.mailbox.leaseSeconds * 1000;
  try {
    await ctx.db.transaction(async (trx) => {
      for (const d of deliveries) {
        if (d.state !== "pending") continue;
        await leaseDelivery(trx, pkg.id, d.recipient, now.getTime(), leaseUntil);
      }
      await appendEvidence(trx, ctx.db.dialect, {
        at: now,
        kind: "deliver",
        nodeId: ctx.config.nodeId,
        packageId: pkg.id,
        actor: input.caller.type === "agency" ? input.caller.id : null,
        details: { recipients: deliveries.map((d) => d.recipient), sha256: pkg.fwd_sha256 },
      });
    });
  } catch (error) {
    // A full disk must not keep recipients from what was already accepted: the package is
    // handed over without a lease (it stays listed, so it may be fetched twice) and without
    // the "deliver" record; the recipient's acknowledgement, retried until there is room,
    // is what records the receipt.
    if (!isStorageFull(error)) throw error;
  }
  return {
    packageId: pkg.id,
    kind: pkg.kind,
    sender: pkg.sender,
    size: Number(pkg.fwd_size),
    sha256: pkg.fwd_sha256,
    open: () => forwardedStream(ctx, pkg),
    read: () => forwardedBytes(ctx, pkg),
  };
}
