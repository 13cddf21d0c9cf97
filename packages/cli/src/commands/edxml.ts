/**
 * `truc edxml build | inspect | validate | sign | verify`: QCVN 102:2016 packages from the
 * command line, over @truc/edxml (builder, strict parser, validation codes, XML-DSig).
 */
import { basename, dirname, resolve } from "node:path";
import type { TrustCallback } from "@truc/common";
import {
  type AttachmentInput,
  BUSINESS_DOC_TYPE_LABELS,
  type Business,
  buildDocument,
  buildStatus,
  type EdxmlDocument,
  type EdxmlStatus,
  formatLocalDate,
  formatTimestamp,
  isStatusCode,
  type LocalDate,
  type Organization,
  type ParsedEdxml,
  PRIORITY_LABELS,
  type Priority,
  parseEdxml,
  parseLocalDate,
  parseTimestamp,
  STATUS_CODES,
  signEdxml,
  type ValidationIssue,
  validatePackage,
  verifyEdxml,
  wrapAttachment,
} from "@truc/edxml";
import { type Command, Option } from "commander";
import type { CliContext } from "../main.ts";
import { EXIT, type Lang, printResult, reportError } from "../output.ts";
import { minimalDocument, splitNotation } from "../support/document.ts";
import { CliError } from "../support/errors.ts";
import { exitCodeFor } from "../support/exit.ts";
import { readFileOrThrow, readInput, writeOutput } from "../support/io.ts";
import { loadSigner, loadTrust, type SignerFlags, type TrustFlags } from "../support/keys.ts";

const collect = (value: string, previous: string[] = []) => [...previous, value];
const t = (lang: Lang, vi: string, en: string) => (lang === "vi" ? vi : en);
const bad = (reason: string) => new CliError("CLI_DESCRIPTION_INVALID", { reason });

// ------------------------------------------------------------------ description → model

type Json = Record<string, unknown>;

function str(o: Json, key: string, required = false): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw bad(`"${key}" is required`);
    return undefined;
  }
  if (typeof v !== "string" && typeof v !== "number") throw bad(`"${key}" must be a string`);
  return String(v);
}

function date(o: Json, key: string, required = false): LocalDate | undefined {
  const text = str(o, key, required);
  if (text === undefined) return undefined;
  const d = parseLocalDate(text);
  if (!d) throw bad(`"${key}": not a date (yyyy/MM/dd): ${text}`);
  return d.value;
}

function organization(v: unknown, where: string): Organization {
  if (typeof v === "string") return { organId: v };
  if (!v || typeof v !== "object") throw bad(`${where}: an agency code or {"organId": …}`);
  const o = v as Json;
  const organId = str(o, "organId", true)!;
  const out: Organization = { organId };
  for (const k of [
    "organizationInCharge",
    "organName",
    "organAdd",
    "email",
    "telephone",
    "fax",
    "website",
  ] as const) {
    const s = str(o, k);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

function business(v: unknown): Business | undefined {
  if (v === undefined) return undefined;
  if (!v || typeof v !== "object") throw bad(`"business" must be an object`);
  const b = v as Json;
  const docType = Number(b.docType ?? 0);
  if (![0, 1, 2, 3].includes(docType)) throw bad(`business.docType must be 0, 1, 2 or 3`);
  return { paper: 0, ...(b as object), docType } as Business;
}

interface BuiltPackage {
  kind: "document" | "status";
  bytes: Buffer;
}

async function buildFromDescription(
  path: string,
  extraAttachments: string[],
  now: Date,
): Promise<BuiltPackage> {
  let description: Json;
  try {
    description = JSON.parse(readFileOrThrow(path).toString("utf8")) as Json;
  } catch (error) {
    if (CliError.is(error)) throw error;
    throw bad(`${path}: ${(error as Error).message}`);
  }
  if (!description || typeof description !== "object" || Array.isArray(description))
    throw bad("the description must be a JSON object");
  const kind = str(description, "kind") ?? (description.statusCode !== undefined ? "status" : "document");
  if (kind === "status") {
    const code = str(description, "statusCode", true)!.padStart(2, "0");
    if (!isStatusCode(code))
      throw bad(`statusCode ${code} is not one of ${Object.keys(STATUS_CODES).join(", ")}`);
    const rf = description.responseFor as Json | undefined;
    if (!rf || typeof rf !== "object") throw bad(`"responseFor" {organId, code, documentId} is required`);
    const timestampText = str(description, "timestamp");
    const timestamp = timestampText === undefined ? now : parseTimestamp(timestampText)?.value;
    if (!timestamp) throw bad(`"timestamp": not yyyy/MM/dd HH:mm:ss`);
    const promulgationDate = date(rf, "promulgationDate");
    const description_ = str(description, "description");
    const status: EdxmlStatus = {
      from: organization(description.from, "from"),
      responseFor: {
        organId: str(rf, "organId", true)!,
        code: str(rf, "code", true)!,
        documentId: str(rf, "documentId", true)!,
        ...(promulgationDate ? { promulgationDate } : {}),
      },
      ...(description.staffInfo ? { staffInfo: description.staffInfo as EdxmlStatus["staffInfo"] } : {}),
      statusCode: code,
      ...(description_ !== undefined ? { description: description_ } : {}),
      timestamp,
    };
    return { kind: "status", bytes: buildStatus(status) };
  }
  if (kind !== "document") throw bad(`"kind" must be "document" or "status"`);
  const to = description.to;
  if (!Array.isArray(to) || to.length === 0) throw bad(`"to": a list of recipients`);
  const code = description.code as Json | undefined;
  const split = code
    ? { codeNumber: str(code, "codeNumber", true)!, codeNotation: str(code, "codeNotation", true)! }
    : splitNotation(str(description, "notation", true)!);
  const signer = description.signer as Json | undefined;
  const priority = description.priority === undefined ? undefined : Number(description.priority);
  const docDate = date(description, "date");
  const dueDate = date(description, "dueDate");
  const biz = business(description.business);
  const typeCode = description.typeCode === undefined ? undefined : Number(description.typeCode);
  const document: EdxmlDocument = minimalDocument({
    from: organization(description.from, "from"),
    to: to.map((x, i) => organization(x, `to[${i}]`)),
    ...split,
    subject: str(description, "subject", true)!,
    ...(str(description, "type") ? { typeName: str(description, "type")! } : {}),
    ...(typeCode !== undefined ? { typeCode } : {}),
    ...(str(description, "place") ? { place: str(description, "place")! } : {}),
    ...(docDate ? { date: docDate } : {}),
    ...(dueDate ? { dueDate } : {}),
    ...(signer
      ? {
          signer: {
            fullName: str(signer, "fullName", true)!,
            ...(str(signer, "position") ? { position: str(signer, "position")! } : {}),
            ...(str(signer, "competence") ? { competence: str(signer, "competence")! } : {}),
          },
        }
      : {}),
    ...(priority !== undefined ? { priority } : {}),
    ...(str(description, "documentId") ? { documentId: str(description, "documentId")! } : {}),
    ...(biz ? { business: biz } : {}),
    now,
  });
  const content = str(description, "content");
  if (content !== undefined) document.header.content = content;
  if (Array.isArray(description.toPlaces)) document.header.toPlaces = description.toPlaces.map(String);
  if (Array.isArray(description.responseFor))
    document.header.responseFor = (description.responseFor as Json[]).map((r) => {
      const d = date(r, "promulgationDate");
      return {
        organId: str(r, "organId", true)!,
        code: str(r, "code", true)!,
        documentId: str(r, "documentId", true)!,
        ...(d ? { promulgationDate: d } : {}),
      };
    });

  const base = dirname(resolve(path));
  const listed = Array.isArray(description.attachments) ? (description.attachments as unknown[]) : [];
  const files = [
    ...listed.map((a) => (typeof a === "string" ? { file: a } : (a as Json))),
    ...extraAttachments.map((file) => ({ file })),
  ];
  const attachments: AttachmentInput[] = files.map((a, i) => {
    const file = str(a, "file", true)!;
    const full = resolve(base, file);
    const prepared = wrapAttachment({
      name: str(a, "name") ?? basename(full),
      content: readFileOrThrow(full),
    });
    const desc = str(a, "description");
    return {
      contentId: `a${i + 1}`,
      name: prepared.name,
      contentType: str(a, "contentType") ?? prepared.contentType,
      ...(desc ? { description: desc } : {}),
      content: prepared.content,
    };
  });
  return { kind: "document", bytes: await buildDocument(document, attachments) };
}

// ------------------------------------------------------------------ human summaries

function issueLines(issues: readonly ValidationIssue[], lang: Lang): string[] {
  return issues.map((i) => `  ✗ ${i.code} ${i.path}: ${lang === "vi" ? i.messageVi : i.messageEn}`);
}

function summary(parsed: ParsedEdxml, lang: Lang, signed: string): string {
  const lines: string[] = [];
  const row = (vi: string, en: string, value: string | undefined) => {
    if (value !== undefined && value !== "") lines.push(`${t(lang, vi, en).padEnd(22)} ${value}`);
  };
  const org = (o: Organization) => (o.organName ? `${o.organId} (${o.organName})` : o.organId);
  if (parsed.kind === "document") {
    const h = parsed.document.header;
    const b = parsed.document.business;
    const op = BUSINESS_DOC_TYPE_LABELS[b.docType as 0] ?? { vi: String(b.docType), en: String(b.docType) };
    row("Loại gói tin", "Package", t(lang, "văn bản", "document"));
    row(
      "Nghiệp vụ",
      "Operation",
      `${b.docType} — ${lang === "vi" ? op.vi : op.en}${b.reason ? ` (${b.reason})` : ""}`,
    );
    row("Mã văn bản", "DocumentId", h.documentId);
    row("Số, ký hiệu", "Number/notation", `${h.code.codeNumber}/${h.code.codeNotation}`);
    row("Loại văn bản", "Type", `${h.documentType.typeName} (${h.documentType.type})`);
    row("Trích yếu", "Subject", h.subject);
    row("Nơi gửi", "From", org(h.from));
    row("Nơi nhận", "To", h.to.map(org).join(", "));
    row(
      "Ngày ban hành",
      "Date",
      `${h.promulgationInfo.place}, ${formatLocalDate(h.promulgationInfo.promulgationDate)}`,
    );
    row(
      "Người ký",
      "Signed by",
      [h.signerInfo.competence, h.signerInfo.position, h.signerInfo.fullName].filter(Boolean).join(" — "),
    );
    const pr = PRIORITY_LABELS[h.otherInfo.priority as Priority];
    row("Độ khẩn", "Priority", pr ? (lang === "vi" ? pr.vi : pr.en) : String(h.otherInfo.priority));
    row("Hạn xử lý", "Due", h.dueDate ? formatLocalDate(h.dueDate) : undefined);
    row(
      "Vết chuyển",
      "Trace",
      parsed.document.traces.map((x) => `${x.organId} @ ${formatTimestamp(x.timestamp)}`).join(" → "),
    );
    for (const a of parsed.attachments) {
      row(
        "Tệp đính kèm",
        "Attachment",
        `${a.name} (${a.contentType}, ${a.size} B, sha256 ${a.sha256.slice(0, 16)}…)`,
      );
    }
  } else {
    const s = parsed.status;
    const label = STATUS_CODES[s.statusCode];
    row("Loại gói tin", "Package", t(lang, "trạng thái", "status"));
    row("Trạng thái", "Status", `${s.statusCode} — ${label ? (lang === "vi" ? label.vi : label.en) : "?"}`);
    row(
      "Cơ quan báo",
      "Reported by",
      s.from.organName ? `${s.from.organId} (${s.from.organName})` : s.from.organId,
    );
    row(
      "Về văn bản",
      "Document",
      `${s.responseFor.documentId} (${s.responseFor.code}, ${s.responseFor.organId})`,
    );
    row("Mô tả", "Description", s.description);
    row("Thời điểm", "Time", formatTimestamp(s.timestamp));
  }
  row("Chữ ký gói tin", "Package signature", signed);
  row("Kích thước", "Size", `${parsed.size} B, sha256 ${parsed.sha256}`);
  for (const w of parsed.warnings) lines.push(`  ! ${w.code} ${w.path}: ${w.message}`);
  return lines.join("\n");
}

/** Presence and integrity of the package signature, without a trust decision. */
async function signaturePresence(
  bytes: Buffer,
): Promise<{ present: boolean; intact: boolean | null; code?: string }> {
  const noTrust: TrustCallback = async () => ({ status: "indeterminate", reason: "NOT_CHECKED" });
  try {
    const r = await verifyEdxml(bytes, { trust: noTrust, policy: { allowRsaSha1: true } });
    if (r.status === "unsigned") return { present: false, intact: null };
    return {
      present: true,
      intact: r.status !== "invalid",
      ...(r.status === "invalid" && r.code ? { code: r.code } : {}),
    };
  } catch (error) {
    return { present: true, intact: false, code: (error as { code?: string }).code ?? "ERROR" };
  }
}

// ------------------------------------------------------------------ commands

export function register(program: Command, context: CliContext): void {
  const edxml = program.command("edxml").description("edXML packages (QCVN 102:2016) / gói tin edXML");

  const fail = (error: unknown) => {
    const out = context.output();
    reportError(out, error);
    context.setExitCode(exitCodeFor(error));
  };

  edxml
    .command("build")
    .description("build a package from a JSON description / tạo gói tin từ mô tả JSON")
    .argument(
      "<description.json>",
      "document {from, to, notation, subject, …} or status {statusCode, responseFor, …}",
    )
    .requiredOption("-o, --out <file>", "package to write (- for stdout)")
    .option("--attach <file>", 'attachment (repeatable; also "attachments" in the JSON)', collect)
    .option("--force", "write the package even when validation finds issues")
    .action(async (path: string, o: { out: string; attach?: string[]; force?: boolean }) => {
      const out = context.output();
      try {
        const built = await buildFromDescription(path, o.attach ?? [], new Date());
        const parsed = await parseEdxml(built.bytes);
        const issues = validatePackage(parsed);
        if (issues.length > 0 && !o.force) {
          printResult(out, { valid: false, written: false, issues }, () =>
            [
              t(
                out.lang,
                "Gói tin không hợp lệ, không ghi tệp (dùng --force để vẫn ghi):",
                "Invalid package, not written (--force to write anyway):",
              ),
              ...issueLines(issues, out.lang),
            ].join("\n"),
          );
          context.setExitCode(EXIT.invalid);
          return;
        }
        writeOutput(o.out, built.bytes);
        if (o.out !== "-")
          printResult(
            out,
            { written: o.out, kind: built.kind, size: built.bytes.length, sha256: parsed.sha256, issues },
            () =>
              t(
                out.lang,
                `Đã tạo ${o.out} (${built.bytes.length} byte, sha256 ${parsed.sha256})`,
                `Built ${o.out} (${built.bytes.length} bytes, sha256 ${parsed.sha256})`,
              ),
          );
        context.setExitCode(issues.length > 0 ? EXIT.invalid : EXIT.ok);
      } catch (error) {
        fail(error);
      }
    });

  edxml
    .command("inspect")
    .description("summarise a package / xem tóm tắt gói tin")
    .argument("<file>", "edXML package (- for stdin)")
    .action(async (file: string) => {
      const out = context.output();
      try {
        const bytes = await readInput(file);
        const parsed = await parseEdxml(bytes);
        const sig = await signaturePresence(bytes);
        const signed = !sig.present
          ? t(out.lang, "không có", "none")
          : sig.intact
            ? t(
                out.lang,
                "có (toàn vẹn; tin cậy: dùng `truc edxml verify`)",
                "present (intact; trust: use `truc edxml verify`)",
              )
            : t(out.lang, `có, KHÔNG toàn vẹn (${sig.code})`, `present, NOT intact (${sig.code})`);
        const { attachments, ...rest } = parsed;
        printResult(
          out,
          { ...rest, attachments: attachments.map(({ ref: _ref, ...a }) => a), signature: sig },
          () => summary(parsed, out.lang, signed),
        );
      } catch (error) {
        fail(error);
      }
    });

  edxml
    .command("validate")
    .description("check a package against QCVN 102 / NĐ 30 rules / kiểm tra gói tin")
    .argument("<file>", "edXML package (- for stdin)")
    .action(async (file: string) => {
      const out = context.output();
      try {
        const parsed = await parseEdxml(await readInput(file));
        const issues = validatePackage(parsed);
        printResult(
          out,
          { valid: issues.length === 0, kind: parsed.kind, issues, warnings: parsed.warnings },
          () =>
            issues.length === 0
              ? t(
                  out.lang,
                  `Hợp lệ (${parsed.kind === "document" ? "văn bản" : "trạng thái"}, ${parsed.warnings.length} cảnh báo)`,
                  `Valid (${parsed.kind}, ${parsed.warnings.length} warnings)`,
                )
              : [
                  t(out.lang, `Không hợp lệ: ${issues.length} lỗi`, `Invalid: ${issues.length} issues`),
                  ...issueLines(issues, out.lang),
                ].join("\n"),
        );
        context.setExitCode(issues.length === 0 ? EXIT.ok : EXIT.invalid);
      } catch (error) {
        // A package that cannot even be parsed is invalid (exit 1), with its EDXML_ code.
        fail(error);
      }
    });

  edxml
    .command("sign")
    .description("add the package XML signature / ký số gói tin (XML-DSig)")
    .argument("<file>", "edXML package (- for stdin)")
    .requiredOption("-o, --out <file>", "signed package (- for stdout)")
    .option("--key <pem>", "private key (PEM)")
    .option("--cert <pem>", "certificate, then its chain (PEM)")
    .option("--key-password-env <VAR>", "environment variable holding the key's passphrase")
    .option("--p12 <file>", "PKCS#12 key and certificates")
    .option("--key-store <dir>", "@truc/pki CA directory holding the key")
    .option("--serial <hex>", "certificate serial in --key-store")
    .option(
      "--password-env <VAR>",
      "environment variable with the PKCS#12 / key-store password",
      "TRUC_KEY_PASSWORD",
    )
    .option("--replace", "replace an existing package signature")
    .action(async (file: string, o: SignerFlags & { out: string; replace?: boolean }) => {
      const out = context.output();
      try {
        const signer = await loadSigner(o);
        const signed = await signEdxml(await readInput(file), signer, {
          replaceExisting: o.replace === true,
        });
        writeOutput(o.out, signed);
        if (o.out !== "-")
          printResult(out, { written: o.out, size: signed.length, algorithm: signer.algorithm }, () =>
            t(out.lang, `Đã ký ${o.out} (${signer.algorithm})`, `Signed ${o.out} (${signer.algorithm})`),
          );
      } catch (error) {
        fail(error);
      }
    });

  edxml
    .command("verify")
    .description(
      "verify the package XML signature / kiểm tra chữ ký số gói tin (exit 0 valid, 1 invalid, 3 indeterminate)",
    )
    .argument("<file>", "edXML package (- for stdin)")
    .option("--trust <pem>", "trust anchor certificate(s) (repeatable)", collect)
    .option("--intermediate <pem>", "intermediate CA certificate(s) (repeatable)", collect)
    .option("--crl <file>", "CRL, PEM or DER (repeatable)", collect)
    .option("--ocsp-url <url>", "OCSP responder to ask instead of the certificate's AIA")
    .addOption(
      new Option("--revocation <mode>", "revocation checking; off only for offline tests")
        .choices(["require", "off"])
        .default("require"),
    )
    .option("--allow-sha1", "accept legacy RSA-SHA1 / SHA-1 signatures")
    .option("--at <time>", "judge validity at this time (ISO 8601; default now)")
    .action(async (file: string, o: TrustFlags & { allowSha1?: boolean; at?: string }) => {
      const out = context.output();
      try {
        const at = o.at ? new Date(o.at) : new Date();
        if (Number.isNaN(at.getTime())) throw new CliError("CLI_USAGE", { detail: `--at ${o.at}` });
        const trust = await loadTrust(o);
        const r = await verifyEdxml(await readInput(file), {
          trust,
          at,
          policy: { allowRsaSha1: o.allowSha1 === true },
        });
        const verdict = r.status;
        const result = {
          status: verdict,
          ...(r.code ? { code: r.code } : {}),
          algorithm: r.algorithm,
          digestAlgorithm: r.digestAlgorithm,
          canonicalization: r.canonicalization,
          legacyAlgorithm: r.legacyAlgorithm,
          signer: r.certificate
            ? {
                subject: r.certificate.subject.split("\n").join(", "),
                fingerprint: r.certificate.fingerprint,
              }
            : null,
          trust: r.trust,
          sha256: r.digest,
          size: r.size,
        };
        const words = {
          valid: ["HỢP LỆ", "VALID"],
          invalid: ["KHÔNG HỢP LỆ", "INVALID"],
          indeterminate: ["CHƯA XÁC ĐỊNH ĐƯỢC", "INDETERMINATE"],
          unsigned: ["KHÔNG CÓ CHỮ KÝ", "NOT SIGNED"],
        }[verdict];
        printResult(out, result, () => {
          const lines = [`${t(out.lang, "Kết luận", "Verdict")}: ${out.lang === "vi" ? words[0] : words[1]}`];
          if (result.signer) lines.push(`${t(out.lang, "Người ký", "Signer")}: ${result.signer.subject}`);
          if (r.algorithm)
            lines.push(
              `${t(out.lang, "Thuật toán", "Algorithm")}: ${r.algorithm}${r.legacyAlgorithm ? " (SHA-1)" : ""}`,
            );
          if (r.code) lines.push(`${t(out.lang, "Lý do", "Reason")}: ${r.code}`);
          if (r.trust?.reason)
            lines.push(
              `${t(out.lang, "Tin cậy", "Trust")}: ${r.trust.reason}${(out.lang === "vi" ? r.trust.messageVi : r.trust.messageEn) ? ` — ${out.lang === "vi" ? r.trust.messageVi : r.trust.messageEn}` : ""}`,
            );
          return lines.join("\n");
        });
        context.setExitCode(
          verdict === "valid" ? EXIT.ok : verdict === "indeterminate" ? EXIT.indeterminate : EXIT.invalid,
        );
      } catch (error) {
        fail(error);
      }
    });
}
