/**
 * XML-DSig for edXML packages: enveloped signature over the whole package (Reference URI=""),
 * exclusive C14N, SHA-256, RSA-SHA256 or ECDSA P-256, as the last child of edXMLHeader.
 *
 * - `signEdxml(raw, signer, { replaceExisting })`: splices the signature into the bytes.
 * - `verifyEdxml(raw | stream, { trust, policy, at })`: strict, streaming; trust comes only from
 *   the TrustCallback; returns the SHA-256 of the exact bytes verified.
 * - `forwardEdxml(raw | stream, { hop, signer })`: an axis node's TraceHeader + re-signature as
 *   splices, and the received signature's verdict, in one streaming pass.
 * - `verifyEdxmlDom`: the generic DOM + xml-crypto path (test oracle and benchmark baseline).
 */
export { derToP1363 } from "./algorithms.ts";
export type { EdxmlSplice, TraceHop } from "./engine.ts";
export { type ForwardedPackage, type ForwardOptions, forwardEdxml } from "./forward.ts";
export { type SignOptions, signEdxml } from "./sign.ts";
export {
  type VerifyOptions,
  type VerifyPolicy,
  type VerifyResult,
  type VerifyStatus,
  verifyEdxml,
} from "./verify.ts";
