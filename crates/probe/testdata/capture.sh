#!/bin/sh
# Re-capture the local fixtures of crates/probe/testdata/replay/ from the real servers that
# scripts/install-test-deps installs (the same ones tests/real runs), each on its own loopback
# address 127.89.250.x; nothing leaves the machine. Run as root from the repository root:
#     sh crates/probe/testdata/capture.sh
# It prints the Debian package versions; README.md records the ones the committed bytes came from.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out="$here/replay"
cap="$here/capture.py"
work=$(mktemp -d /tmp/camguard-capture-XXXXXX)
chmod 755 "$work"
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM

wait_port() { # address port
    /usr/bin/python3 - "$1" "$2" <<'PY'
import socket, sys, time
for _ in range(150):
    try:
        socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close(); sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(f"{sys.argv[1]}:{sys.argv[2]} never accepted")
PY
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

dpkg-query -W -f='${Package} ${Version}\n' gir1.2-gst-rtsp-server-1.0 libgstrtspserver-1.0-0 \
    apache2-bin busybox-static vsftpd openssh-server

# GStreamer RTSP server (tests/real/fixtures/gst-rtsp-server.py): the test pattern on /live as
# tests/real mounts it (the probe's DESCRIBE of / gets 404), then mounted on / open and with Digest.
gst() { # name address mount auth
    /usr/bin/python3 "$root/tests/real/fixtures/gst-rtsp-server.py" --address "$2" --port 554 \
        --mount "$3" --auth "$4" --user admin --password "capture-$(date +%s%N)" >"$work/$1.log" 2>&1 &
    p=$!; pids="$pids $p"; wait_port "$2" 554
    /usr/bin/python3 "$cap" rtsp "$2" 554 "$out/$1"; stop $p
}
gst gst-rtsp-live 127.89.250.1 /live none
gst gst-rtsp-root-open 127.89.250.7 / none
gst gst-rtsp-root-digest 127.89.250.2 / digest

# Apache httpd: the whole site behind Digest (as tests/real/apache.rs configures it).
m=/usr/lib/apache2/modules
mkdir -p "$work/apache/htdocs"; chmod -R 755 "$work/apache"
printf '<html><head><title>Web Management</title></head><body>Live view</body></html>\n' \
    >"$work/apache/htdocs/index.html"
printf 'admin:Restricted:%s\n' "$(printf 'admin:Restricted:capture-%s' "$(date +%s%N)" | md5sum | cut -d' ' -f1)" \
    >"$work/apache/users"
chmod 644 "$work/apache/users" "$work/apache/htdocs/index.html"
cat >"$work/apache/httpd.conf" <<CONF
ServerRoot "$work/apache"
ServerName 127.89.250.3
Listen 127.89.250.3:80
PidFile "$work/apache/httpd.pid"
DefaultRuntimeDir "$work/apache"
Mutex file:$work/apache default
ErrorLog "$work/apache/error.log"
LoadModule mpm_prefork_module $m/mod_mpm_prefork.so
LoadModule authn_core_module $m/mod_authn_core.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule authn_file_module $m/mod_authn_file.so
LoadModule authz_user_module $m/mod_authz_user.so
LoadModule auth_digest_module $m/mod_auth_digest.so
LoadModule dir_module $m/mod_dir.so
LoadModule mime_module $m/mod_mime.so
TypesConfig /dev/null
AddType text/html .html
StartServers 1
User www-data
Group www-data
ServerTokens Prod
DocumentRoot "$work/apache/htdocs"
DirectoryIndex index.html
<Directory "$work/apache/htdocs">
    AuthType Digest
    AuthName "Restricted"
    AuthDigestProvider file
    AuthUserFile "$work/apache/users"
    Require valid-user
</Directory>
CONF
# Apache signals its process group when stopped: its own session.
setsid /usr/sbin/apache2 -f "$work/apache/httpd.conf" -DFOREGROUND >"$work/apache.log" 2>&1 &
p=$!; pids="$pids $p"; wait_port 127.89.250.3 80
/usr/bin/python3 "$cap" http 127.89.250.3 80 "$out/apache-digest"; stop $p

# busybox telnetd with the board-style login of tests/real/fixtures/fake-login.sh.
cp "$root/tests/real/fixtures/fake-login.sh" "$work/fake-login.sh"; chmod 755 "$work/fake-login.sh"
printf '\n' >"$work/issue"
/usr/bin/busybox telnetd -F -b 127.89.250.4 -p 23 -l "$work/fake-login.sh" -f "$work/issue" \
    >"$work/telnetd.log" 2>&1 &
p=$!; pids="$pids $p"; wait_port 127.89.250.4 23
/usr/bin/python3 "$cap" banner 127.89.250.4 23 "$out/busybox-telnetd"; stop $p

# vsftpd: its greeting (no login is attempted).
mkdir -p "$work/ftp/empty"
cat >"$work/ftp/vsftpd.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.89.250.5
listen_port=21
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=NO
secure_chroot_dir=$work/ftp/empty
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
xferlog_enable=NO
CONF
/usr/sbin/vsftpd "$work/ftp/vsftpd.conf" >"$work/vsftpd.log" 2>&1 &
p=$!; pids="$pids $p"; wait_port 127.89.250.5 21
/usr/bin/python3 "$cap" banner 127.89.250.5 21 "$out/vsftpd"; stop $p

# OpenSSH sshd: its identification string.
ssh-keygen -q -t ed25519 -N '' -f "$work/hostkey"
mkdir -p /run/sshd
printf 'ListenAddress 127.89.250.6:22\nHostKey %s\nPidFile none\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nAuthorizedKeysFile none\n' \
    "$work/hostkey" >"$work/sshd_config"
/usr/sbin/sshd -D -e -f "$work/sshd_config" >"$work/sshd.log" 2>&1 &
p=$!; pids="$pids $p"; wait_port 127.89.250.6 22
/usr/bin/python3 "$cap" banner 127.89.250.6 22 "$out/openssh"; stop $p
