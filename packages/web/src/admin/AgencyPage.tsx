import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  List,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { ApiError, api } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { formatDateTime, formatNumber } from "../stats/format.ts";
import { RegisterAgencyModal } from "./AgenciesPage.tsx";
import { type AgencyDetail, useAdmin } from "./api.ts";
import { PageTitle, QueryView, StateBadge } from "./ui.tsx";

export function AgencyPage() {
  const { code = "" } = useParams();
  const { t, lang } = useI18n();
  const q = useAdmin<AgencyDetail>(`/admin/api/agencies/${encodeURIComponent(code)}`);
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [registering, setRegistering] = useState<string | null>(null);

  async function setState(state: "active" | "suspended") {
    setError(null);
    try {
      await api("POST", `/admin/api/agencies/${encodeURIComponent(code)}/state`, { state });
      await queryClient.invalidateQueries({ queryKey: ["admin"] });
    } catch (e) {
      setError(e instanceof ApiError ? e.messages[lang] : t("error.network"));
    }
  }

  return (
    <QueryView query={q}>
      {({ agency, children, systems, backlog }) => (
        <Stack>
          <PageTitle
            right={
              <Group>
                <Button
                  component={Link}
                  variant="default"
                  to={`/admin/stats?agency=${encodeURIComponent(agency.code)}`}
                >
                  {t("admin.agencies.viewStats")}
                </Button>
                {agency.local && (
                  <>
                    <Button variant="default" onClick={() => setRegistering(agency.code)}>
                      {t("admin.agencies.registerChild")}
                    </Button>
                    {agency.state === "active" ? (
                      <Button color="red.8" onClick={() => setState("suspended")}>
                        {t("admin.agencies.suspend")}
                      </Button>
                    ) : (
                      <Button color="green.8" onClick={() => setState("active")}>
                        {t("admin.agencies.reactivate")}
                      </Button>
                    )}
                  </>
                )}
              </Group>
            }
          >
            {agency.name}
          </PageTitle>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Card withBorder>
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
              <Field label={t("admin.agencies.code")} value={agency.code} mono />
              <Field label={t("admin.agencies.code102")} value={agency.code102 ?? "—"} mono />
              <Field
                label={t("admin.agencies.level")}
                value={t(`admin.level.${agency.level}` as MessageKey)}
              />
              <Field
                label={t("admin.agencies.parent")}
                value={
                  agency.parent ? (
                    <Anchor component={Link} to={`/admin/agencies/${encodeURIComponent(agency.parent)}`}>
                      {agency.parent}
                    </Anchor>
                  ) : (
                    "—"
                  )
                }
              />
              <Field
                label={t("admin.agencies.node")}
                value={`${agency.node}${agency.local ? "" : ` (${t("admin.agencies.remote")})`}`}
              />
              <Field label={t("admin.agencies.state")} value={<StateBadge state={agency.state} />} />
              <Field label={t("admin.agencies.email")} value={agency.email ?? "—"} />
              <Field label={t("admin.agencies.phone")} value={agency.phone ?? "—"} />
            </SimpleGrid>
          </Card>
          <Title order={3} size="h4">
            {t("admin.agencies.children")}
          </Title>
          {children.length === 0 ? (
            <Text c="dimmed">{t("admin.empty")}</Text>
          ) : (
            <List>
              {children.map((c) => (
                <List.Item key={c.code}>
                  <Anchor component={Link} to={`/admin/agencies/${encodeURIComponent(c.code)}`}>
                    {c.code}
                  </Anchor>{" "}
                  — {c.name} <StateBadge state={c.state} />
                </List.Item>
              ))}
            </List>
          )}
          <Title order={3} size="h4">
            {t("admin.agencies.systems")}
          </Title>
          {systems.length === 0 ? (
            <Text c="dimmed">{t("admin.empty")}</Text>
          ) : (
            <Table>
              <Table.Tbody>
                {systems.map((s) => (
                  <Table.Tr key={s.systemId}>
                    <Table.Td ff="monospace">{s.systemId}</Table.Td>
                    <Table.Td ff="monospace" style={{ wordBreak: "break-all" }}>
                      {s.certFingerprint ?? "—"}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Title order={3} size="h4">
            {t("admin.agencies.backlog")}
          </Title>
          {backlog.length === 0 ? (
            <Text c="dimmed">{t("admin.empty")}</Text>
          ) : (
            <List>
              {backlog.map((b) => (
                <List.Item key={b.kind}>
                  {t(b.kind === "edoc" ? "admin.kind.edoc" : "admin.kind.status")}:{" "}
                  {formatNumber(b.pending, lang)} — {t("admin.queues.oldest")}{" "}
                  {formatDateTime(b.oldest, lang)}
                </List.Item>
              ))}
            </List>
          )}
          <RegisterAgencyModal parent={registering} onClose={() => setRegistering(null)} />
        </Stack>
      )}
    </QueryView>
  );
}

function Field({ label, value, mono }: { label: string; value: React.ReactNode; mono?: boolean }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text component="div" ff={mono ? "monospace" : undefined}>
        {value}
      </Text>
    </Stack>
  );
}
