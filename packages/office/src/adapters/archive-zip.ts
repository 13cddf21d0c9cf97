/**
 * Archive packages (gói lưu trữ) as ZIP files (fflate): every entry is listed in
 * `manifest.json` with its size and SHA-256, so anyone can check the package with
 * `verifyArchive` (or `unzip` + `sha256sum`) without trusting the office that produced it.
 */
import { createHash } from "node:crypto";
import { unzipSync, zipSync } from "fflate";

export const MANIFEST = "manifest.json";
export const ARCHIVE_FORMAT = "truc-archive/1";

export interface ManifestEntry {
  path: string;
  size: number;
  sha256: string;
}

export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  createdAt: string;
  agency: { code: string; name: string };
  subject: { kind: "case-file" | "document"; id: string; direction?: "incoming" | "outgoing" };
  algorithm: "SHA-256";
  files: ManifestEntry[];
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A safe entry name: no directories climbing out, no control or reserved characters. */
export function safeName(name: string, fallback = "tep"): string {
  const cleaned = name
    .normalize("NFC")
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, "_")
    .replace(/^\.+/, "")
    .trim()
    .slice(0, 120);
  return cleaned.length > 0 ? cleaned : fallback;
}

export function buildArchive(input: {
  entries: ReadonlyMap<string, Uint8Array>;
  createdAt: Date;
  agency: ArchiveManifest["agency"];
  subject: ArchiveManifest["subject"];
}): { zip: Buffer; manifest: ArchiveManifest } {
  const paths = [...input.entries.keys()].sort();
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    createdAt: input.createdAt.toISOString(),
    agency: input.agency,
    subject: input.subject,
    algorithm: "SHA-256",
    files: paths.map((path) => {
      const bytes = input.entries.get(path)!;
      return { path, size: bytes.length, sha256: sha256(bytes) };
    }),
  };
  const mtime = input.createdAt;
  const files: Record<string, [Uint8Array, { mtime: Date; level: 0 | 6 }]> = {};
  files[MANIFEST] = [Buffer.from(JSON.stringify(manifest, null, 2)), { mtime, level: 6 }];
  for (const path of paths) {
    // PDFs and packages are already compressed or small; store PDFs as they are.
    const level = path.toLowerCase().endsWith(".pdf") ? 0 : 6;
    files[path] = [input.entries.get(path)!, { mtime, level }];
  }
  return { zip: Buffer.from(zipSync(files)), manifest };
}

export interface ArchiveCheck {
  ok: boolean;
  manifest: ArchiveManifest | null;
  /** Listed, present, digest or size differs. */
  mismatched: string[];
  /** Listed but absent. */
  missing: string[];
  /** Present but not listed. */
  unlisted: string[];
  problem?: string;
}

/** Recomputes every digest of an archive package and compares it with the manifest. */
export function verifyArchive(zip: Uint8Array): ArchiveCheck {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch {
    return {
      ok: false,
      manifest: null,
      mismatched: [],
      missing: [],
      unlisted: [],
      problem: "not a ZIP file",
    };
  }
  const rawManifest = entries[MANIFEST];
  let manifest: ArchiveManifest | null = null;
  try {
    manifest = rawManifest
      ? (JSON.parse(Buffer.from(rawManifest).toString("utf8")) as ArchiveManifest)
      : null;
  } catch {
    manifest = null;
  }
  if (!manifest || manifest.format !== ARCHIVE_FORMAT || !Array.isArray(manifest.files))
    return {
      ok: false,
      manifest: null,
      mismatched: [],
      missing: [],
      unlisted: [],
      problem: "no valid manifest",
    };
  const listed = new Set<string>();
  const mismatched: string[] = [];
  const missing: string[] = [];
  for (const f of manifest.files) {
    listed.add(f.path);
    const bytes = Object.hasOwn(entries, f.path) ? entries[f.path] : undefined;
    if (!bytes) missing.push(f.path);
    else if (bytes.length !== f.size || sha256(bytes) !== f.sha256) mismatched.push(f.path);
  }
  const unlisted = Object.keys(entries).filter((p) => p !== MANIFEST && !listed.has(p) && !p.endsWith("/"));
  return {
    ok: mismatched.length === 0 && missing.length === 0 && unlisted.length === 0,
    manifest,
    mismatched,
    missing,
    unlisted,
  };
}
