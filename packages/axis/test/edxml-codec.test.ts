/** readAndPrepareForward (one pass) gives what readPackage + prepareForward (two passes) give. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Signer, TrustCallback } from "@truc/common";
import { EdxmlError, signEdxml } from "@truc/edxml";
import {
  forwardedSha256,
  hashingSink,
  type PreparedForward,
  prepareForward,
  readAndPrepareForward,
  readPackage,
} from "../src/adapters/edxml-codec.ts";
import { createPemSigner } from "../src/adapters/pem-signer.ts";
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

async function forwardingOf(raw: Buffer, prepared: Promise<PreparedForward>) {
  try {
    const { forward, verify } = await prepared;
    const verdict = await verify(trust);
    return { forward, sha256: forwardedSha256(raw, forward.splices), verdict: verdict.status };
  } catch (error) {
    return { error: (error as EdxmlError).code };
  }
}

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

  it("reads and prepares the forwarding as the two passes do", async () => {
    const cases: [string, Buffer][] = [
      ["signed document", await signEdxml(edoc, sender)],
      ["unsigned document", edoc],
      ["signed status", await signEdxml(status, sender)],
      ["tampered", Buffer.from((await signEdxml(edoc, sender)).toString("utf8").replace("V/v", "X"))],
    ];
    for (const [name, raw] of cases) {
      const both = await readAndPrepareForward(raw, { ...read, sink: hashingSink() });
      assert.deepEqual(both.parsed, await readPackage(raw, { ...read, sink: hashingSink() }), name);
      assert.deepEqual(
        await forwardingOf(raw, both.prepare()),
        await forwardingOf(raw, prepareForward(raw, read)),
        name,
      );
    }
  });

  it("throws readPackage's error for an invalid package", async () => {
    const invalid = edocXml({ from: "H10.01", to: [], documentId: "H10.01,2025/03/05,1/VP" });
    const code = await readPackage(invalid, { ...read, sink: hashingSink() }).catch(
      (e: EdxmlError) => e.code,
    );
    assert.ok(typeof code === "string", "the package is refused");
    await assert.rejects(
      readAndPrepareForward(invalid, { ...read, sink: hashingSink() }),
      (e: unknown) => e instanceof EdxmlError && e.code === code,
    );
  });
});
