/**
 * PAdES signatures/s and validations/s on a 1 MB PDF, each next to its same-run ceiling:
 * signing cannot beat SHA-256 of the file + one RSA-2048 signature; validation cannot beat
 * SHA-256 of the file + one RSA verification. The gap is PDF parsing, the incremental save and
 * (for validation) re-reading revisions and the certificate/attribute checks.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PDF } from "@libpdf/core";
import { measureRate, peakRssMiB, report } from "@truc/common/bench";
import { makeSampleDocument, signPdf, verifyPdf } from "../src/index.ts";
import { makeTestPki } from "../test/helpers/openssl-pki.ts";

const pki = await makeTestPki();
const signer = pki.signer(pki.person);
const organisation = pki.signer(pki.organisation);
const trust = async () => ({ status: "valid" as const });
const assets = join(import.meta.dirname, "..", "assets");
const signatureImage = new Uint8Array(readFileSync(join(assets, "signature-blue.png")));

// ~1 MB: the sample decision plus an incompressible 1 MB attachment (like a scanned annex).
const base = await PDF.load(await makeSampleDocument({ extraParagraphs: 40 }));
base.addAttachment("phu-luc.bin", new Uint8Array(randomBytes(1_000_000)));
const document = await base.save();
const sizeMiB = document.length / 1024 / 1024;

const signedOnce = (
  await signPdf(document, { signer, appearance: { kind: "personal", image: signatureImage } })
).bytes;
const signedTwice = (await signPdf(signedOnce, { signer: organisation })).bytes;

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const rsaSig = sign("sha256", createHash("sha256").update(document).digest(), privateKey);
const ceilingSign = await measureRate(
  () => sign("sha256", createHash("sha256").update(document).digest(), privateKey),
  { runs: 3 },
);
const ceilingVerify = await measureRate(
  () => verify("sha256", createHash("sha256").update(document).digest(), publicKey, rsaSig),
  { runs: 3 },
);
const signInvisible = await measureRate(() => signPdf(document, { signer }), { runs: 3 });
const signVisible = await measureRate(
  () => signPdf(document, { signer, appearance: { kind: "personal", image: signatureImage } }),
  { runs: 3 },
);
const validateOne = await measureRate(() => verifyPdf(signedOnce, { trust }), { runs: 3 });
const validateTwo = await measureRate(() => verifyPdf(signedTwice, { trust }), { runs: 3 });

report("pdfsign", [
  {
    figure: `PAdES B-B sign, invisible, ${sizeMiB.toFixed(2)} MiB`,
    value: signInvisible.median,
    unit: "sig/s",
    ceiling: { name: "SHA-256 of the file + RSA-2048 sign", value: ceilingSign.median },
  },
  {
    figure: "PAdES B-B sign, personal image appearance",
    value: signVisible.median,
    unit: "sig/s",
    ceiling: { name: "SHA-256 of the file + RSA-2048 sign", value: ceilingSign.median },
  },
  {
    figure: "validate, 1 signature (whole file)",
    value: validateOne.median,
    unit: "validations/s",
    ceiling: { name: "SHA-256 of the file + RSA-2048 verify", value: ceilingVerify.median },
  },
  {
    figure: "validate, 2 signatures (incl. revision diff)",
    value: validateTwo.median,
    unit: "validations/s",
    ceiling: { name: "2 × (SHA-256 + RSA verify)", value: ceilingVerify.median / 2 },
    note: `peak RSS ${peakRssMiB().toFixed(0)} MiB`,
  },
]);
