//! Defects found reading the code (issue 16), each on both backends.

use crate::api::{seed_tree, Client};
use crate::helpers::TestDb;
use crate::on_both;
use serde_json::json;
use xiangzhi_cases::prelude::*;

/// Searches treat `%`, `_` and `\` literally and fold only ASCII case, the same on both backends.
async fn like_searches(t: &TestDb) {
    let admin = Client::new(t).await;
    seed_tree(&admin).await;
    for (i, name) in [
        "Wang_Li村",
        "WangXLi村",
        "50%村",
        "500村",
        "Éva村",
        "éva村",
        "a\\b村",
    ]
    .iter()
    .enumerate()
    {
        admin
            .ok(
                "POST",
                "/api/v1/divisions",
                Some(json!({"code": format!("141029101{:03}", 100 + i), "name": name, "parent_code": "141029101000"})),
            )
            .await;
    }
    let found = |q: &'static str| {
        let admin = &admin;
        async move {
            let uri = format!(
                "/api/v1/divisions?parent=141029101000&q={}",
                q.bytes().map(|b| format!("%{b:02X}")).collect::<String>()
            );
            let mut names: Vec<String> = admin.ok("GET", &uri, None).await["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["name"].as_str().unwrap().to_string())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(
        found("wang_li").await,
        ["Wang_Li村"],
        "_ is literal, case folds"
    );
    assert_eq!(found("50%").await, ["50%村"], "% is literal");
    assert_eq!(found("a\\b").await, ["a\\b村"], "\\ is literal");
    assert_eq!(found("é").await, ["éva村"], "only ASCII letters fold");
    assert_eq!(found("WANGXLI").await, ["WangXLi村"]);
}
on_both!(like_is_literal_and_alike, like_searches);

/// Case numbers are unique per county: a province-wide caller asking for a number two counties
/// share is told so instead of being handed either.
async fn ambiguous_case_numbers(t: &TestDb) {
    use xiangzhi_cases::rules::CaseLevel;
    use xiangzhi_cases::store::CaseCategory;
    use xiangzhi_storage::Scope;
    let admin = Client::new(t).await;
    seed_tree(&admin).await;
    for (code, name, parent) in [
        ("141028000000", "吉县", None),
        ("141028100000", "吉昌镇", Some("141028000000")),
        ("141028100001", "城北村", Some("141028100000")),
    ] {
        admin
            .ok(
                "POST",
                "/api/v1/divisions",
                Some(json!({"code": code, "name": name, "parent_code": parent})),
            )
            .await;
    }
    let all = Scope::everything();
    for county in [141029, 141028] {
        t.db.put_case_category(
            &all,
            &CaseCategory {
                county_id: county,
                code: "road".into(),
                name: "道路".into(),
                level: CaseLevel::Village,
                is_dispute: false,
                is_public: true,
            },
        )
        .await
        .unwrap();
    }
    let mut ids = Vec::new();
    for village in ["141029100001", "141028100001"] {
        let c =
            t.db.create_case(
                &all,
                &crate::cases::input(village, village),
                None,
                1_900_000_000_000,
            )
            .await
            .unwrap()
            .0;
        ids.push((c.county_id, c.id));
    }
    assert_eq!(
        ids[0].1, ids[1].1,
        "both counties number their first case alike"
    );
    let n = ids[0].1;
    assert!(matches!(
        t.db.get_case(&all, n).await,
        Err(xiangzhi_storage::StoreError::Conflict(_))
    ));
    admin
        .problem("GET", &format!("/api/v1/cases/{n}"), None, 409, "id")
        .await;
    for (county, id) in ids {
        let scope = Scope::division(
            &xiangzhi_domain::DivisionCode::parse(&format!("{county}000000")).unwrap(),
        );
        assert_eq!(t.db.get_case(&scope, id).await.unwrap().county_id, county);
    }
}
on_both!(case_numbers_per_county, ambiguous_case_numbers);

/// Request bodies name the vocabularies their fields take, so clients see the allowed values.
#[tokio::test]
async fn request_enums_are_referenced() {
    let t = TestDb::new(crate::helpers::Backend::Sqlite).await.unwrap();
    let (_, doc) = xiangzhi::api(xiangzhi_web::AppState::new(t.db.clone()));
    let doc = serde_json::to_value(&doc).unwrap();
    t.finish().await;
    let schemas = &doc["components"]["schemas"];
    for (schema, field, vocabulary) in [
        ("CaseInput", "urgency", "Urgency"),
        ("CaseInput", "reporter_kind", "ReporterKind"),
        ("GridInput", "level", "GridLevel"),
        ("StaffInput", "role", "StaffRole"),
        ("NewUser", "role", "Role"),
        ("PartyMemberInput", "status", "MemberStatus"),
    ] {
        let text = schemas[schema]["properties"][field].to_string();
        assert!(
            text.contains(&format!("#/components/schemas/{vocabulary}")),
            "{schema}.{field}: {text}"
        );
        assert!(
            schemas[vocabulary]["enum"].is_array(),
            "{vocabulary} lists its values"
        );
    }
}

/// Registry changes carry the version they were made from: of several made at once from the same
/// version, exactly one is written and the others answer 409.
async fn versioned_updates(t: &TestDb) {
    use std::sync::Arc;
    let admin = Arc::new(Client::new(t).await);
    let (_, micro) = seed_tree(&admin).await;
    let h = admin
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": "V-1", "micro_grid_id": micro, "address": "1号"})),
        )
        .await;
    assert_eq!(h["version"], 1);
    let id = h["id"].as_i64().unwrap();
    let mut handles = Vec::new();
    for i in 0..6 {
        let c = admin.clone();
        handles.push(tokio::spawn(async move {
            c.call(
                "PUT",
                &format!("/api/v1/households/{id}"),
                Some(json!({"number": "V-1", "micro_grid_id": micro, "address": format!("{i}号"), "version": 1})),
            )
            .await
            .0
            .as_u16()
        }));
    }
    let mut codes = Vec::new();
    for h in handles {
        codes.push(h.await.unwrap());
    }
    codes.sort();
    assert_eq!(codes, [200, 409, 409, 409, 409, 409], "{codes:?}");
    let now = admin
        .ok("GET", &format!("/api/v1/households/{id}"), None)
        .await;
    assert_eq!(now["version"], 2);
}
on_both!(stale_writes_refused, versioned_updates);
