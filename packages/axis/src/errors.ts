import { defineErrors } from "@truc/common";

/**
 * Every rejection the axis node produces, declared once. The SDKVXP facade maps a code to an
 * `ErrorCode` in the JSON envelope and the native API to an HTTP status; both happen only at
 * the HTTP edge (`http/error-map.ts`).
 */
export const AXIS_ERRORS = {
  // --- configuration ---
  AXIS_CONFIG_INVALID: {
    vi: "Cấu hình nút không hợp lệ: {problems}",
    en: "Invalid node configuration: {problems}",
  },
  // --- caller identity and authorisation (native API, federation) ---
  AXIS_AUTH_CERT_MISSING: {
    vi: "Yêu cầu phải có chứng thư số máy khách (mTLS).",
    en: "A client certificate (mutual TLS) is required.",
  },
  AXIS_AUTH_CERT_UNKNOWN: {
    vi: "Chứng thư số máy khách không gắn với cơ quan hay nút nào.",
    en: "The client certificate is not bound to any agency or node.",
  },
  AXIS_AUTH_CERT_UNTRUSTED: {
    vi: "Chứng thư số máy khách không được tin cậy (không chứng thực được tới CA gốc của nút): {reason}",
    en: "The client certificate is not trusted (no valid path to the node's trust anchors): {reason}",
  },
  AXIS_AUTH_CERT_EXPIRED: {
    vi: "Chứng thư số máy khách đã hết hạn hoặc chưa có hiệu lực.",
    en: "The client certificate has expired or is not yet valid.",
  },
  AXIS_AUTH_CERT_REVOKED: {
    vi: "Chứng thư số máy khách đã bị thu hồi hoặc tạm dừng.",
    en: "The client certificate has been revoked or suspended.",
  },
  AXIS_AUTH_CERT_REVOCATION_UNKNOWN: {
    vi: "Không xác định được tình trạng thu hồi của chứng thư số máy khách.",
    en: "The revocation status of the client certificate could not be established.",
  },
  AXIS_AUTH_CERT_KIND: {
    vi: "Loại chứng thư số máy khách ({kind}) không được phép: cần chứng thư số của nút hoặc của cơ quan, tổ chức.",
    en: "This kind of client certificate ({kind}) is not allowed: a node or organisation certificate is required.",
  },
  AXIS_FORBIDDEN: {
    vi: "Không có quyền thực hiện thao tác này.",
    en: "The caller is not allowed to perform this operation.",
  },
  AXIS_SENDER_MISMATCH: {
    vi: "Đơn vị gửi {sender} không đúng với mã đã đăng ký cho kết nối này.",
    en: "Sender {sender} is not an agency registered for this connection.",
  },
  // --- package pipeline ---
  AXIS_PACKAGE_TOO_LARGE: {
    vi: "Gói tin vượt quá kích thước cho phép ({size} > {limit} byte).",
    en: "The package exceeds the size limit ({size} > {limit} bytes).",
  },
  AXIS_PACKAGE_EMPTY: { vi: "Gói tin rỗng.", en: "The package is empty." },
  AXIS_PACKAGE_INVALID: {
    vi: "Gói tin edXML không hợp lệ: {reason}",
    en: "Invalid edXML package: {reason}",
  },
  AXIS_ATTACHMENT_NAME_INVALID: {
    vi: "Tên tệp đính kèm không hợp lệ (chứa đường dẫn hoặc ký tự điều khiển): {name}",
    en: "Invalid attachment name (contains a path or control characters): {name}",
  },
  AXIS_MESSAGE_TYPE_MISMATCH: {
    vi: "Loại gói tin khai báo ({declared}) khác với nội dung ({actual}).",
    en: "The declared message type ({declared}) differs from the content ({actual}).",
  },
  AXIS_SIGNATURE_REQUIRED: {
    vi: "Gói tin của {sender} phải được ký số.",
    en: "Packages from {sender} must carry a signature.",
  },
  AXIS_SIGNATURE_INVALID: {
    vi: "Chữ ký số của gói tin không hợp lệ: {reason}",
    en: "The package signature is not valid: {reason}",
  },
  AXIS_RECIPIENT_UNKNOWN: {
    vi: "Không tìm thấy đơn vị nhận {code} trong danh bạ.",
    en: "Recipient {code} is not in the directory.",
  },
  AXIS_RECIPIENT_SUSPENDED: {
    vi: "Đơn vị nhận {code} đang bị tạm dừng kết nối.",
    en: "Recipient {code} is suspended.",
  },
  AXIS_NO_RECIPIENTS: { vi: "Gói tin không có đơn vị nhận.", en: "The package names no recipient." },
  AXIS_ORIGINAL_UNKNOWN: {
    vi: "Không tìm thấy văn bản gốc {documentId}.",
    en: "The original document {documentId} is unknown here.",
  },
  // --- delivery ---
  AXIS_PACKAGE_NOT_FOUND: {
    vi: "Không tìm thấy gói tin {docId}.",
    en: "Package {docId} was not found.",
  },
  AXIS_PACKAGE_PURGED: {
    vi: "Nội dung gói tin {docId} đã được xóa khỏi trục sau thời hạn lưu giữ ({days} ngày); thông tin theo dõi vẫn còn. Đề nghị lấy văn bản từ hệ thống của cơ quan gửi.",
    en: "The content of package {docId} was removed from the axis after its retention period ({days} days); its tracking remains. Ask the sending agency's system for the document.",
  },
  AXIS_STATUS_INVALID: {
    vi: "Trạng thái tiếp nhận không hợp lệ: {status}",
    en: "Invalid transport status: {status}",
  },
  // --- directory ---
  AXIS_AGENCY_CODE_INVALID: {
    vi: "Mã định danh {code} không hợp lệ.",
    en: "Agency identifier {code} is not valid.",
  },
  AXIS_AGENCY_NOT_FOUND: {
    vi: "Không tìm thấy đơn vị {code}.",
    en: "Agency {code} was not found.",
  },
  AXIS_AGENCY_NOT_LOCAL: {
    vi: "Đơn vị {code} không thuộc nút này.",
    en: "Agency {code} is not served by this node.",
  },
  // --- federation ---
  AXIS_PEER_UNKNOWN: { vi: "Không biết nút {node}.", en: "Unknown node {node}." },
  AXIS_PEER_FAILED: {
    vi: "Nút {node} trả lỗi: {reason}",
    en: "Node {node} answered with an error: {reason}",
  },
  // --- evidence ---
  AXIS_EVIDENCE_BROKEN: {
    vi: "Nhật ký chứng cứ bị thay đổi tại bản ghi {seq}: {reason}",
    en: "The evidence log was altered at record {seq}: {reason}",
  },
  AXIS_EVIDENCE_TRUNCATED: {
    vi: "Nhật ký chứng cứ bị cắt mất phần cuối: dấu niêm phong đã neo bên ngoài ({source}) cho bản ghi {anchoredSeq} lúc {at} không còn khớp với chuỗi, chuỗi hiện dừng ở bản ghi {records}.",
    en: "The evidence log's tail was cut off: the seal anchored outside the database ({source}) for record {anchoredSeq} at {at} no longer matches the chain, which now ends at record {records}.",
  },
  AXIS_EVIDENCE_ANCHOR_INVALID: {
    vi: "Dòng {line} của nơi neo {source} không phải là dấu niêm phong do nút ký: {reason}",
    en: "Line {line} of anchor source {source} is not a seal signed by the node: {reason}",
  },
  AXIS_EVIDENCE_SEAL_REFUSED: {
    vi: "Không nhận dấu niêm phong của nút {node}: {reason}",
    en: "The evidence seal of node {node} was refused: {reason}",
  },
  AXIS_REQUEST_INVALID: {
    vi: "Yêu cầu không hợp lệ: {reason}",
    en: "Invalid request: {reason}",
  },
  AXIS_NOT_READY: { vi: "Nút chưa sẵn sàng.", en: "The node is not ready." },
} as const;

export const AxisError = defineErrors("AxisError", AXIS_ERRORS);
export type AxisError = InstanceType<typeof AxisError>;
export type AxisErrorCode = keyof typeof AXIS_ERRORS;
