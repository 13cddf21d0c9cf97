/**
 * Every rejection in truc carries a stable code plus a Vietnamese and an English message.
 * Packages declare their codes once in a catalogue (like Fastify's FST_ERR_*), and callers
 * branch on `code`, never on message text. HTTP status is chosen only at the HTTP edge.
 */

/** One catalogue entry. `{name}` placeholders are filled from the error's details. */
export interface ErrorMessage {
  readonly vi: string;
  readonly en: string;
}

export type ErrorCatalog = Readonly<Record<string, ErrorMessage>>;

export type ErrorDetails = Readonly<Record<string, unknown>>;

export function formatMessage(template: string, details: ErrorDetails | undefined): string {
  if (!details) return template;
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in details ? String(details[key]) : whole,
  );
}

/** Base class of every package's error class. */
export class TrucError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly messageVi: string;
  readonly messageEn: string;
  readonly details: ErrorDetails | undefined;

  constructor(code: Code, message: ErrorMessage, details?: ErrorDetails, options?: { cause?: unknown }) {
    const en = formatMessage(message.en, details);
    super(`${code}: ${en}`, options);
    this.name = new.target.name;
    this.code = code;
    this.messageVi = formatMessage(message.vi, details);
    this.messageEn = en;
    this.details = details;
  }

  message_(lang: "vi" | "en"): string {
    return lang === "vi" ? this.messageVi : this.messageEn;
  }

  toJSON(): { code: Code; message: { vi: string; en: string }; details?: ErrorDetails } {
    return {
      code: this.code,
      message: { vi: this.messageVi, en: this.messageEn },
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/**
 * Builds a package's error class from its catalogue:
 *   export const EdxmlError = defineErrors("EdxmlError", EDXML_ERRORS);
 *   throw new EdxmlError("EDXML_XML_MALFORMED", { line: 3 });
 */
export function defineErrors<const C extends ErrorCatalog>(name: string, catalog: C) {
  const cls = class extends TrucError<Extract<keyof C, string>> {
    constructor(code: Extract<keyof C, string>, details?: ErrorDetails, options?: { cause?: unknown }) {
      const message = catalog[code];
      if (!message) throw new TypeError(`unknown error code ${String(code)}`);
      super(code, message, details, options);
      this.name = name;
    }
    static readonly catalog: C = catalog;
    static is(error: unknown): error is TrucError<Extract<keyof C, string>> {
      return error instanceof cls;
    }
  };
  Object.defineProperty(cls, "name", { value: name });
  return cls;
}
