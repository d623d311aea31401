//! 收益分配 (农村集体经济组织法第四十二条): the year's distributable income less the provident and
//! welfare fund (公积公益金) the articles set is split among classes (the seed's village keeps
//! 20% for the collective, gives 10% to households lifted out of poverty and 70% to the other
//! households), and each class's amount among its households by their shares.
//!
//! The rounding rule, stated: at each of the three splits (fund and rest, rest among classes,
//! a class among its households) every part first gets the whole fen of its exact share, then
//! the fen left over go one each to the parts with the largest remainders; a tie goes to the
//! class whose name sorts first, or to the household with the smaller id. So the parts always
//! add up exactly, nobody gets a negative amount, nobody is more than a fen from their exact
//! share within their class, and the result does not depend on the order the input lists
//! things in.

use super::{apportion_by, fault, Fault};
use std::collections::BTreeMap;

/// Per ten thousand: 2000 is 20%.
pub const WHOLE: u32 = 10_000;

/// A distribution plan's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The year's distributable income in fen.
    pub distributable: i64,
    /// The provident and welfare fund taken first, per ten thousand (Art 42: as the articles
    /// say).
    pub reserve: u32,
    /// The classes the rest is split among; their weights add up to [`WHOLE`].
    pub classes: Vec<Class>,
}

/// One class of the split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    /// Unique within the plan (`集体`, `脱贫户`, `其他农户`).
    pub name: String,
    /// Its part of what is left after the fund, per ten thousand.
    pub weight: u32,
    /// Kept by the collective (no households): its amount is not paid out.
    pub kept: bool,
    pub holdings: Vec<Holding>,
}

/// A household's shares in a class (population, land in mu, capital), in hundredths of a
/// share so half-shares and land in 0.01 mu are whole numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holding {
    pub household_id: i64,
    pub shares: u64,
}

/// A household's line of a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub class: String,
    pub household_id: i64,
    pub shares: u64,
    pub amount: i64,
}

/// What a plan gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub reserve: i64,
    /// Each class's amount, by name.
    pub classes: BTreeMap<String, i64>,
    /// What the collective keeps: the fund and the kept classes.
    pub kept: i64,
    /// Each household's line in each class, by class name then household.
    pub lines: Vec<Line>,
    /// Each household's total.
    pub households: BTreeMap<i64, i64>,
}

impl Outcome {
    /// Everything paid out to households.
    pub fn paid_out(&self) -> i64 {
        self.households.values().sum()
    }
}

/// Splits a plan's income; see the module's rounding rule.
pub fn distribute(plan: &Plan) -> Result<Outcome, Fault> {
    if plan.distributable < 0 {
        return Err(fault(
            "distributable",
            "可分配收益不能为负数",
            "the distributable income cannot be negative",
        ));
    }
    if plan.reserve > WHOLE {
        return Err(fault(
            "reserve",
            "公积公益金提取比例不能超过100%",
            "the provident and welfare fund cannot be more than 100%",
        ));
    }
    if plan.classes.is_empty() {
        return Err(fault(
            "classes",
            "请至少设一个分配类别",
            "give at least one class to split among",
        ));
    }
    let mut classes: Vec<&Class> = plan.classes.iter().collect();
    classes.sort_by(|a, b| a.name.cmp(&b.name));
    for w in classes.windows(2) {
        if w[0].name == w[1].name {
            return Err(fault(
                "classes",
                format!("分配类别“{}”重复", w[0].name),
                format!("the class {} is given twice", w[0].name),
            ));
        }
    }
    let weights: u64 = classes.iter().map(|c| u64::from(c.weight)).sum();
    if weights != u64::from(WHOLE) {
        return Err(fault(
            "classes",
            format!(
                "各类别比例合计应为100%，现为{}.{:02}%",
                weights / 100,
                weights % 100
            ),
            format!(
                "the classes' parts should add up to 100%, not {}.{:02}%",
                weights / 100,
                weights % 100
            ),
        ));
    }
    for c in &classes {
        let name = c.name.trim();
        if name.is_empty() {
            return Err(fault(
                "classes",
                "分配类别须有名称",
                "every class needs a name",
            ));
        }
        if c.kept && !c.holdings.is_empty() {
            return Err(fault(
                "classes",
                format!("“{}”由集体留存，不应列出农户", c.name),
                format!(
                    "{} is kept by the collective and lists no households",
                    c.name
                ),
            ));
        }
        if !c.kept && c.weight > 0 && c.holdings.iter().all(|h| h.shares == 0) {
            return Err(fault(
                "classes",
                format!("“{}”没有持有份额的农户，无法分配", c.name),
                format!("no household holds shares in {}", c.name),
            ));
        }
    }
    let split = apportion_by(
        plan.distributable,
        &[u64::from(plan.reserve), u64::from(WHOLE - plan.reserve)],
        |a, b| a.cmp(&b),
    )?;
    let (reserve, rest) = (split[0], split[1]);
    let amounts = apportion_by(
        rest,
        &classes
            .iter()
            .map(|c| u64::from(c.weight))
            .collect::<Vec<_>>(),
        |a, b| a.cmp(&b),
    )?;
    let mut out = Outcome {
        reserve,
        classes: BTreeMap::new(),
        kept: reserve,
        lines: Vec::new(),
        households: BTreeMap::new(),
    };
    for (c, amount) in classes.iter().zip(amounts) {
        out.classes.insert(c.name.clone(), amount);
        if c.kept {
            out.kept += amount;
            continue;
        }
        // A household listed twice in a class holds the sum of its lines.
        let mut held: BTreeMap<i64, u64> = BTreeMap::new();
        for h in &c.holdings {
            let s = held.entry(h.household_id).or_default();
            *s = s
                .checked_add(h.shares)
                .ok_or_else(|| fault("shares", "份额过大", "the shares are too large"))?;
        }
        let held: Vec<(i64, u64)> = held.into_iter().collect();
        let parts = apportion_by(
            amount,
            &held.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
            |a, b| held[a].0.cmp(&held[b].0),
        )?;
        for ((household_id, shares), amount) in held.into_iter().zip(parts) {
            *out.households.entry(household_id).or_default() += amount;
            out.lines.push(Line {
                class: c.name.clone(),
                household_id,
                shares,
                amount,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn class(name: &str, weight: u32, kept: bool, holdings: &[(i64, u64)]) -> Class {
        Class {
            name: name.into(),
            weight,
            kept,
            holdings: holdings
                .iter()
                .map(|&(household_id, shares)| Holding {
                    household_id,
                    shares,
                })
                .collect(),
        }
    }

    /// The seed's village: 20% kept, 10% to households out of poverty, 70% to the others, after
    /// a 10% fund; worked by hand.
    #[test]
    fn longbi_by_hand() {
        let plan = Plan {
            distributable: 1_000_000, // 10,000 yuan
            reserve: 1_000,
            classes: vec![
                class("集体", 2_000, true, &[]),
                class("脱贫户", 1_000, false, &[(1, 300), (2, 300), (3, 300)]),
                class("其他农户", 7_000, false, &[(4, 100), (5, 200), (6, 400)]),
            ],
        };
        let o = distribute(&plan).unwrap();
        // Fund 100,000; rest 900,000: collective 180,000, poor 90,000, others 630,000.
        assert_eq!(o.reserve, 100_000);
        assert_eq!(o.classes["集体"], 180_000);
        assert_eq!(o.classes["脱贫户"], 90_000);
        assert_eq!(o.classes["其他农户"], 630_000);
        // 90,000 in thirds is exact; 630,000 by 1:2:4 is 90,000 / 180,000 / 360,000.
        assert_eq!(o.households[&1], 30_000);
        assert_eq!(o.households[&4], 90_000);
        assert_eq!(o.households[&6], 360_000);
        assert_eq!(o.kept, 280_000);
        assert_eq!(o.kept + o.paid_out(), 1_000_000);
    }

    /// 100 fen among three equal households: 34, 33, 33 — the fen to the smaller id.
    #[test]
    fn the_odd_fen_goes_by_remainder_then_id() {
        let plan = Plan {
            distributable: 100,
            reserve: 0,
            classes: vec![class("农户", WHOLE, false, &[(9, 1), (3, 1), (5, 1)])],
        };
        let o = distribute(&plan).unwrap();
        assert_eq!(
            (o.households[&3], o.households[&5], o.households[&9]),
            (34, 33, 33)
        );
    }

    #[test]
    fn refuses_what_cannot_be_split() {
        let ok = |classes| Plan {
            distributable: 100,
            reserve: 0,
            classes,
        };
        for (plan, field) in [
            (ok(vec![class("a", 9_000, false, &[(1, 1)])]), "classes"),
            (
                ok(vec![
                    class("a", 5_000, false, &[(1, 1)]),
                    class("a", 5_000, true, &[]),
                ]),
                "classes",
            ),
            (ok(vec![class("a", WHOLE, false, &[(1, 0)])]), "classes"),
            (ok(vec![class("a", WHOLE, true, &[(1, 1)])]), "classes"),
            (ok(vec![]), "classes"),
            (
                Plan {
                    distributable: -1,
                    ..ok(vec![class("a", WHOLE, false, &[(1, 1)])])
                },
                "distributable",
            ),
            (
                Plan {
                    reserve: WHOLE + 1,
                    ..ok(vec![class("a", WHOLE, false, &[(1, 1)])])
                },
                "reserve",
            ),
        ] {
            let e = distribute(&plan).unwrap_err();
            assert_eq!(e.field, field, "{e:?}");
            assert!(!e.zh.is_empty() && !e.en.is_empty());
        }
    }

    fn plans() -> impl Strategy<Value = Plan> {
        (
            0i64..2_000_000_000_000,
            0u32..=3_000,
            prop::collection::vec(
                (
                    1u32..100,
                    any::<bool>(),
                    prop::collection::vec((1i64..5_000, 0u64..1_000_000), 1..60),
                ),
                1..5,
            ),
        )
            .prop_map(|(distributable, reserve, raw)| {
                // Weights made to add up to the whole; the last class takes what is left.
                let total: u32 = raw.iter().map(|r| r.0).sum();
                let mut given = 0;
                let n = raw.len();
                let classes = raw
                    .into_iter()
                    .enumerate()
                    .map(|(i, (w, kept, mut holdings))| {
                        let weight = if i + 1 == n {
                            WHOLE - given
                        } else {
                            w * WHOLE / total
                        };
                        given += weight;
                        if !kept && holdings.iter().all(|h| h.1 == 0) {
                            holdings[0].1 = 1;
                        }
                        Class {
                            name: format!("类别{i}"),
                            weight,
                            kept,
                            holdings: if kept {
                                Vec::new()
                            } else {
                                holdings
                                    .into_iter()
                                    .map(|(household_id, shares)| Holding {
                                        household_id,
                                        shares,
                                    })
                                    .collect()
                            },
                        }
                    })
                    .collect();
                Plan {
                    distributable,
                    reserve,
                    classes,
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Every fen is accounted for, nobody is negative, nobody is more than a fen from their
        /// exact share of their class, and the order of the input changes nothing.
        #[test]
        fn exact_fair_and_order_free(plan in plans(), seed in any::<u64>()) {
            let o = distribute(&plan).unwrap();
            prop_assert_eq!(o.kept + o.paid_out(), plan.distributable);
            prop_assert_eq!(o.classes.values().sum::<i64>() + o.reserve, plan.distributable);
            prop_assert!(o.households.values().all(|a| *a >= 0));
            for c in &plan.classes {
                let amount = o.classes[&c.name];
                let mut held: BTreeMap<i64, u64> = BTreeMap::new();
                for h in &c.holdings {
                    *held.entry(h.household_id).or_default() += h.shares;
                }
                let total: u128 = held.values().map(|s| u128::from(*s)).sum();
                for l in o.lines.iter().filter(|l| l.class == c.name) {
                    let exact = amount as u128 * u128::from(held[&l.household_id]);
                    let low = exact / total;
                    prop_assert!(l.amount as u128 == low || l.amount as u128 == low + 1);
                }
            }
            // The same plan in another order gives the same outcome.
            let mut shuffled = plan.clone();
            let mut s = seed;
            let mut next = move || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; s };
            shuffled.classes.reverse();
            for c in &mut shuffled.classes {
                for i in (1..c.holdings.len()).rev() {
                    let j = (next() % (i as u64 + 1)) as usize;
                    c.holdings.swap(i, j);
                }
            }
            prop_assert_eq!(distribute(&shuffled).unwrap(), o);
        }
    }
}
