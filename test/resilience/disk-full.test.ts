/**
 * Disk full: the node's data directory (SQLite file and blob store; on PostgreSQL the blob
 * store) lives on a small size-limited tmpfs mounted for the test. Packages are sent until the
 * node refuses them. Then: everything it acknowledged is still there and downloads intact,
 * the node keeps serving reads, and the evidence log verifies. The refusal must be a clear,
 * stable code (not a bare 500). Skipped with a message where mounting is not allowed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import type { RunningNode } from "@truc/axis";
import { describeEachDialect } from "@truc/store/testing";
import { nativeCall } from "../support/http.ts";
import { startSuiteNode } from "../support/nodes.ts";
import { edocXml } from "../support/packages.ts";
import { type Identity, makeSuitePki, type SuitePki } from "../support/pki.ts";

const SIZE_MB = 12;

describeEachDialect("resilience: disk full", (ctx) => {
  let mountPoint = "";
  let mounted = false;
  let mountError = "";
  let node: RunningNode | undefined;
  let pki: SuitePki;
  const ids: Record<string, Identity> = {};
  const accepted = new Map<string, string>(); // packageId → documentId
  const refusals: { status: number; code: string }[] = [];

  before(async () => {
    // Outside the suite's directory: the harness removes that one before our `after` runs.
    mountPoint = mkdtempSync(join(tmpdir(), "truc-small-disk-"));
    const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${SIZE_MB}m,mode=0700`, "tmpfs", mountPoint], {
      encoding: "utf8",
    });
    mounted = r.status === 0;
    mountError = r.stderr || r.error?.message || `exit ${r.status}`;
    if (!mounted) return;
    pki = await makeSuitePki(join(ctx.dataDir(), "pki"));
    for (const n of ["national", "s1"]) ids[n] = await pki.node(n);
    node = await startSuiteNode(
      ctx,
      { name: "node", dataDir: join(mountPoint, "node"), identity: ids.national!, caPems: pki.caPems },
      // Package bytes as files in the blob store on both dialects (not inline in the database).
      // Revocation data for the client certificates (the node requires it for mTLS callers).
      { storage: { inlineMaxBytes: 0 }, trust: { crls: await pki.crls() } },
    );
    await node.registerAgency({ code: "H29.12", name: "Sở Nội vụ" });
    await node.registerAgency({ code: "H41.05", name: "Sở Tư pháp" });
    await node.connectSystem({
      systemId: "s1",
      certFingerprint: ids.s1!.fingerprint,
      agencyCodes: ["H29.12", "H41.05"],
    });
  });
  after(async () => {
    await node?.close().catch((error) => console.error(`close: ${(error as Error).message}`));
    if (mounted) {
      const r = spawnSync("umount", [mountPoint], { encoding: "utf8" });
      if (r.status !== 0) {
        console.error(`umount ${mountPoint}: ${r.stderr}; trying lazy umount`);
        spawnSync("umount", ["-l", mountPoint]);
      }
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });

  const why = () => `cannot mount a tmpfs here (${mountError.trim()}): disk-full test skipped`;

  it("fills the disk: the node refuses new packages instead of crashing", async (t) => {
    if (!mounted) return t.skip(why());
    // ~300 KB per package stored twice (as received and as forwarded): the disk fills in ~20.
    for (let i = 0; i < 200 && refusals.length < 3; i++) {
      const documentId = `H29.12,2025/03/05,${i}/FULL`;
      const r = await nativeCall(
        node!.url,
        ids.s1,
        pki.caPems,
        "POST",
        "/v1/packages",
        edocXml({ from: "H29.12", to: ["H41.05"], documentId, attachmentBytes: 220 * 1024, seed: i }),
      );
      if (r.status === 201) accepted.set(r.json.packageId, documentId);
      else refusals.push({ status: r.status, code: r.json?.code ?? "?" });
    }
    console.log(
      `[${ctx.dialect}] tmpfs ${SIZE_MB} MB: accepted=${accepted.size} refusals=${JSON.stringify(refusals)}`,
    );
    assert.ok(accepted.size > 0, "some packages fit");
    assert.ok(refusals.length > 0, "the disk filled up and the node refused");
    const health = await nativeCall(node!.url, ids.s1, pki.caPems, "GET", "/v1/inbox/count?type=edoc");
    assert.equal(health.status, 200, "the node still answers");
  });

  it("while the disk is full, recipients can still fetch what was accepted", async (t) => {
    if (!mounted) return t.skip(why());
    const [packageId, documentId] = [...accepted][0]!;
    const r = await nativeCall(node!.url, ids.s1, pki.caPems, "GET", `/v1/packages/${packageId}`);
    assert.equal(r.status, 200, r.body.toString("utf8").slice(0, 200));
    assert.ok(r.body.includes(documentId));
  });

  it("nothing already accepted is lost: once space is freed, every package downloads intact, the evidence log verifies", async (t) => {
    if (!mounted) return t.skip(why());
    const grown = spawnSync("mount", ["-o", `remount,size=${SIZE_MB * 8}m`, mountPoint], {
      encoding: "utf8",
    });
    assert.equal(grown.status, 0, grown.stderr);
    for (const [packageId, documentId] of accepted) {
      const r = await nativeCall(node!.url, ids.s1, pki.caPems, "GET", `/v1/packages/${packageId}`);
      assert.equal(r.status, 200, `${packageId}: ${r.body.toString("utf8").slice(0, 200)}`);
      assert.ok(r.body.includes(documentId));
      assert.equal(createHash("sha256").update(r.body).digest("hex"), r.headers["x-truc-sha256"]);
    }
    const report = await node!.verifyEvidenceLog();
    assert.equal(report.ok, true, JSON.stringify(report));
    const again = await nativeCall(
      node!.url,
      ids.s1,
      pki.caPems,
      "POST",
      "/v1/packages",
      edocXml({
        from: "H29.12",
        to: ["H41.05"],
        documentId: "H29.12,2025/03/06,1/FULL",
        attachmentBytes: 1024,
      }),
    );
    assert.equal(again.status, 201, "accepts again once there is room");
  });

  it("the refusal is a clear, stable code (507/503 with a storage code), not 500 AXIS_INTERNAL", (t) => {
    if (!mounted) return t.skip(why());
    assert.ok(refusals.length > 0);
    for (const r of refusals) {
      assert.notEqual(r.code, "AXIS_INTERNAL", JSON.stringify(refusals));
      assert.ok(r.status === 507 || r.status === 503, JSON.stringify(refusals));
    }
  });
});
