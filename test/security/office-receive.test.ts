/**
 * Hostile packages at the office receive loop: each is delivered through the office's
 * in-memory axis double, must be acknowledged as failed with its code recorded, and must not
 * become an incoming document. The table is printed at the end of each run.
 */
import assert from "node:assert/strict";
import { before, it } from "node:test";
import { describeEachDialect } from "@truc/store/testing";
import { receiveAll } from "../../packages/office/src/services/receive-messages.ts";
import { makeWorld, printTable, RecordingAxis, type World } from "../support/office.ts";
import { edocXml } from "../support/packages.ts";

describeEachDialect("security: hostile packages at the office receive loop", (ctx) => {
  let w: World;
  let axis: RecordingAxis;
  let seq = 0;
  const rows: string[][] = [];
  const doc = () => `${w.a.code},2025/03/05,${++seq}/HOSTILE`;
  const base = () => ({ from: w.a.code, to: [w.b.code], documentId: doc() });

  before(async () => {
    axis = new RecordingAxis();
    w = await makeWorld(ctx, { gateway: axis });
  });

  const incomingCount = async () =>
    Number(
      (
        await w.deps.db.kysely
          .selectFrom("office_incoming")
          .select((e) => e.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** Delivers `bytes` to agency B, runs the receive loop, checks fail-ack, recorded code, nothing stored. */
  const refused = async (name: string, bytes: Buffer, code: string | RegExp) => {
    const id = `hostile-${++seq}`;
    const before = await incomingCount();
    axis.deliver(w.b.code, "edoc", { id, bytes });
    await receiveAll(w.deps);
    const ack = axis.acks.find((a) => a.id === id);
    const seen = await w.deps.db.kysely
      .selectFrom("office_inbox_seen")
      .select(["outcome", "detail"])
      .where("axis_message_id", "=", id)
      .executeTakeFirst();
    rows.push([name, ack?.outcome ?? "(no ack)", String(seen?.outcome), String(seen?.detail ?? "")]);
    assert.equal(ack?.outcome, "fail", `${name}: acknowledged as failed`);
    assert.equal(seen?.outcome, "invalid");
    if (typeof code === "string") assert.equal(seen?.detail, code, name);
    else assert.match(String(seen?.detail), code, name);
    assert.equal(await incomingCount(), before, `${name}: nothing stored as a document`);
  };

  it("control: a well-formed package becomes an incoming document", async () => {
    const before = await incomingCount();
    axis.deliver(w.b.code, "edoc", { id: "control-1", bytes: edocXml(base()) });
    await receiveAll(w.deps);
    assert.equal(axis.acks.find((a) => a.id === "control-1")?.outcome, "done");
    assert.equal(await incomingCount(), before + 1);
  });

  it("XXE (external entity, parameter entity) → EDXML_XML_DTD_FORBIDDEN", async () => {
    await refused(
      "XXE external entity",
      edocXml({
        ...base(),
        prologue: '<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
        subject: "&xxe;",
      }),
      "EDXML_XML_DTD_FORBIDDEN",
    );
    await refused(
      "XXE parameter entity",
      edocXml({
        ...base(),
        prologue:
          '<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/evil.dtd" [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]>\n',
      }),
      "EDXML_XML_DTD_FORBIDDEN",
    );
  });

  it("entity expansion (billion laughs, undeclared entity) → EDXML_XML_*", async () => {
    const lol = ['<!ENTITY l0 "lol">'];
    for (let i = 1; i <= 9; i++) lol.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
    await refused(
      "billion laughs",
      edocXml({ ...base(), prologue: `<!DOCTYPE edXML [${lol.join("")}]>\n`, subject: "&l9;" }),
      "EDXML_XML_DTD_FORBIDDEN",
    );
    await refused(
      "undeclared entity",
      edocXml({ ...base(), subject: "V/v &nbsp; thử" }),
      "EDXML_XML_ENTITY_FORBIDDEN",
    );
  });

  it("mismatched manifest (cid:a1 named, cid:zz attached) → refused", async () => {
    await refused(
      "mismatched manifest",
      edocXml({ ...base(), attachmentContentId: "cid:zz" }),
      /^(EDXML_INVALID|OFFICE_PACKAGE_INVALID)$/,
    );
  });

  it("path traversal in attachment names → refused", async () => {
    for (const name of ["../../../../tmp/truc-pwned.pdf", "..\\..\\truc-pwned.pdf", "/etc/passwd"])
      await refused(`attachment name ${name}`, edocXml({ ...base(), attachmentName: name }), /^[A-Z_]+$/);
  });

  it("oversized field (1.1 MiB Subject) and deep nesting → EDXML_XML_LIMIT_EXCEEDED", async () => {
    await refused(
      "oversized Subject",
      edocXml({ ...base(), subject: "a".repeat(1100 * 1024) }),
      "EDXML_XML_LIMIT_EXCEEDED",
    );
    const deep = `${"<x>".repeat(10_000)}${"</x>".repeat(10_000)}`;
    await refused("deep nesting", edocXml({ ...base(), headerExtra: deep }), "EDXML_XML_LIMIT_EXCEEDED");
  });

  it("signature wrapping: a signature over other content → refused", async () => {
    const sig =
      '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:Reference URI=""><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>';
    const text = edocXml(base())
      .toString("utf8")
      .replace("</edXML:edXMLHeader>", `${sig}</edXML:edXMLHeader>`);
    await refused("signature wrapping", Buffer.from(text), /^EDXML_SIGNATURE_/);
  });

  it("prints the table", () => {
    printTable(
      `office receive loop × hostile packages (${ctx.dialect})`,
      ["package", "ack", "inbox", "code"],
      rows,
    );
  });
});
