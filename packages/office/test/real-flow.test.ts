/**
 * The done-criterion flow with real parts: a real axis node (SDKVXP API, SQLite), two office
 * deployments connected through it with the SDKVXP gateway — deployment 1 serves two agencies
 * through one shared system, deployment 2 one agency — and real PAdES signatures (leader, then
 * organisation) from certificates of a @truc/pki CA, verified at the recipients by pdfsign's
 * validator with @truc/pki path validation and revocation status.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseNodeConfig, type RunningNode, startNode } from "@truc/axis";
import { makeSampleDocument } from "@truc/pdfsign";
import { edxmlCodec } from "../src/adapters/edxml-codec.ts";
import { sdkvxpGateway } from "../src/adapters/sdkvxp-gateway.ts";
import type { Organization } from "../src/ports.ts";
import { requestTakeBack, revokeOutgoing } from "../src/services/after-issue.ts";
import { answerRequest } from "../src/services/answer-request.ts";
import { assignIncoming } from "../src/services/assign-incoming.ts";
import { assignNumber } from "../src/services/assign-number.ts";
import { completeIncoming } from "../src/services/complete-incoming.ts";
import { createDraft } from "../src/services/create-draft.ts";
import { issueDocument } from "../src/services/issue-document.ts";
import { processIncoming } from "../src/services/process-incoming.ts";
import { getIncoming, getOutgoing, listIncomingByState } from "../src/services/queries.ts";
import { registerIncoming } from "../src/services/register-incoming.ts";
import { rejectIncoming } from "../src/services/reject-incoming.ts";
import { reviewDraft, submitForReview } from "../src/services/review-draft.ts";
import { sealDocument } from "../src/services/seal-document.ts";
import { signDocument } from "../src/services/sign-document.ts";
import { uploadVersion } from "../src/services/upload-version.ts";
import { type RunningOffice, startOffice } from "../src/start.ts";
import { noConverter } from "./support/fakes.ts";
import { makeTestPki } from "./support/real.ts";
import { type AgencyPeople, provisionPeople } from "./support/world.ts";

const A = "H29.12"; // Sở Nội vụ TP.HCM — deployment 1
const B = "H29.13"; // Sở Tư pháp TP.HCM — deployment 1 (same shared system as A)
const C = "H41.05"; // Sở Y tế Nghệ An — deployment 2
const LEADER = "Nguyễn Văn Đức";

describe("office: two deployments through a real axis node, with real PAdES signatures", () => {
  let dir: string;
  let node: RunningNode;
  let office1: RunningOffice;
  let office2: RunningOffice;
  let a: AgencyPeople;
  let b: AgencyPeople;
  let c: AgencyPeople;
  let directory: Organization[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "truc-office-real-"));
    node = await startNode(
      parseNodeConfig(
        {
          role: "national",
          nodeId: "national",
          organId: "000.00.00.G22",
          dataDir: join(dir, "node"),
          masterKey: "33".repeat(32),
          logLevel: "silent",
        },
        { env: {} },
      ),
      { workers: false },
    );
    await node.registerAgency({ code: A, code102: "000.00.12.H29", name: "Sở Nội vụ Thành phố Hồ Chí Minh" });
    await node.registerAgency({
      code: B,
      code102: "000.00.13.H29",
      name: "Sở Tư pháp Thành phố Hồ Chí Minh",
    });
    await node.registerAgency({ code: C, code102: "000.00.05.H41", name: "Sở Y tế tỉnh Nghệ An" });
    // Deployment 1: one system for both of its agencies; deployment 2: one system per agency.
    const shared = { systemId: "qlvb-hcm", secret: "bí-mật-hcm", agencyCodes: [A, B] };
    const own = { systemId: "qlvb-nghe-an-syt", secret: "bí-mật-na", agencyCodes: [C] };
    await node.connectSystem(shared);
    await node.connectSystem(own);

    const pki = await makeTestPki(join(dir, "pki"));
    const keysA = await pki.provision({
      agencyCode: A,
      organName: "Sở Nội vụ Thành phố Hồ Chí Minh",
      leaders: [{ username: "snv.giamdoc", fullName: LEADER }],
    });
    const keysC = await pki.provision({
      agencyCode: C,
      organName: "Sở Y tế tỉnh Nghệ An",
      leaders: [{ username: "syt.giamdoc", fullName: LEADER }],
      store: "keystore", // deployment 2 keeps its keys in a SoftwareKeyStore, deployment 1 in the CA directory
    });
    const start = (name: string, system: typeof shared, agencies: Record<string, typeof keysA>) =>
      startOffice({
        database: { kind: "sqlite", path: join(dir, name, "office.sqlite") },
        dataDir: join(dir, name),
        gateway: sdkvxpGateway({ endpoint: node.url, systems: [system], retry: { retries: 0 } }),
        codec: edxmlCodec,
        signer: pki.signer(agencies),
        validator: pki.validator(),
        converter: noConverter,
        pollMs: 0,
      });
    office1 = await start("office-1", shared, { [A]: keysA });
    office2 = await start("office-2", own, { [C]: keysC });
    const people = (
      office: RunningOffice,
      code: string,
      name: string,
      abbreviation: string,
      prefix: string,
    ) => provisionPeople(office.deps, { code, name, abbreviation, place: "Thử Nghiệm", prefix });
    a = await people(office1, A, "Sở Nội vụ Thành phố Hồ Chí Minh", "SNV", "snv");
    b = await people(office1, B, "Sở Tư pháp Thành phố Hồ Chí Minh", "STP", "stp");
    c = await people(office2, C, "Sở Y tế tỉnh Nghệ An", "SYT", "syt");
    directory = await office1.deps.gateway.directory({ agencyCode: A });
  });

  after(async () => {
    await office1?.close();
    await office2?.close();
    await node?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const sync = async () => {
    for (let i = 0; i < 3; i++) {
      await office1.sync();
      await office2.sync();
    }
  };
  const organ = (code: string) => {
    const o = directory.find((d) => d.organId === code);
    assert.ok(o, `${code} in the axis directory`);
    return o;
  };

  /** Draft → two reviewers → leader's signature → number → organisation signature → issue. */
  const issueFromA = (subject: string, to: string[], extra: { replaces?: string[] } = {}) =>
    issueFrom(office1, a, subject, to, extra);
  async function issueFrom(
    office: RunningOffice,
    a: AgencyPeople,
    subject: string,
    to: string[],
    extra: { replaces?: string[] } = {},
  ) {
    const deps = office.deps;
    const draft = await createDraft(deps, a.specialist, {
      typeCode: "CV",
      subject,
      unitAbbreviation: "VP",
      recipients: to.map(organ),
      places: ["Như trên;", "Lưu: VT, VP."],
      ...(extra.replaces ? { replaces: extra.replaces } : {}),
    });
    const pdf = await makeSampleDocument({
      notation: "    /VP",
      competence: "",
      position: "GIÁM ĐỐC",
      signerName: LEADER,
    });
    await uploadVersion(deps, a.specialist, {
      outgoingId: draft.id,
      bytes: Buffer.from(pdf),
      fileName: "du-thao.pdf",
      contentType: "application/pdf",
    });
    await submitForReview(deps, a.specialist, {
      outgoingId: draft.id,
      reviewerIds: [a.deputy.userId, a.leader.userId],
    });
    await reviewDraft(deps, a.deputy, { outgoingId: draft.id, decision: "approve" });
    await reviewDraft(deps, a.leader, { outgoingId: draft.id, decision: "approve" });
    await signDocument(deps, a.leader, { outgoingId: draft.id });
    await assignNumber(deps, a.clerk, { outgoingId: draft.id });
    await sealDocument(deps, a.clerk, { outgoingId: draft.id });
    const issued = await issueDocument(deps, a.clerk, { outgoingId: draft.id });
    await sync();
    return issued;
  }

  const arrived = async (office: RunningOffice, who: AgencyPeople, documentId: string) => {
    const doc = (await listIncomingByState(office.deps, who.clerk, {})).find(
      (d) => d.documentId === documentId,
    );
    assert.ok(doc, `${documentId} arrived at ${who.code}`);
    return doc;
  };
  const timeline = async (outgoingId: string, code: string) => {
    const r = (await getOutgoing(office1.deps, a.clerk, outgoingId)).recipients.find(
      (x) => x.organId === code,
    );
    assert.ok(r, `recipient ${code}`);
    return r;
  };

  it("issues with two real signatures to an agency on the same deployment and one on another; 01→06 and a 02 with its reason come back", async () => {
    const issued = await issueFromA("Công văn về việc triển khai văn bản điện tử", [B, C]);
    assert.equal(issued.state, "issued");
    const documentId = issued.documentId!;

    for (const [office, who] of [
      [office1, b],
      [office2, c],
    ] as const) {
      const doc = await arrived(office, who, documentId);
      assert.equal(doc.state, "arrived");
      const report = doc.validation.signatures[0]!;
      assert.equal(report.status, "valid", JSON.stringify(report.signatures));
      assert.deepEqual(
        report.signatures.map((s) => [s.kind, s.signer, s.status, s.certificate?.status]),
        [
          ["personal", LEADER, "valid", "valid"],
          ["organisation", "SỞ NỘI VỤ THÀNH PHỐ HỒ CHÍ MINH", "valid", "valid"],
        ],
      );
      assert.equal(report.signatures[0]!.organisation, "Sở Nội vụ Thành phố Hồ Chí Minh");
    }
    assert.deepEqual(
      (await timeline(issued.id, B)).timeline.map((t) => t.code),
      ["01"],
    );
    assert.deepEqual(
      (await timeline(issued.id, C)).timeline.map((t) => t.code),
      ["01"],
    );

    const atB = await arrived(office1, b, documentId);
    await registerIncoming(office1.deps, b.clerk, { incomingId: atB.id });
    await assignIncoming(office1.deps, b.leader, {
      incomingId: atB.id,
      userId: b.specialist.userId,
      unitId: b.unitId,
      instructions: "Chủ trì, tham mưu",
    });
    await processIncoming(office1.deps, b.specialist, { incomingId: atB.id });
    await completeIncoming(office1.deps, b.specialist, { incomingId: atB.id, note: "Đã triển khai" });

    const atC = await arrived(office2, c, documentId);
    await rejectIncoming(office2.deps, c.clerk, { incomingId: atC.id, reason: "Không thuộc thẩm quyền" });
    await sync();

    const toB = await timeline(issued.id, B);
    assert.deepEqual(
      toB.timeline.map((t) => t.code),
      ["01", "03", "04", "05", "06"],
    );
    assert.equal(toB.state, "done");
    const toC = await timeline(issued.id, C);
    assert.equal(toC.state, "rejected");
    assert.deepEqual(
      toC.timeline.map((t) => [t.code, t.description]),
      [
        ["01", "Đã đến"],
        ["02", "Không thuộc thẩm quyền"],
      ],
    );
  });

  it("delivers one package to two agencies of one shared system: each handles it, the axis copy is acknowledged once both did", async () => {
    const issued = await issueFrom(office2, c, "Công văn đề nghị phối hợp", [A, B]);
    const atA = await arrived(office1, a, issued.documentId!);
    const atB = await arrived(office1, b, issued.documentId!);
    assert.notEqual(atA.id, atB.id);
    for (const doc of [atA, atB]) assert.equal(doc.validation.signatures[0]?.status, "valid");
    const r = (await getOutgoing(office2.deps, c.clerk, issued.id)).recipients;
    assert.deepEqual(r.map((x) => [x.organId, x.timeline.map((t) => t.code).join()]).sort(), [
      [A, "01"],
      [B, "01"],
    ]);
    // Nothing left for the shared system at the axis: both mailbox rows were acknowledged.
    const client = sdkvxpGateway({
      endpoint: node.url,
      systems: [{ systemId: "qlvb-hcm", secret: "bí-mật-hcm", agencyCodes: [A, B] }],
    }).clientFor(A);
    assert.equal(await client.countReceiveEdoc(), 0);
  });

  it("revokes a document on the other deployment: file removed there, metadata kept, 03 back", async () => {
    const issued = await issueFromA("Thông báo lịch họp giao ban", [C]);
    const doc = await arrived(office2, c, issued.documentId!);
    await registerIncoming(office2.deps, c.clerk, { incomingId: doc.id });
    await revokeOutgoing(office1.deps, a.leader, { outgoingId: issued.id, reason: "Sai ngày họp" });
    await sync();
    const atC = await getIncoming(office2.deps, c.clerk, doc.id);
    assert.equal(atC.state, "revoked");
    assert.equal(atC.revokeReason, "Sai ngày họp");
    assert.equal(atC.attachments[0]?.available, false);
    assert.equal(atC.subject, "Thông báo lịch họp giao ban");
    const r = await timeline(issued.id, C);
    assert.equal(r.state, "revoked");
    assert.deepEqual(
      r.timeline.map((t) => t.code),
      ["01", "03", "03"],
    );
  });

  it("replaces a document: the replacement links the old one at the recipient", async () => {
    const old = await issueFromA("Hướng dẫn thi đua năm 2025", [B]);
    const replacement = await issueFromA("Hướng dẫn thi đua năm 2025 (thay thế)", [B], {
      replaces: [old.documentId!],
    });
    const oldAtB = await arrived(office1, b, old.documentId!);
    const newAtB = await arrived(office1, b, replacement.documentId!);
    assert.equal(newAtB.businessType, 3);
    assert.deepEqual(newAtB.replaces, [old.documentId]);
    assert.equal((await getIncoming(office1.deps, b.clerk, oldAtB.id)).replacedBy, newAtB.id);
    assert.equal(newAtB.validation.signatures[0]?.status, "valid");
  });

  it("asks to take back two documents: answered 15 before assignment and 16 after it", async () => {
    const first = await issueFromA("Kế hoạch kiểm tra công vụ", [C]);
    const second = await issueFromA("Báo cáo tình hình thực hiện", [C]);
    const d1 = await arrived(office2, c, first.documentId!);
    const d2 = await arrived(office2, c, second.documentId!);
    await registerIncoming(office2.deps, c.clerk, { incomingId: d2.id });
    await assignIncoming(office2.deps, c.leader, { incomingId: d2.id, userId: c.specialist.userId });
    await sync();
    await requestTakeBack(office1.deps, a.clerk, { outgoingId: first.id, reason: "Cần bổ sung phụ lục" });
    await requestTakeBack(office1.deps, a.clerk, { outgoingId: second.id, reason: "Số liệu chưa đúng" });
    await sync();
    assert.equal((await getIncoming(office2.deps, c.clerk, d1.id)).pendingRequest?.kind, "take-back");
    await answerRequest(office2.deps, c.clerk, { incomingId: d1.id, accept: true });
    await answerRequest(office2.deps, c.clerk, { incomingId: d2.id, accept: false, reason: "Đã giao xử lý" });
    await sync();
    const r1 = await timeline(first.id, C);
    const r2 = await timeline(second.id, C);
    assert.equal(r1.state, "taken_back");
    assert.deepEqual(
      r1.timeline.map((t) => t.code),
      ["01", "13", "15"],
    );
    assert.equal(r2.state, "take_back_refused");
    assert.deepEqual(
      r2.timeline.map((t) => t.code),
      ["01", "03", "04", "13", "16"],
    );
    assert.equal((await getIncoming(office2.deps, c.clerk, d1.id)).attachments[0]?.available, false);
  });
});
