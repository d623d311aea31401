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
    /// Each entry with the name of the chain it belongs to (its county, or the system's own).
    entries: Vec<(AuditRecord, String)>,
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
        entries.last().map(|e| e.id)
    } else {
        None
    };
    // Every county of the database by name: an auditor reads names, never codes.
    let counties: Vec<(i64, String)> =
        s.db.all(&xiangzhi_storage::sql::Q::new(
            "SELECT t.county_id, t.name FROM divisions t WHERE t.level = 'county'",
        ))
        .await
        .map_err(store(v.l))?;
    let counties: std::collections::HashMap<i64, String> = counties.into_iter().collect();
    let system = v.l.t("系统", "System").to_string();
    let entries = entries
        .into_iter()
        .map(|e| {
            let chain = counties
                .get(&e.county_id)
                .cloned()
                .unwrap_or_else(|| system.clone());
            (e, chain)
        })
        .collect();
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
    s.db.audit_link().await.map_err(store(v.l))?;
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
                    "Every chain is intact and matches its checkpoints:"
                ),
                r.entries,
                v.l.t("条", "entries")
            ),
        ),
        (Some(p), _) => (false, p.to_string()),
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

/// Signs a checkpoint of every chain at its newest entry now.
pub async fn audit_checkpoint(axum::extract::State(s): St, v: Viewer) -> P {
    v.need(Right::ReadAudit)?;
    s.db.audit_link().await.map_err(store(v.l))?;
    let c = s.db.audit_checkpoint(now_ms()).await.map_err(store(v.l))?;
    let entries: i64 = c.iter().map(|(c, _)| c.seq).sum();
    let text = format!(
        "{} {} {} {} {}",
        v.l.t("已签发检查点，覆盖", "Checkpoints signed for"),
        c.len(),
        v.l.t("条审计链、共", "chains, covering"),
        entries,
        v.l.t(
            "条记录，请下载后另行保存",
            "entries; download them and keep them apart"
        )
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
