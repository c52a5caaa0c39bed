//! What each process keeps in memory (whole anonymous pages, regions and themes, peer cases,
//! list totals) stays right when the data changes, even when another process changed it.

use std::time::Duration;

use ayni::domain::account::Role;

use crate::support::{browser::Browser, TestApp};

const CASE: &str = "/cases/impuesto-predial-recordatorios-conductuales-cusco";
const TITLE: &str = "Incentivos conductuales para el pago puntual del impuesto predial";

/// The peer cases a case page lists, as the links people see.
fn peers(body: &str) -> Vec<String> {
    let Some(at) = body.find(r#"<section class="peer-cases""#) else { return Vec::new() };
    let section = &body[at..at + body[at..].find("</section>").expect("the section ends")];
    section.split(r#"<li><a href=""#).skip(1).map(|li| li[..li.find('"').expect("a link")].to_string()).collect()
}

#[tokio::test]
async fn kept_pages_follow_a_change_made_by_another_process() {
    let app = TestApp::new().await;
    const PERU: &str = r#"<a href="/regions/peru">Perú</a> <span class="count">"#;
    for path in [CASE, "/cases"] {
        for _ in 0..2 {
            let page = app.get(path).await.expect(200);
            assert!(page.body.contains(TITLE), "{path} lists the case:\n{}", page.body);
        }
    }
    for _ in 0..2 {
        assert!(app.get("/").await.expect(200).body.contains(&format!("{PERU}18<")), "the home page counts 18 cases");
    }
    // Another process: a statement straight to PostgreSQL, which this process never saw.
    sqlx::query("update cases set title = 'Avisos de conducta para el predial' where slug = $1")
        .bind(CASE.trim_start_matches("/cases/"))
        .execute(&app.db.pool)
        .await
        .expect("rename the case");
    sqlx::query(
        "update cases set status = 'draft', published_at = null where slug = 'vigilancia-ciudadana-obras-miraflores'",
    )
    .execute(&app.db.pool)
    .await
    .expect("unpublish a case");
    for path in [CASE, "/cases"] {
        let page = app.get(path).await.expect(200);
        assert!(page.body.contains("Avisos de conducta para el predial"), "{path} shows the new title:\n{}", page.body);
        assert!(!page.body.contains(TITLE), "{path} no longer shows the old title");
    }
    let home = app.get("/").await.expect(200).body;
    assert!(home.contains(&format!("{PERU}17<")), "the home page counts one case fewer:\n{home}");
}

#[tokio::test]
async fn regions_and_themes_renamed_by_another_process_reach_every_page() {
    let app = TestApp::new().await;
    assert!(app.get("/cases").await.expect(200).body.contains(">Cusco<"));
    assert!(app.get("/themes").await.expect(200).body.contains("Recaudación"));
    sqlx::query("update regions set name = case slug when 'cusco' then 'Qosqo' else 'Provincia de Qosqo' end where slug in ('cusco', 'cusco-provincia')")
        .execute(&app.db.pool)
        .await
        .expect("rename a region");
    sqlx::query("update themes set name_es = 'Cobro de tributos' where slug = 'tax-collection'")
        .execute(&app.db.pool)
        .await
        .expect("rename a theme");
    // The kept lists are dropped when PostgreSQL's notification arrives: within moments.
    let mut renamed = false;
    for _ in 0..100 {
        let cases = app.get("/cases").await.expect(200).body;
        let case = app.get(CASE).await.expect(200).body;
        let themes = app.get("/themes").await.expect(200).body;
        if cases.contains(">Qosqo<") && case.contains(">Provincia de Qosqo<") && themes.contains("Cobro de tributos") {
            assert!(!cases.contains(">Cusco<") && !themes.contains("Recaudación"), "the old names are gone");
            renamed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cases = app.get("/cases").await.body;
    let case = app.get(CASE).await.body;
    let themes = app.get("/themes").await.body;
    assert!(
        renamed,
        "the new names did not reach the pages within 5 s: /cases {}, the case page {}, /themes {}",
        cases.contains(">Qosqo<"),
        case.contains(">Provincia de Qosqo<"),
        themes.contains("Cobro de tributos")
    );
}

#[tokio::test]
async fn peer_cases_follow_the_index_after_another_process_unpublishes_one() {
    let app = TestApp::new().await;
    let before = peers(&app.get(CASE).await.expect(200).body);
    let gone = before.first().unwrap_or_else(|| panic!("the case page lists peer cases")).clone();
    assert_eq!(peers(&app.get(CASE).await.expect(200).body), before, "the same peers on the next view");
    sqlx::query("update cases set status = 'draft', published_at = null where slug = $1")
        .bind(gone.trim_start_matches("/cases/"))
        .execute(&app.db.pool)
        .await
        .expect("unpublish a peer");
    app.wait_for_index().await;
    let after = peers(&app.get(CASE).await.expect(200).body);
    assert!(!after.contains(&gone), "{gone} was unpublished, yet the case page still lists it: {after:?}");
    assert!(!after.is_empty(), "other peers take its place");
}

#[tokio::test]
async fn a_kept_page_is_never_served_to_a_signed_in_person() {
    let app = TestApp::new().await;
    for path in [CASE, "/cases", "/"] {
        let anonymous = app.get(path).await.expect(200);
        assert!(anonymous.body.contains(r#"href="/signin"#), "{path} offers to sign in");
        app.get(path).await.expect(200);
    }
    let (mut editor, _) = app.browser_as("editora@cusco.gob.pe", "Editora Kept", Role::Admin).await;
    for path in [CASE, "/cases", "/"] {
        let page = editor.get(path).await.expect(200);
        assert!(page.body.contains("Editora Kept"), "{path} shows who is signed in:\n{}", page.body);
        assert!(!page.body.contains(r#"href="/signin"#), "{path} is not the anonymous page");
        assert!(page.header("cache-control").contains("private"), "{path} is for this person only");
    }
    // An admin sees the workflow buttons that anonymous visitors never get.
    assert!(editor.get(CASE).await.body.contains("/unpublish"), "the admin's own case page");
    // And visitors still get the anonymous page afterwards.
    let mut visitor = Browser::new(&app);
    assert!(!visitor.get(CASE).await.expect(200).body.contains("Editora Kept"));
}

#[tokio::test]
async fn deep_pages_answer_clearly() {
    let app = TestApp::new().await;
    let page = app.get("/cases?page=501").await.expect(400);
    assert!(page.body.contains("solo llega hasta la página 500"), "{}", page.body);
    assert!(page.body.contains("acote la lista con los filtros"));
    let search = app.get("/search?q=integridad&page=501").await.expect(400);
    assert!(search.body.contains("solo llega hasta la página 500"), "{}", search.body);
    let api = app.get("/api/v1/cases?page=101&per_page=100").await.expect(400).json();
    assert_eq!(api["error"]["code"], "bad_parameter");
    assert_eq!(api["error"]["parameter"], "page");
    assert!(api["error"]["message"].as_str().unwrap_or_default().contains("100"), "{api}");
    // The deepest page still answers.
    app.get("/cases?page=500").await.expect(200);
}

/// A visitor's workshop page is kept, yet shows the places left after each registration
/// and closes registration when the clock reaches the deadline, with no write in between.
#[tokio::test]
async fn kept_workshop_pages_follow_registrations_and_the_clock() {
    let app = TestApp::new().await;
    let (slug, workshop, _) = crate::workshops::published(&app, "Taller con cupos", Some(5)).await;
    let page = format!("/workshops/{slug}");
    // Only the writes below, and the clock, may change the page from here on.
    app.wait_for_index().await;
    for _ in 0..2 {
        assert!(app.get(&page).await.expect(200).body.contains("Quedan 5 de 5 cupos."));
    }
    let (mut member, member_id) = app.browser_as("m@x.gob.pe", "Miembro", Role::Member).await;
    let store = app.db.store();
    let user = store.active_user(member_id).await.expect("load").expect("active");
    store.register(workshop, &user, time::OffsetDateTime::now_utc()).await.expect("register");
    assert!(app.get(&page).await.expect(200).body.contains("Quedan 4 de 5 cupos."), "a registration shows at once");
    // Reading writes nothing: a signed-in view leaves every kept page kept.
    let before = store.versions().await.expect("versions");
    for _ in 0..2 {
        member.get(&page).await.expect(200);
        member.get(&format!("{page}/certificate")).await;
    }
    assert_eq!(store.versions().await.expect("versions"), before);

    // The deadline is a second away: the page kept now says registration is open…
    sqlx::query("update workshops set registration_deadline = now() + interval '1 second' where id = $1")
        .bind(workshop)
        .execute(&app.db.pool)
        .await
        .expect("deadline");
    // The index has caught up, so nothing but the clock moves from here on.
    app.wait_for_index().await;
    for _ in 0..2 {
        assert!(!app.get(&page).await.expect(200).body.contains("La inscripción está cerrada."));
    }
    // …and once it has passed, nothing having been written, it says it is closed.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(app.get(&page).await.expect(200).body.contains("La inscripción está cerrada."), "closed by the clock");
}
