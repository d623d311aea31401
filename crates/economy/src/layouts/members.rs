//! 成员名册: the organisation's members as a village keeps its roster — the resident by ID
//! number (the name, if given, must match the register), when and how the membership was
//! gained, and, for a membership that has ended, when and how. A member is recorded in the
//! village of the household they live in. The same membership twice changes nothing; one whose
//! time overlaps another of the same person is refused.

use super::{choice, date_in, recorder, Rows};
use crate::members::{JOINED, LEFT};
use crate::tables::COLLECTIVE_MEMBERS;
use chrono::NaiveDate;
use std::collections::HashMap;
use xiangzhi_domain::IdNumber;
use xiangzhi_registry::tables::RESIDENTS;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{crypto, now_ms, Db, Scope};
use xiangzhi_tabular::columns::{blank_row, col, col_aka, Col, Errors, Mapped};
use xiangzhi_tabular::plan::Summary;
use xiangzhi_tabular::ExchangeError;

pub(super) const COLS: &[Col] = &[
    col_aka(
        "id_number",
        "身份证号码",
        true,
        &["公民身份号码", "身份证号"],
    ),
    col("name", "姓名", false),
    col_aka(
        "joined_on",
        "取得成员身份日期",
        true,
        &["加入日期", "取得日期", "确认日期"],
    ),
    col_aka(
        "joined_how",
        "取得方式",
        true,
        &["加入方式", "成员身份取得方式", "取得成员身份方式"],
    ),
    col_aka(
        "left_on",
        "丧失成员身份日期",
        false,
        &["丧失日期", "退出日期"],
    ),
    col_aka("left_how", "丧失情形", false, &["丧失方式", "退出情形"]),
];

const COLUMNS: &[&str] = &[
    "county_id",
    "id",
    "division_code",
    "resident_id",
    "household_id",
    "name",
    "joined_on",
    "joined_how",
    "left_on",
    "left_how",
    "recorded_by",
    "created_at",
];

/// A membership's time: (joined, left).
type Span = (NaiveDate, Option<NaiveDate>);
/// A membership held or added by the file: its time, how it was gained and lost, and the file's
/// row that adds it (none when held).
type Held = (Span, String, String, Option<usize>);

fn overlap(a: &Span, b: &Span) -> bool {
    let ends_before = |x: &Span, y: &Span| x.1.is_some_and(|l| l < y.0);
    !(ends_before(a, b) || ends_before(b, a))
}

#[derive(sqlx::FromRow)]
struct Resident {
    id_number_hash: String,
    id: i64,
    name: String,
    division_code: String,
    household_id: i64,
    standing: String,
}

pub(super) async fn check(
    db: &Db,
    scope: &Scope,
    county_id: i64,
    m: &Mapped<'_>,
    summary: &mut Summary,
) -> Result<Rows, ExchangeError> {
    let mut q = Q::with(
        "SELECT t.id_number_hash, t.id, t.name, t.division_code, t.household_id, t.standing \
         FROM residents t WHERE t.county_id = ?",
        vec![county_id.into()],
    );
    scope.filter(&mut q, &RESIDENTS, "t", "division_code");
    let residents: HashMap<String, Resident> = db
        .all::<Resident>(&q)
        .await?
        .into_iter()
        .map(|r| (r.id_number_hash.clone(), r))
        .collect();
    let mut q = Q::with(
        "SELECT t.resident_id, t.joined_on, t.joined_how, t.left_on, t.left_how \
         FROM collective_members t WHERE t.county_id = ?",
        vec![county_id.into()],
    );
    scope.filter(&mut q, &COLLECTIVE_MEMBERS, "t", "division_code");
    let held: Vec<(i64, NaiveDate, String, Option<NaiveDate>, String)> = db.all(&q).await?;
    // resident → memberships (span, how joined, how left), held and then added by the file.
    let mut spans: HashMap<i64, Vec<Held>> = HashMap::new();
    for (resident, joined, how, left, left_how) in held {
        spans
            .entry(resident)
            .or_default()
            .push(((joined, left), how, left_how, None));
    }
    let by = recorder(scope);
    let now = now_ms();
    let mut errs = Errors::new(m);
    let mut rows = Vec::new();
    for r in 0..m.t.rows.len() {
        if blank_row(m, r) {
            continue;
        }
        let resident = match IdNumber::parse(&m.get(r, "id_number").trim().to_ascii_uppercase()) {
            Err(e) => {
                errs.invalid(r, "id_number", e);
                continue;
            }
            Ok(n) => match residents.get(&crypto::index("id_number", n.as_str())) {
                Some(res) => res,
                None => {
                    errs.add(
                        r,
                        "id_number",
                        "您管辖范围内的户籍登记中没有这个身份证号码",
                        "no resident with this ID number within your jurisdiction",
                    );
                    continue;
                }
            },
        };
        if let Some(name) = m.opt(r, "name") {
            if name.trim() != resident.name {
                errs.add(
                    r,
                    "name",
                    format!("姓名与登记的“{}”不符", resident.name),
                    "the name does not match the registered resident",
                );
                continue;
            }
        }
        let joined = date_in(m, &mut errs, r, "joined_on");
        let Some(joined_how) = choice(&JOINED, m.get(r, "joined_how")) else {
            let names: Vec<&str> = JOINED.iter().map(|(_, zh)| *zh).collect();
            errs.add(
                r,
                "joined_how",
                format!("取得方式应为：{}", names.join("、")),
                "joined by founding, birth, marriage, migration or confirmation",
            );
            continue;
        };
        let left_text = m.get(r, "left_on").trim();
        let left = if left_text.is_empty() {
            Some(None)
        } else {
            date_in(m, &mut errs, r, "left_on").map(Some)
        };
        let left_how = match (left, m.get(r, "left_how").trim()) {
            (Some(None), "") => Some(""),
            (Some(None), _) => {
                errs.add(
                    r,
                    "left_on",
                    "写了丧失情形，请同时写丧失成员身份日期",
                    "a way of leaving needs the date it ended",
                );
                None
            }
            (_, how) => {
                let found = choice(&LEFT, how);
                if found.is_none() {
                    let names: Vec<&str> = LEFT.iter().map(|(_, zh)| *zh).collect();
                    errs.add(
                        r,
                        "left_how",
                        format!("丧失情形应为：{}", names.join("、")),
                        "left by death, withdrawal, joining elsewhere or another lawful ground",
                    );
                }
                found
            }
        };
        let (Some(joined), Some(left), Some(left_how)) = (joined, left, left_how) else {
            continue;
        };
        if left.is_some_and(|l| l < joined) {
            errs.add(
                r,
                "left_on",
                "丧失成员身份日期不能早于取得日期",
                "leaving cannot come before joining",
            );
            continue;
        }
        if left.is_none() && resident.standing != "present" {
            errs.add(
                r,
                "id_number",
                format!(
                    "{}已不在册（死亡或迁出），请同时写丧失成员身份的日期和情形",
                    resident.name
                ),
                "the resident is no longer on the roll: give when and how the membership ended",
            );
            continue;
        }
        let span = (joined, left);
        let list = spans.entry(resident.id).or_default();
        if list
            .iter()
            .any(|(s, h, lh, _)| *s == span && h == joined_how && lh == left_how)
        {
            summary.unchanged += 1;
            continue;
        }
        if let Some((_, _, _, row)) = list.iter().find(|(s, ..)| overlap(s, &span)) {
            let (zh, en) = match row {
                Some(first) => (
                    format!("与第{first}行的成员身份时间重叠"),
                    format!("the membership overlaps row {first}"),
                ),
                None => (
                    format!("{}已有这段时间的成员身份，且日期或方式与文件不同（请在成员页面修改）", resident.name),
                    "the person already holds a membership over this time with other dates or ways (change it on the member's page)".to_string(),
                ),
            };
            errs.add(r, "id_number", zh, en);
            continue;
        }
        list.push((span, joined_how.into(), left_how.into(), Some(m.t.line(r))));
        let village = resident
            .division_code
            .get(..12)
            .unwrap_or_default()
            .to_string();
        summary.sample(
            m.t.line(r),
            format!("新增成员 {}（{}）", resident.name, joined),
            format!("new member {} ({})", resident.name, joined),
        );
        rows.push(vec![
            Arg::Text(village),
            resident.id.into(),
            resident.household_id.into(),
            Arg::Text(resident.name.clone()),
            Arg::Date(joined),
            joined_how.into(),
            Arg::OptDate(left),
            left_how.into(),
            by.into(),
            now.into(),
        ]);
    }
    errs.finish()?;
    Ok(Rows {
        kind: "collective_member",
        table: "collective_members",
        columns: COLUMNS,
        rows,
    })
}

#[derive(sqlx::FromRow)]
struct Exported {
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedIdNumber")]
    id_number: String,
    name: String,
    joined_on: NaiveDate,
    joined_how: String,
    left_on: Option<NaiveDate>,
    left_how: String,
}

/// The members in reach, in the layout import reads; ID numbers masked unless `full`.
pub(super) async fn export(
    db: &Db,
    scope: &Scope,
    full: bool,
) -> Result<Vec<Vec<String>>, ExchangeError> {
    let mut q = Q::new(
        "SELECT r.id_number, t.name, t.joined_on, t.joined_how, t.left_on, t.left_how \
         FROM collective_members t \
         JOIN residents r ON r.county_id = t.county_id AND r.id = t.resident_id WHERE 1=1",
    );
    scope.filter(&mut q, &COLLECTIVE_MEMBERS, "t", "division_code");
    q.push(" ORDER BY t.division_code, t.household_id, t.id");
    let zh = |list: &[(&str, &str)], k: &str| {
        list.iter()
            .find(|(key, _)| *key == k)
            .map(|(_, z)| z.to_string())
            .unwrap_or_default()
    };
    Ok(db
        .all::<Exported>(&q)
        .await?
        .into_iter()
        .map(|e| {
            vec![
                if full {
                    e.id_number
                } else {
                    xiangzhi_domain::id_number::mask(&e.id_number, 3, 4)
                },
                e.name,
                e.joined_on.to_string(),
                zh(&JOINED, &e.joined_how),
                e.left_on.map(|d| d.to_string()).unwrap_or_default(),
                zh(&LEFT, &e.left_how),
            ]
        })
        .collect())
}
