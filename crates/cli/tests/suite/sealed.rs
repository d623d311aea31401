//! Personal data at rest: ID numbers and phones are sealed (SM4-GCM) in the database, found by
//! their keyed index, and a database refuses a key other than its own.

use crate::api::{id_number, seed_tree, Client};
use crate::helpers::TestDb;
use crate::on_both;
use serde_json::json;
use xiangzhi_storage::Db;

/// A household with one resident who has a phone; returns (household id, resident id).
async fn one_resident(admin: &Client, number: &str, id: &str, phone: &str) -> (i64, i64) {
    let (_, micro) = seed_tree(admin).await;
    let h = admin
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": number, "micro_grid_id": micro, "address": format!("城关社区{number}")})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let r = admin
        .ok(
            "POST",
            "/api/v1/residents",
            Some(json!({"household_id": h, "name": "封存", "id_number": id,
                "phone": phone, "relation": "head", "tags": []})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    (h, r)
}

async fn sealed_at_rest(t: &TestDb) {
    let admin = Client::new(t).await;
    let number = id_number(7);
    let (h, rid) = one_resident(&admin, "S-1", &number, "13912345678").await;
    let micro = admin.ok("GET", "/api/v1/grids?kind=micro", None).await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let staff = admin
        .ok(
            "POST",
            "/api/v1/staff",
            Some(json!({"name": "网格员甲", "role": "micro", "grid_id": micro, "phone": "13800001111"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();

    // Nothing readable in the tables themselves.
    let db = &t.db;
    let plain = |col: &str, table: &str, v: &str| {
        format!("SELECT COUNT(*) FROM {table} WHERE {col} LIKE '%{v}%'")
    };
    for (table, col, v) in [
        ("residents", "id_number", number.as_str()),
        ("residents", "id_number_hash", number.as_str()),
        ("residents", "phone", "13912345678"),
        ("residents", "phone", "5678"),
        ("grid_staff", "phone", "13800001111"),
    ] {
        assert_eq!(
            db.count_for_tests(&plain(col, table, v)).await.unwrap(),
            0,
            "{table}.{col} holds plain text"
        );
    }
    assert_eq!(
        db.count_for_tests(
            "SELECT COUNT(*) FROM residents WHERE id_number LIKE 's4g1:%' AND phone LIKE 's4g1:%'"
        )
        .await
        .unwrap(),
        1
    );

    // Still searchable by the full number, still unique, still readable (unmasked for the record).
    let found = admin
        .ok("GET", &format!("/api/v1/residents?q={number}"), None)
        .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["id"].as_i64().unwrap(), rid);
    let (status, problem, _) = admin
        .call(
            "POST",
            "/api/v1/residents",
            Some(json!({"household_id": h, "name": "重复", "id_number": number, "relation": "other", "tags": []})),
        )
        .await;
    assert_eq!(status.as_u16(), 409, "{problem}");
    let full = admin
        .ok(
            "GET",
            &format!("/api/v1/residents/{rid}?unmask=true&purpose=test"),
            None,
        )
        .await;
    assert_eq!(full["id_number"], number.as_str());
    assert_eq!(full["phone"], "13912345678");
    let s = admin
        .ok(
            "GET",
            &format!("/api/v1/staff/{staff}?unmask=true&purpose=test"),
            None,
        )
        .await;
    assert_eq!(s["phone"], "13800001111");

    // A restarted server with the same key reads the same data.
    let again = Db::connect(&t.url()).await.unwrap();
    again.close().await;

    // Altered ciphertext is refused, not shown as garbage.
    db.execute_for_tests(&format!(
        "UPDATE residents SET phone = 's4g1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' WHERE id = {rid}"
    ))
    .await
    .unwrap();
    let (status, _, _) = admin
        .call("GET", &format!("/api/v1/residents/{rid}"), None)
        .await;
    assert_eq!(status.as_u16(), 500);

    // Another key's database: the server refuses to start rather than write under two keys.
    db.execute_for_tests(
        "UPDATE settings SET value = '0123456789abcdef' WHERE name = 'data_key_fingerprint'",
    )
    .await
    .unwrap();
    let err = Db::connect(&t.url()).await.unwrap_err().to_string();
    assert!(err.contains("data key does not match"), "{err}");
}
on_both!(sealed, sealed_at_rest);

/// Rows written before encryption at rest existed (plain number in the index column, empty
/// sealed column) are sealed when a server with the key opens the database.
async fn legacy_rows_are_sealed(t: &TestDb) {
    let admin = Client::new(t).await;
    let number = id_number(11);
    let (_, rid) = one_resident(&admin, "L-1", &number, "13700002222").await;
    // A database from before: the plain row, and no record that the sealing pass ran.
    t.db.execute_for_tests(&format!(
        "UPDATE residents SET id_number = '', id_number_hash = '{number}', phone = '13700002222' WHERE id = {rid}"
    ))
    .await
    .unwrap();
    t.db.execute_for_tests("DELETE FROM settings WHERE name = 'plaintext_sealed'")
        .await
        .unwrap();
    let again = Db::connect(&t.url()).await.unwrap();
    again.close().await;
    assert_eq!(
        t.db.count_for_tests(&format!(
            "SELECT COUNT(*) FROM residents WHERE id = {rid} AND id_number LIKE 's4g1:%' \
             AND phone LIKE 's4g1:%' AND id_number_hash <> '{number}'"
        ))
        .await
        .unwrap(),
        1
    );
    let found = admin
        .ok("GET", &format!("/api/v1/residents?q={number}"), None)
        .await;
    assert_eq!(found["items"][0]["id"].as_i64().unwrap(), rid);
    let full = admin
        .ok(
            "GET",
            &format!("/api/v1/residents/{rid}?unmask=true&purpose=test"),
            None,
        )
        .await;
    assert_eq!(full["phone"], "13700002222");
}
on_both!(legacy, legacy_rows_are_sealed);

/// A resident is found by mobile number and by the last four characters of the ID number through
/// keyed indexes (the stored index is neither value); rows from before those indexes get them
/// when a server with the key opens the database.
async fn found_by_phone_and_id_tail(t: &TestDb) {
    let admin = Client::new(t).await;
    let number = id_number(12);
    let (_, rid) = one_resident(&admin, "P-1", &number, "13755556666").await;
    let tail = &number[14..];
    let found = |q: String| {
        let admin = &admin;
        async move {
            let page = admin
                .ok("GET", &format!("/api/v1/residents?q={q}"), None)
                .await;
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("13755556666".into()).await, [rid]);
    assert_eq!(found(tail.into()).await, [rid]);
    assert_eq!(found(tail.to_lowercase()).await, [rid]);
    assert!(found("13755550000".into()).await.is_empty());
    assert_eq!(
        t.db.count_for_tests(&format!(
            "SELECT COUNT(*) FROM residents WHERE id = {rid} AND phone_hash NOT LIKE '%5556666%' \
             AND id_tail_hash <> '{tail}' AND length(id_tail_hash) > 20"
        ))
        .await
        .unwrap(),
        1
    );
    // A row from before the indexes existed.
    t.db.execute_for_tests(&format!(
        "UPDATE residents SET phone_hash = NULL, id_tail_hash = NULL WHERE id = {rid}"
    ))
    .await
    .unwrap();
    t.db.execute_for_tests("DELETE FROM settings WHERE name = 'resident_search_keys'")
        .await
        .unwrap();
    assert!(found("13755556666".into()).await.is_empty());
    let again = Db::connect(&t.url()).await.unwrap();
    again.close().await;
    assert_eq!(found("13755556666".into()).await, [rid]);
    assert_eq!(found(tail.into()).await, [rid]);
}
on_both!(phone_and_id_tail_search, found_by_phone_and_id_tail);
