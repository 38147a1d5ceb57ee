//! The dashboard (crates/service/src/web), in process: the page session (login, logout,
//! CSRF, redirect when signed out), tenancy on the pages, the urge action, embedded assets and
//! the language.

use crate::browser::{self, Browser, form, get, send};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use camguard_service::{AppState, ServeConfig, app};
use camguard_store::{Actor, OrgKind, Password, Role, Store};

const PW: &str = "Web-Test-Password-4242";

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    router: axum::Router,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("r.db").display().to_string())
        .await
        .unwrap();
    for (code, name, kind, parent) in [
        ("HN", "Hà Nội", OrgKind::Province, None),
        ("HN-SO", "Sở Xây dựng Hà Nội", OrgKind::Unit, Some("HN")),
        ("HN-BV", "Bệnh viện Đống Đa", OrgKind::Unit, Some("HN")),
        ("DN", "Đà Nẵng", OrgKind::Province, None),
        ("DN-CANG", "Cảng Tiên Sa", OrgKind::Unit, Some("DN")),
    ] {
        store
            .add_org(code, name, kind, parent, &[], &[])
            .await
            .unwrap();
    }
    for (user, role, org) in [
        ("reg", Role::Regulator, Some("HN")),
        ("officer", Role::Unit, Some("HN-SO")),
        ("aud", Role::Auditor, Some("HN")),
        ("root", Role::Admin, None),
    ] {
        store
            .add_user(user, role, org, &Password::new(PW), &Actor::cli(None))
            .await
            .unwrap();
    }
    for (code, org) in [
        ("SYS-SO", "HN-SO"),
        ("SYS-BV", "HN-BV"),
        ("SYS-CANG", "DN-CANG"),
    ] {
        store
            .add_system(code, "Camera giám sát", org, None, None)
            .await
            .unwrap();
    }
    let config = ServeConfig::default();
    let state = AppState::new(store.clone(), camguard_kb::Kb::embedded().unwrap(), &config)
        .await
        .unwrap();
    World {
        _dir: dir,
        store,
        router: app(state, &config),
    }
}

async fn sign_in(w: &World, user: &str) -> Browser {
    browser::sign_in(&w.router, user, PW).await
}

#[tokio::test]
async fn signed_out_pages_redirect_to_the_login_page() {
    let w = world().await;
    for path in [
        "/",
        "/overview",
        "/units/HN-SO",
        "/tokens",
        "/audit",
        "/password",
    ] {
        let res = send(&w.router, get(path, "")).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            res.location().starts_with("/login?next="),
            "{path}: {}",
            res.location()
        );
    }
    // A stale session cookie is no session.
    let res = send(&w.router, get("/overview", "camguard_session=stale")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    // htmx is told where to go instead.
    let mut req = get("/overview", "");
    req.headers_mut()
        .insert("hx-request", "true".parse().unwrap());
    let res = send(&w.router, req).await;
    assert_eq!(
        res.headers.get("hx-redirect").unwrap(),
        "/login?next=/overview"
    );
}

#[tokio::test]
async fn login_sets_the_api_session_and_logout_ends_it() {
    let w = world().await;
    // A wrong password: the form again, with the message, and the failure recorded.
    let page = send(&w.router, get("/login", "")).await;
    let pre = page.cookies().join("; ");
    let token = page.field("_csrf").unwrap();
    let bad = send(
        &w.router,
        form(
            "/login",
            &pre,
            &[("_csrf", &token), ("username", "reg"), ("password", "nope")],
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.body.contains("login-error"), "{}", bad.body);
    assert!(
        bad.cookies()
            .iter()
            .all(|c| !c.starts_with("camguard_session"))
    );
    let log = w.store.audit_log(None).await.unwrap();
    assert!(log.iter().any(|e| e.action == "login.fail"));

    // After login, the page asked for (only a path of this service).
    for (next, to) in [
        ("/tokens", "/tokens"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
    ] {
        let res = send(
            &w.router,
            form(
                "/login",
                &pre,
                &[
                    ("_csrf", &token),
                    ("username", "aud"),
                    ("password", PW),
                    ("next", next),
                ],
            ),
        )
        .await;
        assert_eq!(
            (res.status, res.location()),
            (StatusCode::SEE_OTHER, to),
            "{next}"
        );
    }
    let b = sign_in(&w, "reg").await;
    // The page session is the API's session: the same cookie and CSRF token work there.
    let me = send(&w.router, get("/api/v1/me", &b.cookies)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert!(me.body.contains("\"reg\""));
    let api_change = send(
        &w.router,
        Request::post("/api/v1/tokens")
            .header(header::COOKIE, &b.cookies)
            .header("x-csrf-token", &b.csrf)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        api_change.status,
        StatusCode::CREATED,
        "{}",
        api_change.body
    );
    let log = w.store.audit_log(None).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "login" && e.subject == "user:reg")
    );

    let out = send(
        &w.router,
        form("/logout", &b.cookies, &[("_csrf", &b.csrf)]),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    assert_eq!(out.location(), "/login");
    assert!(out.cookies().contains(&"camguard_session=".to_string()));
    let after = send(&w.router, get("/tokens", &b.cookies)).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_post_needs_the_csrf_token() {
    let w = world().await;
    let b = sign_in(&w, "reg").await;
    for path in [
        "/logout",
        "/tokens",
        "/password",
        "/units/HN-SO/urge",
        "/lang",
    ] {
        let none = send(&w.router, form(path, &b.cookies, &[("days", "5")])).await;
        assert_eq!(none.status, StatusCode::FORBIDDEN, "{path} without a token");
        assert!(none.body.contains("<html"), "{path}: an error page");
        let wrong = send(
            &w.router,
            form(path, &b.cookies, &[("_csrf", "x".repeat(43).as_str())]),
        )
        .await;
        assert_eq!(
            wrong.status,
            StatusCode::FORBIDDEN,
            "{path} with a wrong token"
        );
    }
    // The session is still there (logout was refused), and nothing was created.
    assert_eq!(
        send(&w.router, get("/tokens", &b.cookies)).await.status,
        StatusCode::OK
    );
    assert!(w.store.tokens(Some("reg")).await.unwrap().is_empty());
    // The login form too: without the browser's pre-login token it is refused.
    let res = send(
        &w.router,
        form("/login", "", &[("username", "reg"), ("password", PW)]),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // With the token, as a header (htmx) or as a field, it goes through.
    let mut req = form("/tokens", &b.cookies, &[("days", "5")]);
    req.headers_mut()
        .insert("x-csrf-token", b.csrf.parse().unwrap());
    assert_eq!(send(&w.router, req).await.status, StatusCode::CREATED);
    let res = send(
        &w.router,
        form("/tokens", &b.cookies, &[("_csrf", &b.csrf), ("days", "5")]),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert_eq!(w.store.tokens(Some("reg")).await.unwrap().len(), 2);
}

#[tokio::test]
async fn tokens_are_shown_once_and_revoked() {
    let w = world().await;
    let b = sign_in(&w, "officer").await;
    let res = send(
        &w.router,
        form("/tokens", &b.cookies, &[("_csrf", &b.csrf), ("days", "7")]),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let token = res
        .body
        .split("value=\"cgt_")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let token = format!("cgt_{token}");
    let me = send(
        &w.router,
        Request::get("/api/v1/me")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(me.status, StatusCode::OK);
    let list = send(&w.router, get("/tokens", &b.cookies)).await;
    assert!(!list.body.contains(&token), "shown once only");
    let id = w.store.tokens(Some("officer")).await.unwrap()[0].id;
    // Another account's token is not found.
    let other = sign_in(&w, "reg").await;
    let res = send(
        &w.router,
        form(
            &format!("/tokens/{id}/revoke"),
            &other.cookies,
            &[("_csrf", &other.csrf)],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = send(
        &w.router,
        form(
            &format!("/tokens/{id}/revoke"),
            &b.cookies,
            &[("_csrf", &b.csrf)],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        w.store.tokens(Some("officer")).await.unwrap()[0]
            .revoked_at
            .is_some()
    );
}

#[tokio::test]
async fn the_password_is_changed_under_the_policy() {
    let w = world().await;
    let b = sign_in(&w, "officer").await;
    let weak = send(
        &w.router,
        form(
            "/password",
            &b.cookies,
            &[
                ("_csrf", &b.csrf),
                ("current", PW),
                ("new", "short"),
                ("confirm", "short"),
            ],
        ),
    )
    .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(weak.body.contains("class=\"error\""));
    let wrong = send(
        &w.router,
        form(
            "/password",
            &b.cookies,
            &[
                ("_csrf", &b.csrf),
                ("current", "not-it"),
                ("new", "A-much-longer-passphrase-7"),
                ("confirm", "A-much-longer-passphrase-7"),
            ],
        ),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let ok = send(
        &w.router,
        form(
            "/password",
            &b.cookies,
            &[
                ("_csrf", &b.csrf),
                ("current", PW),
                ("new", "A-much-longer-passphrase-7"),
                ("confirm", "A-much-longer-passphrase-7"),
            ],
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(
        w.store
            .verify_password("officer", &Password::new("A-much-longer-passphrase-7"))
            .await
            .unwrap()
            .is_some()
    );
    // The old session ended; the browser has a new one.
    assert_eq!(
        send(&w.router, get("/tokens", &b.cookies)).await.status,
        StatusCode::SEE_OTHER
    );
    let new = ok
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("camguard_session="))
        .unwrap();
    assert_eq!(
        send(&w.router, get("/tokens", &new)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn vietnamese_by_default_and_english_after_switching() {
    let w = world().await;
    let b = sign_in(&w, "reg").await;
    let vi = send(&w.router, get("/tokens", &b.cookies)).await;
    assert!(vi.body.contains("<html lang=\"vi\">"));
    assert!(vi.body.contains("Mã truy cập API"));
    let sw = send(
        &w.router,
        form(
            "/lang",
            &b.cookies,
            &[("_csrf", &b.csrf), ("lang", "en"), ("back", "/tokens")],
        ),
    )
    .await;
    assert_eq!(sw.status, StatusCode::SEE_OTHER);
    assert_eq!(sw.location(), "/tokens");
    let lang = sw
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("camguard_lang="))
        .unwrap();
    assert_eq!(lang, "camguard_lang=en");
    let en = send(&w.router, get("/tokens", &format!("{}; {lang}", b.cookies))).await;
    assert!(en.body.contains("<html lang=\"en\">"));
    assert!(en.body.contains("API tokens") && !en.body.contains("Mã truy cập API"));
    // Before login, with the browser's pre-login token.
    let login = send(&w.router, get("/login", "")).await;
    assert!(login.body.contains("<html lang=\"vi\">") && login.body.contains("Đăng nhập"));
    let pre = login.cookies().join("; ");
    let token = login.field("_csrf").unwrap();
    let sw = send(
        &w.router,
        form(
            "/lang",
            &pre,
            &[("_csrf", &token), ("lang", "en"), ("back", "/login")],
        ),
    )
    .await;
    assert_eq!(sw.status, StatusCode::SEE_OTHER);
    let login = send(&w.router, get("/login", &format!("{pre}; {lang}"))).await;
    assert!(login.body.contains("<html lang=\"en\">") && login.body.contains("Sign in"));
    // Error pages too.
    let nf = send(
        &w.router,
        get("/units/NOPE", &format!("{}; {lang}", b.cookies)),
    )
    .await;
    assert_eq!(nf.status, StatusCode::NOT_FOUND);
    assert!(nf.body.contains("Not found"), "{}", nf.body);
    let nf = send(&w.router, get("/units/NOPE", &b.cookies)).await;
    assert!(nf.body.contains("Không tìm thấy"), "{}", nf.body);
    // An unknown page, for a browser: a page; an unknown API route is still the API's JSON.
    let mut req = get("/no/such/page", &format!("{}; {lang}", b.cookies));
    req.headers_mut()
        .insert(header::ACCEPT, "text/html,*/*;q=0.8".parse().unwrap());
    let page = send(&w.router, req).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("<html lang=\"en\">"), "{}", page.body);
    let api = send(&w.router, get("/api/v1/nope", "")).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert!(api.body.contains("\"not_found\""));
}

/// Every `src`/`href`/`action` of a page: none may leave the service.
fn external_refs(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\"", "action=\""] {
        for part in body.split(attr).skip(1) {
            let v = part.split('"').next().unwrap_or("");
            if !(v.starts_with('/') || v.starts_with('#')) || v.starts_with("//") {
                out.push(v.to_string());
            }
        }
    }
    out
}

#[tokio::test]
async fn assets_are_embedded_and_pages_reference_nothing_outside() {
    let w = world().await;
    let login = send(&w.router, get("/login", "")).await;
    let csp = login
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("http"));
    let mut pages = vec![login.body.clone()];
    for user in ["reg", "officer", "aud", "root"] {
        let b = sign_in(&w, user).await;
        for path in [
            "/",
            "/overview",
            "/units/HN-SO",
            "/systems/SYS-SO",
            "/tokens",
            "/audit",
            "/password",
        ] {
            let res = send(&w.router, get(path, &b.cookies)).await;
            pages.push(res.body);
        }
    }
    let mut served = 0;
    for body in &pages {
        let bad = external_refs(body);
        assert!(bad.is_empty(), "external references {bad:?}");
        assert!(
            !body.contains("http://") && !body.contains("https://"),
            "{body}"
        );
        for part in body.split("=\"/assets/").skip(1) {
            let path = format!("/assets/{}", part.split('"').next().unwrap());
            let a = send(&w.router, get(&path, "")).await;
            assert_eq!(a.status, StatusCode::OK, "{path}");
            assert!(
                a.headers[header::CACHE_CONTROL]
                    .to_str()
                    .unwrap()
                    .contains("immutable")
            );
            assert!(a.body.len() > 1000, "{path}");
            served += 1;
        }
    }
    assert!(served >= 2);
    let js = send(
        &w.router,
        get(
            login
                .body
                .split("src=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap(),
            "",
        ),
    )
    .await;
    assert!(js.body.contains("htmx"));
    // An old hash is not served.
    assert_eq!(
        send(&w.router, get("/assets/000000000000/htmx.min.js", ""))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_overview_lists_the_regulators_units_and_not_another_provinces() {
    let w = world().await;
    let b = sign_in(&w, "reg").await;
    let res = send(&w.router, get("/overview", &b.cookies)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    for name in ["Sở Xây dựng Hà Nội", "Bệnh viện Đống Đa"] {
        assert!(res.body.contains(name), "{name} missing");
    }
    for other in ["Cảng Tiên Sa", "DN-CANG", "Đà Nẵng"] {
        assert!(!res.body.contains(other), "{other} shown to HN's regulator");
    }
    // The matrix has a row per unit and a state in each duty cell; the units have duties to
    // urge (no level approved, nothing assessed).
    assert!(res.body.contains("class=\"state s-"), "{}", res.body);
    assert!(res.body.contains("action=\"/units/HN-SO/urge\""));
    assert!(res.body.contains("<svg class=\"chart\""));
    // Why a duty is in its state is said in Vietnamese too (locales/vi/status.ftl), not in the
    // status document's English.
    assert!(res.body.contains("quá hạn: SYS-SO"), "{}", res.body);
    assert!(!res.body.contains("overdue: SYS-SO"), "{}", res.body);
    // The directive's deadlines have passed for duties not done: days late are shown.
    assert!(
        res.body.contains("s-overdue") && res.body.contains("ngày trễ"),
        "{}",
        res.body
    );
    // The admin sees both provinces.
    let a = sign_in(&w, "root").await;
    let all = send(&w.router, get("/overview", &a.cookies)).await;
    assert!(all.body.contains("Cảng Tiên Sa") && all.body.contains("Bệnh viện Đống Đa"));
}

#[tokio::test]
async fn the_overview_matrix_is_paged_and_filtered() {
    let w = world().await;
    // 60 more units under Hà Nội: with HN and its two units, 63 rows, two pages of 50.
    for i in 0..60 {
        w.store
            .add_org(
                &format!("HN-U{i:02}"),
                &format!("Trường số {i:02}"),
                OrgKind::Unit,
                Some("HN"),
                &[],
                &[],
            )
            .await
            .unwrap();
        // A system each, so that each is late on its duties and to be urged.
        w.store
            .add_system(
                &format!("SYS-U{i:02}"),
                "Camera",
                &format!("HN-U{i:02}"),
                None,
                None,
            )
            .await
            .unwrap();
    }
    let b = sign_in(&w, "reg").await;
    let matrix = |body: &str| -> String {
        body.split("id=\"matrix\"")
            .nth(1)
            .and_then(|m| m.split("</table>").next())
            .unwrap_or_default()
            .to_string()
    };
    let first = send(&w.router, get("/overview", &b.cookies)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let m = matrix(&first.body);
    assert_eq!(m.matches("<th scope=\"row\">").count(), 50, "{m}");
    assert!(
        m.contains("Trường số 46") && !m.contains("Trường số 47"),
        "{m}"
    );
    assert!(first.body.contains("1–50"), "{}", first.body);
    assert!(
        first.body.contains("href=\"/overview?page=2#matrix\""),
        "{}",
        first.body
    );
    // The units to urge (all 62 but the regulator's own province) are the first 20, with a
    // link to the rest.
    assert_eq!(
        first.body.matches("/urge\" hx-post").count(),
        20,
        "{}",
        first.body
    );
    assert!(first.body.contains("và 42 đơn vị khác"), "{}", first.body);

    let second = send(&w.router, get("/overview?page=2", &b.cookies)).await;
    let m = matrix(&second.body);
    assert_eq!(m.matches("<th scope=\"row\">").count(), 13, "{m}");
    assert!(
        m.contains("Trường số 59") && !m.contains("Trường số 46"),
        "{m}"
    );
    assert!(second.body.contains("51–63"), "{}", second.body);
    // A page past the end shows the last one.
    let past = send(&w.router, get("/overview?page=99", &b.cookies)).await;
    assert_eq!(matrix(&past.body), m);

    // Filtered by name (any case) or code.
    let found = send(&w.router, get("/overview?q=%C4%91%E1%BB%91ng", &b.cookies)).await;
    let m = matrix(&found.body);
    assert_eq!(m.matches("<th scope=\"row\">").count(), 1, "{m}");
    assert!(m.contains("Bệnh viện Đống Đa"), "{m}");
    let found = send(&w.router, get("/overview?q=hn-u05", &b.cookies)).await;
    assert!(matrix(&found.body).contains("Trường số 05"));
    let none = send(&w.router, get("/overview?q=zzz", &b.cookies)).await;
    assert!(
        none.body.contains("Không có đơn vị nào khớp bộ lọc."),
        "{}",
        none.body
    );
    // The filter is kept in the next page's link.
    let late = send(&w.router, get("/overview?late=1&q=tr", &b.cookies)).await;
    assert!(
        late.body
            .contains("href=\"/overview?q=tr&amp;late=1&amp;page=2#matrix\""),
        "{}",
        late.body
    );
    // Another province's units are in no page or filter.
    let other = send(&w.router, get("/overview?q=DN", &b.cookies)).await;
    assert!(!other.body.contains("Cảng Tiên Sa"), "{}", other.body);
}

#[tokio::test]
async fn another_units_pages_are_not_found_for_a_unit_officer() {
    let w = world().await;
    let b = sign_in(&w, "officer").await;
    let own = send(&w.router, get("/units/HN-SO", &b.cookies)).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert!(own.body.contains("SYS-SO"));
    let sys = send(&w.router, get("/systems/SYS-SO", &b.cookies)).await;
    assert_eq!(sys.status, StatusCode::OK, "{}", sys.body);
    for path in [
        "/units/HN-BV",
        "/units/DN-CANG",
        "/units/HN",
        "/systems/SYS-BV",
        "/systems/SYS-CANG",
    ] {
        let res = send(&w.router, get(path, &b.cookies)).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            !res.body.contains("Bệnh viện") && !res.body.contains("Cảng"),
            "{path}"
        );
        // The API answers the same.
        let api = path
            .replace("/units/", "/api/v1/orgs/")
            .replace("/systems/", "/api/v1/systems/");
        assert_eq!(
            send(&w.router, get(&api, &b.cookies)).await.status,
            StatusCode::NOT_FOUND,
            "{api}"
        );
    }
    // Changes on another unit's system: 404 too, before the role or the body.
    for (path, fields) in [
        ("/systems/SYS-BV/dossier", vec![("state", "submitted")]),
        ("/systems/SYS-BV/level", vec![]),
        ("/units/HN-BV/urge", vec![]),
    ] {
        let mut f = vec![("_csrf", b.csrf.as_str())];
        f.extend(fields);
        let res = send(&w.router, form(path, &b.cookies, &f)).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
    }
    // The overview is not the officer's; the audit log is not its role's.
    let res = send(&w.router, get("/audit", &b.cookies)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Its own unit: urging is the regulator's, not the unit's.
    let res = send(
        &w.router,
        form("/units/HN-SO/urge", &b.cookies, &[("_csrf", &b.csrf)]),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_urge_action_is_recorded_in_the_audit_log() {
    let w = world().await;
    let b = sign_in(&w, "reg").await;
    let before = w.store.audit_log(None).await.unwrap().len();
    let mut req = form("/units/HN-BV/urge", &b.cookies, &[("_csrf", &b.csrf)]);
    req.headers_mut()
        .insert("hx-request", "true".parse().unwrap());
    let res = send(&w.router, req).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("role=\"status\""));
    let log = w.store.audit_log(None).await.unwrap();
    assert_eq!(log.len(), before + 1);
    let e = log.last().unwrap();
    assert_eq!(e.action, "org.urge");
    assert_eq!(e.subject, "org:HN-BV");
    assert_eq!(e.actor, "reg");
    assert_eq!(e.org.as_deref(), Some("HN-BV"));
    assert!(
        e.after.as_ref().unwrap()["duties"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    );
    // Another province's unit: not found, nothing recorded.
    let res = send(
        &w.router,
        form("/units/DN-CANG/urge", &b.cookies, &[("_csrf", &b.csrf)]),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(w.store.audit_log(None).await.unwrap().len(), before + 1);
    // The auditor sees the entry on the audit page; the regulator may not read the log.
    let a = sign_in(&w, "aud").await;
    let page = send(&w.router, get("/audit", &a.cookies)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("org.urge") && page.body.contains("org:HN-BV"));
    assert_eq!(
        send(&w.router, get("/audit", &b.cookies)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_audit_log_pages_with_the_stores_cursor() {
    let w = world().await;
    let a = sign_in(&w, "root").await;
    for i in 0..60 {
        w.store
            .append_audit(&camguard_store::NewAudit {
                actor: &Actor::cli(None),
                action: "test.entry",
                subject: &format!("entry:{i}"),
                before: None,
                after: None,
                org_id: None,
            })
            .await
            .unwrap();
    }
    let first = send(&w.router, get("/audit", &a.cookies)).await;
    let next = first
        .body
        .split("href=\"/audit?cursor=")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(!first.body.contains("entry:59"));
    let second = send(&w.router, get(&format!("/audit?cursor={next}"), &a.cookies)).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("entry:59"));
    let bad = send(&w.router, get("/audit?cursor=x", &a.cookies)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_questionnaire_decides_and_the_dossier_moves_by_role() {
    let w = world().await;
    let b = sign_in(&w, "officer").await;
    let page = send(&w.router, get("/systems/SYS-SO", &b.cookies)).await;
    assert!(
        page.body.contains("name=\"q."),
        "the questionnaire is on the page"
    );
    // Every required question answered with its first option (or 0 / false).
    let mut fields: Vec<(String, String)> = vec![("_csrf".into(), b.csrf.clone())];
    for part in page.body.split("name=\"q.").skip(1) {
        let name = part.split('"').next().unwrap().to_string();
        let value = part
            .split("value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let value = if value.is_empty() { "0".into() } else { value };
        if !fields.iter().any(|(k, _)| *k == format!("q.{name}")) {
            fields.push((format!("q.{name}"), value));
        }
    }
    let f: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = send(&w.router, form("/systems/SYS-SO/level", &b.cookies, &f)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("id=\"decision\""));
    let sys = w.store.system("SYS-SO").await.unwrap();
    assert!(sys.level.is_some(), "the level is stored");
    // Only the moves the dossier's state allows are offered: nothing for the regulator on a
    // draft.
    let r = sign_in(&w, "reg").await;
    let page = send(&w.router, get("/systems/SYS-SO", &r.cookies)).await;
    assert!(!page.body.contains("value=\"appraised\""), "{}", page.body);
    // The unit submits; it may not approve (403); the regulator approves or appraises.
    let res = send(
        &w.router,
        form(
            "/systems/SYS-SO/dossier",
            &b.cookies,
            &[("_csrf", &b.csrf), ("state", "submitted")],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = send(
        &w.router,
        form(
            "/systems/SYS-SO/dossier",
            &b.cookies,
            &[("_csrf", &b.csrf), ("state", "approved")],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let page = send(&w.router, get("/systems/SYS-SO", &r.cookies)).await;
    assert!(page.body.contains("value=\"appraised\"") && !page.body.contains("name=\"q."));
    let res = send(
        &w.router,
        form(
            "/systems/SYS-SO/dossier",
            &r.cookies,
            &[("_csrf", &r.csrf), ("state", "appraised")],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        w.store
            .system("SYS-SO")
            .await
            .unwrap()
            .dossier_state
            .as_str(),
        "appraised"
    );
}
