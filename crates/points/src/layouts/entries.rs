//! 积分录入 from a file: many recordings at once (a month's sheet from a village), checked with
//! reads only, then written all or none as recordings that wait for a second person's approval
//! like any other (a file never writes the ledger itself). A household is named by its number, a
//! party member by their ID number; the rule by its code; each row's month and what was done.
//! The same file twice changes nothing: a row the county already holds as a recording (waiting
//! or approved, the same holder, rule, month and words) is counted unchanged, as many times as
//! it is held.

use crate::rules::{parse_month, Holder};
use std::collections::HashMap;
use xiangzhi_registry::layouts::open_upload;
use xiangzhi_registry::store::bulk::BulkRead;
use xiangzhi_storage::sql::{Arg as Value, Q};
use xiangzhi_storage::staged::Staged;
use xiangzhi_storage::{crypto, now_ms, Db, Scope};
use xiangzhi_tabular::columns::{blank_row, col_aka, Col, Errors, Mapped};
use xiangzhi_tabular::plan::{Checked, Summary, WritePlan};
use xiangzhi_tabular::{ExchangeError, Progress};

pub(super) const ENTRY_COLS: &[Col] = &[
    col_aka("holder", "积分对象", true, &["对象"]),
    col_aka(
        "who",
        "户号或身份证号码",
        true,
        &["户号", "身份证号码", "身份证号", "对象编号"],
    ),
    col_aka("code", "项目编码", true, &["编码"]),
    col_aka("month", "所属月份", true, &["月份"]),
    col_aka("evidence", "事实依据", false, &["依据", "说明"]),
];

/// One recording a file adds.
struct Row {
    holder: Holder,
    holder_id: i64,
    division: String,
    rule_id: i64,
    points: i64,
    month: String,
    evidence: String,
}

/// The recordings a file adds, by the account that uploaded it.
struct EntriesPlan {
    rows: Vec<Row>,
    by: i64,
    /// Holders without an account yet: (holder, id, division).
    new_accounts: Vec<(Holder, i64, String)>,
    /// Accounts held: (holder, id) → account id.
    accounts: HashMap<(Holder, i64), i64>,
}

impl WritePlan for EntriesPlan {
    fn write<'a>(
        self: Box<Self>,
        staged: &'a mut Staged<'_>,
        county_id: i64,
        progress: &'a dyn Progress,
    ) -> xiangzhi_tabular::plan::WriteFuture<'a> {
        Box::pin(async move {
            let plan = *self;
            let mut accounts = plan.accounts;
            let now = now_ms();
            if !plan.new_accounts.is_empty() {
                let first = staged
                    .reserve("points_account", plan.new_accounts.len() as i64)
                    .await?;
                let mut rows = Vec::new();
                for (k, (holder, id, division)) in plan.new_accounts.iter().enumerate() {
                    let account = first + k as i64;
                    accounts.insert((*holder, *id), account);
                    rows.push(vec![
                        Value::I64(county_id),
                        Value::I64(account),
                        Value::Text(holder.as_str().into()),
                        Value::I64(*id),
                        Value::Text(division.clone()),
                        Value::I64(0),
                        Value::I64(now),
                        Value::I64(now),
                    ]);
                }
                staged
                    .insert(
                        "points_accounts",
                        &[
                            "county_id",
                            "id",
                            "holder",
                            "holder_id",
                            "division_code",
                            "balance",
                            "created_at",
                            "updated_at",
                        ],
                        rows,
                        &|_| {},
                    )
                    .await?;
            }
            let first = staged
                .reserve("points_claim", plan.rows.len() as i64)
                .await?;
            let rows = plan
                .rows
                .into_iter()
                .enumerate()
                .map(|(k, r)| {
                    vec![
                        Value::I64(county_id),
                        Value::I64(first + k as i64),
                        Value::I64(
                            accounts
                                .get(&(r.holder, r.holder_id))
                                .copied()
                                .unwrap_or_default(),
                        ),
                        Value::I64(r.rule_id),
                        Value::Text(r.division),
                        Value::I64(r.points),
                        Value::Text(r.month),
                        Value::Text(r.evidence),
                        Value::I64(plan.by),
                        Value::I64(now),
                        Value::Text("pending".into()),
                        Value::Text(String::new()),
                        Value::Bool(false),
                    ]
                })
                .collect();
            staged
                .insert(
                    "points_claims",
                    &[
                        "county_id",
                        "id",
                        "account_id",
                        "rule_id",
                        "division_code",
                        "points",
                        "month",
                        "evidence",
                        "recorded_by",
                        "recorded_at",
                        "state",
                        "note",
                        "self_report",
                    ],
                    rows,
                    &|n| progress.advance(n),
                )
                .await?;
            Ok(staged.written() as usize)
        })
    }
}

/// Reads and checks a file of recordings with reads only.
pub(super) async fn check(
    db: &Db,
    scope: &Scope,
    name: &str,
    bytes: Vec<u8>,
    county: Option<i64>,
    progress: &dyn Progress,
) -> Result<Checked, ExchangeError> {
    let by = scope.actor().user_id.ok_or_else(|| ExchangeError::Format {
        zh: "积分须由账号录入（请在控制台或以账号的令牌导入）".into(),
        en: "points are recorded by an account (import in the console or with an account's token)"
            .into(),
    })?;
    let (t, county_id, scope) =
        open_upload(db, scope, name, bytes, ENTRY_COLS, county, progress).await?;
    let m = Mapped::new(&t, ENTRY_COLS)?;
    let rules = super::catalogue(db, &scope, county_id).await?;
    let households = db.household_numbers(county_id).await?;
    let residents = db.resident_ids(county_id).await?;
    let members: HashMap<i64, (i64, String)> = db
        .all(&Q::with(
            "SELECT t.resident_id, t.id, t.division_code FROM party_members t WHERE t.county_id = ?",
            vec![county_id.into()],
        ))
        .await?
        .into_iter()
        .map(|(r, id, d): (i64, i64, String)| (r, (id, d)))
        .collect();
    let accounts: HashMap<(Holder, i64), i64> = db
        .all(&Q::with(
            "SELECT t.holder, t.holder_id, t.id FROM points_accounts t WHERE t.county_id = ?",
            vec![county_id.into()],
        ))
        .await?
        .into_iter()
        .filter_map(|(h, id, account): (String, i64, i64)| {
            Some(((h.parse::<Holder>().ok()?, id), account))
        })
        .collect();
    // Recordings held (not rejected), by what they say, with how many times.
    type Said = (Holder, i64, i64, String, String);
    let mut held: HashMap<Said, usize> = HashMap::new();
    let recorded: Vec<(String, i64, i64, String, String)> = db
        .all(&Q::with(
            "SELECT a.holder, a.holder_id, c.rule_id, c.month, c.evidence FROM points_claims c \
             JOIN points_accounts a ON a.county_id = c.county_id AND a.id = c.account_id \
             WHERE c.county_id = ? AND c.state <> 'rejected'",
            vec![county_id.into()],
        ))
        .await?;
    for (h, id, rule, month, evidence) in recorded {
        if let Ok(h) = h.parse::<Holder>() {
            *held.entry((h, id, rule, month, evidence)).or_default() += 1;
        }
    }
    let mut errs = Errors::new(&m);
    let mut summary = Summary::default();
    let mut rows = Vec::new();
    let mut new_accounts: Vec<(Holder, i64, String)> = Vec::new();
    for r in 0..t.rows.len() {
        if blank_row(&m, r) {
            continue;
        }
        let holder = match m.get(r, "holder").parse::<Holder>() {
            Ok(h) => h,
            Err(e) => {
                errs.invalid(r, "holder", e);
                continue;
            }
        };
        let who = m.get(r, "who").trim().to_string();
        let found = match holder {
            Holder::Household => households.get(&who).cloned(),
            Holder::Member => xiangzhi_domain::IdNumber::parse(&who)
                .ok()
                .and_then(|n| residents.get(&crypto::index("id_number", n.as_str())))
                .and_then(|(resident, _, _)| members.get(resident).cloned()),
        };
        let Some((holder_id, division)) = found.filter(|(_, d)| scope.covers(d)) else {
            errs.add(
                r,
                "who",
                format!("没有这个{}，或不在您的管辖范围内", holder.zh()),
                format!("no such {} within your jurisdiction", holder.as_str()),
            );
            continue;
        };
        let Some(rule) = rules.get(&(holder, m.get(r, "code").trim().to_string())) else {
            errs.add(
                r,
                "code",
                format!("本县没有适用于{}的这个项目编码", holder.zh()),
                format!(
                    "the county has no rule of this code for a {}",
                    holder.as_str()
                ),
            );
            continue;
        };
        if !rule.active {
            errs.add(r, "code", "该项目已停用", "the rule is no longer in use");
            continue;
        }
        let month = match parse_month(m.get(r, "month")) {
            Ok(mo) => mo,
            Err(e) => {
                errs.invalid(r, "month", e);
                continue;
            }
        };
        let evidence = m.get(r, "evidence").trim().to_string();
        if rule.evidence_required && evidence.is_empty() {
            errs.add(
                r,
                "evidence",
                "该项目须写明事实依据",
                "this item needs its evidence stated",
            );
            continue;
        }
        if evidence.chars().count() > 2_000 || evidence.contains('\0') {
            errs.add(
                r,
                "evidence",
                "事实依据不能超过2000个字",
                "evidence is at most 2000 characters",
            );
            continue;
        }
        if let Some(n) = held
            .get_mut(&(holder, holder_id, rule.id, month.clone(), evidence.clone()))
            .filter(|n| **n > 0)
        {
            *n -= 1;
            summary.unchanged += 1;
            continue;
        }
        if !accounts.contains_key(&(holder, holder_id))
            && !new_accounts
                .iter()
                .any(|(h, id, _)| *h == holder && *id == holder_id)
        {
            new_accounts.push((holder, holder_id, division.clone()));
        }
        summary.sample(
            m.t.line(r),
            format!(
                "{} {who}：{}（{:+}分）{month}",
                holder.zh(),
                rule.item,
                rule.points
            ),
            format!(
                "{} {who}: {} ({:+}) {month}",
                holder.as_str(),
                rule.item,
                rule.points
            ),
        );
        rows.push(Row {
            holder,
            holder_id,
            division,
            rule_id: rule.id,
            points: rule.points,
            month,
            evidence,
        });
    }
    errs.finish()?;
    summary.added = rows.len();
    Ok(Checked::new(
        super::POINTS_ENTRY_FILE.name,
        county_id,
        scope,
        &m,
        summary,
        Box::new(EntriesPlan {
            rows,
            by,
            new_accounts,
            accounts,
        }),
    ))
}

/// Writes the approved awards in reach in the layout import reads (a member by their ID number,
/// masked unless `full`).
pub(super) async fn export(
    db: &Db,
    scope: &Scope,
    path: &std::path::Path,
    county: Option<i64>,
    full: bool,
) -> Result<usize, ExchangeError> {
    let mut q = Q::new(
        "SELECT t.county_id, a.holder, COALESCE(h.number, ''), COALESCE(res.id_number, ''), r.code, t.month, t.evidence \
         FROM points_entries t JOIN points_accounts a ON a.county_id = t.county_id AND a.id = t.account_id \
         JOIN points_rules r ON r.county_id = t.county_id AND r.id = t.rule_id \
         LEFT JOIN households h ON a.holder = 'household' AND h.county_id = a.county_id AND h.id = a.holder_id \
         LEFT JOIN party_members pm ON a.holder = 'member' AND pm.county_id = a.county_id AND pm.id = a.holder_id \
         LEFT JOIN residents res ON res.county_id = pm.county_id AND res.id = pm.resident_id \
         WHERE t.kind = 'award' AND NOT EXISTS (SELECT 1 FROM points_entries x \
           WHERE x.county_id = t.county_id AND x.reverses_id = t.id)",
    );
    scope.filter(&mut q, &crate::tables::POINTS_ENTRIES, "t", "division_code");
    q.push(" ORDER BY t.county_id, t.id");
    let found: Vec<(i64, String, String, String, String, String, String)> = db.all(&q).await?;
    let keys = crypto::keyring()?;
    let mut rows = Vec::new();
    for (c, holder, number, sealed, code, month, evidence) in found {
        if county.is_some_and(|k| k != c) {
            continue;
        }
        let (holder, who) = if holder == "member" {
            let plain = keys.open("id_number", &sealed).unwrap_or_default();
            let shown = if full {
                plain
            } else {
                xiangzhi_domain::id_number::mask(&plain, 3, 4)
            };
            (Holder::Member, shown)
        } else {
            (Holder::Household, number)
        };
        rows.push(vec![holder.zh().to_string(), who, code, month, evidence]);
    }
    xiangzhi_tabular::table::write(
        path,
        &xiangzhi_tabular::columns::header(ENTRY_COLS, false),
        &rows,
    )?;
    Ok(rows.len())
}
