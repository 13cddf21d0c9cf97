/**
 * Operator authentication for the node console: scrypt password hashes, server-side
 * sessions (the cookie holds a random token; the table holds its SHA-256), an idle and an
 * absolute lifetime, and a double-submit CSRF token (cookie `truc_csrf`, header
 * `x-csrf-token`) that must also equal the one bound to the session. Cookies are HttpOnly
 * (session) and SameSite=Strict, scoped to `/admin`, and Secure when the node serves HTTPS.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import {
  type AdminDb,
  deleteSession,
  deleteStaleSessions,
  findOperator,
  findSession,
  insertSession,
  markLogin,
  type SessionRow,
  touchSession,
  upsertOperator,
} from "../../repositories/admin-repository.ts";
import { AdminError } from "./errors.ts";

export const SESSION_COOKIE = "truc_axis_session";
export const CSRF_COOKIE = "truc_csrf";
export const COOKIE_PATH = "/admin";
/** A session dies after 30 minutes without a request, and after 8 hours in any case. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 8 * 3600_000;

const SCRYPT = { N: 1 << 15, r: 8, p: 1, keyLength: 32, maxmem: 64 * 1024 * 1024 };

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize("NFC"),
      salt,
      SCRYPT.keyLength,
      { N: n, r, p, maxmem: SCRYPT.maxmem },
      (e, key) => (e ? reject(e) : resolve(key)),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const key = await scryptAsync(password, Buffer.from(salt, "base64url"), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash to compare against when the username is unknown, so both paths cost one scrypt. */
let decoyHash: Promise<string> | undefined;

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/** Creates or replaces an operator account (used by the demo, by tests and by the first-run bootstrap). */
export async function createOperator(
  db: AdminDb,
  input: { username: string; password: string; displayName?: string; now?: number },
): Promise<void> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME.test(username))
    throw new AdminError("AXIS_ADMIN_OPERATOR_INVALID", { reason: "username: 2–64 of a-z 0-9 . _ -" });
  if (input.password.length < 10)
    throw new AdminError("AXIS_ADMIN_OPERATOR_INVALID", { reason: "password: at least 10 characters" });
  await upsertOperator(db, {
    username,
    display_name: (input.displayName ?? username).normalize("NFC"),
    password_hash: await hashPassword(input.password),
    disabled: 0,
    created_at: input.now ?? Date.now(),
    last_login_at: null,
  });
}

function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    // Several cookies of one name (e.g. another app on the same host at path "/"): the
    // browser sends the most specific path first, which is ours.
    if (!out.has(name)) {
      try {
        out.set(name, decodeURIComponent(part.slice(i + 1).trim()));
      } catch {
        // malformed value: ignore the cookie
      }
    }
  }
  return out;
}

function cookie(name: string, value: string, o: { httpOnly: boolean; secure: boolean; maxAge?: number }) {
  return [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${COOKIE_PATH}`,
    "SameSite=Strict",
    ...(o.httpOnly ? ["HttpOnly"] : []),
    ...(o.secure ? ["Secure"] : []),
    ...(o.maxAge !== undefined ? [`Max-Age=${o.maxAge}`] : []),
  ].join("; ");
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface Operator {
  username: string;
  displayName: string;
  csrf: string;
  expiresAt: number;
}

export class SessionManager {
  constructor(
    private readonly db: AdminDb,
    private readonly now: () => number,
    private readonly secure: boolean,
  ) {}

  async login(username: string, password: string, reply: FastifyReply): Promise<Operator> {
    const user = await findOperator(this.db, username.trim().toLowerCase());
    if (!user || user.disabled === 1) {
      decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
      await verifyPassword(password, await decoyHash);
      throw new AdminError("AXIS_ADMIN_LOGIN_FAILED");
    }
    if (!(await verifyPassword(password, user.password_hash)))
      throw new AdminError("AXIS_ADMIN_LOGIN_FAILED");
    const now = this.now();
    await deleteStaleSessions(this.db, now, now - SESSION_IDLE_MS);
    const token = randomBytes(32).toString("base64url");
    const csrf = randomBytes(32).toString("base64url");
    const row: SessionRow = {
      id_hash: sha256(token),
      username: user.username,
      csrf,
      created_at: now,
      last_seen_at: now,
      expires_at: now + SESSION_MAX_MS,
    };
    await insertSession(this.db, row);
    await markLogin(this.db, user.username, now);
    reply.header("set-cookie", [
      cookie(SESSION_COOKIE, token, { httpOnly: true, secure: this.secure }),
      cookie(CSRF_COOKIE, csrf, { httpOnly: false, secure: this.secure }),
    ]);
    return { username: user.username, displayName: user.display_name, csrf, expiresAt: row.expires_at };
  }

  /** The operator behind the request's session; throws AXIS_ADMIN_SESSION_REQUIRED / AXIS_ADMIN_CSRF. */
  async require(request: FastifyRequest, { mutation }: { mutation: boolean }): Promise<Operator> {
    const cookies = parseCookies(request.headers.cookie);
    const token = cookies.get(SESSION_COOKIE);
    if (!token) throw new AdminError("AXIS_ADMIN_SESSION_REQUIRED");
    const idHash = sha256(token);
    const session = await findSession(this.db, idHash);
    const now = this.now();
    if (
      !session ||
      Number(session.expires_at) <= now ||
      Number(session.last_seen_at) + SESSION_IDLE_MS <= now
    ) {
      if (session) await deleteSession(this.db, idHash);
      throw new AdminError("AXIS_ADMIN_SESSION_REQUIRED");
    }
    if (mutation) {
      const header = request.headers["x-csrf-token"];
      const fromCookie = cookies.get(CSRF_COOKIE);
      if (
        typeof header !== "string" ||
        !fromCookie ||
        !safeEqual(header, fromCookie) ||
        !safeEqual(header, session.csrf)
      )
        throw new AdminError("AXIS_ADMIN_CSRF");
    }
    const user = await findOperator(this.db, session.username);
    if (!user || user.disabled === 1) throw new AdminError("AXIS_ADMIN_SESSION_REQUIRED");
    // Sliding idle window; written at most once a minute to keep reads read-only.
    if (now - Number(session.last_seen_at) > 60_000) await touchSession(this.db, idHash, now);
    return {
      username: user.username,
      displayName: user.display_name,
      csrf: session.csrf,
      expiresAt: Number(session.expires_at),
    };
  }

  async logout(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
    if (token) await deleteSession(this.db, sha256(token));
    reply.header("set-cookie", [
      cookie(SESSION_COOKIE, "", { httpOnly: true, secure: this.secure, maxAge: 0 }),
      cookie(CSRF_COOKIE, "", { httpOnly: false, secure: this.secure, maxAge: 0 }),
    ]);
  }
}

/** Fixed-window counters per key (client address, or address + username for logins). */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit; throws AXIS_ADMIN_RATE_LIMITED past the limit. */
  hit(key: string): void {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 10_000) this.sweep(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count > this.limit)
      throw new AdminError("AXIS_ADMIN_RATE_LIMITED", {
        seconds: Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000)),
      });
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}
