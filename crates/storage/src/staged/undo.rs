//! The undo journal of a staged import: how a chunk's earlier values are kept (`before_json`,
//! with the version the change left) and how a failed or abandoned job is undone, newest chunk
//! first (`undo`), never over a row edited since.

use crate::actor::Bookkeeping;
use crate::sql::{Arg, Q};
use crate::{Db, Result, StoreError};

pub(super) fn ident(s: &str) -> Result<&str> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        Ok(s)
    } else {
        Err(StoreError::Query(format!(
            "not a column or table name: {s}"
        )))
    }
}

/// `UPDATE table SET …, version = version + 1` for one row; only while it holds `version`, if
/// given.
pub(super) fn set_row(
    table: &str,
    county_id: i64,
    id: i64,
    set: &[(&str, Arg)],
    version: Option<i64>,
) -> Q {
    let mut q = Q::new(&format!("UPDATE {table} SET "));
    for (i, (col, v)) in set.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        match v {
            // A NULL of no type: PostgreSQL takes it in any column.
            Arg::OptText(None) | Arg::OptI64(None) | Arg::OptF64(None) | Arg::OptDate(None) => {
                q.push(&format!("{col} = NULL"));
            }
            v => {
                let p = q.arg(v.clone());
                q.push(&format!("{col} = {p}"));
            }
        }
    }
    // Every table a staged import changes carries a version: a form opened before the import
    // then gets 409 on saving instead of quietly undoing the import's change.
    q.push(", version = version + 1");
    let c = q.arg(county_id);
    let i = q.arg(id);
    q.push(&format!(" WHERE county_id = {c} AND id = {i}"));
    if let Some(v) = version {
        let v = q.arg(v);
        q.push(&format!(" AND version = {v}"));
    }
    q
}

/// A row's earlier values as the undo journal keeps them, with the version the change left
/// (under the key `@version`, which names no column).
pub(super) fn before_json(before: &[(&str, Arg)], version: i64) -> String {
    let mut pairs: Vec<serde_json::Value> = before
        .iter()
        .map(|(c, v)| {
            let v = match v {
                Arg::I64(n) | Arg::OptI64(Some(n)) => serde_json::json!(n),
                Arg::Text(s) | Arg::OptText(Some(s)) => serde_json::json!(s),
                Arg::Bool(b) => serde_json::json!(b),
                // A date is kept tagged, to be restored as a date (PostgreSQL takes no text for it).
                Arg::Date(d) | Arg::OptDate(Some(d)) => {
                    serde_json::json!({ "date": d.to_string() })
                }
                _ => serde_json::Value::Null,
            };
            serde_json::json!([c, v])
        })
        .collect();
    pairs.push(serde_json::json!(["@version", version]));
    serde_json::Value::Array(pairs).to_string()
}

/// Undoes a job's chunks, newest first, a few at a time.
pub(super) async fn undo(db: &Db, county_id: i64, job: i64) -> Result<()> {
    loop {
        let steps: Vec<(i64, String, i64, i64, Option<String>)> = db
            .all(&Q::with(
                "SELECT t.seq, t.tbl, t.id_from, t.id_to, t.before FROM import_undo t \
                 WHERE t.county_id = ? AND t.job_id = ? ORDER BY t.seq DESC LIMIT 200",
                vec![county_id.into(), job.into()],
            ))
            .await?;
        if steps.is_empty() {
            return Ok(());
        }
        let mut tx = db.begin().await?;
        tx.bookkeeping(Bookkeeping::StagedImport);
        for (seq, tbl, from, to, before) in steps {
            // `table`, or `table:column` for rows keyed by another job's id (a link table).
            let (tbl, key) = match tbl.split_once(':') {
                Some((t, k)) => (ident(t)?, ident(k)?),
                None => (ident(&tbl)?, "id"),
            };
            match before {
                None => {
                    tx.exec(&Q::with(
                        &format!("DELETE FROM {tbl} WHERE county_id = ? AND {key} BETWEEN ? AND ?"),
                        vec![county_id.into(), from.into(), to.into()],
                    ))
                    .await?;
                }
                Some(json) => {
                    let pairs: Vec<(String, serde_json::Value)> = serde_json::from_str(&json)
                        .map_err(|e| StoreError::Query(format!("undo record: {e}")))?;
                    let mut set: Vec<(&str, Arg)> = Vec::new();
                    let mut version = None;
                    for (c, v) in &pairs {
                        if c == "@version" {
                            version = v.as_i64();
                            continue;
                        }
                        let v = match v {
                            serde_json::Value::Number(n) => Arg::I64(n.as_i64().unwrap_or(0)),
                            serde_json::Value::String(s) => Arg::Text(s.clone()),
                            serde_json::Value::Bool(b) => Arg::Bool(*b),
                            serde_json::Value::Object(o) => Arg::OptDate(
                                o.get("date")
                                    .and_then(|d| d.as_str())
                                    .and_then(|d| d.parse().ok()),
                            ),
                            _ => Arg::OptText(None),
                        };
                        set.push((ident(c)?, v));
                    }
                    // A row edited since (its version moved on) keeps the edit.
                    tx.exec(&set_row(tbl, county_id, from, &set, version))
                        .await?;
                }
            }
            tx.exec(&Q::with(
                "DELETE FROM import_undo WHERE county_id = ? AND job_id = ? AND seq = ?",
                vec![county_id.into(), job.into(), seq.into()],
            ))
            .await?;
        }
        tx.commit().await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_records_round_trip() {
        let json = before_json(
            &[
                ("household_id", Arg::I64(7)),
                ("phone", Arg::OptText(None)),
                ("relation", Arg::Text("child".into())),
                (
                    "since",
                    Arg::Date(chrono::NaiveDate::from_ymd_opt(2024, 9, 25).unwrap()),
                ),
            ],
            12,
        );
        let back: Vec<(String, serde_json::Value)> = serde_json::from_str(&json).unwrap();
        assert_eq!(back[0], ("household_id".into(), serde_json::json!(7)));
        assert_eq!(back[1].1, serde_json::Value::Null);
        assert_eq!(back[3].1, serde_json::json!({"date": "2024-09-25"}));
        assert_eq!(back[4], ("@version".into(), serde_json::json!(12)));
        let guarded = set_row(
            "residents",
            141029,
            5,
            &[("phone", Arg::OptText(None))],
            Some(12),
        );
        assert!(guarded.sql.contains(" AND version = "), "{}", guarded.sql);
        let q = set_row(
            "residents",
            141029,
            5,
            &[("phone", Arg::OptText(None))],
            None,
        );
        assert!(q.sql.contains("phone = NULL"), "{}", q.sql);
        assert!(ident("residents; DROP").is_err());
    }
}
