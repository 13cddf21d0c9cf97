/**
 * Office harness for the cross-package security suites: the office's own test world (two
 * agencies over an in-memory axis, marker signer) plus an HTTP client that signs people in.
 */
import assert from "node:assert/strict";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { AxisMessage, MessageKind } from "../../packages/office/src/ports.ts";
import { InMemoryAxis } from "../../packages/office/test/support/fakes.ts";

export { buildOfficeApp } from "../../packages/office/src/http/app.ts";
export { SAMPLE_PDF } from "../../packages/office/test/support/fakes.ts";
export { incomingAtB, issueFromA, sync } from "../../packages/office/test/support/flow.ts";
export { makeWorld, PASSWORD, type World } from "../../packages/office/test/support/world.ts";

export const ORIGIN = "https://vanban.example.gov.vn";

/** The in-memory axis that also records how each message was acknowledged. */
export class RecordingAxis extends InMemoryAxis {
  readonly acks: { agencyCode: string; kind: MessageKind; id: string; outcome?: string }[] = [];
  override async acknowledge(input: {
    agencyCode: string;
    kind: MessageKind;
    id: string;
    outcome?: "done" | "fail";
  }) {
    this.acks.push({ ...input });
    await super.acknowledge(input);
  }
  deliver(agencyCode: string, kind: MessageKind, message: AxisMessage) {
    this.redeliver(agencyCode, kind, message);
  }
}

export interface Session {
  cookie: string;
  csrf: string;
}

export interface Reply {
  status: number;
  code: string | undefined;
  body: string;
  json: () => unknown;
  raw: LightMyRequestResponse;
}

/** A small client over `app.inject`: every state-changing call carries Origin and CSRF unless told not to. */
export function officeClient(app: FastifyInstance) {
  const call = async (
    method: "GET" | "POST" | "PUT" | "DELETE",
    url: string,
    opts: {
      session?: Session | null;
      body?: unknown;
      raw?: { type: string; bytes: Buffer };
      csrf?: string | null;
      origin?: string | null;
      cookie?: string;
    } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = {};
    const cookie = opts.cookie ?? opts.session?.cookie;
    if (cookie) headers.cookie = cookie;
    const origin = opts.origin === undefined ? ORIGIN : opts.origin;
    if (origin !== null && method !== "GET") headers.origin = origin;
    const csrf = opts.csrf === undefined ? opts.session?.csrf : opts.csrf;
    if (csrf && method !== "GET") headers["x-csrf-token"] = csrf;
    if (opts.raw) headers["content-type"] = opts.raw.type;
    const res = await app.inject({
      method,
      url,
      headers,
      ...(opts.raw
        ? { payload: opts.raw.bytes }
        : opts.body !== undefined
          ? { payload: opts.body as Record<string, unknown> }
          : {}),
    });
    let code: string | undefined;
    try {
      code = (res.json() as { code?: string }).code;
    } catch {
      code = undefined;
    }
    return { status: res.statusCode, code, body: res.body, json: () => res.json(), raw: res };
  };
  const login = async (
    username: string,
    password: string,
    extra: { totpCode?: string; cookie?: string } = {},
  ) =>
    call("POST", "/api/session", {
      body: { username, password, ...(extra.totpCode ? { totpCode: extra.totpCode } : {}) },
      ...(extra.cookie ? { cookie: extra.cookie } : {}),
    });
  const signIn = async (username: string, password: string, extra: { cookie?: string } = {}) => {
    const r = await login(username, password, extra);
    assert.equal(r.status, 200, r.body);
    const cookie = String(r.raw.headers["set-cookie"]).split(";")[0]!;
    return { cookie, csrf: (r.json() as { csrfToken: string }).csrfToken } satisfies Session;
  };
  return { call, login, signIn };
}

/** Prints a table (rows × columns) under a title, with column widths fitted to the content. */
export function printTable(title: string, head: string[], rows: string[][]) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(" │ ");
  console.log(`\n${title}\n${line(head)}\n${widths.map((w) => "─".repeat(w)).join("─┼─")}`);
  for (const r of rows) console.log(line(r));
}
