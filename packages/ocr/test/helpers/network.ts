import dns from "node:dns";
import net from "node:net";

/**
 * Denies network use on the calling thread and counts attempts. (tesseract's worker threads
 * are guarded by src/tesseract-worker.cjs, which throws on any attempt and so fails the OCR.)
 */
export function denyNetwork(): { attempts: string[]; restore(): void } {
  const attempts: string[] = [];
  const saved = { fetch: globalThis.fetch, connect: net.Socket.prototype.connect, lookup: dns.lookup };
  const deny = (what: string) => () => {
    attempts.push(what);
    throw new Error(`network access denied in tests (${what})`);
  };
  globalThis.fetch = deny("fetch") as typeof fetch;
  net.Socket.prototype.connect = deny("net.Socket.connect") as typeof net.Socket.prototype.connect;
  dns.lookup = deny("dns.lookup") as unknown as typeof dns.lookup;
  return {
    attempts,
    restore() {
      globalThis.fetch = saved.fetch;
      net.Socket.prototype.connect = saved.connect;
      dns.lookup = saved.lookup;
    },
  };
}
