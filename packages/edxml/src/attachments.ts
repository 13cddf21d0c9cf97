/**
 * Attachment storage during parsing (sinks) and the VNPT ZIP rule of spec §2.5.
 * Attachment names come from the sender: they are never used as paths.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { unzipSync, zipSync } from "fflate";
import { EdxmlError } from "./errors.ts";

export interface AttachmentSink {
  begin(meta: { contentId: string; name: string; contentType: string; index: number }): AttachmentWriter;
}

export interface AttachmentWriter {
  write(chunk: Buffer): void | Promise<void>;
  finish(): Promise<{ sha256: string; size: number; ref: string }>;
  abort(): Promise<void>;
}

export interface MemorySink extends AttachmentSink {
  /** Stored content by ref. */
  get(ref: string): Buffer | undefined;
}

/** Keeps attachments in memory (tests, small packages). Refs are `mem:<index>:<sha256>`. */
export function memorySink(): MemorySink {
  const store = new Map<string, Buffer>();
  return {
    get: (ref) => store.get(ref),
    begin(meta) {
      const parts: Buffer[] = [];
      const hash = createHash("sha256");
      let size = 0;
      return {
        write(chunk) {
          parts.push(Buffer.from(chunk));
          hash.update(chunk);
          size += chunk.length;
        },
        async finish() {
          const sha256 = hash.digest("hex");
          const ref = `mem:${meta.index}:${sha256}`;
          store.set(ref, Buffer.concat(parts));
          return { sha256, size, ref };
        },
        async abort() {
          parts.length = 0;
        },
      };
    },
  };
}

/** Hashes attachments without keeping them (their bytes stay in the package). Refs are `sha256:<hex>`. */
export function hashOnlySink(): AttachmentSink {
  return {
    begin() {
      const hash = createHash("sha256");
      let size = 0;
      return {
        write(chunk) {
          hash.update(chunk);
          size += chunk.length;
        },
        async finish() {
          const sha256 = hash.digest("hex");
          return { sha256, size, ref: `sha256:${sha256}` };
        },
        async abort() {},
      };
    },
  };
}

/**
 * Writes each attachment to `<dir>/<random>.part`, fsyncs it, renames it to `<dir>/<sha256>`
 * (content-addressed) and fsyncs the directory. The ref is the final absolute path.
 */
export function fileSink(dir: string): AttachmentSink {
  let ready: Promise<unknown> | null = null;
  return {
    begin() {
      ready ??= mkdir(dir, { recursive: true });
      const temp = join(dir, `${randomUUID()}.part`);
      const hash = createHash("sha256");
      let size = 0;
      const handle = ready.then(() => open(temp, "wx", 0o600));
      handle.catch(() => undefined);
      return {
        async write(chunk) {
          const fh = await handle;
          hash.update(chunk);
          size += chunk.length;
          let offset = 0;
          while (offset < chunk.length) {
            const { bytesWritten } = await fh.write(chunk, offset, chunk.length - offset);
            offset += bytesWritten;
          }
        },
        async finish() {
          const fh = await handle;
          await fh.sync();
          await fh.close();
          const sha256 = hash.digest("hex");
          const ref = join(dir, sha256);
          await rename(temp, ref);
          const d = await open(dir, "r");
          try {
            await d.sync();
          } finally {
            await d.close();
          }
          return { sha256, size, ref };
        },
        async abort() {
          try {
            await (await handle).close();
          } catch {
            // already closed or never opened
          }
          await rm(temp, { force: true });
        },
      };
    },
  };
}

// ---------------------------------------------------------------- VNPT ZIP rule (spec §2.5)

const SENT_RAW: Record<string, string> = {
  pdf: "application/pdf",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  zip: "application/zip",
};

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot === -1 ? "" : name.slice(dot + 1).toLowerCase();
}

export interface PreparedAttachment {
  name: string;
  contentType: string;
  content: Buffer;
  /** True when the file was wrapped in a ZIP. */
  wrapped: boolean;
}

/**
 * pdf/doc/docx/xls/xlsx/zip are sent raw with their content type; any other file is wrapped in a
 * ZIP holding one entry named `<uuid>.<ext>` and sent as application/zip under its original name.
 */
export function wrapAttachment(
  file: { name: string; content: Buffer },
  options: { entryName?: string; mtime?: Date } = {},
): PreparedAttachment {
  const ext = extensionOf(file.name);
  const raw = SENT_RAW[ext];
  if (raw) return { name: file.name, contentType: raw, content: file.content, wrapped: false };
  const entry = options.entryName ?? `${randomUUID()}${ext ? `.${ext}` : ""}`;
  const zipped = zipSync(
    {
      [entry]: [
        new Uint8Array(file.content.buffer, file.content.byteOffset, file.content.length),
        { level: 6 },
      ],
    },
    { mtime: options.mtime ?? new Date("2000-01-01T00:00:00Z") },
  );
  return { name: file.name, contentType: "application/zip", content: Buffer.from(zipped), wrapped: true };
}

/**
 * Reverse of `wrapAttachment`: when the content type is application/zip and the name is not
 * `.zip`, returns the single entry's bytes. Refuses archives with several entries or whose
 * declared or actual size exceeds `maxBytes` (zip bombs).
 */
export function unwrapAttachment(
  file: { name: string; contentType: string; content: Buffer },
  options: { maxBytes?: number } = {},
): { name: string; content: Buffer; unwrapped: boolean } {
  const isZip = file.contentType.trim().toLowerCase() === "application/zip";
  if (!isZip || extensionOf(file.name) === "zip")
    return { name: file.name, content: file.content, unwrapped: false };
  const max = options.maxBytes ?? 512 * 1024 * 1024;
  let entries: Record<string, Uint8Array>;
  let declared = 0;
  try {
    entries = unzipSync(file.content, {
      filter: (f) => {
        declared += f.originalSize;
        if (declared > max)
          throw new EdxmlError("EDXML_ATTACHMENT_ZIP", { reason: `more than ${max} bytes` });
        return true;
      },
    });
  } catch (error) {
    if (error instanceof EdxmlError) throw error;
    throw new EdxmlError("EDXML_ATTACHMENT_ZIP", { reason: (error as Error).message }, { cause: error });
  }
  const names = Object.keys(entries).filter((n) => !n.endsWith("/"));
  if (names.length !== 1)
    throw new EdxmlError("EDXML_ATTACHMENT_ZIP", { reason: `${names.length} entries, expected 1` });
  const content = entries[names[0]!]!;
  if (content.length > max)
    throw new EdxmlError("EDXML_ATTACHMENT_ZIP", { reason: `more than ${max} bytes` });
  return {
    name: file.name,
    content: Buffer.from(content.buffer, content.byteOffset, content.length),
    unwrapped: true,
  };
}
