/**
 * Runs the conformance scenarios against an SDKVXP-compatible endpoint. The runner is the
 * sending agency; the peer is the receiving agency (the built-in simulated agency, or a real
 * agency system whose answers are awaited). Every scenario collects its evidence: the packages
 * exchanged (digests, sizes, times) and the server's answers (ErrorCode/ErrorDesc).
 */
import { randomUUID } from "node:crypto";
import { ClientError, type SdkvxpClient } from "@truc/client";
import type { Signer } from "@truc/common";
import { parseEdxml, signEdxml } from "@truc/edxml";
import type { PeerAgency, PeerEvent } from "./agency.ts";
import type {
  ConformanceReport,
  Outcome,
  PackageEvidence,
  ScenarioResult,
  ServerAnswer,
  Text,
} from "./model.ts";
import { STATUS_FEEDBACK_CODES } from "./model.ts";
import { type DocumentRef, PackageFactory, sha256Hex } from "./packages.ts";
import { SCENARIOS, type ScenarioDefinition, type ScenarioId } from "./scenarios.ts";

export interface ConformanceOptions {
  endpoint: string;
  /** The sending agency's connection. */
  runner: SdkvxpClient;
  runnerSystemId: string;
  peer: PeerAgency;
  peerSystemId?: string;
  /**
   * Signs the tampered-signature package (an ephemeral key is made when absent) and, when the
   * node requires signatures, every package the runner sends.
   */
  packageSigner?: Signer;
  /** The runner's connection claiming another agency in `from` (for the wrong-sender case). */
  runnerAs?: (agency: string) => SdkvxpClient;
  /** What the node is expected to do with an unsigned package. */
  signaturePolicy?: "require" | "verify-if-present" | "off";
  /** Attachment size of the oversized package (default 65 MiB, above the 64 MiB node default). */
  oversizeBytes?: number;
  /** A syntactically valid agency code that is in no directory. */
  unknownAgency?: string;
  /** How long to wait for an answer (status) before failing (default 30 s). */
  timeoutMs?: number;
  pollMs?: number;
  only?: readonly ScenarioId[];
  onScenario?: (index: number, total: number, id: ScenarioId, result?: ScenarioResult) => void;
}

export interface ReceivedStatus {
  documentId: string;
  code: string;
  description?: string;
  from: string;
  docId: string;
  sha256: string;
  size: number;
  at: number;
}

/** The runner's own inbox: statuses (and anything else) addressed to the sending agency. */
class RunnerInbox {
  readonly statuses: ReceivedStatus[] = [];
  readonly #seen = new Set<string>();
  constructor(private readonly client: SdkvxpClient) {}

  async poll(): Promise<void> {
    for (const messageType of ["status", "edoc"] as const) {
      for (const item of await this.client.getReceivedEdocList({ messageType })) {
        const bytes = await this.client.getEdoc(item.docId);
        try {
          const parsed = await parseEdxml(bytes);
          if (parsed.kind === "status" && !this.#seen.has(item.docId)) {
            this.#seen.add(item.docId);
            this.statuses.push({
              documentId: parsed.status.responseFor.documentId,
              code: parsed.status.statusCode,
              ...(parsed.status.description ? { description: parsed.status.description } : {}),
              from: parsed.status.from.organId,
              docId: item.docId,
              sha256: parsed.sha256,
              size: parsed.size,
              at: Date.now(),
            });
          }
          await this.client.updateStatus(item.docId, "done");
        } catch {
          await this.client.updateStatus(item.docId, "fail", "not an edXML package");
        }
      }
    }
  }

  about(documentId: string, since = 0): ReceivedStatus[] {
    return this.statuses.filter((s) => s.documentId === documentId && s.at >= since);
  }
}

export type SendResult =
  | { ok: true; docId: string; duplicate?: boolean }
  | { ok: false; errorCode: string; errorDesc: string; httpStatus?: number; unsupported: boolean };

/** Evidence and helpers for one scenario. */
export class ScenarioSession {
  readonly packages: PackageEvidence[] = [];
  readonly answers: ServerAnswer[] = [];
  readonly documents = new Set<string>();
  constructor(
    readonly run: RunContext,
    readonly started: number,
  ) {}

  get factory(): PackageFactory {
    return this.run.factory;
  }
  get peer(): PeerAgency {
    return this.run.peer;
  }

  /** Sends as the runner (or with another client); records the package and the server's answer. */
  async send(
    label: string,
    bytes: Buffer,
    o: {
      messageType: "edoc" | "status";
      documentId?: string;
      businessType?: number;
      statusCode?: string;
      client?: SdkvxpClient;
      /** Sign when the node requires signatures (default true); false to send as given. */
      sign?: boolean;
    },
  ): Promise<SendResult> {
    if (o.documentId) this.documents.add(o.documentId);
    const { signaturePolicy, packageSigner } = this.run.options;
    if (o.sign !== false && signaturePolicy === "require" && packageSigner && o.documentId)
      bytes = await signEdxml(bytes, packageSigner, { replaceExisting: true });
    const at = new Date().toISOString();
    const evidence: PackageEvidence = {
      party: "runner",
      action: "sent",
      kind: bytes.length > 0 && o.documentId ? o.messageType : "raw",
      label,
      ...(o.documentId ? { documentId: o.documentId } : {}),
      ...(o.businessType !== undefined ? { businessType: o.businessType } : {}),
      ...(o.statusCode ? { statusCode: o.statusCode } : {}),
      sha256: sha256Hex(bytes),
      size: bytes.length,
      at,
    };
    this.packages.push(evidence);
    try {
      const { docId } = await (o.client ?? this.run.runner).sendEdoc(bytes, { messageType: o.messageType });
      evidence.docId = docId;
      this.answers.push({
        party: "runner",
        operation: `sendEdoc (${label})`,
        ok: true,
        docId,
        at: new Date().toISOString(),
      });
      return { ok: true, docId };
    } catch (error) {
      const answer = describeFailure(error);
      this.answers.push({
        party: "runner",
        operation: `sendEdoc (${label})`,
        ok: false,
        ...answer,
        at: new Date().toISOString(),
      });
      return { ok: false, ...answer, unsupported: answer.httpStatus === 404 || answer.httpStatus === 501 };
    }
  }

  /** Polls both sides until `done()` holds or the timeout passes; true when it held. */
  async waitFor(done: () => boolean, timeoutMs = this.run.timeoutMs): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      await this.run.peer.poll();
      await this.run.inbox.poll();
      if (done()) return true;
      if (Date.now() >= until) return false;
      await new Promise((r) => setTimeout(r, this.run.pollMs));
    }
  }

  /** Statuses received by the runner about a document since `since` (ms). */
  statuses(documentId: string, since = this.started): ReceivedStatus[] {
    return this.run.inbox.about(documentId, since);
  }

  /** What the peer agency received about a document (simulated agency only). */
  peerReceived(documentId: string, businessType?: number): PeerEvent[] {
    return this.run.peer
      .events()
      .filter(
        (e) =>
          e.action === "received" &&
          e.kind === "edoc" &&
          e.documentId === documentId &&
          (businessType === undefined || e.businessType === businessType),
      );
  }

  /** Waits for the given status codes about a document, in this order; returns what is missing. */
  async expectStatuses(doc: DocumentRef, codes: readonly string[], since = this.started) {
    this.documents.add(doc.documentId);
    const arrived = () => new Set(this.statuses(doc.documentId, since).map((s) => s.code));
    await this.waitFor(() => codes.every((c) => arrived().has(c)));
    const got = this.statuses(doc.documentId, since).map((s) => s.code);
    const missing = codes.filter((c) => !got.includes(c));
    const order = codes.filter((c) => got.includes(c));
    const firstIndex = order.map((c) => got.indexOf(c));
    const inOrder = firstIndex.every((v, i) => i === 0 || v > firstIndex[i - 1]!);
    return { got, missing, inOrder };
  }
}

export interface RunContext {
  runner: SdkvxpClient;
  peer: PeerAgency;
  inbox: RunnerInbox;
  factory: PackageFactory;
  timeoutMs: number;
  pollMs: number;
  options: Required<Pick<ConformanceOptions, "signaturePolicy" | "oversizeBytes" | "unknownAgency">> &
    ConformanceOptions;
}

export interface ScenarioVerdict {
  outcome: Outcome;
  reason?: Text;
}

export function describeFailure(error: unknown): {
  errorCode: string;
  errorDesc: string;
  httpStatus?: number;
} {
  if (error instanceof ClientError) {
    const httpStatus = error.httpStatus;
    return {
      errorCode: error.serverErrorCode || error.code,
      errorDesc: error.serverErrorDesc || error.messageEn,
      ...(httpStatus !== undefined ? { httpStatus } : {}),
    };
  }
  const e = error as { code?: string; message?: string };
  return { errorCode: e.code ?? "ERROR", errorDesc: e.message ?? String(error) };
}

/** Peer evidence and runner-received statuses that concern the scenario's documents. */
function gatherEvidence(session: ScenarioSession): PackageEvidence[] {
  const fromPeer: PackageEvidence[] = session.run.peer
    .events()
    .filter((e) => session.documents.has(e.documentId) && Date.parse(e.at) >= session.started)
    .map((e) => ({
      party: "peer" as const,
      action: e.action,
      kind: e.kind,
      documentId: e.documentId,
      ...(e.businessType !== undefined ? { businessType: e.businessType } : {}),
      ...(e.statusCode ? { statusCode: e.statusCode } : {}),
      ...(e.description ? { description: e.description } : {}),
      ...(e.docId ? { docId: e.docId } : {}),
      sha256: e.sha256,
      size: e.size,
      at: e.at,
      ...(e.attachments ? { attachments: e.attachments } : {}),
    }));
  const toRunner: PackageEvidence[] = session.run.inbox.statuses
    .filter((s) => session.documents.has(s.documentId) && s.at >= session.started)
    .map((s) => ({
      party: "runner" as const,
      action: "received" as const,
      kind: "status" as const,
      documentId: s.documentId,
      statusCode: s.code,
      ...(s.description ? { description: s.description } : {}),
      docId: s.docId,
      sha256: s.sha256,
      size: s.size,
      at: new Date(s.at).toISOString(),
    }));
  return [...session.packages, ...fromPeer, ...toRunner].sort((a, b) => a.at.localeCompare(b.at));
}

/** Peer answers that the axis refused (an honest agency whose statuses never left). */
function peerAnswerFailures(session: ScenarioSession): ServerAnswer[] {
  return session.run.peer
    .events()
    .filter(
      (e) =>
        e.action === "sent" && session.documents.has(e.documentId) && Date.parse(e.at) >= session.started,
    )
    .map((e) => ({
      party: "peer" as const,
      operation: `sendEdoc (status ${e.statusCode})`,
      ok: !e.error,
      ...(e.docId ? { docId: e.docId } : {}),
      ...(e.error ? { errorCode: e.error.code, ...(e.error.desc ? { errorDesc: e.error.desc } : {}) } : {}),
      at: e.at,
    }));
}

export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const startedAt = new Date();
  const settings = {
    signaturePolicy: options.signaturePolicy ?? "verify-if-present",
    oversizeBytes: options.oversizeBytes ?? 65 * 1024 * 1024,
    unknownAgency: options.unknownAgency ?? "H99.99.99",
    timeoutMs: options.timeoutMs ?? 30_000,
  };
  const ctx: RunContext = {
    runner: options.runner,
    peer: options.peer,
    inbox: new RunnerInbox(options.runner),
    factory: new PackageFactory(options.runner.agencyCode, options.peer.agencyCode, startedAt),
    timeoutMs: settings.timeoutMs,
    pollMs: options.pollMs ?? (options.peer.mode === "simulated" ? 100 : 2000),
    options: { ...options, ...settings },
  };
  // Start from empty inboxes: earlier runs may have left packages behind.
  await ctx.inbox.poll();
  await ctx.peer.poll();

  const selected = SCENARIOS.filter((s) => !options.only || options.only.includes(s.id));
  const results: ScenarioResult[] = [];
  for (const [index, definition] of selected.entries()) {
    options.onScenario?.(index, selected.length, definition.id);
    const result = await runOne(ctx, definition);
    results.push(result);
    options.onScenario?.(index + 1, selected.length, definition.id, result);
  }

  const feedback = statusFeedbacks(results);
  const passed = results.filter((r) => r.outcome === "pass").length;
  const failed = results.filter((r) => r.outcome === "fail").length;
  const notSupported = results.filter((r) => r.outcome === "not-supported").length;
  const feedbackText = `${feedback.count}/6`;
  return {
    format: "truc-conformance-report/1",
    runId: randomUUID(),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    endpoint: options.endpoint,
    runner: { systemId: options.runnerSystemId, agency: options.runner.agencyCode },
    peer: {
      agency: options.peer.agencyCode,
      mode: options.peer.mode,
      ...(options.peerSystemId ? { systemId: options.peerSystemId } : {}),
    },
    settings,
    summary: {
      total: results.length,
      passed,
      failed,
      notSupported,
      statusFeedbacks: feedback,
      line: {
        vi: `${feedbackText} phản hồi trạng thái; ${passed}/${results.length} kịch bản đạt${failed ? `, ${failed} không đạt` : ""}${notSupported ? `, ${notSupported} không hỗ trợ` : ""}`,
        en: `${feedbackText} status feedbacks; ${passed}/${results.length} scenarios passed${failed ? `, ${failed} failed` : ""}${notSupported ? `, ${notSupported} not supported` : ""}`,
      },
    },
    scenarios: results,
  };
}

/** 01 and 03–06 from the status-feedback scenario, 02 from the rejection scenario. */
function statusFeedbacks(
  results: readonly ScenarioResult[],
): ConformanceReport["summary"]["statusFeedbacks"] {
  const received = new Set<string>();
  const codesIn = (id: string) =>
    results
      .find((r) => r.id === id)
      ?.packages.filter((p) => p.party === "runner" && p.action === "received" && p.kind === "status")
      .map((p) => p.statusCode!) ?? [];
  for (const code of codesIn("status-feedback")) if (code !== "02") received.add(code);
  const rejection = results.find((r) => r.id === "rejection");
  if (rejection?.outcome === "pass") received.add("02");
  const list = STATUS_FEEDBACK_CODES.filter((c) => received.has(c));
  return {
    received: list,
    missing: STATUS_FEEDBACK_CODES.filter((c) => !received.has(c)),
    count: list.length,
    of: 6,
  };
}

async function runOne(ctx: RunContext, definition: ScenarioDefinition): Promise<ScenarioResult> {
  const started = Date.now();
  const session = new ScenarioSession(ctx, started);
  let verdict: ScenarioVerdict;
  try {
    verdict = await definition.run(session);
  } catch (error) {
    const f = describeFailure(error);
    verdict = {
      outcome: "fail",
      reason: {
        vi: `Lỗi khi chạy kịch bản: [${f.errorCode}] ${f.errorDesc}`,
        en: `Error while running the scenario: [${f.errorCode}] ${f.errorDesc}`,
      },
    };
  }
  const finished = Date.now();
  return {
    id: definition.id,
    title: definition.title,
    expectation: definition.expectation(ctx.options),
    reference: definition.reference,
    outcome: verdict.outcome,
    ...(verdict.reason ? { reason: verdict.reason } : {}),
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    packages: gatherEvidence(session),
    answers: [...session.answers, ...peerAnswerFailures(session)].sort((a, b) => a.at.localeCompare(b.at)),
  };
}
