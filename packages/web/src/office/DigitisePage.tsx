/**
 * Văn thư: digitise a paper document. Upload a scan (PDF or image; drop it or pick it), watch
 * the OCR run (page x/y and what it is doing, polled from GET /api/scans/:id), then check the
 * searchable PDF and register it as an incoming paper document (số đến from the yearly
 * sequence), optionally into a case file. The scan id lives in the URL, so a reload resumes.
 */
import {
  Alert,
  Box,
  Button,
  FileButton,
  Grid,
  Group,
  NativeSelect,
  Paper,
  Progress,
  Spoiler,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type DragEvent, type FormEvent, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { ApiError, api, apiUpload } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import {
  type CaseFile,
  type IncomingDoc,
  type Reference,
  type ScanView,
  type Urgency,
  useOffice,
} from "./api.ts";
import { LOW_CONFIDENCE, scanContentType, subjectFromText } from "./scan-text.ts";
import { fmt, PageTitle, PdfViewer, QueryView, Section } from "./ui.tsx";

const MAX_BYTES = 50 * 1024 * 1024;
const ACCEPT = "application/pdf,image/png,image/jpeg,image/tiff,.pdf,.png,.jpg,.jpeg,.tif,.tiff";

export function DigitisePage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const scanId = params.get("scan");
  return (
    <>
      <PageTitle
        right={
          scanId ? (
            <Button variant="default" onClick={() => setParams({})}>
              {t("office.scan.another")}
            </Button>
          ) : undefined
        }
      >
        {t("office.scan.title")}
      </PageTitle>
      {scanId ? (
        <ScanProgress key={scanId} scanId={scanId} />
      ) : (
        <UploadScan onUploaded={(id) => setParams({ scan: id })} />
      )}
    </>
  );
}

function UploadScan({ onUploaded }: { onUploaded: (id: string) => void }) {
  const { t, lang } = useI18n();
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function choose(file: File | null) {
    if (!file) return;
    const type = scanContentType(file);
    if (!type) return setProblem(fmt(t("office.scan.unsupported"), { name: file.name }));
    if (file.size > MAX_BYTES) return setProblem(fmt(t("office.scan.tooLarge"), { name: file.name }));
    setProblem(null);
    setBusy(true);
    try {
      const scan = await apiUpload<ScanView>(
        "POST",
        `/api/scans?fileName=${encodeURIComponent(file.name.slice(-200))}`,
        file,
        type,
      );
      onUploaded(scan.id);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.messages[lang] : t("error.network"));
    } finally {
      setBusy(false);
    }
  }

  function drop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setOver(false);
    void choose(event.dataTransfer.files[0] ?? null);
  }

  return (
    <Stack maw={720}>
      <Text size="sm">{t("office.scan.intro")}</Text>
      <Box
        data-testid="scan-drop-zone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
        p="xl"
        style={{
          border: `2px dashed ${over ? "var(--mantine-color-red-8)" : "var(--mantine-color-gray-6)"}`,
          background: over ? "var(--mantine-color-red-0)" : "var(--mantine-color-gray-0)",
          borderRadius: 8,
          textAlign: "center",
        }}
      >
        <Stack gap="xs" align="center">
          <svg width="40" height="40" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <g fill="none" stroke="#495057" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round">
              <path d="M4 7V5a1 1 0 0 1 1-1h2M17 4h2a1 1 0 0 1 1 1v2M20 17v2a1 1 0 0 1-1 1h-2M7 20H5a1 1 0 0 1-1-1v-2" />
              <path d="M8 9h8M8 12h8M8 15h5" />
            </g>
          </svg>
          <Text fw={600}>{t("office.scan.drop")}</Text>
          <Text size="sm">{t("office.scan.or")}</Text>
          <FileButton onChange={(f) => void choose(f)} accept={ACCEPT} inputProps={{ name: "scan" }}>
            {(props) => (
              <Button {...props} loading={busy}>
                {t("office.scan.choose")}
              </Button>
            )}
          </FileButton>
          <Text size="sm">{t("office.scan.formats")}</Text>
        </Stack>
      </Box>
      {problem && (
        <Alert color="red" role="alert" title={t("office.failed")}>
          {problem}
        </Alert>
      )}
    </Stack>
  );
}

/** Words for where the OCR is now. */
function stageText(scan: ScanView, t: (k: MessageKey) => string): string {
  const p = scan.progress;
  if (scan.state === "queued" || !p) return t("office.scan.stage.queued");
  const vars = { page: p.page, pages: p.pages };
  return fmt(t(`office.scan.stage.${p.stage}` as MessageKey) ?? p.stage, vars);
}

function ScanProgress({ scanId }: { scanId: string }) {
  const { t } = useI18n();
  const scan = useQuery({
    queryKey: ["office", `/api/scans/${scanId}`],
    queryFn: () => api<ScanView>("GET", `/api/scans/${scanId}`),
    refetchInterval: (q) => {
      const state = q.state.data?.state;
      return state === undefined || state === "queued" || state === "running" ? 700 : false;
    },
  });
  return (
    <QueryView query={scan}>
      {(s) => {
        const fraction = s.state === "done" || s.state === "registered" ? 1 : (s.progress?.fraction ?? 0);
        const percent = Math.round(fraction * 100);
        const pages = s.progress?.pages || s.pages;
        return (
          <Stack>
            <Paper withBorder p="md">
              <Group justify="space-between" mb={6} wrap="wrap">
                <Text fw={600} style={{ overflowWrap: "anywhere" }}>
                  {s.fileName}
                </Text>
                <Text size="sm" fw={600} data-testid="scan-percent">
                  {percent} %
                </Text>
              </Group>
              <Progress
                value={percent}
                size="lg"
                color={
                  s.state === "failed"
                    ? "red.9"
                    : s.state === "done" || s.state === "registered"
                      ? "green.9"
                      : "red.8"
                }
                striped={s.state === "running" || s.state === "queued"}
                animated={s.state === "running"}
                aria-label={t("office.scan.progress")}
                aria-valuetext={`${percent} %`}
              />
              <Text size="sm" mt={6} role="status" aria-live="polite" data-testid="scan-stage">
                {s.state === "failed"
                  ? fmt(t("office.scan.failed"), { code: s.errorCode ?? "" })
                  : s.state === "done" || s.state === "registered"
                    ? fmt(t("office.scan.stage.done"), { pages: pages ?? 0 })
                    : `${stageText(s, t)}${pages ? ` · ${fmt(t("office.scan.pageOf"), { page: s.progress?.page ?? 0, pages })}` : ""}`}
              </Text>
            </Paper>
            {s.state === "failed" && (
              <Alert color="red" role="alert">
                {t("office.scan.failedHint")}
              </Alert>
            )}
            {s.state === "registered" && (
              <Alert color="green" title={t("office.scan.registeredTitle")}>
                <Button
                  component={Link}
                  to={`/office/incoming/${s.incomingId}`}
                  size="compact-sm"
                  variant="default"
                >
                  {t("office.open")}
                </Button>
              </Alert>
            )}
            {(s.state === "done" || s.state === "registered") && <ScanResult scan={s} />}
          </Stack>
        );
      }}
    </QueryView>
  );
}

function ScanResult({ scan }: { scan: ScanView }) {
  const { t } = useI18n();
  const low = scan.confidence !== null && scan.confidence < LOW_CONFIDENCE;
  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 6 }} order={{ base: 2, md: 1 }}>
        <Section title={t("office.scan.preview")}>
          <PdfViewer
            url={`/api/scans/${scan.id}/file`}
            title={`${t("office.scan.preview")}: ${scan.fileName}`}
            fileName={`${scan.fileName.replace(/\.[^.]+$/, "")}-ocr.pdf`}
          />
        </Section>
        <Section title={t("office.scan.text")}>
          <Spoiler
            maxHeight={120}
            showLabel={t("office.scan.showText")}
            hideLabel={t("office.scan.hideText")}
          >
            <Text
              size="sm"
              component="pre"
              style={{ whiteSpace: "pre-wrap", fontFamily: "inherit", margin: 0 }}
              data-testid="scan-text"
            >
              {scan.text || t("office.scan.noText")}
            </Text>
          </Spoiler>
        </Section>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 6 }} order={{ base: 1, md: 2 }}>
        {scan.confidence !== null && (
          <Alert
            color={low ? "orange.9" : "green.9"}
            variant="light"
            mb="md"
            role={low ? "alert" : undefined}
            title={fmt(t(low ? "office.scan.lowConfidence" : "office.scan.confidence"), {
              n: scan.confidence,
            })}
          >
            {low ? t("office.scan.lowConfidenceHint") : t("office.scan.checkHint")}
          </Alert>
        )}
        {scan.state === "done" && (
          <Section title={t("office.scan.register")}>
            <RegisterScanForm scan={scan} />
          </Section>
        )}
      </Grid.Col>
    </Grid>
  );
}

function RegisterScanForm({ scan }: { scan: ScanView }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const client = useQueryClient();
  const reference = useOffice<Reference>("/api/reference");
  const caseFiles = useOffice<CaseFile[]>("/api/case-files?state=open");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [subject, setSubject] = useState(() => subjectFromText(scan.text));
  const today = new Date().toLocaleDateString("en-CA", { timeZone: "Asia/Ho_Chi_Minh" });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? "").trim();
    const optional = (name: string) => (value(name) ? { [name]: value(name) } : {});
    setBusy(true);
    setError(null);
    try {
      const doc = await api<IncomingDoc>("POST", `/api/scans/${scan.id}/register`, {
        typeName: value("typeName"),
        codeNumber: value("codeNumber"),
        codeNotation: value("codeNotation"),
        fromName: value("fromName"),
        promulgationDate: value("promulgationDate"),
        subject: subject.trim(),
        urgency: value("urgency") as Urgency,
        ...optional("signerName"),
        ...optional("dueDate"),
        ...optional("caseFileId"),
      });
      notifications.show({
        color: "green",
        message: fmt(t("office.scan.registered"), { n: `${doc.arrivalNumber}/${doc.arrivalYear}` }),
      });
      await client.invalidateQueries({ queryKey: ["office"] });
      navigate(`/office/incoming/${doc.id}`);
    } catch (e) {
      setError(e);
      if (!(e instanceof ApiError)) notifications.show({ color: "red", message: t("error.network") });
    } finally {
      setBusy(false);
    }
  }

  const types = reference.data?.documentTypes ?? [];
  return (
    <form onSubmit={submit} aria-label={t("office.scan.register")}>
      <Stack gap="sm">
        <Textarea
          name="subject"
          label={t("office.draft.subject")}
          description={t("office.scan.subjectHint")}
          required
          maxLength={500}
          autosize
          minRows={2}
          value={subject}
          onChange={(e) => setSubject(e.currentTarget.value)}
        />
        <NativeSelect
          name="typeName"
          label={t("office.doc.type")}
          required
          data={[{ value: "", label: "—" }, ...types.map((d) => ({ value: d.name, label: d.name }))]}
        />
        <Grid gap="sm">
          <Grid.Col span={{ base: 5, sm: 4 }}>
            <TextInput name="codeNumber" label={t("office.scan.codeNumber")} required maxLength={11} />
          </Grid.Col>
          <Grid.Col span={{ base: 7, sm: 8 }}>
            <TextInput
              name="codeNotation"
              label={t("office.scan.codeNotation")}
              description={t("office.scan.codeNotationHint")}
              required
              maxLength={30}
            />
          </Grid.Col>
        </Grid>
        <TextInput name="fromName" label={t("office.doc.issuer")} required maxLength={200} />
        <Grid gap="sm">
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <TextInput
              name="promulgationDate"
              type="date"
              label={t("office.doc.date")}
              required
              max={today}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <TextInput name="signerName" label={t("office.doc.signer")} maxLength={50} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <NativeSelect
              name="urgency"
              label={t("office.doc.urgency")}
              data={(reference.data?.urgencies ?? ["thuong"]).map((u) => ({
                value: u,
                label: t(`office.urgency.${u}` as MessageKey),
              }))}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <TextInput name="dueDate" type="date" label={t("office.doc.dueDate")} />
          </Grid.Col>
        </Grid>
        <NativeSelect
          name="caseFileId"
          label={t("office.scan.caseFile")}
          data={[
            { value: "", label: t("office.scan.noCaseFile") },
            ...(caseFiles.data ?? []).map((f) => ({
              value: f.id,
              label: `${f.metadata.FileCode.Text} — ${f.metadata.Title}`.slice(0, 110),
            })),
          ]}
        />
        {error !== null && (
          <Alert color="red" role="alert" title={t("office.failed")}>
            {error instanceof ApiError ? error.messages[lang] : t("error.network")}
          </Alert>
        )}
        <Button type="submit" size="md" loading={busy}>
          {t("office.scan.submit")}
        </Button>
      </Stack>
    </form>
  );
}
