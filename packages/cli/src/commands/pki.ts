/**
 * truc pki — the test certificate authority and its services.
 *   init | issue (--batch) | renew | revoke | crl | ocsp-serve | tsa-serve | inspect
 * The CA passphrase is read from an environment variable (default TRUC_CA_PASSPHRASE), never
 * from the command line.
 */

import { X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import {
  type BatchResult,
  CertificateAuthority,
  type CertificateRecord,
  CertificateValidator,
  createPkiHttpHandler,
  createTsa,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  kindFromPolicies,
  listen,
  loadCertificates,
  PkiError,
  PROFILES,
  type ProfileId,
  parseBatch,
  parseCrl,
  REVOCATION_REASONS,
  type RevocationReason,
  x509Info,
} from "@truc/pki";
import { type Command, Option } from "commander";
import type { CliContext } from "../main.ts";
import { EXIT, printResult, reportError } from "../output.ts";

interface CaFlags {
  dir: string;
  passphraseEnv: string;
  actor?: string;
}

function passphrase(o: CaFlags): string {
  const value = process.env[o.passphraseEnv];
  if (!value)
    throw new PkiError("PKI_BAD_REQUEST", { what: `environment variable ${o.passphraseEnv} is not set` });
  return value;
}

const openCa = (o: CaFlags) =>
  CertificateAuthority.open({
    dir: o.dir,
    passphrase: passphrase(o),
    ...(o.actor ? { actor: o.actor } : {}),
  });

const caOptions = (cmd: Command) =>
  cmd
    .requiredOption("--dir <dir>", "CA directory / thư mục CA")
    .addOption(
      new Option("--passphrase-env <name>", "env var holding the CA passphrase").default(
        "TRUC_CA_PASSPHRASE",
      ),
    )
    .option("--actor <name>", "who performs the operation (operations log)");

const recordView = (r: CertificateRecord) => ({
  serial: r.serial,
  profile: r.profile,
  subject: r.subject,
  status: r.status,
  notBefore: r.notBefore,
  notAfter: r.notAfter,
  ...(r.reason ? { reason: r.reason } : {}),
  ...(r.keyFile ? { keyFile: r.keyFile } : {}),
});

const list = (v: string | undefined) => (v ? v.split(/[,;\s]+/).filter(Boolean) : undefined);

export function register(program: Command, context: CliContext): void {
  const pki = program
    .command("pki")
    .description("test CA, CRL, OCSP, TSA / CA thử nghiệm, CRL, OCSP, dấu thời gian");

  // Runs an action and maps errors to exit codes.
  const run =
    <A extends unknown[]>(fn: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      try {
        await fn(...args);
      } catch (error) {
        context.setExitCode(reportError(context.output(), error));
      }
    };

  caOptions(pki.command("init").description("create a CA directory / tạo CA"))
    .addOption(
      new Option("--algorithm <alg>", "CA key algorithm").choices([...KEY_ALGORITHMS]).default("RSA-3072"),
    )
    .option("--url <base>", "publication base URL written into CRLDP/AIA (e.g. http://127.0.0.1:8080)")
    .action(
      run(async (o: CaFlags & { algorithm: KeyAlgorithm; url?: string }) => {
        const ca = await CertificateAuthority.init({
          dir: o.dir,
          passphrase: passphrase(o),
          algorithm: o.algorithm,
          ...(o.url ? { publicationUrl: o.url } : {}),
          ...(o.actor ? { actor: o.actor } : {}),
        });
        const records = ca.list().map(recordView);
        printResult(context.output(), { dir: ca.dir, certificates: records }, () =>
          [
            `CA: ${ca.dir}`,
            ...records.map((r) => `  ${r.profile.padEnd(15)} ${r.serial}  ${r.subject}`),
          ].join("\n"),
        );
      }),
    );

  caOptions(pki.command("issue").description("issue certificates / cấp chứng thư số"))
    .addOption(new Option("--profile <id>", "certificate profile").choices(Object.keys(PROFILES)))
    .option("--subject <dn>", 'e.g. "C=VN, L=Hà Nội, O=…, OU=…, CN=…, E=…"')
    .option("--csr <file>", "PKCS#10 request (otherwise the CA generates the key)")
    .addOption(new Option("--algorithm <alg>").choices([...KEY_ALGORITHMS]))
    .option("--dns <names>", "DNS names (node profile), comma-separated")
    .option("--ip <addresses>", "IP addresses (node profile), comma-separated")
    .option("--days <n>", "validity in days (default: the profile's)")
    .option("--out <file>", "also write the certificate PEM (with chain) here")
    .option(
      "--batch <file>",
      "CSV (header row) or JSON lines: op,profile,subject,serial,reason,algorithm,dns,ip",
    )
    .option("--results <file>", "write batch results as JSON lines")
    .action(
      run(
        async (
          o: CaFlags & {
            profile?: ProfileId;
            subject?: string;
            csr?: string;
            algorithm?: KeyAlgorithm;
            dns?: string;
            ip?: string;
            days?: string;
            out?: string;
            batch?: string;
            results?: string;
          },
        ) => {
          const ca = await openCa(o);
          if (o.batch) {
            const items = parseBatch(readFileSync(o.batch, "utf8"));
            const results = await ca.runBatch(items);
            if (o.results) writeFileSync(o.results, results.map((r) => JSON.stringify(r)).join("\n") + "\n");
            const failed = results.filter((r) => !r.ok).length;
            const lang = context.output().lang;
            printResult(context.output(), { total: results.length, failed, results }, () =>
              [
                ...results.map((r: BatchResult) =>
                  r.ok
                    ? `✔ ${r.index + 1} ${r.op} ${r.serial} ${r.subject ?? ""}`
                    : `✖ ${r.index + 1} ${r.op} ${r.error?.code}: ${lang === "vi" ? r.error?.message.vi : r.error?.message.en}`,
                ),
                `${results.length - failed}/${results.length} ok`,
              ].join("\n"),
            );
            if (failed) context.setExitCode(EXIT.invalid);
            return;
          }
          if (!o.profile) throw new PkiError("PKI_BAD_REQUEST", { what: "--profile or --batch is required" });
          const issued = await ca.issue({
            profile: o.profile,
            ...(o.subject ? { subject: o.subject } : {}),
            ...(o.csr ? { csr: readFileSync(o.csr, "utf8") } : {}),
            ...(o.algorithm ? { algorithm: o.algorithm } : {}),
            ...(list(o.dns) ? { dnsNames: list(o.dns)! } : {}),
            ...(list(o.ip) ? { ipAddresses: list(o.ip)! } : {}),
            ...(o.days ? { validityDays: Number(o.days) } : {}),
          });
          if (o.out)
            writeFileSync(o.out, issued.certificatePem + issued.chain.map((c) => toPemCert(c)).join(""));
          printResult(
            context.output(),
            recordView(issued.record),
            () => `${issued.record.serial}  ${issued.record.subject}`,
          );
        },
      ),
    );

  caOptions(pki.command("renew").description("renew a certificate / gia hạn chứng thư số"))
    .requiredOption("--serial <hex>")
    .option("--reuse-key", "keep the same key pair")
    .option("--revoke-old", "revoke the old certificate (superseded)")
    .option("--out <file>")
    .action(
      run(async (o: CaFlags & { serial: string; reuseKey?: boolean; revokeOld?: boolean; out?: string }) => {
        const ca = await openCa(o);
        const issued = await ca.renew({
          serial: o.serial,
          reuseKey: Boolean(o.reuseKey),
          revokeOld: Boolean(o.revokeOld),
        });
        if (o.out) writeFileSync(o.out, issued.certificatePem);
        printResult(
          context.output(),
          { ...recordView(issued.record), renewedFrom: o.serial },
          () => `${issued.record.serial}  ${issued.record.subject} (← ${o.serial})`,
        );
      }),
    );

  caOptions(
    pki.command("revoke").description("revoke / suspend (certificateHold) / reinstate (removeFromCRL)"),
  )
    .requiredOption("--serial <hex>")
    .addOption(
      new Option("--reason <reason>", "RFC 5280 reason")
        .choices(Object.keys(REVOCATION_REASONS))
        .default("unspecified"),
    )
    .option("--crl", "publish a fresh CRL afterwards")
    .action(
      run(async (o: CaFlags & { serial: string; reason: RevocationReason; crl?: boolean }) => {
        const ca = await openCa(o);
        const record = await ca.revoke({ serial: o.serial, reason: o.reason });
        if (o.crl) await ca.generateCrl({ issuer: record.issuer === "root" ? "root" : "issuing" });
        printResult(
          context.output(),
          recordView(record),
          () => `${record.serial}  ${record.status}${record.reason ? ` (${record.reason})` : ""}`,
        );
      }),
    );

  caOptions(pki.command("crl").description("publish a full CRL / phát hành CRL"))
    .addOption(new Option("--issuer <which>").choices(["issuing", "root"]).default("issuing"))
    .option("--hours <n>", "nextUpdate after this many hours", "24")
    .option("--out <file>", "also write the PEM (label X509 CRL) here")
    .action(
      run(async (o: CaFlags & { issuer: "issuing" | "root"; hours: string; out?: string }) => {
        const ca = await openCa(o);
        const crl = await ca.generateCrl({ issuer: o.issuer, validityHours: Number(o.hours) });
        if (o.out) writeFileSync(o.out, crl.pem);
        const parsed = parseCrl(crl.der);
        printResult(
          context.output(),
          {
            issuer: o.issuer,
            crlNumber: crl.crlNumber,
            entries: parsed.entries.size,
            thisUpdate: parsed.thisUpdate,
            nextUpdate: parsed.nextUpdate,
          },
          () =>
            `CRL #${crl.crlNumber}: ${parsed.entries.size} entries, next update ${parsed.nextUpdate?.toISOString()}`,
        );
      }),
    );

  const serve = (name: string, description: string, tsaOnly: boolean) =>
    caOptions(pki.command(name).description(description))
      .option("--port <n>", "port", tsaOnly ? "3180" : "2560")
      .option("--host <host>", "address to listen on", "127.0.0.1")
      .action(
        run(async (o: CaFlags & { port: string; host: string }) => {
          const ca = await openCa(o);
          const tsa = createTsa({ certificate: ca.tsaCertificate, privateKey: ca.tsaKey(), chain: ca.chain });
          const handler = tsaOnly ? tsa.handler : createPkiHttpHandler({ ca, tsa: tsa.handler });
          const { server, url } = await listen(handler, Number(o.port), o.host);
          printResult(
            context.output(),
            {
              url,
              endpoints: tsaOnly
                ? ["/"]
                : ["/ocsp", "/tsa", "/crl/ca.crl", "/crl/root.crl", "/cert/ca.crt", "/cert/root.crt"],
            },
            () =>
              tsaOnly
                ? `TSA: ${url}`
                : `OCSP: ${url}/ocsp  TSA: ${url}/tsa  CRL: ${url}/crl/ca.crl  CA: ${url}/cert/ca.crt`,
          );
          await new Promise<void>((resolve) => {
            const stop = () => server.close(() => resolve());
            process.once("SIGINT", stop);
            process.once("SIGTERM", stop);
          });
        }),
      );
  serve("ocsp-serve", "serve OCSP + CRLs + CA certificates + TSA over HTTP / máy chủ OCSP", false);
  serve("tsa-serve", "serve RFC 3161 time-stamping over HTTP / máy chủ dấu thời gian", true);

  pki
    .command("inspect")
    .description("show a certificate or CRL; optionally validate it / xem và kiểm tra chứng thư số")
    .argument("<file>", "PEM or DER certificate or CRL")
    .option("--trust <files...>", "trust anchors (PEM files or directories); enables validation")
    .option("--intermediate <files...>", "intermediate certificates")
    .option("--crl <files...>", "local CRLs")
    .option("--at <iso-time>", "validation time (default now)")
    .addOption(
      new Option("--purpose <p>")
        .choices(["document-signature", "package-signature", "tls-client", "tls-server", "timestamp", "any"])
        .default("any"),
    )
    .option("--offline", "skip revocation checks")
    .action(
      run(
        async (
          file: string,
          o: {
            trust?: string[];
            intermediate?: string[];
            crl?: string[];
            at?: string;
            purpose: "any";
            offline?: boolean;
          },
        ) => {
          const data = readFileSync(file);
          if (data.toString("latin1").includes("CRL-----")) {
            const crl = parseCrl(data);
            const entries = [...crl.entries].map(([serial, e]) => ({
              serial,
              revokedAt: e.revokedAt,
              reason: e.reason,
            }));
            printResult(
              context.output(),
              {
                type: "crl",
                issuer: crl.issuerDn,
                crlNumber: crl.crlNumber,
                thisUpdate: crl.thisUpdate,
                nextUpdate: crl.nextUpdate,
                entries,
              },
              () =>
                [
                  `CRL ${crl.issuerDn} #${crl.crlNumber}`,
                  `thisUpdate ${crl.thisUpdate.toISOString()} nextUpdate ${crl.nextUpdate?.toISOString()}`,
                  ...entries.map((e) => `  ${e.serial} ${e.revokedAt.toISOString()} ${e.reason}`),
                ].join("\n"),
            );
            return;
          }
          const [der, ...bundled] = loadCertificates([file]);
          if (!der) throw new PkiError("PKI_MALFORMED", { what: file });
          const cert = new X509Certificate(der);
          const info = x509Info(der);
          const daysLeft = Math.floor((new Date(cert.validTo).getTime() - Date.now()) / 86_400_000);
          const view = {
            type: "certificate",
            subject: cert.subject.split("\n").join(", "),
            issuer: cert.issuer.split("\n").join(", "),
            serial: cert.serialNumber.toLowerCase(),
            notBefore: new Date(cert.validFrom),
            notAfter: new Date(cert.validTo),
            daysLeft,
            kind: kindFromPolicies(info.policies) ?? (cert.ca ? "ca" : "unknown"),
            keyUsage: info.keyUsage,
            extendedKeyUsage: info.extendedKeyUsage,
            policies: info.policies,
            fingerprint256: cert.fingerprint256,
          };
          let verdict: Awaited<ReturnType<CertificateValidator["validate"]>> | undefined;
          if (o.trust?.length) {
            const validator = new CertificateValidator({
              trustAnchors: loadCertificates(o.trust),
              intermediates: o.intermediate ? loadCertificates(o.intermediate) : [],
              fetchIntermediates: true,
              revocation: {
                mode: o.offline ? "off" : "require",
                crls: (o.crl ?? []).map((f) => readFileSync(f)),
              },
            });
            verdict = await validator.validate({
              certificate: der,
              candidates: bundled,
              ...(o.at ? { at: new Date(o.at) } : {}),
              purpose: o.purpose,
            });
            context.setExitCode(
              verdict.status === "valid"
                ? EXIT.ok
                : verdict.status === "invalid"
                  ? EXIT.invalid
                  : EXIT.indeterminate,
            );
          }
          const lang = context.output().lang;
          const { evidence: _e, ...validation } = verdict ?? { evidence: undefined };
          printResult(context.output(), { ...view, ...(verdict ? { validation } : {}) }, () =>
            [
              `${view.subject}`,
              `  issuer    ${view.issuer}`,
              `  serial    ${view.serial}   kind ${view.kind}`,
              `  valid     ${view.notBefore.toISOString()} → ${view.notAfter.toISOString()} (${daysLeft} ${lang === "vi" ? "ngày còn lại" : "days left"})`,
              `  usage     ${view.keyUsage.join(", ")}${view.extendedKeyUsage.length ? ` / ${view.extendedKeyUsage.join(", ")}` : ""}`,
              ...(verdict
                ? [
                    `  ${verdict.status.toUpperCase()}${verdict.reason ? ` ${verdict.reason}: ${lang === "vi" ? verdict.messageVi : verdict.messageEn}` : ""}`,
                  ]
                : []),
            ].join("\n"),
          );
        },
      ),
    );
}

function toPemCert(der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}
