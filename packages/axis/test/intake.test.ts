/**
 * What a node takes in and what it refuses: hostile packages are refused with their code and
 * leave no package row, body, mailbox or outbox row, evidence record or blob behind (only a
 * line in the intake log); signature trust is decided by @truc/pki (CRL revocation,
 * indeterminate under "require" refused) and explained in plain words.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { signEdxml, verifyEdxml } from "@truc/edxml";
import { CertificateValidator, createTrustCallback } from "@truc/pki";
import { describeEachDialect } from "@truc/store/testing";
import { createPemSigner } from "../src/adapters/pem-signer.ts";
import { parseNodeConfig } from "../src/config.ts";
import { type RunningNode, startNode } from "../src/node.ts";
import { call } from "./support/https.ts";
import { edocXml, textOf } from "./support/packages.ts";
import { type Identity, makeTestPki, type TestPki } from "./support/pki.ts";

const KB = 1024;

describeEachDialect("axis: intake (hostile packages, trust diagnostics, streamed uploads)", (ctx) => {
  let pki: TestPki;
  let other: TestPki;
  let node: RunningNode;
  let validator: CertificateValidator;
  let clockOffset = 0;
  const ids = {} as Record<
    "node" | "a" | "b" | "c" | "signerA" | "revoked" | "stranger" | "signerB",
    Identity
  >;
  let seq = 0;
  const docId = (from: string) => `${from},2025/03/05,${String(++seq).padStart(2, "0")}/VP`;

  const send = (who: Identity, body: Buffer, headers: Record<string, string> = {}) =>
    call(node.url, who, pki.caPem, "POST", "/v1/packages", body, headers);
  const sign = (raw: Buffer, who: Identity) => signEdxml(raw, createPemSigner(who.keyPem, who.certPem));

  async function counts() {
    const db = node.context.db.kysely;
    const n = async (
      table:
        | "axis_packages"
        | "axis_bodies"
        | "axis_deliveries"
        | "axis_outbox"
        | "axis_evidence_queue"
        | "axis_intake_log",
    ) =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    let blobs = 0;
    for await (const _ of node.context.blobs.list()) blobs++;
    return {
      packages: await n("axis_packages"),
      bodies: await n("axis_bodies"),
      bodyLogRecords: node.context.bodyLog?.stats.records ?? 0,
      deliveries: await n("axis_deliveries"),
      outbox: await n("axis_outbox"),
      evidence: await n("axis_evidence_queue"),
      blobs,
      intake: await n("axis_intake_log"),
    };
  }

  async function lastIntake() {
    return node.context.db.kysely
      .selectFrom("axis_intake_log")
      .selectAll()
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
  }

  /** Sends, expects a refusal with `code`, and checks that nothing but an intake line was stored. */
  async function refused(who: Identity, body: Buffer, code: string | RegExp, status = 400) {
    const before = await counts();
    const res = await send(who, body);
    assert.equal(res.status, status, JSON.stringify(res.json));
    if (typeof code === "string") assert.equal(res.json.code, code, JSON.stringify(res.json));
    else assert.match(res.json.code, code);
    const afterwards = await counts();
    assert.deepEqual({ ...afterwards, intake: 0 }, { ...before, intake: 0 }, "nothing stored");
    assert.equal(afterwards.intake, before.intake + 1, "one intake line");
    const line = await lastIntake();
    assert.equal(line.outcome, "refused");
    assert.equal(line.code, res.json.code);
    return { res, line };
  }

  before(async () => {
    const root = ctx.dataDir();
    mkdirSync(join(root, "pki"), { recursive: true });
    mkdirSync(join(root, "pki2"), { recursive: true });
    pki = makeTestPki(join(root, "pki"));
    other = makeTestPki(join(root, "pki2"), "truc other CA");
    for (const name of ["node", "a", "b", "c", "signerA", "revoked", "stranger"] as const)
      ids[name] = pki.issue(name);
    // Trusted, but nobody publishes revocation data for this CA: its signatures are indeterminate.
    ids.signerB = other.issue("signer-b");
    validator = new CertificateValidator({
      trustAnchors: [pki.caPem, other.caPem],
      revocation: { crls: [await pki.crl()] },
    });
    const dbConfig = ctx.config();
    const config = parseNodeConfig(
      {
        role: "national",
        nodeId: "n1",
        organId: "000.00.00.G22",
        dataDir: join(root, "node"),
        ...(dbConfig.kind === "postgres" ? { databaseUrl: dbConfig.url } : {}),
        listen: { host: "127.0.0.1", port: 0 },
        // openssl-issued test certificates carry no node/organisation kind policy.
        tls: {
          cert: ids.node.certPem,
          key: ids.node.keyPem,
          ca: [pki.caPem],
          allowUnclassifiedClients: true,
        },
        signature: { default: "verify-if-present", perSender: { "H29.13": "require" }, signForwarded: true },
        limits: {
          maxPackageBytes: 1024 * KB,
          sdkvxpMaxBytes: 256 * KB,
          inMemoryBytes: 64 * KB,
          maxFieldBytes: 8 * KB,
        },
        storage: { inlineMaxBytes: 64 * KB, extractAttachments: "large" },
        masterKey: "44".repeat(32),
        logLevel: "silent",
      },
      { env: {} },
    );
    node = await startNode(config, {
      workers: false,
      trust: createTrustCallback(validator),
      clock: { now: () => new Date(Date.now() + clockOffset) },
    });
    for (const code of ["H29", "H29.12", "H29.13", "H29.20"])
      await node.registerAgency({
        code,
        name: `Cơ quan ${code}`,
        ...(code === "H29" ? {} : { parentCode: "H29" }),
      });
    await node.connectSystem({
      systemId: "sys-a",
      certFingerprint: ids.a.fingerprint,
      agencyCodes: ["H29.12"],
    });
    await node.connectSystem({
      systemId: "sys-b",
      certFingerprint: ids.b.fingerprint,
      agencyCodes: ["H29.13"],
    });
    await node.connectSystem({
      systemId: "sys-c",
      certFingerprint: ids.c.fingerprint,
      agencyCodes: ["H29.20"],
    });
  });
  after(async () => {
    await node?.close();
  });

  const doc = (o: { from?: string; attachmentBytes?: number; subject?: string } = {}) =>
    edocXml({
      from: o.from ?? "H29.12",
      to: ["H29.20"],
      documentId: docId(o.from ?? "H29.12"),
      ...(o.attachmentBytes ? { attachmentBytes: o.attachmentBytes } : {}),
      ...(o.subject ? { subject: o.subject } : {}),
    });

  it("refuses XXE and entity expansion before anything is stored", async () => {
    const xxe = Buffer.from(
      doc()
        .toString("utf8")
        .replace(
          '<?xml version="1.0" encoding="UTF-8"?>',
          '<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        ),
    );
    await refused(ids.a, xxe, "EDXML_XML_DTD_FORBIDDEN");
    const laughs = Buffer.from(
      doc()
        .toString("utf8")
        .replace(
          '<?xml version="1.0" encoding="UTF-8"?>',
          '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>',
        ),
    );
    await refused(ids.a, laughs, "EDXML_XML_DTD_FORBIDDEN");
    const undeclared = doc({ subject: "V/v &lol2; thử" });
    await refused(
      ids.a,
      Buffer.from(undeclared.toString("utf8").replace("&amp;lol2;", "&lol2;")),
      "EDXML_XML_ENTITY_FORBIDDEN",
    );
  });

  it("refuses signature wrapping and tampering after signing", async () => {
    const signed = await sign(doc(), ids.signerA);
    const text = signed.toString("utf8");
    const signature = text.slice(
      text.indexOf("<Signature"),
      text.indexOf("</Signature>") + "</Signature>".length,
    );
    const wrapped = Buffer.from(text.replace("<AttachmentEncoded>", `<AttachmentEncoded>${signature}`));
    await refused(ids.a, wrapped, /^EDXML_SIGNATURE_(MULTIPLE|MISPLACED)$/);
    const tampered = Buffer.from(text.replace("V/v thử nghiệm liên thông", "V/v đã bị sửa"));
    const { res } = await refused(ids.a, tampered, "EDXML_SIGNATURE_DIGEST_MISMATCH");
    assert.ok(res.json.message.vi.length > 0 && res.json.message.en.length > 0);
  });

  it("refuses a manifest that does not match the attachments, with the edXML validation code", async () => {
    const bad = Buffer.from(
      doc()
        .toString("utf8")
        .replace("<edXML:ContentId>cid:a1</edXML:ContentId>", "<edXML:ContentId>cid:zz</edXML:ContentId>"),
    );
    const { res } = await refused(ids.a, bad, "EDXML_INVALID");
    assert.ok(
      res.json.details.issues.some((i: { code: string }) => i.code === "EDXML_V_MANIFEST"),
      JSON.stringify(res.json.details),
    );
  });

  it("refuses attachment names that are paths", async () => {
    const traversal = Buffer.from(doc().toString("utf8").replaceAll("vb.pdf", "../../etc/passwd"));
    await refused(ids.a, traversal, "AXIS_ATTACHMENT_NAME_INVALID");
    const windows = Buffer.from(doc().toString("utf8").replaceAll("vb.pdf", "C:\\Windows\\win.ini"));
    await refused(ids.a, windows, "AXIS_ATTACHMENT_NAME_INVALID");
  });

  it("refuses oversized fields and bodies", async () => {
    await refused(ids.a, doc({ subject: "x".repeat(9 * KB) }), "EDXML_XML_LIMIT_EXCEEDED");
    await refused(ids.a, doc({ attachmentBytes: 800 * KB }), "AXIS_PACKAGE_TOO_LARGE", 413);
    // SDKVXP bodies are buffered: the limit is enforced while reading, before authentication.
    const before = await counts();
    const big = await call(node.url, undefined, pki.caPem, "POST", "/sendEdoc", Buffer.alloc(300 * KB, 0x41));
    assert.equal(big.status, 413);
    assert.equal(big.json.ErrorCode, "AXIS_PACKAGE_TOO_LARGE");
    assert.deepEqual(await counts(), before);
  });

  it("a streamed package that turns out bad late leaves no blob behind", async () => {
    const text = doc({ attachmentBytes: 150 * KB }).toString("utf8");
    const end = text.indexOf("</edXML:ContentTransferEncoded>");
    const corrupt = Buffer.from(`${text.slice(0, end - 8)}!!!!${text.slice(end - 4)}`);
    assert.ok(corrupt.length > 64 * KB, "larger than inMemoryBytes: takes the streaming path");
    await refused(ids.a, corrupt, "EDXML_ATTACHMENT_BASE64");
  });

  it("accepts a validly signed package checked against the CA's CRL", async () => {
    const res = await send(ids.a, await sign(doc(), ids.signerA));
    assert.equal(res.status, 201, JSON.stringify(res.json));
    assert.equal(res.json.signature, "valid");
  });

  it("refuses a revoked signer and says so in plain words", async () => {
    validator.addCrl(await pki.crl([{ serial: ids.revoked.serial, at: new Date(Date.now() - 3600_000) }]));
    const { res, line } = await refused(ids.a, await sign(doc(), ids.revoked), "EDXML_SIGNATURE_UNTRUSTED");
    assert.equal(res.json.details.reason, "PKI_REVOKED");
    const diagnostic = JSON.parse(line.diagnostic!);
    assert.equal(diagnostic.code, "DIAG_CERT_REVOKED");
    assert.match(diagnostic.vi, /thu hồi/);
  });

  it("indeterminate trust: refused under 'require', accepted and flagged under 'verify-if-present'", async () => {
    const { line } = await refused(
      ids.b,
      await sign(doc({ from: "H29.13" }), ids.signerB),
      "EDXML_SIGNATURE_TRUST_INDETERMINATE",
    );
    assert.equal(JSON.parse(line.diagnostic!).code, "DIAG_OCSP_NOT_FRESH");
    const ok = await send(ids.a, await sign(doc(), ids.signerB));
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    assert.equal(ok.json.signature, "indeterminate");
    const row = await node.context.db.kysely
      .selectFrom("axis_packages")
      .select(["signature", "diagnostic"])
      .where("id", "=", ok.json.packageId)
      .executeTakeFirstOrThrow();
    assert.equal(row.signature, "indeterminate");
    assert.equal(JSON.parse(row.diagnostic!)[0].code, "DIAG_OCSP_NOT_FRESH");
    // An unsigned package from a "require" sender is refused too.
    await refused(ids.b, doc({ from: "H29.13" }), "AXIS_SIGNATURE_REQUIRED");
  });

  it("explains an expired certificate and clock skew", async () => {
    const signed = await sign(doc(), ids.signerA);
    clockOffset = 60 * 86_400_000;
    try {
      const { line } = await refused(ids.a, signed, "EDXML_SIGNATURE_UNTRUSTED");
      const d = JSON.parse(line.diagnostic!);
      assert.equal(d.code, "DIAG_CERT_EXPIRED");
      assert.match(d.en, /expired/);
    } finally {
      clockOffset = 0;
    }
    const fresh = pki.issue("fresh-signer");
    const signedFresh = await sign(doc(), fresh);
    clockOffset = -90_000; // this node's clock is 90 s behind the CA's
    try {
      const { line } = await refused(ids.a, signedFresh, "EDXML_SIGNATURE_UNTRUSTED");
      const d = JSON.parse(line.diagnostic!);
      assert.equal(d.code, "DIAG_CLOCK_SKEW");
      assert.match(d.en, /clock skew/);
    } finally {
      clockOffset = 0;
    }
  });

  it("explains a wrong sender and records a duplicate", async () => {
    const { line } = await refused(ids.a, doc({ from: "H29.20" }), "AXIS_SENDER_MISMATCH", 403);
    assert.equal(JSON.parse(line.diagnostic!).code, "DIAG_WRONG_SENDER");
    const body = doc();
    const first = await send(ids.a, body);
    assert.equal(first.status, 201);
    const before = await counts();
    const again = await send(ids.a, body);
    assert.equal(again.status, 200);
    assert.equal(again.json.packageId, first.json.packageId);
    const afterwards = await counts();
    assert.deepEqual({ ...afterwards, intake: 0 }, { ...before, intake: 0 });
    const dup = await lastIntake();
    assert.equal(dup.outcome, "duplicate");
    assert.equal(dup.package_id, first.json.packageId);
    assert.equal(JSON.parse(dup.diagnostic!).code, "DIAG_DUPLICATE");
  });

  it("streams a large package: raw bytes and attachment in the blob store, forwarded with this hop and re-signed", async () => {
    const raw = await sign(doc({ attachmentBytes: 300 * KB }), ids.signerA);
    const before = await counts();
    const res = await send(ids.a, raw);
    assert.equal(res.status, 201, JSON.stringify(res.json));
    const afterwards = await counts();
    assert.equal(afterwards.blobs, before.blobs + 2, "received bytes + the decoded attachment");
    assert.equal(afterwards.bodies, before.bodies, "not inline: larger than storage.inlineMaxBytes");
    const row = await node.context.db.kysely
      .selectFrom("axis_packages")
      .selectAll()
      .where("id", "=", res.json.packageId)
      .executeTakeFirstOrThrow();
    const [attachment] = JSON.parse(row.attachments!);
    assert.deepEqual(await node.context.blobs.read(attachment.sha256), Buffer.alloc(300 * KB, "x"));
    assert.deepEqual(await node.context.blobs.read(row.raw_sha256), raw);

    const got = await call(node.url, ids.c, pki.caPem, "GET", `/v1/packages/${res.json.packageId}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.length, Number(row.fwd_size));
    assert.deepEqual(textOf(got.body, "OrganId").slice(-1), ["000.00.00.G22"], "this hop's TraceHeader");
    const verified = await verifyEdxml(got.body, { trust: createTrustCallback(validator) });
    assert.equal(verified.status, "valid");
    assert.match(verified.certificate!.subject, /CN=node/);
  });
});
