import { Badge, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { formatDateTime, formatNumber } from "../stats/format.ts";
import { type Federation, useAdmin } from "./api.ts";
import { DaysLeft, PageTitle, QueryView, Reason } from "./ui.tsx";

const HEALTH_COLOR = { ok: "green", error: "red", idle: "gray" } as const;

export function FederationPage() {
  const { t, lang } = useI18n();
  const q = useAdmin<Federation>("/admin/api/federation", { refetchInterval: 15_000 });
  return (
    <>
      <PageTitle>{t("admin.nav.federation")}</PageTitle>
      <QueryView query={q}>
        {({ self, links }) => (
          <Stack>
            <Text>
              {t("admin.node")}: <b>{self.nodeId}</b> · {self.organId}
            </Text>
            {links.length === 0 && <Text c="dimmed">{t("admin.federation.none")}</Text>}
            <SimpleGrid cols={{ base: 1, lg: 2 }}>
              {links.map((l) => (
                <Card key={l.nodeId} withBorder data-testid={`link-${l.nodeId}`}>
                  <Group justify="space-between" mb="xs">
                    <Title order={3} size="h5">
                      {t(l.relation === "parent" ? "admin.federation.parent" : "admin.federation.child")}:{" "}
                      {l.nodeId}
                    </Title>
                    <Badge color={HEALTH_COLOR[l.health]} variant="light">
                      {t(`admin.federation.health.${l.health}` as MessageKey)}
                    </Badge>
                  </Group>
                  <Text size="sm" c="dimmed" ff="monospace" style={{ wordBreak: "break-all" }}>
                    {l.organId ?? ""} {l.url}
                  </Text>
                  <SimpleGrid cols={2} mt="sm" spacing="xs">
                    <Text size="sm">{t("admin.federation.lastExchange")}</Text>
                    <Text size="sm">
                      {l.lastExchange ? formatDateTime(l.lastExchange, lang) : t("admin.federation.never")}
                    </Text>
                    <Text size="sm">{t("admin.federation.lastSent")}</Text>
                    <Text size="sm">
                      {l.lastSent ? formatDateTime(l.lastSent, lang) : t("admin.federation.never")}
                    </Text>
                    <Text size="sm">{t("admin.federation.lastReceived")}</Text>
                    <Text size="sm">
                      {l.lastReceived ? formatDateTime(l.lastReceived, lang) : t("admin.federation.never")}
                    </Text>
                    <Text size="sm">{t("admin.queues.pending")}</Text>
                    <Text size="sm">{formatNumber(l.pending, lang)}</Text>
                    <Text size="sm">{t("admin.federation.certDays")}</Text>
                    <div>
                      <DaysLeft days={l.certificateDaysLeft} />
                    </div>
                  </SimpleGrid>
                  {l.reason && (
                    <Card withBorder mt="sm" bg="red.0">
                      <Reason reason={l.reason} code={l.lastError} />
                    </Card>
                  )}
                </Card>
              ))}
            </SimpleGrid>
          </Stack>
        )}
      </QueryView>
    </>
  );
}
