/**
 * Starts the demo's office (QLVB&ĐH) deployments, each connected to its LGSP node over the
 * SDKVXP-compatible API, with real PAdES signing (leader, then organisation seal) and real
 * signature validation against the demo CA (revocation by OCSP, time-stamps by the demo TSA).
 */
import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { join } from "node:path";
import {
  edxmlCodec,
  memoryKeyring,
  pdfSigner,
  pdfValidator,
  provisionAgency,
  type RunningOffice,
  type SigningKey,
  sdkvxpGateway,
  startOffice,
} from "@truc/office";
import { HttpTimestampAuthority } from "@truc/pdfsign";
import { OfficeSession } from "./office-session.ts";
import type { DemoPki } from "./pki.ts";
import type { DemoState } from "./state.ts";
import { agencyByCode, DEMO_OFFICES, DEMO_ROLES, type DemoOffice, leaderPosition } from "./topology.ts";

const ASSETS = new URL("../../../pdfsign/assets/", import.meta.url);

export interface DemoOfficeRuntime {
  office: DemoOffice;
  running: RunningOffice;
  url: string;
}

/** Login name of a demo user: role + agency code, unique within a deployment. */
export const demoUsername = (username: string, agencyCode: string) =>
  `${username}.${agencyCode.toLowerCase()}`;

export async function startOffices(o: {
  dataDir: string;
  state: DemoState;
  pki: DemoPki;
  pkiUrl: string;
  host: string;
  portBase: number;
  nodeUrl(nodeId: string): string;
  onProgress(message: string): void;
}): Promise<DemoOfficeRuntime[]> {
  const signatureImage = new Uint8Array(readFileSync(new URL("signature-blue.png", ASSETS)));
  const sealImage = new Uint8Array(readFileSync(new URL("seal-red.png", ASSETS)));
  const trust = {
    trustAnchors: [o.pki.ca.rootCertificate],
    intermediates: [o.pki.ca.issuingCertificate],
    revocation: { ocspUrl: `${o.pkiUrl}/ocsp` },
  };
  const tsa = new HttpTimestampAuthority(`${o.pkiUrl}/tsa`);

  const started: DemoOfficeRuntime[] = [];
  try {
    for (const office of DEMO_OFFICES) {
      o.onProgress(`office ${office.id} (${office.name})`);
      const organisations: Record<string, SigningKey> = {};
      const people: Record<string, Record<string, SigningKey>> = {};
      for (const code of office.agencyCodes) {
        const agency = agencyByCode(code);
        organisations[code] = {
          signer: await o.pki.signer(
            code,
            "organisation-outgoing",
            `C=VN, L=${agency.place}, CN=${agency.name.toUpperCase()}`,
          ),
          image: sealImage,
        };
        const leader = DEMO_ROLES.find((r) => r.role === "lanh_dao")!;
        people[code] = {
          [demoUsername(leader.username, code)]: {
            signer: await o.pki.signer(
              `${code}/${leader.username}`,
              "personal-leader",
              `C=VN, L=${agency.place}, O=${agency.name}, CN=${leader.fullName}`,
            ),
            image: signatureImage,
          },
        };
      }
      const identity = await o.pki.tls(office.id);
      const agent = new Agent({
        ca: o.pki.caPems,
        cert: identity.certPem,
        key: identity.keyPem,
        keepAlive: true,
      });
      const url = `http://${o.host}:${o.portBase + office.portOffset}`;
      const dataDir = join(o.dataDir, "offices", office.id);
      const running = await startOffice({
        database: { kind: "sqlite", path: join(dataDir, "office.sqlite") },
        dataDir,
        host: o.host,
        port: o.portBase + office.portOffset,
        gateway: sdkvxpGateway({
          endpoint: o.nodeUrl(office.nodeId),
          systems: [
            {
              systemId: office.id,
              secret: o.state.systemSecrets[office.id]!,
              agencyCodes: office.agencyCodes,
            },
          ],
          agent,
        }),
        codec: edxmlCodec,
        signer: pdfSigner({ keyring: memoryKeyring({ organisations, people }), level: "B-T", tsa }),
        validator: pdfValidator({ trust }),
        pollMs: 2000,
        // The office relays its node's public statistics, so /thong-ke works on the office's address.
        http: { origin: url, statistics: { nodeUrl: o.nodeUrl(office.nodeId), agent } },
      });
      started.push({ office, running, url });
    }
    if (!o.state.seeded.offices) {
      for (const { office, running, url } of started) await provisionOffice(office, running, url, o.state);
      o.state.seeded.offices = true;
    }
  } catch (error) {
    await Promise.allSettled(started.map((s) => s.running.close()));
    throw error;
  }
  return started;
}

async function provisionOffice(office: DemoOffice, running: RunningOffice, url: string, state: DemoState) {
  const admin = DEMO_ROLES.find((r) => r.role === "quan_tri")!;
  for (const code of office.agencyCodes) {
    const agency = agencyByCode(code);
    await provisionAgency(running.deps, {
      code,
      name: agency.name,
      abbreviation: agency.abbreviation,
      place: agency.place,
      ...(agency.parentCode ? { parentName: agencyByCode(agency.parentCode).name } : {}),
      admin: {
        username: demoUsername(admin.username, code),
        fullName: admin.fullName,
        password: state.userPassword,
      },
    });
    const session = await OfficeSession.login(url, demoUsername(admin.username, code), state.userPassword);
    for (const person of DEMO_ROLES.filter((r) => r.role !== "quan_tri")) {
      await session.call("POST", "/api/users", {
        username: demoUsername(person.username, code),
        fullName: person.fullName,
        position: person.role === "lanh_dao" ? leaderPosition(code) : person.position,
        password: state.userPassword,
        roles: [person.role],
        // The leader is the head of the agency, so signs in own name (no KT./TL. delegation).
        ...(person.role === "lanh_dao" ? { isHead: true } : {}),
      });
    }
  }
}
