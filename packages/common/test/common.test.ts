import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import {
  defineErrors,
  foldVietnamese,
  fromVietnamParts,
  OFF_THREAD_HASH_MIN_BYTES,
  searchKey,
  sha256Hex,
  toVietnamIso,
  toVietnamParts,
} from "../src/index.ts";

describe("errors", () => {
  const DemoError = defineErrors("DemoError", {
    DEMO_TOO_LONG: { vi: "Trường {field} quá dài", en: "Field {field} is too long" },
  });

  it("carries a stable code and both languages with details filled in", () => {
    const e = new DemoError("DEMO_TOO_LONG", { field: "Subject" });
    assert.equal(e.code, "DEMO_TOO_LONG");
    assert.equal(e.messageVi, "Trường Subject quá dài");
    assert.equal(e.messageEn, "Field Subject is too long");
    assert.ok(DemoError.is(e));
    assert.ok(e instanceof Error);
    assert.deepEqual(e.toJSON().message, { vi: "Trường Subject quá dài", en: "Field Subject is too long" });
  });
});

describe("foldVietnamese", () => {
  it("folds tone marks and đ like PostgreSQL unaccent", () => {
    assert.equal(foldVietnamese("Đường Điện Biên Phủ, Nghị định"), "Duong Dien Bien Phu, Nghi dinh");
    assert.equal(searchKey("  Quyết   ĐỊNH "), "quyet dinh");
    // NFD input folds the same way
    assert.equal(foldVietnamese("Nghị định".normalize("NFD")), "Nghi dinh");
  });
});

describe("Vietnam time", () => {
  it("renders instants at +07:00 and round-trips wall-clock parts", () => {
    const instant = new Date("2025-03-05T03:20:31Z");
    assert.equal(toVietnamIso(instant), "2025-03-05T10:20:31+07:00");
    assert.equal(fromVietnamParts(toVietnamParts(instant)).getTime(), instant.getTime());
    // 31 Dec 20:00 UTC is already 1 January in Viet Nam
    assert.equal(toVietnamParts(new Date("2025-12-31T20:00:00Z")).year, 2026);
  });
});

describe("sha256Hex", () => {
  const expected = (pieces: Buffer[]) => {
    const hash = createHash("sha256");
    for (const p of pieces) hash.update(p);
    return hash.digest("hex");
  };

  it("equals a plain SHA-256 on both sides of the off-thread threshold, whole or in pieces", async () => {
    for (const size of [
      0,
      1,
      OFF_THREAD_HASH_MIN_BYTES - 1,
      OFF_THREAD_HASH_MIN_BYTES,
      3 * 1024 * 1024 + 7,
    ]) {
      const bytes = randomBytes(size);
      assert.equal(await sha256Hex(bytes), expected([bytes]), `${size} bytes`);
      const pieces = [bytes.subarray(0, size >> 1), Buffer.alloc(0), bytes.subarray(size >> 1)];
      assert.equal(await sha256Hex(pieces), expected(pieces), `${size} bytes in pieces`);
    }
  });

  it("leaves the caller's bytes as they were", async () => {
    const bytes = randomBytes(OFF_THREAD_HASH_MIN_BYTES * 2);
    const copy = Buffer.from(bytes);
    await sha256Hex(bytes);
    assert.deepEqual(bytes, copy);
  });
});
