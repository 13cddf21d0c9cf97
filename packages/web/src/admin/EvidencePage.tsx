import { Alert, Button, Code, SimpleGrid, Stack, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { ApiError, api } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import { formatDateTime, formatNumber } from "../stats/format.ts";
import type { EvidenceReport } from "./api.ts";
import { PageTitle } from "./ui.tsx";

export function EvidencePage() {
  const { t, lang } = useI18n();
  const verify = useMutation({ mutationFn: () => api<EvidenceReport>("POST", "/admin/api/evidence/verify") });
  const r = verify.data;
  return (
    <Stack maw={900}>
      <PageTitle>{t("admin.nav.evidence")}</PageTitle>
      <Text>{t("admin.evidence.intro")}</Text>
      <div>
        <Button onClick={() => verify.mutate()} loading={verify.isPending}>
          {t("admin.evidence.verify")}
        </Button>
      </div>
      {verify.isError && (
        <Alert color="red" role="alert">
          {verify.error instanceof ApiError ? verify.error.messages[lang] : t("error.network")}
        </Alert>
      )}
      {r && (
        <Alert
          color={r.ok ? "green" : "red"}
          title={t(r.ok ? "admin.evidence.ok" : "admin.evidence.broken")}
          role="status"
          data-testid="evidence-result"
        >
          {r.error && (
            <Text size="sm" mb="xs" data-testid="evidence-error">
              {r.error.code}: {r.error.message[lang]}
            </Text>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
            <Text size="sm">{t("admin.evidence.records")}</Text>
            <Text size="sm" fw={700}>
              {formatNumber(r.records, lang)}
            </Text>
            <Text size="sm">{t("admin.evidence.seals")}</Text>
            <Text size="sm" fw={700}>
              {formatNumber(r.seals, lang)}
            </Text>
            <Text size="sm">{t("admin.evidence.unsealed")}</Text>
            <Text size="sm" fw={700}>
              {formatNumber(r.unsealed, lang)}
            </Text>
            {r.problem && (
              <>
                <Text size="sm">{t("admin.evidence.problemAt")}</Text>
                <Text size="sm" fw={700}>
                  {r.problem.seq} ({r.problem.reason})
                </Text>
              </>
            )}
            <Text size="sm">{t("admin.evidence.anchors")}</Text>
            <Stack gap={0}>
              {r.anchors && r.anchors.length > 0 ? (
                r.anchors.map((a) => (
                  <Text size="sm" key={a.source} style={{ wordBreak: "break-all" }}>
                    <b>
                      {a.error
                        ? t("admin.evidence.anchorUnavailable")
                        : `${formatNumber(a.accepted, lang)} · ${a.latestSeq ?? "—"}`}
                    </b>{" "}
                    ({a.source})
                  </Text>
                ))
              ) : (
                <Text size="sm">{t("admin.evidence.anchorsNone")}</Text>
              )}
            </Stack>
            <Text size="sm">{t("admin.evidence.duration")}</Text>
            <Text size="sm">
              {formatNumber(r.durationMs, lang)} ms · {formatDateTime(r.checkedAt, lang)}
            </Text>
          </SimpleGrid>
          <Text size="sm" mt="xs">
            {t("admin.evidence.head")}:
          </Text>
          <Code block style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>
            {r.headHash}
          </Code>
        </Alert>
      )}
    </Stack>
  );
}
