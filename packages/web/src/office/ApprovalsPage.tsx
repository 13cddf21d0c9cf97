/**
 * Lãnh đạo: drafts to approve, approved drafts to sign, registered incoming documents to
 * assign. Cards in one column on a phone, so approving and signing work from a phone.
 */
import { SimpleGrid } from "@mantine/core";
import { useI18n } from "../i18n/index.tsx";
import { type IncomingDoc, type OutgoingDoc, useOffice } from "./api.ts";
import { DocCard } from "./DocCard.tsx";
import { Empty, PageTitle, QueryView, Section, SignatureBadge, verdictOf, viDate } from "./ui.tsx";

export function ApprovalsPage() {
  const { t } = useI18n();
  const review = useOffice<OutgoingDoc[]>("/api/outgoing?state=in_review");
  const sign = useOffice<OutgoingDoc[]>("/api/outgoing?state=approved");
  const assign = useOffice<IncomingDoc[]>("/api/incoming?state=registered");
  const outgoingCards = (docs: OutgoingDoc[]) =>
    docs.length === 0 ? (
      <Empty />
    ) : (
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
        {docs.map((d) => (
          <DocCard
            key={d.id}
            to={`/office/outgoing/${d.id}`}
            title={d.typeName}
            subject={d.subject}
            urgency={d.urgency}
            deadline={d.dueDate}
            meta={viDate(d.updatedAt)}
          />
        ))}
      </SimpleGrid>
    );
  return (
    <>
      <PageTitle>{t("office.approvals.title")}</PageTitle>
      <Section title={`${t("office.approvals.sign")} (${sign.data?.length ?? "…"})`}>
        <QueryView query={sign}>{outgoingCards}</QueryView>
      </Section>
      <Section title={`${t("office.approvals.review")} (${review.data?.length ?? "…"})`}>
        <QueryView query={review}>{outgoingCards}</QueryView>
      </Section>
      <Section title={`${t("office.approvals.assign")} (${assign.data?.length ?? "…"})`}>
        <QueryView query={assign}>
          {(docs) =>
            docs.length === 0 ? (
              <Empty />
            ) : (
              <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
                {docs.map((d) => (
                  <DocCard
                    key={d.id}
                    to={`/office/incoming/${d.id}`}
                    title={`${d.typeName} ${d.code}`}
                    subject={d.subject}
                    urgency={d.urgency}
                    deadline={d.dueDate}
                    meta={d.from.name}
                    badges={<SignatureBadge verdict={verdictOf(d)} />}
                  />
                ))}
              </SimpleGrid>
            )
          }
        </QueryView>
      </Section>
    </>
  );
}
