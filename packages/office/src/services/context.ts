/**
 * What every service receives: the database, the blob store and the ports, plus the acting
 * user. `runCommand` is the Outline-style command: the change and its audit row commit in one
 * transaction, or neither does.
 */
import type { OcrService } from "@truc/ocr";
import type { BlobStore, Database } from "@truc/store";
import { type Action, authorise, type Role } from "../domain/access.ts";
import type {
  AxisGateway,
  Clock,
  DocumentConverter,
  DocumentSigner,
  PackageCodec,
  SignatureValidator,
} from "../ports.ts";
import { appendAudit } from "../repositories/audit.ts";
import type { Tx } from "../repositories/rows.ts";

export interface OfficeDeps {
  db: Database;
  blobs: BlobStore;
  clock: Clock;
  codec: PackageCodec;
  gateway: AxisGateway;
  signer: DocumentSigner;
  validator: SignatureValidator;
  converter: DocumentConverter;
  /** Background OCR of paper scans (@truc/ocr); absent: scans are refused with OFFICE_OCR_UNAVAILABLE. */
  ocr?: OcrService;
}

/** The signed-in user a service acts for. Tenant isolation starts here: `agencyId` scopes every query. */
export interface Actor {
  userId: string;
  agencyId: string;
  agencyCode: string;
  roles: readonly Role[];
}

/** The receive loop and other background work act as the system within one agency. */
export interface SystemActor {
  userId: null;
  agencyId: string;
  agencyCode: string;
}

export interface CommandNote {
  entityId: string | null;
  details?: Record<string, unknown>;
}

export async function runCommand<T>(
  deps: OfficeDeps,
  input: {
    actor: { userId: string | null; agencyId: string; agencyCode: string; roles?: readonly Role[] };
    action: string;
    entity: string;
    permission?: Action;
  },
  fn: (tx: Tx, at: Date) => Promise<{ result: T; note: CommandNote }>,
): Promise<T> {
  if (input.permission) authorise(input.actor.roles ?? [], input.permission);
  const at = deps.clock.now();
  return deps.db.transaction(async (trx) => {
    const tx = trx as unknown as Tx;
    const { result, note } = await fn(tx, at);
    await appendAudit(tx, {
      agencyId: input.actor.agencyId,
      userId: input.actor.userId,
      action: input.action,
      entity: input.entity,
      entityId: note.entityId,
      ...(note.details ? { details: note.details } : {}),
      at,
    });
    return result;
  });
}

/** Read-only work in the agency's scope (no audit row). */
export async function read<T>(deps: OfficeDeps, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return fn(deps.db.kysely as unknown as Tx);
}
