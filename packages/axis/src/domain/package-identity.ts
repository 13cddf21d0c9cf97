import { createHash } from "node:crypto";

/**
 * De-duplication key of a package accepted from an agency (spec: "do not send the same
 * document several times"). It is the SHA-256 over
 *   kind · sender code · DocumentId (ResponseFor/DocumentId for statuses) · business type
 *   (BussinessDocType, or the status code) · SHA-256 of the raw bytes.
 * The raw digest alone already identifies a byte-identical resend (the usual case: a client
 * retrying after a lost answer); the other fields keep the key readable in incidents and make
 * a collision across senders impossible even for identical bytes. A *rebuilt* package (new
 * TraceHeader timestamp) is a new package on purpose: the sender decided to send again.
 * Packages that arrive from another node are de-duplicated by their network-wide package id.
 */
export function packageIdentityKey(input: {
  kind: "edoc" | "status";
  sender: string;
  documentId: string;
  businessType: string;
  rawSha256: string;
}): string {
  return createHash("sha256")
    .update([input.kind, input.sender, input.documentId, input.businessType, input.rawSha256].join("\u001f"))
    .digest("hex");
}
