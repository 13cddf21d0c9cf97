import { defineErrors } from "@truc/common";

/** Every store rejection code, declared once. Codes are stable API: callers branch on them. */
export const STORE_ERRORS = {
  // --- configuration and connections ---
  STORE_CONFIG_INVALID: {
    vi: "Cấu hình kho dữ liệu không hợp lệ: {reason}",
    en: "Invalid store configuration: {reason}",
  },
  STORE_UNAVAILABLE: {
    vi: "Không kết nối được cơ sở dữ liệu (kết nối bị mất hoặc bị từ chối); kết quả giao dịch đang chạy có thể chưa xác định",
    en: "The database is unavailable (connection lost or refused); the outcome of an in-flight transaction may be unknown",
  },
  STORE_NOT_DURABLE: {
    vi: "Cơ sở dữ liệu không ghi bền vững ({setting} = {value}); từ chối sử dụng",
    en: "The database is not configured for durable commits ({setting} = {value}); refusing to use it",
  },
  STORE_BUSY: {
    vi: "Cơ sở dữ liệu đang bị khóa bởi tiến trình khác quá thời gian chờ",
    en: "The database stayed locked by another process beyond the busy timeout",
  },
  STORE_NESTED_TRANSACTION: {
    vi: "Không được mở giao dịch lồng nhau; hãy dùng đối tượng giao dịch được truyền vào",
    en: "Nested transactions are not allowed; use the transaction handle you were given",
  },
  STORE_CLOSED: {
    vi: "Kho dữ liệu đã đóng",
    en: "The store has been closed",
  },
  STORE_FULL: {
    vi: "Hết dung lượng lưu trữ (ổ đĩa hoặc cơ sở dữ liệu đầy); dữ liệu đã tiếp nhận trước đó không bị ảnh hưởng, hãy gửi lại sau",
    en: "Storage is full (disk or database out of space); data accepted earlier is unaffected, retry later",
  },
  // --- migrations ---
  STORE_MIGRATION_INVALID: {
    vi: "Danh sách migration không hợp lệ: {reason}",
    en: "Invalid migration list: {reason}",
  },
  STORE_MIGRATION_FAILED: {
    vi: "Migration {id} thất bại",
    en: "Migration {id} failed",
  },
  // --- blobs ---
  STORE_BLOB_TOO_LARGE: {
    vi: "Tệp đính kèm vượt quá kích thước tối đa {limit} byte",
    en: "The blob exceeds the maximum size of {limit} bytes",
  },
  STORE_BLOB_NOT_FOUND: {
    vi: "Không tìm thấy tệp đính kèm {sha256}",
    en: "Blob {sha256} not found",
  },
  STORE_BLOB_HASH_INVALID: {
    vi: "Mã băm SHA-256 không hợp lệ",
    en: "Invalid SHA-256 hash",
  },
  STORE_BLOB_WRITER_CLOSED: {
    vi: "Bộ ghi tệp đính kèm đã kết thúc hoặc đã hủy",
    en: "The blob writer has already finished or been aborted",
  },
  STORE_BLOB_CORRUPT: {
    vi: "Nội dung tệp đính kèm {sha256} không khớp mã băm",
    en: "The content of blob {sha256} does not match its hash",
  },
  // --- append log ---
  STORE_LOG_RECORD_INVALID: {
    vi: "Bản ghi trong nhật ký lưu trữ (phân đoạn {segment}, vị trí {offset}) không hợp lệ: {reason}",
    en: "The append-log record (segment {segment}, offset {offset}) is invalid: {reason}",
  },
  // --- names, queues and search ---
  STORE_NAME_INVALID: {
    vi: "Tên định danh SQL không hợp lệ: {name}",
    en: "Invalid SQL identifier: {name}",
  },
  STORE_QUEUE_OPTION_INVALID: {
    vi: "Tham số hàng đợi không hợp lệ: {reason}",
    en: "Invalid queue option: {reason}",
  },
  STORE_SEARCH_QUERY_TOO_LONG: {
    vi: "Câu truy vấn tìm kiếm quá dài (tối đa {limit} ký tự)",
    en: "The search query is too long (at most {limit} characters)",
  },
} as const;

export const StoreError = defineErrors("StoreError", STORE_ERRORS);
export type StoreError = InstanceType<typeof StoreError>;
export type StoreErrorCode = keyof typeof STORE_ERRORS;

/** errno (ENOSPC, EDQUOT), SQLite (SQLITE_FULL) and PostgreSQL (53100 disk_full) codes for "out of space". */
const FULL_CODES = new Set(["ENOSPC", "EDQUOT", "SQLITE_FULL", "53100", "STORE_FULL"]);

/**
 * Whether `error`, or any error in its `cause` chain, means storage ran out of space. Lets a
 * caller that wraps a sink's failure (e.g. an attachment sink inside a parser) still tell a
 * full disk from a bad input.
 */
export function isStorageFull(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && FULL_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** `error` as STORE_FULL when it means out of space (keeping it as the cause), else unchanged. */
export function asStorageFull(error: unknown): unknown {
  if (error instanceof StoreError && error.code === "STORE_FULL") return error;
  return isStorageFull(error) ? new StoreError("STORE_FULL", undefined, { cause: error }) : error;
}
