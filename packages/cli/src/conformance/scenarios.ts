/**
 * The conformance scenarios, in the order they run. Each states what the standard expects (one
 * sentence, Vietnamese and English, with its source), drives the exchange through a
 * ScenarioSession, and returns pass / fail / not-supported with the reason in both languages.
 */
import type { Signer } from "@truc/common";
import type { Text } from "./model.ts";
import type { DocumentRef } from "./packages.ts";
import type { ConformanceOptions, ScenarioSession, ScenarioVerdict, SendResult } from "./runner.ts";

export type ScenarioId =
  | "send-receive"
  | "status-feedback"
  | "rejection"
  | "revoke"
  | "update"
  | "replace"
  | "take-back-agreed"
  | "take-back-declined"
  | "duplicate"
  | "wrong-sender"
  | "bad-signature"
  | "missing-signature"
  | "malformed"
  | "unknown-recipient"
  | "oversized";

export interface ScenarioDefinition {
  id: ScenarioId;
  title: Text;
  expectation: (o: Required<Pick<ConformanceOptions, "signaturePolicy">>) => Text;
  reference: string;
  run(s: ScenarioSession): Promise<ScenarioVerdict>;
}

const pass = (vi?: string, en?: string): ScenarioVerdict =>
  vi && en ? { outcome: "pass", reason: { vi, en } } : { outcome: "pass" };
const fail = (vi: string, en: string): ScenarioVerdict => ({ outcome: "fail", reason: { vi, en } });
const notSupported = (vi: string, en: string): ScenarioVerdict => ({
  outcome: "not-supported",
  reason: { vi, en },
});

const seconds = (s: ScenarioSession) => Math.round(s.run.timeoutMs / 1000);

/** A package the axis should have taken was refused. */
function refused(what: Text, r: Extract<SendResult, { ok: false }>): ScenarioVerdict {
  const detail = `[${r.errorCode}] ${r.errorDesc}${r.httpStatus ? ` (HTTP ${r.httpStatus})` : ""}`;
  if (r.unsupported)
    return notSupported(
      `Trục không hỗ trợ thao tác này: ${detail}`,
      `The axis does not support this operation: ${detail}`,
    );
  return fail(`Trục từ chối ${what.vi}: ${detail}`, `The axis refused ${what.en}: ${detail}`);
}

/** Sends a new document that the peer answers with `answers` for the document trigger. */
async function sendNew(
  s: ScenarioSession,
  subject: string,
  plan: Parameters<ScenarioSession["peer"]["instruct"]>[1],
) {
  const { ref, bytes } = await s.factory.newDocument(subject);
  s.peer.instruct(ref.documentId, plan);
  const sent = await s.send("văn bản mới / new document", bytes, {
    messageType: "edoc",
    documentId: ref.documentId,
    businessType: 0,
  });
  return { ref, sent };
}

/** Waits until the peer reported 01 for the document (it has it), as operations need. */
async function arrived(s: ScenarioSession, ref: DocumentRef): Promise<ScenarioVerdict | undefined> {
  const r = await s.expectStatuses(ref, ["01"]);
  if (r.missing.length === 0) return undefined;
  return fail(
    `Không nhận được trạng thái 01 (Đã đến) cho văn bản ${ref.documentId} trong ${seconds(s)} giây`,
    `No status 01 (arrived) for ${ref.documentId} within ${seconds(s)} s`,
  );
}

/** Waits for one of `codes` about `ref` received after `since`. */
async function answerAfter(s: ScenarioSession, ref: DocumentRef, codes: readonly string[], since: number) {
  await s.waitFor(() => s.statuses(ref.documentId, since).some((x) => codes.includes(x.code)));
  return s.statuses(ref.documentId, since).find((x) => codes.includes(x.code));
}

/** Refusal scenarios: the axis must refuse, and (when observable) nothing reaches the peer. */
async function mustRefuse(
  s: ScenarioSession,
  cases: { label: Text; bytes: Buffer; documentId?: string; client?: import("@truc/client").SdkvxpClient }[],
  expectedCode?: RegExp,
): Promise<ScenarioVerdict> {
  const codes: string[] = [];
  for (const c of cases) {
    const r = await s.send(c.label.en, c.bytes, {
      messageType: "edoc",
      ...(c.documentId ? { documentId: c.documentId } : {}),
      ...(c.client ? { client: c.client } : {}),
    });
    if (r.ok)
      return fail(
        `Trục đã nhận ${c.label.vi} (mã gói tin ${r.docId}) thay vì từ chối`,
        `The axis accepted ${c.label.en} (package id ${r.docId}) instead of refusing it`,
      );
    if (r.unsupported) return refused(c.label, r);
    codes.push(r.errorCode);
  }
  if (s.peer.mode === "simulated") {
    await s.peer.poll();
    const leaked = cases.filter((c) => c.documentId && s.peerReceived(c.documentId).length > 0);
    if (leaked.length > 0)
      return fail(
        `Trục báo từ chối nhưng đơn vị nhận vẫn nhận được ${leaked.map((c) => c.label.vi).join(", ")}`,
        `The axis answered with a refusal but the recipient still received ${leaked.map((c) => c.label.en).join(", ")}`,
      );
  }
  const list = codes.join(", ");
  if (expectedCode && !codes.every((c) => expectedCode.test(c)))
    return pass(
      `Bị từ chối (mã lỗi ${list}; mã khác với mã thường dùng nhưng vẫn là từ chối)`,
      `Refused (error codes ${list}; not the usual code, but a refusal)`,
    );
  return pass(`Bị từ chối đúng (mã lỗi ${list})`, `Refused as expected (error codes ${list})`);
}

let ephemeral: Promise<Signer> | undefined;
/** A throw-away self-signed key for the tampered-signature package when the runner has none. */
async function ephemeralSigner(): Promise<Signer> {
  ephemeral ??= (async () => {
    const { buildCertificate, generateKeyPair, PROFILES, randomSerial } = await import("@truc/pki");
    const { sign } = await import("node:crypto");
    const keys = await generateKeyPair("ECDSA-P256");
    const now = new Date();
    const certificate = await buildCertificate({
      profile: PROFILES["organisation-outgoing"],
      subject: { C: "VN", O: "truc conformance", CN: "Khóa tạm kiểm thử chữ ký" },
      publicKey: keys.publicKey,
      issuer: { privateKey: keys.privateKey },
      serialNumber: randomSerial(),
      notBefore: new Date(now.getTime() - 3600_000),
      notAfter: new Date(now.getTime() + 86_400_000),
    });
    return {
      algorithm: "ECDSA-P256-SHA256",
      certificate: new Uint8Array(certificate),
      chain: [],
      sign: async (data: Uint8Array) => new Uint8Array(sign("sha256", data, keys.privateKey)),
    };
  })();
  return ephemeral;
}

const STATUS_FLOW = [
  { code: "01", description: "Đã đến" },
  { code: "03", description: "Đã vào sổ văn bản đến" },
  { code: "04", description: "Đã phân công xử lý" },
  { code: "05", description: "Đang xử lý" },
  { code: "06", description: "Đã hoàn thành xử lý" },
] as const;

export const SCENARIOS: readonly ScenarioDefinition[] = [
  {
    id: "send-receive",
    title: { vi: "Gửi và nhận văn bản", en: "Send and receive a document" },
    expectation: () => ({
      vi: "Gói tin văn bản mới (BussinessDocType 0) được trục nhận, chuyển nguyên vẹn tới đơn vị nhận, và đơn vị nhận báo trạng thái 01 (Đã đến) ngay khi nhận.",
      en: "A new document package (BussinessDocType 0) is accepted by the axis, delivered intact to the recipient, and the recipient reports status 01 (arrived) on receipt.",
    }),
    reference: "QCVN 102:2016 (edXML); SDKVXP sendEdoc/getEdoc/updateStatus; NĐ 30/2020 Điều 21(2)(c)",
    async run(s) {
      const { ref, sent } = await sendNew(s, "Kiểm thử gửi và nhận văn bản", { document: [{ code: "01" }] });
      if (!sent.ok) return refused({ vi: "văn bản mới", en: "the new document" }, sent);
      const missing = await arrived(s, ref);
      if (s.peer.mode === "simulated") {
        const got = s.peerReceived(ref.documentId, 0);
        if (got.length === 0)
          return fail("Đơn vị nhận không nhận được văn bản", "The recipient never received the document");
        const expected = s.factory.lastAttachment;
        const received = got[0]!.attachments?.[0];
        if (!received || received.sha256 !== expected.sha256)
          return fail(
            `Tệp đính kèm bị thay đổi trên đường đi (sha256 gửi ${expected.sha256}, nhận ${received?.sha256 ?? "không có"})`,
            `The attachment changed in transit (sent sha256 ${expected.sha256}, received ${received?.sha256 ?? "none"})`,
          );
      }
      return missing ?? pass();
    },
  },
  {
    id: "status-feedback",
    title: { vi: "Phản hồi trạng thái 01, 03, 04, 05, 06", en: "Status feedback 01, 03, 04, 05, 06" },
    expectation: () => ({
      vi: "Đơn vị nhận báo lần lượt các trạng thái 01 (Đã đến), 03 (Đã tiếp nhận), 04 (Phân công), 05 (Đang xử lý), 06 (Hoàn thành) và trục chuyển chúng về đơn vị gửi đúng thứ tự.",
      en: "The recipient reports 01 (arrived), 03 (registered), 04 (assigned), 05 (in progress) and 06 (completed) in turn, and the axis relays them to the sender in that order.",
    }),
    reference:
      "QĐ 28/2018/QĐ-TTg (6 loại phản hồi trạng thái); QCVN 102:2016 gói tin trạng thái; NĐ 30/2020 Điều 4(2)(d)",
    async run(s) {
      const { ref, sent } = await sendNew(s, "Kiểm thử phản hồi trạng thái", { document: [...STATUS_FLOW] });
      if (!sent.ok) return refused({ vi: "văn bản mới", en: "the new document" }, sent);
      const r = await s.expectStatuses(
        ref,
        STATUS_FLOW.map((x) => x.code),
      );
      if (r.missing.length > 0)
        return fail(
          `Thiếu trạng thái ${r.missing.join(", ")} sau ${seconds(s)} giây (đã nhận: ${r.got.join(", ") || "không có"})`,
          `Missing status ${r.missing.join(", ")} after ${seconds(s)} s (received: ${r.got.join(", ") || "none"})`,
        );
      if (!r.inOrder)
        return fail(
          `Trạng thái đến sai thứ tự: ${r.got.join(" → ")}`,
          `Statuses arrived out of order: ${r.got.join(" → ")}`,
        );
      return pass(`Nhận đủ theo thứ tự: ${r.got.join(" → ")}`, `All received in order: ${r.got.join(" → ")}`);
    },
  },
  {
    id: "rejection",
    title: { vi: "Từ chối tiếp nhận (02) kèm lý do", en: "Refusal (02) with a reason" },
    expectation: () => ({
      vi: "Đơn vị nhận trả lại văn bản bằng trạng thái 02 (Từ chối tiếp nhận) nêu lý do trong Description, và trục chuyển trạng thái đó về đơn vị gửi.",
      en: "The recipient returns the document with status 02 (refused) giving the reason in Description, and the axis relays it to the sender.",
    }),
    reference: "NĐ 30/2020 Điều 21(2)(b); QCVN 102:2016 StatusCode 02",
    async run(s) {
      const reason = "Văn bản gửi sai đơn vị nhận (kiểm thử từ chối)";
      const { ref, sent } = await sendNew(s, "Kiểm thử từ chối tiếp nhận", {
        document: [{ code: "01" }, { code: "02", description: reason }],
      });
      if (!sent.ok) return refused({ vi: "văn bản mới", en: "the new document" }, sent);
      const r = await s.expectStatuses(ref, ["02"]);
      if (r.missing.length > 0)
        return fail(
          `Không nhận được trạng thái 02 trong ${seconds(s)} giây (đã nhận: ${r.got.join(", ") || "không có"})`,
          `No status 02 within ${seconds(s)} s (received: ${r.got.join(", ") || "none"})`,
        );
      const refusal = s.statuses(ref.documentId).find((x) => x.code === "02")!;
      if (!refusal.description?.trim())
        return fail(
          "Trạng thái 02 không nêu lý do (Description rỗng)",
          "Status 02 carries no reason (empty Description)",
        );
      return pass(`Lý do: ${refusal.description}`, `Reason: ${refusal.description}`);
    },
  },
  {
    id: "revoke",
    title: { vi: "Thu hồi văn bản (BussinessDocType 1)", en: "Revoke (BussinessDocType 1)" },
    expectation: () => ({
      vi: "Gói thu hồi (BussinessDocType 1, có lý do) tới mọi đơn vị đã nhận văn bản; đơn vị nhận hủy văn bản và trả lời 03 (đồng ý) hoặc 02 (từ chối).",
      en: "A revocation (BussinessDocType 1 with a reason) reaches every recipient of the document, which cancels it and answers 03 (accepted) or 02 (refused).",
    }),
    reference: "NĐ 30/2020 Điều 18(4)(b), Phụ lục VI mục III.8; QCVN 102:2016 Bussiness",
    async run(s) {
      const { ref, sent } = await sendNew(s, "Kiểm thử thu hồi văn bản", {
        document: [{ code: "01" }],
        revoke: [{ code: "03", description: "Đồng ý thu hồi, đã hủy văn bản" }],
      });
      if (!sent.ok) return refused({ vi: "văn bản mới", en: "the new document" }, sent);
      const notArrived = await arrived(s, ref);
      if (notArrived) return notArrived;
      const since = Date.now();
      const revoke = await s.factory.revoke(ref, "Văn bản ban hành nhầm (kiểm thử thu hồi)");
      const r = await s.send("thu hồi / revoke", revoke.bytes, {
        messageType: "edoc",
        documentId: ref.documentId,
        businessType: 1,
      });
      if (!r.ok) return refused({ vi: "gói thu hồi", en: "the revocation" }, r);
      const answer = await answerAfter(s, ref, ["03", "02"], since);
      if (!answer)
        return fail(
          `Không có trả lời (03/02) cho yêu cầu thu hồi trong ${seconds(s)} giây`,
          `No answer (03/02) to the revocation within ${seconds(s)} s`,
        );
      return pass(`Trả lời ${answer.code}`, `Answered ${answer.code}`);
    },
  },
  {
    id: "update",
    title: { vi: "Cập nhật văn bản (BussinessDocType 2)", en: "Update (BussinessDocType 2)" },
    expectation: () => ({
      vi: "Gói cập nhật (BussinessDocType 2, Bussiness/DocumentId là văn bản được cập nhật) tới đơn vị nhận và được trả lời 15 (đồng ý) hoặc 16 (từ chối).",
      en: "An update (BussinessDocType 2 naming the updated document in Bussiness/DocumentId) reaches the recipient and is answered 15 (agreed) or 16 (declined).",
    }),
    reference: "QCVN 102:2016 Bussiness/BussinessDocumentInfo; StatusCode 15/16",
    async run(s) {
      const { ref, sent } = await sendNew(s, "Kiểm thử cập nhật văn bản", {
        document: [{ code: "01" }],
        update: [{ code: "15", description: "Đồng ý cập nhật thông tin văn bản" }],
      });
      if (!sent.ok) return refused({ vi: "văn bản mới", en: "the new document" }, sent);
      const notArrived = await arrived(s, ref);
      if (notArrived) return notArrived;
      const since = Date.now();
      const update = await s.factory.update(ref);
      const r = await s.send("cập nhật / update", update.bytes, {
        messageType: "edoc",
        documentId: ref.documentId,
        businessType: 2,
      });
      if (!r.ok) return refused({ vi: "gói cập nhật", en: "the update" }, r);
      const answer = await answerAfter(s, ref, ["15", "16"], since);
      if (!answer)
        return fail(
          `Không có trả lời (15/16) cho gói cập nhật trong ${seconds(s)} giây`,
          `No answer (15/16) to the update within ${seconds(s)} s`,
        );
      return pass(`Trả lời ${answer.code}`, `Answered ${answer.code}`);
    },
  },
  {
    id: "replace",
    title: { vi: "Thay thế văn bản (BussinessDocType 3)", en: "Replace (BussinessDocType 3)" },
    expectation: () => ({
      vi: "Văn bản thay thế (BussinessDocType 3 với ReplacementInfoList nêu văn bản bị thay thế) được chuyển như văn bản mới và đơn vị nhận báo 01 cho văn bản thay thế.",
      en: "A replacing document (BussinessDocType 3 with a ReplacementInfoList naming the replaced one) travels like a new document and the recipient reports 01 for it.",
    }),
    reference: "NĐ 30/2020 Điều 18(3); QCVN 102:2016 ReplacementInfoList",
    async run(s) {
      const { ref, sent } = await sendNew(s, "Kiểm thử văn bản bị thay thế", { document: [{ code: "01" }] });
      if (!sent.ok) return refused({ vi: "văn bản mới", en: "the new document" }, sent);
      const notArrived = await arrived(s, ref);
      if (notArrived) return notArrived;
      const replacement = await s.factory.replace(ref);
      s.peer.instruct(replacement.ref.documentId, { document: [{ code: "01" }] });
      const r = await s.send("thay thế / replace", replacement.bytes, {
        messageType: "edoc",
        documentId: replacement.ref.documentId,
        businessType: 3,
      });
      if (!r.ok) return refused({ vi: "văn bản thay thế", en: "the replacing document" }, r);
      const notArrived2 = await arrived(s, replacement.ref);
      if (notArrived2) return notArrived2;
      if (s.peer.mode === "simulated") {
        const got = s.peerReceived(replacement.ref.documentId, 3)[0];
        if (!got?.replaces?.includes(ref.documentId))
          return fail(
            "Văn bản thay thế tới nơi mà không còn ReplacementInfo nêu văn bản bị thay thế",
            "The replacing document arrived without the ReplacementInfo naming the replaced one",
          );
      }
      return pass();
    },
  },
  ...(["15", "16"] as const).map(
    (code): ScenarioDefinition => ({
      id: code === "15" ? "take-back-agreed" : "take-back-declined",
      title:
        code === "15"
          ? { vi: "Lấy lại văn bản (13) — đồng ý (15)", en: "Take-back (13) — agreed (15)" }
          : { vi: "Lấy lại văn bản (13) — từ chối (16)", en: "Take-back (13) — declined (16)" },
      expectation: () =>
        code === "15"
          ? {
              vi: "Yêu cầu lấy lại (trạng thái 13 do đơn vị gửi phát, ResponseFor/OrganId là đơn vị nhận) tới đơn vị nhận và được trả lời 15 (đồng ý).",
              en: "A take-back request (status 13 from the sender, naming the recipient in ResponseFor/OrganId) reaches the recipient and is answered 15 (agreed).",
            }
          : {
              vi: "Đơn vị nhận đã xử lý văn bản được từ chối yêu cầu lấy lại (13) bằng trạng thái 16, và trục chuyển trả lời đó về đơn vị gửi.",
              en: "A recipient that already processed the document declines the take-back request (13) with status 16, relayed to the sender.",
            },
      reference: "QCVN 102:2016 StatusCode 13/15/16 (status_cancellation_13); spec §3.4",
      async run(s) {
        const wanted = code === "15" ? "15 (đồng ý / agree)" : "16 (từ chối / decline)";
        const { ref, sent } = await sendNew(s, `Kiểm thử lấy lại văn bản, trả lời ${code}`, {
          document: [{ code: "01" }],
          takeBack: [
            {
              code,
              description: code === "15" ? "Đồng ý trả lại văn bản" : "Văn bản đã được xử lý, không trả lại",
            },
          ],
        });
        if (!sent.ok) return refused({ vi: "văn bản mới", en: "the new document" }, sent);
        const notArrived = await arrived(s, ref);
        if (notArrived) return notArrived;
        const since = Date.now();
        const request = s.factory.takeBack(ref, `Đề nghị trả lại văn bản (kiểm thử: trả lời ${wanted})`);
        const r = await s.send("trạng thái 13 / status 13", request, {
          messageType: "status",
          documentId: ref.documentId,
          statusCode: "13",
        });
        if (!r.ok) return refused({ vi: "yêu cầu lấy lại (13)", en: "the take-back request (13)" }, r);
        const answer = await answerAfter(s, ref, ["15", "16"], since);
        if (!answer)
          return fail(
            `Không có trả lời (15/16) cho yêu cầu lấy lại 13 trong ${seconds(s)} giây`,
            `No answer (15/16) to the take-back request 13 within ${seconds(s)} s`,
          );
        if (answer.code !== code)
          return fail(`Trả lời ${answer.code} thay vì ${code}`, `Answered ${answer.code} instead of ${code}`);
        return pass(`Trả lời ${answer.code}`, `Answered ${answer.code}`);
      },
    }),
  ),
  {
    id: "duplicate",
    title: { vi: "Gửi trùng (cùng gói tin)", en: "Duplicate send (same package)" },
    expectation: () => ({
      vi: "Gửi lại đúng gói tin đã gửi không tạo văn bản mới: trục trả về cùng mã gói tin (DocId) và đơn vị nhận chỉ nhận một lần.",
      en: "Resending the same package creates nothing new: the axis answers with the same package id (DocId) and the recipient receives it once.",
    }),
    reference:
      "SDKVXP sendEdoc (client retries); chuyển phát đúng một lần về hiệu lực / exactly-once in effect",
    async run(s) {
      const { ref, bytes } = await s.factory.newDocument("Kiểm thử gửi trùng");
      s.peer.instruct(ref.documentId, { document: [{ code: "01" }] });
      const first = await s.send("lần 1 / first", bytes, {
        messageType: "edoc",
        documentId: ref.documentId,
        businessType: 0,
      });
      if (!first.ok) return refused({ vi: "văn bản mới", en: "the new document" }, first);
      const second = await s.send("lần 2, cùng byte / second, same bytes", bytes, {
        messageType: "edoc",
        documentId: ref.documentId,
        businessType: 0,
      });
      if (!second.ok)
        return fail(
          `Lần gửi lại bị từ chối ([${second.errorCode}] ${second.errorDesc}) thay vì trả về mã gói tin đã có: bên gửi thử lại sau sự cố mạng sẽ tưởng là lỗi`,
          `The resend was refused ([${second.errorCode}] ${second.errorDesc}) instead of answered with the existing id: a client retrying after a lost answer would see an error`,
        );
      if (second.docId !== first.docId)
        return fail(
          `Trục cấp mã gói tin mới (${second.docId} ≠ ${first.docId}) cho gói tin trùng`,
          `The axis gave the duplicate a new package id (${second.docId} ≠ ${first.docId})`,
        );
      const notArrived = await arrived(s, ref);
      if (notArrived) return notArrived;
      if (s.peer.mode === "simulated") {
        await s.waitFor(() => false, Math.min(1000, s.run.timeoutMs));
        const deliveries = s.peerReceived(ref.documentId, 0).length;
        if (deliveries !== 1)
          return fail(`Đơn vị nhận nhận ${deliveries} lần`, `The recipient received it ${deliveries} times`);
      }
      return pass(`Cùng mã gói tin ${first.docId}`, `Same package id ${first.docId}`);
    },
  },
  {
    id: "wrong-sender",
    title: { vi: "Sai đơn vị gửi", en: "Wrong sender" },
    expectation: () => ({
      vi: "Trục từ chối gói tin mà đơn vị gửi (From/OrganId hoặc tham số from) không phải mã đã đăng ký cho kết nối, với lỗi kiểu AXIS_SENDER_MISMATCH, và không chuyển đi.",
      en: "The axis refuses a package whose sender (From/OrganId or the from parameter) is not an agency registered for the connection, with an AXIS_SENDER_MISMATCH-style error, and delivers nothing.",
    }),
    reference: "SDKVXP: “Don vi gui … khong dung voi ma da dang ky” (spec §4.3)",
    async run(s) {
      const claimed = s.peer.agencyCode;
      const forged = await s.factory.foreignSender(claimed);
      const cases: Parameters<typeof mustRefuse>[1] = [
        {
          label: { vi: `gói tin ghi From là ${claimed}`, en: `a package whose From is ${claimed}` },
          bytes: forged.bytes,
          documentId: forged.ref.documentId,
        },
      ];
      const asPeer = s.run.options.runnerAs?.(claimed);
      if (asPeer) {
        const other = await s.factory.foreignSender(claimed);
        cases.push({
          label: {
            vi: `tham số from=${claimed} trên kết nối của bên gửi`,
            en: `from=${claimed} on the sender's connection`,
          },
          bytes: other.bytes,
          documentId: other.ref.documentId,
          client: asPeer,
        });
      }
      return mustRefuse(s, cases, /SENDER_MISMATCH|FORBIDDEN/);
    },
  },
  {
    id: "bad-signature",
    title: { vi: "Chữ ký gói tin sai", en: "Bad package signature" },
    expectation: (o) =>
      o.signaturePolicy === "off"
        ? {
            vi: "Nút được cấu hình không kiểm tra chữ ký gói tin; kịch bản không áp dụng.",
            en: "The node is configured not to check package signatures; the scenario does not apply.",
          }
        : {
            vi: "Trục từ chối gói tin có chữ ký số XML không khớp (nội dung bị sửa sau khi ký) thay vì chuyển đi.",
            en: "The axis refuses a package whose XML signature does not verify (content changed after signing) instead of delivering it.",
          },
    reference: "QCVN 102:2016 chữ ký XML-DSig (spec §2.4); NĐ 30/2020 Điều 21(2)(b)",
    async run(s) {
      if (s.run.options.signaturePolicy === "off")
        return notSupported(
          "Chính sách của nút: không kiểm tra chữ ký",
          "Node policy: signatures are not checked",
        );
      const signer = s.run.options.packageSigner ?? (await ephemeralSigner());
      const tampered = await s.factory.tamperedSignature(signer);
      return mustRefuse(
        s,
        [
          {
            label: { vi: "gói tin có chữ ký bị sửa", en: "a package with a tampered signature" },
            bytes: tampered.bytes,
            documentId: tampered.ref.documentId,
          },
        ],
        /SIGNATURE/,
      );
    },
  },
  {
    id: "missing-signature",
    title: { vi: "Gói tin không ký", en: "Unsigned package" },
    expectation: (o) =>
      o.signaturePolicy === "require"
        ? {
            vi: "Nút yêu cầu chữ ký gói tin: gói tin không ký bị từ chối (kiểu AXIS_SIGNATURE_REQUIRED).",
            en: "The node requires package signatures: an unsigned package is refused (AXIS_SIGNATURE_REQUIRED-style).",
          }
        : {
            vi: "Nút không bắt buộc chữ ký gói tin (các hệ thống cũ chỉ ký PDF): gói tin không ký được nhận và chuyển tới đơn vị nhận.",
            en: "The node does not require package signatures (legacy systems sign only the PDF): an unsigned package is accepted and delivered.",
          },
    reference:
      "spec §2.4 (chữ ký gói tin không bắt buộc với hệ thống cũ) — theo chính sách của nút / per node policy",
    async run(s) {
      const { ref, bytes } = await s.factory.newDocument("Kiểm thử gói tin không ký");
      if (s.run.options.signaturePolicy === "require")
        return mustRefuse(
          s,
          [
            {
              label: { vi: "gói tin không ký", en: "an unsigned package" },
              bytes,
              documentId: ref.documentId,
            },
          ],
          /SIGNATURE/,
        );
      s.peer.instruct(ref.documentId, { document: [{ code: "01" }] });
      const r = await s.send("không ký / unsigned", bytes, {
        messageType: "edoc",
        documentId: ref.documentId,
        businessType: 0,
        sign: false,
      });
      if (!r.ok) return refused({ vi: "gói tin không ký", en: "the unsigned package" }, r);
      return (await arrived(s, ref)) ?? pass();
    },
  },
  {
    id: "malformed",
    title: { vi: "Gói tin hỏng", en: "Malformed package" },
    expectation: () => ({
      vi: "Trục từ chối gói tin không đúng cú pháp XML và gói tin có khai báo DTD/thực thể (nguy cơ XXE, “billion laughs”), không chuyển đi.",
      en: "The axis refuses a package that is not well-formed XML and one that declares a DTD/entities (XXE, “billion laughs”), and delivers neither.",
    }),
    reference: "QCVN 102:2016; phân tích XML nghiêm ngặt / strict XML parsing (no DTD, no entities)",
    async run(s) {
      const truncated = await s.factory.truncated();
      return mustRefuse(
        s,
        [
          {
            label: { vi: "gói tin bị cắt cụt", en: "a truncated package" },
            bytes: truncated.bytes,
            documentId: truncated.ref.documentId,
          },
          {
            label: { vi: "gói tin có DOCTYPE và thực thể", en: "a package with a DOCTYPE and entities" },
            bytes: s.factory.entityBomb(),
          },
        ],
        /INVALID|MALFORMED|DTD|ENTITY/,
      );
    },
  },
  {
    id: "unknown-recipient",
    title: { vi: "Đơn vị nhận không có trong danh bạ", en: "Unknown recipient" },
    expectation: () => ({
      vi: "Trục từ chối ngay gói tin gửi tới mã định danh không có trong danh bạ (kiểu AXIS_RECIPIENT_UNKNOWN) thay vì nhận rồi bỏ.",
      en: "The axis refuses at once a package addressed to an agency code that is not in the directory (AXIS_RECIPIENT_UNKNOWN-style) instead of accepting and dropping it.",
    }),
    reference: "QĐ 20/2020 mã định danh; SDKVXP getAgenciesList (spec §4.3, §5)",
    async run(s) {
      const code = s.run.options.unknownAgency;
      const pkg = await s.factory.unknownRecipient(code);
      return mustRefuse(
        s,
        [
          {
            label: { vi: `gói tin gửi tới ${code}`, en: `a package addressed to ${code}` },
            bytes: pkg.bytes,
            documentId: pkg.ref.documentId,
          },
        ],
        /RECIPIENT|AGENCY/,
      );
    },
  },
  {
    id: "oversized",
    title: { vi: "Tệp đính kèm quá lớn", en: "Oversized attachment" },
    expectation: () => ({
      vi: "Trục từ chối gói tin vượt giới hạn kích thước của nút (kiểu AXIS_PACKAGE_TOO_LARGE, HTTP 413) với thông báo rõ ràng, không chuyển đi.",
      en: "The axis refuses a package above the node's size limit (AXIS_PACKAGE_TOO_LARGE-style, HTTP 413) with a clear error, and delivers nothing.",
    }),
    reference:
      "spec §2.5 (giới hạn tệp, ví dụ ≤ 50 MB/tệp theo quy định địa phương); giới hạn đầu vào / input limits",
    async run(s) {
      const bytes = s.run.options.oversizeBytes;
      const pkg = await s.factory.oversized(bytes);
      return mustRefuse(
        s,
        [
          {
            label: { vi: `gói tin có tệp ${bytes} byte`, en: `a package with a ${bytes}-byte attachment` },
            bytes: pkg.bytes,
            documentId: pkg.ref.documentId,
          },
        ],
        /TOO_LARGE|413/,
      );
    },
  },
];
