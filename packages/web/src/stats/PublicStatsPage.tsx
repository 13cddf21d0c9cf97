import { Button, Container, Group, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import type { Dashboard } from "../admin/api.ts";
import { QueryView } from "../admin/ui.tsx";
import { api } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import { scopeSearch } from "./AdminStatsPage.tsx";
import { DashboardView, PeriodForm } from "./Dashboard.tsx";
import { formatDateTime } from "./format.ts";

/** Public read-only statistics of the node: no account, refreshed every 30 s, CSV export. */
export function PublicStatsPage() {
  const { t, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const query = scopeSearch(params, {
    ...(params.get("province") ? { province: params.get("province") as string } : {}),
    ...(params.get("agency") ? { agency: params.get("agency") as string } : {}),
  });
  const q = useQuery({
    queryKey: ["public-stats", query],
    queryFn: () => api<Dashboard>("GET", `/public/stats${query}`),
    refetchInterval: 30_000,
  });
  const base = location.pathname.startsWith("/stats") ? "/stats" : "/thong-ke";
  return (
    <Container size="xl" px={0}>
      <Title order={2} mt="xs">
        {t("stats.publicTitle")}
      </Title>
      <Text c="dimmed" mb="md">
        {t("stats.publicIntro")}
      </Text>
      <QueryView query={q}>
        {(data) => (
          <>
            <Group mb="md" justify="space-between" align="flex-end" wrap="wrap">
              <PeriodForm
                from={data.period.from}
                to={data.period.to}
                onApply={(p) => {
                  const next = new URLSearchParams(params);
                  next.set("from", p.from);
                  next.set("to", p.to);
                  setParams(next);
                }}
              />
              <Group gap="sm">
                <Text size="xs" c="dimmed" aria-live="polite">
                  {t("stats.updated")} {formatDateTime(data.generatedAt, lang)}
                </Text>
                <Button component="a" href={`/public/stats.csv${query}`} download variant="default">
                  {t("stats.csv")}
                </Button>
              </Group>
            </Group>
            <DashboardView data={data} linkFor={(scope) => `${base}${scopeSearch(params, scope)}`} />
          </>
        )}
      </QueryView>
    </Container>
  );
}
