/**
 * Forwarding lanes: province A's node holds packages of three sender agencies for the national
 * node, and forwards them through a recording transport (not the network) on a stopped clock.
 * Several senders' packages are in flight at once, each sender's go one at a time and arrive
 * in the order they were sent, and a failure holds back only the failing sender's later
 * packages (in this round and in the next claims) until its retry succeeds.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { describeEachDialect } from "@truc/store/testing";
import { claimOutbox } from "../src/repositories/outbox-repository.ts";
import { forwardOutbox } from "../src/services/forward-outbox.ts";
import type { PeerTransport } from "../src/services/peer-transport.ts";
import type { NodeContext } from "../src/services/ports.ts";
import { call } from "./support/https.ts";
import { edocXml } from "./support/packages.ts";
import type { Identity } from "./support/pki.ts";
import { startTopology, type Topology } from "./support/topology.ts";

const SENDERS = ["H29.12", "H29.13", "H29.14"] as const;
const PER_SENDER = 4;
const HOUR = 3_600_000;

/** A neighbour that records what reaches it, de-duplicates by package id as a node does, and
 * refuses the first attempt of the packages in `failOnce`. */
class RecordingTransport implements PeerTransport {
  readonly calls: string[] = [];
  readonly arrived = new Map<string, string[]>();
  inFlight = 0;
  maxInFlight = 0;
  readonly perSender = new Map<string, number>();
  readonly overlaps: string[] = [];
  private barrier: { size: number; waiting: (() => void)[] } | undefined;

  constructor(
    private readonly senderOf: ReadonlyMap<string, string>,
    private readonly failOnce: Set<string>,
  ) {}

  /**
   * The next `size` requests are held until all of them are in flight together (or, so that a
   * sender that sends one at a time fails the test instead of hanging it, for 10 s).
   */
  holdUntilConcurrent(size: number): void {
    const barrier = { size, waiting: [] as (() => void)[] };
    this.barrier = barrier;
    setTimeout(() => this.release(barrier), 10_000).unref();
  }

  private release(barrier: { waiting: (() => void)[] }): void {
    if (this.barrier === barrier) this.barrier = undefined;
    for (const resume of barrier.waiting.splice(0)) resume();
  }

  async sendPackage(_nodeId: string, pkg: { packageId: string }) {
    const sender = this.senderOf.get(pkg.packageId)!;
    this.calls.push(pkg.packageId);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const mine = (this.perSender.get(sender) ?? 0) + 1;
    this.perSender.set(sender, mine);
    if (mine > 1) this.overlaps.push(`${sender}: ${pkg.packageId}`);
    try {
      const barrier = this.barrier;
      if (barrier) {
        await new Promise<void>((resolve) => {
          barrier.waiting.push(resolve);
          if (barrier.waiting.length === barrier.size) this.release(barrier);
        });
      } else {
        await new Promise((r) => setImmediate(r));
      }
      if (this.failOnce.delete(pkg.packageId)) throw new Error("connection reset by the test neighbour");
      const list = this.arrived.get(sender) ?? [];
      const duplicate = list.includes(pkg.packageId);
      if (!duplicate) list.push(pkg.packageId);
      this.arrived.set(sender, list);
      return { packageId: pkg.packageId, duplicate };
    } finally {
      this.inFlight--;
      this.perSender.set(sender, this.perSender.get(sender)! - 1);
    }
  }

  async fetchDirectory(): Promise<never> {
    throw new Error("not used");
  }

  async publishSeal(): Promise<never> {
    throw new Error("not used");
  }

  async fetchHeldSeal(): Promise<never> {
    throw new Error("not used");
  }

  close(): void {}
}

describeEachDialect("axis: forwarding lanes per neighbour, one sender at a time", (ctx) => {
  let t: Topology;
  let other: Identity;
  const sentBy = new Map<string, string[]>(SENDERS.map((s) => [s, []]));
  const senderOf = new Map<string, string>();
  let now = 0;
  let context: NodeContext;
  let neighbour: RecordingTransport;
  let failing: string;

  const send = async (from: string, n: number) => {
    const res = await call(
      t.a.url,
      from === "H29.12" ? t.clientA : other,
      t.pki.caPem,
      "POST",
      "/v1/packages",
      edocXml({ from, to: ["H41.05"], documentId: `${from},2025/03/05,${n}/LANE` }),
    );
    assert.equal(res.status, 201, JSON.stringify(res.json));
    sentBy.get(from)!.push(res.json.packageId);
    senderOf.set(res.json.packageId, from);
    return res.json.packageId as string;
  };

  before(async () => {
    t = await startTopology(ctx);
    other = t.pki.issue("qlvb-h29-other");
    await t.a.registerAgency({
      code: "H29.13",
      code102: "000.00.13.H29",
      name: "Sở Tài chính",
      parentCode: "H29",
    });
    await t.a.registerAgency({
      code: "H29.14",
      code102: "000.00.14.H29",
      name: "Sở Y tế",
      parentCode: "H29",
    });
    await t.a.connectSystem({
      systemId: "qlvb-h29-other",
      certFingerprint: other.fingerprint,
      agencyCodes: ["H29.13", "H29.14"],
    });
    // Sent one at a time, interleaved: each sender's order is the order of its own sends.
    for (let i = 0; i < PER_SENDER; i++) for (const from of SENDERS) await send(from, 10 + i);
    failing = sentBy.get("H29.12")![1]!;
    // The node's own context on a clock that only moves when the test says so, with a back-off
    // of at least half an hour, so a failed package waits until the test moves the clock.
    now = Date.now();
    const { config } = t.a.context;
    context = {
      ...t.a.context,
      clock: { now: () => new Date(now) },
      config: { ...config, federation: { ...config.federation, backoffBaseMs: HOUR, backoffMaxMs: HOUR } },
    };
    neighbour = new RecordingTransport(senderOf, new Set([failing]));
  });
  after(async () => {
    await t?.close();
  });

  it("several senders in flight at once; a failure holds back only its own sender's later packages", async () => {
    assert.equal(t.a.config.federation.inFlightPerNeighbour, 8);
    neighbour.holdUntilConcurrent(SENDERS.length);
    const result = await forwardOutbox(context, neighbour, { keepGoing: () => true });

    assert.equal(neighbour.maxInFlight, SENDERS.length, "one request per sender at once");
    assert.deepEqual(neighbour.overlaps, [], "never two packages of one sender at once");
    assert.deepEqual(result, { sent: 2 * PER_SENDER + 1, failed: 1 });
    for (const from of ["H29.13", "H29.14"])
      assert.deepEqual(neighbour.arrived.get(from), sentBy.get(from), `${from}: all, in order`);
    const first = sentBy.get("H29.12")!;
    assert.deepEqual(neighbour.arrived.get("H29.12"), [first[0]], "H29.12 stops at its failed package");
    assert.deepEqual(
      neighbour.calls.filter((id) => senderOf.get(id) === "H29.12"),
      first.slice(0, 2),
      "nothing of H29.12 sent after the failure",
    );

    const rows = await t.a.context.db.kysely
      .selectFrom("axis_outbox")
      .select(["package_id", "state", "last_error", "next_attempt_at"])
      .where("package_id", "in", first)
      .execute();
    const row = (id: string) => rows.find((r) => r.package_id === id)!;
    assert.equal(row(first[0]!).state, "sent");
    assert.match(row(failing).last_error ?? "", /connection reset/);
    for (const id of first.slice(2)) {
      assert.equal(row(id).state, "pending");
      assert.equal(row(id).last_error, "waiting behind an earlier package");
      assert.equal(Number(row(id).next_attempt_at), Number(row(failing).next_attempt_at));
    }
  });

  it("while H29.12 waits for its retry, another sender's new package is claimed and sent", async () => {
    const late = await send("H29.13", 20);
    now = Date.now();
    const claimed = await t.a.context.db.transaction((trx) =>
      claimOutbox(trx, t.a.context.db.dialect, { now, leaseUntil: now + 1, limit: 16 }),
    );
    // Only the new package: H29.12's rows are due in half an hour at the earliest.
    assert.deepEqual(
      claimed.map((c) => [c.packageId, c.sender]),
      [[late, "H29.13"]],
    );
    now += 2; // the lease of that test claim runs out
    const result = await forwardOutbox(context, neighbour);
    assert.deepEqual(result, { sent: 1, failed: 0 });
    assert.equal(neighbour.arrived.get("H29.13")!.at(-1), late);
    assert.equal(neighbour.arrived.get("H29.12")!.length, 1);
  });

  it("after the back-off, H29.12's packages arrive in the order sent, the failed one first, once each", async () => {
    now += HOUR + 1;
    const result = await forwardOutbox(context, neighbour, { keepGoing: () => true });
    assert.deepEqual(result, { sent: PER_SENDER - 1, failed: 0 });
    const first = sentBy.get("H29.12")!;
    assert.deepEqual(neighbour.arrived.get("H29.12"), first, "in the order sent");
    assert.deepEqual(
      neighbour.calls.filter((id) => senderOf.get(id) === "H29.12"),
      [first[0], first[1], ...first.slice(1)],
      "the failed package retried, then the ones behind it",
    );
    assert.deepEqual(neighbour.overlaps, []);
    const pending = await t.a.context.db.kysely
      .selectFrom("axis_outbox")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("state", "=", "pending")
      .executeTakeFirstOrThrow();
    assert.equal(Number(pending.n), 0);
    // Every hop recorded once in the evidence log, which verifies.
    const report = await t.a.verifyEvidenceLog();
    assert.equal(report.ok, true, JSON.stringify(report));
    const hops = await t.a.context.db.kysely
      .selectFrom("axis_evidence")
      .select(["package_id"])
      .where("kind", "=", "forward")
      .execute();
    assert.equal(hops.length, SENDERS.length * PER_SENDER + 1);
    assert.equal(new Set(hops.map((h) => h.package_id)).size, hops.length);
  });
});
