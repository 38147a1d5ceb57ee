//! The registry routes behave as the command line does: the Decree 85 questionnaire, the
//! dossier's transitions and who may make them, the catalogue (import, check, list) and the
//! deadlines binding an organisation; every change is in the audit log. SQLite (the tenancy
//! matrix covers both stores).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use camguard_service::{AppState, ServeConfig, app};
use camguard_store::{Actor, OrgKind, Password, Reach, Role, Store};
use serde_json::{Value, json};
use tower::ServiceExt;

const PW: &str = "Kiem-Tra-Mat-Khau-Dai-42";

struct Env {
    _dir: tempfile::TempDir,
    store: Store,
    router: axum::Router,
    admin: String,
    reg: String,
    unit: String,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("r.db").display().to_string())
        .await
        .unwrap();
    store
        .add_org(
            "AG",
            "An Giang",
            OrgKind::Province,
            None,
            &["127.160.0.0/16".parse().unwrap()],
            &["an-giang".to_string()],
        )
        .await
        .unwrap();
    store
        .add_org(
            "AG-U",
            "Unit",
            OrgKind::Unit,
            Some("AG"),
            &["127.160.1.0/24".parse().unwrap()],
            &[],
        )
        .await
        .unwrap();
    for (code, name) in [("S-LOW", "Office CCTV"), ("S-HIGH", "Shared platform")] {
        store
            .add_system(code, name, "AG-U", None, None)
            .await
            .unwrap();
    }
    let cli = Actor::cli(Some("test"));
    let mut tokens = Vec::new();
    for (name, role, org) in [
        ("admin", Role::Admin, None),
        ("reg", Role::Regulator, Some("AG")),
        ("unit", Role::Unit, Some("AG-U")),
    ] {
        store
            .add_user(name, role, org, &Password::new(PW), &cli)
            .await
            .unwrap();
        tokens.push(store.create_token(name, 1, &cli).await.unwrap().token);
    }
    let config = ServeConfig::default();
    let state = AppState::new(store.clone(), camguard_kb::Kb::embedded().unwrap(), &config)
        .await
        .unwrap();
    let router = app(state, &config);
    let unit = tokens.pop().unwrap();
    let reg = tokens.pop().unwrap();
    let admin = tokens.pop().unwrap();
    Env {
        _dir: dir,
        store,
        router,
        admin,
        reg,
        unit,
    }
}

async fn send(router: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 16 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn call(
    e: &Env,
    token: &str,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    send(&e.router, req.body(body).unwrap()).await
}

async fn import_catalogue(e: &Env, token: &str, csv: &str) -> (StatusCode, Value) {
    let b = "XcgX";
    let body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cat.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{b}--\r\n"
    );
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/catalogue/import")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={b}"),
        )
        .body(Body::from(body))
        .unwrap();
    send(&e.router, req).await
}

fn level2() -> Value {
    json!({"answers": {"system-type": "internal", "info": ["personal", "private"]}})
}

fn level3() -> Value {
    json!({"answers": {
        "system-type": "infrastructure", "info": ["personal"],
        "infra-reach": "regional", "always-on": true
    }})
}

async fn dossier(e: &Env, token: &str, code: &str, body: Value) -> (StatusCode, Value) {
    call(
        e,
        token,
        Method::POST,
        &format!("/api/v1/systems/{code}/dossier"),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn the_questionnaire_decides_and_stores_the_level_with_its_reasons() {
    let e = env().await;
    // A dry run decides without storing.
    let mut dry = level3();
    dry["dry_run"] = json!(true);
    let (s, body) = call(
        &e,
        &e.unit,
        Method::POST,
        "/api/v1/systems/S-HIGH/level",
        Some(dry),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["decision"]["level"], 3, "{body}");
    assert_eq!(body["stored"], false);
    assert_eq!(e.store.system("S-HIGH").await.unwrap().level, None);

    let (s, body) = call(
        &e,
        &e.unit,
        Method::POST,
        "/api/v1/systems/S-HIGH/level",
        Some(level3()),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        body["decision"]["reasons"][0]["article"], "Art. 9(3)",
        "{body}"
    );
    assert!(
        body["level_info"]["assessment_interval_months"].is_number(),
        "{body}"
    );
    let (s, shown) = call(&e, &e.reg, Method::GET, "/api/v1/systems/S-HIGH", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(shown["system"]["level"], 3, "{shown}");
    assert_eq!(shown["system"]["ruleset"], "nd85-2016");
    assert_eq!(shown["system"]["reasons"][0]["article"], "Art. 9(3)");
    assert_eq!(shown["system"]["answers"]["infra-reach"], "regional");
    assert!(!shown["history"].as_array().unwrap().is_empty(), "{shown}");

    // Bad answers: a clear 400, nothing stored.
    for bad in [
        json!({"answers": {"system-type": "spaceship", "info": ["public"]}}),
        json!({"answers": {"info": ["public"]}}),
        json!({"answers": {"system-type": "internal", "info": "public"}}),
        json!({"answers": [1, 2]}),
        json!({"answers": {}, "ruleset": "nd99"}),
        json!([]),
    ] {
        let (s, body) = call(
            &e,
            &e.unit,
            Method::POST,
            "/api/v1/systems/S-HIGH/level",
            Some(bad.clone()),
        )
        .await;
        assert_eq!(
            (s, body["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_request")),
            "{bad}: {body}"
        );
    }
    assert_eq!(e.store.system("S-HIGH").await.unwrap().level, Some(3));
    // A regulator reads but does not answer the owner's questionnaire.
    let (s, _) = call(
        &e,
        &e.reg,
        Method::POST,
        "/api/v1/systems/S-HIGH/level",
        Some(level2()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(
        &e,
        &e.unit,
        Method::POST,
        "/api/v1/systems/NOPE/level",
        Some(level2()),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_dossier_moves_by_the_decrees_steps_and_each_step_by_its_role() {
    let e = env().await;
    // No level yet: cannot be submitted.
    let (s, body) = dossier(&e, &e.unit, "S-HIGH", json!({"state": "submitted"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    call(
        &e,
        &e.unit,
        Method::POST,
        "/api/v1/systems/S-HIGH/level",
        Some(level3()),
    )
    .await;
    call(
        &e,
        &e.unit,
        Method::POST,
        "/api/v1/systems/S-LOW/level",
        Some(level2()),
    )
    .await;

    // The owner submits; the regulator may not submit for it, nor the owner appraise.
    let (s, _) = dossier(&e, &e.reg, "S-HIGH", json!({"state": "submitted"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = dossier(
        &e,
        &e.unit,
        "S-HIGH",
        json!({"state": "submitted", "date": "2026-11-02"}),
    )
    .await;
    assert_eq!(
        (s, body["dossier_state"].as_str()),
        (StatusCode::OK, Some("submitted")),
        "{body}"
    );
    assert_eq!(body["submitted_on"], "2026-11-02");
    let (s, _) = dossier(&e, &e.unit, "S-HIGH", json!({"state": "appraised"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Level 3 needs the appraisal before the approval.
    let (s, body) = dossier(&e, &e.reg, "S-HIGH", json!({"state": "approved"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("appraisal"),
        "{body}"
    );
    let (s, body) = dossier(
        &e,
        &e.reg,
        "S-HIGH",
        json!({"state": "appraised", "date": "2026-11-10"}),
    )
    .await;
    assert_eq!(
        (s, body["appraised_by"].as_str()),
        (StatusCode::OK, Some("AG")),
        "{body}"
    );
    let (s, body) = dossier(
        &e,
        &e.reg,
        "S-HIGH",
        json!({"state": "approved", "date": "2026-11-20", "by": "UBND tỉnh An Giang", "reference": "QĐ 12/2026"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["dossier_state"].as_str(),
            body["approved_by"].as_str(),
            body["approval_ref"].as_str()
        ),
        (
            Some("approved"),
            Some("UBND tỉnh An Giang"),
            Some("QĐ 12/2026")
        )
    );
    // Level 2: approval may follow submission directly.
    dossier(&e, &e.unit, "S-LOW", json!({"state": "submitted"})).await;
    let (s, body) = dossier(&e, &e.reg, "S-LOW", json!({"state": "approved"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // Returned to draft by the regulator.
    let (s, body) = dossier(&e, &e.reg, "S-LOW", json!({"state": "draft"})).await;
    assert_eq!(
        (s, body["approved_on"].is_null()),
        (StatusCode::OK, true),
        "{body}"
    );
    // Bad input.
    for bad in [
        json!({"state": "done"}),
        json!({"state": "submitted", "date": "2026-13-01"}),
        json!({}),
        json!("x"),
    ] {
        let (s, body) = dossier(&e, &e.unit, "S-LOW", bad.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }

    // Every change is in the audit log, against the owner, without the answers.
    let log = e
        .store
        .audit_page(&Reach::All, None, 1000, None)
        .await
        .unwrap();
    let mine: Vec<_> = log
        .items
        .iter()
        .filter(|a| a.subject == "system:S-HIGH")
        .collect();
    let actions: Vec<&str> = mine.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "system.level",
            "system.dossier",
            "system.dossier",
            "system.dossier"
        ],
        "{mine:?}"
    );
    assert!(mine.iter().all(|a| a.org.as_deref() == Some("AG-U")));
    assert_eq!(mine[3].actor, "reg");
    assert_eq!(
        mine[3].before.as_ref().unwrap()["dossier_state"],
        "appraised"
    );
    assert_eq!(mine[3].after.as_ref().unwrap()["dossier_state"], "approved");
    assert!(!format!("{mine:?}").contains("infra-reach"));
}

#[tokio::test]
async fn systems_are_listed_a_page_at_a_time() {
    let e = env().await;
    let (s, p1) = call(&e, &e.unit, Method::GET, "/api/v1/systems?limit=1", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p1["items"].as_array().unwrap().len(), 1, "{p1}");
    let next = p1["next_cursor"].as_str().unwrap().to_string();
    let (_, p2) = call(
        &e,
        &e.unit,
        Method::GET,
        &format!("/api/v1/systems?limit=1&cursor={next}"),
        None,
    )
    .await;
    assert_eq!(p2["items"].as_array().unwrap().len(), 1, "{p2}");
    assert!(p2["next_cursor"].is_null(), "{p2}");
    assert_ne!(p1["items"][0]["code"], p2["items"][0]["code"]);
    let (s, _) = call(&e, &e.unit, Method::GET, "/api/v1/systems?limit=0", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = call(&e, &e.unit, Method::GET, "/api/v1/systems?org=NOPE", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_warned_model_imported_by_the_regulator_is_checked_as_warned_by_everyone() {
    let e = env().await;
    let (s, body) = call(
        &e,
        &e.unit,
        Method::POST,
        "/api/v1/catalogue/check",
        Some(json!({"vendor": "Acme", "model": "X-100"})),
    )
    .await;
    assert_eq!(
        (s, body["answer"].as_str()),
        (StatusCode::OK, Some("unknown")),
        "{body}"
    );
    let (s, _) = import_catalogue(&e, &e.unit, "status,vendor,model\nwarned,Acme,X-100\n").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = import_catalogue(
        &e,
        &e.reg,
        "status,vendor,model,document\nwarned,Acme,X-*,CV 7/2026\ncertified,Acme,Y-1,QC 1\n,,\nbogus,Acme,Z\n",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["imported"], 2, "{body}");
    assert!(!body["rejected"].as_array().unwrap().is_empty(), "{body}");
    let (s, body) = call(
        &e,
        &e.unit,
        Method::POST,
        "/api/v1/catalogue/check",
        Some(json!({"vendor": "ACME", "model": "x-100"})),
    )
    .await;
    assert_eq!(
        (s, body["answer"].as_str()),
        (StatusCode::OK, Some("warned")),
        "{body}"
    );
    assert_eq!(body["entry"]["document"], "CV 7/2026");
    let (s, page) = call(&e, &e.unit, Method::GET, "/api/v1/catalogue?limit=1", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert!(page["next_cursor"].is_string(), "{page}");
    for bad in [
        json!({"vendor": "Acme"}),
        json!({"vendor": "", "model": ""}),
        json!([1]),
    ] {
        let (s, _) = call(
            &e,
            &e.unit,
            Method::POST,
            "/api/v1/catalogue/check",
            Some(bad.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
    }
    let (s, _) = import_catalogue(&e, &e.admin, "not,a,catalogue\n1,2,3\n").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let log = e
        .store
        .audit_page(&Reach::All, None, 1000, None)
        .await
        .unwrap();
    let imp: Vec<_> = log
        .items
        .iter()
        .filter(|a| a.action == "catalogue.import")
        .collect();
    assert_eq!(imp.len(), 1, "{imp:?}");
    assert_eq!(imp[0].after.as_ref().unwrap()["warned"], 1);
}

#[tokio::test]
async fn a_unit_is_bound_by_the_national_set_and_its_provinces_stricter_one() {
    let e = env().await;
    let (s, body) = call(&e, &e.unit, Method::GET, "/api/v1/deadlines?org=AG-U", None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let sets: Vec<&str> = body["sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(sets, ["national", "an-giang"], "{body}");
    let binding = body["binding"].as_array().unwrap();
    assert!(!binding.is_empty());
    // Each binding date is the earliest of its duty among the sets.
    for b in binding {
        let earliest = body["sets"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["deadlines"].as_array().unwrap())
            .filter(|d| d["duty"] == b["duty"])
            .map(|d| d["due"].as_str().unwrap())
            .min()
            .unwrap();
        assert_eq!(b["due"].as_str().unwrap(), earliest, "{b}");
    }
    // The admin's view of a unit that no province set binds: the national set only.
    e.store
        .add_org(
            "X",
            "X",
            OrgKind::Unit,
            None,
            &["127.161.0.0/24".parse().unwrap()],
            &[],
        )
        .await
        .unwrap();
    let (_, body) = call(&e, &e.admin, Method::GET, "/api/v1/deadlines?org=X", None).await;
    assert_eq!(body["sets"].as_array().unwrap().len(), 1, "{body}");
    let (s, _) = call(&e, &e.unit, Method::GET, "/api/v1/deadlines?org=X", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(&e, &e.unit, Method::GET, "/api/v1/deadlines", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn organisations_and_systems_are_added_as_at_the_command_line_and_recorded() {
    let e = env().await;
    let post = |token: &str, uri: &str, body: Value| {
        let token = token.to_string();
        let uri = uri.to_string();
        let e = &e;
        async move { call(e, &token, Method::POST, &uri, Some(body)).await }
    };
    // A unit under AG-U, its scope inside the parent's; the bad requests are named.
    let (s, body) = post(
        &e.admin,
        "/api/v1/orgs",
        json!({"code": "AG-U2", "name": "Phường 2", "kind": "unit", "parent": "AG",
               "scopes": ["127.160.2.0/24"], "deadline_sets": ["an-giang"]}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["parent"], "AG");
    for (bad, code) in [
        (
            json!({"code": "X1", "name": "x", "kind": "planet", "parent": "AG"}),
            "bad_request",
        ),
        (
            json!({"code": "X2", "name": "x", "kind": "unit", "parent": "AG", "scopes": ["10.0.0.0/33"]}),
            "bad_request",
        ),
        (
            json!({"code": "X3", "name": "x", "kind": "unit", "parent": "AG", "deadline_sets": ["nowhere"]}),
            "bad_request",
        ),
        // Outside the parent's scope.
        (
            json!({"code": "X4", "name": "x", "kind": "unit", "parent": "AG", "scopes": ["127.161.0.0/24"]}),
            "bad_request",
        ),
        (
            json!({"code": "X5", "name": "x", "kind": "unit", "parent": "NOWHERE"}),
            "not_found",
        ),
        (
            json!({"code": "bad code", "name": "x", "kind": "unit", "parent": "AG"}),
            "bad_request",
        ),
        (
            json!({"code": "AG-U2", "name": "again", "kind": "unit", "parent": "AG"}),
            "conflict",
        ),
    ] {
        let (s, body) = post(&e.admin, "/api/v1/orgs", bad.clone()).await;
        assert_eq!(body["error"]["code"], code, "{bad} → {s} {body}");
    }
    // The regulator and the unit may not add organisations.
    for t in [&e.reg, &e.unit] {
        let (s, _) = post(
            t,
            "/api/v1/orgs",
            json!({"code": "X6", "name": "x", "kind": "unit", "parent": "AG-U"}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    // The unit registers a system, then its plan; the regulator may do neither.
    let (s, body) = post(
        &e.unit,
        "/api/v1/systems",
        json!({"code": "S-NEW", "name": "Camera cổng", "org": "AG-U", "purpose": "an ninh"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(
        (body["dossier_state"].as_str(), body["level"].is_null()),
        (Some("draft"), true),
        "{body}"
    );
    let (s, body) = post(
        &e.unit,
        "/api/v1/systems",
        json!({"code": "S-NEW", "name": "again", "org": "AG-U"}),
    )
    .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let (s, _) = post(
        &e.reg,
        "/api/v1/systems",
        json!({"code": "S-REG", "name": "x", "org": "AG-U"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = post(
        &e.unit,
        "/api/v1/systems/S-NEW/plan",
        json!({"plan_deployed_on": "2026-11-30", "assessment_interval_months": 12}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["plan_deployed_on"], "2026-11-30", "{body}");
    assert_eq!(body["assessment_interval_months"], 12, "{body}");
    for bad in [
        json!({}),
        json!({"assessment_interval_months": 0}),
        json!({"plan_deployed_on": "30/11/2026"}),
    ] {
        let (s, body) = post(&e.unit, "/api/v1/systems/S-NEW/plan", bad.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (s, _) = post(
        &e.reg,
        "/api/v1/systems/S-NEW/plan",
        json!({"assessment_interval_months": 6}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The unit's duties and regulation; a bad duty or date is named.
    let (s, body) = post(
        &e.unit,
        "/api/v1/orgs/AG-U/duties",
        json!({"duty": "cameras-reviewed", "date": "2026-11-20", "reference": "BB 7"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    for bad in [
        json!({"duty": "sleep", "date": "2026-11-20"}),
        json!({"duty": "cameras-reviewed", "date": "20/11/2026"}),
    ] {
        let (s, body) = post(&e.unit, "/api/v1/orgs/AG-U/duties", bad.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (s, body) = post(
        &e.unit,
        "/api/v1/orgs/AG-U/regulation",
        json!({"number": "12/QĐ-UBND", "issued_on": "2026-09-01", "covers_cameras": true}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let reg = e.store.regulation("AG-U").await.unwrap().unwrap();
    assert_eq!(
        (reg.number.as_str(), reg.covers_cameras),
        ("12/QĐ-UBND", true)
    );
    let (s, _) = post(
        &e.unit,
        "/api/v1/orgs/AG-U/regulation",
        json!({"number": " ", "issued_on": "2026-09-01"}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Each change is in the audit log, against its organisation.
    let log = e.store.audit_log(None).await.unwrap();
    let actions: Vec<(&str, &str, &str)> = log
        .iter()
        .map(|a| (a.action.as_str(), a.subject.as_str(), a.actor.as_str()))
        .collect();
    for want in [
        ("org.add", "org:AG-U2", "admin"),
        ("system.add", "system:S-NEW", "unit"),
        ("system.plan", "system:S-NEW", "unit"),
        ("org.duty", "org:AG-U", "unit"),
        ("org.regulation", "org:AG-U", "unit"),
    ] {
        assert!(actions.contains(&want), "{want:?} not in {actions:?}");
    }
}

#[tokio::test]
async fn reports_are_files_within_reach_and_each_export_is_recorded() {
    let e = env().await;
    let get = |token: &str, uri: &str| {
        Request::builder()
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    for (uri, ctype, magic) in [
        (
            "/api/v1/reports/unit/AG-U.pdf",
            "application/pdf",
            &b"%PDF"[..],
        ),
        (
            "/api/v1/reports/province/AG.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &b"PK"[..],
        ),
    ] {
        let res = e.router.clone().oneshot(get(&e.reg, uri)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        assert_eq!(res.headers()[header::CONTENT_TYPE], ctype, "{uri}");
        assert!(
            res.headers()[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("attachment; filename=\"camguard-"),
            "{uri}"
        );
        let body = axum::body::to_bytes(res.into_body(), 64 << 20)
            .await
            .unwrap();
        assert!(body.starts_with(magic), "{uri}");
    }
    // Not a report's name, or an organisation out of reach (the unit cannot see its province).
    for (token, uri) in [
        (&e.reg, "/api/v1/reports/unit/AG-U.docx"),
        (&e.unit, "/api/v1/reports/province/AG.pdf"),
        (&e.unit, "/api/v1/reports/unit/NOWHERE.pdf"),
    ] {
        let res = e.router.clone().oneshot(get(token, uri)).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{uri}");
    }
    let log = e.store.audit_log(None).await.unwrap();
    let exports: Vec<&str> = log
        .iter()
        .filter(|a| a.action == "report.export")
        .map(|a| a.subject.as_str())
        .collect();
    assert_eq!(exports, ["report:unit:AG-U", "report:province:AG"]);
}
