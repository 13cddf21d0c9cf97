/**
 * Case files (hồ sơ, NĐ 30 Phụ lục VI): the agency's files of a year, a form to open one with
 * its descriptive metadata, and (văn thư, lãnh đạo) the closed files whose retention period has
 * run out. One file: its metadata (DocTotal, PageTotal, StartDate, EndDate computed by the
 * office), its documents in DocOrdinal order, remove, close, and the ZIP archive package.
 */
import {
  Anchor,
  Button,
  Grid,
  Group,
  Modal,
  NativeSelect,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { type FormEvent, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import { type CaseFile, type CaseFileDetail, query, useOffice, useOfficeAction } from "./api.ts";
import { DownloadButton } from "./DownloadButton.tsx";
import { hasRole, useMe } from "./OfficeLayout.tsx";
import { Empty, Facts, PageTitle, QueryView, Section, Tag, viDate } from "./ui.tsx";

/** Retention periods offered (years; null = Vĩnh viễn), the common ones of the file-list rules. */
const RETENTION = ["5", "10", "15", "20", "30", "50", "70", "permanent"] as const;

function StateTag({ file }: { file: CaseFile }) {
  const { t } = useI18n();
  return file.state === "open" ? (
    <Tag tone="blue">{t("office.casefile.open")}</Tag>
  ) : (
    <Tag tone="gray">{t("office.casefile.closed")}</Tag>
  );
}

function dateRange(file: CaseFile): string {
  const { StartDate, EndDate } = file.metadata;
  if (!StartDate) return "";
  return StartDate === EndDate || !EndDate ? viDate(StartDate) : `${viDate(StartDate)} – ${viDate(EndDate)}`;
}

function CaseFileTable({ files }: { files: CaseFile[] }) {
  const { t } = useI18n();
  if (files.length === 0) return <Empty />;
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped highlightOnHover verticalSpacing="xs" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("office.casefile.code")}</Table.Th>
            <Table.Th>{t("office.casefile.titleCol")}</Table.Th>
            <Table.Th>{t("office.casefile.dates")}</Table.Th>
            <Table.Th>{t("office.casefile.docs")}</Table.Th>
            <Table.Th>{t("office.casefile.retention")}</Table.Th>
            <Table.Th>{t("office.col.state")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {files.map((f) => (
            <Table.Tr key={f.id}>
              <Table.Td style={{ whiteSpace: "nowrap" }}>{f.metadata.FileCode.Text}</Table.Td>
              <Table.Td maw={360}>
                <Anchor component={Link} to={`/office/case-files/${f.id}`} size="sm">
                  {f.metadata.Title}
                </Anchor>
              </Table.Td>
              <Table.Td>{dateRange(f)}</Table.Td>
              <Table.Td>
                {f.metadata.DocTotal} / {f.metadata.PageTotal}
              </Table.Td>
              <Table.Td>
                {f.metadata.Maintenance}
                {f.retentionExpiresOn && (
                  <Text size="xs" c="dimmed">
                    {t("office.casefile.expires")} {viDate(f.retentionExpiresOn)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <StateTag file={f} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function CaseFilesPage() {
  const { t } = useI18n();
  const me = useMe();
  const [state, setState] = useState<"open" | "closed" | "">("open");
  const [creating, setCreating] = useState(false);
  const files = useOffice<CaseFile[]>(`/api/case-files${query({ state })}`);
  const canSeeExpired = hasRole(me, "van_thu", "lanh_dao");
  return (
    <>
      <PageTitle right={<Button onClick={() => setCreating(true)}>{t("office.casefile.new")}</Button>}>
        {t("office.casefile.title")}
      </PageTitle>
      <Tabs defaultValue="files" keepMounted={false}>
        <Tabs.List mb="sm">
          <Tabs.Tab value="files">{t("office.casefile.list")}</Tabs.Tab>
          {canSeeExpired && <Tabs.Tab value="expired">{t("office.casefile.expired")}</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="files">
          <SegmentedControl
            mb="sm"
            value={state}
            onChange={(v) => setState(v as "open" | "closed" | "")}
            aria-label={t("office.casefile.filter")}
            data={[
              { value: "open", label: t("office.casefile.open") },
              { value: "closed", label: t("office.casefile.closed") },
              { value: "", label: t("office.all") },
            ]}
          />
          <QueryView query={files}>{(list) => <CaseFileTable files={list} />}</QueryView>
        </Tabs.Panel>
        {canSeeExpired && (
          <Tabs.Panel value="expired">
            <ExpiredList />
          </Tabs.Panel>
        )}
      </Tabs>
      <Modal opened={creating} onClose={() => setCreating(false)} title={t("office.casefile.new")} size="lg">
        <CreateCaseFileForm onCancel={() => setCreating(false)} />
      </Modal>
    </>
  );
}

function ExpiredList() {
  const { t } = useI18n();
  const expired = useOffice<CaseFile[]>("/api/retention/expired");
  return (
    <Stack gap="xs">
      <Text size="sm">{t("office.casefile.expiredHint")}</Text>
      <QueryView query={expired}>{(list) => <CaseFileTable files={list} />}</QueryView>
    </Stack>
  );
}

function CreateCaseFileForm({ onCancel }: { onCancel: () => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const thisYear = new Date().getFullYear();
  const create = useOfficeAction((body: Record<string, unknown>) =>
    api<CaseFileDetail>("POST", "/api/case-files", body).then((file) =>
      navigate(`/office/case-files/${file.id}`),
    ),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? "").trim();
    const retention = value("retention");
    create.mutate({
      fileNotation: value("fileNotation"),
      year: Number(value("year")),
      title: value("title"),
      retentionYears: retention === "permanent" ? null : Number(retention),
      ...(value("rights") ? { rights: value("rights") } : {}),
      ...(value("language") ? { language: value("language") } : {}),
      ...(value("creator") ? { creator: value("creator") } : {}),
      ...(value("description") ? { description: value("description") } : {}),
    });
  }
  return (
    <form onSubmit={submit}>
      <Stack gap="sm">
        <Grid gap="sm">
          <Grid.Col span={{ base: 12, sm: 4 }}>
            <NativeSelect
              name="year"
              label={t("office.casefile.year")}
              data={[1, 0, -1, -2].map((i) => String(thisYear + i))}
              defaultValue={String(thisYear)}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 8 }}>
            <TextInput
              name="fileNotation"
              label={t("office.casefile.notation")}
              description={t("office.casefile.notationHint")}
              required
              maxLength={20}
              pattern="[A-Za-z0-9.\-]+"
              data-autofocus
            />
          </Grid.Col>
        </Grid>
        <Textarea
          name="title"
          label={t("office.casefile.titleCol")}
          required
          maxLength={500}
          autosize
          minRows={2}
        />
        <Grid gap="sm">
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <NativeSelect
              name="retention"
              label={t("office.casefile.retention")}
              defaultValue="10"
              data={RETENTION.map((r) => ({
                value: r,
                label:
                  r === "permanent" ? t("office.casefile.permanent") : `${r} ${t("office.casefile.years")}`,
              }))}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <NativeSelect
              name="rights"
              label={t("office.casefile.rights")}
              defaultValue="Hạn chế"
              data={["Hạn chế", "Công khai", "Mật"]}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <TextInput
              name="language"
              label={t("office.casefile.language")}
              defaultValue="Tiếng Việt"
              maxLength={50}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <TextInput
              name="creator"
              label={t("office.casefile.creator")}
              description={t("office.casefile.creatorHint")}
              maxLength={30}
            />
          </Grid.Col>
        </Grid>
        <Textarea
          name="description"
          label={t("office.casefile.description")}
          maxLength={500}
          autosize
          minRows={2}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {t("office.cancel")}
          </Button>
          <Button type="submit" loading={create.isPending}>
            {t("office.casefile.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function CaseFilePage() {
  const { id = "" } = useParams();
  const file = useOffice<CaseFileDetail>(`/api/case-files/${id}`);
  return <QueryView query={file}>{(f) => <CaseFileView file={f} />}</QueryView>;
}

function CaseFileView({ file }: { file: CaseFileDetail }) {
  const { t } = useI18n();
  const me = useMe();
  const [closing, setClosing] = useState(false);
  const close = useOfficeAction(() => api("POST", `/api/case-files/${file.id}/close`, {}));
  const remove = useOfficeAction((d: { direction: string; id: string }) =>
    api("DELETE", `/api/case-files/${file.id}/documents/${d.direction}/${d.id}`),
  );
  const m = file.metadata;
  const open = file.state === "open";
  const canExport = hasRole(me, "van_thu", "lanh_dao");
  return (
    <>
      <Group gap="sm" mb="xs">
        <StateTag file={file} />
        <Tag tone="gray">{m.Maintenance}</Tag>
      </Group>
      <PageTitle
        right={
          <Group gap="xs">
            {canExport && (
              <DownloadButton
                href={`/api/case-files/${file.id}/export`}
                fallbackName={`ho-so-${m.FileCode.Text}.zip`}
                variant="default"
              >
                {t("office.archive.export")}
              </DownloadButton>
            )}
            {open && (
              <Button color="red.9" onClick={() => setClosing(true)}>
                {t("office.casefile.close")}
              </Button>
            )}
          </Group>
        }
      >
        {m.FileCode.Text} — {m.Title}
      </PageTitle>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Section title={t("office.casefile.metadata")}>
            <Facts
              rows={[
                ["FileCode", m.FileCode.Text],
                [t("office.casefile.titleCol"), m.Title],
                [t("office.casefile.retention"), m.Maintenance],
                [t("office.casefile.rights"), m.Rights],
                [t("office.casefile.creator"), m.Creator],
                [t("office.casefile.language"), m.Language],
                [t("office.casefile.start"), viDate(m.StartDate)],
                [t("office.casefile.end"), viDate(m.EndDate)],
                [t("office.casefile.docTotal"), String(m.DocTotal)],
                [t("office.casefile.pageTotal"), String(m.PageTotal)],
                [t("office.casefile.description"), m.Description],
                ...(file.retentionExpiresOn
                  ? ([[t("office.casefile.expires"), viDate(file.retentionExpiresOn)]] as [string, string][])
                  : []),
              ]}
            />
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Section title={t("office.casefile.documents")}>
            {file.documents.length === 0 ? (
              <Paper withBorder p="sm">
                <Text size="sm">{t("office.casefile.noDocuments")}</Text>
              </Paper>
            ) : (
              <Table.ScrollContainer minWidth={520}>
                <Table striped verticalSpacing="xs" fz="sm">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t("office.casefile.ordinal")}</Table.Th>
                      <Table.Th>{t("office.col.document")}</Table.Th>
                      <Table.Th>{t("office.col.date")}</Table.Th>
                      {open && <Table.Th>{t("office.col.actions")}</Table.Th>}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {file.documents.map((d) => (
                      <Table.Tr key={`${d.direction}-${d.id}`}>
                        <Table.Td>{d.docOrdinal}</Table.Td>
                        <Table.Td>
                          <Text size="sm" fw={600}>
                            {d.typeName} {d.code}
                            <Text span size="xs" c="dimmed" ml={6}>
                              {t(
                                d.direction === "incoming"
                                  ? "office.search.incoming"
                                  : "office.search.outgoing",
                              )}
                              {d.issuer ? ` · ${d.issuer}` : ""}
                            </Text>
                          </Text>
                          <Anchor component={Link} to={`/office/${d.direction}/${d.id}`} size="sm">
                            {d.subject}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{viDate(d.date)}</Table.Td>
                        {open && (
                          <Table.Td>
                            <Button
                              size="compact-sm"
                              variant="default"
                              loading={remove.isPending && remove.variables?.id === d.id}
                              onClick={() => remove.mutate({ direction: d.direction, id: d.id })}
                              aria-label={`${t("office.casefile.remove")}: ${d.code ?? d.subject ?? ""}`}
                            >
                              {t("office.casefile.remove")}
                            </Button>
                          </Table.Td>
                        )}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            {open && (
              <Text size="xs" c="dimmed" mt="xs">
                {t("office.casefile.addHint")}
              </Text>
            )}
          </Section>
        </Grid.Col>
      </Grid>
      <Modal opened={closing} onClose={() => setClosing(false)} title={t("office.casefile.close")}>
        <Stack>
          <Text size="sm">{t("office.casefile.closeHint")}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setClosing(false)}>
              {t("office.cancel")}
            </Button>
            <Button
              color="red.9"
              loading={close.isPending}
              onClick={() => close.mutate(undefined, { onSuccess: () => setClosing(false) })}
            >
              {t("office.casefile.close")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
