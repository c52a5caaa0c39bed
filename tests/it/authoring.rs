//! Writing cases: the forms, the workflow with its review, who sees what, revisions,
//! concurrent edits, slugs, deletion.

use ayni::domain::account::Role;

use crate::support::{
    browser::{case_form, slug_of, Browser},
    TestApp,
};

const TITLE: &str = "Gestión de riesgos en Áncash";

/// Everywhere the public could find a case: list, feed, search, API, the page itself.
async fn publicly_visible(app: &TestApp, slug: &str, word: &str) -> Vec<&'static str> {
    app.wait_for_index().await;
    let mut seen = Vec::new();
    if app.get("/cases").await.body.contains(slug) {
        seen.push("list");
    }
    if app.get("/cases?region=ancash").await.body.contains(slug) {
        seen.push("region list");
    }
    if app.get("/feeds/cases.atom").await.body.contains(slug) {
        seen.push("feed");
    }
    if app.get(&format!("/search?q={word}")).await.body.contains(slug) {
        seen.push("search");
    }
    if app.get("/api/v1/cases?per_page=100").await.body.contains(slug) {
        seen.push("api list");
    }
    if app.get(&format!("/api/v1/search?q={word}")).await.body.contains(slug) {
        seen.push("api search");
    }
    if app.get(&format!("/cases/{slug}")).await.status == 200 {
        seen.push("page");
    }
    if app.get(&format!("/api/v1/cases/{slug}")).await.status == 200 {
        seen.push("api case");
    }
    seen
}

#[tokio::test]
async fn a_case_goes_from_draft_through_review_to_published_and_back() {
    let app = TestApp::new().await;
    let (mut author, _) = app.browser_as("autora@x.gob.pe", "Autora", Role::Member).await;
    let editor_id = app.account("editor@x.gob.pe", "Editora Áncash", Role::Member).await;
    app.make_editor(editor_id, &["ancash"]).await;
    let mut editor = Browser::new(&app);
    editor.sign_in("editor@x.gob.pe", crate::support::browser::PASSWORD).await.expect(303);

    // The form: preview renders the Markdown, sanitized, and saves nothing.
    let form = author.get("/cases/new").await.expect(200);
    assert!(form.body.contains("Vista previa") && form.body.contains(r#"name="title""#));
    let mut fields = case_form(TITLE, "ancash");
    fields.retain(|(k, _)| *k != "body" && *k != "intent");
    fields.push(("body", "## Contexto\n\nLo **hecho**.\n\n<script>alert(1)</script>"));
    fields.push(("intent", "preview"));
    let preview = author.post("/cases/new", &fields).await.expect(200);
    assert!(preview.body.contains("<strong>hecho</strong>"), "{}", preview.body);
    assert!(!preview.body.contains("<script>alert(1)"));
    assert!(preview.body.contains(&format!(r#"value="{TITLE}""#)), "the typed title stays");
    let count: i64 = sqlx::query_scalar("select count(*) from cases where provenance = 'app'")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(count, 0, "preview saves nothing");

    // A refused save keeps everything typed and says what to fix, next to each field.
    let mut bad = case_form(TITLE, "ancash");
    bad.retain(|(k, _)| *k != "year" && *k != "themes");
    bad.push(("year", "dos mil"));
    let refused = author.post("/cases/new", &bad).await.expect(422);
    assert!(refused.body.contains(r##"<a href="#year">«Año» debe estar entre 1900 y 2100."##), "{}", refused.body);
    assert!(refused.body.contains(r##"<a href="#themes">Complete «Temas».</a>"##));
    assert!(refused.body.contains(r#"value="dos mil""#));
    assert!(refused.body.contains("La región aplicó la **guía** con sus equipos."), "the body stays");

    let saved = author.post("/cases/new", &case_form(TITLE, "ancash")).await.expect(303);
    let slug = slug_of(&saved.header("location"));
    assert_eq!(slug, "gestion-de-riesgos-en-ancash");
    let page = author.get(&saved.header("location")).await.expect(200);
    assert!(page.body.contains("Se guardó el borrador"));
    assert!(page.body.contains("Borrador"));
    assert!(page.body.contains(">Autora<"), "the author is named");
    assert_eq!(publicly_visible(&app, &slug, "ancash").await, Vec::<&str>::new(), "a draft is nowhere public");
    let mut stranger = app.browser_as("otro@x.gob.pe", "Otro", Role::Member).await.0;
    stranger.get(&format!("/cases/{slug}")).await.expect(404);
    editor.get(&format!("/cases/{slug}")).await.expect(200);

    author.post(&format!("/cases/{slug}/submit"), &[]).await.expect(303);
    let page = author.get(&format!("/cases/{slug}")).await.expect(200);
    assert!(page.body.contains("Enviado a revisión"));
    assert!(!page.body.contains(&format!("/cases/{slug}/edit")), "authors cannot edit a submission");
    author.get(&format!("/cases/{slug}/edit")).await.expect(403);

    // The editor's queue lists it; sending back needs a note, which the author then reads.
    let queue = editor.get("/review").await.expect(200);
    assert!(queue.body.contains(TITLE) && queue.body.contains("Autora"));
    let no_note = editor.post(&format!("/cases/{slug}/send-back"), &[("note", "  ")]).await.expect(422);
    assert!(no_note.body.contains("Complete «Nota para el autor»"));
    editor.post(&format!("/cases/{slug}/send-back"), &[("note", "Añada cifras <de> resultados.")]).await.expect(303);
    let page = author.get(&format!("/cases/{slug}")).await.expect(200);
    assert!(page.body.contains("Añada cifras &#60;de&#62; resultados."), "the note, escaped");
    assert!(!editor.get("/review").await.body.contains(TITLE), "no longer in the queue");

    author.get(&format!("/cases/{slug}/edit")).await.expect(200);
    author.post(&format!("/cases/{slug}/submit"), &[]).await.expect(303);
    editor.post(&format!("/cases/{slug}/publish"), &[]).await.expect(303);
    let everywhere = ["list", "region list", "feed", "search", "api list", "api search", "page", "api case"];
    assert_eq!(publicly_visible(&app, &slug, "ancash").await, everywhere);

    editor.post(&format!("/cases/{slug}/unpublish"), &[]).await.expect(303);
    assert_eq!(publicly_visible(&app, &slug, "ancash").await, Vec::<&str>::new(), "unpublished leaks nowhere");
    let page = author.get(&format!("/cases/{slug}")).await.expect(200);
    assert!(page.body.contains("Despublicado"));
}

#[tokio::test]
async fn every_save_keeps_a_revision_with_a_readable_diff_and_restore() {
    let app = TestApp::new().await;
    let (mut editor, id) = app.browser_as("editor@x.gob.pe", "Editora", Role::Member).await;
    app.make_editor(id, &["cusco"]).await;
    let location = editor.post("/cases/new", &case_form("Caso de Cusco", "cusco")).await.expect(303).header("location");
    let slug = slug_of(&location);
    let mut second = case_form("Caso de Cusco", "cusco");
    for field in second.iter_mut() {
        if field.0 == "body" {
            field.1 = "## Contexto\n\nLa región aplicó la **guía** con sus equipos.\n\n## Resultados\n\nMenos observaciones y más denuncias atendidas.";
        }
        if field.0 == "summary" {
            field.1 = "Un resumen nuevo.";
        }
    }
    second.push(("base_revision", "1"));
    editor.post(&format!("/cases/{slug}/edit"), &second).await.expect(303);

    let history = editor.get(&format!("/cases/{slug}/history")).await.expect(200);
    assert!(history.body.contains("Cambios de la revisión 1 a la revisión 2"));
    assert!(history.body.contains("(hora de Lima)</time>"), "each revision says when, to the minute");
    assert!(history.body.contains("<del>Cómo una región aplicó"), "{}", history.body);
    assert!(history.body.contains("<ins>Un resumen nuevo.</ins>"));
    assert!(history.body.contains("+ Menos observaciones y más denuncias atendidas."));
    assert!(history.body.contains("− Menos observaciones."));
    assert_eq!(history.body.matches("Editora · formulario").count(), 2, "who saved each revision, and how");

    let restored =
        editor.post(&format!("/cases/{slug}/history/1/restore"), &[("base_revision", "2")]).await.expect(303);
    assert!(restored.header("location").ends_with("?done=restored"));
    let revisions: Vec<(i32, String, Option<i32>, String)> = sqlx::query_as(
        "select cr.number, cr.origin, cr.restored_from, cr.summary from case_revisions cr join cases c on c.id = cr.case_id
         where c.slug = $1 order by number",
    )
    .bind(&slug)
    .fetch_all(&app.db.pool)
    .await
    .expect("revisions");
    assert_eq!(revisions.len(), 3);
    assert_eq!(revisions[2].1, "restore");
    assert_eq!(revisions[2].2, Some(1));
    assert_eq!(revisions[2].3, revisions[0].3, "revision 3 has revision 1's text");
    let page = editor.get(&format!("/cases/{slug}")).await.expect(200);
    assert!(page.body.contains("Cómo una región aplicó la guía"));
    let compare = editor.get(&format!("/cases/{slug}/history?from=1&to=3")).await.expect(200);
    assert!(compare.body.contains("Estas dos revisiones tienen el mismo texto."));

    // Imports count as saves.
    let imported: i64 = sqlx::query_scalar(
        "select count(*) from case_revisions where origin = 'import' and author_id is null and number = 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("count");
    assert_eq!(imported, crate::support::SEED_CASES);
    // Members see the history of their own cases only.
    let mut member = app.browser_as("m@x.gob.pe", "M", Role::Member).await.0;
    member.get(&format!("/cases/{slug}/history")).await.expect(404);
}

#[tokio::test]
async fn the_second_of_two_concurrent_saves_is_refused_and_keeps_its_text() {
    let app = TestApp::new().await;
    let (mut first, id) = app.browser_as("a@x.gob.pe", "Primera", Role::Member).await;
    app.make_editor(id, &["cusco"]).await;
    let (mut second, id2) = app.browser_as("b@x.gob.pe", "Segunda", Role::Member).await;
    app.make_editor(id2, &["cusco"]).await;
    let slug =
        slug_of(&first.post("/cases/new", &case_form("Caso compartido", "cusco")).await.expect(303).header("location"));
    // Both open the form at revision 1.
    for browser in [&mut first, &mut second] {
        let form = browser.get(&format!("/cases/{slug}/edit")).await.expect(200);
        assert!(form.body.contains(r#"name="base_revision" value="1""#));
    }
    let mut mine = case_form("Caso compartido", "cusco");
    mine.push(("base_revision", "1"));
    first.post(&format!("/cases/{slug}/edit"), &mine).await.expect(303);
    let mut theirs = case_form("Caso compartido", "cusco");
    theirs.retain(|(k, _)| *k != "summary");
    theirs.push(("summary", "Texto que la segunda persona no quiere perder."));
    theirs.push(("base_revision", "1"));
    let refused = second.post(&format!("/cases/{slug}/edit"), &theirs).await.expect(409);
    assert!(refused.body.contains("Alguien guardó este caso después de que usted empezó a editarlo"));
    assert!(refused.body.contains("Texto que la segunda persona no quiere perder."), "their text is kept");
    let summary: String = sqlx::query_scalar("select summary from cases where slug = $1")
        .bind(&slug)
        .fetch_one(&app.db.pool)
        .await
        .expect("summary");
    assert!(!summary.contains("segunda persona"), "nothing was overwritten");
}

#[tokio::test]
async fn slugs_follow_titles_until_published_then_stay_and_old_urls_redirect() {
    let app = TestApp::new().await;
    let (mut editor, id) = app.browser_as("e@x.gob.pe", "E", Role::Member).await;
    app.make_editor(id, &["ancash"]).await;
    let first = slug_of(&editor.post("/cases/new", &case_form(TITLE, "ancash")).await.expect(303).header("location"));
    assert_eq!(first, "gestion-de-riesgos-en-ancash");
    let twin = slug_of(&editor.post("/cases/new", &case_form(TITLE, "ancash")).await.expect(303).header("location"));
    assert_eq!(twin, "gestion-de-riesgos-en-ancash-2", "slugs stay unique");
    let reserved =
        slug_of(&editor.post("/cases/new", &case_form("New", "ancash")).await.expect(303).header("location"));
    assert_eq!(reserved, "caso-new", "a title that gives a reserved word");

    // Before publication the slug follows the title, and the old address redirects.
    let mut renamed = case_form("Integridad en Huaraz", "ancash");
    renamed.push(("base_revision", "1"));
    let saved = editor.post(&format!("/cases/{first}/edit"), &renamed).await.expect(303);
    assert_eq!(slug_of(&saved.header("location")), "integridad-en-huaraz");
    let moved = editor.get(&format!("/cases/{first}")).await.expect(308);
    assert_eq!(moved.header("location"), "/cases/integridad-en-huaraz");

    // Only those who may see the draft learn where its old address went.
    app.get(&format!("/cases/{first}")).await.expect(404);

    // After publication it stays, whatever the title says.
    editor.post("/cases/integridad-en-huaraz/publish", &[]).await.expect(403);
    editor.post("/cases/integridad-en-huaraz/submit", &[]).await.expect(303);
    editor.post("/cases/integridad-en-huaraz/publish", &[]).await.expect(303);
    let mut again = case_form("Otro título completamente distinto", "ancash");
    again.push(("base_revision", "2"));
    let saved = editor.post("/cases/integridad-en-huaraz/edit", &again).await.expect(303);
    assert_eq!(slug_of(&saved.header("location")), "integridad-en-huaraz");
    let moved = app.get(&format!("/cases/{first}")).await.expect(308);
    assert_eq!(moved.header("location"), "/cases/integridad-en-huaraz");
    // The old slug is never handed to another case.
    let third = slug_of(&editor.post("/cases/new", &case_form(TITLE, "ancash")).await.expect(303).header("location"));
    assert_eq!(third, "gestion-de-riesgos-en-ancash-3");
}

#[tokio::test]
async fn a_deleted_case_answers_410_and_its_slug_is_never_reused() {
    let app = TestApp::new().await;
    let (mut admin, _) = app.browser_as("admin@x.gob.pe", "Admin", Role::Admin).await;
    let slug = "capacitacion-armonizada-gestion-riesgos-integridad";
    let confirm = admin.get(&format!("/cases/{slug}/delete")).await.expect(200);
    assert!(confirm.body.contains("Esto no se puede deshacer"));
    admin.post(&format!("/cases/{slug}/delete"), &[]).await.expect(303);
    let gone = app.get(&format!("/cases/{slug}")).await.expect(410);
    assert!(gone.body.contains("Un administrador eliminó este caso"));
    let json = app.get(&format!("/api/v1/cases/{slug}")).await.expect(410).json();
    assert_eq!(json["error"]["code"], "gone");
    assert_eq!(publicly_visible(&app, slug, "armonizada").await, Vec::<&str>::new());
    // A new case with the same title gets another slug…
    let title = "Capacitación armonizada gestión riesgos integridad";
    let created = admin.post("/cases/new", &case_form(title, "peru")).await.expect(303);
    assert_eq!(slug_of(&created.header("location")), format!("{slug}-2"));
    // …and an import that brings the file back is refused, naming the file.
    let error = app
        .db
        .store()
        .import_dir(&crate::support::content_dir(), ayni::store::import::When::Always { force: false })
        .await
        .expect_err("the deleted slug cannot come back");
    let message = error.to_string();
    assert!(message.contains(&format!("cases/{slug}.md:1")) && message.contains("deleted or renamed"), "{message}");
    let audit: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where action = 'case.deleted' and subject_kind = 'case' and subject_key = $1",
    )
    .bind(slug)
    .fetch_one(&app.db.pool)
    .await
    .expect("audit");
    assert_eq!(audit, 1);
}
