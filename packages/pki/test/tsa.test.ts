import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CertificateAuthority,
  CertificateValidator,
  createTsa,
  listen,
  PkiError,
  requestTimestamp,
  TSA_POLICY,
  toPem,
  verifyTimestampToken,
} from "@truc/pki";
import { openssl, tempDir, write } from "./helpers.ts";

describe("time-stamping authority", () => {
  let ca: CertificateAuthority;
  let server: Server;
  let url: string;
  let work: string;

  before(async () => {
    ca = await CertificateAuthority.init({ dir: tempDir(), passphrase: "pw", algorithm: "RSA-2048" });
    work = tempDir();
    const tsa = createTsa({ certificate: ca.tsaCertificate, privateKey: ca.tsaKey(), chain: ca.chain });
    ({ server, url } = await listen(tsa.handler));
  });
  after(() => server.close());

  test("openssl ts -verify accepts our responses to openssl's queries", async () => {
    const data = write(work, "doc.txt", "Quyết định số 28/2018/QĐ-TTg");
    const query = join(work, "q.tsq");
    assert.equal(openssl(["ts", "-query", "-data", data, "-sha256", "-cert", "-out", query]).status, 0);
    const response = await fetch(url, {
      method: "POST",
      body: readFileSync(query),
      headers: { "content-type": "application/timestamp-query" },
    });
    assert.equal(response.headers.get("content-type"), "application/timestamp-reply");
    const reply = write(work, "r.tsr", Buffer.from(await response.arrayBuffer()));
    const text = openssl(["ts", "-reply", "-in", reply, "-text"]);
    assert.match(text.out, /Status: Granted/);
    assert.ok(text.out.includes(TSA_POLICY));
    assert.match(text.out, /Nonce: 0x/);
    const root = write(work, "root.pem", toPem(ca.rootCertificate, "CERTIFICATE"));
    const chain = write(
      work,
      "chain.pem",
      toPem(ca.issuingCertificate, "CERTIFICATE") + toPem(ca.tsaCertificate, "CERTIFICATE"),
    );
    const v = openssl([
      "ts",
      "-verify",
      "-in",
      reply,
      "-queryfile",
      query,
      "-CAfile",
      root,
      "-untrusted",
      chain,
    ]);
    assert.equal(v.status, 0, v.out);
    assert.match(v.out, /Verification: OK/);
    const byData = openssl([
      "ts",
      "-verify",
      "-in",
      reply,
      "-data",
      data,
      "-CAfile",
      root,
      "-untrusted",
      chain,
    ]);
    assert.equal(byData.status, 0, byData.out);
    const other = write(work, "other.txt", "khác");
    assert.notEqual(
      openssl(["ts", "-verify", "-in", reply, "-data", other, "-CAfile", root, "-untrusted", chain]).status,
      0,
    );
  });

  test("the client gets a token that verifies, and whose TSA certificate validates for 'timestamp'", async () => {
    const data = Buffer.from("nội dung cần gắn dấu thời gian");
    const t = await requestTimestamp({ url, data });
    assert.ok(Math.abs(t.genTime.getTime() - Date.now()) < 60_000);
    assert.equal(t.policy, TSA_POLICY);
    assert.ok(t.signerCertificate?.equals(ca.tsaCertificate));
    await verifyTimestampToken(t.token, { data });
    await assert.rejects(
      verifyTimestampToken(t.token, { data: Buffer.from("khác") }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_TIMESTAMP_INVALID",
    );
    const v = new CertificateValidator({
      trustAnchors: [ca.rootCertificate],
      intermediates: [ca.issuingCertificate],
      revocation: { localSource: (c) => ca.status(c.serialNumber) },
    });
    assert.equal(
      (await v.validate({ certificate: t.signerCertificate!, purpose: "timestamp", at: t.genTime })).status,
      "valid",
    );
  });

  test("a tampered token fails its signature check", async () => {
    const data = Buffer.from("x");
    const t = await requestTimestamp({ url, data });
    const tampered = Buffer.from(t.token);
    const sigAt = tampered.length - 20;
    tampered[sigAt]! ^= 0xff;
    await assert.rejects(
      verifyTimestampToken(tampered, { data }),
      (e: unknown) => PkiError.is(e) && (e.code === "PKI_TIMESTAMP_INVALID" || e.code === "PKI_MALFORMED"),
    );
  });

  test("unaccepted policy and malformed requests are rejected with a PKIStatus", async () => {
    assert.equal(
      (await requestTimestamp({ url, data: Buffer.from("x"), policy: TSA_POLICY })).policy,
      TSA_POLICY,
    );
    await assert.rejects(
      requestTimestamp({ url, data: Buffer.from("x"), policy: "1.2.3.4" }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_TSA_REJECTED" && /policy/.test(e.messageEn),
    );
    const r = await fetch(url, { method: "POST", body: Buffer.from("garbage") });
    const reply = write(work, "bad.tsr", Buffer.from(await r.arrayBuffer()));
    assert.match(openssl(["ts", "-reply", "-in", reply, "-text"]).out, /Status: Rejected/);
  });
});
