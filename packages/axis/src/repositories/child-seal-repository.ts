/**
 * Parent side of evidence anchoring: the latest seal each child node published here. One row
 * per child; a row only moves forward (a higher sealed sequence number), in one statement, so
 * concurrent publications cannot move it back.
 */
import type { Db } from "./directory-repository.ts";
import type { AxisDatabase } from "./schema.ts";

export type ChildSealRow = AxisDatabase["axis_child_evidence_seals"];

export async function heldChildSeal(db: Db, nodeId: string): Promise<ChildSealRow | undefined> {
  const row = await db
    .selectFrom("axis_child_evidence_seals")
    .selectAll()
    .where("node_id", "=", nodeId)
    .executeTakeFirst();
  return row ? { ...row, seq: Number(row.seq), received_at: Number(row.received_at) } : undefined;
}

/** Stores the seal unless the one held for that child is at the same or a later record. */
export async function holdChildSealRow(db: Db, row: ChildSealRow): Promise<void> {
  await db
    .insertInto("axis_child_evidence_seals")
    .values(row)
    .onConflict((oc) =>
      oc
        .column("node_id")
        .doUpdateSet((eb) => ({
          seq: eb.ref("excluded.seq"),
          hash: eb.ref("excluded.hash"),
          anchor: eb.ref("excluded.anchor"),
          received_at: eb.ref("excluded.received_at"),
        }))
        .where("axis_child_evidence_seals.seq", "<", (eb) => eb.ref("excluded.seq")),
    )
    .execute();
}

export async function listChildSeals(db: Db): Promise<ChildSealRow[]> {
  const rows = await db.selectFrom("axis_child_evidence_seals").selectAll().orderBy("node_id").execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), received_at: Number(r.received_at) }));
}
