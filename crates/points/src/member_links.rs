//! 党员本人查看与自报, 流动党员: a party member's own page on a phone, reached by a personal link
//! the branch gives them (no account: the link's code is the key, kept only as its hash, and a
//! new link replaces the old); from it the member reports what they did, which waits for the
//! branch's review like any other recording. A member away from the village (流动党员) keeps
//! their points through the same page; the months they are away are recorded, shown in the
//! evaluation, and spare them the talk list.

use crate::model::{Claim, ClaimInput};
use crate::rules::parse_month;
use crate::store::{acting_user, PointsStore, StatementViews};
use crate::tables::MEMBER_AWAY;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{now_ms, Actor, Db, Result, Scope, StoreError};

/// The hash a link's code is kept as.
fn code_hash(code: &str) -> String {
    use sha2::{Digest, Sha256};
    xiangzhi_storage::crypto::hex(&Sha256::digest(code.trim().as_bytes()))
}

/// A fresh code: the county, then 24 characters from a CSPRNG (about 140 bits).
fn fresh_code(county_id: i64) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let tail: String = (0..24)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{county_id}-{tail}")
}

/// A member's months away from the village.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Away {
    pub county_id: i64,
    pub id: i64,
    pub member_id: i64,
    pub from_month: String,
    /// Still away when empty.
    pub to_month: Option<String>,
    /// Where they are (a city, an employer).
    pub place: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct AwayInput {
    pub member_id: i64,
    /// `2026-03`.
    pub from_month: String,
    /// Leave empty while still away.
    #[serde(default)]
    pub to_month: Option<String>,
    pub place: String,
}

/// What the member's own page shows.
#[derive(Debug, Clone, Serialize)]
pub struct MemberCard {
    pub county_id: i64,
    pub member_id: i64,
    pub name: String,
    pub branch: String,
    pub probationary: bool,
    pub balance: i64,
    /// The evaluated months, newest first: (month, points, stars, final).
    pub months: Vec<(String, i64, i64, bool)>,
    pub entries: Vec<crate::store::EntryView>,
    /// The member's own reports still waiting: (item, points, month).
    pub waiting: Vec<(String, i64, String)>,
    /// The rules a member may report: (id, dimension · item (points)).
    pub rules: Vec<(i64, String)>,
    pub away: Option<Away>,
}

const AWAY_COLS: &str = "t.county_id, t.id, t.member_id, t.from_month, t.to_month, t.place";

/// A member by a link's code: (county, member), or none.
async fn member_of(db: &Db, code: &str) -> Result<Option<(i64, i64)>> {
    let Some(county_id) = code
        .trim()
        .split_once('-')
        .and_then(|(c, _)| c.parse::<i64>().ok())
    else {
        return Ok(None);
    };
    db.optional(&Q::with(
        "SELECT t.county_id, t.member_id FROM member_links t WHERE t.county_id = ? AND t.code_hash = ?",
        vec![county_id.into(), code_hash(code).into()],
    ))
    .await
}

#[easy_ext::ext(MemberLinks)]
pub impl Db {
    /// Gives a member of the caller's reach a new personal link (the old one stops working);
    /// answers the code, shown once.
    async fn issue_member_link(
        &self,
        scope: &Scope,
        county_id: i64,
        member_id: i64,
    ) -> Result<String> {
        let by = acting_user(scope)?;
        let mut q = Q::with(
            "SELECT t.division_code FROM party_members t WHERE t.county_id = ? AND t.id = ?",
            vec![county_id.into(), member_id.into()],
        );
        scope.filter(
            &mut q,
            &xiangzhi_party::tables::PARTY_MEMBERS,
            "t",
            "division_code",
        );
        let (division,): (String,) = self.optional(&q).await?.ok_or(StoreError::NotFound)?;
        let code = fresh_code(county_id);
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "INSERT INTO member_links (county_id, member_id, division_code, code_hash, issued_by, issued_at) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (county_id, member_id) DO UPDATE SET \
             code_hash = excluded.code_hash, issued_by = excluded.issued_by, issued_at = excluded.issued_at",
            vec![
                county_id.into(),
                member_id.into(),
                division.into(),
                code_hash(&code).into(),
                by.into(),
                now_ms().into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "issue member link",
            format!("party member {county_id}:{member_id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(code)
    }

    /// The member's own page by their link's code (none for a code that is not theirs).
    async fn member_card(&self, code: &str, now: i64) -> Result<Option<MemberCard>> {
        let Some((county_id, member_id)) = member_of(self, code).await? else {
            return Ok(None);
        };
        let (name, branch, status): (String, String, String) = self
            .one(&Q::with(
                "SELECT r.name, COALESCE(o.name, ''), m.status FROM party_members m \
                 JOIN residents r ON r.county_id = m.county_id AND r.id = m.resident_id \
                 LEFT JOIN party_orgs o ON o.county_id = m.county_id AND o.id = m.org_id \
                 WHERE m.county_id = ? AND m.id = ?",
                vec![county_id.into(), member_id.into()],
            ))
            .await?;
        let everything = Scope::everything();
        let (balance, mut entries) = match self
            .statement_view(&everything, crate::rules::Holder::Member, member_id)
            .await
        {
            Ok((a, e)) => (a.balance, e),
            Err(StoreError::NotFound) => (0, Vec::new()),
            Err(e) => return Err(e),
        };
        entries.truncate(60);
        let months: Vec<(String, i64, i64, bool)> = self
            .all(&Q::with(
                "SELECT mm.month, t.points, t.stars, CAST(CASE WHEN mm.state = 'final' THEN 1 ELSE 0 END AS BIGINT) = 1 \
                 FROM member_month_results t JOIN member_months mm ON mm.county_id = t.county_id AND mm.id = t.month_id \
                 WHERE t.county_id = ? AND t.member_id = ? ORDER BY mm.month DESC LIMIT 12",
                vec![county_id.into(), member_id.into()],
            ))
            .await?;
        let waiting: Vec<(String, i64, String)> = self
            .all(&Q::with(
                "SELECT r.item, t.points, t.month FROM points_claims t \
                 JOIN points_accounts a ON a.county_id = t.county_id AND a.id = t.account_id \
                 JOIN points_rules r ON r.county_id = t.county_id AND r.id = t.rule_id \
                 WHERE t.county_id = ? AND a.holder = 'member' AND a.holder_id = ? AND t.state = 'pending' \
                 ORDER BY t.id",
                vec![county_id.into(), member_id.into()],
            ))
            .await?;
        let rules = self
            .points_rules(&Scope::everything())
            .await?
            .into_iter()
            .filter(|r| {
                r.county_id == county_id
                    && r.active
                    && r.points > 0
                    && r.holder == crate::rules::Holder::Member
            })
            .map(|r| {
                (
                    r.id,
                    format!("{} · {}（{:+}分）", r.dimension, r.item, r.points),
                )
            })
            .collect();
        let month = xiangzhi_domain::china_month(now);
        let away = self.away_in(county_id, member_id, &month).await?;
        Ok(Some(MemberCard {
            county_id,
            member_id,
            name,
            branch,
            probationary: status == "probationary",
            balance,
            months,
            entries,
            waiting,
            rules,
            away,
        }))
    }

    /// What a member reports themselves by their link: this month's or last month's points by a
    /// member's rule, with what they did; it waits for the branch's review. `actor` is the
    /// request's (the public, from an address).
    async fn self_report(
        &self,
        code: &str,
        rule_id: i64,
        month: &str,
        evidence: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<Claim> {
        let Some((county_id, member_id)) = member_of(self, code).await? else {
            return Err(StoreError::NotFound);
        };
        let month = parse_month(month).map_err(|e| {
            StoreError::Invalid(vec![xiangzhi_storage::FieldError::new("month", e)])
        })?;
        let this = xiangzhi_domain::china_month(now);
        let last = xiangzhi_domain::china_month(now - 28 * 86_400_000);
        let last = if last == this {
            xiangzhi_domain::china_month(now - 32 * 86_400_000)
        } else {
            last
        };
        if month != this && month != last {
            return Err(StoreError::invalid(
                "month",
                "只能自报本月或上月的积分",
                "only this month's or last month's points can be reported",
            ));
        }
        if evidence.trim().is_empty() {
            return Err(StoreError::invalid(
                "evidence",
                "请写明做了什么（时间、地点、事情）",
                "say what you did (when, where, what)",
            ));
        }
        let rule = self
            .points_rule(&Scope::everything(), county_id, rule_id)
            .await?;
        if rule.points <= 0 {
            return Err(StoreError::invalid(
                "rule_id",
                "扣分项目不能自报",
                "a deduction cannot be self-reported",
            ));
        }
        let input = ClaimInput {
            holder: "member".into(),
            holder_id: member_id,
            rule_id,
            month,
            evidence: evidence.to_string(),
            case_id: None,
        };
        let scope = Scope::everything().by(actor.clone());
        self.record_claim(&scope, &input, 0, true).await
    }

    /// Records a member's months away (流动党员).
    async fn record_away(&self, scope: &Scope, county_id: i64, input: &AwayInput) -> Result<Away> {
        let by = acting_user(scope)?;
        let from = parse_month(&input.from_month).map_err(|e| {
            StoreError::Invalid(vec![xiangzhi_storage::FieldError::new("from_month", e)])
        })?;
        let to = match input
            .to_month
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(t) => Some(parse_month(t).map_err(|e| {
                StoreError::Invalid(vec![xiangzhi_storage::FieldError::new("to_month", e)])
            })?),
            None => None,
        };
        if to.as_ref().is_some_and(|t| *t < from) {
            return Err(StoreError::invalid(
                "to_month",
                "返回月份不能早于外出月份",
                "the month back cannot come before the month away",
            ));
        }
        let place = input.place.trim();
        if place.is_empty() || place.chars().count() > 100 || place.contains('\0') {
            return Err(StoreError::invalid(
                "place",
                "请写明外出去向（不超过100个字）",
                "say where the member is (at most 100 characters)",
            ));
        }
        let mut q = Q::with(
            "SELECT t.division_code FROM party_members t WHERE t.county_id = ? AND t.id = ?",
            vec![county_id.into(), input.member_id.into()],
        );
        scope.filter(
            &mut q,
            &xiangzhi_party::tables::PARTY_MEMBERS,
            "t",
            "division_code",
        );
        let (division,): (String,) = self.optional(&q).await?.ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "member_away", 1).await?;
        let away: Away = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO member_away (county_id, id, member_id, division_code, from_month, to_month, place, \
                     recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
                    AWAY_COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    input.member_id.into(),
                    division.into(),
                    from.into(),
                    to.into(),
                    place.into(),
                    by.into(),
                    now_ms().into(),
                ],
            ))
            .await?;
        tx.audit(
            scope.actor(),
            "record member away",
            format!("party member {county_id}:{}", input.member_id),
        )
        .await?;
        tx.commit().await?;
        Ok(away)
    }

    /// The member's time away that covers `month`, if any.
    async fn away_in(&self, county_id: i64, member_id: i64, month: &str) -> Result<Option<Away>> {
        let mut q = Q::with(
            &format!(
                "SELECT {AWAY_COLS} FROM member_away t WHERE t.county_id = ? AND t.member_id = ? \
                 AND t.from_month <= ? AND (t.to_month IS NULL OR t.to_month >= ?)"
            ),
            vec![
                county_id.into(),
                member_id.into(),
                month.into(),
                month.into(),
            ],
        );
        q.push(" ORDER BY t.id DESC LIMIT 1");
        let _ = &MEMBER_AWAY;
        self.optional(&q).await
    }
}
