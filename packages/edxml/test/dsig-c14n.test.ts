/**
 * Property test: the streaming canonicaliser (fast path) gives the same digest as xml-crypto's
 * DOM canonicalisers, exclusive and inclusive, on generated awkward documents, whole or fed in
 * random chunks. Processing instructions are left out: xml-crypto renders a PI inside an
 * element as its bare data (a bug); PIs are covered by the xmlsec1 interop test instead.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { domDocumentDigest } from "../src/dsig/dom.ts";
import { canonicalDigest } from "../src/dsig/engine.ts";
import { samplePackage } from "./fixtures/dsig/helpers.ts";

const NAMESPACES = ["urn:a", "urn:b", "http://www.mic.gov.vn/TBT/QCVN_102_2016", "urn:x?q=1"];
const PREFIXES = ["a", "b", "edXML", "p1"];
const LOCAL = ["r", "e", "Attachment", "Tên", "x-y", "z.1"];
const TEXT_PIECES = [
  "Việt Nam",
  " ",
  "\t",
  "\n",
  "&amp;",
  "&lt;",
  "&gt;",
  ">",
  "&#13;",
  "&#xD;&#xA;",
  "\r\n",
  "&quot;'\"",
  "&#x1F600;",
  "[x]",
  "JVBERi0xLjcK+/=",
  "Ư ơ ữ",
];
const ATTR_PIECES = [
  "v",
  " ",
  "\t",
  "\n",
  "&#9;",
  "&#10;",
  "&#13;",
  "&amp;",
  "&lt;",
  ">",
  "&quot;",
  "'",
  "Đ",
  "\r\n",
];

interface Scope {
  prefixes: Set<string>;
}

type Gen = fc.Arbitrary<string>;

const text: Gen = fc.array(fc.constantFrom(...TEXT_PIECES), { maxLength: 6 }).map((p) => p.join(""));
const cdata: Gen = fc
  .array(fc.constantFrom("<", "&", ">", "]", "x", "Việt", "\r\n", "\t", "&amp;"), { maxLength: 6 })
  .map((p) => `<![CDATA[${p.join("").replace(/]]>/g, "")}]]>`)
  .filter((s) => !s.slice(9, -3).includes("]]>") && !s.slice(9, -3).endsWith("]"));
const comment: Gen = fc.constantFrom("<!-- c -->", "<!--Việt-->", "<!---->");
const attrValue: Gen = fc.array(fc.constantFrom(...ATTR_PIECES), { maxLength: 4 }).map((p) => p.join(""));

function element(depth: number, scope: Scope): fc.Arbitrary<string> {
  return fc
    .record({
      declare: fc.array(fc.tuple(fc.constantFrom(...PREFIXES), fc.constantFrom(...NAMESPACES)), {
        maxLength: 2,
      }),
      defaultNs: fc.option(fc.constantFrom("", ...NAMESPACES), { nil: undefined }),
      usePrefix: fc.option(fc.constantFrom(...PREFIXES), { nil: undefined }),
      local: fc.constantFrom(...LOCAL),
      attrs: fc.array(
        fc.tuple(
          fc.option(fc.constantFrom(...PREFIXES), { nil: undefined }),
          fc.constantFrom("id", "b", "a", "Z", "ý"),
          attrValue,
        ),
        { maxLength: 4 },
      ),
      quote: fc.constantFrom('"', "'"),
      empty: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1_000_000 }),
    })
    .chain((e) => {
      const declared = new Map<string, string>();
      for (const [p, u] of e.declare) declared.set(p, u);
      const inScope = new Set([...scope.prefixes, ...declared.keys()]);
      const prefix = e.usePrefix && inScope.has(e.usePrefix) ? e.usePrefix : undefined;
      const qname = prefix ? `${prefix}:${e.local}` : e.local;
      const seen = new Set<string>();
      const attrs: string[] = [];
      for (const [p, local, value] of e.attrs) {
        // A prefixed attribute needs its prefix in scope, and {ns}local must be unique: use one
        // prefix per local name at most.
        const usable = p && inScope.has(p) ? p : undefined;
        const key = local;
        if (seen.has(key)) continue;
        seen.add(key);
        const v = e.quote === '"' ? value.replace(/"/g, "&quot;") : value.replace(/'/g, "&apos;");
        attrs.push(`${usable ? `${usable}:` : ""}${local}=${e.quote}${v}${e.quote}`);
      }
      const decls = [
        ...(e.defaultNs !== undefined ? [`xmlns="${e.defaultNs.replace(/&(?!amp;)/g, "&amp;")}"`] : []),
        ...[...declared].map(([p, u]) => `xmlns:${p}="${u}"`),
      ];
      // Shuffle declarations and attributes together (canonical order must not depend on it).
      const all = [...decls, ...attrs];
      for (let i = all.length - 1; i > 0; i--) {
        const j = (e.seed + i * 7919) % (i + 1);
        [all[i], all[j]] = [all[j]!, all[i]!];
      }
      const open = `<${qname}${all.map((a) => ` ${a}`).join("")}`;
      if (e.empty || depth <= 0) return fc.constant(`${open}/>`);
      const childScope: Scope = { prefixes: inScope };
      return fc
        .array(fc.oneof({ weight: 3, arbitrary: text }, cdata, comment, element(depth - 1, childScope)), {
          maxLength: 4,
        })
        .map((children) => `${open}>${children.join("")}</${qname}>`);
    });
}

const documents = element(4, { prefixes: new Set() }).map(
  (root) => `<?xml version="1.0" encoding="UTF-8"?>\n<!-- before -->\n${root}\n<!-- after -->\n`,
);

function split(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(buf.subarray(last, p));
    last = p;
  }
  out.push(buf.subarray(last));
  return out;
}

describe("streaming C14N = xml-crypto C14N", () => {
  for (const mode of ["exc-c14n", "c14n"] as const) {
    it(`${mode}: generated documents, whole and chunked`, () => {
      fc.assert(
        fc.property(documents, fc.array(fc.nat(), { maxLength: 6 }), (xml, cuts) => {
          const raw = Buffer.from(xml, "utf8");
          const expected = domDocumentDigest(raw, mode).toString("hex");
          assert.equal(canonicalDigest(raw, mode).toString("hex"), expected, xml);
          assert.equal(canonicalDigest(split(raw, cuts), mode).toString("hex"), expected, xml);
        }),
        { seed: 20250305, numRuns: 400 },
      );
    });
  }

  it("an edXML package with a large attachment, and byte mutations of it that stay well-formed", () => {
    const pkg = samplePackage({ attachmentBytes: 200_000, traces: 3 });
    for (const mode of ["exc-c14n", "c14n"] as const) {
      assert.equal(canonicalDigest(pkg, mode).toString("hex"), domDocumentDigest(pkg, mode).toString("hex"));
    }
    const text = pkg.toString("utf8");
    const mutations: [string, string][] = [
      ["<edXML:Subject>", '<edXML:Subject xmlns:u="urn:unused" z="1" a="&#9;>">'],
      ["Nguyễn Văn A", "Nguyễn Văn A &#13;\t<![CDATA[ <&> ]]>"],
      ["<edXML:Priority>0</edXML:Priority>", "<edXML:Priority/>"],
      ['edXMLManifest version="1.0"', 'edXMLManifest version=\'1.0\' xmlns:q="urn:q" q:b="2" q:a="1"'],
      ["<AttachmentEncoded>", '<AttachmentEncoded xmlns="">'],
    ];
    for (const [from, to] of mutations) {
      const mutated = Buffer.from(text.replace(from, to), "utf8");
      for (const mode of ["exc-c14n", "c14n"] as const) {
        assert.equal(
          canonicalDigest(mutated, mode).toString("hex"),
          domDocumentDigest(mutated, mode).toString("hex"),
          `${mode}: ${to}`,
        );
      }
    }
  });
});
