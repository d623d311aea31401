//! A village's public board (村务公示栏), for anyone, without an account: the red and black
//! lists within their days (a place withdrawn by an objection never), the lists still open to
//! objection, and the party branches' months on the board. It reads only the names the lists
//! were published with, and the members' names and stars.

use crate::boards::{Board, BOARD_COLS};
use serde::Serialize;
use xiangzhi_domain::{DivisionCode, DivisionLevel};
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{Db, Result};

/// What the public board shows of one list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicList {
    pub month: String,
    pub until: i64,
    pub rows: Vec<PublicRow>,
}

/// One household on the public board: the name the county's rules allow and nothing else.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct PublicRow {
    pub place: i64,
    pub shown_name: String,
    pub points: i64,
    pub items: String,
}

/// What a village's public board shows now.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct PublicBoard {
    pub village_name: String,
    pub red: Vec<PublicList>,
    pub black: Vec<PublicList>,
    /// Lists drafted and open to objections: (month, until).
    pub open_for_objection: Vec<(String, i64)>,
    /// The party branches' months on the board: (branch, month, state, members).
    pub member_months: Vec<PublicMonth>,
}

/// A branch's month on the board: each member's points and stars.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicMonth {
    pub branch: String,
    pub month: String,
    pub state: String,
    pub until: i64,
    /// (name, points, stars, probationary)
    pub members: Vec<(String, i64, i64, bool)>,
}

#[easy_ext::ext(PublicBoards)]
pub impl Db {
    /// What a village's public board shows at `now`: the lists within their days (withdrawn
    /// places never), the drafts open to objection, and the party branches' months on the board.
    /// Reads nothing but the names the lists were published with.
    async fn public_board(&self, village: &DivisionCode, now: i64) -> Result<Option<PublicBoard>> {
        if village.level() != DivisionLevel::Village {
            return Ok(None);
        }
        let Some(county_id) = village.county_id() else {
            return Ok(None);
        };
        let name: Option<(String,)> = self
            .optional(&Q::with(
                "SELECT t.name FROM divisions t WHERE t.county_id = ? AND t.code = ?",
                vec![county_id.into(), village.as_str().into()],
            ))
            .await?;
        let Some((village_name,)) = name else {
            return Ok(None);
        };
        let boards: Vec<Board> = self
            .all(&Q::with(
                &format!(
                    "SELECT {BOARD_COLS} FROM points_boards t WHERE t.county_id = ? AND t.division_code = ? \
                     AND ((t.state = 'published' AND (t.red_until > ? OR t.black_until > ?)) \
                       OR (t.state = 'objection' AND t.objection_until > ?)) ORDER BY t.month DESC"
                ),
                vec![
                    county_id.into(),
                    village.as_str().into(),
                    now.into(),
                    now.into(),
                    now.into(),
                ],
            ))
            .await?;
        let mut out = PublicBoard {
            village_name,
            ..Default::default()
        };
        for b in boards {
            if b.state == "objection" {
                out.open_for_objection.push((b.month, b.objection_until));
                continue;
            }
            for (list, until) in [("red", b.red_until), ("black", b.black_until)] {
                let Some(until) = until.filter(|u| *u > now) else {
                    continue;
                };
                let rows: Vec<PublicRow> = self
                    .all(&Q::with(
                        "SELECT t.place, t.shown_name, t.points, t.items FROM points_board_entries t \
                         WHERE t.county_id = ? AND t.board_id = ? AND t.list = ? AND t.withdrawn = ? \
                         ORDER BY t.place, t.id",
                        vec![county_id.into(), b.id.into(), list.into(), Arg::Bool(false)],
                    ))
                    .await?;
                let l = PublicList {
                    month: b.month.clone(),
                    until,
                    rows,
                };
                if list == "red" {
                    out.red.push(l);
                } else {
                    out.black.push(l);
                }
            }
        }
        let months: Vec<(i64, String, String, String, i64, Option<i64>)> = self
            .all(&Q::with(
                "SELECT t.id, o.name, t.month, t.state, t.publish_until, t.finalized_at FROM member_months t \
                 JOIN party_orgs o ON o.county_id = t.county_id AND o.id = t.org_id \
                 WHERE t.county_id = ? AND t.division_code = ? AND t.publish_until > ? ORDER BY t.month DESC, o.name",
                vec![county_id.into(), village.as_str().into(), now.into()],
            ))
            .await?;
        for (id, branch, month, state, until, _) in months {
            let members: Vec<(String, i64, i64, bool)> = self
                .all(&Q::with(
                    "SELECT r.name, t.points, t.stars, t.probationary FROM member_month_results t \
                     JOIN party_members m ON m.county_id = t.county_id AND m.id = t.member_id \
                     JOIN residents r ON r.county_id = m.county_id AND r.id = m.resident_id \
                     WHERE t.county_id = ? AND t.month_id = ? ORDER BY t.points DESC, t.member_id",
                    vec![county_id.into(), id.into()],
                ))
                .await?;
            out.member_months.push(PublicMonth {
                branch,
                month,
                state,
                until,
                members,
            });
        }
        Ok(Some(out))
    }
}
