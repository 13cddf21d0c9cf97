import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { gsonObject, hmacSignHeader, signSdkvxpHeaders } from "@truc/client";
// The captured official-SDK requests live with the client's fixtures (one copy for both packages).
import {
  type CapturedRequest,
  FIXTURE_AGENCIES,
  FIXTURE_SECRETS,
  loadCapturedRequests,
} from "../../client/test/fixtures/sdkvxp-fixture.ts";
import {
  createReplayCache,
  matchesSdkHashFile,
  packageBytesFromSdkBody,
  parseSdkvxpTimestamp,
  type SdkvxpCredentialLookup,
  unpaddedHex,
  verifySdkvxpRequest,
} from "../src/http/sdkvxp/auth.ts";
import { AxisAuthError } from "../src/http/sdkvxp/errors.ts";

const captured = loadCapturedRequests();

const lookupWith =
  (agencies: Readonly<Record<string, readonly string[]>> = FIXTURE_AGENCIES): SdkvxpCredentialLookup =>
  async (systemId) => {
    const secret = FIXTURE_SECRETS[systemId];
    const agencyCodes = agencies[systemId];
    return secret && agencyCodes ? { secret, agencyCodes } : undefined;
  };

/** The instant the request claims, read the way the verifier reads it (UTC+7 unless told). */
const captureTime = (req: CapturedRequest, offset = 420) =>
  parseSdkvxpTimestamp(req.headers["xroadvnpt-timestamp"]!, offset)!;

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(AxisAuthError.is(err), `expected AxisAuthError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

function verifyCaptured(
  req: CapturedRequest,
  overrides: Partial<Parameters<typeof verifySdkvxpRequest>[0]> = {},
): ReturnType<typeof verifySdkvxpRequest> {
  return verifySdkvxpRequest({
    headers: req.headers,
    now: captureTime(req),
    lookup: lookupWith(),
    replay: createReplayCache(),
    ...overrides,
  });
}

const sendEdoc = captured.find((r) => r.path === "/sendEdoc")!;
const agenciesList = captured.find((r) => r.path === "/getAgenciesList")!;

/** Node-style (lower-cased) header record from the client's ordered header list. */
const nodeHeaders = (headers: Array<[string, string]>) =>
  Object.fromEntries(headers.map(([k, v]) => [k.toLowerCase(), v]));

describe("verifySdkvxpRequest against requests captured from the official SDK 2.0.1", () => {
  it("parses all six captured requests", () => {
    assert.deepEqual(
      captured.map((r) => r.path),
      [
        "/getAgenciesList",
        "/sendEdoc",
        "/getReceivedEdocList",
        "/sendEdoc",
        "/getReceivedEdocList",
        "/getSentEdocList",
      ],
    );
  });

  for (const [i, req] of captured.entries()) {
    it(`accepts capture #${i + 1} ${req.path} (${req.headers["xroadvnpt-systemid"]}) as sent`, async () => {
      const verified = await verifyCaptured(req);
      assert.equal(verified.systemId, req.headers["xroadvnpt-systemid"]);
      assert.deepEqual(verified.agencyCodes, FIXTURE_AGENCIES[verified.systemId]);
      assert.equal(verified.timestamp.getTime(), captureTime(req).getTime());
      // Every signed key is a parameter, with the value of its header.
      for (const key of req.headers["xroadvnpt-sign-header-key"]!.split(";")) {
        assert.equal(verified.params[key], req.headers[`xroadvnpt-${key.toLowerCase()}`]);
      }
      assert.equal(verified.packageBytes, undefined);
    });
  }

  it("reads the SDK timestamp's +SSSS as milliseconds on a configurable wall clock", async () => {
    assert.equal(parseSdkvxpTimestamp("21112026T054343+0379")?.toISOString(), "2026-11-20T22:43:43.379Z");
    assert.equal(parseSdkvxpTimestamp("21112026T054343+0379", 0)?.toISOString(), "2026-11-21T05:43:43.379Z");
    for (const bad of [
      "21112026T054343+379",
      "31022026T054343+0379",
      "21112026T244343+0379",
      "21112026T054343+1000",
    ]) {
      assert.equal(parseSdkvxpTimestamp(bad), undefined, bad);
    }
    // The capture JVM ran on UTC: with the zone configured, the same request is fresh at UTC time.
    const now = new Date("2026-11-21T05:43:43.447Z");
    const verified = await verifyCaptured(sendEdoc, { now, timestampUtcOffsetMinutes: 0 });
    assert.equal(verified.timestamp.toISOString(), "2026-11-21T05:43:43.447Z");
    await rejects(verifyCaptured(sendEdoc, { now }), "AXIS_AUTH_STALE_TIMESTAMP");
    // …and the zone can come from the system's registration.
    const perSystem: SdkvxpCredentialLookup = async (id) => ({
      secret: FIXTURE_SECRETS[id]!,
      agencyCodes: FIXTURE_AGENCIES[id]!,
      timestampUtcOffsetMinutes: 0,
    });
    await verifyCaptured(sendEdoc, { now, lookup: perSystem });
  });

  it("keeps the stale keys the SDK leaves behind as parameters without failing", async () => {
    const sent = captured.find((r) => r.path === "/getSentEdocList")!;
    const verified = await verifyCaptured(sent);
    assert.equal(
      verified.params["hash-file"],
      "c0c5ffcc55803e20eea4c85933d2972dd7f425dca35ee2be3f1aa97394eca5",
    );
    assert.equal(verified.params.from, "000.00.00.H41");
    assert.equal(verified.params["Content-Type"], "application/json");
  });
});

describe("verifySdkvxpRequest rejections", () => {
  for (const name of [
    "xroadvnpt-systemid",
    "xroadvnpt-sign-header",
    "xroadvnpt-sign-header-key",
    "xroadvnpt-hash-header",
  ]) {
    it(`AXIS_AUTH_MISSING without ${name}`, async () => {
      const headers = { ...agenciesList.headers };
      delete headers[name];
      await rejects(verifyCaptured(agenciesList, { headers }), "AXIS_AUTH_MISSING");
    });
  }

  it("AXIS_AUTH_MISSING when the timestamp is not signed", async () => {
    const signHeader = gsonObject([["XroadVnpt-systemid", "sys.a"]]);
    const headers = {
      "xroadvnpt-systemid": "sys.a",
      "xroadvnpt-sign-header-key": "systemid",
      "xroadvnpt-sign-header": signHeader,
      "xroadvnpt-hash-header": hmacSignHeader("secretA", signHeader),
    };
    await rejects(verifyCaptured(agenciesList, { headers }), "AXIS_AUTH_MISSING");
  });

  it("AXIS_AUTH_UNKNOWN_SYSTEM for a system without credentials", async () => {
    const headers = { ...agenciesList.headers, "xroadvnpt-systemid": "sys.z" };
    await rejects(verifyCaptured(agenciesList, { headers }), "AXIS_AUTH_UNKNOWN_SYSTEM");
  });

  it("AXIS_AUTH_BAD_SIGNATURE for a wrong secret, a tampered sign-header or a malformed hash", async () => {
    const wrongSecret: SdkvxpCredentialLookup = async () => ({
      secret: "secretB",
      agencyCodes: ["000.00.00.H41"],
    });
    await rejects(verifyCaptured(agenciesList, { lookup: wrongSecret }), "AXIS_AUTH_BAD_SIGNATURE");
    const tampered = agenciesList.headers["xroadvnpt-sign-header"]!.replace("sys.a", "sys.b");
    await rejects(
      verifyCaptured(agenciesList, {
        headers: { ...agenciesList.headers, "xroadvnpt-sign-header": tampered },
      }),
      "AXIS_AUTH_BAD_SIGNATURE",
    );
    // Re-serialising would accept this (same JSON value): the HMAC is over the exact bytes.
    const reformatted = agenciesList.headers["xroadvnpt-sign-header"]!.replace(",", ", ");
    await rejects(
      verifyCaptured(agenciesList, {
        headers: { ...agenciesList.headers, "xroadvnpt-sign-header": reformatted },
      }),
      "AXIS_AUTH_BAD_SIGNATURE",
    );
    for (const hash of ["abc", `${agenciesList.headers["xroadvnpt-hash-header"]!.slice(0, 63)}z`]) {
      await rejects(
        verifyCaptured(agenciesList, { headers: { ...agenciesList.headers, "xroadvnpt-hash-header": hash } }),
        "AXIS_AUTH_BAD_SIGNATURE",
      );
    }
  });

  it("AXIS_AUTH_HEADER_MISMATCH when a sent header differs from its signed value or is absent", async () => {
    await rejects(
      verifyCaptured(sendEdoc, { headers: { ...sendEdoc.headers, "xroadvnpt-messagetype": "status" } }),
      "AXIS_AUTH_HEADER_MISMATCH",
    );
    await rejects(
      verifyCaptured(sendEdoc, { headers: { ...sendEdoc.headers, "xroadvnpt-content-type": "text/plain" } }),
      "AXIS_AUTH_HEADER_MISMATCH",
    );
    const withoutFrom = { ...sendEdoc.headers };
    delete withoutFrom["xroadvnpt-from"];
    await rejects(verifyCaptured(sendEdoc, { headers: withoutFrom }), "AXIS_AUTH_HEADER_MISMATCH");
    // The key list is not signed: listing a key the signed JSON lacks is a mismatch.
    await rejects(
      verifyCaptured(agenciesList, {
        headers: {
          ...agenciesList.headers,
          "xroadvnpt-sign-header-key": "systemid;timestamp;Content-Type;docId",
          "xroadvnpt-docid": "x",
        },
      }),
      "AXIS_AUTH_HEADER_MISMATCH",
    );
    // Repeated authentication headers are ambiguous.
    await rejects(
      verifyCaptured(agenciesList, {
        headers: {
          ...agenciesList.headers,
          "xroadvnpt-hash-header": [agenciesList.headers["xroadvnpt-hash-header"]!],
        },
      }),
      "AXIS_AUTH_HEADER_MISMATCH",
    );
  });

  it("AXIS_AUTH_STALE_TIMESTAMP outside the window and for a malformed timestamp", async () => {
    const t = captureTime(agenciesList).getTime();
    await verifyCaptured(agenciesList, { now: new Date(t + 5 * 60_000) });
    await verifyCaptured(agenciesList, { now: new Date(t - 5 * 60_000) });
    await rejects(
      verifyCaptured(agenciesList, { now: new Date(t + 5 * 60_000 + 1) }),
      "AXIS_AUTH_STALE_TIMESTAMP",
    );
    await rejects(
      verifyCaptured(agenciesList, { now: new Date(t - 5 * 60_000 - 1) }),
      "AXIS_AUTH_STALE_TIMESTAMP",
    );
    await rejects(
      verifyCaptured(agenciesList, { now: new Date(t + 61_000), maxSkewMs: 60_000 }),
      "AXIS_AUTH_STALE_TIMESTAMP",
    );
    const signHeader = gsonObject([
      ["XroadVnpt-systemid", "sys.a"],
      ["XroadVnpt-timestamp", "2026-11-21T05:43:43Z"],
    ]);
    const headers = {
      "xroadvnpt-systemid": "sys.a",
      "xroadvnpt-timestamp": "2026-11-21T05:43:43Z",
      "xroadvnpt-sign-header-key": "systemid;timestamp",
      "xroadvnpt-sign-header": signHeader,
      "xroadvnpt-hash-header": hmacSignHeader("secretA", signHeader),
    };
    await rejects(verifyCaptured(agenciesList, { headers }), "AXIS_AUTH_STALE_TIMESTAMP");
  });

  it("AXIS_AUTH_REPLAY for the same signed request twice, per system", async () => {
    const replay = createReplayCache();
    await verifyCaptured(agenciesList, { replay });
    await rejects(verifyCaptured(agenciesList, { replay }), "AXIS_AUTH_REPLAY");
    // A different request of the same instant is not a replay.
    await verifyCaptured(sendEdoc, { replay });
  });

  it("does not record rejected requests in the replay cache", async () => {
    const replay = createReplayCache();
    await rejects(
      verifyCaptured(sendEdoc, { replay, lookup: lookupWith({ "sys.a": ["000.00.00.G22"] }) }),
      "AXIS_SENDER_MISMATCH",
    );
    await verifyCaptured(sendEdoc, { replay });
  });

  it("AXIS_SENDER_MISMATCH when `from` is not an agency bound to the system", async () => {
    await rejects(
      verifyCaptured(sendEdoc, { lookup: lookupWith({ "sys.a": ["000.00.00.G22", "000.00.00.G01"] }) }),
      "AXIS_SENDER_MISMATCH",
    );
  });
});

describe("hash-file and the SDK's trailing CRLF", () => {
  const now = new Date("2026-11-21T05:43:43.447Z");
  // A file whose digest has bytes below 0x10, so the unpadded form differs from the normal one.
  const file = (() => {
    for (let i = 0; ; i++) {
      const f = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\r\n<edXML n="${i}"/>\r\n`);
      if (
        createHash("sha256")
          .update(f)
          .digest()
          .some((b) => b < 0x10)
      )
        return f;
    }
  })();
  const sign = (sdkQuirks: boolean, from = "000.00.00.H41") =>
    signSdkvxpHeaders({
      systemId: "sys.a",
      secret: "secretA",
      params: { from, servicetype: "eDoc", messagetype: "edoc" },
      contentType: "application/octet-stream",
      now,
      file,
      sdkQuirks,
    });
  const verify = (headers: Array<[string, string]>, body: Buffer) =>
    verifySdkvxpRequest({
      headers: nodeHeaders(headers),
      body,
      now,
      lookup: lookupWith(),
      replay: createReplayCache(),
    });

  it("renders the SDK's unpadded hex as in the capture (…f4250dca…eca05 → …f425dca…eca5)", () => {
    const digest = Buffer.alloc(32);
    digest.set([0xf4, 0x25, 0x0d, 0xca], 0);
    digest.set([0x1e, 0xca, 0x05], 29);
    assert.equal(unpaddedHex(digest), `f425dca${"0".repeat(25)}1eca5`);
    assert.ok(matchesSdkHashFile(unpaddedHex(digest), digest));
    assert.ok(matchesSdkHashFile(digest.toString("hex").toUpperCase(), digest));
  });

  it("accepts the SDK form (unpadded hex, body = file + CRLF) and names the package bytes", async () => {
    const signed = sign(true);
    assert.ok(signed.body!.subarray(-2).equals(Buffer.from("\r\n")));
    const verified = await verify(signed.headers, signed.body!);
    assert.ok(verified.params["hash-file"]!.length < 64);
    assert.ok(verified.packageBytes!.equals(file));
    assert.ok(packageBytesFromSdkBody(signed.body!).equals(file));
  });

  it("accepts the normal form (64 hex, body = file) even when the file ends in CRLF", async () => {
    const signed = sign(false);
    assert.ok(signed.body!.equals(file));
    const verified = await verify(signed.headers, signed.body!);
    assert.equal(verified.params["hash-file"]!.length, 64);
    assert.ok(verified.packageBytes!.equals(file));
  });

  it("AXIS_HASH_FILE_MISMATCH for a changed body or a body without a signed hash-file", async () => {
    const signed = sign(true);
    const changed = Buffer.from(signed.body!);
    changed[10] = changed[10]! ^ 1;
    await rejects(verify(signed.headers, changed), "AXIS_HASH_FILE_MISMATCH");
    await rejects(
      verify(signed.headers, Buffer.concat([signed.body!, Buffer.from("\r\n")])),
      "AXIS_HASH_FILE_MISMATCH",
    );
    const noHash = signSdkvxpHeaders({
      systemId: "sys.a",
      secret: "secretA",
      params: { from: "000.00.00.H41", servicetype: "eDoc", messagetype: "edoc" },
      contentType: "application/octet-stream",
      now,
    });
    await rejects(verify(noHash.headers, file), "AXIS_HASH_FILE_MISMATCH");
  });

  it("AXIS_SENDER_MISMATCH for a body sent without `from` or from another agency", async () => {
    const other = sign(true, "000.00.00.G22");
    await rejects(verify(other.headers, other.body!), "AXIS_SENDER_MISMATCH");
    const noFrom = signSdkvxpHeaders({
      systemId: "sys.a",
      secret: "secretA",
      params: { servicetype: "eDoc", messagetype: "edoc" },
      contentType: "application/octet-stream",
      now,
      file,
    });
    await rejects(verify(noFrom.headers, noFrom.body!), "AXIS_SENDER_MISMATCH");
  });

  it("verifies non-ASCII parameters sent as UTF-8 bytes", async () => {
    const signed = signSdkvxpHeaders({
      systemId: "sys.b",
      secret: "secretB",
      params: { docId: "d-1", status: "fail", description: "Sai định dạng gói tin" },
      contentType: "application/json",
      now,
    });
    const verified = await verifySdkvxpRequest({
      headers: nodeHeaders(signed.headers),
      now,
      lookup: lookupWith(),
      replay: createReplayCache(),
    });
    assert.equal(verified.params.description, "Sai định dạng gói tin");
  });
});

describe("createReplayCache", () => {
  it("answers replay for a present key, sweeps expired entries and stays bounded", () => {
    let t = 1000;
    const cache = createReplayCache({ maxEntries: 2, now: () => t });
    assert.equal(cache.seen("a", 2000), false);
    assert.equal(cache.seen("a", 2000), true);
    t = 2500;
    assert.equal(cache.seen("b", 3000), false); // sweeps "a", expired at 2000
    assert.equal(cache.seen("a", 3000), false, "a swept entry is recorded anew");
    assert.equal(cache.seen("c", 3000), false); // full: evicts "b", the oldest
    assert.equal(cache.seen("a", 3000), true);
    assert.equal(cache.seen("c", 3000), true);
    assert.equal(cache.seen("b", 3000), false);
  });
});
