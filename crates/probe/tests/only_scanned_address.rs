//! The only address a probe ever connects to is the scanned one: a hostile device's redirects
//! (another host, `//host/`, userinfo, IPv4-mapped IPv6, a name that would need DNS) and its
//! WS-Discovery `XAddrs` never make us open a connection anywhere else. A listener on the
//! other loopback address records every connection it gets; it must get none.

mod common;

use camguard_probe::{keys, probe_port, wsd_probe};
use common::{bind, cfg, ip, resp, spawn_http};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A listener that counts the connections it accepts.
async fn recorder(addr: &str) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let (l, a) = bind(addr).await;
    let n = Arc::new(AtomicUsize::new(0));
    let count = n.clone();
    tokio::spawn(async move {
        while let Ok((_s, _)) = l.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    (a, n)
}

#[tokio::test]
async fn redirects_never_leave_the_scanned_address() {
    let (other, hits) = recorder("127.93.10.2").await;
    let op = other.port();
    let locations = [
        format!("http://127.93.10.2:{op}/x"),
        format!("//127.93.10.2:{op}/x"),
        format!("http://127.93.10.1@127.93.10.2:{op}/x"),
        format!("http://127.93.10.2:{op}\\@127.93.10.1/x"),
        format!("http://[::ffff:127.93.10.2]:{op}/x"),
        format!("http://[::ffff:7f5d:a02]:{op}/x"),
        format!("http://2136803842:{op}/x"), // 127.93.10.2 as one number
        format!("http://0x7f.93.10.2:{op}/x"),
        format!("http://localhost:{op}/x"),
        format!("http://camguard-redirect.invalid:{op}/x"),
        format!("https://127.93.10.2:{op}/x"),
        format!("  http://127.93.10.2:{op}/x"),
        format!("http:/127.93.10.2:{op}/x"),
        format!("http:127.93.10.2:{op}/x"),
        format!("/\\127.93.10.2:{op}/x"),
    ];
    for loc in &locations {
        let (l, a) = bind("127.93.10.1").await;
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let s = seen.clone();
        let loc2 = loc.clone();
        spawn_http(l, move |r| {
            s.lock().unwrap().push(r.target.clone());
            if r.target == "/" {
                resp("302 Found", &[("Location", &loc2)], b"")
            } else {
                resp("200 OK", &[("Server", "hostile")], b"<title>t</title>")
            }
        });
        let rep = probe_port(a.ip(), a.port(), "http", &cfg()).await;
        assert_eq!(rep.service.as_deref(), Some("http"), "{loc}: {rep:?}");
        assert_eq!(
            hits.load(Ordering::SeqCst),
            0,
            "Location {loc:?} made the probe connect to 127.93.10.2: {:?}",
            seen.lock().unwrap()
        );
        assert!(
            rep.values(keys::HTTP_LOCATION).any(|v| v == loc.trim()),
            "{loc}: location observed"
        );
    }
}

/// A same-host redirect is followed, on the scanned address only (the control of the test
/// above: following works, so not connecting elsewhere is not an accident).
#[tokio::test]
async fn same_host_redirect_is_followed_on_the_scanned_address() {
    let (other, hits) = recorder("127.93.10.4").await;
    let (l, a) = bind("127.93.10.3").await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    // userinfo naming the other host; the authority after `@` is ours.
    let loc = format!("http://127.93.10.4:{}@{a}/login.htm", other.port());
    spawn_http(l, move |r| {
        s.lock().unwrap().push(r.target.clone());
        if r.target == "/" {
            resp("302 Found", &[("Location", &loc)], b"")
        } else {
            resp("200 OK", &[], b"<title>Login</title>")
        }
    });
    let rep = probe_port(a.ip(), a.port(), "http", &cfg()).await;
    assert!(seen.lock().unwrap().iter().any(|t| t == "/login.htm"));
    assert_eq!(rep.value(keys::HTTP_TITLE), Some("Login"));
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

/// WS-Discovery: a reply whose `XAddrs` names another address is recorded as text; the probe
/// sends to and reads from the scanned address only, and never connects to an XAddr.
#[tokio::test]
async fn wsd_xaddrs_elsewhere_are_only_text() {
    let target = ip("127.93.10.5");
    let (other, hits) = recorder("127.93.10.6").await;
    let sock = tokio::net::UdpSocket::bind((target, camguard_probe::WSD_PORT))
        .await
        .unwrap();
    let xaddr = format!("http://127.93.10.6:{}/onvif/device_service", other.port());
    let reply = format!(
        concat!(
            "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" ",
            "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" ",
            "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\"><s:Body><d:ProbeMatches>",
            "<d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:1</a:Address></a:EndpointReference>",
            "<d:Types>dn:NetworkVideoTransmitter</d:Types><d:XAddrs>{}</d:XAddrs>",
            "</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>"
        ),
        xaddr
    );
    tokio::spawn(async move {
        let mut b = vec![0u8; 65536];
        while let Ok((_, from)) = sock.recv_from(&mut b).await {
            let _ = sock.send_to(reply.as_bytes(), from).await;
        }
    });
    let obs = wsd_probe(target, &cfg()).await;
    assert!(
        obs.iter()
            .any(|o| o.key == keys::WSD_XADDRS && o.value.contains("127.93.10.6")),
        "{obs:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}
