//! Reading and writing rows of text cells from CSV and .xlsx files.

use crate::ExchangeError;
use calamine::{open_workbook_auto_from_rs, Data, Reader};
use std::path::Path;

/// A file's header and data rows. `line(i)` is the 1-based row number a person sees in the file
/// (the header is row 1).
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub is_xlsx: bool,
    /// Data cells (row, column, as shown) holding a number of more than 15 digits: a spreadsheet
    /// keeps 15 significant digits, so an ID number typed as a number has already lost its last
    /// digits in the file. Every import refuses them (never rounded into a wrong identifier).
    pub lost: Vec<(usize, usize, String)>,
    /// Where the header sits in the sheet (0-based row and column): a table need not start at A1.
    pub first_row: usize,
    pub first_col: usize,
}

/// Whether a CSV cell is a long number a spreadsheet wrote in scientific notation
/// (`1.41029E+17`): its digits are gone.
fn scientific(cell: &str) -> bool {
    let Some((mantissa, exp)) = cell.split_once(['e', 'E']) else {
        return false;
    };
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && mantissa.chars().next().is_some_and(|c| c.is_ascii_digit())
        && exp.parse::<u32>().is_ok_and(|e| e >= 15)
}

/// The text of a CSV file's bytes: UTF-8 (with or without a BOM), UTF-16 with its BOM, or else
/// GB18030 (which reads GBK, what Chinese spreadsheet programs save as "CSV").
pub fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return encoding_rs::UTF_16LE.decode(bytes).0.into_owned();
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return encoding_rs::UTF_16BE.decode(bytes).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

impl Table {
    /// The row number a person sees in the file for data row `i` (0-based).
    pub fn line(&self, i: usize) -> usize {
        self.first_row + i + 2
    }
    /// How a column is named in messages: `C` in a spreadsheet, `3` in a CSV, with its header.
    pub fn column_name(&self, c: usize) -> String {
        let h = self.headers.get(c).map(String::as_str).unwrap_or("");
        if self.is_xlsx {
            format!("{}（{h}）", column_letter(c + self.first_col))
        } else {
            format!("{}（{h}）", c + self.first_col + 1)
        }
    }
    /// Makes data row `i` (0-based) the header: the rows above it (a title such as
    /// 乡宁县某村户籍花名册, blank rows) are not data.
    pub fn header_at(&mut self, i: usize) {
        if i >= self.rows.len() {
            return;
        }
        self.headers = self.rows[i].clone();
        self.rows.drain(..=i);
        self.first_row += i + 1;
        self.lost = std::mem::take(&mut self.lost)
            .into_iter()
            .filter(|(r, _, _)| *r > i)
            .map(|(r, c, v)| (r - i - 1, c, v))
            .collect();
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
    let bytes = std::fs::read(path).map_err(|e| ExchangeError::io(path, e))?;
    read_bytes(&path.display().to_string(), bytes)
}

/// Reads a file's bytes (an upload), a spreadsheet or CSV by the name's extension — or, for a
/// spreadsheet named anything, by its zip signature.
pub fn read_bytes(name: &str, bytes: Vec<u8>) -> Result<Table, ExchangeError> {
    if is_xlsx(Path::new(name)) || bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(name, bytes)
    } else {
        read_csv(bytes)
    }
}

fn read_csv(bytes: Vec<u8>) -> Result<Table, ExchangeError> {
    let text = decode(&bytes);
    drop(bytes);
    // Spreadsheet programs save tab-separated text as "Unicode text" (UTF-16).
    let tabs = text
        .lines()
        .next()
        .is_some_and(|l| l.contains('\t') && !l.contains(','));
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(if tabs { b'\t' } else { b',' })
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut lost = Vec::new();
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
                    for (c, cell) in cells.iter().enumerate() {
                        if scientific(cell) {
                            lost.push((rows.len(), c, cell.clone()));
                        }
                    }
                    rows.push(cells);
                } else {
                    rows.push(Vec::new());
                }
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                return Err(ExchangeError::Format {
                    zh: format!("CSV 第{line}行无法读取：{e}"),
                    en: format!("CSV line {line} cannot be read: {e}"),
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
        lost,
        first_row: 0,
        first_col: 0,
    })
}

/// Whether a spreadsheet cell is a number too long to have kept its digits (over 15).
fn lost_number(d: &Data) -> bool {
    match d {
        Data::Float(f) => f.abs() >= 1e15,
        Data::Int(i) => i.unsigned_abs() >= 1_000_000_000_000_000,
        _ => false,
    }
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

/// The widest sheet read: cells right of this column are left out (a roster has a few dozen
/// columns; a stray cell in column XFD must not make every row 16,384 cells wide).
const MAX_COLUMNS: u32 = 256;
/// The most cells a sheet may hold (a 200,000-resident roster has about 3 million).
const MAX_CELLS: usize = 8_000_000;

/// A sheet's cells as (row, column, value), read one by one: memory follows the cells there are,
/// never the used area's rows × columns (a 2 KB file with cells in A1 and XFD1048576 would ask
/// for hundreds of gigabytes as one dense range).
fn sheet_cells(name: &str, bytes: Vec<u8>) -> Result<Vec<(u32, u32, Data)>, ExchangeError> {
    let unreadable = |e: String| ExchangeError::Format {
        zh: format!("无法打开表格文件 {name}：{e}"),
        en: format!("cannot open spreadsheet {name}: {e}"),
    };
    let too_big = || ExchangeError::Format {
        zh: format!("表格 {name} 的单元格超过{MAX_CELLS}个，请分村（社区）导入"),
        en: format!(
            "the spreadsheet {name} has more than {MAX_CELLS} cells; import one village at a time"
        ),
    };
    let lower = name.to_ascii_lowercase();
    let mut out = Vec::new();
    if lower.ends_with(".xls") || lower.ends_with(".ods") {
        // The older formats, read whole (their files are small by nature).
        let mut wb = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| unreadable(e.to_string()))?;
        let sheet = wb.sheet_names().first().cloned().ok_or_else(no_sheet)?;
        let range = wb
            .worksheet_range(&sheet)
            .map_err(|e| unreadable(e.to_string()))?;
        for (r, c, d) in range.used_cells() {
            let (r0, c0) = range.start().unwrap_or((0, 0));
            out.push((r as u32 + r0, c as u32 + c0, d.clone()));
        }
        return Ok(out);
    }
    unpacked_size(name, &bytes, MAX_UNPACKED)?;
    let mut wb =
        calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let sheet = wb.sheet_names().first().cloned().ok_or_else(no_sheet)?;
    let mut cells = wb
        .worksheet_cells_reader(&sheet)
        .map_err(|e| unreadable(e.to_string()))?;
    while let Some(cell) = cells.next_cell().map_err(|e| unreadable(e.to_string()))? {
        let (r, c) = cell.get_position();
        let d: Data = cell.get_value().clone().into();
        if c >= MAX_COLUMNS || d == Data::Empty {
            continue;
        }
        if out.len() >= MAX_CELLS {
            return Err(too_big());
        }
        out.push((r, c, d));
    }
    Ok(out)
}

/// The most an .xlsx may unpack to (a 200,000-resident roster unpacks to about 150 MB).
const MAX_UNPACKED: u64 = 1 << 30;

/// Refuses a workbook whose parts would unpack to more than `limit` ([`MAX_UNPACKED`]; a "zip bomb": a
/// few kilobytes that expand to gigabytes of shared strings), from the sizes its directory states,
/// before anything is unpacked.
fn unpacked_size(name: &str, bytes: &[u8], limit: u64) -> Result<(), ExchangeError> {
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        // Not a zip: calamine says why in its own words.
        return Ok(());
    };
    let mut total = 0u64;
    for i in 0..zip.len() {
        if let Ok(f) = zip.by_index_raw(i) {
            total = total.saturating_add(f.size());
        }
    }
    if total > limit {
        return Err(ExchangeError::Format {
            zh: format!("表格 {name} 解压后超过1GB，无法读取；请另存为 CSV 或分村（社区）导入"),
            en: format!(
                "the spreadsheet {name} unpacks to more than 1 GB; save it as CSV or import one village at a time"
            ),
        });
    }
    Ok(())
}

fn no_sheet() -> ExchangeError {
    ExchangeError::Format {
        zh: "表格文件没有工作表".into(),
        en: "the spreadsheet has no sheet".into(),
    }
}

fn read_xlsx(name: &str, bytes: Vec<u8>) -> Result<Table, ExchangeError> {
    let cells = sheet_cells(name, bytes)?;
    // The used area may start below and right of A1; messages name the sheet's own cells.
    let first_row = cells.iter().map(|c| c.0).min().unwrap_or(0) as usize;
    let first_col = cells.iter().map(|c| c.1).min().unwrap_or(0) as usize;
    let last_row = cells.iter().map(|c| c.0).max().unwrap_or(0) as usize;
    let mut grid: Vec<Vec<Data>> = vec![Vec::new(); last_row + 1 - first_row.min(last_row + 1)];
    for (r, c, d) in cells {
        let row = &mut grid[r as usize - first_row];
        let c = c as usize - first_col;
        if row.len() <= c {
            row.resize(c + 1, Data::Empty);
        }
        row[c] = d;
    }
    let mut it = grid.into_iter();
    let headers: Vec<String> = it
        .next()
        .map(|r| r.iter().map(cell_text).collect())
        .unwrap_or_default();
    let mut lost = Vec::new();
    let mut rows: Vec<Vec<String>> = it
        .enumerate()
        .map(|(ri, r)| {
            for (c, d) in r.iter().enumerate() {
                if lost_number(d) {
                    lost.push((ri, c, cell_text(d)));
                }
            }
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
        lost,
        first_row,
        first_col,
    })
}

/// Writes a header and rows as CSV (UTF-8 with BOM, so spreadsheet programs read Chinese) or .xlsx
/// (every cell as text, so codes and ID numbers keep their digits).
pub fn write(path: &Path, headers: &[String], rows: &[Vec<String>]) -> Result<(), ExchangeError> {
    let mut sink = Sink::create(path, headers)?;
    for r in rows {
        sink.row(r)?;
    }
    sink.finish()
}

/// A blank template to fill in: the header, and every column formatted as text so that what a
/// clerk types or pastes (ID numbers, codes, phones) keeps its digits. Built in memory.
pub fn template_bytes(headers: &[String]) -> Result<Vec<u8>, ExchangeError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let text = rust_xlsxwriter::Format::new().set_num_format("@");
    let bold = rust_xlsxwriter::Format::new()
        .set_bold()
        .set_num_format("@");
    let ws = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        let c = c as u16;
        ws.set_column_format(c, &text).map_err(xlsx_err)?;
        ws.set_column_width(c, (h.chars().count() as f64 * 2.2).max(12.0))
            .map_err(xlsx_err)?;
        ws.write_string_with_format(0, c, h, &bold)
            .map_err(xlsx_err)?;
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// A cell of an exported list: text (kept as text, digits and all) or a whole number.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
}

/// One list as an .xlsx in memory: a bold header row that stays in view, text cells written as
/// text (never read as formulas or numbers), whole numbers as numbers so a clerk's sums work.
/// For the short lists of the console (a village's, a branch's); long exports stream through
/// [`Sink`].
pub fn sheet_bytes(
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, ExchangeError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).map_err(xlsx_err)?;
    for (c, h) in headers.iter().enumerate() {
        let c = c as u16;
        ws.set_column_width(c, (h.chars().count() as f64 * 1.6).max(10.0))
            .map_err(xlsx_err)?;
        ws.write_string_with_format(0, c, *h, &bold)
            .map_err(xlsx_err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => ws.write_string(r, c, s).map_err(xlsx_err)?,
                Cell::Int(n) => ws.write_number(r, c, *n as f64).map_err(xlsx_err)?,
            };
        }
    }
    ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    wb.save_to_buffer().map_err(xlsx_err)
}

/// A file written row by row in constant memory: CSV through a buffer, .xlsx in the writer's
/// constant-memory mode (each row goes to a temporary file as it is written; the workbook is
/// assembled from it at the end). Exports of hundreds of thousands of rows stream through it.
pub struct Sink {
    path: std::path::PathBuf,
    kind: SinkKind,
    rows: u32,
}

enum SinkKind {
    Csv(Box<csv::Writer<std::io::BufWriter<std::fs::File>>>),
    Xlsx(Box<rust_xlsxwriter::Workbook>),
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> ExchangeError {
    ExchangeError::Format {
        zh: format!("写入表格失败：{e}"),
        en: format!("cannot write spreadsheet: {e}"),
    }
}

fn csv_err(e: csv::Error) -> ExchangeError {
    ExchangeError::Format {
        zh: format!("写入 CSV 失败：{e}"),
        en: format!("cannot write CSV: {e}"),
    }
}

impl Sink {
    /// Opens `path` (.csv or .xlsx by extension) and writes the header row.
    pub fn create(path: &Path, headers: &[String]) -> Result<Sink, ExchangeError> {
        let kind = if is_xlsx(path) {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            let ws = wb.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
            for (c, h) in headers.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, h, &bold)
                    .map_err(xlsx_err)?;
            }
            SinkKind::Xlsx(Box::new(wb))
        } else {
            let file = std::fs::File::create(path).map_err(|e| ExchangeError::io(path, e))?;
            let mut out = std::io::BufWriter::new(file);
            std::io::Write::write_all(&mut out, "\u{feff}".as_bytes())
                .map_err(|e| ExchangeError::io(path, e))?;
            let mut w = csv::Writer::from_writer(out);
            w.write_record(headers).map_err(csv_err)?;
            SinkKind::Csv(Box::new(w))
        };
        Ok(Sink {
            path: path.to_path_buf(),
            kind,
            rows: 0,
        })
    }

    /// Appends one data row.
    pub fn row(&mut self, cells: &[String]) -> Result<(), ExchangeError> {
        self.rows += 1;
        match &mut self.kind {
            SinkKind::Csv(w) => w.write_record(cells).map_err(csv_err),
            SinkKind::Xlsx(wb) => {
                let ws = wb.worksheet_from_index(0).map_err(xlsx_err)?;
                for (c, v) in cells.iter().enumerate() {
                    if !v.is_empty() {
                        ws.write_string(self.rows, c as u16, v).map_err(xlsx_err)?;
                    }
                }
                Ok(())
            }
        }
    }

    /// Data rows written so far.
    pub fn rows(&self) -> usize {
        self.rows as usize
    }

    /// Completes the file.
    pub fn finish(self) -> Result<(), ExchangeError> {
        match self.kind {
            SinkKind::Csv(mut w) => w.flush().map_err(|e| ExchangeError::io(&self.path, e)),
            SinkKind::Xlsx(mut wb) => wb.save(&self.path).map_err(xlsx_err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{col, Col, Errors, Mapped};

    const COLS: &[Col] = &[
        col("id_number", "身份证号码", true),
        col("name", "姓名", true),
    ];

    fn temp(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("xz_tabular_{}_{name}", std::process::id()))
    }

    /// A workbook is measured by what it unpacks to before anything is unpacked.
    #[test]
    fn workbooks_that_unpack_too_far_are_refused() {
        let path = temp("unpack.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().write_string(0, 0, "姓名").unwrap();
        wb.save(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(unpacked_size("a.xlsx", &bytes, MAX_UNPACKED).is_ok());
        match unpacked_size("a.xlsx", &bytes, 1_000) {
            Err(ExchangeError::Format { zh, .. }) => assert!(zh.contains("解压后超过")),
            other => panic!("expected a refusal, got {other:?}"),
        }
        let _ = std::fs::remove_file(&path);
    }

    /// A tiny file whose used area spans the whole sheet (cells in A1 and XFD1048576) is read
    /// cell by cell, never as a dense range of 17 billion cells.
    #[test]
    fn a_sheet_spanning_everything_is_read_by_its_cells() {
        let path = temp("span.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "姓名").unwrap();
        ws.write_string(1, 0, "王五").unwrap();
        ws.write_string(1_048_575, 16_383, "x").unwrap();
        wb.save(&path).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() < 10_000);
        let t = read(&path).unwrap();
        assert_eq!(t.headers, vec!["姓名".to_string()]);
        assert_eq!(t.rows[0], vec!["王五".to_string()]);
        assert!(
            t.rows.len() < 2,
            "the far cell is left out: {}",
            t.rows.len()
        );
        let _ = std::fs::remove_file(&path);
    }

    /// An ID number typed as a number is refused with what happened and how to fix it, never
    /// read as a rounded number; no second, misleading reason is given for the same cell.
    #[test]
    fn long_number_cells_are_refused_not_rounded() {
        let path = temp("numbers.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "身份证号码").unwrap();
        ws.write_string(0, 1, "姓名").unwrap();
        ws.write_number(1, 0, 141029201510239691.0).unwrap();
        ws.write_string(1, 1, "张三").unwrap();
        ws.write_string(2, 0, "141029201510239691").unwrap();
        ws.write_string(2, 1, "李四").unwrap();
        ws.write_number(3, 0, 13912345678.0).unwrap();
        ws.write_string(3, 1, "王五").unwrap();
        wb.save(&path).unwrap();
        let t = read(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        assert_eq!(t.lost.len(), 1, "only the 18-digit number cell");
        let m = Mapped::new(&t, COLS).unwrap();
        let mut e = Errors::new(&m);
        e.add(0, "id_number", "校验码错误（应为3）", "wrong check digit");
        e.add(0, "name", "另一个问题", "another problem");
        assert_eq!(e.total, 2);
        assert_eq!(
            (e.list[0].row, e.list[0].column.as_str()),
            (2, "A（身份证号码）")
        );
        assert!(e.list[0].zh.contains("存成了数字") && e.list[0].zh.contains("文本"));
        assert!(!e.list.iter().any(|r| r.zh.contains("校验码")));
        assert_eq!(m.get(1, "id_number"), "141029201510239691");
    }

    /// GBK (what Chinese spreadsheet programs save as CSV), UTF-16 tab-separated text, and a
    /// number a spreadsheet wrote in scientific notation.
    #[test]
    fn csv_in_the_encodings_offices_use() {
        let gbk = encoding_rs::GBK
            .encode("身份证号码,姓名\n1.41029E+17,张三\n")
            .0;
        let path = temp("gbk.csv");
        std::fs::write(&path, &gbk).unwrap();
        let t = read(&path).unwrap();
        assert_eq!(t.headers, ["身份证号码", "姓名"]);
        assert_eq!(t.rows[0][1], "张三");
        assert_eq!(t.lost, [(0, 0, "1.41029E+17".to_string())]);
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "身份证号码\t姓名\r\n141029201510239691\t李四\r\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        std::fs::write(&path, &utf16).unwrap();
        let t = read(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        assert_eq!(t.headers, ["身份证号码", "姓名"]);
        assert_eq!(t.rows[0], ["141029201510239691", "李四"]);
        assert!(t.lost.is_empty());
    }
}

#[cfg(test)]
mod header_tests {
    use super::*;
    use crate::{col, Col, Errors, Mapped};

    const COLS: &[Col] = &[
        col("household_number", "户号", true),
        col("name", "姓名", true),
    ];

    /// A roster as offices make it: a title row merged across the sheet, a blank row, the table
    /// starting in column B, a header with a full-width space; errors name the sheet's own cells.
    #[test]
    fn the_header_is_found_below_a_title() {
        let path =
            std::env::temp_dir().join(format!("xz_tabular_{}_title.xlsx", std::process::id()));
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.merge_range(
            0,
            1,
            0,
            3,
            "乡宁县某村户籍花名册",
            &rust_xlsxwriter::Format::new(),
        )
        .unwrap();
        ws.write_string(2, 1, "序号").unwrap();
        ws.write_string(2, 2, "户号").unwrap();
        ws.write_string(2, 3, "姓　名").unwrap();
        ws.write_string(3, 1, "1").unwrap();
        ws.write_string(3, 2, "CG-0001").unwrap();
        ws.write_string(3, 3, "张三").unwrap();
        ws.write_string(4, 1, "2").unwrap();
        ws.write_string(4, 2, "CG-0002").unwrap();
        wb.save(&path).unwrap();
        let mut t = read(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        crate::find_header(&mut t, COLS);
        assert_eq!(t.headers, ["序号", "户号", "姓　名"]);
        assert_eq!(t.rows.len(), 2);
        let m = Mapped::new(&t, COLS).unwrap();
        assert_eq!(m.get(1, "household_number"), "CG-0002");
        let mut e = Errors::new(&m);
        e.add(1, "name", "姓名不能为空", "the name is missing");
        // The second data row is the sheet's row 5; the name is in its column D.
        assert_eq!(
            (e.list[0].row, e.list[0].column.as_str()),
            (5, "D（姓　名）")
        );
    }
}
