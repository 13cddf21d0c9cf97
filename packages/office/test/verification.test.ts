/**
 * Public verification and printed copies, with real PAdES signatures (@truc/pki certificates,
 * pdfsign signer and validator) over the in-memory axis. The QR code of a printed copy is read
 * back from the page as a printer would put it on paper: rendered by poppler (`pdftoppm`) and
 * decoded by an independent decoder (jsQR).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { makeSampleDocument } from "@truc/pdfsign";
import { describeEachDialect } from "@truc/store/testing";
import type { FastifyInstance } from "fastify";
import jsQRModule from "jsqr";
import { memoryKeyring, type SigningKey } from "../src/adapters/keyring.ts";
import { pdfSigner } from "../src/adapters/pdf-signer.ts";
import { buildOfficeApp } from "../src/http/app.ts";
import { revokeOutgoing } from "../src/services/after-issue.ts";
import { assignNumber } from "../src/services/assign-number.ts";
import { createDraft } from "../src/services/create-draft.ts";
import { flushOutbox } from "../src/services/flush-outbox.ts";
import { issueDocument } from "../src/services/issue-document.ts";
import { newPrintCode, printCopy } from "../src/services/print-copy.ts";
import { getOutgoingFile, listIncomingByState } from "../src/services/queries.ts";
import { receiveAll } from "../src/services/receive-messages.ts";
import { reviewDraft, submitForReview } from "../src/services/review-draft.ts";
import { sealDocument } from "../src/services/seal-document.ts";
import { signDocument } from "../src/services/sign-document.ts";
import { uploadVersion } from "../src/services/upload-version.ts";
import { normalisePrintCode, verifyPrintCode, verifyPublic } from "../src/services/verify-public.ts";
import { makeTestPki } from "./support/real.ts";
import { makeWorld, type World } from "./support/world.ts";

const BASE = "https://vanban.example.gov.vn";
const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return "no error";
};

// jsqr is CommonJS with an ES-style default export in its types.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ??
  jsQRModule) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string } | null;

/** Renders the bottom-left corner of page 1 (where the stamp is) and decodes the QR code there. */
function scanQr(pdf: Uint8Array, dir: string): string | undefined {
  const file = join(dir, "copy.pdf");
  writeFileSync(file, pdf);
  // 150 dpi A4 is 1240 × 1754 px; the stamp sits within 60 mm of the bottom-left corner.
  execFileSync(
    "pdftoppm",
    ["-r", "150", "-f", "1", "-l", "1", "-gray", "-x", "0", "-y", "1400"].concat([
      "-W",
      "400",
      "-H",
      "354",
      file,
      join(dir, "page"),
    ]),
  );
  const pgm = readFileSync(join(dir, "page-1.pgm"));
  // P5 header: magic, width, height, maxval, each followed by whitespace.
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 50).toString("latin1"));
  assert.ok(header, "PGM header");
  const [all, w, h] = header as unknown as [string, string, string];
  const width = Number(w);
  const height = Number(h);
  const gray = pgm.subarray(all.length);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = gray[i]!;
    rgba[i * 4 + 3] = 255;
  }
  return jsQR(rgba, width, height)?.data;
}

describeEachDialect("office: public verification and printed copies (real signatures)", (ctx) => {
  let w: World;
  let app: FastifyInstance;
  let scratch: string;
  const keys = {
    organisations: {} as Record<string, SigningKey>,
    people: {} as Record<string, Record<string, SigningKey>>,
  };

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), "truc-office-verify-"));
    const pki = await makeTestPki(join(scratch, "pki"));
    w = await makeWorld(ctx, {
      signer: pdfSigner({ keyring: memoryKeyring(keys) }),
      validator: pki.validator(),
      start: new Date(),
    });
    const leader = await w.deps.db.kysely
      .selectFrom("office_users")
      .select("username")
      .where("id", "=", w.a.leader.userId)
      .executeTakeFirstOrThrow();
    const issued = await pki.memoryKeys({
      organName: "Sở Nội vụ Thành phố Hồ Chí Minh",
      leader: { username: leader.username as string, fullName: "Nguyễn Văn Đức" },
    });
    keys.organisations[w.a.code] = issued.organisation;
    keys.people[w.a.code] = { [leader.username as string]: issued.leader };
    app = buildOfficeApp(w.deps, { origin: BASE, publicRateLimit: { max: 1000, windowMs: 60_000 } });
  });
  after(async () => {
    await app?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function issue(subject: string, replaces?: string[]) {
    const { deps, a, b } = w;
    const draft = await createDraft(deps, a.specialist, {
      typeCode: "QD",
      subject,
      recipients: [{ organId: b.code, organName: "Bộ Nội vụ" }],
      ...(replaces ? { replaces } : {}),
    });
    const pdf = await makeSampleDocument({
      competence: "",
      position: "GIÁM ĐỐC",
      signerName: "Nguyễn Văn Đức",
    });
    await uploadVersion(deps, a.specialist, {
      outgoingId: draft.id,
      bytes: Buffer.from(pdf),
      fileName: "du-thao.pdf",
      contentType: "application/pdf",
    });
    await submitForReview(deps, a.specialist, { outgoingId: draft.id, reviewerIds: [a.deputy.userId] });
    await reviewDraft(deps, a.deputy, { outgoingId: draft.id, decision: "approve" });
    await signDocument(deps, a.leader, { outgoingId: draft.id });
    await assignNumber(deps, a.clerk, { outgoingId: draft.id });
    await sealDocument(deps, a.clerk, { outgoingId: draft.id });
    const issued = await issueDocument(deps, a.clerk, { outgoingId: draft.id });
    await flushOutbox(deps);
    await receiveAll(deps);
    const signed = (await getOutgoingFile(deps, a.clerk, issued.id)).bytes;
    return { issued, signed };
  }

  let first: Awaited<ReturnType<typeof issue>>;

  it("reports an issued document as authentic, unchanged, signed by the leader then the organisation, and current", async () => {
    first = await issue("Quyết định về việc công nhận kết quả");
    const report = await verifyPublic(w.deps, { pdf: first.signed });
    assert.equal(report.verdict, "valid");
    assert.equal(report.authentic, true);
    assert.equal(report.unchanged, true);
    assert.deepEqual(
      report.signatures.map((s) => [s.kind, s.signer, s.organisation, s.certificate.valid]),
      [
        ["personal", "Nguyễn Văn Đức", "Sở Nội vụ Thành phố Hồ Chí Minh", true],
        ["organisation", "SỞ NỘI VỤ THÀNH PHỐ HỒ CHÍ MINH", "Sở Nội vụ Thành phố Hồ Chí Minh", true],
      ],
    );
    assert.ok(report.signatures.every((s) => s.signedAt));
    assert.deepEqual(report.registry, { status: "current" });
    // Nothing beyond the file: no internal ids, recipients, agency codes or people of the office.
    const text = JSON.stringify(report);
    for (const secret of [first.issued.id, w.b.code, w.a.code, "Bộ Nội vụ", "Lê Thị Phó"])
      assert.ok(!text.includes(secret), `report leaks ${secret}`);
  });

  it("says a changed file is not authentic, an unsigned one is unsigned, and refuses what is not a PDF", async () => {
    const tampered = Buffer.from(first.signed);
    tampered[200] = tampered[200]! ^ 0x01; // inside the first signed range

    const bad = await verifyPublic(w.deps, { pdf: tampered });
    assert.equal(bad.verdict, "invalid");
    assert.equal(bad.authentic, false);
    assert.equal(bad.registry.status, "unknown");

    const unsigned = await verifyPublic(w.deps, { pdf: Buffer.from(await makeSampleDocument()) });
    assert.equal(unsigned.verdict, "unsigned");
    assert.equal(unsigned.authentic, false);
    assert.deepEqual(unsigned.signatures, []);
    assert.equal(
      await codeOf(verifyPublic(w.deps, { pdf: Buffer.from("hello, not a pdf") })),
      "OFFICE_FILE_TYPE_UNSUPPORTED",
    );
  });

  it("prints a copy whose QR code and short code lead to the same report as the original", async () => {
    const copy = await printCopy(w.deps, w.a.clerk, {
      direction: "outgoing",
      id: first.issued.id,
      baseUrl: BASE,
    });
    assert.match(copy.code, /^[0-9A-HJKMNP-TV-Z]{12}$/);
    assert.equal(copy.url, `${BASE}/kiem-tra/${copy.code}`);
    // Incremental: the signed original is a prefix of the copy.
    assert.deepEqual(copy.pdf.subarray(0, first.signed.length), first.signed);
    assert.equal(scanQr(copy.pdf, scratch), copy.url);

    const original = await verifyPublic(w.deps, { pdf: first.signed });
    const byCode = await verifyPrintCode(w.deps, copy.code);
    assert.deepEqual(byCode.signatures, original.signatures);
    assert.equal(byCode.verdict, "valid");
    assert.deepEqual(byCode.printedCopy, { code: copy.code });
    // As people type it: lower case, dashes, O for 0.
    const typed = copy.code
      .toLowerCase()
      .replace(/(.{4})(?=.)/g, "$1-")
      .replaceAll("0", "o");
    assert.equal(normalisePrintCode(typed), copy.code);

    // The copy's own file: recognised by its signed revision, reported as changed after signing.
    const ofCopy = await verifyPublic(w.deps, { pdf: copy.pdf });
    assert.equal(ofCopy.registry.status, "current");
    assert.equal(ofCopy.unchanged, false);
    assert.equal(ofCopy.authentic, true);

    assert.equal(await codeOf(verifyPrintCode(w.deps, newPrintCode())), "OFFICE_NOT_FOUND");
    assert.equal(await codeOf(verifyPrintCode(w.deps, "../../etc")), "OFFICE_NOT_FOUND");
    assert.equal(
      await codeOf(
        printCopy(w.deps, w.b.clerk, { direction: "outgoing", id: first.issued.id, baseUrl: BASE }),
      ),
      "OFFICE_NOT_FOUND",
    );
  });

  it("prints received documents too, and refuses drafts", async () => {
    const received = (await listIncomingByState(w.deps, w.b.clerk, {})).find(
      (d) => d.documentId === first.issued.documentId,
    );
    assert.ok(received);
    const copy = await printCopy(w.deps, w.b.clerk, {
      direction: "incoming",
      id: received.id,
      baseUrl: BASE,
    });
    assert.equal((await verifyPrintCode(w.deps, copy.code)).verdict, "valid");
    const draft = await createDraft(w.deps, w.a.specialist, {
      typeCode: "TB",
      subject: "Nháp",
      recipients: [],
    });
    assert.equal(
      await codeOf(printCopy(w.deps, w.a.clerk, { direction: "outgoing", id: draft.id, baseUrl: BASE })),
      "OFFICE_NOT_SIGNED",
    );
  });

  it("reports a revoked document as revoked (at the issuer and at the recipient)", async () => {
    const doc = await issue("Thông báo sẽ bị thu hồi");
    await revokeOutgoing(w.deps, w.a.leader, { outgoingId: doc.issued.id, reason: "Sai sót" });
    await flushOutbox(w.deps);
    await receiveAll(w.deps);
    const report = await verifyPublic(w.deps, { pdf: doc.signed });
    assert.equal(report.verdict, "valid");
    assert.deepEqual(report.registry, { status: "revoked" });
  });

  it("reports a replaced document as replaced, and its replacement as current", async () => {
    const old = await issue("Kế hoạch sẽ được thay thế");
    const replacement = await issue("Kế hoạch thay thế", [old.issued.documentId!]);
    assert.deepEqual((await verifyPublic(w.deps, { pdf: old.signed })).registry, { status: "replaced" });
    assert.deepEqual((await verifyPublic(w.deps, { pdf: replacement.signed })).registry, {
      status: "current",
    });
  });

  it("serves POST /api/public/verify and GET /api/public/verify/:code without an account, with limits", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/api/public/verify",
      headers: { "content-type": "application/pdf", origin: "https://elsewhere.example" },
      payload: first.signed,
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().verdict, "valid");
    assert.equal(res.json().registry.status, "current");

    const printed = await app.inject({ method: "GET", url: "/api/public/verify/0000-0000-0000" });
    assert.equal(printed.statusCode, 404);
    assert.equal(printed.json().code, "OFFICE_NOT_FOUND");

    const copy = await printCopy(w.deps, w.a.clerk, {
      direction: "outgoing",
      id: first.issued.id,
      baseUrl: BASE,
    });
    const byCode = await app.inject({ method: "GET", url: `/api/public/verify/${copy.code}` });
    assert.equal(byCode.statusCode, 200);
    assert.equal(byCode.json().verdict, "valid");
    const file = await app.inject({ method: "GET", url: `/api/public/verify/${copy.code}/file` });
    assert.equal(file.statusCode, 200);
    assert.deepEqual(file.rawPayload, first.signed);

    const tooLarge = await app.inject({
      method: "POST",
      url: "/api/public/verify",
      headers: { "content-type": "application/pdf", "content-length": String(21 * 1024 * 1024) },
      payload: Buffer.alloc(10),
    });
    assert.equal(tooLarge.statusCode, 413);
    assert.equal(tooLarge.json().code, "OFFICE_PAYLOAD_TOO_LARGE");

    const limited = buildOfficeApp(w.deps, { publicRateLimit: { max: 2, windowMs: 60_000 } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 3; i++)
        codes.push(
          (await limited.inject({ method: "GET", url: "/api/public/verify/0000-0000-0000" })).statusCode,
        );
      assert.deepEqual(codes, [404, 404, 429]);
      const last = await limited.inject({ method: "GET", url: "/api/public/verify/0000-0000-0000" });
      assert.equal(last.json().code, "OFFICE_RATE_LIMITED");
    } finally {
      await limited.close();
    }
  });
});
