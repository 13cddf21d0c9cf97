/**
 * Child process for the kill -9 durability test: commits a blob plus a row in a loop and prints
 * `ack <id> <sha256>` only after both are durable. The parent kills it with SIGKILL at a random
 * moment and then checks that every acknowledged id survived.
 * Usage: durability-child.ts <database config JSON> <blob dir>
 */
import { randomBytes } from "node:crypto";
import { openBlobStore, openDatabase } from "../../src/index.ts";

const config = JSON.parse(process.argv[2]!);
const blobs = await openBlobStore(process.argv[3]!);
const db = await openDatabase(config);
for (let id = 1; ; id++) {
  const blob = await blobs.put(
    Buffer.concat([Buffer.from(`blob ${id} `), randomBytes(20_000 + (id % 7) * 1000)]),
  );
  await db.transaction(async (trx) => {
    await trx.insertInto("acks").values({ id, sha256: blob.sha256 }).execute();
    await trx.insertInto("acks_queue").values({ ack_id: id }).execute();
  });
  // stdout to a pipe is synchronous on Linux: once this returns the parent can read it.
  process.stdout.write(`ack ${id} ${blob.sha256}\n`);
}
