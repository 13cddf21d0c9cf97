import { Badge, Table, Text, Title } from "@mantine/core";
import { useI18n } from "../i18n/index.tsx";
import { formatDateTime, formatNumber } from "../stats/format.ts";
import { type Failures, useAdmin } from "./api.ts";
import { PageTitle, QueryView, Reason } from "./ui.tsx";

export function FailuresPage() {
  const { t, lang } = useI18n();
  const q = useAdmin<Failures>("/admin/api/failures", { refetchInterval: 30_000 });
  return (
    <>
      <PageTitle>{t("admin.nav.failures")}</PageTitle>
      <QueryView query={q}>
        {({ refused, outbox, deliveries }) => (
          <>
            <Title order={3} size="h4" mb="xs">
              {t("admin.failures.refused")}
            </Title>
            {refused.length === 0 ? (
              <Text c="dimmed" mb="lg">
                {t("admin.empty")}
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={760} mb="lg">
                <Table striped data-testid="refused-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t("admin.failures.when")}</Table.Th>
                      <Table.Th>{t("admin.failures.who")}</Table.Th>
                      <Table.Th>{t("admin.failures.reason")}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {refused.map((r) => (
                      <Table.Tr key={r.seq}>
                        <Table.Td>
                          {formatDateTime(r.at, lang)}
                          <br />
                          <Badge color={r.outcome === "duplicate" ? "gray" : "red"} variant="light">
                            {t(
                              r.outcome === "duplicate"
                                ? "admin.failures.duplicate"
                                : "admin.failures.refusedBadge",
                            )}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{r.sender ?? "—"}</Text>
                          <Text size="xs" c="dimmed">
                            {r.source} · {r.caller ?? "—"}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Reason
                            reason={r.reason}
                            code={r.code}
                            detail={
                              r.diagnostic
                                ? lang === "vi"
                                  ? r.diagnostic.vi
                                  : r.diagnostic.en
                                : r.message[lang]
                            }
                          />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            <Title order={3} size="h4" mb="xs">
              {t("admin.failures.outbox")}
            </Title>
            {outbox.length === 0 ? (
              <Text c="dimmed" mb="lg">
                {t("admin.empty")}
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={760} mb="lg">
                <Table striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t("admin.node")}</Table.Th>
                      <Table.Th>{t("admin.failures.who")}</Table.Th>
                      <Table.Th ta="right">{t("admin.queues.attempts")}</Table.Th>
                      <Table.Th>{t("admin.queues.nextRetry")}</Table.Th>
                      <Table.Th>{t("admin.failures.reason")}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {outbox.map((o) => (
                      <Table.Tr key={`${o.packageId}:${o.nodeId}`}>
                        <Table.Td>{o.nodeId}</Table.Td>
                        <Table.Td>
                          {o.sender}
                          <Text size="xs" c="dimmed">
                            {o.documentId}
                          </Text>
                        </Table.Td>
                        <Table.Td ta="right">{formatNumber(o.attempts, lang)}</Table.Td>
                        <Table.Td>{formatDateTime(o.nextAttemptAt, lang)}</Table.Td>
                        <Table.Td>
                          <Reason reason={o.reason} code={o.lastError} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            <Title order={3} size="h4" mb="xs">
              {t("admin.failures.deliveries")}
            </Title>
            {deliveries.length === 0 ? (
              <Text c="dimmed">{t("admin.empty")}</Text>
            ) : (
              <Table.ScrollContainer minWidth={760}>
                <Table striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t("admin.failures.when")}</Table.Th>
                      <Table.Th>{t("admin.queues.agency")}</Table.Th>
                      <Table.Th>{t("admin.failures.who")}</Table.Th>
                      <Table.Th>{t("admin.failures.reason")}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {deliveries.map((d) => (
                      <Table.Tr key={`${d.packageId}:${d.recipient}`}>
                        <Table.Td>{formatDateTime(d.ackedAt, lang)}</Table.Td>
                        <Table.Td>{d.recipient}</Table.Td>
                        <Table.Td>
                          {d.sender}
                          <Text size="xs" c="dimmed">
                            {d.documentId}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Reason reason={d.reason} detail={d.note} />
                        </Table.Td>
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
