/**
 * Hostile signatures: every rejection path has a test asserting its code, on the streaming
 * verifier and (where it applies) on the DOM oracle path, which shares the strict rules.
 */
import assert from "node:assert/strict";
import { createPrivateKey, sign as cryptoSign } from "node:crypto";
import { before, describe, it } from "node:test";
import type { TrustCallback } from "@truc/common";
import { verifyEdxmlDom } from "../src/dsig/dom.ts";
import { EdxmlError, signEdxml, verifyEdxml } from "../src/index.ts";
import {
  constantTrust,
  fixtureSigner,
  pemToDer,
  readFixture,
  rootTrust,
  samplePackage,
} from "./fixtures/dsig/helpers.ts";

const SIGNATURE = /<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*?<\/Signature>/;
const b64 = (name: string) => pemToDer(readFixture(`${name}.pem`)).toString("base64");

type Expect = { throws: string } | { status: string; code?: string };
interface Case {
  name: string;
  mutate: (signed: string) => string;
  expect: Expect;
  trust?: TrustCallback;
  /** The DOM path cannot express this case (e.g. the scanner-only checks). */
  fastOnly?: boolean;
}

let signed = "";
let signature = "";
let signedEc = "";

before(async () => {
  signed = (await signEdxml(samplePackage({ attachmentBytes: 30_000 }), fixtureSigner("rsa"))).toString(
    "utf8",
  );
  signature = signed.match(SIGNATURE)![0];
  signedEc = (await signEdxml(samplePackage({ attachmentBytes: 3000 }), fixtureSigner("ec"))).toString(
    "utf8",
  );
});

const without = (s: string) => s.replace(SIGNATURE, "");
const replaceIn = (s: string, from: string | RegExp, to: string) => {
  const out = s.replace(from, to);
  assert.notEqual(out, s, `mutation did not apply: ${String(from)}`);
  return out;
};
const inSignedInfo = (s: string, from: string | RegExp, to: string) => {
  const sig = s.match(SIGNATURE)![0];
  return s.replace(sig, replaceIn(sig, from, to));
};

const cases: Case[] = [
  // --- placement and wrapping
  {
    name: "a second ds:Signature inside an attachment",
    mutate: (s) => replaceIn(s, "<Attachment>", `<Attachment>${signature}`),
    expect: { throws: "EDXML_SIGNATURE_MULTIPLE" },
  },
  {
    name: "signature moved into MessageHeader",
    mutate: (s) => replaceIn(without(s), "<edXML:SteeringType>", `${signature}<edXML:SteeringType>`),
    expect: { throws: "EDXML_SIGNATURE_MISPLACED" },
  },
  {
    name: "signature on the root element",
    mutate: (s) => replaceIn(without(s), "</edXML>\n", `${signature}</edXML>\n`),
    expect: { throws: "EDXML_SIGNATURE_MISPLACED" },
  },
  {
    name: "an element after the signature in edXMLHeader",
    mutate: (s) =>
      replaceIn(s, "</Signature></edXML:edXMLHeader>", "</Signature><edXML:Extra/></edXML:edXMLHeader>"),
    expect: { throws: "EDXML_SIGNATURE_MISPLACED" },
  },
  {
    name: "text after the signature in edXMLHeader",
    mutate: (s) => replaceIn(s, "</Signature></edXML:edXMLHeader>", "</Signature>x</edXML:edXMLHeader>"),
    expect: { throws: "EDXML_SIGNATURE_MISPLACED" },
  },
  {
    name: "Reference URI=#id pointing at a wrapped copy",
    mutate: (s) =>
      replaceIn(
        inSignedInfo(s, 'Reference URI=""', 'Reference URI="#orig"'),
        "<AttachmentEncoded>",
        '<AttachmentEncoded><edXML:MessageHeader Id="orig"/>',
      ),
    expect: { throws: "EDXML_SIGNATURE_REFERENCE" },
  },
  {
    name: "Reference without URI",
    mutate: (s) => inSignedInfo(s, 'Reference URI=""', "Reference"),
    expect: { throws: "EDXML_SIGNATURE_REFERENCE" },
  },
  {
    name: "an extra Reference",
    mutate: (s) => inSignedInfo(s, /(<Reference [\s\S]*?<\/Reference>)/, "$1$1"),
    expect: { throws: "EDXML_SIGNATURE_REFERENCE" },
  },
  {
    name: "two SignedInfo elements (CVE-2025-29774)",
    mutate: (s) => inSignedInfo(s, /(<SignedInfo[\s\S]*?<\/SignedInfo>)/, "$1$1"),
    expect: { throws: "EDXML_SIGNATURE_MALFORMED" },
  },
  {
    name: "a ds:Object carrying content",
    mutate: (s) => replaceIn(s, "</KeyInfo></Signature>", "</KeyInfo><Object><x/></Object></Signature>"),
    expect: { throws: "EDXML_SIGNATURE_MALFORMED" },
  },
  {
    name: "Signature in the edXML namespace (the legacy sample's bug)",
    mutate: (s) =>
      replaceIn(s, '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">', "<Signature>").replace(
        /<(\/?)(SignedInfo|CanonicalizationMethod|SignatureMethod|Reference|Transforms|Transform|DigestMethod|DigestValue|SignatureValue|KeyInfo|X509Data|X509Certificate)([ >])/g,
        "<$1$2$3",
      ),
    expect: { throws: "EDXML_SIGNATURE_MALFORMED" },
    fastOnly: true,
  },
  // --- transforms and algorithms
  {
    name: "an XPath transform",
    mutate: (s) =>
      inSignedInfo(
        s,
        "</Transforms>",
        '<Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><XPath>not(ancestor-or-self::x)</XPath></Transform></Transforms>',
      ),
    expect: { throws: "EDXML_SIGNATURE_TRANSFORM_UNSUPPORTED" },
  },
  {
    name: "an XSLT transform",
    mutate: (s) =>
      inSignedInfo(
        s,
        "</Transforms>",
        '<Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"><xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0"/></Transform></Transforms>',
      ),
    expect: { throws: "EDXML_SIGNATURE_TRANSFORM_UNSUPPORTED" },
  },
  {
    name: "inclusive C14N with comments as the canonicalization method",
    mutate: (s) =>
      inSignedInfo(
        s,
        /<CanonicalizationMethod Algorithm="[^"]*">/,
        '<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments">',
      ),
    expect: { throws: "EDXML_SIGNATURE_TRANSFORM_UNSUPPORTED" },
  },
  {
    name: "exclusive C14N with comments as a transform",
    mutate: (s) =>
      inSignedInfo(
        s,
        '<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></Transform></Transforms>',
        '<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#WithComments"></Transform></Transforms>',
      ),
    expect: { throws: "EDXML_SIGNATURE_TRANSFORM_UNSUPPORTED" },
  },
  {
    name: "exclusive C14N with an InclusiveNamespaces prefix list",
    mutate: (s) =>
      inSignedInfo(
        s,
        '<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></Transform></Transforms>',
        '<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="edXML"/></Transform></Transforms>',
      ),
    expect: { throws: "EDXML_SIGNATURE_TRANSFORM_UNSUPPORTED" },
  },
  {
    name: "no enveloped-signature transform",
    mutate: (s) =>
      inSignedInfo(
        s,
        '<Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></Transform>',
        "",
      ),
    expect: { throws: "EDXML_SIGNATURE_TRANSFORM_UNSUPPORTED" },
  },
  {
    name: "RSA-SHA1 without the legacy policy",
    mutate: (s) =>
      inSignedInfo(
        s,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
      ),
    expect: { throws: "EDXML_SIGNATURE_ALGORITHM_DISALLOWED" },
  },
  {
    name: "a SHA-1 digest without the legacy policy",
    mutate: (s) =>
      inSignedInfo(
        inSignedInfo(s, "http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2000/09/xmldsig#sha1"),
        /<DigestValue>[^<]*/,
        "<DigestValue>2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
      ),
    expect: { throws: "EDXML_SIGNATURE_ALGORITHM_DISALLOWED" },
  },
  {
    name: "HMAC-SHA1 (key confusion)",
    mutate: (s) =>
      inSignedInfo(
        s,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
      ),
    expect: { throws: "EDXML_SIGNATURE_ALGORITHM_UNSUPPORTED" },
  },
  {
    name: "an ECDSA method with an RSA certificate",
    mutate: (s) =>
      inSignedInfo(
        s,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
      ),
    expect: { throws: "EDXML_SIGNATURE_CERTIFICATE" },
  },
  // --- values
  {
    name: "a comment inside DigestValue (CVE-2025-29775)",
    mutate: (s) => inSignedInfo(s, /<DigestValue>([^<]{10})/, "<DigestValue>$1<!-- x -->"),
    expect: { throws: "EDXML_SIGNATURE_MALFORMED" },
  },
  {
    name: "an element inside SignatureValue",
    mutate: (s) => inSignedInfo(s, "<SignatureValue>", "<SignatureValue><x/>"),
    expect: { throws: "EDXML_SIGNATURE_MALFORMED" },
  },
  {
    name: "a non-base64 SignatureValue",
    mutate: (s) => inSignedInfo(s, /<SignatureValue>(.)/, "<SignatureValue>$1%"),
    expect: { throws: "EDXML_SIGNATURE_BASE64" },
  },
  {
    name: "a DigestValue of the wrong length",
    mutate: (s) => inSignedInfo(s, /<DigestValue>[^<]*/, "<DigestValue>AAAA"),
    expect: { throws: "EDXML_SIGNATURE_BASE64" },
  },
  {
    name: "a truncated SignatureValue (still base64)",
    mutate: (s) => inSignedInfo(s, /[A-Za-z0-9+/=]{4}<\/SignatureValue>/, "</SignatureValue>"),
    expect: { status: "invalid", code: "EDXML_SIGNATURE_INVALID" },
  },
  {
    name: "no KeyInfo",
    mutate: (s) => replaceIn(s, /<KeyInfo>[\s\S]*<\/KeyInfo>/, ""),
    expect: { throws: "EDXML_SIGNATURE_CERTIFICATE" },
  },
  {
    name: "KeyInfo certificate swapped for another trusted one",
    mutate: (s) => replaceIn(s, b64("rsa"), b64("other")),
    expect: { status: "invalid", code: "EDXML_SIGNATURE_INVALID" },
  },
  // --- content
  {
    name: "one attachment byte changed",
    mutate: (s) =>
      s.replace(
        /(<edXML:ContentTransferEncoded[^>]*>[A-Za-z0-9+/]{100})([A-Za-z0-9+/])/,
        (_m, head: string, ch: string) => `${head}${ch === "A" ? "B" : "A"}`,
      ),
    expect: { status: "invalid", code: "EDXML_SIGNATURE_DIGEST_MISMATCH" },
  },
  {
    name: "header text changed",
    mutate: (s) => replaceIn(s, "Nguyễn Văn A", "Nguyễn Văn B"),
    expect: { status: "invalid", code: "EDXML_SIGNATURE_DIGEST_MISMATCH" },
  },
  {
    name: "an attribute added to a header element",
    mutate: (s) => replaceIn(s, "<edXML:Subject>", '<edXML:Subject lang="en">'),
    expect: { status: "invalid", code: "EDXML_SIGNATURE_DIGEST_MISMATCH" },
  },
  {
    name: "a DOCTYPE in the signed document",
    mutate: (s) =>
      replaceIn(
        s,
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE edXML>\n',
      ),
    expect: { throws: "EDXML_XML_DTD_FORBIDDEN" },
    fastOnly: true,
  },
  {
    name: "an entity reference in the signed document",
    mutate: (s) => replaceIn(s, "Văn phòng", "&xxe;"),
    expect: { throws: "EDXML_XML_ENTITY_FORBIDDEN" },
    fastOnly: true,
  },
  // --- trust
  {
    name: "trust callback says invalid",
    mutate: (s) => s,
    trust: constantTrust("invalid", "PKI_REVOKED"),
    expect: { status: "invalid", code: "EDXML_SIGNATURE_UNTRUSTED" },
  },
  {
    name: "trust callback says indeterminate",
    mutate: (s) => s,
    trust: constantTrust("indeterminate", "PKI_REVOCATION_UNAVAILABLE"),
    expect: { status: "indeterminate", code: "EDXML_SIGNATURE_TRUST_INDETERMINATE" },
  },
];

async function check(path: "fast" | "dom", c: Case, input: string) {
  const verify = path === "fast" ? verifyEdxml : verifyEdxmlDom;
  const options = { trust: c.trust ?? rootTrust() };
  const promise = verify(Buffer.from(input, "utf8"), options);
  if ("throws" in c.expect) {
    const code = c.expect.throws;
    await assert.rejects(promise, (e: unknown) => {
      assert.ok(EdxmlError.is(e), `${path}: expected EdxmlError ${code}, got ${String(e)}`);
      assert.equal(e.code, code, `${path}: ${e.message}`);
      return true;
    });
  } else {
    const r = await promise;
    assert.equal(r.status, c.expect.status, `${path}: ${r.code}`);
    assert.equal(r.code, c.expect.code, path);
  }
}

describe("hostile signatures", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const input = c.mutate(signed);
      await check("fast", c, input);
      if (!c.fastOnly) await check("dom", c, input);
    });
  }

  it("an attacker's re-signature with an untrusted certificate verifies cryptographically but is untrusted", async () => {
    const forged = await signEdxml(
      Buffer.from(without(signed).replace("Bộ Nội vụ", "Bộ Tài chính"), "utf8"),
      fixtureSigner("rogue"),
    );
    const r = await verifyEdxml(forged, { trust: rootTrust() });
    assert.equal(r.status, "invalid");
    assert.equal(r.code, "EDXML_SIGNATURE_UNTRUSTED");
    assert.equal(r.trust?.reason, "PKI_UNKNOWN_ISSUER");
  });

  it("ECDSA: a DER-encoded signature value (not r||s) is refused", async () => {
    const key = createPrivateKey(readFixture("ec.key"));
    const der = cryptoSign("sha256", Buffer.from("x"), key).toString("base64");
    const input = signedEc.replace(/<SignatureValue>[^<]*/, `<SignatureValue>${der}`);
    const r = await verifyEdxml(Buffer.from(input, "utf8"), { trust: rootTrust() });
    assert.equal(r.code, "EDXML_SIGNATURE_INVALID");
  });

  it("ECDSA: a tampered header fails", async () => {
    const r = await verifyEdxml(Buffer.from(signedEc.replace("Sở X", "Sở Z"), "utf8"), {
      trust: rootTrust(),
    });
    assert.equal(r.code, "EDXML_SIGNATURE_DIGEST_MISMATCH");
  });

  it("a signature in a second edXMLHeader (outside the envelope skeleton) is misplaced", async () => {
    const wrapper = `<edXML:edXMLHeader xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">${signature}</edXML:edXMLHeader>`;
    const moved = replaceIn(without(signed), "<AttachmentEncoded>", `<AttachmentEncoded>${wrapper}`);
    await assert.rejects(
      verifyEdxml(Buffer.from(moved, "utf8"), { trust: rootTrust() }),
      (e: unknown) => EdxmlError.is(e) && e.code === "EDXML_SIGNATURE_MISPLACED",
    );
    const copied = replaceIn(signed, "<AttachmentEncoded>", `<AttachmentEncoded>${wrapper}`);
    await assert.rejects(
      verifyEdxml(Buffer.from(copied, "utf8"), { trust: rootTrust() }),
      (e: unknown) => EdxmlError.is(e) && e.code === "EDXML_SIGNATURE_MULTIPLE",
    );
  });

  it("a signature in the envelope's second edXMLHeader is misplaced", async () => {
    const second = `<edXML:edXMLHeader>${signature}</edXML:edXMLHeader>`;
    const input = replaceIn(without(signed), "<edXML:edXMLBody>", `${second}<edXML:edXMLBody>`);
    for (const verify of [verifyEdxml, verifyEdxmlDom]) {
      await assert.rejects(
        verify(Buffer.from(input, "utf8"), { trust: rootTrust() }),
        (e: unknown) => EdxmlError.is(e) && e.code === "EDXML_SIGNATURE_MISPLACED",
      );
    }
  });

  it("more than 4 MiB of header before the signature is refused, a big unsigned document is not", async () => {
    const filler = `<edXML:Content>${"Nội dung ".repeat(450_000)}</edXML:Content>`;
    const bigHeader = replaceIn(signed, "<edXML:SteeringType>", `${filler}<edXML:SteeringType>`);
    await assert.rejects(
      verifyEdxml(Buffer.from(bigHeader, "utf8"), { trust: rootTrust() }),
      (e: unknown) => EdxmlError.is(e) && e.code === "EDXML_SIGNATURE_TOO_LARGE",
    );
    const unsignedBig = Buffer.from(without(bigHeader), "utf8");
    assert.equal((await verifyEdxml(unsignedBig, { trust: rootTrust() })).status, "unsigned");
    const notEdxml = Buffer.from(`<other>${filler.replace(/edXML:/g, "")}</other>`, "utf8");
    assert.equal((await verifyEdxml(notEdxml, { trust: rootTrust() })).status, "unsigned");
  });
});
