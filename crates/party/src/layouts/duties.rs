//! 包联: the contact-duty roster a township keeps — who (a county or township leader, a first
//! secretary, a village cadre, a party member) answers for which village, villager group or
//! household, since when. The same file twice changes nothing; a changed unit or start date
//! updates the duty.

use super::*;
use chrono::NaiveDate;

pub(super) const DUTY_COLS: &[Col] = &[
    col_aka("person_name", "包联人", true, &["包联责任人", "姓名"]),
    col_aka("rank", "层级", true, &["职级", "责任人层级"]),
    col_aka("unit", "单位", false, &["所在单位", "工作单位"]),
    col("target", "包联对象", true),
    col_aka("division_code", "村组区划代码", false, &["区划代码"]),
    col("household_number", "户号", false),
    col_aka("since", "起始日期", true, &["包联日期", "开始日期"]),
];

/// A duty the county holds, as a re-import compares it.
#[derive(sqlx::FromRow)]
struct KnownDuty {
    id: i64,
    person_name: String,
    rank: String,
    unit: Option<String>,
    target: String,
    division_code: String,
    household_id: Option<i64>,
    since: NaiveDate,
}

/// Who answers for what: the key of a duty.
type Key = (String, String, String, String, Option<i64>);

pub(super) async fn check_duties(
    db: &Db,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<PartyPlan, ExchangeError> {
    let mut plan = PartyPlan::new("duty");
    let divisions = db.division_codes(county_id, scope).await?;
    let households = db.household_numbers(county_id).await?;
    let known: Vec<KnownDuty> = db
        .all(&Q::with(
            "SELECT t.id, t.person_name, t.rank, t.unit, t.target, t.division_code, t.household_id, t.since \
             FROM contact_duties t WHERE t.county_id = ?",
            vec![county_id.into()],
        ))
        .await?;
    let known: HashMap<Key, &KnownDuty> = known
        .iter()
        .map(|k| {
            (
                (
                    k.person_name.clone(),
                    k.rank.clone(),
                    k.target.clone(),
                    k.division_code.clone(),
                    k.household_id,
                ),
                k,
            )
        })
        .collect();
    let mut errs = Errors::new(m);
    let mut seen: HashMap<Key, usize> = HashMap::new();
    let mut out: Vec<(ValidContactDuty, String)> = Vec::new();
    let mut changed: Vec<Change> = Vec::new();
    for r in 0..m.t.rows.len() {
        if blank_row(m, r) {
            continue;
        }
        // The household, by its number, within the caller's reach.
        let household = match m.opt(r, "household_number") {
            None => None,
            Some(n) => match households.get(&n) {
                Some((id, div)) if scope.covers(div) => Some((*id, div.clone())),
                _ => {
                    errs.add(
                        r,
                        "household_number",
                        format!("户号“{n}”不存在或不在管辖范围内"),
                        format!("household '{n}' does not exist or is outside your jurisdiction"),
                    );
                    continue;
                }
            },
        };
        // Dates as offices write them (2024/9/25, 2024年9月25日, date cells).
        let since = m.get(r, "since");
        let since = xiangzhi_domain::validate::parse_date(since)
            .map(|d| d.to_string())
            .unwrap_or_else(|| since.to_string());
        let input = ContactDutyInput {
            person_name: m.get(r, "person_name").to_string(),
            rank: m.get(r, "rank").to_string(),
            unit: m.opt(r, "unit"),
            target: m.get(r, "target").to_string(),
            division_code: if household.is_some() {
                None
            } else {
                m.opt(r, "division_code")
            },
            household_id: household.as_ref().map(|h| h.0),
            since,
            version: None,
        };
        let v = match input.validate() {
            Ok(v) => v,
            Err(e) => {
                errs.store(r, e, &[("household_id", "household_number")]);
                continue;
            }
        };
        let division = match (&v.division, &household) {
            (_, Some((_, div))) => div.clone(),
            (Some(d), None) => {
                if !divisions.contains(d.as_str()) {
                    errs.add(
                        r,
                        "division_code",
                        "区划不存在或不在管辖范围内",
                        "the division does not exist or is outside your jurisdiction",
                    );
                    continue;
                }
                d.to_string()
            }
            (None, None) => continue,
        };
        let key: Key = (
            v.person_name.clone(),
            v.rank.as_str().to_string(),
            v.target.as_str().to_string(),
            division.clone(),
            v.household_id,
        );
        if let Some(first) = seen.get(&key) {
            errs.add(
                r,
                "person_name",
                format!("与第{}行是同一项包联", m.t.line(*first)),
                format!("the same duty as row {}", m.t.line(*first)),
            );
            continue;
        }
        seen.insert(key.clone(), r);
        match known.get(&key) {
            Some(k) if k.unit == v.unit && k.since == v.since => plan.summary.unchanged += 1,
            Some(k) => {
                plan.summary.sample(
                    m.t.line(r),
                    format!("{}：单位或起始日期变更", v.person_name),
                    format!("{}: unit or start date changed", v.person_name),
                );
                changed.push(Change {
                    id: k.id,
                    set: vec![
                        ("unit", Value::OptText(v.unit.clone())),
                        ("since", Value::Date(v.since)),
                        ("updated_at", Value::I64(now_ms())),
                    ],
                    before: vec![
                        ("unit", Value::OptText(k.unit.clone())),
                        ("since", Value::Date(k.since)),
                    ],
                });
            }
            None => {
                plan.summary.sample(
                    m.t.line(r),
                    format!("新增包联：{}", v.person_name),
                    format!("new duty: {}", v.person_name),
                );
                out.push((v, division))
            }
        }
    }
    errs.finish()?;
    plan.summary.changed = changed.len();
    plan.summary.added = out.len();
    plan.changes = Some(("contact_duties", changed));
    plan.new = out.len();
    plan.build = Box::new(move |first| {
        let now = now_ms();
        let rows: Vec<Vec<Value>> = out
            .into_iter()
            .enumerate()
            .map(|(k, (v, division))| {
                vec![
                    Value::I64(county_id),
                    Value::I64(first + k as i64),
                    Value::Text(v.person_name),
                    Value::Text(v.rank.as_str().into()),
                    Value::OptText(v.unit),
                    Value::Text(v.target.as_str().into()),
                    Value::Text(division),
                    Value::OptI64(v.household_id),
                    Value::Date(v.since),
                    Value::I64(now),
                    Value::I64(now),
                ]
            })
            .collect();
        vec![(
            (
                tables::CONTACT_DUTIES.table,
                tables::CONTACT_DUTIES.columns,
                rows,
            ),
            "id",
        )]
    });
    Ok(plan)
}

/// The duties inside the scope, as the layout writes them: a household duty names its household
/// by number (and no division), a village or group duty its division.
pub(super) async fn export_duties(
    db: &Db,
    scope: &Scope,
) -> Result<Vec<Vec<String>>, ExchangeError> {
    type Row = (
        String,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
        NaiveDate,
    );
    let mut q = Q::new(
        "SELECT t.person_name, t.rank, t.unit, t.target, t.division_code, h.number, t.since FROM contact_duties t \
         LEFT JOIN households h ON h.county_id = t.county_id AND h.id = t.household_id WHERE 1=1",
    );
    scope.filter(&mut q, &crate::tables::CONTACT_DUTIES, "t", "division_code");
    q.push(" ORDER BY t.county_id, t.id");
    let rows: Vec<Row> = db.all(&q).await?;
    Ok(rows
        .into_iter()
        .map(|(name, rank, unit, target, division, number, since)| {
            vec![
                name,
                label::<DutyRank>(&rank, DutyRank::zh),
                unit.unwrap_or_default(),
                label::<DutyTarget>(&target, DutyTarget::zh),
                if number.is_some() {
                    String::new()
                } else {
                    division
                },
                number.unwrap_or_default(),
                since.to_string(),
            ]
        })
        .collect())
}
