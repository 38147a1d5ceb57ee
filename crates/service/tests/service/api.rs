//! The API's behaviour beyond tenancy: the committed OpenAPI document, sessions and CSRF,
//! login throttling, errors in the caller's language and the body limit.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use camguard_service::{AppState, ServeConfig, ThrottleConfig, app};
use camguard_store::{Actor, OrgKind, Password, Reach, Role, Store};
use serde_json::{Value, json};
use std::time::Duration;
use tower::ServiceExt;

const PW: &str = "Api-Test-Password-4242";

async fn setup(config: ServeConfig) -> (tempfile::TempDir, Store, axum::Router) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("r.db").display().to_string())
        .await
        .unwrap();
    store
        .add_org("HN", "Hà Nội", OrgKind::Province, None, &[], &[])
        .await
        .unwrap();
    store
        .add_user(
            "alice",
            Role::Regulator,
            Some("HN"),
            &Password::new(PW),
            &Actor::cli(None),
        )
        .await
        .unwrap();
    let state = AppState::new(store.clone(), camguard_kb::Kb::embedded().unwrap(), &config)
        .await
        .unwrap();
    let router = app(state, &config);
    (dir, store, router)
}

async fn send(router: &axum::Router, req: Request<Body>) -> (StatusCode, HeaderMap, Value) {
    let res = router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), 16 << 20)
        .await
        .unwrap();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn login(user: &str, pw: &str) -> Request<Body> {
    Request::post("/api/v1/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"username": user, "password": pw}).to_string(),
        ))
        .unwrap()
}

#[tokio::test]
async fn the_served_openapi_document_is_the_committed_one() {
    let (_d, _s, router) = setup(ServeConfig::default()).await;
    let res = router
        .clone()
        .oneshot(
            Request::get("/api/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let served = String::from_utf8(
        axum::body::to_bytes(res.into_body(), 16 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    let generated = camguard_service::openapi().to_pretty_json().unwrap();
    assert_eq!(served, generated);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    if std::env::var("CAMGUARD_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(path, format!("{generated}\n")).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed.trim_end() == served,
        "docs/openapi.json differs from the served document: run `CAMGUARD_BLESS=1 cargo test -p camguard-service --test service api::` and commit it"
    );
    let doc: Value = serde_json::from_str(&served).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    // The routes of docs/spec/api.md that exist so far are all described.
    for p in [
        "/api/v1/login",
        "/api/v1/logout",
        "/api/v1/tokens",
        "/api/v1/orgs",
        "/api/v1/orgs/{code}",
        "/api/v1/status",
        "/api/v1/cameras",
        "/api/v1/cameras/import",
        "/api/v1/findings",
        "/api/v1/findings/{id}/fix",
        "/api/v1/findings/{id}/accept",
        "/api/v1/findings/{id}/reopen",
        "/api/v1/audit",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing from the document");
    }
}

#[tokio::test]
async fn sessions_use_strict_cookies_and_csrf_tokens() {
    let (_d, store, router) = setup(ServeConfig::default()).await;
    let (s, h, body) = send(&router, login("ALICE", PW)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["username"], "alice");
    assert_eq!(body["role"], "regulator");
    let csrf = body["csrf_token"].as_str().unwrap().to_string();
    let cookie = h[header::SET_COOKIE].to_str().unwrap().to_string();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "no TLS, no Secure: {cookie}");
    let session = cookie.split(';').next().unwrap().to_string();

    // A change without the CSRF token is refused; with it, done.
    let token_req = |csrf: Option<&str>| {
        let mut r = Request::post("/api/v1/tokens").header(header::COOKIE, &session);
        if let Some(c) = csrf {
            r = r.header("x-csrf-token", c);
        }
        r.body(Body::empty()).unwrap()
    };
    let (s, _, body) = send(&router, token_req(None)).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("csrf"))
    );
    let (s, _, _) = send(&router, token_req(Some("wrong"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, body) = send(&router, token_req(Some(&csrf))).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let token = body["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("cgt_"));

    // A bearer token needs no CSRF token.
    let (s, _, body) = send(
        &router,
        Request::post("/api/v1/tokens")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");

    // Logout ends the session.
    let (s, h, _) = send(
        &router,
        Request::post("/api/v1/logout")
            .header(header::COOKIE, &session)
            .header("x-csrf-token", &csrf)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(
        h[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let (s, _, _) = send(
        &router,
        Request::get("/api/v1/me")
            .header(header::COOKIE, &session)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // The audit log has the logins, the tokens and the logout, and no secret.
    let log = store
        .audit_page(&Reach::All, None, 1000, None)
        .await
        .unwrap();
    let text = format!("{:?}", log.items);
    for action in ["login", "token.create", "logout"] {
        assert!(
            log.items.iter().any(|e| e.action == action),
            "{action} not in {text}"
        );
    }
    for secret in [
        PW,
        token.as_str(),
        csrf.as_str(),
        session.split('=').nth(1).unwrap(),
    ] {
        assert!(!text.contains(secret), "a secret is in the audit log");
    }
}

#[tokio::test]
async fn wrong_names_and_passwords_look_alike_and_repeated_attempts_are_throttled() {
    let config = ServeConfig {
        throttle: ThrottleConfig {
            account_burst: 3,
            account_every: Duration::from_secs(3600),
            address_burst: 100,
            address_every: Duration::from_secs(3600),
        },
        ..ServeConfig::default()
    };
    let (_d, _s, router) = setup(config).await;
    let (s1, _, b1) = send(&router, login("alice", "not-the-password-1")).await;
    let (s2, _, b2) = send(&router, login("nobody", "not-the-password-1")).await;
    assert_eq!(
        (s1, s2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(b1, b2);
    send(&router, login("alice", "not-the-password-2")).await;
    send(&router, login("alice", "not-the-password-3")).await;
    // The account's bucket is empty: even the right password waits.
    let (s, h, b) = send(&router, login("alice", PW)).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_requests"))
    );
    assert!(
        h[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 60
    );
    // Another account from the same address is not held back by alice's.
    let (s, _, _) = send(&router, login("nobody", "x")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn errors_are_json_in_the_callers_language() {
    let config = ServeConfig {
        body_limit: 1024,
        ..ServeConfig::default()
    };
    let (_d, _s, router) = setup(config).await;
    let (s, h, b) = send(
        &router,
        Request::get("/no/such/route").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Không tìm thấy")
    );
    let (_, _, b) = send(
        &router,
        Request::get("/api/v1/orgs")
            .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(b["error"]["code"], "unauthenticated");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Not logged in"),
        "{b}"
    );
    // A NUL in a query (PostgreSQL refuses it in text) or in a JSON body is a bad request.
    let (s, _, b) = send(
        &router,
        Request::get("/api/v1/cameras?org=A%00B")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request")),
        "{b}"
    );
    // In a JSON body it is replaced (U+FFFD): this name exists in no registry.
    let (s, _, b) = send(&router, login("ali\u{0}ce", PW)).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated")),
        "{b}"
    );
    // Malformed JSON, and a body over the limit.
    let (s, _, b) = send(
        &router,
        Request::post("/api/v1/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{\"username\": "))
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request")),
        "{b}"
    );
    let (s, _, b) = send(
        &router,
        Request::post("/api/v1/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!(
                "{{\"username\": \"{}\", \"password\": \"x\"}}",
                "a".repeat(4096)
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")),
        "{b}"
    );
}
