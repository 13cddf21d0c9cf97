/**
 * Child process for the append log's kill -9 test: appends records, many at a time (so that
 * they share flushes), and prints `ack <segment> <offset> <length> <sha256>` for each only
 * after its append has resolved. The parent kills it at a random moment.
 * Usage: append-log-child.ts <log dir>
 */
import { createHash, randomBytes } from "node:crypto";
import { openAppendLog } from "../../src/index.ts";

const log = await openAppendLog(process.argv[2]!, { segmentBytes: 256 * 1024 });
const appendOne = async (i: number) => {
  const content = randomBytes(1_000 + (i % 13) * 997);
  const sha = createHash("sha256").update(content).digest("hex");
  const at = await log.append(sha, content);
  // stdout to a pipe is synchronous on Linux: once this returns the parent can read it.
  process.stdout.write(`ack ${at.segment} ${at.offset} ${at.length} ${sha}\n`);
};
for (let round = 0; ; round++) {
  await Promise.all(Array.from({ length: 8 }, (_, i) => appendOne(round * 8 + i)));
}
