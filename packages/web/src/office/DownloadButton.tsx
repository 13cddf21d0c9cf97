/**
 * A button that downloads an export (ZIP, XLSX, CSV) through fetch: a failure (expired session,
 * no right, missing file) becomes a notification in the user's language instead of a page of
 * JSON, and the file keeps the name the server gave it.
 */
import { Button, type ButtonProps } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type ReactNode, useState } from "react";
import { ApiError } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";

/** The file name of `Content-Disposition: attachment; filename*=UTF-8''…` (or plain `filename=`). */
export function fileNameOf(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star?.[1]) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain?.[1] ?? fallback;
}

/** GET with the session cookie; a failure becomes an ApiError with the server's code and message. */
async function fetchFile(href: string): Promise<Response> {
  const res = await fetch(href, { credentials: "same-origin" });
  if (res.ok) return res;
  const body = res.headers.get("content-type")?.includes("json")
    ? ((await res.json().catch(() => undefined)) as { code?: string; message?: { vi: string; en: string } })
    : undefined;
  throw new ApiError(
    res.status,
    body?.code ?? `HTTP_${res.status}`,
    body?.message ?? { vi: res.statusText, en: res.statusText },
  );
}

/** Saves a Blob under a name through a temporary link. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // Give the browser time to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function DownloadButton({
  href,
  fallbackName,
  children,
  ...props
}: ButtonProps & { href: string; fallbackName: string; children: ReactNode }) {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState(false);
  async function download() {
    setBusy(true);
    try {
      const res = await fetchFile(href);
      saveBlob(await res.blob(), fileNameOf(res.headers.get("content-disposition"), fallbackName));
    } catch (error) {
      notifications.show({
        color: "red",
        title: t("office.failed"),
        message: error instanceof ApiError ? error.messages[lang] : t("error.network"),
      });
    } finally {
      setBusy(false);
    }
  }
  return (
    <Button {...props} loading={busy} onClick={() => void download()}>
      {children}
    </Button>
  );
}
