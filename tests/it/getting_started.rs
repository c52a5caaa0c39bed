//! What a newcomer meets: the home page promises only what exists, shows how to join and
//! propose a case, greets a new account, and says who will review a submission.

use ayni::domain::account::Role;

use crate::support::{
    browser::{case_form, slug_of, Browser},
    TestApp,
};

#[tokio::test]
async fn a_visitor_sees_what_exists_and_how_to_join() {
    let app = TestApp::new().await;
    let home = app.get("/").await.expect(200).body;
    for promise in ["agendas", "comenten", "discutan"] {
        assert!(!home.contains(promise), "the home page promises {promise:?}, which does not exist yet");
    }
    assert!(home.contains(r#"<a class="button" href="/signup?next=%2Fcases%2Fnew">Crear una cuenta</a>"#));
    assert!(home.contains(r#"<a href="/cases/new">Proponer un caso</a>"#), "the header offers to propose a case");
    let propose = app.get("/cases/new").await.expect(303);
    assert_eq!(propose.header("location"), "/signin?next=%2Fcases%2Fnew");
    let signin = app.get("/signin?next=%2Fcases%2Fnew").await.expect(200).body;
    assert!(signin.contains(r#"<a href="/signup?next=%2Fcases%2Fnew">"#), "sign-up keeps next: {signin}");
}

#[tokio::test]
async fn a_new_account_is_welcomed_where_it_was_going() {
    let app = TestApp::new().await;
    let mut browser = Browser::new(&app);
    browser.get("/signup?next=%2Fcases%2Fnew").await.expect(200);
    let fields = [
        ("email", "nueva@region.gob.pe"),
        ("display_name", "Nueva Persona"),
        ("organisation", ""),
        ("region", ""),
        ("password", "una frase bastante larga"),
        ("password_confirm", "una frase bastante larga"),
        ("consent", "yes"),
        ("next", "/cases/new"),
    ];
    let created = browser.post("/signup", &fields).await.expect(303);
    assert_eq!(created.header("location"), "/cases/new?done=welcome");
    let page = browser.get("/cases/new?done=welcome").await.expect(200);
    assert!(page.body.contains("Bienvenida o bienvenido a Ayni"), "{}", page.body);
}

#[tokio::test]
async fn a_submission_says_who_reviews_it_and_its_author_can_withdraw_it() {
    let app = TestApp::new().await;
    let (mut author, _) = app.browser_as("autora@x.gob.pe", "Autora", Role::Member).await;
    let submit = |region: &'static str| {
        let mut fields = case_form("Un caso para revisar", region);
        fields.retain(|(k, _)| *k != "title");
        fields.push(("title", region));
        fields
    };
    // Nobody edits Tacna yet: the admins will review it.
    let saved = author.post("/cases/new", &submit("tacna")).await.expect(303);
    let slug = slug_of(&saved.header("location"));
    let sent = author.post(&format!("/cases/{slug}/submit"), &[]).await.expect(303);
    let page = author.get(&sent.header("location")).await.expect(200).body;
    assert!(page.contains("lo revisará un administrador de Ayni"), "{page}");
    // Cusco has an editor.
    let editor = app.account("editor@x.gob.pe", "Editor", Role::Editor).await;
    app.make_editor(editor, &["cusco"]).await;
    let saved = author.post("/cases/new", &submit("cusco")).await.expect(303);
    let cusco = slug_of(&saved.header("location"));
    let sent = author.post(&format!("/cases/{cusco}/submit"), &[]).await.expect(303);
    let page = author.get(&sent.header("location")).await.expect(200).body;
    assert!(page.contains("Un editor de su región lo revisará"), "{page}");

    // The author takes it back to change it.
    assert!(page.contains(&format!(r#"action="/cases/{cusco}/withdraw""#)));
    let back = author.post(&format!("/cases/{cusco}/withdraw"), &[]).await.expect(303);
    let page = author.get(&back.header("location")).await.expect(200).body;
    assert!(page.contains("Retiró el caso de la revisión"), "{page}");
    let status: String = sqlx::query_scalar("select status from cases where slug = $1")
        .bind(&cusco)
        .fetch_one(&app.db.pool)
        .await
        .expect("status");
    assert_eq!(status, "draft");
}
