/**
 * Path validations per second (leaf → issuing CA → root, RSA-2048, purpose document-signature)
 * with a warm OCSP cache and with a cold one (every validation asks the local responder over
 * HTTP), next to the same-run ceiling: certificate parse + one RSA verify per path step.
 */
import { X509Certificate } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureRate, peakRssMiB, report } from "@truc/common/bench";
import {
  CertificateAuthority,
  CertificateValidator,
  createPkiHttpHandler,
  listen,
  OcspCache,
} from "@truc/pki";

let handler: Parameters<typeof listen>[0] = (_req, res) => res.end();
const { server, url } = await listen((req, res) => handler(req, res));
const ca = await CertificateAuthority.init({
  dir: mkdtempSync(join(tmpdir(), "truc-pki-bench-")),
  passphrase: "bench",
  algorithm: "RSA-2048",
  publicationUrl: url,
});
handler = createPkiHttpHandler({ ca });
const leaf = await ca.issue({
  profile: "personal-leader",
  subject: "C=VN, CN=Đo Tốc Độ",
  algorithm: "RSA-2048",
});

const anchors = { trustAnchors: [ca.rootCertificate], intermediates: [ca.issuingCertificate] };
const warm = new CertificateValidator(anchors);
const check = async (v: CertificateValidator) => {
  const r = await v.validate({ certificate: leaf.certificate, purpose: "document-signature" });
  if (r.status !== "valid") throw new Error(`unexpected ${r.status} ${r.reason}`);
};
await check(warm);

// cold: an OCSP cache that never holds anything, so every validation queries the responder
const cold = new CertificateValidator({
  ...anchors,
  revocation: { ocspCache: new OcspCache({ maxAgeMs: -1 }) },
});
await check(cold);

const caCert = new X509Certificate(ca.issuingCertificate);
const rootCert = new X509Certificate(ca.rootCertificate);
const ceilingOp = () => {
  const c = new X509Certificate(leaf.certificate);
  if (!c.verify(caCert.publicKey) || !caCert.verify(rootCert.publicKey))
    throw new Error("ceiling check failed");
};

const opts = { seconds: 1, runs: 5 };
const ceiling = await measureRate(ceilingOp, opts);
const warmRate = await measureRate(() => check(warm), opts);
const coldRate = await measureRate(() => check(cold), opts);
const ceilingAgain = await measureRate(ceilingOp, opts);
const ceilingValue = Math.max(ceiling.median, ceilingAgain.median);
server.close();

report("pki path validation", [
  {
    figure: "path validations/s, warm OCSP cache",
    value: warmRate.median,
    unit: "validations/s",
    ceiling: { name: "parse + 2× RSA-2048 verify", value: ceilingValue },
    note: `spread ${Math.round(warmRate.min)}–${Math.round(warmRate.max)}`,
  },
  {
    figure: "path validations/s, cold (OCSP over loopback HTTP each time)",
    value: coldRate.median,
    unit: "validations/s",
    ceiling: { name: "parse + 2× RSA-2048 verify", value: ceilingValue },
    note: `responder in-process (RSA-2048 sign per answer); spread ${Math.round(coldRate.min)}–${Math.round(coldRate.max)}`,
  },
  {
    figure: "ceiling: parse + 2× RSA verify",
    value: ceilingValue,
    unit: "validations/s",
    note: `runs ${Math.round(ceiling.median)} / ${Math.round(ceilingAgain.median)}`,
  },
  { figure: "peak RSS", value: peakRssMiB(), unit: "MiB" },
]);
