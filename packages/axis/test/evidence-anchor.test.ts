/**
 * Evidence anchors, on both dialects, over three real nodes (LGSP A → national → LGSP B):
 * every seal is copied to the node's anchor file (fsynced before the seal call returns), a
 * forged anchor line is refused, an LGSP publishes its seals to its parent, which keeps the
 * latest one and never lets it go back, and a child whose log *and* anchor file were cut is
 * caught by the parent's copy.
 */
import assert from "node:assert/strict";
import { createHash, createPrivateKey, sign } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it, test } from "node:test";
import { describeEachDialect } from "@truc/store/testing";
import type { Kysely } from "kysely";
import { readAnchorFile } from "../src/adapters/anchor-file.ts";
import { createHttpsPeerTransport } from "../src/adapters/https-peer-transport.ts";
import { sealMessage } from "../src/domain/evidence.ts";
import { type EvidenceAnchor, formatAnchor, parseAnchorLine } from "../src/domain/evidence-anchor.ts";
import type { RunningNode } from "../src/node.ts";
import type { AxisDatabase } from "../src/repositories/schema.ts";
import { evidenceReportError } from "../src/services/verify-evidence-log.ts";
import { call } from "./support/https.ts";
import { edocXml } from "./support/packages.ts";
import { startTopology, type Topology } from "./support/topology.ts";

const anchorPath = (node: RunningNode) => node.config.evidence.anchorFile!;
const fileAnchors = (node: RunningNode): EvidenceAnchor[] =>
  readFileSync(anchorPath(node), "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const a = parseAnchorLine(l);
      assert.ok(a, `anchor line: ${l}`);
      return a;
    });
const kysely = (node: RunningNode) => node.context.db.kysely as Kysely<AxisDatabase>;
async function sealRows(node: RunningNode) {
  const rows = await kysely(node)
    .selectFrom("axis_evidence")
    .selectAll()
    .where("kind", "=", "seal")
    .orderBy("seq")
    .execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    ...(JSON.parse(r.details) as {
      sealedSeq: number;
      sealedHash: string;
      signature: string;
      certificate: string;
    }),
  }));
}
const fingerprint = (pem: string) =>
  createHash("sha256")
    .update(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64"))
    .digest("hex");

describeEachDialect("axis: evidence anchors outside the database", (ctx) => {
  let t: Topology;
  let n = 0;
  /** Something for the evidence log of `node`: a directory change. */
  const event = (node: RunningNode, code: string) =>
    node.registerAgency({ code, name: `Đơn vị thử ${++n}`, parentCode: code.split(".")[0]! });

  before(async () => {
    t = await startTopology(ctx);
    const sent = await call(
      t.a.url,
      t.clientA,
      t.pki.caPem,
      "POST",
      "/v1/packages",
      edocXml({ from: "H29.12", to: ["H41.05"], documentId: "H29.12,2025/03/05,1/NEO" }),
    );
    assert.equal(sent.status, 201, JSON.stringify(sent.json));
    await t.pump();
  });
  after(async () => {
    await t?.close();
  });

  it("every seal is appended to the anchor file and fsynced before the seal call returns", async () => {
    // Count fsyncs of files by wrapping FileHandle.prototype.sync for the duration of the test.
    const probe = await open(anchorPath(t.a).replace(/[^/]+$/, "probe"), "w");
    const proto = Object.getPrototypeOf(probe) as { sync: FileHandle["sync"] };
    await probe.close();
    const original = proto.sync;
    let syncs = 0;
    proto.sync = async function (this: FileHandle) {
      await original.call(this);
      syncs++;
    };
    try {
      for (let round = 0; round < 3; round++) {
        await event(t.a, `H29.${60 + round}`);
        syncs = 0;
        const sealed = await t.a.sealEvidenceNow();
        assert.ok(sealed, `round ${round}: a seal was made`);
        assert.ok(syncs >= 1, `round ${round}: the anchor file was fsynced before the seal returned`);
        const seals = await sealRows(t.a);
        const lines = fileAnchors(t.a);
        // One line per seal, the same seal, in order.
        assert.equal(lines.length, seals.length, `round ${round}: one anchor line per seal`);
        lines.forEach((line, i) => {
          const seal = seals[i]!;
          assert.equal(line.nodeId, "lgsp-a");
          assert.equal(line.seq, seal.sealedSeq);
          assert.equal(line.seq, seal.seq - 1);
          assert.equal(line.hash, seal.sealedHash);
          assert.equal(line.signature, seal.signature);
          assert.equal(
            line.certSha256,
            createHash("sha256").update(Buffer.from(seal.certificate, "base64")).digest("hex"),
          );
        });
      }
      // Nothing new: no seal, no line.
      const before = fileAnchors(t.a).length;
      assert.equal(await t.a.sealEvidenceNow(), undefined);
      assert.equal(fileAnchors(t.a).length, before);
    } finally {
      proto.sync = original;
    }
    const report = await t.a.verifyEvidenceLog();
    assert.equal(report.ok, true, JSON.stringify(report));
    const file = report.anchors?.find((s) => s.source === anchorPath(t.a));
    assert.ok(file, JSON.stringify(report.anchors));
    assert.equal(file.accepted, fileAnchors(t.a).length);
    assert.equal(file.refusedCount, 0);
  });

  it("an interrupted write (a last line without its newline) is ignored, then replaced by the next seal", async () => {
    const path = anchorPath(t.a);
    const complete = readFileSync(path, "utf8");
    appendFileSync(path, complete.split("\n").at(-2)!.slice(0, 40));
    assert.equal((await t.a.verifyEvidenceLog()).ok, true);
    await event(t.a, "H29.70");
    await t.a.sealEvidenceNow();
    const text = readFileSync(path, "utf8");
    assert.ok(text.startsWith(complete), "the complete lines are kept");
    assert.equal(text.slice(complete.length).split("\n").length, 2, "one new complete line, no fragment");
    const report = await t.a.verifyEvidenceLog();
    assert.equal(report.ok, true, JSON.stringify(report));
  });

  it("a forged anchor line is refused: another key, an edited line, garbage", async () => {
    const path = anchorPath(t.a);
    const original = readFileSync(path, "utf8");
    const records = (await t.a.verifyEvidenceLog()).records;
    const real = fileAnchors(t.a).at(-1)!;
    // Signed with a key that is not the node's (an agency's), claiming a far longer chain.
    const forger = t.clientA;
    const claim = { seq: records + 100, hash: "ab".repeat(32) };
    const forged: EvidenceAnchor = {
      ...real,
      ...claim,
      signature: sign(
        "sha256",
        sealMessage("lgsp-a", claim.seq, claim.hash),
        createPrivateKey(forger.keyPem),
      ).toString("base64"),
      certSha256: fingerprint(forger.certPem),
    };
    const cases: [string, string, string][] = [
      ["another key", formatAnchor(forged), "certificate-unknown"],
      ["an edited line", formatAnchor({ ...real, seq: records + 50 }), "signature-invalid"],
      [
        "a node certificate named for another key",
        formatAnchor({ ...forged, certSha256: real.certSha256 }),
        "signature-invalid",
      ],
      ["garbage", '{"seq":"lots"}', "malformed"],
    ];
    try {
      for (const [what, line, detail] of cases) {
        writeFileSync(path, `${original}${line}\n`);
        const report = await t.a.verifyEvidenceLog();
        assert.equal(report.ok, false, what);
        assert.equal(report.problem?.reason, "anchor-invalid", `${what}: ${JSON.stringify(report.problem)}`);
        assert.equal(report.problem?.detail, detail, what);
        assert.equal(report.problem?.source, path);
        const file = report.anchors!.find((s) => s.source === path)!;
        assert.equal(file.refusedCount, 1, what);
        assert.equal(evidenceReportError(report)?.code, "AXIS_EVIDENCE_ANCHOR_INVALID");
      }
    } finally {
      writeFileSync(path, original);
    }
    assert.equal((await t.a.verifyEvidenceLog()).ok, true);
  });

  it("the parent holds each child's latest seal, and it never goes back", async () => {
    await event(t.a, "H29.71");
    const sealed = await t.a.sealEvidenceNow();
    assert.equal(sealed?.published, true);
    const last = fileAnchors(t.a).at(-1)!;
    const held = await kysely(t.national)
      .selectFrom("axis_child_evidence_seals")
      .selectAll()
      .where("node_id", "=", "lgsp-a")
      .executeTakeFirstOrThrow();
    assert.equal(Number(held.seq), last.seq);
    assert.equal(held.hash, last.hash);
    assert.deepEqual(parseAnchorLine(held.anchor), last);
    // The other child's seal is held apart.
    await t.b.sealEvidenceNow();
    const heldB = await kysely(t.national)
      .selectFrom("axis_child_evidence_seals")
      .select("seq")
      .where("node_id", "=", "lgsp-b")
      .executeTakeFirst();
    assert.ok(heldB, "lgsp-b's seal held");

    // The child's verification reads it back from the parent.
    const report = await t.a.verifyEvidenceLog();
    assert.equal(report.ok, true, JSON.stringify(report));
    const fromParent = report.anchors?.find((s) => s.source === "parent:national");
    assert.deepEqual(
      { accepted: fromParent?.accepted, latestSeq: fromParent?.latestSeq, error: fromParent?.error },
      { accepted: 1, latestSeq: last.seq, error: undefined },
    );

    // Straight to the parent's route, with the child's own TLS identity.
    const transport = createHttpsPeerTransport(t.a.config);
    try {
      assert.deepEqual(await transport.publishSeal("national", last), { held: last, stored: false });
      assert.deepEqual(await transport.fetchHeldSeal("national"), last);
      const older = fileAnchors(t.a).at(-2)!;
      const refusals: [string, EvidenceAnchor][] = [
        ["an older seal", older],
        ["another node's seal", { ...last, nodeId: "lgsp-b" }],
        ["an edited seal", { ...last, seq: last.seq + 10 }],
        ["a seal of another certificate", { ...last, certSha256: "00".repeat(32) }],
      ];
      for (const [what, anchor] of refusals)
        await assert.rejects(
          transport.publishSeal("national", anchor),
          (error: Error & { details?: unknown }) => {
            const d = error.details as { status?: number; peerCode?: string };
            assert.equal(d.status, 409, what);
            assert.equal(d.peerCode, "AXIS_EVIDENCE_SEAL_REFUSED", what);
            return true;
          },
        );
      assert.deepEqual(await transport.fetchHeldSeal("national"), last, "the held seal did not move");
    } finally {
      transport.close();
    }
    // An agency's certificate is not a node's: the route refuses the caller.
    const agency = await call(
      t.national.url,
      t.clientA,
      t.pki.caPem,
      "POST",
      "/v1/federation/evidence-seal",
      last,
    );
    assert.equal(agency.status, 401, JSON.stringify(agency.json));
  });

  it("a child whose log and anchor file were both cut is caught by the parent's copy", async () => {
    const db = kysely(t.a);
    const seals = await sealRows(t.a);
    assert.ok(seals.length >= 2);
    // Cut everything after the second-to-last seal: a valid, shorter, sealed chain...
    const keep = seals.at(-2)!.seq;
    await db.deleteFrom("axis_evidence").where("seq", ">", keep).execute();
    // ...and the anchor file with it (whoever controls the node's disk can do both).
    rmSync(anchorPath(t.a));
    const report = await t.a.verifyEvidenceLog();
    assert.equal(report.ok, false, JSON.stringify(report));
    assert.equal(report.problem?.reason, "truncated");
    assert.equal(report.problem?.source, "parent:national");
    assert.equal(report.problem?.seq, keep + 1, "the first missing record");
    assert.equal(report.problem?.anchoredSeq, seals.at(-1)!.seq - 1);
    const error = evidenceReportError(report);
    assert.equal(error?.code, "AXIS_EVIDENCE_TRUNCATED");
    assert.match(error!.messageVi, /bị cắt mất phần cuối/);
    assert.match(error!.messageEn, /tail was cut off/);

    // Sealing the shorter chain again does not move the parent's copy back.
    await event(t.a, "H29.72");
    const resealed = await t.a.sealEvidenceNow();
    assert.equal(resealed?.published, false, "the parent refused to go back");
    const still = await t.a.verifyEvidenceLog();
    assert.equal(still.problem?.reason, "truncated");
  });

  it("the parent's console lists the seals it holds for its children", async () => {
    const { listChildSeals } = await import("../src/repositories/child-seal-repository.ts");
    const rows = await listChildSeals(kysely(t.national));
    assert.deepEqual(
      rows.map((r) => r.node_id),
      ["lgsp-a", "lgsp-b"],
    );
  });
});

test("anchor lines: round trip, every malformed field refused, a torn last line ignored", async () => {
  const anchor: EvidenceAnchor = {
    v: 1,
    nodeId: "lgsp-a",
    seq: 41,
    hash: "ab".repeat(32),
    at: "2026-11-21T09:00:00.000Z",
    algorithm: "ECDSA-P256-SHA256",
    signature: "MEUCIQ==",
    certSha256: "cd".repeat(32),
  };
  assert.deepEqual(parseAnchorLine(formatAnchor(anchor)), anchor);
  const bad: Record<string, unknown>[] = [
    { v: 2 },
    { nodeId: "" },
    { seq: 0 },
    { seq: 1.5 },
    { seq: "41" },
    { hash: "AB".repeat(32) },
    { hash: "ab" },
    { at: "hôm qua" },
    { signature: "không phải base64" },
    { certSha256: "cd" },
  ];
  for (const change of bad)
    assert.equal(
      parseAnchorLine(JSON.stringify({ ...anchor, ...change })),
      undefined,
      JSON.stringify(change),
    );
  assert.equal(parseAnchorLine("not json"), undefined);

  const dir = mkdtempSync(join(tmpdir(), "truc-anchor-lines-"));
  const path = join(dir, "anchors.jsonl");
  writeFileSync(path, `${formatAnchor(anchor)}\nrác\n${formatAnchor({ ...anchor, seq: 42 })}\n{"v":1,"node`);
  const source = await readAnchorFile(path);
  assert.deepEqual(
    source?.anchors.map((a) => [a.line, a.anchor.seq]),
    [
      [1, 41],
      [3, 42],
    ],
  );
  assert.deepEqual(source?.malformed, [{ line: 2, reason: "not an anchor line" }]);
  assert.equal(await readAnchorFile(join(dir, "none.jsonl")), undefined);
});
