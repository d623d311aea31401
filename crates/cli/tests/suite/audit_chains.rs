//! The audit log's chains: one per county, appended unchained and linked moments later; every
//! alteration, removal, insertion or move between chains is named; keyed hashes and checkpoints
//! kept apart; retention.

use crate::helpers::TestDb;
use crate::on_both;
use xiangzhi_storage::audit::AuditEntry;

const MIN: i64 = 60_000;

/// An officer's change of a resident of county 141029, as the chain tests write it.
fn resident_change(object: String) -> AuditEntry {
    AuditEntry {
        user_id: Some(1),
        login: "wang".into(),
        action: "PUT /api/v1/residents".into(),
        object,
        outcome: "200".into(),
        source: "127.0.0.1".into(),
        detail: String::new(),
        county_id: Some(141029),
    }
}

async fn fill(t: &TestDb, n: i64) {
    for i in 1..=n {
        t.db.audit(&resident_change(format!("resident 141029:{i}")))
            .await
            .unwrap();
    }
    t.db.audit_link().await.unwrap();
}

async fn tamper(t: &TestDb, sql: &str) -> Option<(i64, String)> {
    t.db.execute_for_tests(sql).await.unwrap();
    t.db.audit_verify()
        .await
        .unwrap()
        .problem
        .map(|p| (p.seq, p.problem))
}

async fn audit_chain(t: &TestDb) {
    fill(t, 20).await;
    let v = t.db.audit_verify().await.unwrap();
    assert_eq!((v.entries, v.problem), (20, None));
    let newest = t.db.audit_entries(None, 5).await.unwrap();
    assert_eq!(
        newest.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [20, 19, 18, 17, 16].map(Some)
    );

    // Altered: the entry itself is named.
    let p = tamper(
        t,
        "UPDATE audit_log SET object = 'resident 141029:999' WHERE seq = 7",
    )
    .await
    .unwrap();
    assert_eq!(p.0, 7);
    assert!(p.1.contains("altered"));
    t.db.execute_for_tests("UPDATE audit_log SET object = 'resident 141029:7' WHERE seq = 7")
        .await
        .unwrap();
    assert_eq!(t.db.audit_verify().await.unwrap().problem, None);

    // Rewritten with a recomputed hash: the next entry no longer links to it.
    let forged = xiangzhi_storage::audit::entry_hash(
        &newest[4].prev_hash,
        16,
        newest[4].at,
        &resident_change("resident 141029:0".into()),
    )
    .unwrap();
    let p = tamper(
        t,
        &format!(
            "UPDATE audit_log SET object = 'resident 141029:0', hash = '{forged}' WHERE seq = 16"
        ),
    )
    .await
    .unwrap();
    assert_eq!(p.0, 17);

    // Removed: the gap is named.
    let u = TestDb::new(crate::helpers::Backend::Sqlite).await.unwrap();
    fill(&u, 20).await;
    let p = tamper(&u, "DELETE FROM audit_log WHERE seq = 12")
        .await
        .unwrap();
    assert_eq!(p.0, 12);
    assert!(p.1.contains("missing"));
    // Removed at the end, and inserted after the end.
    let w = TestDb::new(crate::helpers::Backend::Sqlite).await.unwrap();
    fill(&w, 5).await;
    assert_eq!(
        tamper(&w, "DELETE FROM audit_log WHERE seq = 5")
            .await
            .unwrap()
            .0,
        5
    );
    let x = TestDb::new(crate::helpers::Backend::Sqlite).await.unwrap();
    fill(&x, 5).await;
    let last = x.db.audit_entries(None, 1).await.unwrap().remove(0);
    let p = tamper(
        &x,
        &format!(
            "INSERT INTO audit_log (county_id, id, seq, at, user_id, login, action, object, outcome, source, detail, prev_hash, hash) \
             VALUES (141029, 1000, 6, 0, NULL, 'x', 'x', 'x', 'x', 'x', 'x', '{}', 'x')",
            last.hash
        ),
    )
    .await
    .unwrap();
    assert_eq!(p.0, 6);
    for d in [u, w, x] {
        d.finish().await;
    }
}
on_both!(audit, audit_chain);

async fn audit_retention(t: &TestDb) {
    fill(t, 10).await;
    let day = 24 * 60 * MIN;
    let now = xiangzhi_storage::now_ms();
    assert!(
        t.db.audit_prune(&crate::helpers::tester(), 90, now + 400 * day)
            .await
            .is_err(),
        "less than six months is refused"
    );
    assert_eq!(
        t.db.audit_prune(&crate::helpers::tester(), 183, now)
            .await
            .unwrap(),
        0,
        "nothing is old enough yet"
    );
    // Pretend the first six entries are a year old.
    t.db.execute_for_tests(&format!(
        "UPDATE audit_log SET at = at - {} WHERE seq <= 6",
        365 * day
    ))
    .await
    .unwrap();
    // Changing `at` breaks their hashes, so re-hash them as if written then (test-only forgery).
    let mut prev = "0".repeat(64);
    for e in
        t.db.audit_entries(None, 100)
            .await
            .unwrap()
            .into_iter()
            .rev()
    {
        let entry = e.entry();
        let seq = e.seq.unwrap();
        let h = xiangzhi_storage::audit::entry_hash(&prev, seq, e.at, &entry).unwrap();
        t.db.execute_for_tests(&format!(
            "UPDATE audit_log SET prev_hash = '{prev}', hash = '{h}' WHERE id = {}",
            e.id
        ))
        .await
        .unwrap();
        prev = h;
    }
    t.db.execute_for_tests(&format!(
        "UPDATE audit_heads SET hash = '{prev}' WHERE county_id = 141029"
    ))
    .await
    .unwrap();
    assert_eq!(t.db.audit_verify().await.unwrap().problem, None);
    assert_eq!(
        t.db.audit_prune(&crate::helpers::tester(), 183, now)
            .await
            .unwrap(),
        6
    );
    t.db.audit_link().await.unwrap();
    let v = t.db.audit_verify().await.unwrap();
    assert_eq!(
        (v.entries, v.problem),
        (5, None),
        "the rest, and the prune's own entry, still verify from the anchor"
    );
    // Removing the first remaining entry is still detected.
    assert_eq!(
        tamper(t, "DELETE FROM audit_log WHERE seq = 7")
            .await
            .unwrap()
            .0,
        7
    );
}
on_both!(audit_prune, audit_retention);

/// Rewrites entry 4 and recomputes every later hash and the head with `hash`.
async fn rewrite(db: &xiangzhi_storage::Db, hash: fn(&str, i64, i64, &AuditEntry) -> String) {
    let entries = db.audit_entries(None, 100).await.unwrap();
    let mut prev = String::new();
    for e in entries.into_iter().rev() {
        let seq = e.seq.unwrap();
        if seq < 4 {
            prev = e.hash.clone();
            continue;
        }
        let mut entry = e.entry();
        if seq == 4 {
            entry.object = "resident 141029:666".into();
        }
        let h = hash(&prev, seq, e.at, &entry);
        db.execute_for_tests(&format!(
            "UPDATE audit_log SET object = '{}', prev_hash = '{prev}', hash = '{h}' WHERE id = {}",
            entry.object, e.id
        ))
        .await
        .unwrap();
        prev = h;
    }
    db.execute_for_tests(&format!(
        "UPDATE audit_heads SET hash = '{prev}' WHERE county_id = 141029"
    ))
    .await
    .unwrap();
}

/// The chain is keyed: an entry rewritten and the chain after it recomputed without the key is
/// found; a rewrite with the key, or a log cut short, is found by a checkpoint kept apart; a
/// checkpoint not signed by this system is refused.
async fn audit_keyed(t: &TestDb) {
    use xiangzhi_storage::audit::{legacy_entry_hash, Checkpoint};
    fill(t, 10).await;
    let kept: Vec<Checkpoint> =
        t.db.audit_checkpoint(xiangzhi_storage::now_ms())
            .await
            .unwrap()
            .into_iter()
            .map(|(c, _)| c)
            .collect();
    assert_eq!(kept.len(), 1, "one chain, one checkpoint");
    assert_eq!(kept[0].seq, 10);
    assert!(t
        .db
        .audit_check_checkpoints(Some(&kept))
        .await
        .unwrap()
        .is_empty());

    // Rewrite entry 4 and recompute every later hash and the head as an attacker without the key
    // can (plain SHA-256, the old scheme).
    rewrite(&t.db, legacy_entry_hash).await;
    let p =
        t.db.audit_verify()
            .await
            .unwrap()
            .problem
            .expect("a rewrite without the key is found");
    assert_eq!((p.county_id, p.seq), (141029, 4));
    // Claiming the whole log predates keying is refused too: that record carries a MAC.
    t.db.execute_for_tests("UPDATE settings SET value = '1000' WHERE name = 'audit_keyed_from'")
        .await
        .unwrap();
    assert_eq!(t.db.audit_verify().await.unwrap().problem.unwrap().seq, 0);

    // With the key (an insider), the chain verifies again, but the kept checkpoint does not.
    let u = TestDb::new(crate::helpers::Backend::Sqlite).await.unwrap();
    fill(&u, 10).await;
    let kept: Vec<Checkpoint> =
        u.db.audit_checkpoint(xiangzhi_storage::now_ms())
            .await
            .unwrap()
            .into_iter()
            .map(|(c, _)| c)
            .collect();
    assert_eq!(kept.len(), 1, "one chain, one checkpoint");
    rewrite(&u.db, |p, s, a, e| {
        xiangzhi_storage::audit::entry_hash(p, s, a, e).unwrap()
    })
    .await;
    assert_eq!(u.db.audit_verify().await.unwrap().problem, None);
    let found = u.db.audit_check_checkpoints(Some(&kept)).await.unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0].problem.contains("rewritten"), "{found:?}");
    // Cut short: the last three entries removed and the head moved back.
    let w = TestDb::new(crate::helpers::Backend::Sqlite).await.unwrap();
    fill(&w, 10).await;
    let kept: Vec<Checkpoint> =
        w.db.audit_checkpoint(xiangzhi_storage::now_ms())
            .await
            .unwrap()
            .into_iter()
            .map(|(c, _)| c)
            .collect();
    assert_eq!(kept.len(), 1, "one chain, one checkpoint");
    let seven =
        w.db.audit_entries(None, 10)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.seq == Some(7))
            .unwrap();
    w.db.execute_for_tests("DELETE FROM audit_log WHERE seq > 7")
        .await
        .unwrap();
    w.db.execute_for_tests(&format!(
        "UPDATE audit_heads SET seq = 7, hash = '{}' WHERE county_id = 141029",
        seven.hash
    ))
    .await
    .unwrap();
    assert_eq!(w.db.audit_verify().await.unwrap().problem, None);
    let found = w.db.audit_check_checkpoints(Some(&kept)).await.unwrap();
    assert!(found[0].problem.contains("removed"), "{found:?}");
    // A checkpoint whose signature does not check.
    let mut forged = kept[0].clone();
    forged.hash = seven.hash.clone();
    forged.seq = 7;
    let found = w.db.audit_check_checkpoints(Some(&[forged])).await.unwrap();
    assert!(found[0].problem.contains("signature"), "{found:?}");
    u.finish().await;
    w.finish().await;
}
on_both!(audit_keyed_chain, audit_keyed);

fn entry(county: Option<i64>, i: usize) -> AuditEntry {
    AuditEntry {
        user_id: Some(1),
        login: "wang".into(),
        action: "POST /api/v1/cases".into(),
        object: format!("case {i}"),
        outcome: "201".into(),
        source: "127.0.0.1".into(),
        detail: String::new(),
        county_id: county,
    }
}

/// Writers of three chains append at once while two linkers run at once (two servers): every
/// entry is linked exactly once, each chain's sequence runs without a gap, `verify` names each
/// chain's last linked entry and counts what is not linked yet, and an entry moved into another
/// county's chain is found.
async fn county_chains(t: &TestDb) {
    let counties = [None, Some(141029), Some(141030)];
    let writers = (0..6).map(|w| {
        let db = t.db.clone();
        tokio::spawn(async move {
            for i in 0..20 {
                db.audit(&entry(counties[(w + i) % 3], w * 100 + i))
                    .await
                    .unwrap();
            }
        })
    });
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let linkers: Vec<_> = (0..2)
        .map(|_| {
            let (db, done) = (t.db.clone(), done.clone());
            tokio::spawn(async move {
                let mut linked = 0;
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    linked += db.audit_link().await.unwrap();
                    tokio::task::yield_now().await;
                }
                linked
            })
        })
        .collect();
    for w in writers.collect::<Vec<_>>() {
        w.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut linked = t.db.audit_link().await.unwrap();
    for l in linkers {
        linked += l.await.unwrap();
    }
    assert_eq!(linked, 120, "every entry linked once");
    let v = t.db.audit_verify().await.unwrap();
    assert_eq!((v.entries, v.unlinked, v.problem), (120, 0, None));
    let chains: Vec<(i64, i64, i64)> = v
        .chains
        .iter()
        .map(|c| (c.county_id, c.entries, c.last_seq))
        .collect();
    assert_eq!(
        chains,
        [(0, 40, 40), (141029, 40, 40), (141030, 40, 40)],
        "{:?}",
        v.chains
    );
    assert!(v.chains.iter().all(|c| c.last_id.is_some()));

    // Written and not linked yet: counted, and the chains still verify up to their last link.
    for i in 0..3 {
        t.db.audit(&entry(Some(141029), 900 + i)).await.unwrap();
    }
    let v = t.db.audit_verify().await.unwrap();
    assert_eq!((v.entries, v.unlinked, v.problem), (120, 3, None));
    assert_eq!(v.chains[1].unlinked, 3);
    let newest = t.db.audit_entries(None, 1).await.unwrap().remove(0);
    assert_eq!((newest.county_id, newest.seq), (141029, None));
    assert_eq!(t.db.audit_link().await.unwrap(), 3);
    assert_eq!(t.db.audit_verify().await.unwrap().chains[1].last_seq, 43);

    // Moved into another county's chain: the gap it leaves is named, with its county.
    t.db.execute_for_tests(
        "INSERT INTO audit_log (county_id, id, seq, at, user_id, login, action, object, outcome, source, detail, prev_hash, hash) \
         SELECT 141030, id + 100000, 1000, at, user_id, login, action, object, outcome, source, detail, prev_hash, hash \
         FROM audit_log WHERE county_id = 141029 AND seq = 5",
    )
    .await
    .unwrap();
    t.db.execute_for_tests("DELETE FROM audit_log WHERE county_id = 141029 AND seq = 5")
        .await
        .unwrap();
    let p = t.db.audit_verify().await.unwrap().problem.unwrap();
    assert_eq!((p.county_id, p.seq), (141029, 5), "{p}");
    assert!(p.to_string().contains("county 141029"), "{p}");
}
on_both!(audit_county_chains, county_chains);
