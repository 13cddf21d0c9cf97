/** A table of incoming documents with the badges a clerk scans first. */
import { Anchor, Button, Group, Modal, Stack, Table, Text, Textarea } from "@mantine/core";
import { type ReactNode, useState } from "react";
import { Link } from "react-router";
import { useI18n } from "../i18n/index.tsx";
import { type IncomingDoc, post, useOfficeAction } from "./api.ts";
import {
  DeadlineBadge,
  Empty,
  SignatureBadge,
  StateBadge,
  Tag,
  UrgencyBadge,
  verdictOf,
  viDate,
} from "./ui.tsx";

export function IncomingTable({
  docs,
  actions,
}: {
  docs: IncomingDoc[];
  actions?: (doc: IncomingDoc) => ReactNode;
}) {
  const { t } = useI18n();
  if (docs.length === 0) return <Empty />;
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table striped highlightOnHover verticalSpacing="xs" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("office.col.document")}</Table.Th>
            <Table.Th>{t("office.col.from")}</Table.Th>
            <Table.Th>{t("office.col.date")}</Table.Th>
            <Table.Th>{t("office.col.deadline")}</Table.Th>
            <Table.Th>{t("office.col.signature")}</Table.Th>
            <Table.Th>{t("office.col.state")}</Table.Th>
            {actions && <Table.Th>{t("office.col.actions")}</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {docs.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td maw={360}>
                <Group gap={6} mb={2}>
                  <UrgencyBadge urgency={d.urgency} />
                  <Text size="sm" fw={600}>
                    {d.typeName} {d.code}
                  </Text>
                </Group>
                <Anchor component={Link} to={`/office/incoming/${d.id}`} size="sm">
                  {d.subject}
                </Anchor>
              </Table.Td>
              <Table.Td>{d.from.name}</Table.Td>
              <Table.Td>{viDate(d.promulgationDate)}</Table.Td>
              <Table.Td>
                <DeadlineBadge date={d.assignment.deadline ?? d.dueDate} state={d.state} />
              </Table.Td>
              <Table.Td>
                {d.documentId.startsWith("paper:") ? (
                  <Tag tone="gray">{t("office.doc.paper")}</Tag>
                ) : (
                  <SignatureBadge verdict={verdictOf(d)} />
                )}
              </Table.Td>
              <Table.Td>
                <StateBadge direction="incoming" state={d.state} />
              </Table.Td>
              {actions && <Table.Td>{actions(d)}</Table.Td>}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Register (03) and return-with-reason (02) buttons of a clerk for an arrived document. */
export function RegisterOrReturn({ doc }: { doc: IncomingDoc }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const register = useOfficeAction(() => post(`/api/incoming/${doc.id}/register`));
  const reject = useOfficeAction(() => post(`/api/incoming/${doc.id}/reject`, { reason: reason.trim() }));
  return (
    <Group gap={6} wrap="nowrap">
      <Button
        size="compact-sm"
        onClick={() => register.mutate(undefined)}
        loading={register.isPending}
        aria-label={`${t("office.action.register")}: ${doc.code}`}
      >
        {t("office.action.register")}
      </Button>
      <Button size="compact-sm" variant="default" onClick={() => setOpen(true)}>
        {t("office.action.return")}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={t("office.return.title")}>
        <Stack>
          <Text size="sm">
            {doc.typeName} {doc.code}: {doc.subject}
          </Text>
          <Textarea
            label={t("office.return.reason")}
            description={t("office.return.hint")}
            required
            maxLength={500}
            autosize
            minRows={2}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              {t("office.cancel")}
            </Button>
            <Button
              disabled={reason.trim().length === 0}
              loading={reject.isPending}
              onClick={() => reject.mutate(undefined, { onSuccess: () => setOpen(false) })}
            >
              {t("office.action.return")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Group>
  );
}
