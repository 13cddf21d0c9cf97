/**
 * The public verification report in plain words: one verdict with what to do, the three checks
 * (authentic, unchanged, certificates), what the office knows of the document since (revoked /
 * replaced), and each signer with the time and certificate. Colour is never the only signal:
 * every outcome has its own icon and words.
 */
import { Box, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { type ReactNode, type Ref, useEffect, useRef } from "react";
import { ApiError } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import {
  formatDateTime,
  formatSize,
  PUBLIC_MAX_BYTES,
  type PublicSignature,
  type PublicVerification,
  type RegistryStatus,
  type Verdict,
} from "./api.ts";

export type Tone = "good" | "bad" | "unsure" | "neutral";

/** Dark text on light tints: every pair is above 7:1 (WCAG AAA), borders and icons above 3:1. */
export const TONES: Record<Tone, { bg: string; border: string; fg: string; icon: string }> = {
  good: { bg: "#eaf6ed", border: "#2b8a3e", fg: "#14532d", icon: "#237032" },
  bad: { bg: "#fdeded", border: "#c92a2a", fg: "#7a1616", icon: "#b02525" },
  unsure: { bg: "#fff4e0", border: "#b45309", fg: "#663608", icon: "#9a4a06" },
  neutral: { bg: "#f1f3f5", border: "#495057", fg: "#212529", icon: "#495057" },
};

const VERDICT_TONE: Record<Verdict, Tone> = {
  valid: "good",
  invalid: "bad",
  indeterminate: "unsure",
  unsigned: "neutral",
};
const REGISTRY_TONE: Record<RegistryStatus, Tone> = {
  current: "good",
  revoked: "bad",
  replaced: "unsure",
  unknown: "neutral",
};

/** One icon per tone (check, cross, question mark, dash), drawn in the tone's colour. */
export function ToneIcon({ tone, size = 28 }: { tone: Tone; size?: number }) {
  const colour = TONES[tone].icon;
  const mark: Record<Tone, ReactNode> = {
    good: <path d="M7 12.5l3.2 3.2L17 9" />,
    bad: <path d="M8.5 8.5l7 7M15.5 8.5l-7 7" />,
    unsure: (
      <>
        <path d="M9.5 9.5a2.6 2.6 0 1 1 3.6 2.4c-.7.3-1.1.9-1.1 1.6v.6" />
        <path d="M12 17.2v.1" />
      </>
    ),
    neutral: <path d="M8 12h8" />,
  };
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
      style={{ flexShrink: 0 }}
    >
      <circle cx="12" cy="12" r="11" fill={colour} />
      <g fill="none" stroke="#fff" strokeWidth="2.4" strokeLinecap="round" strokeLinejoin="round">
        {mark[tone]}
      </g>
    </svg>
  );
}

/** A tinted box with a coloured left border, an icon and a heading. */
export function ToneBox({
  tone,
  title,
  children,
  titleOrder = 3,
  testId,
  headingRef,
}: {
  tone: Tone;
  title: string;
  children?: ReactNode;
  titleOrder?: 3 | 4;
  testId?: string;
  headingRef?: Ref<HTMLHeadingElement>;
}) {
  const c = TONES[tone];
  return (
    <Box
      data-testid={testId}
      data-tone={tone}
      p="md"
      style={{
        background: c.bg,
        color: c.fg,
        border: `1px solid ${c.border}`,
        borderLeft: `6px solid ${c.border}`,
        borderRadius: 6,
      }}
    >
      <Group gap="sm" wrap="nowrap" align="flex-start">
        <ToneIcon tone={tone} size={titleOrder === 3 ? 32 : 24} />
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Title
            order={titleOrder}
            size={titleOrder === 3 ? "h3" : "h5"}
            c={c.fg}
            ref={headingRef}
            tabIndex={-1}
          >
            {title}
          </Title>
          {children}
        </Stack>
      </Group>
    </Box>
  );
}

/** A small pill: icon + word, for per-signature and per-certificate results. */
function Pill({ tone, children }: { tone: Tone; children: ReactNode }) {
  const c = TONES[tone];
  return (
    <Group
      component="span"
      gap={6}
      wrap="nowrap"
      px={8}
      py={2}
      style={{
        display: "inline-flex",
        background: c.bg,
        color: c.fg,
        border: `1px solid ${c.border}`,
        borderRadius: 999,
        fontWeight: 600,
        fontSize: "var(--mantine-font-size-sm)",
      }}
    >
      <ToneIcon tone={tone} size={16} />
      {children}
    </Group>
  );
}

const statusTone = (s: "valid" | "invalid" | "indeterminate" | "unknown"): Tone =>
  s === "valid" ? "good" : s === "invalid" ? "bad" : s === "indeterminate" ? "unsure" : "neutral";

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box>
      <Text size="sm" fw={600} c="gray.8">
        {label}
      </Text>
      <Text component="div" size="md" style={{ overflowWrap: "anywhere" }}>
        {children}
      </Text>
    </Box>
  );
}

/** "C=VN, O=Ban Cơ yếu Chính phủ, CN=CA …" → "CA … (Ban Cơ yếu Chính phủ)": names, not a DN. */
export function issuerName(dn: string): string {
  const parts = dn.split(/, (?=[A-Za-z0-9.]+=)/);
  const value = (key: string) => parts.find((p) => p.startsWith(`${key}=`))?.slice(key.length + 1);
  const cn = value("CN");
  const o = value("O");
  if (!cn) return o ?? dn;
  return o && o !== cn ? `${cn} (${o})` : cn;
}

function problemText(t: (k: MessageKey) => string, code: string | null): string | null {
  if (!code) return null;
  const key = `public.problem.${code}` as MessageKey;
  const known = t(key) as string | undefined;
  return known === undefined ? `${t("public.problem.other")} (${code})` : known;
}

function SignatureCard({ s, index }: { s: PublicSignature; index: number }) {
  const { t, lang } = useI18n();
  const kind =
    s.kind === "personal"
      ? t("public.sig.personal")
      : s.kind === "organisation"
        ? t("public.sig.organisation")
        : t("public.sig.unknownKind");
  const problem = problemText(t, s.problem);
  const certificateProblem = problemText(t, s.certificate.reason);
  return (
    <Box
      component="li"
      data-testid="signature"
      p="md"
      style={{ border: "1px solid var(--mantine-color-gray-4)", borderRadius: 6, listStyle: "none" }}
    >
      <Text size="sm" fw={600} c="gray.8">
        {index + 1}. {kind}
      </Text>
      <Title order={4} size="h4" mb="xs" style={{ overflowWrap: "anywhere" }}>
        {s.signer}
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" verticalSpacing="xs">
        <Row label={t("public.sig.organisationName")}>
          {/* An organisation's certificate may name the body only in CN. */}
          {s.organisation ?? (s.kind === "organisation" ? s.signer : "—")}
        </Row>
        <Row label={t("public.sig.signedAt")}>
          {formatDateTime(s.signedAt, lang)}
          {s.signedAt && (
            <Text size="sm" c="gray.8">
              ({s.timestamped ? t("public.sig.timestamped") : t("public.sig.claimed")})
            </Text>
          )}
        </Row>
        <Row label={t("public.sig.result")}>
          <Pill tone={statusTone(s.status)}>{t(`public.sig.${s.status}` as MessageKey)}</Pill>
          {problem && (
            <Text size="sm" mt={4}>
              {t("public.sig.problem")}: {problem}
            </Text>
          )}
        </Row>
        <Row label={t("public.sig.certificate")}>
          <Pill tone={statusTone(s.certificate.status)}>
            {t(`public.sig.${s.certificate.status}` as MessageKey)}
          </Pill>
          {certificateProblem && certificateProblem !== problem && (
            <Text size="sm" mt={4}>
              {t("public.sig.problem")}: {certificateProblem}
            </Text>
          )}
        </Row>
        {s.certificate.issuer && <Row label={t("public.sig.issuer")}>{issuerName(s.certificate.issuer)}</Row>}
        {s.certificate.notAfter && (
          <Row label={t("public.sig.notAfter")}>{formatDateTime(s.certificate.notAfter, lang)}</Row>
        )}
      </SimpleGrid>
    </Box>
  );
}

function Check({ ok, unsure, yes, no }: { ok: boolean; unsure?: boolean; yes: string; no: string }) {
  const tone: Tone = ok ? "good" : unsure ? "unsure" : "bad";
  return (
    <Group component="li" gap="sm" wrap="nowrap" data-tone={tone} style={{ listStyle: "none" }}>
      <ToneIcon tone={tone} size={22} />
      <Text>{ok ? yes : no}</Text>
    </Group>
  );
}

export function VerificationReport({ report, fileName }: { report: PublicVerification; fileName?: string }) {
  const { t, lang } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  // Keyboard and screen-reader users land on the answer when it arrives.
  useEffect(() => {
    if (report.checkedAt) heading.current?.focus();
  }, [report.checkedAt]);
  const verdict = report.verdict;
  const registry = report.registry.status;
  const todo: MessageKey =
    verdict === "valid" && (registry === "revoked" || registry === "replaced")
      ? `public.registry.${registry}.text`
      : `public.todo.${verdict}`;
  const signed = report.signatures.length > 0;
  const certificatesValid = signed && report.signatures.every((s) => s.certificate.valid);
  const certificatesUnsure =
    signed && report.signatures.every((s) => s.certificate.status !== "invalid") && !certificatesValid;
  return (
    <Stack gap="md" data-testid="report" data-verdict={verdict} data-registry={registry}>
      <ToneBox
        tone={VERDICT_TONE[verdict]}
        title={t(`public.verdict.${verdict}`)}
        testId="verdict"
        headingRef={heading}
      >
        <Text>{t(`public.verdict.${verdict}.text`)}</Text>
        <Text>
          <Text span fw={700}>
            {t("public.whatToDo")}:
          </Text>{" "}
          {t(todo)}
        </Text>
      </ToneBox>

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Box p="md" style={{ border: "1px solid var(--mantine-color-gray-4)", borderRadius: 6 }}>
          <Title order={3} size="h5" mb="xs">
            {t("public.checks")}
          </Title>
          <Stack component="ul" gap="xs" p={0} m={0}>
            {signed ? (
              <>
                <Check
                  ok={report.authentic}
                  yes={t("public.check.authentic")}
                  no={t("public.check.authentic.no")}
                />
                <Check
                  ok={report.authentic && report.unchanged}
                  unsure={report.authentic}
                  yes={t("public.check.unchanged")}
                  no={t("public.check.unchanged.no")}
                />
                <Check
                  ok={certificatesValid}
                  unsure={certificatesUnsure}
                  yes={t("public.check.certificates")}
                  no={t("public.check.certificates.no")}
                />
              </>
            ) : (
              <Check ok={false} unsure yes="" no={t("public.check.none")} />
            )}
          </Stack>
        </Box>
        <ToneBox
          tone={REGISTRY_TONE[registry]}
          title={`${t("public.registry")}: ${t(`public.registry.${registry}`)}`}
          titleOrder={4}
          testId="registry"
        >
          <Text size="sm">{t(`public.registry.${registry}.text`)}</Text>
        </ToneBox>
      </SimpleGrid>

      {signed && (
        <Box component="section" aria-labelledby="signers-heading">
          <Title order={3} size="h4" mb="xs" id="signers-heading">
            {t("public.signatures").replace("{n}", String(report.signatures.length))}
          </Title>
          <Stack component="ol" gap="sm" p={0} m={0}>
            {report.signatures.map((s, i) => (
              // Signatures have no id; their order in the file is stable.
              // biome-ignore lint/suspicious/noArrayIndexKey: order is the identity here
              <SignatureCard key={i} s={s} index={i} />
            ))}
          </Stack>
        </Box>
      )}

      <Box p="md" style={{ background: "var(--mantine-color-gray-0)", borderRadius: 6 }}>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm" verticalSpacing="xs">
          <Row label={t("public.file")}>
            {fileName ? `${fileName} — ` : ""}
            {formatSize(report.file.size, lang)}
          </Row>
          <Row label={t("public.checkedAt")}>{formatDateTime(report.checkedAt, lang)}</Row>
          {report.file.sha256 && (
            <Row label={t("public.file.sha256")}>
              <Text span ff="monospace" size="xs">
                {report.file.sha256}
              </Text>
            </Row>
          )}
        </SimpleGrid>
        <Text size="sm" mt="sm" c="gray.8">
          {t("public.privacy")}
        </Text>
      </Box>
    </Stack>
  );
}

/** The error of a verification, in words for the public (rate limit asks politely to wait). */
export function VerifyError({ error }: { error: unknown }) {
  const { t, lang } = useI18n();
  const code = error instanceof ApiError ? error.code : null;
  const text =
    code === "OFFICE_RATE_LIMITED"
      ? t("public.error.rateLimited")
      : code === "OFFICE_NOT_FOUND"
        ? t("public.error.notFound")
        : code === "OFFICE_FILE_TYPE_UNSUPPORTED"
          ? t("public.error.notPdf")
          : code === "OFFICE_PAYLOAD_TOO_LARGE"
            ? t("public.error.tooLarge").replace("{limit}", formatSize(PUBLIC_MAX_BYTES, lang))
            : error instanceof ApiError
              ? t("public.error.other")
              : t("error.network");
  return (
    <Box role="alert" data-testid="verify-error" data-code={code ?? "network"}>
      <ToneBox tone={code === "OFFICE_RATE_LIMITED" ? "unsure" : "bad"} title={t("public.error.title")}>
        <Text>{text}</Text>
      </ToneBox>
    </Box>
  );
}
