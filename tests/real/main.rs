//! Tests against real servers written by others: GStreamer's RTSP server, Apache httpd, busybox
//! telnetd, vsftpd, OpenSSH and the ONVIF camera simulator ipycam. Each test starts its server
//! on its own 127.96.0.x address (ipycam: inside a private network namespace), scans it with
//! the real `camguard` binary and compares the host's open ports and finding ids exactly with
//! what the server's configuration warrants (docs/spec/scan-output.md).
//!
//! They need root and the packages of scripts/install-test-deps. A test whose server is missing
//! prints `SKIP: …` and passes, unless `CAMGUARD_REAL_SERVERS=require`, which makes it fail.
//! Every server is killed (its whole process group) when its test ends, pass or fail. No packet
//! leaves loopback.

mod harness;

mod apache;
mod gst_rtsp;
mod ipycam;
mod openssh;
mod rebinding;
mod telnetd;
mod vsftpd;
