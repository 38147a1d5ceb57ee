//! The only address the assessment connects to is the scanned one (issue 8): a hostile device
//! on 127.109.0.1 whose every reply points elsewhere — HTTP redirects, WS-Discovery XAddrs,
//! ONVIF `GetStreamUri`, RTSP `Content-Base`/`Content-Location` and SDP controls naming
//! 127.109.0.2 — and a listener on 127.109.0.2 (on the same ports) that counts every
//! connection. None may reach it; the device itself must have been assessed (so the hostile
//! replies were read).

use camguard_assess::{AssessOptions, Profile, assess};
use camguard_kb::Kb;
use camguard_model::{DeviceType, HostReport, Identification, Observation, OpenPort, Transport};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const DEVICE: &str = "127.109.0.1";
const ELSEWHERE: &str = "127.109.0.2";
const HTTP: u16 = 18080;
const RTSP: u16 = 18554;

/// Read one request head and its Content-Length body; `None` on close.
async fn read_request(s: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
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
            return Some(String::from_utf8_lossy(&buf).into_owned());
        }
        let n = s.read(&mut tmp).await.ok()?;
        if n == 0 || buf.len() > 1 << 20 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    }
}

fn soap(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body>{body}</s:Body></s:Envelope>"#
    )
}

/// The hostile web server: ONVIF answers that name the other address, and a redirect to it
/// for every GET.
fn http_reply(req: &str) -> String {
    let other = format!("{ELSEWHERE}:{HTTP}");
    let (status, ctype, body, extra) = if req.starts_with("POST") {
        let op = [
            "GetSystemDateAndTime",
            "GetDeviceInformation",
            "GetNetworkInterfaces",
            "GetProfiles",
            "GetStreamUri",
            "GetUsers",
            "GetCapabilities",
            "GetServices",
        ]
        .into_iter()
        .find(|op| req.contains(&format!(":{op}")) || req.contains(&format!("<{op}")));
        let inner = match op {
            Some("GetDeviceInformation") => "<tds:GetDeviceInformationResponse><tds:Manufacturer>Hostile</tds:Manufacturer><tds:Model>X1</tds:Model><tds:FirmwareVersion>1.0</tds:FirmwareVersion><tds:SerialNumber>S1</tds:SerialNumber><tds:HardwareId>1</tds:HardwareId></tds:GetDeviceInformationResponse>".to_string(),
            Some("GetProfiles") => r#"<trt:GetProfilesResponse><trt:Profiles token="P1" fixed="true"><tt:Name>main</tt:Name></trt:Profiles></trt:GetProfilesResponse>"#.to_string(),
            Some("GetStreamUri") => format!("<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://{ELSEWHERE}:{RTSP}/live</tt:Uri></trt:MediaUri></trt:GetStreamUriResponse>"),
            Some("GetCapabilities" | "GetServices") => format!("<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Media><tt:XAddr>http://{other}/onvif/Media</tt:XAddr></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>"),
            Some(op) => format!("<tds:{op}Response/>"),
            None => String::new(),
        };
        (
            "200 OK",
            "application/soap+xml",
            soap(&inner),
            String::new(),
        )
    } else {
        (
            "302 Found",
            "text/html",
            format!("<a href=\"http://{other}/\">moved</a>"),
            format!("Location: http://{other}/index.html\r\n"),
        )
    };
    format!(
        "HTTP/1.1 {status}\r\nServer: hostile\r\nContent-Type: {ctype}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// The hostile RTSP server: 200 to every DESCRIBE with an SDP whose base and controls name the
/// other address; SETUP and PLAY answered; the request lines are kept.
async fn rtsp_conn(mut s: TcpStream, seen: Arc<Mutex<Vec<String>>>) {
    let base = format!("rtsp://{ELSEWHERE}:{RTSP}/live/");
    while let Some(req) = read_request(&mut s).await {
        let line = req.lines().next().unwrap_or("").to_string();
        seen.lock().unwrap().push(line.clone());
        let cseq = req
            .lines()
            .find_map(|l| l.strip_prefix("CSeq:").map(|v| v.trim().to_string()))
            .unwrap_or_default();
        let reply = if line.starts_with("DESCRIBE") {
            let sdp = format!(
                "v=0\r\no=- 1 1 IN IP4 {ELSEWHERE}\r\ns=hostile\r\nc=IN IP4 {ELSEWHERE}\r\nt=0 0\r\na=control:{base}\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:rtsp://{ELSEWHERE}:{RTSP}/live/track1\r\n"
            );
            format!(
                "RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nContent-Base: {base}\r\nContent-Location: {base}\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
                sdp.len()
            )
        } else if line.starts_with("SETUP") {
            format!(
                "RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nSession: 12345678\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n"
            )
        } else {
            format!("RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nSession: 12345678\r\n\r\n")
        };
        if s.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_reply_of_a_device_leads_a_connection_to_another_address() {
    // The other address: counts connections on the ports the replies name.
    let elsewhere = Arc::new(Mutex::new(Vec::<String>::new()));
    for port in [HTTP, RTSP] {
        let l = TcpListener::bind((ELSEWHERE, port)).await.unwrap();
        let seen = elsewhere.clone();
        tokio::spawn(async move {
            while let Ok((_, from)) = l.accept().await {
                seen.lock().unwrap().push(format!("{port} from {from}"));
            }
        });
    }
    // The hostile device.
    let http_seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let l = TcpListener::bind((DEVICE, HTTP)).await.unwrap();
    let seen = http_seen.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                if let Some(req) = read_request(&mut s).await {
                    seen.lock()
                        .unwrap()
                        .push(req.lines().next().unwrap_or("").to_string() + " " + &req);
                    let _ = s.write_all(http_reply(&req).as_bytes()).await;
                }
            });
        }
    });
    let rtsp_seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let l = TcpListener::bind((DEVICE, RTSP)).await.unwrap();
    let seen = rtsp_seen.clone();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            tokio::spawn(rtsp_conn(s, seen.clone()));
        }
    });

    let id = Identification {
        is_camera: true,
        device_type: DeviceType::Camera,
        ..Default::default()
    };
    let open = [(HTTP, "http"), (RTSP, "rtsp")]
        .iter()
        .map(|(p, s)| OpenPort {
            port: *p,
            transport: Transport::Tcp,
            service: s.to_string(),
        })
        .collect();
    let report = HostReport::new(
        DEVICE.parse().unwrap(),
        id,
        open,
        "2026-01-01T00:00:00Z".into(),
    );
    // What the identification would have seen: WS-Discovery XAddrs naming the other address
    // first, an ONVIF answer on the web port, and a redirect elsewhere.
    let obs = vec![
        Observation::new(
            3702,
            camguard_probe::keys::WSD_XADDRS,
            format!(
                "http://{ELSEWHERE}:{HTTP}/onvif/device_service http://{ELSEWHERE}/onvif/device_service"
            ),
        ),
        Observation::new(
            HTTP,
            camguard_probe::keys::ONVIF_DATETIME,
            "2026-01-01T00:00:00Z",
        ),
        Observation::new(
            HTTP,
            camguard_probe::keys::HTTP_LOCATION,
            format!("http://{ELSEWHERE}:{HTTP}/"),
        ),
    ];
    let mut opts = AssessOptions::for_profile(Profile::Default);
    opts.deadline = Duration::from_secs(20);
    opts.attempt_interval = Duration::from_millis(10);
    let kb = Kb::embedded().unwrap();
    let a = assess(&kb, &report, &obs, &opts).await;

    let http = http_seen.lock().unwrap().clone();
    let rtsp = rtsp_seen.lock().unwrap().clone();
    // The device was assessed, and the hostile replies were read:
    assert!(
        http.iter().any(|r| r.contains("GetStreamUri")),
        "ONVIF ran on the device: {http:?}"
    );
    assert!(
        rtsp.iter().any(|l| l.starts_with("DESCRIBE")),
        "RTSP ran on the device: {rtsp:?}"
    );
    assert!(
        rtsp.iter()
            .any(|l| l.starts_with("SETUP")
                || l.starts_with("DESCRIBE rtsp://127.109.0.1:18554/live")),
        "the hostile stream path or SDP was followed on the device itself: {rtsp:?}"
    );
    assert!(
        a.findings.iter().any(|f| f.id == "unauthenticated-onvif"),
        "{:?}",
        a.findings.iter().map(|f| &f.id).collect::<Vec<_>>()
    );
    // …and nothing reached the other address.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let other = elsewhere.lock().unwrap().clone();
    assert!(
        other.is_empty(),
        "connections to {ELSEWHERE}: {other:?}\nnotes: {:?}",
        a.notes
    );
}
