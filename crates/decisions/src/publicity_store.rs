//! 村务公开 in the store: a village's postings with their fingerprints, the check that finds a
//! posting changed after it was posted, and the villages late with their postings (the
//! township's overdue list).

use crate::rules::publicity::{fingerprint, overdue, PublicityKind};
use crate::tables::{MATTERS, PUBLICITY_ITEMS};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::{DivisionCode, Invalid};
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, FieldError, Result, Scope, StoreError};

/// A posting.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Posting {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    /// `general`, `finance`, `major`, `distribution_plan` or `decision`.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// The matter it belongs to (a distribution plan, a decision).
    pub matter_id: Option<i64>,
    pub posted_on: NaiveDate,
    pub until_on: NaiveDate,
    /// SHA-256 of the content as posted.
    pub fingerprint: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct PostingInput {
    /// The village (12 digits).
    pub division_code: String,
    pub kind: PublicityKind,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub matter_id: Option<i64>,
    /// `2026-11-20`.
    pub posted_on: String,
    /// The last day on the board.
    pub until_on: String,
}

/// A village late with a kind of posting.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Overdue {
    pub division_code: String,
    pub village_name: String,
    pub kind: PublicityKind,
    /// Its last posting of this kind, if any.
    pub last_posted: Option<NaiveDate>,
}

const POSTING_COLS: &str =
    "t.county_id, t.id, t.division_code, t.kind, t.title, t.body, t.matter_id, t.posted_on, \
    t.until_on, t.fingerprint";

fn bad(field: &str, zh: impl Into<String>, en: impl Into<String>) -> StoreError {
    StoreError::Invalid(vec![FieldError::new(field, Invalid::new(zh, en))])
}

fn date(field: &str, value: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        bad(
            field,
            "日期请写成 2026-11-30",
            "write the date as 2026-11-30",
        )
    })
}

/// A posting's fingerprint over what the public sees of it.
pub fn posting_fingerprint(
    division: &str,
    kind: &str,
    title: &str,
    body: &str,
    posted_on: NaiveDate,
    until_on: NaiveDate,
) -> String {
    fingerprint(&[
        division,
        kind,
        title,
        body,
        &posted_on.to_string(),
        &until_on.to_string(),
    ])
}

/// A posting checked: its village in the caller's reach, its words, dates and matter, and its
/// fingerprint.
pub(crate) struct Checked {
    county_id: i64,
    village: String,
    kind: &'static str,
    title: String,
    body: String,
    matter_id: Option<i64>,
    posted_on: NaiveDate,
    until_on: NaiveDate,
    pub print: String,
}

/// Checks a posting before it is written.
pub(crate) async fn check_posting(db: &Db, scope: &Scope, input: &PostingInput) -> Result<Checked> {
    let village = scope.village(&input.division_code)?;
    let county_id = village.county_id().unwrap_or_default();
    let title = input.title.trim();
    let body = input.body.trim();
    if title.is_empty() || title.chars().count() > 200 || title.contains('\0') {
        return Err(bad(
            "title",
            "请填写标题（不超过200个字）",
            "a title of at most 200 characters",
        ));
    }
    if body.is_empty() || body.chars().count() > 50_000 || body.contains('\0') {
        return Err(bad(
            "body",
            "请填写公开内容（不超过50000个字）",
            "the content, at most 50000 characters",
        ));
    }
    let posted_on = date("posted_on", &input.posted_on)?;
    let until_on = date("until_on", &input.until_on)?;
    if until_on < posted_on {
        return Err(bad(
            "until_on",
            "公开截止日期不能早于公开日期",
            "the last day cannot come before the first",
        ));
    }
    if let Some(m) = input.matter_id {
        let mut q = Q::with(
            "SELECT t.division_code FROM matters t WHERE t.county_id = ? AND t.id = ?",
            vec![county_id.into(), m.into()],
        );
        scope.filter(&mut q, &MATTERS, "t", "division_code");
        let found: Option<(String,)> = db.optional(&q).await?;
        if found.is_none_or(|(d,)| d != village.as_str()) {
            return Err(bad(
                "matter_id",
                "没有本村的这个事项",
                "no such matter of this village",
            ));
        }
    }
    let kind = input.kind.as_str();
    let print = posting_fingerprint(village.as_str(), kind, title, body, posted_on, until_on);
    Ok(Checked {
        county_id,
        village: village.as_str().to_string(),
        kind,
        title: title.to_string(),
        body: body.to_string(),
        matter_id: input.matter_id,
        posted_on,
        until_on,
        print,
    })
}

/// Writes a checked posting and its audit entry in the caller's transaction.
pub(crate) async fn insert_posting(
    tx: &mut xiangzhi_storage::Tx,
    scope: &Scope,
    c: &Checked,
    by: i64,
) -> Result<Posting> {
    let county_id = c.county_id;
    let kind = c.kind;
    let id = next_ids(tx, county_id, "publicity_item", 1).await?;
    let p: Posting = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO publicity_items (county_id, id, division_code, kind, title, body, matter_id, posted_on, \
                     until_on, fingerprint, posted_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
                    POSTING_COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    c.village.clone().into(),
                    kind.into(),
                    c.title.clone().into(),
                    c.body.clone().into(),
                    c.matter_id.into(),
                    Arg::Date(c.posted_on),
                    Arg::Date(c.until_on),
                    c.print.clone().into(),
                    by.into(),
                    now_ms().into(),
                ],
            ))
            .await?;
    tx.audit(
        scope.actor(),
        "post publicity",
        format!("publicity {county_id}:{id}: {kind}"),
    )
    .await?;
    Ok(p)
}

#[easy_ext::ext(PublicityStore)]
pub impl Db {
    /// Posts a village's item with its fingerprint.
    async fn post_publicity(&self, scope: &Scope, input: &PostingInput) -> Result<Posting> {
        let by = scope.acting()?;
        let c = check_posting(self, scope, input).await?;
        let mut tx = self.begin().await?;
        let p = insert_posting(&mut tx, scope, &c, by).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// The postings in the caller's reach (and `division`), newest first.
    async fn postings(&self, scope: &Scope, division: Option<&str>) -> Result<Vec<Posting>> {
        let scope = xiangzhi_storage::list::within(scope, division)?;
        let mut q = Q::new(&format!(
            "SELECT {POSTING_COLS} FROM publicity_items t WHERE 1=1"
        ));
        scope.filter(&mut q, &PUBLICITY_ITEMS, "t", "division_code");
        q.push(" ORDER BY t.posted_on DESC, t.id DESC LIMIT 500");
        self.all(&q).await
    }

    /// What a village's public board shows on `today`: the village's name and the postings
    /// within their window, newest first (none for a place that is not a village).
    async fn public_postings(
        &self,
        village: &DivisionCode,
        today: NaiveDate,
    ) -> Result<Option<(String, Vec<Posting>)>> {
        let Some(county_id) = village.county_id() else {
            return Ok(None);
        };
        let name: Option<(String,)> = self
            .optional(&Q::with(
                "SELECT t.name FROM divisions t WHERE t.county_id = ? AND t.code = ? AND t.level = 'village'",
                vec![county_id.into(), village.as_str().into()],
            ))
            .await?;
        let Some((name,)) = name else {
            return Ok(None);
        };
        let items = self
            .all(&Q::with(
                &format!(
                    "SELECT {POSTING_COLS} FROM publicity_items t WHERE t.county_id = ? AND t.division_code = ? \
                     AND t.posted_on <= ? AND t.until_on >= ? ORDER BY t.posted_on DESC, t.id DESC LIMIT 200"
                ),
                vec![
                    county_id.into(),
                    village.as_str().into(),
                    Arg::Date(today),
                    Arg::Date(today),
                ],
            ))
            .await?;
        Ok(Some((name, items)))
    }

    /// The postings in reach whose content no longer matches its fingerprint: changed after it
    /// was posted.
    async fn altered_postings(&self, scope: &Scope) -> Result<Vec<Posting>> {
        let mut q = Q::new(&format!(
            "SELECT {POSTING_COLS} FROM publicity_items t WHERE 1=1"
        ));
        scope.filter(&mut q, &PUBLICITY_ITEMS, "t", "division_code");
        q.push(" ORDER BY t.county_id, t.id");
        let all: Vec<Posting> = self.all(&q).await?;
        Ok(all
            .into_iter()
            .filter(|p| {
                posting_fingerprint(
                    &p.division_code,
                    &p.kind,
                    &p.title,
                    &p.body,
                    p.posted_on,
                    p.until_on,
                ) != p.fingerprint
            })
            .collect())
    }

    /// The villages in reach late on `today` with their general or financial postings (Art 30),
    /// counted from `since` for a village that never posted.
    async fn overdue_publicity(
        &self,
        scope: &Scope,
        since: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<Overdue>> {
        let mut q = Q::new("SELECT t.code, t.name FROM divisions t WHERE t.level = 'village'");
        scope.filter(&mut q, &xiangzhi_registry::tables::DIVISIONS, "t", "code");
        q.push(" ORDER BY t.code");
        let villages: Vec<(String, String)> = self.all(&q).await?;
        let mut q = Q::new(
            "SELECT t.division_code, t.kind, MAX(t.posted_on) FROM publicity_items t WHERE t.kind IN ('general', 'finance')",
        );
        scope.filter(&mut q, &PUBLICITY_ITEMS, "t", "division_code");
        q.push(" GROUP BY t.division_code, t.kind");
        let last: Vec<(String, String, Option<NaiveDate>)> = self.all(&q).await?;
        let mut out = Vec::new();
        for (code, name) in villages {
            for kind in [PublicityKind::General, PublicityKind::Finance] {
                let posted = last
                    .iter()
                    .find(|(d, k, _)| *d == code && k == kind.as_str())
                    .and_then(|(_, _, p)| *p);
                if overdue(kind, posted, since, today) {
                    out.push(Overdue {
                        division_code: code.clone(),
                        village_name: name.clone(),
                        kind,
                        last_posted: posted,
                    });
                }
            }
        }
        Ok(out)
    }
}
