//! Migrations that reshape data keep what was there: applied to a database as an earlier
//! release left it, they must carry every entry over.

use ayni::db::MIGRATOR;
use serde_json::{json, Value};
use sqlx::migrate::Migrator;

use crate::support::TestDb;

/// Brings `db` to the schema of migration `version`, as an older release would have.
async fn migrate_to(db: &TestDb, version: i64) {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(&source).expect("read migrations/") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().expect("a name").to_string_lossy().into_owned();
        let number: i64 = name.split('_').next().and_then(|n| n.parse().ok()).expect("a numbered migration");
        if number <= version {
            std::fs::copy(&path, dir.path().join(&name)).expect("copy a migration");
        }
    }
    Migrator::new(dir.path()).await.expect("read the migrations").run(&db.pool).await.expect("migrate");
}

#[tokio::test]
async fn the_change_log_and_audit_log_keep_their_entries_when_they_name_subjects() {
    let db = TestDb::blank().await;
    migrate_to(&db, 6).await;
    let pool = &db.pool;
    let ids: Vec<i64> = sqlx::query_scalar(
        "insert into users (email, display_name) values ('ana@x.gob.pe', 'Ana'), ('luis@x.gob.pe', 'Luis')
         returning id",
    )
    .fetch_all(pool)
    .await
    .expect("users");
    let (ana, luis) = (ids[0], ids[1]);
    sqlx::query(
        "insert into audit_log (actor_id, action, subject_id, case_slug, detail) values
             ($1, 'account.created', $1, null, 'signup'),
             (null, 'account.created', $2, null, 'cli:admin'),
             ($2, 'role.changed', $1, null, 'member>editor:cusco,puno'),
             ($2, 'role.changed', $1, null, 'editor>editor:*'),
             ($2, 'role.changed', $1, null, 'editor>member'),
             ($1, 'token.created', $1, null, 'script'),
             ($2, 'case.draft', null, 'un-caso', 'Falta la fuente.'),
             ($2, 'case.deleted', null, 'otro-caso', '')",
    )
    .bind(ana)
    .bind(luis)
    .execute(pool)
    .await
    .expect("old audit entries");
    sqlx::query("insert into case_changes (case_id) values (41), (42)").execute(pool).await.expect("old changes");

    MIGRATOR.run(pool).await.expect("the new migrations apply");

    let entries: Vec<(String, Option<String>, Option<String>, Value)> =
        sqlx::query_as("select action, subject_kind, subject_key, details from audit_log order by id")
            .fetch_all(pool)
            .await
            .expect("audit entries");
    let (a, l) = (Some(ana.to_string()), Some(luis.to_string()));
    let account = Some("account".to_string());
    let case = Some("case".to_string());
    assert_eq!(
        entries,
        [
            ("account.created".into(), account.clone(), a.clone(), json!({"via": "signup"})),
            ("account.created".into(), account.clone(), l, json!({"via": "cli", "role": "admin"})),
            (
                "role.changed".into(),
                account.clone(),
                a.clone(),
                json!({"from": "member", "to": "editor", "regions": ["cusco", "puno"]})
            ),
            (
                "role.changed".into(),
                account.clone(),
                a.clone(),
                json!({"from": "editor", "to": "editor", "all_regions": true})
            ),
            ("role.changed".into(), account.clone(), a.clone(), json!({"from": "editor", "to": "member"})),
            ("token.created".into(), account, a, json!({"token": "script"})),
            ("case.draft".into(), case.clone(), Some("un-caso".into()), json!({"note": "Falta la fuente."})),
            ("case.deleted".into(), case, Some("otro-caso".into()), json!({})),
        ]
    );
    // What the audit page reads back: every entry parses into its typed action and details.
    let (listed, total) = db.store().audit_log(20, 0).await.expect("the audit page's query");
    assert_eq!(total, 8);
    assert!(listed.iter().any(|e| e.details.as_ref().is_some_and(|d| d.regions == ["cusco", "puno"])));

    let changes: Vec<(String, String)> =
        sqlx::query_as("select doc_type, doc_key from changes order by id").fetch_all(pool).await.expect("changes");
    assert_eq!(changes, [("case".to_string(), "41".to_string()), ("case".to_string(), "42".to_string())]);
    // And new writes keep logging, by type and key, after the old entries.
    let latest = db.store().latest_change_id().await.expect("latest");
    sqlx::query("select log_case_change(43)").execute(pool).await.expect("log a change");
    let next = db.store().changes_after(latest, 10).await.expect("changes after");
    assert_eq!(next.len(), 1);
    assert_eq!((next[0].doc_type.map(|t| t.as_str()), next[0].doc_key.as_str()), (Some("case"), "43"));
}
