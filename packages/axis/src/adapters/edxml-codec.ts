/**
 * The axis's view of an edXML package, over @truc/edxml's strict streaming scanner and its
 * XML-DSig sign/verify. It reads only what routing needs (parties, ids, business type,
 * status fields, whether a signature is present) and splices this hop's TraceHeader into the
 * bytes without re-serialising anything else (MessageHeader and attachments stay as sent).
 */
import { createHash } from "node:crypto";
import { type Signer, type TrustCallback, toVietnamParts } from "@truc/common";
import { EdxmlError, scanBuffer, signEdxml, verifyEdxml } from "@truc/edxml";
import type { BlobStore } from "@truc/store";
import { isStatusCode } from "../domain/status.ts";
import { AxisError } from "../errors.ts";
import type { PackageCodec, ParsedPackage, SignatureVerdict } from "../services/ports.ts";

const EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
const DSIG_NS = "http://www.w3.org/2000/09/xmldsig#";

interface Scan {
  path: string[];
  texts: Map<string, string[]>;
  signed: boolean;
  hasEnvelope: boolean;
  traceListEnd: number;
  lastTraceEnd: number;
  traceListStartTagEnd: number;
  edxmlPrefix: string | null;
  attachments: { name: string; sha256: string; size: number }[];
}

/** Element paths (local names under the edXML namespace) whose text the axis reads. */
const WANTED = new Set([
  "MessageHeader/From/OrganId",
  "MessageHeader/To/OrganId",
  "MessageHeader/DocumentId",
  "MessageHeader/Code/CodeNumber",
  "MessageHeader/Code/CodeNotation",
  "MessageHeader/Subject",
  "MessageHeader/ResponseFor/OrganId",
  "MessageHeader/ResponseFor/DocumentId",
  "MessageHeader/StatusCode",
  "MessageHeader/Timestamp",
  "TraceHeaderList/Bussiness/BussinessDocType",
  "TraceHeaderList/Bussiness/DocumentId",
  "TraceHeaderList/Bussiness/ReplacementInfoList/ReplacementInfo/DocumentId",
]);

/** parse() and appendTrace() see the same bytes in one accept: scan them once. */
const scans = new WeakMap<Buffer, Scan>();

function scan(raw: Buffer): Scan {
  const cached = scans.get(raw);
  if (cached) return cached;
  const s: Scan = {
    path: [],
    texts: new Map(),
    signed: false,
    hasEnvelope: false,
    traceListEnd: -1,
    lastTraceEnd: -1,
    traceListStartTagEnd: -1,
    edxmlPrefix: null,
    attachments: [],
  };
  let current: string | null = null;
  let buffer = "";
  let headerDepth = -1;
  scanBuffer(raw, {
    startElement(tag) {
      if (tag.namespaceURI === DSIG_NS && tag.localName === "Signature") s.signed = true;
      if (tag.namespaceURI === EDXML_NS && tag.localName === "edXMLEnvelope") s.hasEnvelope = true;
      if (tag.namespaceURI === EDXML_NS && tag.localName === "edXMLHeader") {
        headerDepth = tag.depth;
        s.path = [];
        return;
      }
      if (headerDepth >= 0 && tag.depth > headerDepth) {
        s.path.push(tag.localName);
        const key = s.path.join("/");
        current = WANTED.has(key) ? key : null;
        buffer = "";
        if (key === "TraceHeaderList") {
          s.traceListStartTagEnd = tag.end;
          if (s.edxmlPrefix === null) s.edxmlPrefix = tag.prefix;
        }
      }
    },
    endElement(tag) {
      if (headerDepth >= 0 && tag.depth > headerDepth) {
        const key = s.path.join("/");
        if (current === key) {
          const list = s.texts.get(key) ?? [];
          list.push(buffer.trim());
          s.texts.set(key, list);
        }
        if (key === "TraceHeaderList/TraceHeader") s.lastTraceEnd = tag.end;
        if (key === "TraceHeaderList") s.traceListEnd = tag.start;
        s.path.pop();
        current = null;
      } else if (tag.depth === headerDepth && tag.localName === "edXMLHeader") {
        headerDepth = -1;
      }
    },
    text(rawText, _plain, _start, _cdata) {
      if (current !== null) buffer += rawText.toString("utf8");
    },
  });
  scans.set(raw, s);
  return s;
}

function first(s: Scan, key: string): string | undefined {
  const v = s.texts.get(key)?.[0];
  return v === undefined || v === "" ? undefined : decodeEntities(v);
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-fA-F]+);/g, (_m, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, "&");
}

function invalid(reason: string, cause?: unknown): AxisError {
  return new AxisError("AXIS_PACKAGE_INVALID", { reason }, cause ? { cause } : undefined);
}

function traceTimestamp(at: Date): string {
  const p = toVietnamParts(at);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${p.year}/${pad(p.month)}/${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

export function createEdxmlCodec(): PackageCodec {
  return {
    async parse(raw: Buffer, _blobs: BlobStore): Promise<ParsedPackage> {
      let s: Scan;
      try {
        s = scan(raw);
      } catch (error) {
        if (error instanceof EdxmlError) throw invalid(`${error.code}: ${error.messageEn}`, error);
        throw error;
      }
      if (!s.hasEnvelope) throw invalid("no edXMLEnvelope in the QCVN 102 namespace");
      const from = first(s, "MessageHeader/From/OrganId");
      if (!from) throw invalid("MessageHeader/From/OrganId is missing");
      const statusCode = first(s, "MessageHeader/StatusCode");
      const subject = first(s, "MessageHeader/Subject");
      if (statusCode !== undefined) {
        if (!isStatusCode(statusCode)) throw invalid(`unknown StatusCode ${statusCode}`);
        const responseFor = first(s, "MessageHeader/ResponseFor/OrganId");
        const documentId = first(s, "MessageHeader/ResponseFor/DocumentId");
        if (!responseFor || !documentId) throw invalid("status without ResponseFor/OrganId and DocumentId");
        const statusTime = first(s, "MessageHeader/Timestamp");
        return {
          kind: "status",
          from,
          to: [],
          documentId,
          businessType: "status",
          targetDocumentIds: [],
          statusCode,
          responseForOrganId: responseFor,
          ...(statusTime ? { statusTime } : {}),
          signed: s.signed,
          attachments: [],
        };
      }
      const documentId = first(s, "MessageHeader/DocumentId");
      if (!documentId) throw invalid("MessageHeader/DocumentId is missing");
      const to = (s.texts.get("MessageHeader/To/OrganId") ?? []).map(decodeEntities).filter((x) => x !== "");
      const businessType = first(s, "TraceHeaderList/Bussiness/BussinessDocType") ?? "0";
      if (!/^[0-3]$/.test(businessType)) throw invalid(`unknown BussinessDocType ${businessType}`);
      const targets = [
        ...(s.texts.get("TraceHeaderList/Bussiness/DocumentId") ?? []),
        ...(s.texts.get("TraceHeaderList/Bussiness/ReplacementInfoList/ReplacementInfo/DocumentId") ?? []),
      ]
        .map(decodeEntities)
        .filter((x) => x !== "");
      const number = first(s, "MessageHeader/Code/CodeNumber");
      const notation = first(s, "MessageHeader/Code/CodeNotation");
      return {
        kind: "edoc",
        from,
        to,
        documentId,
        businessType,
        targetDocumentIds: targets,
        ...(subject ? { subject } : {}),
        ...(number || notation ? { notation: [number, notation].filter(Boolean).join("/") } : {}),
        signed: s.signed,
        attachments: s.attachments,
      };
    },

    async verifySignature(raw: Buffer, trust: TrustCallback, at: Date): Promise<SignatureVerdict> {
      try {
        const result = await verifyEdxml(raw, { trust, at });
        if (result.status === "valid") return { verdict: "valid" };
        if (result.status === "unsigned") return { verdict: "absent" };
        return { verdict: "invalid", reason: result.code ?? result.status };
      } catch (error) {
        if (error instanceof EdxmlError) return { verdict: "invalid", reason: error.code };
        throw error;
      }
    },

    appendTrace(raw: Buffer, organId: string, at: Date): Buffer {
      const s = scan(raw);
      const p = s.edxmlPrefix ? `${s.edxmlPrefix}:` : "";
      const trace = Buffer.from(
        `<${p}TraceHeader><${p}OrganId>${organId}</${p}OrganId><${p}Timestamp>${traceTimestamp(at)}</${p}Timestamp></${p}TraceHeader>`,
        "utf8",
      );
      // After the last TraceHeader (before Bussiness), else at the start of the list.
      const at_ = s.lastTraceEnd >= 0 ? s.lastTraceEnd : s.traceListStartTagEnd;
      if (at_ < 0) {
        // Status packages have no TraceHeaderList: the hop is recorded in the evidence log only.
        return raw;
      }
      return Buffer.concat([raw.subarray(0, at_), trace, raw.subarray(at_)]);
    },

    async sign(raw: Buffer, signer: Signer): Promise<Buffer> {
      return signEdxml(raw, signer, { replaceExisting: true });
    },
  };
}

export function sha256Hex(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
