import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TrucError } from "@truc/common";
import { ClientError, isPermanentReceiveError, type ReceiveClient, receiveLoop } from "../src/index.ts";

/** An in-memory axis mailbox that logs every call, and lets a test script failures. */
class FakeAxis implements ReceiveClient {
  readonly log: string[] = [];
  readonly pending = new Map<string, Buffer>();
  failList = 0;
  failGet = new Set<string>();
  failAck = 0;
  onList?: (round: number) => void;
  rounds = 0;

  add(docId: string): void {
    this.pending.set(docId, Buffer.from(`<edXML id="${docId}"/>`));
  }
  async getReceivedEdocList() {
    this.rounds++;
    this.log.push("list");
    this.onList?.(this.rounds);
    if (this.failList > 0) {
      this.failList--;
      throw new ClientError("CLIENT_NETWORK", { operation: "getReceivedEdocList", reason: "ECONNRESET" });
    }
    return [...this.pending.keys()].map((docId) => ({ docId }));
  }
  async getEdoc(docId: string) {
    this.log.push(`get ${docId}`);
    if (this.failGet.delete(docId)) {
      throw new ClientError("CLIENT_HTTP_STATUS", { operation: "getEdoc", status: 503 });
    }
    const pkg = this.pending.get(docId);
    if (!pkg)
      throw new ClientError("CLIENT_SERVER_ERROR", {
        operation: "getEdoc",
        errorCode: "-1",
        errorDesc: "gone",
      });
    return pkg;
  }
  async updateStatus(docId: string, status: string, description?: string) {
    this.log.push(`ack ${docId} ${status}${description ? ` ${description}` : ""}`);
    if (this.failAck > 0) {
      this.failAck--;
      throw new ClientError("CLIENT_TIMEOUT", { operation: "updateStatus", timeoutMs: 1 });
    }
    this.pending.delete(docId);
  }
}

const fast = { intervalMs: 1, backoff: { baseDelayMs: 1, maxDelayMs: 2 } };

/** Aborts the loop at the start of the given polling round. */
const stopAtRound = (axis: FakeAxis, round: number, controller: AbortController) => {
  axis.onList = (r) => {
    if (r === round) controller.abort();
  };
};

describe("receiveLoop", () => {
  it("acknowledges done only after handle resolved", async () => {
    const axis = new FakeAxis();
    axis.add("a");
    axis.add("b");
    const controller = new AbortController();
    stopAtRound(axis, 2, controller);
    const stats = await receiveLoop({
      client: axis,
      messageType: "edoc",
      signal: controller.signal,
      ...fast,
      handle: async (pkg, item) => {
        assert.equal(pkg.toString(), `<edXML id="${item.docId}"/>`);
        axis.log.push(`handle ${item.docId} start`);
        await new Promise((r) => setImmediate(r));
        axis.log.push(`handle ${item.docId} end`);
      },
    });
    assert.deepEqual(stats, { done: 2, failed: 0, errors: 0 });
    assert.deepEqual(axis.log, [
      "list",
      "get a",
      "handle a start",
      "handle a end",
      "ack a done",
      "get b",
      "handle b start",
      "handle b end",
      "ack b done",
      "list",
    ]);
  });

  it("acknowledges fail with the message for a permanent error, leaves a transient one for later", async () => {
    const axis = new FakeAxis();
    axis.add("bad");
    axis.add("flaky");
    const controller = new AbortController();
    stopAtRound(axis, 3, controller);
    let flakyAttempts = 0;
    const errors: string[] = [];
    const stats = await receiveLoop({
      client: axis,
      messageType: "status",
      signal: controller.signal,
      ...fast,
      onError: (e, ctx) => errors.push(`${ctx.stage} ${ctx.docId} ${(e as TrucError).code ?? ""}`),
      handle: async (_pkg, item) => {
        if (item.docId === "bad") throw new ClientError("CLIENT_PACKAGE_REJECTED", { reason: "not edXML" });
        flakyAttempts++;
        if (flakyAttempts === 1) throw new Error("database unavailable");
      },
    });
    assert.deepEqual(stats, { done: 1, failed: 1, errors: 2 });
    assert.deepEqual(axis.log, [
      "list",
      "get bad",
      "ack bad fail CLIENT_PACKAGE_REJECTED: Gói tin bị từ chối vĩnh viễn: not edXML",
      "get flaky",
      "list",
      "get flaky",
      "ack flaky done",
      "list",
    ]);
    assert.deepEqual(errors, ["handle bad CLIENT_PACKAGE_REJECTED", "handle flaky "]);
  });

  it("treats edXML errors as permanent by default, other errors as transient", () => {
    assert.ok(isPermanentReceiveError(new TrucError("EDXML_XML_MALFORMED", { vi: "x", en: "x" })));
    assert.ok(!isPermanentReceiveError(new TrucError("STORE_UNAVAILABLE", { vi: "x", en: "x" })));
    assert.ok(!isPermanentReceiveError(new ClientError("CLIENT_NETWORK", { operation: "x", reason: "y" })));
    assert.ok(!isPermanentReceiveError(new Error("boom")));
  });

  it("backs off and carries on after list, get and acknowledgement failures", async () => {
    const axis = new FakeAxis();
    axis.add("a");
    axis.failList = 2;
    axis.failGet.add("a");
    axis.failAck = 1;
    const controller = new AbortController();
    axis.onList = () => {
      if (axis.pending.size === 0) controller.abort();
    };
    let handled = 0;
    const stats = await receiveLoop({
      client: axis,
      messageType: "edoc",
      signal: controller.signal,
      ...fast,
      handle: async () => {
        handled++;
      },
    });
    assert.equal(stats.done, 1);
    assert.equal(stats.errors, 4);
    assert.equal(handled, 2, "handled again after the lost acknowledgement: handle must be idempotent");
    assert.deepEqual(axis.log, [
      "list",
      "list",
      "list",
      "get a",
      "list",
      "get a",
      "ack a done",
      "list",
      "get a",
      "ack a done",
      "list",
    ]);
  });

  it("stops while idle, and on a stop request mid-handle still acknowledges that package", async () => {
    const axis = new FakeAxis();
    const idle = new AbortController();
    axis.onList = () => setImmediate(() => idle.abort());
    assert.deepEqual(
      await receiveLoop({
        client: axis,
        messageType: "edoc",
        signal: idle.signal,
        intervalMs: 3_600_000,
        handle: async () => {},
      }),
      { done: 0, failed: 0, errors: 0 },
    );

    const busy = new FakeAxis();
    busy.add("a");
    busy.add("b");
    const controller = new AbortController();
    const stats = await receiveLoop({
      client: busy,
      messageType: "edoc",
      signal: controller.signal,
      intervalMs: 3_600_000,
      handle: async () => {
        controller.abort();
      },
    });
    assert.deepEqual(stats, { done: 1, failed: 0, errors: 0 });
    assert.deepEqual(busy.log, ["list", "get a", "ack a done"]);
  });
});
