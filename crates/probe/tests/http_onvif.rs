//! HTTP, HTTPS and ONVIF flows against tiny loopback servers (127.93.1.x – 127.93.3.x).

mod common;

use camguard_probe::{http_get, keys, probe_port};
use common::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// 768 bytes whose Shodan favicon hash is known (python: mmh3.hash(base64.encodebytes(d))).
fn icon() -> Vec<u8> {
    (0..=255u8).cycle().take(768).collect()
}

#[tokio::test]
async fn http_digest_401_with_server_header_and_favicon() {
    let (l, a) = bind("127.93.1.1").await;
    spawn_http(l, |r| match (r.method.as_str(), r.target.as_str()) {
        ("GET", "/") => {
            assert!(r.header("host").unwrap().starts_with("127.93.1.1:"));
            assert_eq!(r.header("user-agent"), Some("camguard-test"));
            resp(
                "401 Unauthorized",
                &[
                    ("Server", "App-webs/"),
                    ("WWW-Authenticate", "Digest qop=\"auth\", realm=\"IP Camera(C6952)\", nonce=\"4e6a\", stale=\"FALSE\""),
                    ("WWW-Authenticate", "Basic realm=\"IP Camera(C6952)\""),
                    ("Content-Type", "text/html"),
                ],
                b"<!DOCTYPE html><html><head><title>Document Error: Unauthorized</title></head><body>Access denied</body></html>",
            )
        }
        ("GET", "/favicon.ico") => resp("200 OK", &[("Content-Type", "image/x-icon")], &icon()),
        _ => resp("404 Not Found", &[], b"not found"),
    });
    let rep = probe_port(a.ip(), a.port(), "http", &cfg()).await;
    let d = dump(&rep);
    assert_eq!(rep.service.as_deref(), Some("http"), "{d}");
    assert!(has(&rep, keys::HTTP_STATUS, "401"), "{d}");
    assert!(has(&rep, keys::HTTP_SERVER, "App-webs/"), "{d}");
    assert!(has(&rep, keys::HTTP_REALM, "IP Camera(C6952)"), "{d}");
    assert!(has(&rep, keys::HTTP_AUTH_SCHEME, "Digest"), "{d}");
    assert!(has(&rep, keys::HTTP_AUTH_SCHEME, "Basic"), "{d}");
    assert!(
        has(&rep, keys::HTTP_TITLE, "Document Error: Unauthorized"),
        "{d}"
    );
    assert!(has(&rep, keys::HTTP_FAVICON_MMH3, "1836528006"), "{d}");
    assert_eq!(
        rep.value(keys::HTTP_FAVICON_MD5).map(str::len),
        Some(32),
        "{d}"
    );
    assert!(rep.value("http.header.www-authenticate").is_some(), "{d}");
    assert!(rep.values(keys::ONVIF_DATETIME).next().is_none(), "{d}");
    assert!(rep.observations.iter().all(|o| o.port == a.port()));
}

#[tokio::test]
async fn http_without_server_header_redirect_chunked_cookie() {
    // Dahua-style: no Server header, a redirect, then a chunked login page.
    let (l, a) = bind("127.93.1.2").await;
    let port = a.port();
    spawn_http(l, move |r| match r.target.as_str() {
        "/" => resp(
            "302 Found",
            &[("Location", &format!("http://127.93.1.2:{port}/login.html"))],
            b"",
        ),
        "/login.html" => {
            let page = "<html><head><TITLE>WEB SERVICE</TITLE></head><body><div class=\"ui-dialog-content\">t_username</div></body></html>";
            let (a, b) = page.split_at(40);
            let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nSet-Cookie: secure; HttpOnly\r\nTransfer-Encoding: chunked\r\nX-Frame-Options: SAMEORIGIN\r\n\r\n".to_vec();
            out.extend(
                format!(
                    "{:x}\r\n{a}\r\n{:x};ext\r\n{b}\r\n0\r\n\r\n",
                    a.len(),
                    b.len()
                )
                .bytes(),
            );
            out
        }
        _ => resp("404 Not Found", &[], b""),
    });
    let rep = probe_port(a.ip(), port, "http", &cfg()).await;
    let d = dump(&rep);
    assert_eq!(rep.service.as_deref(), Some("http"), "{d}");
    assert!(
        rep.value(keys::HTTP_SERVER).is_none(),
        "no Server header means no http.server: {d}"
    );
    assert!(has(&rep, keys::HTTP_STATUS, "302"), "{d}");
    assert!(has(&rep, keys::HTTP_STATUS, "200"), "{d}");
    assert!(
        has(
            &rep,
            keys::HTTP_LOCATION,
            &format!("http://127.93.1.2:{port}/login.html")
        ),
        "{d}"
    );
    assert!(has(&rep, keys::HTTP_TITLE, "WEB SERVICE"), "{d}");
    assert!(
        rep.values(keys::HTTP_BODY)
            .any(|b| b.contains("ui-dialog-content") && b.ends_with("</html>")),
        "{d}"
    );
    assert!(has(&rep, keys::HTTP_COOKIE, "secure; HttpOnly"), "{d}");
    assert!(
        has(&rep, "http.header.x-frame-options", "SAMEORIGIN"),
        "{d}"
    );
    assert!(rep.value(keys::HTTP_FAVICON_MD5).is_none(), "{d}");
}

#[tokio::test]
async fn http_get_is_bounded_and_sends_host() {
    let (l, a) = bind("127.93.1.3").await;
    spawn_http(l, |r| {
        let host = r.header("host").unwrap_or_default().to_string();
        // a body far larger than the cap, no Content-Length, then close
        let mut out = format!("HTTP/1.0 200 OK\r\nX-Host: {host}\r\n\r\n").into_bytes();
        out.extend(std::iter::repeat_n(b'x', 300 * 1024));
        out
    });
    let r = http_get(a.ip(), a.port(), false, "/doc/page/login.asp", &cfg())
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("x-host"),
        Some(&*format!("127.93.1.3:{}", a.port()))
    );
    assert_eq!(r.body.len(), cfg().max_response_bytes);
}

#[tokio::test]
async fn interim_100_continue_is_skipped_and_bare_lf_accepted() {
    let (l, a) = bind("127.93.1.5").await;
    spawn_http(l, |_| {
        b"HTTP/1.1 100 Continue\n\nHTTP/1.0 200 OK\nServer: Boa/0.94.14rc21\n\n<title>IPCam</title>"
            .to_vec()
    });
    let r = http_get(a.ip(), a.port(), false, "/", &cfg())
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("server"), Some("Boa/0.94.14rc21"));
    assert_eq!(r.body, b"<title>IPCam</title>");
}

#[tokio::test]
async fn content_length_lie_does_not_allocate_or_hang() {
    let (l, a) = bind("127.93.1.4").await;
    spawn_http(l, |_| {
        b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\nshort".to_vec()
    });
    let t = std::time::Instant::now();
    let r = http_get(a.ip(), a.port(), false, "/", &cfg())
        .await
        .unwrap();
    assert_eq!(r.body, b"short");
    assert!(t.elapsed() < cfg().step_timeout + std::time::Duration::from_millis(500));
}

fn tls_server_config() -> (Arc<rustls::ServerConfig>, Vec<u8>) {
    let ck = rcgen::generate_simple_self_signed(vec!["camguard-test.invalid".to_string()]).unwrap();
    let der = ck.cert.der().to_vec();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        ck.signing_key.serialize_der(),
    ));
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![ck.cert.der().clone()], key)
    .unwrap();
    (Arc::new(cfg), der)
}

fn spawn_https(
    l: tokio::net::TcpListener,
    h: impl Fn(&Req) -> Vec<u8> + Send + Sync + 'static,
) -> Vec<u8> {
    let (cfg, der) = tls_server_config();
    let acceptor = tokio_rustls::TlsAcceptor::from(cfg);
    let h: Handler = Arc::new(h);
    tokio::spawn(async move {
        loop {
            let Ok((s, _)) = l.accept().await else { return };
            let (acceptor, h) = (acceptor.clone(), h.clone());
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(s).await {
                    serve_one(tls, h).await;
                }
            });
        }
    });
    der
}

#[tokio::test]
async fn https_self_signed() {
    let (l, a) = bind("127.93.2.1").await;
    let der = spawn_https(l, |r| match r.target.as_str() {
        "/" => resp(
            "200 OK",
            &[("Server", "lighttpd/1.4.35")],
            b"<title>AXIS</title>",
        ),
        _ => resp("404 Not Found", &[], b""),
    });
    let rep = probe_port(a.ip(), a.port(), "https", &cfg()).await;
    let d = dump(&rep);
    assert_eq!(rep.service.as_deref(), Some("https"), "{d}");
    assert!(has(&rep, keys::HTTP_TITLE, "AXIS"), "{d}");
    assert!(has(&rep, keys::HTTP_SERVER, "lighttpd/1.4.35"), "{d}");
    assert!(rep.value(keys::TLS_SUBJECT).unwrap().contains("CN="), "{d}");
    assert!(rep.value(keys::TLS_ISSUER).is_some(), "{d}");
    assert!(has(&rep, keys::TLS_SELF_SIGNED, "true"), "{d}");
    assert!(
        rep.value(keys::TLS_VERSION).unwrap().starts_with("TLSv1."),
        "{d}"
    );
    assert!(rep.value(keys::TLS_NOT_AFTER).is_some(), "{d}");
    use base64::Engine as _;
    let got = base64::engine::general_purpose::STANDARD
        .decode(rep.value(keys::TLS_CERT_DER_B64).unwrap())
        .unwrap();
    assert_eq!(got, der);
}

#[tokio::test]
async fn http_hint_on_tls_port_switches_to_tls() {
    let (l, a) = bind("127.93.2.2").await;
    spawn_https(l, |_| resp("200 OK", &[], b"<title>secure</title>"));
    let rep = probe_port(a.ip(), a.port(), "http", &cfg()).await;
    let d = dump(&rep);
    assert_eq!(rep.service.as_deref(), Some("https"), "{d}");
    assert!(has(&rep, keys::HTTP_TITLE, "secure"), "{d}");
    assert!(rep.notes.iter().any(|n| n.contains("TLS")), "{d}");
}

#[tokio::test]
async fn https_hint_on_plain_port_falls_back_to_http() {
    let (l, a) = bind("127.93.2.3").await;
    spawn_http(l, |_| {
        resp(
            "200 OK",
            &[("Server", "GoAhead-Webs")],
            b"<title>plain</title>",
        )
    });
    let rep = probe_port(a.ip(), a.port(), "https", &cfg()).await;
    let d = dump(&rep);
    assert_eq!(rep.service.as_deref(), Some("http"), "{d}");
    assert!(has(&rep, keys::HTTP_SERVER, "GoAhead-Webs"), "{d}");
}

const DATE_TIME: &str = r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><SOAP-ENV:Body><tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>GMT-07:00</tt:TZ></tt:TimeZone><tt:UTCDateTime><tt:Time><tt:Hour>23</tt:Hour><tt:Minute>59</tt:Minute><tt:Second>1</tt:Second></tt:Time><tt:Date><tt:Year>2026</tt:Year><tt:Month>1</tt:Month><tt:Day>31</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;

const NOT_AUTHORIZED: &str = r#"<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ter="http://www.onvif.org/ver10/error"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>ter:NotAuthorized</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">Sender not Authorized</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>"#;

const SCOPES: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetScopesResponse xmlns="http://www.onvif.org/ver10/device/wsdl"><Scopes><ScopeDef xmlns="http://www.onvif.org/ver10/schema">Fixed</ScopeDef><ScopeItem xmlns="http://www.onvif.org/ver10/schema">onvif://www.onvif.org/hardware/IPG-53H20PL-S</ScopeItem></Scopes><Scopes><ScopeDef xmlns="http://www.onvif.org/ver10/schema">Configurable</ScopeDef><ScopeItem xmlns="http://www.onvif.org/ver10/schema">onvif://www.onvif.org/name/NETSurveillance</ScopeItem></Scopes></GetScopesResponse></s:Body></s:Envelope>"#;

const DEVICE_INFO: &str = r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><SOAP-ENV:Body><tds:GetDeviceInformationResponse><tds:Manufacturer>H264</tds:Manufacturer><tds:Model>IPG-53H20PL-S</tds:Model><tds:FirmwareVersion>V4.02.R12.00035520.12012.047500.0000000</tds:FirmwareVersion><tds:SerialNumber>0123456789abcdef</tds:SerialNumber><tds:HardwareId>00001</tds:HardwareId></tds:GetDeviceInformationResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;

fn soap(body: &str, status: &str) -> Vec<u8> {
    resp(
        status,
        &[
            ("Content-Type", "application/soap+xml; charset=utf-8"),
            ("Server", "gSOAP/2.8"),
        ],
        body.as_bytes(),
    )
}

#[tokio::test]
async fn onvif_only_port_with_not_authorized() {
    // XiongMai-style 8899: GET / is refused, SOAP answers; device information needs auth.
    let (l, a) = bind("127.93.3.1").await;
    let seen = Arc::new(AtomicUsize::new(0));
    let seen2 = seen.clone();
    spawn_http(l, move |r| {
        if r.method != "POST" {
            return resp("405 Method Not Allowed", &[], b"");
        }
        seen2.fetch_add(1, Ordering::SeqCst);
        assert_eq!(r.target, "/onvif/device_service");
        assert!(
            r.header("content-type")
                .unwrap()
                .starts_with("application/soap+xml")
        );
        let b = r.body_str();
        assert!(!b.contains("Security"), "no credentials are ever sent");
        if b.contains("GetSystemDateAndTime") {
            soap(DATE_TIME, "200 OK")
        } else if b.contains("GetDeviceInformation") {
            soap(NOT_AUTHORIZED, "400 Bad Request")
        } else if b.contains("GetScopes") {
            soap(SCOPES, "200 OK")
        } else {
            resp("500 Internal Server Error", &[], b"")
        }
    });
    let rep = probe_port(a.ip(), a.port(), "onvif", &cfg()).await;
    let d = dump(&rep);
    assert_eq!(rep.service.as_deref(), Some("onvif"), "{d}");
    assert!(
        has(&rep, keys::ONVIF_DATETIME, "2026-01-31T23:59:01Z"),
        "{d}"
    );
    assert!(has(&rep, keys::ONVIF_TIMEZONE, "GMT-07:00"), "{d}");
    assert!(
        has(
            &rep,
            keys::ONVIF_FAULT,
            "GetDeviceInformation: Sender/NotAuthorized: Sender not Authorized"
        ),
        "{d}"
    );
    assert!(
        has(
            &rep,
            keys::ONVIF_SCOPE,
            "onvif://www.onvif.org/hardware/IPG-53H20PL-S"
        ),
        "{d}"
    );
    assert!(
        has(
            &rep,
            keys::ONVIF_SCOPE,
            "onvif://www.onvif.org/name/NETSurveillance"
        ),
        "{d}"
    );
    assert!(rep.value(keys::ONVIF_MANUFACTURER).is_none(), "{d}");
    assert_eq!(seen.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn onvif_device_information_unauthenticated_on_web_port() {
    let (l, a) = bind("127.93.3.2").await;
    spawn_http(l, |r| match (r.method.as_str(), r.target.as_str()) {
        ("GET", "/") => resp(
            "200 OK",
            &[("Server", "uc-httpd 1.0.0")],
            b"<title>NETSurveillance WEB</title>",
        ),
        ("POST", "/onvif/device_service") if r.body_str().contains("GetSystemDateAndTime") => {
            soap(DATE_TIME, "200 OK")
        }
        ("POST", "/onvif/device_service") if r.body_str().contains("GetDeviceInformation") => {
            soap(DEVICE_INFO, "200 OK")
        }
        // GetScopes needs HTTP digest on this device
        ("POST", _) => resp(
            "401 Unauthorized",
            &[("WWW-Authenticate", "Digest realm=\"onvif\", nonce=\"1\"")],
            b"",
        ),
        _ => resp("404 Not Found", &[], b""),
    });
    let rep = probe_port(a.ip(), a.port(), "http", &cfg()).await;
    let d = dump(&rep);
    assert_eq!(
        rep.service.as_deref(),
        Some("http"),
        "web UI and ONVIF on one port is http: {d}"
    );
    assert!(has(&rep, keys::ONVIF_MANUFACTURER, "H264"), "{d}");
    assert!(has(&rep, keys::ONVIF_MODEL, "IPG-53H20PL-S"), "{d}");
    assert!(
        has(
            &rep,
            keys::ONVIF_FIRMWARE,
            "V4.02.R12.00035520.12012.047500.0000000"
        ),
        "{d}"
    );
    assert!(has(&rep, keys::ONVIF_SERIAL, "0123456789abcdef"), "{d}");
    assert!(has(&rep, keys::ONVIF_HARDWARE_ID, "00001"), "{d}");
    assert!(has(&rep, keys::ONVIF_FAULT, "GetScopes: HTTP 401"), "{d}");
    assert!(has(&rep, keys::HTTP_TITLE, "NETSurveillance WEB"), "{d}");
}
