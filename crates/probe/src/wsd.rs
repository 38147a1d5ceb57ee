//! WS-Discovery, unicast only: a `Probe` sent to the host's own address on UDP 3702, never
//! to the multicast group.

use crate::config::ProbeConfig;
use crate::keys;
use crate::soap::parse_probe_matches;
use crate::util::truncate_chars;
use camguard_model::Observation;
use rand::Rng as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::time::{Instant, timeout};

/// The WS-Discovery port.
pub const WSD_PORT: u16 = 3702;
/// Largest datagram read.
const MAX_DATAGRAM: usize = 64 * 1024;
/// Most datagrams looked at per probe.
const MAX_DATAGRAMS: usize = 8;

/// A random `urn:uuid:` (version 4).
pub fn message_id() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = crate::util::hex(&b, 16);
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A WS-Discovery (2005/04, as ONVIF uses) `Probe` for the given types.
pub fn probe_message(message_id: &str, types: &str) -> String {
    format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" ",
            "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" ",
            "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" ",
            "xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\" ",
            "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\">",
            "<s:Header>",
            "<a:Action s:mustUnderstand=\"1\">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>",
            "<a:MessageID>{id}</a:MessageID>",
            "<a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>",
            "<a:To s:mustUnderstand=\"1\">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>",
            "</s:Header>",
            "<s:Body><d:Probe><d:Types>{types}</d:Types></d:Probe></s:Body>",
            "</s:Envelope>"
        ),
        id = message_id,
        types = types
    )
}

/// Send a unicast WS-Discovery Probe to `ip:3702/udp` (both the old `dn:NetworkVideoTransmitter`
/// and the newer `tds:Device` type, as ONVIF recommends) and turn the replies from that address
/// into `wsd.scope` (one per scope), `wsd.types`, `wsd.xaddrs` and `wsd.address` observations
/// (port 3702). Waits at most `read_timeout` (and `step_timeout`); never sends to a multicast or
/// broadcast address.
pub async fn wsd_probe(ip: IpAddr, cfg: &ProbeConfig) -> Vec<Observation> {
    let mut out: Vec<Observation> = Vec::new();
    if is_group_address(ip) {
        return out;
    }
    let bind: SocketAddr = match ip {
        IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let Ok(sock) = UdpSocket::bind(bind).await else {
        return out;
    };
    let target = SocketAddr::new(ip, WSD_PORT);
    // A connected socket: the kernel drops datagrams from anyone else, and an ICMP "port
    // unreachable" (no WS-Discovery service, the common case) ends the wait at once instead
    // of after the read timeout.
    if sock.connect(target).await.is_err() {
        return out;
    }
    let probes = [
        probe_message(&message_id(), "dn:NetworkVideoTransmitter"),
        probe_message(&message_id(), "tds:Device"),
    ];
    for p in &probes {
        if sock.send(p.as_bytes()).await.is_err() {
            return out; // e.g. ICMP unreachable reported on send
        }
    }
    let deadline = Instant::now() + cfg.read_timeout.min(cfg.step_timeout);
    let mut resent = false;
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut seen = 0;
    let mut matched = false;
    while seen < MAX_DATAGRAMS {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        // After a valid reply, linger only briefly for the second one.
        let mut wait = deadline - now;
        if matched {
            wait = wait.min(Duration::from_millis(250));
        } else if !resent {
            wait = wait.min(cfg.read_timeout / 2);
        }
        match timeout(wait, sock.recv(&mut buf)).await {
            Ok(Ok(n)) => {
                seen += 1;
                if let Ok(matches) = parse_probe_matches(&buf[..n]) {
                    for m in matches {
                        matched = true;
                        let mut push = |k: &str, v: String| {
                            if !out.iter().any(|o| o.key == k && o.value == v) {
                                out.push(Observation::new(WSD_PORT, k, v));
                            }
                        };
                        for s in &m.scopes {
                            push(keys::WSD_SCOPE, truncate_chars(s, 512));
                        }
                        if !m.types.is_empty() {
                            push(keys::WSD_TYPES, truncate_chars(&m.types.join(" "), 512));
                        }
                        if !m.xaddrs.is_empty() {
                            push(keys::WSD_XADDRS, truncate_chars(&m.xaddrs.join(" "), 1024));
                        }
                        if let Some(a) = &m.address {
                            push(keys::WSD_ADDRESS, truncate_chars(a, 256));
                        }
                    }
                }
            }
            Ok(Err(_)) => break, // e.g. port unreachable
            Err(_) => {
                if matched {
                    break;
                }
                if !resent {
                    // UDP may be lost: send once more, then wait out the rest.
                    resent = true;
                    for p in &probes {
                        let _ = sock.send(p.as_bytes()).await;
                    }
                }
            }
        }
    }
    out
}

/// Multicast, broadcast or unspecified: never a WS-Discovery target here.
fn is_group_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => a.is_multicast() || a.is_broadcast() || a.is_unspecified(),
        IpAddr::V6(a) => a.is_multicast() || a.is_unspecified(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_shape() {
        let id = message_id();
        assert!(id.starts_with("urn:uuid:"));
        assert_eq!(id.len(), 9 + 36);
        assert_eq!(&id[9 + 14..9 + 15], "4");
        let m = probe_message(&id, "dn:NetworkVideoTransmitter");
        let f = crate::soap::flatten(m.as_bytes()).unwrap();
        assert_eq!(f.root, "Envelope");
        assert!(
            f.leaves
                .iter()
                .any(|l| l.text == "dn:NetworkVideoTransmitter")
        );
    }

    #[test]
    fn refuses_group_addresses() {
        assert!(is_group_address("239.255.255.250".parse().unwrap()));
        assert!(is_group_address("255.255.255.255".parse().unwrap()));
        assert!(is_group_address("ff02::c".parse().unwrap()));
        assert!(!is_group_address("127.93.0.1".parse().unwrap()));
    }
}
