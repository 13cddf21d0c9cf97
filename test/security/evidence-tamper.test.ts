/**
 * Evidence log tampering, on both dialects: editing any column of any row, deleting any row,
 * swapping any two neighbouring rows, rewriting the chain after an edit (recomputed hashes,
 * as an attacker with database access but without the node key would), and cutting off the
 * tail (against the seals anchored in the node's anchor file, outside the database) are all
 * detected by `verifyEvidenceLog`. The log is restored after each attempt, and verifies again.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { evidenceReportError, type RunningNode } from "@truc/axis";
import { describeEachDialect } from "@truc/store/testing";
import type { Kysely } from "kysely";
import { nativeCall } from "../support/http.ts";
import { startSuiteNode } from "../support/nodes.ts";
import { edocXml } from "../support/packages.ts";
import { type Identity, makeSuitePki, type SuitePki } from "../support/pki.ts";

interface Row {
  seq: number;
  at: string;
  kind: string;
  node_id: string;
  package_id: string | null;
  actor: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/** The chain rule, written here independently of the axis code: sha256(prev ‖ "\n" ‖ canonical JSON). */
function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
}
function rowHash(prev: string, r: Row): string {
  const content = {
    seq: Number(r.seq),
    at: r.at,
    kind: r.kind,
    nodeId: r.node_id,
    packageId: r.package_id,
    actor: r.actor,
    details: JSON.parse(r.details),
  };
  return createHash("sha256").update(prev).update("\n").update(canonical(content)).digest("hex");
}

describeEachDialect("security: evidence log tampering is detected", (ctx) => {
  let node: RunningNode;
  let pki: SuitePki;
  let client: Identity;
  let original: Row[] = [];
  let anchorFile: string;
  let originalAnchorLines = 0;
  // biome-ignore lint/suspicious/noExplicitAny: the evidence table is addressed by name
  let db: Kysely<any>;

  const read = async (): Promise<Row[]> =>
    (await db.selectFrom("axis_evidence").selectAll().orderBy("seq").execute()).map((r) => ({
      ...r,
      seq: Number(r.seq),
    })) as Row[];
  const restore = async () => {
    await db.deleteFrom("axis_evidence").execute();
    for (let i = 0; i < original.length; i += 100)
      await db
        .insertInto("axis_evidence")
        .values(original.slice(i, i + 100))
        .execute();
  };
  const verify = () => node.verifyEvidenceLog();
  const expectDetected = async (what: string, seqHint?: number) => {
    try {
      const report = await verify();
      assert.equal(report.ok, false, `${what} went unnoticed: ${JSON.stringify(report)}`);
      assert.ok(report.problem, what);
      if (seqHint !== undefined)
        assert.ok(report.problem.seq <= seqHint + 1, `${what}: reported at ${report.problem.seq}`);
      return report.problem;
    } finally {
      await restore();
    }
  };

  before(async () => {
    pki = await makeSuitePki(join(ctx.dataDir(), "pki"));
    client = await pki.node("qlvb");
    node = await startSuiteNode(
      ctx,
      { name: "node", identity: await pki.node("national"), caPems: pki.caPems },
      // Revocation data for the client certificates (the node requires it for mTLS callers).
      { trust: { crls: await pki.crls() } },
    );
    db = node.context.db.kysely as unknown as typeof db;
    await node.registerAgency({ code: "H29.12", name: "Sở Nội vụ" });
    await node.registerAgency({ code: "H41.05", name: "Sở Tư pháp" });
    await node.connectSystem({
      systemId: "qlvb",
      certFingerprint: client.fingerprint,
      agencyCodes: ["H29.12", "H41.05"],
    });
    const send = (i: number) =>
      nativeCall(
        node.url,
        client,
        pki.caPems,
        "POST",
        "/v1/packages",
        edocXml({ from: "H29.12", to: ["H41.05"], documentId: `H29.12,2025/03/05,${i}/EV` }),
      );
    const first = await send(1);
    assert.equal(first.status, 201);
    await send(2);
    await nativeCall(node.url, client, pki.caPems, "GET", `/v1/packages/${first.json.packageId}`);
    await nativeCall(node.url, client, pki.caPems, "POST", `/v1/packages/${first.json.packageId}/ack`, {
      status: "done",
    });
    await node.sealEvidenceNow();
    await send(3);
    await send(4);
    await node.sealEvidenceNow();
    original = await read();
    anchorFile = node.config.evidence.anchorFile!;
    originalAnchorLines = readFileSync(anchorFile, "utf8").split("\n").filter(Boolean).length;
    assert.equal(originalAnchorLines, 2, "both seals anchored in the file");
    assert.ok(original.length >= 10, `${original.length} evidence rows`);
    assert.equal(original.at(-1)!.kind, "seal", "the log ends with a seal");
    const report = await verify();
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.equal(report.unsealed, 0);
  });
  after(async () => {
    await node?.close();
  });

  it("the chain rule re-derived independently matches every stored hash", () => {
    let prev = "0".repeat(64);
    for (const r of original) {
      assert.equal(r.prev_hash, prev, `prev of ${r.seq}`);
      assert.equal(rowHash(prev, r), r.hash, `hash of ${r.seq}`);
      prev = r.hash;
    }
  });

  it("editing the details of any row is detected at that row", async () => {
    for (const r of original) {
      const details = JSON.parse(r.details) as Record<string, unknown>;
      details.forged = true;
      await db
        .updateTable("axis_evidence")
        .set({ details: JSON.stringify(details) })
        .where("seq", "=", r.seq)
        .execute();
      const problem = await expectDetected(`edit details of ${r.seq} (${r.kind})`);
      assert.equal(problem.seq, r.seq);
    }
  });

  it("editing any other column of a row (time, kind, node, package, actor, prev/own hash) is detected", async () => {
    const target = original[Math.floor(original.length / 2)]!;
    const edits: Partial<Row>[] = [
      { at: "2020-01-01T00:00:00.000Z" },
      { kind: target.kind === "accept" ? "deliver" : "accept" },
      { node_id: "someone-else" },
      { package_id: "00000000-0000-0000-0000-000000000000" },
      { actor: "intruder" },
      { prev_hash: "f".repeat(64) },
      { hash: "e".repeat(64) },
    ];
    for (const edit of edits) {
      await db.updateTable("axis_evidence").set(edit).where("seq", "=", target.seq).execute();
      await expectDetected(`edit ${Object.keys(edit)[0]} of ${target.seq}`, target.seq);
    }
  });

  it("deleting any row but the last is detected", async () => {
    for (const r of original.slice(0, -1)) {
      await db.deleteFrom("axis_evidence").where("seq", "=", r.seq).execute();
      const problem = await expectDetected(`delete ${r.seq}`);
      assert.equal(problem.seq, r.seq);
    }
  });

  it("deleting the tail (the last seal, or the last rows) is detected against the anchor file", async () => {
    const seals = original.filter((r) => r.kind === "seal");
    const lastSeal = seals.at(-1)!;
    const firstSeal = seals[0]!;
    // Every cut leaves a valid shorter chain; only the seals anchored outside the database show it.
    const cuts: [string, number][] = [
      ["the last row (the last seal)", lastSeal.seq - 1],
      ["the last seal and the record it sealed", lastSeal.seq - 2],
      ["everything after the first seal", firstSeal.seq],
      ["everything after the first seal's record (that seal too)", firstSeal.seq - 1],
      ["every row", 0],
    ];
    for (const [what, keep] of cuts) {
      await db.deleteFrom("axis_evidence").where("seq", ">", keep).execute();
      const problem = await expectDetected(`delete ${what}`);
      assert.equal(problem.reason, "truncated", `${what}: ${JSON.stringify(problem)}`);
      assert.equal(problem.seq, keep + 1, `${what}: the first missing record`);
      assert.equal(problem.anchoredSeq, lastSeal.seq - 1, `${what}: the latest anchored seal`);
    }
    // The code and words an operator sees.
    await db.deleteFrom("axis_evidence").where("seq", "=", lastSeal.seq).execute();
    try {
      const error = evidenceReportError(await verify());
      assert.equal(error?.code, "AXIS_EVIDENCE_TRUNCATED");
      assert.match(
        error!.messageEn,
        new RegExp(`record ${lastSeal.seq - 1} .* ends at record ${lastSeal.seq - 1}\\.$`),
      );
    } finally {
      await restore();
    }
  });

  it("deleting the tail and writing new records in its place is detected", async () => {
    // Cut after the first seal, then let the node append and seal a different history.
    const firstSeal = original.find((r) => r.kind === "seal")!;
    await db.deleteFrom("axis_evidence").where("seq", ">", firstSeal.seq).execute();
    await node.registerAgency({ code: "H41.09", name: "Sở Xây dựng" });
    await node.sealEvidenceNow();
    const anchors = readFileSync(anchorFile, "utf8");
    try {
      const problem = await expectDetected("replace the tail");
      assert.equal(problem.reason, "truncated");
      // Reported where the chain first departs from an anchor: past the intact first seal.
      const lastSeal = original.filter((r) => r.kind === "seal").at(-1)!;
      assert.equal(problem.anchoredSeq, lastSeal.seq - 1);
      assert.ok(problem.seq > firstSeal.seq && problem.seq <= lastSeal.seq, `at ${problem.seq}`);
    } finally {
      // The rewritten tail's seal was anchored too: put the file back as it was.
      writeFileSync(anchorFile, anchors.split("\n").slice(0, originalAnchorLines).join("\n") + "\n");
    }
  });

  it("swapping any two neighbouring rows is detected", async () => {
    for (let i = 0; i + 1 < original.length; i++) {
      const a = original[i]!;
      const b = original[i + 1]!;
      const { seq: _a, ...aRest } = a;
      const { seq: _b, ...bRest } = b;
      await db.updateTable("axis_evidence").set(bRest).where("seq", "=", a.seq).execute();
      await db.updateTable("axis_evidence").set(aRest).where("seq", "=", b.seq).execute();
      await expectDetected(`swap ${a.seq} and ${b.seq}`, b.seq);
    }
  });

  it("renumbering rows to move one elsewhere (reorder keeping seq contiguous) is detected", async () => {
    // Move the first accept to the end: seq of every later row shifts down by one.
    const moved = original[2]!;
    const rest = original.filter((r) => r.seq !== moved.seq);
    await db.deleteFrom("axis_evidence").execute();
    const reordered = [...rest, moved].map((r, i) => ({ ...r, seq: i + 1 }));
    await db.insertInto("axis_evidence").values(reordered).execute();
    await expectDetected("move row 3 to the end");
  });

  it("rewriting the chain after an edit (all later hashes recomputed, no node key) is caught by the seals", async () => {
    for (const target of [original[1]!, original[Math.floor(original.length / 2)]!]) {
      const rows = original.map((r) => ({ ...r }));
      const idx = rows.findIndex((r) => r.seq === target.seq);
      const details = JSON.parse(rows[idx]!.details) as Record<string, unknown>;
      details.forged = true;
      rows[idx]!.details = JSON.stringify(details);
      let prev = idx === 0 ? "0".repeat(64) : rows[idx - 1]!.hash;
      for (let i = idx; i < rows.length; i++) {
        const r = rows[i]!;
        if (r.kind === "seal") {
          // The forger also points the seal at the new head; the signature still covers the old one.
          const d = JSON.parse(r.details) as Record<string, unknown>;
          d.sealedHash = rows[i - 1]!.hash;
          r.details = canonical(d);
        }
        r.prev_hash = prev;
        r.hash = rowHash(prev, r);
        prev = r.hash;
      }
      await db.deleteFrom("axis_evidence").execute();
      await db.insertInto("axis_evidence").values(rows).execute();
      const problem = await expectDetected(`rewrite from ${target.seq}`);
      assert.equal(problem.reason, "seal-invalid");
    }
  });

  it("after every attempt the restored log verifies again", async () => {
    assert.deepEqual(await read(), original);
    const report = await verify();
    assert.equal(report.ok, true, JSON.stringify(report));
  });
});
