/**
 * Văn thư: incoming documents to register or return, and senders' pending requests. Each tab
 * asks the server for its own rows (state=arrived, pendingRequest=true, newest page), each
 * served by an index, instead of filtering a large list in the browser.
 */
import { Button, Tabs } from "@mantine/core";
import { Link } from "react-router";
import { useI18n } from "../i18n/index.tsx";
import { type IncomingDoc, useOffice } from "./api.ts";
import { IncomingTable, RegisterOrReturn } from "./IncomingTable.tsx";
import { PageTitle, QueryView } from "./ui.tsx";

/** Rows of the "all" tab (newest first); older documents are found through search. */
const ALL_LIMIT = 100;

export function InboxPage() {
  const { t } = useI18n();
  const waiting = useOffice<IncomingDoc[]>("/api/incoming?state=arrived");
  const requests = useOffice<IncomingDoc[]>("/api/incoming?pendingRequest=true");
  return (
    <>
      <PageTitle>{t("office.inbox.title")}</PageTitle>
      <Tabs defaultValue="waiting" keepMounted={false}>
        <Tabs.List mb="sm">
          <Tabs.Tab value="waiting">
            {t("office.inbox.waiting")} ({waiting.data?.length ?? "…"})
          </Tabs.Tab>
          <Tabs.Tab value="requests">
            {t("office.inbox.requests")} ({requests.data?.length ?? "…"})
          </Tabs.Tab>
          <Tabs.Tab value="all">{t("office.inbox.all")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="waiting">
          <QueryView query={waiting}>
            {(docs) => <IncomingTable docs={docs} actions={(d) => <RegisterOrReturn doc={d} />} />}
          </QueryView>
        </Tabs.Panel>
        <Tabs.Panel value="requests">
          <QueryView query={requests}>
            {(docs) => (
              <IncomingTable
                docs={docs}
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
          <AllIncoming />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

/** Mounted only while its tab is open, so the inbox's first screen does not wait for it. */
function AllIncoming() {
  const all = useOffice<IncomingDoc[]>(`/api/incoming?limit=${ALL_LIMIT}`);
  return <QueryView query={all}>{(docs) => <IncomingTable docs={docs} />}</QueryView>;
}
