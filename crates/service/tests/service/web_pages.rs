//! The dashboard's camera, scan, inventory-import and catalogue pages (web/cameras.rs,
//! scans.rs, inventory.rs, catalogue.rs), in process: listing and opening cameras, the
//! finding lifecycle with its rules, tenancy, the import report, the scope refusal of a scan
//! launch, the procurement check and the language.

use crate::browser::{self, Browser, form, get, send};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use camguard_model::{Finding, HostReport, Identification, Severity};
use camguard_registry::catalogue::{CatalogueEntry, CatalogueStatus};
use camguard_registry::inventory::{CameraRecord, ParsedRow};
use camguard_service::{AppState, ServeConfig, app};
use camguard_store::{Actor, OrgKind, Password, Role, ScanState, Store};

const PW: &str = "Web-Test-Password-4242";

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    router: axum::Router,
    /// The camera of HN-SO that a scan saw, and of HN-BV.
    so_camera: i64,
    bv_camera: i64,
}

fn host(ip: &str, serial: &str) -> HostReport {
    let mut h = HostReport::new(
        ip.parse().unwrap(),
        Identification::default(),
        Vec::new(),
        "2026-11-23T05:00:00Z".into(),
    );
    h.is_camera = true;
    h.vendor = Some("hikvision".into());
    h.serial = Some(serial.into());
    h.verdict = Some("fail".into());
    let mut creds = Finding::new("default-credentials", Severity::Critical, Some(80));
    creds.evidence =
        serde_json::json!({"username": "admin", "password": "****", "url": "http://127.60.1.10/"});
    h.findings = vec![
        creds,
        Finding::new("cleartext-http", Severity::Medium, Some(80)),
    ];
    h
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("r.db").display().to_string())
        .await
        .unwrap();
    for (code, name, kind, parent, scope) in [
        ("HN", "Hà Nội", OrgKind::Province, None, "127.60.0.0/16"),
        (
            "HN-SO",
            "Sở Xây dựng Hà Nội",
            OrgKind::Unit,
            Some("HN"),
            "127.60.1.0/24",
        ),
        (
            "HN-BV",
            "Bệnh viện Đống Đa",
            OrgKind::Unit,
            Some("HN"),
            "127.60.2.0/24",
        ),
    ] {
        store
            .add_org(code, name, kind, parent, &[scope.parse().unwrap()], &[])
            .await
            .unwrap();
    }
    for (user, role, org) in [
        ("reg", Role::Regulator, Some("HN")),
        ("officer", Role::Unit, Some("HN-SO")),
        ("root", Role::Admin, None),
    ] {
        store
            .add_user(user, role, org, &Password::new(PW), &Actor::cli(None))
            .await
            .unwrap();
    }
    let keys = |r: &CameraRecord| {
        (
            r.vendor.to_lowercase(),
            camguard_registry::catalogue::model_key(&r.model),
        )
    };
    for (org, model, serial, ip, cert) in [
        ("HN-SO", "DS-2CD2143G2-I", "ser-so", "127.60.1.10", None),
        (
            "HN-SO",
            "DS-2CD1023G0E-I",
            "ser-so-2",
            "127.60.1.20",
            Some("HQ-123"),
        ),
        ("HN-BV", "DS-2CD2143G2-I", "ser-bv", "127.60.2.10", None),
    ] {
        store
            .import_cameras(
                vec![ParsedRow {
                    line: 2,
                    record: CameraRecord {
                        org: org.into(),
                        vendor: "Hikvision".into(),
                        model: model.into(),
                        serial: Some(serial.into()),
                        ip: Some(ip.parse().unwrap()),
                        cert_conformity: cert.map(String::from),
                        ..Default::default()
                    },
                }],
                &keys,
            )
            .await
            .unwrap();
    }
    for (org, net, serial) in [
        ("HN-SO", "127.60.1", "ser-so"),
        ("HN-BV", "127.60.2", "ser-bv"),
    ] {
        let scan = store
            .begin_scan(
                org,
                &[format!("{net}.0/24")],
                "test",
                "default",
                &serde_json::json!({}),
            )
            .await
            .unwrap();
        store
            .add_scan_hosts(scan.id, &[host(&format!("{net}.10"), serial)], 1)
            .await
            .unwrap();
        store
            .finish_scan(scan.id, ScanState::Complete)
            .await
            .unwrap();
    }
    let cams = store.cameras(&Default::default()).await.unwrap();
    let id_of = |serial: &str| {
        cams.iter()
            .find(|c| c.record.serial.as_deref() == Some(serial))
            .unwrap()
            .id
    };
    let (so_camera, bv_camera) = (id_of("ser-so"), id_of("ser-bv"));
    let vendors = camguard_kb::Kb::embedded().unwrap().vendors;
    let entries = vec![CatalogueEntry {
        status: CatalogueStatus::Warned,
        vendor: "Hikvision".into(),
        model: "DS-2CD2143*".into(),
        document: Some("CV 7/2026".into()),
        issued_by: None,
        date: None,
        certificate: None,
        note: None,
    }];
    store
        .import_catalogue(&entries, &|e: &CatalogueEntry| {
            (
                camguard_registry::catalogue::vendor_key(&e.vendor, &vendors),
                camguard_registry::catalogue::model_key(&e.model),
            )
        })
        .await
        .unwrap();
    let config = ServeConfig::default();
    let state = AppState::new(store.clone(), camguard_kb::Kb::embedded().unwrap(), &config)
        .await
        .unwrap();
    World {
        _dir: dir,
        store,
        router: app(state, &config),
        so_camera,
        bv_camera,
    }
}

async fn sign_in(w: &World, user: &str) -> Browser {
    browser::sign_in(&w.router, user, PW).await
}

/// An htmx form POST (the CSRF token as `X-CSRF-Token`, as `hx-headers` sends it).
fn hx_form(path: &str, b: &Browser, fields: &[(&str, &str)]) -> Request<Body> {
    let mut r = form(path, &b.cookies, fields);
    r.headers_mut()
        .insert("hx-request", "true".parse().unwrap());
    r.headers_mut()
        .insert("x-csrf-token", b.csrf.parse().unwrap());
    r
}

fn multipart(path: &str, b: &Browser, fields: &[(&str, Option<&str>, &str)]) -> Request<Body> {
    let boundary = "XcamguardX";
    let mut body = String::new();
    for (name, file, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""
        ));
        if let Some(f) = file {
            body.push_str(&format!("; filename=\"{f}\"\r\nContent-Type: text/csv"));
        }
        body.push_str(&format!("\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    Request::post(path)
        .header(header::COOKIE, &b.cookies)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("hx-request", "true")
        .header("x-csrf-token", &b.csrf)
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn a_unit_officer_lists_its_cameras_filters_them_and_opens_one() {
    let w = world().await;
    let b = sign_in(&w, "officer").await;
    let list = send(&w.router, get("/cameras", &b.cookies)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("DS-2CD2143G2-I") && list.body.contains("DS-2CD1023G0E-I"));
    assert!(!list.body.contains("HN-BV"), "another unit's camera listed");
    assert!(
        list.body
            .contains(&format!("href=\"/cameras/{}\"", w.so_camera))
    );
    // Filters: warned (the catalogue warns DS-2CD2143*), uncertified, open findings, model.
    for (q, shown, hidden) in [
        ("warned=1", "DS-2CD2143G2-I", "DS-2CD1023G0E-I"),
        ("uncertified=1", "DS-2CD2143G2-I", "DS-2CD1023G0E-I"),
        ("open=1", "DS-2CD2143G2-I", "DS-2CD1023G0E-I"),
        ("model=ds-2cd1023", "DS-2CD1023G0E-I", "DS-2CD2143G2-I"),
        (
            "vendor=Hikvision&model=DS-2CD1023",
            "DS-2CD1023G0E-I",
            "DS-2CD2143G2-I",
        ),
    ] {
        let res = send(&w.router, get(&format!("/cameras?{q}"), &b.cookies)).await;
        assert_eq!(res.status, StatusCode::OK, "{q}");
        assert!(res.body.contains(shown), "{q}: {shown} missing");
        assert!(!res.body.contains(hidden), "{q}: {hidden} shown");
    }
    let none = send(&w.router, get("/cameras?vendor=Dahua", &b.cookies)).await;
    assert!(!none.body.contains("DS-2CD"), "{}", none.body);
    // The camera's page: identity, the scan that saw it, its findings with redacted evidence.
    let cam = send(
        &w.router,
        get(&format!("/cameras/{}", w.so_camera), &b.cookies),
    )
    .await;
    assert_eq!(cam.status, StatusCode::OK, "{}", cam.body);
    assert!(cam.body.contains("ser-so") && cam.body.contains("127.60.1.10"));
    assert!(cam.body.contains("default-credentials") && cam.body.contains("cleartext-http"));
    assert!(cam.body.contains("href=\"/scans/"), "the scan that saw it");
    assert!(
        cam.body.contains("&#34;password&#34;: &#34;****&#34;"),
        "{}",
        cam.body
    );
    assert!(cam.body.contains("/findings/") && cam.body.contains("/fix\""));
}

/// The text of the `<svg>` chart whose `<title id="…">` starts with `title`.
fn chart<'a>(body: &'a str, title: &str) -> &'a str {
    let i = body
        .find(&format!("\">{title}"))
        .unwrap_or_else(|| panic!("no chart {title:?}: {body}"));
    let start = body[..i].rfind("<svg").unwrap();
    let end = i + body[i..].find("</svg>").unwrap();
    &body[start..end]
}

#[tokio::test]
async fn the_unit_page_charts_the_trend_and_the_vendor_mix_of_its_reach() {
    let w = world().await;
    let b = sign_in(&w, "officer").await;
    let page = send(&w.router, get("/units/HN-SO", &b.cookies)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // The unit's cameras are all Hikvision; its scan opened two findings today (one critical,
    // one medium) on the camera it saw.
    let cams = w.store.cameras(&Default::default()).await.unwrap();
    let so_cams = cams.iter().filter(|c| c.record.org == "HN-SO").count();
    assert!(so_cams < cams.len(), "the other unit has cameras too");
    let trend = chart(&page.body, "Lỗ hổng đang mở theo mức độ, cuối mỗi tuần");
    // Five legend keys (every severity) and two stacked parts, in the last week's column.
    assert_eq!(trend.matches("<rect").count(), 7, "{trend}");
    assert_eq!(trend.matches(": 1</title></rect>").count(), 2, "{trend}");
    let vendors = chart(&page.body, "Camera theo hãng sản xuất");
    assert!(
        vendors.contains(">Hikvision<") && vendors.contains(&format!(">{so_cams}<")),
        "{vendors}"
    );
    assert!(
        page.body.contains("<strong>2</strong>Lỗ hổng đang mở</li>"),
        "two open findings: {}",
        page.body
    );
    // The regulator of the province: both units' cameras and findings.
    let r = sign_in(&w, "reg").await;
    let hn = send(&w.router, get("/units/HN", &r.cookies)).await;
    let vendors = chart(&hn.body, "Camera theo hãng sản xuất");
    assert!(vendors.contains(&format!(">{}<", cams.len())), "{vendors}");
    assert!(
        hn.body.contains("<strong>4</strong>Lỗ hổng đang mở</li>"),
        "{}",
        hn.body
    );
    // A finding fixed: the figures follow at once (the change drops the cached ones).
    let f = w.store.findings(Some("HN-SO"), None).await.unwrap();
    let critical = f.iter().find(|f| f.severity == "critical").unwrap().id;
    let res = send(
        &w.router,
        hx_form(&format!("/findings/{critical}/fix"), &b, &[]),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let page = send(&w.router, get("/units/HN-SO", &b.cookies)).await;
    assert!(
        page.body.contains("<strong>1</strong>Lỗ hổng đang mở</li>"),
        "{}",
        page.body
    );
    let trend = chart(&page.body, "Lỗ hổng đang mở theo mức độ, cuối mỗi tuần");
    assert!(
        !trend.contains("#8b0000\"><title>"),
        "no critical column part left: {trend}"
    );
}

#[tokio::test]
async fn another_units_camera_is_not_found() {
    let w = world().await;
    let b = sign_in(&w, "officer").await;
    let res = send(
        &w.router,
        get(&format!("/cameras/{}", w.bv_camera), &b.cookies),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(!res.body.contains("ser-bv") && !res.body.contains("127.60.2.10"));
    let res = send(&w.router, get("/cameras/999999", &b.cookies)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // Its findings cannot be changed either (404, nothing changed).
    let bv = w.store.findings(Some("HN-BV"), None).await.unwrap();
    let res = send(
        &w.router,
        hx_form(&format!("/findings/{}/fix", bv[0].id), &b, &[]),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        w.store.finding(bv[0].id).await.unwrap().state.as_str(),
        "open"
    );
    // The regulator of the province sees it.
    let r = sign_in(&w, "reg").await;
    let res = send(
        &w.router,
        get(&format!("/cameras/{}", w.bv_camera), &r.cookies),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
}

#[tokio::test]
async fn findings_are_marked_fixed_and_accepted_with_a_future_expiry() {
    let w = world().await;
    let b = sign_in(&w, "officer").await;
    let f = w.store.findings(Some("HN-SO"), None).await.unwrap();
    assert_eq!(f.len(), 2);
    let (fixed, accepted) = (f[0].id, f[1].id);
    let res = send(
        &w.router,
        hx_form(&format!("/findings/{fixed}/fix"), &b, &[]),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.starts_with(&format!(
        "<article class=\"card finding\" id=\"finding-{fixed}\""
    )));
    assert!(res.body.contains("đã khắc phục") && res.body.contains("/reopen\""));
    assert_eq!(
        w.store.finding(fixed).await.unwrap().state.as_str(),
        "fixed"
    );
    // An expiry in the past (or today) is refused with a message; nothing changes.
    let res = send(
        &w.router,
        hx_form(
            &format!("/findings/{accepted}/accept"),
            &b,
            &[
                ("reason", "Thay thế trong quý sau"),
                ("expires_on", "2020-01-01"),
            ],
        ),
    )
    .await;
    assert!(res.body.contains("role=\"alert\""), "{}", res.body);
    assert!(res.body.contains("phải sau hôm nay"), "{}", res.body);
    assert_eq!(
        w.store.finding(accepted).await.unwrap().state.as_str(),
        "open"
    );
    // A plain form gets the camera's page with the message, 400.
    let res = send(
        &w.router,
        form(
            &format!("/findings/{accepted}/accept"),
            &b.cookies,
            &[
                ("_csrf", &b.csrf),
                ("reason", "x"),
                ("expires_on", "2020-01-01"),
            ],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("phải sau hôm nay"));
    // A future expiry is accepted, recorded with the reason.
    let until = camguard_store::today() + time::Duration::days(90);
    let until = format!(
        "{:04}-{:02}-{:02}",
        until.year(),
        u8::from(until.month()),
        until.day()
    );
    let res = send(
        &w.router,
        hx_form(
            &format!("/findings/{accepted}/accept"),
            &b,
            &[("reason", "Thay thế trong quý sau"), ("expires_on", &until)],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(!res.body.contains("role=\"alert\""), "{}", res.body);
    let row = w.store.finding(accepted).await.unwrap();
    assert_eq!(row.state.as_str(), "accepted");
    assert_eq!(row.accepted_until.as_deref(), Some(until.as_str()));
    assert!(
        w.store
            .audit_log(None)
            .await
            .unwrap()
            .iter()
            .any(|e| e.action == "finding.accept" && e.actor == "officer")
    );
    // Reopen.
    let res = send(
        &w.router,
        hx_form(&format!("/findings/{fixed}/reopen"), &b, &[]),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(w.store.finding(fixed).await.unwrap().state.as_str(), "open");
    // Without the CSRF token: refused.
    let res = send(
        &w.router,
        form(&format!("/findings/{fixed}/fix"), &b.cookies, &[]),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(w.store.finding(fixed).await.unwrap().state.as_str(), "open");
    // A plain form (no htmx) goes back to the camera's page.
    let res = send(
        &w.router,
        form(
            &format!("/findings/{fixed}/fix"),
            &b.cookies,
            &[("_csrf", &b.csrf)],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.location(),
        format!("/cameras/{}#finding-{fixed}", w.so_camera)
    );
}

#[tokio::test]
async fn an_upload_with_bad_rows_names_each_bad_row() {
    let w = world().await;
    let b = sign_in(&w, "officer").await;
    let page = send(&w.router, get("/import", &b.cookies)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("for=\"i-file\""));
    let csv = "org,vendor,model,serial,ip\nHN-SO,Dahua,IPC-HFW1230S,new-1,127.60.1.30\nHN-SO,,IPC-X,new-2,127.60.1.31\nHN-BV,Dahua,IPC-Y,new-3,127.60.2.31\nHN-SO,Dahua,IPC-Z,new-4,not-an-ip\n";
    let res = send(
        &w.router,
        multipart(
            "/import",
            &b,
            &[("org", None, "HN-SO"), ("file", Some("inv.csv"), csv)],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let rejected = res
        .body
        .split("<table class=\"rejected\">")
        .nth(1)
        .unwrap_or_else(|| panic!("no rejected rows: {}", res.body))
        .split("</table>")
        .next()
        .unwrap();
    for line in [3, 4, 5] {
        assert!(
            rejected.contains(&format!("<tr><td>{line}</td><td>")),
            "line {line}: {rejected}"
        );
    }
    assert!(!rejected.contains("<tr><td>2</td>"), "{rejected}");
    assert!(rejected.contains("vendor"), "{rejected}");
    assert!(rejected.contains("HN-BV"), "{rejected}");
    let cams = w.store.cameras(&Default::default()).await.unwrap();
    assert!(
        cams.iter()
            .any(|c| c.record.serial.as_deref() == Some("new-1"))
    );
    assert!(
        !cams
            .iter()
            .any(|c| c.record.serial.as_deref() == Some("new-3"))
    );
    // Another unit's organisation: not found.
    let res = send(
        &w.router,
        multipart(
            "/import",
            &b,
            &[("org", None, "HN-BV"), ("file", Some("inv.csv"), csv)],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

/// A multipart form sent by a browser without script: no `X-CSRF-Token`, no `hx-request`.
fn plain_multipart(
    path: &str,
    b: &Browser,
    fields: &[(&str, Option<&str>, &str)],
) -> Request<Body> {
    let mut r = multipart(path, b, fields);
    r.headers_mut().remove("x-csrf-token");
    r.headers_mut().remove("hx-request");
    r
}

#[tokio::test]
async fn an_upload_without_script_carries_its_token_in_the_form() {
    let w = world().await;
    let b = sign_in(&w, "officer").await;
    let page = send(&w.router, get("/import", &b.cookies)).await;
    // The form carries the token as its first field.
    let form = page.body.split("action=\"/import\"").nth(1).unwrap();
    let first = form.split("<input").nth(1).unwrap();
    assert!(
        first.contains("name=\"_csrf\"") && first.contains(&b.csrf),
        "{form}"
    );
    let csv = "org,vendor,model,serial,ip\nHN-SO,Dahua,IPC-HFW1230S,plain-1,127.60.1.40\n";
    let upload = |token: &str| {
        plain_multipart(
            "/import",
            &b,
            &[
                ("_csrf", None, token),
                ("org", None, "HN-SO"),
                ("file", Some("inv.csv"), csv),
            ],
        )
    };
    // A wrong token, or none at all, is refused and imports nothing.
    let res = send(&w.router, upload("not-the-token")).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let res = send(
        &w.router,
        plain_multipart(
            "/import",
            &b,
            &[("org", None, "HN-SO"), ("file", Some("inv.csv"), csv)],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let has = |cams: &[camguard_store::CameraRow]| {
        cams.iter()
            .any(|c| c.record.serial.as_deref() == Some("plain-1"))
    };
    assert!(!has(&w.store.cameras(&Default::default()).await.unwrap()));
    // The right token in the form: imported, and the whole page comes back with the report.
    let res = send(&w.router, upload(&b.csrf)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("<html"), "a whole page: {}", res.body);
    assert!(has(&w.store.cameras(&Default::default()).await.unwrap()));
}

#[tokio::test]
async fn a_scan_outside_the_scope_is_refused_and_nothing_queued() {
    let w = world().await;
    let b = sign_in(&w, "officer").await;
    let page = send(&w.router, get("/scans", &b.cookies)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("name=\"targets\"") && page.body.contains("for=\"s-targets\""));
    let before = w.store.scans(None).await.unwrap().len();
    let res = send(
        &w.router,
        form(
            "/scans",
            &b.cookies,
            &[
                ("_csrf", &b.csrf),
                ("org", "HN-SO"),
                ("targets", "127.60.1.0/24\n127.60.2.10"),
                ("profile", "quick"),
            ],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    assert!(res.body.contains("id=\"launch-error\""), "{}", res.body);
    assert!(res.body.contains("ngoài phạm vi"), "{}", res.body);
    assert!(
        res.body.contains("127.60.2.10"),
        "the form keeps the targets"
    );
    assert_eq!(
        w.store.scans(None).await.unwrap().len(),
        before,
        "nothing queued"
    );
    // Another unit's organisation: not found, nothing queued.
    let res = send(
        &w.router,
        form(
            "/scans",
            &b.cookies,
            &[
                ("_csrf", &b.csrf),
                ("org", "HN-BV"),
                ("targets", "127.60.2.10"),
            ],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(w.store.scans(None).await.unwrap().len(), before);
    // The existing scan's page and its progress fragment.
    let id = w.store.scans(Some("HN-SO")).await.unwrap()[0].id;
    let res = send(&w.router, get(&format!("/scans/{id}"), &b.cookies)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("127.60.1.10") && res.body.contains("default-credentials"));
    let frag = send(&w.router, get(&format!("/scans/{id}/progress"), &b.cookies)).await;
    assert_eq!(frag.status, StatusCode::OK);
    assert!(
        frag.body.starts_with("<section id=\"progress\""),
        "{}",
        frag.body
    );
    let other = w.store.scans(Some("HN-BV")).await.unwrap()[0].id;
    let res = send(&w.router, get(&format!("/scans/{other}"), &b.cookies)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_procurement_check_answers_warned_for_a_warned_model() {
    let w = world().await;
    let b = sign_in(&w, "officer").await;
    let page = send(&w.router, get("/catalogue", &b.cookies)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("DS-2CD2143*"));
    assert!(
        !page.body.contains("action=\"/catalogue/import\""),
        "a unit does not import"
    );
    for (model, answer) in [("DS-2CD2143G2-I", "warned"), ("DS-9999", "unknown")] {
        let res = send(
            &w.router,
            hx_form(
                "/catalogue/check",
                &b,
                &[("vendor", "Hikvision"), ("model", model)],
            ),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(
            res.body.contains(&format!("data-answer=\"{answer}\"")),
            "{model}: {}",
            res.body
        );
    }
    let s = send(&w.router, get("/catalogue?q=2143", &b.cookies)).await;
    assert!(s.body.contains("DS-2CD2143*"));
    let s = send(&w.router, get("/catalogue?q=dahua", &b.cookies)).await;
    assert!(!s.body.contains("DS-2CD2143*"));
    // The regulator imports, with the per-row report; the unit may not.
    let csv = "status,vendor,model,document\ncertified,Dahua,IPC-1,QC 1\nbogus,Acme,Z,x\n";
    let res = send(
        &w.router,
        multipart("/catalogue/import", &b, &[("file", Some("c.csv"), csv)]),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let r = sign_in(&w, "reg").await;
    let res = send(
        &w.router,
        multipart("/catalogue/import", &r, &[("file", Some("c.csv"), csv)]),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("<tr><td>3</td>"), "{}", res.body);
    let s = send(&w.router, get("/catalogue?q=dahua", &b.cookies)).await;
    assert!(s.body.contains("IPC-1"));
}

#[tokio::test]
async fn the_pages_are_in_english_after_switching() {
    let w = world().await;
    let b = sign_in(&w, "officer").await;
    let vi = send(&w.router, get("/cameras", &b.cookies)).await;
    assert!(vi.body.contains("Chưa có chứng nhận hợp quy"));
    let en_cookies = format!("{}; camguard_lang=en", b.cookies);
    for (path, text) in [
        ("/cameras", "No conformity certificate"),
        (&format!("/cameras/{}", w.so_camera) as &str, "Mark fixed"),
        ("/scans", "Start a scan"),
        ("/import", "Import the camera inventory"),
        ("/catalogue", "Check before buying"),
    ] {
        let res = send(&w.router, get(path, &en_cookies)).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert!(res.body.contains("<html lang=\"en\">"), "{path}");
        assert!(res.body.contains(text), "{path}: {text}");
        assert!(!res.body.contains("Chưa có chứng nhận hợp quy"), "{path}");
    }
    // A refused expiry, in English.
    let f = w.store.findings(Some("HN-SO"), None).await.unwrap();
    let mut req = hx_form(
        &format!("/findings/{}/accept", f[0].id),
        &b,
        &[("reason", "later"), ("expires_on", "2020-01-01")],
    );
    req.headers_mut()
        .insert(header::COOKIE, en_cookies.parse().unwrap());
    let res = send(&w.router, req).await;
    assert!(res.body.contains("must expire after today"), "{}", res.body);
}
