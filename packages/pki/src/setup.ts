/**
 * One place that prepares the two ASN.1 libraries. @peculiar/x509 2.x resolves its services
 * through tsyringe, which throws unless reflect-metadata is loaded first (x509#57); both
 * libraries get Node's WebCrypto explicitly instead of guessing a global.
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import * as pkijs from "pkijs";

const crypto: webcrypto.Crypto = webcrypto;
// both libraries are typed against the DOM `Crypto`, which Node's WebCrypto implements
x509.cryptoProvider.set(crypto as never);
pkijs.setEngine("node", new pkijs.CryptoEngine({ name: "node", crypto: crypto as never }));

export { crypto, pkijs, x509 };
