//! Photos and documents of a case (照片、附件). The type is read from the content, never taken
//! from the client; identical content is kept once per case, so a phone resending an upload after a
//! lost answer gets the file it already sent.

use crate::prelude::*;
use crate::store::Case;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{Db, Result, Scope, StoreError};

/// The largest file a case takes (a phone photo is 2–6 MB).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Files per case.
pub const MAX_FILES_PER_CASE: i64 = 20;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct CaseFile {
    pub county_id: i64,
    pub case_id: i64,
    /// The file's number within its case (`/cases/{id}/files/{seq}`).
    pub seq: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub uploaded_at: i64,
    /// A photo of the result the reporter may see on the tracking page.
    pub is_public: bool,
}

/// Who uploads a file, when, and whether the reporter may see it.
#[derive(Debug, Clone, Copy)]
pub struct Upload {
    pub user: Option<i64>,
    pub at: i64,
    /// Shown to the reporter on the tracking page (photos only).
    pub public: bool,
}

const COLS: &str = "t.county_id, t.case_id, t.seq, t.name, t.content_type, t.size, t.sha256, t.uploaded_by, t.uploaded_at, t.is_public";

/// What the bytes are, from their first bytes: the kinds a case may carry (photos, PDF, Word and
/// Excel documents); `None` for anything else.
pub fn sniff(name: &str, data: &[u8]) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some("image/webp")
    } else if data.len() >= 12
        && &data[4..8] == b"ftyp"
        && matches!(&data[8..12], b"heic" | b"heix" | b"mif1" | b"msf1")
    {
        Some("image/heic")
    } else if data.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if data.starts_with(b"PK\x03\x04") && lower.ends_with(".docx") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if data.starts_with(b"PK\x03\x04") && lower.ends_with(".xlsx") {
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else {
        None
    }
}

fn file_name(name: &str) -> Result<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.is_empty() || base.chars().count() > 100 || base.chars().any(char::is_control) {
        return Err(StoreError::invalid(
            "name",
            "文件名应为1到100个字符，不含控制字符",
            "the file name is 1 to 100 characters without control characters",
        ));
    }
    Ok(base.to_string())
}

/// A file as a case takes it: its base name (1–100 characters, no control characters) and its
/// type read from the content; otherwise the reason, in both languages.
pub fn checked(name: &str, data: &[u8]) -> Result<(String, &'static str)> {
    let name = file_name(name)?;
    if data.is_empty() || data.len() > MAX_FILE_BYTES {
        return Err(StoreError::invalid(
            "file",
            format!("文件应在1字节到{}MB之间", MAX_FILE_BYTES >> 20),
            format!("a file is 1 byte to {} MB", MAX_FILE_BYTES >> 20),
        ));
    }
    let Some(kind) = sniff(&name, data) else {
        return Err(StoreError::invalid(
            "file",
            "只接受照片（JPEG、PNG、WebP、GIF、HEIC）、PDF、Word 和 Excel 文件",
            "only photos (JPEG, PNG, WebP, GIF, HEIC), PDF, Word and Excel files are accepted",
        ));
    };
    Ok((name, kind))
}

/// The file of `case` with this content.
fn same(case: &Case, sha: &str) -> Q {
    Q::with(
        &format!("SELECT {COLS} FROM case_files t WHERE t.county_id = ? AND t.case_id = ? AND t.sha256 = ?"),
        vec![case.county_id.into(), case.id.into(), sha.into()],
    )
}

/// Attaches a checked file to `case` inside the caller's transaction (which writes the audit
/// entry); `None` when the case already has this content.
pub(crate) async fn attach(
    tx: &mut xiangzhi_storage::Tx,
    case: &Case,
    name: &str,
    kind: &'static str,
    data: Vec<u8>,
    by: Upload,
) -> Result<Option<CaseFile>> {
    let sha = xiangzhi_storage::crypto::hex(&Sha256::digest(&data));
    let (count, last): (i64, Option<i64>) = tx
        .one(&Q::with(
            "SELECT COUNT(*), MAX(t.seq) FROM case_files t WHERE t.county_id = ? AND t.case_id = ?",
            vec![case.county_id.into(), case.id.into()],
        ))
        .await?;
    if count >= MAX_FILES_PER_CASE {
        return Err(StoreError::invalid(
            "file",
            format!("每个事项最多{MAX_FILES_PER_CASE}个附件"),
            format!("a case takes at most {MAX_FILES_PER_CASE} files"),
        ));
    }
    let size = data.len() as i64;
    let n = tx
        .exec(&Q::with(
            "INSERT INTO case_files (county_id, case_id, seq, name, content_type, size, sha256, data, uploaded_by, uploaded_at, is_public) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (county_id, case_id, sha256) DO NOTHING",
            vec![
                case.county_id.into(),
                case.id.into(),
                (last.unwrap_or(0) + 1).into(),
                name.into(),
                kind.into(),
                size.into(),
                sha.clone().into(),
                data.into(),
                by.user.into(),
                by.at.into(),
                // Only photos are shown to the public; documents stay with the handlers.
                xiangzhi_storage::sql::Arg::Bool(by.public && kind.starts_with("image/")),
            ],
        ))
        .await?;
    if n == 0 {
        return Ok(None);
    }
    Ok(Some(tx.one(&same(case, &sha)).await?))
}

/// This part's queries, as methods of the store.
#[easy_ext::ext(CaseFileStore)]
pub impl Db {
    /// Attaches a file to a case in the scope; the same content again returns the file already
    /// attached (and `false`).
    async fn add_case_file(
        &self,
        scope: &Scope,
        case_id: i64,
        name: &str,
        data: Vec<u8>,
        by: Upload,
    ) -> Result<(CaseFile, bool)> {
        let case = self.get_case(scope, case_id).await?;
        let (name, kind) = checked(name, &data)?;
        let sha = xiangzhi_storage::crypto::hex(&Sha256::digest(&data));
        if let Some(f) = self.optional::<CaseFile>(&same(&case, &sha)).await? {
            return Ok((f, false));
        }
        let mut tx = self.begin().await?;
        match attach(&mut tx, &case, &name, kind, data, by).await? {
            Some(f) => {
                tx.audit(
                    scope.actor(),
                    "attach case file",
                    format!("case {}:{case_id}, file {}", case.county_id, f.seq),
                )
                .await?;
                tx.commit().await?;
                Ok((f, true))
            }
            None => {
                drop(tx);
                Ok((self.one(&same(&case, &sha)).await?, false))
            }
        }
    }

    /// The photos of a case its reporter may see (marked public when uploaded), found by the case
    /// number and tracking code like the case itself.
    async fn public_case_files(
        &self,
        county: i64,
        case_id: i64,
        code: &str,
    ) -> Result<Vec<CaseFile>> {
        let case = self.case_by_tracking(county, case_id, code).await?;
        self.all(&Q::with(
            &format!(
                "SELECT {COLS} FROM case_files t WHERE t.county_id = ? AND t.case_id = ? AND t.is_public = ? ORDER BY t.seq"
            ),
            vec![case.county_id.into(), case.id.into(), xiangzhi_storage::sql::Arg::Bool(true)],
        ))
        .await
    }

    /// One public photo of a case, by the case number and tracking code.
    async fn public_case_file(
        &self,
        county: i64,
        case_id: i64,
        code: &str,
        seq: i64,
    ) -> Result<(CaseFile, Vec<u8>)> {
        let f = self
            .public_case_files(county, case_id, code)
            .await?
            .into_iter()
            .find(|f| f.seq == seq)
            .ok_or(StoreError::NotFound)?;
        let (data,): (Vec<u8>,) = self
            .one(&Q::with(
                "SELECT t.data FROM case_files t WHERE t.county_id = ? AND t.case_id = ? AND t.seq = ?",
                vec![f.county_id.into(), f.case_id.into(), seq.into()],
            ))
            .await?;
        Ok((f, data))
    }

    /// The files of a case in the scope, in the order they came.
    async fn case_files(&self, scope: &Scope, case_id: i64) -> Result<Vec<CaseFile>> {
        let case = self.get_case(scope, case_id).await?;
        self.all(&Q::with(
            &format!(
                "SELECT {COLS} FROM case_files t WHERE t.county_id = ? AND t.case_id = ? ORDER BY t.seq"
            ),
            vec![case.county_id.into(), case.id.into()],
        ))
        .await
    }

    /// One file of a case in the scope, with its contents.
    async fn case_file(
        &self,
        scope: &Scope,
        case_id: i64,
        seq: i64,
    ) -> Result<(CaseFile, Vec<u8>)> {
        let case = self.get_case(scope, case_id).await?;
        let args = || -> Vec<xiangzhi_storage::sql::Arg> {
            vec![case.county_id.into(), case.id.into(), seq.into()]
        };
        let f: CaseFile = self
            .one(&Q::with(
                &format!("SELECT {COLS} FROM case_files t WHERE t.county_id = ? AND t.case_id = ? AND t.seq = ?"),
                args(),
            ))
            .await?;
        let (data,): (Vec<u8>,) = self
            .one(&Q::with(
                "SELECT t.data FROM case_files t WHERE t.county_id = ? AND t.case_id = ? AND t.seq = ?",
                args(),
            ))
            .await?;
        Ok((f, data))
    }
}
