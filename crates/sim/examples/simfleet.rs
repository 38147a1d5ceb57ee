//! Runs a simulated fleet until Ctrl-C: `cargo run -p camguard-sim --example simfleet -- 127.66.0.0 16384 1 truth.json`
#![expect(
    clippy::print_stderr,
    reason = "a command-line example prints where the fleet listens"
)]

use camguard_sim::FleetConfig;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut a = std::env::args().skip(1);
    let base = a.next().unwrap_or_else(|| "127.66.0.0".into()).parse()?;
    let hosts = a.next().map(|s| s.parse()).transpose()?.unwrap_or(16384);
    let seed = a.next().map(|s| s.parse()).transpose()?.unwrap_or(1);
    let truth = a.next().map(std::path::PathBuf::from);
    let cfg = FleetConfig::new(base, hosts, seed);
    let t = camguard_sim::run_until(cfg, truth.as_deref(), async {
        eprintln!("fleet up; Ctrl-C to stop");
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    eprintln!("stopped; {} hosts had something listening", t.entries.len());
    Ok(())
}
