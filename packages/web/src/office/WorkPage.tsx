/** Chuyên viên: incoming documents assigned to me and my drafts. */
import { Button } from "@mantine/core";
import { Link } from "react-router";
import { useI18n } from "../i18n/index.tsx";
import { type IncomingDoc, type OutgoingDoc, useOffice } from "./api.ts";
import { IncomingTable } from "./IncomingTable.tsx";
import { useMe } from "./OfficeLayout.tsx";
import { OutgoingTable } from "./OutgoingTable.tsx";
import { PageTitle, QueryView, Section } from "./ui.tsx";

const OPEN = ["assigned", "processing", "registered"];

export function WorkPage() {
  const { t } = useI18n();
  const me = useMe();
  const incoming = useOffice<IncomingDoc[]>("/api/incoming?assignedToMe=true&limit=500");
  const outgoing = useOffice<OutgoingDoc[]>("/api/outgoing?limit=500");
  return (
    <>
      <PageTitle
        right={
          <Button component={Link} to="/office/drafts/new">
            {t("office.work.new")}
          </Button>
        }
      >
        {t("office.work.title")}
      </PageTitle>
      <Section title={t("office.work.assigned")}>
        <QueryView query={incoming}>
          {(docs) => <IncomingTable docs={docs.filter((d) => OPEN.includes(d.state))} />}
        </QueryView>
      </Section>
      <Section title={t("office.work.drafts")}>
        <QueryView query={outgoing}>
          {(docs) => (
            <OutgoingTable
              docs={docs.filter(
                (d) => d.createdBy === me.user.id && d.state !== "issued" && d.state !== "revoked",
              )}
            />
          )}
        </QueryView>
      </Section>
    </>
  );
}
