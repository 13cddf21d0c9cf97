/**
 * Messages between the accept pipeline (main thread) and its CPU workers. A job carries the
 * received bytes; the worker parses and validates them, verifies the signature and builds the
 * forwarded form (TraceHeader + node signature). Trust decisions and the node key stay on the
 * main thread (they are ports: a PKI with caches and network, an HSM): the worker asks for them
 * with `call` messages and waits for the `reply`.
 */
import type { TrustVerdict } from "@truc/common";
import type { ParseLimits, VerifyResult } from "@truc/edxml";
import type { Splice } from "../domain/splice.ts";
import type { ParsedPackage } from "../services/ports.ts";

export interface PipelineJob {
  raw: Uint8Array;
  limits: Partial<ParseLimits>;
  /** Verification time and this hop's TraceHeader time. */
  at: number;
  organId: string;
  /** The node's signing identity (the key stays on the main thread); absent: not re-signed. */
  signer?: { algorithm: "RSA-SHA256" | "ECDSA-P256-SHA256"; certificate: Uint8Array; chain: Uint8Array[] };
  /** Verify the package signature (ask the main thread for the trust verdict). */
  verify: boolean;
}

/** An error crossing the thread boundary: TrucErrors keep their class, code and details. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: WireError };

export interface PipelineOutcome {
  parsed: ParsedPackage;
  verification?: Settled<VerifyResult>;
  forward: Settled<{ splices: Splice[]; size: number; sha256: string }>;
}

export type ToWorker =
  | { type: "job"; id: number; job: PipelineJob }
  | { type: "reply"; id: number; result: Settled<unknown> };

export type FromWorker =
  | { type: "ready" }
  | { type: "done"; id: number; result: Settled<PipelineOutcome> }
  | {
      type: "call";
      id: number;
      job: number;
      method: "trust";
      args: { certificate: Uint8Array; candidates: Uint8Array[]; at: number };
    }
  | { type: "call"; id: number; job: number; method: "sign"; args: { data: Uint8Array } };

export type TrustReply = TrustVerdict;
