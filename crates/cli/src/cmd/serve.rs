//! `xiangzhi serve`: the API and console, with the workers beside them (the case clock, the
//! notification sender, audit checkpoints).

use crate::config::Config;
use anyhow::Context;
use xiangzhi_alliances::AllianceStore;
use xiangzhi_storage::Db;
use xiangzhi_web::AppState;

pub async fn serve(db: Db, listen: String, cfg: &Config) -> anyhow::Result<()> {
    let stale = db.fail_unfinished_plans(xiangzhi_storage::now_ms()).await?;
    if stale > 0 {
        println!(
            "  {stale} 个未完成的联建规划已标记为失败 / unfinished alliance plans marked failed"
        );
    }
    let webhook = if cfg.webhook_url.is_empty() {
        None
    } else {
        Some(
            xiangzhi_cases::webhook::Webhook::new(&cfg.webhook_url, Some(&cfg.webhook_secret))
                .map_err(|e| anyhow::anyhow!("通知网关地址无效 / invalid webhook: {e}"))?,
        )
    };
    let addr: std::net::SocketAddr = listen
        .parse()
        .with_context(|| format!("监听地址无效 / invalid listen address {listen}"))?;
    println!("乡治 xiangzhi 已启动 / serving on http://{addr}");
    println!("  控制台 / console:      http://{addr}/");
    println!("  API 文档 / API docs:   http://{addr}/api/docs");
    println!("  OpenAPI:               http://{addr}/api/openapi.json");
    crate::workers::audit_link::spawn(db.clone());
    crate::workers::clock::spawn(db.clone());
    crate::workers::rollups::spawn(db.clone());
    crate::workers::imports::spawn(db.clone());
    let file = (!cfg.audit_checkpoint_file.is_empty())
        .then(|| std::path::PathBuf::from(&cfg.audit_checkpoint_file));
    crate::workers::checkpoints::spawn(db.clone(), cfg.audit_checkpoint_minutes, file);
    match webhook {
        Some(hook) => {
            println!("  通知网关 / webhook:    {}", cfg.webhook_url);
            crate::workers::webhook::spawn(db.clone(), hook);
        }
        None => println!("  通知网关 / webhook:    未配置 / not configured (webhook_url)"),
    }
    let web = cfg.web()?;
    if !web.trusted_proxies.is_empty() {
        println!(
            "  可信代理 / trusted proxies: {}",
            cfg.trusted_proxies.join(", ")
        );
    }
    // Requests at work at once (XIANGZHI_MAX_IN_FLIGHT); past them the server answers 503 at once.
    let slots = std::env::var("XIANGZHI_MAX_IN_FLIGHT")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(xiangzhi_web::admission::Admission::DEFAULT_SLOTS);
    println!("  同时处理 / in flight:   至多 / at most {slots}");
    let admission =
        xiangzhi_web::admission::Admission::new(slots, xiangzhi_web::admission::Admission::WAIT);
    xiangzhi::serve(AppState::with_web(db, web).with_admission(admission), addr).await?;
    Ok(())
}
