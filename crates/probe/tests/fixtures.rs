//! Real replies as test data (`testdata/`, provenance in `testdata/README.md`), run through the
//! crate's own parsers and flows, the parsed facts snapshotted with insta (`tests/snapshots/`).
//!
//! * Single replies captured from real devices (public captures): RTSP heads and SDP through
//!   [`parse_head`] and the RTSP observation builders, ONVIF SOAP through [`parse_soap`],
//!   WS-Discovery through [`parse_probe_matches`] and, sent from a loopback UDP port 3702,
//!   through [`wsd_probe`].
//! * Whole exchanges captured from the real servers of `tests/real` (`testdata/replay/<name>/`,
//!   re-captured by `testdata/capture.sh`): a replay server on 127.89.1.x answers each request
//!   of [`probe_port`] with the captured bytes, and the port report is snapshotted. Every
//!   request the probe sends must have a captured reply, so a fixture cannot silently go stale.
//!
//! A snapshot that differs fails the test (CI sets `CI=true`, which makes insta refuse to write
//! new snapshots); review a change with `cargo insta review` or `INSTA_UPDATE=always`.

mod common;

use camguard_probe::{
    HttpResponse, Observation, PortReport, decode_chunked, parse_head, parse_probe_matches,
    parse_soap, probe_port, rtsp_describe_observations, rtsp_options_observations, wsd_probe,
};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testdata(rel)).unwrap_or_else(|e| panic!("testdata/{rel}: {e}"))
}

/// Observations as `key: "value"` lines (port left out: replay ports are ephemeral).
fn render(obs: &[Observation]) -> String {
    obs.iter()
        .map(|o| format!("{}: {:?}\n", o.key, o.value))
        .collect()
}

fn render_report(rep: &PortReport) -> String {
    let mut s = format!("service: {:?}\n", rep.service);
    s.push_str(&render(&rep.observations));
    for n in &rep.notes {
        s.push_str(&format!("note: {n}\n"));
    }
    s
}

/// One HTTP/RTSP reply from its bytes: the head by [`parse_head`], the body framed by
/// `Content-Length` or chunked coding (as the probe frames it), else the rest.
fn reply(bytes: &[u8]) -> HttpResponse {
    let head = parse_head(bytes).expect("a reply head");
    let rest = &bytes[head.len..];
    let body = if head.is_chunked() {
        decode_chunked(rest, 1 << 20).expect("chunked body").body
    } else if let Some(n) = head.content_length() {
        rest[..rest.len().min(usize::try_from(n).unwrap_or(usize::MAX))].to_vec()
    } else {
        rest.to_vec()
    };
    HttpResponse {
        status: head.status,
        headers: head.headers,
        body,
    }
}

// ---------------------------------------------------------------------------------------------
// RTSP replies of real cameras (scottlamb/retina src/client/testdata)

fn rtsp_describe(name: &str) -> String {
    let bytes = read(&format!("rtsp/{name}.txt"));
    let head = parse_head(&bytes).expect("head");
    let mut s = format!("protocol: {}\n", head.protocol.as_str());
    s.push_str(&render(&rtsp_describe_observations(554, &reply(&bytes))));
    s
}

#[test]
fn rtsp_options_dahua() {
    let bytes = read("rtsp/dahua_options.txt");
    insta::assert_snapshot!(render(&rtsp_options_observations(554, &reply(&bytes))));
}

#[test]
fn rtsp_describe_dahua() {
    insta::assert_snapshot!(rtsp_describe("dahua_describe_h264_aac_onvif"));
}

#[test]
fn rtsp_describe_hikvision() {
    insta::assert_snapshot!(rtsp_describe("hikvision_describe"));
}

#[test]
fn rtsp_describe_reolink() {
    insta::assert_snapshot!(rtsp_describe("reolink_describe"));
}

#[test]
fn rtsp_describe_foscam() {
    insta::assert_snapshot!(rtsp_describe("foscam_describe"));
}

#[test]
fn rtsp_describe_vstarcam() {
    insta::assert_snapshot!(rtsp_describe("vstarcam_describe"));
}

#[test]
fn rtsp_describe_anjvision() {
    insta::assert_snapshot!(rtsp_describe("anjvision_describe"));
}

#[test]
fn rtsp_describe_h264dvr() {
    insta::assert_snapshot!(rtsp_describe("h264dvr_describe"));
}

#[test]
fn rtsp_describe_gw_security() {
    insta::assert_snapshot!(rtsp_describe("gw_main_describe"));
}

#[test]
fn rtsp_describe_longse_401() {
    insta::assert_snapshot!(rtsp_describe("longse_unauthorized"));
}

// ---------------------------------------------------------------------------------------------
// ONVIF SOAP replies

#[test]
fn onvif_dahua_get_stream_uri() {
    insta::assert_debug_snapshot!(parse_soap(&read("onvif/dahua_GetStreamUri.xml")));
}

#[test]
fn onvif_dahua_get_capabilities() {
    insta::assert_debug_snapshot!(parse_soap(&read("onvif/dahua_GetCapabilities.xml")));
}

#[test]
fn onvif_node_onvif_get_system_date_and_time() {
    insta::assert_debug_snapshot!(parse_soap(&read("onvif/agsh_GetSystemDateAndTime.xml")));
}

// ---------------------------------------------------------------------------------------------
// WS-Discovery ProbeMatches of real cameras (kerberos-io/onvif ws-discovery tests)

#[test]
fn wsd_hikvision_probe_matches() {
    insta::assert_debug_snapshot!(parse_probe_matches(&read(
        "wsd/hikvision_DFI6256TE_ProbeMatches.xml"
    )));
}

#[test]
fn wsd_tplink_probe_matches() {
    insta::assert_debug_snapshot!(parse_probe_matches(&read(
        "wsd/tplink_TP-IPC_ProbeMatches.xml"
    )));
}

/// The TP-Link reply answered from a loopback UDP port 3702 to the probe's unicast Probe:
/// the observations the scan gets.
#[tokio::test]
async fn wsd_probe_replay_tplink() {
    let ip = common::ip("127.89.1.20");
    let sock = tokio::net::UdpSocket::bind((ip, camguard_probe::WSD_PORT))
        .await
        .expect("bind 127.89.1.20:3702");
    let datagram = read("wsd/tplink_TP-IPC_ProbeMatches.xml");
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65536];
        while let Ok((_, from)) = sock.recv_from(&mut buf).await {
            let _ = sock.send_to(&datagram, from).await;
        }
    });
    insta::assert_snapshot!(render(&wsd_probe(ip, &common::cfg()).await));
}

// ---------------------------------------------------------------------------------------------
// Whole exchanges with the real servers of tests/real, replayed

/// The file a request is answered from: `OPTIONS.txt`/`DESCRIBE.txt` (RTSP),
/// `GET_<path>.txt`, `POST_<path>_<SOAP operation>.txt` (`/` in paths as `_`).
fn reply_name(head: &str) -> String {
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let target = first.next().unwrap_or_default();
    let proto = first.next().unwrap_or_default();
    if proto.starts_with("RTSP/") {
        return format!("{method}.txt");
    }
    let mut name = format!(
        "{method}_{}",
        target.trim_start_matches('/').replace('/', "_")
    );
    for l in lines {
        let (k, v) = l.split_once(':').unwrap_or_default();
        if k.eq_ignore_ascii_case("content-type")
            && let Some(a) = v.split("action=\"").nth(1)
        {
            let action = a.split('"').next().unwrap_or_default();
            name.push('_');
            name.push_str(action.rsplit('/').next().unwrap_or_default());
        }
    }
    name + ".txt"
}

/// Serve `testdata/replay/<fixture>/` on `ip`: a `banner.bin` is sent on connect; otherwise
/// each request is answered with its captured reply (the connection kept open unless the reply
/// says `Connection: close`). Requests without a captured reply are recorded and the
/// connection closed.
async fn replay(fixture: &str, ip: &str) -> (std::net::SocketAddr, Arc<Mutex<Vec<String>>>) {
    let (l, addr): (TcpListener, _) = common::bind(ip).await;
    let dir = testdata(&format!("replay/{fixture}"));
    assert!(dir.is_dir(), "{} is missing", dir.display());
    let missing = Arc::new(Mutex::new(Vec::new()));
    let miss = missing.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let dir = dir.clone();
            let miss = miss.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                if let Ok(b) = std::fs::read(dir.join("banner.bin")) {
                    let _ = s.write_all(&b).await;
                    // Keep the connection until the client hangs up (telnet negotiation).
                    while matches!(s.read(&mut chunk).await, Ok(n) if n > 0) {}
                    return;
                }
                loop {
                    let end = loop {
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                        match s.read(&mut chunk).await {
                            Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                            _ => return,
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    let body_len = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    while buf.len() < end + body_len {
                        match s.read(&mut chunk).await {
                            Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                            _ => return,
                        }
                    }
                    buf.drain(..end + body_len);
                    let name = reply_name(&head);
                    let Ok(out) = std::fs::read(dir.join(&name)) else {
                        miss.lock().unwrap().push(name);
                        return;
                    };
                    if s.write_all(&out).await.is_err() {
                        return;
                    }
                    let close = parse_head(&out).is_ok_and(|h| {
                        h.header("connection")
                            .is_some_and(|c| c.eq_ignore_ascii_case("close"))
                    });
                    if close {
                        return;
                    }
                }
            });
        }
    });
    (addr, missing)
}

async fn replayed(fixture: &str, ip: &str, hint: &str) -> String {
    let (addr, missing) = replay(fixture, ip).await;
    let cfg = common::cfg();
    let rep = probe_port(addr.ip(), addr.port(), hint, &cfg).await;
    let missing = missing.lock().unwrap().clone();
    assert!(
        missing.is_empty(),
        "testdata/replay/{fixture} has no reply for {missing:?}; re-capture with testdata/capture.sh"
    );
    render_report(&rep)
}

#[tokio::test]
async fn replay_gst_rtsp_live() {
    insta::assert_snapshot!(replayed("gst-rtsp-live", "127.89.1.1", "rtsp").await);
}

#[tokio::test]
async fn replay_gst_rtsp_root_open() {
    insta::assert_snapshot!(replayed("gst-rtsp-root-open", "127.89.1.2", "rtsp").await);
}

#[tokio::test]
async fn replay_gst_rtsp_root_digest() {
    insta::assert_snapshot!(replayed("gst-rtsp-root-digest", "127.89.1.3", "rtsp").await);
}

#[tokio::test]
async fn replay_apache_digest() {
    insta::assert_snapshot!(replayed("apache-digest", "127.89.1.4", "http").await);
}

#[tokio::test]
async fn replay_busybox_telnetd() {
    insta::assert_snapshot!(replayed("busybox-telnetd", "127.89.1.5", "telnet").await);
}

#[tokio::test]
async fn replay_vsftpd() {
    insta::assert_snapshot!(replayed("vsftpd", "127.89.1.6", "ftp").await);
}

#[tokio::test]
async fn replay_openssh() {
    insta::assert_snapshot!(replayed("openssh", "127.89.1.7", "ssh").await);
}
