/**
 * Tenant isolation of the office web API: every user of agency A tries to list, read,
 * download, act on, export and search agency B's documents, people and case files. Each
 * attempt must answer 404 (or 403 where A's role may not even try) or a list without B's data.
 * The table is printed at the end of each run.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { describeEachDialect } from "@truc/store/testing";
import type { FastifyInstance } from "fastify";
import { createCaseFile } from "../../packages/office/src/services/create-case-file.ts";
import { createDraft } from "../../packages/office/src/services/create-draft.ts";
import { registerIncoming } from "../../packages/office/src/services/register-incoming.ts";
import {
  buildOfficeApp,
  incomingAtB,
  issueFromA,
  makeWorld,
  ORIGIN,
  officeClient,
  PASSWORD,
  printTable,
  sync,
  type World,
} from "../support/office.ts";

describeEachDialect("security: office tenant isolation", (ctx) => {
  let w: World;
  let app: FastifyInstance;
  let client: ReturnType<typeof officeClient>;
  const names: Record<string, string> = {};
  let bIncoming = "";
  let bDraft = "";
  let bCase = "";
  const SECRET_SUBJECT = "Bí mật riêng của Bộ Nội vụ zqxw";

  before(async () => {
    w = await makeWorld(ctx);
    app = buildOfficeApp(w.deps, { origin: ORIGIN, flushAfterChange: false });
    client = officeClient(app);
    for (const p of await w.deps.db.kysely.selectFrom("office_users").select(["id", "username"]).execute())
      names[p.id as string] = p.username as string;
    const issued = await issueFromA(w, "Công văn gửi Bộ");
    await sync(w);
    const inc = await incomingAtB(w, issued.documentId as string);
    bIncoming = inc.id;
    await registerIncoming(w.deps, w.b.clerk, { incomingId: bIncoming });
    bDraft = (
      await createDraft(w.deps, w.b.specialist, { typeCode: "CV", subject: SECRET_SUBJECT, recipients: [] })
    ).id;
    bCase = (
      await createCaseFile(w.deps, w.b.clerk, {
        fileNotation: "BNV-01",
        title: SECRET_SUBJECT,
        retentionYears: 5,
      })
    ).id;
  });
  after(async () => {
    await app.close();
  });

  it("A's users never reach B's documents, people or case files", async () => {
    const bIds = () => [bIncoming, bDraft, bCase, w.b.clerk.userId, w.b.unitId, w.b.agencyId];
    const attempts: [string, "GET" | "POST" | "DELETE", string, unknown?][] = [
      ["read B incoming", "GET", `/api/incoming/${bIncoming}`],
      ["B incoming history", "GET", `/api/incoming/${bIncoming}/history`],
      ["download B attachment", "GET", `/api/incoming/${bIncoming}/attachments/0`],
      ["download B package", "GET", `/api/incoming/${bIncoming}/package`],
      ["export B incoming", "GET", `/api/incoming/${bIncoming}/export`],
      ["register B incoming", "POST", `/api/incoming/${bIncoming}/register`],
      ["assign B incoming", "POST", `/api/incoming/${bIncoming}/assign`, { userId: w.a.specialist.userId }],
      ["process B incoming", "POST", `/api/incoming/${bIncoming}/process`],
      ["complete B incoming", "POST", `/api/incoming/${bIncoming}/complete`, {}],
      ["reject B incoming", "POST", `/api/incoming/${bIncoming}/reject`, { reason: "x" }],
      ["answer B incoming", "POST", `/api/incoming/${bIncoming}/answer`, { accept: true }],
      ["print B attachment", "POST", `/api/incoming/${bIncoming}/attachments/0/print`],
      ["read B draft", "GET", `/api/outgoing/${bDraft}`],
      ["B draft file", "GET", `/api/outgoing/${bDraft}/file`],
      ["B draft history", "GET", `/api/outgoing/${bDraft}/history`],
      ["B draft validation", "GET", `/api/outgoing/${bDraft}/validation`],
      ["export B draft", "GET", `/api/outgoing/${bDraft}/export`],
      ["sign B draft", "POST", `/api/outgoing/${bDraft}/sign`, {}],
      ["submit B draft", "POST", `/api/outgoing/${bDraft}/submit`, { reviewerIds: [w.a.deputy.userId] }],
      ["revoke B draft", "POST", `/api/outgoing/${bDraft}/revoke`, { reason: "x" }],
      ["read B case file", "GET", `/api/case-files/${bCase}`],
      ["export B case file", "GET", `/api/case-files/${bCase}/export`],
      ["close B case file", "POST", `/api/case-files/${bCase}/close`],
      [
        "file into B case file",
        "POST",
        `/api/case-files/${bCase}/documents`,
        { direction: "incoming", documentId: bIncoming },
      ],
      [
        "delegate to B user",
        "POST",
        `/api/users/${w.b.leader.userId}/delegations`,
        {
          kind: "KT.",
          forTitle: "GIÁM ĐỐC",
          validFrom: "2025-01-01T00:00:00Z",
          validTo: "2025-12-31T00:00:00Z",
        },
      ],
      [
        "B user in A's user",
        "POST",
        "/api/users",
        {
          username: `tenant.x${Date.now() % 100000}`,
          fullName: "X",
          position: "Y",
          password: "mật-khẩu-dài-đủ",
          roles: ["van_thu"],
          unitId: w.b.unitId,
        },
      ],
    ];
    const lists = [
      "/api/incoming",
      "/api/outgoing",
      `/api/search?q=${encodeURIComponent("zqxw")}`,
      `/api/search?q=${encodeURIComponent("Bí mật riêng")}`,
      "/api/people",
      "/api/case-files",
      "/api/registers/incoming?year=2025",
      "/api/registers/outgoing?year=2025",
      "/api/overdue",
      "/api/reminders",
      "/api/audit",
      "/api/retention/expired?on=2200-01-01",
    ];
    const rows: string[][] = [];
    const wrong: string[] = [];
    for (const who of ["clerk", "leader", "specialist", "admin"] as const) {
      const s = await client.signIn(names[w.a[who].userId]!, PASSWORD);
      for (const [name, method, url, body] of attempts) {
        const r = await client.call(method, url, { session: s, ...(body ? { body } : {}) });
        const ok =
          (r.status === 404 && r.code === "OFFICE_NOT_FOUND") ||
          (r.status === 403 && r.code === "OFFICE_FORBIDDEN");
        if (!ok) wrong.push(`${who} ${name}: ${r.status} ${r.code}`);
        rows.push([who, name, `${r.status} ${r.code ?? ""}`]);
      }
      for (const url of lists) {
        const r = await client.call("GET", url, { session: s });
        const leaked =
          bIds().some((id) => r.body.includes(id)) ||
          r.body.includes(SECRET_SUBJECT) ||
          r.body.includes(names[w.b.clerk.userId]!);
        if (leaked || (r.status !== 200 && r.code !== "OFFICE_FORBIDDEN"))
          wrong.push(`${who} list ${url}: ${r.status} leaked=${leaked}`);
        rows.push([who, `list ${url}`, `${r.status} ${leaked ? "LEAK" : "no B data"}`]);
      }
    }
    printTable(
      `office tenant isolation (${ctx.dialect}): A's users → B's data`,
      ["A user", "attempt", "result"],
      rows,
    );
    assert.deepEqual(wrong, []);
    // B's data is intact after the attempts.
    const still = await client.signIn(names[w.b.clerk.userId]!, PASSWORD);
    const inc = await client.call("GET", `/api/incoming/${bIncoming}`, { session: still });
    assert.equal(inc.status, 200);
    assert.equal((inc.json() as { state: string }).state, "registered");
  });
});
