import { Anchor, Group } from "@mantine/core";
import { Link, useSearchParams } from "react-router";
import { type Dashboard, useAdmin } from "../admin/api.ts";
import { PageTitle, QueryView } from "../admin/ui.tsx";
import { useI18n } from "../i18n/index.tsx";
import { DashboardView, PeriodForm, type Scope } from "./Dashboard.tsx";

export function scopeSearch(params: URLSearchParams, scope: Scope): string {
  const next = new URLSearchParams();
  for (const k of ["from", "to"]) {
    const v = params.get(k);
    if (v) next.set(k, v);
  }
  if (scope.agency) next.set("agency", scope.agency);
  else if (scope.province) next.set("province", scope.province);
  const s = next.toString();
  return s ? `?${s}` : "";
}

export function AdminStatsPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const query = scopeSearch(params, {
    ...(params.get("province") ? { province: params.get("province") as string } : {}),
    ...(params.get("agency") ? { agency: params.get("agency") as string } : {}),
  });
  const q = useAdmin<Dashboard>(`/admin/api/stats${query}`);
  return (
    <>
      <PageTitle>{t("stats.title")}</PageTitle>
      <QueryView query={q}>
        {(data) => (
          <>
            <Group mb="md">
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
            </Group>
            <DashboardView
              data={data}
              linkFor={(scope) => `/admin/stats${scopeSearch(params, scope)}`}
              actions={
                <Group>
                  {data.scope.level === "agency" && data.scope.code && (
                    <Anchor component={Link} to={`/admin/agencies/${encodeURIComponent(data.scope.code)}`}>
                      {t("admin.nav.agencies")}: {data.scope.code}
                    </Anchor>
                  )}
                  <Anchor href={`/admin/api/stats.csv${query}`} download>
                    {t("stats.csv")}
                  </Anchor>
                </Group>
              }
            />
          </>
        )}
      </QueryView>
    </>
  );
}
