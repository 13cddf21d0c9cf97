import { Table, Text } from "@mantine/core";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { formatDateTime } from "../stats/format.ts";
import { type CertificateItem, useAdmin } from "./api.ts";
import { DaysLeft, PageTitle, QueryView } from "./ui.tsx";

export function CertificatesPage() {
  const { t, lang } = useI18n();
  const q = useAdmin<{ items: CertificateItem[] }>("/admin/api/certificates");
  return (
    <>
      <PageTitle>{t("admin.nav.certificates")}</PageTitle>
      <QueryView query={q}>
        {({ items }) =>
          items.length === 0 ? (
            <Text c="dimmed">{t("admin.empty")}</Text>
          ) : (
            <Table.ScrollContainer minWidth={800}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("admin.certs.role")}</Table.Th>
                    <Table.Th>{t("admin.certs.boundTo")}</Table.Th>
                    <Table.Th>{t("admin.certs.subject")}</Table.Th>
                    <Table.Th>{t("admin.certs.validTo")}</Table.Th>
                    <Table.Th>{t("admin.certs.daysLeft")}</Table.Th>
                    <Table.Th>{t("admin.certs.lastSeen")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((c) => (
                    <Table.Tr key={`${c.role}:${c.boundTo}:${c.fingerprint}`}>
                      <Table.Td>{t(`admin.certs.role.${c.role}` as MessageKey)}</Table.Td>
                      <Table.Td ff="monospace">{c.boundTo || "—"}</Table.Td>
                      <Table.Td>
                        <Text size="sm">{c.subject ?? "—"}</Text>
                        {c.fingerprint && (
                          <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: "break-all" }}>
                            {c.fingerprint}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>{formatDateTime(c.validTo, lang)}</Table.Td>
                      <Table.Td>
                        <DaysLeft days={c.daysLeft} />
                      </Table.Td>
                      <Table.Td>{formatDateTime(c.lastSeenAt, lang)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryView>
    </>
  );
}
