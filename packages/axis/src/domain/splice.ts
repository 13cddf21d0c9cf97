/**
 * The forwarded copy of a package differs from the received bytes in two small places: this
 * hop's TraceHeader and the node's signature. Instead of storing a second copy of the whole
 * package, the axis stores those differences as splices over the received bytes (a few KB)
 * and rebuilds the forwarded bytes when it delivers or forwards them.
 */

export interface Splice {
  /** Offset in the received bytes where the change starts. */
  at: number;
  /** Received bytes replaced from `at`. */
  remove: number;
  insert: Buffer;
}

export function splicedSize(rawSize: number, splices: readonly Splice[]): number {
  return splices.reduce((n, s) => n + s.insert.length - s.remove, rawSize);
}

/** The pieces of the spliced bytes, in order: views into `raw` and the inserts. */
export function* splicedPieces(raw: Buffer, splices: readonly Splice[]): Generator<Buffer> {
  let at = 0;
  for (const s of splices) {
    yield raw.subarray(at, s.at);
    yield s.insert;
    at = s.at + s.remove;
  }
  yield raw.subarray(at);
}

export function applySplices(raw: Buffer, splices: readonly Splice[]): Buffer {
  return Buffer.concat([...splicedPieces(raw, splices)]);
}

/** Applies sorted, non-overlapping splices to a stream of the received bytes. */
export async function* spliceStream(
  source: AsyncIterable<Buffer>,
  splices: readonly Splice[],
): AsyncGenerator<Buffer> {
  let offset = 0;
  let next = 0;
  let skip = 0;
  for await (const chunk of source) {
    let pos = 0;
    while (pos < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - pos);
        skip -= n;
        pos += n;
        continue;
      }
      const splice = splices[next];
      const here = offset + pos;
      if (splice && splice.at === here) {
        if (splice.insert.length) yield splice.insert;
        skip = splice.remove;
        next++;
        continue;
      }
      const until = splice ? Math.min(chunk.length, pos + (splice.at - here)) : chunk.length;
      yield chunk.subarray(pos, until);
      pos = until;
    }
    offset += chunk.length;
  }
  for (; next < splices.length; next++) {
    if (splices[next]!.at === offset && splices[next]!.insert.length) yield splices[next]!.insert;
  }
}

export function encodeSplices(splices: readonly Splice[]): string {
  return JSON.stringify(splices.map((s) => [s.at, s.remove, s.insert.toString("base64")]));
}

export function decodeSplices(text: string): Splice[] {
  return (JSON.parse(text) as [number, number, string][]).map(([at, remove, b64]) => ({
    at,
    remove,
    insert: Buffer.from(b64, "base64"),
  }));
}
