/**
 * Adds or updates an agency served by this node (SDKVXP `registerAgency`, operator tools).
 * Agencies served elsewhere arrive only through directory sync.
 */
import { agencyCodeForm, levelOfCode, normaliseAgencyCode } from "../domain/agency.ts";
import { AxisError } from "../errors.ts";
import { type AgencyRow, findAgency, upsertAgency } from "../repositories/directory-repository.ts";
import { appendEvidence } from "../repositories/evidence-repository.ts";
import { callerAgencies } from "./caller-agencies.ts";
import type { Caller, NodeContext } from "./ports.ts";

export interface RegisterAgencyInput {
  caller: Caller;
  code: string;
  code102?: string | null;
  name: string;
  parentCode?: string | null;
  level?: number;
  email?: string | null;
  phone?: string | null;
  fax?: string | null;
  state?: "active" | "suspended";
  signaturePolicy?: "require" | "verify-if-present" | "off" | null;
  maxBytes?: number | null;
}

async function assertMayManage(
  ctx: NodeContext,
  caller: Caller,
  code: string,
  parentCode: string | null,
): Promise<void> {
  if (caller.type === "operator") return;
  if (caller.type !== "agency") throw new AxisError("AXIS_FORBIDDEN");
  const own = await callerAgencies(ctx, caller);
  // A connected system manages its own agency and the units under it.
  if (own.includes(code) || (parentCode !== null && own.includes(parentCode))) return;
  throw new AxisError("AXIS_FORBIDDEN");
}

export async function registerAgency(ctx: NodeContext, input: RegisterAgencyInput): Promise<AgencyRow> {
  const code = normaliseAgencyCode(input.code);
  if (agencyCodeForm(code) !== "qd20" && agencyCodeForm(code) !== "qcvn102")
    throw new AxisError("AXIS_AGENCY_CODE_INVALID", { code });
  const code102 = input.code102 ? normaliseAgencyCode(input.code102) : null;
  if (code102 && agencyCodeForm(code102) !== "qcvn102")
    throw new AxisError("AXIS_AGENCY_CODE_INVALID", { code: code102 });
  const parentCode = input.parentCode ? normaliseAgencyCode(input.parentCode) : null;
  await assertMayManage(ctx, input.caller, code, parentCode);
  const existing = await findAgency(ctx.db.kysely, code);
  if (existing && existing.deleted === 0 && existing.serving_node !== ctx.config.nodeId) {
    throw new AxisError("AXIS_AGENCY_NOT_LOCAL", { code });
  }
  const now = ctx.clock.now();
  return ctx.db.transaction(async (trx) => {
    const row = await upsertAgency(
      trx,
      {
        code,
        code102,
        name: input.name.normalize("NFC"),
        parent_code: parentCode,
        level: input.level ?? levelOfCode(code),
        serving_node: ctx.config.nodeId,
        via_node: null,
        email: input.email ?? null,
        phone: input.phone ?? null,
        fax: input.fax ?? null,
        state: input.state ?? "active",
        edxml_version: "QCVN102:2016",
        max_bytes: input.maxBytes ?? null,
        signature_policy: input.signaturePolicy ?? null,
      },
      now.getTime(),
    );
    await appendEvidence(trx, ctx.db.dialect, {
      at: now,
      kind: "directory",
      nodeId: ctx.config.nodeId,
      packageId: null,
      actor:
        input.caller.type === "agency"
          ? input.caller.id
          : input.caller.type === "operator"
            ? input.caller.id
            : null,
      details: { op: "register", code, code102, version: row.version },
    });
    return row;
  });
}

export async function deleteAgency(ctx: NodeContext, input: { caller: Caller; code: string }): Promise<void> {
  const existing = await findAgency(ctx.db.kysely, normaliseAgencyCode(input.code));
  if (!existing || existing.deleted === 1) throw new AxisError("AXIS_AGENCY_NOT_FOUND", { code: input.code });
  if (existing.serving_node !== ctx.config.nodeId)
    throw new AxisError("AXIS_AGENCY_NOT_LOCAL", { code: input.code });
  await assertMayManage(ctx, input.caller, existing.code, existing.parent_code);
  const now = ctx.clock.now();
  await ctx.db.transaction(async (trx) => {
    const { version: _v, modified_at: _m, ...rest } = existing;
    const row = await upsertAgency(trx, { ...rest, deleted: 1 }, now.getTime());
    await appendEvidence(trx, ctx.db.dialect, {
      at: now,
      kind: "directory",
      nodeId: ctx.config.nodeId,
      packageId: null,
      actor: input.caller.type === "agency" ? input.caller.id : null,
      details: { op: "delete", code: existing.code, version: row.version },
    });
  });
}
