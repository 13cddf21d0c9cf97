import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, it } from "node:test";
import { describeEachDialect } from "@truc/store/testing";
import { CompiledQuery } from "kysely";
import { buildOfficeApp } from "../src/http/app.ts";
import type { IncomingRow, Tx } from "../src/repositories/rows.ts";
import { incomingListQuery, type SearchFilter } from "../src/repositories/search.ts";
import { listIncomingByState } from "../src/services/queries.ts";
import { issueFromA } from "./support/flow.ts";
import { makeWorld, PASSWORD, type World } from "./support/world.ts";

const SEEDED = 20_000;

function incomingRow(agencyId: string, i: number, extra: Partial<IncomingRow> = {}): IncomingRow {
  const at = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString();
  return {
    id: randomUUID(),
    agency_id: agencyId,
    state: i % 7 === 0 ? "done" : "registered",
    axis_message_id: `seed-${i}`,
    package_ref: null,
    package_sha256: "0".repeat(64),
    document_id: `seed-doc-${i}`,
    business_type: 0,
    from_organ_id: "000.00.00.G01",
    from_name: "Văn phòng Chính phủ",
    code_number: String(i),
    code_notation: "VPCP-TH",
    promulgation_date: "2024/01/01",
    type_name: "Công văn",
    subject: `Công văn số ${i}`,
    signer_competence: null,
    signer_position: null,
    signer_name: null,
    urgency: "thuong",
    due_date: null,
    places: "[]",
    attachments: "[]",
    validation: "{}",
    duplicate_flags: "[]",
    arrival_year: 2024,
    arrival_number: i,
    received_at: at,
    registered_at: at,
    rejected_reason: null,
    assigned_unit_id: null,
    assigned_user_id: null,
    assigned_at: null,
    deadline: null,
    instructions: null,
    completed_at: null,
    result_note: null,
    reply_outgoing_id: null,
    pending_request: null,
    replaced_by: null,
    replaces: "[]",
    revoked_at: null,
    revoke_reason: null,
    updated_at: at,
    search_text: `cong van so ${i}`,
    ...extra,
  };
}

/** Index names and whether the engine sorts, from the plan of the list query. */
async function planOf(w: World, dialect: string, filter: SearchFilter) {
  const compiled = incomingListQuery(w.deps.db.kysely as unknown as Tx, w.a.agencyId, filter).compile();
  const prefix = dialect === "sqlite" ? "explain query plan " : "explain (format json) ";
  const result = await w.deps.db.kysely.executeQuery(
    CompiledQuery.raw(prefix + compiled.sql, [...compiled.parameters]),
  );
  const indexes: string[] = [];
  let sorts = false;
  if (dialect === "sqlite") {
    for (const row of result.rows as { detail: string }[]) {
      const m = /INDEX (\w+)/.exec(row.detail);
      if (m) indexes.push(m[1]!);
      if (/TEMP B-TREE/.test(row.detail)) sorts = true;
    }
  } else {
    const raw = (result.rows[0] as Record<string, unknown>)["QUERY PLAN"];
    const plan = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: unknown }[];
    const walk = (node: Record<string, unknown>) => {
      if (typeof node["Index Name"] === "string") indexes.push(node["Index Name"]);
      if (String(node["Node Type"]).includes("Sort")) sorts = true;
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk(plan[0]!.Plan as Record<string, unknown>);
  }
  return { indexes, sorts };
}

describeEachDialect("office: incoming lists with many documents", (ctx) => {
  let w: World;
  const assigned = new Set<string>();
  const pending = new Set<string>();
  before(async () => {
    w = await makeWorld(ctx);
    const rows: IncomingRow[] = [];
    for (let i = 0; i < SEEDED; i++) {
      const extra: Partial<IncomingRow> = {};
      if (i % 97 === 0) {
        extra.assigned_user_id = w.a.specialist.userId;
        extra.state = "assigned";
      } else if (i % 89 === 0) extra.assigned_user_id = w.a.leader.userId;
      if (i % 211 === 0)
        extra.pending_request = JSON.stringify({ kind: "take-back", reason: "x", receivedAt: "2024-01-01" });
      const row = incomingRow(i % 10 === 9 ? w.b.agencyId : w.a.agencyId, i, extra);
      if (row.agency_id === w.a.agencyId && row.assigned_user_id === w.a.specialist.userId)
        assigned.add(row.id);
      if (row.agency_id === w.a.agencyId && row.pending_request) pending.add(row.id);
      rows.push(row);
    }
    const db = w.deps.db.kysely as unknown as Tx;
    await w.deps.db.transaction(async (trx) => {
      for (let i = 0; i < rows.length; i += 400)
        await (trx as unknown as Tx)
          .insertInto("office_incoming")
          .values(rows.slice(i, i + 400))
          .execute();
    });
    await db.executeQuery(CompiledQuery.raw("analyze"));
  });

  it("filters 'assigned to me' and 'pending sender requests' on the server, newest first", async () => {
    const mine = await listIncomingByState(w.deps, w.a.specialist, {
      assignedUserId: w.a.specialist.userId,
      limit: 1000,
    });
    assert.equal(mine.length, assigned.size);
    assert.ok(mine.every((d) => assigned.has(d.id)));
    const times = mine.map((d) => d.receivedAt);
    assert.deepEqual(times, [...times].sort().reverse());
    const waiting = await listIncomingByState(w.deps, w.a.clerk, { pendingRequest: true, limit: 1000 });
    assert.equal(waiting.length, pending.size);
    assert.ok(waiting.every((d) => pending.has(d.id) && d.pendingRequest?.kind === "take-back"));
    // Another agency's rows never show up.
    const other = await listIncomingByState(w.deps, w.b.clerk, { pendingRequest: true, limit: 1000 });
    assert.ok(other.every((d) => !pending.has(d.id)));
  });

  it("serves each first screen from an index in list order (no sort of the whole table)", async () => {
    const cases: [SearchFilter, string][] = [
      [{}, "office_incoming_list"],
      [{ assignedUserId: w.a.specialist.userId }, "office_incoming_assignee"],
      [{ pendingRequest: true }, "office_incoming_pending"],
    ];
    for (const [filter, index] of cases) {
      const plan = await planOf(w, ctx.dialect, filter);
      assert.ok(plan.indexes.includes(index), `${JSON.stringify(filter)} uses ${index}: ${plan.indexes}`);
      assert.equal(plan.sorts, false, `${JSON.stringify(filter)} needs no sort`);
    }
  });

  it("lists over HTTP with assignedToMe/pendingRequest, document history for readers, validation report", async () => {
    const app = buildOfficeApp(w.deps, { flushAfterChange: false });
    try {
      const username = async (userId: string) =>
        (
          await (w.deps.db.kysely as unknown as Tx)
            .selectFrom("office_users")
            .select("username")
            .where("id", "=", userId)
            .executeTakeFirstOrThrow()
        ).username;
      const signIn = async (userId: string) => {
        const res = await app.inject({
          method: "POST",
          url: "/api/session",
          payload: { username: await username(userId), password: PASSWORD },
        });
        assert.equal(res.statusCode, 200, res.body);
        return { cookie: String(res.headers["set-cookie"]).split(";")[0]! };
      };
      const specialist = await signIn(w.a.specialist.userId);
      const mine = await app.inject({
        method: "GET",
        url: "/api/incoming?assignedToMe=true&limit=1000",
        headers: specialist,
      });
      assert.equal(mine.statusCode, 200, mine.body);
      assert.equal(mine.json().length, assigned.size);
      const bad = await app.inject({
        method: "GET",
        url: "/api/incoming?assignedToMe=yes",
        headers: specialist,
      });
      assert.equal(bad.json().code, "OFFICE_INVALID_INPUT");

      const issued = await issueFromA(w, "Công văn về lịch sử văn bản");
      const history = await app.inject({
        method: "GET",
        url: `/api/outgoing/${issued.id}/history`,
        headers: specialist,
      });
      assert.equal(history.statusCode, 200, history.body);
      const actions = history.json().map((h: { action: string }) => h.action);
      assert.deepEqual(actions.slice(-4), [
        "outgoing.sign",
        "outgoing.number",
        "outgoing.seal",
        "outgoing.issue",
      ]);
      assert.equal(history.json().at(-1).userName, "Trần Thị Văn Thư");
      // The audit route stays administrator-only; another tenant gets 404 for the document.
      const audit = await app.inject({ method: "GET", url: "/api/audit", headers: specialist });
      assert.equal(audit.json().code, "OFFICE_FORBIDDEN");
      const foreign = await signIn(w.b.clerk.userId);
      const cross = await app.inject({
        method: "GET",
        url: `/api/outgoing/${issued.id}/history`,
        headers: foreign,
      });
      assert.equal(cross.json().code, "OFFICE_NOT_FOUND");

      const report = await app.inject({
        method: "GET",
        url: `/api/outgoing/${issued.id}/validation`,
        headers: specialist,
      });
      assert.equal(report.statusCode, 200, report.body);
      assert.equal(report.json().state, "issued");
      assert.equal(report.json().report.status, "valid");
      assert.equal(report.json().report.signatures.length, 2);
      assert.match(report.json().sha256, /^[0-9a-f]{64}$/);
    } finally {
      await app.close();
    }
  });
});
