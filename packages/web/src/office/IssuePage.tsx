/** Văn thư: signed documents to number, seal (organisation signature) and send. */
import { Button, Text } from "@mantine/core";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { type OutgoingDoc, post, useOffice, useOfficeAction } from "./api.ts";
import { OutgoingTable } from "./OutgoingTable.tsx";
import { PageTitle, QueryView } from "./ui.tsx";

/** The clerk's next step for a document in `state`, if any. */
export const CLERK_STEP: Record<string, ["number" | "seal" | "issue", MessageKey]> = {
  signed: ["number", "office.action.number"],
  numbered: ["seal", "office.action.seal"],
  sealed: ["issue", "office.action.issue"],
};

export function ClerkStepButton({ doc }: { doc: OutgoingDoc }) {
  const { t } = useI18n();
  const step = CLERK_STEP[doc.state];
  const action = useOfficeAction(() => post(`/api/outgoing/${doc.id}/${step?.[0]}`));
  if (!step) return null;
  return (
    <Button size="compact-sm" loading={action.isPending} onClick={() => action.mutate(undefined)}>
      {t(step[1])}
    </Button>
  );
}

export function IssuePage() {
  const { t } = useI18n();
  const list = useOffice<OutgoingDoc[]>("/api/outgoing?limit=500");
  return (
    <>
      <PageTitle>{t("office.issue.title")}</PageTitle>
      <Text size="sm" mb="sm">
        {t("office.issue.hint")}
      </Text>
      <QueryView query={list}>
        {(docs) => (
          <OutgoingTable
            docs={docs.filter((d) => d.state in CLERK_STEP)}
            actions={(d) => <ClerkStepButton doc={d} />}
          />
        )}
      </QueryView>
    </>
  );
}
