import {
  Anchor,
  Button,
  Group,
  Modal,
  Pagination,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ApiError, api } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { formatNumber } from "../stats/format.ts";
import { type Agency, useAdmin } from "./api.ts";
import { PageTitle, QueryView, StateBadge } from "./ui.tsx";

const PAGE = 50;

export function AgenciesPage() {
  const { t, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get("q") ?? "");
  const [q] = useDebouncedValue(text, 250);
  const level = params.get("level") ?? "";
  const state = params.get("state") ?? "";
  const parent = params.get("parent") ?? "";
  const page = Number(params.get("page") ?? "1");
  const [registering, setRegistering] = useState<string | null>(null);
  const search = new URLSearchParams({
    ...(q ? { q } : {}),
    ...(level ? { level } : {}),
    ...(state ? { state } : {}),
    ...(parent ? { parent } : {}),
    limit: String(PAGE),
    offset: String((page - 1) * PAGE),
  });
  const list = useAdmin<{ total: number; items: Agency[] }>(`/admin/api/agencies?${search}`);
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete("page");
    setParams(next, { replace: true });
  };

  return (
    <>
      <PageTitle right={<Button onClick={() => setRegistering("")}>{t("admin.agencies.register")}</Button>}>
        {t("admin.nav.agencies")}
      </PageTitle>
      <Group align="flex-end" mb="md" wrap="wrap">
        <TextInput
          label={t("admin.agencies.search")}
          description={t("admin.agencies.searchHint")}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          style={{ flex: "1 1 260px" }}
          type="search"
        />
        <Select
          label={t("admin.agencies.level")}
          data={[
            { value: "", label: t("admin.agencies.anyLevel") },
            ...[1, 2, 3, 4].map((l) => ({ value: String(l), label: t(`admin.level.${l}` as MessageKey) })),
          ]}
          value={level}
          onChange={(v) => set("level", v ?? "")}
          allowDeselect={false}
          w={190}
        />
        <Select
          label={t("admin.agencies.state")}
          data={[
            { value: "", label: t("admin.agencies.anyState") },
            { value: "active", label: t("admin.state.active") },
            { value: "suspended", label: t("admin.state.suspended") },
          ]}
          value={state}
          onChange={(v) => set("state", v ?? "")}
          allowDeselect={false}
          w={170}
        />
        <TextInput
          label={t("admin.agencies.parent")}
          value={parent}
          onChange={(e) => set("parent", e.currentTarget.value.trim().toUpperCase())}
          w={140}
        />
      </Group>
      <QueryView query={list}>
        {(data) => (
          <Stack>
            <Text size="sm" c="dimmed">
              {t("admin.agencies.total")}: {formatNumber(data.total, lang)}
            </Text>
            <Table.ScrollContainer minWidth={760}>
              <Table striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("admin.agencies.code")}</Table.Th>
                    <Table.Th>{t("admin.agencies.code102")}</Table.Th>
                    <Table.Th>{t("admin.agencies.name")}</Table.Th>
                    <Table.Th>{t("admin.agencies.level")}</Table.Th>
                    <Table.Th>{t("admin.agencies.parent")}</Table.Th>
                    <Table.Th>{t("admin.agencies.node")}</Table.Th>
                    <Table.Th>{t("admin.agencies.state")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((a) => (
                    <Table.Tr key={a.code}>
                      <Table.Td>
                        <Anchor
                          component={Link}
                          to={`/admin/agencies/${encodeURIComponent(a.code)}`}
                          ff="monospace"
                        >
                          {a.code}
                        </Anchor>
                      </Table.Td>
                      <Table.Td ff="monospace">{a.code102 ?? "—"}</Table.Td>
                      <Table.Td>{a.name}</Table.Td>
                      <Table.Td>{a.level}</Table.Td>
                      <Table.Td ff="monospace">{a.parent ?? "—"}</Table.Td>
                      <Table.Td>{a.node}</Table.Td>
                      <Table.Td>
                        <StateBadge state={a.state} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {data.total > PAGE && (
              <Pagination
                total={Math.ceil(data.total / PAGE)}
                value={page}
                onChange={(p) => {
                  const next = new URLSearchParams(params);
                  next.set("page", String(p));
                  setParams(next);
                }}
              />
            )}
          </Stack>
        )}
      </QueryView>
      <RegisterAgencyModal parent={registering} onClose={() => setRegistering(null)} />
    </>
  );
}

/** Registers an agency served by this node; `parent` pre-fills the parent code (child agency). */
export function RegisterAgencyModal({ parent, onClose }: { parent: string | null; onClose(): void }) {
  const { t, lang } = useI18n();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const value = (k: string) => String(f.get(k) ?? "").trim() || null;
    setBusy(true);
    setError(null);
    try {
      await api("POST", "/admin/api/agencies", {
        code: value("code"),
        code102: value("code102"),
        name: value("name"),
        parentCode: value("parentCode"),
        email: value("email"),
        phone: value("phone"),
      });
      await queryClient.invalidateQueries({ queryKey: ["admin"] });
      notifications.show({ message: t("admin.agencies.saved"), color: "green" });
      onClose();
    } catch (e) {
      setError(e instanceof ApiError ? e.messages[lang] : t("error.network"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      opened={parent !== null}
      onClose={onClose}
      title={t(parent ? "admin.agencies.registerChild" : "admin.agencies.register")}
    >
      <form onSubmit={submit}>
        <Stack>
          <TextInput name="code" label={t("admin.agencies.code")} required placeholder="H29.12.01" />
          <TextInput name="code102" label={t("admin.agencies.code102")} placeholder="000.01.12.H29" />
          <TextInput name="name" label={t("admin.agencies.name")} required />
          <TextInput name="parentCode" label={t("admin.agencies.parent")} defaultValue={parent ?? ""} />
          <TextInput name="email" type="email" label={t("admin.agencies.email")} />
          <TextInput name="phone" label={t("admin.agencies.phone")} />
          {error && (
            <Text c="red.9" role="alert" size="sm">
              {error}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("admin.agencies.cancel")}
            </Button>
            <Button type="submit" loading={busy}>
              {t("admin.agencies.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
