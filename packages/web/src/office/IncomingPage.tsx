/**
 * One incoming document: attachments in the PDF viewer, metadata, the signature report of the
 * package and of every attachment, history, and the step the user can take now (register or
 * return, answer the sender's request, assign, process, complete with a linked reply).
 */
import {
  Alert,
  Button,
  Grid,
  Group,
  NativeSelect,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { type ReactNode, useState } from "react";
import { Link, useParams } from "react-router";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { ArchiveSection } from "./ArchiveActions.tsx";
import { type IncomingDoc, type OutgoingDoc, type People, post, useOffice, useOfficeAction } from "./api.ts";
import { DocumentHistory } from "./DocumentHistory.tsx";
import { RegisterOrReturn } from "./IncomingTable.tsx";
import { hasRole, useMe } from "./OfficeLayout.tsx";
import { ReasonAction } from "./ReasonAction.tsx";
import { SignatureTable } from "./SignatureTable.tsx";
import {
  DeadlineBadge,
  Facts,
  PdfViewer,
  QueryView,
  Section,
  SignatureBadge,
  StateBadge,
  Tag,
  UrgencyBadge,
  verdictOf,
  viDate,
  viDateTime,
} from "./ui.tsx";

export function IncomingPage() {
  const { id = "" } = useParams();
  const doc = useOffice<IncomingDoc>(`/api/incoming/${id}`);
  return <QueryView query={doc}>{(d) => <IncomingView doc={d} />}</QueryView>;
}

/** A registered paper document (digitised scan): no electronic sender, no package, no signatures. */
export const isPaper = (doc: IncomingDoc) => doc.documentId.startsWith("paper:");

const isPdf = (a: { name: string; contentType: string }) =>
  a.contentType === "application/pdf" || a.name.toLowerCase().endsWith(".pdf");

function IncomingView({ doc }: { doc: IncomingDoc }) {
  const { t } = useI18n();
  const people = useOffice<People>("/api/people");
  const viewable = doc.attachments.filter((a) => a.available && isPdf(a));
  const [shown, setShown] = useState(viewable[0]?.index ?? -1);
  const assignee = people.data?.users.find((u) => u.id === doc.assignment.userId);
  const unit = people.data?.units.find((u) => u.id === doc.assignment.unitId);
  const signer = [doc.signer.competence, doc.signer.position?.toLocaleUpperCase("vi"), doc.signer.fullName]
    .filter(Boolean)
    .join(" — ");
  return (
    <>
      <Group gap="sm" mb="xs" wrap="wrap">
        <StateBadge direction="incoming" state={doc.state} />
        <UrgencyBadge urgency={doc.urgency} showNormal />
        <DeadlineBadge date={doc.assignment.deadline ?? doc.dueDate} state={doc.state} />
        {isPaper(doc) ? (
          <Tag tone="gray">{t("office.doc.paper")}</Tag>
        ) : (
          <SignatureBadge verdict={verdictOf(doc)} />
        )}
      </Group>
      <Title order={2} size="h3" mb={4}>
        {doc.typeName} {doc.code}
      </Title>
      <Text mb="md">{doc.subject}</Text>
      {doc.duplicateFlags.length > 0 && (
        <Alert color="orange" mb="md" role="alert">
          {t("office.doc.duplicate")}
        </Alert>
      )}
      {doc.revokedAt && (
        <Alert color="red" mb="md" title={t("office.doc.revoked")}>
          {doc.revokeReason}
        </Alert>
      )}
      {doc.replacedBy && (
        <Alert color="orange" mb="md" title={t("office.doc.replacedBy")}>
          {doc.replacedBy}
        </Alert>
      )}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }} order={{ base: 2, md: 1 }}>
          <Section
            title={t("office.doc.file")}
            right={
              viewable.length > 1 ? (
                <SegmentedControl
                  size="xs"
                  value={String(shown)}
                  onChange={(v) => setShown(Number(v))}
                  data={viewable.map((a) => ({ value: String(a.index), label: a.name }))}
                  aria-label={t("office.doc.attachment")}
                />
              ) : undefined
            }
          >
            {shown >= 0 ? (
              <PdfViewer
                url={`/api/incoming/${doc.id}/attachments/${shown}`}
                title={`${t("office.doc.file")}: ${doc.subject}`}
                fileName={doc.attachments[shown]?.name}
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
              <IncomingActions doc={doc} />
            </Paper>
          </Section>
          <ArchiveSection direction="incoming" id={doc.id} state={doc.state} />
          <Section title={t("office.doc.metadata")}>
            <Facts
              rows={[
                [
                  t("office.doc.issuer"),
                  doc.from.organId ? `${doc.from.name} (${doc.from.organId})` : doc.from.name,
                ],
                [t("office.doc.type"), doc.typeName],
                [t("office.doc.code"), doc.code],
                [t("office.doc.date"), viDate(doc.promulgationDate)],
                [t("office.doc.signer"), signer],
                [t("office.doc.urgency"), t(`office.urgency.${doc.urgency}` as MessageKey)],
                [t("office.doc.dueDate"), viDate(doc.dueDate)],
                [t("office.doc.arrival"), doc.arrivalNumber ? `${doc.arrivalNumber}/${doc.arrivalYear}` : ""],
                [t("office.action.assignee"), [unit?.name, assignee?.fullName].filter(Boolean).join(" – ")],
                [t("office.doc.instructions"), doc.assignment.instructions ?? ""],
                [t("office.doc.result"), doc.resultNote ?? ""],
                [
                  t("office.doc.replyLink"),
                  doc.replyOutgoingId ? (
                    <Link key="reply" to={`/office/outgoing/${doc.replyOutgoingId}`}>
                      {t("office.open")}
                    </Link>
                  ) : (
                    ""
                  ),
                ],
                [t("office.doc.documentId"), doc.documentId],
              ]}
            />
          </Section>
        </Grid.Col>
      </Grid>
      {!isPaper(doc) && (
        <Section title={t("office.doc.signatures")}>
          <SignatureReport doc={doc} />
        </Section>
      )}
      <Section title={t("office.doc.history")}>
        <DocumentHistory direction="incoming" id={doc.id} />
      </Section>
    </>
  );
}

function SignatureReport({ doc }: { doc: IncomingDoc }) {
  const { t } = useI18n();
  return (
    <Stack gap="sm">
      <Text size="sm">
        {t("office.doc.package")}: <b>{doc.validation.package}</b>
      </Text>
      {doc.validation.signatures.map((a) => (
        <Paper key={a.attachment} withBorder p="sm">
          <Group gap="xs" mb={6}>
            <Text size="sm" fw={600}>
              {a.attachment}
            </Text>
            <SignatureBadge verdict={a.status} />
          </Group>
          <SignatureTable signatures={a.signatures} />
        </Paper>
      ))}
    </Stack>
  );
}

function IncomingActions({ doc }: { doc: IncomingDoc }) {
  const { t } = useI18n();
  const me = useMe();
  const items: ReactNode[] = [];
  if (doc.pendingRequest && hasRole(me, "van_thu")) items.push(<RequestAnswer key="request" doc={doc} />);
  if (doc.state === "arrived" && hasRole(me, "van_thu"))
    items.push(<RegisterOrReturn key="register" doc={doc} />);
  if ((doc.state === "registered" || doc.state === "assigned") && hasRole(me, "lanh_dao"))
    items.push(<AssignForm key="assign" doc={doc} />);
  const mine =
    doc.assignment.userId === me.user.id ||
    (doc.assignment.userId === null && hasRole(me, "lanh_dao", "van_thu"));
  if ((doc.state === "registered" || doc.state === "assigned") && mine)
    items.push(<ProcessButton key="process" id={doc.id} />);
  if (["registered", "assigned", "processing"].includes(doc.state) && mine)
    items.push(<CompleteForm key="complete" id={doc.id} />);
  if (items.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t("office.noActions")}
      </Text>
    );
  return <Stack gap="lg">{items}</Stack>;
}

function RequestAnswer({ doc }: { doc: IncomingDoc }) {
  const { t } = useI18n();
  const request = doc.pendingRequest!;
  const accept = useOfficeAction(() => post(`/api/incoming/${doc.id}/answer`, { accept: true }));
  return (
    <Alert
      color="orange"
      title={t(request.kind === "take-back" ? "office.request.takeBack" : "office.request.update")}
    >
      <Stack gap="xs">
        <Text size="sm">
          {t("office.request.reason")}: {request.reason}
        </Text>
        {request.changes && (
          <Text size="sm">
            {t("office.request.changes")}:{" "}
            {Object.entries(request.changes)
              .map(([k, v]) => `${k}: ${String(v)}`)
              .join("; ")}
          </Text>
        )}
        <Text size="xs" c="dimmed">
          {viDateTime(request.receivedAt)}
        </Text>
        <Group gap="xs">
          <Button size="compact-sm" loading={accept.isPending} onClick={() => accept.mutate(undefined)}>
            {t("office.request.accept")}
          </Button>
          <ReasonAction
            label={t("office.request.refuse")}
            reasonLabel={t("office.request.refuseReason")}
            size="compact-sm"
            variant="default"
            run={(reason) => post(`/api/incoming/${doc.id}/answer`, { accept: false, reason })}
          />
        </Group>
      </Stack>
    </Alert>
  );
}

function AssignForm({ doc }: { doc: IncomingDoc }) {
  const { t } = useI18n();
  const people = useOffice<People>("/api/people");
  const [userId, setUserId] = useState(doc.assignment.userId ?? "");
  const [unitId, setUnitId] = useState(doc.assignment.unitId ?? "");
  const [deadline, setDeadline] = useState(
    doc.assignment.deadline ?? doc.dueDate?.replaceAll("/", "-") ?? "",
  );
  const [instructions, setInstructions] = useState(doc.assignment.instructions ?? "");
  const assign = useOfficeAction(() =>
    post(`/api/incoming/${doc.id}/assign`, {
      ...(userId ? { userId } : {}),
      ...(unitId ? { unitId } : {}),
      ...(deadline ? { deadline } : {}),
      ...(instructions.trim() ? { instructions: instructions.trim() } : {}),
    }),
  );
  return (
    <QueryView query={people}>
      {(p) => (
        <Stack gap="sm">
          <NativeSelect
            label={t("office.action.assignee")}
            value={userId}
            onChange={(e) => setUserId(e.currentTarget.value)}
            data={[
              { value: "", label: "—" },
              ...p.users
                .filter((u) => !u.roles.every((r) => r === "quan_tri"))
                .map((u) => ({ value: u.id, label: `${u.fullName} — ${u.position}` })),
            ]}
          />
          <NativeSelect
            label={t("office.action.unit")}
            value={unitId}
            onChange={(e) => setUnitId(e.currentTarget.value)}
            data={[{ value: "", label: "—" }, ...p.units.map((u) => ({ value: u.id, label: u.name }))]}
          />
          <TextInput
            type="date"
            label={t("office.action.deadline")}
            value={deadline}
            onChange={(e) => setDeadline(e.currentTarget.value)}
          />
          <Textarea
            label={t("office.action.instructions")}
            value={instructions}
            onChange={(e) => setInstructions(e.currentTarget.value)}
            autosize
            minRows={2}
            maxLength={2000}
          />
          <Button
            size="md"
            disabled={!userId && !unitId}
            loading={assign.isPending}
            onClick={() => assign.mutate(undefined)}
          >
            {t("office.action.assign")}
          </Button>
        </Stack>
      )}
    </QueryView>
  );
}

function ProcessButton({ id }: { id: string }) {
  const { t } = useI18n();
  const process = useOfficeAction(() => post(`/api/incoming/${id}/process`));
  return (
    <Button variant="default" loading={process.isPending} onClick={() => process.mutate(undefined)}>
      {t("office.action.process")}
    </Button>
  );
}

function CompleteForm({ id }: { id: string }) {
  const { t } = useI18n();
  const replies = useOffice<OutgoingDoc[]>("/api/outgoing?state=issued&limit=200");
  const [note, setNote] = useState("");
  const [reply, setReply] = useState("");
  const complete = useOfficeAction(() =>
    post(`/api/incoming/${id}/complete`, {
      ...(note.trim() ? { note: note.trim() } : {}),
      ...(reply ? { replyOutgoingId: reply } : {}),
    }),
  );
  return (
    <Stack gap="sm">
      <Textarea
        label={t("office.action.note")}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        autosize
        minRows={2}
        maxLength={2000}
      />
      <NativeSelect
        label={t("office.action.reply")}
        value={reply}
        onChange={(e) => setReply(e.currentTarget.value)}
        data={[
          { value: "", label: "—" },
          ...(replies.data ?? []).map((d) => ({
            value: d.id,
            label: `${d.code ?? ""} ${d.subject}`.trim().slice(0, 120),
          })),
        ]}
      />
      <Button size="md" loading={complete.isPending} onClick={() => complete.mutate(undefined)}>
        {t("office.action.complete")}
      </Button>
    </Stack>
  );
}
