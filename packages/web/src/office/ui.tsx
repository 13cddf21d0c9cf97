/** Shared pieces of the office screens: badges, dates, the PDF viewer, loading states. */
import { Alert, Anchor, Badge, Box, Group, Loader, Stack, Table, Text, Title } from "@mantine/core";
import type { UseQueryResult } from "@tanstack/react-query";
import { type ReactNode, useEffect, useState } from "react";
import { ApiError, apiBlob } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import type { IncomingDoc, Urgency } from "./api.ts";

/** Fills `{name}` placeholders of a message. */
export function fmt(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

/** "2025/03/05", "2025-03-05" or an ISO timestamp → "05/03/2025" (Vietnam time for timestamps). */
export function viDate(value: string | null | undefined): string {
  if (!value) return "";
  if (value.length > 10) {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime()))
      return d.toLocaleDateString("vi-VN", {
        timeZone: "Asia/Ho_Chi_Minh",
        day: "2-digit",
        month: "2-digit",
        year: "numeric",
      });
  }
  const [y, m, day] = value.replaceAll("/", "-").slice(0, 10).split("-");
  return `${day}/${m}/${y}`;
}

export function viDateTime(value: string | null | undefined): string {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return d.toLocaleString("vi-VN", {
    timeZone: "Asia/Ho_Chi_Minh",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

export function PageTitle({ children, right }: { children: ReactNode; right?: ReactNode }) {
  return (
    <Group justify="space-between" mb="md" wrap="wrap" gap="sm">
      <Title order={2} size="h3">
        {children}
      </Title>
      {right}
    </Group>
  );
}

export function Section({
  title,
  children,
  right,
}: {
  title: string;
  children: ReactNode;
  right?: ReactNode;
}) {
  return (
    <Box component="section" mb="lg" aria-label={title}>
      <Group justify="space-between" mb="xs" wrap="wrap">
        <Title order={3} size="h5">
          {title}
        </Title>
        {right}
      </Group>
      {children}
    </Box>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <Group gap="xs" role="status">
      <Loader size="sm" />
      <Text size="sm">{t("office.loading")}</Text>
    </Group>
  );
}

export function ErrorAlert({ error }: { error: unknown }) {
  const { t, lang } = useI18n();
  return (
    <Alert color="red" title={t("office.error")} role="alert">
      {error instanceof ApiError ? error.messages[lang] : t("error.network")}
    </Alert>
  );
}

export function QueryView<T>({
  query,
  children,
}: {
  query: UseQueryResult<T>;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  return <>{children(query.data as T)}</>;
}

export function Empty() {
  const { t } = useI18n();
  return (
    <Text c="dimmed" size="sm" py="sm">
      {t("office.empty")}
    </Text>
  );
}

export type Tone = "green" | "red" | "blue" | "gray" | "orange";

/**
 * A badge that keeps its text readable: `strong` is white on the tone's darkest shade, else the
 * darkest shade on the tone's light background (a light variant given a shade such as "blue.9"
 * paints text and background alike). It never shrinks below its text inside table cells.
 */
export function Tag({
  tone,
  strong = false,
  children,
}: {
  tone: Tone;
  strong?: boolean;
  children: ReactNode;
}) {
  return (
    <Badge
      color={strong ? `${tone}.9` : tone}
      variant={strong ? "filled" : "light"}
      c={strong ? "white" : `${tone}.9`}
      radius="sm"
      style={{ minWidth: "max-content" }}
    >
      {children}
    </Badge>
  );
}

const URGENCY_TONE: Record<Urgency, Tone> = {
  thuong: "gray",
  khan: "orange",
  thuong_khan: "red",
  hoa_toc: "red",
};

/** Urgency badge; "Thường" is shown only when `showNormal`. */
export function UrgencyBadge({ urgency, showNormal = false }: { urgency: Urgency; showNormal?: boolean }) {
  const { t } = useI18n();
  if (urgency === "thuong" && !showNormal) return null;
  return (
    <Tag tone={URGENCY_TONE[urgency]} strong={urgency !== "thuong"}>
      {urgency === "hoa_toc" ? "⚡ " : ""}
      {t(`office.urgency.${urgency}` as MessageKey)}
    </Tag>
  );
}

/** Whole days from today (Vietnam date) to a YYYY-MM-DD or yyyy/MM/dd date. */
export function daysUntil(date: string, now = new Date()): number {
  const today = now.toLocaleDateString("en-CA", { timeZone: "Asia/Ho_Chi_Minh" });
  const a = Date.parse(`${today}T00:00:00Z`);
  const b = Date.parse(`${date.replaceAll("/", "-").slice(0, 10)}T00:00:00Z`);
  return Math.round((b - a) / 86_400_000);
}

const CLOSED = ["done", "rejected", "taken_back", "revoked"];

export function DeadlineBadge({ date, state }: { date: string | null | undefined; state?: string }) {
  const { t } = useI18n();
  if (!date) return null;
  const days = daysUntil(date);
  const closed = state !== undefined && CLOSED.includes(state);
  if (closed || days > 2)
    return <Tag tone="gray">{fmt(t("office.deadline.on"), { date: viDate(date) })}</Tag>;
  if (days < 0)
    return (
      <Tag tone="red" strong>
        {fmt(t("office.deadline.overdue"), { n: -days })}
      </Tag>
    );
  return (
    <Tag tone="orange" strong>
      {days === 0 ? t("office.deadline.today") : fmt(t("office.deadline.soon"), { n: days })}
    </Tag>
  );
}

type Verdict = "valid" | "invalid" | "indeterminate" | "unsigned" | "unknown";

/** The worst verdict over every attachment of an incoming document. */
export function verdictOf(doc: IncomingDoc): Verdict {
  const all = doc.validation.signatures.map((s) => s.status);
  if (all.length === 0) return "unknown";
  for (const v of ["invalid", "indeterminate", "unsigned"] as const) if (all.includes(v)) return v;
  return "valid";
}

const VERDICT_TONE: Record<Verdict, Tone> = {
  valid: "green",
  invalid: "red",
  indeterminate: "orange",
  unsigned: "gray",
  unknown: "gray",
};

export function SignatureBadge({ verdict }: { verdict: Verdict }) {
  const { t } = useI18n();
  return (
    <Tag tone={VERDICT_TONE[verdict]} strong={verdict === "invalid" || verdict === "indeterminate"}>
      {verdict === "valid" ? "✓ " : verdict === "invalid" ? "✗ " : ""}
      {t(`office.sig.${verdict}` as MessageKey)}
    </Tag>
  );
}

export function StateBadge({ direction, state }: { direction: "incoming" | "outgoing"; state: string }) {
  const { t } = useI18n();
  const key = `office.${direction === "incoming" ? "in" : "out"}.state.${state}` as MessageKey;
  const tone: Tone =
    state === "done" || state === "issued"
      ? "green"
      : state === "rejected" || state === "revoked"
        ? "red"
        : "blue";
  return <Tag tone={tone}>{t(key) ?? state}</Tag>;
}

/** Label/value rows, stacked; long values wrap. */
export function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <Table variant="vertical" layout="fixed" withTableBorder fz="sm">
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Th w={{ base: 120, sm: 170 }}>{label}</Table.Th>
            <Table.Td style={{ overflowWrap: "anywhere" }}>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/**
 * The browser's own PDF viewer on the document file. The API sends files as attachments, so
 * the file is fetched and shown from a blob URL (which also keeps the session cookie off a
 * third-party viewer). A download link is always offered.
 */
export function PdfViewer({ url, title, fileName }: { url: string; title: string; fileName?: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<{ blobUrl?: string; error?: unknown }>({});
  useEffect(() => {
    let revoked = false;
    let objectUrl: string | undefined;
    setState({});
    apiBlob(url).then(
      (blob) => {
        if (revoked) return;
        objectUrl = URL.createObjectURL(new Blob([blob], { type: "application/pdf" }));
        setState({ blobUrl: objectUrl });
      },
      (error: unknown) => !revoked && setState({ error }),
    );
    return () => {
      revoked = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [url]);
  if (state.error) return <ErrorAlert error={state.error} />;
  if (!state.blobUrl) return <Loading />;
  return (
    <Stack gap="xs">
      <Box
        component="object"
        data={state.blobUrl}
        type="application/pdf"
        aria-label={title}
        w="100%"
        h={{ base: 420, md: 640 }}
        style={{ border: "1px solid var(--mantine-color-gray-4)", borderRadius: 4, background: "#f1f3f5" }}
      >
        <Text p="md" size="sm">
          {t("office.doc.pdfFallback")}
        </Text>
      </Box>
      <Anchor href={state.blobUrl} download={fileName ?? "van-ban.pdf"} size="sm">
        {t("office.download")}
        {fileName ? ` (${fileName})` : ""}
      </Anchor>
    </Stack>
  );
}

/** Government level implied by an agency code's shape (QĐ 20 `G09.12` or QCVN 102 `000.00.12.H29`). */
export function levelOfCode(code: string): 1 | 2 | 3 | 4 {
  const id = code.trim().toUpperCase();
  const legacy = /^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z][A-Z0-9]{2})$/.exec(id);
  if (legacy) return legacy[1] !== "000" ? 4 : legacy[2] !== "00" ? 3 : legacy[3] !== "00" ? 2 : 1;
  return Math.min(4, Math.max(1, id.split(".").length)) as 1 | 2 | 3 | 4;
}

/** Lower case without tone and vowel marks, đ → d: the same folding as the server's search. */
export function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "d")
    .toLowerCase();
}
