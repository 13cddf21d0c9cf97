/**
 * Văn thư: the incoming, outgoing and follow-up (theo dõi giải quyết văn bản đến) registers in the
 * NĐ 30 columns, printable (A4 landscape) and exportable as XLSX and CSV.
 */
import { Button, Group, NativeSelect, SegmentedControl, Table, Title } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useState } from "react";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { query, type Register, useOffice } from "./api.ts";
import { DownloadButton } from "./DownloadButton.tsx";
import { Empty, PageTitle, QueryView } from "./ui.tsx";

type Kind = "incoming" | "outgoing" | "follow-up";
const TITLES: Record<Kind, MessageKey> = {
  incoming: "office.registers.incoming",
  outgoing: "office.registers.outgoing",
  "follow-up": "office.registers.followUp",
};

export function RegistersPage() {
  const { t } = useI18n();
  const thisYear = new Date().getFullYear();
  const [kind, setKind] = useState<Kind>("incoming");
  // Three long register names do not fit side by side on a phone.
  const narrow = useMediaQuery("(max-width: 48em)");
  const [year, setYear] = useState(thisYear);
  const register = useOffice<Register>(`/api/registers/${kind}${query({ year })}`);
  const title = t(TITLES[kind]);
  const file = `so-${kind}-${year}`;
  return (
    <>
      <PageTitle
        right={
          <Group gap="xs" data-print-hide>
            <Button variant="default" onClick={() => window.print()}>
              {t("office.registers.print")}
            </Button>
            <DownloadButton
              href={`/api/registers/${kind}${query({ year, format: "xlsx" })}`}
              fallbackName={`${file}.xlsx`}
            >
              {t("office.registers.xlsx")}
            </DownloadButton>
            <DownloadButton
              href={`/api/registers/${kind}${query({ year, format: "csv" })}`}
              fallbackName={`${file}.csv`}
              variant="default"
            >
              {t("office.registers.csv")}
            </DownloadButton>
          </Group>
        }
      >
        {t("office.registers.title")}
      </PageTitle>
      <Group mb="md" gap="md" align="flex-end" data-print-hide>
        <SegmentedControl
          value={kind}
          onChange={(v) => setKind(v as Kind)}
          orientation={narrow ? "vertical" : "horizontal"}
          fullWidth={narrow}
          data={(Object.keys(TITLES) as Kind[]).map((k) => ({ value: k, label: t(TITLES[k]) }))}
        />
        <NativeSelect
          label={t("office.registers.year")}
          value={String(year)}
          onChange={(e) => setYear(Number(e.currentTarget.value))}
          data={[0, 1, 2, 3, 4].map((i) => String(thisYear - i))}
          w={110}
        />
      </Group>
      <Title order={3} size="h4" ta="center" mb="sm">
        {title.toUpperCase()} {year}
      </Title>
      <QueryView query={register}>
        {(r) => (
          // The headings show even for an empty register: the layout is part of what is checked.
          <Table.ScrollContainer minWidth={900}>
            <Table withTableBorder withColumnBorders fz="xs" className="truc-register">
              <Table.Thead>
                <Table.Tr>
                  {r.columns.map((c) => (
                    <Table.Th key={c}>{c}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {r.rows.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={r.columns.length}>
                      <Empty />
                    </Table.Td>
                  </Table.Tr>
                )}
                {r.rows.map((row, i) => (
                  // Register rows have no id of their own; their order is the register's.
                  // biome-ignore lint/suspicious/noArrayIndexKey: fixed order
                  <Table.Tr key={i}>
                    {row.map((cell, j) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: fixed columns
                      <Table.Td key={j}>{cell}</Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
    </>
  );
}
