//! The bilingual validation error every parser in the domain returns.

use std::fmt;

/// Why a value was rejected, in Simplified Chinese and in English. The edge (API, import) adds the
/// field, row and column; the domain only knows what is wrong with the value itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub zh: String,
    pub en: String,
}

impl Invalid {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.zh, self.en)
    }
}

impl std::error::Error for Invalid {}
