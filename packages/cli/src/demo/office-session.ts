/**
 * A logged-in user of an office deployment, over its public HTTP API — the same calls the web
 * UI makes. The demo uses it to create users and to move documents, so seeding exercises the
 * real API (sessions, CSRF, permissions) rather than reaching into the database.
 */
export class OfficeApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export class OfficeSession {
  private constructor(
    readonly baseUrl: string,
    private readonly cookie: string,
    private readonly csrf: string,
    readonly user: { id: string; username: string },
  ) {}

  static async login(baseUrl: string, username: string, password: string): Promise<OfficeSession> {
    const res = await fetch(`${baseUrl}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: baseUrl },
      body: JSON.stringify({ username, password }),
    });
    const body = (await res.json()) as {
      csrfToken?: string;
      user?: { id: string; username: string };
      code?: string;
      message?: { en: string };
    };
    if (!res.ok || !body.csrfToken || !body.user)
      throw new OfficeApiError(res.status, body.code ?? "HTTP", body.message?.en ?? res.statusText);
    const cookie = (res.headers.getSetCookie?.() ?? [])
      .map((c) => c.split(";")[0])
      .filter(Boolean)
      .join("; ");
    return new OfficeSession(baseUrl, cookie, body.csrfToken, body.user);
  }

  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options: { contentType?: string } = {},
  ): Promise<T> {
    const raw = body instanceof Uint8Array;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        cookie: this.cookie,
        origin: this.baseUrl,
        accept: "application/json",
        ...(method === "GET" ? {} : { "x-csrf-token": this.csrf }),
        ...(body === undefined
          ? {}
          : {
              "content-type": options.contentType ?? (raw ? "application/octet-stream" : "application/json"),
            }),
      },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const data = text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;
    if (!res.ok) {
      const err = data as { code?: string; message?: { en: string } };
      throw new OfficeApiError(res.status, err.code ?? `HTTP_${res.status}`, err.message?.en ?? text);
    }
    return data as T;
  }
}
