//! A meeting's papers, ready to print on A4 (the notice, the sign-in sheet, ballots to cut
//! apart, the minutes with the roll's counts and each item's result), and the lists as .xlsx:
//! a meeting's roll, the meetings and the matters in reach.

use crate::pages::{state_word, village_name, Narrow, Words};
use crate::procedure_store::MatterStore;
use crate::roll_store::{RollEntry, RollStore};
use crate::rules::meetings::MeetingKind;
use crate::store::{MeetingStore, MeetingView};
use askama::Template;
use axum::extract::{Path, State};
use serde::Deserialize;
use xiangzhi_domain::Right;
use xiangzhi_registry::prelude::DivisionStore;
use xiangzhi_tabular::table::Cell;
use xiangzhi_web::console::{export_sheet, html, store, Chrome, PageError, St, Viewer, P};
use xiangzhi_web::Query;

#[derive(Debug, Deserialize, Default)]
pub struct PrintQuery {
    /// `notice`, `roll`, `ballot` or `minutes`; all four when absent.
    pub part: Option<String>,
}

#[derive(Template)]
#[template(path = "decisions_print.html")]
struct PrintPage {
    c: Chrome,
    w: Words,
    v: MeetingView,
    village: String,
    roll: Vec<RollEntry>,
    part: String,
    notice_days: u32,
    article: &'static str,
    /// Four ballots to a sheet, to be cut apart.
    copies: Vec<u8>,
}

impl PrintPage {
    fn shows(&self, part: &str) -> bool {
        self.part.is_empty() || self.part == part
    }
    fn mark(&self, e: &RollEntry) -> String {
        match e.attended.as_str() {
            "present" => "✓".into(),
            "online" => self.c.l.t("在线", "online").into(),
            "proxy" => format!("{}{}", self.c.l.t("委托 ", "proxy "), e.proxy_name),
            _ => String::new(),
        }
    }
}

/// `GET /decisions/meetings/{county}/{id}/print`: the meeting's papers, ready to print.
pub async fn print(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Query(q): Query<PrintQuery>,
) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let view = s.db.meeting(&scope, county, id).await.map_err(store(v.l))?;
    let roll =
        s.db.meeting_roll(&scope, county, id)
            .await
            .map_err(store(v.l))?;
    let villages = s.db.villages_in_reach(&scope).await.map_err(store(v.l))?;
    let kind = MeetingKind::named(&view.meeting.kind);
    let part = q.part.unwrap_or_default();
    if !["", "notice", "roll", "ballot", "minutes"].contains(&part.as_str()) {
        return Err(PageError::NotFound(v.l));
    }
    let page = PrintPage {
        c: v.chrome(&view.meeting.title),
        w: Words { en: v.l.en },
        village: village_name(&villages, &view.meeting.division_code),
        roll,
        part,
        notice_days: kind.and_then(|k| k.notice_days()).unwrap_or(0),
        article: match kind {
            Some(MeetingKind::VillagersMeeting) => "村委会组织法第二十一条",
            Some(MeetingKind::MembersAssembly) => "集体经济组织法第二十七条",
            _ => "",
        },
        copies: vec![1, 2, 3, 4],
        v: view,
    };
    html(page)
}

/// `GET /decisions/meetings/{county}/{id}/roll.xlsx`: the roll with who came and how.
pub async fn roll_xlsx(State(s): St, v: Viewer, Path((county, id)): Path<(i64, i64)>) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let view = s.db.meeting(&scope, county, id).await.map_err(store(v.l))?;
    let roll =
        s.db.meeting_roll(&scope, county, id)
            .await
            .map_err(store(v.l))?;
    let l = v.l;
    let rows: Vec<Vec<Cell>> = roll
        .iter()
        .enumerate()
        .map(|(n, e)| {
            vec![
                Cell::Int(n as i64 + 1),
                Cell::Text(e.household.clone()),
                Cell::Text(e.name.clone()),
                Cell::Text(
                    if e.votes {
                        l.t("有", "yes")
                    } else {
                        l.t("无（列席）", "no (attends)")
                    }
                    .into(),
                ),
                Cell::Text(
                    match e.attended.as_str() {
                        "present" => l.t("到会", "present"),
                        "online" => l.t("在线", "online"),
                        "proxy" => l.t("委托", "proxy"),
                        _ => l.t("未到", "absent"),
                    }
                    .into(),
                ),
                Cell::Text(e.proxy_name.clone()),
            ]
        })
        .collect();
    export_sheet(
        &s,
        &v,
        "export meeting roll",
        &format!(
            "meeting-{}-{}-roll",
            view.meeting.county_id, view.meeting.id
        ),
        l.t("签到表", "Sign-in"),
        &[
            l.t("序号", "No."),
            l.t("户号", "Household"),
            l.t("姓名", "Name"),
            l.t("表决权", "Vote"),
            l.t("签到", "Attended"),
            l.t("委托人", "Proxy holder"),
        ],
        rows,
    )
    .await
}

/// `GET /decisions/meetings.xlsx`: the meetings in reach (or `?division=`), with their results.
pub async fn meetings_xlsx(State(s): St, v: Viewer, Query(n): Query<Narrow>) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let division = n.division.as_deref().filter(|d| !d.trim().is_empty());
    let meetings =
        s.db.meetings(&scope, division, None)
            .await
            .map_err(store(v.l))?;
    let villages = s.db.villages_in_reach(&scope).await.map_err(store(v.l))?;
    let l = v.l;
    let w = Words { en: l.en };
    let mut rows = Vec::with_capacity(meetings.len());
    for m in &meetings {
        let items =
            s.db.meeting(&scope, m.county_id, m.id)
                .await
                .map_err(store(l))?
                .items;
        rows.push(vec![
            Cell::Text(village_name(&villages, &m.division_code)),
            Cell::Text(w.meeting(&m.kind).into()),
            Cell::Text(m.title.clone()),
            Cell::Text(m.held_on.to_string()),
            Cell::Int(m.entitled),
            Cell::Int(m.present + m.online + m.proxies),
            Cell::Text(if m.state == "called" {
                l.t("签到中", "sign-in open").to_string()
            } else if m.quorum_met {
                l.t("达到", "met").to_string()
            } else {
                format!("{}{}", l.t("未达到：", "not met: "), m.quorum_reason)
            }),
            Cell::Int(items.iter().filter(|i| i.passed).count() as i64),
            Cell::Int(items.iter().filter(|i| !i.passed).count() as i64),
        ]);
    }
    export_sheet(
        &s,
        &v,
        "export meetings",
        "meetings",
        l.t("会议", "Meetings"),
        &[
            l.t("村", "Village"),
            l.t("会议类别", "Kind"),
            l.t("会议名称", "Title"),
            l.t("日期", "Held on"),
            l.t("应到", "Entitled"),
            l.t("实到", "Attending"),
            l.t("法定人数", "Quorum"),
            l.t("通过事项", "Passed"),
            l.t("未通过事项", "Not passed"),
        ],
        rows,
    )
    .await
}

/// `GET /decisions/matters.xlsx`: the matters in reach (or `?division=`) and where each stands.
pub async fn matters_xlsx(State(s): St, v: Viewer, Query(n): Query<Narrow>) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let division = n.division.as_deref().filter(|d| !d.trim().is_empty());
    let matters =
        s.db.matters(&scope, division, None)
            .await
            .map_err(store(v.l))?;
    let villages = s.db.villages_in_reach(&scope).await.map_err(store(v.l))?;
    let l = v.l;
    let w = Words { en: l.en };
    let mut rows = Vec::with_capacity(matters.len());
    for m in &matters {
        let view =
            s.db.matter(&scope, m.county_id, m.id)
                .await
                .map_err(store(l))?;
        rows.push(vec![
            Cell::Text(village_name(&villages, &m.division_code)),
            Cell::Text(m.title.clone()),
            Cell::Text(w.matter(&m.kind).into()),
            Cell::Int(view.steps.len() as i64),
            Cell::Text(state_word(l.en, &view)),
        ]);
    }
    export_sheet(
        &s,
        &v,
        "export matters",
        "matters",
        l.t("四议两公开", "Matters"),
        &[
            l.t("村", "Village"),
            l.t("事项", "Matter"),
            l.t("类别", "Kind"),
            l.t("已完成步骤", "Steps taken"),
            l.t("进度", "Where it stands"),
        ],
        rows,
    )
    .await
}
