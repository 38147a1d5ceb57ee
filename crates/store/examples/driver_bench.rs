//! Any driver vs native pools, on the store's own kind of work (criterion-free timing harness
//! for the driver decision recorded in ARCHITECTURE.md).
//!
//!   cargo run --release -p camguard-store --example driver_bench -- [ROWS] [POSTGRES_URL]
//!
//! For each back end (SQLite in a temporary file with the store's pragmas; PostgreSQL when a URL
//! is given, in a scratch database it creates and drops) and each driver (sqlx `Any` vs the
//! native `SqlitePool`/`PgPool`), on a fresh table of 12 columns like `cameras`:
//! bulk insert of ROWS rows (multi-row VALUES, 1,000 rows a statement, one transaction),
//! a full read decoded into structs, and 5,000 point reads by key. Best of 3 runs, milliseconds.

use sqlx::any::AnyPoolOptions;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Database, Executor, IntoArguments, Pool, Row};
use std::time::Instant;

const COLS: usize = 12;
const BATCH: usize = 1000;
const POINTS: i64 = 5000;

#[derive(Debug)]
#[expect(dead_code, reason = "decoded to measure decoding, never read")]
struct Cam {
    id: i64,
    org: i64,
    text: [String; 9],
    n: i64,
}

fn placeholders(rows: usize, dollar: bool) -> String {
    let mut s = String::new();
    let mut n = 1;
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..COLS {
            if c > 0 {
                s.push_str(", ");
            }
            if dollar {
                s.push_str(&format!("${n}"));
            } else {
                s.push('?');
            }
            n += 1;
        }
        s.push(')');
    }
    s
}

const CREATE: &str = "CREATE TABLE bench_cameras (id BIGINT PRIMARY KEY, org BIGINT NOT NULL, vendor TEXT, model TEXT, serial TEXT, mac TEXT, ip TEXT, location TEXT, cert TEXT, created_at TEXT, updated_at TEXT, n BIGINT NOT NULL)";
const SELECT: &str = "SELECT id, org, vendor, model, serial, mac, ip, location, cert, created_at, updated_at, n FROM bench_cameras";
const TEXT_COLS: [&str; 9] = [
    "vendor",
    "model",
    "serial",
    "mac",
    "ip",
    "location",
    "cert",
    "created_at",
    "updated_at",
];

/// One run of the three workloads on a pool of database `DB`; (insert, full read, point reads) ms.
async fn run<DB>(pool: &Pool<DB>, rows: usize, dollar: bool) -> (f64, f64, f64)
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    i64: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB>,
    String: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB>,
    for<'r> &'r str: sqlx::ColumnIndex<DB::Row>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("DROP TABLE IF EXISTS bench_cameras")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query(CREATE).execute(&mut *conn).await.unwrap();
    drop(conn);

    let t = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    let mut id = 0i64;
    while (id as usize) < rows {
        let n = BATCH.min(rows - id as usize);
        let sql = format!(
            "INSERT INTO bench_cameras VALUES {}",
            placeholders(n, dollar)
        );
        let mut q = sqlx::query::<DB>(&sql);
        for _ in 0..n {
            id += 1;
            q = q
                .bind(id)
                .bind(id % 1000)
                .bind("Hikvision".to_string())
                .bind("DS-2CD2143G2-I".to_string())
                .bind(format!("SER-{id:08}"))
                .bind(format!(
                    "00:11:22:{:02x}:{:02x}:{:02x}",
                    id >> 16 & 255,
                    id >> 8 & 255,
                    id & 255
                ))
                .bind(format!(
                    "127.{}.{}.{}",
                    id >> 16 & 255,
                    id >> 8 & 255,
                    id & 255
                ))
                .bind("Cổng chính, tầng 1".to_string())
                .bind("QCVN135-001".to_string())
                .bind("2026-11-23T05:00:00Z".to_string())
                .bind("2026-11-23T05:00:00Z".to_string())
                .bind(id * 7);
        }
        q.execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let insert = t.elapsed().as_secs_f64() * 1e3;

    let t = Instant::now();
    let all: Vec<Cam> = sqlx::query::<DB>(SELECT)
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| Cam {
            id: r.get("id"),
            org: r.get("org"),
            text: TEXT_COLS.map(|c| r.get::<String, _>(c)),
            n: r.get("n"),
        })
        .collect();
    assert_eq!(all.len(), rows);
    let read = t.elapsed().as_secs_f64() * 1e3;

    let t = Instant::now();
    let sql = format!("{SELECT} WHERE id = {}", if dollar { "$1" } else { "?" });
    for k in 0..POINTS {
        let r = sqlx::query::<DB>(&sql)
            .bind(1 + (k * 7919) % rows as i64)
            .fetch_one(pool)
            .await
            .unwrap();
        let _: String = r.get("serial");
    }
    let points = t.elapsed().as_secs_f64() * 1e3;
    (insert, read, points)
}

fn best(runs: &[(f64, f64, f64)]) -> (f64, f64, f64) {
    let m = |f: fn(&(f64, f64, f64)) -> f64| runs.iter().map(f).fold(f64::MAX, f64::min);
    (m(|r| r.0), m(|r| r.1), m(|r| r.2))
}

fn report(backend: &str, driver: &str, rows: usize, r: (f64, f64, f64)) {
    println!(
        "| {backend} | {driver} | {rows} | {:.0} | {:.0} | {:.0} |",
        r.0, r.1, r.2
    );
}

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let pg = args.next();
    println!("| back end | driver | rows | insert ms | full read ms | {POINTS} point reads ms |");
    println!("|---|---|---|---|---|---|");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bench.db");
    let pragmas = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;";
    {
        let any = AnyPoolOptions::new()
            .max_connections(4)
            .after_connect(move |c, _| {
                Box::pin(async move {
                    c.execute(pragmas).await?;
                    Ok(())
                })
            })
            .connect(&format!("sqlite://{}?mode=rwc", file.display()))
            .await
            .unwrap();
        let mut runs = Vec::new();
        for _ in 0..3 {
            runs.push(run(&any, rows, false).await);
        }
        report("SQLite", "Any", rows, best(&runs));
        any.close().await;
        let native = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(
                SqliteConnectOptions::new()
                    .filename(&file)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true),
            )
            .await
            .unwrap();
        let mut runs = Vec::new();
        for _ in 0..3 {
            runs.push(run(&native, rows, false).await);
        }
        report("SQLite", "native", rows, best(&runs));
        native.close().await;
        // Any again, after the native runs: the file's history is the same for both.
        let any = AnyPoolOptions::new()
            .max_connections(4)
            .after_connect(move |c, _| {
                Box::pin(async move {
                    c.execute(pragmas).await?;
                    Ok(())
                })
            })
            .connect(&format!("sqlite://{}?mode=rwc", file.display()))
            .await
            .unwrap();
        let mut runs = Vec::new();
        for _ in 0..3 {
            runs.push(run(&any, rows, false).await);
        }
        report("SQLite", "Any (again)", rows, best(&runs));
        any.close().await;
    }

    if let Some(admin) = pg {
        let name = format!("camguard_driver_bench_{}", std::process::id());
        let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut c)
            .await
            .unwrap();
        let url = match admin.split_once('?') {
            Some((base, q)) => format!("{}/{name}?{q}", &base[..base.rfind('/').unwrap()]),
            None => format!("{}/{name}", &admin[..admin.rfind('/').unwrap()]),
        };
        let any = AnyPoolOptions::new()
            .max_connections(8)
            .connect(&url)
            .await
            .unwrap();
        let mut runs = Vec::new();
        for _ in 0..3 {
            runs.push(run(&any, rows, true).await);
        }
        report("PostgreSQL", "Any", rows, best(&runs));
        any.close().await;
        let native = PgPoolOptions::new()
            .max_connections(8)
            .connect(&url)
            .await
            .unwrap();
        let mut runs = Vec::new();
        for _ in 0..3 {
            runs.push(run(&native, rows, true).await);
        }
        report("PostgreSQL", "native", rows, best(&runs));
        native.close().await;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut c)
            .await
            .unwrap();
    }
}
