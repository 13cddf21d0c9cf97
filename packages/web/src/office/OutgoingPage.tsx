/**
 * One outgoing document: the PDF, what the user can do next in its state, metadata, signatures,
 * history, and for issued documents the status timeline of every recipient (01–06, refusals
 * with reasons, answers to take-back/update/revoke).
 */
import {
  Box,
  Button,
  Checkbox,
  Grid,
  Group,
  Paper,
  Stack,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
} from "@mantine/core";
import { type ReactNode, useState } from "react";
import { Link, useParams } from "react-router";
import { api, apiUpload } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { ArchiveSection } from "./ArchiveActions.tsx";
import { type OutgoingDetail, type People, post, useOffice, useOfficeAction } from "./api.ts";
import { DocumentHistory } from "./DocumentHistory.tsx";
import { contentTypeOf } from "./DraftPage.tsx";
import { CLERK_STEP, ClerkStepButton } from "./IssuePage.tsx";
import { hasRole, useMe } from "./OfficeLayout.tsx";
import { ReasonAction } from "./ReasonAction.tsx";
import { OutgoingValidationReport } from "./SignatureTable.tsx";
import { SignPanel } from "./SignPanel.tsx";
import {
  Facts,
  PdfViewer,
  QueryView,
  Section,
  StateBadge,
  Tag,
  UrgencyBadge,
  viDate,
  viDateTime,
} from "./ui.tsx";

export function OutgoingPage() {
  const { id = "" } = useParams();
  const detail = useOffice<OutgoingDetail>(`/api/outgoing/${id}`);
  return <QueryView query={detail}>{(d) => <OutgoingView detail={d} />}</QueryView>;
}

function OutgoingView({ detail }: { detail: OutgoingDetail }) {
  const { t } = useI18n();
  const people = useOffice<People>("/api/people");
  const doc = detail.document;
  const nameOf = (userId: string | null) =>
    people.data?.users.find((u) => u.id === userId)?.fullName ?? userId ?? "";
  const current = detail.versions.find((v) => v.version === doc.fileVersion);
  return (
    <>
      <Group gap="sm" mb="xs" wrap="wrap">
        <StateBadge direction="outgoing" state={doc.state} />
        <UrgencyBadge urgency={doc.urgency} showNormal />
      </Group>
      <Title order={2} size="h3" mb={4}>
        {doc.typeName} {doc.code ?? `(${t("office.noCode")})`}
      </Title>
      <Text mb="md">{doc.subject}</Text>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }} order={{ base: 2, md: 1 }}>
          <Section title={t("office.doc.file")}>
            {current ? (
              <PdfViewer
                url={`/api/outgoing/${doc.id}/file?version=${doc.fileVersion}`}
                title={`${t("office.doc.file")}: ${doc.subject}`}
                fileName={current.fileName}
              />
            ) : (
              <Text size="sm" c="dimmed">
                {t("office.doc.noFile")}
              </Text>
            )}
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }} order={{ base: 1, md: 2 }}>
          <Section title={t("office.actions")}>
            <Paper withBorder p="sm">
              <OutgoingActions detail={detail} />
            </Paper>
          </Section>
          <ArchiveSection direction="outgoing" id={doc.id} state={doc.state} />
          <Section title={t("office.doc.metadata")}>
            <Facts
              rows={[
                [t("office.doc.type"), doc.typeName],
                [t("office.doc.code"), doc.code ?? t("office.noCode")],
                [t("office.doc.date"), viDate(doc.promulgationDate)],
                [t("office.doc.urgency"), t(`office.urgency.${doc.urgency}` as MessageKey)],
                [t("office.doc.dueDate"), viDate(doc.dueDate)],
                [t("office.doc.places"), doc.recipients.map((r) => r.organName).join("; ")],
                [t("office.doc.documentId"), doc.documentId ?? ""],
              ]}
            />
          </Section>
          <Section title={t("office.doc.signatures")}>
            <Facts
              rows={[
                [
                  t("office.doc.personalSig"),
                  doc.signedAt
                    ? `${[doc.signer.competence, doc.signer.position?.toLocaleUpperCase("vi")].filter(Boolean).join(" ")} — ${doc.signer.fullName} · ${viDateTime(doc.signedAt)}`
                    : t("office.doc.notYet"),
                ],
                [t("office.doc.sealSig"), doc.sealedAt ? viDateTime(doc.sealedAt) : t("office.doc.notYet")],
              ]}
            />
          </Section>
        </Grid.Col>
      </Grid>
      {detail.recipients.length > 0 && doc.issuedAt && (
        <Section title={t("office.doc.timeline")}>
          <RecipientTimelines detail={detail} />
        </Section>
      )}
      {current && (
        <Section title={t("office.validation.title")}>
          <OutgoingValidationReport id={doc.id} />
        </Section>
      )}
      <Section title={t("office.doc.history")}>
        <DocumentHistory direction="outgoing" id={doc.id} />
        <PendingReviews detail={detail} nameOf={nameOf} />
      </Section>
    </>
  );
}

function RecipientTimelines({ detail }: { detail: OutgoingDetail }) {
  const { t } = useI18n();
  return (
    <Grid>
      {detail.recipients.map((r) => (
        <Grid.Col key={r.organId} span={{ base: 12, sm: 6, lg: 4 }}>
          <Paper withBorder p="sm" h="100%" aria-label={r.organName} component="article">
            <Text fw={700} size="sm">
              {r.organName}
            </Text>
            <Text size="xs" c="dimmed" mb={6}>
              {r.organId}
            </Text>
            <Box mb="sm">
              <Tag
                tone={
                  r.state === "done"
                    ? "green"
                    : r.state.includes("refused") || r.state === "rejected"
                      ? "red"
                      : "blue"
                }
              >
                {t(`office.rstate.${r.state}` as MessageKey) ?? r.state}
              </Tag>
            </Box>
            {r.timeline.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t("office.status.noneYet")}
              </Text>
            ) : (
              <Timeline active={r.timeline.length - 1} bulletSize={18} lineWidth={2} color="red.8">
                {r.timeline.map((s) => {
                  const name = t(`office.status.${s.code}` as MessageKey) ?? s.code;
                  return (
                    <Timeline.Item
                      key={`${s.code}-${s.recordedAt}-${s.direction}`}
                      title={
                        <Text size="sm" fw={600}>
                          {s.code} · {name}
                        </Text>
                      }
                    >
                      {s.description && s.description !== name && (
                        <Text size="sm" c={s.code === "02" || s.code === "16" ? "red.9" : undefined}>
                          {s.description}
                        </Text>
                      )}
                      <Text size="xs" c="dimmed">
                        {t(`office.status.direction.${s.direction}` as MessageKey) ?? s.direction} ·{" "}
                        {viDateTime(s.at)}
                      </Text>
                    </Timeline.Item>
                  );
                })}
              </Timeline>
            )}
          </Paper>
        </Grid.Col>
      ))}
    </Grid>
  );
}

/** Reviewers who have not decided yet (not in the audit trail: nothing has happened). */
function PendingReviews({
  detail,
  nameOf,
}: {
  detail: OutgoingDetail;
  nameOf: (id: string | null) => string;
}) {
  const { t } = useI18n();
  const doc = detail.document;
  const pending = detail.reviews.filter((r) => r.round === doc.reviewRound && r.decision === "pending");
  if (doc.state !== "in_review" || pending.length === 0) return null;
  return (
    <Text size="sm" mt="sm">
      {t("office.hist.review.pending")}: {pending.map((r) => nameOf(r.reviewerId)).join(", ")}
    </Text>
  );
}

function OutgoingActions({ detail }: { detail: OutgoingDetail }) {
  const { t } = useI18n();
  const me = useMe();
  const doc = detail.document;
  const items: ReactNode[] = [];
  if (doc.state === "draft" && (doc.createdBy === me.user.id || hasRole(me, "van_thu")))
    items.push(<DraftActions key="draft" outgoingId={doc.id} />);
  const myReview = detail.reviews.find(
    (r) => r.round === doc.reviewRound && r.reviewerId === me.user.id && r.decision === "pending",
  );
  if (doc.state === "in_review" && myReview) items.push(<ReviewActions key="review" outgoingId={doc.id} />);
  if (doc.state === "approved" && hasRole(me, "lanh_dao"))
    items.push(<SignPanel key="sign" outgoingId={doc.id} />);
  if (doc.state in CLERK_STEP && hasRole(me, "van_thu"))
    items.push(<ClerkStepButton key="clerk" doc={doc} />);
  if (doc.state === "issued" && hasRole(me, "van_thu", "lanh_dao"))
    items.push(<IssuedActions key="issued" outgoingId={doc.id} documentId={doc.documentId} />);
  if (items.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t("office.noActions")}
      </Text>
    );
  return <Stack gap="md">{items}</Stack>;
}

function DraftActions({ outgoingId }: { outgoingId: string }) {
  const { t } = useI18n();
  const me = useMe();
  const people = useOffice<People>("/api/people");
  const [file, setFile] = useState<File | null>(null);
  const [reviewers, setReviewers] = useState<string[]>([]);
  const upload = useOfficeAction((f: File) =>
    apiUpload(
      "PUT",
      `/api/outgoing/${outgoingId}/file?fileName=${encodeURIComponent(f.name)}`,
      f,
      contentTypeOf(f),
    ),
  );
  const submit = useOfficeAction(() =>
    post(`/api/outgoing/${outgoingId}/submit`, { reviewerIds: reviewers }),
  );
  return (
    <Stack gap="sm">
      <Group gap="xs" align="flex-end" wrap="wrap">
        <label style={{ fontSize: 14 }}>
          {t("office.action.upload")}
          <input
            type="file"
            accept=".pdf,.docx,application/pdf"
            style={{ display: "block", marginTop: 4 }}
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </label>
        <Button
          size="compact-sm"
          variant="default"
          disabled={!file}
          loading={upload.isPending}
          onClick={() => file && upload.mutate(file)}
        >
          {t("office.action.upload")}
        </Button>
      </Group>
      <QueryView query={people}>
        {(p) => (
          <Checkbox.Group label={t("office.draft.reviewers")} value={reviewers} onChange={setReviewers}>
            <Stack gap={6} mt={4}>
              {p.users
                .filter(
                  (u) => u.id !== me.user.id && u.roles.some((r) => r === "lanh_dao" || r === "chuyen_vien"),
                )
                .map((u) => (
                  <Checkbox key={u.id} value={u.id} label={`${u.fullName} — ${u.position}`} />
                ))}
            </Stack>
          </Checkbox.Group>
        )}
      </QueryView>
      <Button
        disabled={reviewers.length === 0}
        loading={submit.isPending}
        onClick={() => submit.mutate(undefined)}
      >
        {t("office.action.submit")}
      </Button>
    </Stack>
  );
}

function ReviewActions({ outgoingId }: { outgoingId: string }) {
  const { t } = useI18n();
  const [comment, setComment] = useState("");
  const review = useOfficeAction((decision: "approve" | "return") =>
    post(`/api/outgoing/${outgoingId}/review`, {
      decision,
      ...(comment.trim() ? { comment: comment.trim() } : {}),
    }),
  );
  return (
    <Stack gap="sm">
      <Textarea
        label={t("office.action.comment")}
        value={comment}
        onChange={(e) => setComment(e.currentTarget.value)}
        autosize
        minRows={2}
        maxLength={2000}
      />
      <Group grow>
        <Button
          size="md"
          loading={review.isPending && review.variables === "approve"}
          onClick={() => review.mutate("approve")}
        >
          {t("office.action.approve")}
        </Button>
        <Button
          size="md"
          variant="default"
          disabled={comment.trim().length === 0}
          loading={review.isPending && review.variables === "return"}
          onClick={() => review.mutate("return")}
        >
          {t("office.action.returnDraft")}
        </Button>
      </Group>
    </Stack>
  );
}

function IssuedActions({ outgoingId, documentId }: { outgoingId: string; documentId: string | null }) {
  const { t } = useI18n();
  const [subject, setSubject] = useState("");
  const [dueDate, setDueDate] = useState("");
  return (
    <Group gap="xs" wrap="wrap">
      <ReasonAction
        label={t("office.action.takeBack")}
        variant="default"
        size="compact-sm"
        run={(reason) => post(`/api/outgoing/${outgoingId}/take-back`, { reason })}
      />
      <ReasonAction
        label={t("office.action.update")}
        variant="default"
        size="compact-sm"
        extra={
          <>
            <TextInput
              label={t("office.action.newSubject")}
              value={subject}
              onChange={(e) => setSubject(e.currentTarget.value)}
            />
            <TextInput
              type="date"
              label={t("office.action.newDueDate")}
              value={dueDate}
              onChange={(e) => setDueDate(e.currentTarget.value)}
            />
          </>
        }
        run={(reason) =>
          api("POST", `/api/outgoing/${outgoingId}/update`, {
            reason,
            changes: {
              ...(subject.trim() ? { subject: subject.trim() } : {}),
              ...(dueDate ? { dueDate } : {}),
            },
          })
        }
      />
      <ReasonAction
        label={t("office.action.revoke")}
        color="red.9"
        size="compact-sm"
        run={(reason) => post(`/api/outgoing/${outgoingId}/revoke`, { reason })}
      />
      {documentId && (
        <Button
          component={Link}
          to={`/office/drafts/new?replaces=${encodeURIComponent(documentId)}`}
          variant="default"
          size="compact-sm"
        >
          {t("office.action.replace")}
        </Button>
      )}
    </Group>
  );
}
