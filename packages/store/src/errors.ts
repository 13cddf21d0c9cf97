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
