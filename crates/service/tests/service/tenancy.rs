//! Tenancy: every route × every role × own and other organisation, on SQLite and on
//! PostgreSQL. No route may show, or change, another organisation's data; a resource outside
//! the caller's reach answers 404, an action its role does not allow on one it can see 403.
//!
//! PostgreSQL: `CAMGUARD_TEST_POSTGRES` (a URL where the user may create databases; set by
//! scripts/test); without it that half is skipped, unless `CAMGUARD_REQUIRE_POSTGRES=1`.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use camguard_model::{Finding, HostReport, Identification, Severity};
use camguard_registry::inventory::{CameraRecord, ParsedRow};
use camguard_service::{AppState, ServeConfig, app};
use camguard_store::{Actor, FindingState, OrgKind, Password, Reach, Role, ScanState, Store};
use serde_json::Value;
use sqlx::Connection;
use std::collections::{BTreeMap, BTreeSet};
use tower::ServiceExt;

const PW: &str = "Tenancy-Test-Password-42";

enum TestDb {
    Sqlite(tempfile::TempDir),
    Postgres { admin: String, name: String },
}

impl TestDb {
    fn url(&self) -> String {
        match self {
            TestDb::Sqlite(dir) => dir.path().join("registry.db").display().to_string(),
            TestDb::Postgres { admin, name } => {
                let (base, query) = admin.split_once('?').unwrap_or((admin, ""));
                let start = base.find("://").map_or(0, |i| i + 3);
                let path = base[start..].find('/').map_or(base.len(), |i| i + start);
                let mut s = format!("{}/{name}", &base[..path]);
                if !query.is_empty() {
                    s = format!("{s}?{query}");
                }
                s
            }
        }
    }
}

async fn databases(test: &str) -> Vec<TestDb> {
    let mut dbs = vec![TestDb::Sqlite(tempfile::tempdir().unwrap())];
    if let Ok(admin) = std::env::var("CAMGUARD_TEST_POSTGRES") {
        {
            let name = format!("camguard_svc_{test}_{}", std::process::id());
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            dbs.push(TestDb::Postgres { admin, name });
        }
    } else {
        {
            assert!(
                !std::env::var("CAMGUARD_REQUIRE_POSTGRES").is_ok_and(|v| v == "1"),
                "CAMGUARD_REQUIRE_POSTGRES=1 but CAMGUARD_TEST_POSTGRES is not set"
            );
            eprintln!("SKIP {test} on PostgreSQL: set CAMGUARD_TEST_POSTGRES (scripts/test does)");
        }
    }
    dbs
}

async fn drop_db(db: TestDb) {
    if let TestDb::Postgres { admin, name } = db {
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

fn host(ip: &str, serial: &str, finding: &str) -> HostReport {
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
    h.findings = vec![Finding::new(finding, Severity::High, Some(80))];
    h
}

/// What one organisation holds: a camera, a finding, a scan.
#[derive(Clone, Debug)]
struct Holding {
    org: String,
    finding: i64,
    scan: i64,
    /// A block inside the organisation's scope.
    net: String,
}

/// Orgs P1 > U1, P2 > U2 and ISP1, each leaf with a camera, a scan and two findings.
async fn fixture(store: &Store) -> BTreeMap<&'static str, Holding> {
    for (code, kind, parent, scope) in [
        ("P1", OrgKind::Province, None, "127.150.0.0/16"),
        ("U1", OrgKind::Unit, Some("P1"), "127.150.1.0/24"),
        ("P2", OrgKind::Province, None, "127.151.0.0/16"),
        ("U2", OrgKind::Unit, Some("P2"), "127.151.1.0/24"),
        ("ISP1", OrgKind::Isp, None, "127.152.0.0/16"),
    ] {
        store
            .add_org(code, code, kind, parent, &[scope.parse().unwrap()], &[])
            .await
            .unwrap();
    }
    let mut out = BTreeMap::new();
    for (code, net) in [
        ("U1", "127.150.1"),
        ("U2", "127.151.1"),
        ("ISP1", "127.152.1"),
    ] {
        let rec = CameraRecord {
            org: code.into(),
            vendor: "Hikvision".into(),
            model: "DS-2CD2143G2-I".into(),
            serial: Some(format!("ser-{code}")),
            ip: Some(format!("{net}.10").parse().unwrap()),
            ..Default::default()
        };
        let keys = |r: &CameraRecord| (r.vendor.to_lowercase(), r.model.to_uppercase());
        store
            .import_cameras(
                vec![ParsedRow {
                    line: 2,
                    record: rec,
                }],
                &keys,
            )
            .await
            .unwrap();
        let scan = store
            .begin_scan(
                code,
                &[format!("{net}.0/24")],
                "test",
                "default",
                &serde_json::json!({}),
            )
            .await
            .unwrap();
        store
            .add_scan_hosts(
                scan.id,
                &[
                    host(
                        &format!("{net}.10"),
                        &format!("ser-{code}"),
                        "default-credentials",
                    ),
                    host(&format!("{net}.11"), "other", "cleartext-http"),
                ],
                2,
            )
            .await
            .unwrap();
        store
            .finish_scan(scan.id, ScanState::Complete)
            .await
            .unwrap();
        store
            .add_system(&format!("SYS-{code}"), "CCTV", code, None, None)
            .await
            .unwrap();
        let f = store.findings(Some(code), None).await.unwrap();
        assert_eq!(f.len(), 2, "{code}: {f:?}");
        out.insert(
            code,
            Holding {
                org: code.to_string(),
                finding: f[0].id,
                scan: scan.id,
                net: format!("{net}.0/28"),
            },
        );
    }
    out
}

struct Account {
    role: Role,
    token: String,
    /// Leaf organisation whose data this account must reach.
    own: &'static str,
}

async fn accounts(store: &Store) -> Vec<Account> {
    let cli = Actor::cli(Some("test"));
    let mut out = Vec::new();
    for (name, role, org, own) in [
        ("admin", Role::Admin, None, "U1"),
        ("reg", Role::Regulator, Some("P1"), "U1"),
        ("unit", Role::Unit, Some("U1"), "U1"),
        ("isp", Role::Isp, Some("ISP1"), "ISP1"),
        ("assessor", Role::Assessor, Some("P1"), "U1"),
        ("auditor", Role::Auditor, Some("P1"), "U1"),
    ] {
        // The assessor belongs to P1 but reaches only what it is assigned to (U1).
        store
            .add_user(name, role, org, &Password::new(PW), &cli)
            .await
            .unwrap();
        if role == Role::Assessor {
            store.assign_org(name, "U1", &cli).await.unwrap();
        }
        let t = store.create_token(name, 1, &cli).await.unwrap();
        out.push(Account {
            role,
            token: t.token,
            own,
        });
    }
    out
}

async fn state(store: &Store) -> (AppState, ServeConfig) {
    let config = ServeConfig::default();
    let state = AppState::new(store.clone(), camguard_kb::Kb::embedded().unwrap(), &config)
        .await
        .unwrap();
    (state, config)
}

async fn call(
    router: &axum::Router,
    token: &str,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let res = router
        .clone()
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 64 << 20)
        .await
        .unwrap();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, json)
}

async fn raw(router: &axum::Router, token: &str, uri: &str) -> (StatusCode, String) {
    let req = Request::builder()
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn upload(router: &axum::Router, token: &str, org: &str, csv: &str) -> (StatusCode, Value) {
    let boundary = "XcamguardX";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"inv.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/cameras/import?org={org}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn upload_catalogue(router: &axum::Router, token: &str, csv: &str) -> (StatusCode, Value) {
    let boundary = "XcamguardX";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cat.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/catalogue/import")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Everything that belongs to one organisation, as the store holds it (for "unchanged").
async fn snapshot(store: &Store, org: &str) -> String {
    let cams = store
        .cameras_page(&Reach::All, Some(org), 1000, None)
        .await
        .unwrap();
    let finds = store
        .findings_page(
            &Reach::All,
            &camguard_store::FindingQuery {
                org: Some(org.into()),
                ..Default::default()
            },
            1000,
            None,
        )
        .await
        .unwrap();
    let systems = store
        .systems_page(&Reach::All, Some(org), 1000, None)
        .await
        .unwrap();
    format!("{:?}\n{:?}\n{:?}", cams.items, finds.items, systems.items)
}

fn codes(items: &Value, field: &str) -> BTreeSet<String> {
    items["items"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .filter_map(|i| i[field].as_str().map(String::from))
        .collect()
}

/// Which organisations each role reaches (leaf and parents): the expected answers.
fn reach_of(role: Role) -> BTreeSet<&'static str> {
    match role {
        Role::Admin => ["P1", "U1", "P2", "U2", "ISP1"].into(),
        Role::Regulator | Role::Auditor => ["P1", "U1"].into(),
        Role::Unit | Role::Assessor => ["U1"].into(),
        Role::Isp => ["ISP1"].into(),
    }
}

#[tokio::test]
async fn no_route_leaks_or_changes_another_organisations_data() {
    for db in databases("tenancy").await {
        let store = Store::open(&db.url()).await.unwrap();
        let held = fixture(&store).await;
        let accounts = accounts(&store).await;
        let (state, config) = state(&store).await;
        let router = app(state, &config);
        let mut covered: BTreeSet<(String, String)> = BTreeSet::new();
        let mut cover = |m: &str, p: &str| {
            covered.insert((m.to_string(), p.to_string()));
        };

        for a in &accounts {
            let reach = reach_of(a.role);
            let who = format!("{} on {:?}", a.role, store.backend());
            // The other organisation: one this account must not reach.
            let other = ["U2", "U1", "ISP1"]
                .into_iter()
                .find(|o| !reach.contains(o));
            let before_other = match other {
                Some(o) => snapshot(&store, o).await,
                None => String::new(),
            };

            // Session routes.
            let (s, me) = call(&router, &a.token, Method::GET, "/api/v1/me", None).await;
            assert_eq!(
                (s, me["role"].as_str()),
                (StatusCode::OK, Some(a.role.as_str())),
                "{who}"
            );
            cover("get", "/api/v1/me");
            let (s, _) = call(
                &router,
                &a.token,
                Method::POST,
                "/api/v1/tokens",
                Some(serde_json::json!({"days": 1})),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{who}");
            cover("post", "/api/v1/tokens");

            // Lists hold only what is in reach.
            let (s, orgs) = call(&router, &a.token, Method::GET, "/api/v1/orgs", None).await;
            assert_eq!(s, StatusCode::OK);
            let seen = codes(&orgs, "code");
            assert_eq!(
                seen,
                reach.iter().map(ToString::to_string).collect(),
                "{who}"
            );
            cover("get", "/api/v1/orgs");
            let (s, cams) = call(&router, &a.token, Method::GET, "/api/v1/cameras", None).await;
            assert_eq!(s, StatusCode::OK);
            let orgs_of_cams = codes(&cams, "org");
            assert!(!orgs_of_cams.is_empty(), "{who} sees no camera");
            assert!(
                orgs_of_cams.iter().all(|o| reach.contains(o.as_str())),
                "{who}: {orgs_of_cams:?}"
            );
            cover("get", "/api/v1/cameras");
            let (s, f) = call(
                &router,
                &a.token,
                Method::GET,
                "/api/v1/findings?state=open",
                None,
            )
            .await;
            assert_eq!(s, StatusCode::OK);
            let orgs_of_f = codes(&f, "org");
            assert!(!orgs_of_f.is_empty(), "{who} sees no finding");
            assert!(
                orgs_of_f.iter().all(|o| reach.contains(o.as_str())),
                "{who}: {orgs_of_f:?}"
            );
            cover("get", "/api/v1/findings");
            let (s, st) = call(&router, &a.token, Method::GET, "/api/v1/status", None).await;
            assert_eq!(s, StatusCode::OK, "{who}");
            let text = st.to_string();
            for o in ["U1", "U2", "ISP1"] {
                assert_eq!(
                    text.contains(&format!("\"org\":\"{o}\"")),
                    reach.contains(o),
                    "{who}: status and {o}"
                );
            }
            cover("get", "/api/v1/status");

            // Own organisation: readable.
            let own = &held[a.own];
            for uri in [
                format!("/api/v1/orgs/{}", own.org),
                format!("/api/v1/status?org={}", own.org),
                format!("/api/v1/cameras?org={}", own.org),
                format!("/api/v1/findings?org={}", own.org),
            ] {
                let (s, _) = call(&router, &a.token, Method::GET, &uri, None).await;
                assert_eq!(s, StatusCode::OK, "{who}: GET {uri}");
            }
            cover("get", "/api/v1/orgs/{code}");

            // Own finding: changed only by roles that may.
            let may_change = matches!(a.role, Role::Admin | Role::Unit);
            for (verb, body) in [
                ("fix", serde_json::json!({"note": "patched"})),
                (
                    "accept",
                    serde_json::json!({"reason": "isolated VLAN", "expires_on": "2099-01-01"}),
                ),
                ("reopen", serde_json::json!({})),
            ] {
                let uri = format!("/api/v1/findings/{}/{verb}", own.finding);
                let (s, body) = call(&router, &a.token, Method::POST, &uri, Some(body)).await;
                let want = if may_change {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(s, want, "{who}: POST {uri}: {body}");
                cover("post", &format!("/api/v1/findings/{{id}}/{verb}"));
            }
            let (s, body) = upload(
                &router,
                &a.token,
                &own.org,
                &format!(
                    "org,vendor,model,serial\n{},Dahua,IPC-HFW1230S,new-{}\n",
                    own.org, a.role
                ),
            )
            .await;
            let may_import = matches!(a.role, Role::Admin | Role::Unit);
            assert_eq!(
                s,
                if may_import {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                },
                "{who}: import {body}"
            );
            cover("post", "/api/v1/cameras/import");

            // Scans: read by every role in reach; queued and cancelled by the roles that scan.
            let may_scan = matches!(
                a.role,
                Role::Admin | Role::Unit | Role::Isp | Role::Assessor
            );
            for uri in [
                format!("/api/v1/scans/{}", own.scan),
                format!("/api/v1/scans/{}/hosts", own.scan),
            ] {
                let (s, body) = call(&router, &a.token, Method::GET, &uri, None).await;
                assert_eq!(s, StatusCode::OK, "{who}: GET {uri}: {body}");
            }
            let hosts = call(
                &router,
                &a.token,
                Method::GET,
                &format!("/api/v1/scans/{}/hosts", own.scan),
                None,
            )
            .await
            .1;
            assert_eq!(
                hosts["items"].as_array().map(Vec::len),
                Some(2),
                "{who}: {hosts}"
            );
            let (s, text) = raw(
                &router,
                &a.token,
                &format!("/api/v1/scans/{}/events", own.scan),
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{who}");
            assert!(
                text.contains("event: progress") && text.contains("\"state\":\"done\""),
                "{who}: {text}"
            );
            cover("get", "/api/v1/scans/{id}");
            cover("get", "/api/v1/scans/{id}/hosts");
            cover("get", "/api/v1/scans/{id}/events");
            let (s, list) = call(&router, &a.token, Method::GET, "/api/v1/scans", None).await;
            assert_eq!(s, StatusCode::OK);
            let orgs_of_scans = codes(&list, "org");
            assert!(
                !orgs_of_scans.is_empty()
                    && orgs_of_scans.iter().all(|o| reach.contains(o.as_str())),
                "{who}: {orgs_of_scans:?}"
            );
            cover("get", "/api/v1/scans");
            let (s, body) = call(
                &router,
                &a.token,
                Method::POST,
                "/api/v1/scans",
                Some(serde_json::json!({"org": own.org, "targets": [own.net]})),
            )
            .await;
            cover("post", "/api/v1/scans");
            if may_scan {
                assert_eq!(s, StatusCode::ACCEPTED, "{who}: {body}");
                let id = body["id"].as_i64().unwrap();
                let (s, body) = call(
                    &router,
                    &a.token,
                    Method::DELETE,
                    &format!("/api/v1/scans/{id}"),
                    None,
                )
                .await;
                assert_eq!(
                    (s, body["state"].as_str()),
                    (StatusCode::ACCEPTED, Some("cancelled")),
                    "{who}: {body}"
                );
                // Outside the organisation's scope: refused before anything is queued.
                let (s, body) = call(
                    &router,
                    &a.token,
                    Method::POST,
                    "/api/v1/scans",
                    Some(serde_json::json!({"org": own.org, "targets": ["127.199.0.1"]})),
                )
                .await;
                assert_eq!(
                    (s, body["error"]["code"].as_str()),
                    (StatusCode::FORBIDDEN, Some("out_of_scope")),
                    "{who}: {body}"
                );
            } else {
                assert_eq!(s, StatusCode::FORBIDDEN, "{who}: {body}");
                let (s, _) = call(
                    &router,
                    &a.token,
                    Method::DELETE,
                    &format!("/api/v1/scans/{}", own.scan),
                    None,
                )
                .await;
                assert_eq!(s, StatusCode::FORBIDDEN, "{who}: cancel");
            }
            cover("delete", "/api/v1/scans/{id}");

            // Systems: read by every role in reach; the questionnaire and the dossier by the
            // roles that may (the owner submits, the regulator appraises, approves, returns).
            let (s, list) = call(&router, &a.token, Method::GET, "/api/v1/systems", None).await;
            assert_eq!(s, StatusCode::OK, "{who}");
            let orgs_of_systems = codes(&list, "org");
            assert!(
                !orgs_of_systems.is_empty()
                    && orgs_of_systems.iter().all(|o| reach.contains(o.as_str())),
                "{who}: {orgs_of_systems:?}"
            );
            cover("get", "/api/v1/systems");
            let own_sys = format!("SYS-{}", own.org);
            for uri in [
                format!("/api/v1/systems/{own_sys}"),
                format!("/api/v1/systems?org={}", own.org),
                format!("/api/v1/deadlines?org={}", own.org),
            ] {
                let (s, body) = call(&router, &a.token, Method::GET, &uri, None).await;
                assert_eq!(s, StatusCode::OK, "{who}: GET {uri}: {body}");
            }
            cover("get", "/api/v1/systems/{code}");
            cover("get", "/api/v1/deadlines");
            let may_manage = matches!(a.role, Role::Admin | Role::Unit);
            let may_approve = matches!(a.role, Role::Admin | Role::Regulator);
            let (s, body) = call(
                &router,
                &a.token,
                Method::POST,
                &format!("/api/v1/systems/{own_sys}/level"),
                Some(serde_json::json!({
                    "answers": {"system-type": "internal", "info": ["personal", "private"]}
                })),
            )
            .await;
            assert_eq!(
                s,
                if may_manage {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                },
                "{who}: level {body}"
            );
            cover("post", "/api/v1/systems/{code}/level");
            let dossier = |state: &str| {
                (
                    format!("/api/v1/systems/{own_sys}/dossier"),
                    serde_json::json!({"state": state}),
                )
            };
            // Back to draft: the owner withdraws or the regulator returns it.
            let (uri, b) = dossier("draft");
            let (s, body) = call(&router, &a.token, Method::POST, &uri, Some(b)).await;
            assert_eq!(
                s,
                if may_manage || may_approve {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                },
                "{who}: dossier draft {body}"
            );
            if !may_manage {
                let (uri, b) = dossier("submitted");
                let (s, _) = call(&router, &a.token, Method::POST, &uri, Some(b)).await;
                assert_eq!(s, StatusCode::FORBIDDEN, "{who}: submit");
            }
            if !may_approve {
                for state in ["appraised", "approved"] {
                    let (uri, b) = dossier(state);
                    let (s, _) = call(&router, &a.token, Method::POST, &uri, Some(b)).await;
                    assert_eq!(s, StatusCode::FORBIDDEN, "{who}: {state}");
                }
            }
            cover("post", "/api/v1/systems/{code}/dossier");
            let (s, body) = call(
                &router,
                &a.token,
                Method::POST,
                &format!("/api/v1/systems/{own_sys}/plan"),
                Some(serde_json::json!({"assessment_interval_months": 12})),
            )
            .await;
            assert_eq!(
                s,
                if may_manage {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                },
                "{who}: plan {body}"
            );
            cover("post", "/api/v1/systems/{code}/plan");
            let (s, body) = call(
                &router,
                &a.token,
                Method::POST,
                "/api/v1/systems",
                Some(serde_json::json!({"code": format!("NEW-{}", a.role), "name": "CCTV 2", "org": own.org})),
            )
            .await;
            assert_eq!(
                s,
                if may_manage {
                    StatusCode::CREATED
                } else {
                    StatusCode::FORBIDDEN
                },
                "{who}: add system {body}"
            );
            if may_manage {
                assert_eq!(body["org"], own.org.as_str(), "{who}: {body}");
            }
            cover("post", "/api/v1/systems");
            // Organisations are added by the administrator only (a top-level one here, so that
            // the other accounts' lists stay as expected; the store's contract test covers
            // organisations added under others).
            let (s, body) = call(
                &router,
                &a.token,
                Method::POST,
                "/api/v1/orgs",
                Some(serde_json::json!({
                    "code": format!("ORG-{}", a.role), "name": "Tỉnh mới", "kind": "province",
                    "scopes": ["127.153.64.0/26"]
                })),
            )
            .await;
            if a.role == Role::Admin {
                assert_eq!(s, StatusCode::CREATED, "{who}: add org {body}");
                assert_eq!(body["scopes"][0], "127.153.64.0/26", "{who}: {body}");
            } else {
                assert_eq!(s, StatusCode::FORBIDDEN, "{who}: add org {body}");
            }
            cover("post", "/api/v1/orgs");
            // Reports: every role that reads its organisation takes them.
            for kind in ["unit", "province"] {
                let uri = format!("/api/v1/reports/{kind}/{}.xlsx", own.org);
                let (s, _) = raw(&router, &a.token, &uri).await;
                assert_eq!(s, StatusCode::OK, "{who}: GET {uri}");
                cover("get", &format!("/api/v1/reports/{kind}/{{file}}"));
            }
            // Duties done and the internal regulation: the unit, its regulator, the admin.
            let may_record = matches!(a.role, Role::Admin | Role::Regulator | Role::Unit);
            for (path, body) in [
                (
                    "duties",
                    serde_json::json!({"duty": "report-submitted", "date": "2026-11-01"}),
                ),
                (
                    "regulation",
                    serde_json::json!({"number": "05/QC", "issued_on": "2026-10-01", "covers_cameras": true}),
                ),
            ] {
                let uri = format!("/api/v1/orgs/{}/{path}", own.org);
                let (s, body) = call(&router, &a.token, Method::POST, &uri, Some(body)).await;
                assert_eq!(
                    s,
                    if may_record {
                        StatusCode::CREATED
                    } else {
                        StatusCode::FORBIDDEN
                    },
                    "{who}: POST {uri}: {body}"
                );
                cover("post", &format!("/api/v1/orgs/{{code}}/{path}"));
            }

            // The catalogue: public procurement data, read by every role; imported by admin
            // and regulator only.
            let (s, cat) = call(&router, &a.token, Method::GET, "/api/v1/catalogue", None).await;
            assert_eq!(s, StatusCode::OK, "{who}: {cat}");
            cover("get", "/api/v1/catalogue");
            let (s, body) = call(
                &router,
                &a.token,
                Method::POST,
                "/api/v1/catalogue/check",
                Some(serde_json::json!({"vendor": "Hikvision", "model": "DS-2CD2143G2-I"})),
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{who}: check {body}");
            cover("post", "/api/v1/catalogue/check");
            let (s, body) = upload_catalogue(
                &router,
                &a.token,
                &format!(
                    "status,vendor,model,document\nwarned,Acme,CAM-{},CV 1/2026\n",
                    a.role
                ),
            )
            .await;
            assert_eq!(
                s,
                if may_approve {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                },
                "{who}: catalogue import {body}"
            );
            cover("post", "/api/v1/catalogue/import");

            // The audit log: admin and auditor only; an auditor sees its subtree's entries.
            let (s, log) = call(
                &router,
                &a.token,
                Method::GET,
                "/api/v1/audit?limit=1000",
                None,
            )
            .await;
            cover("get", "/api/v1/audit");
            match a.role {
                Role::Admin => assert_eq!(s, StatusCode::OK),
                Role::Auditor => {
                    assert_eq!(s, StatusCode::OK);
                    let orgs = codes(&log, "org");
                    assert!(!orgs.is_empty(), "{who}: {log}");
                    assert!(
                        orgs.iter().all(|o| reach.contains(o.as_str())),
                        "{who}: {orgs:?}"
                    );
                }
                _ => assert_eq!(s, StatusCode::FORBIDDEN, "{who}: audit"),
            }

            // Another organisation: not found, whatever the route or role; nothing changes.
            let Some(other) = other else { continue };
            let theirs = &held[other];
            for uri in [
                format!("/api/v1/orgs/{other}"),
                format!("/api/v1/status?org={other}"),
                format!("/api/v1/cameras?org={other}"),
                format!("/api/v1/findings?org={other}"),
            ] {
                let (s, body) = call(&router, &a.token, Method::GET, &uri, None).await;
                assert_eq!(
                    (s, body["error"]["code"].as_str()),
                    (StatusCode::NOT_FOUND, Some("not_found")),
                    "{who}: GET {uri}"
                );
            }
            for (verb, body) in [
                ("fix", serde_json::json!({})),
                (
                    "accept",
                    serde_json::json!({"reason": "x", "expires_on": "2099-01-01"}),
                ),
                ("reopen", serde_json::json!({})),
            ] {
                let uri = format!("/api/v1/findings/{}/{verb}", theirs.finding);
                let (s, _) = call(&router, &a.token, Method::POST, &uri, Some(body)).await;
                assert_eq!(s, StatusCode::NOT_FOUND, "{who}: POST {uri}");
            }
            for (path, body) in [
                (
                    "duties",
                    serde_json::json!({"duty": "report-submitted", "date": "2026-11-01"}),
                ),
                (
                    "regulation",
                    serde_json::json!({"number": "1/QC", "issued_on": "2026-10-01"}),
                ),
            ] {
                let uri = format!("/api/v1/orgs/{other}/{path}");
                let (s, _) = call(&router, &a.token, Method::POST, &uri, Some(body)).await;
                assert_eq!(s, StatusCode::NOT_FOUND, "{who}: POST {uri}");
            }
            for kind in ["unit", "province"] {
                let uri = format!("/api/v1/reports/{kind}/{other}.pdf");
                let (s, _) = raw(&router, &a.token, &uri).await;
                assert_eq!(s, StatusCode::NOT_FOUND, "{who}: GET {uri}");
            }
            let their_sys = format!("SYS-{other}");
            for uri in [
                format!("/api/v1/systems/{their_sys}"),
                format!("/api/v1/systems?org={other}"),
                format!("/api/v1/deadlines?org={other}"),
            ] {
                let (s, body) = call(&router, &a.token, Method::GET, &uri, None).await;
                assert_eq!(
                    (s, body["error"]["code"].as_str()),
                    (StatusCode::NOT_FOUND, Some("not_found")),
                    "{who}: GET {uri}"
                );
            }
            for (verb, body) in [
                (
                    "level",
                    serde_json::json!({"answers": {"system-type": "internal", "info": ["public"]}}),
                ),
                ("dossier", serde_json::json!({"state": "draft"})),
                ("dossier", serde_json::json!({"state": "approved"})),
                ("plan", serde_json::json!({"assessment_interval_months": 6})),
            ] {
                let uri = format!("/api/v1/systems/{their_sys}/{verb}");
                let (s, _) = call(&router, &a.token, Method::POST, &uri, Some(body)).await;
                assert_eq!(s, StatusCode::NOT_FOUND, "{who}: POST {uri}");
            }
            let (s, body) = call(
                &router,
                &a.token,
                Method::POST,
                "/api/v1/systems",
                Some(serde_json::json!({"code": format!("SNEAK-{}", a.role), "name": "x", "org": other})),
            )
            .await;
            assert_eq!(
                s,
                StatusCode::NOT_FOUND,
                "{who}: add system to {other}: {body}"
            );
            let (s, _) = upload(
                &router,
                &a.token,
                other,
                &format!("org,vendor,model,serial\n{other},Dahua,IPC,x\n"),
            )
            .await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{who}: import into {other}");
            if may_import {
                // Rows naming another organisation are refused, even under one's own.
                let (s, body) = upload(
                    &router,
                    &a.token,
                    &own.org,
                    &format!("org,vendor,model,serial\n{other},Dahua,IPC,sneak\n"),
                )
                .await;
                assert_eq!(s, StatusCode::OK);
                assert_eq!(body["inserted"], 0, "{who}: {body}");
                assert_eq!(body["rejected"][0]["line"], 2, "{who}: {body}");
            }
            assert_eq!(
                snapshot(&store, other).await,
                before_other,
                "{who} changed {other}"
            );
        }

        // A NUL in a path or query (PostgreSQL refuses it in text) is a bad request, not a 500.
        for uri in [
            "/api/v1/systems?org=%00",
            "/api/v1/systems/A%00B",
            "/api/v1/deadlines?org=%00",
            "/api/v1/cameras?org=%00",
            "/api/v1/findings?severity=%00",
        ] {
            let (s, body) = call(&router, &accounts[0].token, Method::GET, uri, None).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "GET {uri}: {body}");
        }

        // Every route of the API is in the matrix (a new route must be added here).
        let doc = camguard_service::openapi();
        let mut missing = Vec::new();
        for (path, item) in &doc.paths.paths {
            let ops = [
                ("get", item.get.is_some()),
                ("post", item.post.is_some()),
                ("put", item.put.is_some()),
                ("patch", item.patch.is_some()),
                ("delete", item.delete.is_some()),
            ];
            for (m, present) in ops {
                let public =
                    ["/healthz", "/api/v1/login", "/api/v1/logout"].contains(&path.as_str());
                if present && !public && !covered.contains(&(m.to_string(), path.clone())) {
                    missing.push(format!("{m} {path}"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "routes not in the tenancy matrix: {missing:?}"
        );
        let state_u2 = store
            .findings(Some("U2"), Some(FindingState::Open))
            .await
            .unwrap();
        assert_eq!(state_u2.len(), 2, "U2's findings stay open");
        store.close().await;
        drop_db(db).await;
    }
}
