//! Unicast SSDP and the UPnP description, on loopback only (127.83.0.0/16): a responder on UDP
//! 1900 of the scanned address answers the `M-SEARCH`; the description is fetched from the
//! `LOCATION` only when it names the scanned address, never another one (a listener on the
//! other address counts connections and must get none).

mod common;

use camguard_probe::{keys, ssdp_probe};
use common::{bind, cfg, ip, resp, spawn_http};
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The root description of an AXIS M1014 as FantasticFiasco/axis-js records it
/// (test/root-descriptions/RootDescription.mock.ts, commit 647c15a), services trimmed.
const AXIS: &str = r#"<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion><device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType><friendlyName>AXIS M1014 - ACCC8E270AD8</friendlyName><manufacturer>AXIS</manufacturer><manufacturerURL>http://www.axis.com/</manufacturerURL><modelDescription>AXIS M1014 Fixed Network Camera</modelDescription><modelName>AXIS M1014</modelName><modelNumber>M1014</modelNumber><serialNumber>ACCC8E270AD8</serialNumber><UDN>uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8</UDN></device></root>"#;

type Shared<T> = Arc<std::sync::Mutex<T>>;

/// Answer every datagram on `target:1900/udp` with the current `reply` (what an SSDP stack
/// sends back to a unicast `M-SEARCH`); record what was asked.
async fn ssdp_responder(target: IpAddr, reply: String) -> (Shared<Vec<String>>, Shared<String>) {
    let sock = tokio::net::UdpSocket::bind((target, camguard_probe::SSDP_PORT))
        .await
        .expect("bind 1900 on a loopback address");
    let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let reply = Arc::new(std::sync::Mutex::new(reply));
    let (a, r) = (asked.clone(), reply.clone());
    tokio::spawn(async move {
        let mut b = vec![0u8; 4096];
        while let Ok((n, from)) = sock.recv_from(&mut b).await {
            a.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&b[..n]).into_owned());
            let text = r.lock().unwrap().clone();
            let _ = sock.send_to(text.as_bytes(), from).await;
        }
    });
    (asked, reply)
}

fn msearch_reply(location: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: {location}\r\nSERVER: Linux/2.6.35, UPnP/1.0, Portable SDK for UPnP devices/1.6.18\r\nST: upnp:rootdevice\r\nUSN: uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8::upnp:rootdevice\r\n\r\n"
    )
}

#[tokio::test]
async fn ssdp_location_on_the_scanned_address_gives_the_description() {
    let target = ip("127.83.0.1");
    let (l, a) = bind("127.83.0.1").await;
    let paths = Arc::new(std::sync::Mutex::new(Vec::new()));
    let p = paths.clone();
    spawn_http(l, move |r| {
        p.lock().unwrap().push(r.target.clone());
        if r.target == "/rootdesc1.xml" {
            resp("200 OK", &[("Content-Type", "text/xml")], AXIS.as_bytes())
        } else {
            resp("404 Not Found", &[], b"")
        }
    });
    let (asked, _) = ssdp_responder(
        target,
        msearch_reply(&format!("http://127.83.0.1:{}/rootdesc1.xml", a.port())),
    )
    .await;
    let obs = ssdp_probe(target, &cfg()).await;
    let get = |k: &str| {
        obs.iter()
            .find(|o| o.key == k)
            .map(|o| (o.port, o.value.as_str()))
    };
    // One unicast M-SEARCH, addressed to the host itself.
    let asked = asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(asked[0].starts_with("M-SEARCH * HTTP/1.1\r\n"));
    assert!(asked[0].contains("HOST: 127.83.0.1:1900\r\n"));
    assert!(asked[0].contains("MAN: \"ssdp:discover\""));
    assert_eq!(
        get(keys::SSDP_SERVER),
        Some((
            1900,
            "Linux/2.6.35, UPnP/1.0, Portable SDK for UPnP devices/1.6.18"
        ))
    );
    assert_eq!(*paths.lock().unwrap(), ["/rootdesc1.xml"]);
    assert_eq!(get(keys::UPNP_MANUFACTURER), Some((a.port(), "AXIS")));
    assert_eq!(get(keys::UPNP_MODEL_NAME), Some((a.port(), "AXIS M1014")));
    assert_eq!(
        get(keys::UPNP_DEVICE_TYPE),
        Some((a.port(), "urn:schemas-upnp-org:device:Basic:1"))
    );
}

#[tokio::test]
async fn ssdp_location_elsewhere_is_only_text() {
    let target = ip("127.83.0.2");
    let (other, hits) = {
        let (l, a) = bind("127.83.0.3").await;
        let n = Arc::new(AtomicUsize::new(0));
        let c = n.clone();
        tokio::spawn(async move {
            while let Ok((_s, _)) = l.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
            }
        });
        (a, n)
    };
    let op = other.port();
    let (asked, reply) = ssdp_responder(target, String::new()).await;
    for loc in [
        format!("http://127.83.0.3:{op}/rootDesc.xml"),
        format!("http://127.83.0.2@127.83.0.3:{op}/rootDesc.xml"),
        format!("http://[::ffff:127.83.0.3]:{op}/rootDesc.xml"),
        format!("http://localhost:{op}/rootDesc.xml"),
        format!("http://camguard-ssdp.invalid:{op}/rootDesc.xml"),
    ] {
        *reply.lock().unwrap() = msearch_reply(&loc);
        asked.lock().unwrap().clear();
        let obs = ssdp_probe(target, &cfg()).await;
        assert_eq!(asked.lock().unwrap().len(), 1, "{loc}");
        assert!(
            obs.iter()
                .any(|o| o.key == keys::SSDP_LOCATION && o.value == loc),
            "{loc}: {obs:?}"
        );
        assert!(
            !obs.iter().any(|o| o.key.starts_with("upnp.")),
            "{loc}: {obs:?}"
        );
        assert_eq!(
            hits.load(Ordering::SeqCst),
            0,
            "{loc} made us connect elsewhere"
        );
    }
}

#[tokio::test]
async fn no_ssdp_service_is_quick_and_quiet() {
    // Nothing listens on 127.83.0.9:1900: the ICMP "port unreachable" ends the wait.
    let t0 = std::time::Instant::now();
    let obs = ssdp_probe(ip("127.83.0.9"), &cfg()).await;
    assert!(obs.is_empty());
    assert!(t0.elapsed() < cfg().read_timeout, "{:?}", t0.elapsed());
}
