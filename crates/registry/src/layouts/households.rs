//! Households with their residents, one row per resident.

use super::*;

pub(super) async fn import_households(
    tx: &mut Tx,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
    progress: &dyn Progress,
) -> Result<usize, ExchangeError> {
    let grids = tx.grid_refs(county_id, scope).await?;
    let existing_households = tx.household_numbers(county_id).await?;
    let existing_ids = tx.resident_ids(county_id).await?;
    let mut errs = Errors::new(m);
    // household number → (index in `households`, first row)
    let mut numbers: HashMap<String, usize> = HashMap::new();
    let mut households: Vec<(String, i64, String, String, usize)> = Vec::new(); // number, grid id, division, address, row
                                                                                // (household index, resident, keyed index of the ID number)
    let mut residents: Vec<(usize, ValidResident, String)> = Vec::new();
    // Household number → (its first row, its head's row), from every row of the file.
    let mut heads: std::collections::BTreeMap<String, (usize, Option<usize>)> = Default::default();
    let mut id_rows: HashMap<String, usize> = HashMap::with_capacity(m.t.rows.len());
    for r in 0..m.t.rows.len() {
        if r % 10_000 == 0 {
            progress.advance(if r == 0 { 0 } else { 10_000 });
        }
        if blank_row(m, r) {
            continue;
        }
        let number = m.get(r, "household_number");
        let grid_code = m.get(r, "micro_grid_code");
        // The register's own words (妻, 长子, 儿媳…) onto the vocabulary, once per row.
        let word = m.get(r, "relation");
        let relation = xiangzhi_domain::Relation::from_register(word);
        let is_head = relation == Some(xiangzhi_domain::Relation::Head);
        if !number.is_empty() {
            let entry = heads.entry(number.to_string()).or_insert((r, None));
            match (is_head, entry.1) {
                (true, Some(first)) => errs.add(
                    r,
                    "relation",
                    format!(
                        "一户只能有一位户主，第{}行已是这一户的户主",
                        m.t.line(first)
                    ),
                    format!(
                        "a household has one head; row {} is already its head",
                        m.t.line(first)
                    ),
                ),
                (true, None) => entry.1 = Some(r),
                _ => {}
            }
        }
        let address = m.get(r, "address");
        let hinput = HouseholdInput {
            number: number.to_string(),
            micro_grid_id: 0,
            address: address.to_string(),
            version: None,
        };
        let rinput = ResidentInput {
            household_id: 0,
            name: m.get(r, "name").to_string(),
            id_number: m.get(r, "id_number").to_string(),
            phone: m.opt(r, "phone"),
            // An unknown word is passed on and refused by name.
            relation: relation
                .map(|rel| rel.as_str().to_string())
                .unwrap_or_else(|| word.to_string()),
            tags: m.opt(r, "tags").into_iter().collect(),
            version: None,
        };
        let mut ok = true;
        if let Err(e) = hinput.validate() {
            errs.store(r, e, &[("number", "household_number")]);
            ok = false;
        }
        let v = match rinput.validate() {
            Ok(v) => Some(v),
            Err(e) => {
                errs.store(r, e, &[]);
                None
            }
        };
        let grid = grids.get(grid_code);
        match grid {
            None => {
                errs.add(
                    r,
                    "micro_grid_code",
                    "微网格不存在或不在管辖范围内",
                    "the micro-grid does not exist or is outside your jurisdiction",
                );
                ok = false;
            }
            Some(g) if g.level != "micro" => {
                errs.add(
                    r,
                    "micro_grid_code",
                    "户只能归属到微网格",
                    "a household must belong to a micro-grid",
                );
                ok = false;
            }
            _ => {}
        }
        if existing_households.contains_key(number) {
            errs.add(
                r,
                "household_number",
                "户号已存在",
                "the household number already exists",
            );
            ok = false;
        }
        let Some(v) = v else { continue };
        // A roster's own gender and birth-date columns must agree with the ID number.
        if let Some(g) = m.opt(r, "gender") {
            let given = match g.as_str() {
                "男" | "male" | "m" | "M" => Some(Gender::Male),
                "女" | "female" | "f" | "F" => Some(Gender::Female),
                _ => None,
            };
            if given != Some(v.id_number.gender()) {
                errs.add(
                    r,
                    "gender",
                    format!(
                        "性别“{g}”与身份证号码不符（应为{}）",
                        v.id_number.gender().zh()
                    ),
                    format!(
                        "gender '{g}' does not match the ID number ({})",
                        v.id_number.gender().as_str()
                    ),
                );
                continue;
            }
        }
        if let Some(b) = m.opt(r, "birth_date") {
            if xiangzhi_domain::validate::parse_date(&b) != Some(v.id_number.birth_date()) {
                errs.add(
                    r,
                    "birth_date",
                    format!(
                        "出生日期“{b}”与身份证号码不符（应为{}）",
                        v.id_number.birth_date()
                    ),
                    format!(
                        "birth date '{b}' does not match the ID number ({})",
                        v.id_number.birth_date()
                    ),
                );
                continue;
            }
        }
        if let Some(first) = id_rows.get(v.id_number.as_str()) {
            errs.add(
                r,
                "id_number",
                format!("身份证号码与第{first}行重复"),
                format!("ID number repeats row {first}"),
            );
            continue;
        }
        id_rows.insert(v.id_number.as_str().to_string(), m.t.line(r));
        let id_index = crypto::index("id_number", v.id_number.as_str());
        if existing_ids.contains_key(&id_index) {
            errs.add(
                r,
                "id_number",
                "该身份证号码已登记",
                "this ID number is already registered",
            );
            continue;
        }
        if !ok {
            continue;
        }
        let Some(g) = grid else { continue };
        let hi = match numbers.get(number) {
            Some(hi) => {
                let h = &households[*hi];
                if h.1 != g.id || h.3 != address {
                    errs.add(
                        r,
                        "household_number",
                        format!("同一户号在第{}行的微网格或住址与此行不同", m.t.line(h.4)),
                        format!("the same household number has a different micro-grid or address on row {}", m.t.line(h.4)),
                    );
                    continue;
                }
                *hi
            }
            None => {
                numbers.insert(number.to_string(), households.len());
                households.push((
                    number.to_string(),
                    g.id,
                    g.division_code.clone(),
                    address.to_string(),
                    r,
                ));
                households.len() - 1
            }
        };
        residents.push((hi, v, id_index));
    }
    // Every household has exactly one head (户主): a second one, or none, is refused by row
    // (read from every row of the file, so a row refused for another reason adds no second one).
    for (number, (first, head)) in &heads {
        if head.is_none() {
            errs.add(
                *first,
                "household_number",
                format!("户“{number}”没有户主：请在其中一人的与户主关系填“户主”"),
                format!(
                    "household '{number}' has no head: mark one member's relation as head (户主)"
                ),
            );
        }
    }
    errs.finish()?;
    let now = now_ms();
    let h_first = next_ids(tx, county_id, "household", households.len() as i64).await?;
    let r_first = next_ids(tx, county_id, "resident", residents.len() as i64).await?;
    progress.phase("写入户 writing households", households.len() as u64);
    let hrows: Vec<Vec<Value>> = households
        .iter()
        .enumerate()
        .map(|(k, (number, gid, div, address, _))| {
            vec![
                Value::I64(county_id),
                Value::I64(h_first + k as i64),
                Value::Text(number.clone()),
                Value::Text(div.clone()),
                Value::I64(*gid),
                Value::Text(address.clone()),
                Value::I64(now),
                Value::I64(now),
            ]
        })
        .collect();
    let mut hrows = hrows.into_iter().peekable();
    while hrows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = hrows.by_ref().take(20_000).collect();
        let n = chunk.len() as u64;
        tx.insert_rows(&tables::HOUSEHOLDS, chunk).await?;
        progress.advance(n);
    }
    progress.phase("写入居民 writing residents", residents.len() as u64);
    for (c, chunk) in residents.chunks(20_000).enumerate() {
        let base = c * 20_000;
        let mut rows = Vec::with_capacity(chunk.len());
        for (k, (hi, v, id_index)) in chunk.iter().enumerate() {
            rows.push(crate::store::resident_row(
                county_id,
                r_first + (base + k) as i64,
                h_first + *hi as i64,
                households[*hi].2.clone(),
                v,
                id_index.clone(),
                now,
            ));
        }
        tx.insert_rows(&tables::RESIDENTS, rows).await?;
        progress.advance(chunk.len() as u64);
    }
    Ok(residents.len())
}
