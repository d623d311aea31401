//! The platform's own console pages: signing in and out, accounts, the audit log.

pub mod accounts;
pub mod audit;
pub mod bulk_accounts;
pub mod session;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

/// The platform's pages and assets, to be merged with the features' pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(crate::home::home))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/lang", get(session::switch_lang))
        .route("/users", get(accounts::users).post(accounts::create_user))
        .route(
            "/users/bulk",
            get(bulk_accounts::form).post(bulk_accounts::upload).layer(
                axum::extract::DefaultBodyLimit::max(bulk_accounts::BULK_LIMIT),
            ),
        )
        .route("/users/bulk/template", get(bulk_accounts::template))
        .route("/users/{id}/disable", post(accounts::disable_user))
        .route("/users/{id}/enable", post(accounts::enable_user))
        .route("/users/{id}/password", post(accounts::reset_password))
        .route(
            "/users/requests/{id}/approve",
            post(accounts::approve_request),
        )
        .route(
            "/users/requests/{id}/reject",
            post(accounts::reject_request),
        )
        .route("/audit", get(audit::audit))
        .route("/audit/verify", post(audit::audit_verify))
        .route("/audit/checkpoint", post(audit::audit_checkpoint))
        .route(
            "/audit/checkpoints.jsonl",
            get(audit::audit_checkpoints_file),
        )
        .route("/assets/{name}", get(crate::console::asset))
}
