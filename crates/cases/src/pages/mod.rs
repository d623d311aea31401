//! The console's case pages: the inbox and a case's page, the public report and tracking pages,
//! the phone page for grid workers, statistics, and notifications.

pub mod cases;
pub mod filing;
pub mod home;
pub mod ledger;
mod map;
pub mod mobile;
pub mod notifications;
pub mod public;
pub mod stats;

/// The words of the case forms (the public report, the console's filing form) for a field a
/// refusal names: a reporter never sees a field's code name.
pub(crate) fn field_words(l: xiangzhi_web::console::L, field: &str) -> &'static str {
    match field {
        "description" => l.t("情况描述", "What happened"),
        "reporter_phone" => l.t("联系电话", "Phone"),
        "reporter_name" => l.t("姓名", "Name"),
        "division_code" | "grid_id" => l.t("地点", "Where"),
        "category" => l.t("类别", "Kind of matter"),
        "urgency" => l.t("紧急程度", "Urgency"),
        "reporter_kind" => l.t("来源", "Source"),
        "latitude" | "longitude" => l.t("位置", "Position"),
        "file" | "name" => l.t("现场照片", "Photo"),
        _ => l.t("填写的内容", "The form"),
    }
}

/// `n` characters drawn from `alphabet` (form keys, tracking codes).
pub(crate) fn random(alphabet: &[u8], n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..n)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}
