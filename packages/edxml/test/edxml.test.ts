import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { DOMParser } from "@xmldom/xmldom";
import { fileSink, hashOnlySink, memorySink, unwrapAttachment, wrapAttachment } from "../src/attachments.ts";
import { buildDocument, buildDocumentStream, buildStatus } from "../src/build.ts";
import { EdxmlError } from "../src/errors.ts";
import { type BusinessDocType, EDXML_NAMESPACE, STATUS_CODES, type StatusCode } from "../src/model.ts";
import { parseEdxml } from "../src/parse.ts";
import { MESSY, PDF, sampleAttachments, sampleDocument, sampleStatus } from "./samples.ts";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (error: unknown) => {
    assert.ok(error instanceof EdxmlError, `expected EdxmlError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

describe("build → parse → build is byte-identical", () => {
  for (const docType of [0, 1, 2, 3] as BusinessDocType[]) {
    it(`document package, BussinessDocType ${docType}`, async () => {
      const first = await buildDocument(sampleDocument(docType), sampleAttachments());
      const sink = memorySink();
      const parsed = await parseEdxml(first, { attachmentSink: sink });
      assert.equal(parsed.kind, "document");
      if (parsed.kind !== "document") return;
      assert.deepEqual(parsed.warnings, []);
      assert.equal(parsed.size, first.length);
      assert.equal(parsed.sha256, sha(first));
      assert.equal(parsed.document.business.docType, docType);
      assert.equal(parsed.attachments.length, 2);
      const [a1, a2] = parsed.attachments;
      assert.equal(a1!.contentId, "a1");
      assert.equal(a1!.sha256, sha(PDF));
      assert.equal(a1!.size, PDF.length);
      assert.deepEqual(sink.get(a1!.ref), PDF);
      assert.equal(a2!.name, "Phụ lục.docx");
      const again = await buildDocument(
        parsed.document,
        parsed.attachments.map((a) => ({
          contentId: a.contentId,
          name: a.name,
          contentType: a.contentType,
          ...(a.description !== undefined ? { description: a.description } : {}),
          content: sink.get(a.ref)!,
        })),
      );
      assert.equal(again.toString("utf8"), first.toString("utf8"));
      assert.ok(again.equals(first));
    });
  }

  for (const code of Object.keys(STATUS_CODES) as StatusCode[]) {
    it(`status package ${code}`, async () => {
      const first = buildStatus(sampleStatus(code));
      const parsed = await parseEdxml(first);
      assert.equal(parsed.kind, "status");
      if (parsed.kind !== "status") return;
      assert.deepEqual(parsed.warnings, []);
      assert.deepEqual(parsed.status, sampleStatus(code));
      assert.ok(buildStatus(parsed.status).equals(first));
    });
  }
});

describe("builder layout (spec §2.1/§2.7)", () => {
  it("emits the exact prefix layout, order, date forms and escaping", async () => {
    const xml = (await buildDocument(sampleDocument(0), sampleAttachments())).toString("utf8");
    assert.ok(xml.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="${EDXML_NAMESPACE}">`));
    assert.ok(
      xml.includes(
        `<edXML:edXMLEnvelope xmlns:edXML="${EDXML_NAMESPACE}"><edXML:edXMLHeader><edXML:MessageHeader><edXML:From>`,
      ),
    );
    assert.ok(xml.includes("<AttachmentEncoded><Attachment><ContentId>cid:a1</ContentId><AttachmentName>"));
    assert.ok(
      xml.includes(
        `<edXML:ContentTransferEncoded xmlns:edXML="${EDXML_NAMESPACE}">${PDF.toString("base64")}</edXML:ContentTransferEncoded>`,
      ),
    );
    assert.ok(xml.includes("<edXML:PromulgationDate>2025/03/05</edXML:PromulgationDate>"));
    assert.ok(xml.includes("<edXML:Timestamp>2025/03/05 10:20:00</edXML:Timestamp>"));
    assert.ok(xml.includes("Nghị định 30/2020/NĐ-CP &amp; các văn bản &lt;liên quan&gt;"));
    const order = [
      "From",
      "To",
      "DocumentId",
      "Code",
      "PromulgationInfo",
      "DocumentType",
      "Subject",
      "Content",
      "SignerInfo",
      "DueDate",
      "OtherInfo",
      "SteeringType",
      "ToPlaces",
    ];
    const positions = order.map((n) => xml.indexOf(`<edXML:${n}>`));
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
    );
    assert.ok(
      !/\n/.test(xml.slice(xml.indexOf("<edXML:ContentTransferEncoded"))),
      "base64 without line breaks",
    );
    // xmldom reads the same namespaces
    const dom = new DOMParser().parseFromString(xml, "text/xml");
    const att = dom.getElementsByTagName("Attachment")[0]!;
    assert.equal(att.namespaceURI, EDXML_NAMESPACE);
  });

  it("normalises text to NFC and refuses characters XML forbids", async () => {
    const doc = sampleDocument(0);
    doc.header.subject = "Nghi\u0323 đi\u0323nh"; // decomposed
    const xml = (await buildDocument(doc)).toString("utf8");
    assert.ok(xml.includes("Nghị định"));
    doc.header.subject = "bad \u0001";
    await expectCode(buildDocument(doc), "EDXML_BUILD_INPUT");
  });

  it("streams attachments given as streams, with the same bytes as from Buffers", async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 0);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const fromBuffer = await buildDocument(sampleDocument(0), [
      { contentId: "x", name: "x.pdf", contentType: "application/pdf", content: big },
    ]);
    const chunks = async function* () {
      for (let at = 0; at < big.length; at += 65537) yield big.subarray(at, at + 65537);
    };
    const parts: Buffer[] = [];
    for await (const p of buildDocumentStream(sampleDocument(0), [
      { contentId: "x", name: "x.pdf", contentType: "application/pdf", content: chunks() },
    ])) {
      parts.push(p as Buffer);
    }
    assert.ok(Buffer.concat(parts).equals(fromBuffer));
    const viaReadable = await buildDocument(sampleDocument(0), [
      { contentId: "x", name: "x.pdf", contentType: "application/pdf", content: Readable.from(chunks()) },
    ]);
    assert.ok(viaReadable.equals(fromBuffer));
    const parsed = await parseEdxml(Readable.from([fromBuffer.subarray(0, 1000), fromBuffer.subarray(1000)]));
    assert.equal(parsed.attachments[0]!.sha256, sha(big));
  });

  it("hashes with hashOnlySink the same, from a Buffer or a stream, below and above the bytes it holds", async () => {
    for (const size of [100 * 1024, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024]) {
      const content = Buffer.alloc(size);
      for (let i = 0; i < size; i++) content[i] = (i * 7 + (i >> 9)) & 0xff;
      const raw = await buildDocument(sampleDocument(0), [
        { contentId: "x", name: "x.pdf", contentType: "application/pdf", content },
      ]);
      for (const input of [raw, Readable.from([raw.subarray(0, 4096), raw.subarray(4096)])]) {
        const parsed = await parseEdxml(input, { attachmentSink: hashOnlySink() });
        assert.equal(parsed.attachments[0]!.sha256, sha(content), `${size} bytes`);
        assert.equal(parsed.attachments[0]!.size, size);
        assert.equal(parsed.sha256, sha(raw), "the package's own hash");
      }
    }
  });
});

describe("parser tolerance (messy producer)", () => {
  it("accepts no prefixes, any order, legacy dates, cid: on one side, CRLF and TraceHeaderList attributes", async () => {
    const raw = Buffer.from(MESSY);
    const copy = Buffer.from(raw);
    const parsed = await parseEdxml(raw);
    assert.ok(raw.equals(copy), "input bytes untouched");
    assert.equal(parsed.kind, "document");
    if (parsed.kind !== "document") return;
    const d = parsed.document;
    assert.equal(d.header.from.organId, "000.00.12.H29");
    assert.equal(d.header.to[0]!.organId, "000.00.00.G09");
    assert.deepEqual(d.header.code, { codeNumber: "07", codeNotation: "SX-VP" });
    assert.deepEqual(d.header.promulgationInfo.promulgationDate, { year: 2024, month: 12, day: 31 });
    assert.equal(d.traces.length, 2);
    assert.equal(d.traces[0]!.timestamp.toISOString(), "2024-12-31T09:45:00.000Z");
    assert.equal(d.traces[1]!.timestamp.toISOString(), "2024-12-31T10:00:05.000Z");
    assert.equal(d.business.docType, 0);
    assert.equal(d.business.paper, 1);
    assert.deepEqual(d.traceHeaderListAttributes, [
      ["id", "th1"],
      ["version", "1.0"],
      ["mustUnderstand", "1"],
      ["actor", "http://schemas.xmlsoap.org/soap/actor/next"],
    ]);
    assert.equal(parsed.attachments[0]!.contentId, "m1");
    assert.equal(parsed.attachments[0]!.size, Buffer.from("JVBERi0xLjcKJSVFT0YK", "base64").length);
    const codes = new Set(parsed.warnings.map((w) => w.code));
    for (const c of [
      "EDXML_W_LEGACY_DATE",
      "EDXML_W_CID_PREFIX",
      "EDXML_W_UNKNOWN_ELEMENT",
      "EDXML_W_ELEMENT_CASE",
    ]) {
      assert.ok(codes.has(c as never), `warning ${c}: ${JSON.stringify(parsed.warnings)}`);
    }
  });

  it("accepts a package with no namespace at all, with a warning", async () => {
    const raw = Buffer.from(MESSY.replace(' xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"', ""));
    const parsed = await parseEdxml(raw);
    assert.ok(parsed.warnings.some((w) => w.code === "EDXML_W_NO_NAMESPACE"));
  });

  it("rejects what is not an edXML package", async () => {
    await expectCode(parseEdxml(Buffer.from("<html/>")), "EDXML_NOT_EDXML");
    await expectCode(parseEdxml(Buffer.from(`<edXML xmlns="${EDXML_NAMESPACE}"/>`)), "EDXML_NOT_EDXML");
    await expectCode(
      parseEdxml(Buffer.from('<edXML xmlns="urn:other"><edXMLEnvelope/></edXML>')),
      "EDXML_NOT_EDXML",
    );
  });
});

describe("attachments", () => {
  const withContent = (base64: string) =>
    Buffer.from(
      MESSY.replace(
        /<ContentTransferEncoded>[^<]*<\/ContentTransferEncoded>/,
        `<ContentTransferEncoded>${base64}</ContentTransferEncoded>`,
      ),
    );

  it("strict base64: invalid characters, base64url, misplaced padding and truncation → EDXML_ATTACHMENT_BASE64", async () => {
    for (const bad of [
      "QUJ*QUJD",
      "QUJDQUJ\u00e9",
      "QUJDQU_D",
      "QUJD*",
      "QUJD-_==",
      "QU=D",
      "QUJDR===",
      "QUJDRA==QUJD",
      "QUJDR",
      "QUJ",
      "QUJDRé==",
      "QU&#x4A;D!",
    ]) {
      await expectCode(parseEdxml(withContent(bad)), "EDXML_ATTACHMENT_BASE64");
    }
    for (const good of ["", "QUJD", "QUJDRA==", "QUJDREU=", " QUJD\r\n REVG\n", "QU&#x4A;D"]) {
      const parsed = await parseEdxml(withContent(good));
      const expected = Buffer.from(good.replace("&#x4A;", "J"), "base64");
      assert.equal(parsed.attachments[0]!.sha256, sha(expected), good);
    }
  });

  it("fileSink writes content-addressed files and ignores hostile names", async () => {
    const dir = await mkdtemp(join(tmpdir(), "edxml-sink-"));
    try {
      const doc = sampleDocument(0);
      const bytes = await buildDocument(doc, [
        { contentId: "evil", name: "../../etc/passwd", contentType: "application/pdf", content: PDF },
      ]);
      const parsed = await parseEdxml(bytes, { attachmentSink: fileSink(dir) });
      const a = parsed.attachments[0]!;
      assert.equal(a.name, "../../etc/passwd");
      assert.equal(a.ref, join(dir, sha(PDF)));
      assert.deepEqual(await readFile(a.ref), PDF);
      assert.deepEqual(await readdir(dir), [sha(PDF)]);
      // a failed parse leaves no partial files behind
      await expectCode(
        parseEdxml(bytes.subarray(0, bytes.length - 100), { attachmentSink: fileSink(dir) }),
        "EDXML_XML_MALFORMED",
      );
      assert.deepEqual(await readdir(dir), [sha(PDF)]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a failing sink → EDXML_ATTACHMENT_SINK", async () => {
    const bytes = await buildDocument(sampleDocument(0), sampleAttachments());
    const sink = {
      begin: () => ({
        write: async () => {
          throw new Error("disk full");
        },
        finish: async () => ({ sha256: "", size: 0, ref: "" }),
        abort: async () => {},
      }),
    };
    await expectCode(parseEdxml(bytes, { attachmentSink: sink }), "EDXML_ATTACHMENT_SINK");
  });

  it("ZIP rule: office/PDF files raw, others zipped, and back", () => {
    const pdf = wrapAttachment({ name: "a.PDF", content: PDF });
    assert.equal(pdf.wrapped, false);
    assert.equal(pdf.contentType, "application/pdf");
    const txt = wrapAttachment({ name: "ghi chú.txt", content: Buffer.from("xin chào") });
    assert.equal(txt.wrapped, true);
    assert.equal(txt.contentType, "application/zip");
    assert.equal(txt.name, "ghi chú.txt");
    const back = unwrapAttachment({ name: txt.name, contentType: txt.contentType, content: txt.content });
    assert.equal(back.unwrapped, true);
    assert.equal(back.content.toString(), "xin chào");
    assert.equal(
      unwrapAttachment({ name: "x.zip", contentType: "application/zip", content: txt.content }).unwrapped,
      false,
    );
    assert.throws(
      () =>
        unwrapAttachment({
          name: "x.txt",
          contentType: "application/zip",
          content: Buffer.from("not a zip"),
        }),
      (e: unknown) => e instanceof EdxmlError && e.code === "EDXML_ATTACHMENT_ZIP",
    );
    const bomb = wrapAttachment({ name: "z.txt", content: Buffer.alloc(2 * 1024 * 1024) });
    assert.throws(
      () =>
        unwrapAttachment(
          { name: "z.txt", contentType: "application/zip", content: bomb.content },
          { maxBytes: 1024 * 1024 },
        ),
      (e: unknown) => e instanceof EdxmlError && e.code === "EDXML_ATTACHMENT_ZIP",
    );
  });
});
