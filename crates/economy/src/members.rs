//! The collective economic organisation's members (农村集体经济组织法第十一至十八条) with their
//! history — who joined, how (birth, marriage, migration, the organisation's founding) and
//! when; who left, how and when — and the households' land and capital shares with their
//! certificates. A household's population shares are its members on the day.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::DivisionCode;
use xiangzhi_registry::tables::{HOUSEHOLDS, RESIDENTS};
use xiangzhi_storage::list::in_reach;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError};

use crate::tables::{COLLECTIVE_MEMBERS, SHARE_HOLDINGS};

/// How a member joined.
pub const JOINED: [(&str, &str); 5] = [
    ("founding", "成立时确认"),
    ("birth", "出生"),
    ("marriage", "婚入"),
    ("migration", "迁入"),
    ("confirmed", "成员大会确认"),
];
/// How a member left (Art 16–17; Art 18: schooling, service, work, divorce do not end it).
pub const LEFT: [(&str, &str); 4] = [
    ("death", "死亡"),
    ("withdrawal", "自愿退出"),
    ("joined_elsewhere", "取得其他集体经济组织成员身份"),
    ("other", "其他法定情形"),
];

/// A member as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Member {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    pub resident_id: i64,
    pub household_id: i64,
    pub name: String,
    pub joined_on: chrono::NaiveDate,
    pub joined_how: String,
    pub left_on: Option<chrono::NaiveDate>,
    pub left_how: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct MemberInput {
    pub resident_id: i64,
    /// `2020-01-01`.
    pub joined_on: String,
    /// `founding`, `birth`, `marriage`, `migration` or `confirmed`.
    pub joined_how: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct LeaveInput {
    pub left_on: String,
    /// `death`, `withdrawal`, `joined_elsewhere` or `other`.
    pub left_how: String,
}

/// A household's land or capital shares.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Holding {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    pub household_id: i64,
    /// `land` (hundredths of a mu put in) or `capital` (hundredths of a share bought).
    pub kind: String,
    pub shares: i64,
    pub since: chrono::NaiveDate,
    pub certificate: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct HoldingInput {
    pub household_id: i64,
    pub kind: String,
    /// Hundredths: 250 is 2.5 mu or 2.5 shares.
    pub shares: i64,
    pub since: String,
    #[serde(default)]
    pub certificate: String,
}

/// The village a write names, when it lies in the caller's reach.
pub(crate) fn village(scope: &Scope, code: &str) -> Result<DivisionCode> {
    scope.village(code)
}

/// A line of text as typed, trimmed: at most `most` characters, no NUL, and not empty when
/// `required`.
pub(crate) fn text(field: &str, value: &str, most: usize, required: bool) -> Result<String> {
    let v = value.trim();
    if (required && v.is_empty()) || v.chars().count() > most || v.contains('\0') {
        return Err(StoreError::invalid(
            field,
            if required {
                format!("请填写（不超过{most}个字）")
            } else {
                format!("不超过{most}个字")
            },
            format!(
                "at most {most} characters{}",
                if required { ", required" } else { "" }
            ),
        ));
    }
    Ok(v.to_string())
}

pub(crate) fn date(field: &str, value: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        StoreError::invalid(
            field,
            "日期请写成 2026-11-30",
            "write the date as 2026-11-30",
        )
    })
}

const MEMBER_COLS: &str =
    "t.county_id, t.id, t.division_code, t.resident_id, t.household_id, t.name, \
    t.joined_on, t.joined_how, t.left_on, t.left_how";
const HOLDING_COLS: &str =
    "t.county_id, t.id, t.division_code, t.household_id, t.kind, t.shares, t.since, t.certificate";

#[easy_ext::ext(MemberStore)]
pub impl Db {
    /// Records a resident of a village in reach as a member of its organisation.
    async fn add_member(&self, scope: &Scope, input: &MemberInput) -> Result<Member> {
        let by = scope.acting()?;
        if !JOINED.iter().any(|(k, _)| *k == input.joined_how) {
            return Err(StoreError::invalid(
                "joined_how",
                "请选择加入方式：成立时确认、出生、婚入、迁入或成员大会确认",
                "joined by founding, birth, marriage, migration or confirmation",
            ));
        }
        let joined = date("joined_on", &input.joined_on)?;
        let mut q = Q::with(
            "SELECT t.county_id, t.household_id, t.division_code, t.name FROM residents t WHERE t.id = ? \
             AND t.standing = 'present'",
            vec![input.resident_id.into()],
        );
        scope.filter(&mut q, &RESIDENTS, "t", "division_code");
        let found: Option<(i64, i64, String, String)> = self.optional(&q).await?;
        let (county_id, household_id, division, name) = found.ok_or_else(|| {
            StoreError::invalid(
                "resident_id",
                "您管辖范围内没有这位在册居民",
                "no resident on the roll within your jurisdiction",
            )
        })?;
        let village = division.get(..12).unwrap_or_default().to_string();
        let mut tx = self.begin().await?;
        let twice: Option<(i64,)> = tx
            .optional(&Q::with(
                "SELECT id FROM collective_members WHERE county_id = ? AND resident_id = ? AND left_on IS NULL",
                vec![county_id.into(), input.resident_id.into()],
            ))
            .await?;
        if twice.is_some() {
            return Err(StoreError::conflict(
                "resident_id",
                "此人已是本集体经济组织成员",
                "this person is already a member",
            ));
        }
        let id = next_ids(&mut tx, county_id, "collective_member", 1).await?;
        let m: Member = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO collective_members (county_id, id, division_code, resident_id, household_id, name, \
                     joined_on, joined_how, left_on, left_how, recorded_by, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, '', ?, ?) RETURNING {}",
                    MEMBER_COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    village.into(),
                    input.resident_id.into(),
                    household_id.into(),
                    name.into(),
                    Arg::Date(joined),
                    input.joined_how.clone().into(),
                    by.into(),
                    now_ms().into(),
                ],
            ))
            .await?;
        tx.audit(
            scope.actor(),
            "add collective member",
            format!("member {county_id}:{id}: resident {}", input.resident_id),
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Records a member's leaving; the line stays, with when and how.
    async fn member_leaves(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        input: &LeaveInput,
    ) -> Result<Member> {
        scope.acting()?;
        if !LEFT.iter().any(|(k, _)| *k == input.left_how) {
            return Err(StoreError::invalid(
                "left_how",
                "请选择丧失成员身份的情形",
                "say how the membership ended",
            ));
        }
        let left = date("left_on", &input.left_on)?;
        let m = self.member(scope, county_id, id).await?;
        if left < m.joined_on {
            return Err(StoreError::invalid(
                "left_on",
                "退出日期不能早于加入日期",
                "leaving cannot come before joining",
            ));
        }
        let mut tx = self.begin().await?;
        let n = tx
            .exec(&Q::with(
                "UPDATE collective_members SET left_on = ?, left_how = ? WHERE county_id = ? AND id = ? \
                 AND left_on IS NULL",
                vec![
                    Arg::Date(left),
                    input.left_how.clone().into(),
                    county_id.into(),
                    id.into(),
                ],
            ))
            .await?;
        if n == 0 {
            return Err(StoreError::conflict(
                "left_on",
                "此人已经不是成员",
                "this person is no longer a member",
            ));
        }
        tx.audit(
            scope.actor(),
            "collective member leaves",
            format!("member {county_id}:{id}: {}", input.left_how),
        )
        .await?;
        tx.commit().await?;
        self.member(scope, county_id, id).await
    }

    /// A member in the caller's reach.
    async fn member(&self, scope: &Scope, county_id: i64, id: i64) -> Result<Member> {
        let mut q = Q::with(
            &format!(
                "SELECT {MEMBER_COLS} FROM collective_members t WHERE t.county_id = ? AND t.id = ?"
            ),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &COLLECTIVE_MEMBERS, "t", "division_code");
        self.optional(&q).await?.ok_or(StoreError::NotFound)
    }

    /// The members in reach (and `division`, and named like `words`), by village and household.
    async fn members(
        &self,
        scope: &Scope,
        division: Option<&str>,
        words: Option<&str>,
    ) -> Result<Vec<Member>> {
        let mut q = in_reach(
            scope,
            division,
            &COLLECTIVE_MEMBERS,
            MEMBER_COLS,
            &["t.name"],
            words,
            &[],
        )?;
        q.push(" ORDER BY t.division_code, t.household_id, t.id LIMIT 5000");
        self.all(&q).await
    }

    /// Records a household's land or capital shares.
    async fn add_holding(&self, scope: &Scope, input: &HoldingInput) -> Result<Holding> {
        let by = scope.acting()?;
        if input.kind != "land" && input.kind != "capital" {
            return Err(StoreError::invalid(
                "kind",
                "份额类别应为土地入股或资金入股",
                "shares are land or capital",
            ));
        }
        if input.shares <= 0 || input.shares > 100_000_000 {
            return Err(StoreError::invalid(
                "shares",
                "份额应为大于0的数（以百分之一为单位）",
                "shares are more than nothing, in hundredths",
            ));
        }
        let certificate = input.certificate.trim();
        if certificate.chars().count() > 50 || certificate.contains('\0') {
            return Err(StoreError::invalid(
                "certificate",
                "证书编号不超过50个字",
                "a certificate number of at most 50 characters",
            ));
        }
        let since = date("since", &input.since)?;
        let mut q = Q::with(
            "SELECT t.county_id, t.division_code FROM households t WHERE t.id = ?",
            vec![input.household_id.into()],
        );
        scope.filter(&mut q, &HOUSEHOLDS, "t", "division_code");
        let found: Option<(i64, String)> = self.optional(&q).await?;
        let (county_id, division) = found.ok_or_else(|| {
            StoreError::invalid(
                "household_id",
                "您管辖范围内没有这一户",
                "no such household within your jurisdiction",
            )
        })?;
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "share_holding", 1).await?;
        let h: Holding = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO share_holdings (county_id, id, division_code, household_id, kind, shares, since, \
                     certificate, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
                    HOLDING_COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    division.get(..12).unwrap_or_default().into(),
                    input.household_id.into(),
                    input.kind.clone().into(),
                    input.shares.into(),
                    Arg::Date(since),
                    certificate.into(),
                    by.into(),
                    now_ms().into(),
                ],
            ))
            .await?;
        tx.audit(
            scope.actor(),
            "add share holding",
            format!(
                "holding {county_id}:{id}: household {} {}",
                input.household_id, input.kind
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(h)
    }

    /// The holdings in reach (and `division`, and with `words` in the certificate's number).
    async fn holdings(
        &self,
        scope: &Scope,
        division: Option<&str>,
        words: Option<&str>,
    ) -> Result<Vec<Holding>> {
        let mut q = in_reach(
            scope,
            division,
            &SHARE_HOLDINGS,
            HOLDING_COLS,
            &["t.certificate"],
            words,
            &[],
        )?;
        q.push(" ORDER BY t.division_code, t.household_id, t.id LIMIT 5000");
        self.all(&q).await
    }
}
