/**
 * Signatures of one PDF as the validator reported them (signer, verdict, time, certificate,
 * first problem), and the outgoing document's validation report checked now by the office.
 */
import { Group, Paper, Stack, Table, Text } from "@mantine/core";
import { useI18n } from "../i18n/index.tsx";
import { type OutgoingValidation, type SignatureEntry, useOffice } from "./api.ts";
import { Facts, QueryView, SignatureBadge, viDate, viDateTime } from "./ui.tsx";

export function SignatureTable({ signatures }: { signatures: SignatureEntry[] }) {
  const { t } = useI18n();
  if (signatures.length === 0) return null;
  return (
    <Table.ScrollContainer minWidth={420}>
      <Table fz="sm" verticalSpacing={4}>
        <Table.Tbody>
          {signatures.map((s, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: signatures in document order
            <Table.Tr key={i}>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {s.signer}
                </Text>
                {s.organisation && <Text size="xs">{s.organisation}</Text>}
                {s.kind && (
                  <Text size="xs" c="dimmed">
                    {t(s.kind === "personal" ? "office.doc.personalSig" : "office.doc.sealSig")}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <SignatureBadge verdict={s.status} />
              </Table.Td>
              <Table.Td>
                {viDateTime(s.signedAt)}
                {s.timestamped && (
                  <Text size="xs" c="dimmed">
                    {t("office.sig.timestamped")}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {s.certificate && (
                  <Text size="xs">
                    {t("office.sig.certificate")}: {s.certificate.issuer ?? ""}
                    {s.certificate.notAfter
                      ? ` · ${t("office.sig.until")} ${viDate(s.certificate.notAfter)}`
                      : ""}
                  </Text>
                )}
                {(s.reason ?? s.certificate?.reason) && (
                  <Text size="xs" ff="monospace" c="red.9">
                    {s.reason ?? s.certificate?.reason}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** GET /api/outgoing/:id/validation: what a recipient's validator will say about the current file. */
export function OutgoingValidationReport({ id }: { id: string }) {
  const { t } = useI18n();
  const validation = useOffice<OutgoingValidation>(`/api/outgoing/${id}/validation`);
  return (
    <QueryView query={validation}>
      {(v) => (
        <Paper withBorder p="sm" data-testid="validation-report">
          <Stack gap="xs">
            <Group gap="xs">
              <Text size="sm" fw={600}>
                {v.fileName}
              </Text>
              <SignatureBadge verdict={v.report.status} />
            </Group>
            <Facts
              rows={[
                [t("office.validation.version"), String(v.version)],
                [t("office.validation.checkedAt"), viDateTime(v.checkedAt)],
                ["SHA-256", <code key="sha">{v.sha256}</code>],
              ]}
            />
            {v.report.signatures.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t("office.validation.none")}
              </Text>
            ) : (
              <SignatureTable signatures={v.report.signatures} />
            )}
          </Stack>
        </Paper>
      )}
    </QueryView>
  );
}
