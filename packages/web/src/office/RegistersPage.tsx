/** Văn thư: the incoming and outgoing registers (NĐ 30 columns), printable and exportable as CSV. */
import { Button, Group, NativeSelect, SegmentedControl, Table, Title } from "@mantine/core";
import { useState } from "react";
import { useI18n } from "../i18n/index.tsx";
import { query, type Register, useOffice } from "./api.ts";
import { Empty, PageTitle, QueryView } from "./ui.tsx";

export function RegistersPage() {
  const { t } = useI18n();
  const thisYear = new Date().getFullYear();
  const [kind, setKind] = useState<"incoming" | "outgoing">("incoming");
  const [year, setYear] = useState(thisYear);
  const register = useOffice<Register>(`/api/registers/${kind}${query({ year })}`);
  const title = t(kind === "incoming" ? "office.registers.incoming" : "office.registers.outgoing");
  return (
    <>
      <PageTitle
        right={
          <Group gap="xs" data-print-hide>
            <Button variant="default" onClick={() => window.print()}>
              {t("office.registers.print")}
            </Button>
            <Button component="a" href={`/api/registers/${kind}${query({ year, format: "csv" })}`} download>
              {t("office.registers.csv")}
            </Button>
          </Group>
        }
      >
        {t("office.registers.title")}
      </PageTitle>
      <Group mb="md" gap="md" align="flex-end" data-print-hide>
        <SegmentedControl
          value={kind}
          onChange={(v) => setKind(v as "incoming" | "outgoing")}
          data={[
            { value: "incoming", label: t("office.registers.incoming") },
            { value: "outgoing", label: t("office.registers.outgoing") },
          ]}
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
        {(r) =>
          r.rows.length === 0 ? (
            <Empty />
          ) : (
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
          )
        }
      </QueryView>
    </>
  );
}
