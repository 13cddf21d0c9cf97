import { Card, SimpleGrid, Text } from "@mantine/core";
import { Link } from "react-router";
import { useI18n } from "../i18n/index.tsx";
import { formatNumber } from "../stats/format.ts";
import { type Overview, useAdmin } from "./api.ts";
import { PageTitle, QueryView, Stat } from "./ui.tsx";

export function OverviewPage() {
  const { t, lang } = useI18n();
  const q = useAdmin<Overview>("/admin/api/overview", { refetchInterval: 30_000 });
  return (
    <QueryView query={q}>
      {(o) => (
        <>
          <PageTitle>
            {t("admin.title")} — {o.node.nodeId}
          </PageTitle>
          <Text mb="md">
            {t(o.node.role === "national" ? "admin.role.national" : "admin.role.lgsp")} · {o.node.organId}
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
            {[
              {
                to: "/admin/agencies",
                label: t("admin.overview.agencies"),
                value: formatNumber(o.agencies.total, lang),
                hint: `${formatNumber(o.agencies.local, lang)} ${t("admin.overview.local")} · ${formatNumber(o.agencies.suspended, lang)} ${t("admin.overview.suspended")}`,
              },
              {
                to: "/admin/systems",
                label: t("admin.overview.systems"),
                value: formatNumber(o.systems, lang),
              },
              {
                to: "/admin/queues",
                label: t("admin.overview.mailbox"),
                value: formatNumber(o.mailboxPending, lang),
              },
              {
                to: "/admin/queues",
                label: t("admin.overview.outbox"),
                value: formatNumber(o.outboxPending, lang),
              },
              {
                to: "/admin/failures",
                label: t("admin.overview.refused"),
                value: formatNumber(o.refusedLast24h, lang),
              },
              {
                to: "/admin/federation",
                label: t("admin.overview.neighbours"),
                value: formatNumber(o.neighbours, lang),
              },
              {
                to: "/admin/evidence",
                label: t("admin.overview.evidence"),
                value: formatNumber(o.evidenceRecords, lang),
              },
            ].map((c) => (
              <Card key={c.label} withBorder component={Link} to={c.to} padding="md">
                <Stat label={c.label} value={c.value} hint={c.hint} />
              </Card>
            ))}
          </SimpleGrid>
        </>
      )}
    </QueryView>
  );
}
