/** A document as a tappable card: the phone-friendly list item of the leader's screens. */
import { Card, Group, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";
import type { Urgency } from "./api.ts";
import { DeadlineBadge, UrgencyBadge } from "./ui.tsx";

export function DocCard({
  to,
  title,
  subject,
  meta,
  urgency,
  deadline,
  badges,
}: {
  to: string;
  title: string;
  subject: string;
  meta?: string;
  urgency: Urgency;
  deadline?: string | null;
  badges?: ReactNode;
}) {
  return (
    <Card component={Link} to={to} withBorder padding="sm" radius="md" aria-label={`${title}: ${subject}`}>
      <Stack gap={4}>
        <Group gap={6} wrap="wrap">
          <UrgencyBadge urgency={urgency} />
          <DeadlineBadge date={deadline} />
          {badges}
        </Group>
        <Text size="sm" fw={700}>
          {title}
        </Text>
        <Text size="sm" lineClamp={3}>
          {subject}
        </Text>
        {meta && (
          <Text size="xs" c="dimmed">
            {meta}
          </Text>
        )}
      </Stack>
    </Card>
  );
}
