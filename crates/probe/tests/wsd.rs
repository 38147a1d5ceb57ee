//! Unicast WS-Discovery against a UDP responder on 127.93.9.1:3702 (loopback, never multicast).

mod common;

use camguard_probe::{keys, wsd_probe};
use common::*;
use std::sync::{Arc, Mutex};
use tokio::net::UdpSocket;

const MATCH: &str = r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><SOAP-ENV:Header><wsa:MessageID>uuid:5f5a69c2-e0ae-504f-829b-00fc1d4a4b00</wsa:MessageID><wsa:RelatesTo>RELATES</wsa:RelatesTo><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header><SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:5f5a69c2-e0ae-504f-829b-00fc1d4a4b00</wsa:Address></wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/type/NetworkVideoTransmitter onvif://www.onvif.org/hardware/IPC-HFW1230S onvif://www.onvif.org/name/Dahua onvif://www.onvif.org/location/country/vietnam</d:Scopes><d:XAddrs>http://127.93.9.1/onvif/device_service</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;

fn between<'a>(s: &'a str, a: &str, b: &str) -> Option<&'a str> {
    let i = s.find(a)? + a.len();
    let j = s[i..].find(b)? + i;
    Some(&s[i..j])
}

#[tokio::test]
async fn unicast_probe_gets_scopes_types_xaddrs() {
    let sock = UdpSocket::bind((ip("127.93.9.1"), camguard_probe::WSD_PORT))
        .await
        .unwrap();
    let got = Arc::new(Mutex::new(Vec::<String>::new()));
    let got2 = got.clone();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65536];
        loop {
            let Ok((n, from)) = sock.recv_from(&mut buf).await else {
                return;
            };
            let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
            let id = between(&msg, "MessageID>", "<")
                .unwrap_or_default()
                .to_string();
            got2.lock().unwrap().push(msg.clone());
            if msg.contains("Probe>") || msg.contains(":Probe") {
                let _ = sock
                    .send_to(MATCH.replace("RELATES", &id).as_bytes(), from)
                    .await;
            }
        }
    });
    let obs = wsd_probe(ip("127.93.9.1"), &cfg()).await;
    let vals = |k: &str| {
        obs.iter()
            .filter(|o| o.key == k)
            .map(|o| o.value.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(vals(keys::WSD_SCOPE).len(), 4, "{obs:?}");
    assert!(
        vals(keys::WSD_SCOPE).contains(&"onvif://www.onvif.org/hardware/IPC-HFW1230S".to_string())
    );
    assert_eq!(vals(keys::WSD_TYPES), ["dn:NetworkVideoTransmitter"]);
    assert_eq!(
        vals(keys::WSD_XADDRS),
        ["http://127.93.9.1/onvif/device_service"]
    );
    assert_eq!(
        vals(keys::WSD_ADDRESS),
        ["urn:uuid:5f5a69c2-e0ae-504f-829b-00fc1d4a4b00"]
    );
    assert!(obs.iter().all(|o| o.port == 3702));
    let got = got.lock().unwrap();
    assert!(!got.is_empty());
    assert!(
        got.iter()
            .all(|m| m.contains("http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe"))
    );
    assert!(got.iter().any(|m| m.contains("dn:NetworkVideoTransmitter")));
    assert!(got.iter().any(|m| m.contains("tds:Device")));
}

#[tokio::test]
async fn silent_host_yields_nothing_within_read_timeout() {
    let c = cfg();
    let t = std::time::Instant::now();
    // nothing listens on 127.93.9.2:3702
    let obs = wsd_probe(ip("127.93.9.2"), &c).await;
    assert!(obs.is_empty());
    assert!(t.elapsed() <= c.read_timeout + std::time::Duration::from_millis(300));
}
