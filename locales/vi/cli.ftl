### camguard — thông điệp trên màn hình (tiếng Việt)
###
### Những gì dòng lệnh in ra cho người đọc (bảng, tóm tắt, tình trạng tuân thủ, căn cứ xác định
### cấp độ, lỗi thường gặp), chọn bằng --lang / CAMGUARD_LANG / locale. Đầu ra cho máy (json,
### jsonl, csv) không dùng các nội dung này. Mọi mã ở đây đều có trong locales/en/cli.ftl
### (kiểm thử đơn vị kiểm tra điều này). Thuật ngữ theo bảng thuật ngữ của PRODUCT.md.

## bảng kết quả quét

scan-col-address = ĐỊA CHỈ
scan-col-type = LOẠI
scan-col-vendor = HÃNG
scan-col-brand = NHÃN
scan-col-model = MODEL
scan-col-firmware = FIRMWARE
scan-col-confidence = TIN CẬY
scan-col-findings = PHÁT HIỆN
scan-col-ports = CỔNG MỞ
scan-type-other = khác
scan-findings-heading = CÁC PHÁT HIỆN
scan-remediation = khắc phục: { $text }

## mức độ nghiêm trọng (ô trong bảng)

severity-critical = nghiêm trọng
severity-high = cao
severity-medium = trung bình
severity-low = thấp
severity-info = thông tin

## tình trạng tuân thủ

status-no-orgs = chưa có tổ chức nào trong sổ đăng ký (thêm bằng `camguard org add`)
status-col-unit = ĐƠN VỊ
status-col-problems = VẤN ĐỀ
status-col-level = CẤP ĐỘ
status-col-plan = PHƯƠNG ÁN
status-col-assessed = ĐÁNH GIÁ
status-col-certified = CHỨNG NHẬN
status-col-findings = PHÁT HIỆN
status-col-registered = ĐĂNG KÝ
status-col-regulation = QUY CHẾ
status-col-other = KHÁC
status-problems-of-units = { $problems } riêng, { $subtree } tổng ({ $with }/{ $units } đơn vị)
status-duty-below = { $own } (cấp dưới: { $worst })
status-own-deadline = { $id } hạn { $due }
status-as-of = tính đến ngày { $date } — `camguard status ORG --format json` cho chi tiết từng nhiệm vụ
duty-state-done = đã xong
duty-state-not-applicable = không áp dụng
duty-state-pending = chưa đến hạn
duty-state-late = xong muộn
duty-state-overdue = quá hạn
duty-state-failing = chưa đạt
duty-state-missing = thiếu

## cấp độ an toàn hệ thống thông tin

level-decided = { $system }: cấp độ { $level } ({ $ruleset })
level-reason = cấp độ { $level } — { $article }: { $text }
level-duties = lập hồ sơ: { $prepares }
      thẩm định: { $appraises }
      phê duyệt: { $approves }
      kiểm tra, đánh giá định kỳ: { $months } tháng một lần
level-dry-run = (chạy thử: chưa lưu)

## thời hạn

deadline-col-set = BỘ
deadline-col-deadline = THỜI HẠN
deadline-col-duty = NHIỆM VỤ
deadline-col-due = HẠN
deadline-col-source = CĂN CỨ
deadline-col-title = NỘI DUNG

## yêu cầu cơ sở

baseline-col-id = MÃ
baseline-col-standard = TIÊU CHUẨN
baseline-col-ref = ĐIỀU
baseline-col-remote = TỪ XA
baseline-col-title = NỘI DUNG
baseline-yes = có
baseline-no = không
baseline-json-deprecated = --json đã lỗi thời; hãy dùng --format json

## lỗi thường gặp

error-not-a-date = { $what }: { $value } không phải là ngày (dùng YYYY-MM-DD hoặc DD/MM/YYYY)

## quét: thông điệp trên stderr

scan-intrusive-warning = CẢNH BÁO: đã bật kiểm tra có can thiệp ({ $checks }). Chúng có thể khoá tài khoản trong vài phút hoặc tạo phiên làm việc trên thiết bị; chỉ chạy khi chủ thiết bị đồng ý.
scan-storing = lưu thành lần quét { $id } của { $org } trong { $store }
scan-stopping = đang dừng; những gì đã tìm thấy được giữ lại (nhấn Ctrl-C lần nữa để thoát ngay)
scan-interrupted-again = bị ngắt lần nữa; thoát ngay, đầu ra chưa ghi xong
scan-stored = đã lưu lần quét { $id } ({ $state }) của { $org }
scan-resume-hint = quét tiếp bằng `camguard scan --resume { $id }`
scan-summary = { $addresses } địa chỉ trong { $secs } s ({ $rate } kết nối/s): { $up } máy hoạt động, { $cameras } camera/NVR/DVR
scan-self-connects = bỏ qua { $n } kết nối TCP tự nối
scan-interrupted = BỊ NGẮT (INTERRUPTED), kết quả chưa đầy đủ

## demo

demo-starting = Khởi động một đội thiết bị mô phỏng gồm { $hosts } địa chỉ trên { $base } (seed { $seed }) …
demo-scanning = Quét { $range } để tìm camera …
demo-scanned = Đã quét { $hosts } địa chỉ trong { $secs } s: { $up } máy hoạt động; tìm thấy { $found }/{ $cameras } camera, đúng hãng { $vendor }/{ $cameras }; { $wrong } thiết bị không phải camera bị gọi là camera.
demo-assessed = Đánh giá: { $failing } máy không đạt yêu cầu cơ bản; tìm thấy { $matched }/{ $expected } điểm yếu đã gieo; { $extra } phát hiện khác (xem CÁC PHÁT HIỆN ở trên).
demo-registry-skipped = bỏ qua phần sổ đăng ký của bản demo
demo-json-written = Đã ghi JSON vào { $path }
demo-try = Thử: camguard sim --hosts 1024 --truth truth.json   (ở một cửa sổ dòng lệnh)
         camguard scan 127.66.0.0/22                    (ở cửa sổ khác)
demo-row-rejected = dòng { $line } của danh mục camera bị từ chối
demo-registry = Sổ đăng ký (cơ sở dữ liệu demo { $db }): đã lưu lần quét cho DEMO-STTTT, { $matched } camera khớp với danh mục, { $unregistered } tìm thấy nhưng CHƯA đăng ký, { $open } phát hiện đang mở.
demo-explore = Khám phá: export CAMGUARD_DATABASE={ $db }
demo-serving = Bảng điều khiển: { $url }  — tài khoản demo (vai trò, tên, mật khẩu ngẫu nhiên, chỉ cho bản demo này):
demo-stop = Dừng bằng Ctrl-C (đội thiết bị mô phỏng dừng cùng lúc).
             camguard status DEMO --format json;  camguard assess findings --state open;  camguard camera list

## nhập và xuất tệp

import-cameras-summary = { $rows } dòng, nhập { $imported } ({ $new } mới, { $updated } cập nhật), từ chối { $rejected }, trong { $secs } s
export-cameras-summary = đã ghi { $n } camera vào { $path }
import-catalogue-summary = nhập { $n } mục, từ chối { $rejected }
import-orgs-summary = thêm { $added } tổ chức, từ chối { $rejected }, trong { $secs } s
assess-import-stored = đã lưu { $path } thành lần quét { $id } của { $org }
took-secs = trong { $secs } s
user-assigned = chuyên gia đánh giá { $user } nay làm việc cho: { $orgs }
serve-listening = đang phục vụ tại { $url } (sổ đăng ký { $database }); dừng bằng Ctrl-C hoặc SIGTERM
serve-stopped = đã dừng; các yêu cầu đang xử lý đã hoàn tất
serve-no-account = chưa có tài khoản nào nên chưa ai đăng nhập được: tạo tài khoản đầu tiên bằng `camguard user add TÊN --role admin --password-stdin`

# camguard report
report-written = camguard: đã ghi báo cáo { $file } ({ $bytes } byte)
