//! 人口变动: residents who move out of the county, die, or move back. The person stays on
//! record with their standing (在册, 迁出, 死亡) and every change is kept as an event; every
//! list, count and roster reads only those present unless asked for the others. A newcomer or a
//! newborn is registered with the households file (its 变动日期 records the date).

use super::*;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use xiangzhi_storage::staged::{Change, Staged};
use xiangzhi_tabular::table::Sink;

/// A resident as the county holds them, for a change of standing.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Person {
    id: i64,
    household_id: i64,
    division_code: String,
    id_number_hash: String,
    name: String,
    relation: String,
    standing: String,
}

/// A change recorded in `resident_events`.
struct Event {
    resident: i64,
    household: i64,
    kind: ResidentChange,
    on: NaiveDate,
    place: Option<String>,
    note: Option<String>,
}

/// What a moves file will do, checked in full before anything is written.
pub(super) struct MovePlan {
    changes: Vec<Change>,
    events: Vec<Event>,
    pub(super) summary: Summary,
}

/// A date cell: `Ok(None)` when blank, `Err(())` (reported) when it is not a date or is later
/// than today.
pub(super) fn date_cell(
    m: &Mapped<'_>,
    errs: &mut Errors<'_, '_>,
    r: usize,
    key: &str,
) -> Result<Option<NaiveDate>, ()> {
    let Some(t) = m.opt(r, key) else {
        return Ok(None);
    };
    match xiangzhi_domain::validate::parse_date(&t) {
        Some(d) if d <= today() => Ok(Some(d)),
        Some(_) => {
            errs.add(
                r,
                key,
                "日期不能晚于今天",
                "the date cannot be later than today",
            );
            Err(())
        }
        None => {
            errs.add(
                r,
                key,
                format!("无法识别的日期“{t}”，请写成 2024-09-25 或 2024年9月25日"),
                format!("'{t}' is not a date; write it as 2024-09-25"),
            );
            Err(())
        }
    }
}

/// Today in China (UTC+8).
pub(super) fn today() -> NaiveDate {
    xiangzhi_domain::china_today()
}

/// Every change recorded in the county, (resident, kind, date): a row naming one is already
/// applied (the same file twice, or an exported history, changes nothing).
async fn recorded(
    db: &Db,
    county_id: i64,
) -> Result<HashSet<(i64, String, NaiveDate)>, ExchangeError> {
    let rows: Vec<(i64, String, NaiveDate)> = db
        .all(&Q::with(
            "SELECT t.resident_id, t.kind, t.happened_on FROM resident_events t WHERE t.county_id = ?",
            vec![county_id.into()],
        ))
        .await?;
    Ok(rows.into_iter().collect())
}

pub(super) async fn check_moves(
    db: &Db,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<MovePlan, ExchangeError> {
    let people: Vec<Person> = db
        .all(&Q::with(
            "SELECT t.id, t.household_id, t.division_code, t.id_number_hash, t.name, t.relation, t.standing \
             FROM residents t WHERE t.county_id = ?",
            vec![county_id.into()],
        ))
        .await?;
    let households: Vec<(i64, String, String)> = db
        .all(&Q::with(
            "SELECT t.id, t.number, t.division_code FROM households t WHERE t.county_id = ?",
            vec![county_id.into()],
        ))
        .await?;
    let recorded = recorded(db, county_id).await?;
    let by_id: HashMap<&str, &Person> = people
        .iter()
        .map(|p| (p.id_number_hash.as_str(), p))
        .collect();
    let by_number: HashMap<&str, &(i64, String, String)> =
        households.iter().map(|h| (h.1.as_str(), h)).collect();
    let number_of: HashMap<i64, &str> = households.iter().map(|h| (h.0, h.1.as_str())).collect();
    let mut errs = Errors::new(m);
    let mut plan = MovePlan {
        changes: Vec::new(),
        events: Vec::new(),
        summary: Summary::default(),
    };
    // After the file: each person it changes → (household, relation, present), and the first
    // row touching each household (for the one-head rule).
    let mut after: HashMap<i64, (i64, String, bool)> = HashMap::new();
    let mut touched: BTreeMap<i64, usize> = BTreeMap::new();
    let mut seen: HashMap<i64, usize> = HashMap::new();
    // New heads named by rows: person → the row naming them.
    let mut new_heads: Vec<(usize, String)> = Vec::new();
    for r in 0..m.t.rows.len() {
        if blank_row(m, r) {
            continue;
        }
        let kind = match ResidentChange::from_word(m.get(r, "kind")) {
            Ok(k) => Some(k),
            Err(e) => {
                errs.invalid(r, "kind", e);
                None
            }
        };
        let on = match date_cell(m, &mut errs, r, "on") {
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                errs.add(
                    r,
                    "on",
                    "请填写变动日期",
                    "the date of the change is required",
                );
                None
            }
            Err(()) => None,
        };
        let id = match IdNumber::parse(m.get(r, "id_number")) {
            Ok(n) => Some(n),
            Err(e) => {
                errs.invalid(r, "id_number", e);
                None
            }
        };
        let (Some(kind), Some(on), Some(id)) = (kind, on, id) else {
            continue;
        };
        let Some(p) = by_id
            .get(crypto::index("id_number", id.as_str()).as_str())
            .copied()
        else {
            errs.add(
                r,
                "id_number",
                "本县没有登记这个身份证号码的居民；新迁入或新出生的人请用“户与居民”表登记（填变动日期）",
                "no resident of the county has this ID number; register newcomers and newborns with the households file (with the date of the change)",
            );
            continue;
        };
        if !scope.covers(&p.division_code) {
            errs.outside(r, "id_number");
            continue;
        }
        let name = m.get(r, "name");
        if xiangzhi_tabular::columns::squeeze(name) != p.name {
            errs.add(
                r,
                "name",
                format!("姓名“{name}”与登记的“{}”不符", p.name),
                format!("the name '{name}' differs from the registered '{}'", p.name),
            );
            continue;
        }
        // The same change already recorded: the file was applied before.
        if recorded.contains(&(p.id, kind.as_str().to_string(), on)) {
            plan.summary.unchanged += 1;
            continue;
        }
        if let Some(first) = seen.insert(p.id, m.t.line(r)) {
            errs.add(
                r,
                "id_number",
                format!("同一人在第{first}行已有变动"),
                format!("the same person already has a change on row {first}"),
            );
            continue;
        }
        if on < id.birth_date() {
            errs.add(
                r,
                "on",
                "变动日期早于出生日期",
                "the date is before the person's birth",
            );
            continue;
        }
        let standing = p.standing.parse::<Standing>().unwrap_or(Standing::Present);
        let place = m.opt(r, "place");
        let note = m.opt(r, "note");
        let line = m.t.line(r);
        match kind {
            ResidentChange::MovedOut | ResidentChange::Died => {
                let to = kind.standing();
                if standing != Standing::Present {
                    errs.add(
                        r,
                        "kind",
                        format!("此人已是“{}”，不能再登记{}", standing.zh(), kind.zh()),
                        format!(
                            "this person is already {}; cannot record '{}'",
                            standing.as_str(),
                            kind.as_str()
                        ),
                    );
                    continue;
                }
                touched.entry(p.household_id).or_insert(r);
                after.insert(p.id, (p.household_id, p.relation.clone(), false));
                if let Some(h) = m.opt(r, "new_head") {
                    new_heads.push((r, h));
                }
                plan.changes.push(Change {
                    id: p.id,
                    set: vec![
                        ("standing", Value::Text(to.as_str().into())),
                        ("updated_at", Value::I64(now_ms())),
                    ],
                    before: vec![("standing", Value::Text(standing.as_str().into()))],
                });
                plan.events.push(Event {
                    resident: p.id,
                    household: p.household_id,
                    kind,
                    on,
                    place,
                    note,
                });
                plan.summary.changed += 1;
                plan.summary.sample(
                    line,
                    format!("{}：{}（{on}）", p.name, kind.zh()),
                    format!("{}: {} ({on})", p.name, kind.as_str()),
                );
            }
            ResidentChange::Returned => {
                if standing != Standing::MovedOut {
                    let (zh, en) = match standing {
                        Standing::Deceased => (
                            "此人已登记死亡，不能迁回".to_string(),
                            "this person is registered as deceased and cannot move back"
                                .to_string(),
                        ),
                        _ => (
                            "此人在册，不需要登记迁回".to_string(),
                            "this person is present; there is nothing to move back".to_string(),
                        ),
                    };
                    errs.add(r, "kind", zh, en);
                    continue;
                }
                // Back into the household left, or the one named.
                let target = match m.opt(r, "household_number") {
                    None => Some((p.household_id, p.division_code.clone())),
                    Some(n) => match by_number.get(n.as_str()) {
                        Some((hid, _, div)) if scope.covers(div) => Some((*hid, div.clone())),
                        Some(_) => {
                            errs.outside(r, "household_number");
                            None
                        }
                        None => {
                            errs.add(
                                r,
                                "household_number",
                                format!("户号“{n}”不存在；新户请先用“户与居民”表登记"),
                                format!("household '{n}' does not exist; register a new household with the households file first"),
                            );
                            None
                        }
                    },
                };
                let Some((hid, div)) = target else { continue };
                let relation = match m.opt(r, "relation") {
                    None => p.relation.clone(),
                    Some(w) => match Relation::from_register(&w) {
                        Some(rel) => rel.as_str().to_string(),
                        None => {
                            errs.add(
                                r,
                                "relation",
                                format!("与户主关系“{w}”无法识别"),
                                format!("relation '{w}' is not known"),
                            );
                            continue;
                        }
                    },
                };
                touched.entry(hid).or_insert(r);
                after.insert(p.id, (hid, relation.clone(), true));
                let mut set = vec![("standing", Value::Text(Standing::Present.as_str().into()))];
                let mut before = vec![("standing", Value::Text(standing.as_str().into()))];
                if hid != p.household_id {
                    set.push(("household_id", Value::I64(hid)));
                    set.push(("division_code", Value::Text(div)));
                    before.push(("household_id", Value::I64(p.household_id)));
                    before.push(("division_code", Value::Text(p.division_code.clone())));
                }
                if relation != p.relation {
                    set.push(("relation", Value::Text(relation)));
                    set.push(("relation_word", Value::OptText(None)));
                    before.push(("relation", Value::Text(p.relation.clone())));
                }
                set.push(("updated_at", Value::I64(now_ms())));
                plan.changes.push(Change {
                    id: p.id,
                    set,
                    before,
                });
                plan.events.push(Event {
                    resident: p.id,
                    household: hid,
                    kind,
                    on,
                    place,
                    note,
                });
                plan.summary.changed += 1;
                let number = number_of.get(&hid).copied().unwrap_or("");
                plan.summary.sample(
                    line,
                    format!("{}：迁回户 {number}（{on}）", p.name),
                    format!("{}: moves back into household {number} ({on})", p.name),
                );
            }
        }
    }
    // A new head named for a household whose head leaves: a present member of that household.
    for (r, text) in new_heads {
        let found = IdNumber::parse(&text).ok().and_then(|n| {
            by_id
                .get(crypto::index("id_number", n.as_str()).as_str())
                .copied()
        });
        let leaving = by_id
            .get(
                IdNumber::parse(m.get(r, "id_number"))
                    .map(|n| crypto::index("id_number", n.as_str()))
                    .unwrap_or_default()
                    .as_str(),
            )
            .map(|p| p.household_id);
        match found {
            Some(h)
                if Some(h.household_id) == leaving
                    && h.standing == Standing::Present.as_str()
                    && after.get(&h.id).is_none_or(|a| a.2) =>
            {
                if h.relation != Relation::Head.as_str() {
                    after.insert(h.id, (h.household_id, Relation::Head.as_str().into(), true));
                    plan.changes.push(Change {
                        id: h.id,
                        set: vec![
                            ("relation", Value::Text(Relation::Head.as_str().into())),
                            ("relation_word", Value::OptText(None)),
                            ("updated_at", Value::I64(now_ms())),
                        ],
                        before: vec![("relation", Value::Text(h.relation.clone()))],
                    });
                    plan.summary.sample(
                        m.t.line(r),
                        format!("{}：成为户主", h.name),
                        format!("{}: becomes head of household", h.name),
                    );
                }
            }
            _ => errs.add(
                r,
                "new_head",
                "新户主必须是同一户中在册且不随之离开的成员，请填写其身份证号码",
                "the new head must be a present member of the same household who is not leaving; give their ID number",
            ),
        }
    }
    // Every household the file touches keeps exactly one head among the members present
    // afterwards (a household whose last member leaves has none, and needs none).
    let mut members: HashMap<i64, Vec<(i64, bool)>> = HashMap::new();
    for p in &people {
        if let Some((hid, rel, present)) = after.get(&p.id) {
            if *present && touched.contains_key(hid) {
                members
                    .entry(*hid)
                    .or_default()
                    .push((p.id, rel == Relation::Head.as_str()));
            }
        } else if p.standing == Standing::Present.as_str() && touched.contains_key(&p.household_id)
        {
            members
                .entry(p.household_id)
                .or_default()
                .push((p.id, p.relation == Relation::Head.as_str()));
        }
    }
    for (hid, row) in &touched {
        let list = members.get(hid).map(Vec::as_slice).unwrap_or(&[]);
        let heads = list.iter().filter(|(_, h)| *h).count();
        let number = number_of.get(hid).copied().unwrap_or("");
        if list.is_empty() || heads == 1 {
            continue;
        }
        if heads == 0 {
            errs.add(
                *row,
                "new_head",
                format!("户“{number}”的户主离开后没有户主：请在“新户主身份证号码”一栏填写留在户中的一位成员"),
                format!("household '{number}' has no head once its head leaves: give a remaining member's ID number as the new head"),
            );
        } else {
            errs.add(
                *row,
                "relation",
                format!("户“{number}”将有{heads}位户主：迁回的人请在“与户主关系”一栏填写与现户主的关系"),
                format!("household '{number}' would have {heads} heads: give the returning person's relation to the present head"),
            );
        }
    }
    errs.finish()?;
    Ok(plan)
}

/// Writes a checked moves plan in short transactions; returns the rows written.
pub(super) async fn write_moves(
    staged: &mut Staged<'_>,
    plan: MovePlan,
    county_id: i64,
) -> Result<usize, ExchangeError> {
    let now = now_ms();
    let first = staged
        .reserve("resident_event", plan.events.len() as i64)
        .await?;
    staged.update("residents", plan.changes, &|_| {}).await?;
    let rows: Vec<Vec<Value>> = plan
        .events
        .into_iter()
        .enumerate()
        .map(|(k, e)| {
            vec![
                Value::I64(county_id),
                Value::I64(first + k as i64),
                Value::I64(e.resident),
                Value::I64(e.household),
                Value::Text(e.kind.as_str().into()),
                Value::Date(e.on),
                Value::OptText(e.place),
                Value::OptText(e.note),
                Value::I64(now),
            ]
        })
        .collect();
    staged
        .insert(
            "resident_events",
            &[
                "county_id",
                "id",
                "resident_id",
                "household_id",
                "kind",
                "happened_on",
                "place",
                "note",
                "created_at",
            ],
            rows,
            &|_| {},
        )
        .await?;
    Ok(staged.written() as usize)
}

/// One page of recorded changes for the export, after event key `after`.
#[derive(sqlx::FromRow)]
struct EventRow {
    county_id: i64,
    id: i64,
    kind: String,
    name: String,
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedIdNumber")]
    id_number: String,
    happened_on: NaiveDate,
    place: Option<String>,
    number: String,
    relation: String,
    note: Option<String>,
}

/// Writes every recorded change of the residents inside `scope`, oldest first, page by page.
pub(super) async fn export_moves(
    db: &Db,
    scope: &Scope,
    sink: &mut Sink,
    full: bool,
) -> Result<(), ExchangeError> {
    let mut after: Option<(i64, i64)> = None;
    loop {
        let mut q = Q::new(
            "SELECT e.county_id, e.id, e.kind, t.name, t.id_number, e.happened_on, e.place, h.number, t.relation, e.note \
             FROM resident_events e JOIN residents t ON t.county_id = e.county_id AND t.id = e.resident_id \
             JOIN households h ON h.county_id = e.county_id AND h.id = e.household_id WHERE 1=1",
        );
        if let Some((c, i)) = after {
            let (c, i) = (q.arg(c), q.arg(i));
            q.push(&format!(" AND (e.county_id, e.id) > ({c}, {i})"));
        }
        scope.filter(&mut q, &crate::tables::RESIDENTS, "t", "division_code");
        q.push(" ORDER BY e.county_id, e.id LIMIT 5000");
        let page: Vec<EventRow> = db.all(&q).await?;
        let Some(last) = page.last() else { break };
        after = Some((last.county_id, last.id));
        for e in page {
            let kind = e.kind.parse::<ResidentChange>().ok();
            let returned = kind == Some(ResidentChange::Returned);
            sink.row(&[
                kind.map(|k| k.zh().to_string()).unwrap_or(e.kind),
                e.name,
                shown(full, e.id_number),
                e.happened_on.to_string(),
                e.place.unwrap_or_default(),
                String::new(),
                if returned { e.number } else { String::new() },
                if returned {
                    label::<Relation>(&e.relation, Relation::zh)
                } else {
                    String::new()
                },
                e.note.unwrap_or_default(),
            ])?;
        }
    }
    Ok(())
}
