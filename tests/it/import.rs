//! `ayni import` and the first-start seed, against real PostgreSQL.

use std::{fs, path::Path, process::Command};

use ayni::store::import::{ImportError, When};

use crate::support::{content_dir, Template, TestDb, SEED_CASES};

async fn count(db: &TestDb, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}")).fetch_one(&db.pool).await.expect("count")
}

/// A copy of the seed content to change.
fn copy_of_content() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&content_dir(), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// The concepts of the seed glossary: one `[[concept]]` table each.
fn seed_concepts() -> i64 {
    let dir = content_dir().join("glossary");
    let tables = fs::read_dir(&dir).expect("the seed glossary").flatten().map(|entry| {
        let text = fs::read_to_string(entry.path()).expect("read");
        text.lines().filter(|line| line.trim() == "[[concept]]").count() as i64
    });
    tables.sum()
}

#[tokio::test]
async fn import_loads_everything_then_a_rerun_changes_nothing() {
    let db = TestDb::new(Template::Empty).await;
    let first =
        db.store().import_dir(&content_dir(), When::Always { force: false }).await.expect("import").expect("ran");
    let concepts = seed_concepts();
    assert_eq!(
        first.created.len() as i64,
        SEED_CASES + 1 + concepts,
        "the cases, the workshop of 14 July 2023 and the glossary"
    );
    assert!(first.created.contains(&"glossary/seace".to_string()), "{:?}", first.created);
    assert_eq!((first.updated.len(), first.unchanged, first.conflicts.len()), (0, 0, 0));
    assert_eq!(count(&db, "regions").await, 35);
    assert_eq!(count(&db, "themes").await, 10);
    assert_eq!(count(&db, "cases").await, SEED_CASES);
    let parent: Option<String> = sqlx::query_scalar(
        "select p.slug from regions r join regions p on p.id = r.parent_id where r.slug = 'cusco-provincia'",
    )
    .fetch_one(&db.pool)
    .await
    .expect("parent");
    assert_eq!(parent.as_deref(), Some("cusco"));

    let updated_before: Vec<(String, time::OffsetDateTime)> =
        sqlx::query_as("select slug, updated_at from cases order by slug").fetch_all(&db.pool).await.expect("rows");
    let second =
        db.store().import_dir(&content_dir(), When::Always { force: false }).await.expect("import").expect("ran");
    assert_eq!(
        second.to_string(),
        format!("0 created, 0 updated, {} unchanged, 0 in conflict", SEED_CASES + 1 + concepts)
    );
    let updated_after: Vec<(String, time::OffsetDateTime)> =
        sqlx::query_as("select slug, updated_at from cases order by slug").fetch_all(&db.pool).await.expect("rows");
    assert_eq!(updated_before, updated_after, "a re-run must not touch any case");
}

#[tokio::test]
async fn each_kind_of_bad_file_is_reported_and_nothing_is_written() {
    let db = TestDb::new(Template::Empty).await;
    let dir = copy_of_content();
    let cases = dir.path().join("cases");
    let good = fs::read_to_string(cases.join("guia-gestion-riesgos-integridad-2023.md")).expect("read");
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("broken-toml.md", good.replacen("title = \"", "title = ", 1).into_bytes()),
        ("missing-key.md", remove_line(&good, "summary = ").into_bytes()),
        ("unknown-key.md", good.replacen("year = ", "colour = \"red\"\nyear = ", 1).into_bytes()),
        ("unknown-region.md", replace_line(&good, "region = ", "region = \"atlantis\"").into_bytes()),
        ("unknown-theme.md", replace_line(&good, "themes = ", "themes = [\"astrology\"]").into_bytes()),
        ("year-not-a-number.md", replace_line(&good, "year = ", "year = \"dos mil\"").into_bytes()),
        ("not-utf8.md", b"+++\ntitle = \"Gesti\xf3n\"\n+++\n".to_vec()),
        ("Bad_Slug.md", good.clone().into_bytes()),
        ("history.md", good.clone().into_bytes()),
    ];
    for (name, bytes) in &bad {
        fs::write(cases.join(name), bytes).expect("write");
    }
    // A duplicate slug in regions.toml.
    let regions = fs::read_to_string(dir.path().join("regions.toml")).expect("read");
    fs::write(
        dir.path().join("regions.toml"),
        format!("{regions}\n[[region]]\nslug = \"cusco\"\nname = \"Otra\"\nlevel = \"regional\"\n"),
    )
    .expect("write");

    let Err(ImportError::Content(errors)) = db.store().import_dir(dir.path(), When::Always { force: false }).await
    else {
        panic!("bad files must be refused");
    };
    let lines: Vec<String> = errors.0.iter().map(|e| e.to_string()).collect();
    for (name, _) in &bad {
        assert!(lines.iter().any(|l| l.contains(&format!("cases/{name}:"))), "{name} not reported in {lines:#?}");
    }
    assert!(
        lines.iter().any(|l| l.contains("regions.toml:") && l.contains("duplicate region slug \"cusco\"")),
        "{lines:#?}"
    );
    let unknown_region = lines.iter().find(|l| l.contains("unknown-region.md")).expect("reported");
    assert!(unknown_region.contains(":4: unknown region \"atlantis\""), "{unknown_region}");
    for table in ["regions", "themes", "cases", "ayni_meta"] {
        assert_eq!(count(&db, table).await, 0, "{table} must stay empty");
    }
}

fn replace_line(text: &str, prefix: &str, with: &str) -> String {
    text.lines().map(|l| if l.starts_with(prefix) { with } else { l }).collect::<Vec<_>>().join("\n")
}

fn remove_line(text: &str, prefix: &str) -> String {
    text.lines().filter(|l| !l.starts_with(prefix)).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn a_case_edited_in_the_app_is_a_conflict_unless_forced() {
    let db = TestDb::new(Template::Seed).await;
    let slug = "guia-gestion-riesgos-integridad-2023";
    // What the authoring forms will do: change the text and mark the case as the app's.
    sqlx::query("update cases set body_markdown = 'Editado en la app.', provenance = 'app' where slug = $1")
        .bind(slug)
        .execute(&db.pool)
        .await
        .expect("edit");
    let dir = copy_of_content();
    let path = dir.path().join("cases").join(format!("{slug}.md"));
    let text = fs::read_to_string(&path).expect("read");
    fs::write(&path, format!("{text}\nUn párrafo nuevo en el archivo.\n")).expect("write");
    fs::remove_file(dir.path().join("cases/first-joint-public-integrity-workshop-2023.md")).expect("remove");

    let summary = db.store().import_dir(dir.path(), When::Always { force: false }).await.expect("import").expect("ran");
    assert_eq!(summary.conflicts, vec![slug.to_string()]);
    assert_eq!(summary.not_in_directory, vec!["first-joint-public-integrity-workshop-2023".to_string()]);
    let unchanged = 17 + seed_concepts();
    assert!(
        summary.to_string().ends_with(&format!("0 created, 0 updated, {unchanged} unchanged, 1 in conflict")),
        "{summary}"
    );
    let body: String = sqlx::query_scalar("select body_markdown from cases where slug = $1")
        .bind(slug)
        .fetch_one(&db.pool)
        .await
        .expect("body");
    assert_eq!(body, "Editado en la app.", "the app's edit must survive");
    assert_eq!(count(&db, "cases").await, SEED_CASES, "import never deletes");

    let forced = db.store().import_dir(dir.path(), When::Always { force: true }).await.expect("import").expect("ran");
    assert_eq!(forced.updated, vec![slug.to_string()]);
    let body: String = sqlx::query_scalar("select body_markdown from cases where slug = $1")
        .bind(slug)
        .fetch_one(&db.pool)
        .await
        .expect("body");
    assert!(body.contains("Un párrafo nuevo en el archivo."));
}

#[tokio::test]
async fn the_first_start_loads_the_seed_once_even_when_processes_race() {
    let db = TestDb::new(Template::Empty).await;
    let dir = content_dir();
    let (one, two) = (db.store(), db.store());
    let (a, b) = tokio::join!(one.import_dir(&dir, When::FirstStart), two.import_dir(&dir, When::FirstStart));
    let loaded: Vec<_> = [a.expect("first"), b.expect("second")].into_iter().flatten().collect();
    assert_eq!(loaded.len(), 1, "exactly one process loads the seed");
    assert_eq!(count(&db, "cases").await, SEED_CASES);

    // Later starts leave what people changed alone.
    sqlx::query("update cases set title = 'Cambiado en la app' where slug = 'guia-gestion-riesgos-integridad-2023'")
        .execute(&db.pool)
        .await
        .expect("edit");
    assert!(db.store().import_dir(&dir, When::FirstStart).await.expect("start").is_none());
    let title: String =
        sqlx::query_scalar("select title from cases where slug = 'guia-gestion-riesgos-integridad-2023'")
            .fetch_one(&db.pool)
            .await
            .expect("title");
    assert_eq!(title, "Cambiado en la app");
}

#[tokio::test]
async fn the_import_command_names_file_and_line_and_writes_nothing() {
    let db = TestDb::new(Template::Empty).await;
    let dir = copy_of_content();
    let bad = dir.path().join("cases/bad-year.md");
    fs::write(&bad, "+++\ntitle = \"T\"\nkind = \"case\"\nregion = \"cusco\"\nthemes = [\"tax-collection\"]\nlanguage = \"es\"\nyear = \"abc\"\nsummary = \"S\"\n+++\nCuerpo.\n")
        .expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_ayni"))
        .args(["import", &dir.path().display().to_string(), "--database-url", &db.url()])
        .output()
        .expect("run ayni import");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains(&format!("{}:7: ", bad.display())), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(count(&db, "cases").await, 0);

    fs::remove_file(&bad).expect("remove");
    let output = Command::new(env!("CARGO_BIN_EXE_ayni"))
        .args(["--database-url", &db.url(), "import", &dir.path().display().to_string()])
        .output()
        .expect("run ayni import");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let created = SEED_CASES + 1 + seed_concepts();
    assert!(stdout.contains(&format!("{created} created, 0 updated, 0 unchanged, 0 in conflict")), "{stdout}");
}

const SEED_WORKSHOP: &str = "primer-taller-conjunto-integridad-publica-2023";

#[tokio::test]
async fn the_seed_workshop_says_what_the_source_says_and_nothing_more() {
    let app = crate::support::TestApp::new().await;
    let page = app.get(&format!("/workshops/{SEED_WORKSHOP}")).await.expect(200).body;
    assert!(page.contains("14 de julio de 2023, todo el día"), "a date without times");
    assert!(page.contains("6 gobiernos regionales (sus nombres no se conocen)"));
    assert!(page.contains("Modalidad no indicada") && page.contains("Secretaría de Integridad Pública"));
    assert!(page.contains("La agenda aún no se ha publicado.") && page.contains("No se registraron compromisos."));
    assert!(!page.contains("Resultados pendientes"), "what the source reports is published as outcomes");
    let file = app.get(&format!("/workshops/{SEED_WORKSHOP}.ics")).await.expect(200).body;
    assert!(file.contains("DTSTART;VALUE=DATE:20230714\r\nDTEND;VALUE=DATE:20230715\r\n"), "{file}");
    assert!(app.get("/workshops?year=2023").await.body.contains(SEED_WORKSHOP));
}

#[tokio::test]
async fn workshop_files_import_once_and_each_kind_of_bad_one_is_named_with_its_line() {
    let db = TestDb::new(Template::Empty).await;
    let dir = copy_of_content();
    let workshops = dir.path().join("workshops");
    let good = "+++\ntitle = \"Taller de prueba\"\nsummary = \"Resumen.\"\nstart = 2024-05-10T09:00:00-05:00\n\
                end = 2024-05-10T13:00:00-05:00\nformat = \"in_person\"\ncity = \"Cusco\"\nregions = [\"cusco\"]\n\n\
                [[agenda]]\nstart = 2024-05-10T09:30:00-05:00\nminutes = 60\ntitle = \"Apertura\"\n\n\
                [[commitment]]\nregion = \"cusco\"\naction = \"Aprobar el plan\"\ndue = 2024-12-31\n+++\nSe acordó un plan.\n";
    fs::write(workshops.join("taller-de-prueba.md"), good).expect("write");
    let first = db.store().import_dir(dir.path(), When::Always { force: false }).await.expect("import").expect("ran");
    assert!(first.created.contains(&"workshops/taller-de-prueba".to_string()), "{first:?}");
    let starts: time::OffsetDateTime =
        sqlx::query_scalar("select starts_at from workshops where slug = 'taller-de-prueba'")
            .fetch_one(&db.pool)
            .await
            .expect("start");
    assert_eq!(starts.to_offset(time::UtcOffset::UTC).hour(), 14, "09:00 at −05:00 is 14:00 UTC");
    assert_eq!(
        (count(&db, "agenda_items").await, count(&db, "commitments").await, count(&db, "workshop_outcomes").await),
        (1, 1, 2)
    );
    let second = db.store().import_dir(dir.path(), When::Always { force: false }).await.expect("import").expect("ran");
    assert!(second.created.is_empty() && second.updated.is_empty(), "idempotent: {second:?}");

    // An organiser adds a commitment in the app: a changed file no longer overwrites it.
    let id: i64 = sqlx::query_scalar("select id from workshops where slug = 'taller-de-prueba'")
        .fetch_one(&db.pool)
        .await
        .expect("id");
    let regions = db.store().regions().await.expect("regions");
    let raw =
        ayni::domain::outcome::RawCommitment { region: "cusco".into(), action: "Otro".into(), ..Default::default() };
    db.store()
        .add_commitment(id, "taller-de-prueba", &raw.validate(&regions).expect("valid"), None)
        .await
        .expect("add");
    fs::write(workshops.join("taller-de-prueba.md"), good.replace("Se acordó un plan.", "Se acordó otro plan."))
        .expect("write");
    let third = db.store().import_dir(dir.path(), When::Always { force: false }).await.expect("import").expect("ran");
    assert_eq!(third.conflicts, vec!["workshops/taller-de-prueba".to_string()]);
    assert_eq!(count(&db, "commitments").await, 2, "the app's commitment stays");
    fs::write(workshops.join("taller-de-prueba.md"), good).expect("write");

    let bad: Vec<(&str, String)> = vec![
        ("no-times.md", good.replace("start = 2024-05-10T09:00:00-05:00\n", "")),
        ("no-offset.md", good.replace("start = 2024-05-10T09:00:00-05:00", "start = 2024-05-10T09:00:00")),
        ("unknown-region.md", good.replace("regions = [\"cusco\"]", "regions = [\"atlantis\"]")),
        ("agenda-outside.md", good.replace("start = 2024-05-10T09:30:00-05:00", "start = 2024-05-10T12:30:00-05:00")),
        ("bad-status.md", good.replace("due = 2024-12-31", "due = 2024-12-31\nstatus = \"finished\"")),
        ("unknown-key.md", good.replace("city = ", "colour = \"red\"\ncity = ")),
        ("bad-format.md", good.replace("\"in_person\"", "\"carrier-pigeon\"")),
        ("huge-capacity.md", good.replace("city = ", "capacity = 3000000000\ncity = ")),
        ("far-date.md", good.replace("2024-05-10T13:00:00-05:00", "9999-12-31T13:00:00-05:00")),
    ];
    for (name, text) in &bad {
        fs::write(workshops.join(name), text).expect("write");
    }
    let before = count(&db, "workshops").await;
    let Err(ImportError::Content(errors)) = db.store().import_dir(dir.path(), When::Always { force: false }).await
    else {
        panic!("bad files must be refused");
    };
    let lines: Vec<String> = errors.0.iter().map(|e| e.to_string()).collect();
    for (name, _) in &bad {
        assert!(lines.iter().any(|l| l.contains(&format!("workshops/{name}:"))), "{name} not reported in {lines:#?}");
    }
    let outside = lines.iter().find(|l| l.contains("agenda-outside.md")).expect("reported");
    assert!(outside.contains(":10: the agenda item lies outside the workshop's hours"), "{outside}");
    let region = lines.iter().find(|l| l.contains("workshops/unknown-region.md")).expect("reported");
    assert!(region.contains(":8: unknown region \"atlantis\""), "{region}");
    assert_eq!(count(&db, "workshops").await, before, "nothing written");
}

/// The institutions file of `dir`, with SEACE's English label changed from `from`.
fn with_seace_renamed(dir: &Path, from: &str, english: &str) {
    let path = dir.join("glossary/institutions.toml");
    let text = fs::read_to_string(&path).expect("read");
    let changed = text.replacen(&format!("pref_en = \"{from}\""), &format!("pref_en = \"{english}\""), 1);
    assert!(changed != text, "no concept has the English label {from:?}");
    fs::write(&path, changed).expect("write");
}

#[tokio::test]
async fn a_concept_edited_in_the_app_is_a_conflict_and_a_clash_with_the_app_writes_nothing() {
    use ayni::{domain::account::Role, store::glossary::edit::Save};
    let app = crate::support::TestApp::new().await;
    let store = app.db.store();
    let actor = app.account("glosario@x.gob.pe", "Glosarista", Role::Admin).await;
    let seace = store.concept("seace").await.expect("read").expect("seed concept");
    let mut edited = seace.concept.clone();
    edited.alt_es.push("portal de compras estatales".into());
    store.save_concept(actor, Save::Edit { slug: "seace", revision: seace.revision }, edited).await.expect("edit");

    let dir = copy_of_content();
    with_seace_renamed(dir.path(), "Electronic Government Procurement System", "Peru's e-procurement system");
    let summary = store.import_dir(dir.path(), When::Always { force: false }).await.expect("import").expect("ran");
    assert_eq!(summary.conflicts, vec!["glossary/seace".to_string()]);
    assert!(summary.to_string().contains("conflict: glossary/seace was edited in the app"), "{summary}");
    let kept = store.concept("seace").await.expect("read").expect("concept");
    assert!(kept.concept.alt_es.contains(&"portal de compras estatales".to_string()), "the app's edit survives");

    let forced = store.import_dir(dir.path(), When::Always { force: true }).await.expect("import").expect("ran");
    assert_eq!(forced.updated, vec!["glossary/seace".to_string()]);
    let now = store.concept("seace").await.expect("read").expect("concept");
    assert_eq!(now.concept.pref_en, "Peru's e-procurement system");
    let history = store.concept_history("seace").await.expect("history");
    assert_eq!(history.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(), ["import", "edit", "import"]);

    // A file whose preferred label another concept, made in the app, already has.
    let mine = ayni::domain::glossary::Concept {
        slug: "hecho-en-la-app".into(),
        domain: Some(ayni::domain::glossary::Domain::Budget),
        pref_es: "Ventanilla presupuestal".into(),
        pref_en: "Budget desk".into(),
        definition_es: "D.".into(),
        definition_en: "D.".into(),
        ..Default::default()
    };
    store.save_concept(actor, Save::Create, mine).await.expect("create");
    with_seace_renamed(dir.path(), "Peru's e-procurement system", "Budget desk");
    let Err(ImportError::Content(errors)) = store.import_dir(dir.path(), When::Always { force: true }).await else {
        panic!("a clash with the app's concepts must fail")
    };
    let text = errors.to_string();
    assert!(
        text.contains("institutions.toml:") && text.contains("\"Budget desk\" is already the preferred label"),
        "{text}"
    );
    let unchanged = store.concept("seace").await.expect("read").expect("concept");
    assert_eq!(unchanged.concept.pref_en, "Peru's e-procurement system", "nothing was written");
}
