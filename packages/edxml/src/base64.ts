/**
 * Strict streaming base64 decoder for attachment content: standard alphabet only, padding only in
 * the final quantum, whitespace (space, tab, CR, LF) tolerated anywhere, a truncated final quantum
 * rejected. Node's own decoder is lenient (skips junk, accepts base64url); see `push` for how
 * strictness is kept at decode speed.
 */
import { EdxmlError } from "./errors.ts";

const WHITESPACE = /[ \t\r\n]/;
const WHITESPACE_ALL = /[ \t\r\n]+/g;
const NOT_ALPHABET = /[^A-Za-z0-9+/]/;
const NOT_ALPHABET_OR_PAD = /[^A-Za-z0-9+/=]/;

export class Base64Decoder {
  private carry = "";
  private padded = false;
  private readonly contentId: string;

  constructor(contentId: string) {
    this.contentId = contentId;
  }

  private fail(reason: string): EdxmlError {
    return new EdxmlError("EDXML_ATTACHMENT_BASE64", { contentId: this.contentId, reason });
  }

  /**
   * Decodes the complete quanta of `text` (plus any carried characters); returns the bytes.
   * `mayHaveWhitespace = false` skips the whitespace scan when the caller already knows.
   */
  push(text: string, mayHaveWhitespace = true): Buffer {
    let s = mayHaveWhitespace && WHITESPACE.test(text) ? text.replace(WHITESPACE_ALL, "") : text;
    if (s.length === 0) return EMPTY;
    if (this.padded) throw this.fail("data after the padding");
    if (this.carry) {
      s = this.carry + s;
      this.carry = "";
    }
    const full = s.length - (s.length % 4);
    if (full < s.length) this.carry = s.slice(full);
    if (full === 0) {
      this.check(this.carry, NOT_ALPHABET_OR_PAD);
      return EMPTY;
    }
    const quanta = full === s.length ? s : s.slice(0, full);
    const eq = quanta.indexOf("=");
    let pad = 0;
    if (eq !== -1) {
      pad = full - eq;
      if (pad > 2 || (pad === 2 && quanta[full - 1] !== "=")) throw this.fail("misplaced padding");
      if (this.carry) throw this.fail("data after the padding");
      this.padded = true;
    }
    if (this.carry) this.check(this.carry, NOT_ALPHABET_OR_PAD);
    const out = Buffer.from(quanta, "base64");
    // Fast strictness check: Node's decoder skips characters outside the alphabet, so any such
    // character makes the output shorter than the quanta promise; base64url's '-' and '_', which
    // Node accepts, are looked for explicitly. (A regex over the alphabet runs at ~200 MB/s; this
    // runs at decode speed.) Only on failure is the precise check run, to name the character.
    if (out.length !== (full / 4) * 3 - pad || quanta.indexOf("-") !== -1 || quanta.indexOf("_") !== -1) {
      this.check(pad ? quanta.slice(0, eq) : quanta, NOT_ALPHABET);
      throw this.fail("invalid length");
    }
    return out;
  }

  private check(s: string, re: RegExp): void {
    if (re.test(s)) {
      const bad = s.match(re)![0];
      throw this.fail(
        bad === "="
          ? "misplaced padding"
          : `invalid character U+${bad.codePointAt(0)!.toString(16).padStart(4, "0")}`,
      );
    }
  }

  /** Ends the content: the last quantum must be complete. */
  end(): void {
    if (this.carry) throw this.fail("truncated final quantum");
  }
}

const EMPTY = Buffer.alloc(0);
