/**
 * readAndPrepareForward, the axis's one pass over a received package: what it reads, the
 * forwarding and verdict it prepares, and its refusals. (That the one pass gives what the
 * separate parse and forwarding passes give is tested in @truc/edxml, forward.test.ts.)
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Signer, TrustCallback } from "@truc/common";
import { EdxmlError, signEdxml, verifyEdxml } from "@truc/edxml";
import { forwardedSha256, hashingSink, readAndPrepareForward } from "../src/adapters/edxml-codec.ts";
import { createPemSigner } from "../src/adapters/pem-signer.ts";
import { applySplices } from "../src/domain/splice.ts";
import { edocXml, statusXml } from "./support/packages.ts";
import { makeTestPki } from "./support/pki.ts";

const dir = mkdtempSync(join(tmpdir(), "truc-codec-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const pki = makeTestPki(dir);
const agency = pki.issue("qlvb-H10.01");
const node = pki.issue("node");
const sender = createPemSigner(agency.keyPem, agency.certPem);
const ecdsa = createPemSigner(node.keyPem, node.certPem);
// ECDSA signatures are randomised: the same SignedInfo gets the same signature here, so the two
// paths' bytes are equal exactly when what they sign is.
const signatures = new Map<string, Promise<Uint8Array>>();
const signer: Signer = {
  ...ecdsa,
  sign: (data) => {
    const key = Buffer.from(data).toString("hex");
    if (!signatures.has(key)) signatures.set(key, ecdsa.sign(data));
    return signatures.get(key)!;
  },
};
const trust: TrustCallback = async () => ({ status: "valid" });
const at = new Date("2025-03-05T04:00:00Z");
const read = { limits: {}, organId: "000.00.00.G22", at, signer };

describe("readAndPrepareForward", () => {
  const edoc = edocXml({
    from: "H10.01",
    to: ["H11.01"],
    documentId: "H10.01,2025/03/05,1/VP",
    attachmentBytes: 100 * 1024,
  });
  const status = statusXml({
    from: "H11.01",
    responseFor: "H10.01",
    documentId: "H10.01,2025/03/05,1/VP",
    code: "01",
  });

  it("reads the package and prepares a forwarding that verifies, with the received verdict", async () => {
    const raw = await signEdxml(edoc, sender);
    const both = await readAndPrepareForward(raw, { ...read, sink: hashingSink() });
    assert.equal(both.parsed.from, "H10.01");
    assert.deepEqual(both.parsed.to, ["H11.01"]);
    assert.equal(both.parsed.documentId, "H10.01,2025/03/05,1/VP");
    assert.equal(both.parsed.sha256, createHash("sha256").update(raw).digest("hex"));
    assert.equal(both.parsed.attachments.length, 1);
    const { forward, verify } = await both.prepare();
    assert.equal((await verify(trust)).status, "valid");
    const forwarded = applySplices(raw, forward.splices);
    assert.equal(forwarded.length, forward.size);
    assert.equal(forwardedSha256(raw, forward.splices), createHash("sha256").update(forwarded).digest("hex"));
    assert.match(forwarded.toString("utf8"), /<edXML:OrganId>000\.00\.00\.G22<\/edXML:OrganId>/);
    assert.equal((await verifyEdxml(forwarded, { trust })).status, "valid", "the node's signature verifies");
  });

  it("a status package is re-signed without a hop", async () => {
    const raw = await signEdxml(status, sender);
    const both = await readAndPrepareForward(raw, { ...read, sink: hashingSink() });
    assert.equal(both.parsed.kind, "status");
    const { forward } = await both.prepare();
    const forwarded = applySplices(raw, forward.splices);
    assert.doesNotMatch(forwarded.toString("utf8"), /000\.00\.00\.G22/);
    assert.equal((await verifyEdxml(forwarded, { trust })).status, "valid");
  });

  it("a tampered package reads, and its received signature is judged invalid", async () => {
    const raw = Buffer.from((await signEdxml(edoc, sender)).toString("utf8").replace("V/v", "X"));
    const both = await readAndPrepareForward(raw, { ...read, sink: hashingSink() });
    const verdict = await (await both.prepare()).verify(trust);
    assert.notEqual(verdict.status, "valid");
  });

  it("refuses an invalid package with its edXML code, and never signs it", async () => {
    const invalid = edocXml({ from: "H10.01", to: [], documentId: "H10.01,2025/03/05,1/VP" });
    let signed = 0;
    const counting: Signer = {
      ...signer,
      sign: (data) => {
        signed++;
        return signer.sign(data);
      },
    };
    await assert.rejects(
      readAndPrepareForward(invalid, { ...read, signer: counting, sink: hashingSink() }),
      (e: unknown) => e instanceof EdxmlError && typeof e.code === "string",
    );
    assert.equal(signed, 0);
  });
});
