/**
 * The statistics dashboard, shared by the node console (/admin/stats) and the public page
 * (/thong-ke): headline counters, documents per month, per province/ministry, per level,
 * and per agency with status feedback (which of 01–06 each recipient returns and its median
 * time to 01/03/06). Drill-down is by links: node → province → agency.
 */
import { BarChart, DonutChart } from "@mantine/charts";
import {
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Card,
  Grid,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { type FormEvent, type ReactNode, useId } from "react";
import { Link } from "react-router";
import type { Dashboard } from "../admin/api.ts";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { formatDuration, formatMonth, formatNumber, formatPercent } from "./format.ts";

export interface Scope {
  province?: string;
  agency?: string;
}

const STATUS_SHOWN = ["01", "03", "04", "05", "06"] as const;

export function PeriodForm({
  from,
  to,
  onApply,
}: {
  from: string;
  to: string;
  onApply(period: { from: string; to: string }): void;
}) {
  const { t } = useI18n();
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    onApply({ from: String(f.get("from")), to: String(f.get("to")) });
  }
  return (
    <form onSubmit={submit}>
      <Group align="flex-end" wrap="wrap" gap="sm">
        <TextInput
          type="date"
          name="from"
          label={t("stats.from")}
          defaultValue={from}
          key={`f${from}`}
          w={170}
        />
        <TextInput type="date" name="to" label={t("stats.to")} defaultValue={to} key={`t${to}`} w={170} />
        <Button type="submit" variant="default">
          {t("stats.apply")}
        </Button>
      </Group>
    </form>
  );
}

function Kpi({ label, value }: { label: string; value: ReactNode }) {
  return (
    <Card withBorder padding="sm">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={700} fz={26} lh={1.2}>
        {value}
      </Text>
    </Card>
  );
}

export function DashboardView({
  data,
  linkFor,
  actions,
}: {
  data: Dashboard;
  linkFor(scope: Scope): string;
  actions?: ReactNode;
}) {
  const { t, lang } = useI18n();
  const chartId = useId();
  const { scope, totals } = data;
  const months = data.byMonth.map((m) => ({
    month: formatMonth(m.month, lang),
    [t("stats.sent")]: m.sent,
    [t("stats.received")]: m.received,
  }));
  const crumbs = [
    <Anchor component={Link} to={linkFor({})} key="node">
      {t("stats.country")} ({data.node.nodeId})
    </Anchor>,
    ...(scope.level === "province" && scope.code
      ? [
          <Text key="p" span fw={600}>
            {scope.name ?? scope.code}
          </Text>,
        ]
      : []),
    ...(scope.level === "agency" && scope.code
      ? [
          ...(scope.province && scope.province !== scope.code
            ? [
                <Anchor component={Link} to={linkFor({ province: scope.province })} key="p">
                  {scope.provinceName ?? scope.province}
                </Anchor>,
              ]
            : []),
          <Text key="a" span fw={600}>
            {scope.name ?? scope.code}
          </Text>,
        ]
      : []),
  ];
  const provinceTitle = scope.level === "node" ? t("stats.byProvince") : t("stats.byAgency");
  const levelData = data.byLevel
    .filter((l) => l.sent > 0)
    .map((l, i) => ({
      name: l.level ? t(`admin.level.${l.level}` as MessageKey) : "?",
      value: l.sent,
      color: ["red.8", "blue.8", "teal.8", "orange.8", "gray.6"][i % 5] as string,
    }));

  return (
    <Stack gap="lg">
      <Group justify="space-between" wrap="wrap">
        <Breadcrumbs separator="›">{crumbs}</Breadcrumbs>
        {actions}
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm">
        <Kpi label={t("stats.sent")} value={formatNumber(totals.sent, lang)} />
        <Kpi label={t("stats.received")} value={formatNumber(totals.received, lang)} />
        <Kpi label={t("stats.signedShare")} value={formatPercent(totals.signedShare, lang)} />
        <Kpi label={t("stats.agencies")} value={formatNumber(totals.agencies, lang)} />
        <Kpi label={t("stats.pending")} value={formatNumber(totals.pending, lang)} />
        <Kpi label={t("stats.overdue")} value={formatNumber(totals.overdue, lang)} />
      </SimpleGrid>

      {totals.sent + totals.received === 0 && <Text c="dimmed">{t("stats.noData")}</Text>}

      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Card withBorder h="100%">
            <Title order={3} size="h5" mb="sm" id={`${chartId}-m`}>
              {t("stats.byMonth")}
            </Title>
            <div role="img" aria-labelledby={`${chartId}-m`}>
              <BarChart
                h={260}
                data={months}
                dataKey="month"
                series={[
                  { name: t("stats.sent"), color: "red.8" },
                  { name: t("stats.received"), color: "blue.8" },
                ]}
                withLegend
                tickLine="y"
                valueFormatter={(v) => formatNumber(v, lang)}
                yAxisProps={{ allowDecimals: false }}
              />
            </div>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Card withBorder h="100%">
            <Title order={3} size="h5" mb="sm" id={`${chartId}-l`}>
              {t("stats.byLevel")} ({t("stats.sent").toLowerCase()})
            </Title>
            {levelData.length > 0 ? (
              <div role="img" aria-labelledby={`${chartId}-l`}>
                <DonutChart data={levelData} withLabels withLabelsLine={false} h={200} mx="auto" />
                <Stack gap={2} mt="xs">
                  {levelData.map((l) => (
                    <Group key={l.name} gap="xs" wrap="nowrap">
                      <Badge color={l.color} size="xs" circle>
                        {" "}
                      </Badge>
                      <Text size="sm">
                        {l.name}: {formatNumber(l.value, lang)}
                      </Text>
                    </Group>
                  ))}
                </Stack>
              </div>
            ) : (
              <Text c="dimmed">{t("admin.empty")}</Text>
            )}
          </Card>
        </Grid.Col>
      </Grid>

      {scope.level === "node" && (
        <Card withBorder>
          <Title order={3} size="h5" mb="sm">
            {provinceTitle}
          </Title>
          <Table.ScrollContainer minWidth={520}>
            <Table striped highlightOnHover data-testid="province-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("admin.agencies.name")}</Table.Th>
                  <Table.Th ta="right">{t("stats.sent")}</Table.Th>
                  <Table.Th ta="right">{t("stats.received")}</Table.Th>
                  <Table.Th ta="right">{t("stats.signedShort")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.byProvince.map((p) => (
                  <Table.Tr key={p.code}>
                    <Table.Td>
                      <Anchor component={Link} to={linkFor({ province: p.code })}>
                        {p.name}
                      </Anchor>{" "}
                      <Text span size="xs" c="dimmed" ff="monospace">
                        {p.code}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">{formatNumber(p.sent, lang)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(p.received, lang)}</Table.Td>
                    <Table.Td ta="right">{formatPercent(p.signedShare, lang)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}

      <Card withBorder>
        <Title order={3} size="h5">
          {t("stats.compliance")}
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          {t("stats.complianceHint")}
        </Text>
        <Table.ScrollContainer minWidth={900}>
          <Table striped highlightOnHover data-testid="agency-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("admin.queues.agency")}</Table.Th>
                <Table.Th ta="right">{t("stats.sent")}</Table.Th>
                <Table.Th ta="right">{t("stats.received")}</Table.Th>
                <Table.Th ta="right">{t("stats.signedShort")}</Table.Th>
                {STATUS_SHOWN.map((c) => (
                  <Table.Th key={c} ta="center">
                    {c}
                  </Table.Th>
                ))}
                <Table.Th>{t("stats.median01")}</Table.Th>
                <Table.Th>{t("stats.median03")}</Table.Th>
                <Table.Th>{t("stats.median06")}</Table.Th>
                <Table.Th>{t("stats.returnsAll")}</Table.Th>
                {data.agencies.some((a) => a.pending !== undefined) && (
                  <>
                    <Table.Th ta="right">{t("stats.pending")}</Table.Th>
                    <Table.Th ta="right">{t("stats.overdue")}</Table.Th>
                  </>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.agencies.map((a) => (
                <Table.Tr key={a.code}>
                  <Table.Td>
                    {scope.level === "agency" ? (
                      <Text size="sm" fw={600}>
                        {a.name}
                      </Text>
                    ) : (
                      <Anchor component={Link} to={linkFor({ agency: a.code })} size="sm">
                        {a.name}
                      </Anchor>
                    )}
                    <Text size="xs" c="dimmed" ff="monospace">
                      {a.code}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">{formatNumber(a.sent, lang)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(a.received, lang)}</Table.Td>
                  <Table.Td ta="right">{formatPercent(a.signedShare, lang)}</Table.Td>
                  {STATUS_SHOWN.map((c) => (
                    <Table.Td key={c} ta="center">
                      {a.statuses[c] ? formatNumber(a.statuses[c], lang) : "—"}
                    </Table.Td>
                  ))}
                  <Table.Td>{formatDuration(a.medianMs["01"], lang)}</Table.Td>
                  <Table.Td>{formatDuration(a.medianMs["03"], lang)}</Table.Td>
                  <Table.Td>{formatDuration(a.medianMs["06"], lang)}</Table.Td>
                  <Table.Td>
                    <Badge color={a.returnsAll ? "green" : "gray"} variant="light">
                      {t(a.returnsAll ? "stats.yes" : "stats.no")}
                    </Badge>
                  </Table.Td>
                  {a.pending !== undefined && (
                    <>
                      <Table.Td ta="right">{formatNumber(a.pending, lang)}</Table.Td>
                      <Table.Td ta="right">{formatNumber(a.overdue ?? 0, lang)}</Table.Td>
                    </>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {data.medianResolution && (
          <Text size="xs" c="dimmed" mt="xs">
            {data.medianResolution.note[lang]}
          </Text>
        )}
      </Card>
    </Stack>
  );
}
