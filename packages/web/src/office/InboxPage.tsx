/** Văn thư: incoming documents to register or return, and senders' pending requests. */
import { Button, Tabs } from "@mantine/core";
import { Link } from "react-router";
import { useI18n } from "../i18n/index.tsx";
import { type IncomingDoc, useOffice } from "./api.ts";
import { IncomingTable, RegisterOrReturn } from "./IncomingTable.tsx";
import { PageTitle, QueryView } from "./ui.tsx";

export function InboxPage() {
  const { t } = useI18n();
  const waiting = useOffice<IncomingDoc[]>("/api/incoming?state=arrived");
  const all = useOffice<IncomingDoc[]>("/api/incoming?limit=500");
  const requests = (all.data ?? []).filter((d) => d.pendingRequest !== null);
  return (
    <>
      <PageTitle>{t("office.inbox.title")}</PageTitle>
      <Tabs defaultValue="waiting" keepMounted={false}>
        <Tabs.List mb="sm">
          <Tabs.Tab value="waiting">
            {t("office.inbox.waiting")} ({waiting.data?.length ?? "…"})
          </Tabs.Tab>
          <Tabs.Tab value="requests">
            {t("office.inbox.requests")} ({all.data ? requests.length : "…"})
          </Tabs.Tab>
          <Tabs.Tab value="all">{t("office.inbox.all")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="waiting">
          <QueryView query={waiting}>
            {(docs) => <IncomingTable docs={docs} actions={(d) => <RegisterOrReturn doc={d} />} />}
          </QueryView>
        </Tabs.Panel>
        <Tabs.Panel value="requests">
          <QueryView query={all}>
            {() => (
              <IncomingTable
                docs={requests}
                actions={(d) => (
                  <Button
                    component={Link}
                    to={`/office/incoming/${d.id}`}
                    size="compact-sm"
                    variant="default"
                  >
                    {t("office.open")}
                  </Button>
                )}
              />
            )}
          </QueryView>
        </Tabs.Panel>
        <Tabs.Panel value="all">
          <QueryView query={all}>{(docs) => <IncomingTable docs={docs} />}</QueryView>
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
