//! A county's settings of points: the stars of the monthly evaluation and its days on the
//! board, and the rules of the red and black lists (their size, the objection window, each
//! list's days on the board, and whom the black list may name and how). Each county keeps its
//! own; until it sets them, the defaults below hold.

use crate::rules::BlackNames;
use crate::store::county_of_catalogue;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::Invalid;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{now_ms, Db, FieldError, Result, Scope, StoreError};

fn bad(field: &str, zh: impl Into<String>, en: impl Into<String>) -> StoreError {
    StoreError::Invalid(vec![FieldError::new(field, Invalid::new(zh, en))])
}

/// A county's settings of the monthly evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Settings {
    pub county_id: Option<i64>,
    /// Points for one star, two, … (ascending): `[60, 70, 80, 90, 95]`.
    pub star_thresholds: Vec<i64>,
    /// Days a month stays on the village board before it is final.
    pub publish_days: i64,
}

/// The settings a county has not changed.
pub const DEFAULT_THRESHOLDS: [i64; 5] = [60, 70, 80, 90, 95];
pub const DEFAULT_PUBLISH_DAYS: i64 = 5;

/// A county's rules for the red and black lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BoardRules {
    pub county_id: Option<i64>,
    /// Places on the red list (ties at the last place all stay).
    pub red_size: i64,
    /// Days a drafted list is open to objections before it may be published.
    pub objection_days: i64,
    /// Days the red list stays on the board.
    pub red_days: i64,
    /// Days the black list stays on the board; then each of its households leaves it.
    pub black_days: i64,
    /// The black list names no household whose head is younger.
    pub black_min_age: i64,
    /// How the black list names the rest.
    pub black_names: BlackNames,
}

impl BoardRules {
    fn defaults(county_id: i64) -> Self {
        BoardRules {
            county_id: Some(county_id),
            red_size: 10,
            objection_days: 3,
            red_days: 30,
            black_days: 15,
            black_min_age: 18,
            black_names: BlackNames::Surname,
        }
    }
}

#[easy_ext::ext(SettingsStore)]
pub impl Db {
    /// A county's settings (the defaults until it sets its own).
    async fn points_settings(&self, county_id: i64) -> Result<Settings> {
        let row: Option<(String, i64)> = self
            .optional(&Q::with(
                "SELECT t.star_thresholds, t.publish_days FROM points_settings t WHERE t.county_id = ?",
                vec![county_id.into()],
            ))
            .await?;
        Ok(match row {
            Some((t, d)) => Settings {
                county_id: Some(county_id),
                star_thresholds: t.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
                publish_days: d,
            },
            None => Settings {
                county_id: Some(county_id),
                star_thresholds: DEFAULT_THRESHOLDS.to_vec(),
                publish_days: DEFAULT_PUBLISH_DAYS,
            },
        })
    }

    /// Sets a county's thresholds (ascending, 1 to 10 of them) and publication days (1 to 30).
    async fn set_points_settings(&self, scope: &Scope, s: &Settings) -> Result<Settings> {
        let county_id = crate::store::county_of_catalogue(scope, s.county_id)?;
        let t = &s.star_thresholds;
        if t.is_empty()
            || t.len() > 10
            || t.windows(2).any(|w| w[0] >= w[1])
            || t.iter().any(|x| !(-10_000..=100_000).contains(x))
        {
            return Err(bad(
                "star_thresholds",
                "星级分数线应为1到10个递增的分数",
                "thresholds are 1 to 10 rising scores",
            ));
        }
        if !(1..=30).contains(&s.publish_days) {
            return Err(bad(
                "publish_days",
                "公示天数应为1到30天",
                "publication lasts 1 to 30 days",
            ));
        }
        let text: Vec<String> = t.iter().map(|x| x.to_string()).collect();
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "INSERT INTO points_settings (county_id, star_thresholds, publish_days, updated_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (county_id) DO UPDATE SET star_thresholds = excluded.star_thresholds, \
             publish_days = excluded.publish_days, updated_at = excluded.updated_at",
            vec![county_id.into(), text.join(",").into(), s.publish_days.into(), now_ms().into()],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "set points settings",
            format!("county {county_id}: stars {}", text.join(",")),
        )
        .await?;
        tx.commit().await?;
        self.points_settings(county_id).await
    }

    /// A county's rules for the lists (the defaults until it sets its own).
    async fn board_rules(&self, county_id: i64) -> Result<BoardRules> {
        let row: Option<(i64, i64, i64, i64, i64, String)> = self
            .optional(&Q::with(
                "SELECT t.red_size, t.objection_days, t.red_days, t.black_days, t.black_min_age, t.black_names \
                 FROM points_board_rules t WHERE t.county_id = ?",
                vec![county_id.into()],
            ))
            .await?;
        Ok(match row {
            Some((red_size, objection_days, red_days, black_days, black_min_age, names)) => {
                BoardRules {
                    county_id: Some(county_id),
                    red_size,
                    objection_days,
                    red_days,
                    black_days,
                    black_min_age,
                    black_names: BlackNames::try_from(names).unwrap_or(BlackNames::None),
                }
            }
            None => BoardRules::defaults(county_id),
        })
    }

    /// Sets a county's rules for the lists.
    async fn set_board_rules(&self, scope: &Scope, r: &BoardRules) -> Result<BoardRules> {
        let county_id = county_of_catalogue(scope, r.county_id)?;
        let mut wrong = Vec::new();
        let checks = [
            (
                "red_size",
                r.red_size,
                1,
                200,
                "红榜名额应为1到200户",
                "the red list holds 1 to 200 households",
            ),
            (
                "objection_days",
                r.objection_days,
                1,
                30,
                "异议期应为1到30天",
                "objections are open 1 to 30 days",
            ),
            (
                "red_days",
                r.red_days,
                1,
                366,
                "红榜公示应为1到366天",
                "the red list stays 1 to 366 days",
            ),
            (
                "black_days",
                r.black_days,
                1,
                366,
                "黑榜公示应为1到366天",
                "the black list stays 1 to 366 days",
            ),
            (
                "black_min_age",
                r.black_min_age,
                18,
                120,
                "黑榜不公开姓名的年龄线不得低于18岁",
                "the black list names no one under 18 at least",
            ),
        ];
        for (field, v, lo, hi, zh, en) in checks {
            if !(lo..=hi).contains(&v) {
                wrong.push(xiangzhi_storage::FieldError::new(
                    field,
                    xiangzhi_domain::Invalid::new(zh, en),
                ));
            }
        }
        if !wrong.is_empty() {
            return Err(StoreError::Invalid(wrong));
        }
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "INSERT INTO points_board_rules (county_id, red_size, objection_days, red_days, black_days, black_min_age, \
             black_names, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (county_id) DO UPDATE SET \
             red_size = excluded.red_size, objection_days = excluded.objection_days, red_days = excluded.red_days, \
             black_days = excluded.black_days, black_min_age = excluded.black_min_age, \
             black_names = excluded.black_names, updated_at = excluded.updated_at",
            vec![
                county_id.into(),
                r.red_size.into(),
                r.objection_days.into(),
                r.red_days.into(),
                r.black_days.into(),
                r.black_min_age.into(),
                r.black_names.as_str().into(),
                now_ms().into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "set board rules",
            format!(
                "county {county_id}: red {} objection {}d red {}d black {}d min age {} names {}",
                r.red_size,
                r.objection_days,
                r.red_days,
                r.black_days,
                r.black_min_age,
                r.black_names.as_str()
            ),
        )
        .await?;
        tx.commit().await?;
        self.board_rules(county_id).await
    }
}
