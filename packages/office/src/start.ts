/**
 * Starts an office deployment: opens the database and blob store, applies migrations, serves
 * the HTTP API, and runs the receive/send loop every `pollMs`. Used by the CLI demo.
 */
import { join } from "node:path";
import { createOcrService, type OcrService } from "@truc/ocr";
import { type Database, type DatabaseConfig, migrate, openBlobStore, openDatabase } from "@truc/store";
import { libreofficeConverter } from "./adapters/libreoffice.ts";
import { buildOfficeApp, type HttpOptions } from "./http/app.ts";
import {
  type AxisGateway,
  type Clock,
  type DocumentConverter,
  type DocumentSigner,
  type PackageCodec,
  type SignatureValidator,
  systemClock,
} from "./ports.ts";
import { OFFICE_MIGRATIONS } from "./repositories/migrations.ts";
import type { OfficeDeps } from "./services/context.ts";
import { flushOutbox } from "./services/flush-outbox.ts";
import { receiveAll } from "./services/receive-messages.ts";

export interface OfficeConfig {
  database: DatabaseConfig;
  /** Directory of the blob store (files and packages). */
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  gateway: AxisGateway;
  codec: PackageCodec;
  signer: DocumentSigner;
  validator: SignatureValidator;
  converter?: DocumentConverter;
  /** OCR of paper scans; default a @truc/ocr service (one document at a time); null disables scans. */
  ocr?: OcrService | null;
  clock?: Clock;
  /** Receive/send loop period; 0 disables the loop (default 5000 ms). */
  pollMs?: number;
  http?: HttpOptions;
}

export interface RunningOffice {
  url: string;
  deps: OfficeDeps;
  /** One receive + send pass now (the loop does the same periodically). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export async function startOffice(config: OfficeConfig): Promise<RunningOffice> {
  const db: Database = await openDatabase(config.database);
  try {
    await migrate(db, OFFICE_MIGRATIONS);
    const deps: OfficeDeps = {
      db,
      blobs: await openBlobStore(join(config.dataDir, "office-blobs")),
      clock: config.clock ?? systemClock,
      codec: config.codec,
      gateway: config.gateway,
      signer: config.signer,
      validator: config.validator,
      converter: config.converter ?? libreofficeConverter(),
    };
    // Worker threads start on the first scan only, so an office that never scans pays nothing.
    const ocr = config.ocr === undefined ? createOcrService({ maxConcurrent: 1 }) : config.ocr;
    if (ocr) deps.ocr = ocr;
    const app = buildOfficeApp(deps, config.http);
    const url = await app.listen({ host: config.host ?? "127.0.0.1", port: config.port ?? 0 });
    let running: Promise<void> | null = null;
    const sync = async () => {
      // Never two passes at once; a failing axis is retried on the next tick.
      if (running) return running;
      running = (async () => {
        try {
          await receiveAll(deps);
        } finally {
          await flushOutbox(deps);
        }
      })().finally(() => {
        running = null;
      });
      return running;
    };
    const pollMs = config.pollMs ?? 5000;
    const timer = pollMs > 0 ? setInterval(() => void sync().catch(() => undefined), pollMs) : null;
    timer?.unref();
    return {
      url,
      deps,
      sync,
      async close() {
        if (timer) clearInterval(timer);
        await running?.catch(() => undefined);
        await app.close();
        await ocr?.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
