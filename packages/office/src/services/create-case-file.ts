/** Open a case file (hồ sơ) of the year's file list, with its Phụ lục VI descriptive metadata. */
import { randomUUID } from "node:crypto";
import { vietnamYear } from "@truc/common";
import { checkRetentionYears, FILE_NOTATION, metadataText } from "../domain/case-files.ts";
import { OfficeError } from "../errors.ts";
import { findCaseFileByCode, insertCaseFile } from "../repositories/case-files.ts";
import { findUser } from "../repositories/people.ts";
import type { CaseFileRow } from "../repositories/rows.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";

export interface CreateCaseFileInput {
  fileNotation: string;
  /** FileCatalog (year of the file list); default the current year. */
  year?: number;
  title: string;
  /** null: Vĩnh viễn. */
  retentionYears: number | null;
  rights?: string;
  language?: string;
  description?: string;
  /** Creator (người lập hồ sơ); default the user's full name. */
  creator?: string;
}

export async function createCaseFile(deps: OfficeDeps, actor: Actor, input: CreateCaseFileInput) {
  return runCommand(
    deps,
    { actor, action: "casefile.create", entity: "casefile", permission: "casefile.manage" },
    async (tx, at) => {
      const notation = input.fileNotation.trim();
      if (!FILE_NOTATION.test(notation))
        throw new OfficeError("OFFICE_INVALID_INPUT", {
          problem: "fileNotation (letters, digits, . and -, ≤ 20)",
        });
      checkRetentionYears(input.retentionYears);
      const year = input.year ?? vietnamYear(at);
      if (await findCaseFileByCode(tx, actor.agencyId, year, notation))
        throw new OfficeError("OFFICE_DUPLICATE", { what: `case file ${year}/${notation}` });
      const user = await findUser(tx, actor.agencyId, actor.userId);
      const row: CaseFileRow = {
        id: randomUUID(),
        agency_id: actor.agencyId,
        file_catalog: year,
        file_notation: notation,
        title: metadataText(input.title, 500, "title"),
        retention_years: input.retentionYears,
        rights: metadataText(input.rights, 30, "rights", "Hạn chế"),
        creator: metadataText(input.creator, 30, "creator", user?.full_name ?? ""),
        language: metadataText(input.language, 50, "language", "Tiếng Việt"),
        description: input.description ? metadataText(input.description, 500, "description") : null,
        state: "open",
        closed_at: null,
        retention_expires_on: null,
        created_by: actor.userId,
        created_at: at.toISOString(),
        updated_at: at.toISOString(),
      };
      await insertCaseFile(tx, row);
      return { result: row, note: { entityId: row.id, details: { year, fileNotation: notation } } };
    },
  );
}
