import { countMailbox, listMailbox, type MailboxItem } from "../repositories/package-repository.ts";
import { callerAgencies } from "./caller-agencies.ts";
import type { Caller, NodeContext } from "./ports.ts";

/** What is waiting in the caller's mailboxes: never delivered, or delivered but not acknowledged within the lease. */
export async function listReceived(
  ctx: NodeContext,
  input: { caller: Caller; kind?: "edoc" | "status"; from?: Date; to?: Date; limit?: number },
): Promise<MailboxItem[]> {
  const recipients = await callerAgencies(ctx, input.caller);
  return listMailbox(ctx.db.kysely, {
    recipients,
    ...(input.kind ? { kind: input.kind } : {}),
    now: ctx.clock.now().getTime(),
    ...(input.from ? { from: input.from.getTime() } : {}),
    ...(input.to ? { to: input.to.getTime() } : {}),
    limit: Math.min(input.limit ?? 500, 5000),
  });
}

export async function countReceived(
  ctx: NodeContext,
  input: { caller: Caller; kind?: "edoc" | "status" },
): Promise<number> {
  const recipients = await callerAgencies(ctx, input.caller);
  return countMailbox(ctx.db.kysely, {
    recipients,
    ...(input.kind ? { kind: input.kind } : {}),
    now: ctx.clock.now().getTime(),
  });
}
