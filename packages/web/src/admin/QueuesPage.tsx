import { Anchor, Badge, Table, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { useI18n } from "../i18n/index.tsx";
import { formatDateTime, formatNumber } from "../stats/format.ts";
import { type Queues, useAdmin } from "./api.ts";
import { PageTitle, QueryView } from "./ui.tsx";

export function QueuesPage() {
  const { t, lang } = useI18n();
  const q = useAdmin<Queues>("/admin/api/queues", { refetchInterval: 15_000 });
  return (
    <>
      <PageTitle>{t("admin.nav.queues")}</PageTitle>
      <QueryView query={q}>
        {({ mailbox, outbox }) => (
          <>
            <Title order={3} size="h4" mb="xs">
              {t("admin.queues.mailbox")}
            </Title>
            {mailbox.length === 0 ? (
              <Text c="dimmed" mb="lg">
                {t("admin.empty")}
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={600} mb="lg">
                <Table striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t("admin.queues.agency")}</Table.Th>
                      <Table.Th>{t("admin.queues.kind")}</Table.Th>
                      <Table.Th ta="right">{t("admin.queues.pending")}</Table.Th>
                      <Table.Th>{t("admin.queues.oldest")}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {mailbox.map((m) => (
                      <Table.Tr key={`${m.agency}:${m.kind}`}>
                        <Table.Td>
                          <Anchor component={Link} to={`/admin/agencies/${encodeURIComponent(m.agency)}`}>
                            {m.agency}
                          </Anchor>{" "}
                          {m.name}
                        </Table.Td>
                        <Table.Td>{t(m.kind === "edoc" ? "admin.kind.edoc" : "admin.kind.status")}</Table.Td>
                        <Table.Td ta="right">{formatNumber(m.pending, lang)}</Table.Td>
                        <Table.Td>{formatDateTime(m.oldest, lang)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            <Title order={3} size="h4" mb="xs">
              {t("admin.queues.outbox")}
            </Title>
            {outbox.length === 0 ? (
              <Text c="dimmed">{t("admin.empty")}</Text>
            ) : (
              <Table.ScrollContainer minWidth={600}>
                <Table striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t("admin.node")}</Table.Th>
                      <Table.Th ta="right">{t("admin.queues.pending")}</Table.Th>
                      <Table.Th ta="right">{t("admin.queues.attempts")}</Table.Th>
                      <Table.Th>{t("admin.queues.nextRetry")}</Table.Th>
                      <Table.Th>{t("admin.queues.oldest")}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {outbox.map((o) => (
                      <Table.Tr key={o.nodeId}>
                        <Table.Td>
                          {o.nodeId}{" "}
                          {o.failing > 0 && (
                            <Badge color="red" variant="light">
                              {t("admin.queues.failing")}: {o.failing}
                            </Badge>
                          )}
                        </Table.Td>
                        <Table.Td ta="right">{formatNumber(o.pending, lang)}</Table.Td>
                        <Table.Td ta="right">{formatNumber(o.maxAttempts, lang)}</Table.Td>
                        <Table.Td>{formatDateTime(o.nextAttemptAt, lang)}</Table.Td>
                        <Table.Td>{formatDateTime(o.oldest, lang)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </>
        )}
      </QueryView>
    </>
  );
}
