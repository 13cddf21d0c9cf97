import { defineErrors } from "@truc/common";

/** Every OCR code, declared once; callers branch on `error.code`. */
export const OCR_ERRORS = {
  OCR_INPUT_EMPTY: {
    vi: "Tệp quét rỗng",
    en: "The scan is empty",
  },
  OCR_INPUT_TOO_LARGE: {
    vi: "Tệp quét quá lớn ({size} byte, tối đa {max} byte)",
    en: "The scan is too large ({size} bytes, at most {max} bytes)",
  },
  OCR_INPUT_UNSUPPORTED: {
    vi: "Định dạng tệp quét không được hỗ trợ (chỉ nhận PDF, PNG, JPEG, TIFF)",
    en: "Unsupported scan format (PDF, PNG, JPEG and TIFF are accepted)",
  },
  OCR_INPUT_UNREADABLE: {
    vi: "Không đọc được tệp quét: {detail}",
    en: "The scan cannot be read: {detail}",
  },
  OCR_TOO_MANY_PAGES: {
    vi: "Tệp quét có {pages} trang, tối đa {max} trang",
    en: "The scan has {pages} pages, at most {max}",
  },
  OCR_PAGE_TOO_LARGE: {
    vi: "Trang {page} quá lớn ({pixels} điểm ảnh, tối đa {max})",
    en: "Page {page} is too large ({pixels} pixels, at most {max})",
  },
  OCR_OPTIONS_INVALID: {
    vi: "Tham số nhận dạng không hợp lệ: {detail}",
    en: "Invalid OCR options: {detail}",
  },
  OCR_RESULT_MISMATCH: {
    vi: "Kết quả nhận dạng không khớp với tệp quét: {detail}",
    en: "The OCR result does not match the scan: {detail}",
  },
  OCR_ABORTED: {
    vi: "Đã hủy nhận dạng văn bản",
    en: "Text recognition was cancelled",
  },
  OCR_TIMEOUT: {
    vi: "Nhận dạng trang {page} quá thời gian cho phép ({seconds} giây)",
    en: "Recognising page {page} took longer than allowed ({seconds} s)",
  },
  OCR_ENGINE_FAILED: {
    vi: "Bộ nhận dạng chữ gặp lỗi: {detail}",
    en: "The OCR engine failed: {detail}",
  },
  OCR_ENGINE_CLOSED: {
    vi: "Bộ nhận dạng chữ đã đóng",
    en: "The OCR engine is closed",
  },
  OCR_QUEUE_FULL: {
    vi: "Hàng đợi nhận dạng đã đầy ({max} việc), vui lòng thử lại sau",
    en: "The OCR queue is full ({max} jobs); try again later",
  },
  OCR_JOB_UNKNOWN: {
    vi: "Không có việc nhận dạng {jobId}",
    en: "No OCR job {jobId}",
  },
} as const;

export const OcrError = defineErrors("OcrError", OCR_ERRORS);
export type OcrError = InstanceType<typeof OcrError>;
export type OcrErrorCode = keyof typeof OCR_ERRORS;
