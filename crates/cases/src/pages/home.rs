//! The cases' part of the home page: cases to handle, to accept or dispatch, and waiting for the
//! resident's answer (overdue first); the latest notices; the week's figures, each a link to the
//! ledger's cases behind it; quick actions.

use crate::prelude::*;
use crate::store::Case;
use std::collections::HashMap;
use xiangzhi_domain::Right;
use xiangzhi_storage::{now_ms, StoreError};
use xiangzhi_web::console::{Viewer, L};
use xiangzhi_web::home::{Action, Card, Figure, HomeParts, Item};
use xiangzhi_web::AppState;

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;

/// "due in 2 days", "3 hours overdue".
pub(crate) fn due_words(l: L, due: i64, now: i64) -> String {
    let d = due - now;
    let (n, unit_zh, unit_en) = if d.abs() >= DAY {
        (d.abs() / DAY, "天", "day")
    } else {
        ((d.abs() / HOUR).max(1), "小时", "hour")
    };
    let plural = if n == 1 { "" } else { "s" };
    if d >= 0 {
        l.t(
            &format!("还剩{n}{unit_zh}"),
            &format!("due in {n} {unit_en}{plural}"),
        )
        .to_string()
    } else {
        l.t(
            &format!("已超期{n}{unit_zh}"),
            &format!("{n} {unit_en}{plural} overdue"),
        )
        .to_string()
    }
}

fn items(l: L, cases: &[Case], names: &HashMap<String, String>, now: i64) -> Vec<Item> {
    cases
        .iter()
        .take(8)
        .map(|k| {
            let what: String = k.description.chars().take(24).collect();
            let category = names.get(&k.category).unwrap_or(&k.category);
            Item {
                label: format!("#{} {category} · {what}", k.id),
                href: format!("/cases/{}", k.id),
                note: k.due_at.map(|d| due_words(l, d, now)).unwrap_or_default(),
                late: k.due_at.is_some_and(|d| d < now),
            }
        })
        .collect()
}

async fn build(s: &AppState, v: &Viewer) -> Result<HomeParts, StoreError> {
    let mut parts = HomeParts::default();
    if !v.user.can(Right::ReadRegistry) {
        return Ok(parts);
    }
    let l = v.l;
    let now = now_ms();
    let scope = v.scope();
    let names = category_names(s, &scope).await?;
    let (mine, waiting) = s.db.case_inbox(&scope, v.user.id).await?;
    parts.cards.push(Card {
        order: 0,
        title: l.t("待我办理", "For me to handle").into(),
        count: mine.len() as i64,
        items: items(l, &mine, &names, now),
        empty: l.t("没有待办事项", "Nothing to handle").into(),
        more: Some((l.t("全部待办", "All my cases").into(), "/cases".into())),
    });
    if v.user.can(Right::WriteRegistry) {
        parts.cards.push(Card {
            order: 1,
            title: l.t("待受理、待派单", "To accept or dispatch").into(),
            count: waiting.len() as i64,
            items: items(l, &waiting, &names, now),
            empty: l.t("没有待派事项", "Nothing waiting").into(),
            more: Some((
                l.t("事件台账", "Case ledger").into(),
                "/cases/ledger?state=reported".into(),
            )),
        });
    }
    let resolved = s.db.cases_in_state(&scope, "resolved", 8).await?;
    parts.cards.push(Card {
        order: 2,
        title: l
            .t("待群众确认", "Waiting for the resident's answer")
            .into(),
        count: resolved.len() as i64,
        items: items(l, &resolved, &names, now),
        empty: l
            .t("没有待确认事项", "Nothing waiting for an answer")
            .into(),
        more: Some((
            l.t("事件台账", "Case ledger").into(),
            "/cases/ledger?state=resolved".into(),
        )),
    });
    // 调解协议回访: a mediated agreement is visited again within a month.
    let due = s.db.visits_due(&scope, now - VISIT_EVERY_MS, 8).await?;
    parts.cards.push(Card {
        order: 4,
        title: l
            .t("待回访的调解协议", "Mediation agreements due a visit")
            .into(),
        count: due.len() as i64,
        items: due
            .iter()
            .map(|(id, category, last)| Item {
                label: format!("#{id} {}", names.get(category).unwrap_or(category)),
                href: format!("/cases/{id}"),
                note: format!(
                    "{} {}",
                    l.t("上次", "last"),
                    crate::pages::stats::day(*last)
                ),
                late: true,
            })
            .collect(),
        empty: l.t("没有到期的回访", "No follow-up visit is due").into(),
        more: None,
    });
    let notices =
        s.db.notifications_for(v.user.id, &v.user.division_code, 5)
            .await?;
    parts.cards.push(Card {
        order: 3,
        title: l.t("最新通知", "Latest notices").into(),
        count: notices.len() as i64,
        items: notices
            .iter()
            .map(|n| Item {
                label: l.t(&n.message_zh, &n.message_en).to_string(),
                href: format!("/cases/{}", n.case_id),
                note: l.time(&n.created_at),
                late: false,
            })
            .collect(),
        empty: l.t("没有新通知", "No notices").into(),
        more: Some((
            l.t("全部通知", "All notices").into(),
            "/notifications".into(),
        )),
    });
    // The week's figures of the caller's area, each leading to the cases behind it.
    let from = now - 7 * DAY;
    let week = s.db.case_stats(&scope, from, now, now).await?;
    let day = crate::pages::stats::day;
    let period = format!("from={}&to={}", day(from), day(now));
    parts.figures.push(Figure {
        label: l.t("本周新报", "Reported this week").into(),
        value: week.total.to_string(),
        href: format!("/cases/ledger?{period}"),
    });
    parts.figures.push(Figure {
        label: l.t("本周办结", "Resolved this week").into(),
        value: week.resolved.to_string(),
        href: format!("/cases/ledger?{period}&state=closed"),
    });
    let overdue = crate::store::LedgerFilter {
        overdue: true,
        ..Default::default()
    };
    let (overdue, _) = s.db.case_ledger(&scope, &overdue, now, 1, 0).await?;
    parts.figures.push(Figure {
        label: l.t("当前超期", "Overdue now").into(),
        value: overdue.to_string(),
        href: "/cases/ledger?overdue=1".into(),
    });
    parts.figures.push(Figure {
        label: l.t("满意度", "Satisfaction").into(),
        value: week
            .satisfaction
            .map(|x| format!("{x:.1}/5"))
            .unwrap_or_else(|| "—".into()),
        href: format!("/stats?{period}"),
    });
    if v.user.can(Right::WriteRegistry) {
        parts.actions.push(Action {
            label: l.t("登记事项", "File a case").into(),
            href: "/cases/new".into(),
        });
    }
    // The phone page keeps reports without signal: the grid worker's way of filing in the field.
    if v.user.role == xiangzhi_domain::Role::GridWorker {
        parts.actions.push(Action {
            label: l
                .t("移动上报（可离线）", "Field report (works offline)")
                .into(),
            href: "/m/".into(),
        });
    }
    parts.actions.push(Action {
        label: l.t("事件台账", "Case ledger").into(),
        href: "/cases/ledger".into(),
    });
    Ok(parts)
}

/// How often a mediated agreement is visited again (回访): every 30 days.
const VISIT_EVERY_MS: i64 = 30 * 24 * 3_600_000;

/// The county's category names (code → name), for a scope within one county.
async fn category_names(
    s: &AppState,
    scope: &xiangzhi_storage::Scope,
) -> Result<HashMap<String, String>, StoreError> {
    match scope.county_id() {
        Some(c) => s.db.case_category_names(c).await,
        None => Ok(HashMap::new()),
    }
}

/// The cases of a household, newest first, for its page.
async fn household_cards(s: &AppState, v: &Viewer, id: i64) -> Result<Vec<Card>, StoreError> {
    if !v.user.can(Right::ReadRegistry) {
        return Ok(Vec::new());
    }
    let l = v.l;
    let now = now_ms();
    let scope = v.scope();
    let names = category_names(s, &scope).await?;
    let filter = crate::store::LedgerFilter {
        household: Some(id),
        ..Default::default()
    };
    let (total, cases) = s.db.case_ledger(&scope, &filter, now, 8, 0).await?;
    let visits = s.db.household_visits(&scope, id, 8).await?;
    let visits = Card {
        order: 3,
        title: l.t("回访记录", "Follow-up visits").into(),
        count: visits.len() as i64,
        items: visits
            .into_iter()
            .map(|(case, at, note, holding)| Item {
                label: format!(
                    "#{case} {} · {note}",
                    if holding {
                        l.t("协议在履行", "agreement holds")
                    } else {
                        l.t("协议未履行", "agreement not kept")
                    }
                ),
                href: format!("/cases/{case}"),
                note: crate::pages::stats::day(at),
                late: !holding,
            })
            .collect(),
        empty: l.t("还没有回访记录", "No follow-up visit yet").into(),
        more: None,
    };
    Ok(vec![
        visits,
        Card {
            order: 2,
            title: l.t("诉求与纠纷", "Cases").into(),
            count: total,
            items: cases
                .iter()
                .map(|k| Item {
                    label: format!(
                        "#{} {} · {}",
                        k.id,
                        names.get(&k.category).unwrap_or(&k.category),
                        l.t(k.state.zh(), k.state.as_str())
                    ),
                    href: format!("/cases/{}", k.id),
                    note: crate::pages::stats::day(k.created_at),
                    late: k.state.in_hand() && k.due_at.is_some_and(|d| d < now),
                })
                .collect(),
            empty: l
                .t("本户没有反映过事项", "No case from this household")
                .into(),
            more: (total > 8).then(|| {
                (
                    l.t("事件台账", "Case ledger").into(),
                    format!("/cases/ledger?household={id}"),
                )
            }),
        },
    ])
}

/// The feature's part of a household's page.
pub fn household<'a>(
    s: &'a AppState,
    v: &'a Viewer,
    id: i64,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<Card>, StoreError>> + Send + 'a>>
{
    Box::pin(household_cards(s, v, id))
}

/// The feature's home builder.
pub fn builder<'a>(
    s: &'a AppState,
    v: &'a Viewer,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<HomeParts, StoreError>> + Send + 'a>>
{
    Box::pin(build(s, v))
}
