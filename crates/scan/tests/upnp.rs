//! UPnP through the whole pipeline, on loopback only (127.84.0.0/24): a description served at a
//! UPnP port's description path, and one reached through a unicast SSDP reply's `LOCATION`,
//! decide what the host is and who made it.

use camguard_discovery::{ConnectConfig, PortScanner};
use camguard_kb::Kb;
use camguard_model::{HostReport, Transport};
use camguard_scan::{ScanOptions, Scanner};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

/// The root description of an AXIS M1014 as FantasticFiasco/axis-js records it
/// (test/root-descriptions/RootDescription.mock.ts, commit 647c15a), services trimmed.
const AXIS: &str = r#"<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType><friendlyName>AXIS M1014 - ACCC8E270AD8</friendlyName><manufacturer>AXIS</manufacturer><manufacturerURL>http://www.axis.com/</manufacturerURL><modelDescription>AXIS M1014 Fixed Network Camera</modelDescription><modelName>AXIS M1014</modelName><modelNumber>M1014</modelNumber><serialNumber>ACCC8E270AD8</serialNumber></device></root>"#;

/// The UPnP Forum's camera device type, from a maker no dictionary knows.
const UNKNOWN_CAMERA: &str = r#"<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device><deviceType>urn:schemas-upnp-org:device:DigitalSecurityCamera:1</deviceType><friendlyName>Gate</friendlyName><manufacturer>Example Optics</manufacturer><modelName>EO-100</modelName></device></root>"#;

/// An internet gateway (tailscale/tailscale net/portmapper/upnp_test.go, mikrotikRootDescXML).
const GATEWAY: &str = r#"<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><friendlyName>MikroTik Router</friendlyName><manufacturer>MikroTik</manufacturer><modelName>Router OS</modelName></device></root>"#;

/// A plain HTTP server: `routes` maps paths to XML bodies, everything else is a 404.
fn serve(l: TcpListener, routes: Vec<(&'static str, &'static str)>) {
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let routes = routes.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 2048];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16384 {
                    match s.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf);
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let reply = match routes.iter().find(|(p, _)| *p == path) {
                    Some((_, body)) => format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    ),
                    None => {
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .into()
                    }
                };
                let _ = s.write_all(reply.as_bytes()).await;
            });
        }
    });
}

async fn scan_one(ip: IpAddr, ports: Vec<u16>) -> HostReport {
    let kb = Arc::new(Kb::embedded().unwrap());
    let opts = ScanOptions {
        ports,
        host_timeout: Duration::from_secs(10),
        wsd: false,
        ..ScanOptions::default()
    };
    let scanner = Scanner::new(
        kb,
        opts,
        PortScanner::new(ConnectConfig {
            timeout: Duration::from_millis(800),
            ..ConnectConfig::default()
        }),
    );
    scanner.scan_host(ip).await.expect("an open port")
}

#[tokio::test]
async fn description_path_of_a_upnp_port_identifies_an_unknown_camera() {
    let ip: IpAddr = "127.84.0.1".parse().unwrap();
    let l = TcpListener::bind((ip, 49152)).await.unwrap();
    serve(l, vec![("/rootDesc.xml", UNKNOWN_CAMERA)]);
    let r = scan_one(ip, vec![49152]).await;
    assert!(r.is_camera, "{r:#?}");
    assert_eq!(r.vendor, None);
    assert!(
        r.evidence
            .iter()
            .any(|e| e.source == "upnp.device_type" && e.port == 49152),
        "{r:#?}"
    );
}

#[tokio::test]
async fn description_path_of_a_gateway_is_not_a_camera() {
    let ip: IpAddr = "127.84.0.2".parse().unwrap();
    let l = TcpListener::bind((ip, 49152)).await.unwrap();
    serve(l, vec![("/rootDesc.xml", GATEWAY)]);
    let r = scan_one(ip, vec![49152]).await;
    assert!(!r.is_camera, "{r:#?}");
}

#[tokio::test]
async fn ssdp_location_on_the_host_names_vendor_and_model() {
    let ip: IpAddr = "127.84.0.3".parse().unwrap();
    // The web UI answers nothing useful; the description sits at the LOCATION the SSDP reply
    // gives (a port the scan did not list, on the scanned address).
    let web = TcpListener::bind((ip, 0)).await.unwrap();
    let web_port = web.local_addr().unwrap().port();
    serve(web, vec![]);
    let desc = TcpListener::bind((ip, 0)).await.unwrap();
    let desc_port = desc.local_addr().unwrap().port();
    serve(desc, vec![("/rootdesc1.xml", AXIS)]);
    let udp = UdpSocket::bind((ip, 1900)).await.unwrap();
    let reply = format!(
        "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://{ip}:{desc_port}/rootdesc1.xml\r\nSERVER: Linux/2.6.35, UPnP/1.0, Portable SDK for UPnP devices/1.6.18\r\nST: upnp:rootdevice\r\nUSN: uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8::upnp:rootdevice\r\n\r\n"
    );
    tokio::spawn(async move {
        let mut b = [0u8; 2048];
        while let Ok((_, from)) = udp.recv_from(&mut b).await {
            let _ = udp.send_to(reply.as_bytes(), from).await;
        }
    });
    let r = scan_one(ip, vec![web_port]).await;
    assert!(r.is_camera, "{r:#?}");
    assert_eq!(r.vendor.as_deref(), Some("axis"));
    assert_eq!(r.model.as_deref(), Some("AXIS M1014"));
    assert!(
        r.open_ports
            .iter()
            .any(|p| p.port == 1900 && p.transport == Transport::Udp && p.service == "ssdp"),
        "{:?}",
        r.open_ports
    );
}
