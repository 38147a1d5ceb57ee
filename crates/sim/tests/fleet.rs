//! Integration tests: small fleets on 127.x bases of their own, spoken to over raw sockets.

mod common;

use camguard_sim::{Fleet, FleetConfig, HostKind};
use common::*;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_server_header_presence_and_absence() {
    let f = fleet("127.91.0.0", 64, 1).await;
    let t = f.truth().clone();

    // Hikvision: App-webs/ (newer) or Hikvision-Webs (older firmware) and the login.asp redirect.
    let h = host(&t, "hikvision-ipc", "weak");
    let r = http_get(h.ip, 80, "/", &[]).await;
    assert_eq!(r.status, 200);
    let server = r.header("server").expect("Hikvision sends a Server header");
    assert!(
        server == "App-webs/" || server == "Hikvision-Webs",
        "{server}"
    );
    assert!(r.text().contains("/doc/page/login.asp?_"));

    // Dahua: no Server header at all, upper-case header names, WEB SERVICE title.
    let d = host(&t, "dahua-ipc", "weak");
    let r = http_get(d.ip, 80, "/", &[]).await;
    assert_eq!(r.status, 200);
    assert!(
        r.header("server").is_none(),
        "Dahua must not send Server: {:?}",
        r.headers
    );
    assert!(r.headers.iter().any(|(k, _)| k == "CONTENT-LENGTH"));
    assert!(r.text().contains("<title>WEB SERVICE</title>"));
    assert!(r.body.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM first");
    let r = http_get(d.ip, 80, "/RPC2_Login", &[]).await;
    assert_eq!(r.status, 404, "RPC2_Login only answers POST");

    // XiongMai: HTTP/1.0 and uc-httpd.
    let x = host(&t, "xiongmai-dvr", "weak");
    let r = http_get(x.ip, 80, "/", &[]).await;
    assert!(
        r.status_line.starts_with("HTTP/1.0 200"),
        "{}",
        r.status_line
    );
    assert_eq!(r.header("server"), Some("uc-httpd 1.0.0"));
    assert!(r.text().contains("NETSurveillance WEB"));

    // Hardened: plain HTTP only redirects to HTTPS.
    let k = host(&t, "dahua-kbvision", "hardened");
    let r = http_get(k.ip, 80, "/index.html", &[]).await;
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("location"),
        Some(format!("https://{}/index.html", k.ip).as_str())
    );

    // Unknown path: 404.
    let r = http_get(h.ip, 80, "/no/such/page", &[]).await;
    assert_eq!(r.status, 404);
    f.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_basic_and_digest_auth_are_verified() {
    let f = fleet("127.93.0.0", 2048, 1).await;
    let t = f.truth().clone();
    let h = host(&t, "hikvision-ipc", "weak");
    let (u, p) = cred(h, "http");
    assert_eq!((u, p), ("admin", "12345"), "Hikvision default");
    let r = http_get(h.ip, 80, "/ISAPI/System/deviceInfo", &[]).await;
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .starts_with("Basic realm=")
    );
    assert!(r.text().contains("<statusValue>401</statusValue>"));
    let r = http_get(
        h.ip,
        80,
        "/ISAPI/System/deviceInfo",
        &[("Authorization", &basic_auth(u, "wrong"))],
    )
    .await;
    assert_eq!(r.status, 401);
    let r = http_get(
        h.ip,
        80,
        "/ISAPI/System/deviceInfo",
        &[("Authorization", &basic_auth(u, p))],
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(
        r.text()
            .contains(&format!("<model>{}</model>", h.model.as_deref().unwrap()))
    );
    // Public snapshot on the weak variant ("anonymous visit").
    assert!(
        h.expected_findings
            .contains(&"unauthenticated-snapshot".to_string())
    );
    let r = http_get(h.ip, 80, "/ISAPI/Streaming/channels/101/picture", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(&r.body[..2], &[0xFF, 0xD8]);

    // Digest on a default-password Dahua over plain HTTP (Digest only, Basic refused).
    {
        let d = find(&t, |e| {
            e.profile.starts_with("dahua")
                && e.config == "default-password"
                && e.open_ports.contains(&80)
        })
        .expect("a default-password Dahua");
        let (u, p) = cred(d, "http");
        let path = "/cgi-bin/magicBox.cgi?action=getSystemInfo";
        let r = http_get(d.ip, 80, path, &[("Authorization", &basic_auth(u, p))]).await;
        assert_eq!(r.status, 401, "Basic is not offered");
        let ch = r.header("www-authenticate").unwrap().to_string();
        assert!(ch.starts_with("Digest realm=\"Login to "), "{ch}");
        let r = http_get(
            d.ip,
            80,
            path,
            &[("Authorization", &digest_auth(&ch, "GET", path, u, "bad"))],
        )
        .await;
        assert_eq!(r.status, 401);
        let mut s = connect(d.ip, 80).await;
        let r = http(&mut s, "GET", d.ip, path, &[], b"").await;
        let ch = r.header("www-authenticate").unwrap().to_string();
        let mut s = connect(d.ip, 80).await;
        let r = http(
            &mut s,
            "GET",
            d.ip,
            path,
            &[("Authorization", &digest_auth(&ch, "GET", path, u, p))],
            b"",
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.text().contains("serialNumber="));
    }
    f.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_certificates_ca_issued_or_self_signed() {
    let f = fleet("127.94.0.0", 2048, 1).await;
    let t = f.truth().clone();
    let hard = host(&t, "hikvision-hilook", "hardened");
    let chain = tls_chain(hard.ip, 443).await;
    assert_eq!(chain.len(), 2, "leaf + site CA");
    let (subj, iss) = names(&chain[0]);
    assert_ne!(subj, iss, "hardened certificate is CA-issued");
    let (_, ca_iss) = names(&chain[1]);
    assert_eq!(iss, ca_iss);
    assert!(hard.expected_findings.is_empty());

    // Tapo weak: HTTPS with a self-signed certificate, and the finding says so.
    let tapo = host(&t, "tplink-tapo", "hardened");
    assert!(!tapo.open_ports.contains(&80));
    {
        let w = find(&t, |e| {
            e.expected_findings.iter().any(|x| x == "self-signed-tls")
        })
        .expect("a self-signed host");
        let chain = tls_chain(w.ip, 443).await;
        let (subj, iss) = names(&chain[0]);
        assert_eq!(subj, iss, "self-signed on {}", w.ip);
    }
    // An HTTP request through TLS works.
    let r = https_get(hard.ip, 443, "/").await;
    assert_eq!(r.status, 200);
    f.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtsp_digest_401_then_200_and_rtp() {
    let f = fleet("127.95.0.0", 64, 1).await;
    let t = f.truth().clone();
    let h = host(&t, "hikvision-hilook", "hardened");
    let (u, p) = cred(h, "rtsp");
    let url = format!("rtsp://{}:554/Streaming/Channels/101", h.ip);
    let mut s = connect(h.ip, 554).await;
    let mut buf = Vec::new();
    let r = rtsp(&mut s, &mut buf, "OPTIONS", &url, 1, &[]).await;
    assert_eq!(r.status, 200);
    assert!(r.header("public").unwrap().contains("DESCRIBE"));
    let r = rtsp(
        &mut s,
        &mut buf,
        "DESCRIBE",
        &url,
        2,
        &[("Accept", "application/sdp")],
    )
    .await;
    assert_eq!(r.status, 401);
    let chs = r.headers_named("www-authenticate");
    assert_eq!(chs.len(), 1, "hardened offers Digest only: {chs:?}");
    assert!(
        chs[0].starts_with("Digest realm=\"Hikvision\""),
        "{}",
        chs[0]
    );
    assert_eq!(r.header("cseq"), Some("2"));
    // Wrong password: still 401.
    let bad = digest_auth(chs[0], "DESCRIBE", &url, u, "nope");
    let r = rtsp(
        &mut s,
        &mut buf,
        "DESCRIBE",
        &url,
        3,
        &[("Authorization", &bad)],
    )
    .await;
    assert_eq!(r.status, 401);
    let ch = r.headers_named("www-authenticate")[0].to_string();
    let good = digest_auth(&ch, "DESCRIBE", &url, u, p);
    let r = rtsp(
        &mut s,
        &mut buf,
        "DESCRIBE",
        &url,
        4,
        &[("Authorization", &good)],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/sdp"));
    assert!(r.text().contains("m=video"));
    let setup_url = format!("{url}/trackID=1");
    let auth = digest_auth(&ch, "SETUP", &setup_url, u, p);
    let r = rtsp(
        &mut s,
        &mut buf,
        "SETUP",
        &setup_url,
        5,
        &[
            ("Authorization", &auth),
            ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    let session = r
        .header("session")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(r.header("transport").unwrap().contains("interleaved=0-1"));
    let auth = digest_auth(&ch, "PLAY", &url, u, p);
    let r = rtsp(
        &mut s,
        &mut buf,
        "PLAY",
        &url,
        6,
        &[("Authorization", &auth), ("Session", &session)],
    )
    .await;
    assert_eq!(r.status, 200);
    // Interleaved RTP follows.
    while buf.len() < 16 {
        let mut tmp = [0u8; 2048];
        let n = tokio::time::timeout(T, s.read(&mut tmp))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0);
        buf.extend_from_slice(&tmp[..n]);
    }
    assert_eq!(buf[0], b'$');
    assert_eq!(buf[1], 0);
    assert_eq!(buf[4] >> 6, 2, "RTP version 2");
    let r = {
        let mut s2 = connect(h.ip, 554).await;
        let mut b2 = Vec::new();
        rtsp(
            &mut s2,
            &mut b2,
            "DESCRIBE",
            &url,
            1,
            &[("Authorization", &basic_auth(u, p))],
        )
        .await
    };
    assert_eq!(r.status, 401, "Basic refused when only Digest is on");
    f.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtsp_udp_transport_sends_rtp_to_loopback() {
    let f = fleet("127.96.0.0", 64, 1).await;
    let t = f.truth().clone();
    let h = host(&t, "hikvision-ipc", "weak");
    assert!(
        h.expected_findings
            .contains(&"unauthenticated-rtsp-stream".to_string())
    );
    let url = format!("rtsp://{}/Streaming/Channels/101", h.ip);
    let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let port = udp.local_addr().unwrap().port();
    let mut s = connect(h.ip, 554).await;
    let mut buf = Vec::new();
    let r = rtsp(&mut s, &mut buf, "DESCRIBE", &url, 1, &[]).await;
    assert_eq!(r.status, 200, "weak camera streams without credentials");
    let transport = format!("RTP/AVP;unicast;client_port={port}-{}", port + 1);
    let r = rtsp(
        &mut s,
        &mut buf,
        "SETUP",
        &format!("{url}/trackID=1"),
        2,
        &[("Transport", &transport)],
    )
    .await;
    assert_eq!(r.status, 200);
    let session = r
        .header("session")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let r = rtsp(&mut s, &mut buf, "PLAY", &url, 3, &[("Session", &session)]).await;
    assert_eq!(r.status, 200);
    let mut pkt = [0u8; 2048];
    let (n, from) = tokio::time::timeout(T, udp.recv_from(&mut pkt))
        .await
        .expect("RTP over UDP")
        .unwrap();
    assert!(n >= 12);
    assert_eq!(pkt[0] >> 6, 2);
    assert_eq!(from.ip(), std::net::IpAddr::V4(h.ip));
    let r = rtsp(
        &mut s,
        &mut buf,
        "TEARDOWN",
        &url,
        4,
        &[("Session", &session)],
    )
    .await;
    assert_eq!(r.status, 200);
    f.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtsp_any_answers_everything_normal_camera_404s() {
    let f = fleet("127.97.0.0", 2048, 1).await;
    let t = f.truth().clone();
    let any = find(&t, |e| e.kind == HostKind::RtspAny).expect("an rtsp-any host");
    assert!(any.is_camera);
    assert!(any.expected_findings.is_empty());
    let random = "/zq8x7-no-such-stream";
    let mut s = connect(any.ip, 554).await;
    let mut buf = Vec::new();
    let r = rtsp(
        &mut s,
        &mut buf,
        "DESCRIBE",
        &format!("rtsp://{}{random}", any.ip),
        1,
        &[],
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("m=video"));

    let cam = host(&t, "hikvision-ipc", "weak");
    let mut s = connect(cam.ip, 554).await;
    let mut buf = Vec::new();
    let r = rtsp(
        &mut s,
        &mut buf,
        "DESCRIBE",
        &format!("rtsp://{}{random}", cam.ip),
        1,
        &[],
    )
    .await;
    assert_eq!(r.status, 404);
    let r = rtsp(
        &mut s,
        &mut buf,
        "DESCRIBE",
        &format!("rtsp://{}/Streaming/Channels/101", cam.ip),
        2,
        &[],
    )
    .await;
    assert_eq!(r.status, 200);

    // Dahua: Server header and Basic realm "device" when Basic is offered (legacy variant).
    let d = find(&t, |e| {
        e.profile.starts_with("dahua")
            && e.profile != "dahua-imou"
            && e.expected_findings
                .iter()
                .any(|x| x == "rtsp-basic-auth-cleartext")
    })
    .expect("a Dahua with RTSP Basic");
    let mut s = connect(d.ip, 554).await;
    let mut buf = Vec::new();
    let r = rtsp(
        &mut s,
        &mut buf,
        "DESCRIBE",
        &format!("rtsp://{}/cam/realmonitor?channel=1&subtype=0", d.ip),
        1,
        &[],
    )
    .await;
    assert_eq!(r.status, 401);
    assert!(
        r.headers_named("www-authenticate")
            .contains(&"Basic realm=\"device\""),
        "{r:?}"
    );
    let server = r.header("server").unwrap();
    assert!(
        server == "Dahua Rtsp Server" || server == "Rtsp Server/3.0",
        "{server}"
    );
    // Basic over RTSP with the right password works there.
    let (u, p) = cred(d, "rtsp");
    let r = rtsp(
        &mut s,
        &mut buf,
        "DESCRIBE",
        &format!("rtsp://{}/cam/realmonitor?channel=1&subtype=0", d.ip),
        2,
        &[("Authorization", &basic_auth(u, p))],
    )
    .await;
    assert_eq!(r.status, 200);
    f.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onvif_wsse_required_on_hardened_open_on_weak() {
    let f = fleet("127.98.0.0", 64, 1).await;
    let t = f.truth().clone();
    let h = host(&t, "dahua-kbvision", "hardened");
    assert!(h.udp_ports.contains(&3702));
    let path = "/onvif/device_service";
    let r = soap_post(
        h.ip,
        80,
        path,
        r#"<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>"#,
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("UTCDateTime"));
    let r = soap_post(
        h.ip,
        80,
        path,
        r#"<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>"#,
        None,
    )
    .await;
    assert_ne!(r.status, 200);
    assert!(r.text().contains("ter:NotAuthorized"), "{}", r.text());
    let (u, p) = cred(h, "onvif");
    let r = soap_post(
        h.ip,
        80,
        path,
        r#"<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>"#,
        Some((u, "wrong-password")),
    )
    .await;
    assert!(r.text().contains("ter:NotAuthorized"));
    let r = soap_post(
        h.ip,
        80,
        path,
        r#"<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>"#,
        Some((u, p)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let x = r.text();
    assert!(
        x.contains("<tds:Manufacturer>Dahua</tds:Manufacturer>"),
        "{x}"
    );
    assert!(x.contains(&format!(
        "<tds:Model>{}</tds:Model>",
        h.model.as_deref().unwrap()
    )));
    assert!(x.contains(&format!(
        "<tds:FirmwareVersion>{}</tds:FirmwareVersion>",
        h.firmware.as_deref().unwrap()
    )));
    let r = soap_post(h.ip, 80, path, r#"<GetStreamUri xmlns="http://www.onvif.org/ver10/media/wsdl"><ProfileToken>Profile_1</ProfileToken></GetStreamUri>"#, Some((u, p))).await;
    assert!(
        r.text().contains(&format!(
            "rtsp://{}/cam/realmonitor?channel=1&amp;subtype=0",
            h.ip
        )),
        "{}",
        r.text()
    );

    // Weak: everything answers without WS-Security.
    let w = find(&t, |e| {
        e.config == "weak"
            && e.expected_findings
                .iter()
                .any(|x| x == "unauthenticated-onvif")
            && e.profile == "hikvision-ipc"
    })
    .unwrap();
    let r = soap_post(
        w.ip,
        80,
        path,
        r#"<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>"#,
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(
        r.text()
            .contains("<tds:Manufacturer>HIKVISION</tds:Manufacturer>")
    );
    // Garbage SOAP gets a fault, not a crash.
    let mut s = connect(w.ip, 80).await;
    let r = http(
        &mut s,
        "POST",
        w.ip,
        path,
        &[("Content-Type", "application/soap+xml")],
        b"<<<not xml",
    )
    .await;
    assert_eq!(r.status, 400);
    f.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ws_discovery_unicast_probe() {
    let f = fleet("127.99.0.0", 64, 1).await;
    let t = f.truth().clone();
    let h = find(&t, |e| {
        e.profile == "xiongmai-ipc" && e.udp_ports.contains(&3702)
    })
    .expect("an ONVIF XiongMai camera");
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let probe = r#"<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><e:Header><w:MessageID>uuid:84ede3de-7dec-11d0-c360-f01234567890</w:MessageID><w:To e:mustUnderstand="true">urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To><w:Action e:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header><e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body></e:Envelope>"#;
    sock.send_to(probe.as_bytes(), SocketAddr::from((h.ip, 3702)))
        .await
        .unwrap();
    let mut buf = vec![0u8; 65536];
    let (n, from) = tokio::time::timeout(T, sock.recv_from(&mut buf))
        .await
        .expect("ProbeMatches")
        .unwrap();
    assert_eq!(from, SocketAddr::from((h.ip, 3702)));
    let x = String::from_utf8_lossy(&buf[..n]);
    assert!(x.contains("ProbeMatches"));
    assert!(x.contains("<wsa:RelatesTo>uuid:84ede3de-7dec-11d0-c360-f01234567890</wsa:RelatesTo>"));
    assert!(
        x.contains(&format!("http://{}:8899/onvif/device_service", h.ip)),
        "{x}"
    );
    assert!(x.contains(&format!(
        "onvif://www.onvif.org/hardware/{}",
        h.model.as_deref().unwrap()
    )));
    // A Probe for something else goes unanswered; so does a non-ONVIF host.
    let other = probe.replace("dn:NetworkVideoTransmitter", "dn:Printer");
    sock.send_to(other.as_bytes(), SocketAddr::from((h.ip, 3702)))
        .await
        .unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(500), sock.recv_from(&mut buf))
            .await
            .is_err()
    );
    f.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tarpit_never_answers_and_caps_connections() {
    let f = fleet("127.100.0.0", 64, 1).await;
    let t = f.truth().clone();
    let tp = find(&t, |e| e.kind == HostKind::Tarpit).expect("a tarpit");
    assert!(!tp.is_camera);
    let mut held = Vec::new();
    for _ in 0..8 {
        let mut s = connect(tp.ip, 80).await;
        s.write_all(b"GET / HTTP/1.0\r\n\r\n").await.unwrap();
        held.push(s);
    }
    let mut tmp = [0u8; 64];
    assert!(
        tokio::time::timeout(Duration::from_millis(1500), held[0].read(&mut tmp))
            .await
            .is_err(),
        "tarpit must stay silent"
    );
    // Beyond the per-daemon cap the connection is closed at once.
    let mut extra = connect(tp.ip, 80).await;
    let n = tokio::time::timeout(T, extra.read(&mut tmp))
        .await
        .expect("closed promptly");
    assert!(matches!(n, Ok(0) | Err(_)), "{n:?}");
    drop(held);
    f.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decoys_are_not_cameras_and_empty_addresses_refuse() {
    let f = fleet("127.101.0.0", 64, 1).await;
    let t = f.truth().clone();
    let decoys: Vec<_> = t
        .entries
        .iter()
        .filter(|e| e.kind == HostKind::Decoy)
        .collect();
    assert!(decoys.len() >= 8);
    for d in &decoys {
        assert!(!d.is_camera && d.vendor.is_none() && d.expected_findings.is_empty());
        assert_eq!(d.device_type, camguard_model::DeviceType::Other);
    }
    let n = host(&t, "decoy-nginx", "default");
    let r = http_get(n.ip, 80, "/", &[]).await;
    assert_eq!(r.header("server"), Some("nginx/1.18.0 (Ubuntu)"));
    assert!(r.text().contains("Welcome to nginx!"));
    let router = host(&t, "decoy-tplink-router", "default");
    let r = http_get(router.ip, 80, "/", &[]).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("www-authenticate"),
        Some("Basic realm=\"TP-LINK Wireless N Router WR841N\"")
    );
    let ssh = host(&t, "decoy-ssh", "default");
    let mut s = connect(ssh.ip, 22).await;
    let mut b = [0u8; 128];
    let k = tokio::time::timeout(T, s.read(&mut b))
        .await
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&b[..k]).starts_with("SSH-2.0-OpenSSH_"));

    // An address with nothing on it refuses.
    let used: std::collections::BTreeSet<Ipv4Addr> = t.entries.iter().map(|e| e.ip).collect();
    let empty = (0..64u32)
        .map(|i| Ipv4Addr::from(u32::from(t.base) + i))
        .find(|ip| !used.contains(ip))
        .expect("an empty address");
    let e = TcpStream::connect(SocketAddr::from((empty, 80)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused);
    f.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telnet_and_ftp_logins() {
    let f = fleet("127.102.0.0", 64, 1).await;
    let t = f.truth().clone();
    let d = host(&t, "dahua-ipc", "weak");
    let (u, p) = cred(d, "telnet");
    assert_eq!((u, p), ("root", "vizxv"));
    let mut s = connect(d.ip, 23).await;
    let got = read_until(&mut s, b"login: ").await;
    assert_eq!(&got[..3], &[0xff, 0xfd, 0x01], "telnet negotiation first");
    s.write_all(b"root\r\n").await.unwrap();
    read_until(&mut s, b"Password: ").await;
    s.write_all(b"bad\r\n").await.unwrap();
    let got = read_until(&mut s, b"login: ").await;
    assert!(String::from_utf8_lossy(&got).contains("Login incorrect"));
    s.write_all(format!("{u}\r\n").as_bytes()).await.unwrap();
    read_until(&mut s, b"Password: ").await;
    s.write_all(format!("{p}\r\n").as_bytes()).await.unwrap();
    read_until(&mut s, b"# ").await;

    let x = host(&t, "xiongmai-dvr", "weak");
    let mut s = connect(x.ip, 23).await;
    let got = read_until(&mut s, b"login: ").await;
    assert!(String::from_utf8_lossy(&got).contains("LocalHost login: "));

    let a = host(&t, "axis", "weak");
    let (u, p) = cred(a, "ftp");
    let mut s = connect(a.ip, 21).await;
    let got = read_until(&mut s, b"\r\n").await;
    let banner = String::from_utf8_lossy(&got).to_string();
    assert!(
        banner.starts_with(&format!(
            "220 AXIS {} Network Camera {} (",
            a.model.as_deref().unwrap(),
            a.firmware.as_deref().unwrap()
        )),
        "{banner}"
    );
    s.write_all(format!("USER {u}\r\n").as_bytes())
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&read_until(&mut s, b"\r\n").await).starts_with("331"));
    s.write_all(format!("PASS {p}\r\n").as_bytes())
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&read_until(&mut s, b"\r\n").await).starts_with("230"));
    f.shutdown().await;
}

async fn read_until(s: &mut TcpStream, pat: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while !out.windows(pat.len()).any(|w| w == pat) {
        let mut tmp = [0u8; 512];
        let n = tokio::time::timeout(T, s.read(&mut tmp))
            .await
            .expect("data in time")
            .unwrap();
        assert!(
            n > 0,
            "closed while waiting for {:?}; got {:?}",
            String::from_utf8_lossy(pat),
            String::from_utf8_lossy(&out)
        );
        out.extend_from_slice(&tmp[..n]);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_clients_are_closed_and_service_survives() {
    let f = fleet("127.103.0.0", 64, 1).await;
    let t = f.truth().clone();
    let h = host(&t, "hikvision-ipc", "weak");
    // Garbage.
    let mut s = connect(h.ip, 80).await;
    s.write_all(b"\x16\x03\x01\x02\x00garbage\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let r = read_reply(&mut s, &mut buf).await.unwrap();
    assert_eq!(r.status, 400);
    // Huge header.
    let mut s = connect(h.ip, 80).await;
    let big = format!("GET / HTTP/1.1\r\nX: {}\r\n", "a".repeat(40_000));
    let _ = s.write_all(big.as_bytes()).await;
    let mut buf = Vec::new();
    if let Some(r) = read_reply(&mut s, &mut buf).await {
        assert_eq!(r.status, 431);
    }
    // Half a request then hang up; garbage on RTSP; huge Content-Length.
    let mut s = connect(h.ip, 80).await;
    s.write_all(b"GET / HT").await.unwrap();
    drop(s);
    let mut s = connect(h.ip, 554).await;
    s.write_all(b"\x00\x01\x02 hello\r\n\r\n").await.unwrap();
    let mut tmp = [0u8; 128];
    let n = tokio::time::timeout(T, s.read(&mut tmp))
        .await
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&tmp[..n]).starts_with("RTSP/1.0 400"));
    let mut s = connect(h.ip, 80).await;
    s.write_all(b"POST /onvif/device_service HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    assert_eq!(read_reply(&mut s, &mut buf).await.unwrap().status, 413);
    // SDK port: a hello gets the Hikvision control-port reply.
    if h.open_ports.contains(&8000) {
        let mut s = connect(h.ip, 8000).await;
        s.write_all(&[0u8; 32]).await.unwrap();
        let mut tmp = [0u8; 16];
        tokio::time::timeout(T, s.read_exact(&mut tmp))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            tmp,
            [0, 0, 0, 0x10, 0, 0, 0, 0x1e, 0, 0, 0, 0x1e, 0, 0, 0, 0]
        );
    }
    // Still serving.
    let r = http_get(h.ip, 80, "/", &[]).await;
    assert_eq!(r.status, 200);
    f.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_listeners_and_connections() {
    let f = fleet("127.104.0.0", 32, 3).await;
    let t = f.truth().clone();
    let h = t
        .entries
        .iter()
        .find(|e| e.kind == HostKind::Tarpit)
        .unwrap()
        .clone();
    let mut held = connect(h.ip, 554).await;
    f.shutdown().await;
    let mut tmp = [0u8; 8];
    let n = tokio::time::timeout(T, held.read(&mut tmp))
        .await
        .expect("closed by shutdown");
    assert!(matches!(n, Ok(0) | Err(_)));
    let e = TcpStream::connect(SocketAddr::from((h.ip, 554)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused);
    // The same addresses can be bound again at once.
    let f2 = Fleet::start(FleetConfig::new("127.104.0.0".parse().unwrap(), 32, 3))
        .await
        .unwrap();
    f2.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_until_writes_truth() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("truth.json");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let p2 = path.clone();
    let task = tokio::spawn(async move {
        camguard_sim::run_until(
            FleetConfig::new("127.105.0.0".parse().unwrap(), 40, 9),
            Some(&p2),
            async move {
                rx.await.ok();
            },
        )
        .await
    });
    // Wait for the file, check a host answers, then stop.
    for _ in 0..200 {
        if path.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let truth: camguard_sim::Truth = serde_json::from_str(&text).unwrap();
    assert_eq!(truth.hosts, 40);
    assert!(text.contains("\n  \"seed\": 9"), "pretty JSON");
    let first = &truth.entries[0];
    let _ = connect(first.ip, first.open_ports[0]).await;
    tx.send(()).unwrap();
    let t2 = task.await.unwrap().unwrap();
    assert_eq!(t2.entries.len(), truth.entries.len());
}

#[test]
fn config_outside_loopback_is_refused() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        assert!(
            Fleet::start(FleetConfig::new("10.0.0.0".parse().unwrap(), 4, 1))
                .await
                .is_err()
        );
        assert!(
            Fleet::start(FleetConfig::new("127.255.255.250".parse().unwrap(), 64, 1))
                .await
                .is_err()
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_dir_overrides_and_adds() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("decoy-extra.toml"),
        "schema = 1\nkind = \"decoy\"\nsources = [\"test\"]\n[[services]]\nrole = \"ssh\"\nport = 22\nbanner = 'SSH-2.0-TestServer_1.0'\n",
    )
    .unwrap();
    let mut cfg = FleetConfig::new("127.106.0.0".parse().unwrap(), 48, 1);
    cfg.profiles_dir = Some(dir.path().to_path_buf());
    let f = Fleet::start(cfg).await.unwrap();
    let t = f.truth().clone();
    let e = host(&t, "decoy-extra", "default");
    let mut s = connect(e.ip, 22).await;
    let mut b = [0u8; 64];
    let n = tokio::time::timeout(T, s.read(&mut b))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&b[..n], b"SSH-2.0-TestServer_1.0\r\n");
    f.shutdown().await;
}

// ---- TLS helpers -------------------------------------------------------------------------

#[derive(Debug)]
struct AcceptAll(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAll {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &rustls::pki_types::CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &rustls::pki_types::CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

async fn tls_connect(ip: Ipv4Addr, port: u16) -> tokio_rustls::client::TlsStream<TcpStream> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAll(provider)))
        .with_no_client_auth();
    let conn = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    let tcp = connect(ip, port).await;
    let name = rustls::pki_types::ServerName::IpAddress(std::net::IpAddr::V4(ip).into());
    tokio::time::timeout(T, conn.connect(name, tcp))
        .await
        .unwrap()
        .expect("TLS handshake")
}

async fn tls_chain(ip: Ipv4Addr, port: u16) -> Vec<Vec<u8>> {
    let s = tls_connect(ip, port).await;
    s.get_ref()
        .1
        .peer_certificates()
        .unwrap()
        .iter()
        .map(|c| c.to_vec())
        .collect()
}

async fn https_get(ip: Ipv4Addr, port: u16, path: &str) -> Reply {
    let mut s = tls_connect(ip, port).await;
    http(&mut s, "GET", ip, path, &[("Connection", "close")], b"").await
}

fn names(der: &[u8]) -> (String, String) {
    let (_, c) = x509_parser::parse_x509_certificate(der).unwrap();
    (c.subject().to_string(), c.issuer().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hardened_locks_out_after_five_failures() {
    let f = fleet("127.107.0.0", 64, 1).await;
    let t = f.truth().clone();
    let h = host(&t, "hikvision-hilook", "hardened");
    let (u, p) = cred(h, "rtsp");
    let url = format!("rtsp://{}/Streaming/Channels/101", h.ip);
    let mut s = connect(h.ip, 554).await;
    let mut buf = Vec::new();
    let mut cseq = 1;
    let mut ch = rtsp(&mut s, &mut buf, "DESCRIBE", &url, cseq, &[])
        .await
        .headers_named("www-authenticate")[0]
        .to_string();
    // A Digest answer for another URI is refused even with the right password.
    cseq += 1;
    let other = digest_auth(
        &ch,
        "DESCRIBE",
        &format!("rtsp://{}/Streaming/Channels/102", h.ip),
        u,
        p,
    );
    let r = rtsp(
        &mut s,
        &mut buf,
        "DESCRIBE",
        &url,
        cseq,
        &[("Authorization", &other)],
    )
    .await;
    assert_eq!(r.status, 401);
    ch = r.headers_named("www-authenticate")[0].to_string();
    for _ in 0..5 {
        cseq += 1;
        let bad = digest_auth(&ch, "DESCRIBE", &url, u, "guess");
        let r = rtsp(
            &mut s,
            &mut buf,
            "DESCRIBE",
            &url,
            cseq,
            &[("Authorization", &bad)],
        )
        .await;
        assert_eq!(r.status, 401);
        ch = r.headers_named("www-authenticate")[0].to_string();
    }
    cseq += 1;
    let good = digest_auth(&ch, "DESCRIBE", &url, u, p);
    let r = rtsp(
        &mut s,
        &mut buf,
        "DESCRIBE",
        &url,
        cseq,
        &[("Authorization", &good)],
    )
    .await;
    assert_eq!(r.status, 401, "locked out (QĐ 724: 5 failures in 30 s)");
    // A weak camera never locks.
    let w = host(&t, "hikvision-ipc", "weak");
    for _ in 0..6 {
        let r = http_get(
            w.ip,
            80,
            "/ISAPI/System/deviceInfo",
            &[("Authorization", &basic_auth("admin", "nope"))],
        )
        .await;
        assert_eq!(r.status, 401);
    }
    let r = http_get(
        w.ip,
        80,
        "/ISAPI/System/deviceInfo",
        &[("Authorization", &basic_auth("admin", "12345"))],
    )
    .await;
    assert_eq!(r.status, 200);
    f.shutdown().await;
}
