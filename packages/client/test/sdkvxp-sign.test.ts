import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ClientError,
  formatSdkvxpTimestamp,
  gsonObject,
  hmacSignHeader,
  javaHashMapOrder,
  sdkHashFileHex,
  signSdkvxpHeaders,
} from "../src/index.ts";
import { FIXTURE_SECRETS, loadCapturedRequests } from "./fixtures/sdkvxp-fixture.ts";

const captured = loadCapturedRequests();

/** The instant whose UTC+7 wall clock is the fixture's `21112026T054343+SSSS`. */
const at = (ms: number) => new Date(Date.UTC(2026, 10, 20, 22, 43, 43, ms));

describe("SDKVXP header signing", () => {
  for (const [i, req] of captured.entries()) {
    it(`reproduces the hash-header of capture #${i + 1} ${req.path} from its sign-header`, () => {
      const secret = FIXTURE_SECRETS[req.headers["xroadvnpt-systemid"]!]!;
      assert.equal(
        hmacSignHeader(secret, req.headers["xroadvnpt-sign-header"]!),
        req.headers["xroadvnpt-hash-header"],
      );
    });
  }

  it("formats the timestamp as ddMMyyyy'T'HHmmss+SSSS (milliseconds, four digits)", () => {
    assert.equal(formatSdkvxpTimestamp(at(379)), "21112026T054343+0379");
    assert.equal(formatSdkvxpTimestamp(at(7), 0), "20112026T224343+0007");
  });

  it("orders keys like a Java HashMap, as in the captures", () => {
    assert.deepEqual(javaHashMapOrder(["timestamp", "systemid", "Content-Type"]), [
      "systemid",
      "timestamp",
      "Content-Type",
    ]);
    assert.deepEqual(
      javaHashMapOrder([
        "timestamp",
        "systemid",
        "Content-Type",
        "from",
        "servicetype",
        "messagetype",
        "hash-file",
      ]),
      ["systemid", "servicetype", "messagetype", "hash-file", "from", "timestamp", "Content-Type"],
    );
  });

  it("writes JSON string escapes as Gson does", () => {
    assert.equal(gsonObject([["a", 'q"\\\n\u0001\u2028é']]), '{"a":"q\\"\\\\\\n\\u0001\\u2028é"}');
  });

  // Each capture rebuilt from its parameters: same key list, same JSON, same HMAC, byte for byte.
  const rebuilt: Array<{ index: number; params: Record<string, string>; contentType: string; ms: number }> = [
    { index: 0, params: {}, contentType: "application/json", ms: 379 },
    {
      index: 2,
      params: { servicetype: "eDoc", messagetype: "edoc" },
      contentType: "application/json",
      ms: 447,
    },
  ];
  for (const { index, params, contentType, ms } of rebuilt) {
    const req = captured[index]!;
    it(`produces the exact headers of capture #${index + 1} ${req.path}`, () => {
      const systemId = req.headers["xroadvnpt-systemid"]!;
      const signed = signSdkvxpHeaders({
        systemId,
        secret: FIXTURE_SECRETS[systemId]!,
        params,
        contentType,
        now: at(ms),
      });
      assert.equal(signed.signHeaderKey, req.headers["xroadvnpt-sign-header-key"]);
      assert.equal(signed.signHeader, req.headers["xroadvnpt-sign-header"]);
      assert.equal(signed.hashHeader, req.headers["xroadvnpt-hash-header"]);
      for (const [name, value] of signed.headers) assert.equal(req.headers[name.toLowerCase()], value, name);
    });
  }

  it("reproduces a captured sendEdoc's signed headers given its hash-file", () => {
    // The capture's file is not available, so its hash-file is passed through as a parameter
    // (the SDK inserts it last, as here); the unpadded-hex rendering is tested below.
    const req = captured[1]!;
    const signed = signSdkvxpHeaders({
      systemId: "sys.a",
      secret: "secretA",
      params: [
        ["from", "000.00.00.H41"],
        ["servicetype", "eDoc"],
        ["messagetype", "edoc"],
        ["hash-file", req.headers["xroadvnpt-hash-file"]!],
      ],
      contentType: "application/octet-stream",
      now: at(447),
    });
    assert.equal(signed.signHeaderKey, req.headers["xroadvnpt-sign-header-key"]);
    assert.equal(signed.hashHeader, req.headers["xroadvnpt-hash-header"]);
  });

  it("computes hash-file without per-byte zero padding and appends CRLF to the body (sdkQuirks)", () => {
    const file = Buffer.from("<edXML/>");
    const padded = sdkHashFileHex(file, false);
    const unpadded = padded
      .match(/../g)!
      .map((b) => b.replace(/^0/, ""))
      .join("");
    assert.equal(sdkHashFileHex(file), unpadded);
    const quirky = signSdkvxpHeaders({
      systemId: "s",
      secret: "k",
      params: {},
      contentType: "application/octet-stream",
      now: at(0),
      file,
    });
    assert.ok(quirky.body!.equals(Buffer.from("<edXML/>\r\n")));
    assert.ok(quirky.signHeader.includes(`"XroadVnpt-hash-file":"${unpadded}"`));
    const plain = signSdkvxpHeaders({
      systemId: "s",
      secret: "k",
      params: {},
      contentType: "application/octet-stream",
      now: at(0),
      file,
      sdkQuirks: false,
    });
    assert.ok(plain.body!.equals(file));
    assert.ok(plain.signHeader.includes(`"XroadVnpt-hash-file":"${padded}"`));
  });

  it("rejects parameter values that cannot travel in a header", () => {
    for (const bad of ["a\r\nb", "x\u0000", "\ud800"]) {
      assert.throws(
        () =>
          signSdkvxpHeaders({
            systemId: "s",
            secret: "k",
            params: { d: bad },
            contentType: "a/b",
            now: at(0),
          }),
        (e: unknown) => ClientError.is(e) && e.code === "CLIENT_INVALID_ARGUMENT",
      );
    }
  });
});
