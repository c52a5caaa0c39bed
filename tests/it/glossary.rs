//! The glossary: search expanding through it, the pages that say so, editing it with its
//! history and audit log, acronyms marked in case bodies, the JSON API and the SKOS export.

use ayni::{
    domain::{
        account::Role,
        glossary::{Concept, Domain},
    },
    store::glossary::edit::Save,
};
use serde_json::Value;

use crate::support::TestApp;

/// Words no seed document or concept has, so that what is found is what the test made.
fn concept(slug: &str, es: &str, en: &str) -> Concept {
    Concept {
        slug: slug.into(),
        domain: Some(Domain::Integrity),
        pref_es: es.into(),
        pref_en: en.into(),
        definition_es: format!("Definición de {es}."),
        definition_en: format!("Definition of {en}."),
        ..Concept::default()
    }
}

/// The admin who writes the test's concepts (made on first use).
async fn admin(app: &TestApp) -> i64 {
    let email = "glosario@x.gob.pe";
    let existing: Option<i64> = sqlx::query_scalar("select id from users where email = $1")
        .bind(email)
        .fetch_optional(&app.db.pool)
        .await
        .expect("users");
    match existing {
        Some(id) => id,
        None => app.account(email, "Glosarista", Role::Admin).await,
    }
}

async fn save(app: &TestApp, actor: i64, concept: Concept) {
    app.db.store().save_concept(actor, Save::Create, concept).await.expect("concept");
}

/// A published Spanish or English case, its body rendered as the site renders it.
async fn case(app: &TestApp, slug: &str, language: &str, title: &str, body: &str) {
    sqlx::query(
        "insert into cases (slug, title, kind, region_id, language, year, summary, body_markdown, body_html,
                            body_html_version, status, provenance, published_at)
         values ($1, $2, 'case', (select id from regions where slug = 'cusco'), $3, 2024, 'Resumen.', $4, $5, $6,
                 'published', 'app', now())",
    )
    .bind(slug)
    .bind(title)
    .bind(language)
    .bind(body)
    .bind(ayni::markdown::render(body))
    .bind(ayni::markdown::RENDER_VERSION)
    .execute(&app.db.pool)
    .await
    .expect("insert case");
}

async fn search(app: &TestApp, query: &[(&str, &str)]) -> Value {
    let q = serde_urlencoded::to_string(query).expect("encode");
    app.get(&format!("/api/v1/search?{q}")).await.expect(200).json()
}

fn slugs(found: &Value) -> Vec<&str> {
    found["results"].as_array().expect("results").iter().filter_map(|r| r["slug"].as_str()).collect()
}

/// The labels a search was expanded with, as (label, concept, narrower).
fn expanded(found: &Value) -> Vec<(String, String, bool)> {
    let expansions = found["expansions"].as_array().expect("expansions");
    expansions
        .iter()
        .flat_map(|e| e["terms"].as_array().expect("terms").iter())
        .map(|t| {
            let text = |k: &str| t[k].as_str().unwrap_or_default().to_string();
            (text("label"), text("concept"), t["narrower"].as_bool().unwrap_or_default())
        })
        .collect()
}

/// A small world: a concept with a Spanish synonym, an English label and an acronym; a
/// narrower concept; an acronym with two meanings; and one case for each way of naming them.
async fn world() -> TestApp {
    let app = TestApp::new().await;
    let actor = admin(&app).await;
    save(
        &app,
        actor,
        Concept {
            alt_es: vec!["tamal dulce".into()],
            acronyms: vec!["QBL".into()],
            ..concept("quimbolito", "Quimbolito", "Sweet dumpling")
        },
    )
    .await;
    save(
        &app,
        actor,
        Concept {
            broader: vec!["quimbolito".into()],
            ..concept("quimbolito-de-pasas", "Quimbolito de pasas", "Raisin dumpling")
        },
    )
    .await;
    save(
        &app,
        actor,
        Concept { acronyms: vec!["ZMP".into()], ..concept("zampona-andina", "Zampoña andina", "Andean panpipe") },
    )
    .await;
    save(
        &app,
        actor,
        Concept { acronyms: vec!["ZMP".into()], ..concept("zumo-de-papaya", "Zumo de papaya", "Papaya juice") },
    )
    .await;
    save(&app, actor, Concept { alt_es: vec!["huatia".into()], ..concept("pachamanca", "Pachamanca", "Earth oven") })
        .await;
    case(&app, "typed", "es", "Receta con quimbolito", "El quimbolito se cocina al vapor.").await;
    case(&app, "synonym", "es", "Feria del tamal dulce", "Un tamal dulce en la sierra.").await;
    case(&app, "english", "en", "Sweet dumpling festival", "A sweet dumpling festival in the highlands.").await;
    case(&app, "narrower", "en", "Raisin dumpling contest", "A raisin dumpling contest.").await;
    case(&app, "panpipe", "es", "Escuela de zampoña andina", "Clases de zampoña andina.").await;
    case(&app, "papaya", "es", "Venta de zumo de papaya", "El zumo de papaya del mercado.").await;
    case(&app, "huatia", "es", "La huatia del pueblo", "Una huatia en el campo.").await;
    app.wait_for_index().await;
    app
}

#[tokio::test]
async fn search_expands_through_the_glossary_and_ranks_the_words_typed_first() {
    let app = world().await;

    // One word: its synonyms (a multi-word label as a phrase), its English label, its
    // narrower concept; the case with the word as typed first.
    let found = search(&app, &[("q", "quimbolito")]).await;
    let found_slugs = slugs(&found);
    assert_eq!(found_slugs.first(), Some(&"typed"), "{found_slugs:?}");
    for slug in ["synonym", "english", "narrower"] {
        assert!(found_slugs.contains(&slug), "{slug} missing from {found_slugs:?}");
    }
    let terms = expanded(&found);
    assert!(terms.contains(&("tamal dulce".into(), "quimbolito".into(), false)), "{terms:?}");
    assert!(terms.contains(&("Sweet dumpling".into(), "quimbolito".into(), false)), "{terms:?}");
    assert!(terms.contains(&("Raisin dumpling".into(), "quimbolito-de-pasas".into(), true)), "{terms:?}");
    assert_eq!(found["expansions"][0]["terms"][0]["concept_url"], "http://ayni.test/glossary/quimbolito");

    // The broader concept is never added: the narrower one finds only itself.
    let narrow = search(&app, &[("q", "quimbolito de pasas")]).await;
    assert!(!expanded(&narrow).iter().any(|(label, _, _)| label == "Sweet dumpling"), "{narrow}");

    // A multi-word label is one concept; English reaches Spanish cases and the reverse.
    let phrase = slugs(&search(&app, &[("q", "tamal dulce")]).await).into_iter().map(String::from).collect::<Vec<_>>();
    assert!(phrase.contains(&"typed".to_string()) && phrase.contains(&"english".to_string()), "{phrase:?}");
    let english = search(&app, &[("q", "sweet dumpling")]).await;
    assert!(slugs(&english).contains(&"typed") && slugs(&english).contains(&"synonym"), "{english}");

    // An acronym; an acronym with two meanings reaches both.
    assert!(slugs(&search(&app, &[("q", "QBL")]).await).contains(&"typed"));
    let both = search(&app, &[("q", "ZMP")]).await;
    assert!(slugs(&both).contains(&"panpipe") && slugs(&both).contains(&"papaya"), "{both}");
    let concepts: Vec<String> = expanded(&both).into_iter().map(|(_, c, _)| c).collect();
    assert!(concepts.contains(&"zampona-andina".into()) && concepts.contains(&"zumo-de-papaya".into()));

    // Quoted words and exclusions are taken as written.
    let quoted = search(&app, &[("q", "\"quimbolito\"")]).await;
    assert_eq!((slugs(&quoted), expanded(&quoted).len()), (vec!["typed"], 0), "{quoted}");
    let excluded = search(&app, &[("q", "festival -quimbolito")]).await;
    assert_eq!(slugs(&excluded), vec!["english"], "the exclusion is not expanded");

    // The switch.
    let off = search(&app, &[("q", "quimbolito"), ("expand", "false")]).await;
    assert_eq!((slugs(&off), expanded(&off).len()), (vec!["typed"], 0), "{off}");
    app.get("/api/v1/search?q=quimbolito&expand=maybe").await.expect(400);

    // A misspelling no document has is corrected to a glossary word, then expanded.
    let typo = search(&app, &[("q", "pachamnca")]).await;
    assert_eq!(typo["suggestion"], "pachamanca", "{typo}");
    assert_eq!(slugs(&typo), vec!["huatia"], "{typo}");

    // A label made of one of the typed words is still searched when that word alone is not
    // enough: «chicha de jora morada» needs two of its three words, the label «chicha» one.
    let actor = admin(&app).await;
    save(
        &app,
        actor,
        Concept {
            alt_es: vec!["chicha".into()],
            ..concept("chicha-de-jora-morada", "Chicha de jora morada", "Purple corn beer")
        },
    )
    .await;
    case(&app, "chicha", "es", "Fiesta patronal", "Se sirvió chicha a los visitantes.").await;
    app.wait_for_index().await;
    let long = search(&app, &[("q", "chicha de jora morada")]).await;
    assert!(slugs(&long).contains(&"chicha"), "{long}");

    // What the labels found is kept, but never past a change to the index: a case written
    // since with a synonym is found by the same search.
    case(&app, "later", "es", "Otra feria", "Vendimos tamal dulce en la plaza.").await;
    app.wait_for_index().await;
    let again = search(&app, &[("q", "quimbolito")]).await;
    assert!(slugs(&again).contains(&"later"), "{again}");
}

#[tokio::test]
async fn the_results_page_says_what_the_glossary_added_and_links_to_a_search_without_it() {
    let app = world().await;
    let page = app.get("/search?q=quimbolito").await.expect(200).body;
    assert!(page.contains("También se buscó:"), "{page}");
    assert!(page.contains(r#"<a href="/glossary/quimbolito">tamal dulce</a>"#), "{page}");
    assert!(page.contains(r#"<a href="/glossary/quimbolito-de-pasas">Raisin dumpling</a>"#));
    assert!(page.contains(r#"<a href="/search?q=quimbolito&#38;expand=false">Buscar sin el glosario</a>"#), "{page}");
    // Snippets highlight the synonym that matched.
    assert!(page.contains("<b>tamal</b> <b>dulce</b>") || page.contains("<b>tamal dulce</b>"), "{page}");
    let off = app.get("/search?q=quimbolito&expand=false").await.expect(200).body;
    assert!(!off.contains("También se buscó") && off.contains("Esta búsqueda no usó el glosario."), "{off}");
    assert!(off.contains(r#"<a href="/search?q=quimbolito">Buscar con el glosario</a>"#), "{off}");
}

#[tokio::test]
async fn editors_edit_merge_retire_and_revert_with_history_and_audit() {
    let app = world().await;
    let (mut member, _) = app.browser_as("miembro@x.gob.pe", "Miembro", Role::Member).await;
    member.get("/glossary/new").await.expect(403);
    let (mut editor, editor_id) = app.browser_as("editora@x.gob.pe", "Editora", Role::Editor).await;
    app.make_editor(editor_id, &["cusco"]).await;
    editor.get("/glossary/new").await.expect(200);

    // A new concept; a clash with another's preferred label is shown on the form.
    let fields = |slug: &'static str, es: &'static str, alt: &'static str, revision: &'static str| {
        vec![
            ("slug", slug),
            ("domain", "integrity"),
            ("pref_es", es),
            ("pref_en", "Mountain soup"),
            ("alt_es", alt),
            ("definition_es", "Sopa de las alturas."),
            ("definition_en", "A highland soup."),
            ("revision", revision),
        ]
    };
    let clash = editor.post("/glossary", &fields("chairo", "Quimbolito", "", "0")).await.expect(422).body;
    assert!(clash.contains("error-summary") && clash.contains(r##"href="#pref_es""##), "{clash}");
    let created = editor.post("/glossary", &fields("chairo", "Chairo", "caldo de chuño", "0")).await.expect(303);
    assert_eq!(created.header("location"), "/glossary/chairo?done=saved");
    case(&app, "chuno", "es", "El caldo de chuño", "Un caldo de chuño caliente.").await;
    app.wait_for_index().await;
    assert!(slugs(&search(&app, &[("q", "chairo")]).await).contains(&"chuno"), "the edit reaches search");

    // An edit, then one over a stale revision.
    editor.post("/glossary/chairo", &fields("x", "Chairo", "caldo de chuño\nsopa de chuño", "1")).await.expect(303);
    editor.post("/glossary/chairo", &fields("x", "Chairo", "otra cosa", "1")).await.expect(409);
    let history = editor.get("/glossary/chairo/history").await.expect(200).body;
    assert!(history.contains("Versión 2") && history.contains("Cambió: Otros términos en español"), "{history}");
    assert!(history.contains("por Editora"), "{history}");
    let changes = editor.get("/glossary/changes").await.expect(200).body;
    assert!(changes.contains(r#"<a href="/glossary/chairo">Chairo</a>"#), "{changes}");
    member.get("/glossary/changes").await.expect(403);

    // Back to the first revision, as a new one.
    editor.post("/glossary/chairo/revert", &[("revision", "1")]).await.expect(303);
    let api: Value = app.get("/api/v1/glossary/chairo").await.expect(200).json();
    assert_eq!(api["alt_labels"]["es"], serde_json::json!(["caldo de chuño"]));
    assert_eq!(api["revision"], 3);

    // Merge «pachamanca» into «chairo»: its labels move, it is retired and points there.
    editor.post("/glossary/pachamanca/merge", &[("into", "nada"), ("revision", "1")]).await.expect(422);
    editor.post("/glossary/pachamanca/merge", &[("into", "chairo"), ("revision", "1")]).await.expect(303);
    app.wait_for_index().await;
    let merged: Value = app.get("/api/v1/glossary/pachamanca").await.expect(200).json();
    assert_eq!((merged["retired"].as_bool(), merged["replaced_by"].as_str()), (Some(true), Some("chairo")));
    let page = app.get("/glossary/pachamanca").await.expect(200).body;
    assert!(page.contains("Se fusionó con") && page.contains(r#"<a href="/glossary/chairo">Chairo</a>"#), "{page}");
    let via_old_label = search(&app, &[("q", "huatia")]).await;
    assert!(expanded(&via_old_label).iter().any(|(_, c, _)| c == "chairo"), "{via_old_label}");

    // Retire: search no longer expands it.
    editor.post("/glossary/zumo-de-papaya/retire", &[("revision", "1")]).await.expect(303);
    app.wait_for_index().await;
    let retired = search(&app, &[("q", "ZMP")]).await;
    assert!(!expanded(&retired).iter().any(|(_, c, _)| c == "zumo-de-papaya"), "{retired}");
    editor.get("/glossary/zumo-de-papaya/edit").await.expect(410);

    let actions: Vec<(String, String)> = sqlx::query_as(
        "select action, subject_key from audit_log where subject_kind = 'concept' and actor_id = $1 order by id",
    )
    .bind(editor_id)
    .fetch_all(&app.db.pool)
    .await
    .expect("audit");
    let expected = [
        ("concept.created", "chairo"),
        ("concept.updated", "chairo"),
        ("concept.reverted", "chairo"),
        ("concept.merged", "pachamanca"),
        ("concept.retired", "zumo-de-papaya"),
    ];
    assert_eq!(actions, expected.map(|(a, k)| (a.to_string(), k.to_string())), "every edit is in the audit log");
}

#[tokio::test]
async fn acronyms_in_case_bodies_link_to_the_glossary_escaped_and_follow_its_edits() {
    let app = TestApp::new().await;
    let actor = admin(&app).await;
    save(
        &app,
        actor,
        Concept { acronyms: vec!["QBL".into()], ..concept("quimbolito", "Dulce \"andino\" <b>&", "Sweet dumpling") },
    )
    .await;
    case(&app, "con-siglas", "es", "Un caso con siglas", "El QBL y el [QBL](https://x.pe) y `QBL`; otra vez QBL.")
        .await;
    app.wait_for_index().await;
    let page = app.get("/cases/con-siglas").await.expect(200).body;
    let marked = r#"<a class="glossary-term" href="/glossary/quimbolito"><abbr title="Dulce &quot;andino&quot; &lt;b&gt;&amp;">QBL</abbr></a>"#;
    assert!(page.contains(marked), "{page}");
    assert_eq!(page.matches("<abbr").count(), 1, "only the first use is marked");

    // A glossary edit shows on the next view, with the body as stored.
    let stored: String = sqlx::query_scalar("select body_html from cases where slug = 'con-siglas'")
        .fetch_one(&app.db.pool)
        .await
        .expect("body");
    let revision = app.db.store().concept("quimbolito").await.expect("read").expect("concept").revision;
    let edit = Save::Edit { slug: "quimbolito", revision };
    app.db
        .store()
        .save_concept(
            actor,
            edit,
            Concept { acronyms: vec!["QBL".into()], ..concept("quimbolito", "Quimbolito dulce", "Sweet dumpling") },
        )
        .await
        .expect("edit");
    app.wait_for_index().await;
    let page = app.get("/cases/con-siglas").await.expect(200).body;
    assert!(page.contains(r#"<abbr title="Quimbolito dulce">QBL</abbr>"#), "{page}");
    let after: String = sqlx::query_scalar("select body_html from cases where slug = 'con-siglas'")
        .fetch_one(&app.db.pool)
        .await
        .expect("body");
    assert_eq!(stored, after, "the body was not rendered again");
}

#[tokio::test]
async fn the_glossary_reads_a_to_z_in_json_and_as_skos_that_a_parser_reads() {
    let app = world().await;
    let actor = admin(&app).await;
    app.db.store().merge_concepts(actor, "pachamanca", 1, "quimbolito").await.expect("merge");
    app.wait_for_index().await;

    let index = app.get("/glossary").await.expect(200).body;
    assert!(index.contains(r#"<a href="/glossary?letter=Q">Q</a>"#), "the letters link");
    let q = app.get("/glossary?letter=Q").await.expect(200).body;
    assert!(q.contains(r#"<a href="/glossary/quimbolito">Quimbolito</a> (QBL)"#), "{q}");
    let found = app.get("/glossary?q=tamal").await.expect(200).body;
    assert!(found.contains("/glossary/quimbolito") && !found.contains("/glossary/zampona-andina"), "{found}");
    app.get("/glossary?domain=nothing").await.expect(400);
    let page = app.get("/glossary/quimbolito").await.expect(200).body;
    for expected in [
        "Sweet dumpling",
        "tamal dulce",
        r#"<a href="/glossary/quimbolito-de-pasas">Quimbolito de pasas</a>"#,
        r#"<a href="/cases/typed">Receta con quimbolito</a>"#,
    ] {
        assert!(page.contains(expected), "{expected} missing from the concept's page");
    }
    app.get("/glossary/no-such-concept").await.expect(404);

    let list: Value = app.get("/api/v1/glossary?per_page=2&q=quimbolito").await.expect(200).json();
    assert_eq!((list["total"].as_u64(), list["concepts"].as_array().map(Vec::len)), (Some(2), Some(2)));
    let parent = &list["concepts"][0];
    assert_eq!(parent["narrower"], serde_json::json!(["quimbolito-de-pasas"]));
    app.get("/api/v1/glossary?per_page=500").await.expect(400);

    let turtle = app.get("/glossary.ttl").await.expect(200);
    assert!(turtle.header("content-type").starts_with("text/turtle"));
    let triples: Vec<String> = oxttl::TurtleParser::new()
        .for_slice(turtle.body.as_bytes())
        .map(|t| t.map(|t| t.to_string()).expect("valid Turtle"))
        .collect();
    let uri = |slug: &str| format!("<http://ayni.test/glossary/{slug}>");
    let has = |s: &str, p: &str, o: &str| triples.iter().any(|t| t == &format!("{s} {p} {o}"));
    let skos = |term: &str| format!("<http://www.w3.org/2004/02/skos/core#{term}>");
    assert!(has(&uri("quimbolito"), &skos("prefLabel"), "\"Quimbolito\"@es"), "{:?}", &triples[..20]);
    assert!(has(&uri("quimbolito"), &skos("prefLabel"), "\"Sweet dumpling\"@en"));
    assert!(has(&uri("quimbolito"), &skos("narrower"), &uri("quimbolito-de-pasas")));
    assert!(has(&uri("quimbolito-de-pasas"), &skos("broader"), &uri("quimbolito")));
    assert!(has(&uri("pachamanca"), "<http://purl.org/dc/terms/isReplacedBy>", &uri("quimbolito")));
    let concepts = triples
        .iter()
        .filter(|t| {
            t.ends_with(&format!("{} {}", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", skos("Concept")))
        })
        .count();
    let stored: i64 = sqlx::query_scalar("select count(*) from concepts").fetch_one(&app.db.pool).await.expect("count");
    assert_eq!(concepts as i64, stored, "every concept, retired ones too");
}

#[tokio::test]
async fn edits_keep_other_concepts_links_and_history_and_odd_queries_stay_cheap() {
    let app = world().await;
    let actor = admin(&app).await;
    let store = app.db.store();
    // X is narrower than «zampoña andina» and related to «pachamanca»; «zumo de papaya»
    // names X as related on its own side.
    save(
        &app,
        actor,
        Concept {
            broader: vec!["zampona-andina".into()],
            related: vec!["pachamanca".into()],
            ..concept("equis", "Equis", "Ex")
        },
    )
    .await;
    let papaya = store.concept("zumo-de-papaya").await.expect("read").expect("concept");
    let edit = Save::Edit { slug: "zumo-de-papaya", revision: papaya.revision };
    store
        .save_concept(actor, edit, Concept { related: vec!["equis".into()], ..papaya.concept.clone() })
        .await
        .expect("edit");
    // An edit of X does not take away the relation «zumo de papaya» wrote.
    let x = store.concept("equis").await.expect("read").expect("concept");
    let edit = Save::Edit { slug: "equis", revision: x.revision };
    store
        .save_concept(actor, edit, Concept { alt_es: vec!["equis griega".into()], ..x.concept.clone() })
        .await
        .expect("edit");
    let x = store.concept("equis").await.expect("read").expect("concept");
    assert_eq!(x.all_related(), vec!["pachamanca".to_string(), "zumo-de-papaya".to_string()]);
    // A link to a concept that does not exist is refused, not dropped.
    let edit = Save::Edit { slug: "equis", revision: x.revision };
    let refused = store.save_concept(actor, edit, Concept { broader: vec!["nadie".into()], ..x.concept.clone() }).await;
    assert!(matches!(refused, Err(ayni::error::AppError::InvalidFields(_))), "{refused:?}");

    // Merging X's broader concept moves X's link and says so in X's history; reverting X to
    // its first revision follows the merge instead of failing.
    store.merge_concepts(actor, "zampona-andina", 1, "quimbolito").await.expect("merge");
    let x = store.concept("equis").await.expect("read").expect("concept");
    assert_eq!(x.concept.broader, vec!["quimbolito".to_string()]);
    let history = store.concept_history("equis").await.expect("history");
    assert_eq!((history[0].action.as_str(), history[0].note.as_str()), ("merge", "zampona-andina"));
    store.revert_concept(actor, "equis", 1).await.expect("revert");
    let x = store.concept("equis").await.expect("read").expect("concept");
    assert_eq!((x.concept.broader, x.concept.alt_es), (vec!["quimbolito".to_string()], vec![]));

    // A run of stop words names no concept, even when it is also an acronym («AS»).
    let such_as = search(&app, &[("q", "such as quimbolito")]).await;
    assert!(!expanded(&such_as).iter().any(|(_, c, _)| c == "adjudicacion-simplificada"), "{such_as}");
    // Long words in scripts the index does not keep are neither corrected nor costly.
    for odd in ["中".repeat(400), "\u{FDFA}".repeat(400)] {
        search(&app, &[("q", odd.as_str())]).await;
    }
    // An acronym in the glossary's search box finds what it stands for.
    let zmp = app.get("/glossary?q=ZMP").await.expect(200).body;
    assert!(zmp.contains("/glossary/zumo-de-papaya") && !zmp.contains("/glossary/pachamanca"), "{zmp}");
}
