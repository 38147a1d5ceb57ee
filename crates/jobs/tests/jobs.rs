//! Scans as durable jobs against a simulated fleet (127.140.0.0/16 … 127.149.0.0/16 only).
//!
//! Each test runs on SQLite, and on PostgreSQL when `CAMGUARD_TEST_POSTGRES` is set (as in the
//! store's contract tests: a database per test, dropped afterwards).

use camguard_jobs::{JobConfig, Jobs};
use camguard_sim::{Fleet, FleetConfig};
use camguard_store::{OrgKind, ScanState, Store, StoreError};
use sqlx::Connection;
use std::collections::HashSet;
use std::time::{Duration, Instant};

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
                let scheme_end = base.find("://").map_or(0, |i| i + 3);
                let path_start = base[scheme_end..]
                    .find('/')
                    .map_or(base.len(), |i| i + scheme_end);
                let mut s = format!("{}/{name}", &base[..path_start]);
                if !query.is_empty() {
                    s.push('?');
                    s.push_str(query);
                }
                s
            }
        }
    }
}

async fn databases(test: &str) -> Vec<TestDb> {
    let mut out = vec![TestDb::Sqlite(tempfile::tempdir().unwrap())];
    let Ok(admin) = std::env::var("CAMGUARD_TEST_POSTGRES") else {
        assert!(
            !std::env::var("CAMGUARD_REQUIRE_POSTGRES").is_ok_and(|v| v == "1"),
            "CAMGUARD_REQUIRE_POSTGRES=1 but CAMGUARD_TEST_POSTGRES is not set"
        );
        eprintln!("SKIP {test} on PostgreSQL: set CAMGUARD_TEST_POSTGRES");
        return out;
    };
    let name = format!("camguard_j_{}_{}", test, std::process::id());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    out.push(TestDb::Postgres { admin, name });
    out
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

async fn org(store: &Store, scope: &str) {
    store
        .add_org(
            "HN",
            "Hà Nội",
            OrgKind::Province,
            None,
            &[scope.parse().unwrap()],
            &[],
        )
        .await
        .unwrap();
}

/// Addresses of the fleet with an open port (the hosts a complete scan stores).
fn expected(fleet: &Fleet) -> HashSet<String> {
    fleet
        .truth()
        .entries
        .iter()
        .filter(|e| !e.open_ports.is_empty())
        .map(|e| e.ip.to_string())
        .collect()
}

async fn wait_final(store: &Store, scan: i64, limit: Duration) -> ScanState {
    let deadline = Instant::now() + limit;
    loop {
        let s = store.scan(scan).await.unwrap().state;
        if s.is_final() {
            return s;
        }
        assert!(Instant::now() < deadline, "scan {scan} still {s:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn fast() -> JobConfig {
    JobConfig {
        heartbeat: Duration::from_secs(1),
        missed_heartbeats: 2,
        poll: Duration::from_millis(200),
        kb: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_scan_runs_to_complete() {
    let fleet = Fleet::start(FleetConfig::new("127.140.0.1".parse().unwrap(), 24, 7))
        .await
        .unwrap();
    let want = expected(&fleet);
    assert!(!want.is_empty());
    for db in databases("complete").await {
        let store = Store::open(&db.url()).await.unwrap();
        org(&store, "127.140.0.0/24").await;
        let jobs = Jobs::open_with(&store, fast()).await.unwrap();
        let scan = store
            .queue_scan(
                "HN",
                &["127.140.0.1-127.140.0.24".into()],
                "quick",
                &serde_json::json!({ "no_wsd": true }),
                "tester",
            )
            .await
            .unwrap();
        assert_eq!(scan.state, ScanState::Queued);
        let p = store.scan_progress(scan.id).await.unwrap();
        assert_eq!((p.state, p.targets_total), ("queued", 24));
        jobs.submit_scan(scan.id).await.unwrap();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let runner = {
            let jobs = jobs.clone();
            tokio::spawn(async move {
                jobs.run(2, async {
                    let _ = stop_rx.await;
                })
                .await
            })
        };
        let state = wait_final(&store, scan.id, Duration::from_secs(120)).await;
        assert_eq!(state, ScanState::Complete);
        let p = jobs.progress(scan.id).await.unwrap();
        assert_eq!(p.state, "done");
        // A finished scan counts every address it went through, not the last tick's count.
        assert_eq!((p.addresses_done, p.targets_total), (24, 24));
        let hosts: Vec<String> = store
            .scan_hosts(scan.id)
            .await
            .unwrap()
            .iter()
            .map(|h| h.ip.to_string())
            .collect();
        assert_eq!(hosts.iter().cloned().collect::<HashSet<_>>(), want);
        assert_eq!(hosts.len(), want.len());
        assert_eq!(p.hosts, want.len() as i64);
        stop_tx.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(90), runner)
            .await
            .expect("workers stop on shutdown")
            .unwrap()
            .unwrap();
        store.close().await;
        drop_db(db).await;
    }
    fleet.shutdown().await;
}

#[tokio::test]
async fn targets_outside_the_scope_queue_nothing() {
    for db in databases("refused").await {
        let store = Store::open(&db.url()).await.unwrap();
        org(&store, "127.141.0.0/24").await;
        for bad in [
            "127.141.1.1",
            "127.141.0.0/23",
            "127.141.0.250-127.141.1.2",
            "0.0.0.1",
        ] {
            let e = store
                .queue_scan(
                    "HN",
                    &["127.141.0.1".into(), bad.into()],
                    "default",
                    &serde_json::json!({}),
                    "t",
                )
                .await
                .unwrap_err();
            assert!(matches!(e, StoreError::TargetRefused(_)), "{bad}: {e}");
            assert!(e.is_refusal());
        }
        // A name is refused too (a queued scan takes addresses).
        let e = store
            .queue_scan(
                "HN",
                &["localhost".into()],
                "default",
                &serde_json::json!({}),
                "t",
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{e}");
        assert!(
            store.scans(None).await.unwrap().is_empty(),
            "nothing queued"
        );
        store.close().await;
        drop_db(db).await;
    }
}

/// A scan slow enough to be caught mid-way: one host at a time, 30 connection attempts a
/// second (the simulator answers at once; the pace is the scanner's own rate limit).
fn slow() -> serde_json::Value {
    serde_json::json!({ "no_wsd": true, "hosts": 1, "rate": 30, "no_assess": true })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_scan_is_cancelled_keeping_its_hosts() {
    let fleet = Fleet::start(FleetConfig::new("127.142.0.1".parse().unwrap(), 40, 11))
        .await
        .unwrap();
    for db in databases("cancel").await {
        let store = Store::open(&db.url()).await.unwrap();
        org(&store, "127.142.0.0/24").await;
        let jobs = Jobs::open_with(&store, fast()).await.unwrap();
        // A queued scan is cancelled at once.
        let queued = store
            .queue_scan("HN", &["127.142.0.1".into()], "quick", &slow(), "t")
            .await
            .unwrap();
        jobs.cancel_scan(queued.id).await.unwrap();
        assert_eq!(
            store.scan(queued.id).await.unwrap().state,
            ScanState::Cancelled
        );
        assert_eq!(jobs.progress(queued.id).await.unwrap().state, "cancelled");
        assert!(jobs.submit_scan(queued.id).await.is_err());

        let scan = store
            .queue_scan(
                "HN",
                &["127.142.0.1-127.142.0.40".into()],
                "quick",
                &slow(),
                "t",
            )
            .await
            .unwrap();
        jobs.submit_scan(scan.id).await.unwrap();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let runner = {
            let jobs = jobs.clone();
            tokio::spawn(async move {
                jobs.run(1, async {
                    let _ = stop_rx.await;
                })
                .await
            })
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        while store.scan(scan.id).await.unwrap().hosts == 0 {
            assert!(Instant::now() < deadline, "nothing stored in 120 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        jobs.cancel_scan(scan.id).await.unwrap();
        let state = wait_final(&store, scan.id, Duration::from_secs(30)).await;
        assert_eq!(state, ScanState::Cancelled);
        let p = jobs.progress(scan.id).await.unwrap();
        assert!(p.cancel_requested);
        assert!(p.hosts > 0, "hosts found before the cancel are kept");
        assert!(
            (p.hosts as usize) < expected(&fleet).len(),
            "the cancel stopped the scan before the end"
        );
        stop_tx.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(90), runner)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        store.close().await;
        drop_db(db).await;
    }
    fleet.shutdown().await;
}

fn worker(url: &str) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_camguard-worker"))
        .args(["--database", url, "--heartbeat", "1"])
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("start camguard-worker")
}

/// The done-when test of issue 10: `kill -9` of the worker during a scan, then a restart: the
/// scan finishes, no host lost or stored twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_scan_then_restart_finishes_with_every_host_once() {
    let fleet = Fleet::start(FleetConfig::new("127.143.0.1".parse().unwrap(), 48, 23))
        .await
        .unwrap();
    let want = expected(&fleet);
    for db in databases("kill9").await {
        let url = db.url();
        let store = Store::open(&url).await.unwrap();
        org(&store, "127.143.0.0/24").await;
        let jobs = Jobs::open_with(&store, fast()).await.unwrap();
        let scan = store
            .queue_scan(
                "HN",
                &["127.143.0.1-127.143.0.48".into()],
                "quick",
                &slow(),
                "t",
            )
            .await
            .unwrap();
        jobs.submit_scan(scan.id).await.unwrap();

        let mut first = worker(&url);
        let deadline = Instant::now() + Duration::from_secs(120);
        while store.scan(scan.id).await.unwrap().hosts < 3 {
            assert!(Instant::now() < deadline, "nothing stored in 120 s");
            assert!(first.try_wait().unwrap().is_none(), "the worker exited");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        first.kill().unwrap(); // SIGKILL
        first.wait().unwrap();
        let before = store.scan(scan.id).await.unwrap();
        assert_eq!(before.state, ScanState::Running, "killed mid-way");
        assert!(
            (before.hosts as usize) < want.len(),
            "the worker was killed before the end ({} of {})",
            before.hosts,
            want.len()
        );

        let mut second = worker(&url);
        let state = wait_final(&store, scan.id, Duration::from_secs(180)).await;
        second.kill().unwrap();
        second.wait().unwrap();
        assert_eq!(state, ScanState::Complete);
        let hosts: Vec<String> = store
            .scan_hosts(scan.id)
            .await
            .unwrap()
            .iter()
            .map(|h| h.ip.to_string())
            .collect();
        let set: HashSet<String> = hosts.iter().cloned().collect();
        assert_eq!(set.len(), hosts.len(), "a host stored twice");
        let missing: Vec<_> = want.difference(&set).collect();
        let extra: Vec<_> = set.difference(&want).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "missing {missing:?}, extra {extra:?}"
        );
        let p = store.scan_progress(scan.id).await.unwrap();
        assert_eq!(p.hosts, want.len() as i64);
        assert_eq!(p.state, "done");
        store.close().await;
        drop_db(db).await;
    }
    fleet.shutdown().await;
}
