//! 项目库: the collective economy's project library. Each project is led by a village or a
//! township, names the villages in it (and the alliance, 联村党委, where one carries it), and
//! moves through its stages one at a time — idea, reserve, applied, approved, building, accepted,
//! operating — with each move kept with its date and note (an application not approved goes back
//! to the reserve). Funding sought and won is an append-only ledger by source in fen: a
//! correction is an entry of its own and no source's sum may fall below nothing; the project
//! keeps the running totals. Milestones are due on a day and done once.

use crate::members::{date, text};
use crate::tables::{COLLECTIVE_PROJECTS, PROJECT_FUNDING, PROJECT_MILESTONES, PROJECT_STAGES};
use xiangzhi_domain::{DivisionCode, DivisionLevel};
use xiangzhi_storage::list::in_reach;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError};

mod types;
pub use types::*;

const COLS: &str = "t.county_id, t.id, t.division_code, t.name, t.kind, t.summary, t.budget, \
    t.alliance_id, t.stage, t.stage_on, t.sought, t.won, t.version";

fn zh_of(list: &[(&str, &str)], key: &str) -> String {
    list.iter()
        .find(|(k, _)| *k == key)
        .map(|(_, z)| z.to_string())
        .unwrap_or_else(|| key.to_string())
}

/// Whether a project at `from` may move to `to`: the next stage, or back to the reserve from an
/// application that was not approved.
pub fn may_move(from: &str, to: &str) -> bool {
    let at = |s: &str| STAGES.iter().position(|(k, _)| *k == s);
    match (at(from), at(to)) {
        (Some(f), Some(t)) => t == f + 1 || (from == "applied" && to == "reserve"),
        _ => false,
    }
}

/// The lead a write names: a village or a township in the caller's reach.
fn lead(scope: &Scope, code: &str) -> Result<DivisionCode> {
    DivisionCode::parse(code)
        .ok()
        .filter(|c| {
            matches!(c.level(), DivisionLevel::Village | DivisionLevel::Township)
                && scope.covers(c.as_str())
        })
        .ok_or_else(|| {
            StoreError::invalid(
                "division_code",
                "请选择您管辖范围内的一个村或乡镇作为牵头单位",
                "name a village or a township within your jurisdiction to lead it",
            )
        })
}

#[easy_ext::ext(ProjectStore)]
pub impl Db {
    /// Adds a project to the library at its first stage.
    async fn add_project(&self, scope: &Scope, input: &ProjectInput) -> Result<ProjectView> {
        let by = scope.acting()?;
        let lead = lead(scope, &input.division_code)?;
        let county_id = lead.county_id().unwrap_or_default();
        let name = text("name", &input.name, 100, true)?;
        let summary = text("summary", &input.summary, 500, false)?;
        if !KINDS.iter().any(|(k, _)| *k == input.kind) {
            return Err(StoreError::invalid(
                "kind",
                "请选择项目类别",
                "choose what the project does",
            ));
        }
        if !(0..=100_000_000_000).contains(&input.budget) {
            return Err(StoreError::invalid(
                "budget",
                "计划投资应在0到10亿元之间",
                "the planned investment is 0 to 1,000,000,000 yuan",
            ));
        }
        let today = xiangzhi_domain::china_today();
        let since = match input.since.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => date("since", s)?,
            None => today,
        };
        if since > today {
            return Err(StoreError::invalid(
                "since",
                "日期不能晚于今天",
                "the date cannot be after today",
            ));
        }
        // The alliance's villages, when one carries it.
        let alliance_villages: Vec<String> = match input.alliance_id {
            None => Vec::new(),
            Some(org) => {
                let list: Vec<(String,)> = self
                    .all(&Q::with(
                        "SELECT division_code FROM alliance_villages WHERE county_id = ? AND org_id = ? \
                         ORDER BY division_code",
                        vec![county_id.into(), org.into()],
                    ))
                    .await?;
                let list: Vec<String> = list.into_iter().map(|(c,)| c).collect();
                if !list.iter().any(|c| scope.covers(c)) {
                    return Err(StoreError::invalid(
                        "alliance_id",
                        "您管辖范围内没有这个联村党组织",
                        "no such alliance within your jurisdiction",
                    ));
                }
                list
            }
        };
        let mut villages: Vec<String> = if input.villages.is_empty() {
            if alliance_villages.is_empty() && lead.level() == DivisionLevel::Village {
                vec![lead.as_str().to_string()]
            } else {
                alliance_villages.clone()
            }
        } else {
            let mut out = Vec::new();
            for v in &input.villages {
                let ok = DivisionCode::parse(v.trim()).ok().filter(|c| {
                    c.level() == DivisionLevel::Village
                        && c.county_id() == Some(county_id)
                        && (scope.covers(c.as_str())
                            || alliance_villages.contains(&c.as_str().to_string()))
                });
                match ok {
                    Some(c) => out.push(c.as_str().to_string()),
                    None => {
                        return Err(StoreError::invalid(
                            "villages",
                            format!("“{}”不是您管辖范围内（或所选联村党组织中）的村", v.trim()),
                            format!(
                                "'{}' is not a village within your jurisdiction or the alliance",
                                v.trim()
                            ),
                        ))
                    }
                }
            }
            out
        };
        villages.sort();
        villages.dedup();
        if villages.len() > 200 {
            return Err(StoreError::invalid(
                "villages",
                "一个项目最多涉及200个村",
                "a project involves at most 200 villages",
            ));
        }
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "collective_project", 1).await?;
        let step = next_ids(&mut tx, county_id, "project_stage", 1).await?;
        let now = now_ms();
        tx.exec(&Q::with(
            "INSERT INTO collective_projects (county_id, id, division_code, name, kind, summary, budget, \
             alliance_id, stage, stage_on, sought, won, version, recorded_by, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'idea', ?, 0, 0, 1, ?, ?)",
            vec![
                county_id.into(),
                id.into(),
                lead.as_str().into(),
                name.into(),
                input.kind.clone().into(),
                summary.into(),
                input.budget.into(),
                input.alliance_id.into(),
                Arg::Date(since),
                by.into(),
                now.into(),
            ],
        ))
        .await?;
        tx.exec(&Q::with(
            "INSERT INTO project_stages (county_id, id, project_id, division_code, stage, stage_on, note, \
             recorded_by, created_at) VALUES (?, ?, ?, ?, 'idea', ?, '', ?, ?)",
            vec![
                county_id.into(),
                step.into(),
                id.into(),
                lead.as_str().into(),
                Arg::Date(since),
                by.into(),
                now.into(),
            ],
        ))
        .await?;
        for v in &villages {
            tx.exec(&Q::with(
                "INSERT INTO project_villages (county_id, project_id, division_code) VALUES (?, ?, ?)",
                vec![county_id.into(), id.into(), v.clone().into()],
            ))
            .await?;
        }
        tx.audit(
            scope.actor(),
            "add project",
            format!(
                "project {county_id}:{id} led by {} with {} villages",
                lead.as_str(),
                villages.len()
            ),
        )
        .await?;
        tx.commit().await?;
        self.project(scope, county_id, id).await
    }

    /// A project in reach with its villages, stages, funding and milestones.
    async fn project(&self, scope: &Scope, county_id: i64, id: i64) -> Result<ProjectView> {
        let mut q = Q::with(
            &format!("SELECT {COLS} FROM collective_projects t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &COLLECTIVE_PROJECTS, "t", "division_code");
        let project: Project = self.optional(&q).await?.ok_or(StoreError::NotFound)?;
        let key = || vec![Arg::I64(county_id), Arg::I64(id)];
        let villages: Vec<(String,)> = self
            .all(&Q::with(
                "SELECT t.division_code FROM project_villages t WHERE t.county_id = ? AND t.project_id = ? \
                 ORDER BY t.division_code",
                key(),
            ))
            .await?;
        let mut q = Q::with(
            "SELECT t.stage, t.stage_on, t.note FROM project_stages t WHERE t.county_id = ? AND t.project_id = ?",
            key(),
        );
        scope.filter(&mut q, &PROJECT_STAGES, "t", "division_code");
        q.push(" ORDER BY t.id");
        let stages = self.all(&q).await?;
        let mut q = Q::with(
            "SELECT t.id, t.source, t.kind, t.amount, t.entry_on, t.note FROM project_funding t \
             WHERE t.county_id = ? AND t.project_id = ?",
            key(),
        );
        scope.filter(&mut q, &PROJECT_FUNDING, "t", "division_code");
        q.push(" ORDER BY t.entry_on, t.id");
        let funding: Vec<FundingEntry> = self.all(&q).await?;
        let mut q = Q::with(
            "SELECT t.id, t.title, t.due_on, t.done_on FROM project_milestones t \
             WHERE t.county_id = ? AND t.project_id = ?",
            key(),
        );
        scope.filter(&mut q, &PROJECT_MILESTONES, "t", "division_code");
        q.push(" ORDER BY t.due_on, t.id");
        let milestones = self.all(&q).await?;
        let by_source = SOURCES
            .iter()
            .filter_map(|(k, zh)| {
                let sum = |kind: &str| {
                    funding
                        .iter()
                        .filter(|f| f.source == *k && f.kind == kind)
                        .map(|f| f.amount)
                        .sum::<i64>()
                };
                let s = SourceSum {
                    source: k.to_string(),
                    zh: zh.to_string(),
                    sought: sum("sought"),
                    won: sum("won"),
                };
                funding.iter().any(|f| f.source == *k).then_some(s)
            })
            .collect();
        Ok(ProjectView {
            project,
            villages: villages.into_iter().map(|(v,)| v).collect(),
            stages,
            funding,
            by_source,
            milestones,
        })
    }

    /// The projects in reach (and `division`, and at `stage`, and with `words` in the name).
    async fn projects(
        &self,
        scope: &Scope,
        division: Option<&str>,
        stage: Option<&str>,
        words: Option<&str>,
    ) -> Result<Vec<Project>> {
        let equal: Vec<(&str, &str)> = stage
            .filter(|s| !s.is_empty())
            .map(|s| ("t.stage", s))
            .into_iter()
            .collect();
        let mut q = in_reach(
            scope,
            division,
            &COLLECTIVE_PROJECTS,
            COLS,
            &["t.name", "t.summary"],
            words,
            &equal,
        )?;
        q.push(" ORDER BY t.division_code, t.id LIMIT 5000");
        self.all(&q).await
    }

    /// The library in reach: projects and planned investment by stage, funding by source, each
    /// one grouped read.
    async fn library(&self, scope: &Scope, division: Option<&str>) -> Result<Library> {
        let scope = xiangzhi_storage::list::within(scope, division)?;
        let mut q = Q::new(
            "SELECT t.stage, COUNT(*), CAST(COALESCE(SUM(t.budget), 0) AS BIGINT) FROM collective_projects t WHERE 1=1",
        );
        scope.filter(&mut q, &COLLECTIVE_PROJECTS, "t", "division_code");
        q.push(" GROUP BY t.stage");
        let stages: Vec<(String, i64, i64)> = self.all(&q).await?;
        let mut q = Q::new(
            "SELECT t.source, t.kind, CAST(COALESCE(SUM(t.amount), 0) AS BIGINT) FROM project_funding t WHERE 1=1",
        );
        scope.filter(&mut q, &PROJECT_FUNDING, "t", "division_code");
        q.push(" GROUP BY t.source, t.kind");
        let funds: Vec<(String, String, i64)> = self.all(&q).await?;
        Ok(Library {
            by_stage: STAGES
                .iter()
                .map(|(k, zh)| {
                    let (n, b) = stages
                        .iter()
                        .find(|(s, ..)| s == k)
                        .map(|(_, n, b)| (*n, *b))
                        .unwrap_or((0, 0));
                    StageSum {
                        stage: k.to_string(),
                        zh: zh.to_string(),
                        projects: n,
                        budget: b,
                    }
                })
                .collect(),
            by_source: SOURCES
                .iter()
                .filter(|(k, _)| funds.iter().any(|(s, ..)| s == k))
                .map(|(k, zh)| {
                    let sum = |kind: &str| {
                        funds
                            .iter()
                            .filter(|(s, kd, _)| s == k && kd == kind)
                            .map(|(.., a)| *a)
                            .sum()
                    };
                    SourceSum {
                        source: k.to_string(),
                        zh: zh.to_string(),
                        sought: sum("sought"),
                        won: sum("won"),
                    }
                })
                .collect(),
        })
    }

    /// Moves a project to its next stage (or back to the reserve from an application not
    /// approved), on a day no earlier than its last move and no later than today.
    async fn move_project(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        input: &StageInput,
    ) -> Result<ProjectView> {
        let by = scope.acting()?;
        let p = self.project(scope, county_id, id).await?.project;
        let on = date("stage_on", &input.stage_on)?;
        let note = text("note", &input.note, 500, false)?;
        if !may_move(&p.stage, &input.stage) {
            return Err(StoreError::invalid(
                "stage",
                format!(
                    "项目处于“{}”阶段，只能进入下一阶段（申报未获批复的可退回入库储备）",
                    zh_of(&STAGES, &p.stage)
                ),
                "a project moves to its next stage only (or back to the reserve from an application not approved)",
            ));
        }
        if on < p.stage_on || on > xiangzhi_domain::china_today() {
            return Err(StoreError::invalid(
                "stage_on",
                format!("日期应在{}到今天之间", p.stage_on),
                format!("the date is between {} and today", p.stage_on),
            ));
        }
        let mut tx = self.begin().await?;
        let n = tx
            .exec(&Q::with(
                "UPDATE collective_projects SET stage = ?, stage_on = ?, version = version + 1 \
                 WHERE county_id = ? AND id = ? AND version = ? AND stage = ?",
                vec![
                    input.stage.clone().into(),
                    Arg::Date(on),
                    county_id.into(),
                    id.into(),
                    input.version.into(),
                    p.stage.clone().into(),
                ],
            ))
            .await?;
        if n == 0 {
            return Err(StoreError::conflict(
                "version",
                "项目刚被别人更新过，请刷新后再办",
                "the project changed meanwhile: reload and try again",
            ));
        }
        let step = next_ids(&mut tx, county_id, "project_stage", 1).await?;
        tx.exec(&Q::with(
            "INSERT INTO project_stages (county_id, id, project_id, division_code, stage, stage_on, note, \
             recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                county_id.into(),
                step.into(),
                id.into(),
                p.division_code.clone().into(),
                input.stage.clone().into(),
                Arg::Date(on),
                note.into(),
                by.into(),
                now_ms().into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "move project",
            format!("project {county_id}:{id}: {} → {}", p.stage, input.stage),
        )
        .await?;
        tx.commit().await?;
        self.project(scope, county_id, id).await
    }

    /// Appends an entry of funding sought or won. The project's running total moves in the same
    /// transaction (its row locked first), and no source's sum may fall below nothing.
    async fn add_funding(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        input: &FundingInput,
    ) -> Result<ProjectView> {
        let by = scope.acting()?;
        let p = self.project(scope, county_id, id).await?.project;
        if !SOURCES.iter().any(|(k, _)| *k == input.source) {
            return Err(StoreError::invalid(
                "source",
                "请选择资金来源",
                "choose where the money comes from",
            ));
        }
        let column = match input.kind.as_str() {
            "sought" => "sought",
            "won" => "won",
            _ => {
                return Err(StoreError::invalid(
                    "kind",
                    "请选择申请或到位",
                    "sought or won",
                ))
            }
        };
        if input.amount == 0 || input.amount.abs() > 100_000_000_000 {
            return Err(StoreError::invalid(
                "amount",
                "金额不能为0，且不超过10亿元",
                "the amount is not nothing and at most 1,000,000,000 yuan",
            ));
        }
        let note = text("note", &input.note, 200, input.amount < 0)?;
        let on = date("entry_on", &input.entry_on)?;
        if on > xiangzhi_domain::china_today() {
            return Err(StoreError::invalid(
                "entry_on",
                "日期不能晚于今天",
                "the date cannot be after today",
            ));
        }
        let mut tx = self.begin().await?;
        // The total first: the row's lock orders concurrent entries of one project.
        tx.exec(&Q::with(
            &format!(
                "UPDATE collective_projects SET {column} = {column} + ? WHERE county_id = ? AND id = ?"
            ),
            vec![input.amount.into(), county_id.into(), id.into()],
        ))
        .await?;
        let (sum,): (i64,) = tx
            .one(&Q::with(
                "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM project_funding \
                 WHERE county_id = ? AND project_id = ? AND source = ? AND kind = ?",
                vec![
                    county_id.into(),
                    id.into(),
                    input.source.clone().into(),
                    input.kind.clone().into(),
                ],
            ))
            .await?;
        if sum + input.amount < 0 {
            return Err(StoreError::invalid(
                "amount",
                format!(
                    "调减后该来源的{}金额将小于0（现为{}元）",
                    zh_of(&FUNDING_KINDS, &input.kind),
                    xiangzhi_domain::Fen(sum)
                ),
                format!(
                    "the correction would take the source's {} below nothing (now {} yuan)",
                    input.kind,
                    xiangzhi_domain::Fen(sum)
                ),
            ));
        }
        let entry = next_ids(&mut tx, county_id, "project_funding", 1).await?;
        tx.exec(&Q::with(
            "INSERT INTO project_funding (county_id, id, project_id, division_code, source, kind, amount, \
             entry_on, note, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                county_id.into(),
                entry.into(),
                id.into(),
                p.division_code.clone().into(),
                input.source.clone().into(),
                input.kind.clone().into(),
                input.amount.into(),
                Arg::Date(on),
                note.into(),
                by.into(),
                now_ms().into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "project funding",
            format!(
                "project {county_id}:{id}: {} {} {} fen",
                input.source, input.kind, input.amount
            ),
        )
        .await?;
        tx.commit().await?;
        self.project(scope, county_id, id).await
    }

    /// The alliances (联村党委) with a village in reach: (organisation id, name).
    async fn alliances_in_reach(&self, scope: &Scope) -> Result<Vec<(i64, String)>> {
        let mut q = Q::new(
            "SELECT a.org_id, o.name, a.division_code FROM alliance_villages a \
             JOIN party_orgs o ON o.county_id = a.county_id AND o.id = a.org_id WHERE 1=1",
        );
        if let Some(c) = scope.county_id() {
            let p = q.arg(c);
            q.push(&format!(" AND a.county_id = {p}"));
        }
        q.push(" ORDER BY o.name, a.org_id");
        let rows: Vec<(i64, String, String)> = self.all(&q).await?;
        let mut out: Vec<(i64, String)> = Vec::new();
        for (id, name, village) in rows {
            if scope.covers(&village) && !out.iter().any(|(o, _)| *o == id) {
                out.push((id, name));
            }
        }
        Ok(out)
    }

    /// The names of a project's villages (read once the project is found in reach: an
    /// alliance's villages may lie beyond the caller's own).
    async fn village_names(
        &self,
        county_id: i64,
        codes: &[String],
    ) -> Result<std::collections::HashMap<String, String>> {
        let mut out = std::collections::HashMap::new();
        for chunk in codes.chunks(200) {
            let mut q = Q::with(
                "SELECT code, name FROM divisions WHERE county_id = ? AND code IN (",
                vec![county_id.into()],
            );
            for (k, c) in chunk.iter().enumerate() {
                let p = q.arg(c.clone());
                q.push(&format!("{}{p}", if k == 0 { "" } else { ", " }));
            }
            q.push(")");
            let rows: Vec<(String, String)> = self.all(&q).await?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// Adds a milestone due on a day.
    async fn add_milestone(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        input: &MilestoneInput,
    ) -> Result<ProjectView> {
        let by = scope.acting()?;
        let p = self.project(scope, county_id, id).await?.project;
        let title = text("title", &input.title, 100, true)?;
        let due = date("due_on", &input.due_on)?;
        let mut tx = self.begin().await?;
        let m = next_ids(&mut tx, county_id, "project_milestone", 1).await?;
        tx.exec(&Q::with(
            "INSERT INTO project_milestones (county_id, id, project_id, division_code, title, due_on, done_on, \
             recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)",
            vec![
                county_id.into(),
                m.into(),
                id.into(),
                p.division_code.clone().into(),
                title.into(),
                Arg::Date(due),
                by.into(),
                now_ms().into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "add project milestone",
            format!("project {county_id}:{id}: milestone {m}"),
        )
        .await?;
        tx.commit().await?;
        self.project(scope, county_id, id).await
    }

    /// Records a milestone as done, once.
    async fn milestone_done(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        milestone: i64,
        input: &MilestoneDone,
    ) -> Result<ProjectView> {
        scope.acting()?;
        let p = self.project(scope, county_id, id).await?;
        let done = date("done_on", &input.done_on)?;
        if done > xiangzhi_domain::china_today() {
            return Err(StoreError::invalid(
                "done_on",
                "日期不能晚于今天",
                "the date cannot be after today",
            ));
        }
        if !p.milestones.iter().any(|m| m.id == milestone) {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.begin().await?;
        let n = tx
            .exec(&Q::with(
                "UPDATE project_milestones SET done_on = ? WHERE county_id = ? AND id = ? \
                 AND project_id = ? AND done_on IS NULL",
                vec![
                    Arg::Date(done),
                    county_id.into(),
                    milestone.into(),
                    id.into(),
                ],
            ))
            .await?;
        if n == 0 {
            return Err(StoreError::conflict(
                "done_on",
                "这个节点已经完成",
                "the milestone is done already",
            ));
        }
        tx.audit(
            scope.actor(),
            "project milestone done",
            format!("project {county_id}:{id}: milestone {milestone} done {done}"),
        )
        .await?;
        tx.commit().await?;
        self.project(scope, county_id, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_move_one_at_a_time() {
        assert!(may_move("idea", "reserve"));
        assert!(may_move("building", "accepted"));
        assert!(may_move("applied", "reserve"));
        assert!(!may_move("idea", "applied"));
        assert!(!may_move("approved", "reserve"));
        assert!(!may_move("operating", "idea"));
        assert!(!may_move("idea", "nonsense"));
    }
}
