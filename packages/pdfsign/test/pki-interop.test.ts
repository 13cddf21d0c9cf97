import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CertificateAuthority, createSoftwareSigner } from "@truc/pki";
import { makeSampleDocument, signPdf, verifyPdf } from "../src/index.ts";
import { extractSignatures, opensslCmsVerify, pdfsig } from "./helpers/oracles.ts";

const assets = join(import.meta.dirname, "..", "assets");

test("certificates from @truc/pki: leader then organisation, kinds read from the profile's policy OIDs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "truc-pdf-ca-"));
  const ca = await CertificateAuthority.init({ dir, passphrase: "thử-nghiệm", algorithm: "RSA-2048" });
  const leader = await ca.issue({
    profile: "personal-leader",
    subject: "C=VN, L=Thử Nghiệm, O=UBND tỉnh Thử Nghiệm, CN=Nguyễn Văn An",
  });
  const body = await ca.issue({
    profile: "organisation-outgoing",
    subject: "C=VN, L=Thử Nghiệm, O=UBND tỉnh Thử Nghiệm, CN=Ủy ban nhân dân tỉnh Thử Nghiệm",
  });
  const signer = (c: typeof leader) => createSoftwareSigner(c.privateKey!, c.certificate, c.chain);
  const personal = await signPdf(await makeSampleDocument(), {
    signer: signer(leader),
    appearance: { kind: "personal", image: new Uint8Array(readFileSync(join(assets, "signature-blue.png"))) },
  });
  const issued = await signPdf(personal.bytes, {
    signer: signer(body),
    appearance: { kind: "organisation", image: new Uint8Array(readFileSync(join(assets, "seal-red.png"))) },
  });
  const report = await verifyPdf(issued.bytes, { trust: async () => ({ status: "valid" }) });
  assert.equal(report.verdict, "valid");
  // The organisation CN is in normal case here: only the policy OID can tell.
  assert.deepEqual(
    report.signatures.map((s) => [s.kind, s.kindSource]),
    [
      ["personal", "policy"],
      ["organisation", "policy"],
    ],
  );
  const caFile = join(dir, "public", "root.crt");
  for (const s of extractSignatures(issued.bytes)) {
    const r = opensslCmsVerify(s, caFile, ["-certfile", join(dir, "public", "ca.crt")]);
    assert.equal(r.status, 0, r.out);
  }
  assert.equal((pdfsig(issued.bytes).out.match(/Signature is Valid/g) ?? []).length, 2);
});
