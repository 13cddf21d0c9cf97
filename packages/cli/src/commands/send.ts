/**
 * `truc send <file.pdf | file.edxml> --to <code>`: sends an existing edXML package as is, or
 * builds one around a PDF (or any file) from a few metadata flags, over the SDKVXP-compatible
 * API. The secret comes from --secret or the environment and is never printed.
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import {
  type AttachmentInput,
  buildDocument,
  type ParsedEdxml,
  parseEdxml,
  parseLocalDate,
  signEdxml,
  validatePackage,
  wrapAttachment,
} from "@truc/edxml";
import type { Command } from "commander";
import type { CliContext } from "../main.ts";
import { EXIT, printResult, reportError } from "../output.ts";
import {
  type ConnectionFlags,
  clientFor,
  connectionOptions,
  describeConnection,
  resolveConnection,
} from "../support/connection.ts";
import { minimalDocument, splitNotation } from "../support/document.ts";
import { CliError } from "../support/errors.ts";
import { exitCodeFor } from "../support/exit.ts";
import { readFileOrThrow, writeOutput } from "../support/io.ts";
import { hasSigner, loadSigner, type SignerFlags } from "../support/keys.ts";

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface SendFlags extends ConnectionFlags, SignerFlags {
  to?: string[];
  subject?: string;
  notation?: string;
  type?: string;
  typeCode?: string;
  place?: string;
  date?: string;
  signerName?: string;
  signerPosition?: string;
  priority?: string;
  fromName?: string;
  save?: string;
  dryRun?: boolean;
}

function looksLikeXml(bytes: Buffer): boolean {
  const head = bytes
    .subarray(0, 512)
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trimStart();
  return head.startsWith("<?xml") || head.startsWith("<edXML") || head.startsWith("<");
}

export function register(program: Command, context: CliContext): void {
  connectionOptions(
    program
      .command("send")
      .description("send a document to an agency through the axis / gửi văn bản qua trục liên thông")
      .argument("<file>", "a PDF (or other attachment) to wrap, or an edXML package to send as is"),
  )
    .option("--to <code>", "recipient agency code (repeatable; required when building)", collect)
    .option("--subject <text>", "trích yếu (required when building)")
    .option("--notation <number/notation>", "số, ký hiệu, e.g. 15/SNV-VP (required when building)")
    .option("--type <name>", "tên loại văn bản", "Công văn")
    .option("--type-code <n>", "DocumentType/Type code (default from the type name)")
    .option("--place <text>", "địa danh ban hành", "Hà Nội")
    .option("--date <yyyy/MM/dd>", "ngày ban hành (default today, Vietnam time)")
    .option("--signer-name <text>", "người ký", "Văn thư")
    .option("--signer-position <text>", "chức vụ người ký")
    .option("--priority <0-4>", "độ khẩn: 0 thường … 4 hỏa tốc hẹn giờ", "0")
    .option("--from-name <text>", "tên cơ quan gửi")
    .option("--key <pem>", "sign the package: private key (PEM)")
    .option("--cert <pem>", "sign the package: certificate and chain (PEM)")
    .option("--key-password-env <VAR>", "environment variable holding the key's passphrase")
    .option("--p12 <file>", "sign the package with a PKCS#12 file")
    .option("--password-env <VAR>", "environment variable with the PKCS#12 password", "TRUC_KEY_PASSWORD")
    .option("--save <file>", "also write the package that is sent")
    .option("--dry-run", "build (and sign) but do not send")
    .action(async (file: string, o: SendFlags) => {
      const out = context.output();
      try {
        const input = readFileOrThrow(file);
        const connection = o.dryRun
          ? { endpoint: "", systemId: "", secret: "", agency: o.agency ?? process.env.TRUC_AGENCY ?? "" }
          : resolveConnection(o);
        let bytes: Buffer;
        let parsed: ParsedEdxml;
        if (looksLikeXml(input)) {
          bytes = input;
          parsed = await parseEdxml(bytes);
        } else {
          const missing = [
            ...(o.to?.length ? [] : ["--to"]),
            ...(o.subject ? [] : ["--subject"]),
            ...(o.notation ? [] : ["--notation"]),
            ...(connection.agency ? [] : ["--agency"]),
          ];
          if (missing.length > 0)
            throw new CliError("CLI_USAGE", {
              detail: `building a package around ${basename(file)} needs ${missing.join(", ")}`,
            });
          const date = o.date ? parseLocalDate(o.date)?.value : undefined;
          if (o.date && !date) throw new CliError("CLI_USAGE", { detail: `--date ${o.date} (yyyy/MM/dd)` });
          const prepared = wrapAttachment({ name: basename(file), content: input });
          const attachments: AttachmentInput[] = [
            {
              contentId: "a1",
              name: prepared.name,
              contentType: prepared.contentType,
              content: prepared.content,
            },
          ];
          const document = minimalDocument({
            from: { organId: connection.agency, ...(o.fromName ? { organName: o.fromName } : {}) },
            to: o.to!.map((organId) => ({ organId })),
            ...splitNotation(o.notation!),
            subject: o.subject!,
            ...(o.type ? { typeName: o.type } : {}),
            ...(o.typeCode ? { typeCode: Number(o.typeCode) } : {}),
            ...(o.place ? { place: o.place } : {}),
            ...(date ? { date } : {}),
            signer: {
              fullName: o.signerName ?? "Văn thư",
              ...(o.signerPosition ? { position: o.signerPosition } : {}),
            },
            priority: Number(o.priority ?? 0),
          });
          bytes = await buildDocument(document, attachments);
          parsed = await parseEdxml(bytes);
          const issues = validatePackage(parsed);
          if (issues.length > 0) {
            printResult(out, { sent: false, issues }, () =>
              [
                out.lang === "vi" ? "Gói tin không hợp lệ, không gửi:" : "Invalid package, not sent:",
                ...issues.map(
                  (i) => `  ✗ ${i.code} ${i.path}: ${out.lang === "vi" ? i.messageVi : i.messageEn}`,
                ),
              ].join("\n"),
            );
            context.setExitCode(EXIT.invalid);
            return;
          }
        }
        if (hasSigner(o)) bytes = await signEdxml(bytes, await loadSigner(o), { replaceExisting: true });
        if (o.save) writeOutput(o.save, bytes);
        const sha256 = createHash("sha256").update(bytes).digest("hex");
        const documentId =
          parsed.kind === "document"
            ? parsed.document.header.documentId
            : parsed.status.responseFor.documentId;
        const messageType = parsed.kind === "document" ? "edoc" : "status";
        if (o.dryRun) {
          printResult(
            out,
            { sent: false, dryRun: true, documentId, messageType, size: bytes.length, sha256 },
            () =>
              out.lang === "vi"
                ? `Đã tạo gói tin ${documentId} (${bytes.length} byte), chưa gửi (--dry-run)`
                : `Built ${documentId} (${bytes.length} bytes), not sent (--dry-run)`,
          );
          return;
        }
        const client = clientFor(connection);
        const { docId } = await client.sendEdoc(bytes, { messageType });
        printResult(
          out,
          {
            sent: true,
            docId,
            documentId,
            messageType,
            size: bytes.length,
            sha256,
            connection: describeConnection(connection),
          },
          () =>
            out.lang === "vi"
              ? `Đã gửi ${documentId} tới ${connection.endpoint}: mã gói tin trên trục ${docId}`
              : `Sent ${documentId} to ${connection.endpoint}: axis package id ${docId}`,
        );
      } catch (error) {
        reportError(out, error);
        context.setExitCode(exitCodeFor(error));
      }
    });
}
