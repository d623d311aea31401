//! 红黑榜: a village's monthly red and black lists of households. A list is drafted from the
//! ledger and stays open to objections for the county's number of days; an upheld objection
//! takes its household off the list; publication recomputes the lists from the ledger (a reversal
//! made meanwhile counts), names each household as the county's privacy rules allow, and puts
//! them on the village's public board, each list for its own number of days.

use crate::rules::{black_list, black_name, parse_month, red_list, Placed, Tally};
use crate::settings::{BoardRules, SettingsStore};
use crate::store::acting_user;
use crate::tables::{POINTS_BOARDS, POINTS_BOARD_ENTRIES, POINTS_OBJECTIONS};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use xiangzhi_domain::{age_on, china_date};
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{Db, Result, Scope, StoreError, Tx};

const DAY_MS: i64 = 86_400_000;

/// A village's month of lists.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Board {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    pub month: String,
    /// `objection` (drafted, open to objections) or `published`.
    pub state: String,
    pub drafted_at: i64,
    pub objection_until: i64,
    pub published_at: Option<i64>,
    pub red_until: Option<i64>,
    pub black_until: Option<i64>,
}

/// A household on a list.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct BoardEntry {
    pub id: i64,
    /// `red` or `black`.
    pub list: String,
    pub place: i64,
    pub household_id: i64,
    pub household_number: String,
    /// The head of the household as the register has them (for the village's staff).
    pub head_name: String,
    /// The month's points (the deduction, negative, on the black list).
    pub points: i64,
    /// The rules' items the points came from.
    pub items: String,
    /// What the public board shows.
    pub shown_name: String,
    /// Taken off the list by an upheld objection.
    pub withdrawn: bool,
}

/// An objection to a household's place on a list.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Objection {
    pub county_id: i64,
    pub id: i64,
    pub board_id: i64,
    /// The place objected to, as it was drafted.
    pub entry_id: i64,
    /// Its list (`red` or `black`) and household, which publication keeps.
    pub list: String,
    pub household_id: i64,
    /// Who objected, as they gave their name.
    pub objector: String,
    pub reason: String,
    pub lodged_by: i64,
    pub lodged_at: i64,
    /// `pending`, `upheld` or `dismissed`.
    pub state: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
    pub note: String,
}

/// A village's month with its lists and the objections to them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardView {
    pub board: Board,
    pub village_name: String,
    pub entries: Vec<BoardEntry>,
    pub objections: Vec<Objection>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DraftInput {
    /// The village (a 12-digit division code).
    pub division_code: String,
    /// `2026-11`.
    pub month: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ObjectionInput {
    /// The place on the list objected to.
    pub entry_id: i64,
    /// Who objects (a name as they give it).
    pub objector: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ObjectionDecision {
    /// True takes the household off the list.
    pub uphold: bool,
    #[serde(default)]
    pub note: String,
}

pub(crate) const BOARD_COLS: &str =
    "t.county_id, t.id, t.division_code, t.month, t.state, t.drafted_at, \
    t.objection_until, t.published_at, t.red_until, t.black_until";
const OBJECTION_COLS: &str =
    "t.county_id, t.id, t.board_id, t.entry_id, t.list, t.household_id, t.objector, t.reason, \
    t.lodged_by, t.lodged_at, t.state, t.decided_by, t.decided_at, t.note";

fn bad(field: &str, zh: impl Into<String>, en: impl Into<String>) -> StoreError {
    StoreError::invalid(field, zh, en)
}

/// A village's month of household points from the ledger: each household's net points and
/// deductions, and the items they came from (positive rules, deducting rules).
async fn tally_village(
    tx: &mut Tx,
    county_id: i64,
    village: &str,
    month: &str,
) -> Result<(Vec<Tally>, HashMap<i64, (Vec<String>, Vec<String>)>)> {
    let rows: Vec<(i64, String, i64, i64)> = tx
        .all(&Q::with(
            "SELECT a.holder_id, r.item, r.points, CAST(SUM(e.points) AS BIGINT) FROM points_entries e \
             JOIN points_accounts a ON a.county_id = e.county_id AND a.id = e.account_id \
             JOIN points_rules r ON r.county_id = e.county_id AND r.id = e.rule_id \
             WHERE a.county_id = ? AND a.holder = 'household' AND a.division_code LIKE ? \
             AND e.month = ? AND e.kind IN ('award', 'reversal') \
             GROUP BY a.holder_id, r.id, r.item, r.points",
            vec![county_id.into(), format!("{village}%").into(), month.into()],
        ))
        .await?;
    let mut sums: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut items: HashMap<i64, (Vec<String>, Vec<String>)> = HashMap::new();
    for (household_id, item, rule_points, sum) in rows {
        let t = sums.entry(household_id).or_insert(Tally {
            household_id,
            net: 0,
            deducted: 0,
        });
        t.net += sum;
        if rule_points < 0 {
            t.deducted += sum;
        }
        if sum != 0 {
            let (plus, minus) = items.entry(household_id).or_default();
            if rule_points < 0 {
                minus.push(item);
            } else {
                plus.push(item);
            }
        }
    }
    Ok((sums.into_values().collect(), items))
}

/// The heads of the named households: (number, head's name and birth date if one is present).
async fn heads(
    tx: &mut Tx,
    county_id: i64,
    ids: &[i64],
) -> Result<HashMap<i64, (String, Option<(String, NaiveDate)>)>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut q = Q::with(
            "SELECT h.id, h.number, r.name, r.birth_date FROM households h \
             LEFT JOIN residents r ON r.county_id = h.county_id AND r.household_id = h.id \
             AND r.relation = 'head' AND r.standing = 'present' WHERE h.county_id = ? AND h.id IN (",
            vec![county_id.into()],
        );
        for (k, id) in chunk.iter().enumerate() {
            let p = q.arg(*id);
            q.push(&format!("{}{p}", if k > 0 { ", " } else { "" }));
        }
        q.push(")");
        let rows: Vec<(i64, String, Option<String>, Option<NaiveDate>)> = tx.all(&q).await?;
        for (id, number, name, birth) in rows {
            out.insert(id, (number, name.zip(birth)));
        }
    }
    Ok(out)
}

/// Writes a board's places (skipping households already withdrawn from a list).
async fn write_lists(
    tx: &mut Tx,
    county_id: i64,
    board_id: i64,
    village: &str,
    month: &str,
    rules: &BoardRules,
    on: NaiveDate,
) -> Result<()> {
    let withdrawn: Vec<(String, i64)> = tx
        .all(&Q::with(
            "SELECT t.list, t.household_id FROM points_board_entries t \
             WHERE t.county_id = ? AND t.board_id = ? AND t.withdrawn = ?",
            vec![county_id.into(), board_id.into(), Arg::Bool(true)],
        ))
        .await?;
    tx.exec(&Q::with(
        "DELETE FROM points_board_entries WHERE county_id = ? AND board_id = ? AND withdrawn = ?",
        vec![county_id.into(), board_id.into(), Arg::Bool(false)],
    ))
    .await?;
    let (tallies, items) = tally_village(tx, county_id, village, month).await?;
    let red = red_list(&tallies, rules.red_size.max(0) as usize);
    let black = black_list(&tallies);
    let ids: Vec<i64> = red
        .iter()
        .chain(black.iter())
        .map(|p| p.household_id)
        .collect();
    let heads = heads(tx, county_id, &ids).await?;
    let lists: [(&str, &[Placed]); 2] = [("red", &red), ("black", &black)];
    for (list, placed) in lists {
        for p in placed {
            if withdrawn
                .iter()
                .any(|(l, h)| l == list && *h == p.household_id)
            {
                continue;
            }
            let head = heads.get(&p.household_id).and_then(|h| h.1.as_ref());
            let shown = if list == "red" {
                head.map(|(n, _)| n.clone())
                    .unwrap_or_else(|| "某户".into())
            } else {
                black_name(
                    head.map(|(n, b)| (n.as_str(), age_on(*b, on))),
                    rules.black_min_age,
                    rules.black_names,
                )
            };
            let (plus, minus) = items.get(&p.household_id).cloned().unwrap_or_default();
            let what = if list == "red" { plus } else { minus };
            let id = next_ids(tx, county_id, "points_board_entry", 1).await?;
            tx.exec(&Q::with(
                "INSERT INTO points_board_entries (county_id, id, board_id, division_code, list, place, household_id, \
                 points, items, shown_name, withdrawn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                vec![
                    county_id.into(),
                    id.into(),
                    board_id.into(),
                    village.into(),
                    list.into(),
                    p.place.into(),
                    p.household_id.into(),
                    p.points.into(),
                    what.join("、").into(),
                    shown.into(),
                    Arg::Bool(false),
                ],
            ))
            .await?;
        }
    }
    Ok(())
}

async fn board_in_scope(tx: &mut Tx, scope: &Scope, county_id: i64, id: i64) -> Result<Board> {
    let mut q = Q::with(
        &format!("SELECT {BOARD_COLS} FROM points_boards t WHERE t.county_id = ? AND t.id = ?"),
        vec![county_id.into(), id.into()],
    );
    scope.filter(&mut q, &POINTS_BOARDS, "t", "division_code");
    tx.optional(&q).await?.ok_or(StoreError::NotFound)
}

fn still_open(board: &Board, now: i64) -> Result<()> {
    if board.state != "objection" || now >= board.objection_until {
        return Err(StoreError::conflict(
            "board",
            "异议期已过，不能再提出或处理异议",
            "the list is no longer open to objections",
        ));
    }
    Ok(())
}

#[easy_ext::ext(BoardStore)]
pub impl Db {
    /// Drafts a village's lists of a month from the ledger, open to objections for the county's
    /// days; refused while recordings of the village's households for the month wait.
    async fn draft_board(&self, scope: &Scope, input: &DraftInput, now: i64) -> Result<BoardView> {
        let by = acting_user(scope)?;
        let month = parse_month(&input.month).map_err(|e| {
            StoreError::Invalid(vec![xiangzhi_storage::FieldError::new("month", e)])
        })?;
        let village = scope.village(&input.division_code)?;
        let county_id = village.county_id().unwrap_or_default();
        let known: Option<(String,)> = self
            .optional(&Q::with(
                "SELECT t.name FROM divisions t WHERE t.county_id = ? AND t.code = ?",
                vec![county_id.into(), village.as_str().into()],
            ))
            .await?;
        if known.is_none() {
            return Err(bad("division_code", "没有这个村", "no such village"));
        }
        let rules = self.board_rules(county_id).await?;
        let mut tx = self.begin().await?;
        let (waiting,): (i64,) = tx
            .one(&Q::with(
                "SELECT COUNT(*) FROM points_claims c JOIN points_accounts a ON a.county_id = c.county_id AND a.id = c.account_id \
                 WHERE c.county_id = ? AND c.state = 'pending' AND c.month = ? AND a.holder = 'household' \
                 AND a.division_code LIKE ?",
                vec![county_id.into(), month.clone().into(), format!("{}%", village.as_str()).into()],
            ))
            .await?;
        if waiting > 0 {
            return Err(bad(
                "month",
                format!("本村本月还有{waiting}条农户积分待审核，审核后再生成红黑榜"),
                format!("{waiting} household recordings of this month still wait for approval"),
            ));
        }
        let id = next_ids(&mut tx, county_id, "points_board", 1).await?;
        tx.exec(&Q::with(
            "INSERT INTO points_boards (county_id, id, division_code, month, state, drafted_at, drafted_by, objection_until) \
             VALUES (?, ?, ?, ?, 'objection', ?, ?, ?)",
            vec![
                county_id.into(),
                id.into(),
                village.as_str().into(),
                month.clone().into(),
                now.into(),
                by.into(),
                (now + rules.objection_days * DAY_MS).into(),
            ],
        ))
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => StoreError::conflict(
                "month",
                "本村这个月的红黑榜已经生成",
                "this village's lists of the month are already drafted",
            ),
            e => e,
        })?;
        write_lists(
            &mut tx,
            county_id,
            id,
            village.as_str(),
            &month,
            &rules,
            china_date(now),
        )
        .await?;
        tx.audit(
            scope.actor(),
            "draft points board",
            format!(
                "points board {county_id}:{id}: {} {month}",
                village.as_str()
            ),
        )
        .await?;
        tx.commit().await?;
        self.points_board(scope, county_id, id).await
    }

    /// Records an objection to a place on a drafted list (while it is open to objections).
    async fn lodge_objection(
        &self,
        scope: &Scope,
        county_id: i64,
        board_id: i64,
        input: &ObjectionInput,
        now: i64,
    ) -> Result<Objection> {
        let by = acting_user(scope)?;
        let objector = input.objector.trim();
        let reason = input.reason.trim();
        let mut wrong = Vec::new();
        if objector.is_empty() || objector.chars().count() > 50 || objector.contains('\0') {
            wrong.push(xiangzhi_storage::FieldError::new(
                "objector",
                xiangzhi_domain::Invalid::new(
                    "请写明提出异议的人（不超过50个字）",
                    "name who objects (at most 50 characters)",
                ),
            ));
        }
        if reason.is_empty() || reason.chars().count() > 2_000 || reason.contains('\0') {
            wrong.push(xiangzhi_storage::FieldError::new(
                "reason",
                xiangzhi_domain::Invalid::new(
                    "请写明异议理由（不超过2000个字）",
                    "give the reason (at most 2000 characters)",
                ),
            ));
        }
        if !wrong.is_empty() {
            return Err(StoreError::Invalid(wrong));
        }
        let mut tx = self.begin().await?;
        let board = board_in_scope(&mut tx, scope, county_id, board_id).await?;
        still_open(&board, now)?;
        let on_board: Option<(String, i64)> = tx
            .optional(&Q::with(
                "SELECT t.list, t.household_id FROM points_board_entries t WHERE t.county_id = ? AND t.board_id = ? AND t.id = ? AND t.withdrawn = ?",
                vec![county_id.into(), board_id.into(), input.entry_id.into(), Arg::Bool(false)],
            ))
            .await?;
        let Some((list, household_id)) = on_board else {
            return Err(bad(
                "entry_id",
                "榜上没有这一户",
                "no such place on this board",
            ));
        };
        let id = next_ids(&mut tx, county_id, "points_objection", 1).await?;
        let o: Objection = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO points_objections (county_id, id, board_id, entry_id, list, household_id, division_code, \
                     objector, reason, lodged_by, lodged_at, state, note) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', '') RETURNING {}",
                    OBJECTION_COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    board_id.into(),
                    input.entry_id.into(),
                    list.into(),
                    household_id.into(),
                    board.division_code.clone().into(),
                    objector.into(),
                    reason.into(),
                    by.into(),
                    now.into(),
                ],
            ))
            .await?;
        tx.audit(
            scope.actor(),
            "lodge objection",
            format!(
                "points objection {county_id}:{id} to entry {}",
                input.entry_id
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(o)
    }

    /// Decides an objection: upheld takes the household off that list (for good: publication
    /// does not put it back). Someone other than whoever recorded it decides.
    async fn decide_objection(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        d: &ObjectionDecision,
        now: i64,
    ) -> Result<Objection> {
        let by = acting_user(scope)?;
        let mut tx = self.begin().await?;
        let mut q = Q::with(
            &format!("SELECT {OBJECTION_COLS} FROM points_objections t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &POINTS_OBJECTIONS, "t", "division_code");
        let o: Objection = tx.optional(&q).await?.ok_or(StoreError::NotFound)?;
        let board = board_in_scope(&mut tx, scope, county_id, o.board_id).await?;
        still_open(&board, now)?;
        if o.lodged_by == by {
            return Err(StoreError::Forbidden(
                "记录异议的人不能自己处理 / whoever recorded an objection cannot decide it".into(),
            ));
        }
        let state = if d.uphold { "upheld" } else { "dismissed" };
        let n = tx
            .exec(&Q::with(
                "UPDATE points_objections SET state = ?, decided_by = ?, decided_at = ?, note = ? \
                 WHERE county_id = ? AND id = ? AND state = 'pending'",
                vec![
                    state.into(),
                    by.into(),
                    now.into(),
                    d.note.trim().chars().take(2_000).collect::<String>().into(),
                    county_id.into(),
                    id.into(),
                ],
            ))
            .await?;
        if n != 1 {
            return Err(StoreError::conflict(
                "state",
                "这条异议已经处理过",
                "this objection is already decided",
            ));
        }
        if d.uphold {
            tx.exec(&Q::with(
                "UPDATE points_board_entries SET withdrawn = ? WHERE county_id = ? AND board_id = ? AND list = ? \
                 AND household_id = ?",
                vec![
                    Arg::Bool(true),
                    county_id.into(),
                    o.board_id.into(),
                    o.list.clone().into(),
                    o.household_id.into(),
                ],
            ))
            .await?;
        }
        tx.audit(
            scope.actor(),
            "decide objection",
            format!("points objection {county_id}:{id}: {state}"),
        )
        .await?;
        tx.commit().await?;
        let mut q = Q::with(
            &format!("SELECT {OBJECTION_COLS} FROM points_objections t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &POINTS_OBJECTIONS, "t", "division_code");
        self.optional(&q).await?.ok_or(StoreError::NotFound)
    }

    /// Publishes a drafted board once its objection days have passed and no objection waits:
    /// the lists recomputed from the ledger, the names as the county's rules allow today.
    async fn publish_board(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        now: i64,
    ) -> Result<BoardView> {
        let by = acting_user(scope)?;
        let rules = self.board_rules(county_id).await?;
        let mut tx = self.begin().await?;
        let board = board_in_scope(&mut tx, scope, county_id, id).await?;
        if board.state != "objection" {
            return Err(StoreError::conflict(
                "state",
                "红黑榜已经发布",
                "the lists are already published",
            ));
        }
        if now < board.objection_until {
            return Err(bad(
                "state",
                "异议期未满，不能发布",
                "the lists are still open to objections",
            ));
        }
        let (waiting,): (i64,) = tx
            .one(&Q::with(
                "SELECT COUNT(*) FROM points_objections t WHERE t.county_id = ? AND t.board_id = ? AND t.state = 'pending'",
                vec![county_id.into(), id.into()],
            ))
            .await?;
        if waiting > 0 {
            return Err(bad(
                "state",
                format!("还有{waiting}条异议未处理"),
                format!("{waiting} objections still wait for a decision"),
            ));
        }
        write_lists(
            &mut tx,
            county_id,
            id,
            &board.division_code,
            &board.month,
            &rules,
            china_date(now),
        )
        .await?;
        let n = tx
            .exec(&Q::with(
                "UPDATE points_boards SET state = 'published', published_at = ?, published_by = ?, red_until = ?, black_until = ? \
                 WHERE county_id = ? AND id = ? AND state = 'objection'",
                vec![
                    now.into(),
                    by.into(),
                    (now + rules.red_days * DAY_MS).into(),
                    (now + rules.black_days * DAY_MS).into(),
                    county_id.into(),
                    id.into(),
                ],
            ))
            .await?;
        if n != 1 {
            return Err(StoreError::conflict(
                "state",
                "红黑榜已经发布",
                "the lists are already published",
            ));
        }
        tx.audit(
            scope.actor(),
            "publish points board",
            format!("points board {county_id}:{id}"),
        )
        .await?;
        tx.commit().await?;
        self.points_board(scope, county_id, id).await
    }

    /// A board with its places and objections.
    async fn points_board(&self, scope: &Scope, county_id: i64, id: i64) -> Result<BoardView> {
        let mut q = Q::with(
            &format!("SELECT {BOARD_COLS} FROM points_boards t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &POINTS_BOARDS, "t", "division_code");
        let board: Board = self.optional(&q).await?.ok_or(StoreError::NotFound)?;
        let (village_name,): (String,) = self
            .optional(&Q::with(
                "SELECT t.name FROM divisions t WHERE t.county_id = ? AND t.code = ?",
                vec![county_id.into(), board.division_code.clone().into()],
            ))
            .await?
            .unwrap_or_default();
        let mut q = Q::with(
            "SELECT t.id, t.list, t.place, t.household_id, h.number AS household_number, \
             COALESCE((SELECT r.name FROM residents r WHERE r.county_id = h.county_id AND r.household_id = h.id \
               AND r.relation = 'head' AND r.standing = 'present' ORDER BY r.id LIMIT 1), '') AS head_name, \
             t.points, t.items, t.shown_name, t.withdrawn FROM points_board_entries t \
             JOIN households h ON h.county_id = t.county_id AND h.id = t.household_id \
             WHERE t.county_id = ? AND t.board_id = ?",
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &POINTS_BOARD_ENTRIES, "t", "division_code");
        q.push(" ORDER BY t.list DESC, t.place, t.household_id");
        let entries = self.all(&q).await?;
        let mut q = Q::with(
            &format!("SELECT {OBJECTION_COLS} FROM points_objections t WHERE t.county_id = ? AND t.board_id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &POINTS_OBJECTIONS, "t", "division_code");
        q.push(" ORDER BY t.id");
        let objections = self.all(&q).await?;
        Ok(BoardView {
            board,
            village_name,
            entries,
            objections,
        })
    }

    /// The boards in the caller's reach (and `division`), newest month first (of one month if
    /// named).
    async fn points_boards(
        &self,
        scope: &Scope,
        month: Option<&str>,
        division: Option<&str>,
    ) -> Result<Vec<(Board, String)>> {
        let scope = xiangzhi_storage::list::within(scope, division)?;
        let mut q = Q::new(&format!(
            "SELECT {BOARD_COLS}, COALESCE(d.name, '') AS village_name FROM points_boards t \
             LEFT JOIN divisions d ON d.county_id = t.county_id AND d.code = t.division_code WHERE 1=1"
        ));
        if let Some(m) = month {
            let p = q.arg(m.to_string());
            q.push(&format!(" AND t.month = {p}"));
        }
        scope.filter(&mut q, &POINTS_BOARDS, "t", "division_code");
        q.push(" ORDER BY t.month DESC, t.division_code LIMIT 500");
        let rows: Vec<BoardRow> = self.all(&q).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    Board {
                        county_id: r.county_id,
                        id: r.id,
                        division_code: r.division_code,
                        month: r.month,
                        state: r.state,
                        drafted_at: r.drafted_at,
                        objection_until: r.objection_until,
                        published_at: r.published_at,
                        red_until: r.red_until,
                        black_until: r.black_until,
                    },
                    r.village_name,
                )
            })
            .collect())
    }
}

#[derive(sqlx::FromRow)]
struct BoardRow {
    county_id: i64,
    id: i64,
    division_code: String,
    month: String,
    state: String,
    drafted_at: i64,
    objection_until: i64,
    published_at: Option<i64>,
    red_until: Option<i64>,
    black_until: Option<i64>,
    village_name: String,
}
