/**
 * The agency side of the conformance run. `SimulatedAgency` is a built-in QLVB&ĐH stand-in
 * driven through the same SDKVXP API as any vendor system: it pulls what the axis delivers,
 * acknowledges it, and answers with business statuses as the scenario asks (spec §3.4/3.5).
 * `ExternalAgency` stands for a real agency system: the runner only watches what comes back.
 */
import type { SdkvxpClient } from "@truc/client";
import { TrucError } from "@truc/common";
import { parseEdxml, type StatusCode } from "@truc/edxml";
import { type DocumentRef, sha256Hex, status } from "./packages.ts";

export interface StatusAnswer {
  code: StatusCode;
  description?: string;
}

/** What the agency is asked to do for one document, per trigger. */
export interface AnswerPlan {
  /** A new (0) or replacing (3) document arrives. */
  document?: StatusAnswer[];
  /** A revocation (1) of the document arrives. */
  revoke?: StatusAnswer[];
  /** An update (2) of the document arrives. */
  update?: StatusAnswer[];
  /** A take-back request (status 13) arrives. */
  takeBack?: StatusAnswer[];
}

export type Trigger = keyof AnswerPlan;

export interface PeerEvent {
  action: "received" | "sent" | "refused";
  kind: "edoc" | "status";
  documentId: string;
  businessType?: number;
  statusCode?: string;
  description?: string;
  /** The axis package id. */
  docId?: string;
  sha256: string;
  size: number;
  at: string;
  attachments?: { name: string; sha256: string; size: number }[];
  replaces?: string[];
  error?: { code: string; desc?: string };
}

export interface PeerAgency {
  readonly agencyCode: string;
  readonly mode: "simulated" | "external";
  /** How to answer packages about `documentId` (ignored by a real agency: its staff decide). */
  instruct(documentId: string, plan: AnswerPlan): void;
  /** One receive round: take what arrived, acknowledge it, answer it. */
  poll(): Promise<void>;
  events(): readonly PeerEvent[];
}

/** Default answers of a well-behaved agency when the runner asked nothing (automatic 01). */
const DEFAULT_PLAN: Required<AnswerPlan> = {
  document: [{ code: "01" }],
  revoke: [{ code: "03", description: "Đã hủy văn bản bị thu hồi" }],
  update: [{ code: "15", description: "Đồng ý cập nhật" }],
  takeBack: [],
};

export class SimulatedAgency implements PeerAgency {
  readonly mode = "simulated" as const;
  readonly #client: SdkvxpClient;
  readonly #plans = new Map<string, AnswerPlan>();
  readonly #events: PeerEvent[] = [];
  /** Documents seen, to answer statuses (ResponseFor needs the issuer, code and date). */
  readonly #documents = new Map<string, DocumentRef>();

  constructor(client: SdkvxpClient) {
    this.#client = client;
  }

  get agencyCode(): string {
    return this.#client.agencyCode;
  }

  instruct(documentId: string, plan: AnswerPlan): void {
    this.#plans.set(documentId, { ...this.#plans.get(documentId), ...plan });
  }

  events(): readonly PeerEvent[] {
    return this.#events;
  }

  /**
   * The statuses to send for a trigger. A test double overrides this to misbehave (skip
   * statuses, never answer a take-back); the rest of the agency stays correct.
   */
  protected answersFor(trigger: Trigger, documentId: string): StatusAnswer[] {
    return this.#plans.get(documentId)?.[trigger] ?? DEFAULT_PLAN[trigger];
  }

  async poll(): Promise<void> {
    for (const item of await this.#client.getReceivedEdocList({ messageType: "edoc" })) {
      const bytes = await this.#client.getEdoc(item.docId);
      await this.#onDocument(item.docId, bytes);
    }
    for (const item of await this.#client.getReceivedEdocList({ messageType: "status" })) {
      const bytes = await this.#client.getEdoc(item.docId);
      await this.#onStatus(item.docId, bytes);
    }
  }

  async #onDocument(docId: string, bytes: Buffer): Promise<void> {
    const at = new Date().toISOString();
    let parsed: Awaited<ReturnType<typeof parseEdxml>>;
    try {
      parsed = await parseEdxml(bytes);
      if (parsed.kind !== "document") throw new Error("a status offered as a document");
    } catch (error) {
      const code = error instanceof TrucError ? error.code : "NOT_EDXML";
      this.#events.push({
        action: "refused",
        kind: "edoc",
        documentId: "",
        docId,
        sha256: sha256Hex(bytes),
        size: bytes.length,
        at,
        error: { code },
      });
      await this.#client.updateStatus(docId, "fail", code);
      return;
    }
    const h = parsed.document.header;
    const b = parsed.document.business;
    this.#events.push({
      action: "received",
      kind: "edoc",
      documentId: h.documentId,
      businessType: b.docType,
      docId,
      sha256: parsed.sha256,
      size: parsed.size,
      at,
      attachments: parsed.attachments.map((a) => ({ name: a.name, sha256: a.sha256, size: a.size })),
      ...(b.replacements?.length ? { replaces: b.replacements.map((r) => r.documentId) } : {}),
    });
    // Transport acknowledgement first (the package is safely ours), then business statuses.
    await this.#client.updateStatus(docId, "done");
    const ref: DocumentRef = {
      documentId: h.documentId,
      code: `${h.code.codeNumber}/${h.code.codeNotation}`,
      issuer: h.from.organId,
      date: h.promulgationInfo.promulgationDate,
    };
    if (b.docType === 0 || b.docType === 3) this.#documents.set(h.documentId, ref);
    const trigger: Trigger = b.docType === 1 ? "revoke" : b.docType === 2 ? "update" : "document";
    const target = b.docType === 2 && b.documentId ? b.documentId : h.documentId;
    for (const answer of this.answersFor(trigger, target))
      await this.#answer(this.#documents.get(target) ?? ref, answer);
  }

  async #onStatus(docId: string, bytes: Buffer): Promise<void> {
    const at = new Date().toISOString();
    let parsed: Awaited<ReturnType<typeof parseEdxml>>;
    try {
      parsed = await parseEdxml(bytes);
      if (parsed.kind !== "status") throw new Error("a document offered as a status");
    } catch (error) {
      const code = error instanceof TrucError ? error.code : "NOT_EDXML";
      this.#events.push({
        action: "refused",
        kind: "status",
        documentId: "",
        docId,
        sha256: sha256Hex(bytes),
        size: bytes.length,
        at,
        error: { code },
      });
      await this.#client.updateStatus(docId, "fail", code);
      return;
    }
    const s = parsed.status;
    this.#events.push({
      action: "received",
      kind: "status",
      documentId: s.responseFor.documentId,
      statusCode: s.statusCode,
      ...(s.description ? { description: s.description } : {}),
      docId,
      sha256: parsed.sha256,
      size: parsed.size,
      at,
    });
    await this.#client.updateStatus(docId, "done");
    if (s.statusCode !== "13") return;
    const ref = this.#documents.get(s.responseFor.documentId) ?? {
      documentId: s.responseFor.documentId,
      code: s.responseFor.code,
      issuer: s.from.organId,
      date: s.responseFor.promulgationDate ?? { year: 1970, month: 1, day: 1 },
    };
    for (const answer of this.answersFor("takeBack", s.responseFor.documentId))
      await this.#answer(ref, answer);
  }

  async #answer(doc: DocumentRef, answer: StatusAnswer): Promise<void> {
    const bytes = status({
      from: this.agencyCode,
      answering: doc,
      to: doc.issuer,
      code: answer.code,
      ...(answer.description ? { description: answer.description } : {}),
    });
    const event: PeerEvent = {
      action: "sent",
      kind: "status",
      documentId: doc.documentId,
      statusCode: answer.code,
      ...(answer.description ? { description: answer.description } : {}),
      sha256: sha256Hex(bytes),
      size: bytes.length,
      at: new Date().toISOString(),
    };
    try {
      event.docId = (await this.#client.sendEdoc(bytes, { messageType: "status" })).docId;
    } catch (error) {
      event.error = {
        code: error instanceof TrucError ? (error.details?.errorCode as string) || error.code : "ERROR",
        desc:
          error instanceof TrucError ? String(error.details?.errorDesc ?? error.messageEn) : String(error),
      };
    }
    this.#events.push(event);
  }
}

/** A real agency system behind the axis: nothing to drive, its answers arrive on their own. */
export class ExternalAgency implements PeerAgency {
  readonly mode = "external" as const;
  constructor(readonly agencyCode: string) {}
  instruct(): void {}
  async poll(): Promise<void> {}
  events(): readonly PeerEvent[] {
    return [];
  }
}
