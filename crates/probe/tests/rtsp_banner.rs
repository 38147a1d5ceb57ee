//! RTSP, banner, SDK and hostile-server flows against tiny loopback servers (127.93.4.x –
//! 127.93.8.x).

mod common;

use camguard_probe::{keys, probe_port};
use common::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

// Captured camera replies from scottlamb/retina src/client/testdata (MIT/Apache-2.0):
// dahua_options.txt, longse_unauthorized.txt, hikvision_describe.txt (SDP shortened).
const DAHUA_OPTIONS: &str = "RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: 136527041864\r\nServer: Rtsp Server/3.0\r\nPublic: OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, RECORD, PAUSE, TEARDOWN, SET_PARAMETER, GET_PARAMETER\r\n\r\n";
const LONGSE_401: &str = "RTSP/1.0 401 Unauthorized\r\nCSeq: 2 \r\nServer: Rtsp Server 1920*1080*20*2048\r\nWWW-Authenticate: Digest realm=\"Surveillance Server\", nonce=\"98481030\"\r\n\r\n";
const HIK_SDP: &str = "v=0\r\no=- 1620251477190769 1620251477190769 IN IP4 192.168.5.106\r\ns=Media Presentation\r\ne=NONE\r\nb=AS:5050\r\nt=0 0\r\na=control:rtsp://192.168.5.106:554/Streaming/Channels/101/?transportmode=unicast&profile=Profile_1\r\nm=video 0 RTP/AVP 96\r\nc=IN IP4 0.0.0.0\r\nb=AS:5000\r\na=recvonly\r\na=x-dimensions:1920,1080\r\na=rtpmap:96 H264/90000\r\n";

/// An RTSP server that keeps the connection for OPTIONS then DESCRIBE.
fn spawn_rtsp_keepalive(
    l: tokio::net::TcpListener,
    conns: Arc<Mutex<usize>>,
    reqs: Arc<Mutex<Vec<Req>>>,
) {
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            *conns.lock().unwrap() += 1;
            let reqs = reqs.clone();
            tokio::spawn(async move {
                let mut carry = Vec::new();
                while let Some(r) = read_req(&mut s, &mut carry).await {
                    reqs.lock().unwrap().push(r.clone());
                    let out = match r.method.as_str() {
                        "OPTIONS" => DAHUA_OPTIONS,
                        "DESCRIBE" => LONGSE_401,
                        _ => "RTSP/1.0 405 Method Not Allowed\r\nCSeq: 9\r\n\r\n",
                    };
                    if s.write_all(out.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
}

#[tokio::test]
async fn rtsp_options_then_describe_401_on_one_connection() {
    let (l, a) = bind("127.93.4.1").await;
    let conns = Arc::new(Mutex::new(0));
    let reqs = Arc::new(Mutex::new(Vec::new()));
    spawn_rtsp_keepalive(l, conns.clone(), reqs.clone());
    let rep = probe_port(a.ip(), a.port(), "rtsp", &cfg()).await;
    let d = dump(&rep);
    assert_eq!(rep.service.as_deref(), Some("rtsp"), "{d}");
    assert!(has(&rep, keys::RTSP_SERVER, "Rtsp Server/3.0"), "{d}");
    assert!(
        has(&rep, keys::RTSP_SERVER, "Rtsp Server 1920*1080*20*2048"),
        "{d}"
    );
    assert!(
        rep.value(keys::RTSP_PUBLIC).unwrap().contains("DESCRIBE"),
        "{d}"
    );
    assert!(has(&rep, keys::RTSP_STATUS, "401"), "{d}");
    assert!(has(&rep, keys::RTSP_REALM, "Surveillance Server"), "{d}");
    assert!(has(&rep, keys::RTSP_AUTH_SCHEME, "Digest"), "{d}");
    assert!(rep.value(keys::RTSP_SDP).is_none(), "{d}");
    assert_eq!(
        *conns.lock().unwrap(),
        1,
        "one connection for both requests"
    );
    let reqs = reqs.lock().unwrap();
    assert_eq!(reqs[0].method, "OPTIONS");
    assert_eq!(reqs[0].target, format!("rtsp://127.93.4.1:{}/", a.port()));
    assert_eq!(reqs[0].header("cseq"), Some("1"));
    assert_eq!(reqs[1].method, "DESCRIBE");
    assert_eq!(reqs[1].header("accept"), Some("application/sdp"));
    assert!(reqs[1].header("authorization").is_none());
}

#[tokio::test]
async fn rtsp_describe_200_split_head_and_body_after_early_close() {
    // Closes after OPTIONS (forcing a reconnect); DESCRIBE head and body arrive separately.
    let (l, a) = bind("127.93.4.2").await;
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut carry = Vec::new();
                let Some(r) = read_req(&mut s, &mut carry).await else {
                    return;
                };
                if r.method == "OPTIONS" {
                    let _ = s
                        .write_all(
                            b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n",
                        )
                        .await;
                    return; // close
                }
                let head = format!(
                    "RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Base: rtsp://192.168.5.106:554/Streaming/Channels/101/\r\nContent-Length: {}\r\n\r\n",
                    HIK_SDP.len()
                );
                let _ = s.write_all(head.as_bytes()).await;
                tokio::time::sleep(Duration::from_millis(150)).await;
                let (x, y) = HIK_SDP.split_at(100);
                let _ = s.write_all(x.as_bytes()).await;
                tokio::time::sleep(Duration::from_millis(100)).await;
                let _ = s.write_all(y.as_bytes()).await;
                tokio::time::sleep(Duration::from_secs(3)).await;
            });
        }
    });
    let rep = probe_port(a.ip(), a.port(), "rtsp", &cfg()).await;
    let d = dump(&rep);
    assert_eq!(rep.service.as_deref(), Some("rtsp"), "{d}");
    assert!(has(&rep, keys::RTSP_STATUS, "200"), "{d}");
    assert_eq!(rep.value(keys::RTSP_SDP), Some(HIK_SDP), "{d}");
    assert!(rep.value(keys::RTSP_SERVER).is_none(), "{d}");
}

#[tokio::test]
async fn rtsp_hint_on_http_port_falls_back_to_http() {
    let (l, a) = bind("127.93.4.3").await;
    spawn_http(l, |_| {
        resp("400 Bad Request", &[("Server", "Hikvision-Webs")], b"bad")
    });
    let rep = probe_port(a.ip(), a.port(), "rtsp", &cfg()).await;
    let d = dump(&rep);
    assert_eq!(rep.service.as_deref(), Some("http"), "{d}");
    assert!(has(&rep, keys::HTTP_SERVER, "Hikvision-Webs"), "{d}");
}

#[tokio::test]
async fn http_hint_on_rtsp_port_switches_to_rtsp() {
    let (l, a) = bind("127.93.4.4").await;
    let conns = Arc::new(Mutex::new(0));
    let reqs = Arc::new(Mutex::new(Vec::new()));
    // answers GET with an RTSP 405, then speaks RTSP
    spawn_rtsp_keepalive(l, conns, reqs);
    let rep = probe_port(a.ip(), a.port(), "http", &cfg()).await;
    let d = dump(&rep);
    assert_eq!(rep.service.as_deref(), Some("rtsp"), "{d}");
    assert!(has(&rep, keys::RTSP_REALM, "Surveillance Server"), "{d}");
}

#[tokio::test]
async fn telnet_iac_negotiation_then_prompt() {
    let (l, a) = bind("127.93.5.1").await;
    let got = Arc::new(Mutex::new(Vec::<u8>::new()));
    let got2 = got.clone();
    tokio::spawn(async move {
        let Ok((mut s, _)) = l.accept().await else {
            return;
        };
        // WILL ECHO, WILL SGA, DO NAWS, DO TTYPE
        let _ = s
            .write_all(&[255, 251, 1, 255, 251, 3, 255, 253, 31, 255, 253, 24])
            .await;
        // wait for the refusals before printing the prompt
        let mut buf = [0u8; 64];
        let mut seen = Vec::new();
        while seen.len() < 12 {
            match tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buf[..n]),
                _ => break,
            }
        }
        *got2.lock().unwrap() = seen;
        let _ = s.write_all(b"\r\n\r\nLocalHost login: ").await;
        tokio::time::sleep(Duration::from_secs(3)).await;
    });
    let rep = probe_port(a.ip(), a.port(), "telnet", &cfg()).await;
    let d = dump(&rep);
    assert_eq!(rep.service.as_deref(), Some("telnet"), "{d}");
    assert!(has(&rep, keys::BANNER_TELNET, "LocalHost login:"), "{d}");
    let got = got.lock().unwrap().clone();
    assert_eq!(
        got,
        [255, 254, 1, 255, 254, 3, 255, 252, 31, 255, 252, 24],
        "DONT/WONT refusals"
    );
}

#[tokio::test]
async fn ftp_and_ssh_banners() {
    let (lf, af) = bind("127.93.5.2").await;
    let (ls, as_) = bind("127.93.5.3").await;
    let quit = Arc::new(Mutex::new(String::new()));
    let quit2 = quit.clone();
    tokio::spawn(async move {
        let Ok((mut s, _)) = lf.accept().await else {
            return;
        };
        let _ = s.write_all(b"220-Welcome\r\n220 (vsFTPd 3.0.3)\r\n").await;
        let mut buf = [0u8; 64];
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await {
            *quit2.lock().unwrap() = String::from_utf8_lossy(&buf[..n]).into_owned();
        }
    });
    tokio::spawn(async move {
        let Ok((mut s, _)) = ls.accept().await else {
            return;
        };
        let _ = s.write_all(b"SSH-2.0-dropbear_2019.78\r\n").await;
        tokio::time::sleep(Duration::from_secs(3)).await;
    });
    let c = cfg();
    let (f, s) = tokio::join!(
        probe_port(af.ip(), af.port(), "ftp", &c),
        probe_port(as_.ip(), as_.port(), "ssh", &c)
    );
    assert_eq!(f.service.as_deref(), Some("ftp"), "{}", dump(&f));
    assert!(
        has(&f, keys::BANNER_FTP, "220-Welcome\n220 (vsFTPd 3.0.3)"),
        "{}",
        dump(&f)
    );
    assert_eq!(s.service.as_deref(), Some("ssh"), "{}", dump(&s));
    assert!(
        has(&s, keys::BANNER_SSH, "SSH-2.0-dropbear_2019.78"),
        "{}",
        dump(&s)
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(&*quit.lock().unwrap(), "QUIT\r\n");
}

#[tokio::test]
async fn sdk_port_speaking_first_and_sdk_port_serving_http() {
    let (l1, a1) = bind("127.93.6.1").await;
    let (l2, a2) = bind("127.93.6.2").await;
    tokio::spawn(async move {
        let Ok((mut s, _)) = l1.accept().await else {
            return;
        };
        let _ = s
            .write_all(&[0xf6, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x01])
            .await;
        tokio::time::sleep(Duration::from_secs(3)).await;
    });
    // silent until spoken to, then HTTP (Reolink-style ONVIF/HTTP on an SDK port)
    spawn_http(l2, |_| resp("200 OK", &[], b"<title>Reolink</title>"));
    let c = cfg();
    let (r1, r2) = tokio::join!(
        probe_port(a1.ip(), a1.port(), "sdk:dahua", &c),
        probe_port(a2.ip(), a2.port(), "sdk:hikvision", &c)
    );
    assert_eq!(r1.service.as_deref(), Some("dahua-sdk"), "{}", dump(&r1));
    assert!(
        has(&r1, keys::SDK_REPLY, "f60000002000000001"),
        "{}",
        dump(&r1)
    );
    assert_eq!(r2.service.as_deref(), Some("http"), "{}", dump(&r2));
    assert!(has(&r2, keys::HTTP_TITLE, "Reolink"), "{}", dump(&r2));
}

#[tokio::test]
async fn unknown_port_classified_by_reply() {
    let (l1, a1) = bind("127.93.6.3").await;
    let (l2, a2) = bind("127.93.6.4").await;
    spawn_rtsp_keepalive(
        l1,
        Arc::new(Mutex::new(0)),
        Arc::new(Mutex::new(Vec::new())),
    );
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l2.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let _ = s.write_all(b"\x00\x01hello from a debug console\x07").await;
                tokio::time::sleep(Duration::from_secs(3)).await;
            });
        }
    });
    let c = cfg();
    let (r1, r2) = tokio::join!(
        probe_port(a1.ip(), a1.port(), "unknown", &c),
        probe_port(a2.ip(), a2.port(), "rtmp", &c)
    );
    assert_eq!(r1.service.as_deref(), Some("rtsp"), "{}", dump(&r1));
    assert!(
        has(&r1, keys::RTSP_SERVER, "Rtsp Server/3.0"),
        "{}",
        dump(&r1)
    );
    assert_eq!(r2.service.as_deref(), Some("unknown"), "{}", dump(&r2));
    assert!(
        has(
            &r2,
            keys::BANNER_RAW,
            "\\x00\\x01hello from a debug console\\x07"
        ),
        "{}",
        dump(&r2)
    );
}

#[tokio::test]
async fn tarpit_costs_at_most_one_step_per_hint() {
    let c = cfg();
    let margin = Duration::from_millis(700);
    for (i, hint) in [
        "http",
        "https",
        "onvif",
        "rtsp",
        "telnet",
        "ssh",
        "sdk:xiongmai",
        "unknown",
    ]
    .iter()
    .enumerate()
    {
        let (l, a) = bind(&format!("127.93.7.{}", i + 1)).await;
        spawn_tarpit(l);
        let t = Instant::now();
        let rep = probe_port(a.ip(), a.port(), hint, &c).await;
        let took = t.elapsed();
        eprintln!("tarpit {hint}: {took:?}");
        assert!(
            took <= c.step_timeout + margin,
            "{hint}: took {took:?}\n{}",
            dump(&rep)
        );
        assert!(
            !rep.notes.is_empty(),
            "{hint}: a tarpit leaves a note\n{}",
            dump(&rep)
        );
        assert!(rep.observations.is_empty(), "{hint}: {}", dump(&rep));
        let want = if *hint == "sdk:xiongmai" {
            "xiongmai-sdk"
        } else {
            "unknown"
        };
        assert_eq!(rep.service.as_deref(), Some(want), "{hint}: {}", dump(&rep));
    }
}

#[tokio::test]
async fn closed_port_is_no_service() {
    // bind then drop: nothing listens there
    let (l, a) = bind("127.93.7.20").await;
    drop(l);
    let rep = probe_port(a.ip(), a.port(), "http", &cfg()).await;
    assert_eq!(rep.service, None, "{}", dump(&rep));
    assert!(
        rep.notes.iter().any(|n| n.contains("connect")),
        "{}",
        dump(&rep)
    );
}

#[tokio::test]
async fn garbage_and_huge_headers_yield_notes_not_panics() {
    let (l1, a1) = bind("127.93.8.1").await;
    let (l2, a2) = bind("127.93.8.2").await;
    let (l3, a3) = bind("127.93.8.3").await;
    // binary garbage to anything
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l1.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut b = [0u8; 1024];
                let _ = tokio::time::timeout(Duration::from_millis(300), s.read(&mut b)).await;
                let junk: Vec<u8> = (0..2000u32).map(|i| (i * 7919 % 251) as u8).collect();
                let _ = s.write_all(&junk).await;
            });
        }
    });
    // endless headers
    spawn_http(l2, |_| {
        let mut out = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..20_000 {
            out.extend(
                format!("X-Filler-{i}: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n").bytes(),
            );
        }
        out
    });
    // one header line longer than any bound, never terminated
    spawn_http(l3, |_| {
        let mut out = b"HTTP/1.1 200 OK\r\nX-Long: ".to_vec();
        out.extend(std::iter::repeat_n(b'a', 2 * 1024 * 1024));
        out
    });
    let c = cfg();
    let (r1, r2, r3) = tokio::join!(
        probe_port(a1.ip(), a1.port(), "http", &c),
        probe_port(a2.ip(), a2.port(), "http", &c),
        probe_port(a3.ip(), a3.port(), "onvif", &c),
    );
    assert!(
        r1.notes.iter().any(|n| n.contains("garbage")),
        "{}",
        dump(&r1)
    );
    assert!(r1.value(keys::BANNER_RAW).is_some(), "{}", dump(&r1));
    assert_eq!(r1.service.as_deref(), Some("unknown"), "{}", dump(&r1));
    for r in [&r2, &r3] {
        assert!(
            r.notes.iter().any(|n| n.contains("larger than")),
            "{}",
            dump(r)
        );
        assert_eq!(r.service.as_deref(), Some("unknown"), "{}", dump(r));
    }
}
