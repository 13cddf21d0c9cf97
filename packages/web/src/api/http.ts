/**
 * Fetch wrapper for the office/axis JSON APIs. Errors arrive as
 * `{ code, message: { vi, en } }`; the UI branches on `code` and shows the message in the
 * user's language.
 *
 * CSRF: the office returns its token in the body of `POST /api/session` and `GET /api/session`
 * (kept here in memory with `setCsrfToken`); the axis console sets it in the `truc_csrf` cookie.
 * State-changing calls send the kept token, or else the cookie's, in `X-CSRF-Token`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messages: { vi: string; en: string },
  ) {
    super(`${code}: ${messages.en}`);
  }
}

let sessionCsrfToken: string | undefined;

/** Keeps the CSRF token a login or session response returned (undefined forgets it). */
export function setCsrfToken(token: string | undefined): void {
  sessionCsrfToken = token;
}

function cookieCsrfToken(): string | undefined {
  const raw = document.cookie
    .split("; ")
    .find((c) => c.startsWith("truc_csrf="))
    ?.slice("truc_csrf=".length);
  return raw === undefined ? undefined : decodeURIComponent(raw);
}

export function csrfHeaders(method: string): Record<string, string> {
  if (method === "GET" || method === "HEAD") return {};
  const token = sessionCsrfToken ?? cookieCsrfToken();
  return token ? { "x-csrf-token": token } : {};
}

async function failure(res: Response): Promise<ApiError> {
  const data = res.headers.get("content-type")?.includes("json")
    ? await res.json().catch(() => undefined)
    : undefined;
  const err = data as { code?: string; message?: { vi: string; en: string } } | undefined;
  return new ApiError(
    res.status,
    err?.code ?? `HTTP_${res.status}`,
    err?.message ?? { vi: res.statusText, en: res.statusText },
  );
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...csrfHeaders(method) };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return (res.headers.get("content-type")?.includes("json") ? await res.json() : undefined) as T;
}

/** Sends raw bytes (a file upload) and parses the JSON answer. */
export async function apiUpload<T>(
  method: string,
  path: string,
  file: Blob,
  contentType: string,
): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { accept: "application/json", "content-type": contentType, ...csrfHeaders(method) },
    credentials: "same-origin",
    body: file,
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** Downloads a file as a Blob (for the in-page PDF viewer and exports). */
export async function apiBlob(path: string): Promise<Blob> {
  const res = await fetch(path, { credentials: "same-origin" });
  if (!res.ok) throw await failure(res);
  return res.blob();
}
