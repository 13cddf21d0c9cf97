/**
 * Security matrix of the axis node: every API operation × every attack, each cell one test
 * asserting the stable refusal code (or, for "another agency's credentials" on listings, that
 * none of the other agency's data comes back). The matrix is printed at the end of each run.
 *
 * Parties: H29.12 (system A) sends documents to H41.06 (system C, the victim's mailbox);
 * H41.05 (system B) is the other agency that tries to read, fetch and acknowledge them.
 * Extra systems bound to H41.06 present certificates that must not be accepted: revoked at
 * the CA, expired, a personal certificate (wrong kind), one from an unknown CA.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { connect as connectTls } from "node:tls";
import type { RunningNode } from "@truc/axis";
import { describeEachDialect } from "@truc/store/testing";
import {
  nativeCall,
  type Reply,
  rawCall,
  type SdkvxpCredentials,
  sendSigned,
  signSdkvxp,
} from "../support/http.ts";
import { startSuiteNode } from "../support/nodes.ts";
import { edocXml } from "../support/packages.ts";
import { type Identity, makeSuitePki, type SuitePki } from "../support/pki.ts";

const A = { agency: "H29.12", systemId: "sys-a", secret: "bí-mật-A" };
const B = { agency: "H41.05", systemId: "sys-b", secret: "secret-B" };
const C = { agency: "H41.06", systemId: "sys-c", secret: "secret-C" };
/** The agency the refused certificates are bound to (so a wrongly accepted one can only touch it). */
const D = { agency: "H41.07" };

type Expectation = string; // a code, or a description for non-refusal cells
interface Cell {
  op: string;
  attack: string;
  expected: Expectation;
  outcome?: string;
}

describeEachDialect("security matrix: axis node APIs × attacks", (ctx) => {
  let node: RunningNode;
  let pki: SuitePki;
  const certs = {} as Record<
    "a" | "b" | "c" | "unregistered" | "revoked" | "expired" | "personal" | "foreign" | "foreignUnregistered",
    Identity
  >;
  const cells: Cell[] = [];
  let victimDocId = ""; // package H29.12 → H41.06, never to be seen by B
  let victimDocumentId = "";
  let seq = 0;

  const nextDoc = (from = A.agency) => `${from},2025/03/05,${++seq}/MTX`;

  before(async () => {
    pki = await makeSuitePki(join(ctx.dataDir(), "pki"));
    const nodeId = await pki.node("national");
    certs.a = await pki.node("qlvb-a");
    certs.b = await pki.node("qlvb-b");
    certs.c = await pki.node("qlvb-c");
    certs.unregistered = await pki.node("qlvb-unregistered");
    certs.revoked = await pki.revoked("qlvb-revoked");
    certs.expired = await pki.expired("qlvb-expired");
    certs.personal = await pki.personal("van-thu");
    certs.foreign = pki.foreign("rogue-registered");
    certs.foreignUnregistered = pki.foreign("rogue");
    // The node gets the CA's current CRLs (listing the revoked certificate), so it could know.
    node = await startSuiteNode(
      ctx,
      { name: "node", identity: nodeId, caPems: pki.caPems },
      { trust: { crls: await pki.crls() } },
    );
    for (const [code, name] of [
      [A.agency, "Sở Nội vụ TP HCM"],
      [B.agency, "Sở Tư pháp Nghệ An"],
      [C.agency, "Sở Y tế Nghệ An"],
      [D.agency, "Sở Xây dựng Nghệ An"],
    ] as const)
      await node.registerAgency({ code, name });
    await node.connectSystem({
      systemId: A.systemId,
      secret: A.secret,
      certFingerprint: certs.a.fingerprint,
      agencyCodes: [A.agency],
    });
    await node.connectSystem({
      systemId: B.systemId,
      secret: B.secret,
      certFingerprint: certs.b.fingerprint,
      agencyCodes: [B.agency],
    });
    await node.connectSystem({
      systemId: C.systemId,
      secret: C.secret,
      certFingerprint: certs.c.fingerprint,
      agencyCodes: [C.agency],
    });
    // Certificates that must not authenticate, each bound to a system of agency D.
    for (const name of ["revoked", "expired", "personal", "foreign"] as const)
      await node.connectSystem({
        systemId: `sys-${name}`,
        certFingerprint: certs[name].fingerprint,
        agencyCodes: [D.agency],
      });

    victimDocumentId = nextDoc();
    const sent = await nativeCall(
      node.url,
      certs.a,
      pki.caPems,
      "POST",
      "/v1/packages",
      edocXml({ from: A.agency, to: [C.agency], documentId: victimDocumentId }),
    );
    assert.equal(sent.status, 201, JSON.stringify(sent.json));
    victimDocId = sent.json.packageId;
  });

  after(async () => {
    await node?.close();
    printMatrix(`axis security matrix [${ctx.dialect}]`, cells);
  });

  /** Registers one matrix cell as a test; `run` returns the observed outcome string. */
  const cell = (
    op: string,
    attack: string,
    expected: Expectation,
    run: () => Promise<string>,
    options: { todo?: string } = {},
  ) => {
    const c: Cell = { op, attack, expected };
    cells.push(c);
    it(`${op} × ${attack} → ${expected}`, options.todo ? { todo: options.todo } : {}, async () => {
      try {
        c.outcome = await run();
      } catch (error) {
        const first = (error as Error).message.split("\n")[0]!.slice(0, 90);
        c.outcome = options.todo ? `GAP (todo): ${first}` : `FAILED: ${first}`;
        throw error;
      }
      if (options.todo) c.outcome = `${c.outcome} (todo fixed?)`;
    });
  };

  const victimStillPending = async () => {
    const inbox = await nativeCall(node.url, certs.c, pki.caPems, "GET", "/v1/inbox/count?type=edoc");
    assert.equal(inbox.status, 200);
    const mine = await node.context.db.kysely
      .selectFrom("axis_deliveries")
      .select(["state"])
      .where("package_id", "=", victimDocId)
      .executeTakeFirstOrThrow();
    assert.equal(mine.state, "pending", "the victim's mailbox row is untouched");
  };

  const refused = (r: Reply, status: number, code: string): string => {
    const got = r.json?.ErrorCode ?? r.json?.code;
    assert.equal(got, code, `${r.status} ${r.body.toString("utf8").slice(0, 300)}`);
    assert.equal(r.status, status);
    if (r.json?.status !== undefined) assert.equal(r.json.status, "FAIL");
    // The refusal may echo the id the caller sent, but nothing of the package itself.
    assert.ok(!r.body.includes(victimDocumentId), "no victim data in the refusal");
    return `${status} ${code}`;
  };

  // ------------------------------------------------------------------ SDKVXP (HMAC headers)

  interface SdkOp {
    name: string;
    method: "GET" | "POST";
    /** Parameters and body for a legitimate call by `who`. */
    make(who: typeof A): { params?: Record<string, string>; file?: Buffer; json?: object };
    /** What B (another agency's credentials) gets, checked here; returns the outcome text. */
    otherAgency(r: Reply): Promise<string> | string;
    /** Request B sends for the other-agency attack (defaults to `make(B)`). */
    otherAgencyRequest?(): { params?: Record<string, string>; file?: Buffer; json?: object };
  }

  const notVictimList = (r: Reply, key: string): string => {
    assert.equal(r.status, 200, r.body.toString("utf8"));
    assert.equal(r.json.status, "OK");
    const items = r.json.data as Record<string, unknown>[];
    for (const i of items) {
      assert.notEqual(i[key], victimDocId);
      assert.ok(!JSON.stringify(i).includes(victimDocumentId), "no victim document id");
    }
    assert.ok(!r.body.includes(victimDocId));
    return `200 OK, ${items.length} items, none of H41.06's/H29.12's`;
  };

  const sdkOps: SdkOp[] = [
    {
      name: "sendEdoc",
      method: "POST",
      make: (who) => ({
        params: { from: who.agency, servicetype: "eDoc", messagetype: "edoc" },
        file: edocXml({ from: who.agency, to: [C.agency], documentId: nextDoc(who.agency) }),
      }),
      // B sends a package that claims to come from H29.12.
      otherAgencyRequest: () => ({
        params: { from: B.agency, servicetype: "eDoc", messagetype: "edoc" },
        file: edocXml({ from: A.agency, to: [C.agency], documentId: nextDoc() }),
      }),
      otherAgency: (r) => refused(r, 403, "AXIS_SENDER_MISMATCH"),
    },
    {
      name: "getReceivedEdocList",
      method: "POST",
      make: () => ({ params: { servicetype: "eDoc", messagetype: "edoc" } }),
      otherAgency: (r) => notVictimList(r, "docId"),
    },
    {
      name: "getEdoc",
      method: "POST",
      make: () => ({ params: { docId: victimDocId } }),
      otherAgency: (r) => refused(r, 404, "AXIS_PACKAGE_NOT_FOUND"),
    },
    {
      name: "downloadEdoc",
      method: "GET",
      make: () => ({ params: { docId: victimDocId } }),
      otherAgency: (r) => refused(r, 404, "AXIS_PACKAGE_NOT_FOUND"),
    },
    {
      name: "updateStatus",
      method: "POST",
      make: () => ({ params: { docId: victimDocId, status: "done" } }),
      otherAgency: async (r) => {
        const out = refused(r, 404, "AXIS_PACKAGE_NOT_FOUND");
        await victimStillPending();
        return `${out}; victim row still pending`;
      },
    },
    {
      name: "getSentEdocList",
      method: "POST",
      make: () => ({ params: { servicetype: "eDoc", messagetype: "edoc", docId: victimDocumentId } }),
      otherAgency: (r) => notVictimList(r, "receiverDocId"),
    },
    {
      name: "countReceiveEdoc",
      method: "GET",
      make: () => ({ params: { servicetype: "eDoc", messagetype: "edoc" } }),
      otherAgency: (r) => {
        assert.equal(r.json.status, "OK");
        assert.equal(r.json.count, 0, "the victim's pending package is not counted for B");
        return "200 OK, count 0";
      },
    },
    {
      name: "countReceiveStatus",
      method: "GET",
      make: () => ({ params: { servicetype: "eDoc", messagetype: "status" } }),
      otherAgency: (r) => {
        assert.equal(r.json.status, "OK");
        assert.equal(r.json.count, 0);
        return "200 OK, count 0";
      },
    },
    {
      name: "getAgenciesList",
      method: "POST",
      make: () => ({}),
      otherAgency: (r) => {
        assert.equal(r.json.status, "OK");
        return "200 OK (public directory)";
      },
    },
    {
      name: "getAgenciesListQD20",
      method: "POST",
      make: () => ({ params: { level: "2" } }),
      otherAgency: (r) => {
        assert.equal(r.json.status, "OK");
        return "200 OK (public directory)";
      },
    },
    {
      name: "getSynchronizeUnit",
      method: "POST",
      make: () => ({}),
      otherAgency: (r) => {
        assert.equal(r.json.status, "OK");
        return "200 OK (public directory)";
      },
    },
    {
      name: "registerAgency",
      method: "POST",
      make: (who) => ({
        json: { pcode: who.agency, code: `${who.agency}.${String(++seq).padStart(2, "0")}`, name: "Phòng" },
      }),
      // B registers a unit under H29.12.
      otherAgencyRequest: () => ({ json: { pcode: A.agency, code: `${A.agency}.99`, name: "Giả mạo" } }),
      otherAgency: (r) => refused(r, 403, "AXIS_FORBIDDEN"),
    },
    {
      name: "deleteAgency",
      method: "POST",
      make: (who) => ({ params: { AgencyCode: who.agency } }),
      otherAgencyRequest: () => ({ params: { AgencyCode: A.agency } }),
      otherAgency: async (r) => {
        const out = refused(r, 403, "AXIS_FORBIDDEN");
        const row = await node.context.db.kysely
          .selectFrom("axis_agencies")
          .select("deleted")
          .where("code", "=", A.agency)
          .executeTakeFirstOrThrow();
        assert.equal(row.deleted, 0);
        return `${out}; H29.12 not deleted`;
      },
    },
  ];

  const sign = (op: SdkOp, creds: SdkvxpCredentials, req: ReturnType<SdkOp["make"]>, now?: Date) =>
    signSdkvxp(node.url, op.method, `/${op.name}`, { ...creds, ...req, ...(now ? { now } : {}) });

  for (const op of sdkOps) {
    cell(`sdkvxp ${op.name}`, "no credentials", "AXIS_AUTH_MISSING", async () => {
      const req = op.make(A);
      const r = await rawCall(new URL(`/${op.name}`, node.url).toString(), {
        method: op.method,
        caPems: pki.caPems,
        ...(req.file ? { body: req.file, headers: { "content-type": "application/octet-stream" } } : {}),
      });
      return refused(r, 401, "AXIS_AUTH_MISSING");
    });
    cell(`sdkvxp ${op.name}`, "unknown system id", "AXIS_AUTH_UNKNOWN_SYSTEM", async () => {
      const r = await sendSigned(sign(op, { systemId: "sys-nobody", secret: "x" }, op.make(A)), pki.caPems);
      return refused(r, 401, "AXIS_AUTH_UNKNOWN_SYSTEM");
    });
    cell(`sdkvxp ${op.name}`, "wrong HMAC", "AXIS_AUTH_BAD_SIGNATURE", async () => {
      // A's system id, signed with B's secret.
      const r = await sendSigned(
        sign(op, { systemId: A.systemId, secret: B.secret }, op.make(A)),
        pki.caPems,
      );
      return refused(r, 401, "AXIS_AUTH_BAD_SIGNATURE");
    });
    cell(`sdkvxp ${op.name}`, "stale timestamp (−10 min)", "AXIS_AUTH_STALE_TIMESTAMP", async () => {
      const r = await sendSigned(sign(op, A, op.make(A), new Date(Date.now() - 10 * 60_000)), pki.caPems);
      return refused(r, 401, "AXIS_AUTH_STALE_TIMESTAMP");
    });
    cell(`sdkvxp ${op.name}`, "future timestamp (+10 min)", "AXIS_AUTH_STALE_TIMESTAMP", async () => {
      const r = await sendSigned(sign(op, A, op.make(A), new Date(Date.now() + 10 * 60_000)), pki.caPems);
      return refused(r, 401, "AXIS_AUTH_STALE_TIMESTAMP");
    });
    cell(`sdkvxp ${op.name}`, "signed header altered (timestamp)", "AXIS_AUTH_HEADER_MISMATCH", async () => {
      const signed = sign(op, A, op.make(A));
      const r = await sendSigned(signed, pki.caPems, {
        headers: { "XroadVnpt-timestamp": "01012030T000000+0000" },
      });
      return refused(r, 401, "AXIS_AUTH_HEADER_MISMATCH");
    });
    cell(`sdkvxp ${op.name}`, "system id swapped after signing", "AXIS_AUTH_BAD_SIGNATURE", async () => {
      const signed = sign(op, A, op.make(A));
      const r = await sendSigned(signed, pki.caPems, { headers: { "XroadVnpt-systemid": B.systemId } });
      return refused(r, 401, "AXIS_AUTH_BAD_SIGNATURE");
    });
    cell(`sdkvxp ${op.name}`, "replayed request", "AXIS_AUTH_REPLAY", async () => {
      // A genuine request by system A, captured and sent again. (Its first answer may be a
      // refusal, e.g. A acknowledging a package not addressed to it: the replay check comes first.)
      const who = A;
      const req = op.name === "deleteAgency" ? { params: { AgencyCode: "H29.12.77" } } : op.make(who);
      const signed = sign(op, who, req);
      const first = await sendSigned(signed, pki.caPems);
      assert.notEqual(first.json?.ErrorCode, "AXIS_AUTH_REPLAY");
      const again = await sendSigned(signed, pki.caPems);
      return refused(again, 401, "AXIS_AUTH_REPLAY");
    });
    cell(`sdkvxp ${op.name}`, "another agency's credentials", "refused / none of its data", async () => {
      const req = op.otherAgencyRequest ? op.otherAgencyRequest() : op.make(B);
      return op.otherAgency(await sendSigned(sign(op, B, req), pki.caPems));
    });
  }

  cell("sdkvxp sendEdoc", "body swapped after signing", "AXIS_HASH_FILE_MISMATCH", async () => {
    const signed = sign(sdkOps[0]!, A, sdkOps[0]!.make(A));
    const forged = edocXml({ from: A.agency, to: [B.agency], documentId: nextDoc() });
    const r = await sendSigned(signed, pki.caPems, { body: forged });
    return refused(r, 400, "AXIS_HASH_FILE_MISMATCH");
  });

  // ------------------------------------------------------------------ native /v1 (mutual TLS)

  interface NativeOp {
    name: string;
    /** `from`: the sender agency written in an uploaded package (default H29.12). */
    call(id: Identity | undefined, from?: string): Promise<Reply>;
    otherAgency(r: Reply): Promise<string> | string;
  }
  const nativeOps: NativeOp[] = [
    {
      name: "upload",
      call: (id, from = A.agency) =>
        nativeCall(
          node.url,
          id,
          pki.caPems,
          "POST",
          "/v1/packages",
          edocXml({ from, to: [C.agency], documentId: nextDoc(from) }),
        ),
      otherAgency: (r) => refused(r, 403, "AXIS_SENDER_MISMATCH"),
    },
    {
      name: "inbox",
      call: (id) => nativeCall(node.url, id, pki.caPems, "GET", "/v1/inbox?type=edoc"),
      otherAgency: (r) => {
        assert.equal(r.status, 200);
        assert.ok(!r.body.includes(victimDocId));
        for (const i of r.json.items) assert.equal(i.to, B.agency);
        return `200, ${r.json.items.length} items, none of H41.06's`;
      },
    },
    {
      name: "inbox count",
      call: (id) => nativeCall(node.url, id, pki.caPems, "GET", "/v1/inbox/count?type=edoc"),
      otherAgency: (r) => {
        assert.equal(r.status, 200);
        assert.equal(r.json.count, 0);
        return "200, count 0";
      },
    },
    {
      name: "download",
      call: (id) => nativeCall(node.url, id, pki.caPems, "GET", `/v1/packages/${victimDocId}`),
      otherAgency: (r) => refused(r, 404, "AXIS_PACKAGE_NOT_FOUND"),
    },
    {
      name: "ack",
      call: (id) =>
        nativeCall(node.url, id, pki.caPems, "POST", `/v1/packages/${victimDocId}/ack`, { status: "done" }),
      otherAgency: async (r) => {
        const out = refused(r, 404, "AXIS_PACKAGE_NOT_FOUND");
        await victimStillPending();
        return `${out}; victim row still pending`;
      },
    },
    {
      name: "sent",
      call: (id) =>
        nativeCall(node.url, id, pki.caPems, "GET", `/v1/sent?docId=${encodeURIComponent(victimDocumentId)}`),
      otherAgency: (r) => {
        assert.equal(r.status, 200);
        assert.equal(r.json.items.length, 0);
        return "200, 0 items";
      },
    },
    {
      name: "status timeline",
      call: (id) =>
        nativeCall(
          node.url,
          id,
          pki.caPems,
          "GET",
          `/v1/documents/${encodeURIComponent(victimDocumentId)}/statuses`,
        ),
      otherAgency: (r) => {
        assert.equal(r.status, 200);
        assert.equal(r.json.items.length, 0);
        return "200, 0 items";
      },
    },
  ];

  for (const op of nativeOps) {
    cell(`native ${op.name}`, "no client certificate", "AXIS_AUTH_CERT_MISSING", async () =>
      refused(await op.call(undefined), 401, "AXIS_AUTH_CERT_MISSING"),
    );
    cell(`native ${op.name}`, "unregistered certificate (trusted CA)", "AXIS_AUTH_CERT_UNKNOWN", async () =>
      refused(await op.call(certs.unregistered), 401, "AXIS_AUTH_CERT_UNKNOWN"),
    );
    cell(`native ${op.name}`, "certificate from an unknown CA", "AXIS_AUTH_CERT_UNKNOWN", async () =>
      refused(await op.call(certs.foreignUnregistered), 401, "AXIS_AUTH_CERT_UNKNOWN"),
    );
    for (const [attack, id] of [
      ["unknown-CA certificate whose fingerprint is registered", "foreign"],
      ["revoked certificate (registered)", "revoked"],
      ["expired certificate (registered)", "expired"],
      ["personal certificate (wrong kind, registered)", "personal"],
    ] as const) {
      cell(`native ${op.name}`, attack, "401 AXIS_AUTH_CERT_*", async () => {
        // As agency D, the agency this certificate's system is bound to.
        const r = await op.call(certs[id], D.agency);
        assert.equal(r.status, 401, `${r.status} ${r.body.toString("utf8").slice(0, 200)}`);
        assert.match(r.json?.code ?? "", /^AXIS_AUTH_CERT_/);
        assert.ok(!r.body.includes(victimDocId));
        return `401 ${r.json.code}`;
      });
    }
    cell(`native ${op.name}`, "another agency's certificate", "refused / none of its data", async () =>
      op.otherAgency(await op.call(certs.b)),
    );
  }

  cell(
    "native upload",
    "replayed request (same bytes again)",
    "200 duplicate, nothing new stored",
    async () => {
      const body = edocXml({ from: A.agency, to: [C.agency], documentId: nextDoc() });
      const first = await nativeCall(node.url, certs.a, pki.caPems, "POST", "/v1/packages", body);
      assert.equal(first.status, 201);
      const count = async () =>
        Number(
          (
            await node.context.db.kysely
              .selectFrom("axis_packages")
              .select((eb) => eb.fn.countAll<number>().as("n"))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = await count();
      const again = await nativeCall(node.url, certs.a, pki.caPems, "POST", "/v1/packages", body);
      assert.equal(again.status, 200);
      assert.equal(again.json.duplicate, true);
      assert.equal(again.json.packageId, first.json.packageId);
      assert.equal(await count(), before);
      return "200 duplicate:true, same id, 0 new rows";
    },
  );
  cell("native ack", "replayed request (ack twice)", "200 changed 0", async () => {
    const body = edocXml({ from: A.agency, to: [C.agency], documentId: nextDoc() });
    const sent = await nativeCall(node.url, certs.a, pki.caPems, "POST", "/v1/packages", body);
    const id = sent.json.packageId;
    const first = await nativeCall(node.url, certs.c, pki.caPems, "POST", `/v1/packages/${id}/ack`, {
      status: "done",
    });
    assert.equal(first.json.changed, 1);
    const again = await nativeCall(node.url, certs.c, pki.caPems, "POST", `/v1/packages/${id}/ack`, {
      status: "done",
    });
    assert.equal(again.status, 200);
    assert.equal(again.json.changed, 0);
    return "200 changed 0";
  });

  cell(
    "native (any operation)",
    "TLS 1.2 renegotiation to swap the client certificate on an authenticated connection",
    "renegotiation refused",
    async () => {
      // The node remembers a connection's client certificate: renegotiating must not be possible.
      const url = new URL(node.url);
      const socket = connectTls({
        host: url.hostname,
        port: Number(url.port),
        cert: certs.a.certPem,
        key: certs.a.keyPem,
        ca: [...pki.caPems],
        maxVersion: "TLSv1.2",
        checkServerIdentity: () => undefined,
      });
      await once(socket, "secureConnect");
      // A refused renegotiation ends in an error, a closed connection or no answer at all.
      const refused = await new Promise<boolean>((resolve) => {
        const bound = setTimeout(() => resolve(true), 3000);
        const settle = (value: boolean) => {
          clearTimeout(bound);
          resolve(value);
        };
        socket.once("error", () => settle(true));
        socket.once("close", () => settle(true));
        const started = socket.renegotiate({ rejectUnauthorized: false }, (error) => settle(error !== null));
        if (!started) settle(true);
      });
      socket.destroy();
      assert.equal(refused, true);
      return "connection refused the renegotiation";
    },
  );

  it("the victim still receives its package, intact (the attacks changed nothing)", async () => {
    const got = await nativeCall(node.url, certs.c, pki.caPems, "GET", `/v1/packages/${victimDocId}`);
    assert.equal(got.status, 200);
    assert.ok(got.body.includes(victimDocumentId));
  });
});

function printMatrix(title: string, cells: readonly Cell[]): void {
  const attacks = [...new Set(cells.map((c) => c.attack))];
  const ops = [...new Set(cells.map((c) => c.op))];
  const lines = [`\n${title}: operation × attack → observed outcome`];
  for (const op of ops) {
    lines.push(`  ${op}`);
    for (const attack of attacks) {
      const c = cells.find((x) => x.op === op && x.attack === attack);
      if (!c) continue;
      lines.push(`    ${attack.padEnd(58)} ${c.outcome ?? "(not run)"}`);
    }
  }
  console.log(lines.join("\n"));
}
