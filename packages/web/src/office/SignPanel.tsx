/**
 * The leader's signature: a preview of the signature block as it will appear on the document
 * (authority line, position, where the image goes, name) before the PAdES signature is applied.
 */
import { Box, Button, Checkbox, NativeSelect, Paper, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { useI18n } from "../i18n/index.tsx";
import { post, useOfficeAction } from "./api.ts";
import { useMe } from "./OfficeLayout.tsx";

const PREFIXES = ["TM.", "Q.", "KT.", "TL.", "TUQ."] as const;

export function SignPanel({ outgoingId }: { outgoingId: string }) {
  const { t } = useI18n();
  const me = useMe();
  const [competence, setCompetence] = useState<string>("");
  const [collective, setCollective] = useState("");
  const [confirmed, setConfirmed] = useState(false);
  const sign = useOfficeAction(() =>
    post(`/api/outgoing/${outgoingId}/sign`, {
      ...(competence ? { competence } : {}),
      ...(competence === "TM." && collective.trim() ? { collectiveTitle: collective.trim() } : {}),
    }),
  );
  const position = me.user.position.toLocaleUpperCase("vi");
  const authority =
    competence === ""
      ? null
      : competence === "TM."
        ? `TM. ${collective.trim().toLocaleUpperCase("vi") || "…"}`
        : `${competence} …`;

  return (
    <Stack gap="sm">
      <NativeSelect
        label={t("office.sign.competence")}
        value={competence}
        onChange={(e) => setCompetence(e.currentTarget.value)}
        data={[{ value: "", label: t("office.sign.own") }, ...PREFIXES.map((p) => ({ value: p, label: p }))]}
      />
      {competence === "TM." && (
        <TextInput
          label="TM."
          value={collective}
          onChange={(e) => setCollective(e.currentTarget.value)}
          maxLength={100}
        />
      )}
      <Paper withBorder p="md" bg="gray.0" aria-label={t("office.sign.preview")} role="figure">
        <Text size="xs" c="dimmed" mb="xs">
          {t("office.sign.preview")}
        </Text>
        <Stack gap={2} align="center" ff="'Times New Roman', Times, serif" data-testid="signature-preview">
          {authority && (
            <Text fw={700} size="sm">
              {authority}
            </Text>
          )}
          <Text fw={700} size="sm">
            {position}
          </Text>
          <Box
            my={6}
            w={180}
            h={64}
            style={{
              border: "2px dashed var(--mantine-color-blue-7)",
              borderRadius: 6,
              display: "flex",
              alignItems: "center",
              justifyContent: "center",
            }}
          >
            <Text c="blue.8" size="sm" fs="italic">
              {t("office.sign.image")}
            </Text>
          </Box>
          <Text fw={700} size="sm">
            {me.user.fullName}
          </Text>
        </Stack>
        <Text size="xs" mt="sm">
          {t("office.sign.placement")}
        </Text>
      </Paper>
      <Checkbox
        checked={confirmed}
        onChange={(e) => setConfirmed(e.currentTarget.checked)}
        label={t("office.sign.confirm")}
      />
      <Button size="md" disabled={!confirmed} loading={sign.isPending} onClick={() => sign.mutate(undefined)}>
        {t("office.action.sign")}
      </Button>
    </Stack>
  );
}
