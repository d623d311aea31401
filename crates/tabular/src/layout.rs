//! A file layout a feature offers to the command line's `import` and `export`: its names and the
//! functions that read and write it.

use crate::{ExchangeError, ImportReport, Progress};
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use xiangzhi_storage::{Db, Scope};

/// What an import answers.
pub type ImportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<ImportReport, ExchangeError>> + Send + 'a>>;
/// What an export answers: the number of rows written.
pub type ExportFuture<'a> = Pin<Box<dyn Future<Output = Result<usize, ExchangeError>> + Send + 'a>>;

/// One file layout.
pub struct FileLayout {
    /// Its name on the command line (`households`).
    pub name: &'static str,
    /// Other names it answers to (`户`, `居民`).
    pub aliases: &'static [&'static str],
    /// Reads a file into the database, all or nothing, within the scope (and the county given or
    /// the only one present).
    pub import:
        for<'a> fn(&'a Db, &'a Scope, &'a Path, Option<i64>, &'a dyn Progress) -> ImportFuture<'a>,
    /// Writes the scope's (or the county's) rows to a file in the same layout; personal data
    /// (ID numbers, phones, birth dates) masked unless `full` (the caller has checked the right
    /// and recorded the purpose).
    pub export: for<'a> fn(&'a Db, &'a Scope, &'a Path, Option<i64>, bool) -> ExportFuture<'a>,
    /// Offered in the console and the API too (imported as a job), or the command line's only.
    pub offered: Option<&'static crate::plan::Offered>,
}

impl FileLayout {
    pub fn answers_to(&self, name: &str) -> bool {
        self.name == name || self.aliases.contains(&name)
    }
}

/// The layout called `name` among `all`, or an error listing the names there are.
pub fn find<'l>(all: &[&'l FileLayout], name: &str) -> Result<&'l FileLayout, String> {
    all.iter()
        .copied()
        .find(|l| l.answers_to(name))
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|l| l.name).collect();
            format!(
                "未知的数据类别“{name}” / unknown layout '{name}': {}",
                names.join(", ")
            )
        })
}

/// Declares `pub const $name: FileLayout` for one variant of a feature's layout enum, reading and
/// writing through the feature's own `import(db, scope, which, path, county, progress)` and
/// `export(db, scope, which, path, county, full)` functions (found where the macro is used).
#[macro_export]
macro_rules! file_layout {
    ($name:ident, $which:expr, $cli:literal, [$($alias:literal),*]) => {
        pub const $name: $crate::FileLayout = $crate::FileLayout {
            name: $cli,
            aliases: &[$($alias),*],
            import: |db, scope, path, county, progress| {
                Box::pin(import(db, scope, $which, path, county, progress))
            },
            export: |db, scope, path, county, full| {
                Box::pin(export(db, scope, $which, path, county, full))
            },
            offered: None,
        };
    };
    // Offered in the console and the API: a title, the right an import needs, and the feature's
    // `check(db, scope, which, name, bytes, county, progress)` and `template_header(which)`.
    ($name:ident, $which:expr, $cli:literal, [$($alias:literal),*], $zh:literal, $en:literal, $right:expr) => {
        pub const $name: $crate::FileLayout = $crate::FileLayout {
            name: $cli,
            aliases: &[$($alias),*],
            import: |db, scope, path, county, progress| {
                Box::pin(import(db, scope, $which, path, county, progress))
            },
            export: |db, scope, path, county, full| {
                Box::pin(export(db, scope, $which, path, county, full))
            },
            offered: Some(&$crate::plan::Offered {
                zh: $zh,
                en: $en,
                right: $right,
                template: || template_header($which),
                check: |db, scope, name, bytes, county, progress| {
                    Box::pin(check(db, scope, $which, name, bytes, county, progress))
                },
            }),
        };
    };
}
