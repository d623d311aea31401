//! RFC 9457 problem details, bilingual, naming the field and the reason.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use xiangzhi_storage::{FieldError, StoreError};

/// A problem detail (RFC 9457) with Chinese and English text and the fields at fault.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short English summary.
    pub title: String,
    /// 中文摘要
    pub title_zh: String,
    pub status: u16,
    /// What went wrong, Chinese then English.
    pub detail: String,
    /// The fields that were rejected, each with its reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    title: &'static str,
    title_zh: &'static str,
    errors: Vec<FieldError>,
    detail: Option<String>,
    retry_after: Option<i64>,
}

impl ApiError {
    pub fn status_code(&self) -> StatusCode {
        self.status
    }

    /// The reason in Chinese and in English, for pages that show it rather than return JSON.
    pub fn reasons(&self) -> (String, String) {
        if !self.errors.is_empty() {
            let zh: Vec<&str> = self.errors.iter().map(|e| e.zh.as_str()).collect();
            let en: Vec<&str> = self.errors.iter().map(|e| e.en.as_str()).collect();
            return (zh.join("；"), en.join("; "));
        }
        let d = self
            .detail
            .clone()
            .unwrap_or_else(|| self.title.to_string());
        match d.split_once(" / ") {
            Some((zh, en)) => (zh.to_string(), en.to_string()),
            None => (format!("{}：{d}", self.title_zh), d),
        }
    }

    pub fn not_found() -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            kind: "not-found",
            title: "Not found",
            title_zh: "未找到",
            errors: vec![],
            detail: Some("未找到该记录 / no such record".into()),
            retry_after: None,
        }
    }
    pub fn status(status: StatusCode, field: &str, zh: String, en: String) -> Self {
        ApiError {
            status,
            kind: "login",
            title: "Login failed",
            title_zh: "登录失败",
            errors: vec![FieldError {
                field: field.to_string(),
                zh,
                en,
            }],
            detail: None,
            retry_after: None,
        }
    }
    pub fn unauthorized() -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            kind: "unauthorized",
            title: "Login required",
            title_zh: "需要登录",
            errors: vec![],
            detail: Some("请先登录或提供有效令牌 / log in or send a valid bearer token".into()),
            retry_after: None,
        }
    }
    pub fn too_large(zh: &str, en: &str) -> Self {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            kind: "too-large",
            title: "Too large",
            title_zh: "内容过大",
            errors: vec![],
            detail: Some(format!("{zh} / {en}")),
            retry_after: None,
        }
    }

    /// One field of a body is larger than any field may be (413, naming the field).
    pub fn field_too_large(field: &str, max_bytes: usize) -> Self {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            kind: "too-large",
            title: "Too large",
            title_zh: "内容过大",
            errors: vec![FieldError {
                field: field.to_string(),
                zh: format!("内容过长：超过{}KB", max_bytes / 1024),
                en: format!("too long: more than {} KB", max_bytes / 1024),
            }],
            detail: None,
            retry_after: None,
        }
    }
    /// 503 with `Retry-After: 1`: the server is at capacity and sheds this request.
    pub fn overloaded() -> Self {
        ApiError::busy(
            "访问人数较多，请一秒后重试 / the server is at capacity; try again in a second",
            1,
        )
    }
    /// 503: a wait, not a failure, with `detail` and the seconds until trying again.
    pub fn busy(detail: &str, retry_after: i64) -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            kind: "busy",
            title: "Busy",
            title_zh: "系统正忙",
            errors: vec![],
            detail: Some(detail.into()),
            retry_after: Some(retry_after),
        }
    }
    /// 429 with the seconds to wait (sent as `Retry-After`).
    pub fn too_many_retry(zh: &str, en: &str, secs: i64) -> Self {
        ApiError {
            retry_after: Some(secs),
            ..ApiError::too_many(zh, en)
        }
    }
    pub fn too_many(zh: &str, en: &str) -> Self {
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            kind: "too-many",
            title: "Too many requests",
            title_zh: "请求过于频繁",
            errors: vec![],
            detail: Some(format!("{zh} / {en}")),
            retry_after: None,
        }
    }

    pub fn forbidden(zh: &str, en: &str) -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            kind: "forbidden",
            title: "Forbidden",
            title_zh: "无权操作",
            errors: vec![],
            detail: Some(format!("{zh} / {en}")),
            retry_after: None,
        }
    }
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            kind: "validation",
            title: "Invalid input",
            title_zh: "输入有误",
            errors,
            detail: None,
            retry_after: None,
        }
    }
    pub fn bad_request(field: &str, zh: String, en: String) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            kind: "bad-request",
            title: "Bad request",
            title_zh: "请求格式错误",
            errors: vec![FieldError {
                field: field.to_string(),
                zh,
                en,
            }],
            detail: None,
            retry_after: None,
        }
    }
    fn internal(e: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            kind: "internal",
            title: "Internal error",
            title_zh: "内部错误",
            errors: vec![],
            detail: Some("服务器内部错误，已记录 / internal error, logged".into()),
            retry_after: None,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Invalid(errors) => ApiError::invalid(errors),
            StoreError::Conflict(f) => ApiError {
                status: StatusCode::CONFLICT,
                kind: "conflict",
                title: "Conflict",
                title_zh: "与现有数据冲突",
                errors: vec![f],
                detail: None,
                retry_after: None,
            },
            StoreError::Forbidden(why) => {
                let (zh, en) = why.split_once(" / ").unwrap_or((&why, &why));
                ApiError::forbidden(zh, en)
            }
            // A busy database is a wait, not a failure: 503 with when to try again.
            e if e.is_busy() => {
                tracing::warn!(error = %e, "database busy");
                ApiError::busy(
                    "系统正忙（可能正在导入数据），请稍后重试 / the system is busy (perhaps importing data); try again in a moment",
                    2,
                )
            }
            e => ApiError::internal(&e),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        // serde's message names the field and position, e.g. "missing field `name` at line 1 column 9".
        let text = r.body_text();
        let field = text
            .split('`')
            .nth(1)
            .filter(|_| text.contains("field"))
            .unwrap_or("body")
            .to_string();
        ApiError::bad_request(
            &field,
            format!("请求体无法解析：{text}"),
            format!("request body could not be read: {text}"),
        )
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        let text = r.body_text();
        ApiError::bad_request(
            "query",
            format!("查询参数有误：{text}"),
            format!("query parameters are not valid: {text}"),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        let text = r.body_text();
        ApiError::bad_request(
            "path",
            format!("路径参数有误：{text}"),
            format!("path parameter is not valid: {text}"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let detail = self.detail.unwrap_or_else(|| {
            self.errors
                .iter()
                .map(|e| format!("{}: {} / {}", e.field, e.zh, e.en))
                .collect::<Vec<_>>()
                .join("; ")
        });
        let p = Problem {
            kind: format!("https://xiangzhi.dev/problems/{}", self.kind),
            title: self.title.into(),
            title_zh: self.title_zh.into(),
            status: self.status.as_u16(),
            detail,
            errors: self.errors,
        };
        let body = serde_json::to_vec(&p).unwrap_or_default();
        let mut r = (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs.max(1)));
        }
        r
    }
}

impl From<Vec<xiangzhi_storage::FieldError>> for ApiError {
    fn from(fields: Vec<xiangzhi_storage::FieldError>) -> Self {
        StoreError::Invalid(fields).into()
    }
}
