/** The real adapters' own rejections: keyring configuration and keys, signature placement, gateway bindings. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { makeSampleDocument } from "@truc/pdfsign";
import { SoftwareKeyStore } from "@truc/pki";
import { fileKeyring } from "../src/adapters/keyring.ts";
import { pdfSigner } from "../src/adapters/pdf-signer.ts";
import { sdkvxpGateway } from "../src/adapters/sdkvxp-gateway.ts";
import { makeTestPki, SEAL_PNG, SIGNATURE_PNG, type TestPki } from "./support/real.ts";

const codeOf = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return "no error";
};

describe("office adapters", () => {
  let dir: string;
  let pki: TestPki;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "truc-office-adapters-"));
    pki = await makeTestPki(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const at = new Date();
  const signer = { competence: "", position: "Giám đốc", fullName: "Trần Văn Bình" };

  it("signs from a PKCS#12 file and a key store; says which key is missing or unusable", async () => {
    const keys = await pki.provision({
      agencyCode: "H29.20",
      organName: "Sở Công Thương",
      leaders: [{ username: "sct.giamdoc", fullName: signer.fullName }],
      store: "keystore",
    });
    const store = new SoftwareKeyStore(join(dir, "keystore"));
    writeFileSync(join(dir, "org.p12"), await store.exportPkcs12("org-H29.20", "khoá-thử", "p12-pass"));
    const env = { ...pki.env, P12: "p12-pass", WRONG: "sai" };
    const keyring = fileKeyring(
      {
        config: {
          agencies: {
            "H29.20": {
              organisation: {
                source: { kind: "pkcs12", file: "org.p12", passwordEnv: "P12" },
                image: SEAL_PNG,
              },
              people: keys.people,
            },
            "H29.21": {
              organisation: {
                source: { kind: "pkcs12", file: "org.p12", passwordEnv: "WRONG" },
                image: SEAL_PNG,
              },
              people: {
                "x.giamdoc": {
                  source: { kind: "keystore", dir: "keystore", id: "absent" },
                  image: SIGNATURE_PNG,
                },
              },
            },
          },
        },
        baseDir: dir,
      },
      env,
    );
    const documentSigner = pdfSigner({ keyring });
    const pdf = Buffer.from(
      await makeSampleDocument({ competence: "", position: "GIÁM ĐỐC", signerName: signer.fullName }),
    );
    const personal = await documentSigner.signPersonal({
      pdf,
      agencyCode: "H29.20",
      signerUserId: "u1",
      signerUsername: "sct.giamdoc",
      signer,
      at,
    });
    const sealed = await documentSigner.signOrganisation({
      pdf: personal,
      agencyCode: "H29.20",
      organName: "Sở Công Thương",
      code: "12/QĐ-SCT",
      at,
    });
    const report = await pki.validator().validate(sealed, at);
    assert.equal(report.status, "valid");
    assert.deepEqual(
      report.signatures.map((s) => s.kind),
      ["personal", "organisation"],
    );
    const appendix = await documentSigner.signAttachment!({
      pdf,
      agencyCode: "H29.20",
      code: "12/QĐ-SCT",
      at,
    });
    const appendixReport = await pki.validator().validate(appendix, at);
    assert.equal(appendixReport.status, "valid");
    assert.equal(appendixReport.signatures[0]?.kind, "organisation");

    const request = { pdf, signerUserId: "u", signer, at };
    assert.equal(
      await codeOf(
        documentSigner.signPersonal({ ...request, agencyCode: "H29.20", signerUsername: "nobody" }),
      ),
      "OFFICE_SIGNING_KEY_MISSING",
    );
    assert.equal(
      await codeOf(
        documentSigner.signOrganisation({ pdf, agencyCode: "H00", organName: "", code: "1/X", at }),
      ),
      "OFFICE_SIGNING_KEY_MISSING",
    );
    assert.equal(
      await codeOf(
        documentSigner.signPersonal({ ...request, agencyCode: "H29.21", signerUsername: "x.giamdoc" }),
      ),
      "OFFICE_SIGNING_KEY_UNUSABLE",
    );
    assert.equal(
      await codeOf(
        documentSigner.signOrganisation({ pdf, agencyCode: "H29.21", organName: "", code: "1/X", at }),
      ),
      "OFFICE_SIGNING_KEY_UNUSABLE",
    );
    // The signer's name is not in the signature block: no place for the signature image.
    assert.equal(
      await codeOf(
        documentSigner.signPersonal({
          ...request,
          signer: { ...signer, fullName: "Người Khác" },
          agencyCode: "H29.20",
          signerUsername: "sct.giamdoc",
        }),
      ),
      "OFFICE_SIGNATURE_PLACEMENT",
    );
  });

  it("refuses a malformed keyring file with every problem listed", async () => {
    assert.equal(
      await codeOf(() =>
        fileKeyring({
          config: { agencies: { H29: { organisation: { source: { kind: "usb" }, image: "" } } } },
          baseDir: dir,
        }),
      ),
      "OFFICE_INVALID_INPUT",
    );
    assert.equal(await codeOf(() => fileKeyring({ path: join(dir, "absent.json") })), "OFFICE_INVALID_INPUT");
  });

  it("refuses gateway bindings that are empty, duplicated or unknown", async () => {
    assert.equal(
      await codeOf(() => sdkvxpGateway({ endpoint: "http://x", systems: [] })),
      "OFFICE_INVALID_INPUT",
    );
    assert.equal(
      await codeOf(() =>
        sdkvxpGateway({
          endpoint: "http://x",
          systems: [
            { systemId: "a", secret: "s", agencyCodes: ["H29.12"] },
            { systemId: "b", secret: "s", agencyCodes: ["000.00.12.H29"] }, // same agency, legacy form
          ],
        }),
      ),
      "OFFICE_INVALID_INPUT",
    );
    const gateway = sdkvxpGateway({
      endpoint: "http://x",
      systems: [{ systemId: "a", secret: "s", agencyCodes: ["H29.12"] }],
    });
    assert.equal(
      await codeOf(gateway.receive({ agencyCode: "H41.05", kind: "edoc" })),
      "OFFICE_INVALID_INPUT",
    );
  });
});
