/**
 * Archive actions of one document: "Đưa vào hồ sơ" (file it in an open case file) and
 * "Xuất gói lưu trữ" (the ZIP archive package with its SHA-256 manifest).
 */
import { Anchor, Button, Group, NativeSelect, Paper, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { Link } from "react-router";
import { useI18n } from "../i18n/index.tsx";
import {
  type CaseFile,
  type CaseFileDetail,
  post,
  type SessionView,
  useOffice,
  useOfficeAction,
} from "./api.ts";
import { DownloadButton } from "./DownloadButton.tsx";
import { hasRole, useMe } from "./OfficeLayout.tsx";
import { Section } from "./ui.tsx";

function abilities(me: SessionView, direction: "incoming" | "outgoing", state: string) {
  return {
    canExport: hasRole(me, "van_thu", "lanh_dao"),
    canFile: hasRole(me, "van_thu", "lanh_dao", "chuyen_vien") && FILEABLE[direction].includes(state),
  };
}

/** States in which the office accepts a document into a case file. */
const FILEABLE = {
  incoming: ["registered", "assigned", "processing", "done"],
  outgoing: ["issued", "revoked"],
};

export function ArchiveActions({
  direction,
  id,
  state,
}: {
  direction: "incoming" | "outgoing";
  id: string;
  state: string;
}) {
  const { t } = useI18n();
  const { canExport, canFile } = abilities(useMe(), direction, state);
  if (!canExport && !canFile) return null;
  return (
    <Stack gap="sm">
      {canFile && <FileIntoCaseFile direction={direction} id={id} />}
      {canExport && (
        <Group>
          <DownloadButton
            href={`/api/${direction}/${id}/export`}
            fallbackName={`goi-luu-tru-${id}.zip`}
            variant="default"
            size="compact-sm"
          >
            {t("office.archive.export")}
          </DownloadButton>
        </Group>
      )}
    </Stack>
  );
}

function FileIntoCaseFile({ direction, id }: { direction: "incoming" | "outgoing"; id: string }) {
  const { t } = useI18n();
  const files = useOffice<CaseFile[]>("/api/case-files?state=open");
  const [chosen, setChosen] = useState("");
  const [filed, setFiled] = useState<CaseFileDetail | null>(null);
  const add = useOfficeAction((caseFileId: string) =>
    post<CaseFileDetail>(`/api/case-files/${caseFileId}/documents`, { direction, documentId: id }).then(
      setFiled,
    ),
  );
  const open = files.data ?? [];
  return (
    <Stack gap={6}>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <NativeSelect
          label={t("office.archive.caseFile")}
          value={chosen}
          onChange={(e) => setChosen(e.currentTarget.value)}
          data={[
            { value: "", label: open.length === 0 ? t("office.archive.noOpenFiles") : "—" },
            ...open.map((f) => ({
              value: f.id,
              label: `${f.metadata.FileCode.Text} — ${f.metadata.Title}`.slice(0, 110),
            })),
          ]}
          style={{ flex: 1, minWidth: 200 }}
        />
        <Button size="sm" disabled={!chosen} loading={add.isPending} onClick={() => add.mutate(chosen)}>
          {t("office.archive.file")}
        </Button>
      </Group>
      {filed && (
        <Text size="sm" role="status">
          {t("office.archive.filedIn")}{" "}
          <Anchor component={Link} to={`/office/case-files/${filed.id}`}>
            {filed.metadata.FileCode.Text} — {filed.metadata.Title}
          </Anchor>
        </Text>
      )}
      {open.length === 0 && files.isSuccess && (
        <Anchor component={Link} to="/office/case-files" size="sm">
          {t("office.archive.createFirst")}
        </Anchor>
      )}
    </Stack>
  );
}

/** The "Lưu trữ" section of a document page (nothing when the user can do nothing there). */
export function ArchiveSection(props: { direction: "incoming" | "outgoing"; id: string; state: string }) {
  const { t } = useI18n();
  const { canExport, canFile } = abilities(useMe(), props.direction, props.state);
  if (!canExport && !canFile) return null;
  return (
    <Section title={t("office.archive.title")}>
      <Paper withBorder p="sm">
        <ArchiveActions {...props} />
      </Paper>
    </Section>
  );
}
