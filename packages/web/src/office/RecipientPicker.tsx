/**
 * Recipients from the axis directory: search by name or code (with or without diacritics),
 * results grouped by government level, chosen ones shown as removable chips.
 */
import {
  Badge,
  Box,
  Checkbox,
  CloseButton,
  Group,
  Input,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useId, useMemo, useState } from "react";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { type Organization, useOffice } from "./api.ts";
import { fmt, fold, levelOfCode, QueryView } from "./ui.tsx";

export type Recipient = { organId: string; organName: string };

const PER_GROUP = 50;

export function RecipientPicker({
  value,
  onChange,
  exclude,
}: {
  value: Recipient[];
  onChange: (next: Recipient[]) => void;
  exclude?: string;
}) {
  const { t } = useI18n();
  const directory = useOffice<Organization[]>("/api/directory");
  const [text, setText] = useState("");
  const labelId = useId();
  const chosen = new Set(value.map((r) => r.organId));
  const toggle = (o: Organization, on: boolean) =>
    onChange(
      on
        ? [...value, { organId: o.organId, organName: o.organName }]
        : value.filter((r) => r.organId !== o.organId),
    );
  const groups = useMemo(() => {
    const needle = fold(text.trim());
    const byLevel = new Map<number, Organization[]>();
    for (const o of directory.data ?? []) {
      if (o.organId === exclude) continue;
      if (needle && !fold(`${o.organName} ${o.organId}`).includes(needle)) continue;
      const level = levelOfCode(o.organId);
      byLevel.set(level, [...(byLevel.get(level) ?? []), o]);
    }
    return [...byLevel.entries()].sort(([a], [b]) => a - b);
  }, [directory.data, text, exclude]);

  return (
    <Input.Wrapper label={t("office.recipients.label")} id={labelId} required>
      <Stack gap="xs" mt={4}>
        <Group gap={6} aria-live="polite" aria-label={t("office.recipients.selected")}>
          {value.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t("office.recipients.none")}
            </Text>
          ) : (
            value.map((r) => (
              <Badge
                key={r.organId}
                variant="light"
                color="blue"
                c="blue.9"
                size="lg"
                radius="sm"
                tt="none"
                rightSection={
                  <CloseButton
                    size="xs"
                    aria-label={fmt(t("office.recipients.remove"), { name: r.organName })}
                    onClick={() => onChange(value.filter((x) => x.organId !== r.organId))}
                  />
                }
              >
                {r.organName} ({r.organId})
              </Badge>
            ))
          )}
        </Group>
        <TextInput
          aria-label={t("office.recipients.search")}
          placeholder={t("office.recipients.search")}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          type="search"
        />
        <QueryView query={directory}>
          {() => (
            <ScrollArea.Autosize mah={260} type="auto">
              <Box pr="sm">
                {groups.length === 0 && (
                  <Text size="sm" c="dimmed">
                    {t("office.recipients.noMatch")}
                  </Text>
                )}
                {groups.map(([level, orgs]) => (
                  <Box key={level} mb="xs" role="group" aria-label={t(`office.level.${level}` as MessageKey)}>
                    <Title order={4} size="h6" c="dimmed" mb={4}>
                      {t(`office.level.${level}` as MessageKey)} ({orgs.length})
                    </Title>
                    <Stack gap={6}>
                      {orgs.slice(0, PER_GROUP).map((o) => (
                        <Checkbox
                          key={o.organId}
                          checked={chosen.has(o.organId)}
                          onChange={(e) => toggle(o, e.currentTarget.checked)}
                          label={`${o.organName} — ${o.organId}`}
                        />
                      ))}
                    </Stack>
                  </Box>
                ))}
              </Box>
            </ScrollArea.Autosize>
          )}
        </QueryView>
      </Stack>
    </Input.Wrapper>
  );
}
