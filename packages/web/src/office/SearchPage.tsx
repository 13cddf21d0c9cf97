/**
 * Search over incoming and outgoing documents: diacritic-insensitive full text (the server
 * folds đ → d and strips tone marks; hits with the exact diacritics come first) and filters.
 * The filters live in the URL, so a search can be bookmarked and the back button works.
 */
import { Anchor, Button, Grid, Group, NativeSelect, Table, Text, TextInput } from "@mantine/core";
import type { FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { query, type Reference, type SearchHit, useOffice } from "./api.ts";
import { Empty, fmt, PageTitle, QueryView, StateBadge, UrgencyBadge, viDate } from "./ui.tsx";

const FIELDS = ["q", "direction", "typeName", "issuer", "state", "urgency", "from", "to"] as const;

export function SearchPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const reference = useOffice<Reference>("/api/reference");
  const filter = Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? ""])) as Record<
    (typeof FIELDS)[number],
    string
  >;
  const active = FIELDS.some((f) => filter[f] !== "");
  const results = useOffice<SearchHit[]>(active ? `/api/search${query({ ...filter, limit: 200 })}` : null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: Record<string, string> = {};
    for (const f of FIELDS) {
      const v = String(form.get(f) ?? "").trim();
      if (v) next[f] = v;
    }
    setParams(next);
  }

  const states = [
    ...new Set([...(reference.data?.incomingStates ?? []), ...(reference.data?.outgoingStates ?? [])]),
  ].filter((s) => s !== "received");
  const stateLabel = (s: string) =>
    t(`office.in.state.${s}` as MessageKey) ?? t(`office.out.state.${s}` as MessageKey) ?? s;

  return (
    <>
      <PageTitle>{t("office.search.title")}</PageTitle>
      <search>
        <form onSubmit={submit} key={params.toString()}>
          <Grid gap="sm" align="flex-end">
            <Grid.Col span={{ base: 12, md: 6 }}>
              <TextInput
                name="q"
                label={t("office.search.q")}
                defaultValue={filter.q}
                type="search"
                maxLength={200}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, md: 3 }}>
              <NativeSelect
                name="direction"
                label={t("office.search.direction")}
                defaultValue={filter.direction}
                data={[
                  { value: "", label: t("office.all") },
                  { value: "incoming", label: t("office.search.incoming") },
                  { value: "outgoing", label: t("office.search.outgoing") },
                ]}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, md: 3 }}>
              <NativeSelect
                name="urgency"
                label={t("office.search.urgency")}
                defaultValue={filter.urgency}
                data={[
                  { value: "", label: t("office.all") },
                  ...["thuong", "khan", "thuong_khan", "hoa_toc"].map((u) => ({
                    value: u,
                    label: t(`office.urgency.${u}` as MessageKey),
                  })),
                ]}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6, md: 3 }}>
              <NativeSelect
                name="typeName"
                label={t("office.search.type")}
                defaultValue={filter.typeName}
                data={[
                  { value: "", label: t("office.all") },
                  ...[...new Set((reference.data?.documentTypes ?? []).map((d) => d.name))].map((n) => ({
                    value: n,
                    label: n,
                  })),
                ]}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6, md: 3 }}>
              <NativeSelect
                name="state"
                label={t("office.search.state")}
                defaultValue={filter.state}
                data={[
                  { value: "", label: t("office.all") },
                  ...states.map((s) => ({ value: s, label: stateLabel(s) })),
                ]}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 4, md: 2 }}>
              <TextInput
                name="issuer"
                label={t("office.search.issuer")}
                defaultValue={filter.issuer}
                maxLength={13}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, sm: 4, md: 2 }}>
              <TextInput name="from" type="date" label={t("office.search.from")} defaultValue={filter.from} />
            </Grid.Col>
            <Grid.Col span={{ base: 6, sm: 4, md: 2 }}>
              <TextInput name="to" type="date" label={t("office.search.to")} defaultValue={filter.to} />
            </Grid.Col>
          </Grid>
          <Group mt="sm">
            <Button type="submit">{t("office.search.submit")}</Button>
          </Group>
        </form>
      </search>
      <Text size="sm" mt="lg" mb="xs" aria-live="polite">
        {!active
          ? t("office.search.hint")
          : results.data
            ? fmt(t("office.search.count"), { n: results.data.length })
            : ""}
      </Text>
      {active && (
        <QueryView query={results}>
          {(hits) =>
            hits.length === 0 ? (
              <Empty />
            ) : (
              <Table.ScrollContainer minWidth={700}>
                <Table striped highlightOnHover fz="sm" verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t("office.col.direction")}</Table.Th>
                      <Table.Th>{t("office.col.document")}</Table.Th>
                      <Table.Th>{t("office.col.from")}</Table.Th>
                      <Table.Th>{t("office.col.date")}</Table.Th>
                      <Table.Th>{t("office.col.state")}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {hits.map((h) => (
                      <Table.Tr key={`${h.direction}-${h.id}`}>
                        <Table.Td>
                          {t(
                            h.direction === "incoming" ? "office.search.incoming" : "office.search.outgoing",
                          )}
                        </Table.Td>
                        <Table.Td maw={420}>
                          <Group gap={6} mb={2}>
                            <UrgencyBadge urgency={h.urgency} />
                            <Text size="sm" fw={600}>
                              {h.typeName} {h.code ?? ""}
                            </Text>
                          </Group>
                          <Anchor component={Link} to={`/office/${h.direction}/${h.id}`} size="sm">
                            {h.subject}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{h.issuer}</Table.Td>
                        <Table.Td>{viDate(h.date)}</Table.Td>
                        <Table.Td>
                          <StateBadge direction={h.direction} state={h.state} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )
          }
        </QueryView>
      )}
    </>
  );
}
