//! The OpenAPI document against the server that serves it: openapi-spec-validator checks that it is
//! valid OpenAPI 3.1, then schemathesis (pinned in
//! tests/api/requirements.txt, installed into .venv by scripts/python-setup) generates requests
//! from the document with a fixed seed and a bounded number of examples, on both backends, and the
//! test fails on any 5xx and on any answer whose status, content type or body the document does
//! not describe.

use crate::api::{seed_tree, Client};
use crate::helpers::TestDb;
use crate::on_both;

/// Operations left out of the generated requests, and why.
const EXCLUDED: [(&str, &str); 3] = [
    // Would revoke the token the run authenticates with.
    (
        "DELETE /api/v1/auth/tokens/{id}",
        "revokes the run's own token",
    ),
    // Starts planning jobs of up to two minutes each; the planner has its own tests.
    ("POST /api/v1/plans", "starts long background jobs"),
    // Ends sessions; the run uses a token, so it would test nothing.
    ("POST /api/v1/auth/logout", "the run has no session"),
];

async fn conformance(t: &TestDb) {
    let root = crate::helpers::workspace_root();
    let st = root.join(".venv/bin/schemathesis");
    if !st.exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the conformance test must run under CI: run scripts/python-setup"
        );
        eprintln!("skipping the conformance test: run scripts/python-setup first");
        return;
    }
    // A county with some of everything, and a county administrator's token for the run.
    let admin = Client::new(t).await;
    let _ = crate::console::seed_village(t).await;
    crate::cases::categories(&t.db).await;
    crate::plans::add_villages(&admin).await;
    crate::plans::put_profiles(&admin).await;
    let _ = seed_tree; // the village above already built the tree
    let u = crate::api::add_user(t, "st_admin", "county_admin", "141029000000").await;
    let (_, token) =
        t.db.create_api_token(&crate::helpers::tester(), u.id, "schemathesis")
            .await
            .unwrap();
    // The document itself is valid OpenAPI 3.1.
    let doc = admin.ok("GET", "/api/openapi.json", None).await;
    // Both backends' runs share this process: each has its own files.
    let run = t.tag();
    let file = std::env::temp_dir().join(format!("xz_openapi_{}_{run}.json", std::process::id()));
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = std::process::Command::new(root.join(".venv/bin/openapi-spec-validator"))
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && said.contains("OK"),
        "the OpenAPI document is not valid: {said}"
    );
    let hyp = std::env::temp_dir().join(format!("xz_hypothesis_{}_{run}", std::process::id()));
    let mut args: Vec<String> = [
        "--config-file",
        "tests/api/schemathesis.toml",
        "--no-color",
        "run",
        "{base}/api/openapi.json",
        "--url",
        "{base}",
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        "--phases",
        "examples,coverage,fuzzing",
        "--seed",
        "20261130",
        "--max-examples",
        "25",
        "--generation-database",
        "none",
        "--workers",
        "1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push("-H".into());
    args.push(format!("Authorization: Bearer {token}"));
    for (op, _why) in EXCLUDED {
        args.push("--exclude-name".into());
        args.push(op.into());
    }
    let out = crate::helpers::run_with_args(
        t,
        "schemathesis against the OpenAPI document",
        &st,
        &args,
        &[
            ("HYPOTHESIS_STORAGE_DIRECTORY", hyp.display().to_string()),
            ("NO_PROXY", "127.0.0.1,localhost".into()),
        ],
    )
    .await;
    let _ = std::fs::remove_dir_all(&hyp);
    let summary: Vec<&str> = out.lines().rev().take(12).collect();
    println!(
        "{}",
        summary.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
}
on_both!(openapi_conformance, conformance);
