//! The OpenAPI frame: the document's title, the bearer scheme, its tags, and the answers every
//! operation can give besides its own.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "xiangzhi 乡治 API",
        description = "党建引领基层治理 — party-building-led grassroots governance. Errors are RFC 9457 problem details in Chinese and English.",
        version = "1"
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "auth", description = "登录、会话、令牌、账号、审计 — login, sessions, tokens, accounts, audit")
    )
)]
pub struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Documents the answers every operation can give besides its own, as the edge and the extractors
/// send them: problem details (`application/problem+json`) for a malformed request (400), a login
/// required (401, routes behind the bearer scheme), a refused role or cross-site write (403), a
/// missing or out-of-jurisdiction record (404, routes with a path parameter or a jurisdiction
/// filter), an oversized field or body (413), a control character or invalid field (422).
pub struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem = |what: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(what)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        for (path, item) in doc.paths.paths.iter_mut() {
            let open311 = path.starts_with("/open311/");
            for (write, op) in [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (true, item.put.as_mut()),
                (true, item.patch.as_mut()),
                (true, item.delete.as_mut()),
            ]
            .into_iter()
            .filter_map(|(w, o)| o.map(|o| (w, o)))
            {
                let responses = &mut op.responses.responses;
                // Errors documented with the Problem schema are sent as problem+json.
                for (code, r) in responses.iter_mut() {
                    if let RefOr::T(r) = r {
                        // OpenAPI requires a description on every response.
                        if r.description.is_empty() {
                            r.description = code
                                .parse::<u16>()
                                .ok()
                                .and_then(|c| axum::http::StatusCode::from_u16(c).ok())
                                .and_then(|c| c.canonical_reason())
                                .unwrap_or("Answer")
                                .to_string();
                        }
                        if let Some(c) = r.content.shift_remove("application/json") {
                            let is_problem = matches!(&c, RefOr::T(c)
                                if matches!(&c.schema, Some(RefOr::Ref(x)) if x.ref_location.ends_with("/Problem")));
                            let key = if is_problem {
                                "application/problem+json"
                            } else {
                                "application/json"
                            };
                            r.content.insert(key.to_string(), c);
                        }
                    }
                }
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|s| s.iter().all(|r| r == &Default::default()));
                let mut add = |code: &str, what: &str| {
                    let r = responses
                        .entry(code.to_string())
                        .or_insert_with(|| problem(what));
                    // The edge answers in problem details even where the operation's own errors
                    // have another form (Open311).
                    if let RefOr::T(r) = r {
                        if !r.content.contains_key("application/problem+json") {
                            r.content.insert(
                                "application/problem+json".to_string(),
                                RefOr::T(
                                    ContentBuilder::new()
                                        .schema(Some(Ref::from_schema_name("Problem")))
                                        .build(),
                                ),
                            );
                        }
                    }
                };
                add("422", "A field is invalid or holds a control character");
                if write {
                    add("413", "A field or the body is too large");
                }
                if open311 {
                    continue;
                }
                add("400", "The request could not be read");
                if !public {
                    add("401", "Login required");
                }
                if write || !public {
                    add("403", "Not allowed for this role, or a cross-site write");
                }
                if write {
                    add(
                        "409",
                        "Conflicts with existing data, or changed by someone else meanwhile",
                    );
                }
                if !public {
                    add("404", "No such record within your jurisdiction");
                }
            }
        }
    }
}
