/**
 * PKCS#12 export/import readable by `openssl pkcs12` (and OpenSSL 3 defaults on import):
 * the key is a PKCS8ShroudedKeyBag (PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC), certificates
 * are CertBags, integrity is an HMAC-SHA256 MAC with the PKCS#12 key derivation.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import { asn1js, digest, pkijsCertificate } from "./asn1.ts";
import { type Bytes, toArrayBuffer } from "./der.ts";
import { PkiError } from "./errors.ts";
import { pkijs } from "./setup.ts";

const BAG = {
  shroudedKey: "1.2.840.113549.1.12.10.1.2",
  cert: "1.2.840.113549.1.12.10.1.3",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  friendlyName: "1.2.840.113549.1.9.20",
  localKeyId: "1.2.840.113549.1.9.21",
} as const;

export interface Pkcs12Contents {
  privateKey: KeyObject;
  certificate: Buffer;
  chain: Buffer[];
}

/** Only ASCII passwords: the PKCS#12 MAC key derivation and PBES2 disagree on other text. */
function checkPassword(password: string): void {
  if (!password || !/^[\x20-\x7e]+$/.test(password))
    throw new PkiError("PKI_BAD_REQUEST", { what: "PKCS#12 passwords must be non-empty printable ASCII" });
}

export async function exportPkcs12(o: {
  privateKey: KeyObject;
  certificate: Bytes;
  chain?: readonly Bytes[];
  password: string;
  friendlyName?: string;
  iterations?: number;
}): Promise<Buffer> {
  checkPassword(o.password);
  const iterations = o.iterations ?? 10_000;
  const encryptedKey = o.privateKey.export({
    type: "pkcs8",
    format: "der",
    cipher: "aes-256-cbc",
    passphrase: o.password,
  });
  const localKeyId = digest("sha1", o.certificate);
  const attributes = [
    new pkijs.Attribute({
      type: BAG.localKeyId,
      values: [new asn1js.OctetString({ valueHex: toArrayBuffer(localKeyId) })],
    }),
    ...(o.friendlyName
      ? [
          new pkijs.Attribute({
            type: BAG.friendlyName,
            values: [new asn1js.BmpString({ value: o.friendlyName })],
          }),
        ]
      : []),
  ];
  const keyBag = new pkijs.SafeBag({
    bagId: BAG.shroudedKey,
    bagValue: pkijs.PKCS8ShroudedKeyBag.fromBER(toArrayBuffer(encryptedKey)),
    bagAttributes: attributes,
  });
  const certBags = [o.certificate, ...(o.chain ?? [])].map(
    (der, i) =>
      new pkijs.SafeBag({
        bagId: BAG.cert,
        bagValue: new pkijs.CertBag({ parsedValue: pkijsCertificate(der) }),
        ...(i === 0 ? { bagAttributes: attributes } : {}),
      }),
  );
  const authenticatedSafe = new pkijs.AuthenticatedSafe({
    parsedValue: {
      safeContents: [
        { privacyMode: 0, value: new pkijs.SafeContents({ safeBags: certBags }) },
        { privacyMode: 0, value: new pkijs.SafeContents({ safeBags: [keyBag] }) },
      ],
    },
  });
  await authenticatedSafe.makeInternalValues({ safeContents: [{}, {}] });
  const pfx = new pkijs.PFX({ parsedValue: { integrityMode: 0, authenticatedSafe } });
  await pfx.makeInternalValues({
    password: toArrayBuffer(Buffer.from(o.password, "utf8")),
    iterations,
    pbkdf2HashAlgorithm: "SHA-256",
    hmacHashAlgorithm: "SHA-256",
  });
  return Buffer.from(pfx.toSchema().toBER());
}

export async function importPkcs12(data: Bytes, password: string): Promise<Pkcs12Contents> {
  checkPassword(password);
  const pass = toArrayBuffer(Buffer.from(password, "utf8"));
  let pfx: pkijs.PFX;
  try {
    pfx = pkijs.PFX.fromBER(toArrayBuffer(data));
  } catch {
    throw new PkiError("PKI_MALFORMED", { what: "PKCS#12" });
  }
  try {
    await pfx.parseInternalValues({ password: pass, checkIntegrity: true });
  } catch (error) {
    throw new PkiError("PKI_BAD_PASSPHRASE", undefined, { cause: error });
  }
  const safe = pfx.parsedValue?.authenticatedSafe as pkijs.AuthenticatedSafe | undefined;
  if (!safe) throw new PkiError("PKI_MALFORMED", { what: "PKCS#12 without AuthenticatedSafe" });
  await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password: pass })) });
  const bags: pkijs.SafeBag[] = (safe.parsedValue.safeContents as { value: pkijs.SafeContents }[]).flatMap(
    (c) => c.value.safeBags,
  );
  let privateKey: KeyObject | undefined;
  let keyId: Buffer | undefined;
  const certs: { der: Buffer; id?: Buffer }[] = [];
  const idOf = (bag: pkijs.SafeBag) => {
    const a = bag.bagAttributes?.find((x) => x.type === BAG.localKeyId);
    const v = a?.values[0] as asn1js.OctetString | undefined;
    return v ? Buffer.from(v.valueBlock.valueHexView) : undefined;
  };
  for (const bag of bags) {
    if (bag.bagId === BAG.shroudedKey) {
      const der = Buffer.from((bag.bagValue as pkijs.PKCS8ShroudedKeyBag).toSchema().toBER());
      try {
        privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8", passphrase: password });
      } catch (error) {
        throw new PkiError("PKI_BAD_PASSPHRASE", undefined, { cause: error });
      }
      keyId = idOf(bag);
    } else if (bag.bagId === BAG.cert) {
      const certBag = bag.bagValue as pkijs.CertBag;
      if (certBag.certId !== BAG.x509Certificate) continue;
      const der = Buffer.from((certBag.parsedValue as pkijs.Certificate).toSchema().toBER());
      const id = idOf(bag);
      certs.push({ der, ...(id ? { id } : {}) });
    }
  }
  if (!privateKey) throw new PkiError("PKI_MALFORMED", { what: "PKCS#12 without a private key" });
  const leafIndex = Math.max(0, keyId ? certs.findIndex((c) => c.id?.equals(keyId!)) : 0);
  const leaf = certs[leafIndex];
  if (!leaf) throw new PkiError("PKI_MALFORMED", { what: "PKCS#12 without a certificate" });
  return {
    privateKey,
    certificate: leaf.der,
    chain: certs.filter((_, i) => i !== leafIndex).map((c) => c.der),
  };
}
