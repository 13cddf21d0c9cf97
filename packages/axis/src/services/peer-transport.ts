import type { AgencyRow } from "../repositories/directory-repository.ts";

/** How this node talks to its neighbours (mutual TLS in production; tests may substitute). */
export interface PeerTransport {
  sendPackage(
    nodeId: string,
    pkg: { packageId: string; kind: "edoc" | "status"; originSignature: string; body: Buffer },
  ): Promise<{ packageId: string; duplicate: boolean }>;
  fetchDirectory(
    nodeId: string,
    since: number,
  ): Promise<{ rows: AgencyRow[]; cursor: number; more: boolean }>;
  close(): void;
}
