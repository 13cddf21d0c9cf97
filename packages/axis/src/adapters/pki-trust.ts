/**
 * Package-signature trust through @truc/pki: path validation to the configured anchors, with
 * revocation from OCSP (cached) or CRLs. Revocation data that cannot be obtained gives
 * "indeterminate", which the accept pipeline refuses under the "require" policy.
 */
import type { TrustCallback } from "@truc/common";
import { createTrustCallback } from "@truc/pki";
import type { NodeConfig } from "../config.ts";

/** A PEM entry may be a bundle: one string per certificate. */
function certificates(pems: readonly string[]): string[] {
  return pems.flatMap((p) => p.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []);
}

export function createNodeTrust(config: NodeConfig): TrustCallback | undefined {
  const anchors = config.trust.anchors.length > 0 ? config.trust.anchors : (config.tls?.ca ?? []);
  if (certificates(anchors).length === 0) return undefined;
  return createTrustCallback({
    trustAnchors: certificates(anchors),
    intermediates: certificates(config.trust.intermediates),
    revocation: {
      mode: config.trust.revocation,
      ...(config.trust.ocspUrl ? { ocspUrl: config.trust.ocspUrl } : {}),
      crls: [...config.trust.crls],
      timeoutMs: 5000,
    },
  });
}
