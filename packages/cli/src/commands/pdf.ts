import { createPrivateKey, sign as cryptoSign, X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { P12Signer } from "@libpdf/core";
import type { Signer, TrustCallback } from "@truc/common";
import {
  type AppearanceSpec,
  formatReport,
  HttpTimestampAuthority,
  makeSampleDocument,
  type PadesLevel,
  PdfSignError,
  type Rect,
  signPdf,
  verifyPdf,
} from "@truc/pdfsign";
import { type Command, Option } from "commander";
import type { CliContext } from "../main.ts";
import { EXIT, printResult, reportError } from "../output.ts";

/** All PEM blocks of a type in a file (certificates, CRLs), as DER. */
function pemBlocks(path: string, label: string): Uint8Array[] {
  const text = readFileSync(path);
  const ascii = text.toString("latin1");
  if (!ascii.includes("-----BEGIN")) return [new Uint8Array(text)]; // already DER
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, "g");
  return [...ascii.matchAll(re)].map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64")));
}

const usage = (detail: string) => new PdfSignError("PDF_OPTIONS_INVALID", { detail });

function secretFromEnv(name: string | undefined): string | undefined {
  return name ? process.env[name] : undefined;
}

interface SignOpts {
  out: string;
  key?: string;
  cert?: string;
  keyPasswordEnv?: string;
  p12?: string;
  passwordEnv: string;
  keyStore?: string;
  serial?: string;
  appearance?: "personal" | "organisation" | "invisible";
  image?: string;
  page?: string;
  rect?: string;
  name?: string;
  notation?: string;
  sealSizeMm?: string;
  tsa?: string;
  level: PadesLevel;
  crl?: string[];
  ocsp?: string[];
  reason?: string;
  location?: string;
}

async function loadSigner(o: SignOpts): Promise<Signer> {
  if (o.p12) {
    const password = process.env[o.passwordEnv] ?? "";
    const p12 = await P12Signer.create(new Uint8Array(readFileSync(o.p12)), password);
    return {
      algorithm: p12.keyType === "RSA" ? "RSA-SHA256" : "ECDSA-P256-SHA256",
      certificate: p12.certificate,
      chain: p12.certificateChain,
      sign: (data) => p12.sign(data, "SHA-256"),
    };
  }
  if (o.keyStore) {
    if (!o.serial) throw usage("--key-store needs --serial");
    const { CertificateAuthority } = await import("@truc/pki");
    const ca = await CertificateAuthority.open({
      dir: o.keyStore,
      passphrase: process.env[o.passwordEnv] ?? "",
    });
    return ca.signerFor(o.serial, secretFromEnv(o.keyPasswordEnv));
  }
  if (!o.key || !o.cert) throw usage("give --key and --cert, --p12, or --key-store and --serial");
  const passphrase = secretFromEnv(o.keyPasswordEnv);
  const key = createPrivateKey({ key: readFileSync(o.key), ...(passphrase ? { passphrase } : {}) });
  const [certificate, ...chain] = pemBlocks(o.cert, "CERTIFICATE");
  if (!certificate) throw usage(`no certificate in ${o.cert}`);
  const publicKey = new X509Certificate(certificate).publicKey;
  if (publicKey.asymmetricKeyType !== "rsa" && publicKey.asymmetricKeyType !== "ec")
    throw usage("RSA or ECDSA keys only");
  return {
    algorithm: publicKey.asymmetricKeyType === "rsa" ? "RSA-SHA256" : "ECDSA-P256-SHA256",
    certificate,
    chain,
    sign: async (data) => new Uint8Array(cryptoSign("sha256", data, key)),
  };
}

function parseRect(text: string): Rect {
  const parts = text.split(",").map(Number);
  if (parts.length !== 4 || parts.some((v) => !Number.isFinite(v)))
    throw usage(`--rect x,y,width,height (points), got "${text}"`);
  const [x, y, width, height] = parts as [number, number, number, number];
  return { x, y, width, height };
}

function appearanceOf(o: SignOpts): AppearanceSpec | undefined {
  if (!o.appearance) return undefined;
  const page = o.page === undefined ? undefined : Number(o.page);
  const rect = o.rect ? parseRect(o.rect) : undefined;
  const placement = { ...(page !== undefined ? { page } : {}), ...(rect ? { rect } : {}) };
  if (o.appearance === "invisible") {
    if (!o.notation) throw usage("--appearance invisible needs --notation (số, ký hiệu)");
    return { kind: "invisible", notation: o.notation, ...placement };
  }
  if (!o.image) throw usage(`--appearance ${o.appearance} needs --image <png>`);
  const image = new Uint8Array(readFileSync(o.image));
  if (o.appearance === "personal")
    return { kind: "personal", image, ...placement, ...(o.name ? { name: o.name } : {}) };
  return {
    kind: "organisation",
    image,
    ...placement,
    ...(o.sealSizeMm ? { sizeMm: Number(o.sealSizeMm) } : {}),
  };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command, context: CliContext): void {
  const pdf = program
    .command("pdf")
    .description("PAdES signatures on PDF documents / chữ ký số PAdES trên văn bản PDF");

  pdf
    .command("sample")
    .description("write a sample administrative document to sign / tạo văn bản mẫu để thử ký")
    .requiredOption("-o, --out <file>", "PDF to write")
    .option("--notation <text>", "number/notation, e.g. 12/QĐ-SNV", "    /QĐ-SNV")
    .option("--competence <text>", "authority line, e.g. KT. GIÁM ĐỐC", "")
    .option("--position <text>", "position line", "GIÁM ĐỐC")
    .option("--signer-name <text>", "the competent person's full name (as in the certificate CN)")
    .action(
      async (o: {
        out: string;
        notation: string;
        competence: string;
        position: string;
        signerName?: string;
      }) => {
        const output = context.output();
        try {
          const bytes = await makeSampleDocument({
            notation: o.notation,
            competence: o.competence,
            position: o.position,
            ...(o.signerName ? { signerName: o.signerName } : {}),
          });
          writeFileSync(o.out, bytes);
          printResult(output, { file: o.out, bytes: bytes.length }, () => o.out);
        } catch (error) {
          context.setExitCode(reportError(output, error));
        }
      },
    );

  pdf
    .command("sign")
    .description("sign a PDF (NĐ 30/2020 appearance) / ký số văn bản PDF")
    .argument("<input>", "PDF to sign")
    .requiredOption("-o, --out <file>", "signed PDF to write")
    .option("--key <pem>", "private key (PEM or PKCS#8)")
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
    .addOption(
      new Option("--appearance <kind>", "visible appearance").choices([
        "personal",
        "organisation",
        "invisible",
      ]),
    )
    .option("--image <png>", "signature (blue) or seal (red) image, transparent PNG")
    .option("--page <n>", "1-based page (default: last page; first for invisible)")
    .option("--rect <x,y,w,h>", "explicit rectangle in points (default: automatic placement)")
    .option("--name <text>", "signer name to place the personal signature above (default: certificate CN)")
    .option("--notation <text>", "number/notation for the invisible appearance, e.g. 123/QĐ-UBND")
    .option("--seal-size-mm <mm>", "seal diameter (real size)")
    .option("--tsa <url>", "RFC 3161 time-stamping authority (B-T, B-LT)")
    .addOption(
      new Option("--level <level>", "PAdES baseline level").choices(["B-B", "B-T", "B-LT"]).default("B-B"),
    )
    .option("--crl <file>", "CRL to embed for B-LT (repeatable)", collect)
    .option("--ocsp <file>", "OCSP response to embed for B-LT (repeatable)", collect)
    .option("--reason <text>", "reason (/Reason)")
    .option("--location <text>", "location (/Location)")
    .action(async (input: string, o: SignOpts) => {
      const out = context.output();
      try {
        const signer = await loadSigner(o);
        const validationData =
          o.crl || o.ocsp
            ? {
                crls: (o.crl ?? []).flatMap((f) => pemBlocks(f, "X509 CRL")),
                ocspResponses: (o.ocsp ?? []).map((f) => new Uint8Array(readFileSync(f))),
              }
            : undefined;
        const appearance = appearanceOf(o);
        const result = await signPdf(new Uint8Array(readFileSync(input)), {
          signer,
          level: o.level,
          ...(o.tsa ? { tsa: new HttpTimestampAuthority(o.tsa) } : {}),
          ...(appearance ? { appearance } : {}),
          ...(validationData ? { validationData } : {}),
          ...(o.reason ? { reason: o.reason } : {}),
          ...(o.location ? { location: o.location } : {}),
        });
        writeFileSync(o.out, result.bytes);
        const summary = {
          file: o.out,
          size: result.bytes.length,
          field: result.fieldName,
          level: result.level,
          placement: result.placement,
        };
        printResult(out, summary, () =>
          out.lang === "vi"
            ? `Đã ký ${o.out} (${result.level}, trường ${result.fieldName}${result.placement ? `, trang ${result.placement.page}` : ""})`
            : `Signed ${o.out} (${result.level}, field ${result.fieldName}${result.placement ? `, page ${result.placement.page}` : ""})`,
        );
      } catch (error) {
        const code = reportError(out, error);
        context.setExitCode(
          PdfSignError.is(error) && error.code === "PDF_OPTIONS_INVALID" ? EXIT.usage : code,
        );
      }
    });

  pdf
    .command("verify")
    .description("validate every signature of a PDF / kiểm tra các chữ ký số của văn bản PDF")
    .argument("<file>", "PDF to validate")
    .option("--anchor <pem>", "trust anchor certificate(s) (repeatable)", collect)
    .option("--intermediate <pem>", "intermediate CA certificate(s) (repeatable)", collect)
    .option("--crl <file>", "CRL (PEM or DER; repeatable)", collect)
    .option("--offline", "use only the given CRLs: no OCSP or CRL download")
    .action(
      async (
        file: string,
        o: { anchor?: string[]; intermediate?: string[]; crl?: string[]; offline?: boolean },
      ) => {
        const out = context.output();
        try {
          const anchors = (o.anchor ?? []).flatMap((f) => pemBlocks(f, "CERTIFICATE"));
          const { createTrustCallback } = await import("@truc/pki");
          // Without a configured anchor nothing can be trusted: every signature is indeterminate.
          const trust: TrustCallback = anchors.length
            ? createTrustCallback({
                trustAnchors: anchors,
                intermediates: (o.intermediate ?? []).flatMap((f) => pemBlocks(f, "CERTIFICATE")),
                revocation: {
                  crls: (o.crl ?? []).flatMap((f) => pemBlocks(f, "X509 CRL")),
                  ...(o.offline ? { ocsp: false, fetchCrls: false } : {}),
                },
              })
            : async () => ({
                status: "indeterminate",
                reason: "PKI_NO_TRUST_ANCHOR",
                messageVi: "chưa cấu hình chứng thư gốc tin cậy (--anchor)",
                messageEn: "no trust anchor configured (--anchor)",
              });
          const report = await verifyPdf(new Uint8Array(readFileSync(file)), { trust });
          printResult(out, report, () => formatReport(report, out.lang));
          context.setExitCode(
            report.verdict === "valid"
              ? EXIT.ok
              : report.verdict === "invalid"
                ? EXIT.invalid
                : EXIT.indeterminate,
          );
        } catch (error) {
          context.setExitCode(reportError(out, error));
        }
      },
    );
}
