//! Reading and writing rows of text cells from CSV and .xlsx files.

use crate::ExchangeError;
use calamine::{open_workbook_auto, Data, Reader};
use std::path::Path;

/// A file's header and data rows. `line(i)` is the 1-based row number a person sees in the file
/// (the header is row 1).
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub is_xlsx: bool,
}

impl Table {
    pub fn line(&self, i: usize) -> usize {
        i + 2
    }
    /// How a column is named in messages: `C` in a spreadsheet, `3` in a CSV, with its header.
    pub fn column_name(&self, c: usize) -> String {
        let h = self.headers.get(c).map(String::as_str).unwrap_or("");
        if self.is_xlsx {
            format!("{}（{h}）", column_letter(c))
        } else {
            format!("{}（{h}）", c + 1)
        }
    }
}

pub fn column_letter(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

pub fn is_xlsx(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("xlsx" | "xlsm" | "xls" | "ods")
    )
}

pub fn read(path: &Path) -> Result<Table, ExchangeError> {
    if is_xlsx(path) {
        read_xlsx(path)
    } else {
        read_csv(path)
    }
}

fn read_csv(path: &Path) -> Result<Table, ExchangeError> {
    let file = std::fs::File::open(path).map_err(|e| ExchangeError::io(path, e))?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
    let mut rows = Vec::new();
    let mut headers = None;
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
                if headers.is_none() {
                    let mut h = cells;
                    if let Some(first) = h.first_mut() {
                        *first = first.trim_start_matches('\u{feff}').to_string();
                    }
                    headers = Some(h);
                } else if cells.iter().any(|c| !c.is_empty()) {
                    rows.push(cells);
                } else {
                    rows.push(Vec::new());
                }
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                return Err(ExchangeError::Format {
                    zh: format!("CSV 第{line}行无法读取（编码应为 UTF-8）：{e}"),
                    en: format!("CSV line {line} cannot be read (expected UTF-8): {e}"),
                });
            }
        }
    }
    // Trailing blank lines are not rows.
    while rows.last().is_some_and(|r| r.is_empty()) {
        rows.pop();
    }
    Ok(Table {
        headers: headers.unwrap_or_default(),
        rows,
        is_xlsx: false,
    })
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        // Codes typed as numbers come back as floats; print whole numbers without ".0".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|d| d.date().to_string())
            .unwrap_or_default(),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#ERR {e:?}"),
    }
}

fn read_xlsx(path: &Path) -> Result<Table, ExchangeError> {
    let mut wb = open_workbook_auto(path).map_err(|e| ExchangeError::Format {
        zh: format!("无法打开表格文件 {}：{e}", path.display()),
        en: format!("cannot open spreadsheet {}: {e}", path.display()),
    })?;
    let name = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| ExchangeError::Format {
            zh: "表格文件没有工作表".into(),
            en: "the spreadsheet has no sheet".into(),
        })?;
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| ExchangeError::Format {
            zh: format!("无法读取工作表“{name}”：{e}"),
            en: format!("cannot read sheet '{name}': {e}"),
        })?;
    let mut it = range.rows();
    let headers: Vec<String> = it
        .next()
        .map(|r| r.iter().map(cell_text).collect())
        .unwrap_or_default();
    let mut rows: Vec<Vec<String>> = it
        .map(|r| {
            let cells: Vec<String> = r.iter().map(cell_text).collect();
            if cells.iter().all(String::is_empty) {
                Vec::new()
            } else {
                cells
            }
        })
        .collect();
    while rows.last().is_some_and(|r| r.is_empty()) {
        rows.pop();
    }
    Ok(Table {
        headers,
        rows,
        is_xlsx: true,
    })
}

/// Writes a header and rows as CSV (UTF-8 with BOM, so spreadsheet programs read Chinese) or .xlsx
/// (every cell as text, so codes and ID numbers keep their digits).
pub fn write(path: &Path, headers: &[String], rows: &[Vec<String>]) -> Result<(), ExchangeError> {
    if is_xlsx(path) {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let err = |e: rust_xlsxwriter::XlsxError| ExchangeError::Format {
            zh: format!("写入表格失败：{e}"),
            en: format!("cannot write spreadsheet: {e}"),
        };
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(err)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, v).map_err(err)?;
                }
            }
        }
        wb.save(path).map_err(err)?;
        Ok(())
    } else {
        let file = std::fs::File::create(path).map_err(|e| ExchangeError::io(path, e))?;
        let mut out = std::io::BufWriter::new(file);
        std::io::Write::write_all(&mut out, "\u{feff}".as_bytes())
            .map_err(|e| ExchangeError::io(path, e))?;
        let mut w = csv::Writer::from_writer(out);
        let map = |e: csv::Error| ExchangeError::Format {
            zh: format!("写入 CSV 失败：{e}"),
            en: format!("cannot write CSV: {e}"),
        };
        w.write_record(headers).map_err(map)?;
        for r in rows {
            w.write_record(r).map_err(map)?;
        }
        w.flush().map_err(|e| ExchangeError::io(path, e))?;
        Ok(())
    }
}
