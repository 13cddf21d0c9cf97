/**
 * The receive loop of spec §4.3 ("typical receive loop"): list → get → handle → acknowledge.
 * A package is acknowledged `done` only after `handle` resolved, so a crash in between means it
 * is delivered again (at-least-once): `handle` must be idempotent (de-duplicate by DocumentId).
 * A permanent handling error (malformed package, …) is acknowledged `fail` with its message;
 * any other error leaves the package unacknowledged to be listed again after a back-off.
 */
import { TrucError } from "@truc/common";
import { ClientError } from "./errors.ts";
import { backoffDelay, sleep } from "./retry.ts";
import type { CallOptions, SdkvxpMessageType, TransportStatus } from "./sdkvxp/client.ts";

/** What the loop needs of a client; SdkvxpClient has it, NativeClient through asReceiveClient(). */
export interface ReceiveClient<Item extends { docId: string } = { docId: string }> {
  getReceivedEdocList(
    filter: { messageType: SdkvxpMessageType },
    options?: CallOptions,
  ): Promise<readonly Item[]>;
  getEdoc(docId: string, options?: CallOptions): Promise<Buffer>;
  updateStatus(
    docId: string,
    status: TransportStatus,
    description?: string,
    options?: CallOptions,
  ): Promise<void>;
}

export type ReceiveStage = "list" | "get" | "handle" | "ack";

export interface ReceiveLoopOptions<Item extends { docId: string }> {
  client: ReceiveClient<Item>;
  messageType: SdkvxpMessageType;
  handle(pkg: Buffer, item: Item): Promise<void>;
  /** Stops the loop: no new package is started; a package being handled is finished and acknowledged. */
  signal: AbortSignal;
  /** Pause between polls. */
  intervalMs: number;
  /** Whether a handling error is permanent (acknowledge `fail`). Default: see isPermanentReceiveError. */
  isPermanentError?(error: unknown): boolean;
  /** Observes every error (logging, metrics); never stops the loop. */
  onError?(error: unknown, context: { stage: ReceiveStage; docId?: string }): void;
  /** Back-off after errors: base doubles per consecutive failed round, up to max (defaults 1 s, 60 s). */
  backoff?: { baseDelayMs?: number; maxDelayMs?: number };
}

export interface ReceiveLoopStats {
  /** Packages handled and acknowledged `done`. */
  done: number;
  /** Packages acknowledged `fail` after a permanent error. */
  failed: number;
  /** Errors seen (each left work for a later round). */
  errors: number;
}

/**
 * Default classification: ClientError CLIENT_PACKAGE_REJECTED (throw it from `handle` to reject
 * a package) and every edXML error (EDXML_*: the package itself is wrong; retrying cannot help).
 */
export function isPermanentReceiveError(error: unknown): boolean {
  if (error instanceof ClientError) return error.code === "CLIENT_PACKAGE_REJECTED";
  return error instanceof TrucError && error.code.startsWith("EDXML_");
}

const MAX_DESCRIPTION = 1000;

function describe(error: unknown): string {
  const text =
    error instanceof TrucError
      ? `${error.code}: ${error.messageVi}`
      : error instanceof Error
        ? error.message
        : String(error);
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}

export async function receiveLoop<Item extends { docId: string }>(
  options: ReceiveLoopOptions<Item>,
): Promise<ReceiveLoopStats> {
  const { client, messageType, handle, signal, intervalMs } = options;
  const isPermanent = options.isPermanentError ?? isPermanentReceiveError;
  const policy = {
    baseDelayMs: options.backoff?.baseDelayMs ?? 1000,
    maxDelayMs: options.backoff?.maxDelayMs ?? 60_000,
  };
  const stats: ReceiveLoopStats = { done: 0, failed: 0, errors: 0 };
  const report = (error: unknown, stage: ReceiveStage, docId?: string) => {
    stats.errors++;
    try {
      options.onError?.(error, docId === undefined ? { stage } : { stage, docId });
    } catch {
      // An observer's failure must not stop the loop.
    }
  };
  const pause = async (ms: number) => {
    try {
      await sleep(ms, signal, "receiveLoop");
    } catch {
      // aborted: the loop condition ends it
    }
  };

  /** Returns false when the package was left for a later round. */
  const processOne = async (item: Item): Promise<boolean> => {
    let pkg: Buffer;
    try {
      pkg = await client.getEdoc(item.docId, { signal });
    } catch (error) {
      if (!signal.aborted) report(error, "get", item.docId);
      return false;
    }
    let outcome: TransportStatus = "done";
    let description: string | undefined;
    try {
      await handle(pkg, item);
    } catch (error) {
      report(error, "handle", item.docId);
      if (!isPermanent(error)) return false;
      outcome = "fail";
      description = describe(error);
    }
    // Not tied to `signal`: a package handled before a stop request must still be acknowledged.
    try {
      await client.updateStatus(item.docId, outcome, description);
    } catch (error) {
      report(error, "ack", item.docId);
      return false;
    }
    if (outcome === "done") stats.done++;
    else stats.failed++;
    return true;
  };

  let failedRounds = 0;
  while (!signal.aborted) {
    let clean = true;
    try {
      const items = await client.getReceivedEdocList({ messageType }, { signal });
      for (const item of items) {
        if (signal.aborted) break;
        if (!(await processOne(item))) clean = false;
      }
    } catch (error) {
      if (signal.aborted) break;
      report(error, "list");
      clean = false;
    }
    if (signal.aborted) break;
    if (clean) {
      failedRounds = 0;
      await pause(intervalMs);
    } else {
      await pause(Math.max(intervalMs, backoffDelay(failedRounds, policy)));
      failedRounds++;
    }
  }
  return stats;
}
