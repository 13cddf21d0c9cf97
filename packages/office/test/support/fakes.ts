/**
 * Test doubles for the ports whose real packages are not wired in yet: an in-memory axis
 * (instead of SdkvxpClient against a running axis node) and a signer that appends markers
 * (instead of PAdES). Packages themselves are real edXML (@truc/edxml).
 */
import type {
  AxisGateway,
  AxisMessage,
  DocumentConverter,
  DocumentSigner,
  MessageKind,
  Organization,
  SignatureReport,
  SignatureValidator,
} from "../../src/ports.ts";

/** An axis with one mailbox per agency and kind; `send` copies to every recipient. */
export class InMemoryAxis implements AxisGateway {
  private next = 1;
  readonly mailboxes = new Map<string, AxisMessage[]>();
  readonly sent: { from: string; kind: MessageKind; to: string[]; id: string }[] = [];
  readonly directoryEntries: Organization[] = [];

  async send(input: { agencyCode: string; kind: MessageKind; to: string[]; bytes: Buffer }) {
    const id = `axis-${this.next++}`;
    this.sent.push({ from: input.agencyCode, kind: input.kind, to: input.to, id });
    for (const to of input.to) {
      const key = `${to}|${input.kind}`;
      const box = this.mailboxes.get(key) ?? [];
      box.push({ id: `${id}-${to}`, bytes: Buffer.from(input.bytes) });
      this.mailboxes.set(key, box);
    }
    return { id };
  }
  async receive(input: { agencyCode: string; kind: MessageKind }) {
    return [...(this.mailboxes.get(`${input.agencyCode}|${input.kind}`) ?? [])];
  }
  async acknowledge(input: { agencyCode: string; kind: MessageKind; id: string }) {
    const key = `${input.agencyCode}|${input.kind}`;
    this.mailboxes.set(
      key,
      (this.mailboxes.get(key) ?? []).filter((m) => m.id !== input.id),
    );
  }
  /** Re-delivers a message (at-least-once transport) to test de-duplication. */
  redeliver(agencyCode: string, kind: MessageKind, message: AxisMessage) {
    const key = `${agencyCode}|${kind}`;
    this.mailboxes.set(key, [...(this.mailboxes.get(key) ?? []), message]);
  }
  async directory() {
    return this.directoryEntries;
  }
}

const PERSONAL = "%truc-test-personal-signature:";
const SEAL = "%truc-test-organisation-signature:";

/** Appends visible-signature markers instead of PAdES signatures. */
export const markerSigner: DocumentSigner = {
  async signPersonal({ pdf, signer }) {
    return Buffer.concat([pdf, Buffer.from(`\n${PERSONAL}${signer.competence}|${signer.fullName}\n`)]);
  },
  async signOrganisation({ pdf, organName, code }) {
    return Buffer.concat([pdf, Buffer.from(`\n${SEAL}${organName}|${code}\n`)]);
  },
};

export const markerValidator: SignatureValidator = {
  async validate(pdf): Promise<SignatureReport> {
    const text = pdf.toString("latin1");
    const signatures = [
      ...[...text.matchAll(/%truc-test-personal-signature:(.*)\n/g)].map((m) => ({
        signer: m[1]!,
        status: "valid" as const,
      })),
      ...[...text.matchAll(/%truc-test-organisation-signature:(.*)\n/g)].map((m) => ({
        signer: m[1]!,
        status: "valid" as const,
      })),
    ];
    return { status: signatures.length === 0 ? "unsigned" : "valid", signatures };
  },
};

export const noConverter: DocumentConverter = {
  async available() {
    return false;
  },
  async toPdf() {
    throw new Error("unreachable");
  },
};

export const SAMPLE_PDF = Buffer.from("%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
