/**
 * One large attachment through one node (issue 8 "Benchmarks": "A 1 GB attachment must flow
 * through the node with peak RSS under 250 MB"). The node runs alone in a child process
 * (test/support/node-runner.ts), so its peak RSS (VmHWM) is its own. An edXML package whose
 * attachment is BENCH_LARGE_MB MiB of incompressible bytes (base64 in the XML, generated on the
 * fly, never held in memory) is POSTed to the native API over mutual TLS as a streamed body,
 * then the recipient downloads it back (streamed, hashed, checked against x-truc-sha256).
 *
 * Figures: upload and download MiB/s (of package bytes on the wire), node peak RSS. Ceilings
 * in the same run on the same bytes: SHA-256 of the generated package stream, writing it to a
 * file, and a raw file copy of that file. Exits 1 when the node's peak RSS exceeds
 * BENCH_MAX_RSS_MB (default 250) or the round trip fails.
 *
 * Env: BENCH_LARGE_MB (default 1024), BENCH_DIALECT (sqlite | postgres, default sqlite),
 * BENCH_MAX_RSS_MB (250). Quick try: BENCH_LARGE_MB=256.
 */
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type BenchRow, report } from "@truc/common/bench";
import { createTestDatabase } from "@truc/store/testing";
import { type ChildNode, startChildNode } from "../test/support/child-node.ts";
import { nativeCall, tlsAgent } from "../test/support/http.ts";
import { freePort, nationalConfig } from "../test/support/nodes.ts";
import { edocXml } from "../test/support/packages.ts";
import { makeSuitePki } from "../test/support/pki.ts";

const MiB = 1024 * 1024;
const ATTACHMENT_MB = Number(process.env.BENCH_LARGE_MB ?? 1024);
const DIALECT = (process.env.BENCH_DIALECT ?? "sqlite") as "sqlite" | "postgres";
const MAX_RSS_MB = Number(process.env.BENCH_MAX_RSS_MB ?? 250);
const ATTACHMENT_BYTES = ATTACHMENT_MB * MiB;
const SENDER = "H29.12";
const RECIPIENT = "H41.05";

// The package = prefix + base64(attachment) + suffix; split a small package at its payload.
const OPEN_TAG = /<edXML:ContentTransferEncoded[^>]*>/;
const template = edocXml({
  from: SENDER,
  to: [RECIPIENT],
  documentId: "H29.12,2025/03/05,01/VP",
  attachmentName: "lon.pdf",
}).toString("utf8");
const open = OPEN_TAG.exec(template)!;
const prefix = Buffer.from(template.slice(0, open.index + open[0].length), "utf8");
const suffix = Buffer.from(template.slice(template.indexOf("</edXML:ContentTransferEncoded>")), "utf8");
const CHUNK = 3 * 64 * 1024; // multiple of 3: chunks encode to base64 without padding
const base64Bytes = Math.ceil(ATTACHMENT_BYTES / 3) * 4;
const packageBytes = prefix.length + base64Bytes + suffix.length;

/** The package as a stream: a fresh random block is reused with a counter so nothing repeats. */
function packageStream(): Readable {
  const block = randomBytes(CHUNK);
  let produced = 0;
  let stage: "prefix" | "body" | "suffix" | "done" = "prefix";
  return new Readable({
    highWaterMark: 4 * CHUNK,
    read() {
      if (stage === "prefix") {
        stage = "body";
        this.push(prefix);
        return;
      }
      if (stage === "body") {
        const n = Math.min(CHUNK, ATTACHMENT_BYTES - produced);
        if (n > 0) {
          const chunk = Buffer.from(block.subarray(0, n));
          chunk.writeUInt32BE(produced / CHUNK, 0);
          if (produced === 0) chunk.write("%PDF-1.7", 0);
          produced += n;
          this.push(chunk.toString("base64"));
          return;
        }
        stage = "suffix";
      }
      if (stage === "suffix") {
        stage = "done";
        this.push(suffix);
        return;
      }
      this.push(null);
    },
  });
}

const root = mkdtempSync(join(tmpdir(), "truc-large-bench-"));
const rows: BenchRow[] = [];
let node: ChildNode | undefined;
let dropDatabase: (() => Promise<void>) | undefined;
let failed = false;

/** Peak resident set (VmHWM) of a process, MiB; NaN once it is gone. */
function peakRssOf(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

try {
  console.log(
    `large package bench: ${ATTACHMENT_MB} MiB attachment, package ${(packageBytes / MiB).toFixed(0)} MiB on the wire, ${DIALECT}`,
  );

  // Ceilings on the same bytes, same run.
  let start = performance.now();
  const hash = createHash("sha256");
  for await (const chunk of packageStream()) hash.update(chunk as Buffer);
  hash.digest();
  const sha256Rate = packageBytes / MiB / ((performance.now() - start) / 1000);
  const file = join(root, "package.xml");
  start = performance.now();
  await pipeline(packageStream(), createWriteStream(file));
  const writeRate = packageBytes / MiB / ((performance.now() - start) / 1000);
  start = performance.now();
  copyFileSync(file, `${file}.copy`);
  const copyRate = statSync(file).size / MiB / ((performance.now() - start) / 1000);
  rmSync(file);
  rmSync(`${file}.copy`);

  const pki = await makeSuitePki(join(root, "pki"));
  const ids = {
    national: await pki.node("national"),
    s: await pki.node("qlvb-s"),
    r: await pki.node("qlvb-r"),
  };
  let databaseUrl: string | undefined;
  if (DIALECT === "postgres") {
    const created = await createTestDatabase();
    databaseUrl = created.url;
    dropDatabase = created.drop;
  }
  const port = await freePort();
  node = await startChildNode(join(root, "run.json"), {
    config: nationalConfig(
      {
        dataDir: join(root, "node"),
        ...(databaseUrl ? { databaseUrl } : {}),
        identity: ids.national,
        caPems: pki.caPems,
        port,
      },
      {
        // Revocation from the CA's CRLs given locally (no OCSP responder in the benchmark).
        trust: { crls: await pki.crls() },
        limits: {
          maxPackageBytes: packageBytes + 16 * MiB,
          sdkvxpMaxBytes: 16 * MiB,
          inMemoryBytes: 4 * MiB,
          maxFieldBytes: 256 * 1024,
          maxAttachments: 200,
          maxRecipients: 1000,
          requestTimeoutMs: 3_600_000,
        },
      },
    ),
    setup: {
      agencies: [
        { code: SENDER, name: "Sở Nội vụ" },
        { code: RECIPIENT, name: "Sở Tư pháp" },
      ],
      systems: [
        { systemId: "s", certFingerprint: ids.s.fingerprint, agencyCodes: [SENDER] },
        { systemId: "r", certFingerprint: ids.r.fingerprint, agencyCodes: [RECIPIENT] },
      ],
    },
  });
  const idleRss = peakRssOf(node.pid);
  let sampledPeak = idleRss;
  const sampler = setInterval(() => {
    const v = peakRssOf(node!.pid);
    if (v > sampledPeak) sampledPeak = v;
  }, 250);

  // Upload, streamed.
  start = performance.now();
  const upload = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      new URL("/v1/packages", node!.url),
      {
        method: "POST",
        agent: tlsAgent(ids.s, pki.caPems),
        headers: { "content-type": "application/xml", "content-length": String(packageBytes) },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    packageStream().pipe(req);
  });
  const uploadSeconds = (performance.now() - start) / 1000;
  if (upload.status !== 201)
    throw new Error(`upload answered ${upload.status}: ${upload.body.slice(0, 500)}`);
  const afterUploadRss = peakRssOf(node.pid);

  // Download, streamed and hashed.
  const inbox = await nativeCall(node.url, ids.r, pki.caPems, "GET", "/v1/inbox");
  const docId = inbox.json?.items?.[0]?.docId as string | undefined;
  if (!docId) throw new Error(`inbox empty: ${inbox.status} ${inbox.body.toString("utf8").slice(0, 300)}`);
  start = performance.now();
  const download = await new Promise<{ status: number; bytes: number; sha256: string; expected: string }>(
    (resolve, reject) => {
      const req = request(
        new URL(`/v1/packages/${encodeURIComponent(docId)}`, node!.url),
        { method: "GET", agent: tlsAgent(ids.r, pki.caPems) },
        (res) => {
          const h = createHash("sha256");
          let bytes = 0;
          res.on("data", (c: Buffer) => {
            bytes += c.length;
            h.update(c);
          });
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              bytes,
              sha256: h.digest("hex"),
              expected: String(res.headers["x-truc-sha256"] ?? ""),
            }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end();
    },
  );
  const downloadSeconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  const peak = Math.max(sampledPeak, peakRssOf(node.pid));
  if (download.status !== 200) throw new Error(`download answered ${download.status}`);
  if (download.sha256 !== download.expected)
    throw new Error(`downloaded bytes hash ${download.sha256}, node announced ${download.expected}`);

  const uploadRate = packageBytes / MiB / uploadSeconds;
  const downloadRate = download.bytes / MiB / downloadSeconds;
  rows.push(
    {
      figure: "upload (native, mTLS, streamed)",
      value: uploadRate,
      unit: "MiB/s",
      ceiling: { name: "write the same stream to a file", value: writeRate },
      note: `${uploadSeconds.toFixed(1)} s for ${(packageBytes / MiB).toFixed(0)} MiB`,
    },
    {
      figure: "upload vs SHA-256 of the same bytes",
      value: uploadRate,
      unit: "MiB/s",
      ceiling: { name: "SHA-256 of the package stream", value: sha256Rate },
    },
    {
      figure: "download (recipient, streamed)",
      value: downloadRate,
      unit: "MiB/s",
      ceiling: { name: "raw file copy", value: copyRate },
      note: `${downloadSeconds.toFixed(1)} s for ${(download.bytes / MiB).toFixed(0)} MiB`,
    },
    {
      figure: "node peak RSS (VmHWM, child process)",
      value: peak,
      unit: "MiB",
      ceiling: { name: "bound", value: MAX_RSS_MB },
      note: `idle ${idleRss.toFixed(0)} MiB, after upload ${afterUploadRss.toFixed(0)} MiB`,
    },
  );
  if (!(peak <= MAX_RSS_MB)) {
    failed = true;
    console.error(`FAIL: node peak RSS ${peak.toFixed(0)} MiB exceeds ${MAX_RSS_MB} MiB`);
  }
} catch (error) {
  failed = true;
  console.error("FAIL:", error);
  if (node) console.error(node.stderr().slice(-3000));
} finally {
  if (node) await node.stop();
  await dropDatabase?.();
  rmSync(root, { recursive: true, force: true });
}
report(`axis large package, ${ATTACHMENT_MB} MiB attachment, ${DIALECT}`, rows);
process.exit(failed ? 1 : 0);
