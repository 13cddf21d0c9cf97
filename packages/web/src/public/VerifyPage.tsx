/**
 * Public verification, no account: `/kiem-tra` checks an uploaded signed PDF (drag and drop or
 * the file button) or looks up a printed copy's code; `/kiem-tra/:code` is where the QR code of
 * a printed copy leads, with the report of the signed original and a link to download it.
 */
import {
  Anchor,
  Box,
  Button,
  Container,
  FileButton,
  Group,
  Loader,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type DragEvent, type FormEvent, type ReactNode, useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import {
  formatSize,
  groupCode,
  normaliseCode,
  originalUrl,
  PUBLIC_MAX_BYTES,
  type PublicVerification,
  verifyCode,
  verifyFile,
} from "./api.ts";
import { TONES, VerificationReport, VerifyError } from "./Report.tsx";

const fill = (text: string, vars: Record<string, string>) =>
  text.replace(/\{(\w+)\}/g, (all, name: string) => vars[name] ?? all);

type Check =
  | { phase: "idle" }
  | { phase: "checking"; file: File }
  | { phase: "done"; file: File; report: PublicVerification }
  | { phase: "failed"; file: File; error: unknown }
  | { phase: "refused"; message: string };

function Intro() {
  const { t } = useI18n();
  return (
    <>
      <Title order={2} mt="md">
        {t("public.title")}
      </Title>
      <Text mb="lg" maw={760}>
        {t("public.intro")}
      </Text>
    </>
  );
}

function Panel({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <Box
      component="section"
      aria-labelledby={id}
      p="md"
      style={{ border: "1px solid var(--mantine-color-gray-4)", borderRadius: 6, minWidth: 0 }}
    >
      <Title order={3} size="h4" id={id} mb="sm">
        {title}
      </Title>
      {children}
    </Box>
  );
}

function CodeForm() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = normaliseCode(String(new FormData(event.currentTarget).get("code") ?? ""));
    if (!code) return setError(t("public.code.invalid"));
    setError(null);
    navigate(`/kiem-tra/${code}`);
  }
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Text size="sm">{t("public.code.help")}</Text>
        <TextInput
          name="code"
          label={t("public.code.label")}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={40}
          error={error}
          styles={{ input: { fontFamily: "monospace", letterSpacing: "0.05em" } }}
        />
        <Group>
          <Button type="submit" variant="default">
            {t("public.code.submit")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function VerifyPage() {
  const { t, lang } = useI18n();
  const [check, setCheck] = useState<Check>({ phase: "idle" });
  const [over, setOver] = useState(false);
  const attempt = useRef(0);
  const size = (bytes: number) => formatSize(bytes, lang);

  async function choose(file: File | null) {
    if (!file) return;
    const vars = { name: file.name, size: size(file.size), limit: size(PUBLIC_MAX_BYTES) };
    if (file.type !== "application/pdf" && !/\.pdf$/i.test(file.name))
      return setCheck({ phase: "refused", message: fill(t("public.upload.notPdf"), vars) });
    if (file.size > PUBLIC_MAX_BYTES)
      return setCheck({ phase: "refused", message: fill(t("public.upload.tooLarge"), vars) });
    const mine = ++attempt.current;
    setCheck({ phase: "checking", file });
    try {
      const report = await verifyFile(file);
      if (mine === attempt.current) setCheck({ phase: "done", file, report });
    } catch (error) {
      if (mine === attempt.current) setCheck({ phase: "failed", file, error });
    }
  }

  function drop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setOver(false);
    void choose(event.dataTransfer.files[0] ?? null);
  }

  const file = check.phase === "idle" || check.phase === "refused" ? null : check.file;
  return (
    <Container size="lg" pb="xl">
      <Intro />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" mb="lg">
        <Panel title={t("public.upload.title")} id="upload-heading">
          <Box
            data-testid="drop-zone"
            data-over={over || undefined}
            onDragOver={(e) => {
              e.preventDefault();
              setOver(true);
            }}
            onDragLeave={() => setOver(false)}
            onDrop={drop}
            p="lg"
            style={{
              border: `2px dashed ${over ? TONES.good.border : "var(--mantine-color-gray-6)"}`,
              background: over ? TONES.good.bg : "var(--mantine-color-gray-0)",
              borderRadius: 8,
              textAlign: "center",
            }}
          >
            <Stack gap="xs" align="center">
              <svg width="40" height="40" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <g
                  fill="none"
                  stroke="#495057"
                  strokeWidth="1.6"
                  strokeLinecap="round"
                  strokeLinejoin="round"
                >
                  <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" />
                  <path d="M14 3v5h5M12 17v-6M9.5 13.5 12 11l2.5 2.5" />
                </g>
              </svg>
              <Text fw={600}>{t("public.upload.drop")}</Text>
              <Text size="sm">{t("public.upload.or")}</Text>
              <FileButton
                onChange={(f) => void choose(f)}
                accept="application/pdf,.pdf"
                inputProps={{ name: "file" }}
              >
                {(props) => (
                  <Button {...props} loading={check.phase === "checking"}>
                    {check.phase === "idle" || check.phase === "refused"
                      ? t("public.upload.choose")
                      : t("public.upload.again")}
                  </Button>
                )}
              </FileButton>
              <Text size="sm">{fill(t("public.upload.limit"), { size: size(PUBLIC_MAX_BYTES) })}</Text>
              {file && (
                <Text size="sm" fw={600} data-testid="chosen-file" style={{ overflowWrap: "anywhere" }}>
                  {fill(t("public.upload.file"), { name: file.name, size: size(file.size) })}
                </Text>
              )}
            </Stack>
          </Box>
        </Panel>
        <Panel title={t("public.code.title")} id="code-heading">
          <CodeForm />
        </Panel>
      </SimpleGrid>

      <Box aria-live="polite">
        {check.phase === "checking" && (
          <Group gap="sm">
            <Loader size="sm" color="gray.7" />
            <Text>
              {fill(t("public.upload.checking"), { name: check.file.name, size: size(check.file.size) })}
            </Text>
          </Group>
        )}
        {check.phase === "refused" && (
          <Text role="alert" c={TONES.bad.fg} fw={600} data-testid="refused">
            {check.message}
          </Text>
        )}
      </Box>
      {check.phase === "failed" && <VerifyError error={check.error} />}
      {check.phase === "done" && <VerificationReport report={check.report} fileName={check.file.name} />}
    </Container>
  );
}

/** Where the QR code of a printed copy leads: the report of the signed original. */
export function VerifyCodePage() {
  const { t } = useI18n();
  const { code: raw = "" } = useParams();
  const code = normaliseCode(raw);
  const report = useQuery({
    queryKey: ["public-verify", code],
    queryFn: () => verifyCode(code!),
    enabled: code !== null,
    // Rate-limited: one request per visit.
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
  return (
    <Container size="lg" pb="xl">
      <Title order={2} mt="md">
        {t("public.title")}
      </Title>
      <Text size="lg" mb="md" fw={600}>
        {fill(t("public.code.heading"), { code: groupCode(code ?? raw.slice(0, 40)) })}
      </Text>
      {code === null ? (
        <VerifyError error={new ApiError(404, "OFFICE_NOT_FOUND", { vi: "", en: "" })} />
      ) : report.isPending ? (
        <Group gap="sm" aria-live="polite">
          <Loader size="sm" color="gray.7" />
          <Text>{t("public.checking")}</Text>
        </Group>
      ) : report.isError ? (
        <VerifyError error={report.error} />
      ) : (
        <Stack gap="md">
          <Box p="md" style={{ border: "1px solid var(--mantine-color-gray-4)", borderRadius: 6 }}>
            <Group gap="md" wrap="wrap">
              <Button component="a" href={originalUrl(code)} download={`van-ban-goc-${code}.pdf`}>
                {t("public.code.download")}
              </Button>
              <Text size="sm" style={{ flex: "1 1 280px" }}>
                {t("public.code.compare")}
              </Text>
            </Group>
          </Box>
          <VerificationReport report={report.data} />
        </Stack>
      )}
      <Anchor component={Link} to="/kiem-tra" mt="lg" display="inline-block" c="blue.9" underline="always">
        {t("public.code.other")}
      </Anchor>
    </Container>
  );
}
