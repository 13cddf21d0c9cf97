/**
 * Retries with capped exponential back-off and full jitter, for network errors, timeouts and
 * 5xx answers only (ClientError.retryable). Every attempt rebuilds its request, so signed
 * headers carry a fresh timestamp and never trip the server's replay cache.
 */
import { ClientError } from "./errors.ts";

export interface RetryPolicy {
  /** Further attempts after the first (default 3). */
  retries: number;
  /** First back-off (default 250 ms); doubles each time up to `maxDelayMs` (default 8 s). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, baseDelayMs: 250, maxDelayMs: 8000 };

/** Back-off before attempt `attempt + 1` (0-based): random in [d/2, d], d = base·2^attempt capped. */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
): number {
  const d = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return d / 2 + Math.random() * (d / 2);
}

/** Resolves after `ms`, or rejects with CLIENT_ABORTED as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal, operation = "wait"): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ClientError("CLIENT_ABORTED", { operation }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ClientError("CLIENT_ABORTED", { operation }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export async function withRetry<T>(
  operation: string,
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const retryable = error instanceof ClientError && error.retryable;
      if (!retryable || n >= policy.retries || signal?.aborted) throw error;
      await sleep(backoffDelay(n, policy), signal, operation);
    }
  }
}
