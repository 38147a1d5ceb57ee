//! Errors as the API answers them (docs/spec/api.md, "Errors"):
//! `{"error": {"code": "snake_case_code", "message": "…"}}`, the message in Vietnamese or
//! English by `Accept-Language` (Vietnamese by default).
//!
//! A handler returns an [`ApiError`], which carries both messages; [`localize`] (a middleware
//! that sees the request's `Accept-Language`) writes the body in the caller's language. It also
//! turns the framework's own plain-text refusals (a malformed JSON body, an unknown route, a
//! body over the limit) into the same shape, so that no error leaves the service in another
//! form.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use camguard_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The language of the messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    /// The caller's language from `Accept-Language`: English when an `en` range is preferred
    /// to every `vi` range, Vietnamese otherwise.
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        let Some(value) = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
        else {
            return Lang::Vi;
        };
        let (mut vi, mut en) = (-1.0f32, -1.0f32);
        for (i, item) in value.split(',').take(32).enumerate() {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0)
                // Earlier ranges win ties.
                - i as f32 * 1e-4;
            let primary = tag.split('-').next().unwrap_or("");
            if primary == "vi" {
                vi = vi.max(q);
            } else if primary == "en" {
                en = en.max(q);
            }
        }
        if en > 0.0 && en > vi {
            Lang::En
        } else {
            Lang::Vi
        }
    }
}

/// An error answer.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub vi: String,
    pub en: String,
    /// Seconds, for `429`.
    pub retry_after: Option<u64>,
}

/// The body of every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, snake_case: `unauthenticated`, `forbidden`, `not_found`, `bad_request`,
    /// `out_of_scope`, `conflict`, `too_many_requests`, `payload_too_large`, `csrf`,
    /// `method_not_allowed`, `unsupported_media_type`, `timeout`, `unavailable`, `internal`.
    #[schema(example = "not_found")]
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            vi: vi.into(),
            en: en.into(),
            retry_after: None,
        }
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Chưa đăng nhập, hoặc tên đăng nhập, mật khẩu hay mã truy cập không đúng.",
            "Not logged in, or a wrong username, password or token.",
        )
    }

    pub fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Vai trò của tài khoản không được phép làm việc này.",
            "The account's role may not do this.",
        )
    }

    pub fn csrf() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "Thiếu hoặc sai mã chống giả mạo (X-CSRF-Token).",
            "Missing or wrong anti-forgery token (X-CSRF-Token).",
        )
    }

    pub fn not_found(en_detail: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("Không tìm thấy ({en_detail})."),
            format!("Not found: {en_detail}."),
        )
    }

    pub fn bad_request(vi: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", vi, en)
    }

    pub fn too_many_requests(retry_after: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after.max(1)),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                format!(
                    "Quá nhiều lần thử; hãy thử lại sau {} giây.",
                    retry_after.max(1)
                ),
                format!(
                    "Too many attempts; try again in {} seconds.",
                    retry_after.max(1)
                ),
            )
        }
    }

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Lỗi trong dịch vụ; đã được ghi lại.",
            "An error inside the service; it has been logged.",
        )
    }

    /// The error for a status the framework answered with plain text.
    fn for_status(status: StatusCode, text: &str) -> ApiError {
        let detail = text.trim();
        match status {
            StatusCode::NOT_FOUND => ApiError::not_found("no such route"),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
                status,
                "method_not_allowed",
                "Phương thức không được hỗ trợ ở địa chỉ này.",
                "Method not allowed on this path.",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                status,
                "payload_too_large",
                "Nội dung gửi lên vượt quá giới hạn.",
                "The request body is over the size limit.",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
                status,
                "unsupported_media_type",
                format!("Kiểu nội dung không được hỗ trợ ({detail})."),
                format!("Unsupported media type: {detail}"),
            ),
            StatusCode::REQUEST_TIMEOUT => ApiError::new(
                status,
                "timeout",
                "Yêu cầu quá thời gian cho phép.",
                "The request took too long.",
            ),
            StatusCode::UNAUTHORIZED => ApiError::unauthenticated(),
            StatusCode::FORBIDDEN => ApiError::forbidden(),
            StatusCode::TOO_MANY_REQUESTS => ApiError::too_many_requests(1),
            s if s.is_server_error() => ApiError::internal(),
            // 400 and 422: a query, path or body that does not parse.
            _ => ApiError::bad_request(
                format!("Yêu cầu không hợp lệ: {detail}"),
                format!("Bad request: {detail}"),
            ),
        }
    }

    fn body(&self, lang: Lang) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: match lang {
                    Lang::Vi => self.vi.clone(),
                    Lang::En => self.en.clone(),
                },
            },
        }
    }

    fn render(&self, lang: Lang) -> Response {
        let mut r = (self.status, axum::Json(self.body(lang))).into_response();
        if let Some(s) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        r.extensions_mut().insert(self.clone());
        r
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Vietnamese by default; `localize` rewrites it for an English caller.
        self.render(Lang::Vi)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let text = e.to_string();
        match e {
            StoreError::NotFound(what) => ApiError::not_found(what),
            StoreError::OutsideScope(_) => ApiError::new(
                StatusCode::FORBIDDEN,
                "out_of_scope",
                format!("Ngoài phạm vi địa chỉ được phép của tổ chức: {text}"),
                text,
            ),
            StoreError::Conflict(_) | StoreError::ScanBusy { .. } => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("Xung đột với dữ liệu hiện có: {text}"),
                text,
            ),
            StoreError::WeakPassword(w) => ApiError::bad_request(w.vi(), w.en()),
            StoreError::Invalid(_) => {
                ApiError::bad_request(format!("Yêu cầu không hợp lệ: {text}"), text)
            }
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::internal()
            }
        }
    }
}

/// Write every error answer in the caller's language and in the JSON shape.
pub async fn localize(req: Request, next: Next) -> Response {
    let lang = Lang::from_headers(req.headers());
    let res = next.run(req).await;
    // An error page of the dashboard (crate::web) is already in the viewer's language.
    let page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if page || !(res.status().is_client_error() || res.status().is_server_error()) {
        return res;
    }
    if let Some(e) = res.extensions().get::<ApiError>() {
        return if lang == Lang::Vi {
            res
        } else {
            e.render(lang)
        };
    }
    // A refusal from the framework (plain text): read its short text and answer in JSON.
    let status = res.status();
    let text = match axum::body::to_bytes(res.into_body(), 4096).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => String::new(),
    };
    ApiError::for_status(status, &text).render(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(v: &str) -> Lang {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(v).unwrap());
        Lang::from_headers(&h)
    }

    #[test]
    fn vietnamese_unless_english_is_preferred() {
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::Vi);
        assert_eq!(lang("en"), Lang::En);
        assert_eq!(lang("en-US,en;q=0.9"), Lang::En);
        assert_eq!(lang("vi-VN,vi;q=0.9,en;q=0.8"), Lang::Vi);
        assert_eq!(lang("en;q=0.5, vi"), Lang::Vi);
        assert_eq!(lang("fr, en;q=0.3"), Lang::En);
        assert_eq!(lang("en;q=0"), Lang::Vi);
        assert_eq!(lang("vi, en"), Lang::Vi);
        assert_eq!(lang("fr"), Lang::Vi);
    }
}
