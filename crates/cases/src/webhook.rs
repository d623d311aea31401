//! Sends case notifications to a configured webhook (an SMS or messaging gateway). Each pass
//! claims the notices that are due (so two servers never send one at the same time), posts each
//! as JSON, and records the outcome: sent, or the reason it failed, retried with backoff until it
//! is marked failed for people to see and resend. Delivery is at least once: a server stopped
//! between sending and recording sends again, with the same `X-Xiangzhi-Delivery` id for the
//! gateway to recognise.

use crate::prelude::*;
use crate::store::notifications::Outgoing;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use std::time::Duration;
use xiangzhi_storage::{Db, StoreError};

/// Where notices go, and the secret that signs them.
#[derive(Clone)]
pub struct Webhook {
    url: String,
    secret: Option<Vec<u8>>,
    client: reqwest::Client,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
}

impl Webhook {
    /// A webhook posting to `url` (http or https), signing each body with HMAC-SHA256 under
    /// `secret` if given (header `X-Xiangzhi-Signature: sha256=<hex>`).
    pub fn new(url: &str, secret: Option<&str>) -> Result<Webhook, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("webhook_url {url}: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!("webhook_url {url}: http or https only"));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("xiangzhi/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Webhook {
            url: url.to_string(),
            secret: secret
                .filter(|s| !s.is_empty())
                .map(|s| s.as_bytes().to_vec()),
            client,
        })
    }

    /// The body posted for a notice.
    pub fn payload(o: &Outgoing) -> serde_json::Value {
        let n = &o.n;
        let recipient = match (n.user_id, &o.to_phone) {
            (Some(id), _) => {
                json!({"user_id": id, "login": o.login, "display_name": o.display_name})
            }
            // A resident who reported with a phone: the gateway sends an SMS.
            (None, Some(phone)) => json!({"phone": phone}),
            (None, None) => json!({"division_code": n.to_division, "division_name": o.office_name}),
        };
        json!({
            "delivery_id": format!("{}-{}", n.county_id, n.id),
            "county_id": n.county_id,
            "notification_id": n.id,
            "case_id": n.case_id,
            "kind": n.kind,
            "recipient": recipient,
            "message": {"zh": n.message_zh, "en": n.message_en},
            "created_at": n.created_at,
            "attempt": n.attempts + 1,
        })
    }

    async fn send(&self, o: &Outgoing) -> Result<(), String> {
        let body = serde_json::to_vec(&Self::payload(o)).map_err(|e| e.to_string())?;
        let mut req = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header(
                "X-Xiangzhi-Delivery",
                format!("{}-{}", o.n.county_id, o.n.id),
            );
        if let Some(secret) = &self.secret {
            let mut mac =
                Hmac::<sha2::Sha256>::new_from_slice(secret).map_err(|e| e.to_string())?;
            mac.update(&body);
            let hex = xiangzhi_storage::crypto::hex(&mac.finalize().into_bytes());
            req = req.header("X-Xiangzhi-Signature", format!("sha256={hex}"));
        }
        match req.body(body).send().await {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => {
                let status = r.status();
                let text = r.text().await.unwrap_or_default();
                let text: String = text.chars().take(200).collect();
                Err(format!("HTTP {status} {text}").trim().to_string())
            }
            Err(e) => Err(if e.is_timeout() {
                "timed out after 10 s".to_string()
            } else if e.is_connect() {
                format!("cannot connect: {e}")
            } else {
                e.to_string()
            }),
        }
    }

    /// Sends every notice due at `now` (up to 16 at a time) and records each outcome.
    pub async fn deliver_due(&self, db: &Db, now: i64) -> Result<Delivered, StoreError> {
        const BATCH: i64 = 100;
        let mut done = Delivered::default();
        loop {
            let claimed = db.claim_notifications(now, BATCH).await?;
            let n = claimed.len() as i64;
            for chunk in claimed.chunks(16) {
                let mut set = tokio::task::JoinSet::new();
                for o in chunk.iter().cloned() {
                    let hook = self.clone();
                    set.spawn(async move {
                        let outcome = hook.send(&o).await;
                        (o, outcome)
                    });
                }
                while let Some(joined) = set.join_next().await {
                    let Ok((o, outcome)) = joined else { continue };
                    if outcome.is_ok() {
                        done.sent += 1;
                    } else {
                        done.failed += 1;
                    }
                    db.record_delivery(&o.n, outcome, now).await?;
                }
            }
            if n < BATCH {
                return Ok(done);
            }
        }
    }
}
