/**
 * TOTP (RFC 6238) over HOTP (RFC 4226), with node:crypto only. Secrets travel as base32
 * (RFC 4648, no padding), as authenticator apps expect in `otpauth://` URIs.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export type TotpAlgorithm = "sha1" | "sha256" | "sha512";

export interface TotpOptions {
  digits?: number;
  stepSeconds?: number;
  algorithm?: TotpAlgorithm;
}

export function hotp(
  secret: Uint8Array,
  counter: bigint,
  digits = 6,
  algorithm: TotpAlgorithm = "sha1",
): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(counter);
  const mac = createHmac(algorithm, secret).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(binary).padStart(digits, "0");
}

export function totp(secret: Uint8Array, at: Date, options: TotpOptions = {}): string {
  const step = options.stepSeconds ?? 30;
  const counter = BigInt(Math.floor(at.getTime() / 1000 / step));
  return hotp(secret, counter, options.digits ?? 6, options.algorithm ?? "sha1");
}

/** Accepts the code of the current step or one step either side (clock drift). */
export function verifyTotp(secret: Uint8Array, code: string, at: Date, options: TotpOptions = {}): boolean {
  const digits = options.digits ?? 6;
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return false;
  const step = (options.stepSeconds ?? 30) * 1000;
  let ok = false;
  for (const drift of [-1, 0, 1]) {
    const expected = Buffer.from(totp(secret, new Date(at.getTime() + drift * step), options));
    ok = timingSafeEqual(expected, Buffer.from(code)) || ok;
  }
  return ok;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Uint8Array {
  const clean = text.toUpperCase().replace(/=+$/, "").replace(/\s+/g, "");
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const idx = ALPHABET.indexOf(ch);
    if (idx < 0) throw new RangeError("invalid base32");
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

export function otpauthUri(input: { issuer: string; account: string; secret: Uint8Array }): string {
  const label = encodeURIComponent(`${input.issuer}:${input.account}`);
  return `otpauth://totp/${label}?secret=${base32Encode(input.secret)}&issuer=${encodeURIComponent(input.issuer)}&algorithm=SHA1&digits=6&period=30`;
}
