//! `camguard sim`: run a simulated fleet until SIGINT/SIGTERM.

use crate::cli::SimArgs;
use crate::exit;
use anyhow::Context;

pub async fn run(args: SimArgs) -> anyhow::Result<u8> {
    if args.base.octets()[0] != 127 {
        return Err(crate::usage(format!(
            "--base {} is not a loopback address: the simulator only runs on 127.0.0.0/8",
            args.base
        )));
    }
    let last = u32::from(args.base).checked_add(args.hosts.saturating_sub(1));
    if args.hosts == 0 || last.is_none_or(|l| l >> 24 != 127) {
        return Err(crate::usage(format!(
            "--hosts {} from {} leaves 127.0.0.0/8",
            args.hosts, args.base
        )));
    }
    let mut cfg = camguard_sim::FleetConfig::new(args.base, args.hosts, args.seed);
    cfg.profiles_dir = args.profiles.clone();
    let started = std::time::Instant::now();
    let fleet = camguard_sim::Fleet::start(cfg)
        .await
        .with_context(|| format!("starting the simulated fleet on {}", args.base))?;
    let truth = fleet.truth();
    if let Some(path) = &args.truth {
        let json = serde_json::to_vec_pretty(truth)?;
        std::fs::write(path, json)
            .with_context(|| format!("writing the truth file {}", path.display()))?;
    }
    let cameras = truth.entries.iter().filter(|h| h.is_camera).count();
    let last = std::net::Ipv4Addr::from(u32::from(args.base) + args.hosts - 1);
    eprintln!(
        "camguard sim: ready in {:.1?}: {} devices ({cameras} cameras) on {}-{}; Ctrl-C to stop",
        started.elapsed(),
        truth.entries.len(),
        args.base,
        last
    );
    super::shutdown_signal().await;
    eprintln!("camguard sim: stopping");
    fleet.shutdown().await;
    Ok(exit::OK)
}
