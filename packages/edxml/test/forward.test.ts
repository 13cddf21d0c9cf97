/**
 * forwardEdxml: the one-pass TraceHeader + re-signature + verification must produce exactly
 * what the two-step path (appendTraceHeader, then signEdxml with replaceExisting) produces,
 * whatever the chunking of the input, and its output must verify in xmlsec1.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Signer } from "@truc/common";
import {
  appendTraceHeader,
  buildStatus,
  EdxmlError,
  type EdxmlSplice,
  type ForwardedPackage,
  type ForwardOptions,
  forwardEdxml,
  parseAndForwardEdxml,
  parseEdxml,
  signEdxml,
  verifyEdxml,
} from "../src/index.ts";
import { fixturePath, fixtureSigner, rootTrust, samplePackage } from "./fixtures/dsig/helpers.ts";
import { MESSY, sampleStatus } from "./samples.ts";

const hop = { organId: "000.00.00.G22", timestamp: new Date("2025-03-05T04:00:00Z") };
const dir = mkdtempSync(join(tmpdir(), "truc-forward-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function apply(raw: Buffer, splices: readonly EdxmlSplice[]): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const s of splices) {
    parts.push(raw.subarray(at, s.at), s.insert);
    at = s.at + s.remove;
  }
  parts.push(raw.subarray(at));
  return Buffer.concat(parts);
}

async function* pieces(raw: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < raw.length; i += size) yield raw.subarray(i, Math.min(raw.length, i + size));
}

describe("forwardEdxml", () => {
  const rsa = fixtureSigner("rsa");
  const cases: [string, () => Promise<Buffer>][] = [
    ["signed, one TraceHeader", () => signEdxml(samplePackage({ attachmentBytes: 20_000 }), rsa)],
    ["signed, three TraceHeaders", () => signEdxml(samplePackage({ traces: 3 }), rsa)],
    ["unsigned", async () => samplePackage({ attachmentBytes: 5000 })],
    ["signed by an ECDSA key", () => signEdxml(samplePackage(), fixtureSigner("ec"))],
    ["default namespace, no prefixes", async () => Buffer.from(MESSY)],
  ];
  for (const [name, make] of cases) {
    it(`${name}: the same bytes as appendTraceHeader + signEdxml, in any chunking`, async () => {
      const raw = await make();
      const expected = await signEdxml(appendTraceHeader(raw, hop), rsa, { replaceExisting: true });
      for (const input of [raw, pieces(raw, 1), pieces(raw, 97), pieces(raw, 4096)]) {
        const forwarded = await forwardEdxml(input, { hop, signer: rsa });
        const out = apply(raw, forwarded.splices);
        assert.ok(out.equals(expected), name);
        assert.equal(forwarded.size, expected.length);
        assert.equal(forwarded.receivedSize, raw.length);
      }
      assert.equal((await verifyEdxml(expected, { trust: rootTrust() })).status, "valid");
    });
  }

  it("verifies the received signature in the same pass, trust asked only on demand", async () => {
    const raw = await signEdxml(samplePackage(), rsa);
    const trust = rootTrust();
    const forwarded = await forwardEdxml(raw, { hop, signer: rsa });
    assert.equal(trust.calls, 0);
    const verdict = await forwarded.verify({ trust });
    const reference = await verifyEdxml(raw, { trust: rootTrust() });
    assert.equal(verdict.status, "valid");
    assert.equal(verdict.digest, reference.digest);
    assert.equal(trust.calls, 1);

    const tampered = Buffer.from(raw.toString("utf8").replace("<edXML:Subject>", "<edXML:Subject>X"));
    const bad = await (await forwardEdxml(tampered, { hop })).verify({ trust });
    assert.equal(bad.code, "EDXML_SIGNATURE_DIGEST_MISMATCH");
    const unsigned = await (await forwardEdxml(samplePackage(), { hop })).verify({ trust });
    assert.equal(unsigned.status, "unsigned");
  });

  it("opens a self-closing TraceHeaderList; xmlsec1 verifies the result", async () => {
    const empty = Buffer.from(
      MESSY.replace(/<TraceHeaderList[^>]*>[\s\S]*<\/TraceHeaderList>/, "<TraceHeaderList a='1' />"),
    );
    const forwarded = await forwardEdxml(pieces(empty, 13), { hop, signer: rsa });
    const out = apply(empty, forwarded.splices);
    assert.ok(out.toString("utf8").includes("<TraceHeaderList a='1' ><TraceHeader><OrganId>000.00.00.G22"));
    assert.equal((await verifyEdxml(out, { trust: rootTrust() })).status, "valid");
    const file = join(dir, "forwarded.xml");
    writeFileSync(file, out);
    const r = spawnSync("xmlsec1", ["--verify", "--trusted-pem", fixturePath("root.pem"), file], {
      encoding: "utf8",
    });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });

  it("status packages: re-signed without a hop; a hop is refused (no TraceHeaderList) unless optional", async () => {
    const status = buildStatus(sampleStatus("01"));
    const forwarded = await forwardEdxml(status, { signer: rsa });
    const expected = await signEdxml(status, rsa, { replaceExisting: true });
    assert.ok(apply(status, forwarded.splices).equals(expected));
    await assert.rejects(
      forwardEdxml(status, { hop, signer: rsa }),
      (e: unknown) => e instanceof EdxmlError && e.code === "EDXML_TRACE_INSERT",
    );
    const lenient = await forwardEdxml(status, { hop, signer: rsa, traceList: "if-present" });
    assert.ok(apply(status, lenient.splices).equals(expected));
  });

  it("no signer: only the hop is inserted", async () => {
    const raw = samplePackage();
    const forwarded = await forwardEdxml(raw, { hop });
    assert.ok(apply(raw, forwarded.splices).equals(appendTraceHeader(raw, hop)));
  });
});

describe("parseAndForwardEdxml: parseEdxml and forwardEdxml in one pass", () => {
  const rsa = fixtureSigner("rsa");
  const SIGNATURE = /<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*?<\/Signature>/;

  /** What a caller sees of a forwarding (or its error code), and of its verdict. */
  async function seen(forwarded: Promise<ForwardedPackage>) {
    try {
      const f = await forwarded;
      const { splices, size, receivedSize, receivedSha256 } = f;
      const verdict = await f.verify({ trust: rootTrust() }).catch((e: EdxmlError) => e.code);
      return { splices, size, receivedSize, receivedSha256, verdict };
    } catch (error) {
      return { error: (error as EdxmlError).code };
    }
  }

  async function assertSameAsTwoPasses(raw: Buffer, forward: Omit<ForwardOptions, "limits">) {
    const both = await parseAndForwardEdxml(pieces(raw, 4096), { forward });
    assert.deepEqual(both.parsed, await parseEdxml(raw));
    assert.deepEqual(await seen(both.forward()), await seen(forwardEdxml(raw, forward)));
  }

  it("gives what the two passes give, forwarding errors included", async () => {
    const signed = await signEdxml(samplePackage({ attachmentBytes: 50_000 }), rsa);
    const signature = signed.toString("utf8").match(SIGNATURE)![0];
    const status = buildStatus(sampleStatus("01"));
    const inputs: [string, Buffer, Omit<ForwardOptions, "limits">][] = [
      ["signed", signed, { hop, signer: rsa }],
      ["signed, no signer", signed, { hop }],
      ["unsigned", samplePackage({ attachmentBytes: 5000 }), { hop, signer: rsa }],
      [
        "tampered",
        Buffer.from(signed.toString("utf8").replace("<edXML:Subject>", "<edXML:Subject>X")),
        { hop },
      ],
      ["status, hop if present", await signEdxml(status, rsa), { hop, signer: rsa, traceList: "if-present" }],
      // Forwarding errors, found during the pass or at its end: the parse goes on.
      ["status, hop required", status, { hop, signer: rsa }],
      [
        "a second ds:Signature in an attachment",
        Buffer.from(signed.toString("utf8").replace("<Attachment>", `<Attachment>${signature}`)),
        { hop, signer: rsa },
      ],
      [
        "a malformed signature",
        Buffer.from(signed.toString("utf8").replace("<SignatureValue>", "<SignatureValue>!")),
        { hop, signer: rsa },
      ],
    ];
    for (const [name, raw, forward] of inputs) {
      await assertSameAsTwoPasses(raw, forward).catch((error: Error) => {
        error.message = `${name}: ${error.message}`;
        throw error;
      });
    }
  });

  it("throws the parse's error", async () => {
    const raw = samplePackage().subarray(0, 300);
    const code = await parseEdxml(raw).catch((e: EdxmlError) => e.code);
    assert.equal(code, "EDXML_XML_MALFORMED");
    await assert.rejects(
      parseAndForwardEdxml(raw, { forward: { hop } }),
      (e: unknown) => e instanceof EdxmlError && e.code === code,
    );
  });

  it("signs on the first forward() call only", async () => {
    let signatures = 0;
    const counting: Signer = {
      ...rsa,
      sign: (data) => {
        signatures++;
        return rsa.sign(data);
      },
    };
    const both = await parseAndForwardEdxml(samplePackage(), { forward: { hop, signer: counting } });
    assert.equal(signatures, 0);
    assert.equal(await both.forward(), await both.forward());
    assert.equal(signatures, 1);
  });
});
