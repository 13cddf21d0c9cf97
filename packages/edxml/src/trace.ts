/**
 * Appending a routing hop (`TraceHeader`) to a package, as every axis/LGSP node does (spec §2.3).
 * Only the new element is inserted, after the last existing TraceHeader (or at the start of
 * TraceHeaderList); every other byte is kept. The package signature must then be renewed.
 * The streaming form holds back only the bytes up to the end of TraceHeaderList (the header);
 * everything after it, attachments included, passes through chunk by chunk (still scanned, so
 * a malformed package is refused).
 */

import { type TraceHop, traceHeaderXml } from "./dsig/engine.ts";
import { EdxmlError } from "./errors.ts";
import { type ScanHandler, type ScanLimits, XmlScanner } from "./xml/scanner.ts";

export type { TraceHop };

interface Location {
  /** Absolute offset where the new element goes. */
  at: number;
  prefix: string;
  /** For a self-closing TraceHeaderList: the start tag range and qname, to expand it. */
  selfClosing?: { start: number; end: number; qname: string };
}

function locator(): { handler: ScanHandler; result: () => Location | null; done: () => boolean } {
  const path: string[] = [];
  let listDepth = -1;
  let location: Location | null = null;
  let finished = false;
  const handler: ScanHandler = {
    startElement(tag) {
      path.push(tag.localName.toLowerCase());
      if (finished || listDepth !== -1) return;
      if (
        tag.localName.toLowerCase() === "traceheaderlist" &&
        path.length === 4 &&
        path[1] === "edxmlenvelope" &&
        path[2] === "edxmlheader"
      ) {
        listDepth = tag.depth;
        location = { at: tag.end, prefix: tag.prefix };
        if (tag.selfClosing) {
          location.selfClosing = { start: tag.start, end: tag.end, qname: tag.qname };
        }
      }
    },
    endElement(tag) {
      path.pop();
      if (finished || listDepth === -1) return;
      if (tag.depth === listDepth + 1 && tag.localName.toLowerCase() === "traceheader" && location) {
        location = { at: tag.end, prefix: tag.prefix };
      }
      if (tag.depth === listDepth) finished = true;
    },
  };
  return { handler, result: () => location, done: () => finished };
}

/** The replacement for bytes [from, to) of the package. */
function insertion(location: Location, hop: TraceHop, raw: (start: number, end: number) => Buffer) {
  const xml = traceHeaderXml(hop, location.prefix);
  if (location.selfClosing) {
    const { start, end, qname } = location.selfClosing;
    const tag = raw(start, end)
      .toString("utf8")
      .replace(/\s*\/>$/, ">");
    return { from: start, to: end, bytes: Buffer.from(`${tag}${xml}</${qname}>`, "utf8") };
  }
  return { from: location.at, to: location.at, bytes: Buffer.from(xml, "utf8") };
}

/** Buffer form: returns a new Buffer with the hop inserted; the input is not modified. */
export function appendTraceHeader(raw: Buffer, hop: TraceHop, limits?: Partial<ScanLimits>): Buffer {
  const loc = locator();
  const scanner = new XmlScanner(loc.handler, limits);
  scanner.whole = raw;
  scanner.write(raw);
  scanner.end();
  const location = loc.result();
  if (!location)
    throw new EdxmlError("EDXML_TRACE_INSERT", { reason: "no edXMLEnvelope/edXMLHeader/TraceHeaderList" });
  const { from, to, bytes } = insertion(location, hop, (s, e) => raw.subarray(s, e));
  return Buffer.concat([raw.subarray(0, from), bytes, raw.subarray(to)]);
}

/** Streaming form: yields the package with the hop inserted. */
export async function* appendTraceHeaderStream(
  input: AsyncIterable<Uint8Array>,
  hop: TraceHop,
  limits?: Partial<ScanLimits> & { maxHeaderBytes?: number },
): AsyncGenerator<Buffer> {
  const maxHeader = limits?.maxHeaderBytes ?? 16 * 1024 * 1024;
  const loc = locator();
  const scanner = new XmlScanner(loc.handler, limits);
  let held: Buffer[] = [];
  let heldBytes = 0;
  let emitted = false;
  for await (const raw of input) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
    if (emitted) {
      scanner.write(chunk);
      yield chunk;
      continue;
    }
    held.push(Buffer.from(chunk));
    heldBytes += chunk.length;
    scanner.write(chunk);
    if (loc.done()) {
      const head = Buffer.concat(held);
      held = [];
      const { from, to, bytes } = insertion(loc.result()!, hop, (s, e) => head.subarray(s, e));
      yield Buffer.concat([head.subarray(0, from), bytes, head.subarray(to)]);
      emitted = true;
    } else if (heldBytes > maxHeader) {
      throw new EdxmlError("EDXML_TRACE_INSERT", {
        reason: `TraceHeaderList not found in the first ${maxHeader} bytes`,
      });
    }
  }
  scanner.end();
  if (!emitted)
    throw new EdxmlError("EDXML_TRACE_INSERT", { reason: "no edXMLEnvelope/edXMLHeader/TraceHeaderList" });
}
