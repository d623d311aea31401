//! The codes a village hands its households so that each can read its own shares, distribution
//! lines and payments on the public board (`/economy/household`), as a resident follows a report
//! with its tracking code. A code is twelve characters from an alphabet without look-alikes
//! (about 60 bits), printed on a slip for the household; only its SHA-256 is kept, so a lost
//! slip is replaced by issuing a new code, which ends the old one. Issuing is audited.

use chrono::NaiveDate;
use rand::Rng;
use serde::Serialize;
use std::collections::BTreeMap;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError, Value};

/// No 0/O, 1/I/L: a code read off paper and typed on a phone.
const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A fresh code: `ABCD-EFGH-JKMN`.
fn fresh() -> String {
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..12)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!(
        "{}-{}-{}",
        chars[..4].iter().collect::<String>(),
        chars[4..8].iter().collect::<String>(),
        chars[8..].iter().collect::<String>()
    )
}

/// The kept form of a code as typed: dashes, spaces and case do not matter.
pub fn code_hash(code: &str) -> String {
    use sha2::{Digest, Sha256};
    let norm: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    xiangzhi_storage::crypto::hex(&Sha256::digest(norm.as_bytes()))
}

/// A household's slip.
#[derive(Debug, Clone, Serialize)]
pub struct Slip {
    pub household_id: i64,
    pub number: String,
    pub head: String,
    pub code: String,
}

/// What a household sees with its code.
#[derive(Debug, Clone, Serialize)]
pub struct HouseholdStatement {
    pub county_id: i64,
    pub household_id: i64,
    pub village: String,
    pub number: String,
    /// The household's members of the collective.
    pub members: Vec<String>,
    /// (kind, shares in hundredths, certificate).
    pub holdings: Vec<(String, i64, String)>,
    pub distributions: Vec<HouseholdDistribution>,
}

/// One distribution as one household sees it.
#[derive(Debug, Clone, Serialize)]
pub struct HouseholdDistribution {
    pub year: i64,
    pub title: String,
    pub state: String,
    pub decided_on: Option<NaiveDate>,
    /// The last day a member who knew of the decision when it was made may ask a court to set
    /// it aside (Art 57).
    pub challenge_until: Option<NaiveDate>,
    /// (class, shares, amount in fen).
    pub lines: Vec<(String, i64, i64)>,
    pub due: i64,
    /// (paid on, amount, voucher).
    pub payments: Vec<(NaiveDate, i64, String)>,
    pub paid: i64,
}

/// A distribution's line as read for one household: (distribution, year, title, state, decided
/// on, class, shares, amount).
type LineRow = (
    i64,
    i64,
    String,
    String,
    Option<NaiveDate>,
    String,
    i64,
    i64,
);

#[easy_ext::ext(CodeStore)]
pub impl Db {
    /// New codes for every household of a village in reach (or only the household numbered
    /// `household`), replacing the old ones, for their slips.
    async fn issue_codes(
        &self,
        scope: &Scope,
        village: &str,
        household: Option<&str>,
    ) -> Result<Vec<Slip>> {
        let by = scope.acting()?;
        let code = crate::members::village(scope, village)?;
        let county_id = code.county_id().unwrap_or_default();
        let heads = crate::distributions::heads(self, county_id, code.as_str()).await?;
        let mut slips: Vec<Slip> = heads
            .into_iter()
            .filter(|(_, (number, _))| household.is_none_or(|h| h == number))
            .map(|(id, (number, head))| Slip {
                household_id: id,
                number,
                head,
                code: fresh(),
            })
            .collect();
        if slips.is_empty() {
            return Err(StoreError::invalid(
                "household",
                "这个村没有这个户号",
                "no household of that number in this village",
            ));
        }
        slips.sort_by(|a, b| a.number.cmp(&b.number));
        let now = now_ms();
        let mut tx = self.begin().await?;
        let mut q = Q::with(
            "DELETE FROM household_codes WHERE county_id = ? AND division_code = ?",
            vec![county_id.into(), code.as_str().into()],
        );
        if household.is_some() {
            q.push_args(" AND household_id = ?", vec![slips[0].household_id.into()]);
        }
        tx.exec(&q).await?;
        let rows = slips
            .iter()
            .map(|s| {
                vec![
                    county_id.into(),
                    s.household_id.into(),
                    code.as_str().into(),
                    code_hash(&s.code).into(),
                    by.into(),
                    now.into(),
                ]
            })
            .collect::<Vec<Vec<Value>>>();
        tx.bulk_insert(
            "household_codes",
            &[
                "county_id",
                "household_id",
                "division_code",
                "code_hash",
                "issued_by",
                "issued_at",
            ],
            rows,
        )
        .await?;
        tx.audit(
            scope.actor(),
            "issue household codes",
            format!(
                "village {}: {} households{}",
                code.as_str(),
                slips.len(),
                household
                    .map(|h| format!(" (household {h})"))
                    .unwrap_or_default()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(slips)
    }

    /// The household holding `code` in a county, with its shares and every distribution's
    /// lines and payments; `NotFound` for a wrong code.
    async fn household_statement(&self, county_id: i64, code: &str) -> Result<HouseholdStatement> {
        let (household_id, village): (i64, String) = self
            .optional(&Q::with(
                "SELECT household_id, division_code FROM household_codes WHERE county_id = ? AND code_hash = ?",
                vec![county_id.into(), code_hash(code).into()],
            ))
            .await?
            .ok_or(StoreError::NotFound)?;
        let (number, village_name): (String, String) = self
            .one(&Q::with(
                "SELECT h.number, COALESCE(t.name, '') || ' · ' || d.name FROM households h \
                 JOIN divisions d ON d.county_id = h.county_id AND d.code = ? \
                 LEFT JOIN divisions t ON t.county_id = d.county_id AND t.code = d.parent_code \
                 WHERE h.county_id = ? AND h.id = ?",
                vec![
                    village.clone().into(),
                    county_id.into(),
                    household_id.into(),
                ],
            ))
            .await?;
        let members: Vec<(String,)> = self
            .all(&Q::with(
                "SELECT name FROM collective_members WHERE county_id = ? AND household_id = ? \
                 AND left_on IS NULL ORDER BY id",
                vec![county_id.into(), household_id.into()],
            ))
            .await?;
        let holdings: Vec<(String, i64, String)> = self
            .all(&Q::with(
                "SELECT kind, shares, certificate FROM share_holdings WHERE county_id = ? AND household_id = ? \
                 ORDER BY kind, id",
                vec![county_id.into(), household_id.into()],
            ))
            .await?;
        let lines: Vec<LineRow> = self
            .all(&Q::with(
                "SELECT d.id, d.year, d.title, d.state, d.decided_on, l.class, l.shares, l.amount \
                 FROM distribution_lines l JOIN distributions d ON d.county_id = l.county_id AND d.id = l.distribution_id \
                 WHERE l.county_id = ? AND l.household_id = ? ORDER BY d.year DESC, d.id DESC, l.class",
                vec![county_id.into(), household_id.into()],
            ))
            .await?;
        let payments: Vec<(i64, NaiveDate, i64, String)> = self
            .all(&Q::with(
                "SELECT distribution_id, paid_on, amount, voucher FROM distribution_payments \
                 WHERE county_id = ? AND household_id = ? ORDER BY paid_on, id",
                vec![county_id.into(), household_id.into()],
            ))
            .await?;
        let mut by: BTreeMap<i64, HouseholdDistribution> = BTreeMap::new();
        for (id, year, title, state, decided_on, class, shares, amount) in lines {
            let d = by.entry(id).or_insert_with(|| HouseholdDistribution {
                year,
                title,
                state,
                decided_on,
                challenge_until: decided_on.map(|d| crate::rules::challenge::last_day(d, d)),
                lines: Vec::new(),
                due: 0,
                payments: Vec::new(),
                paid: 0,
            });
            d.lines.push((class, shares, amount));
            d.due += amount;
        }
        for (id, on, amount, voucher) in payments {
            if let Some(d) = by.get_mut(&id) {
                d.payments.push((on, amount, voucher));
                d.paid += amount;
            }
        }
        Ok(HouseholdStatement {
            county_id,
            household_id,
            village: village_name,
            number,
            members: members.into_iter().map(|(n,)| n).collect(),
            holdings,
            distributions: by.into_values().rev().collect(),
        })
    }
}
