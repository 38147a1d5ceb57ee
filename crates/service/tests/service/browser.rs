//! A browser's view of the dashboard, in process: requests with cookies, forms with the CSRF
//! token, and signing in (shared by web.rs and web_pages.rs).

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use tower::ServiceExt;

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `name=value` parts of the `Set-Cookie` headers.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").to_string())
            .collect()
    }

    /// The value of the first `name="…" value="…"` (a hidden field) or `<meta name="…">`.
    pub fn field(&self, name: &str) -> Option<String> {
        for pat in [
            format!("name=\"{name}\" value=\""),
            format!("name=\"{name}\" content=\""),
        ] {
            if let Some(i) = self.body.find(&pat) {
                let rest = &self.body[i + pat.len()..];
                return rest.split('"').next().map(String::from);
            }
        }
        None
    }
}

pub async fn send(router: &axum::Router, req: Request<Body>) -> Answer {
    let res = router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), 16 << 20)
        .await
        .unwrap();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub fn get(path: &str, cookies: &str) -> Request<Body> {
    let mut r = Request::get(path);
    if !cookies.is_empty() {
        r = r.header(header::COOKIE, cookies);
    }
    r.body(Body::empty()).unwrap()
}

pub fn form(path: &str, cookies: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut r =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if !cookies.is_empty() {
        r = r.header(header::COOKIE, cookies);
    }
    r.body(Body::from(body)).unwrap()
}

/// A signed-in browser: its cookies and the session's CSRF token.
pub struct Browser {
    pub cookies: String,
    pub csrf: String,
}

/// Sign in as `user` with `password` through the login page.
pub async fn sign_in(router: &axum::Router, user: &str, password: &str) -> Browser {
    let page = send(router, get("/login", "")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let pre = page.cookies().join("; ");
    let token = page.field("_csrf").unwrap();
    let res = send(
        router,
        form(
            "/login",
            &pre,
            &[
                ("_csrf", &token),
                ("username", user),
                ("password", password),
                ("next", "/"),
            ],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let session = res
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("camguard_session="))
        .unwrap();
    let tokens = send(router, get("/tokens", &session)).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    Browser {
        csrf: tokens.field("csrf-token").unwrap(),
        cookies: session,
    }
}
