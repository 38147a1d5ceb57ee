//! `camguard kb`: what the knowledge base holds.

use crate::cli::KbArgs;
use crate::exit;

pub fn run(args: KbArgs) -> anyhow::Result<u8> {
    let kb = super::load_kb(&args.kb)?;
    if args.json {
        let files: Vec<_> = kb
            .sources
            .iter()
            .map(|s| {
                serde_json::json!({
                    "file": s.name, "version": s.version, "sha256": s.sha256,
                    "origin": match &s.origin { camguard_kb::Origin::Embedded => "embedded".to_string(), camguard_kb::Origin::File(p) => p.display().to_string() },
                })
            })
            .collect();
        let doc = serde_json::json!({
            "files": files,
            "fingerprint_rules": kb.fingerprints.len(),
            "vendors": kb.vendors.iter().map(|v| &v.id).collect::<Vec<_>>(),
            "default_ports": kb.ports.defaults(),
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!("{:<40} {:<12} {:<14} ORIGIN", "FILE", "VERSION", "SHA-256");
        for s in &kb.sources {
            let origin = match &s.origin {
                camguard_kb::Origin::Embedded => "embedded".to_string(),
                camguard_kb::Origin::File(p) => p.display().to_string(),
            };
            println!(
                "{:<40} {:<12} {:<14} {origin}",
                s.name,
                s.version,
                &s.sha256[..12]
            );
        }
        println!(
            "\n{} fingerprint rules, {} vendors, {} default ports",
            kb.fingerprints.len(),
            kb.vendors.len(),
            kb.ports.defaults().len()
        );
    }
    Ok(exit::OK)
}
