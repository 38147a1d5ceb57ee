# Lý do một nhiệm vụ của tình trạng tuân thủ ở trạng thái hiện tại (crates/registry/src/status.rs).

detail-no-system = { $cameras } camera nhưng chưa đăng ký hệ thống thông tin nào
detail-nothing = không có camera hay hệ thống
detail-systems-on-time = { $systems } hệ thống đúng hạn
detail-systems-state = { $state ->
    [overdue] quá hạn
    [late] hoàn thành trễ
    [pending] chưa đến hạn
    [missing] thiếu hồ sơ
    [failing] chưa đạt
   *[other] { $state }
}: { $codes }
detail-assessment-overdue = quá hạn đánh giá: { $systems }
detail-assessment-never = { $code } (chưa từng được đánh giá)
detail-assessment-last = { $code } (lần gần nhất { $date }, định kỳ { $months } tháng)
detail-assessment-no-system = có camera nhưng chưa có hệ thống để đánh giá
detail-no-systems = chưa có hệ thống
detail-assessment-done = mọi hệ thống đã được đánh giá trong kỳ hạn
detail-cameras-certified = { $cameras } camera: { $uncertified } chưa có chứng nhận hợp quy, { $warned } thuộc mẫu bị cảnh báo
detail-critical-open = { $count } lỗ hổng nghiêm trọng/cao đang mở
detail-unregistered = { $count } camera phát hiện khi rà quét nhưng chưa có trong danh mục
detail-regulation-covers = { $number } ngày { $date } có quy định về camera
detail-regulation-not-covering = { $number } ngày { $date } chưa quy định về camera
detail-regulation-none = chưa ghi nhận quy chế bảo đảm an toàn thông tin nội bộ
detail-recorded-done = { $title } — đã thực hiện ngày { $date }
detail-recorded-missing = { $title } — chưa ghi nhận
detail-own-deadline = (hạn { $id } của bộ { $set } đơn vị này đặt là { $due }; hạn sớm hơn { $binding } được áp dụng)
