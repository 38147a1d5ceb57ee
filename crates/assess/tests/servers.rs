//! The assessment against tiny servers written here (127.95.0.0/16 only): servers that answer
//! 200 to every RTSP path, 404 to every login, accept every password; budget counting and
//! redaction.

use camguard_assess::{AssessOptions, Profile, assess};
use camguard_kb::Kb;
use camguard_model::{DeviceType, HostReport, Identification, OpenPort, Transport};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn report(ip: &str, vendor: Option<&str>, ports: &[(u16, &str)]) -> HostReport {
    let id = Identification {
        is_camera: true,
        device_type: DeviceType::Camera,
        vendor: vendor.map(str::to_string),
        ..Default::default()
    };
    let open = ports
        .iter()
        .map(|(p, s)| OpenPort {
            port: *p,
            transport: Transport::Tcp,
            service: s.to_string(),
        })
        .collect();
    HostReport::new(ip.parse().unwrap(), id, open, "2026-01-01T00:00:00Z".into())
}

fn opts() -> AssessOptions {
    let mut o = AssessOptions::for_profile(Profile::Default);
    o.deadline = Duration::from_secs(20);
    o.attempt_interval = Duration::from_millis(10);
    o
}

/// Read one request head (and a Content-Length body); `None` on close.
async fn read_request(s: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 2048];
    loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..i + 4]).into_owned();
            let len: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            while buf.len() < i + 4 + len {
                let n = s.read(&mut tmp).await.ok()?;
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&tmp[..n]);
            }
            return Some(head);
        }
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut tmp))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    }
}

/// Serve connections with `reply(request head) -> response bytes` (one request per
/// connection for HTTP, many for RTSP).
type Reply = Arc<dyn Fn(&str) -> Vec<u8> + Send + Sync>;

async fn serve(ip: &str, reply: Reply) -> u16 {
    let l = TcpListener::bind(SocketAddr::new(ip.parse::<IpAddr>().unwrap(), 0))
        .await
        .unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            let reply = reply.clone();
            tokio::spawn(async move {
                while let Some(head) = read_request(&mut s).await {
                    let out = reply(&head);
                    if s.write_all(&out).await.is_err() {
                        return;
                    }
                    if head.starts_with("GET") || head.starts_with("POST") {
                        return; // HTTP: Connection: close
                    }
                }
            });
        }
    });
    port
}

fn http(status: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn has_auth(head: &str) -> bool {
    head.lines()
        .any(|l| l.to_ascii_lowercase().starts_with("authorization:"))
}

fn ids(r: &camguard_assess::Assessment) -> Vec<String> {
    r.findings.iter().map(|f| f.id.clone()).collect()
}

#[tokio::test]
async fn rtsp_server_answering_200_to_everything_is_not_an_open_stream() {
    let ip = "127.95.0.1";
    let sdp = "v=0\r\no=- 1 1 IN IP4 127.95.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n";
    let port = serve(
        ip,
        Arc::new(move |head: &str| {
            let cseq = head.lines().find_map(|l| l.strip_prefix("CSeq: ")).unwrap_or("1").to_string();
            if head.starts_with("DESCRIBE") {
                format!("RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}", sdp.len())
                    .into_bytes()
            } else if head.starts_with("SETUP") {
                format!("RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nSession: 1234\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n")
                    .into_bytes()
            } else {
                // PLAY says 200 and never sends a packet.
                format!("RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nSession: 1234\r\n\r\n").into_bytes()
            }
        }),
    )
    .await;
    let kb = Kb::embedded().unwrap();
    let r = report(ip, Some("hikvision"), &[(port, "rtsp")]);
    let a = assess(&kb, &r, &[], &opts()).await;
    assert!(
        !ids(&a).contains(&"unauthenticated-rtsp-stream".to_string()),
        "{:?}",
        a.findings
    );
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("answers 200 to any path")),
        "{:?}",
        a.notes
    );
    // Without the frame check there is no verdict either.
    let mut quick = opts();
    quick.frame_check = false;
    let a = assess(&kb, &r, &[], &quick).await;
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[tokio::test]
async fn a_404_after_credentials_is_never_a_login_and_the_budget_holds() {
    let ip = "127.95.0.2";
    let with_auth = Arc::new(AtomicUsize::new(0));
    let count = with_auth.clone();
    let port = serve(
        ip,
        Arc::new(move |head: &str| {
            if has_auth(head) {
                count.fetch_add(1, Ordering::SeqCst);
                // hydra's RTSP bug in HTTP form: "404" to every password.
                return http("404 Not Found", "", "<statusValue>200</statusValue>");
            }
            if head.starts_with("GET / ") {
                return http("302 Found", "Location: https://127.95.0.2/\r\n", "");
            }
            http(
                "401 Unauthorized",
                "WWW-Authenticate: Basic realm=\"x\"\r\n",
                "",
            )
        }),
    )
    .await;
    let kb = Kb::embedded().unwrap();
    let r = report(ip, Some("hikvision"), &[(port, "http")]);
    let o = opts();
    let a = assess(&kb, &r, &[], &o).await;
    assert!(
        !ids(&a).iter().any(|i| i.starts_with("default-credential")),
        "{:?}",
        ids(&a)
    );
    let n = with_auth.load(Ordering::SeqCst);
    assert!(
        n <= o.credential_budget,
        "{n} attempts with credentials, budget {}",
        o.credential_budget
    );
    assert!(n >= 1, "credentials were tried");
    assert!(ids(&a).contains(&"http-basic-auth-cleartext".to_string()));
}

#[tokio::test]
async fn a_server_accepting_every_password_is_not_a_default_credential() {
    let ip = "127.95.0.3";
    let port = serve(
        ip,
        Arc::new(|head: &str| {
            if has_auth(head) {
                return http("200 OK", "", "<statusValue>200</statusValue>");
            }
            http(
                "401 Unauthorized",
                "WWW-Authenticate: Basic realm=\"x\"\r\n",
                "",
            )
        }),
    )
    .await;
    let kb = Kb::embedded().unwrap();
    let r = report(ip, Some("hikvision"), &[(port, "http")]);
    let a = assess(&kb, &r, &[], &opts()).await;
    assert!(
        !ids(&a).contains(&"default-credential:http".to_string()),
        "{:?}",
        ids(&a)
    );
    assert!(
        a.notes.iter().any(|n| n.contains("accepts anything")),
        "{:?}",
        a.notes
    );
}

#[tokio::test]
async fn found_passwords_are_redacted_unless_revealed() {
    let ip = "127.95.0.4";
    let good = format!("Basic {}", "YWRtaW46MTIzNDU="); // admin:12345, Hikvision's old default
    let port = serve(
        ip,
        Arc::new(move |head: &str| {
            if head
                .lines()
                .any(|l| l.trim() == format!("Authorization: {good}"))
            {
                return http(
                    "200 OK",
                    "",
                    "<userCheck><statusValue>200</statusValue></userCheck>",
                );
            }
            http(
                "401 Unauthorized",
                "WWW-Authenticate: Basic realm=\"x\"\r\n",
                "",
            )
        }),
    )
    .await;
    let kb = Kb::embedded().unwrap();
    let r = report(ip, Some("hikvision"), &[(port, "http")]);
    let a = assess(&kb, &r, &[], &opts()).await;
    let f = a
        .findings
        .iter()
        .find(|f| f.id == "default-credential:http")
        .expect("found");
    let text = serde_json::to_string(&f.evidence).unwrap();
    assert_eq!(f.evidence["password"], "****");
    assert!(
        !text.contains("12345") && !text.contains("YWRtaW46MTIzNDU="),
        "{text}"
    );
    assert_eq!(f.evidence["username"], "admin");
    assert!(f.title.is_some() && !f.clauses.is_empty());

    let mut reveal = opts();
    reveal.reveal_secrets = true;
    let a = assess(&kb, &r, &[], &reveal).await;
    let f = a
        .findings
        .iter()
        .find(|f| f.id == "default-credential:http")
        .expect("found");
    assert_eq!(f.evidence["password"], "12345");
}

#[tokio::test]
async fn never_five_failures_on_a_locking_server() {
    // A server that locks after 5 failures in 30 s (QĐ 724) and counts what it saw.
    let ip = "127.95.0.5";
    let failures = Arc::new(AtomicUsize::new(0));
    let f2 = failures.clone();
    let port = serve(
        ip,
        Arc::new(move |head: &str| {
            if has_auth(head) {
                f2.fetch_add(1, Ordering::SeqCst);
            }
            http(
                "401 Unauthorized",
                "WWW-Authenticate: Basic realm=\"x\"\r\n",
                "",
            )
        }),
    )
    .await;
    let kb = Kb::embedded().unwrap();
    for profile in [Profile::Quick, Profile::Default] {
        failures.store(0, Ordering::SeqCst);
        let mut o = AssessOptions::for_profile(profile);
        o.deadline = Duration::from_secs(20);
        let r = report(ip, None, &[(port, "http")]);
        let _ = assess(&kb, &r, &[], &o).await;
        let n = failures.load(Ordering::SeqCst);
        assert!(n <= o.credential_budget && n < 5, "{profile}: {n} failures");
        assert_eq!(
            n, o.credential_budget,
            "{profile}: the budget is used, not more"
        );
    }
}

#[tokio::test]
async fn non_cameras_are_not_assessed() {
    let kb = Kb::embedded().unwrap();
    let mut r = report("127.95.0.6", None, &[(23, "telnet")]);
    r.is_camera = false;
    let a = assess(&kb, &r, &[], &opts()).await;
    assert!(a.findings.is_empty() && a.baseline.is_empty());
    assert_eq!(a.verdict, camguard_assess::Verdict::NotAssessed);
    // … unless asked to (`--assess-all`).
    let mut all = opts();
    all.assess_all = true;
    let a = assess(&kb, &r, &[], &all).await;
    assert!(
        ids(&a).contains(&"telnet-enabled".to_string()),
        "{:?}",
        ids(&a)
    );
    assert!(!a.baseline.is_empty());
}

#[tokio::test]
async fn dahua_rpc2_login_two_steps() {
    // Step 1 hands out realm/random, step 2 must carry MD5(user:random:MD5(user:realm:pw)).
    let ip = "127.95.0.7";
    let md5 = |s: &str| -> String {
        use md5::{Digest, Md5};
        Md5::digest(s.as_bytes())
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    };
    let expect = md5(&format!(
        "admin:RANDOM1:{}",
        md5("admin:Login to TEST:admin")
    ));
    let steps = Arc::new(AtomicUsize::new(0));
    let s2 = steps.clone();
    // A server that sees bodies: a small dedicated loop.
    let l = TcpListener::bind(SocketAddr::new(ip.parse::<IpAddr>().unwrap(), 0))
        .await
        .unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            let expect = expect.clone();
            let s2 = s2.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut tmp = [0u8; 4096];
                let text = loop {
                    let Ok(n) = s.read(&mut tmp).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&tmp[..n]);
                    let t = String::from_utf8_lossy(&buf).into_owned();
                    if let Some(i) = t.find("\r\n\r\n") {
                        let len: usize = t[..i]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if buf.len() >= i + 4 + len {
                            break t;
                        }
                    }
                };
                let body = if !text.starts_with("POST /RPC2_Login") {
                    String::new()
                } else if text.contains("\"password\":\"\"") {
                    s2.fetch_add(1, Ordering::SeqCst);
                    r#"{"error":{"code":268632079,"message":"Component error: login challenge!"},"id":1,"params":{"authorization":"x","encryption":"Default","random":"RANDOM1","realm":"Login to TEST"},"result":false,"session":"S1"}"#.to_string()
                } else if text.contains(&format!("\"password\":\"{expect}\""))
                    && text.contains("\"session\":\"S1\"")
                {
                    r#"{"id":2,"params":{"keepAliveInterval":60},"result":true,"session":"S1"}"#
                        .to_string()
                } else {
                    r#"{"error":{"code":268632085,"message":"password not valid"},"id":2,"result":false,"session":"S1"}"#.to_string()
                };
                let status = if text.starts_with("POST /RPC2_Login") {
                    "200 OK"
                } else {
                    "404 Not Found"
                };
                let _ = s
                    .write_all(&http(status, "Content-Type: application/json\r\n", &body))
                    .await;
            });
        }
    });
    let kb = Kb::embedded().unwrap();
    let r = report(ip, Some("dahua"), &[(port, "http")]);
    let a = assess(&kb, &r, &[], &opts()).await;
    let f = a
        .findings
        .iter()
        .find(|f| f.id == "default-credential:http")
        .unwrap_or_else(|| panic!("{:?} {:?}", ids(&a), a.notes));
    assert_eq!(f.evidence["scheme"], "dahua-rpc2 login");
    assert_eq!(f.evidence["username"], "admin");
    assert!(
        steps.load(Ordering::SeqCst) >= 2,
        "a fresh challenge per attempt (and for the control)"
    );
}

#[tokio::test]
async fn tls_1_0_accepted_is_weak_tls() {
    // Answers any ClientHello with a ServerHello of the offered version when <= TLS 1.1,
    // otherwise with a protocol_version alert.
    let ip = "127.95.0.8";
    let l = TcpListener::bind(SocketAddr::new(ip.parse::<IpAddr>().unwrap(), 0))
        .await
        .unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let Ok(n) = s.read(&mut buf).await else {
                    return;
                };
                if n < 11 || buf[0] != 0x16 {
                    return;
                }
                let v = u16::from_be_bytes([buf[9], buf[10]]);
                let reply: Vec<u8> = if v <= 0x0302 {
                    let mut hs = vec![0x02, 0, 0, 38];
                    hs.extend_from_slice(&v.to_be_bytes());
                    hs.extend_from_slice(&[0u8; 32]);
                    hs.extend_from_slice(&[0, 0x00, 0x2f, 0]);
                    let mut r = vec![0x16, 0x03, 0x01, 0, hs.len() as u8];
                    r.extend_from_slice(&hs);
                    r
                } else {
                    vec![0x15, 0x03, 0x03, 0, 2, 2, 70]
                };
                let _ = s.write_all(&reply).await;
            });
        }
    });
    let kb = Kb::embedded().unwrap();
    let r = report(ip, Some("hikvision"), &[(port, "https")]);
    let a = assess(&kb, &r, &[], &opts()).await;
    let f = a
        .findings
        .iter()
        .find(|f| f.id == "weak-tls")
        .unwrap_or_else(|| panic!("{:?}", ids(&a)));
    assert_eq!(
        f.evidence["accepted_versions"],
        serde_json::json!(["TLSv1.0", "TLSv1.1"])
    );
}

#[tokio::test]
async fn frame_check_falls_back_to_udp_when_interleaving_is_refused() {
    let ip = "127.95.0.9";
    let l = TcpListener::bind(SocketAddr::new(ip.parse::<IpAddr>().unwrap(), 0))
        .await
        .unwrap();
    let port = l.local_addr().unwrap().port();
    let sdp = "v=0\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=control:trackID=1\r\n";
    tokio::spawn(async move {
        loop {
            let Ok((mut s, peer)) = l.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut client_port = 0u16;
                while let Some(head) = read_request(&mut s).await {
                    let cseq = head
                        .lines()
                        .find_map(|l| l.strip_prefix("CSeq: "))
                        .unwrap_or("1")
                        .to_string();
                    let path = head.split_whitespace().nth(1).unwrap_or("");
                    let out = if head.starts_with("DESCRIBE") && !path.ends_with("/live") {
                        format!("RTSP/1.0 404 Not Found\r\nCSeq: {cseq}\r\n\r\n")
                    } else if head.starts_with("DESCRIBE") {
                        format!(
                            "RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
                            sdp.len()
                        )
                    } else if head.starts_with("SETUP") && head.contains("interleaved") {
                        format!("RTSP/1.0 461 Unsupported Transport\r\nCSeq: {cseq}\r\n\r\n")
                    } else if head.starts_with("SETUP") {
                        client_port = head
                            .split("client_port=")
                            .nth(1)
                            .and_then(|v| v.split(['-', ';', '\r']).next())
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0);
                        format!(
                            "RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nSession: 42\r\nTransport: RTP/AVP;unicast;client_port={client_port}-{}\r\n\r\n",
                            client_port + 1
                        )
                    } else if head.starts_with("PLAY") {
                        let u = tokio::net::UdpSocket::bind(SocketAddr::new(
                            "127.95.0.9".parse().unwrap(),
                            0,
                        ))
                        .await
                        .unwrap();
                        let mut pkt = vec![0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7];
                        pkt.extend_from_slice(&[0x65, 0x88]);
                        let _ = u
                            .send_to(&pkt, SocketAddr::new(peer.ip(), client_port))
                            .await;
                        format!("RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nSession: 42\r\n\r\n")
                    } else {
                        format!("RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n\r\n")
                    };
                    if s.write_all(out.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let kb = Kb::embedded().unwrap();
    let r = report(ip, None, &[(port, "rtsp")]);
    let a = assess(&kb, &r, &[], &opts()).await;
    let f = a
        .findings
        .iter()
        .find(|f| f.id == "unauthenticated-rtsp-stream")
        .unwrap_or_else(|| panic!("{:?} {:?}", ids(&a), a.notes));
    assert_eq!(f.evidence["route"], "/live");
    assert_eq!(
        f.evidence["frame_check"]["transport"],
        "RTP over UDP (unicast)"
    );
}
