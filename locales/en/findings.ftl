### camguard — finding texts (English)
###
### This Fluent file holds the title, description and remediation of every finding id of
### docs/spec/scan-output.md, and the severity names.
### Message ids: finding-<finding id>-title | -description | -remediation, with ":" and every
### character outside [a-z0-9-] replaced by "-" (default-credential:rtsp ->
### finding-default-credential-rtsp-title).
### cve:<CVE-ID> and known-vuln:<id> use shared messages with variables:
###   $id    the vulnerability id (CVE-2021-36260, uniview-2017-main-cgi, ...)
###   $title the English title of the vulnerability from kb/assess/cves.toml (title_en)
### Requirement figures follow QĐ 724/QĐ-BTTTT, QCVN 135:2024/BTTTT and QCVN 11:2026/BCA.
### Update: add every new message to both locales/vi and locales/en under the same id.

## Severity

severity-critical = Critical
severity-high = High
severity-medium = Medium
severity-low = Low
severity-info = Info

## Default or weak credentials

finding-default-credential-http-title = Web interface accepts a default or weak password
finding-default-credential-http-description =
    The camera's web management interface (HTTP/HTTPS) accepts the manufacturer's default account or a common weak password.
    Anyone who can reach the camera over the network can take over administration, watch the video and change the configuration.
finding-default-credential-http-remediation =
    Change the password of the administrator account and every other account now to a strong password unique to this device: at least 8 characters with upper case, lower case, digits and special characters.
    Delete or disable default accounts that are not used.
    If the firmware does not let you change the password, update the firmware or replace the device.

finding-default-credential-rtsp-title = RTSP stream accepts a default or weak password
finding-default-credential-rtsp-description =
    The camera's RTSP server accepts a default account or a common weak password.
    An attacker can watch and record the live video without the owner noticing.
finding-default-credential-rtsp-remediation =
    Change the password of the accounts allowed to view RTSP (usually the administrator) to a strong, unique password.
    Create a separate view-only account for the recorder or video management software (NVR/VMS) and set RTSP authentication to Digest.

finding-default-credential-onvif-title = ONVIF service accepts a default or weak password
finding-default-credential-onvif-description =
    ONVIF authentication (WS-UsernameToken) succeeds with a default account or a weak password.
    Through ONVIF an attacker gets the stream addresses, reads and changes the configuration and controls pan-tilt-zoom.
finding-default-credential-onvif-remediation =
    Change the passwords of the ONVIF accounts (many cameras keep a separate ONVIF user list next to the web accounts) and delete unused ONVIF accounts.
    If the system does not use ONVIF, turn the ONVIF service off.

finding-default-credential-telnet-title = Telnet accepts a default password
finding-default-credential-telnet-description =
    Telnet login succeeds with a default password or one hard-coded in the firmware, usually as root.
    This is exactly how botnets such as Mirai take over cameras in bulk.
finding-default-credential-telnet-remediation =
    Turn the Telnet service off on the camera.
    If the management interface cannot turn it off, install the manufacturer's latest firmware and block ports 23 and 2323 at the firewall or router.
    Replace devices whose fixed root password cannot be changed.

finding-default-credential-ftp-title = FTP service accepts a default or weak password
finding-default-credential-ftp-description =
    The camera's FTP server accepts a default account or a weak password, giving read or write access to files on the device (recordings, snapshots, configuration).
    FTP also sends the password unencrypted.
finding-default-credential-ftp-remediation =
    Turn the FTP server off if it is not used.
    Otherwise set a strong, unique password and allow access only from the designated storage server.

finding-default-credential-ssh-title = SSH accepts a default or weak password
finding-default-credential-ssh-description =
    SSH login succeeds with a default or weak password, usually with administrative rights on the camera's operating system.
finding-default-credential-ssh-remediation =
    Turn SSH off unless it is needed for maintenance.
    If it is needed, set a strong, unique password, allow logins only from the management network and update the firmware.

finding-default-credential-sdk-title = Vendor control port (SDK) accepts a default or weak password
finding-default-credential-sdk-description =
    The manufacturer's proprietary protocol port (for example 8000 on Hikvision, 37777 on Dahua, 34567 on XiongMai) accepts a default account or a weak password.
    Through it the vendor's software has full access to live view, playback and configuration.
finding-default-credential-sdk-remediation =
    Change the device's account passwords to strong, unique ones.
    Block the SDK port from the Internet and allow it only from the recorder or management server (NVR/VMS); turn the P2P cloud service off if it is not used.

## Access without authentication

finding-unauthenticated-rtsp-stream-title = RTSP video stream can be watched without logging in
finding-unauthenticated-rtsp-stream-description =
    The camera serves a real video stream over RTSP to anyone who knows the address, without asking for a user name and password.
    Surveillance footage can be watched, recorded and leaked.
finding-unauthenticated-rtsp-stream-remediation =
    Enable RTSP authentication (type Digest) in the camera's security settings and set a strong password for the viewing account.
    Block the RTSP port (usually 554) from the Internet; use a VPN for remote viewing.

finding-unauthenticated-onvif-title = ONVIF answers without authentication
finding-unauthenticated-onvif-description =
    ONVIF operations beyond GetSystemDateAndTime (device information, media profiles, stream addresses, user list) answer without WS-Security.
    An attacker obtains device details and stream addresses, sometimes credentials too.
finding-unauthenticated-onvif-remediation =
    Enable ONVIF authentication in the camera settings and set a strong password for the ONVIF users.
    Turn ONVIF off if it is not used, and update the firmware.

finding-unauthenticated-snapshot-title = Camera snapshot can be downloaded without logging in
finding-unauthenticated-snapshot-description =
    The camera returns a still image over HTTP to a request without credentials, so anyone can see the current picture.
finding-unauthenticated-snapshot-remediation =
    Disable anonymous or guest access and any "view without login" option in user management.
    Update the firmware if the flaw is in the firmware, and block the camera's web port from the Internet.

finding-unauthenticated-config-title = Device information or configuration readable without logging in
finding-unauthenticated-config-description =
    Device information (model, serial number, firmware version) or configuration can be read over HTTP without authentication.
    It helps an attacker pick the right exploit and sometimes exposes accounts.
finding-unauthenticated-config-remediation =
    Install the manufacturer's latest firmware and disable all anonymous access.
    Allow access to the management interface only from the management network.

## Insecure communication

finding-cleartext-management-http-title = Management interface over unencrypted HTTP
finding-cleartext-management-http-description =
    The web management interface is served over HTTP without a redirect to HTTPS.
    Passwords, sessions and configuration cross the network in clear text and can be sniffed.
finding-cleartext-management-http-remediation =
    Enable HTTPS in the camera's network settings, preferably with a certificate issued by your organisation.
    Redirect HTTP to HTTPS or close the HTTP port; manage devices only from a trusted network.

finding-http-basic-auth-cleartext-title = HTTP Basic authentication over an unencrypted connection
finding-http-basic-auth-cleartext-description =
    The camera accepts HTTP Basic authentication over plain HTTP: the user name and password are only Base64-encoded and readable by anyone on the path.
finding-http-basic-auth-cleartext-remediation =
    Switch web authentication to Digest and enable HTTPS; disable Basic authentication.

finding-rtsp-basic-auth-cleartext-title = RTSP offers Basic authentication
finding-rtsp-basic-auth-cleartext-description =
    The RTSP server offers Basic authentication, so passwords cross the network practically in clear text.
finding-rtsp-basic-auth-cleartext-remediation =
    Set the RTSP authentication type to Digest in the camera's RTSP security settings and change any password that was used with Basic.

## Unneeded services

finding-telnet-enabled-title = Telnet service is open
finding-telnet-enabled-description =
    The camera runs a Telnet service, an unencrypted management protocol and the main password-guessing target of IoT botnets such as Mirai.
finding-telnet-enabled-remediation =
    Turn Telnet off in the management interface or with newer firmware.
    If it cannot be turned off, block ports 23 and 2323 at the firewall and consider replacing the device.

finding-ftp-enabled-title = FTP service is open
finding-ftp-enabled-description =
    The camera runs an FTP server, an unencrypted file-transfer protocol that widens the attack surface.
finding-ftp-enabled-remediation =
    Turn the FTP server off if it is not used.
    To upload recordings to a storage server, use SFTP or FTPS and allow only the designated address.

finding-ssh-enabled-title = SSH service is open
finding-ssh-enabled-description =
    The camera runs an SSH service. SSH is encrypted but it is an operating-system management interface that camera operation rarely needs.
finding-ssh-enabled-remediation =
    Turn SSH off unless it is used for maintenance; otherwise allow it only from the management network with a strong password.

finding-upnp-exposed-title = UPnP/SSDP is enabled
finding-upnp-exposed-description =
    The camera answers UPnP/SSDP. UPnP can open ports on the router by itself and expose the camera to the Internet without the administrator knowing.
finding-upnp-exposed-remediation =
    Turn UPnP off on the camera and on the router.
    If remote access is really needed, configure a restricted port forward by hand or use a VPN.

finding-vendor-sdk-port-exposed-title = Vendor control port (SDK) is reachable
finding-vendor-sdk-port-exposed-description =
    The manufacturer's proprietary protocol port (for example 8000, 37777, 34567) is reachable.
    Many critical camera vulnerabilities have been exploited through these ports.
finding-vendor-sdk-port-exposed-remediation =
    Block the SDK port from the Internet and untrusted networks; allow it only from the recorder or management server (NVR/VMS).
    Turn P2P or cloud services off if they are not used, and update the firmware.

## TLS

finding-self-signed-tls-title = Self-signed TLS certificate
finding-self-signed-tls-description =
    The HTTPS or RTSPS service uses a self-signed certificate, so the camera's identity cannot be verified.
    Users who learn to click through browser warnings are easy targets for man-in-the-middle attacks.
finding-self-signed-tls-remediation =
    Install a certificate issued by a certificate authority (internal or public) instead of the default or self-signed one.

finding-weak-tls-title = Weak TLS configuration
finding-weak-tls-description =
    The camera's TLS service accepts old protocol versions (SSL 3.0, TLS 1.0, TLS 1.1) or weak cipher suites.
finding-weak-tls-remediation =
    Update the firmware; in the HTTPS settings enable only TLS 1.2 and TLS 1.3 with strong cipher suites and disable SSL 3.0, TLS 1.0 and TLS 1.1.

finding-expired-tls-cert-title = Expired TLS certificate
finding-expired-tls-cert-description =
    The certificate of the HTTPS or RTSPS service has expired, so server verification no longer means anything.
finding-expired-tls-cert-remediation =
    Issue and install a new certificate, and track certificate expiry dates on every device.

## Brute-force protection

finding-no-login-lockout-title = No lockout after repeated failed logins
finding-no-login-lockout-description =
    After many consecutive failed logins the camera neither locks the account nor slows further attempts, so passwords can be guessed.
    QĐ 724/QĐ-BTTTT requires, by default, locking login for 5 minutes after 5 consecutive failures within 30 seconds.
finding-no-login-lockout-remediation =
    Enable the failed-login lockout with at most 5 failures and a lock of at least 5 minutes.
    If the firmware lacks the feature, update it or block login access from untrusted networks.

## Firmware and known vulnerabilities

finding-outdated-firmware-title = Firmware older than the newest known release
finding-outdated-firmware-description =
    The camera's firmware is older than the newest release camguard's knowledge base records for this product line. Newer releases usually fix security flaws.
finding-outdated-firmware-remediation =
    Download the latest firmware for the exact model and hardware version from the manufacturer's official site, back up the configuration and upgrade.
    Schedule periodic update checks for all cameras.

finding-cve-title = Known vulnerability { $id }
finding-cve-description =
    The device is affected by { $id }: { $title }.
    The verdict rests on the firmware version falling in the affected range, or on a read-only check that confirmed the flaw; the evidence says which.
finding-cve-remediation =
    Update to the patched firmware named in the manufacturer's advisory.
    If the device is end-of-life and no fix exists, replace it.
    Meanwhile block access to the device from the Internet and untrusted networks, and change every password that may have leaked.
finding-cve-kev-note = This vulnerability is exploited in the wild (listed in CISA's KEV catalog): fix it first.
finding-cve-possible-note = The affected range is wider than the real one because no fixed release is public: the device may be affected.

finding-known-vuln-title = Known vulnerability without a CVE id: { $id }
finding-known-vuln-description =
    The device is affected by a published vulnerability that has no CVE id: { $title }.
    The evidence shows what the read-only check confirmed.
finding-known-vuln-remediation =
    Install the manufacturer's latest firmware; if no fix exists, replace the device.
    Block access to the device from the Internet and change every password that may have leaked.

## Baseline verdicts

verdict-pass = Pass
verdict-fail = Fail
verdict-not-testable = Not testable remotely
verdict-no-evidence = No evidence of failure (only partly testable remotely)
verdict-not-tested = Not tested (the opt-in check was not enabled)
