/**
 * Refusals that happen before the package pipeline (bad HMAC, stale timestamp, replay, unknown
 * system, `from` not bound to the system, unknown mTLS certificate) go to `axis_intake_log`,
 * so the console's failures page can explain them. Those requests are unauthenticated, so the
 * log must not become a way to fill the disk:
 *
 * - identical refusals (same minute, source, claimed caller, claimed sender, code) share one
 *   row whose `count` grows; the increments are batched in memory and written at most once a
 *   second per row;
 * - at most `maxRowsPerMinute` distinct rows a minute; past that, refusals fold into one row
 *   per (source, code) with caller "(many)";
 * - claimed identifiers are cut to 100 printable characters; no secret, header signature or
 *   body is ever written.
 *
 * Writing the log never changes the answer to the caller: failures are swallowed.
 */
import { addToIntakeCount, insertIntakeRow } from "../repositories/intake-repository.ts";
import type { NodeContext } from "./ports.ts";

export interface Refusal {
  /** "sdkvxp", "native", "federation". */
  source: string;
  /** Who claimed to call: a system id (unverified), `cert:<fingerprint>`, or null. */
  caller: string | null;
  /** The sender agency the request named, if any (unverified). */
  sender: string | null;
  code: string;
  message: { vi: string; en: string };
  /** Plain words for the operator: what was wrong and what to change. */
  diagnostic?: { code?: string; vi: string; en: string };
}

export interface RefusalLog {
  /** Records one refusal; resolves when its row exists (never rejects). */
  record(refusal: Refusal): Promise<void>;
  /** Writes pending counts now. */
  flush(): Promise<void>;
}

interface Entry {
  seq: Promise<number | undefined>;
  pending: number;
}

const MINUTE = 60_000;

/** Control characters out, 100 characters at most: these strings come from unauthenticated requests. */
export function cleanClaim(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?").slice(0, 100);
  return clean.length > 0 ? clean : null;
}

export function createRefusalLog(
  ctx: Pick<NodeContext, "db" | "clock">,
  options: { maxRowsPerMinute?: number; flushDelayMs?: number } = {},
): RefusalLog {
  const maxRows = options.maxRowsPerMinute ?? 60;
  const flushDelayMs = options.flushDelayMs ?? 1000;
  let minute = -1;
  let entries = new Map<string, Entry>();
  let rowsThisMinute = 0;
  let timer: NodeJS.Timeout | undefined;
  const retired: Map<string, Entry>[] = [];

  const flushMap = async (map: Map<string, Entry>) => {
    for (const entry of map.values()) {
      if (entry.pending === 0) continue;
      const seq = await entry.seq;
      const by = entry.pending;
      entry.pending = 0;
      if (seq === undefined) continue;
      try {
        await addToIntakeCount(ctx.db.kysely, seq, by);
      } catch {
        // operators' log only
      }
    }
  };

  const flush = async () => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    const old = retired.splice(0);
    for (const map of old) await flushMap(map);
    await flushMap(entries);
  };

  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, flushDelayMs);
    timer.unref();
  };

  return {
    flush,
    async record(r) {
      const at = ctx.clock.now().getTime();
      const m = Math.floor(at / MINUTE);
      if (m !== minute) {
        if ([...entries.values()].some((e) => e.pending > 0)) {
          retired.push(entries);
          schedule();
        }
        entries = new Map();
        rowsThisMinute = 0;
        minute = m;
      }
      let caller = cleanClaim(r.caller);
      let sender = cleanClaim(r.sender);
      let key = JSON.stringify([r.source, caller, sender, r.code]);
      let entry = entries.get(key);
      if (!entry && rowsThisMinute >= maxRows) {
        caller = "(many)";
        sender = null;
        key = JSON.stringify([r.source, caller, sender, r.code]);
        entry = entries.get(key);
      }
      if (entry) {
        entry.pending++;
        schedule();
        return;
      }
      rowsThisMinute++;
      const seq = insertIntakeRow(ctx.db.kysely, {
        at,
        source: r.source,
        caller,
        sender,
        document_id: null,
        outcome: "refused",
        code: r.code,
        message_vi: r.message.vi.slice(0, 2000),
        message_en: r.message.en.slice(0, 2000),
        diagnostic: r.diagnostic
          ? JSON.stringify({
              ...(r.diagnostic.code ? { code: r.diagnostic.code.slice(0, 100) } : {}),
              vi: r.diagnostic.vi.slice(0, 1000),
              en: r.diagnostic.en.slice(0, 1000),
            })
          : null,
        raw_sha256: null,
        size: null,
        package_id: null,
        count: 1,
      }).catch(() => undefined);
      entries.set(key, { seq, pending: 0 });
      await seq;
    },
  };
}
