//! 通知: who must hear of a case's step. Written in the step's own transaction (an outbox, so a
//! step is never without its notice and a notice never without its step), read by the recipients
//! in the console, and delivered to the county's webhook (an SMS or messaging gateway) by a
//! sender that claims each due notice, records every attempt's outcome, and retries with backoff
//! until it gives up visibly.

use crate::rules::{Action, CaseLevel};
use crate::store::Case;
use serde::Serialize;
use utoipa::ToSchema;
use xiangzhi_domain::DivisionCode;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{Db, Result, Scope, StoreError, Tx};

/// Attempts before a notice is marked failed (about two hours of retrying).
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a sender owns a claimed notice before another may try it.
const LEASE_MS: i64 = 60_000;

/// The wait after the `attempts`-th failed attempt: 30 s, doubling, at most an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    (30_000i64 << (attempts - 1).clamp(0, 7)).min(3_600_000)
}

/// A notice to one account or to every account working at a division.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Notification {
    pub county_id: i64,
    pub id: i64,
    pub case_id: i64,
    pub division_code: String,
    /// assigned, escalated, supervised, extension_requested, returned, resolved, reopened
    pub kind: String,
    pub user_id: Option<i64>,
    /// The office (division) whose accounts are told, when not one account.
    pub to_division: Option<String>,
    pub message_zh: String,
    pub message_en: String,
    pub created_at: i64,
    /// pending, sent or failed (after `MAX_ATTEMPTS`).
    pub delivery: String,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
}

/// A notice claimed for sending, with what the gateway needs to reach its recipient.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Outgoing {
    #[sqlx(flatten)]
    pub n: Notification,
    pub login: Option<String>,
    pub display_name: Option<String>,
    pub office_name: Option<String>,
    /// A resident's phone (opened from its sealed column for the gateway only).
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedPhoneOpt")]
    pub to_phone: Option<String>,
}

const COLS: &str = "t.county_id, t.id, t.case_id, t.division_code, t.kind, t.user_id, t.to_division, t.message_zh, \
     t.message_en, t.created_at, t.delivery, t.attempts, t.next_attempt_at, t.last_error, t.delivered_at";

pub(crate) struct Notice {
    pub kind: &'static str,
    pub user: Option<i64>,
    pub office: Option<String>,
    /// A resident's phone: the gateway sends an SMS.
    pub phone: Option<String>,
    pub zh: String,
    pub en: String,
}

/// What a resident who reported on the public page with a phone is told, by SMS: that the report
/// arrived (`received`), and that it is resolved (`resolved_resident`). No tracking code: the
/// resident has it; a message can be read by others.
pub(crate) fn resident_notice(kind: &'static str, case_id: i64, phone: String) -> Notice {
    let (zh, en) = match kind {
        "received" => (
            format!("您反映的事项已收到（事项号{case_id}），我们会尽快办理。可凭事项号和查询码查看进度。"),
            format!("We have your report (case {case_id}) and will handle it soon. Follow it with the case number and your tracking code."),
        ),
        _ => (
            format!("您反映的事项（事项号{case_id}）已办结，请凭查询码查看办理结果并评价。"),
            format!("Your report (case {case_id}) has been resolved; please see the result with your tracking code and rate it."),
        ),
    };
    Notice {
        kind,
        user: None,
        office: None,
        phone: Some(phone),
        zh,
        en,
    }
}

/// The notices a step sends: the new handler of an assignment, the office a case is escalated
/// to (and the handler it was taken from), the handler of a supervised case, the office that
/// decides an extension, the dispatchers of a returned case, and the account that filed a
/// resolved case (it visits the resident for the confirmation).
fn notices(before: &Case, after: &Case, action: &Action) -> Vec<Notice> {
    let id = after.id;
    let Ok(division) = DivisionCode::parse(&after.division_code) else {
        return Vec::new();
    };
    let office = |level: CaseLevel| Some(level.office(&division).as_str().to_string());
    let to_handler_or_office = |kind, zh: String, en: String| Notice {
        kind,
        user: after.handler_id,
        office: if after.handler_id.is_some() {
            None
        } else {
            office(after.level)
        },
        phone: None,
        zh,
        en,
    };
    let mut out = Vec::new();
    match action {
        Action::Assign { .. } | Action::Transfer { .. } => out.push(Notice {
            phone: None,
            kind: "assigned",
            user: after.handler_id,
            office: None,
            zh: format!("事项#{id}已派给您办理，请在期限内处理"),
            en: format!("Case #{id} has been assigned to you; please handle it in time"),
        }),
        Action::Escalate => {
            out.push(Notice {
                phone: None,
                kind: "escalated",
                user: None,
                office: office(after.level),
                zh: format!("事项#{id}已上报至{}，请及时处理", after.level.zh()),
                en: format!(
                    "Case #{id} has been escalated to {} level; please take it up",
                    after.level.as_str().replace('_', " ")
                ),
            });
            if let Some(h) = before.handler_id {
                out.push(Notice {
                    phone: None,
                    kind: "escalated",
                    user: Some(h),
                    office: None,
                    zh: format!("您承办的事项#{id}已上报上级"),
                    en: format!("Case #{id}, which you were handling, has been escalated"),
                });
            }
        }
        Action::Supervise => out.push(to_handler_or_office(
            "supervised",
            format!("事项#{id}已被上级督办，请加快办理"),
            format!("Case #{id} is now under supervision by a higher level; please speed it up"),
        )),
        Action::RequestExtension => out.push(Notice {
            phone: None,
            kind: "extension_requested",
            user: None,
            office: office(after.level.up().unwrap_or(CaseLevel::County)),
            zh: format!("事项#{id}申请延期，请审批"),
            en: format!("Case #{id} asks for an extension; please decide"),
        }),
        Action::Return => out.push(Notice {
            phone: None,
            kind: "returned",
            user: None,
            office: office(after.level),
            zh: format!("事项#{id}被承办人退回，请重新派单"),
            en: format!("Case #{id} was returned by its handler; please dispatch it again"),
        }),
        Action::Reopen => out.push(to_handler_or_office(
            "reopened",
            format!("事项#{id}被群众要求重新办理"),
            format!("Case #{id} was reopened by the resident"),
        )),
        Action::Resolve => {
            if let Some(r) = after.reported_by {
                out.push(Notice {
                    phone: None,
                    kind: "resolved",
                    user: Some(r),
                    office: None,
                    zh: format!("您上报的事项#{id}已办结，请回访群众确认并评价"),
                    en: format!(
                        "Case #{id}, which you reported, is resolved; please ask the resident to confirm and rate it"
                    ),
                });
            }
        }
        _ => {}
    }
    out.retain(|n| n.user.is_some() || n.office.is_some() || n.phone.is_some());
    out
}

/// Writes the notices of a step, inside the step's transaction: to the accounts that must act,
/// and on resolution to a resident who reported on the public page with a phone.
pub(crate) async fn on_step(
    tx: &mut Tx,
    before: &Case,
    after: &Case,
    action: &Action,
    now: i64,
) -> Result<()> {
    let mut notices = notices(before, after, action);
    if matches!(action, Action::Resolve) {
        let row: Option<(Option<String>, Option<String>)> = tx
            .optional(&Q::with(
                "SELECT t.reporter_phone, t.tracking_hash FROM cases t WHERE t.county_id = ? AND t.id = ?",
                vec![after.county_id.into(), after.id.into()],
            ))
            .await?;
        if let Some((Some(sealed), Some(_))) = row {
            let phone = xiangzhi_storage::crypto::keyring()?.open("phone", &sealed)?;
            notices.push(resident_notice("resolved_resident", after.id, phone));
        }
    }
    write(tx, after, notices, now).await
}

/// Writes `notices` about `case` (a resident's phone sealed).
pub(crate) async fn write(tx: &mut Tx, case: &Case, notices: Vec<Notice>, now: i64) -> Result<()> {
    if notices.is_empty() {
        return Ok(());
    }
    let county = case.county_id;
    let first =
        xiangzhi_registry::store::next_ids(tx, county, "notification", notices.len() as i64)
            .await?;
    for (k, n) in notices.into_iter().enumerate() {
        tx.exec(&Q::with(
            "INSERT INTO notifications (county_id, id, case_id, division_code, kind, user_id, to_division, message_zh, \
             message_en, created_at, delivery, attempts, next_attempt_at, last_error, delivered_at, to_phone) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, NULL, NULL, ?)",
            vec![
                county.into(),
                (first + k as i64).into(),
                case.id.into(),
                case.division_code.clone().into(),
                n.kind.into(),
                n.user.into(),
                n.office.into(),
                n.zh.into(),
                n.en.into(),
                now.into(),
                now.into(),
                xiangzhi_storage::crypto::seal_opt("phone", n.phone.as_deref()).into(),
            ],
        ))
        .await?;
    }
    Ok(())
}

/// This part's queries, as methods of the store.
#[easy_ext::ext(NotificationStore)]
pub impl Db {
    /// The notices addressed to an account: to it by name, or to the office it works at.
    /// Newest first, at most `limit`.
    async fn notifications_for(
        &self,
        user_id: i64,
        division_code: &str,
        limit: i64,
    ) -> Result<Vec<Notification>> {
        self.all(&Q::with(
            &format!(
                "SELECT {COLS} FROM notifications t WHERE t.user_id = ? \
                 UNION ALL SELECT {COLS} FROM notifications t WHERE t.to_division = ? \
                 ORDER BY created_at DESC, id DESC LIMIT ?"
            ),
            vec![user_id.into(), division_code.into(), limit.into()],
        ))
        .await
    }

    /// The notices of cases in the scope, by division and age; `kind` filters by delivery state
    /// (`pending`, `sent`, `failed`).
    async fn list_notifications(
        &self,
        scope: &Scope,
        lq: &xiangzhi_storage::ListQuery,
    ) -> Result<xiangzhi_storage::Page<Notification>> {
        let scope = xiangzhi_registry::store::division_filter(scope, lq)?;
        let mut q = Q::new(&format!("SELECT {COLS} FROM notifications t WHERE 1=1"));
        scope.filter(&mut q, &crate::tables::NOTIFICATIONS, "t", "division_code");
        if let Some(state) = lq.kind.as_deref() {
            if !matches!(state, "pending" | "sent" | "failed") {
                return Err(StoreError::invalid(
                    "kind",
                    "发送状态应为 pending、sent 或 failed",
                    "the delivery state is one of pending, sent, failed",
                ));
            }
            let p = q.arg(state);
            q.push(&format!(" AND t.delivery = {p}"));
        }
        xiangzhi_registry::store::page(self, q, xiangzhi_registry::store::Order::Id, lq).await
    }

    /// Claims up to `limit` notices due for sending at `now`: each is leased to this caller for a
    /// minute (compare-and-set on its due time), so two senders never send the same notice at once.
    async fn claim_notifications(&self, now: i64, limit: i64) -> Result<Vec<Outgoing>> {
        let due: Vec<Outgoing> = self
            .all(&Q::with(
                &format!(
                    "SELECT {COLS}, u.login, u.display_name, d.name AS office_name, t.to_phone FROM notifications t \
                     LEFT JOIN users u ON u.id = t.user_id \
                     LEFT JOIN divisions d ON d.county_id = t.county_id AND d.code = t.to_division \
                     WHERE t.next_attempt_at IS NOT NULL AND t.next_attempt_at <= ? AND t.delivery = 'pending' \
                     ORDER BY t.next_attempt_at LIMIT ?"
                ),
                vec![now.into(), limit.into()],
            ))
            .await?;
        // One transaction for the whole batch: each claim is still its own compare-and-set, but
        // the batch costs one commit, not one per notice.
        let mut claimed = Vec::with_capacity(due.len());
        let mut tx = self.begin().await?;
        tx.bookkeeping(xiangzhi_storage::Bookkeeping::WorkerProgress);
        for o in due {
            let n = tx
                .exec(&Q::with(
                    "UPDATE notifications SET next_attempt_at = ? WHERE county_id = ? AND id = ? AND next_attempt_at = ? \
                     AND delivery = 'pending'",
                    vec![
                        (now + LEASE_MS).into(),
                        o.n.county_id.into(),
                        o.n.id.into(),
                        o.n.next_attempt_at.into(),
                    ],
                ))
                .await?;
            if n == 1 {
                claimed.push(o);
            }
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// Records one attempt to deliver a claimed notice: sent, or failed with the reason (retried
    /// after `backoff_ms`, marked failed after `MAX_ATTEMPTS`).
    async fn record_delivery(
        &self,
        n: &Notification,
        outcome: std::result::Result<(), String>,
        now: i64,
    ) -> Result<Notification> {
        let attempts = n.attempts + 1;
        let (delivery, next, error, delivered) = match outcome {
            Ok(()) => ("sent", None, None, Some(now)),
            Err(e) => {
                let e: String = e.chars().take(500).collect();
                if attempts >= MAX_ATTEMPTS {
                    ("failed", None, Some(e), None)
                } else {
                    ("pending", Some(now + backoff_ms(attempts)), Some(e), None)
                }
            }
        };
        let mut tx = self.begin().await?;
        tx.bookkeeping(xiangzhi_storage::Bookkeeping::WorkerProgress);
        tx.exec(&Q::with(
            "UPDATE notifications SET delivery = ?, attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = ? \
             WHERE county_id = ? AND id = ?",
            vec![
                delivery.into(),
                attempts.into(),
                next.into(),
                error.into(),
                delivered.into(),
                n.county_id.into(),
                n.id.into(),
            ],
        ))
        .await?;
        let row = tx
            .one(&Q::with(
                &format!("SELECT {COLS} FROM notifications t WHERE t.county_id = ? AND t.id = ?"),
                vec![n.county_id.into(), n.id.into()],
            ))
            .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Sends a failed notice again from the start of the retry schedule.
    async fn retry_notification(&self, scope: &Scope, id: i64, now: i64) -> Result<Notification> {
        let mut q = Q::with(
            &format!("SELECT {COLS} FROM notifications t WHERE t.id = ?"),
            vec![id.into()],
        );
        scope.filter(&mut q, &crate::tables::NOTIFICATIONS, "t", "division_code");
        let n: Notification = self.one(&q).await?;
        if n.delivery != "failed" {
            return Err(StoreError::conflict(
                "delivery",
                "只有发送失败的通知可以重发",
                "only a failed notice can be sent again",
            ));
        }
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "UPDATE notifications SET delivery = 'pending', attempts = 0, next_attempt_at = ? \
             WHERE county_id = ? AND id = ? AND delivery = 'failed'",
            vec![now.into(), n.county_id.into(), n.id.into()],
        ))
        .await?;
        let row = tx
            .one(&Q::with(
                &format!("SELECT {COLS} FROM notifications t WHERE t.county_id = ? AND t.id = ?"),
                vec![n.county_id.into(), n.id.into()],
            ))
            .await?;
        tx.audit(
            scope.actor(),
            "retry notification",
            format!("notification {}:{id}", n.county_id),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }
}

xiangzhi_storage::keyed_by_id!(Notification);
