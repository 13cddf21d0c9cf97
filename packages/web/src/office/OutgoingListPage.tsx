/** Every outgoing document of the agency, filtered by state. */
import { NativeSelect } from "@mantine/core";
import { useSearchParams } from "react-router";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { type OutgoingDoc, query, useOffice } from "./api.ts";
import { OutgoingTable } from "./OutgoingTable.tsx";
import { PageTitle, QueryView } from "./ui.tsx";

const STATES = ["draft", "in_review", "approved", "signed", "numbered", "sealed", "issued", "revoked"];

export function OutgoingListPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const state = params.get("state") ?? "";
  const list = useOffice<OutgoingDoc[]>(`/api/outgoing${query({ state, limit: 500 })}`);
  return (
    <>
      <PageTitle
        right={
          <NativeSelect
            aria-label={t("office.outgoing.filter")}
            value={state}
            onChange={(e) => setParams(e.currentTarget.value ? { state: e.currentTarget.value } : {})}
            data={[
              { value: "", label: t("office.all") },
              ...STATES.map((s) => ({ value: s, label: t(`office.out.state.${s}` as MessageKey) })),
            ]}
          />
        }
      >
        {t("office.outgoing.title")}
      </PageTitle>
      <QueryView query={list}>{(docs) => <OutgoingTable docs={docs} />}</QueryView>
    </>
  );
}
