//! The edge: what every request passes through before any handler, for the API, Open311 and the
//! console alike.
//!
//! - **Where it came from.** The client's address is the TCP peer, unless the peer is one of the
//!   configured trusted proxies (none by default): then the nearest `X-Forwarded-For` hop that is
//!   not itself a trusted proxy, and `X-Forwarded-Proto` says whether the client used HTTPS. A
//!   forged header from anyone else is ignored.
//! - **Cross-site writes.** A write (any method but GET, HEAD, OPTIONS) that carries the session
//!   cookie must come from this site: its `Origin` (or, lacking one, its `Referer`) must name this
//!   host. `Origin: null` and a missing origin are refused. Writes without the cookie (a bearer
//!   token, a login, the public report form) are refused only when they name a foreign origin;
//!   Open311 submissions, which third-party clients send with an API key, are exempt.
//! - **Control characters and oversized fields.** Query strings, paths and JSON or form bodies
//!   with C0/C1 control characters (tab, line feed and carriage return excepted) are refused with
//!   the field named, on both backends alike (PostgreSQL cannot store NUL); a single field over
//!   [`MAX_FIELD_BYTES`] answers 413 naming the field.
//! - **Headers.** A Content-Security-Policy without inline script, no framing, `nosniff`, a
//!   same-origin referrer, and `Cache-Control: no-store` on everything but the static assets.

use crate::error::ApiError;
use crate::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};
use xiangzhi_storage::FieldError;

/// The largest JSON or form body the edge reads to check it (a larger one answers 413).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// The largest single text field any JSON or form body may carry.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// An address range of trusted reverse proxies, e.g. `10.0.0.0/8` or `127.0.0.1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl std::str::FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let (ip, bits) = match s.split_once('/') {
            Some((ip, b)) => (ip, Some(b)),
            None => (s, None),
        };
        let net: IpAddr = ip
            .parse()
            .map_err(|_| format!("'{s}' is not an IP address or range"))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            Some(b) => b
                .parse::<u8>()
                .ok()
                .filter(|b| *b <= max)
                .ok_or_else(|| format!("'{s}' has an invalid prefix length"))?,
            None => max,
        };
        Ok(Cidr { net, bits })
    }
}

impl Cidr {
    pub fn contains(&self, ip: &IpAddr) -> bool {
        let ip = match (self.net, ip) {
            (IpAddr::V4(_), IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => return false,
            },
            _ => *ip,
        };
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.bits)).unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.bits))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// When the session cookie is marked `Secure`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SecureCookies {
    /// When the request came over HTTPS (as a trusted proxy says with `X-Forwarded-Proto`).
    #[default]
    Auto,
    Always,
    /// Plain-HTTP development only.
    Never,
}

impl std::str::FromStr for SecureCookies {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "auto" => Ok(SecureCookies::Auto),
            "always" => Ok(SecureCookies::Always),
            "never" => Ok(SecureCookies::Never),
            o => Err(format!(
                "secure_cookies must be auto, always or never, not '{o}'"
            )),
        }
    }
}

/// The web settings of a server.
#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<Cidr>,
    pub secure_cookies: SecureCookies,
}

/// Where a request came from, as the edge decided (put in the request's extensions).
#[derive(Clone, Debug)]
pub struct Peer {
    pub addr: String,
    pub https: bool,
}

impl Peer {
    /// The attributes every cookie of this response carries.
    pub fn cookie_attrs(&self, web: &WebConfig) -> &'static str {
        let secure = match web.secure_cookies {
            SecureCookies::Always => true,
            SecureCookies::Never => false,
            SecureCookies::Auto => self.https,
        };
        if secure {
            "Path=/; HttpOnly; SameSite=Strict; Secure"
        } else {
            "Path=/; HttpOnly; SameSite=Strict"
        }
    }
}

/// Decides the client's address from the peer and, behind a trusted proxy, the forwarded headers.
pub fn peer(web: &WebConfig, headers: &HeaderMap, connected: Option<IpAddr>) -> Peer {
    let Some(ip) = connected else {
        return Peer {
            addr: "unknown".into(),
            https: false,
        };
    };
    let trusted = |a: &IpAddr| web.trusted_proxies.iter().any(|c| c.contains(a));
    if !trusted(&ip) {
        return Peer {
            addr: ip.to_string(),
            https: false,
        };
    }
    // Walk the forwarded chain from the nearest hop back; the first hop that is not one of our
    // proxies is the client. Anything unparsable ends the walk (a client wrote it).
    let mut client = ip;
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(a) => {
                client = a;
                if !trusted(&a) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
    Peer {
        addr: client.to_string(),
        https,
    }
}

/// Whether `c` is a control character the system refuses in text (tab, LF and CR are allowed).
pub fn is_refused_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// A same-site path to send the browser back to: it starts with one `/`, holds no backslash,
/// white space or control character (browsers read `/\host` and `/\t/host` as another site).
pub fn safe_path(p: &str) -> Option<&str> {
    let ok = p.starts_with('/')
        && !p.starts_with("//")
        && !p
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control());
    ok.then_some(p)
}

enum Refusal {
    Field(FieldError),
    TooLarge(String),
    CrossSite(&'static str, &'static str),
}

fn control_error(field: &str) -> FieldError {
    FieldError {
        field: field.to_string(),
        zh: "含有不可见的控制字符（如NUL），请删除后重试".into(),
        en: "contains an invisible control character (such as NUL); remove it and try again".into(),
    }
}

fn check_text(field: &str, s: &str) -> Result<(), Refusal> {
    if s.len() > MAX_FIELD_BYTES {
        return Err(Refusal::TooLarge(field.to_string()));
    }
    if s.chars().any(is_refused_control) {
        return Err(Refusal::Field(control_error(field)));
    }
    Ok(())
}

fn check_json(v: &serde_json::Value, path: &str) -> Result<(), Refusal> {
    use serde_json::Value;
    match v {
        Value::String(s) => check_text(if path.is_empty() { "body" } else { path }, s),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| check_json(x, &format!("{path}[{i}]"))),
        Value::Object(m) => m.iter().try_for_each(|(k, x)| {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            check_text(&p, k)?;
            check_json(x, &p)
        }),
        _ => Ok(()),
    }
}

fn check_pairs(raw: &[u8]) -> Result<(), Refusal> {
    for (k, v) in form_urlencoded::parse(raw) {
        check_text("name", &k)?;
        check_text(&k, &v)?;
    }
    Ok(())
}

fn is_write(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The host part (`host[:port]`) of an origin or URL.
fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

fn cross_site(req: &Request) -> Result<(), Refusal> {
    if !is_write(req.method()) || req.uri().path().starts_with("/open311/") {
        return Ok(());
    }
    let h = req.headers();
    let has_cookie = crate::cookie(h, crate::SESSION_COOKIE).is_some();
    let bearer = h
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let referer = h.get(header::REFERER).and_then(|v| v.to_str().ok());
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
    let claimed = match (origin, referer) {
        (Some(o), _) => Some(o),
        (None, Some(r)) => Some(r),
        (None, None) => None,
    };
    let foreign = || {
        Refusal::CrossSite(
            "跨站请求被拒绝：请求不是从本系统的页面发出的",
            "cross-site request refused: it did not come from this site's pages",
        )
    };
    match claimed {
        Some(c) => {
            let same = c != "null" && host.is_some() && host_of(c) == host;
            // A token-only client (no cookie) is not a browser riding on a session.
            let token_only = bearer && !has_cookie;
            if !same && !token_only {
                return Err(foreign());
            }
        }
        None if has_cookie && !bearer => {
            return Err(Refusal::CrossSite(
                "跨站请求被拒绝：请求未说明来源（Origin）",
                "cross-site request refused: the request names no origin",
            ))
        }
        None => {}
    }
    Ok(())
}

fn refuse(path: &str, r: Refusal) -> Response {
    let api = path.starts_with("/api/") || path.starts_with("/open311/");
    let e = match r {
        Refusal::Field(f) => ApiError::invalid(vec![f]),
        Refusal::TooLarge(field) => ApiError::field_too_large(&field, MAX_FIELD_BYTES),
        Refusal::CrossSite(zh, en) => ApiError::forbidden(zh, en),
    };
    if api {
        return e.into_response();
    }
    // A console page: a short bilingual page rather than JSON.
    let (zh, en) = e.reasons();
    let body = format!(
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>{0}</title>\
         <p>{1}</p><p lang=\"en\">{2}</p><p><a href=\"/\">返回首页 / Home</a></p></html>",
        e.status_code().as_u16(),
        html_escape(&zh),
        html_escape(&en)
    );
    (
        e.status_code(),
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The Content-Security-Policy of every page: scripts and style sheets only from this site (no
/// inline script, no inline handlers), no plug-ins, no framing, forms only to this site. Style
/// attributes are allowed: the chart library positions its tooltips with them, and they cannot run
/// script.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; \
     connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; \
     frame-ancestors 'none'; worker-src 'self'; manifest-src 'self'";
/// Swagger UI sets inline styles; it gets them, and nothing else more.
const CSP_DOCS: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

fn secure_headers(path: &str, https: bool, h: &mut HeaderMap) {
    let set = |h: &mut HeaderMap, k: header::HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    let csp = if path.starts_with("/api/docs") {
        CSP_DOCS
    } else {
        CSP
    };
    set(h, header::CONTENT_SECURITY_POLICY, csp);
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "same-origin");
    set(
        h,
        header::HeaderName::from_static("permissions-policy"),
        "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()",
    );
    set(
        h,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if https {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    // Pages and answers may carry personal data: nothing is stored by the browser or a proxy
    // unless the handler said otherwise (the static assets do).
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
}

/// The edge middleware (see the module's documentation).
pub async fn edge(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let connected = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let p = peer(&state.web, req.headers(), connected);
    let https = p.https;
    let path = req.uri().path().to_string();
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(p);
    let checked = async {
        // The path (percent-decoded) and the query string.
        let decoded = percent_decode(parts.uri.path());
        check_text("path", &decoded)?;
        if let Some(q) = parts.uri.query() {
            check_pairs(q.as_bytes())?;
        }
        cross_site(&Request::from_parts(parts.clone(), Body::empty()))?;
        let kind = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        let json = kind == "application/json" || kind.ends_with("+json");
        let form = kind == "application/x-www-form-urlencoded";
        if !(json || form) || !is_write(&parts.method) {
            return Ok(body);
        }
        let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|_| Refusal::TooLarge("body".into()))?;
        if json {
            // A body that is not JSON is left for the handler to refuse in its own words.
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                check_json(&v, "")?;
            }
        } else {
            check_pairs(&bytes)?;
        }
        Ok(Body::from(bytes))
    };
    let mut resp = match checked.await {
        Ok(body) => next.run(Request::from_parts(parts, body)).await,
        Err(r) => refuse(&path, r),
    };
    secure_headers(&path, https, resp.headers_mut());
    resp
}

/// Percent-decodes a path (lossily: invalid UTF-8 becomes U+FFFD, which is allowed).
fn percent_decode(p: &str) -> String {
    percent_encoding::percent_decode_str(p)
        .decode_utf8_lossy()
        .into_owned()
}

/// Answers 429 with `Retry-After`.
pub fn too_many(retry_after_secs: i64, zh: &str, en: &str) -> Response {
    let mut r = ApiError::too_many(zh, en).into_response();
    if let Ok(v) = HeaderValue::from_str(&retry_after_secs.max(1).to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr() {
        let c: Cidr = "10.0.0.0/8".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(c.contains(&"10.2.3.4".parse().unwrap_or_else(|_| panic!())));
        assert!(!c.contains(&"11.2.3.4".parse().unwrap_or_else(|_| panic!())));
        let one: Cidr = "127.0.0.1".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(one.contains(&"::ffff:127.0.0.1".parse().unwrap_or_else(|_| panic!())));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("example".parse::<Cidr>().is_err());
    }

    #[test]
    fn forwarded_only_from_trusted_proxies() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 1.2.3.4"),
        );
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        let none = WebConfig::default();
        let p = peer(&none, &h, "9.9.9.9".parse().ok());
        assert_eq!((p.addr.as_str(), p.https), ("9.9.9.9", false));
        let web = WebConfig {
            trusted_proxies: vec!["9.9.9.9".parse().unwrap_or_else(|e: String| panic!("{e}"))],
            ..Default::default()
        };
        // The proxy appended the address it saw (1.2.3.4); the client forged 6.6.6.6 before it.
        let p = peer(&web, &h, "9.9.9.9".parse().ok());
        assert_eq!((p.addr.as_str(), p.https), ("1.2.3.4", true));
    }

    #[test]
    fn same_site_paths_only() {
        for bad in [
            "//evil.example/x",
            "/\\evil.example/x",
            "/\t/evil.example",
            "https://evil.example",
            "evil",
            "",
        ] {
            assert_eq!(safe_path(bad), None, "{bad:?}");
        }
        assert_eq!(safe_path("/cases?state=open"), Some("/cases?state=open"));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("/a%00b"), "/a\0b");
        assert_eq!(percent_decode("/a%2"), "/a%2");
        assert_eq!(percent_decode("/%E4%B9%A1"), "/乡");
    }
}
