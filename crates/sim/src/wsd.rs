//! WS-Discovery: answers a unicast `Probe` on (host, 3702/udp) with `ProbeMatches`.
//! Replies go only to 127.x senders; nothing joins a multicast group.

use crate::onvif::parse_soap;
use crate::runtime::{Ctx, HostRt};
use crate::template::{render, runtime_rng};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::UdpSocket;

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The ProbeMatches document for `host`, relating to `relates_to`.
pub(crate) fn probe_matches(host: &HostRt, relates_to: &str, seq: u64) -> Option<String> {
    let plan = &host.plan;
    let o = plan.profile.def.onvif.as_ref()?;
    let base = if o.port == 80 {
        format!("http://{}", plan.ip)
    } else {
        format!("http://{}:{}", plan.ip, o.port)
    };
    let scopes: Vec<String> = o.scopes.iter().map(|s| render(s, &plan.vars)).collect();
    let msg_id = {
        let h = runtime_rng().hex(32);
        format!(
            "uuid:{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    };
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\" xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"><SOAP-ENV:Header><wsa:MessageID>{msg_id}</wsa:MessageID><wsa:RelatesTo>{}</wsa:RelatesTo><wsa:To SOAP-ENV:mustUnderstand=\"true\">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To><wsa:Action SOAP-ENV:mustUnderstand=\"true\">http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action><d:AppSequence SOAP-ENV:mustUnderstand=\"true\" MessageNumber=\"{seq}\" InstanceId=\"1\"/></SOAP-ENV:Header><SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:{}</wsa:Address></wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types><d:Scopes>{}</d:Scopes><d:XAddrs>{base}{}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>\n",
        xml_escape(relates_to),
        plan.vars["uuid"],
        xml_escape(&scopes.join(" ")),
        o.device_service
    ))
}

pub(crate) async fn run(sock: UdpSocket, host: Arc<HostRt>, ctx: Arc<Ctx>) {
    let mut sd = ctx.shutdown.clone();
    let mut buf = vec![0u8; 16 * 1024];
    let mut seq = 0u64;
    loop {
        let r = tokio::select! {
            _ = sd.changed() => break,
            r = sock.recv_from(&mut buf) => r,
        };
        let Ok((n, peer)) = r else { continue };
        let SocketAddr::V4(p4) = peer else { continue };
        if p4.ip().octets()[0] != 127 || n == 0 || n >= buf.len() {
            continue;
        }
        let text = String::from_utf8_lossy(&buf[..n]);
        let Some(req) = parse_soap(&text) else {
            continue;
        };
        if req.op != "Probe" {
            continue;
        }
        // Answer probes for video transmitters, devices, or anything (empty Types).
        if let Some(t) = &req.types {
            let t = t.trim();
            if !t.is_empty()
                && !t.split_whitespace().any(|x| {
                    x.ends_with(":NetworkVideoTransmitter")
                        || x.ends_with(":Device")
                        || x == "NetworkVideoTransmitter"
                        || x == "Device"
                })
            {
                continue;
            }
        }
        seq += 1;
        let relates = req.message_id.unwrap_or_default();
        if let Some(doc) = probe_matches(&host, &relates, seq) {
            let _ = sock.send_to(doc.as_bytes(), peer).await;
        }
    }
}
