//! The audit log, its verification and its signed checkpoints (auditors).

use crate::console::{html, store, Chrome, St, Viewer, P};
use crate::AppState;
use askama::Template;
use axum::extract::Query;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;
use xiangzhi_domain::Right;
use xiangzhi_storage::audit::AuditRecord;
use xiangzhi_storage::*;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    entries: Vec<AuditRecord>,
    next: Option<i64>,
    verdict: Option<(bool, String)>,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
}

async fn audit_page(
    s: &AppState,
    v: &Viewer,
    before: Option<i64>,
    verdict: Option<(bool, String)>,
) -> P {
    v.need(Right::ReadAudit)?;
    let entries = s.db.audit_entries(before, 100).await.map_err(store(v.l))?;
    let next = if entries.len() == 100 {
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    html(AuditPage {
        c: v.chrome(v.l.t("审计日志", "Audit log")),
        entries,
        next,
        verdict,
    })
}

pub async fn audit(axum::extract::State(s): St, v: Viewer, Query(q): Query<AuditQuery>) -> P {
    audit_page(&s, &v, q.before, None).await
}

pub async fn audit_verify(axum::extract::State(s): St, v: Viewer) -> P {
    v.need(Right::ReadAudit)?;
    let r = s.db.audit_verify().await.map_err(store(v.l))?;
    let kept =
        s.db.audit_check_checkpoints(None)
            .await
            .map_err(store(v.l))?;
    let verdict = match (r.problem, kept.first()) {
        (None, None) => (
            true,
            format!(
                "{} {} {}",
                v.l.t(
                    "审计链完整，与检查点一致，共",
                    "The chain is intact and matches its checkpoints:"
                ),
                r.entries,
                v.l.t("条", "entries")
            ),
        ),
        (Some((seq, why)), _) => (false, format!("#{seq}: {why}")),
        (None, Some(p)) => (
            false,
            format!(
                "{} #{}: {}",
                v.l.t("检查点", "Checkpoint"),
                p.seq,
                p.problem
            ),
        ),
    };
    audit_page(&s, &v, None, Some(verdict)).await
}

/// Signs a checkpoint of the newest entry now.
pub async fn audit_checkpoint(axum::extract::State(s): St, v: Viewer) -> P {
    v.need(Right::ReadAudit)?;
    let c = s.db.audit_checkpoint(now_ms()).await.map_err(store(v.l))?;
    let text = format!(
        "{} #{} {}",
        v.l.t("已签发检查点", "Checkpoint signed at entry"),
        c.seq,
        v.l.t("，请下载后另行保存", "; download it and keep it apart")
    );
    audit_page(&s, &v, None, Some((true, text))).await
}

/// The checkpoints as JSON lines with the public key, for an auditor to keep apart.
pub async fn audit_checkpoints_file(axum::extract::State(s): St, v: Viewer) -> P {
    v.need(Right::ReadAudit)?;
    let key = xiangzhi_storage::crypto::keyring()
        .map_err(store(v.l))?
        .checkpoint_public_key();
    let mut out = String::new();
    for c in
        s.db.audit_checkpoints(1000)
            .await
            .map_err(store(v.l))?
            .iter()
            .rev()
    {
        out.push_str(&c.to_line(&key).map_err(store(v.l))?);
        out.push('\n');
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit-checkpoints.jsonl\"",
            ),
        ],
        out,
    )
        .into_response())
}
