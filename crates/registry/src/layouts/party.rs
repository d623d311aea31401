//! Party organisations, and members with the households each keeps in touch with.

use super::*;

pub(super) async fn import_orgs(
    tx: &mut Tx,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<usize, ExchangeError> {
    let divisions = tx.division_codes(county_id, scope).await?;
    let existing = tx.org_refs(county_id).await?;
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
            errs.add(
                r,
                "code",
                "党组织编码已存在",
                "the organisation code already exists",
            );
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
    let first = next_ids(tx, county_id, "party_org", rows.len() as i64).await?;
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
    let n = out.len();
    tx.insert_rows(&tables::PARTY_ORGS, out).await?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// Staff, households with residents, party members

pub(super) async fn import_members(
    tx: &mut Tx,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<usize, ExchangeError> {
    let residents = tx.resident_ids(county_id).await?;
    let orgs = tx.org_refs(county_id).await?;
    let households = tx.household_numbers(county_id).await?;
    let members = tx.member_residents(county_id).await?;
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
        if members.contains(&resident.0) || !in_file.insert(resident.0) {
            errs.add(
                r,
                "id_number",
                "该居民已是党员",
                "the resident is already a party member",
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
        v.resident_id = resident.0;
        v.org_id = org.id;
        out.push((v, org.division_code.clone(), contacts));
    }
    errs.finish()?;
    let first = next_ids(tx, county_id, "party_member", out.len() as i64).await?;
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
    let n = rows.len();
    tx.insert_rows(&tables::PARTY_MEMBERS, rows).await?;
    tx.insert_rows(&tables::MEMBER_CONTACTS, contact_rows)
        .await?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// Export
