import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { buildDocument, buildStatus } from "../src/build.ts";
import { EdxmlError } from "../src/errors.ts";
import { isAgencyId, parseAgencyId, sameAgency, toQcvn102, toQd20 } from "../src/identifiers.ts";
import { type EdxmlDocument, formatTimestamp } from "../src/model.ts";
import { parseEdxml } from "../src/parse.ts";
import { appendTraceHeader, appendTraceHeaderStream } from "../src/trace.ts";
import { assertValid, validateDocument, validatePackage, validateStatus } from "../src/validate.ts";
import { MESSY, sampleAttachments, sampleDocument, sampleStatus } from "./samples.ts";

const codes = (issues: { code: string }[]) => issues.map((i) => i.code).sort();

describe("agency identifiers", () => {
  it("parses both forms with their level", () => {
    assert.deepEqual(parseAgencyId("000.00.00.G22"), {
      form: "qcvn102",
      level: 1,
      level1: "G22",
      groups: ["G22", "00", "00", "000"],
    });
    assert.equal(parseAgencyId("000.00.04.G14")?.level, 2);
    assert.equal(parseAgencyId("000.01.01.H08")?.level, 3);
    assert.equal(parseAgencyId("001.00.20.TT2")?.level, 4);
    assert.deepEqual(parseAgencyId("H37.02.02"), {
      form: "qd20",
      level: 3,
      level1: "H37",
      groups: ["H37", "02", "02"],
    });
    for (const bad of [
      "",
      "g09",
      "Z01",
      "G9",
      "G09.",
      "G09..1",
      "000.00.00.g22",
      `G09.${"1".repeat(40)}`,
      "H29.ab",
    ]) {
      assert.equal(isAgencyId(bad), false, bad);
    }
  });
  it("converts where spec §5.4 defines it", () => {
    assert.equal(toQd20("000.00.00.G09"), "G09");
    assert.equal(toQd20("000.00.04.G09"), "G09.04");
    assert.equal(toQd20("000.05.30.H29"), "H29.30.05");
    assert.equal(toQd20("001.00.20.TT2"), null);
    assert.equal(toQd20("001.00.20.H29"), null, "skipped level");
    assert.equal(toQcvn102("H29.12"), "000.00.12.H29");
    assert.equal(toQcvn102("H29.30.05"), "000.05.30.H29");
    assert.equal(toQcvn102("G06.ABC"), null);
    assert.equal(toQcvn102("G06.01.02.003.04"), null);
    assert.ok(sameAgency("000.00.12.H29", "H29.12"));
    assert.ok(!sameAgency("000.00.12.H29", "H29.13"));
  });
});

describe("validation", () => {
  it("accepts the sample packages (all operations, all status codes)", async () => {
    for (const t of [0, 1, 2, 3] as const) {
      const parsed = await parseEdxml(await buildDocument(sampleDocument(t), sampleAttachments()));
      assert.deepEqual(validatePackage(parsed), [], `docType ${t}`);
      assertValid(parsed);
    }
    for (const code of ["01", "02", "03", "04", "05", "06", "13", "15", "16"] as const) {
      assert.deepEqual(validatePackage(await parseEdxml(buildStatus(sampleStatus(code)))), [], code);
    }
  });

  it("reports every problem with codes and both languages", () => {
    const doc: EdxmlDocument = sampleDocument(0);
    doc.header.from.organId = "bad id";
    doc.header.to = [];
    doc.header.code = { codeNumber: "5", codeNotation: "QĐ UBND" };
    doc.header.subject = "x".repeat(501);
    doc.header.signerInfo.fullName = "";
    doc.header.otherInfo.priority = 7;
    doc.header.promulgationInfo.promulgationDate = { year: 2025, month: 2, day: 30 };
    doc.traces = [];
    const issues = validateDocument(doc);
    assert.deepEqual(codes(issues), [
      "EDXML_V_AGENCY_ID",
      "EDXML_V_CODE_NOTATION",
      "EDXML_V_CODE_NUMBER",
      "EDXML_V_DATE",
      "EDXML_V_PRIORITY",
      "EDXML_V_REQUIRED",
      "EDXML_V_REQUIRED",
      "EDXML_V_TOO_LONG",
      "EDXML_V_TRACE",
    ]);
    for (const i of issues) assert.ok(i.messageVi && i.messageEn && i.path);
    assert.ok(issues.some((i) => i.messageVi.includes("Thiếu trường bắt buộc")));
  });

  it("checks the Bussiness block per operation", () => {
    const revoke = sampleDocument(1);
    delete revoke.business.reason;
    const update = sampleDocument(2);
    delete update.business.documentId;
    update.business.documentInfo = { documentInfo: 1, documentReceiver: 1 };
    const replace = sampleDocument(3);
    replace.business.replacements = [];
    const stray = sampleDocument(0);
    stray.business.replacements = [{ documentId: "x", organIds: ["G09"] }];
    for (const d of [revoke, update, replace, stray]) {
      assert.ok(
        validateDocument(d).some((i) => i.code === "EDXML_V_BUSINESS"),
        `docType ${d.business.docType}`,
      );
    }
  });

  it("checks manifest ↔ attachments by ContentId", () => {
    const doc = sampleDocument(0);
    doc.manifest = [
      { contentId: "a1", contentType: "application/pdf", attachmentName: "a.pdf" },
      { contentId: "a1", contentType: "application/pdf", attachmentName: "b.pdf" },
    ];
    const issues = validateDocument(doc, [{ contentId: "a1" }, { contentId: "zz" }]);
    assert.equal(issues.filter((i) => i.code === "EDXML_V_MANIFEST").length, 2);
  });

  it("checks status codes against the parties' roles", () => {
    const context = { document: { issuer: "H29.12", recipients: ["G09"], docType: 0 } };
    assert.deepEqual(validateStatus(sampleStatus("03"), context), []);
    assert.deepEqual(validateStatus(sampleStatus("13"), context), []);
    const wrong13 = {
      ...sampleStatus("13"),
      from: { organId: "G09" },
      responseFor: { ...sampleStatus("13").responseFor, organId: "H29.12" },
    };
    assert.ok(validateStatus(wrong13, context).some((i) => i.code === "EDXML_V_STATUS_ROLE"));
    assert.ok(validateStatus(sampleStatus("15"), context).some((i) => i.code === "EDXML_V_STATUS_ROLE"));
    assert.deepEqual(validateStatus(sampleStatus("15"), { ...context, answers: "13" }), []);
    assert.deepEqual(
      validateStatus(sampleStatus("16"), { document: { ...context.document, docType: 2 } }),
      [],
    );
    const unknown = { ...sampleStatus("01"), statusCode: "07" as never };
    assert.deepEqual(codes(validateStatus(unknown)), ["EDXML_V_STATUS_CODE"]);
    const no02Reason = { ...sampleStatus("02"), description: " " };
    assert.ok(validateStatus(no02Reason).some((i) => i.code === "EDXML_V_REQUIRED"));
  });

  it("assertValid throws EDXML_INVALID listing the issues", async () => {
    const parsed = await parseEdxml(
      Buffer.from(MESSY.replace("<Priority>0</Priority>", "<Priority>9</Priority>")),
    );
    assert.throws(
      () => assertValid(parsed),
      (e: unknown) =>
        e instanceof EdxmlError &&
        e.code === "EDXML_INVALID" &&
        Array.isArray(e.details?.issues) &&
        (e.details.issues as { code: string }[]).some((i) => i.code === "EDXML_V_PRIORITY"),
    );
  });
});

describe("trace hops", () => {
  const hop = { organId: "000.00.00.G22", timestamp: new Date("2025-03-05T04:00:00Z") };
  it("inserts after the last TraceHeader, changing nothing else", async () => {
    const raw = await buildDocument(sampleDocument(0), sampleAttachments());
    const out = appendTraceHeader(raw, hop);
    const inserted = `<edXML:TraceHeader><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:Timestamp>${formatTimestamp(hop.timestamp)}</edXML:Timestamp></edXML:TraceHeader>`;
    const at = raw.indexOf("<edXML:Bussiness>");
    assert.ok(out.equals(Buffer.concat([raw.subarray(0, at), Buffer.from(inserted), raw.subarray(at)])));
    const parsed = await parseEdxml(out);
    assert.equal(parsed.kind === "document" && parsed.document.traces.length, 2);
    assert.equal(parsed.kind === "document" && parsed.document.traces[1]!.organId, "000.00.00.G22");
    assert.equal(formatTimestamp(hop.timestamp), "2025/03/05 11:00:00");
    // streaming form, split at every 97 bytes: same bytes
    const chunks = async function* () {
      for (let i = 0; i < raw.length; i += 97) yield raw.subarray(i, i + 97);
    };
    const parts: Buffer[] = [];
    for await (const p of appendTraceHeaderStream(chunks(), hop)) parts.push(p);
    assert.ok(Buffer.concat(parts).equals(out));
  });
  it("follows the producer's prefixes and expands an empty list", async () => {
    const messy = appendTraceHeader(Buffer.from(MESSY), hop);
    assert.ok(
      messy.toString().includes("</Timestamp></TraceHeader><TraceHeader><OrganId>000.00.00.G22</OrganId>"),
    );
    const empty = Buffer.from(
      MESSY.replace(/<TraceHeaderList[^>]*>[\s\S]*<\/TraceHeaderList>/, "<TraceHeaderList a='1' />"),
    );
    const out = appendTraceHeader(empty, hop).toString();
    assert.ok(out.includes("<TraceHeaderList a='1'><TraceHeader><OrganId>000.00.00.G22</OrganId>"));
    assert.throws(
      () => appendTraceHeader(buildStatus(sampleStatus("01")), hop),
      (e: unknown) => e instanceof EdxmlError && e.code === "EDXML_TRACE_INSERT",
    );
    assert.throws(
      () => appendTraceHeader(Buffer.from("<edXML><x>"), hop),
      (e: unknown) => e instanceof EdxmlError && e.code === "EDXML_XML_MALFORMED",
    );
  });
});

describe("fuzz: mutated packages never escape as non-EdxmlError and never hang", () => {
  it("byte flips, truncations, duplications (fixed seed)", async () => {
    const base = [
      await buildDocument(sampleDocument(2), sampleAttachments()),
      buildStatus(sampleStatus("13")),
      Buffer.from(MESSY),
    ];
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant("duplicate" as const),
        at: fc.nat(),
        length: fc.integer({ min: 1, max: 64 }),
      }),
      fc.record({
        kind: fc.constant("delete" as const),
        at: fc.nat(),
        length: fc.integer({ min: 1, max: 64 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: base.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async (which, mutations) => {
          let doc = Buffer.from(base[which]!);
          for (const m of mutations) {
            const at = m.at % Math.max(1, doc.length);
            if (m.kind === "flip") doc[at] = m.byte;
            else if (m.kind === "truncate") doc = doc.subarray(0, at);
            else if (m.kind === "duplicate")
              doc = Buffer.concat([doc.subarray(0, at + m.length), doc.subarray(at)]);
            else doc = Buffer.concat([doc.subarray(0, at), doc.subarray(at + m.length)]);
          }
          try {
            const parsed = await parseEdxml(doc);
            validatePackage(parsed);
          } catch (error) {
            if (!(error instanceof EdxmlError)) throw error;
          }
        },
      ),
      { seed: 20250305, numRuns: 300 },
    );
  });
});
