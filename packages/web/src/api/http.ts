/**
 * Fetch wrapper for the office/axis JSON APIs. Errors arrive as
 * `{ code, message: { vi, en } }`; the UI branches on `code` and shows the message in the
 * user's language. State-changing calls carry the CSRF token the server set in a cookie.
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

function csrfToken(): string | undefined {
  return document.cookie
    .split("; ")
    .find((c) => c.startsWith("truc_csrf="))
    ?.slice("truc_csrf=".length);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const token = csrfToken();
  if (method !== "GET" && token) headers["x-csrf-token"] = decodeURIComponent(token);
  const res = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = res.headers.get("content-type")?.includes("json") ? await res.json() : undefined;
  if (!res.ok) {
    const err = data as { code?: string; message?: { vi: string; en: string } } | undefined;
    throw new ApiError(
      res.status,
      err?.code ?? `HTTP_${res.status}`,
      err?.message ?? { vi: res.statusText, en: res.statusText },
    );
  }
  return data as T;
}
