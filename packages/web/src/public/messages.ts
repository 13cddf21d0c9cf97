/**
 * Text of the public verification page (no account), Vietnamese first, in plain words for
 * citizens and businesses. Merged into the app catalogue by `src/i18n/messages.ts`; keys start
 * with `public.`.
 */
export const PUBLIC_VI = {
  "public.title": "Kiểm tra văn bản điện tử",
  "public.intro":
    "Kiểm tra một văn bản PDF có chữ ký số do cơ quan nhà nước ban hành: văn bản có đúng là bản gốc, chưa bị sửa đổi, ai đã ký và khi nào. Không cần tài khoản. Tệp chỉ được dùng để kiểm tra và không được lưu lại.",
  "public.upload.title": "Kiểm tra tệp PDF",
  "public.upload.drop": "Kéo và thả tệp PDF vào đây",
  "public.upload.or": "hoặc",
  "public.upload.choose": "Chọn tệp PDF",
  "public.upload.limit": "Tệp PDF, tối đa {size}.",
  "public.upload.file": "Tệp: {name} ({size})",
  "public.upload.checking": "Đang kiểm tra tệp {name} ({size})…",
  "public.upload.again": "Kiểm tra tệp khác",
  "public.upload.notPdf": "Tệp {name} không phải là tệp PDF. Hãy chọn tệp có đuôi .pdf.",
  "public.upload.tooLarge": "Tệp {name} ({size}) lớn hơn giới hạn {limit}.",
  "public.code.title": "Kiểm tra bản in có mã QR",
  "public.code.help":
    "Quét mã QR trên bản in bằng điện thoại, hoặc nhập mã kiểm tra in cạnh mã QR (12 ký tự, ví dụ ABCD-EFGH-JKMN).",
  "public.code.label": "Mã kiểm tra trên bản in",
  "public.code.submit": "Tra cứu",
  "public.code.invalid": "Mã gồm 12 chữ và số, ví dụ ABCD-EFGH-JKMN.",
  "public.code.heading": "Bản in có mã kiểm tra {code}",
  "public.code.download": "Tải bản gốc đã ký (PDF)",
  "public.code.compare":
    "So sánh nội dung bản gốc với bản giấy bạn đang cầm. Nếu khác nhau, bản giấy không đúng với văn bản đã ký.",
  "public.code.other": "Kiểm tra văn bản khác",
  "public.checking": "Đang kiểm tra chữ ký số…",
  "public.verdict.valid": "Văn bản xác thực",
  "public.verdict.valid.text":
    "Chữ ký số hợp lệ: văn bản đúng là do người ký và cơ quan dưới đây ký, và nội dung không bị sửa đổi sau khi ký.",
  "public.verdict.invalid": "Văn bản không hợp lệ",
  "public.verdict.invalid.text":
    "Ít nhất một chữ ký số không hợp lệ: văn bản có thể đã bị sửa đổi sau khi ký, hoặc chữ ký không đúng. Không nên tin vào nội dung của tệp này.",
  "public.verdict.indeterminate": "Chưa thể kết luận",
  "public.verdict.indeterminate.text":
    "Chữ ký khớp với nội dung, nhưng hệ thống chưa xác định được chứng thư số của người ký có hợp lệ hay không (ví dụ chưa kiểm tra được tình trạng thu hồi).",
  "public.verdict.unsigned": "Văn bản không có chữ ký số",
  "public.verdict.unsigned.text":
    "Tệp này không có chữ ký số nào, nên không thể xác nhận ai đã ban hành và nội dung có bị sửa đổi hay không.",
  "public.todo.valid": "Bạn có thể sử dụng văn bản này. Hãy kiểm tra thêm mục tình trạng văn bản bên dưới.",
  "public.todo.invalid":
    "Hãy liên hệ cơ quan ban hành để xin bản đúng, hoặc yêu cầu người gửi gửi lại tệp gốc.",
  "public.todo.indeterminate":
    "Hãy thử kiểm tra lại sau ít phút. Nếu vẫn chưa kết luận được, hãy liên hệ cơ quan ban hành để xác nhận.",
  "public.todo.unsigned": "Hãy yêu cầu cơ quan ban hành cung cấp bản điện tử có chữ ký số.",
  "public.whatToDo": "Bạn nên làm gì",
  "public.checks": "Kết quả kiểm tra",
  "public.check.authentic": "Chữ ký khớp với nội dung văn bản",
  "public.check.authentic.no": "Chữ ký không khớp với nội dung văn bản",
  "public.check.unchanged": "Không có sửa đổi nào sau khi ký",
  "public.check.unchanged.no": "Tệp có thêm thay đổi sau khi ký",
  "public.check.certificates": "Chứng thư số của mọi người ký đều hợp lệ",
  "public.check.certificates.no": "Có chứng thư số không hợp lệ hoặc chưa xác định được",
  "public.check.none": "Không có chữ ký để kiểm tra",
  "public.registry": "Tình trạng văn bản",
  "public.registry.current": "Chưa bị thu hồi hay thay thế",
  "public.registry.current.text":
    "Cơ quan quản lý hệ thống này có lưu văn bản này và không ghi nhận việc thu hồi hay thay thế.",
  "public.registry.revoked": "Văn bản đã bị thu hồi",
  "public.registry.revoked.text":
    "Cơ quan ban hành đã thu hồi văn bản này sau khi ký. Văn bản không còn hiệu lực; hãy liên hệ cơ quan ban hành.",
  "public.registry.replaced": "Văn bản đã được thay thế",
  "public.registry.replaced.text":
    "Cơ quan ban hành đã ban hành văn bản khác thay thế văn bản này. Hãy liên hệ cơ quan ban hành để nhận văn bản mới.",
  "public.registry.unknown": "Hệ thống này không lưu văn bản này",
  "public.registry.unknown.text":
    "Hệ thống chỉ biết văn bản do các cơ quan dùng hệ thống này gửi hoặc nhận, nên không thể cho biết văn bản đã bị thu hồi hay thay thế chưa. Chữ ký số ở trên vẫn được kiểm tra đầy đủ.",
  "public.signatures": "Người ký ({n})",
  "public.sig.personal": "Chữ ký cá nhân",
  "public.sig.organisation": "Chữ ký của cơ quan, tổ chức",
  "public.sig.unknownKind": "Chữ ký số",
  "public.sig.signer": "Người ký",
  "public.sig.organisationName": "Cơ quan, tổ chức",
  "public.sig.signedAt": "Thời điểm ký",
  "public.sig.timestamped": "được xác nhận bằng dấu thời gian tin cậy",
  "public.sig.claimed": "do người ký tự khai, chưa được xác nhận",
  "public.sig.result": "Chữ ký",
  "public.sig.certificate": "Chứng thư số",
  "public.sig.issuer": "Cấp bởi",
  "public.sig.notAfter": "Hiệu lực đến",
  "public.sig.valid": "Hợp lệ",
  "public.sig.invalid": "Không hợp lệ",
  "public.sig.indeterminate": "Chưa xác định",
  "public.sig.unknown": "Không rõ",
  "public.sig.problem": "Lý do",
  "public.problem.PDF_DIGEST_MISMATCH": "Nội dung đã bị thay đổi sau khi ký",
  "public.problem.PDF_SIGNATURE_VALUE_INVALID": "Chữ ký không đúng với chứng thư số của người ký",
  "public.problem.PDF_MODIFIED_AFTER_SIGNING": "Tệp đã bị sửa đổi sau khi ký",
  "public.problem.PDF_NOT_COVERING_WHOLE_FILE": "Một phần tệp nằm ngoài chữ ký",
  "public.problem.PDF_CERTIFICATE_UNTRUSTED":
    "Chứng thư số không do tổ chức được tin cậy cấp, hoặc đã hết hạn",
  "public.problem.PDF_CERTIFICATE_REVOKED": "Chứng thư số đã bị thu hồi trước khi ký",
  "public.problem.PDF_CERTIFICATE_STATUS_UNKNOWN": "Chưa kiểm tra được tình trạng thu hồi của chứng thư số",
  "public.problem.other": "Lỗi kỹ thuật",
  "public.file": "Tệp đã kiểm tra",
  "public.file.size": "Dung lượng",
  "public.file.sha256": "Mã băm SHA-256",
  "public.checkedAt": "Kiểm tra lúc",
  "public.error.title": "Không kiểm tra được",
  "public.error.rateLimited":
    "Bạn đã kiểm tra nhiều lần trong thời gian ngắn. Vui lòng đợi khoảng một phút rồi thử lại.",
  "public.error.notFound":
    "Không tìm thấy bản in có mã này. Hãy kiểm tra lại mã (12 ký tự in cạnh mã QR). Nếu mã đúng mà vẫn không tìm thấy, bản in có thể không phải do hệ thống này cấp.",
  "public.error.notPdf": "Tệp không phải là tệp PDF hợp lệ, nên không kiểm tra được chữ ký.",
  "public.error.tooLarge": "Tệp quá lớn để kiểm tra trực tuyến (tối đa {limit}).",
  "public.error.other": "Đã có lỗi khi kiểm tra. Vui lòng thử lại sau.",
  "public.privacy":
    "Kết quả chỉ dựa trên chính tệp văn bản và các chữ ký số trong đó; hệ thống không hiển thị thông tin nội bộ nào của cơ quan.",
} as const;

export type PublicMessageKey = keyof typeof PUBLIC_VI;

export const PUBLIC_EN: Record<PublicMessageKey, string> = {
  "public.title": "Verify an e-document",
  "public.intro":
    "Check a digitally signed PDF issued by a state agency: is it the original, unchanged, who signed it and when. No account needed. The file is used only for the check and is not kept.",
  "public.upload.title": "Check a PDF file",
  "public.upload.drop": "Drag and drop a PDF file here",
  "public.upload.or": "or",
  "public.upload.choose": "Choose a PDF file",
  "public.upload.limit": "PDF file, at most {size}.",
  "public.upload.file": "File: {name} ({size})",
  "public.upload.checking": "Checking {name} ({size})…",
  "public.upload.again": "Check another file",
  "public.upload.notPdf": "{name} is not a PDF file. Choose a file ending in .pdf.",
  "public.upload.tooLarge": "{name} ({size}) is larger than the {limit} limit.",
  "public.code.title": "Check a printed copy with a QR code",
  "public.code.help":
    "Scan the QR code on the printed copy with your phone, or type the check code printed next to it (12 characters, e.g. ABCD-EFGH-JKMN).",
  "public.code.label": "Check code on the printed copy",
  "public.code.submit": "Look up",
  "public.code.invalid": "The code has 12 letters and digits, e.g. ABCD-EFGH-JKMN.",
  "public.code.heading": "Printed copy with check code {code}",
  "public.code.download": "Download the signed original (PDF)",
  "public.code.compare":
    "Compare the original with the paper you hold. If they differ, the paper does not match the signed document.",
  "public.code.other": "Check another document",
  "public.checking": "Checking the digital signatures…",
  "public.verdict.valid": "Authentic document",
  "public.verdict.valid.text":
    "The digital signatures are valid: the document was signed by the signers and agency below, and its content has not been changed since.",
  "public.verdict.invalid": "Invalid document",
  "public.verdict.invalid.text":
    "At least one digital signature is not valid: the document may have been changed after signing, or the signature is wrong. Do not rely on this file's content.",
  "public.verdict.indeterminate": "Cannot decide yet",
  "public.verdict.indeterminate.text":
    "The signatures match the content, but the system could not determine whether the signers' certificates are valid (for example, their revocation status could not be checked).",
  "public.verdict.unsigned": "The document is not digitally signed",
  "public.verdict.unsigned.text":
    "This file carries no digital signature, so nobody can confirm who issued it or whether it was changed.",
  "public.todo.valid": "You may rely on this document. Also check its status below.",
  "public.todo.invalid":
    "Contact the issuing agency for a correct copy, or ask the sender for the original file.",
  "public.todo.indeterminate":
    "Try again in a few minutes. If it still cannot be decided, contact the issuing agency to confirm.",
  "public.todo.unsigned": "Ask the issuing agency for a digitally signed electronic copy.",
  "public.whatToDo": "What to do",
  "public.checks": "Results",
  "public.check.authentic": "The signatures match the document's content",
  "public.check.authentic.no": "The signatures do not match the document's content",
  "public.check.unchanged": "Nothing was changed after signing",
  "public.check.unchanged.no": "The file was changed after signing",
  "public.check.certificates": "Every signer's certificate is valid",
  "public.check.certificates.no": "A certificate is invalid or could not be checked",
  "public.check.none": "No signature to check",
  "public.registry": "Document status",
  "public.registry.current": "Not revoked or replaced",
  "public.registry.current.text":
    "The agency running this system holds this document and has no record of it being revoked or replaced.",
  "public.registry.revoked": "The document has been revoked",
  "public.registry.revoked.text":
    "The issuing agency revoked this document after signing. It is no longer in force; contact the issuing agency.",
  "public.registry.replaced": "The document has been replaced",
  "public.registry.replaced.text":
    "The issuing agency issued another document replacing this one. Contact the issuing agency for the new document.",
  "public.registry.unknown": "This system does not hold this document",
  "public.registry.unknown.text":
    "The system only knows documents sent or received by agencies using it, so it cannot tell whether the document was revoked or replaced. The signatures above were still fully checked.",
  "public.signatures": "Signers ({n})",
  "public.sig.personal": "Personal signature",
  "public.sig.organisation": "Signature of an agency or organisation",
  "public.sig.unknownKind": "Digital signature",
  "public.sig.signer": "Signer",
  "public.sig.organisationName": "Agency or organisation",
  "public.sig.signedAt": "Signed at",
  "public.sig.timestamped": "confirmed by a trusted time-stamp",
  "public.sig.claimed": "as claimed by the signer, not confirmed",
  "public.sig.result": "Signature",
  "public.sig.certificate": "Certificate",
  "public.sig.issuer": "Issued by",
  "public.sig.notAfter": "Valid until",
  "public.sig.valid": "Valid",
  "public.sig.invalid": "Invalid",
  "public.sig.indeterminate": "Undetermined",
  "public.sig.unknown": "Unknown",
  "public.sig.problem": "Reason",
  "public.problem.PDF_DIGEST_MISMATCH": "The content was changed after signing",
  "public.problem.PDF_SIGNATURE_VALUE_INVALID": "The signature does not match the signer's certificate",
  "public.problem.PDF_MODIFIED_AFTER_SIGNING": "The file was modified after signing",
  "public.problem.PDF_NOT_COVERING_WHOLE_FILE": "Part of the file is outside the signature",
  "public.problem.PDF_CERTIFICATE_UNTRUSTED":
    "The certificate is not from a trusted authority, or has expired",
  "public.problem.PDF_CERTIFICATE_REVOKED": "The certificate was revoked before signing",
  "public.problem.PDF_CERTIFICATE_STATUS_UNKNOWN": "The certificate's revocation status could not be checked",
  "public.problem.other": "Technical problem",
  "public.file": "File checked",
  "public.file.size": "Size",
  "public.file.sha256": "SHA-256 digest",
  "public.checkedAt": "Checked at",
  "public.error.title": "The check could not be done",
  "public.error.rateLimited":
    "You have made many checks in a short time. Please wait about a minute and try again.",
  "public.error.notFound":
    "No printed copy has this code. Check the code (12 characters printed next to the QR code). If it is right and still not found, the copy may not come from this system.",
  "public.error.notPdf": "The file is not a valid PDF, so its signatures cannot be checked.",
  "public.error.tooLarge": "The file is too large to check online (at most {limit}).",
  "public.error.other": "Something went wrong during the check. Please try again later.",
  "public.privacy":
    "The result relies only on the file itself and its digital signatures; no internal information of the agency is shown.",
};
