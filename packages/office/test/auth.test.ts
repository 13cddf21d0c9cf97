import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashPassword, verifyPassword } from "../src/auth/passwords.ts";
import { base32Decode, base32Encode, totp, verifyTotp } from "../src/auth/totp.ts";

describe("passwords", () => {
  it("verifies the right password only, with a per-user salt", async () => {
    const a = await hashPassword("mật khẩu đúng");
    const b = await hashPassword("mật khẩu đúng");
    assert.notEqual(a, b);
    assert.equal(await verifyPassword("mật khẩu đúng", a), true);
    assert.equal(await verifyPassword("mat khau dung", a), false);
    assert.equal(await verifyPassword("x", "garbage"), false);
  });
});

describe("TOTP (RFC 6238 Appendix B vectors)", () => {
  const seeds = {
    sha1: Buffer.from("12345678901234567890"),
    sha256: Buffer.from("12345678901234567890123456789012"),
    sha512: Buffer.from("1234567890123456789012345678901234567890123456789012345678901234"),
  } as const;
  const vectors: [number, string, keyof typeof seeds][] = [
    [59, "94287082", "sha1"],
    [59, "46119246", "sha256"],
    [59, "90693936", "sha512"],
    [1111111109, "07081804", "sha1"],
    [1111111109, "68084774", "sha256"],
    [1111111109, "25091201", "sha512"],
    [1111111111, "14050471", "sha1"],
    [1234567890, "89005924", "sha1"],
    [1234567890, "91819424", "sha256"],
    [2000000000, "69279037", "sha1"],
    [20000000000, "65353130", "sha1"],
    [20000000000, "77737706", "sha256"],
    [20000000000, "47863826", "sha512"],
  ];
  for (const [t, code, algorithm] of vectors) {
    it(`T=${t} ${algorithm} → ${code}`, () => {
      assert.equal(totp(seeds[algorithm], new Date(t * 1000), { digits: 8, algorithm }), code);
    });
  }
  it("accepts one step of drift and nothing else", () => {
    const secret = seeds.sha1;
    const at = new Date(1111111109 * 1000);
    const code = totp(secret, at);
    assert.equal(verifyTotp(secret, code, new Date(at.getTime() + 30_000)), true);
    assert.equal(verifyTotp(secret, code, new Date(at.getTime() + 95_000)), false);
    assert.equal(verifyTotp(secret, "abc", at), false);
  });
  it("round-trips base32 (RFC 4648 vector)", () => {
    assert.equal(base32Encode(Buffer.from("foobar")), "MZXW6YTBOI");
    assert.deepEqual(Buffer.from(base32Decode("MZXW6YTBOI")), Buffer.from("foobar"));
  });
});
