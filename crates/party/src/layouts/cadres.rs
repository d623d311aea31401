//! 村两委: the roster of each village's party organisation, villagers' committee and village
//! affairs supervision committee — who holds which post since when, with a phone (sealed at rest,
//! masked on export unless asked for in full). The same file twice changes nothing; a new phone or
//! start date updates the record; a village's organisation with two secretaries (or committee with
//! two directors) in one file is refused by row.

use super::*;
use chrono::NaiveDate;

pub(super) const CADRE_COLS: &[Col] = &[
    col_aka(
        "division_code",
        "村区划代码",
        true,
        &["区划代码", "村（社区）区划代码"],
    ),
    col("name", "姓名", true),
    col_aka("body", "所在组织", true, &["组织"]),
    col("post", "职务", true),
    col_aka("phone", "联系电话", false, &["电话", "手机", "手机号码"]),
    col_aka("since", "任职日期", true, &["任职时间"]),
];

/// A cadre the county holds, as a re-import compares it (the phone by its keyed index).
#[derive(sqlx::FromRow)]
struct KnownCadre {
    id: i64,
    division_code: String,
    name: String,
    body: String,
    post: String,
    /// Sealed as stored (restored as it was if the import is undone; never opened here).
    phone: Option<String>,
    phone_hash: Option<String>,
    since: NaiveDate,
}

/// Who holds which post where: the key of a cadre.
type Key = (String, String, String, String);

pub(super) async fn check_cadres(
    db: &Db,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<PartyPlan, ExchangeError> {
    let mut plan = PartyPlan::new("cadre");
    let divisions = db.division_codes(county_id, scope).await?;
    let known: Vec<KnownCadre> = db
        .all(&Q::with(
            "SELECT t.id, t.division_code, t.name, t.body, t.post, t.phone, t.phone_hash, t.since \
             FROM village_cadres t WHERE t.county_id = ? AND t.until IS NULL",
            vec![county_id.into()],
        ))
        .await?;
    let known: HashMap<Key, &KnownCadre> = known
        .iter()
        .map(|k| {
            let key = (
                k.division_code.clone(),
                k.name.clone(),
                k.body.clone(),
                k.post.clone(),
            );
            (key, k)
        })
        .collect();
    let mut errs = Errors::new(m);
    let mut seen: HashMap<Key, usize> = HashMap::new();
    // (village, body) → the row of its secretary or director, one each.
    let mut heads: HashMap<(String, CadreBody), usize> = HashMap::new();
    // The heads the county holds now: (village, body) → the cadre.
    let held: HashMap<(String, CadreBody), &KnownCadre> = known
        .values()
        .filter(|k| {
            k.post == CadrePost::Secretary.as_str() || k.post == CadrePost::Director.as_str()
        })
        .filter_map(|k| {
            let body = k.body.parse::<CadreBody>().ok()?;
            Some(((k.division_code.clone(), body), *k))
        })
        .collect();
    let mut out: Vec<(
        String,
        String,
        CadreBody,
        CadrePost,
        Option<Phone>,
        NaiveDate,
    )> = Vec::new();
    let mut changed: Vec<Change> = Vec::new();
    for r in 0..m.t.rows.len() {
        if blank_row(m, r) {
            continue;
        }
        let mut bad = false;
        let mut check = |key: &str, e: Result<(), Invalid>| {
            if let Err(e) = e {
                errs.invalid(r, key, e);
                bad = true;
            }
        };
        let code = m.get(r, "division_code");
        let division = DivisionCode::parse(code);
        let village = division
            .as_ref()
            .ok()
            .filter(|d| d.level() == DivisionLevel::Village && divisions.contains(d.as_str()));
        check(
            "division_code",
            match (&division, village) {
                (Err(e), _) => Err(e.clone()),
                (Ok(_), None) => Err(Invalid::new(
                    "村（社区）不存在或不在管辖范围内",
                    "no such village within your jurisdiction",
                )),
                _ => Ok(()),
            },
        );
        let name = m.get(r, "name").trim().to_string();
        check(
            "name",
            if name.is_empty() || name.chars().count() > 50 {
                Err(Invalid::new(
                    "请填写姓名（不超过50字）",
                    "give a name (at most 50 characters)",
                ))
            } else {
                Ok(())
            },
        );
        let body = m.get(r, "body").parse::<CadreBody>();
        let post = m.get(r, "post").parse::<CadrePost>();
        check("body", body.clone().map(|_| ()));
        check("post", post.clone().map(|_| ()));
        if let (Ok(b), Ok(p)) = (&body, &post) {
            check(
                "post",
                if p.is_in(*b) {
                    Ok(())
                } else {
                    Err(Invalid::new(
                        format!("{}没有“{}”这一职务", b.zh(), p.zh()),
                        format!("a {} has no post of {}", b.as_str(), p.as_str()),
                    ))
                },
            );
        }
        let phone = m.opt(r, "phone").map(|p| Phone::parse(&p)).transpose();
        check("phone", phone.clone().map(|_| ()));
        let since = xiangzhi_domain::validate::parse_date(m.get(r, "since"));
        check(
            "since",
            since.map(|_| ()).ok_or_else(|| {
                Invalid::new(
                    "任职日期应写成 2024-09-25 或 2024年9月25日",
                    "write the start date as 2024-09-25",
                )
            }),
        );
        let (Some(village), Ok(body), Ok(post), Ok(phone), Some(since)) =
            (village, body, post, phone, since)
        else {
            continue;
        };
        if bad {
            continue;
        }
        let key: Key = (
            village.to_string(),
            name.clone(),
            body.as_str().to_string(),
            post.as_str().to_string(),
        );
        if let Some(first) = seen.get(&key) {
            errs.add(
                r,
                "name",
                format!("与第{}行是同一人同一职务", m.t.line(*first)),
                format!("the same person and post as row {}", m.t.line(*first)),
            );
            continue;
        }
        seen.insert(key.clone(), r);
        if matches!(post, CadrePost::Secretary | CadrePost::Director) {
            // A successor ends the term of the head the county holds (after an election, 换届).
            if let Some(h) = held
                .get(&(village.to_string(), body))
                .filter(|h| h.name != name)
            {
                if since <= h.since {
                    errs.add(
                        r,
                        "since",
                        format!(
                            "任职日期应晚于现任{}{}的任职日期（{}）",
                            post.zh(),
                            h.name,
                            h.since
                        ),
                        format!(
                            "the start date must be after that of the present {} {} ({})",
                            post.as_str(),
                            h.name,
                            h.since
                        ),
                    );
                    continue;
                }
                plan.summary.sample(
                    m.t.line(r),
                    format!(
                        "{name}接任{}{}，{}于{since}离任",
                        body.zh(),
                        post.zh(),
                        h.name
                    ),
                    format!(
                        "{name} succeeds {} as {} {}",
                        h.name,
                        body.as_str(),
                        post.as_str()
                    ),
                );
                changed.push(Change {
                    id: h.id,
                    set: vec![
                        ("until", Value::Date(since)),
                        ("updated_at", Value::I64(now_ms())),
                    ],
                    before: vec![("until", Value::OptDate(None))],
                });
            }
            if let Some(first) = heads.insert((village.to_string(), body), r) {
                errs.add(
                    r,
                    "post",
                    format!(
                        "第{}行已是该村{}的{}，一个组织只有一位",
                        m.t.line(first),
                        body.zh(),
                        post.zh()
                    ),
                    format!(
                        "row {} already holds this village's {} {}; there is one",
                        m.t.line(first),
                        body.as_str(),
                        post.as_str()
                    ),
                );
                continue;
            }
        }
        let hash = crypto::phone_index(phone.as_ref().map(|p| p.as_str()));
        match known.get(&key) {
            Some(k) if k.phone_hash == hash && k.since == since => plan.summary.unchanged += 1,
            Some(k) => {
                plan.summary.sample(
                    m.t.line(r),
                    format!("{name}：电话或任职日期变更"),
                    format!("{name}: phone or start date changed"),
                );
                let p = phone.as_ref().map(|p| p.as_str());
                changed.push(Change {
                    id: k.id,
                    set: vec![
                        ("phone", Value::OptText(crypto::seal_opt("phone", p))),
                        ("phone_hash", Value::OptText(hash)),
                        ("since", Value::Date(since)),
                        ("updated_at", Value::I64(now_ms())),
                    ],
                    before: vec![
                        ("phone", Value::OptText(k.phone.clone())),
                        ("phone_hash", Value::OptText(k.phone_hash.clone())),
                        ("since", Value::Date(k.since)),
                    ],
                });
            }
            None => {
                plan.summary.sample(
                    m.t.line(r),
                    format!("新增{}{}：{name}", body.zh(), post.zh()),
                    format!("new {} {}: {name}", body.as_str(), post.as_str()),
                );
                out.push((village.to_string(), name, body, post, phone, since))
            }
        }
    }
    errs.finish()?;
    plan.summary.changed = changed.len();
    plan.summary.added = out.len();
    plan.changes = Some(("village_cadres", changed));
    plan.new = out.len();
    plan.build = Box::new(move |first| {
        let now = now_ms();
        let rows: Vec<Vec<Value>> = out
            .into_iter()
            .enumerate()
            .map(|(k, (village, name, body, post, phone, since))| {
                let p = phone.as_ref().map(|p| p.as_str());
                vec![
                    Value::I64(county_id),
                    Value::I64(first + k as i64),
                    Value::Text(village),
                    Value::Text(name),
                    Value::Text(body.as_str().into()),
                    Value::Text(post.as_str().into()),
                    Value::OptText(crypto::seal_opt("phone", p)),
                    Value::OptText(crypto::phone_index(p)),
                    Value::Date(since),
                    Value::I64(now),
                    Value::I64(now),
                ]
            })
            .collect();
        vec![((CADRE_TABLE, CADRE_COLUMNS, rows), "id")]
    });
    Ok(plan)
}

const CADRE_TABLE: &str = "village_cadres";
const CADRE_COLUMNS: &[&str] = &[
    "county_id",
    "id",
    "division_code",
    "name",
    "body",
    "post",
    "phone",
    "phone_hash",
    "since",
    "created_at",
    "updated_at",
];

/// A cadre as exported (the phone opened, then masked unless in full).
#[derive(sqlx::FromRow)]
struct CadreRow {
    division_code: String,
    name: String,
    body: String,
    post: String,
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedPhoneOpt")]
    phone: Option<String>,
    since: NaiveDate,
}

/// The cadres inside the scope, village by village.
pub(super) async fn export_cadres(
    db: &Db,
    scope: &Scope,
    full: bool,
) -> Result<Vec<Vec<String>>, ExchangeError> {
    let mut q = Q::new(
        "SELECT t.division_code, t.name, t.body, t.post, t.phone, t.since FROM village_cadres t WHERE t.until IS NULL",
    );
    scope.filter(&mut q, &crate::tables::VILLAGE_CADRES, "t", "division_code");
    q.push(" ORDER BY t.county_id, t.division_code, t.id");
    let rows: Vec<CadreRow> = db.all(&q).await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let phone = c.phone.map(|p| {
                if full {
                    p
                } else {
                    xiangzhi_domain::id_number::mask(&p, 3, 4)
                }
            });
            vec![
                c.division_code,
                c.name,
                label::<CadreBody>(&c.body, CadreBody::zh),
                label::<CadrePost>(&c.post, CadrePost::zh),
                phone.unwrap_or_default(),
                c.since.to_string(),
            ]
        })
        .collect())
}
