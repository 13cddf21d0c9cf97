import {
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  generateKeyPair as generateKeyPairCb,
  type KeyObject,
  type webcrypto,
} from "node:crypto";
import { promisify } from "node:util";
import type { SignatureAlgorithm, Signer } from "@truc/common";
import { PkiError } from "./errors.ts";
import { crypto } from "./setup.ts";

const generateKeyPairAsync = promisify(generateKeyPairCb);

/** Key algorithms the profiles may ask for (the G2 government cards use RSA-3072). */
export type KeyAlgorithm = "RSA-2048" | "RSA-3072" | "ECDSA-P256";
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ["RSA-2048", "RSA-3072", "ECDSA-P256"];

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<KeyPair> {
  switch (algorithm) {
    case "RSA-2048":
    case "RSA-3072":
      return generateKeyPairAsync("rsa", {
        modulusLength: algorithm === "RSA-2048" ? 2048 : 3072,
        publicExponent: 0x10001,
      });
    case "ECDSA-P256":
      return generateKeyPairAsync("ec", { namedCurve: "P-256" });
    default:
      throw new PkiError("PKI_UNSUPPORTED", { what: String(algorithm) });
  }
}

/** The `Signer` algorithm name for a key (RSA → RSA-SHA256, P-256 → ECDSA-P256-SHA256). */
export function signatureAlgorithmOf(key: KeyObject): SignatureAlgorithm {
  if (key.asymmetricKeyType === "rsa") return "RSA-SHA256";
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1")
    return "ECDSA-P256-SHA256";
  throw new PkiError("PKI_UNSUPPORTED", {
    what: `${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ""}`.trim(),
  });
}

export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  if (signatureAlgorithmOf(key) === "ECDSA-P256-SHA256") return "ECDSA-P256";
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits === 2048) return "RSA-2048";
  if (bits === 3072) return "RSA-3072";
  throw new PkiError("PKI_UNSUPPORTED", { what: `RSA-${bits}` });
}

/** WebCrypto import parameters for a key. */
export function webImportAlgorithm(
  key: KeyObject,
): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  return signatureAlgorithmOf(key) === "RSA-SHA256"
    ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }
    : { name: "ECDSA", namedCurve: "P-256" };
}

/** WebCrypto signing parameters for @peculiar/x509 generators. */
export function webSigningAlgorithm(key: KeyObject): webcrypto.Algorithm | webcrypto.EcdsaParams {
  return signatureAlgorithmOf(key) === "RSA-SHA256"
    ? ({ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as webcrypto.Algorithm)
    : ({ name: "ECDSA", hash: "SHA-256" } as webcrypto.EcdsaParams);
}

export async function toWebPrivateKey(key: KeyObject): Promise<webcrypto.CryptoKey> {
  const der = key.export({ type: "pkcs8", format: "der" });
  return crypto.subtle.importKey("pkcs8", der, webImportAlgorithm(key), false, ["sign"]);
}

export async function toWebPublicKey(key: KeyObject): Promise<webcrypto.CryptoKey> {
  const der = key.export({ type: "spki", format: "der" });
  return crypto.subtle.importKey("spki", der, webImportAlgorithm(key), true, ["verify"]);
}

/**
 * Standard encrypted PKCS#8 (PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC), the form
 * `openssl pkey -in key.pem` reads with `-passin`.
 */
export function encryptPrivateKey(key: KeyObject, passphrase: string): string {
  if (!passphrase) throw new PkiError("PKI_BAD_REQUEST", { what: "empty passphrase" });
  return key.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase }) as string;
}

export function decryptPrivateKey(pem: string | Buffer, passphrase: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: "pem", passphrase });
  } catch (error) {
    throw new PkiError("PKI_BAD_PASSPHRASE", undefined, { cause: error });
  }
}

export function publicKeyOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}

/** Raw signature with SHA-256 (RSA PKCS#1 v1.5, or DER ECDSA-Sig-Value). */
export function signBytes(privateKey: KeyObject, data: Uint8Array): Buffer {
  return cryptoSign("sha256", data, privateKey);
}

/** A `Signer` over a software key held in memory. */
export function createSoftwareSigner(
  privateKey: KeyObject,
  certificate: Uint8Array,
  chain: readonly Uint8Array[] = [],
): Signer {
  const algorithm = signatureAlgorithmOf(privateKey);
  return {
    algorithm,
    certificate,
    chain,
    sign: async (data) => new Uint8Array(signBytes(privateKey, data)),
  };
}
