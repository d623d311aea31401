//! Validation of inputs: every bad field is named and explained in Chinese and English, and all
//! of an input's bad fields are reported at once.

use crate::{Invalid, Phone};
use chrono::NaiveDate;

/// One rejected field of an input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The input field (API) or column (import) that was rejected.
    pub field: String,
    /// 原因
    pub zh: String,
    /// Reason
    pub en: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, why: Invalid) -> Self {
        Self {
            field: field.into(),
            zh: why.zh,
            en: why.en,
        }
    }
}

/// Collects field errors while parsing an input.
#[derive(Default)]
pub struct Checker(pub Vec<FieldError>);

impl Checker {
    pub fn parse<T>(&mut self, field: &str, r: Result<T, Invalid>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(FieldError::new(field, e));
                None
            }
        }
    }
    pub fn text(&mut self, field: &str, v: &str, max_chars: usize) -> Option<String> {
        let t = v.trim();
        let n = t.chars().count();
        if n == 0 {
            self.0.push(FieldError::new(
                field,
                Invalid::new("不能为空", "must not be empty"),
            ));
            None
        } else if n > max_chars {
            self.0.push(FieldError::new(
                field,
                Invalid::new(
                    format!("不能超过{max_chars}个字符"),
                    format!("must be at most {max_chars} characters"),
                ),
            ));
            None
        } else {
            Some(t.to_string())
        }
    }
    pub fn opt_text(
        &mut self,
        field: &str,
        v: &Option<String>,
        max: usize,
    ) -> Option<Option<String>> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(t) => self.text(field, t, max).map(Some),
        }
    }
    pub fn opt_phone(&mut self, field: &str, v: &Option<String>) -> Option<Option<Phone>> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(t) => self.parse(field, Phone::parse(t)).map(Some),
        }
    }
    pub fn date(&mut self, field: &str, v: &str) -> Option<NaiveDate> {
        self.parse(
            field,
            parse_date(v).ok_or_else(|| {
                Invalid::new(
                    format!("日期“{}”无效，应为 年-月-日（如 2024-09-25）", v.trim()),
                    format!(
                        "date '{}' is not valid; expected year-month-day (2024-09-25)",
                        v.trim()
                    ),
                )
            }),
        )
    }
    /// The parsed value if every field was good, else every field's error.
    pub fn finish<T>(self, v: Option<T>) -> Result<T, Vec<FieldError>> {
        match v {
            Some(v) if self.0.is_empty() => Ok(v),
            _ => Err(self.0),
        }
    }
}

/// A date as offices write it: 2024-09-25, 2024/9/25, 2024.09.25, 2024年9月25日 or 20240925.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        let n = |r: std::ops::Range<usize>| t[r].parse::<u32>().ok();
        return NaiveDate::from_ymd_opt(n(0..4)? as i32, n(4..6)?, n(6..8)?);
    }
    let unified: String = t
        .replace(['年', '月'], "-")
        .replace('日', "")
        .chars()
        .map(|c| if matches!(c, '/' | '.') { '-' } else { c })
        .collect();
    let parts: Vec<&str> = unified.split('-').map(str::trim).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod date_tests {
    #[test]
    fn dates_as_offices_write_them() {
        let want = chrono::NaiveDate::from_ymd_opt(2024, 9, 25);
        for t in [
            "2024-09-25",
            "2024/9/25",
            "2024.09.25",
            "2024年9月25日",
            " 2024-9-25 ",
            "20240925",
        ] {
            assert_eq!(super::parse_date(t), want, "{t}");
        }
        for t in ["2024-13-01", "2024-02-30", "24/9/25", "2024-09", "昨天", ""] {
            assert_eq!(super::parse_date(t), None, "{t}");
        }
    }
}
