import type { Readable } from "node:stream";
import type { EvidenceAnchor } from "../domain/evidence-anchor.ts";
import type { AgencyRow } from "../repositories/directory-repository.ts";

/** How this node talks to its neighbours (mutual TLS in production; tests may substitute). */
export interface PeerTransport {
  sendPackage(
    nodeId: string,
    pkg: { packageId: string; kind: "edoc" | "status"; originSignature: string; body: PeerBody },
  ): Promise<{ packageId: string; duplicate: boolean }>;
  fetchDirectory(
    nodeId: string,
    since: number,
  ): Promise<{ rows: AgencyRow[]; cursor: number; more: boolean }>;
  /** Publishes this node's latest evidence seal to its parent; answers with the seal the parent holds. */
  publishSeal(nodeId: string, anchor: EvidenceAnchor): Promise<{ held: EvidenceAnchor; stored: boolean }>;
  /** The latest seal of this node that the parent holds (null: none yet). */
  fetchHeldSeal(nodeId: string): Promise<EvidenceAnchor | null>;
  close(): void;
}

/** A package for a neighbour: in memory, or opened as a stream for each attempt (large ones). */
export type PeerBody = Buffer | { size: number; open(): Promise<Readable> };
