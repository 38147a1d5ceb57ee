### camguard — nội dung phát hiện (tiếng Việt)
###
### Tệp Fluent này chứa tiêu đề, mô tả và khuyến nghị khắc phục cho mọi mã phát hiện (finding id)
### của docs/spec/scan-output.md, cùng tên các mức độ nghiêm trọng.
### Quy ước mã thông điệp: finding-<mã phát hiện>-title | -description | -remediation, trong đó
### dấu ":" và mọi ký tự ngoài [a-z0-9-] được thay bằng "-"
### (ví dụ default-credential:rtsp -> finding-default-credential-rtsp-title).
### Mã cve:<CVE-ID> và known-vuln:<mã> dùng thông điệp chung với biến:
###   $id    mã lỗ hổng (CVE-2021-36260, uniview-2017-main-cgi, ...)
###   $title tiêu đề tiếng Việt của lỗ hổng lấy từ kb/assess/cves.toml (title_vi)
### Thuật ngữ theo bảng thuật ngữ của shared/mission/PRODUCT.md; mức yêu cầu theo
### QĐ 724/QĐ-BTTTT, QCVN 135:2024/BTTTT, QCVN 11:2026/BCA.
### Cập nhật: thêm thông điệp cho mã mới ở cả locales/vi và locales/en, cùng mã thông điệp.

## Mức độ nghiêm trọng

severity-critical = Nghiêm trọng
severity-high = Cao
severity-medium = Trung bình
severity-low = Thấp
severity-info = Thông tin

## Mật khẩu mặc định hoặc mật khẩu yếu

finding-default-credential-http-title = Giao diện web chấp nhận mật khẩu mặc định hoặc mật khẩu yếu
finding-default-credential-http-description =
    Có thể đăng nhập giao diện quản trị web (HTTP/HTTPS) của camera bằng tài khoản mặc định của nhà sản xuất hoặc một mật khẩu yếu phổ biến.
    Bất kỳ ai kết nối được tới camera qua mạng đều có thể chiếm quyền quản trị, xem hình ảnh và thay đổi cấu hình.
finding-default-credential-http-remediation =
    Đổi ngay mật khẩu của tài khoản quản trị và mọi tài khoản khác thành mật khẩu mạnh, riêng cho từng thiết bị: tối thiểu 8 ký tự, có chữ hoa, chữ thường, chữ số và ký tự đặc biệt.
    Xóa hoặc vô hiệu hóa các tài khoản mặc định không dùng đến.
    Nếu firmware không cho đổi mật khẩu, hãy cập nhật firmware hoặc thay thiết bị.

finding-default-credential-rtsp-title = Luồng RTSP chấp nhận mật khẩu mặc định hoặc mật khẩu yếu
finding-default-credential-rtsp-description =
    Máy chủ RTSP của camera chấp nhận tài khoản mặc định hoặc mật khẩu yếu phổ biến.
    Kẻ tấn công có thể xem và ghi lại hình ảnh trực tiếp mà chủ sở hữu không hề biết.
finding-default-credential-rtsp-remediation =
    Đổi mật khẩu của các tài khoản được phép xem luồng RTSP (thường là tài khoản quản trị) thành mật khẩu mạnh, duy nhất.
    Tạo tài khoản riêng chỉ có quyền xem cho đầu ghi hoặc phần mềm quản lý video (NVR/VMS) và chọn kiểu xác thực RTSP là Digest.

finding-default-credential-onvif-title = Dịch vụ ONVIF chấp nhận mật khẩu mặc định hoặc mật khẩu yếu
finding-default-credential-onvif-description =
    Có thể xác thực ONVIF (WS-UsernameToken) bằng tài khoản mặc định hoặc mật khẩu yếu.
    Qua ONVIF, kẻ tấn công lấy được địa chỉ luồng video, đọc và thay đổi cấu hình, điều khiển quay quét (PTZ).
finding-default-credential-onvif-remediation =
    Đổi mật khẩu các tài khoản ONVIF (nhiều camera có danh sách người dùng ONVIF riêng, tách khỏi tài khoản web) và xóa tài khoản ONVIF không dùng.
    Nếu hệ thống không dùng ONVIF, hãy tắt dịch vụ ONVIF.

finding-default-credential-telnet-title = Telnet chấp nhận mật khẩu mặc định
finding-default-credential-telnet-description =
    Có thể đăng nhập Telnet bằng mật khẩu mặc định hoặc mật khẩu cài cứng trong firmware, thường với quyền root.
    Đây chính là con đường các mạng máy tính ma (botnet) như Mirai dùng để chiếm hàng loạt camera.
finding-default-credential-telnet-remediation =
    Tắt dịch vụ Telnet trên camera.
    Nếu giao diện quản trị không cho tắt, hãy cập nhật firmware mới nhất của nhà sản xuất và chặn cổng 23, 2323 tại tường lửa hoặc bộ định tuyến.
    Thiết bị có mật khẩu root cố định, không đổi được, cần được thay thế.

finding-default-credential-ftp-title = Dịch vụ FTP chấp nhận mật khẩu mặc định hoặc mật khẩu yếu
finding-default-credential-ftp-description =
    Máy chủ FTP trên camera chấp nhận tài khoản mặc định hoặc mật khẩu yếu, cho phép đọc hoặc ghi tệp trên thiết bị (bản ghi, ảnh chụp, cấu hình).
    Mật khẩu FTP còn được gửi đi dưới dạng không mã hóa.
finding-default-credential-ftp-remediation =
    Tắt máy chủ FTP nếu không dùng.
    Nếu cần, đổi sang mật khẩu mạnh, duy nhất và chỉ cho phép truy cập từ máy chủ lưu trữ được chỉ định.

finding-default-credential-ssh-title = SSH chấp nhận mật khẩu mặc định hoặc mật khẩu yếu
finding-default-credential-ssh-description =
    Có thể đăng nhập SSH bằng mật khẩu mặc định hoặc mật khẩu yếu, thường với quyền quản trị hệ điều hành của camera.
finding-default-credential-ssh-remediation =
    Tắt SSH nếu không cần cho bảo trì.
    Nếu cần, đổi sang mật khẩu mạnh, duy nhất, chỉ cho phép đăng nhập từ mạng quản trị và cập nhật firmware.

finding-default-credential-sdk-title = Cổng điều khiển riêng của hãng (SDK) chấp nhận mật khẩu mặc định hoặc mật khẩu yếu
finding-default-credential-sdk-description =
    Cổng giao thức riêng của nhà sản xuất (ví dụ 8000 của Hikvision, 37777 của Dahua, 34567 của XiongMai) chấp nhận tài khoản mặc định hoặc mật khẩu yếu.
    Qua cổng này, phần mềm của hãng có toàn quyền xem, phát lại bản ghi và cấu hình thiết bị.
finding-default-credential-sdk-remediation =
    Đổi mật khẩu các tài khoản của thiết bị thành mật khẩu mạnh, duy nhất.
    Chặn cổng SDK từ Internet và chỉ cho phép truy cập từ đầu ghi hoặc máy chủ quản lý (NVR/VMS); tắt dịch vụ đám mây P2P nếu không dùng.

## Truy cập không cần xác thực

finding-unauthenticated-rtsp-stream-title = Luồng video RTSP xem được mà không cần đăng nhập
finding-unauthenticated-rtsp-stream-description =
    Camera phát luồng video thật qua RTSP cho bất kỳ ai biết địa chỉ, không yêu cầu tên người dùng và mật khẩu.
    Hình ảnh giám sát có thể bị xem, ghi lại và phát tán.
finding-unauthenticated-rtsp-stream-remediation =
    Bật xác thực RTSP (chọn kiểu Digest) trong phần cài đặt bảo mật của camera và đặt mật khẩu mạnh cho tài khoản xem.
    Chặn cổng RTSP (thường là 554) từ Internet; nếu cần xem từ xa, dùng VPN.

finding-unauthenticated-onvif-title = Dịch vụ ONVIF trả lời khi chưa xác thực
finding-unauthenticated-onvif-description =
    Các thao tác ONVIF ngoài GetSystemDateAndTime (thông tin thiết bị, hồ sơ luồng, địa chỉ luồng, danh sách người dùng) vẫn trả lời khi không có WS-Security.
    Kẻ tấn công lấy được thông tin thiết bị và địa chỉ luồng video, có khi cả thông tin đăng nhập.
finding-unauthenticated-onvif-remediation =
    Bật xác thực ONVIF trong cài đặt của camera và đặt mật khẩu mạnh cho người dùng ONVIF.
    Nếu không dùng ONVIF thì tắt dịch vụ này; cập nhật firmware mới nhất.

finding-unauthenticated-snapshot-title = Ảnh chụp từ camera tải được mà không cần đăng nhập
finding-unauthenticated-snapshot-description =
    Camera trả về ảnh tĩnh qua HTTP cho yêu cầu không kèm thông tin xác thực, nên bất kỳ ai cũng xem được hình ảnh hiện tại.
finding-unauthenticated-snapshot-remediation =
    Tắt truy cập ẩn danh hoặc tài khoản khách (anonymous, guest) và tùy chọn xem không cần đăng nhập trong phần quản lý người dùng.
    Cập nhật firmware nếu lỗi nằm ở firmware và chặn cổng web của camera từ Internet.

finding-unauthenticated-config-title = Thông tin thiết bị hoặc cấu hình đọc được mà không cần đăng nhập
finding-unauthenticated-config-description =
    Thông tin thiết bị (mẫu, số sê-ri, phiên bản firmware) hoặc cấu hình đọc được qua HTTP mà không cần xác thực.
    Thông tin này giúp kẻ tấn công nhắm đúng lỗ hổng, đôi khi còn làm lộ cả tài khoản.
finding-unauthenticated-config-remediation =
    Cập nhật firmware mới nhất của nhà sản xuất và tắt mọi truy cập ẩn danh.
    Chỉ cho phép truy cập giao diện quản trị từ mạng quản trị.

## Kênh giao tiếp không an toàn

finding-cleartext-management-http-title = Giao diện quản trị dùng HTTP không mã hóa
finding-cleartext-management-http-description =
    Giao diện web quản trị được phục vụ qua HTTP và không chuyển hướng sang HTTPS.
    Mật khẩu, phiên đăng nhập và cấu hình được truyền đi dưới dạng rõ, có thể bị nghe lén trên mạng.
finding-cleartext-management-http-remediation =
    Bật HTTPS trong cài đặt mạng của camera, ưu tiên chứng thư số do tổ chức cấp.
    Bật chuyển hướng HTTP sang HTTPS hoặc tắt cổng HTTP; chỉ quản trị thiết bị qua mạng tin cậy.

finding-http-basic-auth-cleartext-title = Xác thực HTTP Basic qua kết nối không mã hóa
finding-http-basic-auth-cleartext-description =
    Camera chấp nhận xác thực HTTP Basic qua HTTP thường: tên người dùng và mật khẩu chỉ được mã hóa Base64, bất kỳ ai nghe lén trên đường truyền đều đọc được.
finding-http-basic-auth-cleartext-remediation =
    Chuyển kiểu xác thực web sang Digest và bật HTTPS; tắt xác thực Basic.

finding-rtsp-basic-auth-cleartext-title = RTSP dùng xác thực Basic
finding-rtsp-basic-auth-cleartext-description =
    Máy chủ RTSP đề nghị xác thực Basic, nên mật khẩu được gửi trên mạng gần như ở dạng văn bản rõ.
finding-rtsp-basic-auth-cleartext-remediation =
    Chọn kiểu xác thực RTSP là Digest trong mục bảo mật hoặc xác thực RTSP của camera và đổi mật khẩu đã từng dùng với Basic.

## Dịch vụ không cần thiết đang mở

finding-telnet-enabled-title = Dịch vụ Telnet đang mở
finding-telnet-enabled-description =
    Camera mở dịch vụ Telnet, một giao thức quản trị không mã hóa và là đích dò mật khẩu chính của các botnet IoT như Mirai.
finding-telnet-enabled-remediation =
    Tắt Telnet trong giao diện quản trị hoặc bằng bản firmware mới.
    Nếu không tắt được, chặn cổng 23 và 2323 tại tường lửa và cân nhắc thay thiết bị.

finding-ftp-enabled-title = Dịch vụ FTP đang mở
finding-ftp-enabled-description =
    Camera mở máy chủ FTP, giao thức truyền tệp không mã hóa, làm tăng bề mặt tấn công của thiết bị.
finding-ftp-enabled-remediation =
    Tắt máy chủ FTP nếu không dùng.
    Nếu cần đưa bản ghi lên máy chủ lưu trữ, dùng SFTP hoặc FTPS và chỉ cho phép từ địa chỉ được chỉ định.

finding-ssh-enabled-title = Dịch vụ SSH đang mở
finding-ssh-enabled-description =
    Camera mở dịch vụ SSH. SSH mã hóa kết nối nhưng là giao diện quản trị hệ điều hành, thường không cần cho việc vận hành camera.
finding-ssh-enabled-remediation =
    Tắt SSH nếu không dùng cho bảo trì; nếu cần, chỉ cho phép từ mạng quản trị và dùng mật khẩu mạnh.

finding-upnp-exposed-title = UPnP/SSDP đang bật
finding-upnp-exposed-description =
    Camera trả lời UPnP/SSDP. UPnP có thể tự mở cổng trên bộ định tuyến và đưa camera ra Internet mà người quản trị không biết.
finding-upnp-exposed-remediation =
    Tắt UPnP trên camera và trên bộ định tuyến.
    Nếu thật sự cần truy cập từ xa, cấu hình chuyển tiếp cổng thủ công có giới hạn hoặc dùng VPN.

finding-vendor-sdk-port-exposed-title = Cổng điều khiển riêng của hãng (SDK) truy cập được
finding-vendor-sdk-port-exposed-description =
    Cổng giao thức riêng của nhà sản xuất (ví dụ 8000, 37777, 34567) mở ra mạng.
    Nhiều lỗ hổng nghiêm trọng trên camera đã bị khai thác qua các cổng này.
finding-vendor-sdk-port-exposed-remediation =
    Chặn cổng SDK từ Internet và các mạng không tin cậy; chỉ cho phép từ đầu ghi hoặc máy chủ quản lý (NVR/VMS).
    Tắt dịch vụ P2P hoặc đám mây nếu không dùng và cập nhật firmware.

## TLS

finding-self-signed-tls-title = Chứng thư TLS tự ký
finding-self-signed-tls-description =
    Dịch vụ HTTPS hoặc RTSPS dùng chứng thư tự ký nên không xác minh được danh tính của camera.
    Người dùng quen bỏ qua cảnh báo của trình duyệt sẽ dễ bị tấn công xen giữa.
finding-self-signed-tls-remediation =
    Cài cho camera chứng thư do tổ chức chứng thực cấp (CA nội bộ hoặc CA công cộng) thay cho chứng thư mặc định hoặc tự ký.

finding-weak-tls-title = Cấu hình TLS yếu
finding-weak-tls-description =
    Dịch vụ TLS của camera chấp nhận phiên bản giao thức cũ (SSL 3.0, TLS 1.0, TLS 1.1) hoặc bộ mã hóa yếu.
finding-weak-tls-remediation =
    Cập nhật firmware; trong cài đặt HTTPS chỉ bật TLS 1.2 và TLS 1.3 với bộ mã hóa mạnh, tắt SSL 3.0, TLS 1.0 và TLS 1.1.

finding-expired-tls-cert-title = Chứng thư TLS đã hết hạn
finding-expired-tls-cert-description =
    Chứng thư của dịch vụ HTTPS hoặc RTSPS đã hết hạn, nên việc xác minh máy chủ không còn giá trị.
finding-expired-tls-cert-remediation =
    Cấp và cài chứng thư mới cho camera; theo dõi ngày hết hạn của chứng thư trên mọi thiết bị.

## Chống dò mật khẩu

finding-no-login-lockout-title = Không khóa đăng nhập khi nhập sai mật khẩu liên tiếp
finding-no-login-lockout-description =
    Sau nhiều lần đăng nhập sai liên tiếp, camera không khóa tài khoản và không làm chậm các lần thử tiếp theo, nên kẻ tấn công có thể dò mật khẩu.
    QĐ 724/QĐ-BTTTT yêu cầu mặc định khóa đăng nhập 5 phút sau 5 lần sai liên tiếp trong vòng 30 giây.
finding-no-login-lockout-remediation =
    Bật chức năng khóa đăng nhập khi nhập sai mật khẩu, với tối đa 5 lần sai và thời gian khóa ít nhất 5 phút.
    Nếu firmware chưa có chức năng này, cập nhật firmware hoặc chặn truy cập đăng nhập từ các mạng không tin cậy.

## Firmware và lỗ hổng đã biết

finding-outdated-firmware-title = Firmware cũ hơn phiên bản mới nhất đã biết
finding-outdated-firmware-description =
    Phiên bản firmware của camera cũ hơn bản mới nhất mà cơ sở tri thức của camguard ghi nhận cho dòng sản phẩm này. Các bản mới thường vá lỗ hổng bảo mật.
finding-outdated-firmware-remediation =
    Tải firmware mới nhất từ trang chính thức của nhà sản xuất, đúng mẫu và phiên bản phần cứng, sao lưu cấu hình rồi nâng cấp.
    Lập lịch kiểm tra cập nhật định kỳ cho toàn bộ camera.

finding-cve-title = Lỗ hổng đã biết { $id }
finding-cve-description =
    Thiết bị bị ảnh hưởng bởi { $id }: { $title }.
    Kết luận dựa trên phiên bản firmware nằm trong dải bị ảnh hưởng, hoặc trên một kiểm tra chỉ đọc đã xác nhận lỗ hổng; phần bằng chứng cho biết cách phát hiện.
finding-cve-remediation =
    Cập nhật firmware lên bản đã vá theo khuyến cáo của nhà sản xuất.
    Nếu thiết bị đã ngừng hỗ trợ và không có bản vá, hãy thay thế thiết bị.
    Trong khi chờ, chặn truy cập vào thiết bị từ Internet và các mạng không tin cậy; đổi mọi mật khẩu có thể đã bị lộ.
finding-cve-kev-note = Lỗ hổng này đang bị khai thác trong thực tế (có trong danh mục KEV của CISA): cần ưu tiên xử lý.
finding-cve-possible-note = Dải phiên bản bị ảnh hưởng rộng hơn thực tế vì chưa có thông tin công khai về bản vá: thiết bị có thể bị ảnh hưởng.

finding-known-vuln-title = Lỗ hổng đã biết (chưa có mã CVE): { $id }
finding-known-vuln-description =
    Thiết bị bị ảnh hưởng bởi một lỗ hổng đã được công bố nhưng chưa có mã CVE: { $title }.
    Phần bằng chứng cho biết kiểm tra chỉ đọc đã xác nhận điều gì.
finding-known-vuln-remediation =
    Cập nhật firmware mới nhất của nhà sản xuất; nếu không có bản vá, thay thế thiết bị.
    Chặn truy cập vào thiết bị từ Internet và đổi mọi mật khẩu có thể đã bị lộ.

## Kết luận theo tiêu chí (baseline)

verdict-pass = Đạt
verdict-fail = Không đạt
verdict-not-testable = Không kiểm tra được từ xa
verdict-no-evidence = Chưa phát hiện vi phạm (chỉ kiểm tra được một phần từ xa)
verdict-not-tested = Chưa kiểm tra (kiểm tra tùy chọn chưa được bật)
