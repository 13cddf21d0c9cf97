/**
 * Streaming edXML parser on the strict scanner. The header is collected as a small tree (bounded by
 * the scan limits and `maxFieldBytes`) and mapped to the model by name, case-insensitively and in
 * any order; attachment base64 goes straight from the input chunks through a strict decoder into
 * the sink, hashed on the fly. The raw input is never modified; its size and SHA-256 are reported.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { type AttachmentSink, type AttachmentWriter, memorySink } from "./attachments.ts";
import { Base64Decoder } from "./base64.ts";
import { stripCid } from "./build.ts";
import { type ForwardedPackage, type ForwardOptions, forwardingScan } from "./dsig/forward.ts";
import { EdxmlError } from "./errors.ts";
import {
  type Business,
  type BusinessDocType,
  EDXML_NAMESPACE,
  type EdxmlDocument,
  type EdxmlStatus,
  type LocalDate,
  type ManifestReference,
  type Organization,
  parseLocalDate,
  parseTimestamp,
  type ResponseFor,
  type StaffInfo,
  type StatusCode,
  XMLDSIG_NAMESPACE,
} from "./model.ts";
import {
  decodeText,
  type ScanHandler,
  type ScanLimits,
  type ScannedAttribute,
  XmlScanner,
} from "./xml/scanner.ts";

export interface ParseLimits extends ScanLimits {
  /** Largest text of one header element, in bytes. */
  maxFieldBytes: number;
  maxAttachments: number;
}

export const DEFAULT_PARSE_LIMITS: Readonly<ParseLimits> = Object.freeze({
  maxDepth: 64,
  maxAttributesPerElement: 256,
  maxNameLength: 256,
  maxAttributeValueLength: 64 * 1024,
  maxElements: 100_000,
  maxBytes: 2 * 1024 * 1024 * 1024,
  maxFieldBytes: 1024 * 1024,
  maxAttachments: 1000,
});

export interface ParseWarning {
  code:
    | "EDXML_W_UNKNOWN_ELEMENT"
    | "EDXML_W_ELEMENT_CASE"
    | "EDXML_W_NO_NAMESPACE"
    | "EDXML_W_DUPLICATE_ELEMENT"
    | "EDXML_W_LEGACY_DATE"
    | "EDXML_W_BAD_VALUE"
    | "EDXML_W_CID_PREFIX"
    | "EDXML_W_ATTACHMENT_NOT_IN_MANIFEST";
  path: string;
  message: string;
}

export interface ParsedAttachment {
  contentId: string;
  name: string;
  contentType: string;
  description?: string;
  size: number;
  sha256: string;
  ref: string;
}

export type ParsedEdxml = (
  | { kind: "document"; document: EdxmlDocument }
  | { kind: "status"; status: EdxmlStatus }
) & {
  /** Size and SHA-256 (hex) of the raw bytes as received. */
  size: number;
  sha256: string;
  attachments: ParsedAttachment[];
  warnings: ParseWarning[];
};

export interface ParseOptions {
  /** Where attachment bytes go; default: an in-memory sink. */
  attachmentSink?: AttachmentSink;
  limits?: Partial<ParseLimits>;
}

export type EdxmlInput = Buffer | Uint8Array | AsyncIterable<Uint8Array> | NodeJS.ReadableStream;

interface XNode {
  local: string;
  ns: string | null;
  attrs: ScannedAttribute[];
  children: XNode[];
  text: string;
  textBytes: number;
  /** Index into the attachment records when this is a ContentTransferEncoded element. */
  attachment?: number;
}

interface AttachmentState {
  index: number;
  writer: AttachmentWriter;
  decoder: Base64Decoder;
  meta: { contentId: string; name: string; contentType: string };
  result?: { sha256: string; size: number; ref: string };
}

type Job = { writer: AttachmentWriter; chunk: Buffer } | { finish: AttachmentState };

const INPUT_SLICE = 1024 * 1024;

async function* chunksOf(input: EdxmlInput): AsyncGenerator<Buffer> {
  if (input instanceof Uint8Array) {
    const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.length);
    for (let at = 0; at < buf.length; at += INPUT_SLICE) yield buf.subarray(at, at + INPUT_SLICE);
    return;
  }
  const iterable: AsyncIterable<unknown> =
    Symbol.asyncIterator in (input as object)
      ? (input as AsyncIterable<unknown>)
      : new Readable().wrap(input as NodeJS.ReadableStream);
  for await (const chunk of iterable) {
    if (typeof chunk === "string") yield Buffer.from(chunk);
    else if (chunk instanceof Uint8Array) {
      yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    } else throw new TypeError("parseEdxml: input chunks must be Buffers");
  }
}

const lower = (s: string) => s.toLowerCase();

/** Parses an edXML document or status package. */
export function parseEdxml(input: EdxmlInput, options: ParseOptions = {}): Promise<ParsedEdxml> {
  return parse(input, options);
}

export interface ParsedAndForwarded {
  readonly parsed: ParsedEdxml;
  /**
   * The forwarding (`forwardEdxml`'s result, or its error), from the same pass; the re-signing
   * happens on the first call, so a caller can refuse an invalid package before signing it.
   */
  forward(): Promise<ForwardedPackage>;
}

/**
 * `parseEdxml` and `forwardEdxml` in one pass: the package is tokenised and hashed once, and
 * the scanner's events go to both. A parse error is thrown; a forwarding error (a malformed
 * signature, no TraceHeaderList, …) is the forwarding's, rejected by `forward()`.
 * The scan limits are the parse's (`options.limits`).
 */
export async function parseAndForwardEdxml(
  input: EdxmlInput,
  options: ParseOptions & { forward: Omit<ForwardOptions, "limits"> },
): Promise<ParsedAndForwarded> {
  const forwarding = forwardingScan(options.forward);
  let failure: { error: unknown } | null = null;
  const parsed = await parse(input, options, {
    handler: forwarding.handler,
    failed: (error) => {
      failure = { error };
    },
  });
  let forwarded: Promise<ForwardedPackage> | undefined;
  const forward = async () => {
    if (failure) throw failure.error;
    const scan = forwarding.handler.result({ size: parsed.size, sha256: Buffer.from(parsed.sha256, "hex") });
    return forwarding.finish(scan);
  };
  return { parsed, forward: () => (forwarded ??= forward()) };
}

/** Another consumer of the scanner's events, whose errors stop its events, not the parse. */
interface SideHandler {
  readonly handler: ScanHandler;
  failed(error: unknown): void;
}

/** The scanner's events to `main`, and to `side` (if any) until it fails. */
function alsoTo(side: SideHandler | undefined, main: ScanHandler): ScanHandler {
  if (!side) return main;
  let live = true;
  const guarded = (event: () => void) => {
    if (!live) return;
    try {
      event();
    } catch (error) {
      live = false;
      side.failed(error);
    }
  };
  const h = side.handler;
  return {
    startElement(tag) {
      main.startElement?.(tag);
      guarded(() => h.startElement?.(tag));
    },
    endElement(tag) {
      main.endElement?.(tag);
      guarded(() => h.endElement?.(tag));
    },
    text(raw, plain, start, cdata) {
      main.text?.(raw, plain, start, cdata);
      guarded(() => h.text?.(raw, plain, start, cdata));
    },
    comment(start, end) {
      main.comment?.(start, end);
      guarded(() => h.comment?.(start, end));
    },
    processingInstruction(target, data, start, end) {
      main.processingInstruction?.(target, data, start, end);
      guarded(() => h.processingInstruction?.(target, data, start, end));
    },
  };
}

async function parse(input: EdxmlInput, options: ParseOptions, side?: SideHandler): Promise<ParsedEdxml> {
  const limits: ParseLimits = { ...DEFAULT_PARSE_LIMITS, ...options.limits };
  const sink = options.attachmentSink ?? memorySink();
  const hash = createHash("sha256");
  let size = 0;
  const root: XNode = { local: "#document", ns: null, attrs: [], children: [], text: "", textBytes: 0 };
  const stack: XNode[] = [root];
  const attachments: AttachmentState[] = [];
  const jobs: Job[] = [];
  let current: AttachmentState | null = null;

  const metaSoFar = (attachmentNode: XNode, index: number) => {
    const field = (name: string) =>
      attachmentNode.children.find((c) => lower(c.local) === lower(name))?.text.trim();
    const manifestRef = findPath(root, [
      "edXML",
      "edXMLEnvelope",
      "edXMLBody",
      "edXMLManifest",
    ])?.children.filter((c) => lower(c.local) === "reference")[index];
    const fromManifest = (name: string) =>
      manifestRef?.children.find((c) => lower(c.local) === lower(name))?.text.trim();
    return {
      contentId: stripCid(field("ContentId") ?? fromManifest("ContentId") ?? ""),
      name: (field("AttachmentName") ?? fromManifest("AttachmentName") ?? "").normalize("NFC"),
      contentType: field("ContentType") ?? fromManifest("ContentType") ?? "",
    };
  };

  const scanner = new XmlScanner(
    alsoTo(side, {
      startElement(tag) {
        const parent = stack.at(-1)!;
        const node: XNode = {
          local: tag.localName,
          ns: tag.namespaceURI,
          attrs: tag.attributes,
          children: [],
          text: "",
          textBytes: 0,
        };
        parent.children.push(node);
        stack.push(node);
        if (lower(tag.localName) === "contenttransferencoded" && lower(parent.local) === "attachment") {
          if (current) throw new EdxmlError("EDXML_NOT_EDXML", { reason: "nested attachment content" });
          if (attachments.length >= limits.maxAttachments) {
            throw new EdxmlError("EDXML_XML_LIMIT_EXCEEDED", {
              limit: "maxAttachments",
              value: attachments.length + 1,
            });
          }
          const index = attachments.length;
          const meta = metaSoFar(parent, index);
          let writer: AttachmentWriter;
          try {
            writer = sink.begin({ ...meta, index });
          } catch (error) {
            throw new EdxmlError("EDXML_ATTACHMENT_SINK", { contentId: meta.contentId }, { cause: error });
          }
          current = { index, meta, decoder: new Base64Decoder(meta.contentId), writer };
          attachments.push(current);
          node.attachment = index;
        }
      },
      endElement() {
        const node = stack.pop()!;
        if (node.attachment !== undefined && current) {
          current.decoder.end();
          jobs.push({ finish: current });
          current = null;
        }
      },
      text(raw, plain, _start, cdata) {
        const node = stack.at(-1)!;
        if (current) {
          // latin1 keeps any non-ASCII byte visible to the alphabet check.
          const bytes = plain
            ? current.decoder.push(raw.toString("latin1"), hasWhitespace(raw))
            : current.decoder.push(decodeText(raw, cdata));
          if (bytes.length) jobs.push({ writer: current.writer, chunk: bytes });
          return;
        }
        node.textBytes += raw.length;
        if (node.textBytes > limits.maxFieldBytes) {
          throw new EdxmlError("EDXML_XML_LIMIT_EXCEEDED", { limit: "maxFieldBytes", value: node.textBytes });
        }
        node.text += decodeText(raw, cdata);
      },
    }),
    limits,
  );

  const drain = async () => {
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      if ("chunk" in job) {
        try {
          await job.writer.write(job.chunk);
        } catch (error) {
          const failed = attachments.find((a) => a.writer === job.writer);
          throw new EdxmlError(
            "EDXML_ATTACHMENT_SINK",
            { contentId: failed?.meta.contentId ?? "" },
            { cause: error },
          );
        }
      } else {
        try {
          job.finish.result = await job.finish.writer.finish();
        } catch (error) {
          throw new EdxmlError(
            "EDXML_ATTACHMENT_SINK",
            { contentId: job.finish.meta.contentId },
            { cause: error },
          );
        }
      }
    }
    jobs.length = 0;
  };

  try {
    for await (const chunk of chunksOf(input)) {
      size += chunk.length;
      hash.update(chunk);
      scanner.write(chunk);
      await drain();
    }
    scanner.end();
    await drain();
  } catch (error) {
    await Promise.allSettled(attachments.filter((a) => !a.result).map((a) => a.writer.abort()));
    throw error;
  }

  const ctx = new Context();
  const result = mapPackage(root, ctx, attachments);
  return { ...result, size, sha256: hash.digest("hex"), warnings: ctx.warnings } as ParsedEdxml;
}

/** Native memchr passes beat a regex over the string. */
function hasWhitespace(raw: Buffer): boolean {
  return (
    raw.indexOf(0x0a) !== -1 ||
    raw.indexOf(0x20) !== -1 ||
    raw.indexOf(0x0d) !== -1 ||
    raw.indexOf(0x09) !== -1
  );
}

function findPath(root: XNode, names: string[]): XNode | undefined {
  let node: XNode | undefined = root;
  for (const name of names) {
    node = node?.children.find((c) => lower(c.local) === lower(name));
    if (!node) return undefined;
  }
  return node;
}

// ---------------------------------------------------------------- tree → model

class Context {
  readonly warnings: ParseWarning[] = [];
  private noNamespaceWarned = false;
  warn(code: ParseWarning["code"], path: string, message: string): void {
    if (this.warnings.length < 1000) this.warnings.push({ code, path, message });
  }
  noNamespace(path: string): void {
    if (this.noNamespaceWarned) return;
    this.noNamespaceWarned = true;
    this.warn("EDXML_W_NO_NAMESPACE", path, "elements without the QCVN 102 namespace were accepted");
  }
}

class Reader {
  private readonly consumed = new Set<XNode>();
  constructor(
    readonly node: XNode,
    readonly path: string,
    private readonly ctx: Context,
  ) {}

  all(name: string): Reader[] {
    const out: Reader[] = [];
    for (const c of this.node.children) {
      if (lower(c.local) !== lower(name)) continue;
      if (c.ns !== EDXML_NAMESPACE) {
        if (c.ns !== null) continue; // foreign namespace: left for finish() to report
        this.ctx.noNamespace(`${this.path}/${c.local}`);
      }
      if (c.local !== name) {
        this.ctx.warn(
          "EDXML_W_ELEMENT_CASE",
          `${this.path}/${c.local}`,
          `element spelled ${c.local}, expected ${name}`,
        );
      }
      this.consumed.add(c);
      out.push(new Reader(c, `${this.path}/${name}`, this.ctx));
    }
    return out;
  }

  one(name: string): Reader | undefined {
    const found = this.all(name);
    if (found.length > 1) {
      this.ctx.warn(
        "EDXML_W_DUPLICATE_ELEMENT",
        `${this.path}/${name}`,
        `${found.length} elements, the first is used`,
      );
    }
    return found[0];
  }

  text(name: string): string | undefined {
    const r = this.one(name);
    if (!r) return undefined;
    r.finish();
    return r.node.text.normalize("NFC");
  }

  trimmed(name: string): string | undefined {
    return this.text(name)?.trim();
  }

  int(name: string): number | undefined {
    const t = this.trimmed(name);
    if (t === undefined) return undefined;
    if (/^[+-]?\d{1,15}$/.test(t)) return Number.parseInt(t, 10);
    this.ctx.warn(
      "EDXML_W_BAD_VALUE",
      `${this.path}/${name}`,
      `not an integer: ${JSON.stringify(t.slice(0, 40))}`,
    );
    return Number.NaN;
  }

  bool(name: string): boolean | undefined {
    const t = this.trimmed(name);
    if (t === undefined) return undefined;
    const l = t.toLowerCase();
    if (l === "true" || l === "1") return true;
    if (l === "false" || l === "0") return false;
    this.ctx.warn(
      "EDXML_W_BAD_VALUE",
      `${this.path}/${name}`,
      `not a boolean: ${JSON.stringify(t.slice(0, 40))}`,
    );
    return undefined;
  }

  date(name: string): LocalDate | undefined {
    const t = this.trimmed(name);
    if (t === undefined) return undefined;
    const d = parseLocalDate(t);
    if (!d) {
      this.ctx.warn(
        "EDXML_W_BAD_VALUE",
        `${this.path}/${name}`,
        `not a date: ${JSON.stringify(t.slice(0, 40))}`,
      );
      return { year: 0, month: 0, day: 0 };
    }
    if (d.legacy) this.ctx.warn("EDXML_W_LEGACY_DATE", `${this.path}/${name}`, `legacy date form ${t}`);
    return d.value;
  }

  timestamp(name: string): Date | undefined {
    const t = this.trimmed(name);
    if (t === undefined) return undefined;
    const d = parseTimestamp(t);
    if (!d) {
      this.ctx.warn(
        "EDXML_W_BAD_VALUE",
        `${this.path}/${name}`,
        `not a timestamp: ${JSON.stringify(t.slice(0, 40))}`,
      );
      return new Date(Number.NaN);
    }
    if (d.legacy) this.ctx.warn("EDXML_W_LEGACY_DATE", `${this.path}/${name}`, `legacy timestamp form ${t}`);
    return d.value;
  }

  /** Reports children nobody asked for. */
  finish(ignore: (n: XNode) => boolean = () => false): void {
    for (const c of this.node.children) {
      if (this.consumed.has(c) || ignore(c)) continue;
      this.ctx.warn(
        "EDXML_W_UNKNOWN_ELEMENT",
        `${this.path}/${c.local}`,
        `unknown element {${c.ns ?? ""}}${c.local}`,
      );
    }
  }
}

const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

function organization(r: Reader | undefined): Organization {
  if (!r) return { organId: "" };
  const o: Organization = {
    organId: r.trimmed("OrganId") ?? "",
    ...opt("organizationInCharge", r.text("OrganizationInCharge")),
    ...opt("organName", r.text("OrganName")),
    ...opt("organAdd", r.text("OrganAdd")),
    ...opt("email", r.trimmed("Email")),
    ...opt("telephone", r.trimmed("Telephone")),
    ...opt("fax", r.trimmed("Fax")),
    ...opt("website", r.trimmed("Website")),
  };
  r.finish();
  return o;
}

function responseFor(r: Reader): ResponseFor {
  const out: ResponseFor = {
    organId: r.trimmed("OrganId") ?? "",
    code: r.trimmed("Code") ?? "",
    ...opt("promulgationDate", r.date("PromulgationDate")),
    documentId: r.trimmed("DocumentId") ?? "",
  };
  r.finish();
  return out;
}

function staffInfo(r: Reader | undefined): StaffInfo | undefined {
  if (!r) return undefined;
  const s: StaffInfo = {
    ...opt("department", r.text("Department")),
    ...opt("departmentId", r.trimmed("DepartmentId")),
    ...opt("staff", r.text("Staff")),
    ...opt("staffId", r.trimmed("StaffId")),
    ...opt("email", r.trimmed("Email")),
    ...opt("mobile", r.trimmed("Mobile")),
  };
  r.finish();
  return s;
}

const isSignature = (n: XNode) =>
  (n.ns === XMLDSIG_NAMESPACE && n.local === "Signature") || lower(n.local) === "digitalsignature";

function mapPackage(
  root: XNode,
  ctx: Context,
  states: AttachmentState[],
):
  | { kind: "document"; document: EdxmlDocument; attachments: ParsedAttachment[] }
  | { kind: "status"; status: EdxmlStatus; attachments: ParsedAttachment[] } {
  const top = root.children[0]!;
  if (lower(top.local) !== "edxml")
    throw new EdxmlError("EDXML_NOT_EDXML", { reason: `root element is ${top.local}` });
  if (top.ns !== EDXML_NAMESPACE && top.ns !== null) {
    throw new EdxmlError("EDXML_NOT_EDXML", { reason: `root namespace is ${top.ns}` });
  }
  const doc = new Reader(top, "/edXML", ctx);
  if (top.ns === null) ctx.noNamespace("/edXML");
  const envelope = doc.one("edXMLEnvelope");
  if (!envelope) throw new EdxmlError("EDXML_NOT_EDXML", { reason: "no edXMLEnvelope" });
  const header = envelope.one("edXMLHeader");
  const mh = header?.one("MessageHeader");
  if (!header || !mh) throw new EdxmlError("EDXML_NOT_EDXML", { reason: "no edXMLHeader/MessageHeader" });

  if (mh.node.children.some((c) => lower(c.local) === "statuscode")) {
    const status: EdxmlStatus = {
      from: organization(mh.one("From")),
      responseFor: (() => {
        const r = mh.one("ResponseFor");
        return r ? responseFor(r) : { organId: "", code: "", documentId: "" };
      })(),
      ...opt("staffInfo", staffInfo(mh.one("StaffInfo"))),
      statusCode: (mh.trimmed("StatusCode") ?? "") as StatusCode,
      ...opt("description", mh.text("Description")),
      timestamp: mh.timestamp("Timestamp") ?? new Date(Number.NaN),
    };
    mh.finish();
    header.finish(isSignature);
    envelope.finish();
    doc.finish();
    return { kind: "status", status, attachments: [] };
  }

  // --- MessageHeader
  const code = mh.one("Code");
  const prom = mh.one("PromulgationInfo");
  const dtype = mh.one("DocumentType");
  const signer = mh.one("SignerInfo");
  const other = mh.one("OtherInfo");
  const appendixes = other?.one("Appendixes");
  const toPlaces = mh.one("ToPlaces");
  const documentHeader = {
    from: organization(mh.one("From")),
    to: mh.all("To").map(organization),
    documentId: mh.trimmed("DocumentId") ?? "",
    code: {
      codeNumber: code?.trimmed("CodeNumber") ?? "",
      codeNotation: code?.trimmed("CodeNotation") ?? "",
    },
    promulgationInfo: {
      place: prom?.text("Place") ?? "",
      promulgationDate: prom?.date("PromulgationDate") ?? { year: 0, month: 0, day: 0 },
    },
    documentType: {
      type: dtype?.int("Type") ?? Number.NaN,
      ...opt("typeDetail", dtype?.int("TypeDetail")),
      typeName: dtype?.text("TypeName") ?? "",
    },
    subject: mh.text("Subject") ?? "",
    ...opt("content", mh.text("Content")),
    signerInfo: {
      ...opt("competence", signer?.text("Competence")),
      ...opt("position", signer?.text("Position")),
      fullName: signer?.text("FullName") ?? "",
    },
    ...opt("dueDate", mh.date("DueDate")),
    otherInfo: {
      priority: other?.int("Priority") ?? Number.NaN,
      ...opt("sphereOfPromulgation", other?.text("SphereOfPromulgation")),
      ...opt("typerNotation", other?.text("TyperNotation")),
      ...opt("promulgationAmount", other?.int("PromulgationAmount")),
      ...opt("pageAmount", other?.int("PageAmount")),
      ...opt("direction", other?.bool("Direction")),
      ...opt(
        "appendixes",
        appendixes ? appendixes.all("Appendix").map((a) => a.node.text.normalize("NFC")) : undefined,
      ),
    },
    ...opt(
      "responseFor",
      (() => {
        const list = mh.all("ResponseFor").map(responseFor);
        return list.length ? list : undefined;
      })(),
    ),
    ...opt("steeringType", mh.int("SteeringType")),
    ...opt("toPlaces", toPlaces ? toPlaces.all("Place").map((p) => p.node.text.normalize("NFC")) : undefined),
  };
  for (const r of [code, prom, dtype, signer, appendixes, other, toPlaces]) r?.finish();
  mh.finish();

  // --- TraceHeaderList
  const traceList = header.one("TraceHeaderList");
  const traces = (traceList?.all("TraceHeader") ?? []).map((t) => {
    const out = {
      organId: t.trimmed("OrganId") ?? "",
      timestamp: t.timestamp("Timestamp") ?? new Date(Number.NaN),
    };
    t.finish();
    return out;
  });
  const b = traceList?.one("Bussiness");
  let business: Business = { docType: Number.NaN as BusinessDocType };
  if (b) {
    const info = b.one("BussinessDocumentInfo");
    const receiverList = info?.one("ReceiverList");
    const replacementList = b.one("ReplacementInfoList");
    business = {
      ...opt("documentId", b.trimmed("DocumentId")),
      docType: (b.int("BussinessDocType") ?? Number.NaN) as BusinessDocType,
      ...opt("reason", b.text("BussinessDocReason")),
      ...opt("paper", b.int("Paper")),
      ...opt("staffInfo", staffInfo(b.one("StaffInfo"))),
      ...opt(
        "documentInfo",
        info
          ? {
              documentInfo: info.int("DocumentInfo") ?? Number.NaN,
              documentReceiver: info.int("DocumentReceiver") ?? Number.NaN,
              ...opt(
                "receivers",
                receiverList?.all("Receiver").map((r) => {
                  const out = {
                    organId: r.trimmed("OrganId") ?? "",
                    receiverType: r.int("ReceiverType") ?? Number.NaN,
                  };
                  r.finish();
                  return out;
                }),
              ),
            }
          : undefined,
      ),
      ...opt(
        "replacements",
        replacementList?.all("ReplacementInfo").map((r) => {
          const ids = r.one("OrganIdList");
          const out = {
            documentId: r.trimmed("DocumentId") ?? "",
            organIds: ids ? ids.all("OrganId").map((o) => o.node.text.trim()) : [],
          };
          ids?.finish();
          r.finish();
          return out;
        }),
      ),
    };
    receiverList?.finish();
    info?.finish();
    replacementList?.finish();
    b.finish();
  }
  traceList?.finish();
  header.finish(isSignature);

  const traceHeaderListAttributes = traceList?.node.attrs
    .filter((a) => !a.isNamespaceDeclaration)
    .map((a): [string, string] => [a.qname, a.value]);

  // --- Manifest
  const body = envelope.one("edXMLBody");
  const manifestNode = body?.one("edXMLManifest");
  const cidPrefixed = { manifest: [] as boolean[], attachments: [] as boolean[] };
  const manifest: ManifestReference[] = (manifestNode?.all("Reference") ?? []).map((r) => {
    const rawId = r.trimmed("ContentId") ?? "";
    cidPrefixed.manifest.push(/^cid:/i.test(rawId));
    const out: ManifestReference = {
      contentId: stripCid(rawId),
      contentType: r.trimmed("ContentType") ?? "",
      ...opt("description", r.text("Description")),
      attachmentName: r.text("AttachmentName") ?? "",
    };
    r.finish();
    return out;
  });
  manifestNode?.finish();
  body?.finish();
  envelope.finish();

  // --- Attachments
  const encoded = doc.one("AttachmentEncoded");
  const parsed: ParsedAttachment[] = [];
  for (const a of encoded?.all("Attachment") ?? []) {
    const rawId = a.trimmed("ContentId");
    const cte = a.all("ContentTransferEncoded")[0];
    const state = cte?.node.attachment !== undefined ? states[cte.node.attachment] : undefined;
    const contentId = rawId !== undefined ? stripCid(rawId) : (state?.meta.contentId ?? "");
    if (rawId !== undefined) cidPrefixed.attachments.push(/^cid:/i.test(rawId));
    const ref = manifest.find((m) => m.contentId === contentId);
    if (!ref)
      ctx.warn("EDXML_W_ATTACHMENT_NOT_IN_MANIFEST", a.path, `attachment ${contentId} has no manifest entry`);
    const description = a.text("Description") ?? ref?.description;
    parsed.push({
      contentId,
      name: a.text("AttachmentName") ?? ref?.attachmentName ?? "",
      contentType: a.trimmed("ContentType") ?? ref?.contentType ?? "",
      ...opt("description", description),
      size: state?.result?.size ?? 0,
      sha256: state?.result?.sha256 ?? "",
      ref: state?.result?.ref ?? "",
    });
    a.finish();
  }
  encoded?.finish();
  doc.finish();
  const m = cidPrefixed.manifest.some(Boolean);
  const at = cidPrefixed.attachments.some(Boolean);
  if (m !== at && manifest.length > 0 && parsed.length > 0) {
    ctx.warn("EDXML_W_CID_PREFIX", "/edXML", "'cid:' prefix used on one side only (manifest vs attachments)");
  }

  const document: EdxmlDocument = {
    header: documentHeader,
    traces,
    business,
    manifest,
    ...opt(
      "traceHeaderListAttributes",
      traceHeaderListAttributes?.length ? traceHeaderListAttributes : undefined,
    ),
  };
  return { kind: "document", document, attachments: parsed };
}
