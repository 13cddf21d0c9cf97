/**
 * UI text, Vietnamese first. Every key must exist in both languages (checked by the type).
 * Text is NFC with full diacritics.
 */
import { ADMIN_EN, ADMIN_VI } from "../admin/messages.ts";
import { OFFICE_EN, OFFICE_VI } from "../office/messages.ts";
import { PUBLIC_EN, PUBLIC_VI } from "../public/messages.ts";

export const vi = {
  "app.name": "Trục liên thông văn bản",
  "app.tagline": "Gửi, nhận, ký số và theo dõi văn bản điện tử giữa các cơ quan nhà nước",
  "nav.home": "Trang chủ",
  "nav.verify": "Kiểm tra văn bản",
  "nav.stats": "Thống kê",
  "nav.login": "Đăng nhập",
  "nav.main": "Điều hướng chính",
  "nav.menu": "Mở menu điều hướng",
  "nav.skip": "Bỏ qua, đến nội dung chính",
  "lang.switch": "English",
  "login.title": "Đăng nhập hệ thống quản lý văn bản",
  "login.agency": "Mã cơ quan",
  "login.username": "Tên đăng nhập",
  "login.password": "Mật khẩu",
  "login.totp": "Mã xác thực (nếu đã bật)",
  "login.submit": "Đăng nhập",
  "login.failed": "Đăng nhập không thành công",
  "home.office": "Quản lý văn bản và điều hành",
  "home.officeText": "Văn thư, lãnh đạo và chuyên viên xử lý văn bản đến, văn bản đi.",
  "home.verify": "Kiểm tra văn bản điện tử",
  "home.verifyText": "Bất kỳ ai cũng có thể kiểm tra chữ ký số của một văn bản PDF hoặc bản in có mã QR.",
  "home.stats": "Thống kê liên thông",
  "home.statsText": "Số văn bản gửi, nhận, tỷ lệ ký số và phản hồi trạng thái của các cơ quan.",
  "error.network": "Không kết nối được máy chủ",
  ...ADMIN_VI,
  ...OFFICE_VI,
  ...PUBLIC_VI,
} as const;

export type MessageKey = keyof typeof vi;

export const en: Record<MessageKey, string> = {
  "app.name": "E-document interconnection axis",
  "app.tagline": "Send, receive, sign and track official e-documents between state agencies",
  "nav.home": "Home",
  "nav.verify": "Verify a document",
  "nav.stats": "Statistics",
  "nav.login": "Sign in",
  "nav.main": "Main navigation",
  "nav.menu": "Open the navigation menu",
  "nav.skip": "Skip to main content",
  "lang.switch": "Tiếng Việt",
  "login.title": "Sign in to document management",
  "login.agency": "Agency code",
  "login.username": "Username",
  "login.password": "Password",
  "login.totp": "Authentication code (if enabled)",
  "login.submit": "Sign in",
  "login.failed": "Sign-in failed",
  "home.office": "Document management and operation",
  "home.officeText": "Clerks, leaders and specialists handle incoming and outgoing documents.",
  "home.verify": "Verify an e-document",
  "home.verifyText": "Anyone can check the digital signatures of a PDF or of a printed copy with a QR code.",
  "home.stats": "Interconnection statistics",
  "home.statsText": "Documents sent and received, share signed, and status feedback per agency.",
  "error.network": "Cannot reach the server",
  ...ADMIN_EN,
  ...OFFICE_EN,
  ...PUBLIC_EN,
};
