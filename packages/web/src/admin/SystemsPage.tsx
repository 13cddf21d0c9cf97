import {
  Alert,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, api } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import { formatDateTime } from "../stats/format.ts";
import { type SystemItem, useAdmin } from "./api.ts";
import { PageTitle, QueryView } from "./ui.tsx";

export function SystemsPage() {
  const { t, lang } = useI18n();
  const q = useAdmin<{ items: SystemItem[] }>("/admin/api/systems");
  const [open, setOpen] = useState(false);
  return (
    <>
      <PageTitle right={<Button onClick={() => setOpen(true)}>{t("admin.systems.create")}</Button>}>
        {t("admin.nav.systems")}
      </PageTitle>
      <QueryView query={q}>
        {({ items }) =>
          items.length === 0 ? (
            <Text c="dimmed">{t("admin.empty")}</Text>
          ) : (
            <Table.ScrollContainer minWidth={700}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("admin.systems.id")}</Table.Th>
                    <Table.Th>{t("admin.systems.agencies")}</Table.Th>
                    <Table.Th>{t("admin.systems.secret")}</Table.Th>
                    <Table.Th>{t("admin.systems.fingerprint")}</Table.Th>
                    <Table.Th>{t("admin.failures.when")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((s) => (
                    <Table.Tr key={s.systemId}>
                      <Table.Td ff="monospace">{s.systemId}</Table.Td>
                      <Table.Td ff="monospace">{s.agencyCodes.join(", ")}</Table.Td>
                      <Table.Td>
                        {t(s.hasSecret ? "admin.systems.hasSecret" : "admin.systems.noSecret")}
                      </Table.Td>
                      <Table.Td ff="monospace" fz="xs" style={{ wordBreak: "break-all" }}>
                        {s.certFingerprint ?? "—"}
                      </Table.Td>
                      <Table.Td>{formatDateTime(s.createdAt, lang)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryView>
      <CreateSystemModal opened={open} onClose={() => setOpen(false)} />
    </>
  );
}

function CreateSystemModal({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const { t, lang } = useI18n();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ systemId: string; secret: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const close = () => {
    setSecret(null);
    setError(null);
    onClose();
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const fingerprint = String(f.get("certFingerprint") ?? "").trim();
    setBusy(true);
    setError(null);
    try {
      const result = await api<{ systemId: string; secret?: string }>("POST", "/admin/api/systems", {
        systemId: String(f.get("systemId") ?? "").trim(),
        agencyCodes: String(f.get("agencyCodes") ?? "")
          .split(/[,\s]+/)
          .filter(Boolean),
        ...(fingerprint ? { certFingerprint: fingerprint } : {}),
        issueSecret: f.get("issueSecret") === "on",
      });
      await queryClient.invalidateQueries({ queryKey: ["admin"] });
      if (result.secret) setSecret({ systemId: result.systemId, secret: result.secret });
      else close();
    } catch (e) {
      setError(e instanceof ApiError ? e.messages[lang] : t("error.network"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={opened} onClose={close} title={t("admin.systems.create")}>
      {secret ? (
        <Stack>
          <Alert color="orange" title={t("admin.systems.secret")} role="alert">
            {t("admin.systems.secretOnce")}
          </Alert>
          <Text size="sm">
            {t("admin.systems.id")}: {secret.systemId}
          </Text>
          <Code block data-testid="system-secret">
            {secret.secret}
          </Code>
          <Group justify="flex-end">
            <CopyButton value={secret.secret}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy}>
                  {t(copied ? "admin.systems.copied" : "admin.systems.copy")}
                </Button>
              )}
            </CopyButton>
            <Button onClick={close}>OK</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <TextInput name="systemId" label={t("admin.systems.id")} required placeholder="qlvb.snv.h29" />
            <TextInput
              name="agencyCodes"
              label={t("admin.systems.agencies")}
              description={t("admin.systems.agencyCodesHint")}
              required
            />
            <TextInput name="certFingerprint" label={t("admin.systems.fingerprint")} />
            <Checkbox name="issueSecret" label={t("admin.systems.issueSecret")} defaultChecked />
            {error && (
              <Text c="red.9" size="sm" role="alert">
                {error}
              </Text>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t("admin.agencies.cancel")}
              </Button>
              <Button type="submit" loading={busy}>
                {t("admin.agencies.save")}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
