//! The OpenAPI document is a promise to clients: it changes only on purpose. The served document
//! (keys sorted) must equal tests/api/openapi.json; after an intended change, run the suite with
//! `XIANGZHI_BLESS=1` to write the new one, and review its diff.

#[tokio::test]
async fn openapi_document_is_unchanged() {
    let t = crate::helpers::TestDb::new(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    let (_, doc) = xiangzhi::api(xiangzhi_web::AppState::new(t.db.clone()));
    t.finish().await;
    let mut served = sorted(serde_json::to_value(&doc).unwrap());
    // The tags are listed in the order the features are composed: ordering aside, like keys.
    if let Some(tags) = served.get_mut("tags").and_then(|t| t.as_array_mut()) {
        tags.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    }
    // Tuples come out as `prefixItems`, which the schemathesis run rejects: name the fields.
    assert!(
        !served.to_string().contains("\"prefixItems\""),
        "a tuple in the API's types: give its parts names in a struct"
    );
    let text = serde_json::to_string_pretty(&served).unwrap() + "\n";
    let path = crate::helpers::workspace_root().join("tests/api/openapi.json");
    if std::env::var("XIANGZHI_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    if kept != text {
        let (a, b): (Vec<&str>, Vec<&str>) = (kept.lines().collect(), text.lines().collect());
        let first = a
            .iter()
            .zip(&b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        panic!(
            "the OpenAPI document changed (first difference at line {}: kept {:?}, served {:?}); \
             if intended, run with XIANGZHI_BLESS=1 and review the diff of tests/api/openapi.json",
            first + 1,
            a.get(first),
            b.get(first)
        );
    }
}

/// The value with every object's keys in order, so that the order routes were registered in does
/// not count.
fn sorted(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let mut pairs: Vec<(String, Value)> = m.into_iter().collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(pairs.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        v => v,
    }
}

/// utoipa keys the document's schemas by their bare type name, so two features with a type of the
/// same name would silently share one schema and one of them would answer against the other's
/// (the funds statement once did against the points account's). Every feature's schemas, and the
/// platform's, are built apart here; one name must mean one schema.
#[test]
fn schema_names_mean_one_thing() {
    use std::collections::BTreeMap;
    let mut seen: BTreeMap<String, (String, serde_json::Value)> = BTreeMap::new();
    let mut clashes = Vec::new();
    let platform = ("platform", xiangzhi_web::auth::routes());
    let parts =
        std::iter::once(platform).chain(xiangzhi::FEATURES.iter().map(|f| (f.name, (f.api)())));
    for (name, router) in parts {
        let (_, doc) = router.split_for_parts();
        let schemas = doc.components.map(|c| c.schemas).unwrap_or_default();
        for (schema, def) in schemas {
            let def = serde_json::to_value(def).unwrap();
            match seen.get(&schema) {
                Some((other, d)) if *d != def => {
                    clashes.push(format!("{schema}: {other} and {name}"))
                }
                Some(_) => {}
                None => {
                    seen.insert(schema, (name.to_string(), def));
                }
            }
        }
    }
    assert!(
        clashes.is_empty(),
        "schema names defined differently by two parts: {clashes:?}"
    );
}
