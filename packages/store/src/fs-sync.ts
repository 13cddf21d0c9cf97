import { constants as fsConstants } from "node:fs";
import { open } from "node:fs/promises";

/** Makes a directory's entries (a file created, renamed or deleted in it) durable. */
export async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
