//! The ledger's store. Every read takes the caller's scope; every write is one transaction with
//! its audit entry. A balance changes only with an entry, in the same transaction, by one atomic
//! statement on the account's row (which also orders racing writers of one account).

use crate::model::*;
use crate::rules::{within_caps, Caps, EntryKind, Holder};
use crate::tables::*;
use xiangzhi_storage::list::{county_for, next_ids};
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError, Tx};

const RULE_COLS: &str =
    "t.county_id, t.id, t.holder, t.code, t.dimension, t.item, t.points, t.month_cap, t.year_cap, \
     t.evidence_required, t.active, t.version";
const ACCOUNT_COLS: &str = "t.county_id, t.id, t.holder, t.holder_id, t.division_code, t.balance";
const CLAIM_COLS: &str = "t.county_id, t.id, t.account_id, t.rule_id, t.division_code, t.points, t.month, t.evidence, \
     t.case_id, t.recorded_by, t.recorded_at, t.state, t.decided_by, t.decided_at, t.note, t.entry_id, t.self_report";
const ENTRY_COLS: &str =
    "t.county_id, t.id, t.account_id, t.division_code, t.kind, t.rule_id, t.claim_id, t.points, \
     t.month, t.evidence, t.recorded_by, t.approved_by, t.reverses_id, t.created_at";

/// The table that holds a holder: party members or households.
pub(crate) fn holder_table(holder: Holder) -> &'static xiangzhi_storage::tables::Table {
    match holder {
        Holder::Member => &xiangzhi_party::tables::PARTY_MEMBERS,
        Holder::Household => &xiangzhi_registry::tables::HOUSEHOLDS,
    }
}

/// The account acting (points are recorded and decided by a person, never a system job).
pub(crate) fn acting_user(scope: &Scope) -> Result<i64> {
    scope.acting()
}

fn forbidden(zh: &str, en: &str) -> StoreError {
    StoreError::Forbidden(format!("{zh} / {en}"))
}

/// The county whose catalogue (rules, settings) the caller changes: their own, or the one
/// named within their reach.
pub(crate) fn county_of_catalogue(scope: &Scope, named: Option<i64>) -> Result<i64> {
    match (scope.county_id(), named) {
        (Some(own), None) => Ok(own),
        (Some(own), Some(c)) if own == c => Ok(own),
        (None, Some(c)) if scope.covers(&format!("{c:06}000000")) => Ok(c),
        _ => Err(StoreError::invalid(
            "county_id",
            "请指定您管辖范围内的县",
            "name a county within your jurisdiction",
        )),
    }
}

/// The holder's account, created with a zero balance on its first entry; the holder must lie in
/// the caller's scope.
pub(crate) async fn account_for(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    holder: Holder,
    holder_id: i64,
) -> Result<Account> {
    let table = holder_table(holder);
    let mut q = Q::with(
        &format!(
            "SELECT t.division_code FROM {} t WHERE t.county_id = ? AND t.id = ?",
            table.name
        ),
        vec![county_id.into(), holder_id.into()],
    );
    scope.filter(&mut q, table, "t", "division_code");
    let Some((division,)): Option<(String,)> = tx.optional(&q).await? else {
        return Err(StoreError::invalid(
            "holder_id",
            format!("{}不存在或不在管辖范围内", holder.zh()),
            format!("no such {} within your jurisdiction", holder.as_str()),
        ));
    };
    let found: Option<Account> = tx
        .optional(&Q::with(
            &format!("SELECT {ACCOUNT_COLS} FROM points_accounts t WHERE t.county_id = ? AND t.holder = ? AND t.holder_id = ?"),
            vec![county_id.into(), holder.as_str().into(), holder_id.into()],
        ))
        .await?;
    if let Some(a) = found {
        return Ok(a);
    }
    let id = next_ids(tx, county_id, "points_account", 1).await?;
    let now = now_ms();
    tx.one(&Q::with(
        &format!(
            "INSERT INTO points_accounts (county_id, id, holder, holder_id, division_code, balance, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, 0, ?, ?) RETURNING {}",
            ACCOUNT_COLS.replace("t.", "")
        ),
        vec![
            county_id.into(),
            id.into(),
            holder.as_str().into(),
            holder_id.into(),
            division.into(),
            now.into(),
            now.into(),
        ],
    ))
    .await
}

/// Adds `points` to an account's balance in one statement (taking the row: writers of one
/// account go one at a time); with `floor`, only while the balance stays at or above it.
pub(crate) async fn move_balance(
    tx: &mut Tx,
    county_id: i64,
    account_id: i64,
    points: i64,
    floor: Option<i64>,
) -> Result<bool> {
    let mut q = Q::with(
        "UPDATE points_accounts SET balance = balance + ?, updated_at = ? WHERE county_id = ? AND id = ?",
        vec![points.into(), now_ms().into(), county_id.into(), account_id.into()],
    );
    if let Some(f) = floor {
        let need = q.arg(f - points);
        q.push(&format!(" AND balance >= {need}"));
    }
    Ok(tx.exec(&q).await? == 1)
}

pub(crate) struct NewEntry<'a> {
    pub account: &'a Account,
    pub kind: EntryKind,
    pub rule_id: Option<i64>,
    pub claim_id: Option<i64>,
    pub points: i64,
    pub month: &'a str,
    pub evidence: &'a str,
    pub recorded_by: i64,
    pub approved_by: Option<i64>,
    pub reverses_id: Option<i64>,
}

pub(crate) async fn insert_entry(tx: &mut Tx, e: NewEntry<'_>) -> Result<Entry> {
    let a = e.account;
    let id = next_ids(tx, a.county_id, "points_entry", 1).await?;
    tx.one(&Q::with(
        &format!(
            "INSERT INTO points_entries (county_id, id, account_id, division_code, kind, rule_id, claim_id, points, month, \
             evidence, recorded_by, approved_by, reverses_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             RETURNING {}",
            ENTRY_COLS.replace("t.", "")
        ),
        vec![
            a.county_id.into(),
            id.into(),
            a.id.into(),
            a.division_code.clone().into(),
            e.kind.as_str().into(),
            e.rule_id.into(),
            e.claim_id.into(),
            e.points.into(),
            e.month.into(),
            e.evidence.into(),
            e.recorded_by.into(),
            e.approved_by.into(),
            e.reverses_id.into(),
            now_ms().into(),
        ],
    ))
    .await
    .map_err(|err| match err {
        StoreError::Conflict(_) => StoreError::conflict(
            "entry_id",
            "这笔积分已经冲正过",
            "this entry has already been reversed",
        ),
        err => err,
    })
}

/// The month a ledger entry of today belongs to.
pub(crate) fn this_month() -> String {
    xiangzhi_domain::china_month(now_ms())
}

#[easy_ext::ext(PointsStore)]
pub impl Db {
    /// The rule catalogues of the counties in the caller's reach.
    async fn points_rules(&self, scope: &Scope) -> Result<Vec<PointRule>> {
        let mut q = Q::new(&format!("SELECT {RULE_COLS} FROM points_rules t WHERE 1=1"));
        if let Some(c) = scope.county_id() {
            let p = q.arg(c);
            q.push(&format!(" AND t.county_id = {p}"));
        }
        q.push(" ORDER BY t.county_id, t.holder, t.dimension, t.code");
        let rules: Vec<PointRule> = self.all(&q).await?;
        // An account of one county (or below) reads its county's catalogue; one above, the
        // catalogues of the counties it holds.
        Ok(rules
            .into_iter()
            .filter(|r| {
                scope.county_id() == Some(r.county_id)
                    || scope.covers(&format!("{:06}000000", r.county_id))
            })
            .collect())
    }

    async fn points_rule(&self, scope: &Scope, county_id: i64, id: i64) -> Result<PointRule> {
        self.points_rules(scope)
            .await?
            .into_iter()
            .find(|r| r.county_id == county_id && r.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Adds a rule to a county's catalogue (a county's own administrators).
    async fn create_points_rule(&self, scope: &Scope, input: &RuleInput) -> Result<PointRule> {
        let v = input.validate()?;
        let county_id = county_of_catalogue(scope, input.county_id)?;
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "points_rule", 1).await?;
        let now = now_ms();
        let rule: PointRule = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO points_rules (county_id, id, holder, code, dimension, item, points, month_cap, year_cap, \
                     evidence_required, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
                    RULE_COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    v.holder.as_str().into(),
                    v.code.clone().into(),
                    v.dimension.into(),
                    v.item.into(),
                    v.points.into(),
                    v.month_cap.into(),
                    v.year_cap.into(),
                    xiangzhi_storage::sql::Arg::Bool(v.evidence_required),
                    xiangzhi_storage::sql::Arg::Bool(true),
                    now.into(),
                    now.into(),
                ],
            ))
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => StoreError::conflict("code", "该编码已有积分项目", "the code is taken"),
                e => e,
            })?;
        tx.audit(
            scope.actor(),
            "create points rule",
            format!("points rule {county_id}:{id} {}", v.code),
        )
        .await?;
        tx.commit().await?;
        Ok(rule)
    }

    /// Records points for a member or a household by a rule: a claim that waits for a second
    /// person's approval.
    async fn record_points(&self, scope: &Scope, input: &ClaimInput) -> Result<Claim> {
        let by = scope
            .actor()
            .user_id
            .ok_or_else(|| forbidden("须以账号登录", "an account is needed"))?;
        self.record_claim(scope, input, by, false).await
    }

    /// A claim recorded by the account `by`, or (`self_report`, `by` 0) by the member themself.
    async fn record_claim(
        &self,
        scope: &Scope,
        input: &ClaimInput,
        by: i64,
        self_report: bool,
    ) -> Result<Claim> {
        let v = input.validate()?;
        let table = holder_table(v.holder);
        let county_id = county_for(self, scope, table, input.holder_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => StoreError::invalid(
                    "holder_id",
                    format!("{}不存在或不在管辖范围内", v.holder.zh()),
                    format!("no such {} within your jurisdiction", v.holder.as_str()),
                ),
                e => e,
            })?;
        let rule = self
            .points_rule(scope, county_id, input.rule_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => {
                    StoreError::invalid("rule_id", "积分项目不存在", "no such points rule")
                }
                e => e,
            })?;
        if rule.holder != v.holder || !rule.active {
            return Err(StoreError::invalid(
                "rule_id",
                format!("该项目不适用于{}或已停用", v.holder.zh()),
                format!(
                    "the rule is not for a {} or is no longer in use",
                    v.holder.as_str()
                ),
            ));
        }
        if rule.evidence_required && v.evidence.is_empty() {
            return Err(StoreError::invalid(
                "evidence",
                "该项目须写明事实依据",
                "this item needs its evidence stated",
            ));
        }
        let mut tx = self.begin().await?;
        let account = account_for(&mut tx, scope, county_id, v.holder, input.holder_id).await?;
        let id = next_ids(&mut tx, county_id, "points_claim", 1).await?;
        let claim: Claim = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO points_claims (county_id, id, account_id, rule_id, division_code, points, month, evidence, \
                     case_id, recorded_by, recorded_at, state, note, self_report) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', '', ?) RETURNING {}",
                    CLAIM_COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    account.id.into(),
                    rule.id.into(),
                    account.division_code.clone().into(),
                    rule.points.into(),
                    v.month.into(),
                    v.evidence.into(),
                    input.case_id.into(),
                    by.into(),
                    now_ms().into(),
                    xiangzhi_storage::sql::Arg::Bool(self_report),
                ],
            ))
            .await?;
        tx.audit(
            scope.actor(),
            if self_report {
                "self-report points"
            } else {
                "record points"
            },
            format!(
                "points claim {county_id}:{id}: {} {} × rule {}",
                v.holder.as_str(),
                input.holder_id,
                rule.code
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(claim)
    }

    /// Claims in the caller's reach (and `division`), pending first, newest first.
    async fn points_claims(
        &self,
        scope: &Scope,
        state: Option<&str>,
        division: Option<&str>,
    ) -> Result<Vec<Claim>> {
        let scope = xiangzhi_storage::list::within(scope, division)?;
        let mut q = Q::new(&format!(
            "SELECT {CLAIM_COLS} FROM points_claims t WHERE 1=1"
        ));
        if let Some(s) = state {
            let p = q.arg(s.to_string());
            q.push(&format!(" AND t.state = {p}"));
        }
        scope.filter(&mut q, &POINTS_CLAIMS, "t", "division_code");
        q.push(" ORDER BY CASE WHEN t.state = 'pending' THEN 0 ELSE 1 END, t.id DESC LIMIT 500");
        self.all(&q).await
    }

    /// Approves a claim (writing its entry, within the rule's caps) or rejects it; never by the
    /// person who recorded it.
    async fn decide_points(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        d: &Decision,
    ) -> Result<Claim> {
        let by = scope
            .actor()
            .user_id
            .ok_or_else(|| forbidden("须以账号登录", "an account is needed"))?;
        let mut tx = self.begin().await?;
        let mut q = Q::with(
            &format!("SELECT {CLAIM_COLS} FROM points_claims t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &POINTS_CLAIMS, "t", "division_code");
        let claim: Claim = tx.optional(&q).await?.ok_or(StoreError::NotFound)?;
        if claim.recorded_by == by {
            return Err(forbidden(
                "不能审核自己录入的积分，须由另一人审核",
                "you cannot decide points you recorded; another person must",
            ));
        }
        let note: String = d.note.trim().chars().take(500).collect();
        let mut entry_id = None;
        if d.approve {
            let account: Account = tx
                .one(&Q::with(
                    &format!("SELECT {ACCOUNT_COLS} FROM points_accounts t WHERE t.county_id = ? AND t.id = ?"),
                    vec![county_id.into(), claim.account_id.into()],
                ))
                .await?;
            // The account's row first: approvals for one holder go one at a time, so the caps
            // below see every entry before them.
            move_balance(&mut tx, county_id, account.id, claim.points, None).await?;
            let rule: PointRule = tx
                .one(&Q::with(
                    &format!(
                        "SELECT {RULE_COLS} FROM points_rules t WHERE t.county_id = ? AND t.id = ?"
                    ),
                    vec![county_id.into(), claim.rule_id.into()],
                ))
                .await?;
            let sum = |from: String| {
                Q::with(
                    "SELECT CAST(COALESCE(SUM(t.points), 0) AS BIGINT) FROM points_entries t WHERE t.county_id = ? AND t.account_id = ? \
                     AND t.rule_id = ? AND t.month >= ? AND t.month <= ?",
                    vec![county_id.into(), account.id.into(), rule.id.into(), from.into(), claim.month.clone().into()],
                )
            };
            let year = &claim.month[..4];
            let (month_sum,): (i64,) = tx.one(&sum(claim.month.clone())).await?;
            let (year_sum,): (i64,) = tx.one(&sum(format!("{year}-01"))).await?;
            within_caps(
                Caps {
                    month: rule.month_cap,
                    year: rule.year_cap,
                },
                claim.points,
                month_sum,
                year_sum,
            )
            .map_err(|e| {
                StoreError::Invalid(vec![xiangzhi_storage::FieldError::new("points", e)])
            })?;
            let e = insert_entry(
                &mut tx,
                NewEntry {
                    account: &account,
                    kind: EntryKind::Award,
                    rule_id: Some(rule.id),
                    claim_id: Some(claim.id),
                    points: claim.points,
                    month: &claim.month,
                    evidence: &claim.evidence,
                    recorded_by: claim.recorded_by,
                    approved_by: Some(by),
                    reverses_id: None,
                },
            )
            .await?;
            entry_id = Some(e.id);
        }
        let n = tx
            .exec(&Q::with(
                "UPDATE points_claims SET state = ?, decided_by = ?, decided_at = ?, note = ?, entry_id = ? \
                 WHERE county_id = ? AND id = ? AND state = 'pending'",
                vec![
                    if d.approve { "approved" } else { "rejected" }.into(),
                    by.into(),
                    now_ms().into(),
                    note.into(),
                    entry_id.into(),
                    county_id.into(),
                    id.into(),
                ],
            ))
            .await?;
        if n != 1 {
            return Err(StoreError::conflict(
                "state",
                "该积分已审核",
                "the claim has already been decided",
            ));
        }
        let action = if d.approve {
            "approve points"
        } else {
            "reject points"
        };
        tx.audit(
            scope.actor(),
            action,
            format!("points claim {county_id}:{id}"),
        )
        .await?;
        tx.commit().await?;
        let mut q = Q::with(
            &format!("SELECT {CLAIM_COLS} FROM points_claims t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &POINTS_CLAIMS, "t", "division_code");
        self.one(&q).await
    }

    /// Takes an entry back in full with a reversing entry (once); the entry stays.
    async fn reverse_points(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        r: &Reversal,
    ) -> Result<Entry> {
        let by = scope
            .actor()
            .user_id
            .ok_or_else(|| forbidden("须以账号登录", "an account is needed"))?;
        let reason: String = r.reason.trim().chars().take(500).collect();
        if reason.chars().count() < 2 {
            return Err(StoreError::invalid(
                "reason",
                "请写明冲正的原因",
                "give the reason for the reversal",
            ));
        }
        let mut tx = self.begin().await?;
        let mut q = Q::with(
            &format!(
                "SELECT {ENTRY_COLS} FROM points_entries t WHERE t.county_id = ? AND t.id = ?"
            ),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &POINTS_ENTRIES, "t", "division_code");
        let original: Entry = tx.optional(&q).await?.ok_or(StoreError::NotFound)?;
        if original.kind != EntryKind::Award.as_str() {
            return Err(StoreError::invalid(
                "entry_id",
                "只能冲正积分记录（兑换请退货，冲正不能再冲正）",
                "only awards are reversed (a redemption is returned; a reversal is not reversed)",
            ));
        }
        let account: Account = tx
            .one(&Q::with(
                &format!("SELECT {ACCOUNT_COLS} FROM points_accounts t WHERE t.county_id = ? AND t.id = ?"),
                vec![county_id.into(), original.account_id.into()],
            ))
            .await?;
        move_balance(&mut tx, county_id, account.id, -original.points, None).await?;
        let e = insert_entry(
            &mut tx,
            NewEntry {
                account: &account,
                kind: EntryKind::Reversal,
                rule_id: original.rule_id,
                claim_id: original.claim_id,
                points: -original.points,
                month: &original.month,
                evidence: &reason,
                recorded_by: by,
                approved_by: None,
                reverses_id: Some(original.id),
            },
        )
        .await?;
        tx.audit(
            scope.actor(),
            "reverse points",
            format!("points entry {county_id}:{id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(e)
    }

    /// Spends points at the points store: never more than the balance, however many try at once.
    async fn redeem_points(&self, scope: &Scope, input: &RedeemInput) -> Result<Entry> {
        let by = scope
            .actor()
            .user_id
            .ok_or_else(|| forbidden("须以账号登录", "an account is needed"))?;
        let holder: Holder = input.holder.parse().map_err(|e| {
            StoreError::Invalid(vec![xiangzhi_storage::FieldError::new("holder", e)])
        })?;
        if input.points <= 0 || input.points > 1_000_000 {
            return Err(StoreError::invalid(
                "points",
                "兑换分值应为正整数",
                "points must be a positive whole number",
            ));
        }
        let goods: String = input.goods.trim().chars().take(200).collect();
        if goods.is_empty() {
            return Err(StoreError::invalid(
                "goods",
                "请写明兑换的物品",
                "say what was taken home",
            ));
        }
        let table = holder_table(holder);
        let county_id = county_for(self, scope, table, input.holder_id).await?;
        let mut tx = self.begin().await?;
        let account = account_for(&mut tx, scope, county_id, holder, input.holder_id).await?;
        if !move_balance(&mut tx, county_id, account.id, -input.points, Some(0)).await? {
            return Err(StoreError::conflict(
                "points",
                "积分不足，不能兑换",
                "not enough points for this",
            ));
        }
        let e = insert_entry(
            &mut tx,
            NewEntry {
                account: &account,
                kind: EntryKind::Redemption,
                rule_id: None,
                claim_id: None,
                points: -input.points,
                month: &this_month(),
                evidence: &goods,
                recorded_by: by,
                approved_by: None,
                reverses_id: None,
            },
        )
        .await?;
        tx.audit(
            scope.actor(),
            "redeem points",
            format!("points entry {county_id}:{}: {} points", e.id, input.points),
        )
        .await?;
        tx.commit().await?;
        Ok(e)
    }

    /// A holder's account and every entry, newest first.
    async fn points_statement(
        &self,
        scope: &Scope,
        holder: Holder,
        holder_id: i64,
    ) -> Result<Statement> {
        let table = holder_table(holder);
        let county_id = county_for(self, scope, table, holder_id).await?;
        let mut q = Q::with(
            &format!("SELECT {ACCOUNT_COLS} FROM points_accounts t WHERE t.county_id = ? AND t.holder = ? AND t.holder_id = ?"),
            vec![county_id.into(), holder.as_str().into(), holder_id.into()],
        );
        scope.filter(&mut q, &POINTS_ACCOUNTS, "t", "division_code");
        let account: Account = self.optional(&q).await?.ok_or(StoreError::NotFound)?;
        let entries = self
            .all(&Q::with(
                &format!("SELECT {ENTRY_COLS} FROM points_entries t WHERE t.county_id = ? AND t.account_id = ? ORDER BY t.id DESC"),
                vec![county_id.into(), account.id.into()],
            ))
            .await?;
        Ok(Statement { account, entries })
    }
}

/// A claim as the approval list shows it: whose points (names, not ids) and for what.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ClaimView {
    pub county_id: i64,
    pub id: i64,
    pub points: i64,
    pub month: String,
    pub evidence: String,
    pub recorded_by: i64,
    pub recorder: String,
    pub item: String,
    pub dimension: String,
    /// The household's number and address, or the member's name.
    pub holder: String,
}

#[easy_ext::ext(PointsViews)]
pub impl Db {
    /// The claims waiting in the caller's reach, oldest first, with names.
    async fn waiting_claims(&self, scope: &Scope) -> Result<Vec<ClaimView>> {
        let mut q = Q::with(
            "SELECT t.county_id, t.id, t.points, t.month, t.evidence, t.recorded_by, CASE WHEN t.self_report = ? THEN '党员本人自报' ELSE COALESCE(u.display_name, '') END AS recorder, \
             r.item, r.dimension, COALESCE(h.number || ' ' || h.address, res.name, '') AS holder \
             FROM points_claims t \
             JOIN points_accounts a ON a.county_id = t.county_id AND a.id = t.account_id \
             JOIN points_rules r ON r.county_id = t.county_id AND r.id = t.rule_id \
             LEFT JOIN users u ON u.id = t.recorded_by \
             LEFT JOIN households h ON a.holder = 'household' AND h.county_id = a.county_id AND h.id = a.holder_id \
             LEFT JOIN party_members m ON a.holder = 'member' AND m.county_id = a.county_id AND m.id = a.holder_id \
             LEFT JOIN residents res ON res.county_id = m.county_id AND res.id = m.resident_id \
             WHERE t.state = 'pending'",
            vec![xiangzhi_storage::sql::Arg::Bool(true)],
        );
        scope.filter(&mut q, &POINTS_CLAIMS, "t", "division_code");
        q.push(" ORDER BY t.id LIMIT 200");
        self.all(&q).await
    }

    /// Balances of households (by id) in the caller's reach; a household without points has none.
    async fn household_balances(
        &self,
        scope: &Scope,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, i64>> {
        let mut out = std::collections::HashMap::new();
        for id in ids {
            let mut q = Q::with(
                &format!("SELECT {ACCOUNT_COLS} FROM points_accounts t WHERE t.holder = 'household' AND t.holder_id = ?"),
                vec![(*id).into()],
            );
            scope.filter(&mut q, &POINTS_ACCOUNTS, "t", "division_code");
            if let Some(a) = self.optional::<Account>(&q).await? {
                out.insert(*id, a.balance);
            }
        }
        Ok(out)
    }
}

/// An entry as a statement shows it: the rule's item and the names of who recorded and approved.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct EntryView {
    pub id: i64,
    pub kind: String,
    pub points: i64,
    pub month: String,
    pub evidence: String,
    pub item: String,
    pub recorder: String,
    pub approver: String,
    pub created_at: i64,
}

#[easy_ext::ext(StatementViews)]
pub impl Db {
    /// A holder's balance and every entry with names, newest first.
    async fn statement_view(
        &self,
        scope: &Scope,
        holder: Holder,
        holder_id: i64,
    ) -> Result<(Account, Vec<EntryView>)> {
        let st = self.points_statement(scope, holder, holder_id).await?;
        let rows = self
            .all(&Q::with(
                "SELECT t.id, t.kind, t.points, t.month, t.evidence, COALESCE(r.item, '') AS item, \
                 COALESCE(u.display_name, '') AS recorder, COALESCE(a.display_name, '') AS approver, t.created_at \
                 FROM points_entries t LEFT JOIN points_rules r ON r.county_id = t.county_id AND r.id = t.rule_id \
                 LEFT JOIN users u ON u.id = t.recorded_by LEFT JOIN users a ON a.id = t.approved_by \
                 WHERE t.county_id = ? AND t.account_id = ? ORDER BY t.id DESC",
                vec![st.account.county_id.into(), st.account.id.into()],
            ))
            .await?;
        Ok((st.account, rows))
    }
}
