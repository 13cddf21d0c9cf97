/** Chuyên viên (and anyone who drafts): a new outgoing draft with file, recipients and reviewers. */
import {
  Alert,
  Button,
  Checkbox,
  Grid,
  Group,
  Input,
  NativeSelect,
  Paper,
  Stack,
  Textarea,
  TextInput,
} from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { ApiError, api, apiUpload } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { type People, type Reference, useOffice } from "./api.ts";
import { useMe } from "./OfficeLayout.tsx";
import { type Recipient, RecipientPicker } from "./RecipientPicker.tsx";
import { fmt, PageTitle, QueryView } from "./ui.tsx";

const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

export function contentTypeOf(file: File): string {
  if (file.type === "application/pdf" || file.type === DOCX) return file.type;
  return file.name.toLowerCase().endsWith(".docx") ? DOCX : "application/pdf";
}

export function DraftPage() {
  const { t, lang } = useI18n();
  const me = useMe();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const replaces = params.get("replaces");
  const reference = useOffice<Reference>("/api/reference");
  const people = useOffice<People>("/api/people");
  const [recipients, setRecipients] = useState<Recipient[]>([]);
  const [reviewers, setReviewers] = useState<string[]>([]);
  const [busy, setBusy] = useState<"save" | "submit" | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const andSubmit = submitter?.value === "submit";
    const form = new FormData(event.currentTarget);
    const text = (k: string) => String(form.get(k) ?? "").trim();
    const file = form.get("file");
    setBusy(andSubmit ? "submit" : "save");
    setError(null);
    try {
      const places = text("places")
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
      const draft = await api<{ id: string }>("POST", "/api/outgoing", {
        typeCode: text("typeCode"),
        subject: text("subject"),
        ...(text("content") ? { content: text("content") } : {}),
        ...(text("unit") ? { unitAbbreviation: text("unit") } : {}),
        urgency: text("urgency") || "thuong",
        ...(text("dueDate") ? { dueDate: text("dueDate") } : {}),
        ...(places.length ? { places } : {}),
        recipients,
        ...(replaces ? { replaces: [replaces] } : {}),
      });
      if (file instanceof File && file.size > 0)
        await apiUpload(
          "PUT",
          `/api/outgoing/${draft.id}/file?fileName=${encodeURIComponent(file.name)}`,
          file,
          contentTypeOf(file),
        );
      if (andSubmit) await api("POST", `/api/outgoing/${draft.id}/submit`, { reviewerIds: reviewers });
      navigate(`/office/outgoing/${draft.id}`);
    } catch (e) {
      setError(e instanceof ApiError ? e.messages[lang] : t("error.network"));
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <PageTitle>{t("office.draft.title")}</PageTitle>
      {replaces && (
        <Alert color="blue" mb="md">
          {fmt(t("office.draft.replaces"), { id: replaces })}
        </Alert>
      )}
      <QueryView query={reference}>
        {(ref) => (
          <form onSubmit={save}>
            <Grid gap="lg">
              <Grid.Col span={{ base: 12, md: 7 }}>
                <Stack>
                  <Group grow align="flex-start" wrap="wrap">
                    <NativeSelect
                      name="typeCode"
                      label={t("office.draft.type")}
                      defaultValue="CV"
                      required
                      data={ref.documentTypes.map((d) => ({ value: d.code, label: d.name }))}
                      miw={200}
                    />
                    <NativeSelect
                      name="urgency"
                      label={t("office.draft.urgency")}
                      defaultValue="thuong"
                      data={ref.urgencies.map((u) => ({
                        value: u,
                        label: t(`office.urgency.${u}` as MessageKey),
                      }))}
                      miw={160}
                    />
                  </Group>
                  <Textarea
                    name="subject"
                    label={t("office.draft.subject")}
                    required
                    maxLength={500}
                    autosize
                    minRows={2}
                  />
                  <Textarea
                    name="content"
                    label={t("office.draft.content")}
                    maxLength={500}
                    autosize
                    minRows={1}
                  />
                  <Group grow align="flex-start" wrap="wrap">
                    <TextInput
                      name="unit"
                      label={t("office.draft.unit")}
                      maxLength={20}
                      defaultValue="VP"
                      miw={160}
                    />
                    <TextInput name="dueDate" type="date" label={t("office.draft.dueDate")} miw={160} />
                  </Group>
                  <Textarea
                    name="places"
                    label={t("office.draft.places")}
                    autosize
                    minRows={2}
                    defaultValue={"Như trên;\nLưu: VT."}
                  />
                  <Input.Wrapper label={t("office.draft.file")} id="draft-file">
                    <input
                      id="draft-file"
                      name="file"
                      type="file"
                      accept=".pdf,.docx,application/pdf"
                      style={{ display: "block", marginTop: 4 }}
                    />
                  </Input.Wrapper>
                </Stack>
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 5 }}>
                <Stack>
                  <Paper withBorder p="sm">
                    <RecipientPicker value={recipients} onChange={setRecipients} exclude={me.agency.code} />
                  </Paper>
                  <Paper withBorder p="sm">
                    <QueryView query={people}>
                      {(p) => (
                        <Checkbox.Group
                          label={t("office.draft.reviewers")}
                          value={reviewers}
                          onChange={setReviewers}
                        >
                          <Stack gap={6} mt={4}>
                            {p.users
                              .filter(
                                (u) =>
                                  u.id !== me.user.id &&
                                  u.roles.some((r) => r === "lanh_dao" || r === "chuyen_vien"),
                              )
                              .map((u) => (
                                <Checkbox key={u.id} value={u.id} label={`${u.fullName} — ${u.position}`} />
                              ))}
                          </Stack>
                        </Checkbox.Group>
                      )}
                    </QueryView>
                  </Paper>
                </Stack>
              </Grid.Col>
            </Grid>
            {error && (
              <Alert color="red" mt="md" role="alert" title={t("office.failed")}>
                {error}
              </Alert>
            )}
            <Group mt="lg" gap="sm">
              <Button
                type="submit"
                value="save"
                variant="default"
                loading={busy === "save"}
                disabled={busy !== null}
              >
                {t("office.draft.save")}
              </Button>
              <Button
                type="submit"
                value="submit"
                loading={busy === "submit"}
                disabled={busy !== null || reviewers.length === 0}
              >
                {t("office.draft.saveSubmit")}
              </Button>
            </Group>
          </form>
        )}
      </QueryView>
    </>
  );
}
