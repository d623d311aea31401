//! The collective economy's rules: pure, no I/O, every amount in fen.

pub mod challenge;
pub mod depreciation;
pub mod distribution;
pub mod rent;
pub mod strong;

/// Why a rule refuses its input, in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub field: &'static str,
    pub zh: String,
    pub en: String,
}

pub(crate) fn fault(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Fault {
    Fault {
        field,
        zh: zh.into(),
        en: en.into(),
    }
}

/// Splits `total` fen into parts in proportion to `weights`, exactly: each part first gets the
/// whole fen of its exact share (rounded down), then the fen left over go one each to the
/// parts with the largest remainders, a tie going to the part `before` orders first (the
/// largest remainder method). The parts always add up to `total`, and no part is negative or
/// more than one fen from its exact share.
pub fn apportion_by(
    total: i64,
    weights: &[u64],
    before: impl Fn(usize, usize) -> std::cmp::Ordering,
) -> Result<Vec<i64>, Fault> {
    if total < 0 {
        return Err(fault(
            "total",
            "金额不能为负数",
            "the amount cannot be negative",
        ));
    }
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    if sum == 0 {
        return if total == 0 {
            Ok(vec![0; weights.len()])
        } else {
            Err(fault(
                "weights",
                "份额合计为零，无法分配",
                "the shares add up to nothing; there is nothing to split by",
            ))
        };
    }
    let t = total as u128;
    let mut parts: Vec<i64> = Vec::with_capacity(weights.len());
    let mut rems: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    let mut given: u128 = 0;
    for (i, w) in weights.iter().enumerate() {
        let exact = t * u128::from(*w);
        let whole = exact / sum;
        given += whole;
        parts.push(whole as i64);
        rems.push((exact % sum, i));
    }
    let left = (t - given) as usize;
    rems.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| before(a.1, b.1)));
    for (_, i) in rems.into_iter().take(left) {
        parts[i] += 1;
    }
    Ok(parts)
}

/// [`apportion_by`] with ties to the earlier part.
pub fn apportion(total: i64, weights: &[u64]) -> Result<Vec<i64>, Fault> {
    apportion_by(total, weights, |a, b| a.cmp(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        // 100 fen in thirds: 33.33 each, the one fen left to the first.
        assert_eq!(apportion(100, &[1, 1, 1]).unwrap(), vec![34, 33, 33]);
        // 10 fen by 5:3:2 is exact.
        assert_eq!(apportion(10, &[5, 3, 2]).unwrap(), vec![5, 3, 2]);
        // 7 fen by 1:1:1:1: 1.75 each, three fen left to the first three.
        assert_eq!(apportion(7, &[1, 1, 1, 1]).unwrap(), vec![2, 2, 2, 1]);
        // 1 fen by 1:2: remainders 1/3 and 2/3, the larger wins.
        assert_eq!(apportion(1, &[1, 2]).unwrap(), vec![0, 1]);
        assert_eq!(apportion(0, &[0, 0]).unwrap(), vec![0, 0]);
        assert!(apportion(5, &[0, 0]).is_err());
        assert!(apportion(-1, &[1]).is_err());
        // No overflow at a province's scale: 10^15 fen by shares near 2^63.
        let big = apportion(1_000_000_000_000_000, &[u64::MAX / 2, u64::MAX / 2, 1]).unwrap();
        assert_eq!(big.iter().sum::<i64>(), 1_000_000_000_000_000);
    }
}
