//! The port flow: which protocol flow runs first (by the port hint) and the hand-overs between
//! them (see the crate docs).

use crate::config::ProbeConfig;
use crate::report::{Hint, Next, PortReport};
use crate::{banner, http, rtsp};
use std::net::IpAddr;

/// Probe one open TCP port. `hint` is the service the knowledge base expects there (`http`,
/// `https`, `rtsp`, `onvif`, `telnet`, `ftp`, `ssh`, `sdk:<vendor>`, `rtmp`, `unknown`); the
/// report says what the port actually spoke. Never panics, never hangs: each step is bounded
/// by `step_timeout`, and the whole probe by a backstop of twelve steps.
pub async fn probe_port(ip: IpAddr, port: u16, hint: &str, cfg: &ProbeConfig) -> PortReport {
    let mut rep = PortReport {
        port,
        ..Default::default()
    };
    let backstop = cfg
        .step_timeout
        .saturating_mul(12)
        .saturating_add(cfg.connect_timeout);
    let hint = Hint::parse(hint);
    if tokio::time::timeout(backstop, run(ip, port, hint, cfg, &mut rep))
        .await
        .is_err()
    {
        rep.note(format!(
            "probe abandoned after {:.1}s",
            backstop.as_secs_f64()
        ));
    }
    rep
}

async fn run(ip: IpAddr, port: u16, hint: Hint, cfg: &ProbeConfig, rep: &mut PortReport) {
    #[derive(PartialEq)]
    enum Flow {
        Http(Hint),
        Rtsp,
        Banner(Hint),
    }
    let mut flow = match hint {
        Hint::Http | Hint::Https | Hint::Onvif => Flow::Http(hint),
        Hint::Rtsp => Flow::Rtsp,
        other => Flow::Banner(other),
    };
    let mut ran: Vec<&'static str> = Vec::new();
    for _ in 0..3 {
        let (name, next) = match flow {
            Flow::Http(h) => {
                let name = if h == Hint::Https { "https" } else { "http" };
                (name, http::probe_http(ip, port, h, cfg, rep).await)
            }
            Flow::Rtsp => ("rtsp", rtsp::probe_rtsp(ip, port, cfg, rep).await),
            Flow::Banner(h) => ("banner", banner::probe_banner(ip, port, h, cfg, rep).await),
        };
        ran.push(name);
        flow = match next {
            Next::Done => return,
            Next::Http => Flow::Http(Hint::Http),
            Next::Https => Flow::Http(Hint::Https),
            Next::Rtsp => Flow::Rtsp,
        };
        let next_name = match &flow {
            Flow::Http(Hint::Https) => "https",
            Flow::Http(_) => "http",
            Flow::Rtsp => "rtsp",
            Flow::Banner(_) => "banner",
        };
        if ran.contains(&next_name) {
            rep.note(format!(
                "{next_name} already tried; giving up on classification"
            ));
            if rep.service.is_none() {
                rep.set_service("unknown");
            }
            return;
        }
    }
}
