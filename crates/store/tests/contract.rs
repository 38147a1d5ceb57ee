//! The store contract: every test runs against embedded SQLite and against PostgreSQL.
//!
//! PostgreSQL: set `CAMGUARD_TEST_POSTGRES` to a URL of a server where the user may create
//! databases (scripts/test starts the local cluster and sets it). Each test creates its own
//! database and drops it. Without the variable the PostgreSQL half is skipped with a message,
//! unless `CAMGUARD_REQUIRE_POSTGRES=1` (also set by scripts/test), which makes it a failure.

use camguard_model::{Finding, HostReport, Identification, Severity};
use camguard_registry::catalogue::{CatalogueEntry, CatalogueStatus};
use camguard_registry::inventory::{CameraRecord, ParsedRow};
use camguard_store::{
    Actor, AuditProblem, CameraFilter, DossierState, FindingState, NewAudit, NewRegulation,
    OpenMode, OrgKind, Password, Reach, Role, ScanState, Store, StoreError,
};
use sqlx::Connection;
use std::future::Future;
use time::macros::date;

/// A database for one test, removed afterwards.
enum TestDb {
    Sqlite(tempfile::TempDir),
    Postgres { admin: String, name: String },
}

impl TestDb {
    fn url(&self) -> String {
        match self {
            TestDb::Sqlite(dir) => dir.path().join("registry.db").display().to_string(),
            TestDb::Postgres { admin, name } => with_database(admin, name),
        }
    }
}

fn with_database(url: &str, db: &str) -> String {
    // postgres://user@host/olddb?params -> postgres://user@host/db?params
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| i + scheme_end);
    let mut s = format!("{}/{db}", &base[..path_start]);
    if let Some(q) = query {
        s.push('?');
        s.push_str(q);
    }
    s
}

async fn postgres_db(test: &str) -> Option<TestDb> {
    let Ok(admin) = std::env::var("CAMGUARD_TEST_POSTGRES") else {
        assert!(
            !std::env::var("CAMGUARD_REQUIRE_POSTGRES").is_ok_and(|v| v == "1"),
            "CAMGUARD_REQUIRE_POSTGRES=1 but CAMGUARD_TEST_POSTGRES is not set"
        );
        eprintln!("SKIP {test} on PostgreSQL: set CAMGUARD_TEST_POSTGRES (scripts/test does)");
        return None;
    };
    let name = format!("camguard_t_{}_{}", test, std::process::id());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to CAMGUARD_TEST_POSTGRES={admin:?}: {e}"));
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    Some(TestDb::Postgres { admin, name })
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

/// Run `body` on a fresh SQLite store and a fresh PostgreSQL store.
async fn both<F, Fut>(test: &str, body: F)
where
    F: Fn(Store, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut dbs = vec![TestDb::Sqlite(tempfile::tempdir().unwrap())];
    if let Some(pg) = postgres_db(test).await {
        dbs.push(pg);
    }
    for db in dbs {
        let url = db.url();
        let store = Store::open(&url).await.expect("open store");
        body(store.clone(), url).await;
        store.close().await;
        drop_db(db).await;
    }
}

fn net(s: &str) -> ipnet::IpNet {
    s.parse().unwrap()
}

fn keys(r: &CameraRecord) -> (String, String) {
    (
        r.vendor.to_lowercase(),
        r.model.to_uppercase().replace('-', ""),
    )
}

fn camera(org: &str, serial: &str, ip: &str) -> CameraRecord {
    CameraRecord {
        org: org.into(),
        vendor: "Hikvision".into(),
        model: "DS-2CD2143G2-I".into(),
        serial: Some(serial.into()),
        ip: Some(ip.parse().unwrap()),
        cert_conformity: Some("QCVN135-001".into()),
        ..Default::default()
    }
}

fn rows(records: Vec<CameraRecord>) -> Vec<ParsedRow> {
    records
        .into_iter()
        .enumerate()
        .map(|(i, record)| ParsedRow {
            line: i + 2,
            record,
        })
        .collect()
}

fn host(ip: &str, serial: Option<&str>, findings: &[(&str, Severity)]) -> HostReport {
    let mut h = HostReport::new(
        ip.parse().unwrap(),
        Identification::default(),
        Vec::new(),
        "2026-11-23T05:00:00Z".into(),
    );
    h.is_camera = true;
    h.vendor = Some("hikvision".into());
    h.serial = serial.map(String::from);
    h.verdict = Some(if findings.is_empty() { "pass" } else { "fail" }.into());
    h.findings = findings
        .iter()
        .map(|(id, sev)| Finding::new(*id, *sev, Some(80)))
        .collect();
    h
}

async fn province(store: &Store) {
    store
        .add_org(
            "AG",
            "UBND tỉnh An Giang",
            OrgKind::Province,
            None,
            &[net("127.80.0.0/16")],
            &["an-giang".into()],
        )
        .await
        .unwrap();
    store
        .add_org(
            "AG-STTTT",
            "Sở TTTT An Giang",
            OrgKind::Agency,
            Some("AG"),
            &[net("127.80.1.0/24")],
            &[],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn migrations_are_idempotent_and_newer_schemas_refused() {
    both("migrations", |store, url| async move {
        assert_eq!(camguard_store::SCHEMA_VERSION, 7);
        province(&store).await;
        store.close().await;
        // Reopening migrates nothing and keeps the data.
        let again = Store::open(&url).await.unwrap();
        assert_eq!(again.orgs().await.unwrap().len(), 2);
        // A database written by a newer camguard is refused, untouched.
        let mut conn = sqlx::AnyConnection::connect(&match again.backend() {
            camguard_store::Backend::Sqlite => format!("sqlite://{url}"),
            camguard_store::Backend::Postgres => url.clone(),
        })
        .await
        .unwrap();
        sqlx::query("INSERT INTO camguard_schema (version, description, applied_at) VALUES (99, 'future', 'x')")
            .execute(&mut conn)
            .await
            .unwrap();
        again.close().await;
        match Store::open(&url).await {
            Err(StoreError::SchemaTooNew { found: 99 }) => {}
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
        let n: i64 = sqlx::Row::get(
            &sqlx::query("SELECT COUNT(*) AS n FROM orgs").fetch_one(&mut conn).await.unwrap(),
            "n",
        );
        assert_eq!(n, 2);
        conn.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn organisations_form_a_tree_with_scopes() {
    both("orgs", |store, _| async move {
        province(&store).await;
        let dup = store
            .add_org("AG", "x", OrgKind::Unit, None, &[], &[])
            .await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
        let orphan = store
            .add_org("X", "x", OrgKind::Unit, Some("NOPE"), &[], &[])
            .await;
        assert!(matches!(orphan, Err(StoreError::NotFound(_))), "{orphan:?}");
        // A unit cannot be authorised beyond its parent.
        let wide = store
            .add_org(
                "AG-2",
                "x",
                OrgKind::Unit,
                Some("AG-STTTT"),
                &[net("127.81.0.0/24")],
                &[],
            )
            .await;
        assert!(matches!(wide, Err(StoreError::Invalid(_))), "{wide:?}");
        let bad = store
            .add_org("has space", "x", OrgKind::Unit, None, &[], &[])
            .await;
        assert!(matches!(bad, Err(StoreError::Invalid(_))));
        let unit = store
            .add_org(
                "AG-CAM",
                "Phòng camera",
                OrgKind::Unit,
                Some("AG-STTTT"),
                &[net("127.80.1.0/25")],
                &[],
            )
            .await
            .unwrap();
        assert_eq!(unit.parent.as_deref(), Some("AG-STTTT"));
        assert_eq!(unit.scopes, vec![net("127.80.1.0/25")]);
        let all = store.orgs().await.unwrap();
        assert_eq!(
            all.iter()
                .map(|o| (o.code.as_str(), o.parent.as_deref()))
                .collect::<Vec<_>>(),
            vec![
                ("AG", None),
                ("AG-STTTT", Some("AG")),
                ("AG-CAM", Some("AG-STTTT"))
            ]
        );
        assert_eq!(all[0].deadline_sets, vec!["an-giang".to_string()]);
        let org = store
            .add_scopes("AG-CAM", &[net("127.80.1.128/25")])
            .await
            .unwrap();
        assert_eq!(org.scopes.len(), 2);
        store
            .record_duty_in(
                &Reach::All,
                "AG",
                "report-submitted",
                date!(2023 - 05 - 10),
                Some("BC 12"),
                &admin_actor(),
            )
            .await
            .unwrap();
        store
            .set_regulation_in(
                &Reach::All,
                "AG-STTTT",
                &NewRegulation {
                    number: "05/QC",
                    issued_on: date!(2023 - 06 - 01),
                    covers_cameras: true,
                    note: None,
                },
                &admin_actor(),
            )
            .await
            .unwrap();
        let reg = store.regulation("AG-STTTT").await.unwrap().unwrap();
        assert!(reg.covers_cameras);
        assert_eq!(reg.issued_on, "2023-06-01");
    })
    .await;
}

#[tokio::test]
async fn systems_carry_level_and_dossier() {
    both("systems", |store, _| async move {
        province(&store).await;
        let s = store
            .add_system(
                "AG-CCTV",
                "Camera giám sát",
                "AG-STTTT",
                None,
                Some("traffic"),
            )
            .await
            .unwrap();
        assert_eq!(s.dossier_state, DossierState::Draft);
        // No level yet: cannot submit.
        let e = store
            .advance_dossier(
                "AG-CCTV",
                DossierState::Submitted,
                date!(2023 - 01 - 05),
                None,
                None,
            )
            .await;
        assert!(matches!(e, Err(StoreError::Invalid(_))), "{e:?}");
        let answers = serde_json::json!({"system_type": "infrastructure"});
        let reasons = serde_json::json!([{"level": 3, "article": "Art. 9"}]);
        store
            .set_level("AG-CCTV", 3, "nd85-2016", "1", &answers, &reasons)
            .await
            .unwrap();
        store
            .advance_dossier(
                "AG-CCTV",
                DossierState::Submitted,
                date!(2023 - 01 - 05),
                None,
                None,
            )
            .await
            .unwrap();
        // Level 3 needs the appraisal before the approval.
        assert!(
            store
                .advance_dossier(
                    "AG-CCTV",
                    DossierState::Approved,
                    date!(2023 - 01 - 20),
                    Some("UBND"),
                    None
                )
                .await
                .is_err()
        );
        store
            .advance_dossier(
                "AG-CCTV",
                DossierState::Appraised,
                date!(2023 - 01 - 15),
                Some("Sở TTTT"),
                None,
            )
            .await
            .unwrap();
        let s = store
            .advance_dossier(
                "AG-CCTV",
                DossierState::Approved,
                date!(2023 - 02 - 01),
                Some("UBND tỉnh"),
                Some("QĐ 123"),
            )
            .await
            .unwrap();
        assert_eq!(s.dossier_state, DossierState::Approved);
        assert_eq!(s.approved_on, Some(date!(2023 - 02 - 01)));
        assert_eq!(s.approved_by.as_deref(), Some("UBND tỉnh"));
        assert_eq!(s.approval_ref.as_deref(), Some("QĐ 123"));
        assert_eq!(s.level, Some(3));
        assert_eq!(s.answers, Some(answers.clone()));
        assert_eq!(store.system_history("AG-CCTV").await.unwrap().len(), 4);
        // Re-classification starts the dossier again.
        let s = store
            .set_level("AG-CCTV", 4, "nd85-2016", "1", &answers, &reasons)
            .await
            .unwrap();
        assert_eq!(s.dossier_state, DossierState::Draft);
        assert_eq!(s.approved_on, None);
        let s = store
            .update_system_plan("AG-CCTV", Some(date!(2023 - 09 - 01)), Some(6))
            .await
            .unwrap();
        assert_eq!(s.assessment_interval_months, Some(6));
        assert!(
            store
                .update_system_plan("AG-CCTV", None, Some(0))
                .await
                .is_err()
        );
        assert_eq!(store.systems(Some("AG")).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn camera_import_keeps_good_rows_and_names_bad_ones() {
    both("cameras", |store, _| async move {
        province(&store).await;
        store
            .add_system("AG-CCTV", "Camera", "AG-STTTT", None, None)
            .await
            .unwrap();
        let mut with_system = camera("AG-STTTT", "S2", "127.80.1.2");
        with_system.system = Some("AG-CCTV".into());
        let mut unknown_system = camera("AG-STTTT", "S9", "127.80.1.9");
        unknown_system.system = Some("NOPE".into());
        let report = store
            .import_cameras(
                rows(vec![
                    camera("AG-STTTT", "S1", "127.80.1.1"),
                    with_system,
                    camera("NOBODY", "S3", "127.80.1.3"),
                    camera("AG-STTTT", "S1", "127.80.1.4"),
                    unknown_system,
                    // By name instead of code.
                    camera("Sở TTTT An Giang", "S5", "127.80.1.5"),
                ]),
                &keys,
            )
            .await
            .unwrap();
        assert_eq!(report.inserted, 3);
        assert_eq!(report.updated, 0);
        let bad: Vec<(usize, &str)> = report
            .rejected
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(bad.len(), 3, "{bad:?}");
        assert_eq!(bad[0].0, 4);
        assert!(bad[0].1.contains("NOBODY"), "{bad:?}");
        assert_eq!(bad[1].0, 5);
        assert!(bad[1].1.contains("repeats line 2"), "{bad:?}");
        assert_eq!(bad[2].0, 6);
        assert!(bad[2].1.contains("NOPE"), "{bad:?}");
        // Re-import: same serial updates, new serial inserts.
        let mut changed = camera("AG-STTTT", "S1", "127.80.1.101");
        changed.firmware = Some("V5.7.3".into());
        let report = store
            .import_cameras(
                rows(vec![changed, camera("AG-STTTT", "S6", "127.80.1.6")]),
                &keys,
            )
            .await
            .unwrap();
        assert_eq!((report.inserted, report.updated), (1, 1));
        let all = store.cameras(&CameraFilter::default()).await.unwrap();
        assert_eq!(all.len(), 4);
        let s1 = all
            .iter()
            .find(|c| c.record.serial.as_deref() == Some("S1"))
            .unwrap();
        assert_eq!(s1.record.firmware.as_deref(), Some("V5.7.3"));
        assert_eq!(s1.record.ip, Some("127.80.1.101".parse().unwrap()));
        let in_system = store
            .cameras(&CameraFilter {
                system: Some("AG-CCTV".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(in_system.len(), 1);
        assert_eq!(in_system[0].record.system.as_deref(), Some("AG-CCTV"));
        let limited = store
            .cameras(&CameraFilter {
                org: Some("AG".into()),
                limit: Some(2),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(limited.len(), 2);
        // A bulk import larger than one insert batch.
        let many: Vec<CameraRecord> = (0..2500)
            .map(|i| {
                camera(
                    "AG-STTTT",
                    &format!("B{i}"),
                    &format!("127.80.{}.{}", 10 + i / 250, i % 250),
                )
            })
            .collect();
        let report = store.import_cameras(rows(many), &keys).await.unwrap();
        assert_eq!(report.inserted, 2500);
        assert_eq!(
            store.cameras(&CameraFilter::default()).await.unwrap().len(),
            2504
        );
    })
    .await;
}

#[tokio::test]
async fn catalogue_entries_replace_their_previous_version() {
    both("catalogue", |store, _| async move {
        let entry = |status, model: &str, note: &str| CatalogueEntry {
            status,
            vendor: "Hikvision".into(),
            model: model.into(),
            document: Some("CV 1/CATTT".into()),
            issued_by: None,
            date: Some(date!(2024 - 01 - 02)),
            certificate: None,
            note: Some(note.into()),
        };
        let ck = |e: &CatalogueEntry| (e.vendor.to_lowercase(), e.model.to_uppercase());
        store
            .import_catalogue(
                &[
                    entry(CatalogueStatus::Certified, "DS-2CD1", "a"),
                    entry(CatalogueStatus::Warned, "DS-7*", "b"),
                ],
                &ck,
            )
            .await
            .unwrap();
        store
            .import_catalogue(&[entry(CatalogueStatus::Warned, "DS-7*", "c")], &ck)
            .await
            .unwrap();
        let all = store.catalogue().await.unwrap();
        assert_eq!(all.len(), 2);
        let warned = all
            .iter()
            .find(|c| c.entry.status == CatalogueStatus::Warned)
            .unwrap();
        assert_eq!(warned.entry.note.as_deref(), Some("c"));
        assert_eq!(warned.entry.date, Some(date!(2024 - 01 - 02)));
    })
    .await;
}

#[tokio::test]
async fn scans_match_the_inventory_and_drive_findings() {
    both("scans", |store, _| async move {
        province(&store).await;
        store
            .add_system("AG-CCTV", "Camera", "AG-STTTT", None, None)
            .await
            .unwrap();
        let mut a = camera("AG-STTTT", "SER-A", "127.80.1.1");
        a.system = Some("AG-CCTV".into());
        let b = camera("AG-STTTT", "SER-B", "127.80.1.2");
        // D is registered by its MAC address only (as the inventory normalises it).
        let mut d = camera("AG-STTTT", "", "127.80.1.4");
        d.serial = None;
        d.mac = Some("00:11:22:aa:bb:cc".into());
        store
            .import_cameras(rows(vec![a, b, d]), &keys)
            .await
            .unwrap();

        let args = serde_json::json!({"targets": ["127.80.1.0/24"]});
        let scan1 = store
            .begin_scan(
                "AG-STTTT",
                &["127.80.1.0/24".into()],
                "tester",
                "default",
                &args,
            )
            .await
            .unwrap();
        assert_eq!(scan1.state, ScanState::Running);
        // Camera A moved to a new address but tells its serial; B is found by address; C is
        // unknown; D moved and tells its MAC address (written as the device writes it).
        let mut moved_d = host("127.80.1.60", None, &[]);
        moved_d.mac = Some("00-11-22-AA-BB-CC".into());
        let hosts = [
            host(
                "127.80.1.50",
                Some("ser-a"),
                &[("default-credentials", Severity::Critical)],
            ),
            host("127.80.1.2", None, &[("cleartext-http", Severity::Medium)]),
            host("127.80.1.3", None, &[("open-rtsp-stream", Severity::High)]),
            moved_d,
        ];
        store
            .add_scan_hosts(scan1.id, &hosts[..2], 10)
            .await
            .unwrap();
        store
            .add_scan_hosts(scan1.id, &hosts[1..], 20)
            .await
            .unwrap(); // one repeated
        assert_eq!(store.scan(scan1.id).await.unwrap().resume_from, 20);
        assert_eq!(store.scan_host_addresses(scan1.id).await.unwrap().len(), 4);
        let r = store
            .finish_scan(scan1.id, ScanState::Complete)
            .await
            .unwrap();
        assert_eq!(
            (r.hosts, r.cameras, r.matched, r.unregistered),
            (4, 4, 3, 1)
        );
        assert_eq!((r.findings_new, r.findings_verified), (3, 0));
        let unreg = store.unregistered_cameras(scan1.id).await.unwrap();
        assert_eq!(unreg.len(), 1);
        assert_eq!(unreg[0]["ip"], "127.80.1.3");
        let open = store
            .findings(Some("AG"), Some(FindingState::Open))
            .await
            .unwrap();
        assert_eq!(open.len(), 3);
        let cred = open
            .iter()
            .find(|f| f.finding == "default-credentials")
            .unwrap();
        assert!(cred.subject.starts_with("camera:"), "{cred:?}");
        assert_eq!(cred.port, Some(80));

        // A quick scan that misses the credential finding does not verify it (it looked less).
        let scan2 = store
            .begin_scan("AG-STTTT", &["127.80.1.0/24".into()], "t", "quick", &args)
            .await
            .unwrap();
        store
            .add_scan_hosts(
                scan2.id,
                &[
                    host("127.80.1.50", Some("SER-A"), &[]),
                    host("127.80.1.2", None, &[]),
                ],
                256,
            )
            .await
            .unwrap();
        let r = store
            .finish_scan(scan2.id, ScanState::Complete)
            .await
            .unwrap();
        // cleartext-http was last seen by a default scan too: not verified by a quick one either.
        assert_eq!(r.findings_verified, 0);

        // A default scan without the findings verifies both; the unknown host was not assessed
        // again, so its finding stays open.
        store
            .mark_fixed(cred.id, date!(2026 - 11 - 20), Some("password changed"))
            .await
            .unwrap();
        let scan3 = store
            .begin_scan("AG-STTTT", &["127.80.1.0/24".into()], "t", "default", &args)
            .await
            .unwrap();
        store
            .add_scan_hosts(
                scan3.id,
                &[
                    host("127.80.1.50", Some("SER-A"), &[]),
                    host("127.80.1.2", None, &[]),
                ],
                256,
            )
            .await
            .unwrap();
        let r = store
            .finish_scan(scan3.id, ScanState::Complete)
            .await
            .unwrap();
        assert_eq!(r.findings_verified, 2);
        assert_eq!(r.findings_open, 1);
        let history = store.finding_history(cred.id).await.unwrap();
        let states: Vec<&str> = history
            .iter()
            .map(|h| h["state"].as_str().unwrap())
            .collect();
        assert_eq!(states, vec!["open", "fixed", "verified"]);

        // An interrupted scan that sees the credential again reopens it, verifies nothing.
        let scan4 = store
            .begin_scan("AG-STTTT", &["127.80.1.0/24".into()], "t", "default", &args)
            .await
            .unwrap();
        store
            .add_scan_hosts(
                scan4.id,
                &[host(
                    "127.80.1.50",
                    Some("SER-A"),
                    &[("default-credentials", Severity::Critical)],
                )],
                5,
            )
            .await
            .unwrap();
        let r = store
            .finish_scan(scan4.id, ScanState::Interrupted)
            .await
            .unwrap();
        assert_eq!((r.findings_reopened, r.findings_verified), (1, 0));
        assert_eq!(
            store.scan(scan4.id).await.unwrap().state,
            ScanState::Interrupted
        );
        let resumed = store.resume_scan(scan4.id).await.unwrap();
        assert_eq!(resumed.state, ScanState::Running);
        assert_eq!(resumed.resume_from, 5);
        assert!(store.resume_scan(scan3.id).await.is_err());

        // Accepting a risk needs a reason and a future expiry.
        assert!(
            store
                .accept_risk(cred.id, " ", date!(2030 - 01 - 01))
                .await
                .is_err()
        );
        assert!(
            store
                .accept_risk(cred.id, "replaced in Q1", date!(2020 - 01 - 01))
                .await
                .is_err()
        );
        store
            .accept_risk(cred.id, "replaced in Q1", date!(2030 - 01 - 01))
            .await
            .unwrap();
        let f = store
            .findings(None, Some(FindingState::Accepted))
            .await
            .unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].accepted_until.as_deref(), Some("2030-01-01"));
        // One finding by id: the same row as in the list; an unknown id is not found.
        let one = store.finding(cred.id).await.unwrap();
        assert_eq!(one.state, FindingState::Accepted);
        assert_eq!(
            serde_json::to_value(&one).unwrap(),
            serde_json::to_value(&f[0]).unwrap()
        );
        assert!(matches!(
            store.finding(999_999).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.accept_risk(999_999, "x", date!(2030 - 01 - 01)).await,
            Err(StoreError::NotFound(_))
        ));

        let cams = store.cameras(&CameraFilter::default()).await.unwrap();
        let a = cams
            .iter()
            .find(|c| c.record.serial.as_deref() == Some("SER-A"))
            .unwrap();
        let hist = store.camera_history(a.id).await.unwrap();
        assert_eq!(hist.len(), 4);
        assert_eq!(hist[0]["matched_by"], "serial");
        let d = cams
            .iter()
            .find(|c| c.record.mac.as_deref() == Some("00:11:22:aa:bb:cc"))
            .unwrap();
        let hist = store.camera_history(d.id).await.unwrap();
        assert_eq!(hist[0]["matched_by"], "mac");
        assert_eq!(hist[0]["ip"], "127.80.1.60");
        assert_eq!(store.scans(Some("AG")).await.unwrap().len(), 4);
    })
    .await;
}

#[tokio::test]
async fn status_facts_are_gathered_per_unit() {
    both("status", |store, _| async move {
        province(&store).await;
        store
            .add_system("AG-CCTV", "Camera", "AG-STTTT", None, None)
            .await
            .unwrap();
        store
            .set_level(
                "AG-CCTV",
                3,
                "nd85-2016",
                "1",
                &serde_json::json!({}),
                &serde_json::json!([]),
            )
            .await
            .unwrap();
        let mut a = camera("AG-STTTT", "A", "127.80.1.1");
        a.system = Some("AG-CCTV".into());
        let mut b = camera("AG-STTTT", "B", "127.80.1.2");
        b.cert_conformity = None;
        b.model = "DS-7104".into();
        store.import_cameras(rows(vec![a, b]), &keys).await.unwrap();
        complete_scan(
            &store,
            vec![
                host(
                    "127.80.1.1",
                    None,
                    &[("default-credentials", Severity::Critical)],
                ),
                host("127.80.1.9", None, &[]),
            ],
        )
        .await;
        store
            .set_regulation_in(
                &Reach::All,
                "AG-STTTT",
                &NewRegulation {
                    number: "1/QC",
                    issued_on: date!(2023 - 01 - 01),
                    covers_cameras: false,
                    note: None,
                },
                &admin_actor(),
            )
            .await
            .unwrap();
        store
            .record_duty_in(
                &Reach::All,
                "AG",
                "report-submitted",
                date!(2023 - 05 - 01),
                None,
                &admin_actor(),
            )
            .await
            .unwrap();
        let facts = store
            .status_facts(
                &|_, mk| mk.starts_with("DS7"),
                &|l| if l == Some(3) { 12 } else { 24 },
                date!(2026 - 11 - 23),
            )
            .await
            .unwrap();
        assert_eq!(facts.len(), 2);
        let u = facts.iter().find(|f| f.code == "AG-STTTT").unwrap();
        assert_eq!(
            (u.cameras, u.cameras_certified, u.cameras_warned),
            (2, 1, 1)
        );
        assert_eq!(u.critical_open, 1);
        assert_eq!(u.unregistered, 1);
        assert_eq!(u.systems.len(), 1);
        assert_eq!(u.systems[0].interval_months, 12);
        assert!(u.systems[0].last_assessed.is_some());
        assert_eq!(u.regulation.as_ref().map(|r| r.2), Some(false));
        let p = facts.iter().find(|f| f.code == "AG").unwrap();
        assert_eq!(p.deadline_sets, vec!["an-giang".to_string()]);
        assert_eq!(p.duty_records.len(), 1);
        assert_eq!(u.parent, Some(p.id));
    })
    .await;
}

/// A complete scan of the unit AG-STTTT that saw `hosts`.
async fn complete_scan(store: &Store, hosts: Vec<HostReport>) {
    let scan = store
        .begin_scan("AG-STTTT", &[], "t", "default", &serde_json::json!({}))
        .await
        .unwrap();
    store.add_scan_hosts(scan.id, &hosts, 0).await.unwrap();
    store
        .finish_scan(scan.id, ScanState::Complete)
        .await
        .unwrap();
}

/// A plain connection to a test database, beside the store (to corrupt or inspect it).
async fn raw(store: &Store, url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(&match store.backend() {
        camguard_store::Backend::Sqlite => format!("sqlite://{url}"),
        camguard_store::Backend::Postgres => url.to_string(),
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_report_that_does_not_parse_verifies_nothing() {
    both("corrupt", |store, url| async move {
        province(&store).await;
        store
            .import_cameras(rows(vec![camera("AG-STTTT", "SER-A", "127.80.1.1")]), &keys)
            .await
            .unwrap();
        let args = serde_json::json!({});
        let targets = ["127.80.1.0/24".to_string()];
        let s1 = store
            .begin_scan("AG-STTTT", &targets, "t", "default", &args)
            .await
            .unwrap();
        let seen = [host(
            "127.80.1.1",
            Some("SER-A"),
            &[("default-credentials", Severity::Critical)],
        )];
        store.add_scan_hosts(s1.id, &seen, 1).await.unwrap();
        store.finish_scan(s1.id, ScanState::Complete).await.unwrap();

        // A later complete scan whose stored report of that camera is unreadable.
        let s2 = store
            .begin_scan("AG-STTTT", &targets, "t", "default", &args)
            .await
            .unwrap();
        store
            .add_scan_hosts(s2.id, &[host("127.80.1.1", Some("SER-A"), &[])], 1)
            .await
            .unwrap();
        let mut conn = raw(&store, &url).await;
        sqlx::query("UPDATE scan_hosts SET report = '{\"ip\": truncated' WHERE scan_id = $1")
            .bind(s2.id)
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        match store.finish_scan(s2.id, ScanState::Complete).await {
            Err(e @ StoreError::Corrupt(_)) => {
                let msg = e.to_string();
                assert!(
                    msg.contains("127.80.1.1") && msg.contains("does not parse"),
                    "{msg}"
                );
            }
            other => panic!("expected a corrupt-record error, got {other:?}"),
        }
        let open = store
            .findings(Some("AG"), Some(FindingState::Open))
            .await
            .unwrap();
        assert_eq!(open.len(), 1, "the finding stays open: {open:?}");
        assert!(
            store
                .findings(Some("AG"), Some(FindingState::Verified))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.scan(s2.id).await.unwrap().state, ScanState::Running);
    })
    .await;
}

#[tokio::test]
async fn a_saved_scan_is_held_by_one_store_at_a_time() {
    both("lease", |store, url| async move {
        province(&store).await;
        let targets = ["127.80.1.0/24".to_string()];
        let args = serde_json::json!({});
        let scan = store
            .begin_scan("AG-STTTT", &targets, "t", "default", &args)
            .await
            .unwrap();
        // A second process (store) cannot resume a scan that is being run.
        let other = Store::open(&url).await.unwrap();
        match other.resume_scan(scan.id).await {
            Err(e @ StoreError::ScanBusy { .. }) => {
                assert!(e.is_user_error());
                assert!(e.to_string().contains("another camguard"), "{e}");
            }
            r => panic!("expected ScanBusy, got {r:?}"),
        }
        store
            .add_scan_hosts(scan.id, &[host("127.80.1.7", None, &[])], 1)
            .await
            .unwrap();
        store
            .finish_scan(scan.id, ScanState::Interrupted)
            .await
            .unwrap();
        // Released when closed: now the other may resume it, and the first may not.
        other.resume_scan(scan.id).await.unwrap();
        assert!(matches!(
            store.resume_scan(scan.id).await,
            Err(StoreError::ScanBusy { .. })
        ));

        // The holder dies without closing (kill -9: no renewal, no release): the lease
        // expires and a third process takes the scan over; the dead run's lease is gone.
        let doomed = Store::open(&url).await.unwrap();
        doomed.set_scan_lease(std::time::Duration::from_millis(1));
        other
            .finish_scan(scan.id, ScanState::Interrupted)
            .await
            .unwrap();
        doomed.resume_scan(scan.id).await.unwrap();
        doomed.close().await;
        let third = Store::open(&url).await.unwrap();
        let mut taken = false;
        for _ in 0..200 {
            match third.resume_scan(scan.id).await {
                Ok(_) => {
                    taken = true;
                    break;
                }
                Err(StoreError::ScanBusy { .. }) => {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
                Err(e) => panic!("{e}"),
            }
        }
        assert!(taken, "an expired lease is taken over");
        third
            .add_scan_hosts(scan.id, &[host("127.80.1.8", None, &[])], 2)
            .await
            .unwrap();

        // A run whose lease was taken over stores nothing more.
        let mut conn = raw(&store, &url).await;
        sqlx::query("UPDATE scans SET lease_holder = 'someone else' WHERE id = $1")
            .bind(scan.id)
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        let lost = third
            .add_scan_hosts(scan.id, &[host("127.80.1.9", None, &[])], 3)
            .await;
        assert!(
            matches!(lost, Err(StoreError::LeaseLost { .. })),
            "expected LeaseLost, got {lost:?}"
        );
        assert!(matches!(
            third.finish_scan(scan.id, ScanState::Complete).await,
            Err(StoreError::LeaseLost { .. })
        ));
        assert_eq!(store.scan_host_addresses(scan.id).await.unwrap().len(), 2);
        other.close().await;
        third.close().await;
    })
    .await;
}

#[tokio::test]
async fn scopes_bound_stored_hosts_and_warn_on_imported_cameras() {
    both("scope", |store, _| async move {
        province(&store).await;
        // AG-STTTT's scope is 127.80.1.0/24; a unit without its own scope is bounded by its
        // parent's (127.80.0.0/16).
        store
            .add_org("AG-X", "Unit X", OrgKind::Unit, Some("AG"), &[], &[])
            .await
            .unwrap();
        let report = store
            .import_cameras(
                rows(vec![
                    camera("AG-STTTT", "S1", "127.80.1.5"),
                    camera("AG-STTTT", "S2", "127.80.2.5"),
                    camera("AG-X", "S3", "127.80.9.9"),
                    camera("AG-X", "S4", "127.81.0.1"),
                ]),
                &keys,
            )
            .await
            .unwrap();
        assert_eq!(report.inserted, 4, "warned rows are kept");
        let lines: Vec<usize> = report.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, vec![3, 5], "{:?}", report.warnings);
        assert!(report.warnings[0].warning.contains("127.80.2.5"));
        assert!(report.warnings[0].warning.contains("127.80.1.0/24"));

        let scan = store
            .begin_scan(
                "AG-STTTT",
                &["127.80.1.0/24".into()],
                "t",
                "default",
                &serde_json::json!({}),
            )
            .await
            .unwrap();
        let err = store
            .add_scan_hosts(
                scan.id,
                &[host("127.80.1.5", None, &[]), host("127.80.2.5", None, &[])],
                2,
            )
            .await
            .unwrap_err();
        assert!(err.is_refusal(), "{err:?}");
        assert!(err.to_string().contains("127.80.2.5"), "{err}");
        assert!(store.scan_host_addresses(scan.id).await.unwrap().is_empty());
        assert_eq!(store.scan(scan.id).await.unwrap().resume_from, 0);
        store
            .add_scan_hosts(scan.id, &[host("127.80.1.5", None, &[])], 1)
            .await
            .unwrap();
    })
    .await;
}

/// An SQLite file made without camguard (rollback journal, as SQLite's default).
async fn sqlite_file(dir: &tempfile::TempDir, setup: &str) -> std::path::PathBuf {
    let path = dir.path().join("other.db");
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .unwrap();
    sqlx::raw_sql(setup).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    path
}

async fn sqlite_facts(path: &std::path::Path) -> (String, Vec<String>) {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", path.display()))
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    conn.close().await.unwrap();
    (mode, tables)
}

#[tokio::test]
async fn a_newer_sqlite_registry_is_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_file(
        &dir,
        "CREATE TABLE camguard_schema (version BIGINT PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL); \
         INSERT INTO camguard_schema VALUES (99, 'future', 'x');",
    )
    .await;
    let before = sqlite_facts(&path).await;
    assert_eq!(before.0, "delete");
    match Store::open(&path.display().to_string()).await {
        Err(StoreError::SchemaTooNew { found: 99 }) => {}
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert_eq!(
        sqlite_facts(&path).await,
        before,
        "journal mode and tables unchanged"
    );
    assert!(!dir.path().join("other.db-wal").exists());
}

#[tokio::test]
async fn an_unrelated_sqlite_file_is_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_file(
        &dir,
        "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT);",
    )
    .await;
    let before = sqlite_facts(&path).await;
    let err = Store::open(&path.display().to_string()).await.unwrap_err();
    assert!(matches!(err, StoreError::Foreign { .. }), "{err:?}");
    assert!(err.is_user_error());
    let msg = err.to_string();
    assert!(
        msg.contains("photos") && msg.contains("not a camguard registry"),
        "{msg}"
    );
    assert_eq!(sqlite_facts(&path).await, before);
}

#[tokio::test]
async fn a_text_file_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    let text = "these are not the droids you are looking for\n".repeat(200);
    std::fs::write(&path, &text).unwrap();
    let err = Store::open(&path.display().to_string()).await.unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("notes.txt"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[tokio::test]
async fn reading_a_missing_registry_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo").join("registry.db");
    let shown = path.display().to_string();
    let err = Store::open_with(&shown, OpenMode::Existing)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Missing { .. }), "{err:?}");
    assert!(err.is_user_error());
    assert!(err.to_string().contains(&shown), "{err}");
    assert!(!dir.path().join("typo").exists(), "no folder was made");
    // Creating is for commands that add data; afterwards reading opens it.
    Store::open_with(&shown, OpenMode::Create)
        .await
        .unwrap()
        .close()
        .await;
    Store::open_with(&shown, OpenMode::Existing)
        .await
        .unwrap()
        .close()
        .await;
}

#[tokio::test]
async fn an_unrelated_postgres_database_is_refused_unchanged() {
    let Some(db) = postgres_db("foreign").await else {
        return;
    };
    let url = db.url();
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE invoices (id BIGINT PRIMARY KEY)")
        .execute(&mut conn)
        .await
        .unwrap();
    let err = Store::open(&url).await.unwrap_err();
    assert!(matches!(err, StoreError::Foreign { .. }), "{err:?}");
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(n, 1, "no camguard table was added");
    conn.close().await.unwrap();
    drop_db(db).await;
}

#[tokio::test]
async fn the_native_pool_sees_the_registry() {
    both("native", |store, _| async move {
        province(&store).await;
        let n: i64 = match store.native_pool().await.unwrap() {
            camguard_store::NativePool::Sqlite(p) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM orgs")
                    .fetch_one(&p)
                    .await
                    .unwrap()
            }
            camguard_store::NativePool::Postgres(p) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM orgs")
                    .fetch_one(&p)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(n, 2);
    })
    .await;
}

// ---- Accounts and the audit log ----

const GOOD: &str = "Sông Hậu mùa nước nổi 2026";

fn admin_actor() -> Actor {
    Actor::cli(Some("tester"))
}

/// Organisations of every kind the role rules look at.
async fn account_orgs(store: &Store) {
    province(store).await;
    store
        .add_org("VNPT-AG", "VNPT An Giang", OrgKind::Isp, None, &[], &[])
        .await
        .unwrap();
}

async fn count(conn: &mut sqlx::AnyConnection, sql: &str) -> i64 {
    sqlx::Row::get(&sqlx::query(sql).fetch_one(conn).await.unwrap(), 0)
}

/// Every text cell of a table, for "this secret is nowhere" checks.
async fn cells(conn: &mut sqlx::AnyConnection, table: &str, cols: &[&str]) -> String {
    let rows = sqlx::query(&format!("SELECT {} FROM {table}", cols.join(", ")))
        .fetch_all(conn)
        .await
        .unwrap();
    let mut all = String::new();
    for r in &rows {
        for c in cols {
            if let Ok(Some(v)) = sqlx::Row::try_get::<Option<String>, _>(r, *c) {
                all.push_str(&v);
                all.push('\n');
            }
        }
    }
    all
}

#[tokio::test]
async fn accounts_are_created_with_a_role_that_fits_their_organisation() {
    both("users", |store, url| async move {
        account_orgs(&store).await;
        let a = admin_actor();
        let pw = Password::new(GOOD);
        let admin = store
            .add_user("Root.Admin", Role::Admin, None, &pw, &a)
            .await
            .unwrap();
        assert_eq!(
            admin.username, "root.admin",
            "usernames are stored lower-case"
        );
        assert_eq!(admin.org, None);
        let unit = store
            .add_user("it.ag", Role::Unit, Some("AG-STTTT"), &pw, &a)
            .await
            .unwrap();
        assert_eq!(unit.org.as_deref(), Some("AG-STTTT"));
        store
            .add_user("reg.ag", Role::Regulator, Some("AG"), &pw, &a)
            .await
            .unwrap();
        store
            .add_user("noc.vnpt", Role::Isp, Some("VNPT-AG"), &pw, &a)
            .await
            .unwrap();

        // Refusals: each names what is wrong, and nothing is written.
        let refusals: &[(&str, Role, Option<&str>, &str)] = &[
            ("x1", Role::Admin, Some("AG"), "no organisation"),
            ("x2", Role::Unit, None, "--org"),
            ("x3", Role::Unit, Some("NOPE"), "NOPE"),
            (
                "x4",
                Role::Regulator,
                Some("AG-STTTT"),
                "province or a ministry",
            ),
            ("x5", Role::Isp, Some("AG"), "kind isp"),
            ("x6", Role::Unit, Some("VNPT-AG"), "ISP"),
            ("bad name", Role::Admin, None, "bad username"),
        ];
        for (name, role, org, says) in refusals {
            match store.add_user(name, *role, *org, &pw, &a).await {
                Err(e) if e.is_user_error() => {
                    assert!(e.to_string().contains(says), "{name}: {e}");
                }
                other => panic!("{name}: expected a refusal, got {other:?}"),
            }
        }
        match store
            .add_user("IT.AG", Role::Unit, Some("AG"), &pw, &a)
            .await
        {
            Err(StoreError::Conflict(m)) => assert!(m.contains("it.ag"), "{m}"),
            other => panic!("expected a conflict, got {other:?}"),
        }
        let users = store.users().await.unwrap();
        assert_eq!(
            users
                .iter()
                .map(|u| u.username.as_str())
                .collect::<Vec<_>>(),
            ["it.ag", "noc.vnpt", "reg.ag", "root.admin"]
        );
        assert_eq!(store.user("IT.AG").await.unwrap().role, Role::Unit);
        assert!(matches!(
            store.user("nobody").await,
            Err(StoreError::NotFound(_))
        ));

        let d = store.disable_user("it.ag", &a).await.unwrap();
        assert!(d.disabled);
        assert!(store.user("it.ag").await.unwrap().disabled);

        // The stored hash is Argon2id, never the password.
        let mut conn = raw(&store, &url).await;
        let hashes = cells(&mut conn, "users", &["password_hash"]).await;
        assert!(!hashes.contains(GOOD));
        assert_eq!(hashes.matches("$argon2id$v=19$m=19456,t=2,p=1$").count(), 4);
        conn.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn weak_passwords_are_refused() {
    both("weak", |store, url| async move {
        account_orgs(&store).await;
        let a = admin_actor();
        for (name, pw) in [
            ("alice", "short"),
            ("alice", "Password2024!"),
            ("alice", "matkhau123456"),
            ("nguyenvana", "nguyenvana-at-AG-2026"),
        ] {
            match store
                .add_user(name, Role::Admin, None, &Password::new(pw), &a)
                .await
            {
                Err(e @ StoreError::WeakPassword(_)) => assert!(e.is_user_error()),
                other => panic!("{pw}: expected a weak-password refusal, got {other:?}"),
            }
        }
        store
            .add_user("alice", Role::Admin, None, &Password::new(GOOD), &a)
            .await
            .unwrap();
        assert!(matches!(
            store
                .set_password("alice", &Password::new("qwerty123456"), &a)
                .await,
            Err(StoreError::WeakPassword(_))
        ));
        let mut conn = raw(&store, &url).await;
        assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM users").await, 1);
        conn.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn passwords_verify_only_for_enabled_accounts() {
    both("verify", |store, _url| async move {
        account_orgs(&store).await;
        let a = admin_actor();
        store
            .add_user("alice", Role::Auditor, Some("AG"), &Password::new(GOOD), &a)
            .await
            .unwrap();
        let right = Password::new(GOOD);
        let wrong = Password::new("Sông Hậu mùa nước nổi 2025");
        let u = store.verify_password("Alice", &right).await.unwrap();
        assert_eq!(u.map(|u| u.username), Some("alice".to_string()));
        assert_eq!(store.verify_password("alice", &wrong).await.unwrap(), None);
        assert_eq!(store.verify_password("bob", &right).await.unwrap(), None);
        assert_eq!(
            store.verify_password("not a name", &right).await.unwrap(),
            None
        );

        // A new password replaces the old one and ends the sessions.
        let session = store
            .create_session("alice", std::time::Duration::from_secs(3600))
            .await
            .unwrap();
        let live = store.session(&session.id).await.unwrap().unwrap();
        assert_eq!(live.user.username, "alice");
        assert_eq!(live.csrf_token, session.csrf_token);
        let newer = Password::new("ba con cá bơi trong ao sen");
        store.set_password("alice", &newer, &a).await.unwrap();
        assert!(store.session(&session.id).await.unwrap().is_none());
        assert_eq!(store.verify_password("alice", &right).await.unwrap(), None);
        assert!(
            store
                .verify_password("alice", &newer)
                .await
                .unwrap()
                .is_some()
        );

        // Logout ends a session; a disabled account logs in no more.
        let s2 = store
            .create_session("alice", std::time::Duration::from_secs(3600))
            .await
            .unwrap();
        store.end_session(&s2.id).await.unwrap();
        assert!(store.session(&s2.id).await.unwrap().is_none());
        store.disable_user("alice", &a).await.unwrap();
        assert_eq!(store.verify_password("alice", &newer).await.unwrap(), None);
        assert!(
            store
                .create_session("alice", std::time::Duration::from_secs(60))
                .await
                .is_err()
        );
    })
    .await;
}

#[tokio::test]
async fn tokens_are_hashed_at_rest_expire_and_revoke() {
    both("tokens", |store, url| async move {
        account_orgs(&store).await;
        let a = admin_actor();
        store
            .add_user(
                "it.ag",
                Role::Unit,
                Some("AG-STTTT"),
                &Password::new(GOOD),
                &a,
            )
            .await
            .unwrap();
        let t1 = store.create_token("it.ag", 30, &a).await.unwrap();
        let t2 = store.create_token("it.ag", 1, &a).await.unwrap();
        assert!(t1.token.starts_with("cgt_") && t1.token.len() > 40);
        assert_ne!(t1.token, t2.token);
        assert!(!format!("{t1:?}").contains(&t1.token));
        let who = store.user_for_token(&t1.token).await.unwrap().unwrap();
        assert_eq!(who.username, "it.ag");
        assert_eq!(who.org.as_deref(), Some("AG-STTTT"));
        assert!(store.user_for_token("cgt_nope").await.unwrap().is_none());
        assert!(store.user_for_token("").await.unwrap().is_none());
        assert!(store.create_token("it.ag", 0, &a).await.is_err());
        assert!(store.create_token("nobody", 5, &a).await.is_err());

        // At rest: only SHA-256 hashes, no token text anywhere in the table.
        let mut conn = raw(&store, &url).await;
        let stored = cells(
            &mut conn,
            "api_tokens",
            &["token_hash", "created_at", "expires_at", "revoked_at"],
        )
        .await;
        for t in [&t1.token, &t2.token] {
            assert!(!stored.contains(t.as_str()), "plaintext token stored");
            assert!(!stored.contains(&t[4..]), "token body stored");
            assert!(stored.contains(&camguard_auth_sha256(t)));
        }

        // Expired: the token's time has passed.
        sqlx::query("UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00Z' WHERE id = $1")
            .bind(t2.id)
            .execute(&mut conn)
            .await
            .unwrap();
        assert!(store.user_for_token(&t2.token).await.unwrap().is_none());

        // Revoked.
        let r = store.revoke_token(t1.id, &a).await.unwrap();
        assert!(r.revoked_at.is_some());
        assert!(store.user_for_token(&t1.token).await.unwrap().is_none());
        assert!(matches!(
            store.revoke_token(999, &a).await,
            Err(StoreError::NotFound(_))
        ));
        let listed = store.tokens(Some("it.ag")).await.unwrap();
        assert_eq!(listed.len(), 2);

        // A disabled account's tokens stop working.
        let t3 = store.create_token("it.ag", 5, &a).await.unwrap();
        assert!(store.user_for_token(&t3.token).await.unwrap().is_some());
        store.disable_user("it.ag", &a).await.unwrap();
        assert!(store.user_for_token(&t3.token).await.unwrap().is_none());
        assert!(store.create_token("it.ag", 5, &a).await.is_err());
        conn.close().await.unwrap();
    })
    .await;
}

/// SHA-256 hex, computed here independently of the store.
fn camguard_auth_sha256(s: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Five account changes: add, token, revoke, passwd, disable. Returns the token's text.
async fn audited_changes(store: &Store) -> String {
    account_orgs(store).await;
    let a = admin_actor();
    store
        .add_user("alice", Role::Admin, None, &Password::new(GOOD), &a)
        .await
        .unwrap();
    let t = store.create_token("alice", 7, &a).await.unwrap();
    store.revoke_token(t.id, &a).await.unwrap();
    store
        .set_password("alice", &Password::new("ba con cá bơi trong ao sen"), &a)
        .await
        .unwrap();
    store.disable_user("alice", &a).await.unwrap();
    t.token
}

#[tokio::test]
async fn account_changes_are_audited_without_secrets() {
    both("audit_log", |store, url| async move {
        let token = audited_changes(&store).await;
        let log = store.audit_log(None).await.unwrap();
        assert_eq!(
            log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            [
                "user.add",
                "token.create",
                "token.revoke",
                "user.passwd",
                "user.disable"
            ]
        );
        assert_eq!(
            log.iter().map(|e| e.id).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
        assert!(log.iter().all(|e| e.actor == "cli:tester"));
        assert_eq!(log[0].subject, "user:alice");
        assert_eq!(log[0].prev_hash, "");
        assert_eq!(log[1].prev_hash, log[0].hash);
        assert_eq!(log[0].after.as_ref().unwrap()["role"], "admin");
        assert_eq!(log[4].before.as_ref().unwrap()["disabled"], false);
        assert_eq!(log[4].after.as_ref().unwrap()["disabled"], true);
        // Since: a time after everything selects nothing.
        assert!(
            store
                .audit_log(Some("2999-01-01T00:00:00Z"))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store
                .audit_log(Some("2000-01-01T00:00:00Z"))
                .await
                .unwrap()
                .len(),
            5
        );

        // Neither password, nor token, nor any stored hash of them is in the log.
        let mut conn = raw(&store, &url).await;
        let text = cells(
            &mut conn,
            "audit_log",
            &[
                "actor",
                "client_addr",
                "action",
                "subject",
                "before_json",
                "after_json",
            ],
        )
        .await;
        let hashes = cells(&mut conn, "users", &["password_hash"]).await;
        for secret in [
            GOOD,
            "ba con cá bơi trong ao sen",
            token.as_str(),
            &token[4..],
            &camguard_auth_sha256(&token),
            hashes.trim(),
            "$argon2",
        ] {
            assert!(
                !text.contains(secret),
                "the audit log holds {secret:?}:\n{text}"
            );
        }
        conn.close().await.unwrap();

        // Any caller can append; the chain stays intact.
        let id = store
            .append_audit(&NewAudit {
                actor: &Actor {
                    name: "svc".into(),
                    client: Some("127.0.0.1".into()),
                },
                action: "scan.start",
                subject: "scan:1",
                before: None,
                after: Some(serde_json::json!({"org": "AG"})),
                org_id: None,
            })
            .await
            .unwrap();
        assert_eq!(id, 6);
        let check = store.verify_audit().await.unwrap();
        assert_eq!(check.entries, 6);
        assert_eq!(check.first_bad, None);
    })
    .await;
}

#[tokio::test]
async fn an_altered_audit_entry_is_named() {
    both("audit_alter", |store, url| async move {
        audited_changes(&store).await;
        assert_eq!(store.verify_audit().await.unwrap().first_bad, None);
        let mut conn = raw(&store, &url).await;
        // Entry 3's after, then (separately) entry 2's actor.
        let original: String = sqlx::Row::get(
            &sqlx::query("SELECT after_json FROM audit_log WHERE id = 3")
                .fetch_one(&mut conn)
                .await
                .unwrap(),
            0,
        );
        sqlx::query("UPDATE audit_log SET after_json = '{\"revoked_at\":null}' WHERE id = 3")
            .execute(&mut conn)
            .await
            .unwrap();
        let bad = store.verify_audit().await.unwrap().first_bad.unwrap();
        assert_eq!((bad.id, &bad.problem), (3, &AuditProblem::Altered));
        assert!(bad.to_string().contains("entry 3 was altered"), "{bad}");
        sqlx::query("UPDATE audit_log SET after_json = $1 WHERE id = 3")
            .bind(&original)
            .execute(&mut conn)
            .await
            .unwrap();
        assert_eq!(store.verify_audit().await.unwrap().first_bad, None);

        sqlx::query("UPDATE audit_log SET actor = 'someone-else' WHERE id = 2")
            .execute(&mut conn)
            .await
            .unwrap();
        let bad = store.verify_audit().await.unwrap().first_bad.unwrap();
        assert_eq!((bad.id, bad.problem), (2, AuditProblem::Altered));

        sqlx::query("UPDATE audit_log SET actor = 'cli:tester' WHERE id = 2")
            .execute(&mut conn)
            .await
            .unwrap();
        assert_eq!(store.verify_audit().await.unwrap().first_bad, None);

        // Altered and re-hashed: the next entry's link names the break.
        sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE id = 1")
            .execute(&mut conn)
            .await
            .unwrap();
        let rehashed = rehash(&mut conn, 1).await;
        sqlx::query("UPDATE audit_log SET hash = $1 WHERE id = 1")
            .bind(&rehashed)
            .execute(&mut conn)
            .await
            .unwrap();
        let bad = store.verify_audit().await.unwrap().first_bad.unwrap();
        assert_eq!((bad.id, bad.problem), (2, AuditProblem::BrokenLink));

        // The last entry altered and re-hashed: the head names it.
        sqlx::query("DELETE FROM audit_log WHERE id < 5")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET id = 1, prev_hash = '', actor = 'mallory' WHERE id = 5")
            .execute(&mut conn)
            .await
            .unwrap();
        let rehashed = rehash(&mut conn, 1).await;
        sqlx::query("UPDATE audit_log SET hash = $1 WHERE id = 1")
            .bind(&rehashed)
            .execute(&mut conn)
            .await
            .unwrap();
        let bad = store.verify_audit().await.unwrap().first_bad.unwrap();
        assert_eq!(
            (bad.id, bad.problem),
            (2, AuditProblem::MissingAtEnd { from: 2, to: 5 })
        );
        conn.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_deleted_or_reordered_audit_entry_is_named() {
    both("audit_delete", |store, url| async move {
        audited_changes(&store).await;
        let mut conn = raw(&store, &url).await;
        // Reordered: entries 2 and 3 swap places (ids kept in order, contents swapped).
        sqlx::query("UPDATE audit_log SET id = 100 WHERE id = 2")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET id = 2 WHERE id = 3")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET id = 3 WHERE id = 100")
            .execute(&mut conn)
            .await
            .unwrap();
        let bad = store.verify_audit().await.unwrap().first_bad.unwrap();
        assert_eq!((bad.id, bad.problem), (2, AuditProblem::Altered));
        sqlx::query("UPDATE audit_log SET id = 100 WHERE id = 2")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET id = 2 WHERE id = 3")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET id = 3 WHERE id = 100")
            .execute(&mut conn)
            .await
            .unwrap();
        assert_eq!(store.verify_audit().await.unwrap().first_bad, None);

        // Deleted in the middle: the gap is named.
        sqlx::query("DELETE FROM audit_log WHERE id = 3")
            .execute(&mut conn)
            .await
            .unwrap();
        let bad = store.verify_audit().await.unwrap().first_bad.unwrap();
        assert_eq!(
            (bad.id, &bad.problem),
            (3, &AuditProblem::Missing { from: 3, to: 3 })
        );
        assert!(bad.to_string().contains("entry 3 is missing"), "{bad}");

        // Deleted at the end: the head still counts it.
        sqlx::query("DELETE FROM audit_log WHERE id >= 3")
            .execute(&mut conn)
            .await
            .unwrap();
        let bad = store.verify_audit().await.unwrap().first_bad.unwrap();
        assert_eq!(
            (bad.id, bad.problem),
            (3, AuditProblem::MissingAtEnd { from: 3, to: 5 })
        );
        conn.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn concurrent_appends_keep_one_chain() {
    both("audit_race", |store, _url| async move {
        let actor = Actor::cli(Some("racer"));
        let mut tasks = Vec::new();
        for i in 0..4 {
            let store = store.clone();
            let actor = actor.clone();
            tasks.push(tokio::spawn(async move {
                for j in 0..10 {
                    store
                        .append_audit(&NewAudit {
                            actor: &actor,
                            action: "test",
                            subject: &format!("t{i}:{j}"),
                            before: None,
                            after: None,
                            org_id: None,
                        })
                        .await
                        .unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let check = store.verify_audit().await.unwrap();
        assert_eq!((check.entries, check.first_bad), (40, None));
    })
    .await;
}

/// The audit hash of a stored row, computed here from the documented encoding (ARCHITECTURE.md):
/// SHA-256 of "camguard-audit-v1\n", then per field a presence byte and, when present, its
/// length as 8 big-endian bytes and its bytes.
async fn rehash(conn: &mut sqlx::AnyConnection, id: i64) -> String {
    use sha2::Digest;
    let r = sqlx::query(
        "SELECT at, actor, client_addr, action, subject, before_json, after_json, prev_hash FROM audit_log WHERE id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await
    .unwrap();
    let get = |c: &str| sqlx::Row::get::<Option<String>, _>(&r, c);
    let mut fields = vec![Some(id.to_string())];
    for c in [
        "at",
        "actor",
        "client_addr",
        "action",
        "subject",
        "before_json",
        "after_json",
        "prev_hash",
    ] {
        fields.push(get(c));
    }
    let mut h = sha2::Sha256::new();
    h.update(b"camguard-audit-v1\n");
    for f in fields {
        match f {
            None => h.update([0u8]),
            Some(s) => {
                h.update([1u8]);
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn queued_scans_check_scope_and_move_through_their_states() {
    both("queued", |store, _url| async move {
        province(&store).await;
        // Outside the scope, or a name: refused, nothing stored.
        for bad in ["127.81.0.1", "127.80.0.0/15"] {
            let e = store
                .queue_scan(
                    "AG",
                    &[bad.into()],
                    "default",
                    &serde_json::json!({}),
                    "alice",
                )
                .await
                .unwrap_err();
            assert!(matches!(e, StoreError::TargetRefused(_)), "{bad}: {e}");
        }
        assert!(matches!(
            store
                .queue_scan(
                    "AG",
                    &["cam.local".into()],
                    "default",
                    &serde_json::json!({}),
                    "a"
                )
                .await,
            Err(StoreError::Invalid(_))
        ));
        assert!(store.scans(None).await.unwrap().is_empty());

        let s = store
            .queue_scan(
                "AG",
                &["127.80.0.1-127.80.0.10".into(), "127.80.0.8/30".into()],
                "quick",
                &serde_json::json!({ "rate": 5 }),
                "alice",
            )
            .await
            .unwrap();
        assert_eq!(s.state, ScanState::Queued);
        assert_eq!(s.args["options"]["rate"], 5);
        let p = store.scan_progress(s.id).await.unwrap();
        assert_eq!(p.state, "queued");
        assert_eq!(p.targets_total, 11, "overlapping targets counted once");
        assert_eq!(p.requested_by.as_deref(), Some("alice"));
        assert!(!p.cancel_requested);

        // A worker starts it, reports progress, stores a host, is asked to cancel.
        let running = store.start_queued_scan(s.id).await.unwrap();
        assert_eq!(running.state, ScanState::Running);
        store.set_scan_progress(s.id, 4).await.unwrap();
        store
            .add_scan_hosts(s.id, &[host("127.80.0.2", None, &[])], 2)
            .await
            .unwrap();
        assert_eq!(
            store.request_cancel(s.id).await.unwrap(),
            ScanState::Running
        );
        assert!(store.cancel_requested(s.id).await.unwrap());
        let p = store.scan_progress(s.id).await.unwrap();
        assert_eq!((p.addresses_done, p.hosts, p.state), (4, 1, "running"));
        store.finish_scan(s.id, ScanState::Cancelled).await.unwrap();
        let p = store.scan_progress(s.id).await.unwrap();
        assert_eq!(p.state, "cancelled");
        assert_eq!(store.scan_hosts(s.id).await.unwrap().len(), 1);
        assert!(store.start_queued_scan(s.id).await.is_err(), "final");

        // Shut down mid-way: queued again, lease released; then failed with a reason.
        let s2 = store
            .queue_scan(
                "AG",
                &["127.80.0.3".into()],
                "default",
                &serde_json::json!({}),
                "bob",
            )
            .await
            .unwrap();
        store.start_queued_scan(s2.id).await.unwrap();
        store.requeue_scan(s2.id).await.unwrap();
        assert_eq!(store.scan(s2.id).await.unwrap().state, ScanState::Queued);
        store.start_queued_scan(s2.id).await.unwrap();
        store
            .fail_scan(s2.id, "cannot connect to postgres://u:secret@db/x")
            .await
            .unwrap();
        let p = store.scan_progress(s2.id).await.unwrap();
        assert_eq!(p.state, "failed");
        assert!(
            !p.error.unwrap().contains("secret"),
            "no password in the error"
        );

        // A queued scan is cancelled at once; a final scan is left as it is.
        let s3 = store
            .queue_scan(
                "AG",
                &["127.80.0.4".into()],
                "default",
                &serde_json::json!({}),
                "bob",
            )
            .await
            .unwrap();
        assert_eq!(
            store.request_cancel(s3.id).await.unwrap(),
            ScanState::Cancelled
        );
        assert_eq!(
            store.request_cancel(s2.id).await.unwrap(),
            ScanState::Failed
        );
        assert_eq!(ScanState::Complete.api_name(), "done");
        assert_eq!(ScanState::Interrupted.api_name(), "cancelled");
    })
    .await;
}

/// The organisation tree is kept in memory (`tree.rs`): an organisation another process adds is
/// found by its code at once and is within its parent's reach after the tree's freshness
/// (1 s); one this store adds, at once.
#[tokio::test]
async fn organisations_added_elsewhere_join_the_reach() {
    both("tree", |store, url| async move {
        province(&store).await;
        let a = admin_actor();
        let pw = Password::new(GOOD);
        let reg = store
            .add_user("reg.tree", Role::Regulator, Some("AG"), &pw, &a)
            .await
            .unwrap();
        let before = store.reach_of(&reg).await.unwrap();
        let other = Store::open(&url).await.unwrap();
        let new = other
            .add_org(
                "AG-NEW",
                "Đơn vị mới",
                OrgKind::Unit,
                Some("AG-STTTT"),
                &[],
                &[],
            )
            .await
            .unwrap();
        assert!(!before.contains(new.id));
        // Named by code: found, although the tree read a moment ago lacks it.
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        let page = store
            .cameras_page(&before, Some("AG-STTTT"), 10, None)
            .await
            .unwrap();
        assert!(page.items.is_empty());
        let page = store
            .cameras_page(&camguard_store::Reach::All, Some("AG-NEW"), 10, None)
            .await
            .unwrap();
        assert!(page.items.is_empty());
        // Within the regulator's reach once the tree is read again.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert!(store.reach_of(&reg).await.unwrap().contains(new.id));
        // Added by this store: at once.
        let mine = store
            .add_org("AG-MINE", "Đơn vị", OrgKind::Unit, Some("AG"), &[], &[])
            .await
            .unwrap();
        assert!(store.reach_of(&reg).await.unwrap().contains(mine.id));
        // Another province's regulator never reaches them.
        store
            .add_org("HN", "Hà Nội", OrgKind::Province, None, &[], &[])
            .await
            .unwrap();
        let hn = store
            .add_user("reg.hn", Role::Regulator, Some("HN"), &pw, &a)
            .await
            .unwrap();
        let r = store.reach_of(&hn).await.unwrap();
        assert!(!r.contains(new.id) && !r.contains(mine.id));
        assert!(matches!(
            store.cameras_page(&r, Some("AG-NEW"), 10, None).await,
            Err(StoreError::NotFound(_))
        ));
        // Adding for a caller: under an organisation in its reach only; a top-level one only
        // with every organisation in reach. Recorded.
        let new_org = |code: &'static str, parent: Option<&'static str>| camguard_store::NewOrg {
            code,
            name: "x",
            kind: OrgKind::Unit,
            parent,
            scopes: &[],
            deadline_sets: &[],
        };
        assert!(matches!(
            store.add_org_in(&r, &new_org("HN-X", Some("AG")), &a).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.add_org_in(&r, &new_org("TOP", None), &a).await,
            Err(StoreError::Invalid(_))
        ));
        let x = store
            .add_org_in(&r, &new_org("HN-X", Some("HN")), &a)
            .await
            .unwrap();
        assert!(store.reach_of(&hn).await.unwrap().contains(x.id));
        let log = store.audit_log(None).await.unwrap();
        assert!(
            log.iter()
                .any(|e| e.action == "org.add" && e.subject == "org:HN-X")
        );
        other.close().await;
    })
    .await;
}

#[tokio::test]
async fn the_finding_tally_counts_live_findings_by_org_vendor_severity_and_state() {
    both("tally", |store, _| async move {
        province(&store).await;
        let mut b = camera("AG-STTTT", "B", "127.80.1.2");
        b.vendor = "Dahua".into();
        store
            .import_cameras(rows(vec![camera("AG-STTTT", "A", "127.80.1.1"), b]), &keys)
            .await
            .unwrap();
        let args = serde_json::json!({"targets": ["127.80.1.0/24"]});
        let scan = store
            .begin_scan("AG-STTTT", &["127.80.1.0/24".into()], "t", "default", &args)
            .await
            .unwrap();
        let hosts = [
            host(
                "127.80.1.1",
                Some("A"),
                &[
                    ("default-credentials", Severity::Critical),
                    ("cleartext-http", Severity::Medium),
                    ("telnet-open", Severity::High),
                ],
            ),
            host(
                "127.80.1.2",
                Some("B"),
                &[("open-rtsp-stream", Severity::High)],
            ),
            // Not in the inventory.
            host(
                "127.80.1.9",
                None,
                &[("default-credentials", Severity::Critical)],
            ),
        ];
        store.add_scan_hosts(scan.id, &hosts, 3).await.unwrap();
        store
            .finish_scan(scan.id, ScanState::Complete)
            .await
            .unwrap();
        let open = store
            .findings(Some("AG"), Some(FindingState::Open))
            .await
            .unwrap();
        let medium = open.iter().find(|f| f.severity == "medium").unwrap();
        store
            .mark_fixed(medium.id, camguard_store::today(), None)
            .await
            .unwrap();

        let tally = store
            .finding_tally_in(&Reach::All, Some("AG"))
            .await
            .unwrap();
        let got: Vec<(String, Option<String>, String, &str, u64)> = tally
            .iter()
            .map(|t| {
                (
                    t.org.clone(),
                    t.vendor.clone(),
                    t.severity.clone(),
                    t.state.as_str(),
                    t.count,
                )
            })
            .collect();
        let row = |v: Option<&str>, sev: &str, state: &'static str, n: u64| {
            (
                "AG-STTTT".to_string(),
                v.map(String::from),
                sev.to_string(),
                state,
                n,
            )
        };
        assert_eq!(
            got,
            vec![
                row(None, "critical", "open", 1),
                row(Some("Dahua"), "high", "open", 1),
                row(Some("Hikvision"), "critical", "open", 1),
                row(Some("Hikvision"), "high", "open", 1),
                row(Some("Hikvision"), "medium", "fixed", 1),
            ],
            "{tally:?}"
        );
        // The same counts as reading every finding.
        let live: u64 = tally.iter().map(|t| t.count).sum();
        let all = store.findings(Some("AG"), None).await.unwrap();
        assert_eq!(
            live as usize,
            all.iter()
                .filter(|f| f.state != FindingState::Verified)
                .count()
        );

        // The reach is applied.
        store
            .add_org("HN", "Hà Nội", OrgKind::Province, None, &[], &[])
            .await
            .unwrap();
        let hn = store.org("HN").await.unwrap().id;
        let only_hn = Reach::Orgs(std::sync::Arc::new([hn].into_iter().collect()));
        assert!(
            store
                .finding_tally_in(&only_hn, None)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            store.finding_tally_in(&only_hn, Some("AG")).await,
            Err(StoreError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn chart_facts_count_open_findings_by_day_and_cameras_by_vendor() {
    both("charts", |store, _| async move {
        province(&store).await;
        let mut b = camera("AG-STTTT", "B", "127.80.1.2");
        b.vendor = "Dahua".into();
        store
            .import_cameras(
                rows(vec![
                    camera("AG-STTTT", "A", "127.80.1.1"),
                    b,
                    camera("AG-STTTT", "C", "127.80.1.3"),
                ]),
                &keys,
            )
            .await
            .unwrap();
        let args = serde_json::json!({"targets": ["127.80.1.0/24"]});
        let scan = store
            .begin_scan("AG-STTTT", &["127.80.1.0/24".into()], "t", "default", &args)
            .await
            .unwrap();
        let hosts = [
            host(
                "127.80.1.1",
                Some("A"),
                &[
                    ("default-credentials", Severity::Critical),
                    ("cleartext-http", Severity::Medium),
                ],
            ),
            host(
                "127.80.1.2",
                Some("B"),
                &[("open-rtsp-stream", Severity::High)],
            ),
        ];
        store.add_scan_hosts(scan.id, &hosts, 2).await.unwrap();
        store
            .finish_scan(scan.id, ScanState::Complete)
            .await
            .unwrap();
        let today = camguard_store::today();
        let yesterday = today.previous_day().unwrap();
        let open = store
            .findings(Some("AG"), Some(FindingState::Open))
            .await
            .unwrap();
        let medium = open.iter().find(|f| f.severity == "medium").unwrap();
        store.mark_fixed(medium.id, today, None).await.unwrap();

        let facts = store
            .chart_facts_in(&Reach::All, Some("AG"), &[today, yesterday])
            .await
            .unwrap();
        // Days come back in order; nothing was open yesterday (first seen today).
        assert_eq!(facts.trend.len(), 2);
        assert_eq!(facts.trend[0].0, yesterday);
        assert!(facts.trend[0].1.values().all(|n| *n == 0), "{facts:?}");
        let now = facts.open_now();
        assert_eq!(now.get("critical"), Some(&1), "{facts:?}");
        assert_eq!(now.get("high"), Some(&1), "{facts:?}");
        // Fixed today: not open at the end of today, but the severity is listed.
        assert_eq!(now.get("medium"), Some(&0), "{facts:?}");
        assert_eq!(facts.cameras(), 3);
        assert_eq!(facts.vendors[0].1, 2, "{facts:?}");
        assert_eq!(facts.vendors[1], ("dahua".to_string(), 1), "{facts:?}");

        // The reach is applied: an organisation outside it sees nothing, and asking for one
        // outside the reach is "not found".
        store
            .add_org("HN", "Hà Nội", OrgKind::Province, None, &[], &[])
            .await
            .unwrap();
        let hn = store.org("HN").await.unwrap().id;
        let only_hn = Reach::Orgs(std::sync::Arc::new([hn].into_iter().collect()));
        let none = store
            .chart_facts_in(&only_hn, None, &[today])
            .await
            .unwrap();
        assert_eq!(none.cameras(), 0);
        assert!(none.open_now().is_empty(), "{none:?}");
        assert!(matches!(
            store.chart_facts_in(&only_hn, Some("AG"), &[today]).await,
            Err(StoreError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn the_change_counter_moves_with_every_change_of_the_registry_from_any_process() {
    both("changes", |store, url| async move {
        let start = store.registry_changes().await.unwrap();
        province(&store).await;
        let after_orgs = store.registry_changes().await.unwrap();
        assert!(after_orgs > start, "{start} -> {after_orgs}");
        // Reading changes nothing.
        store
            .cameras_page(&Reach::All, None, 10, None)
            .await
            .unwrap();
        store.orgs().await.unwrap();
        assert_eq!(store.registry_changes().await.unwrap(), after_orgs);
        // Accounts are not the registry's data.
        store
            .add_user(
                "officer.changes",
                Role::Regulator,
                Some("AG"),
                &Password::new(GOOD),
                &admin_actor(),
            )
            .await
            .unwrap();
        assert_eq!(store.registry_changes().await.unwrap(), after_orgs);
        // A camera imported by another store (another process) is seen by this one.
        let other = Store::open(&url).await.unwrap();
        other
            .import_cameras(rows(vec![camera("AG-STTTT", "C1", "127.80.1.1")]), &keys)
            .await
            .unwrap();
        let after_import = store.registry_changes().await.unwrap();
        assert!(after_import > after_orgs);
        other.close().await;
        // Changes written in plain SQL, each kind, on a table of findings and of cameras.
        let mut conn = raw(&store, &url).await;
        let mut last = after_import;
        for sql in [
            "UPDATE cameras SET location = 'Cổng chính'",
            "UPDATE cameras SET location = 'Cổng chính' WHERE id = -1",
            "DELETE FROM cameras",
        ] {
            sqlx::query(sql).execute(&mut conn).await.unwrap();
            let now = store.registry_changes().await.unwrap();
            assert!(now >= last, "{sql}: the counter went back");
            if sql.contains("id = -1") && store.backend() == camguard_store::Backend::Sqlite {
                // SQLite counts rows: no row, no change.
                assert_eq!(now, last, "{sql}");
            } else {
                assert!(now > last, "{sql}: {last} -> {now}");
            }
            last = now;
        }
        conn.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_page_of_cameras_reads_every_column_as_the_inventory_does() {
    both("camera_pages", |store, _| async move {
        province(&store).await;
        store
            .add_system("AG-CCTV", "Camera", "AG-STTTT", None, None)
            .await
            .unwrap();
        let mut full = camera("AG-STTTT", "P1", "127.80.1.1");
        full.system = Some("AG-CCTV".into());
        full.brand = Some("HiLook".into());
        full.firmware = Some("V5.7.3 build 220112".into());
        full.mac = Some("44:19:b6:00:00:01".into());
        full.location = Some("Cổng chính \"A\" — tầng 1\n\\ lối vào".into());
        full.installed_on = Some(date!(2024 - 02 - 29));
        full.cert_origin = Some("CO-1".into());
        full.cert_quality = Some("CQ-1".into());
        full.cert_conformity_standard = Some("QCVN 135:2024/BTTTT".into());
        full.cert_conformity_body = Some("Cục Viễn thông".into());
        full.cert_conformity_date = Some(date!(2025 - 01 - 15));
        full.attributes = [
            ("tầng".to_string(), "1".to_string()),
            ("k\"ey".into(), "v\\al".into()),
        ]
        .into_iter()
        .collect();
        let mut bare = camera("AG", "P2", "::1");
        bare.cert_conformity = None;
        bare.serial = None;
        bare.ip = None;
        bare.mac = Some("44:19:b6:00:00:02".into());
        store
            .import_cameras(
                rows(vec![full, bare, camera("AG-STTTT", "P3", "127.80.1.3")]),
                &keys,
            )
            .await
            .unwrap();
        let listed = store.cameras(&CameraFilter::default()).await.unwrap();
        assert_eq!(listed.len(), 3);
        let json = |rows: &[camguard_store::CameraRow]| {
            rows.iter()
                .map(|c| {
                    (
                        serde_json::to_string(c).unwrap(),
                        c.org_id,
                        c.system_id,
                        c.vendor_key.clone(),
                        c.model_key.clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        // Two pages of two, then nothing: the same cameras, every column alike.
        let first = store
            .cameras_page(&Reach::All, None, 2, None)
            .await
            .unwrap();
        assert_eq!(first.items.len(), 2);
        let second = store
            .cameras_page(&Reach::All, None, 2, first.next)
            .await
            .unwrap();
        assert!(second.next.is_none());
        let paged: Vec<_> = first.items.into_iter().chain(second.items).collect();
        assert_eq!(json(&paged), json(&listed));
        // The filtered page reads them alike too.
        let query = camguard_store::CameraQuery {
            org: Some("AG-STTTT".into()),
            ..Default::default()
        };
        let filtered = store
            .cameras_query_page(&Reach::All, &query, 10, None)
            .await
            .unwrap();
        let in_unit: Vec<_> = listed
            .iter()
            .filter(|c| c.record.org == "AG-STTTT")
            .cloned()
            .collect();
        assert_eq!(json(&filtered.items), json(&in_unit));
        let empty = store
            .cameras_page(&Reach::All, None, 2, Some(i64::MAX - 1))
            .await
            .unwrap();
        assert!(empty.items.is_empty() && empty.next.is_none());
    })
    .await;
}

#[tokio::test]
async fn a_finding_change_and_its_audit_entry_are_stored_together_or_not_at_all() {
    both("finding_audit", |store, url| async move {
        province(&store).await;
        store
            .import_cameras(rows(vec![camera("AG-STTTT", "A", "127.80.1.1")]), &keys)
            .await
            .unwrap();
        complete_scan(
            &store,
            vec![host(
                "127.80.1.1",
                None,
                &[("default-credentials", Severity::Critical)],
            )],
        )
        .await;
        let page = store
            .findings_page(&Reach::All, &Default::default(), 10, None)
            .await
            .unwrap();
        let id = page.items[0].id;
        let fixed = camguard_store::FindingChange::Fixed {
            on: date!(2026 - 12 - 01),
            note: None,
        };
        // The audit log refuses every entry: the change is refused with it.
        let mut conn = raw(&store, &url).await;
        refuse_audit(&store, &mut conn).await;
        let events = |n: &'static str| {
            format!("SELECT COUNT(*) AS n FROM finding_events WHERE finding_id = {id} /* {n} */")
        };
        let events_before = count(&mut conn, &events("before")).await;
        assert!(
            store
                .change_finding_in(&Reach::All, id, &fixed, &admin_actor())
                .await
                .is_err()
        );
        let now = store.finding_in(&Reach::All, id).await.unwrap();
        assert_eq!(now.state, FindingState::Open);
        assert_eq!(count(&mut conn, &events("after")).await, events_before);
        // Once the log takes entries again: both.
        accept_audit(&store, &mut conn).await;
        let after = store
            .change_finding_in(&Reach::All, id, &fixed, &admin_actor())
            .await
            .unwrap();
        assert_eq!(after.state, FindingState::Fixed);
        assert_eq!(count(&mut conn, &events("again")).await, events_before + 1);
        let log = store.audit_log(None).await.unwrap();
        assert!(
            log.iter()
                .any(|e| e.action == "finding.fix" && e.subject == format!("finding:{id}"))
        );
        conn.close().await.unwrap();
    })
    .await;
}

/// Make the audit log refuse every entry (a trigger), as a full disk or a broken log would.
async fn refuse_audit(store: &Store, conn: &mut sqlx::AnyConnection) {
    let refuse = match store.backend() {
        camguard_store::Backend::Sqlite => vec![
            "CREATE TRIGGER refuse BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'refused'); END",
        ],
        camguard_store::Backend::Postgres => vec![
            "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$",
            "CREATE TRIGGER refuse BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse()",
        ],
    };
    for sql in refuse {
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
}

async fn accept_audit(store: &Store, conn: &mut sqlx::AnyConnection) {
    let drop = match store.backend() {
        camguard_store::Backend::Sqlite => "DROP TRIGGER refuse",
        camguard_store::Backend::Postgres => "DROP TRIGGER refuse ON audit_log",
    };
    sqlx::query(drop).execute(&mut *conn).await.unwrap();
}

#[tokio::test]
async fn registry_changes_and_their_audit_entries_are_stored_together_or_not_at_all() {
    both("system_audit", |store, url| async move {
        province(&store).await;
        let actor = admin_actor();
        let new = camguard_store::NewSystem {
            code: "AG-CAM",
            name: "Camera giám sát",
            org: "AG-STTTT",
            operator: None,
            purpose: None,
        };
        let answers = serde_json::json!({"q": 1});
        let level = camguard_store::LevelChange {
            level: 2,
            ruleset: "nd85",
            ruleset_version: "1",
            answers: &answers,
            reasons: &answers,
        };
        let submit = camguard_store::DossierChange {
            to: camguard_store::DossierState::Submitted,
            on: date!(2026 - 12 - 01),
            by: None,
            reference: None,
        };
        let plan = Some(date!(2026 - 11 - 30));
        let mut conn = raw(&store, &url).await;
        let entries = async |conn: &mut sqlx::AnyConnection| {
            count(conn, "SELECT COUNT(*) AS n FROM audit_log").await
        };

        // Adding an organisation: refused with its entry, then both.
        let scopes = vec![net("127.80.1.128/25")];
        let unit = camguard_store::NewOrg {
            code: "AG-UBND-X",
            name: "UBND xã",
            kind: OrgKind::Unit,
            parent: Some("AG-STTTT"),
            scopes: &scopes,
            deadline_sets: &[],
        };
        refuse_audit(&store, &mut conn).await;
        assert!(store.add_org_in(&Reach::All, &unit, &actor).await.is_err());
        assert!(
            store.org("AG-UBND-X").await.is_err(),
            "no organisation without its entry"
        );
        accept_audit(&store, &mut conn).await;
        let n = entries(&mut conn).await;
        let org = store.add_org_in(&Reach::All, &unit, &actor).await.unwrap();
        assert_eq!(org.scopes, scopes);
        assert_eq!(entries(&mut conn).await, n + 1);

        // Adding a system: refused with its entry, then both.
        refuse_audit(&store, &mut conn).await;
        assert!(
            store
                .add_system_in(&Reach::All, &new, &actor)
                .await
                .is_err()
        );
        assert!(
            store.system("AG-CAM").await.is_err(),
            "no system without its entry"
        );
        accept_audit(&store, &mut conn).await;
        let n = entries(&mut conn).await;
        store
            .add_system_in(&Reach::All, &new, &actor)
            .await
            .unwrap();
        assert_eq!(entries(&mut conn).await, n + 1);

        // The level, the dossier and the plan: each refused with its entry, then both.
        refuse_audit(&store, &mut conn).await;
        assert!(
            store
                .set_level_in(&Reach::All, "AG-CAM", &level, &actor)
                .await
                .is_err()
        );
        assert_eq!(store.system("AG-CAM").await.unwrap().level, None);
        assert!(
            store
                .update_system_plan_in(&Reach::All, "AG-CAM", plan, Some(12), &actor)
                .await
                .is_err()
        );
        let s = store.system("AG-CAM").await.unwrap();
        assert_eq!(
            (s.plan_deployed_on, s.assessment_interval_months),
            (None, None)
        );
        accept_audit(&store, &mut conn).await;
        let n = entries(&mut conn).await;
        store
            .set_level_in(&Reach::All, "AG-CAM", &level, &actor)
            .await
            .unwrap();
        store
            .update_system_plan_in(&Reach::All, "AG-CAM", plan, Some(12), &actor)
            .await
            .unwrap();
        assert_eq!(entries(&mut conn).await, n + 2);
        let history = store.system_history("AG-CAM").await.unwrap().len();

        refuse_audit(&store, &mut conn).await;
        assert!(
            store
                .advance_dossier_in(&Reach::All, "AG-CAM", &submit, &actor)
                .await
                .is_err()
        );
        let s = store.system("AG-CAM").await.unwrap();
        assert_eq!(s.dossier_state, camguard_store::DossierState::Draft);
        assert_eq!(
            store.system_history("AG-CAM").await.unwrap().len(),
            history,
            "no dossier event without its entry"
        );
        accept_audit(&store, &mut conn).await;
        let after = store
            .advance_dossier_in(&Reach::All, "AG-CAM", &submit, &actor)
            .await
            .unwrap();
        assert_eq!(after.dossier_state, camguard_store::DossierState::Submitted);
        let log = store.audit_log(None).await.unwrap();
        assert!(
            log.iter()
                .any(|e| e.action == "org.add" && e.subject == "org:AG-UBND-X")
        );
        for action in [
            "system.add",
            "system.level",
            "system.plan",
            "system.dossier",
        ] {
            assert!(
                log.iter()
                    .any(|e| e.action == action && e.subject == "system:AG-CAM"),
                "{action}"
            );
        }
        // The imports of the catalogue and of an inventory: refused with their entries, then
        // both.
        let certified = CatalogueEntry {
            status: CatalogueStatus::Certified,
            vendor: "Hikvision".into(),
            model: "DS-2CD1".into(),
            document: Some("CV 1/CATTT".into()),
            issued_by: None,
            date: Some(date!(2024 - 01 - 02)),
            certificate: None,
            note: None,
        };
        let ck = |e: &CatalogueEntry| (e.vendor.to_lowercase(), e.model.to_uppercase());
        let inventory = || rows(vec![camera("AG-STTTT", "SN-A", "127.80.1.20")]);
        refuse_audit(&store, &mut conn).await;
        assert!(
            store
                .import_catalogue_as(std::slice::from_ref(&certified), &ck, 0, &actor)
                .await
                .is_err()
        );
        assert!(
            store.catalogue().await.unwrap().is_empty(),
            "no entry without its record"
        );
        assert!(
            store
                .import_cameras_in(&Reach::All, "AG-STTTT", inventory(), &keys, &actor)
                .await
                .is_err()
        );
        assert!(
            store
                .cameras(&CameraFilter::default())
                .await
                .unwrap()
                .is_empty(),
            "no camera without its record"
        );
        accept_audit(&store, &mut conn).await;
        let n = entries(&mut conn).await;
        store
            .import_catalogue_as(std::slice::from_ref(&certified), &ck, 0, &actor)
            .await
            .unwrap();
        let report = store
            .import_cameras_in(&Reach::All, "AG-STTTT", inventory(), &keys, &actor)
            .await
            .unwrap();
        assert_eq!(report.inserted, 1);
        assert_eq!(entries(&mut conn).await, n + 2);
        let log = store.audit_log(None).await.unwrap();
        let import = log.iter().find(|e| e.action == "camera.import").unwrap();
        assert_eq!(import.subject, "org:AG-STTTT");
        assert_eq!(
            import.after,
            Some(serde_json::json!({"inserted": 1, "updated": 0, "rejected": 0}))
        );
        assert!(log.iter().any(|e| e.action == "catalogue.import"));

        // Queueing a scan: refused with its entry, then both.
        let scans = async |conn: &mut sqlx::AnyConnection| {
            count(conn, "SELECT COUNT(*) AS n FROM scans").await
        };
        let queued_before = scans(&mut conn).await;
        let targets = ["127.80.1.5".to_string()];
        refuse_audit(&store, &mut conn).await;
        assert!(
            store
                .queue_scan_as(
                    "AG-STTTT",
                    &targets,
                    "quick",
                    &serde_json::json!({}),
                    "tester",
                    &actor
                )
                .await
                .is_err()
        );
        assert_eq!(
            scans(&mut conn).await,
            queued_before,
            "no queued scan without its entry"
        );
        accept_audit(&store, &mut conn).await;
        let n = entries(&mut conn).await;
        let scan = store
            .queue_scan_as(
                "AG-STTTT",
                &targets,
                "quick",
                &serde_json::json!({}),
                "tester",
                &actor,
            )
            .await
            .unwrap();
        assert_eq!(entries(&mut conn).await, n + 1);
        let log = store.audit_log(None).await.unwrap();
        assert!(
            log.iter()
                .any(|e| e.action == "scan.queue" && e.subject == format!("scan:{}", scan.id))
        );

        // A bad interval refuses the whole change, the date included.
        assert!(
            store
                .update_system_plan("AG-CAM", Some(date!(2026 - 12 - 02)), Some(0))
                .await
                .is_err()
        );
        assert_eq!(store.system("AG-CAM").await.unwrap().plan_deployed_on, plan);
        conn.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_page_of_findings_reads_every_column_as_one_finding_does() {
    both("finding_pages", |store, _| async move {
        province(&store).await;
        store
            .import_cameras(
                rows(vec![
                    camera("AG-STTTT", "A", "127.80.1.1"),
                    camera("AG-STTTT", "B", "127.80.1.2"),
                ]),
                &keys,
            )
            .await
            .unwrap();
        let mut unmatched = host("127.80.1.9", None, &[("telnet-open", Severity::High)]);
        unmatched.findings[0].port = None;
        complete_scan(
            &store,
            vec![
                host(
                    "127.80.1.1",
                    Some("A"),
                    &[
                        ("default-credentials", Severity::Critical),
                        ("rtsp-no-auth", Severity::High),
                    ],
                ),
                host(
                    "127.80.1.2",
                    Some("B"),
                    &[("http-cleartext", Severity::Medium)],
                ),
                unmatched,
            ],
        )
        .await;
        let all = store
            .findings_page(&Reach::All, &Default::default(), 100, None)
            .await
            .unwrap();
        assert_eq!(all.items.len(), 4);
        let id = all.items[1].id;
        store
            .change_finding_in(
                &Reach::All,
                id,
                &camguard_store::FindingChange::Accepted {
                    reason: "Chờ thay thế \"thiết bị\" \\ quý 1".into(),
                    until: date!(2030 - 01 - 01),
                },
                &admin_actor(),
            )
            .await
            .unwrap();
        // Page by page, each finding as it reads alone (its row read by the driver).
        let mut after = None;
        let mut seen = 0;
        loop {
            let page = store
                .findings_page(&Reach::All, &Default::default(), 3, after)
                .await
                .unwrap();
            for f in &page.items {
                let one = store.finding_in(&Reach::All, f.id).await.unwrap();
                assert_eq!(format!("{f:?}"), format!("{one:?}"));
                seen += 1;
            }
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, 4);
        let accepted = store.finding_in(&Reach::All, id).await.unwrap();
        assert_eq!(
            accepted.accepted_reason.as_deref(),
            Some("Chờ thay thế \"thiết bị\" \\ quý 1")
        );
        assert!(all.items.iter().any(|f| f.port.is_none()));
        assert!(all.items.iter().any(|f| f.camera_id.is_none()));
    })
    .await;
}
