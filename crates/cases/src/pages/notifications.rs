//! Notifications: the account's own, and (for those who dispatch) the ones the gateway refused.

use crate::prelude::*;
use askama::Template;
use axum::extract::Path;
use xiangzhi_domain::Right;
use xiangzhi_storage::*;
use xiangzhi_web::console::{html, store, Chrome, St, Viewer, P};
use xiangzhi_web::AppState;

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    c: Chrome,
    mine: Vec<crate::store::notifications::Notification>,
    failed: Option<Vec<crate::store::notifications::Notification>>,
    webhook_note: String,
}

async fn notifications_page(s: &AppState, v: &Viewer, note: String) -> P {
    v.need(Right::ReadRegistry)?;
    let mine =
        s.db.notifications_for(v.user.id, &v.user.division_code, 100)
            .await
            .map_err(store(v.l))?;
    let failed = if v.user.can(Right::WriteRegistry) {
        let lq = ListQuery {
            kind: Some("failed".into()),
            limit: Some(200),
            ..Default::default()
        };
        Some(
            s.db.list_notifications(&v.scope(), &lq)
                .await
                .map_err(store(v.l))?
                .items,
        )
    } else {
        None
    };
    html(NotificationsPage {
        c: v.chrome(v.l.t("通知", "Notices")),
        mine,
        failed,
        webhook_note: note,
    })
}

pub async fn notifications(axum::extract::State(s): St, v: Viewer) -> P {
    notifications_page(&s, &v, String::new()).await
}

pub async fn retry_notification(axum::extract::State(s): St, v: Viewer, Path(id): Path<i64>) -> P {
    v.need(Right::WriteRegistry)?;
    let n =
        s.db.retry_notification(&v.scope(), id, now_ms())
            .await
            .map_err(store(v.l))?;
    let note = format!(
        "{} #{}",
        v.l.t("已重新排队发送", "Queued to be sent again:"),
        n.id
    );
    notifications_page(&s, &v, note).await
}
