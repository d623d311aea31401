//! Cross-village alliance planning through the API: profiles in, a plan as a background job with
//! progress, every alliance checked here independently of the planner, locks/pins/forbids obeyed,
//! two plans compared, acceptance forming joint party organisations all or nothing, and formed
//! alliances kept by later plans.

use crate::api::{seed_tree, Client};
use crate::helpers::TestDb;
use crate::on_both;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};

/// Polls a plan until it is done or failed, and returns it.
pub async fn wait(c: &Client, id: i64) -> Value {
    for _ in 0..600 {
        let v = c.ok("GET", &format!("/api/v1/plans/{id}"), None).await;
        let status = v["status"].as_str().unwrap_or("").to_string();
        if status != "queued" && status != "running" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("plan {id} did not finish");
}

const W: usize = 5;
const H: usize = 4;

fn code(i: usize) -> String {
    format!("141029100{:03}", i + 101)
}

/// Twenty villages on a 5×4 lattice of the township 昌宁镇: populations, leads and targets such
/// that several alliances of 3–5 villages with 1,000–2,000 people fit.
fn profiles() -> Vec<Value> {
    (0..W * H)
        .map(|i| {
            let (x, y) = (i % W, i / W);
            let mut nb = Vec::new();
            if x > 0 {
                nb.push(code(i - 1));
            }
            if x + 1 < W {
                nb.push(code(i + 1));
            }
            if y > 0 {
                nb.push(code(i - W));
            }
            if y + 1 < H {
                nb.push(code(i + W));
            }
            let industry = ["苹果", "核桃", "花椒"][i % 3];
            json!({
                "code": code(i),
                "population": 250 + (i * 137) % 300,
                "longitude": 110.8 + x as f64 * 0.02,
                "latitude": 36.0 + y as f64 * 0.02,
                "industries": [industry],
                "income_fen": (i as i64 % 7) * 20_000_000,
                "target": i % 5 != 0 && i % 3 != 0,
                "may_lead": i % 3 == 0,
                "neighbours": nb,
            })
        })
        .collect()
}

/// Checks every alliance against the rules from the profiles alone; returns the member sets.
fn check_plan(result: &Value, profiles: &[Value]) -> Vec<BTreeSet<String>> {
    let by: HashMap<String, &Value> = profiles
        .iter()
        .map(|p| (p["code"].as_str().unwrap().to_string(), p))
        .collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for a in result["alliances"].as_array().unwrap() {
        let members: BTreeSet<String> = a["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["code"].as_str().unwrap().to_string())
            .collect();
        assert!((3..=5).contains(&members.len()), "size {a}");
        let pop: i64 = members
            .iter()
            .map(|m| by[m]["population"].as_i64().unwrap())
            .sum();
        assert!((1000..=2000).contains(&pop), "population {pop} in {a}");
        assert_eq!(a["population"].as_i64().unwrap(), pop);
        let leads: Vec<&String> = members
            .iter()
            .filter(|m| by[*m]["may_lead"].as_bool().unwrap())
            .collect();
        assert_eq!(leads.len(), 1, "one lead in {a}");
        assert_eq!(a["lead"].as_str().unwrap(), leads[0]);
        // Connected through the given borders.
        let start = members.iter().next().unwrap().clone();
        let mut reach = BTreeSet::from([start.clone()]);
        let mut stack = vec![start];
        while let Some(v) = stack.pop() {
            for n in by[&v]["neighbours"].as_array().unwrap() {
                let n = n.as_str().unwrap().to_string();
                if members.contains(&n) && reach.insert(n.clone()) {
                    stack.push(n);
                }
            }
        }
        assert_eq!(reach, members, "connected: {a}");
        for m in &members {
            assert!(seen.insert(m.clone()), "{m} in two alliances");
        }
        out.push(members);
    }
    for u in result["unplaced"].as_array().unwrap() {
        assert!(!u["zh"].as_str().unwrap().is_empty() && !u["en"].as_str().unwrap().is_empty());
        assert!(!seen.contains(u["code"].as_str().unwrap()));
    }
    out
}

/// The test township's twenty villages and its party committee (whose id is returned).
pub async fn seed_villages(admin: &Client) -> i64 {
    seed_tree(admin).await;
    add_villages(admin).await;
    crate::api::township_committee(admin).await
}

/// The twenty villages of the lattice, in 昌宁镇 (which must exist).
pub async fn add_villages(admin: &Client) {
    for i in 0..W * H {
        admin
            .ok(
                "POST",
                "/api/v1/divisions",
                Some(json!({"code": code(i), "name": format!("{}村", i + 1), "parent_code": "141029100000"})),
            )
            .await;
    }
}

/// The villages and their profiles, stored.
pub async fn seed_profiles(admin: &Client) -> Vec<Value> {
    seed_villages(admin).await;
    put_profiles(admin).await
}

/// The twenty villages' profiles, stored.
pub async fn put_profiles(admin: &Client) -> Vec<Value> {
    let profiles = profiles();
    admin
        .ok("PUT", "/api/v1/village-profiles", Some(json!(profiles)))
        .await;
    profiles
}

async fn plans(t: &TestDb) {
    let admin = Client::new(t).await;
    let committee = seed_villages(&admin).await;

    // Bad profiles: every bad row named, nothing stored.
    let (s, v, _) = admin
        .call(
            "PUT",
            "/api/v1/village-profiles",
            Some(json!([
                {"code": code(0), "population": 300, "target": true, "may_lead": false},
                {"code": "141029100999", "population": 300, "target": true, "may_lead": false},
                {"code": code(2), "population": -5, "target": true, "may_lead": false},
            ])),
        )
        .await;
    assert_eq!(s.as_u16(), 422, "{v}");
    let text = v.to_string();
    assert!(
        text.contains("rows[1].code") && text.contains("rows[2].population"),
        "{v}"
    );
    assert!(text.contains("不是本辖区内登记的村"), "{v}");
    let stored = admin.ok("GET", "/api/v1/village-profiles", None).await;
    assert_eq!(stored.as_array().unwrap().len(), 0, "nothing half-written");

    // Planning before profiles exist says what is missing.
    let (s, v, _) = admin
        .call(
            "POST",
            "/api/v1/plans",
            Some(json!({"division_code": "141029100000"})),
        )
        .await;
    assert_eq!(s.as_u16(), 422, "{v}");
    assert!(v.to_string().contains("村情"), "{v}");

    let profiles = profiles();
    let stored = admin
        .ok("PUT", "/api/v1/village-profiles", Some(json!(profiles)))
        .await;
    assert_eq!(stored["stored"], 20);
    let list = admin.ok("GET", "/api/v1/village-profiles", None).await;
    assert_eq!(list.as_array().unwrap().len(), 20);
    assert_eq!(list[0]["township_name"], "昌宁镇");

    // A plan, run in the background, with progress.
    let (s, started, _) = admin
        .call(
            "POST",
            "/api/v1/plans",
            Some(json!({"division_code": "141029100000", "seed": 7})),
        )
        .await;
    assert_eq!(s.as_u16(), 202, "{started}");
    assert_eq!(started["villages_total"], 20);
    let first_id = started["id"].as_i64().unwrap();
    let first = wait(&admin, first_id).await;
    assert_eq!(first["status"], "done", "{first}");
    assert_eq!(first["villages_done"], first["villages_total"]);
    let r1 = &first["result"];
    let groups1 = check_plan(r1, &profiles);
    assert!(groups1.len() >= 3, "{r1}");
    assert_eq!(
        r1["score"]["alliances"].as_u64().unwrap() as usize,
        groups1.len()
    );
    assert_eq!(r1["villages"].as_array().unwrap().len(), 20);

    // Forbid two villages of the first plan's first alliance, pin two others: obeyed.
    let g: Vec<&String> = groups1[0].iter().collect();
    let (fa, fb) = (g[0].clone(), g[1].clone());
    let second_id = admin
        .ok(
            "POST",
            "/api/v1/plans",
            Some(json!({"division_code": "141029100000", "seed": 7, "forbids": [[fa, fb]], "pins": [[code(1), code(2)]]})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let second = wait(&admin, second_id).await;
    assert_eq!(second["status"], "done", "{second}");
    let groups2 = check_plan(&second["result"], &profiles);
    for m in &groups2 {
        assert!(
            !(m.contains(&fa) && m.contains(&fb)),
            "forbidden pair together: {m:?}"
        );
        assert_eq!(
            m.contains(&code(1)),
            m.contains(&code(2)),
            "pinned pair split: {m:?}"
        );
    }

    // Comparing the two plans.
    let cmp = admin
        .ok(
            "GET",
            &format!("/api/v1/plans/{first_id}/compare/{second_id}"),
            None,
        )
        .await;
    let n = |k: &str| cmp[k].as_array().unwrap().len();
    assert_eq!(n("both") + n("only_first"), groups1.len());
    assert_eq!(n("both") + n("only_second"), groups2.len());
    assert!(n("only_first") >= 1, "the forbid changed something: {cmp}");

    // Accepting the second plan forms one joint committee per alliance, under the township's.
    let orgs = admin
        .ok("POST", &format!("/api/v1/plans/{second_id}/accept"), None)
        .await;
    let orgs = orgs.as_array().unwrap();
    assert_eq!(orgs.len(), groups2.len());
    for o in orgs {
        assert_eq!(o["kind"], "joint_committee");
        assert_eq!(o["parent_id"].as_i64(), Some(committee));
        assert!(o["name"].as_str().unwrap().contains("联合党委"));
    }
    let accepted = admin
        .ok("GET", &format!("/api/v1/plans/{second_id}"), None)
        .await;
    assert_eq!(accepted["status"], "accepted");
    let (s, _, _) = admin
        .call("POST", &format!("/api/v1/plans/{second_id}/accept"), None)
        .await;
    assert_eq!(s.as_u16(), 409, "accepted twice");

    // The first plan overlaps the formed alliances: accepting it is refused whole.
    let orgs_before = admin.ok("GET", "/api/v1/party-orgs?limit=500", None).await["items"]
        .as_array()
        .unwrap()
        .len();
    let (s, v, _) = admin
        .call("POST", &format!("/api/v1/plans/{first_id}/accept"), None)
        .await;
    assert_eq!(s.as_u16(), 409, "{v}");
    assert!(v.to_string().contains("已属于"), "{v}");
    let orgs_after = admin.ok("GET", "/api/v1/party-orgs?limit=500", None).await["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(orgs_before, orgs_after, "nothing half-written");
    assert_eq!(
        admin
            .ok("GET", &format!("/api/v1/plans/{first_id}"), None)
            .await["status"],
        "done"
    );

    // A later plan keeps the formed alliances as they are (locked).
    let third_id = admin
        .ok(
            "POST",
            "/api/v1/plans",
            Some(json!({"division_code": "141029100000", "seed": 99})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let third = wait(&admin, third_id).await;
    let r3 = &third["result"];
    let locked: BTreeSet<BTreeSet<String>> = r3["alliances"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["locked"].as_bool().unwrap())
        .map(|a| {
            a["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["code"].as_str().unwrap().to_string())
                .collect()
        })
        .collect();
    assert_eq!(locked, groups2.iter().cloned().collect());

    // A township officer of the other township sees none of it.
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let (s, _, _) = other
        .call("GET", &format!("/api/v1/plans/{first_id}"), None)
        .await;
    assert_eq!(s.as_u16(), 404);
    assert_eq!(
        other.ok("GET", "/api/v1/plans", None).await,
        json!([]),
        "no plans of another township"
    );
    assert_eq!(
        other.ok("GET", "/api/v1/village-profiles", None).await,
        json!([])
    );
    // An officer of the township itself may plan it.
    let own = Client::as_role(t, "township_officer", "141029100000").await;
    let (s, v, _) = own
        .call(
            "POST",
            "/api/v1/plans",
            Some(json!({"division_code": "141029100000", "same_township": true})),
        )
        .await;
    assert_eq!(s.as_u16(), 202, "{v}");
    wait(&own, v["id"].as_i64().unwrap()).await;
}
on_both!(alliance_plans_through_the_api, plans);

/// Runs the `xiangzhi` binary on a SQLite database in `dir`; returns (success, stdout + stderr).
fn xiangzhi(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xiangzhi"))
        .args([
            "--database-url",
            &format!("sqlite://{}", dir.join("x.db").display()),
        ])
        .args(args)
        .current_dir(dir)
        .env("XIANGZHI_DATA_KEY", crate::helpers::TEST_DATA_KEY)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `xiangzhi plan` from a village file (CSV in, CSV/xlsx/GeoJSON out), `xiangzhi profiles` into
/// the registry (a bad file names its rows and stores nothing), and `xiangzhi plan --division`
/// from the registry.
#[test]
fn the_command_line_plans_from_a_file_and_from_the_registry() {
    let dir = std::env::temp_dir().join(format!("xz-plan-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut csv = String::from("村代码,村名,人口,经度,纬度,主导产业,村集体收入,支部评定,乡镇\n");
    for p in profiles() {
        csv.push_str(&format!(
            "{},{}村,{},{},{},{},{},{},昌宁镇\n",
            p["code"].as_str().unwrap(),
            p["code"].as_str().unwrap(),
            p["population"],
            p["longitude"],
            p["latitude"],
            p["industries"][0].as_str().unwrap(),
            p["income_fen"].as_i64().unwrap() / 100,
            if p["target"].as_bool().unwrap() {
                "软弱涣散"
            } else {
                "一般"
            },
        ));
    }
    std::fs::write(dir.join("v.csv"), &csv).unwrap();
    let (ok, text) = xiangzhi(
        &dir,
        &[
            "plan",
            "--input",
            "v.csv",
            "--out",
            "p.csv",
            "--out",
            "p.xlsx",
            "--out",
            "p.geojson",
            "--summary",
            "s.json",
            "--link-km",
            "2.5",
        ],
    );
    assert!(ok, "{text}");
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("s.json")).unwrap()).unwrap();
    assert!(summary["alliances"].as_u64().unwrap() >= 3, "{summary}");
    assert_eq!(summary["villages"], 20);
    let plan_csv = std::fs::read_to_string(dir.join("p.csv")).unwrap();
    assert_eq!(plan_csv.lines().count(), 21, "{plan_csv}");
    assert!(std::fs::metadata(dir.join("p.xlsx")).unwrap().len() > 1000);
    let geo: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("p.geojson")).unwrap()).unwrap();
    assert_eq!(geo["features"].as_array().unwrap().len(), 20);

    // The registry: divisions, then profiles (a bad file first), then a plan of the township.
    let mut divs = String::from("code,name,level,parent_code\n141029000000,乡宁县,county,\n141029100000,昌宁镇,township,141029000000\n");
    for i in 0..W * H {
        divs.push_str(&format!("{},{}村,village,141029100000\n", code(i), i + 1));
    }
    std::fs::write(dir.join("d.csv"), divs).unwrap();
    let (ok, text) = xiangzhi(&dir, &["import", "divisions", "d.csv"]);
    assert!(ok, "{text}");
    let bad = csv.replacen(&code(1), "141029100999", 1);
    std::fs::write(dir.join("bad.csv"), bad).unwrap();
    let (ok, text) = xiangzhi(&dir, &["profiles", "bad.csv"]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("第3行") && text.contains("141029100999"),
        "{text}"
    );
    assert!(text.contains("nothing stored"), "{text}");
    let (ok, text) = xiangzhi(
        &dir,
        &["plan", "--division", "141029100000", "--out", "r.csv"],
    );
    assert!(
        !ok && text.contains("xiangzhi profiles"),
        "no profiles yet: {text}"
    );
    let (ok, text) = xiangzhi(&dir, &["profiles", "v.csv"]);
    assert!(ok && text.contains("20"), "{text}");
    let (ok, text) = xiangzhi(
        &dir,
        &[
            "plan",
            "--division",
            "141029100000",
            "--out",
            "r.csv",
            "--summary",
            "r.json",
            "--link-km",
            "2.5",
        ],
    );
    assert!(ok, "{text}");
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.json")).unwrap()).unwrap();
    assert_eq!(r["villages"], 20);
    assert_eq!(
        r["alliances"], summary["alliances"],
        "the same villages, the same plan"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
