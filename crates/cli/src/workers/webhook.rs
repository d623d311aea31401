//! The notification sender: due notifications to the webhook every five seconds, failures retried
//! with backoff and left visible in the console.

use xiangzhi_cases::webhook::Webhook;
use xiangzhi_storage::Db;

pub fn spawn(db: Db, hook: Webhook) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
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
    });
}
