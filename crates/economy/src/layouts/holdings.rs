//! 股权: the households' land and capital shares (a household's population shares are its
//! members on the day, never typed). A row names the household by its number, the kind (土地入股
//! in mu, 资金入股 in shares), the amount with at most two decimals (kept exactly in hundredths),
//! since when and the certificate. A holding the household already has as written changes
//! nothing; the same holding twice in one file is refused.

use super::{date_in, recorder, Rows};
use crate::tables::SHARE_HOLDINGS;
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use xiangzhi_registry::tables::HOUSEHOLDS;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, Scope};
use xiangzhi_tabular::columns::{blank_row, col_aka, Col, Errors, Mapped};
use xiangzhi_tabular::plan::Summary;
use xiangzhi_tabular::ExchangeError;

pub(super) const COLS: &[Col] = &[
    col_aka("household_number", "户号", true, &["户编号"]),
    col_aka("kind", "入股方式", true, &["股份类别", "类别"]),
    col_aka(
        "shares",
        "份额",
        true,
        &["股数", "入股面积", "入股亩数", "股份数"],
    ),
    col_aka("since", "入股日期", true, &["起始日期", "取得日期"]),
    col_aka(
        "certificate",
        "股权证号",
        false,
        &["股权证书编号", "证书编号"],
    ),
];

const COLUMNS: &[&str] = &[
    "county_id",
    "id",
    "division_code",
    "household_id",
    "kind",
    "shares",
    "since",
    "certificate",
    "recorded_by",
    "created_at",
];

/// The kinds a file may name, with the words offices use.
const KINDS: [(&str, &[&str]); 2] = [
    ("land", &["land", "土地入股", "土地股", "土地"]),
    (
        "capital",
        &["capital", "资金入股", "资金股", "资金", "现金入股"],
    ),
];

/// A holding as compared: (household, kind, hundredths, since, certificate).
type Key = (i64, String, i64, NaiveDate, String);

pub(super) async fn check(
    db: &Db,
    scope: &Scope,
    county_id: i64,
    m: &Mapped<'_>,
    summary: &mut Summary,
) -> Result<Rows, ExchangeError> {
    let mut q = Q::with(
        "SELECT t.number, t.id, t.division_code FROM households t WHERE t.county_id = ?",
        vec![county_id.into()],
    );
    scope.filter(&mut q, &HOUSEHOLDS, "t", "division_code");
    let households: HashMap<String, (i64, String)> = db
        .all::<(String, i64, String)>(&q)
        .await?
        .into_iter()
        .map(|(n, id, d)| (n, (id, d)))
        .collect();
    let mut q = Q::with(
        "SELECT t.household_id, t.kind, t.shares, t.since, t.certificate \
         FROM share_holdings t WHERE t.county_id = ?",
        vec![county_id.into()],
    );
    scope.filter(&mut q, &SHARE_HOLDINGS, "t", "division_code");
    let held: HashSet<Key> = db.all::<Key>(&q).await?.into_iter().collect();
    let by = recorder(scope);
    let now = now_ms();
    let mut errs = Errors::new(m);
    let mut seen: HashMap<Key, usize> = HashMap::new();
    let mut rows = Vec::new();
    for r in 0..m.t.rows.len() {
        if blank_row(m, r) {
            continue;
        }
        let number = m.get(r, "household_number").trim();
        let Some((household, division)) = households.get(number) else {
            errs.add(
                r,
                "household_number",
                format!("您管辖范围内没有户号为“{number}”的户"),
                format!("no household numbered '{number}' within your jurisdiction"),
            );
            continue;
        };
        let kind_text = m.get(r, "kind").trim();
        let kind = KINDS
            .iter()
            .find(|(_, words)| words.contains(&kind_text))
            .map(|(k, _)| *k);
        if kind.is_none() {
            errs.add(
                r,
                "kind",
                "入股方式应为土地入股或资金入股",
                "shares are land or capital",
            );
        }
        let shares = hundredths(m.get(r, "shares"));
        if shares.is_none() {
            errs.add(
                r,
                "shares",
                "份额应为大于0的数，最多两位小数（土地以亩计，资金以股计）",
                "shares are more than nothing with at most two decimals (land in mu, capital in shares)",
            );
        }
        let since = date_in(m, &mut errs, r, "since");
        let certificate = crate::members::text("certificate", m.get(r, "certificate"), 50, false)
            .map_err(|e| errs.store(r, e, &[]))
            .ok();
        let (Some(kind), Some(shares), Some(since), Some(certificate)) =
            (kind, shares, since, certificate)
        else {
            continue;
        };
        let key: Key = (*household, kind.into(), shares, since, certificate.clone());
        if let Some(first) = seen.insert(key.clone(), m.t.line(r)) {
            errs.add(
                r,
                "household_number",
                format!("与第{first}行重复"),
                format!("the holding repeats row {first}"),
            );
            continue;
        }
        if held.contains(&key) {
            summary.unchanged += 1;
            continue;
        }
        summary.sample(
            m.t.line(r),
            format!(
                "户 {number} {}{}",
                if kind == "land" {
                    "土地入股 "
                } else {
                    "资金入股 "
                },
                xiangzhi_domain::Fen(shares)
            ),
            format!("household {number} {kind} {}", xiangzhi_domain::Fen(shares)),
        );
        rows.push(vec![
            Arg::Text(division.get(..12).unwrap_or_default().to_string()),
            (*household).into(),
            kind.into(),
            shares.into(),
            Arg::Date(since),
            Arg::Text(certificate),
            by.into(),
            now.into(),
        ]);
    }
    errs.finish()?;
    Ok(Rows {
        kind: "share_holding",
        table: "share_holdings",
        columns: COLUMNS,
        rows,
    })
}

/// Shares or mu as typed (2.5, 2.50 亩, 3股), in hundredths, exactly; more than nothing.
fn hundredths(text: &str) -> Option<i64> {
    let t = text.trim().trim_end_matches(['亩', '股']).trim();
    xiangzhi_domain::Fen::parse_yuan(t)
        .ok()
        .map(|f| f.0)
        .filter(|h| (1..=100_000_000).contains(h))
}

/// The holdings in reach, in the layout import reads.
pub(super) async fn export(db: &Db, scope: &Scope) -> Result<Vec<Vec<String>>, ExchangeError> {
    let mut q = Q::new(
        "SELECT h.number, t.kind, t.shares, t.since, t.certificate FROM share_holdings t \
         JOIN households h ON h.county_id = t.county_id AND h.id = t.household_id WHERE 1=1",
    );
    scope.filter(&mut q, &SHARE_HOLDINGS, "t", "division_code");
    q.push(" ORDER BY t.division_code, h.number, t.id");
    let list: Vec<(String, String, i64, NaiveDate, String)> = db.all(&q).await?;
    Ok(list
        .into_iter()
        .map(|(number, kind, shares, since, certificate)| {
            vec![
                number,
                if kind == "land" {
                    "土地入股"
                } else {
                    "资金入股"
                }
                .to_string(),
                xiangzhi_domain::Fen(shares).to_string(),
                since.to_string(),
                certificate,
            ]
        })
        .collect())
}
