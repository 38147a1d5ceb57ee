//! `camguard serve`: the multi-user service (crates/service) on the registry.

use crate::cli_serve::ServeArgs;
use crate::cmd::registry::open_store;
use crate::exit;
use anyhow::Context;
use camguard_service::{ServeConfig, Server};
use std::time::Duration;

pub async fn serve(args: ServeArgs) -> anyhow::Result<u8> {
    let kb = crate::cmd::load_kb(&Default::default())?;
    let store = open_store(&args.db).await?;
    let config = ServeConfig {
        listen: args.listen,
        tls: args.tls_cert.zip(args.tls_key),
        session_ttl: Duration::from_secs(args.session_hours * 3600),
        body_limit: usize::try_from(args.max_body_mib << 20).unwrap_or(usize::MAX),
        grace: Duration::from_secs(args.grace),
        workers: args.workers,
        heartbeat: Duration::from_secs(args.heartbeat),
        ..ServeConfig::default()
    };
    let https = config.tls.is_some();
    if store.users().await.is_ok_and(|u| u.is_empty()) {
        eprintln!("camguard: {}", crate::tr!("serve-no-account"));
    }
    let server = Server::bind(store.clone(), kb, config)
        .await
        .context("camguard serve")?;
    let addr = server.local_addr()?;
    eprintln!(
        "camguard: {}",
        crate::tr!(
            "serve-listening",
            url = format!("{}://{addr}", if https { "https" } else { "http" }),
            database = camguard_store::redact_url(store.url())
        )
    );
    server
        .run(shutdown_signal())
        .await
        .context("camguard serve")?;
    store.close().await;
    eprintln!("camguard: {}", crate::tr!("serve-stopped"));
    Ok(exit::OK)
}

/// SIGTERM or Ctrl-C.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = ctrl_c.await;
            return;
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
