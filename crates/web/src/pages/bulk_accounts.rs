//! 批量建账号: a security administrator creates the accounts of a file (a township's clerks and
//! grid workers, say) at once, all or none. Privileged accounts become requests for a second
//! administrator (三员分立). The initial passwords are shown once, on the answer to the upload,
//! to be handed to their owners, who must change them at the first login; they are kept nowhere.

use crate::console::{attachment, encode, html, store, Chrome, St, Viewer, P};
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use xiangzhi_domain::{Right, Role};
use xiangzhi_storage::bulk_accounts::{BulkAccount, Handover};
use xiangzhi_storage::now_ms;
use xiangzhi_tabular::columns::{blank_row, col, col_aka, Col, Errors, Mapped};
use xiangzhi_tabular::{ExchangeError, RowError};

/// The columns of an accounts file.
pub const ACCOUNT_COLS: &[Col] = &[
    col_aka("login", "登录名", true, &["账号", "用户名"]),
    col("display_name", "姓名", true),
    col_aka("role", "角色", true, &["账号类别", "类别"]),
    col_aka(
        "division",
        "管辖区划",
        false,
        &["管辖区划代码", "区划代码", "所在村（社区）", "所在乡镇"],
    ),
    col("grid_code", "网格编码", false),
];

/// The most accounts one file creates (each password hash is tens of milliseconds of CPU).
pub const MAX_ACCOUNTS: usize = 1_000;
/// The largest accounts file taken.
pub const BULK_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Template)]
#[template(path = "bulk_accounts.html")]
struct BulkPage {
    c: Chrome,
    errors: Vec<RowError>,
    total: usize,
    message: Option<(String, String)>,
    created: Vec<Shown>,
    /// The created accounts and their passwords as a CSV to save, as a data: link.
    csv_link: String,
}

/// An account as the answer shows it.
struct Shown {
    h: Handover,
    role: String,
}

fn page(v: &Viewer) -> BulkPage {
    BulkPage {
        c: v.chrome(v.l.t("批量建账号", "Create accounts from a file")),
        errors: Vec::new(),
        total: 0,
        message: None,
        created: Vec::new(),
        csv_link: String::new(),
    }
}

fn answer(p: BulkPage, status: StatusCode) -> P {
    Ok((status, [(header::CACHE_CONTROL, "no-store")], html(p)?).into_response())
}

/// The upload form.
pub async fn form(v: Viewer) -> P {
    v.need(Right::ManageAccounts)?;
    answer(page(&v), StatusCode::OK)
}

/// A blank accounts file to fill in.
pub async fn template(v: Viewer) -> P {
    v.need(Right::ManageAccounts)?;
    let header: Vec<String> = ACCOUNT_COLS.iter().map(|c| c.zh.to_string()).collect();
    match xiangzhi_tabular::table::template_bytes(&header) {
        Ok(bytes) => Ok(attachment("accounts-template", false, bytes)),
        Err(e) => {
            let mut p = page(&v);
            p.message = Some(words(&e));
            answer(p, StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

fn words(e: &ExchangeError) -> (String, String) {
    match e {
        ExchangeError::Format { zh, en } => (zh.clone(), en.clone()),
        other => (other.to_string(), other.to_string()),
    }
}

/// Reads a file's accounts: the table (kept to name the cells of any faults) and each account
/// with its data row, or the file's faults.
type Read = (xiangzhi_tabular::table::Table, Vec<(usize, BulkAccount)>);
fn read(name: String, bytes: Vec<u8>) -> Result<Read, ExchangeError> {
    let mut t = xiangzhi_tabular::table::read_bytes(&name, bytes)?;
    xiangzhi_tabular::find_header(&mut t, ACCOUNT_COLS);
    let m = Mapped::new(&t, ACCOUNT_COLS)?;
    let rows: Vec<(usize, BulkAccount)> = (0..t.rows.len())
        .filter(|r| !blank_row(&m, *r))
        .map(|r| {
            (
                r,
                BulkAccount {
                    login: m.get(r, "login").to_string(),
                    display_name: m.get(r, "display_name").to_string(),
                    role: m.get(r, "role").to_string(),
                    division: m.get(r, "division").to_string(),
                    grid_code: m.get(r, "grid_code").to_string(),
                },
            )
        })
        .collect();
    if rows.len() > MAX_ACCOUNTS {
        return Err(ExchangeError::Format {
            zh: format!("一个文件最多建{MAX_ACCOUNTS}个账号，请分成几个文件"),
            en: format!("one file creates at most {MAX_ACCOUNTS} accounts; split it"),
        });
    }
    if rows.is_empty() {
        return Err(ExchangeError::Format {
            zh: "文件中没有账号".into(),
            en: "the file holds no accounts".into(),
        });
    }
    Ok((t, rows))
}

/// The accounts file, checked in full; created all at once, or nothing and the faults by row.
pub async fn upload(
    axum::extract::State(s): St,
    v: Viewer,
    mut form: axum::extract::Multipart,
) -> P {
    v.need(Right::ManageAccounts)?;
    let mut p = page(&v);
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(f)) if f.name() == Some("file") => {
                let name = f.file_name().unwrap_or("upload").to_string();
                match f.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(_) => {
                        p.message = Some((
                            "文件超过4MB，请分成几个文件".into(),
                            "the file is larger than 4 MB; split it".into(),
                        ));
                        return answer(p, StatusCode::PAYLOAD_TOO_LARGE);
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => {
                p.message = Some((
                    "上传的内容无法读取，请重新选择文件再上传".into(),
                    "the upload could not be read; choose the file again".into(),
                ));
                return answer(p, StatusCode::BAD_REQUEST);
            }
        }
    }
    let Some((name, bytes)) = file.filter(|f| !f.1.is_empty()) else {
        p.message = Some(("请选择文件".into(), "choose a file".into()));
        return answer(p, StatusCode::UNPROCESSABLE_ENTITY);
    };
    // Reading a sheet is CPU work: off the threads that answer requests.
    let (table, rows) = match tokio::task::spawn_blocking(move || read(name, bytes)).await {
        Ok(Ok(read)) => read,
        Ok(Err(ExchangeError::Rows { errors, total })) => {
            p.errors = errors;
            p.total = total;
            return answer(p, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Ok(Err(e)) => {
            p.message = Some(words(&e));
            return answer(p, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(_) => {
            p.message = Some(("读取文件时出错".into(), "reading the file failed".into()));
            return answer(p, StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    let accounts: Vec<BulkAccount> = rows.iter().map(|(_, a)| a.clone()).collect();
    match s
        .db
        .create_accounts(&v.user, &v.actor, &accounts, now_ms())
        .await
        .map_err(store(v.l))?
    {
        Ok(created) => {
            let mut csv = String::from("\u{feff}登录名,姓名,角色,初始密码,状态\r\n");
            for h in &created {
                let role = h.role.parse::<Role>().map(|r| r.zh()).unwrap_or("");
                let state = if h.request_id.is_some() {
                    "待另一位管理员批准"
                } else {
                    "已创建"
                };
                csv.push_str(&format!(
                    "{},{},{role},{},{state}\r\n",
                    h.login, h.display_name, h.password
                ));
            }
            p.csv_link = format!("data:text/csv;charset=utf-8,{}", encode(&csv));
            p.created = created
                .into_iter()
                .map(|h| Shown {
                    role: h
                        .role
                        .parse::<Role>()
                        .map(|r| v.l.t(r.zh(), r.as_str()).to_string())
                        .unwrap_or_default(),
                    h,
                })
                .collect();
            answer(p, StatusCode::CREATED)
        }
        Err(faults) => {
            let m = Mapped::new(&table, ACCOUNT_COLS)
                .map_err(|_| crate::console::PageError::NotFound(v.l))?;
            let mut errs = Errors::new(&m);
            for (i, f) in faults {
                let key = match f.field.as_str() {
                    "division_code" | "division" => "division",
                    "grid_id" | "grid_code" => "grid_code",
                    "login" => "login",
                    "display_name" => "display_name",
                    "role" => "role",
                    _ => "",
                };
                errs.add(rows[i].0, key, f.zh, f.en);
            }
            if let Err(ExchangeError::Rows { errors, total }) = errs.finish() {
                p.errors = errors;
                p.total = total;
            }
            answer(p, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}
