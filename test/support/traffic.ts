/**
 * Sustained document traffic for resilience tests, over the native API (mutual TLS):
 *
 * - each sender sends documents one after another (so "in order per sender" is defined) to
 *   every recipient, retrying the same bytes until the node answers 2xx (the node de-duplicates
 *   a retry whose first attempt was stored but whose answer was lost);
 * - each recipient lists its inbox, downloads, handles each package id once (de-duplication on
 *   the receive side), answers status 01 to the sender (retrying until 2xx), then acknowledges;
 * - each sender collects the statuses addressed to it.
 *
 * Everything observed is recorded, so a test can check: every package acknowledged to a sender
 * was delivered to every recipient exactly once in effect, every status came back, no document
 * got two package ids, and per-sender order at each recipient.
 */

import { nativeCall, type Reply } from "./http.ts";
import { edocXml, statusXml, textOf } from "./packages.ts";
import type { Identity } from "./pki.ts";

export interface Party {
  agency: string;
  identity: Identity;
  /** Base URL of the node serving this agency (a function: it may change on restart). */
  url(): string;
}

export interface TrafficOptions {
  caPems: readonly string[];
  senders: Party[];
  recipients: Party[];
  attachmentBytes?: number;
  /** Pause between two sends of one sender (ms). */
  sendGapMs?: number;
  /** Pause after a failed call before retrying (ms). */
  retryMs?: number;
  /** Prefix of document numbers (to keep runs apart). */
  tag?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Traffic {
  /** documentId → package id acknowledged to the sender. */
  readonly acked = new Map<string, string>();
  /** documentId → every package id any 2xx answer named (more than one = a duplicate). */
  readonly idsPerDocument = new Map<string, Set<string>>();
  /** sender agency → documentIds in the order they were acknowledged. */
  readonly sendOrder = new Map<string, string[]>();
  /** recipient agency → package id → number of downloads (redeliveries count here). */
  readonly downloads = new Map<string, Map<string, number>>();
  /** recipient agency → package ids in the order first handled. */
  readonly handled = new Map<string, string[]>();
  /** recipient agency → documentId → package id handled. */
  readonly handledDocs = new Map<string, Map<string, string>>();
  /** documentId → recipient agencies whose status 01 reached the sender. */
  readonly statusesBack = new Map<string, Set<string>>();
  /** The same document handled under two package ids by one recipient. */
  readonly duplicateInEffect: string[] = [];
  /** Refusals and network failures seen, by "<status> <code>" or "net <code>". */
  readonly failures = new Map<string, number>();
  private sending = false;
  private receiving = false;
  private loops: Promise<void>[] = [];
  private counter = 0;

  constructor(private readonly o: TrafficOptions) {
    for (const s of o.senders) this.sendOrder.set(s.agency, []);
    for (const r of o.recipients) {
      this.downloads.set(r.agency, new Map());
      this.handled.set(r.agency, []);
      this.handledDocs.set(r.agency, new Map());
    }
  }

  get sentCount(): number {
    return this.acked.size;
  }

  private note(key: string): void {
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
  }

  /** One call; network errors and non-2xx answers are recorded and returned as undefined. */
  private async call(
    party: Party,
    method: string,
    path: string,
    body?: Buffer | object,
    headers?: Record<string, string>,
  ): Promise<Reply | undefined> {
    try {
      const r = await nativeCall(party.url(), party.identity, this.o.caPems, method, path, body, headers);
      if (r.status >= 200 && r.status < 300) return r;
      this.note(`${r.status} ${r.json?.code ?? "?"}`);
      return undefined;
    } catch (error) {
      this.note(`net ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return undefined;
    }
  }

  /** Retries `fn` until it gives a value or `keepGoing()` turns false. */
  private async retry<T>(fn: () => Promise<T | undefined>, keepGoing: () => boolean): Promise<T | undefined> {
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (!keepGoing()) return undefined;
      await sleep(this.o.retryMs ?? 100);
    }
  }

  startSending(): void {
    this.sending = true;
    for (const s of this.o.senders) this.loops.push(this.senderLoop(s));
  }

  /** Stops starting new documents; a send in progress finishes (retrying until acknowledged). */
  async stopSending(): Promise<void> {
    this.sending = false;
  }

  private async senderLoop(s: Party): Promise<void> {
    const tag = this.o.tag ?? "LOAD";
    while (this.sending) {
      const n = ++this.counter;
      const documentId = `${s.agency},2025/03/05,${n}/${tag}`;
      const body = edocXml({
        from: s.agency,
        to: this.o.recipients.map((r) => r.agency),
        documentId,
        attachmentBytes: this.o.attachmentBytes ?? 2048,
        seed: n,
      });
      // Once started, a document is retried until acknowledged, even after stopSending.
      const r = await this.retry(
        () => this.call(s, "POST", "/v1/packages", body),
        () => this.receiving || this.sending,
      );
      if (!r) return;
      const id = r.json.packageId as string;
      const ids = this.idsPerDocument.get(documentId) ?? new Set<string>();
      ids.add(id);
      this.idsPerDocument.set(documentId, ids);
      this.acked.set(documentId, id);
      this.sendOrder.get(s.agency)!.push(documentId);
      if (this.o.sendGapMs) await sleep(this.o.sendGapMs);
    }
  }

  startReceiving(): void {
    this.receiving = true;
    for (const r of this.o.recipients) this.loops.push(this.recipientLoop(r));
    for (const s of this.o.senders) this.loops.push(this.statusLoop(s));
  }

  private async recipientLoop(p: Party): Promise<void> {
    const downloads = this.downloads.get(p.agency)!;
    const handled = this.handled.get(p.agency)!;
    const handledDocs = this.handledDocs.get(p.agency)!;
    const seen = new Set<string>();
    while (this.receiving) {
      const inbox = await this.call(p, "GET", "/v1/inbox?type=edoc&limit=200");
      const items = (inbox?.json.items ?? []) as { docId: string; to: string }[];
      if (items.length === 0) {
        await sleep(inbox ? 50 : (this.o.retryMs ?? 100));
        continue;
      }
      for (const item of items) {
        if (!this.receiving) return;
        const pkg = await this.call(p, "GET", `/v1/packages/${item.docId}`);
        if (!pkg) continue; // offered again later
        downloads.set(item.docId, (downloads.get(item.docId) ?? 0) + 1);
        const documentId = textOf(pkg.body, "DocumentId")[0]!;
        const from = textOf(pkg.body, "OrganId")[0]!;
        if (!seen.has(item.docId)) {
          // First time this package id: handle it (de-duplication by package id).
          seen.add(item.docId);
          handled.push(item.docId);
          const earlier = handledDocs.get(documentId);
          if (earlier === undefined) handledDocs.set(documentId, item.docId);
          else this.duplicateInEffect.push(`${p.agency}: ${documentId} as ${earlier} and ${item.docId}`);
        }
        // The status is idempotent at the node (same bytes → same id): resend it on redelivery.
        const status = statusXml({ from: p.agency, responseFor: from, documentId, code: "01" });
        const sent = await this.retry(
          () => this.call(p, "POST", "/v1/packages", status, { "x-truc-message-type": "status" }),
          () => this.receiving,
        );
        if (!sent) return;
        await this.retry(
          () => this.call(p, "POST", `/v1/packages/${item.docId}/ack`, { status: "done" }),
          () => this.receiving,
        );
      }
    }
  }

  private async statusLoop(p: Party): Promise<void> {
    while (this.receiving) {
      const inbox = await this.call(p, "GET", "/v1/inbox?type=status&limit=200");
      const items = (inbox?.json.items ?? []) as { docId: string; from: string }[];
      if (items.length === 0) {
        await sleep(inbox ? 50 : (this.o.retryMs ?? 100));
        continue;
      }
      for (const item of items) {
        if (!this.receiving) return;
        const pkg = await this.call(p, "GET", `/v1/packages/${item.docId}`);
        if (!pkg) continue;
        const documentId = textOf(pkg.body, "DocumentId")[0]!;
        const reporter = textOf(pkg.body, "OrganId")[0]!;
        const set = this.statusesBack.get(documentId) ?? new Set<string>();
        set.add(reporter);
        this.statusesBack.set(documentId, set);
        await this.retry(
          () => this.call(p, "POST", `/v1/packages/${item.docId}/ack`, { status: "done" }),
          () => this.receiving,
        );
      }
    }
  }

  /** Everything acknowledged has been handled by every recipient and its statuses came back. */
  drained(): boolean {
    for (const [documentId, id] of this.acked) {
      for (const r of this.o.recipients)
        if (this.handledDocs.get(r.agency)!.get(documentId) !== id) return false;
      if ((this.statusesBack.get(documentId)?.size ?? 0) < this.o.recipients.length) return false;
    }
    return true;
  }

  /** Waits until drained (or the deadline), then stops every loop. */
  async finish(timeoutMs: number): Promise<boolean> {
    this.sending = false;
    const deadline = Date.now() + timeoutMs;
    // Let in-flight sends get their acknowledgement first.
    while (Date.now() < deadline && !this.drained()) await sleep(100);
    const ok = this.drained();
    this.receiving = false;
    await Promise.all(this.loops);
    return ok;
  }

  /** Stops every loop without waiting for the traffic to drain (test failure paths). */
  async abort(): Promise<void> {
    this.sending = false;
    this.receiving = false;
    await Promise.all(this.loops);
  }

  /** Lost, duplicated and late figures for assertions and the report. */
  summary() {
    const lost: string[] = [];
    const missingStatus: string[] = [];
    for (const [documentId, id] of this.acked) {
      for (const r of this.o.recipients)
        if (this.handledDocs.get(r.agency)!.get(documentId) !== id) lost.push(`${documentId} → ${r.agency}`);
      for (const r of this.o.recipients)
        if (!this.statusesBack.get(documentId)?.has(r.agency))
          missingStatus.push(`${documentId} ← ${r.agency}`);
    }
    const duplicateIds = [...this.idsPerDocument].filter(([, ids]) => ids.size > 1).map(([d]) => d);
    let redeliveries = 0;
    for (const m of this.downloads.values()) for (const n of m.values()) redeliveries += n - 1;
    return {
      acknowledged: this.acked.size,
      lost,
      missingStatus,
      duplicateIds,
      duplicateDeliveries: this.duplicateInEffect,
      redeliveries,
      failures: Object.fromEntries(this.failures),
    };
  }

  /** Documents of `sender` in the order `recipient` first handled them, vs. the send order. */
  orderAt(sender: string, recipient: string): { sent: string[]; received: string[] } {
    const sent = this.sendOrder.get(sender) ?? [];
    const sentSet = new Set(sent);
    const byId = new Map([...this.handledDocs.get(recipient)!].map(([doc, id]) => [id, doc]));
    const received = this.handled
      .get(recipient)!
      .map((id) => byId.get(id))
      .filter((d): d is string => d !== undefined && sentSet.has(d));
    return { sent, received };
  }
}
