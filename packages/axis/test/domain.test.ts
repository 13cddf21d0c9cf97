import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseNodeConfig } from "../src/config.ts";
import { agencyCodeForm, levelOfCode } from "../src/domain/agency.ts";
import { checkChain, type EvidenceContent, evidenceHash, GENESIS_HASH } from "../src/domain/evidence.ts";
import { packageIdentityKey } from "../src/domain/package-identity.ts";
import { backoffDelayMs, decideNextHop } from "../src/domain/routing.ts";
import { routeStatus } from "../src/domain/status.ts";
import { AxisError } from "../src/errors.ts";

describe("agency codes", () => {
  it("recognises both identifier forms and the level", () => {
    assert.equal(agencyCodeForm("H29.12"), "qd20");
    assert.equal(agencyCodeForm("000.00.12.H29"), "qcvn102");
    assert.equal(agencyCodeForm("h29"), "qd20");
    assert.equal(agencyCodeForm("Z99"), undefined);
    assert.equal(agencyCodeForm("H29..1"), undefined);
    assert.equal(levelOfCode("000.00.00.G22"), 1);
    assert.equal(levelOfCode("000.01.01.H08"), 3);
    assert.equal(levelOfCode("H29.30.05"), 3);
  });
});

describe("routing", () => {
  it("decides local, neighbour, unknown and suspended", () => {
    const base = { code: "H29.12", code102: null, deleted: false } as const;
    assert.deepEqual(decideNextHop({ ...base, state: "active", viaNode: null }), {
      ok: true,
      hop: { kind: "local" },
    });
    assert.deepEqual(decideNextHop({ ...base, state: "active", viaNode: "national" }), {
      ok: true,
      hop: { kind: "node", nodeId: "national" },
    });
    assert.deepEqual(decideNextHop(undefined), { ok: false, reason: "unknown" });
    assert.deepEqual(decideNextHop({ ...base, state: "suspended", viaNode: null }), {
      ok: false,
      reason: "suspended",
    });
    assert.deepEqual(decideNextHop({ ...base, deleted: true, state: "active", viaNode: null }), {
      ok: false,
      reason: "unknown",
    });
  });

  it("backs off exponentially up to the cap", () => {
    assert.equal(backoffDelayMs(1, 1000, 60_000, 0), 500);
    assert.equal(backoffDelayMs(3, 1000, 60_000, 0.999999), 4000);
    assert.equal(backoffDelayMs(30, 1000, 60_000, 0), 30_000);
  });

  it("routes statuses to ResponseFor/OrganId, inverting roles for 13", () => {
    assert.deepEqual(routeStatus({ statusCode: "03", from: "H41.05", responseForOrganId: "H29.12" }), {
      destination: "H29.12",
      documentIssuer: "H29.12",
      recipient: "H41.05",
    });
    assert.deepEqual(routeStatus({ statusCode: "13", from: "H29.12", responseForOrganId: "H41.05" }), {
      destination: "H41.05",
      documentIssuer: "H29.12",
      recipient: "H41.05",
    });
  });
});

describe("package identity", () => {
  it("differs when any component differs", () => {
    const base = {
      kind: "edoc" as const,
      sender: "H29.12",
      documentId: "d1",
      businessType: "0",
      rawSha256: "a".repeat(64),
    };
    const k = packageIdentityKey(base);
    assert.equal(k, packageIdentityKey({ ...base }));
    assert.notEqual(k, packageIdentityKey({ ...base, businessType: "1" }));
    assert.notEqual(k, packageIdentityKey({ ...base, rawSha256: "b".repeat(64) }));
    assert.notEqual(k, packageIdentityKey({ ...base, sender: "H41.05" }));
  });
});

describe("evidence chain", () => {
  const make = (n: number) => {
    const rows: (EvidenceContent & { prevHash: string; hash: string })[] = [];
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= n; seq++) {
      const c: EvidenceContent = {
        seq,
        at: "2025-01-01T00:00:00.000Z",
        kind: "accept",
        nodeId: "n",
        packageId: `p${seq}`,
        actor: null,
        details: { i: seq },
      };
      const hash = evidenceHash(prev, c);
      rows.push({ ...c, prevHash: prev, hash });
      prev = hash;
    }
    return rows;
  };
  it("accepts an intact chain", () => assert.equal(checkChain(make(5), GENESIS_HASH, 1), undefined));
  it("detects an edit", () => {
    const rows = make(5);
    rows[2] = { ...rows[2]!, details: { i: 99 } };
    assert.deepEqual(checkChain(rows, GENESIS_HASH, 1), { seq: 3, reason: "hash-mismatch" });
  });
  it("detects a deletion", () => {
    const rows = make(5);
    rows.splice(1, 1);
    assert.deepEqual(checkChain(rows, GENESIS_HASH, 1), { seq: 2, reason: "gap" });
  });
  it("detects a reorder even with renumbered rows", () => {
    const rows = make(5);
    const swapped = [rows[0]!, { ...rows[2]!, seq: 2 }, { ...rows[1]!, seq: 3 }, rows[3]!, rows[4]!];
    assert.deepEqual(checkChain(swapped, GENESIS_HASH, 1), { seq: 2, reason: "prev-mismatch" });
  });
});

describe("node configuration", () => {
  const good = {
    role: "national",
    nodeId: "national",
    organId: "G22",
    dataDir: "/tmp/x",
    masterKey: "00".repeat(32),
  };
  it("parses, fills defaults and freezes", () => {
    const c = parseNodeConfig(good, { env: {} });
    assert.equal(c.listen.port, 0);
    assert.equal(c.signature.default, "verify-if-present");
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.limits));
  });
  it("lists every problem at once", () => {
    try {
      parseNodeConfig({ ...good, organId: "nope", masterKey: "short", colour: "blue" }, { env: {} });
      assert.fail("should throw");
    } catch (error) {
      assert.ok(AxisError.is(error));
      assert.equal(error.code, "AXIS_CONFIG_INVALID");
      const list = (error.details as { list: string[] }).list;
      assert.ok(
        list.some((p) => p.startsWith("organId")),
        list.join("\n"),
      );
      assert.ok(
        list.some((p) => p.startsWith("masterKey")),
        list.join("\n"),
      );
      assert.ok(
        list.some((p) => p.includes("colour")),
        list.join("\n"),
      );
    }
  });
  it("keeps package bytes for ever unless a whole number of retention days is given", () => {
    assert.equal(parseNodeConfig(good, { env: {} }).storage.bodyRetentionDays, undefined);
    const kept = parseNodeConfig({ ...good, storage: { bodyRetentionDays: 90 } }, { env: {} });
    assert.equal(kept.storage.bodyRetentionDays, 90);
    for (const bodyRetentionDays of [0, -1, 1.5, "90"])
      assert.throws(
        () => parseNodeConfig({ ...good, storage: { bodyRetentionDays } }, { env: {} }),
        (e: unknown) =>
          AxisError.is(e) && e.code === "AXIS_CONFIG_INVALID" && /bodyRetentionDays/.test(e.messageEn),
      );
  });
  it("refuses an LGSP without parent and federation without TLS", () => {
    assert.throws(
      () => parseNodeConfig({ ...good, role: "lgsp" }, { env: {} }),
      (e: unknown) => AxisError.is(e) && e.code === "AXIS_CONFIG_INVALID" && /parent/.test(e.messageEn),
    );
  });
});
