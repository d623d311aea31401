//! Columns found by header, and the row errors of one file.

use crate::table::Table;
use crate::{ExchangeError, RowError};
use xiangzhi_domain::Invalid;
use xiangzhi_storage::StoreError;

/// One column of a layout: its English key, its Chinese header, and whether a file must have it.
/// A header cell matches as `户号`, `household_number` or `户号(household_number)`.
pub struct Col {
    pub key: &'static str,
    pub zh: &'static str,
    pub required: bool,
    /// Other headers the same column goes by in offices' files (公民身份号码 for 身份证号码).
    pub aka: &'static [&'static str],
}

pub const fn col(key: &'static str, zh: &'static str, required: bool) -> Col {
    Col {
        key,
        zh,
        required,
        aka: &[],
    }
}

/// A column that also answers to other headers.
pub const fn col_aka(
    key: &'static str,
    zh: &'static str,
    required: bool,
    aka: &'static [&'static str],
) -> Col {
    Col {
        key,
        zh,
        required,
        aka,
    }
}

/// Header text written on export: `户号(household_number)`, or the bare keys where a layout
/// follows an official plain format (`plain`).
pub fn header(cols: &[Col], plain: bool) -> Vec<String> {
    cols.iter()
        .map(|c| {
            if plain {
                c.key.to_string()
            } else {
                format!("{}({})", c.zh, c.key)
            }
        })
        .collect()
}

/// A header without its spaces (ASCII or full-width): 姓　名 and 姓 名 are 姓名.
pub fn squeeze(header: &str) -> String {
    header
        .chars()
        .filter(|ch| !ch.is_whitespace() && *ch != '\u{3000}')
        .collect()
}

fn matches(cell: &str, c: &Col) -> bool {
    let cell = squeeze(cell);
    let cell = cell.as_str();
    let (zh, en) = match cell.find(['(', '（']) {
        Some(i) => {
            let inner = cell[i..]
                .trim_start_matches(['(', '（'])
                .trim_end_matches([')', '）']);
            (cell[..i].trim(), inner.trim())
        }
        None => (cell, cell),
    };
    zh == c.zh
        || en.eq_ignore_ascii_case(c.key)
        || cell.eq_ignore_ascii_case(c.key)
        || cell == c.zh
        || c.aka.contains(&zh)
        || c.aka.contains(&cell)
}

/// Finds the header where the table does not start at its first row: a title row above it (often
/// merged across the sheet), blank rows, a note. The header is the first of the top 20 rows that
/// holds every required column of the layout; a table whose first row already does is left as it
/// is.
pub fn find_header(t: &mut Table, cols: &[Col]) {
    let fits = |row: &[String]| {
        cols.iter()
            .filter(|c| c.required)
            .all(|c| row.iter().any(|h| matches(h, c)))
    };
    if fits(&t.headers) {
        return;
    }
    if let Some(i) = t.rows.iter().take(20).position(|r| fits(r)) {
        t.header_at(i);
    }
}

/// Columns rosters carry beside the data (序号, 备注): passed over, never refused.
fn is_aside(header: &str) -> bool {
    let h = squeeze(header);
    matches!(
        h.to_lowercase().as_str(),
        "序号" | "编号" | "备注" | "说明" | "no" | "no." | "#" | "remarks" | "notes"
    )
}

/// A table with its columns found by header.
pub struct Mapped<'t> {
    pub t: &'t Table,
    idx: Vec<Option<usize>>,
    cols: &'static [Col],
}

impl<'t> Mapped<'t> {
    pub fn new(t: &'t Table, cols: &'static [Col]) -> Result<Mapped<'t>, ExchangeError> {
        let mut idx = vec![None; cols.len()];
        for (hi, h) in t.headers.iter().enumerate() {
            if h.trim().is_empty() {
                continue;
            }
            match cols.iter().position(|c| matches(h, c)) {
                Some(ci) if idx[ci].is_none() => idx[ci] = Some(hi),
                Some(_) => {
                    return Err(ExchangeError::Format {
                        zh: format!("表头“{h}”重复"),
                        en: format!("header '{h}' appears twice"),
                    })
                }
                // A serial number or a remarks column, as rosters have: not data to import.
                None if is_aside(h) => continue,
                None => {
                    let expected: Vec<String> = cols
                        .iter()
                        .map(|c| format!("{}({})", c.zh, c.key))
                        .collect();
                    return Err(ExchangeError::Format {
                        zh: format!(
                            "第{}列表头“{h}”无法识别，应为：{}",
                            hi + 1,
                            expected.join("、")
                        ),
                        en: format!(
                            "column {} header '{h}' is not recognised; expected: {}",
                            hi + 1,
                            expected.join(", ")
                        ),
                    });
                }
            }
        }
        for (ci, c) in cols.iter().enumerate() {
            if c.required && idx[ci].is_none() {
                return Err(ExchangeError::Format {
                    zh: format!("缺少必需的列“{}({})”", c.zh, c.key),
                    en: format!("required column '{}' ({}) is missing", c.key, c.zh),
                });
            }
        }
        Ok(Mapped { t, idx, cols })
    }

    /// A table whose columns are known by position (`idx[i]` holds column `cols[i]`), for files
    /// without a header of this layout.
    pub fn positional(t: &'t Table, cols: &'static [Col], idx: Vec<Option<usize>>) -> Mapped<'t> {
        Mapped { t, idx, cols }
    }

    /// The cell of `key` in data row `row` (0-based), empty when the file lacks the column.
    pub fn get(&self, row: usize, key: &str) -> &'t str {
        let ci = self.cols.iter().position(|c| c.key == key);
        ci.and_then(|ci| self.idx[ci])
            .and_then(|i| self.t.rows.get(row).and_then(|r| r.get(i)))
            .map(|s| s.as_str())
            .unwrap_or("")
    }

    /// The cell, or `None` when empty.
    pub fn opt(&self, row: usize, key: &str) -> Option<String> {
        let v = self.get(row, key);
        (!v.is_empty()).then(|| v.to_string())
    }

    /// The file's column index of `key`, if the file has it.
    pub fn index(&self, key: &str) -> Option<usize> {
        let ci = self.cols.iter().position(|c| c.key == key)?;
        self.idx[ci]
    }

    /// How the column of `key` is named in messages.
    pub fn column(&self, key: &str) -> String {
        let ci = self.cols.iter().position(|c| c.key == key);
        match ci.and_then(|ci| self.idx[ci]) {
            Some(i) => self.t.column_name(i),
            None => key.to_string(),
        }
    }
}

/// How many row errors a report lists (all are counted).
pub const SHOWN_ERRORS: usize = 200;

/// Collects row errors; the file is written only if none were found.
pub struct Errors<'m, 't> {
    m: &'m Mapped<'t>,
    /// The first [`SHOWN_ERRORS`] errors.
    pub list: Vec<RowError>,
    /// How many errors were found in all.
    pub total: usize,
    /// Cells (row, column) already refused as numbers that lost their digits: no second reason.
    lost: std::collections::HashSet<(usize, usize)>,
}

impl<'m, 't> Errors<'m, 't> {
    /// The errors of a file, starting with every cell of a layout column that holds a number of
    /// more than 15 digits (its last digits are already lost in the file: never guessed).
    pub fn new(m: &'m Mapped<'t>) -> Self {
        let mut e = Errors {
            m,
            list: Vec::new(),
            total: 0,
            lost: Default::default(),
        };
        let used: std::collections::HashSet<usize> = m.idx.iter().flatten().copied().collect();
        for (row, col, shown) in &m.t.lost {
            if !used.contains(col) {
                continue;
            }
            e.push(
                *row,
                m.t.column_name(*col),
                format!(
                    "这个单元格存成了数字（{shown}）：超过15位的数字在文件中已丢失末几位，无法还原。\
                     请把这一列设为“文本”格式后重新输入（或在号码前加英文单引号 '）"
                ),
                format!(
                    "this cell was stored as a number ({shown}): a number longer than 15 digits has \
                     already lost its last digits in the file and cannot be restored. Set the column's \
                     format to Text and type it again (or start it with an apostrophe ')"
                ),
            );
            e.lost.insert((*row, *col));
        }
        e
    }
    fn push(&mut self, row: usize, column: String, zh: String, en: String) {
        self.total += 1;
        if self.list.len() < SHOWN_ERRORS {
            self.list.push(RowError {
                row: self.m.t.line(row),
                column,
                zh,
                en,
            });
        }
    }
    pub fn add(&mut self, row: usize, key: &str, zh: impl Into<String>, en: impl Into<String>) {
        if self
            .m
            .index(key)
            .is_some_and(|c| self.lost.contains(&(row, c)))
        {
            return;
        }
        let column = if key.is_empty() {
            String::new()
        } else {
            self.m.column(key)
        };
        self.push(row, column, zh.into(), en.into());
    }
    pub fn invalid(&mut self, row: usize, key: &str, e: Invalid) {
        self.add(row, key, e.zh, e.en);
    }
    /// Reports a validation failure, mapping input fields onto this layout's columns.
    pub fn store(&mut self, row: usize, e: StoreError, rename: &[(&str, &str)]) {
        match e {
            StoreError::Invalid(fields) => {
                for f in fields {
                    let key = rename
                        .iter()
                        .find(|(from, _)| *from == f.field)
                        .map(|(_, to)| *to)
                        .unwrap_or(&f.field)
                        .to_string();
                    self.add(row, &key, f.zh, f.en);
                }
            }
            other => self.add(row, "", format!("{other}"), format!("{other}")),
        }
    }
    pub fn outside(&mut self, row: usize, key: &str) {
        self.add(row, key, "不在您的管辖范围内", "outside your jurisdiction");
    }
    /// The errors in the order of the sheet's rows (a row's own in the order found).
    pub fn finish(mut self) -> Result<(), ExchangeError> {
        if self.total == 0 {
            Ok(())
        } else {
            self.list.sort_by_key(|e| e.row);
            Err(ExchangeError::Rows {
                errors: self.list,
                total: self.total,
            })
        }
    }
}

/// Whether data row `r` has no cell filled.
pub fn blank_row(m: &Mapped, r: usize) -> bool {
    m.t.rows
        .get(r)
        .is_none_or(|c| c.iter().all(String::is_empty))
}
