/** A button that asks for a reason (and optional extra fields) in a dialog before acting. */
import { Button, type ButtonProps, Group, Modal, Stack, Textarea } from "@mantine/core";
import { type ReactNode, useState } from "react";
import { useI18n } from "../i18n/index.tsx";
import { useOfficeAction } from "./api.ts";

export function ReasonAction({
  label,
  title,
  reasonLabel,
  run,
  extra,
  required = true,
  ...button
}: {
  label: string;
  title?: string;
  reasonLabel?: string;
  run: (reason: string) => Promise<unknown>;
  extra?: ReactNode;
  required?: boolean;
} & ButtonProps) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const action = useOfficeAction((r: string) => run(r));
  return (
    <>
      <Button {...button} onClick={() => setOpen(true)}>
        {label}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={title ?? label}>
        <Stack>
          {extra}
          <Textarea
            label={reasonLabel ?? t("office.action.reason")}
            required={required}
            maxLength={500}
            autosize
            minRows={2}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              {t("office.cancel")}
            </Button>
            <Button
              disabled={required && reason.trim().length === 0}
              loading={action.isPending}
              onClick={() => action.mutate(reason.trim(), { onSuccess: () => setOpen(false) })}
            >
              {label}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
