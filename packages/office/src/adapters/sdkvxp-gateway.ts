/**
 * `AxisGateway` over the SDKVXP API (@truc/client `SdkvxpClient`): the way an office deployment
 * talks to its LGSP or to the national axis, like every vendor system does.
 *
 * One deployment serves many agencies. The axis binds a connected system (systemId + secret) to
 * one or several agency codes; both layouts are configured the same way, as a list of systems:
 *   systems: [{ systemId: "qlvb-h29", secret, agencyCodes: ["H29.12", "H29.13"] }]   // shared
 *   systems: [{ systemId: "a", secret, agencyCodes: ["H29.12"] }, { systemId: "b", … }]  // one each
 *
 * A shared system sees the mailboxes of all its agencies at once, and the axis leases and
 * acknowledges a package for every recipient of that system together (one `docId`). So the
 * gateway lists once per system and message kind, keeps what it downloaded until each of the
 * system's recipients has been handled, and acknowledges the package to the axis only when the
 * last of them is done (`fail` if any of them failed). A crash in between leaves the package
 * unacknowledged: the axis offers it again after the lease and the office de-duplicates it.
 */
import type http from "node:http";
import { type RetryPolicy, SdkvxpClient } from "@truc/client";
import { sameAgency } from "@truc/edxml";
import { OfficeError } from "../errors.ts";
import type { AxisGateway, AxisMessage, MessageKind, Organization } from "../ports.ts";

export interface SdkvxpSystemConfig {
  systemId: string;
  secret: string;
  /** Agencies this system may send as and receive for (either identifier form). */
  agencyCodes: string[];
}

export interface SdkvxpGatewayOptions {
  /** Base URL of the SDKVXP API, e.g. `https://lgsp.example.gov.vn/vdxp`. */
  endpoint: string;
  systems: SdkvxpSystemConfig[];
  /** HTTPS agent (CA of the node, proxy, keep-alive). */
  agent?: http.Agent;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Clock for request timestamps (tests). */
  now?: () => Date;
}

interface Pending {
  /** Recipients within this system that still have to handle it. */
  waiting: Set<string>;
  failed: boolean;
  bytes?: Buffer;
}

interface SystemState {
  config: SdkvxpSystemConfig;
  /** One client per agency (the client sends `from` = its agency). */
  clients: Map<string, SdkvxpClient>;
  pending: Record<MessageKind, Map<string, Pending>>;
}

export interface SdkvxpGateway extends AxisGateway {
  /** The client used for an agency (getSentEdocList, directory calls…). */
  clientFor(agencyCode: string): SdkvxpClient;
}

export function sdkvxpGateway(options: SdkvxpGatewayOptions): SdkvxpGateway {
  if (options.systems.length === 0)
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "sdkvxp: no system configured" });
  const systems: SystemState[] = options.systems.map((config) => ({
    config,
    clients: new Map(
      config.agencyCodes.map((agencyCode) => [
        agencyCode,
        new SdkvxpClient({
          endpoint: options.endpoint,
          systemId: config.systemId,
          secret: config.secret,
          agencyCode,
          ...(options.agent ? { agent: options.agent } : {}),
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
          ...(options.retry ? { retry: options.retry } : {}),
          ...(options.now ? { now: options.now } : {}),
        }),
      ]),
    ),
    pending: { edoc: new Map(), status: new Map() },
  }));
  const seen = new Set<string>();
  for (const s of systems)
    for (const code of s.config.agencyCodes) {
      if ([...seen].some((c) => sameAgency(c, code)))
        throw new OfficeError("OFFICE_INVALID_INPUT", { problem: `sdkvxp: agency ${code} configured twice` });
      seen.add(code);
    }

  const systemOf = (agencyCode: string) => {
    for (const s of systems)
      for (const [code, client] of s.clients)
        if (sameAgency(code, agencyCode)) return { system: s, code, client };
    throw new OfficeError("OFFICE_INVALID_INPUT", {
      problem: `sdkvxp: agency ${agencyCode} is not bound to a system`,
    });
  };
  /** The configured code of the system's agency that `recipient` names, if any. */
  const localCode = (system: SystemState, recipient: string | undefined) =>
    recipient ? system.config.agencyCodes.find((c) => sameAgency(c, recipient)) : undefined;

  return {
    clientFor: (agencyCode) => systemOf(agencyCode).client,

    async send({ agencyCode, kind, to, bytes }) {
      const { client } = systemOf(agencyCode);
      const { docId } = await client.sendEdoc(bytes, { messageType: kind, to });
      return { id: docId };
    },

    async receive({ agencyCode, kind }) {
      const { system, code, client } = systemOf(agencyCode);
      const pending = system.pending[kind];
      // A fresh listing adds new packages; leased ones (already downloaded) stay in `pending`.
      for (const item of await client.getReceivedEdocList({ messageType: kind })) {
        const recipient = localCode(system, typeof item.to === "string" ? item.to : undefined);
        if (!recipient) continue;
        const entry = pending.get(item.docId) ?? { waiting: new Set<string>(), failed: false };
        entry.waiting.add(recipient);
        pending.set(item.docId, entry);
      }
      const out: AxisMessage[] = [];
      for (const [docId, entry] of pending) {
        if (!entry.waiting.has(code)) continue;
        entry.bytes ??= await client.getEdoc(docId);
        out.push({ id: docId, bytes: entry.bytes });
      }
      return out;
    },

    async acknowledge({ agencyCode, kind, id, outcome }) {
      const { system, code, client } = systemOf(agencyCode);
      const pending = system.pending[kind];
      const entry = pending.get(id);
      if (entry) {
        entry.waiting.delete(code);
        if (outcome === "fail") entry.failed = true;
        if (entry.waiting.size > 0) return;
        pending.delete(id);
      }
      await client.updateStatus(id, entry?.failed ? "fail" : outcome);
    },

    async directory({ agencyCode }): Promise<Organization[]> {
      const { client } = systemOf(agencyCode);
      return (await client.getAgenciesList())
        .filter((a) => typeof a.code === "string" && a.code.length > 0)
        .map((a) => ({ organId: a.code, organName: a.name ?? a.code }));
    },
  };
}
