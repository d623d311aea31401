//! The demo county's part of this feature: its case categories.

use crate::store::{CaseCategory, CaseIntake};
use xiangzhi_storage::{Db, Result, Scope};

/// Case categories of the demo county: code, name, the level that should settle it, dispute.
pub const CASE_CATEGORIES: [(&str, &str, crate::rules::CaseLevel, bool); 10] = {
    use crate::rules::CaseLevel::*;
    [
        ("neighbour", "邻里纠纷", MicroGrid, true),
        ("family", "婚姻家庭纠纷", Grid, true),
        ("land", "土地山林纠纷", Village, true),
        ("wages", "拖欠工资", Township, true),
        ("sanitation", "环境卫生", Grid, false),
        ("road", "道路桥梁破损", Village, false),
        ("water", "饮水供水", Village, false),
        ("hazard", "安全隐患", Township, false),
        ("assistance", "救助帮扶", Township, false),
        ("policy", "政策咨询", County, false),
    ]
};

/// Stores the county's case categories and the level that should settle each (小事不出村、大事不出乡).
pub async fn build(db: &Db, county: i64) -> Result<String> {
    for (code, name, level, dispute) in CASE_CATEGORIES {
        db.put_case_category(
            &Scope::everything().by(xiangzhi_storage::Actor::system("demo builder")),
            &CaseCategory {
                county_id: county,
                code: code.to_string(),
                name: name.to_string(),
                level,
                is_dispute: dispute,
                // Welfare and policy questions are about one family: never published.
                is_public: !dispute && !matches!(code, "assistance" | "policy"),
            },
        )
        .await?;
    }
    Ok(format!(
        "事项类别 case categories {}",
        CASE_CATEGORIES.len()
    ))
}

/// The feature's demo builder.
pub fn builder<'a>(
    db: &'a Db,
    county: &'a xiangzhi_web::feature::DemoCounty,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String>> + Send + 'a>> {
    Box::pin(build(db, county.county_id))
}
