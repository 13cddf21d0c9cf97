import type * as pkijs from "pkijs";

export const ATTR = {
  commonName: "2.5.4.3",
  surname: "2.5.4.4",
  serialNumber: "2.5.4.5",
  country: "2.5.4.6",
  locality: "2.5.4.7",
  organization: "2.5.4.10",
  organizationalUnit: "2.5.4.11",
  title: "2.5.4.12",
  givenName: "2.5.4.42",
  pseudonym: "2.5.4.65",
  email: "1.2.840.113549.1.9.1",
  uid: "0.9.2342.19200300.100.1.1",
} as const;

const SHORT: Record<string, string> = {
  [ATTR.commonName]: "CN",
  [ATTR.surname]: "SN",
  [ATTR.serialNumber]: "serialNumber",
  [ATTR.country]: "C",
  [ATTR.locality]: "L",
  [ATTR.organization]: "O",
  [ATTR.organizationalUnit]: "OU",
  [ATTR.title]: "T",
  [ATTR.givenName]: "GN",
  [ATTR.pseudonym]: "pseudonym",
  [ATTR.email]: "E",
  [ATTR.uid]: "UID",
  "2.5.4.8": "ST",
};

export function attributeValues(name: pkijs.RelativeDistinguishedNames, oid: string): string[] {
  return name.typesAndValues
    .filter((tv) => tv.type === oid)
    .map((tv) => String((tv.value.valueBlock as { value?: unknown }).value ?? "").normalize("NFC"));
}

export function commonName(name: pkijs.RelativeDistinguishedNames): string | undefined {
  return attributeValues(name, ATTR.commonName)[0];
}

/** RFC 4514-like, most significant first as Vietnamese CA documentation writes it (C=VN, …, CN=…). */
export function formatName(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map(
      (tv) =>
        `${SHORT[tv.type] ?? tv.type}=${String((tv.value.valueBlock as { value?: unknown }).value ?? "").normalize("NFC")}`,
    )
    .join(", ");
}
