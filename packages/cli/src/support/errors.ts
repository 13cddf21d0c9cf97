import { defineErrors } from "@truc/common";

/**
 * Rejections of the `truc` command itself (bad flags, unreadable input, missing credentials).
 * Errors of the packages it drives keep their own codes (EDXML_*, AXIS_*, CLIENT_*, PKI_*).
 */
export const CLI_ERRORS = {
  CLI_USAGE: {
    vi: "Tham số dòng lệnh không hợp lệ: {detail}",
    en: "Invalid command-line usage: {detail}",
  },
  CLI_INPUT_UNREADABLE: {
    vi: "Không đọc được {path}: {reason}",
    en: "Cannot read {path}: {reason}",
  },
  CLI_CREDENTIALS_MISSING: {
    vi: "Thiếu thông tin kết nối trục: {missing} (dùng tham số hoặc biến môi trường {env})",
    en: "Missing axis connection settings: {missing} (give the flag or the environment variable {env})",
  },
  CLI_DESCRIPTION_INVALID: {
    vi: "Mô tả gói tin (JSON) không hợp lệ: {reason}",
    en: "Invalid package description (JSON): {reason}",
  },
} as const;

export const CliError = defineErrors("CliError", CLI_ERRORS);
export type CliError = InstanceType<typeof CliError>;
export type CliErrorCode = keyof typeof CLI_ERRORS;
