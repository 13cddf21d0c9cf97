/**
 * A `Signer` over a PEM private key and certificate held in memory (the node's own TLS
 * identity). Hardware-backed keys come from @truc/pki key stores through the same interface.
 */
import { createPrivateKey, sign as cryptoSign, X509Certificate } from "node:crypto";
import type { Signer } from "@truc/common";

export function pemCertificatesToDer(pem: string): Uint8Array[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new Uint8Array(new X509Certificate(b).raw));
}

export function createPemSigner(keyPem: string, certPem: string): Signer {
  const key = createPrivateKey(keyPem);
  const [leaf, ...chain] = pemCertificatesToDer(certPem);
  if (!leaf) throw new Error("no certificate in PEM");
  const type = key.asymmetricKeyType;
  if (type !== "rsa" && type !== "ec") throw new Error(`unsupported node key type ${type}`);
  return {
    algorithm: type === "rsa" ? "RSA-SHA256" : "ECDSA-P256-SHA256",
    certificate: leaf,
    chain,
    // With a callback, the private-key operation (~0.25 ms for RSA-2048) runs on libuv's
    // thread pool instead of the event loop that serves every request.
    sign: (data: Uint8Array) =>
      new Promise<Uint8Array>((resolve, reject) =>
        cryptoSign("sha256", data, key, (error, signature) =>
          error ? reject(error) : resolve(new Uint8Array(signature)),
        ),
      ),
  };
}
