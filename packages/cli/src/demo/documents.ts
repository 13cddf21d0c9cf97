/**
 * Moves documents through the demo network the way people do, through the office API:
 * a specialist drafts, the leader approves and signs, the clerk numbers, seals and issues;
 * at each recipient the clerk registers (or returns), the leader assigns, the specialist
 * processes and completes. Used for the documents "already in flight" at first start and
 * for `truc demo --traffic N`.
 */
import { makeSampleDocument } from "@truc/pdfsign";
import { OfficeSession } from "./office-session.ts";
import type { DemoOfficeRuntime } from "./offices.ts";
import { demoUsername } from "./offices.ts";
import { agencyByCode, DEMO_ROLES, leaderPosition } from "./topology.ts";

type Step = "arrived" | "registered" | "assigned" | "processing" | "done" | "rejected";

export interface DocumentPlan {
  from: string;
  to: string[];
  subject: string;
  typeCode?: string;
  urgency?: "thuong" | "khan" | "thuong_khan" | "hoa_toc";
  /** How far each recipient takes it (default: arrived, i.e. waiting for the clerk). */
  outcome?: Record<string, Step>;
}

interface IncomingItem {
  id: string;
  documentId: string;
  state: string;
}

const LEADER = DEMO_ROLES.find((r) => r.role === "lanh_dao")!;

export class DemoDriver {
  private readonly sessions = new Map<string, OfficeSession>();

  constructor(
    private readonly offices: DemoOfficeRuntime[],
    private readonly password: string,
  ) {}

  private officeOf(code: string): DemoOfficeRuntime {
    const office = this.offices.find((o) => o.office.agencyCodes.includes(code));
    if (!office) throw new Error(`no office deployment serves ${code}`);
    return office;
  }

  private async as(role: "vanthu" | "lanhdao" | "chuyenvien", code: string): Promise<OfficeSession> {
    const key = `${role}.${code}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = await OfficeSession.login(this.officeOf(code).url, demoUsername(role, code), this.password);
      this.sessions.set(key, session);
    }
    return session;
  }

  /** Drafts, approves, signs (leader then organisation) and issues a document; returns its DocumentId. */
  async issue(plan: DocumentPlan): Promise<string> {
    const sender = agencyByCode(plan.from);
    const specialist = await this.as("chuyenvien", plan.from);
    const leader = await this.as("lanhdao", plan.from);
    const clerk = await this.as("vanthu", plan.from);
    const draft = await specialist.call<{ id: string }>("POST", "/api/outgoing", {
      typeCode: plan.typeCode ?? "CV",
      subject: plan.subject,
      urgency: plan.urgency ?? "thuong",
      recipients: plan.to.map((code) => ({ organId: code, organName: agencyByCode(code).name })),
      places: ["Như trên", "Lưu: VT"],
    });
    const pdf = await makeSampleDocument({
      notation: `    /${sender.abbreviation}-VP`,
      competence: "",
      position: leaderPosition(plan.from).toUpperCase(),
      signerName: LEADER.fullName,
    });
    await specialist.call("PUT", `/api/outgoing/${draft.id}/file?fileName=du-thao.pdf`, pdf, {
      contentType: "application/pdf",
    });
    await specialist.call("POST", `/api/outgoing/${draft.id}/submit`, { reviewerIds: [leader.user.id] });
    await leader.call("POST", `/api/outgoing/${draft.id}/review`, { decision: "approve" });
    await leader.call("POST", `/api/outgoing/${draft.id}/sign`, {});
    await clerk.call("POST", `/api/outgoing/${draft.id}/number`);
    await clerk.call("POST", `/api/outgoing/${draft.id}/seal`);
    const issued = await clerk.call<{ documentId: string }>("POST", `/api/outgoing/${draft.id}/issue`);
    return issued.documentId;
  }

  /** Waits until the document has arrived at `code` (the office pulls it and answers 01). */
  async arrival(code: string, documentId: string, timeoutMs = 60_000): Promise<IncomingItem> {
    const clerk = await this.as("vanthu", code);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.officeOf(code).running.sync();
      const items = await clerk.call<IncomingItem[]>("GET", "/api/incoming?limit=1000");
      const found = items.find((i) => i.documentId === documentId);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`${documentId} did not reach ${code} in time`);
      await new Promise((r) => setTimeout(r, 400));
    }
  }

  /** Takes an arrived document to the given step at one recipient. */
  async handle(code: string, incomingId: string, step: Step): Promise<void> {
    if (step === "arrived") return;
    const clerk = await this.as("vanthu", code);
    if (step === "rejected") {
      await clerk.call("POST", `/api/incoming/${incomingId}/reject`, {
        reason: "Văn bản gửi nhầm cơ quan nhận, đề nghị gửi lại đúng đơn vị.",
      });
      return;
    }
    await clerk.call("POST", `/api/incoming/${incomingId}/register`);
    if (step === "registered") return;
    const leader = await this.as("lanhdao", code);
    const specialist = await this.as("chuyenvien", code);
    const due = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    await leader.call("POST", `/api/incoming/${incomingId}/assign`, {
      userId: specialist.user.id,
      deadline: due,
      instructions: "Đề nghị nghiên cứu, tham mưu xử lý theo quy định.",
    });
    if (step === "assigned") return;
    await specialist.call("POST", `/api/incoming/${incomingId}/process`);
    if (step === "processing") return;
    await specialist.call("POST", `/api/incoming/${incomingId}/complete`, { note: "Đã xử lý xong." });
  }

  /** Issues a document and takes it to its planned outcome at every recipient. */
  async run(plan: DocumentPlan): Promise<string> {
    const documentId = await this.issue(plan);
    for (const code of plan.to) {
      const item = await this.arrival(code, documentId);
      await this.handle(code, item.id, plan.outcome?.[code] ?? "arrived");
    }
    // Let the statuses travel back to the sender.
    await this.officeOf(plan.from).running.sync();
    return documentId;
  }
}

/** The documents already in flight when the demo first starts. */
export const SEED_DOCUMENTS: DocumentPlan[] = [
  {
    from: "H26.12",
    to: ["H17.05", "G09.04"],
    subject: "V/v phối hợp triển khai lưu trữ hồ sơ điện tử năm 2026",
    urgency: "khan",
    outcome: { "H17.05": "processing", "G09.04": "registered" },
  },
  {
    from: "G09",
    to: ["H26", "H17"],
    subject: "V/v hướng dẫn thực hiện Nghị định 30/2020/NĐ-CP về công tác văn thư",
    urgency: "thuong_khan",
  },
  {
    from: "H17",
    to: ["H26.30.05"],
    subject: "V/v báo cáo tình hình gửi, nhận văn bản điện tử quý IV",
    outcome: { "H26.30.05": "rejected" },
  },
  {
    from: "H26",
    to: ["H26.12"],
    subject: "V/v triển khai chữ ký số chuyên dùng công vụ tại các sở, ngành",
    outcome: { "H26.12": "done" },
  },
];

const TRAFFIC_SUBJECTS = [
  "V/v báo cáo kết quả cải cách hành chính",
  "V/v tổ chức hội nghị trực tuyến",
  "V/v đôn đốc thực hiện nhiệm vụ được giao",
  "V/v góp ý dự thảo quy chế",
  "V/v cung cấp số liệu thống kê",
];
const OUTCOMES: Step[] = ["done", "done", "processing", "assigned", "registered", "rejected", "arrived"];

/** A reproducible sequence of plans for `--traffic N` (seeded, so two runs match). */
export function trafficPlans(count: number, codes: readonly string[], seed = 2026): DocumentPlan[] {
  let x = seed;
  const next = (n: number) => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x % n;
  };
  return Array.from({ length: count }, (_, i) => {
    const from = codes[next(codes.length)]!;
    const others = codes.filter((c) => c !== from);
    const to = [others[next(others.length)]!];
    return {
      from,
      to,
      subject: `${TRAFFIC_SUBJECTS[next(TRAFFIC_SUBJECTS.length)]} (${i + 1})`,
      urgency: (["thuong", "thuong", "khan", "hoa_toc"] as const)[next(4)],
      outcome: { [to[0]!]: OUTCOMES[next(OUTCOMES.length)]! },
    };
  });
}
