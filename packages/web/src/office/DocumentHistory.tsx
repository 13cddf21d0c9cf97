/**
 * A document's history from the server's audit trail (GET /api/{incoming|outgoing}/:id/history):
 * who did what and when, oldest first, with the few details that matter to a reader (reason,
 * comment, number, status code, deadline). Unknown actions are shown by their code.
 */
import { Text, Timeline } from "@mantine/core";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { type HistoryEntry, useOffice } from "./api.ts";
import { Empty, fmt, QueryView, viDate, viDateTime } from "./ui.tsx";

type T = (key: MessageKey) => string;

const str = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v : null);

/** One line of the details that help a reader; null when nothing is worth showing. */
export function historyNote(entry: HistoryEntry, t: T): string | null {
  const d = entry.details ?? {};
  const parts: string[] = [];
  if (entry.action === "status.received" && str(d.code)) {
    const code = String(d.code);
    const name = t(`office.status.${code}` as MessageKey) ?? "";
    parts.push(`${code} · ${name}`.trim(), ...(str(d.from) ? [String(d.from)] : []));
    if (str(d.description) && d.description !== name) parts.push(String(d.description));
    return parts.join(" — ");
  }
  if (typeof d.arrivalNumber === "number")
    parts.push(`${t("office.doc.arrival")} ${d.arrivalNumber}/${d.year}`);
  else if (typeof d.number === "number") parts.push(`${t("office.hist.number")} ${d.number}/${d.year}`);
  if (typeof d.version === "number")
    parts.push(fmt(t("office.hist.version"), { v: d.version }) + (str(d.fileName) ? `: ${d.fileName}` : ""));
  if (str(d.deadline)) parts.push(`${t("office.action.deadline")}: ${viDate(String(d.deadline))}`);
  if (typeof d.accept === "boolean")
    parts.push(t(d.accept ? "office.request.accept" : "office.request.refuse"));
  if (str(d.status)) {
    const code = String(d.status);
    parts.push(`${t("office.hist.statusSent")} ${code} · ${t(`office.status.${code}` as MessageKey) ?? ""}`);
  }
  if (str(d.reason)) parts.push(`${t("office.action.reason")}: ${d.reason}`);
  if (str(d.comment)) parts.push(String(d.comment));
  if (entry.action === "document.print" && str(d.code)) parts.push(`${t("office.hist.printCode")} ${d.code}`);
  return parts.length > 0 ? parts.join(" · ") : null;
}

export function DocumentHistory({ direction, id }: { direction: "incoming" | "outgoing"; id: string }) {
  const { t } = useI18n();
  const history = useOffice<HistoryEntry[]>(`/api/${direction}/${id}/history`);
  return (
    <QueryView query={history}>
      {(rows) =>
        rows.length === 0 ? (
          <Empty />
        ) : (
          <Timeline
            active={rows.length - 1}
            bulletSize={14}
            lineWidth={2}
            color="gray.7"
            data-testid="document-history"
          >
            {rows.map((e) => {
              const note = historyNote(e, t);
              return (
                <Timeline.Item
                  key={e.id}
                  title={
                    <Text size="sm" fw={600}>
                      {t(`office.audit.${e.action}` as MessageKey) ?? e.action}
                    </Text>
                  }
                >
                  <Text size="xs" c="dimmed">
                    {viDateTime(e.at)} · {e.userName ?? t("office.hist.system")}
                  </Text>
                  {note && (
                    <Text size="sm" style={{ overflowWrap: "anywhere" }}>
                      {note}
                    </Text>
                  )}
                </Timeline.Item>
              );
            })}
          </Timeline>
        )
      }
    </QueryView>
  );
}
