/**
 * The bytes of a stored package: as received (in the database, the body log or the blob store)
 * and as forwarded (the received bytes with this node's splices applied).
 */
import { Readable } from "node:stream";
import { applySplices, decodeSplices, spliceStream } from "../domain/splice.ts";
import { AxisError } from "../errors.ts";
import { readBody } from "../repositories/intake-repository.ts";
import type { PackageRow } from "../repositories/package-repository.ts";
import { RAW_PLACE } from "../repositories/schema.ts";
import type { PeerBody } from "./peer-transport.ts";
import type { NodeContext } from "./ports.ts";

/** A package whose bytes the retention policy dropped (see purge-bodies) has only its row left. */
function assertKept(ctx: NodeContext, pkg: PackageRow): void {
  if (pkg.raw_inline === RAW_PLACE.purged)
    throw new AxisError("AXIS_PACKAGE_PURGED", {
      docId: pkg.id,
      days: String(ctx.config.storage.bodyRetentionDays ?? "?"),
    });
}

export async function receivedBytes(ctx: NodeContext, pkg: PackageRow): Promise<Buffer> {
  assertKept(ctx, pkg);
  if (pkg.raw_inline === RAW_PLACE.database) {
    const body = await readBody(ctx.db.kysely, pkg.raw_sha256);
    if (!body) throw new AxisError("AXIS_PACKAGE_NOT_FOUND", { docId: pkg.id });
    return body;
  }
  if (pkg.raw_inline === RAW_PLACE.bodyLog) {
    if (!ctx.bodyLog || pkg.raw_log_segment === null || pkg.raw_log_offset === null)
      throw new AxisError("AXIS_PACKAGE_NOT_FOUND", { docId: pkg.id });
    const at = { segment: pkg.raw_log_segment, offset: pkg.raw_log_offset, length: Number(pkg.raw_size) };
    return ctx.bodyLog.read(at, pkg.raw_sha256);
  }
  return ctx.blobs.read(pkg.raw_sha256);
}

/** Received bytes kept whole in memory when read (database row or body log record). */
const isInline = (pkg: PackageRow) => pkg.raw_inline !== RAW_PLACE.blobStore;

export async function forwardedBytes(ctx: NodeContext, pkg: PackageRow): Promise<Buffer> {
  assertKept(ctx, pkg);
  if (pkg.fwd_splices === null) return ctx.blobs.read(pkg.fwd_sha256);
  return applySplices(await receivedBytes(ctx, pkg), decodeSplices(pkg.fwd_splices));
}

/** Streams large blob-stored packages instead of reading them whole. */
export async function forwardedStream(ctx: NodeContext, pkg: PackageRow): Promise<Readable> {
  assertKept(ctx, pkg);
  if (pkg.fwd_splices === null) return ctx.blobs.get(pkg.fwd_sha256);
  if (isInline(pkg)) return Readable.from([await forwardedBytes(ctx, pkg)]);
  const splices = decodeSplices(pkg.fwd_splices);
  const source = await ctx.blobs.get(pkg.raw_sha256);
  return Readable.from(spliceStream(source as AsyncIterable<Buffer>, splices));
}

/** Above this, a package goes to a neighbour as a stream rather than a Buffer. */
const STREAM_TO_PEER_BYTES = 8 * 1024 * 1024;

/** The forwarded package as a neighbour receives it: in memory when small, else streamed. */
export async function forwardedBody(ctx: NodeContext, pkg: PackageRow): Promise<PeerBody> {
  if (isInline(pkg) || Number(pkg.fwd_size) <= STREAM_TO_PEER_BYTES) return forwardedBytes(ctx, pkg);
  return { size: Number(pkg.fwd_size), open: () => forwardedStream(ctx, pkg) };
}
