/** A table of outgoing documents (drafts to issued ones). */
import { Anchor, Group, Table, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { useI18n } from "../i18n/index.tsx";
import type { OutgoingDoc } from "./api.ts";
import { DeadlineBadge, Empty, StateBadge, UrgencyBadge, viDate } from "./ui.tsx";

export function OutgoingTable({
  docs,
  actions,
}: {
  docs: OutgoingDoc[];
  actions?: (d: OutgoingDoc) => ReactNode;
}) {
  const { t } = useI18n();
  if (docs.length === 0) return <Empty />;
  return (
    <Table.ScrollContainer minWidth={680}>
      <Table striped highlightOnHover verticalSpacing="xs" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("office.col.document")}</Table.Th>
            <Table.Th>{t("office.col.date")}</Table.Th>
            <Table.Th>{t("office.col.deadline")}</Table.Th>
            <Table.Th>{t("office.col.state")}</Table.Th>
            {actions && <Table.Th>{t("office.col.actions")}</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {docs.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td maw={420}>
                <Group gap={6} mb={2}>
                  <UrgencyBadge urgency={d.urgency} />
                  <Text size="sm" fw={600}>
                    {d.typeName} {d.code ?? `(${t("office.noCode")})`}
                  </Text>
                </Group>
                <Anchor component={Link} to={`/office/outgoing/${d.id}`} size="sm">
                  {d.subject}
                </Anchor>
              </Table.Td>
              <Table.Td>{viDate(d.promulgationDate ?? d.createdAt)}</Table.Td>
              <Table.Td>
                <DeadlineBadge date={d.dueDate} state={d.state === "issued" ? "done" : d.state} />
              </Table.Td>
              <Table.Td>
                <StateBadge direction="outgoing" state={d.state} />
              </Table.Td>
              {actions && <Table.Td>{actions(d)}</Table.Td>}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
