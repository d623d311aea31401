//! The notification sender: due notifications to the webhook every five seconds, failures retried
//! with backoff and left visible in the console. Each notice is claimed before it is sent, so it
//! goes out once whichever server sends it.

use xiangzhi_cases::webhook::Webhook;
use xiangzhi_storage::Db;

pub fn spawn(db: Db, hook: Webhook) {
    let hook = std::sync::Arc::new(hook);
    super::spawn_leased(
        db,
        "webhook sender",
        std::time::Duration::from_secs(5),
        move |db| {
            let hook = hook.clone();
            async move {
                match hook.deliver_due(&db, xiangzhi_storage::now_ms()).await {
                    Ok(d) if d.failed > 0 => {
                        tracing::warn!(
                            sent = d.sent,
                            failed = d.failed,
                            "webhook deliveries failed"
                        )
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "webhook sender failed"),
                }
            }
        },
    );
}
