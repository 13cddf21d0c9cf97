import { Alert, Badge, Group, Loader, Stack, Text, Title, Tooltip } from "@mantine/core";
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ApiError } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";

export function PageTitle({ children, right }: { children: ReactNode; right?: ReactNode }) {
  return (
    <Group justify="space-between" mb="md" wrap="wrap">
      <Title order={2} size="h3">
        {children}
      </Title>
      {right}
    </Group>
  );
}

/** Renders loading and error states of a query, then its data. */
export function QueryView<T>({
  query,
  children,
}: {
  query: UseQueryResult<T>;
  children: (data: T) => ReactNode;
}) {
  const { t, lang } = useI18n();
  if (query.isPending)
    return (
      <Group gap="xs" role="status">
        <Loader size="sm" />
        <Text size="sm">{t("admin.loading")}</Text>
      </Group>
    );
  if (query.isError)
    return (
      <Alert color="red" title={t("admin.error")} role="alert">
        {query.error instanceof ApiError ? query.error.messages[lang] : t("error.network")}
      </Alert>
    );
  return <>{children(query.data as T)}</>;
}

/** A failure reason in plain words, with the technical code underneath for the record. */
export function Reason({
  reason,
  code,
  detail,
}: {
  reason: string;
  code?: string | null;
  detail?: string | null;
}) {
  const { t } = useI18n();
  return (
    <Stack gap={2}>
      <Text size="sm">{t(`reason.${reason}` as MessageKey)}</Text>
      {detail && (
        <Text size="xs" c="dimmed">
          {detail}
        </Text>
      )}
      {code && (
        <Text size="xs" ff="monospace" c="dimmed">
          {code}
        </Text>
      )}
    </Stack>
  );
}

export function StateBadge({ state }: { state: "active" | "suspended" }) {
  const { t } = useI18n();
  return (
    <Badge color={state === "active" ? "green" : "gray"} variant="light">
      {t(state === "active" ? "admin.state.active" : "admin.state.suspended")}
    </Badge>
  );
}

export function DaysLeft({ days }: { days: number | null }) {
  const { t } = useI18n();
  if (days === null)
    return (
      <Text size="sm" c="dimmed">
        {t("admin.certs.notSeen")}
      </Text>
    );
  const color = days < 0 ? "red" : days < 30 ? "orange" : "green";
  return (
    <Tooltip label={`${days} ${t("admin.certs.days")}`}>
      <Badge color={color} variant="light">
        {days < 0 ? t("admin.certs.expired") : `${days} ${t("admin.certs.days")}`}
      </Badge>
    </Tooltip>
  );
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="xl">
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Stack>
  );
}
