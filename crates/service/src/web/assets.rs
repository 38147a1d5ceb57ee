//! The dashboard's static files, embedded in the binary and served under
//! `/assets/<content hash>/<name>` with a year-long immutable cache: a new build with a
//! changed file gets a new address, so a browser never keeps a stale copy.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

struct Asset {
    name: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

const FILES: &[Asset] = &[
    Asset {
        name: "htmx.min.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/htmx.min.js"),
    },
    Asset {
        name: "app.css",
        mime: "text/css; charset=utf-8",
        body: include_bytes!("../../assets/app.css"),
    },
];

fn hashes() -> &'static Vec<String> {
    static H: OnceLock<Vec<String>> = OnceLock::new();
    H.get_or_init(|| {
        FILES
            .iter()
            .map(|a| {
                let d = Sha256::digest(a.body);
                d[..6].iter().map(|b| format!("{b:02x}")).collect()
            })
            .collect()
    })
}

/// The address of an embedded file (`/assets/<hash>/<name>`).
pub fn url(name: &str) -> String {
    FILES
        .iter()
        .zip(hashes())
        .find(|(a, _)| a.name == name)
        .map_or_else(String::new, |(a, h)| format!("/assets/{h}/{}", a.name))
}

/// `GET /assets/{hash}/{name}`: the file, when the hash is its current one.
pub async fn serve(Path((hash, name)): Path<(String, String)>) -> Response {
    match FILES
        .iter()
        .zip(hashes())
        .find(|(a, h)| a.name == name && **h == hash)
    {
        Some((a, _)) => (
            [
                (header::CONTENT_TYPE, a.mime),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            a.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
