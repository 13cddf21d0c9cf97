/**
 * Hostile packages at the axis node: each is refused with its stable code and leaves nothing
 * behind (package, mailbox, outbox and evidence row counts unchanged, no new blob file, no
 * file written outside the blob store). Both dialects.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { createPemSigner, type RunningNode } from "@truc/axis";
import { signEdxml } from "@truc/edxml";
import { describeEachDialect } from "@truc/store/testing";
import { nativeCall, type Reply, sendSigned, signSdkvxp } from "../support/http.ts";
import { startSuiteNode } from "../support/nodes.ts";
import { edocXml } from "../support/packages.ts";
import { type Identity, makeSuitePki, type SuitePki } from "../support/pki.ts";

const SIGNED = "H29.12"; // must sign (policy "require")
const PLAIN = "H29.13"; // signature optional
const TO = "H41.05";
const MAX_PACKAGE = 1536 * 1024;

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out.sort();
}

describeEachDialect("security: hostile packages at the axis node", (ctx) => {
  let node: RunningNode;
  let pki: SuitePki;
  let client: Identity;
  let signedBase: Buffer;
  let seq = 0;
  const doc = (from = PLAIN) => `${from},2025/03/05,${++seq}/HOSTILE`;

  before(async () => {
    pki = await makeSuitePki(join(ctx.dataDir(), "pki"));
    client = await pki.node("qlvb-h29");
    node = await startSuiteNode(
      ctx,
      { name: "node", identity: await pki.node("national"), caPems: pki.caPems },
      {
        signature: { default: "verify-if-present", perSender: { [SIGNED]: "require" }, signForwarded: true },
        trust: { crls: await pki.crls() },
        limits: {
          maxPackageBytes: MAX_PACKAGE,
          sdkvxpMaxBytes: MAX_PACKAGE,
          inMemoryBytes: 1024 * 1024,
          maxRecipients: 5,
          requestTimeoutMs: 30_000,
        },
      },
    );
    for (const code of [SIGNED, PLAIN, TO, "H41.06"])
      await node.registerAgency({ code, name: `Đơn vị ${code}` });
    await node.connectSystem({
      systemId: "qlvb-h29",
      secret: "secret-h29",
      certFingerprint: client.fingerprint,
      agencyCodes: [SIGNED, PLAIN],
    });
    const signer = createPemSigner(client.keyPem, client.certPem);
    signedBase = await signEdxml(edocXml({ from: SIGNED, to: [TO], documentId: doc(SIGNED) }), signer);
  });
  after(async () => {
    await node?.close();
  });

  const snapshot = async () => {
    const k = node.context.db.kysely;
    const count = async (
      table:
        | "axis_packages"
        | "axis_bodies"
        | "axis_deliveries"
        | "axis_outbox"
        | "axis_evidence"
        | "axis_evidence_queue",
    ) =>
      Number(
        (
          await k
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    let blobs = 0;
    for await (const _ of node.context.blobs.list()) blobs++;
    return {
      packages: await count("axis_packages"),
      bodies: await count("axis_bodies"),
      deliveries: await count("axis_deliveries"),
      outbox: await count("axis_outbox"),
      evidence: (await count("axis_evidence")) + (await count("axis_evidence_queue")),
      blobs,
      // Records appended to the body log (PostgreSQL's default place for package bytes).
      logged: node.context.bodyLog?.stats.records ?? 0,
      // Every file of the data directory but the database's own: spool files must be gone too.
      files: files(node.config.dataDir).filter((f) => !/\.sqlite(-wal|-shm|-journal)?$/.test(f)),
    };
  };

  const upload = (body: Buffer) => nativeCall(node.url, client, pki.caPems, "POST", "/v1/packages", body);

  /** Sends `body`, expects `status`/`code`, and checks that nothing was stored. */
  const refusedAndNothingStored = async (
    body: Buffer,
    status: number,
    code: string | RegExp,
    send: (b: Buffer) => Promise<Reply> = upload,
  ) => {
    const before = await snapshot();
    const r = await send(body);
    const got = r.json?.code ?? r.json?.ErrorCode;
    if (process.env.TRUC_DEBUG)
      console.log(`DEBUG ${r.status} ${got} ${JSON.stringify(r.json?.details ?? {}).slice(0, 200)}`);
    if (typeof code === "string")
      assert.equal(got, code, `${r.status} ${r.body.toString("utf8").slice(0, 300)}`);
    else assert.match(got ?? "", code, `${r.status} ${r.body.toString("utf8").slice(0, 300)}`);
    assert.equal(r.status, status);
    assert.deepEqual(await snapshot(), before, "nothing stored");
    return r;
  };

  it("control: a well-formed package is accepted (the harness can see a store)", async () => {
    const before = await snapshot();
    const r = await upload(edocXml({ from: PLAIN, to: [TO], documentId: doc() }));
    assert.equal(r.status, 201, r.body.toString("utf8"));
    const after = await snapshot();
    assert.equal(after.packages, before.packages + 1);
    assert.ok(
      after.bodies + after.blobs + after.logged > before.bodies + before.blobs + before.logged,
      "its bytes are stored somewhere",
    );
    const signed = await upload(signedBase);
    assert.equal(signed.status, 201, signed.body.toString("utf8"));
  });

  it("XXE: DOCTYPE with an external entity → EDXML_XML_DTD_FORBIDDEN", async () => {
    await refusedAndNothingStored(
      edocXml({
        from: PLAIN,
        to: [TO],
        documentId: doc(),
        prologue: '<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
        subject: "&xxe;",
      }),
      400,
      "EDXML_XML_DTD_FORBIDDEN",
    );
  });

  it("XXE via a parameter entity and an external DTD → EDXML_XML_DTD_FORBIDDEN", async () => {
    await refusedAndNothingStored(
      edocXml({
        from: PLAIN,
        to: [TO],
        documentId: doc(),
        prologue:
          '<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/evil.dtd" [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]>\n',
      }),
      400,
      "EDXML_XML_DTD_FORBIDDEN",
    );
  });

  it("entity expansion (billion laughs) → EDXML_XML_DTD_FORBIDDEN", async () => {
    const lol = ['<!ENTITY l0 "lol">'];
    for (let i = 1; i <= 9; i++) lol.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
    await refusedAndNothingStored(
      edocXml({
        from: PLAIN,
        to: [TO],
        documentId: doc(),
        prologue: `<!DOCTYPE edXML [${lol.join("")}]>\n`,
        subject: "&l9;",
      }),
      400,
      "EDXML_XML_DTD_FORBIDDEN",
    );
  });

  it("an undeclared entity reference in a field → EDXML_XML_ENTITY_FORBIDDEN", async () => {
    await refusedAndNothingStored(
      edocXml({ from: PLAIN, to: [TO], documentId: doc(), subject: "V/v &nbsp; thử" }),
      400,
      "EDXML_XML_ENTITY_FORBIDDEN",
    );
  });

  it("signature wrapping: signed package, recipient changed afterwards → EDXML_SIGNATURE_DIGEST_MISMATCH", async () => {
    const forged = Buffer.from(
      signedBase
        .toString("utf8")
        .replace(`<edXML:OrganId>${TO}</edXML:OrganId>`, "<edXML:OrganId>H41.06</edXML:OrganId>"),
    );
    assert.notDeepEqual(forged, signedBase);
    await refusedAndNothingStored(forged, 400, "EDXML_SIGNATURE_DIGEST_MISMATCH");
  });

  it("signature wrapping: a forged header placed before the signed one → EDXML_SIGNATURE_MISPLACED", async () => {
    const text = signedBase.toString("utf8");
    const header = text.slice(text.indexOf("<edXML:edXMLHeader>"), text.indexOf("</edXML:edXMLHeader>") + 20);
    const forgedHeader = header
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>|<Signature[\s\S]*<\/Signature>/, "")
      .replace(`<edXML:OrganId>${TO}</edXML:OrganId>`, "<edXML:OrganId>H41.06</edXML:OrganId>");
    const forged = Buffer.from(text.replace("<edXML:edXMLHeader>", `${forgedHeader}<edXML:edXMLHeader>`));
    await refusedAndNothingStored(forged, 400, "EDXML_SIGNATURE_MISPLACED");
  });

  it("signature wrapping: the signature of one package on another's content → EDXML_SIGNATURE_DIGEST_MISMATCH", async () => {
    const text = signedBase.toString("utf8");
    const sig = /<(?:ds:)?Signature[\s>][\s\S]*<\/(?:ds:)?Signature>/.exec(text)![0];
    const other = edocXml({ from: SIGNED, to: ["H41.06"], documentId: doc(SIGNED) }).toString("utf8");
    const forged = Buffer.from(other.replace("</edXML:edXMLHeader>", `${sig}</edXML:edXMLHeader>`));
    await refusedAndNothingStored(forged, 400, "EDXML_SIGNATURE_DIGEST_MISMATCH");
  });

  it("a package from a sender that must sign, unsigned → AXIS_SIGNATURE_REQUIRED", async () => {
    await refusedAndNothingStored(
      edocXml({ from: SIGNED, to: [TO], documentId: doc(SIGNED) }),
      400,
      "AXIS_SIGNATURE_REQUIRED",
    );
  });

  it("mismatched manifest (manifest names cid:a1, attachment is cid:zz) → EDXML_INVALID with EDXML_V_MANIFEST", async () => {
    const r = await refusedAndNothingStored(
      edocXml({ from: PLAIN, to: [TO], documentId: doc(), attachmentContentId: "cid:zz" }),
      400,
      "EDXML_INVALID",
    );
    assert.ok(
      (r.json.details.issues as { code: string }[]).some((i) => i.code === "EDXML_V_MANIFEST"),
      JSON.stringify(r.json.details),
    );
  });

  it("path traversal in an attachment name (POSIX and Windows forms) → AXIS_ATTACHMENT_NAME_INVALID", async () => {
    for (const name of ["../../../../tmp/truc-pwned.pdf", "..\\..\\truc-pwned.pdf", "/etc/passwd"])
      await refusedAndNothingStored(
        edocXml({ from: PLAIN, to: [TO], documentId: doc(), attachmentName: name }),
        400,
        "AXIS_ATTACHMENT_NAME_INVALID",
      );
  });

  it("whatever the codec decides on traversal names, no file is ever written outside the data directory", async () => {
    const target = join(node.config.dataDir, "..", "truc-pwned.pdf");
    await upload(edocXml({ from: PLAIN, to: [TO], documentId: doc(), attachmentName: "../truc-pwned.pdf" }));
    await upload(
      edocXml({ from: PLAIN, to: [TO], documentId: doc(), attachmentName: "..\\..\\truc-pwned.pdf" }),
    );
    assert.equal(existsSync(target), false);
    assert.equal(existsSync(join(node.config.dataDir, "blobs", "..", "truc-pwned.pdf")), false);
  });

  it("oversized field (a 1.1 MiB Subject: over maxFieldBytes, under the package limit) → EDXML_XML_LIMIT_EXCEEDED", async () => {
    const r = await refusedAndNothingStored(
      edocXml({ from: PLAIN, to: [TO], documentId: doc(), subject: "a".repeat(1100 * 1024) }),
      400,
      "EDXML_XML_LIMIT_EXCEEDED",
    );
    assert.equal(r.json.details.limit, "maxFieldBytes");
  });

  it("too many recipients (6 > maxRecipients 5) → AXIS_PACKAGE_INVALID", async () => {
    await refusedAndNothingStored(
      edocXml({
        from: PLAIN,
        to: ["H41.05", "H41.06", "H41.07", "H41.08", "H41.09", "H41.10"],
        documentId: doc(),
      }),
      400,
      "AXIS_PACKAGE_INVALID",
    );
  });

  it("deep nesting (10 000 levels) → EDXML_XML_LIMIT_EXCEEDED", async () => {
    const deep = `${"<x>".repeat(10_000)}${"</x>".repeat(10_000)}`;
    const r = await refusedAndNothingStored(
      edocXml({ from: PLAIN, to: [TO], documentId: doc(), headerExtra: deep }),
      400,
      "EDXML_XML_LIMIT_EXCEEDED",
    );
    assert.equal(r.json.details.limit, "maxDepth");
  });

  it("oversized body (over maxPackageBytes) → 413 AXIS_PACKAGE_TOO_LARGE, on both APIs", async () => {
    const big = edocXml({ from: PLAIN, to: [TO], documentId: doc(), attachmentBytes: MAX_PACKAGE });
    assert.ok(big.length > MAX_PACKAGE + 4096);
    await refusedAndNothingStored(big, 413, "AXIS_PACKAGE_TOO_LARGE");
    await refusedAndNothingStored(big, 413, "AXIS_PACKAGE_TOO_LARGE", (b) =>
      sendSigned(
        signSdkvxp(node.url, "POST", "/sendEdoc", {
          systemId: "qlvb-h29",
          secret: "secret-h29",
          params: { from: PLAIN, servicetype: "eDoc", messagetype: "edoc" },
          file: b,
        }),
        pki.caPems,
      ),
    );
  });

  it("just over the limit (limit + 1 byte, inside the HTTP allowance) → AXIS_PACKAGE_TOO_LARGE", async () => {
    const base = edocXml({ from: PLAIN, to: [TO], documentId: doc(), attachmentBytes: 1000 });
    const pad = MAX_PACKAGE + 1 - base.length;
    const body = Buffer.concat([base, Buffer.alloc(pad, " ")]);
    assert.equal(body.length, MAX_PACKAGE + 1);
    await refusedAndNothingStored(body, 413, "AXIS_PACKAGE_TOO_LARGE");
  });

  it("not XML, truncated XML, empty body, invalid UTF-8 → EDXML_XML_* / AXIS_PACKAGE_EMPTY", async () => {
    await refusedAndNothingStored(Buffer.from("%PDF-1.7 not xml"), 400, "EDXML_XML_MALFORMED");
    const whole = edocXml({ from: PLAIN, to: [TO], documentId: doc() });
    await refusedAndNothingStored(whole.subarray(0, whole.length - 40), 400, /^EDXML_XML_[A-Z_]+$/);
    await refusedAndNothingStored(
      Buffer.alloc(0),
      400,
      /^AXIS_(PACKAGE_EMPTY|PACKAGE_INVALID|REQUEST_INVALID)$/,
    );
    const bad = Buffer.from(edocXml({ from: PLAIN, to: [TO], documentId: doc(), subject: "SUBJ" }));
    const at = bad.indexOf("SUBJ");
    bad[at] = 0xff;
    bad[at + 1] = 0xfe;
    await refusedAndNothingStored(bad, 400, /^EDXML_XML_[A-Z_]+$/);
  });
});
