/**
 * XML-DSig rates for a signed 100 KB and 2 MB edXML package (one base64 PDF-like attachment),
 * each next to same-run figures:
 * - ceiling: SHA-256 of the package bytes + one RSA-2048 verify (or sign) with a cached KeyObject,
 * - generic path: @xmldom/xmldom + xml-crypto checkSignature (with the same strict checks).
 * Then what an axis node does to each package it accepts (parse with attachments hashed, verify
 * the received signature, append its TraceHeader, re-sign, hash the forwarded bytes), in one
 * pass and in two, next to the floor of the same hashes and RSA operations.
 * Then one streamed verification of a 1 GiB package, with peak RSS (memory stays bounded).
 * The trust callback is a constant here (the PKI's path validation is measured by the PKI).
 * Env: TRUC_BENCH_SECONDS (default 1), TRUC_BENCH_RUNS (default 3), TRUC_BENCH_STREAM_MIB (1024).
 */
import {
  createHash,
  createPrivateKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  X509Certificate,
} from "node:crypto";
import { type BenchRow, measureRate, peakRssMiB, report } from "@truc/common/bench";
import { hashOnlySink } from "../src/attachments.ts";
import { verifyEdxmlDom } from "../src/dsig/dom.ts";
import { canonicalDigest } from "../src/dsig/engine.ts";
import { signatureElement } from "../src/dsig/sign.ts";
import {
  type EdxmlSplice,
  forwardEdxml,
  parseAndForwardEdxml,
  parseEdxml,
  signEdxml,
  verifyEdxml,
} from "../src/index.ts";
import {
  constantTrust,
  fixtureSigner,
  pseudoRandomBytes,
  readFixture,
  samplePackage,
} from "../test/fixtures/dsig/helpers.ts";

const options = {
  seconds: Number(process.env.TRUC_BENCH_SECONDS ?? 1),
  runs: Number(process.env.TRUC_BENCH_RUNS ?? 3),
};
const STREAM_MIB = Number(process.env.TRUC_BENCH_STREAM_MIB ?? 1024);
const MIB = 1024 * 1024;
const trust = constantTrust("valid");
const rsa = fixtureSigner("rsa");
const ec = fixtureSigner("ec");
const rsaKey = createPrivateKey(readFixture("rsa.key"));
const rsaPublic = new X509Certificate(readFixture("rsa.pem")).publicKey;
const ecPublic = new X509Certificate(readFixture("ec.pem")).publicKey;
const signedInfoLike = Buffer.alloc(700, 0x61); // about the size of a canonical SignedInfo
const rsaSignature = cryptoSign("sha256", signedInfoLike, rsaKey);
const ecSignature = cryptoSign("sha256", signedInfoLike, {
  key: createPrivateKey(readFixture("ec.key")),
  dsaEncoding: "ieee-p1363",
});

const hop = { organId: "000.00.00.G22", timestamp: new Date("2025-03-05T04:00:00Z") };

function forwardedSha256(raw: Buffer, splices: readonly EdxmlSplice[]): Buffer {
  const hash = createHash("sha256");
  let at = 0;
  for (const s of splices) {
    hash.update(raw.subarray(at, s.at)).update(s.insert);
    at = s.at + s.remove;
  }
  return hash.update(raw.subarray(at)).digest();
}

async function expectValid(pkg: Buffer, path: typeof verifyEdxml) {
  const r = await path(pkg, { trust });
  if (r.status !== "valid") throw new Error(`benchmark input does not verify: ${r.code}`);
}

/** 1 GiB streamed: two passes (digest then verify) over generated chunks, nothing retained. */
async function streamed(): Promise<BenchRow[]> {
  const small = samplePackage({ attachmentBytes: 3 }).toString("utf8");
  const open = small.indexOf(">", small.indexOf("<edXML:ContentTransferEncoded")) + 1;
  const close = small.indexOf("</edXML:ContentTransferEncoded>");
  const head = Buffer.from(small.slice(0, open));
  const tail = Buffer.from(small.slice(close));
  const chunk = Buffer.from(pseudoRandomBytes((3 * MIB) / 4, 3).toString("base64")); // 1 MiB of base64
  function* parts(first: Buffer) {
    yield first;
    for (let i = 0; i < STREAM_MIB; i++) yield chunk;
    yield tail;
  }
  async function* asyncParts(first: Buffer) {
    yield* parts(first);
  }
  const digest = canonicalDigest(parts(head), "exc-c14n");
  const signature = await signatureElement(digest, rsa);
  const at = head.indexOf("</edXML:edXMLHeader>");
  const signedHead = Buffer.concat([head.subarray(0, at), signature, head.subarray(at)]);
  const bytes = signedHead.length + STREAM_MIB * chunk.length + tail.length;

  const t0 = performance.now();
  const r = await verifyEdxml(asyncParts(signedHead), { trust });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== "valid" || r.size !== bytes) throw new Error(`streamed verification failed: ${r.code}`);
  const h0 = performance.now();
  const hash = createHash("sha256");
  for (const p of parts(signedHead)) hash.update(p);
  hash.digest();
  const hashSeconds = (performance.now() - h0) / 1000;
  return [
    {
      figure: `verify, streamed ${STREAM_MIB} MiB package`,
      value: bytes / MIB / seconds,
      unit: "MiB/s",
      ceiling: { name: "SHA-256 of the bytes", value: bytes / MIB / hashSeconds },
      note: `peak RSS ${peakRssMiB().toFixed(0)} MiB`,
    },
  ];
}

async function forSize(label: string, attachmentBytes: number): Promise<BenchRow[]> {
  const pkg = samplePackage({ attachmentBytes });
  const signed = await signEdxml(pkg, rsa);
  const signedEc = await signEdxml(pkg, ec);
  await expectValid(signed, verifyEdxml);
  await expectValid(signed, verifyEdxmlDom);
  await expectValid(signedEc, verifyEdxml);
  const kb = `${label} (${(signed.length / 1024).toFixed(0)} KiB)`;

  const verifyCeiling = await measureRate(() => {
    createHash("sha256").update(signed).digest();
    return cryptoVerify("sha256", signedInfoLike, rsaPublic, rsaSignature);
  }, options);
  const fast = await measureRate(() => verifyEdxml(signed, { trust }), options);
  const generic = await measureRate(() => verifyEdxmlDom(signed, { trust }), options);
  const ecCeiling = await measureRate(() => {
    createHash("sha256").update(signedEc).digest();
    return cryptoVerify("sha256", signedInfoLike, { key: ecPublic, dsaEncoding: "ieee-p1363" }, ecSignature);
  }, options);
  const fastEc = await measureRate(() => verifyEdxml(signedEc, { trust }), options);
  const signCeiling = await measureRate(() => {
    createHash("sha256").update(pkg).digest();
    return cryptoSign("sha256", signedInfoLike, rsaKey);
  }, options);
  const sign = await measureRate(() => signEdxml(pkg, rsa), options);

  // The axis accept path, with an RSA node key (the bench's axis node may use another).
  const onePass = await measureRate(async () => {
    const both = await parseAndForwardEdxml(signed, {
      attachmentSink: hashOnlySink(),
      forward: { hop, signer: rsa },
    });
    const forwarded = await both.forward();
    await forwarded.verify({ trust });
    return forwardedSha256(signed, forwarded.splices);
  }, options);
  const twoPasses = await measureRate(async () => {
    await parseEdxml(signed, { attachmentSink: hashOnlySink() });
    const forwarded = await forwardEdxml(signed, { hop, signer: rsa });
    await forwarded.verify({ trust });
    return forwardedSha256(signed, forwarded.splices);
  }, options);
  const attachment = Buffer.alloc(attachmentBytes);
  const acceptFloor = await measureRate(() => {
    // The package bytes, both canonical forms (received, forwarded), the forwarded bytes.
    for (let i = 0; i < 4; i++) createHash("sha256").update(signed).digest();
    createHash("sha256").update(attachment).digest();
    cryptoSign("sha256", signedInfoLike, rsaKey);
    // The self-check after signing, and the received signature.
    cryptoVerify("sha256", signedInfoLike, rsaPublic, rsaSignature);
    return cryptoVerify("sha256", signedInfoLike, rsaPublic, rsaSignature);
  }, options);
  const acceptCeiling = {
    name: "floor: 5 SHA-256 passes + RSA sign + 2 verify",
    value: 1000 / acceptFloor.median,
  };

  const ceiling = { name: "SHA-256 + RSA-2048 verify", value: verifyCeiling.median };
  return [
    {
      figure: `verify RSA-SHA256, fast path, ${kb}`,
      value: fast.median,
      unit: "verif/s",
      ceiling,
      note: `${(fast.median / generic.median).toFixed(1)}× generic`,
    },
    {
      figure: `verify RSA-SHA256, generic DOM + xml-crypto, ${kb}`,
      value: generic.median,
      unit: "verif/s",
      ceiling,
    },
    {
      figure: `verify ECDSA P-256, fast path, ${kb}`,
      value: fastEc.median,
      unit: "verif/s",
      ceiling: { name: "SHA-256 + ECDSA P-256 verify", value: ecCeiling.median },
    },
    {
      figure: `sign RSA-SHA256 (incl. self-check), ${kb}`,
      value: sign.median,
      unit: "sig/s",
      ceiling: { name: "SHA-256 + RSA-2048 sign", value: signCeiling.median },
    },
    {
      figure: `parse + forward pass (verify, hop, re-sign, forwarded hash), one pass, ${kb}`,
      value: 1000 / onePass.median,
      unit: "ms",
      ceiling: acceptCeiling,
      note: "main thread, per package; ratio = times the floor",
    },
    {
      figure: `parse + forward pass, two passes (parseEdxml, forwardEdxml), ${kb}`,
      value: 1000 / twoPasses.median,
      unit: "ms",
      ceiling: acceptCeiling,
    },
  ];
}

const rows: BenchRow[] = [];
rows.push(...(await streamed()));
rows.push(...(await forSize("100 KB", 72_000)));
rows.push(...(await forSize("2 MB", 1_540_000)));
report("edxml dsig", rows);
