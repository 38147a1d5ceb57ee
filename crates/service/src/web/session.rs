//! Logging in and out, the password, the language and the API tokens of the signed-in account.

use super::{
    Ctx, LANG_COOKIE, PRE_COOKIE, PageError, Viewer, field, local_path, render, see_other,
};
use crate::AppState;
use crate::api::{CLEAR_SESSION_COOKIE, Client, session_cookie, sign_in, sign_out};
use crate::error::{ApiError, Lang};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use camguard_store::{Password, StoreError, TokenRow};

type Fields = Vec<(String, String)>;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    next: String,
    username: String,
    error: Option<String>,
}

/// The pre-login anti-forgery token of this browser, and the cookie to set when it is new.
fn pre_token(headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    if let Some(t) = crate::auth::cookie(headers, PRE_COOKIE).filter(|c| {
        (16..=128).contains(&c.len())
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    }) {
        return (t.to_string(), None);
    }
    let t = camguard_auth::new_secret("cgp_").text;
    let cookie = HeaderValue::from_str(&format!(
        "{PRE_COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict"
    ))
    .ok();
    (t, cookie)
}

fn login_form(
    headers: &HeaderMap,
    status: StatusCode,
    next: String,
    username: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (csrf, set) = pre_token(headers);
    let page = LoginPage {
        ctx: Ctx {
            lang: super::lang_of(headers),
            csrf,
            user: None,
            path: "/login".into(),
        },
        next,
        username,
        error,
    };
    let mut r = render(status, &page)?;
    if let Some(c) = set {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(r)
}

#[derive(serde::Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// `GET /login`.
pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextParam>,
) -> Result<Response, PageError> {
    // Signed in already: on to the page.
    if let Some(id) = crate::auth::cookie(&headers, crate::auth::SESSION_COOKIE)
        && state.store.session(id).await?.is_some()
    {
        return Ok(see_other(&local_path(q.next.as_deref())));
    }
    login_form(
        &headers,
        StatusCode::OK,
        local_path(q.next.as_deref()),
        String::new(),
        None,
    )
}

/// `POST /login`: the API's login (same verification, throttle, audit and session cookie).
pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let username = field(&form, "username").unwrap_or_default().to_string();
    let password = field(&form, "password").unwrap_or_default().to_string();
    let next = local_path(field(&form, "next"));
    match sign_in(&state, client, &username, password).await {
        Ok((_, session)) => {
            let mut r = see_other(&next);
            r.headers_mut()
                .append(header::SET_COOKIE, session_cookie(&state, &session.id)?);
            Ok(r)
        }
        Err(e)
            if e.status == StatusCode::UNAUTHORIZED
                || e.status == StatusCode::TOO_MANY_REQUESTS =>
        {
            let lang = super::lang_of(&headers);
            let msg = if e.status == StatusCode::UNAUTHORIZED {
                super::i18n::message(lang, "login-failed", &[])
            } else if lang == Lang::En {
                e.en.clone()
            } else {
                e.vi.clone()
            };
            let mut r = login_form(&headers, e.status, next, username, Some(msg))?;
            if let Some(s) = e.retry_after {
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(s));
            }
            Ok(r)
        }
        Err(e) => Err(PageError(e)),
    }
}

/// `POST /logout`: the session ends; back to the login page.
pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    sign_out(&state, &viewer.caller, &headers).await?;
    let mut r = see_other("/login");
    r.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static(CLEAR_SESSION_COOKIE),
    );
    Ok(r)
}

/// `POST /lang`: remember the language (a year) and go back.
pub async fn set_lang(Form(form): Form<Fields>) -> Response {
    let lang = if field(&form, "lang") == Some("en") {
        "en"
    } else {
        "vi"
    };
    let mut r = see_other(&local_path(field(&form, "back")));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={lang}; Path=/; SameSite=Strict; Max-Age=31536000"
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    ctx: Ctx,
    error: Option<String>,
    done: bool,
}

/// `GET /password`.
pub async fn password_page(viewer: Viewer) -> Result<Response, PageError> {
    render(
        StatusCode::OK,
        &PasswordPage {
            ctx: viewer.ctx(),
            error: None,
            done: false,
        },
    )
}

/// `POST /password`: the current password, then the new one twice (the policy of
/// camguard-auth). Every session of the account ends; this browser gets a new one.
pub async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let ctx = viewer.ctx();
    let fail = |status: StatusCode, msg: String| {
        render(
            status,
            &PasswordPage {
                ctx: viewer.ctx(),
                error: Some(msg),
                done: false,
            },
        )
    };
    let user = &viewer.caller.user;
    state
        .throttle
        .attempt(&user.username, viewer.caller.client)?;
    let current = Password::new(field(&form, "current").unwrap_or_default());
    if state
        .store
        .verify_password(&user.username, &current)
        .await?
        .is_none()
    {
        return fail(StatusCode::BAD_REQUEST, ctx.t("password-wrong-current"));
    }
    let new = field(&form, "new").unwrap_or_default();
    if field(&form, "confirm") != Some(new) {
        return fail(StatusCode::BAD_REQUEST, ctx.t("password-mismatch"));
    }
    match state
        .store
        .set_password(&user.username, &Password::new(new), &viewer.caller.actor())
        .await
    {
        Ok(_) => {}
        Err(StoreError::WeakPassword(w)) => {
            let msg = match viewer.lang {
                Lang::Vi => w.vi(),
                Lang::En => w.en(),
            };
            return fail(StatusCode::BAD_REQUEST, msg);
        }
        Err(e) => return Err(e.into()),
    }
    let session = state
        .store
        .create_session(&user.username, state.config.session_ttl)
        .await?;
    let mut ctx = viewer.ctx();
    ctx.csrf.clone_from(&session.csrf_token);
    let mut r = render(
        StatusCode::OK,
        &PasswordPage {
            ctx,
            error: None,
            done: true,
        },
    )?;
    r.headers_mut()
        .append(header::SET_COOKIE, session_cookie(&state, &session.id)?);
    Ok(r)
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    ctx: Ctx,
    tokens: Vec<TokenRow>,
    /// A token just created, shown this once.
    new_token: Option<String>,
    max_days: u32,
}

async fn tokens_of(state: &AppState, viewer: &Viewer) -> Result<Vec<TokenRow>, PageError> {
    Ok(state
        .store
        .tokens(Some(&viewer.caller.user.username))
        .await?)
}

/// `GET /tokens`: the account's API tokens (never the tokens themselves).
pub async fn tokens_page(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    render(
        StatusCode::OK,
        &TokensPage {
            tokens: tokens_of(&state, &viewer).await?,
            ctx: viewer.ctx(),
            new_token: None,
            max_days: camguard_store::MAX_TOKEN_DAYS,
        },
    )
}

/// `POST /tokens`: a new token, shown once on the answer page.
pub async fn create_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let days = field(&form, "days")
        .unwrap_or("90")
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=camguard_store::MAX_TOKEN_DAYS).contains(d))
        .ok_or_else(|| {
            ApiError::bad_request(
                format!("Số ngày phải từ 1 đến {}.", camguard_store::MAX_TOKEN_DAYS),
                format!("Days must be 1 to {}.", camguard_store::MAX_TOKEN_DAYS),
            )
        })?;
    let t = state
        .store
        .create_token(&viewer.caller.user.username, days, &viewer.caller.actor())
        .await?;
    render(
        StatusCode::CREATED,
        &TokensPage {
            tokens: tokens_of(&state, &viewer).await?,
            ctx: viewer.ctx(),
            new_token: Some(t.token),
            max_days: camguard_store::MAX_TOKEN_DAYS,
        },
    )
}

/// `POST /tokens/{id}/revoke`: one of the account's own tokens (another's is not found).
pub async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    if !tokens_of(&state, &viewer).await?.iter().any(|t| t.id == id) {
        return Err(ApiError::not_found(format!("no token {id}")).into());
    }
    state.store.revoke_token(id, &viewer.caller.actor()).await?;
    Ok(see_other("/tokens").into_response())
}
