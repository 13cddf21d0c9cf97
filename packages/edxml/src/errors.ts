import { defineErrors } from "@truc/common";

/**
 * Every edXML rejection code, declared once. Codes are stable API: the axis, the office,
 * the CLI and the UI branch on them. Keep each section's codes together.
 */
export const EDXML_ERRORS = {
  // --- XML well-formedness and hostile input (scanner / parser) ---
  // --- model, parsing and validation ---
  // --- signatures (dsig) ---
} as const;

export const EdxmlError = defineErrors("EdxmlError", EDXML_ERRORS);
export type EdxmlError = InstanceType<typeof EdxmlError>;
export type EdxmlErrorCode = keyof typeof EDXML_ERRORS;
