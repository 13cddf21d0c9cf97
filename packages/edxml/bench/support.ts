/** Shared by the edxml benchmarks. */
import { createHash } from "node:crypto";
import type { AttachmentSink } from "../src/attachments.ts";

/** Discards attachment bytes but hashes them, like a real sink must. */
export const hashingSink: AttachmentSink = {
  begin() {
    const hash = createHash("sha256");
    let size = 0;
    return {
      write(chunk) {
        hash.update(chunk);
        size += chunk.length;
      },
      async finish() {
        return { sha256: hash.digest("hex"), size, ref: "null" };
      },
      async abort() {},
    };
  },
};
