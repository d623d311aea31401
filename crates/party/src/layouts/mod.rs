//! The party's file layouts: organisations, and members with the households each keeps in touch
//! with. All or nothing, every bad row reported with its row, column and reason.

use crate::model::*;
use crate::prelude::*;
use crate::store::bulk::columns as tables;
use crate::store::bulk::OrgRef;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use xiangzhi_domain::*;
use xiangzhi_registry::layouts::{label, resolve_county, tree_order};
use xiangzhi_registry::prelude::*;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::staged::{Change, Staged};
use xiangzhi_storage::*;
use xiangzhi_tabular::columns::{blank_row, col, col_aka, header, Col, Errors, Mapped};
use xiangzhi_tabular::plan::{Checked, Summary, WritePlan};
use xiangzhi_tabular::table;
use xiangzhi_tabular::{ExchangeError, FileLayout, ImportReport, Progress};

/// The party's file layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 党组织
    PartyOrgs,
    /// 党员 with the households each keeps in touch with.
    PartyMembers,
    /// 包联: who answers for which village, group or household.
    ContactDuties,
    /// 村两委: who holds which post in each village's party organisation and committees.
    VillageCadres,
}

const ORG_COLS: &[Col] = &[
    col("code", "党组织编码", true),
    col("name", "党组织名称", true),
    col("kind", "类别", true),
    col("division_code", "所在区划代码", true),
    col("parent_code", "上级党组织编码", false),
    col("standing", "等次", false),
];
const MEMBER_COLS: &[Col] = &[
    col("id_number", "身份证号码", true),
    col("name", "姓名", false),
    col("org_code", "党组织编码", true),
    col("status", "党员类别", true),
    col("role", "党内职务", false),
    col("joined_on", "入党日期", true),
    col("contact_households", "联系户", false),
];

fn cols(layout: Layout) -> &'static [Col] {
    match layout {
        Layout::PartyOrgs => ORG_COLS,
        Layout::PartyMembers => MEMBER_COLS,
        Layout::ContactDuties => DUTY_COLS,
        Layout::VillageCadres => CADRE_COLS,
    }
}

mod cadres;
mod duties;
use cadres::*;
use duties::*;

// The file layouts the command line finds by name, offered in the console and the API too.
xiangzhi_tabular::file_layout!(
    PARTY_ORGS,
    Layout::PartyOrgs,
    "party-orgs",
    ["党组织"],
    "党组织",
    "Party organisations",
    Right::WriteRegistry
);
xiangzhi_tabular::file_layout!(
    PARTY_MEMBERS,
    Layout::PartyMembers,
    "party-members",
    ["党员"],
    "党员（含联系户）",
    "Party members with their contact households",
    Right::WriteRegistry
);
xiangzhi_tabular::file_layout!(
    CONTACT_DUTIES,
    Layout::ContactDuties,
    "contact-duties",
    ["包联"],
    "包联",
    "Contact duties",
    Right::WriteRegistry
);
xiangzhi_tabular::file_layout!(
    VILLAGE_CADRES,
    Layout::VillageCadres,
    "village-cadres",
    ["村两委"],
    "村两委",
    "Village cadres",
    Right::WriteRegistry
);

/// This feature's file layouts.
pub const LAYOUTS: &[&FileLayout] = &[
    &PARTY_ORGS,
    &PARTY_MEMBERS,
    &CONTACT_DUTIES,
    &VILLAGE_CADRES,
];

/// Imports `path` (CSV or .xlsx) as `layout`: checked in full first, then written in short
/// transactions as one job (all or nothing as a whole). Nothing is written unless every row is
/// good.
pub async fn import(
    db: &Db,
    scope: &Scope,
    layout: Layout,
    path: &Path,
    county: Option<i64>,
    progress: &dyn Progress,
) -> Result<ImportReport, ExchangeError> {
    xiangzhi_registry::layouts::import_checked(db, path, progress, |name, bytes| async move {
        check(db, scope, layout, &name, bytes, county, progress).await
    })
    .await
}

/// Reads and checks a file for `layout` with reads only: nothing is written and no write lock is
/// taken. Bad rows answer `ExchangeError::Rows`.
pub async fn check(
    db: &Db,
    scope: &Scope,
    layout: Layout,
    name: &str,
    bytes: Vec<u8>,
    county: Option<i64>,
    progress: &dyn Progress,
) -> Result<Checked, ExchangeError> {
    let (t, county_id, scope) = xiangzhi_registry::layouts::open_upload(
        db,
        scope,
        name,
        bytes,
        cols(layout),
        county,
        progress,
    )
    .await?;
    let m = Mapped::new(&t, cols(layout))?;
    let plan = match layout {
        Layout::PartyOrgs => check_orgs(db, &m, county_id, &scope).await?,
        Layout::PartyMembers => check_members(db, &m, county_id, &scope).await?,
        Layout::ContactDuties => check_duties(db, &m, county_id, &scope).await?,
        Layout::VillageCadres => check_cadres(db, &m, county_id, &scope).await?,
    };
    let summary = plan.summary.clone();
    Ok(Checked::new(
        layout_name(layout),
        county_id,
        scope,
        &m,
        summary,
        Box::new(plan),
    ))
}

/// A layout's name on the command line and in jobs.
pub fn layout_name(layout: Layout) -> &'static str {
    match layout {
        Layout::PartyOrgs => PARTY_ORGS.name,
        Layout::PartyMembers => PARTY_MEMBERS.name,
        Layout::ContactDuties => CONTACT_DUTIES.name,
        Layout::VillageCadres => VILLAGE_CADRES.name,
    }
}

/// A blank template's header, as a clerk reads it.
pub fn template_header(layout: Layout) -> Vec<String> {
    cols(layout).iter().map(|c| c.zh.to_string()).collect()
}

/// New rows of one table: (table, columns, rows).
type NewRows = (&'static str, &'static [&'static str], Vec<Vec<Value>>);

/// What a party file will write: changes to rows the county holds, then new rows, their ids
/// reserved as it is written.
pub(super) struct PartyPlan {
    summary: Summary,
    changes: Option<(&'static str, Vec<Change>)>,
    id_kind: &'static str,
    new: usize,
    /// The new rows, given the first id reserved; a link table (no ids of its own) keyed by the
    /// column named third.
    build: Box<dyn FnOnce(i64) -> Vec<(NewRows, &'static str)> + Send>,
}

impl PartyPlan {
    fn new(id_kind: &'static str) -> PartyPlan {
        PartyPlan {
            summary: Summary::default(),
            changes: None,
            id_kind,
            new: 0,
            build: Box::new(|_| Vec::new()),
        }
    }
}

impl WritePlan for PartyPlan {
    fn write<'a>(
        self: Box<Self>,
        staged: &'a mut Staged<'_>,
        _county_id: i64,
        progress: &'a dyn Progress,
    ) -> xiangzhi_tabular::plan::WriteFuture<'a> {
        Box::pin(async move {
            let advance = |n: u64| progress.advance(n);
            let plan = *self;
            if let Some((table, changes)) = plan.changes {
                staged.update(table, changes, &advance).await?;
            }
            let first = staged.reserve(plan.id_kind, plan.new as i64).await?;
            for ((table, columns, rows), key) in (plan.build)(first) {
                staged
                    .insert_keyed(table, columns, key, rows, &advance)
                    .await?;
            }
            Ok(staged.written() as usize)
        })
    }
}

/// Exports the scope's (or the county's) rows of `layout` to `path`, in the layout import reads.
pub async fn export(
    db: &Db,
    scope: &Scope,
    layout: Layout,
    path: &Path,
    county: Option<i64>,
    full: bool,
) -> Result<usize, ExchangeError> {
    let scope = match county {
        Some(c) => resolve_county(db, scope, Some(c)).await?.1,
        None => scope.clone(),
    };
    let rows: Vec<Vec<String>> = match layout {
        Layout::ContactDuties => export_duties(db, &scope).await?,
        Layout::VillageCadres => export_cadres(db, &scope, full).await?,
        Layout::PartyOrgs => db
            .export_party_orgs(&scope)
            .await?
            .into_iter()
            .map(|(code, name, kind, div, parent, standing)| {
                vec![
                    code,
                    name,
                    label::<PartyOrgKind>(&kind, PartyOrgKind::zh),
                    div,
                    parent.unwrap_or_default(),
                    label::<BranchStanding>(&standing, BranchStanding::zh),
                ]
            })
            .collect(),
        Layout::PartyMembers => db
            .export_party_members(&scope)
            .await?
            .into_iter()
            .map(|mm| {
                vec![
                    if full {
                        mm.id_number
                    } else {
                        xiangzhi_domain::id_number::mask(&mm.id_number, 3, 4)
                    },
                    mm.name,
                    mm.org_code,
                    label::<MemberStatus>(&mm.status, MemberStatus::zh),
                    label::<MemberRole>(&mm.role, MemberRole::zh),
                    mm.joined_on.to_string(),
                    mm.contacts,
                ]
            })
            .collect(),
    };
    table::write(path, &header(cols(layout), false), &rows)?;
    Ok(rows.len())
}

async fn check_orgs(
    db: &Db,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<PartyPlan, ExchangeError> {
    let divisions = db.division_codes(county_id, scope).await?;
    let existing = db.org_refs(county_id).await?;
    let mut plan = PartyPlan::new("party_org");
    // code → (kind, name, division, parent code, standing), as a re-import compares them.
    type OrgRow = (String, String, String, String, Option<String>, String);
    let known: Vec<OrgRow> = db
        .all(&Q::with(
            "SELECT t.code, t.kind, t.name, t.division_code, p.code, t.standing FROM party_orgs t \
             LEFT JOIN party_orgs p ON p.county_id = t.county_id AND p.id = t.parent_id WHERE t.county_id = ?",
            vec![county_id.into()],
        ))
        .await?;
    let known: HashMap<String, (String, String, String, Option<String>, String)> = known
        .into_iter()
        .map(|(c, k, n, d, p, s)| (c, (k, n, d, p, s)))
        .collect();
    let mut errs = Errors::new(m);
    let mut rows: Vec<(usize, ValidPartyOrg, String, Option<String>)> = Vec::new();
    let mut in_file: HashMap<String, usize> = HashMap::new();
    for r in 0..m.t.rows.len() {
        if blank_row(m, r) {
            continue;
        }
        let parent_code = m.opt(r, "parent_code");
        let input = PartyOrgInput {
            code: m.opt(r, "code"),
            kind: m.get(r, "kind").to_string(),
            name: m.get(r, "name").to_string(),
            parent_id: parent_code.as_ref().map(|_| 0),
            division_code: m.get(r, "division_code").to_string(),
            standing: m.opt(r, "standing"),
            version: None,
        };
        let v = match input.validate() {
            Ok(v) => v,
            Err(e) => {
                errs.store(r, e, &[("parent_id", "parent_code")]);
                continue;
            }
        };
        let code = v.code.clone().unwrap_or_default();
        if v.division.county_id() != Some(county_id) || !scope.covers(v.division.as_str()) {
            errs.outside(r, "division_code");
            continue;
        }
        if !divisions.contains(v.division.as_str()) {
            errs.add(
                r,
                "division_code",
                "区划不存在",
                "the division does not exist",
            );
            continue;
        }
        if existing.contains_key(&code) {
            // The same organisation again changes nothing; another one under its code is refused.
            let now_as = (
                v.kind.as_str().to_string(),
                v.name.clone(),
                v.division.to_string(),
                parent_code.clone(),
                v.standing.as_str().to_string(),
            );
            if known.get(&code) != Some(&now_as) {
                errs.add(
                    r,
                    "code",
                    "党组织编码已存在，且名称、类别、区划、上级或状态与文件不同（请在党组织页面修改）",
                    "the organisation code already exists with another name, kind, division, parent or standing (change it on its page)",
                );
            } else {
                plan.summary.unchanged += 1;
            }
            continue;
        }
        if in_file.contains_key(&code) {
            errs.add(
                r,
                "code",
                "党组织编码在文件中重复",
                "the organisation code repeats an earlier row",
            );
            continue;
        }
        in_file.insert(code.clone(), rows.len());
        rows.push((r, v, code, parent_code));
    }
    for (r, v, _, parent) in &rows {
        if let Some(p) = parent {
            let kind = match in_file.get(p) {
                Some(i) => Some(rows[*i].1.kind),
                None => existing
                    .get(p)
                    .and_then(|o| o.kind.parse::<PartyOrgKind>().ok()),
            };
            match kind {
                None => errs.add(
                    *r,
                    "parent_code",
                    "上级党组织不存在",
                    "the parent organisation does not exist",
                ),
                Some(k) if !v.kind.allowed_parents().contains(&k) => errs.add(
                    *r,
                    "parent_code",
                    format!("{}不能隶属于{}", v.kind.zh(), k.zh()),
                    format!("a {} cannot sit under a {}", v.kind.as_str(), k.as_str()),
                ),
                Some(_) => {}
            }
        }
    }
    errs.finish()?;
    let order = tree_order(rows.len(), |i| {
        rows[i].3.as_ref().and_then(|p| in_file.get(p).copied())
    });
    for (r, v, code, _) in &rows {
        plan.summary.sample(
            m.t.line(*r),
            format!("新增党组织 {}（{code}）", v.name),
            format!("new party organisation {} ({code})", v.name),
        );
    }
    plan.summary.added = rows.len();
    plan.new = rows.len();
    plan.build = Box::new(move |first| {
        let mut assigned: HashMap<String, (i64, String)> = HashMap::new();
        let now = now_ms();
        let mut out = Vec::with_capacity(rows.len());
        for (k, i) in order.into_iter().enumerate() {
            let (_, v, code, parent) = &rows[i];
            let id = first + k as i64;
            let (pid, ppath) = match parent {
                None => (None, "/".to_string()),
                Some(p) => match assigned.get(p) {
                    Some((pid, path)) => (Some(*pid), path.clone()),
                    None => existing
                        .get(p)
                        .map(|o: &OrgRef| (Some(o.id), o.path.clone()))
                        .unwrap_or((None, "/".into())),
                },
            };
            let path = format!("{ppath}{id}/");
            assigned.insert(code.clone(), (id, path.clone()));
            out.push(vec![
                Value::I64(county_id),
                Value::I64(id),
                Value::Text(code.clone()),
                Value::Text(v.kind.as_str().into()),
                Value::Text(v.name.clone()),
                Value::OptI64(pid),
                Value::Text(v.division.to_string()),
                Value::Text(v.standing.as_str().into()),
                Value::Text(path),
                Value::I64(now),
                Value::I64(now),
            ]);
        }
        vec![(
            (tables::PARTY_ORGS.table, tables::PARTY_ORGS.columns, out),
            "id",
        )]
    });
    Ok(plan)
}

// ---------------------------------------------------------------------------------------------
// Staff, households with residents, party members

async fn check_members(
    db: &Db,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<PartyPlan, ExchangeError> {
    let residents = db.resident_ids(county_id).await?;
    let orgs = db.org_refs(county_id).await?;
    let households = db.household_numbers(county_id).await?;
    let members = db.member_residents(county_id).await?;
    let mut plan = PartyPlan::new("party_member");
    // resident → (organisation, status, role, joined, contact households), as a re-import
    // compares them.
    type Known = (i64, i64, String, String, chrono::NaiveDate);
    let known: Vec<Known> = db
        .all(&Q::with(
            "SELECT t.resident_id, t.org_id, t.status, t.role, t.joined_on FROM party_members t WHERE t.county_id = ?",
            vec![county_id.into()],
        ))
        .await?;
    let contacts_of: Vec<(i64, i64)> = db
        .all(&Q::with(
            "SELECT m.resident_id, c.household_id FROM member_contacts c \
             JOIN party_members m ON m.county_id = c.county_id AND m.id = c.member_id WHERE c.county_id = ?",
            vec![county_id.into()],
        ))
        .await?;
    let mut known_contacts: HashMap<i64, HashSet<i64>> = HashMap::new();
    for (resident, household) in contacts_of {
        known_contacts
            .entry(resident)
            .or_default()
            .insert(household);
    }
    let known: HashMap<i64, (i64, String, String, chrono::NaiveDate)> = known
        .into_iter()
        .map(|(r, o, s, role, j)| (r, (o, s, role, j)))
        .collect();
    let mut errs = Errors::new(m);
    let mut out: Vec<(ValidPartyMember, String, Vec<i64>)> = Vec::new();
    let mut in_file: HashSet<i64> = HashSet::new();
    for r in 0..m.t.rows.len() {
        if blank_row(m, r) {
            continue;
        }
        let input = PartyMemberInput {
            resident_id: 0,
            org_id: 0,
            status: m.get(r, "status").to_string(),
            role: m.opt(r, "role"),
            joined_on: m.get(r, "joined_on").to_string(),
            version: None,
        };
        let mut v = match input.validate() {
            Ok(v) => v,
            Err(e) => {
                errs.store(r, e, &[]);
                continue;
            }
        };
        let id_text = m.get(r, "id_number").trim().to_ascii_uppercase();
        let resident = match IdNumber::parse(&id_text) {
            Err(e) => {
                errs.invalid(r, "id_number", e);
                continue;
            }
            Ok(n) => match residents.get(&crypto::index("id_number", n.as_str())) {
                Some(res) if scope.covers(&res.2) => res,
                _ => {
                    errs.add(
                        r,
                        "id_number",
                        "居民不存在或不在管辖范围内",
                        "no such resident within your jurisdiction",
                    );
                    continue;
                }
            },
        };
        if let Some(name) = m.opt(r, "name") {
            if name != resident.1 {
                errs.add(
                    r,
                    "name",
                    format!("姓名与登记的“{}”不符", resident.1),
                    "the name does not match the registered resident",
                );
                continue;
            }
        }
        let Some(org) = orgs
            .get(m.get(r, "org_code"))
            .filter(|o| scope.covers(&o.division_code))
        else {
            errs.add(
                r,
                "org_code",
                "党组织不存在或不在管辖范围内",
                "the organisation does not exist or is outside your jurisdiction",
            );
            continue;
        };
        if !in_file.insert(resident.0) {
            errs.add(
                r,
                "id_number",
                "该居民在文件中重复",
                "the resident repeats an earlier row",
            );
            continue;
        }
        let mut contacts = Vec::new();
        for n in m
            .get(r, "contact_households")
            .split([';', '；', '、', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match households.get(n) {
                Some((hid, div)) if scope.covers(div) => {
                    if !contacts.contains(hid) {
                        contacts.push(*hid)
                    }
                }
                _ => errs.add(
                    r,
                    "contact_households",
                    format!("联系户“{n}”不存在"),
                    format!("contact household '{n}' does not exist"),
                ),
            }
        }
        if members.contains(&resident.0) {
            // The same member again changes nothing; a different record is changed on its page.
            let same = known.get(&resident.0)
                == Some(&(
                    org.id,
                    v.status.as_str().to_string(),
                    v.role.as_str().to_string(),
                    v.joined_on,
                ))
                && known_contacts.get(&resident.0).cloned().unwrap_or_default()
                    == contacts.iter().copied().collect::<HashSet<i64>>();
            if !same {
                errs.add(
                    r,
                    "id_number",
                    "该居民已是党员，且组织、状态、职务、入党日期或联系户与文件不同（请在党员页面修改）",
                    "the resident is already a party member with another organisation, status, role, joining date or contact households (change it on the member's page)",
                );
            } else {
                plan.summary.unchanged += 1;
            }
            continue;
        }
        v.resident_id = resident.0;
        v.org_id = org.id;
        plan.summary.sample(
            m.t.line(r),
            format!("新增党员 {}（{}）", resident.1, m.get(r, "org_code")),
            format!("new party member {} ({})", resident.1, m.get(r, "org_code")),
        );
        out.push((v, org.division_code.clone(), contacts));
    }
    errs.finish()?;
    plan.summary.added = out.len();
    plan.new = out.len();
    plan.build = Box::new(move |first| {
        let now = now_ms();
        let mut rows = Vec::with_capacity(out.len());
        let mut contact_rows = Vec::new();
        for (k, (v, div, contacts)) in out.into_iter().enumerate() {
            let id = first + k as i64;
            rows.push(vec![
                Value::I64(county_id),
                Value::I64(id),
                Value::I64(v.resident_id),
                Value::I64(v.org_id),
                Value::Text(div),
                Value::Text(v.status.as_str().into()),
                Value::Text(v.role.as_str().into()),
                Value::Date(v.joined_on),
                Value::I64(now),
                Value::I64(now),
            ]);
            for h in contacts {
                contact_rows.push(vec![
                    Value::I64(county_id),
                    Value::I64(id),
                    Value::I64(h),
                    Value::I64(now),
                ]);
            }
        }
        vec![
            (
                (
                    tables::PARTY_MEMBERS.table,
                    tables::PARTY_MEMBERS.columns,
                    rows,
                ),
                "id",
            ),
            // Contact households, a link table keyed by the member.
            (
                (
                    tables::MEMBER_CONTACTS.table,
                    tables::MEMBER_CONTACTS.columns,
                    contact_rows,
                ),
                "member_id",
            ),
        ]
    });
    Ok(plan)
}

// ---------------------------------------------------------------------------------------------
// Export
