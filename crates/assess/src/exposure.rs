//! Exposure: telnet, FTP, SSH, vendor SDK ports, UPnP (unicast SSDP only — never multicast).

use crate::ctx::Ctx;
use crate::evidence::excerpt;
use camguard_probe::keys;
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::net::UdpSocket;

pub(crate) async fn run(ctx: &Ctx<'_>) {
    for (service, id, key) in [
        ("telnet", "telnet-enabled", keys::BANNER_TELNET),
        ("ftp", "ftp-enabled", keys::BANNER_FTP),
        ("ssh", "ssh-enabled", keys::BANNER_SSH),
    ] {
        for port in ctx.ports_with(&[service]) {
            let banner = ctx
                .obs_on(port, key)
                .next()
                .map(|b| excerpt(b.as_bytes(), 120));
            ctx.add(
                id,
                Some(port),
                json!({ "service": service, "port": port, "banner": banner }),
            );
        }
    }
    for p in &ctx.report.open_ports {
        if p.transport == camguard_model::Transport::Tcp && p.service.ends_with("-sdk") {
            let reply = ctx
                .obs_on(p.port, keys::SDK_REPLY)
                .next()
                .map(|b| excerpt(b.as_bytes(), 64));
            ctx.add(
                "vendor-sdk-port-exposed",
                Some(p.port),
                json!({ "service": p.service, "port": p.port, "reply": reply }),
            );
        }
    }
    upnp(ctx).await;
}

/// The UPnP description served on 49152 (seen by identification), or a unicast SSDP
/// `M-SEARCH` to port 1900 of this host answered with `HTTP/1.1 200`.
async fn upnp(ctx: &Ctx<'_>) {
    for port in [49152u16] {
        if ctx
            .obs_on(port, keys::HTTP_BODY)
            .any(|b| b.contains("urn:schemas-upnp-org:device"))
        {
            ctx.add(
                "upnp-exposed",
                Some(port),
                json!({ "port": port, "seen": "UPnP device description (urn:schemas-upnp-org:device) over HTTP" }),
            );
            return;
        }
    }
    if let Some(reply) = ssdp_unicast(ctx.ip, Duration::from_millis(1500).min(ctx.left())).await {
        ctx.add(
            "upnp-exposed",
            None,
            json!({ "port": 1900, "transport": "udp", "request": "M-SEARCH * (unicast)", "reply_excerpt": excerpt(reply.as_bytes(), 200) }),
        );
    }
}

/// Is `ip` an address a unicast datagram may go to? (Never multicast or broadcast.)
pub(crate) fn is_unicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            !a.is_multicast() && !a.is_broadcast() && !a.is_unspecified() && a.octets()[3] != 255
        }
        IpAddr::V6(a) => !a.is_multicast() && !a.is_unspecified(),
    }
}

async fn ssdp_unicast(ip: IpAddr, wait: Duration) -> Option<String> {
    if !is_unicast(ip) || wait.is_zero() {
        return None;
    }
    let bind: SocketAddr = match ip {
        IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let sock = UdpSocket::bind(bind).await.ok()?;
    sock.connect(SocketAddr::new(ip, 1900)).await.ok()?;
    let host = match ip {
        IpAddr::V4(a) => format!("{a}:1900"),
        IpAddr::V6(a) => format!("[{a}]:1900"),
    };
    let msg = format!(
        "M-SEARCH * HTTP/1.1\r\nHOST: {host}\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n"
    );
    sock.send(msg.as_bytes()).await.ok()?;
    let mut buf = [0u8; 2048];
    let n = tokio::time::timeout(wait, sock.recv(&mut buf))
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    text.starts_with("HTTP/1.1 200").then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_multicast_or_broadcast() {
        assert!(!is_unicast("239.255.255.250".parse().unwrap()));
        assert!(!is_unicast("255.255.255.255".parse().unwrap()));
        assert!(!is_unicast("192.168.1.255".parse().unwrap()));
        assert!(!is_unicast("ff02::c".parse().unwrap()));
        assert!(is_unicast("127.94.0.7".parse().unwrap()));
    }

    #[tokio::test]
    async fn ssdp_to_a_closed_port_is_quiet() {
        // Loopback, nothing listens on 1900 here: no reply, no panic.
        assert!(
            ssdp_unicast("127.94.255.7".parse().unwrap(), Duration::from_millis(300))
                .await
                .is_none()
        );
    }
}
