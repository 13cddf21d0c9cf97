import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  defineErrors,
  foldVietnamese,
  fromVietnamParts,
  searchKey,
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
