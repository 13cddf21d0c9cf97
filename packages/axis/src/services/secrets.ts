/**
 * SDKVXP secrets at rest. HMAC verification needs the secret itself (a hash would not do),
 * so it is stored encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from the
 * node master key; the system id is bound as associated data so rows cannot be swapped.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

function keyFrom(masterKeyHex: string): Buffer {
  return Buffer.from(
    hkdfSync("sha256", Buffer.from(masterKeyHex, "hex"), Buffer.alloc(0), "truc-axis-system-secret-v1", 32),
  );
}

export function encryptSecret(masterKeyHex: string, systemId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(masterKeyHex), iv);
  cipher.setAAD(Buffer.from(systemId, "utf8"));
  const ct = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString("base64")}`;
}

export function decryptSecret(masterKeyHex: string, systemId: string, stored: string): string {
  if (!stored.startsWith("v1:")) throw new Error("unknown secret format");
  const buf = Buffer.from(stored.slice(3), "base64");
  const decipher = createDecipheriv("aes-256-gcm", keyFrom(masterKeyHex), buf.subarray(0, 12));
  decipher.setAAD(Buffer.from(systemId, "utf8"));
  decipher.setAuthTag(buf.subarray(12, 28));
  return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString("utf8");
}
