//! `camguard-worker --database URL [--workers N] [--heartbeat SECS]`: run scan workers on the
//! registry's queue until SIGINT/SIGTERM (then running scans are handed back to the queue).
//! Many of these may run on many machines against one PostgreSQL registry.

use std::time::Duration;

fn usage() -> ! {
    eprintln!("usage: camguard-worker --database URL [--workers N] [--heartbeat SECS]");
    std::process::exit(2);
}

#[tokio::main]
async fn main() {
    let mut database = std::env::var("CAMGUARD_DATABASE").ok();
    let mut workers = 1usize;
    let mut config = camguard_jobs::JobConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--database" => database = Some(value()),
            "--workers" => workers = value().parse().unwrap_or_else(|_| usage()),
            "--heartbeat" => {
                let secs: u64 = value().parse().unwrap_or_else(|_| usage());
                config.heartbeat = Duration::from_secs(secs.max(1));
            }
            _ => usage(),
        }
    }
    let Some(database) = database else { usage() };
    let store =
        match camguard_store::Store::open_with(&database, camguard_store::OpenMode::Existing).await
        {
            Ok(s) => s,
            Err(e) => {
                eprintln!("camguard-worker: {e}");
                std::process::exit(1);
            }
        };
    let jobs = match camguard_jobs::Jobs::open_with(&store, config).await {
        Ok(j) => j,
        Err(e) => {
            eprintln!("camguard-worker: {e}");
            std::process::exit(1);
        }
    };
    let shutdown = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    };
    if let Err(e) = jobs.run(workers, shutdown).await {
        eprintln!("camguard-worker: {e}");
        store.close().await;
        std::process::exit(1);
    }
    store.close().await;
}
