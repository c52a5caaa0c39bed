//! Discussions: comments under a case (Markdown sanitized, mentions, replies with quotes,
//! edits with history, the delete placeholder), useful votes and the accepted answer,
//! free-standing threads and their list, and a discussion that goes and comes back with
//! its case.

use ayni::domain::account::Role;

use crate::support::{
    browser::{Browser, PASSWORD},
    http::TestResponse,
    TestApp,
};

pub(crate) const HOSTILE: &str = "Hola <script>alert('x')</script><img src=x onerror=alert(1)> \
    [clic](javascript:alert(1)) <a href=\"#\" onclick=\"alert(1)\">aquí</a> **bien**";

/// A published seed case, with `author` as its author.
pub(crate) async fn case_by(app: &TestApp, author: Option<i64>) -> (i64, String) {
    let (id, slug): (i64, String) =
        sqlx::query_as("select id, slug from cases where status = 'published' order by slug limit 1")
            .fetch_one(&app.db.pool)
            .await
            .expect("a published case");
    sqlx::query("update cases set author_id = $2 where id = $1")
        .bind(id)
        .bind(author)
        .execute(&app.db.pool)
        .await
        .expect("set the author");
    (id, slug)
}

/// Makes an account a month old: older accounts post more often, and their first comment
/// with links is not held for a moderator.
pub(crate) async fn established(app: &TestApp, id: i64) {
    sqlx::query("update users set created_at = now() - interval '1 month' where id = $1")
        .bind(id)
        .execute(&app.db.pool)
        .await
        .expect("an older account");
}

/// Posts a comment through the form and returns its id (from the redirect to it).
pub(crate) async fn comment(browser: &mut Browser<'_>, url: &str, body: &str, reply_to: Option<i64>) -> i64 {
    let reply = reply_to.map(|r| r.to_string()).unwrap_or_default();
    let answer = browser.post(url, &[("body", body), ("reply_to", &reply)]).await.expect(303);
    comment_id(&answer)
}

pub(crate) fn comment_id(answer: &TestResponse) -> i64 {
    let location = answer.header("location");
    location
        .strip_prefix("/comments/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a comment's address: {location}"))
}

/// Follows a comment's permalink to the page that shows it.
pub(crate) async fn open(browser: &mut Browser<'_>, comment: i64) -> TestResponse {
    let answer = browser.get(&format!("/comments/{comment}")).await.expect(303);
    let location = answer.header("location");
    assert!(location.ends_with(&format!("#comment-{comment}")), "{location}");
    let page = location.split('#').next().unwrap_or_default().to_string();
    browser.get(&page).await.expect(200)
}

#[tokio::test]
async fn comments_under_a_case_are_sanitized_quoted_edited_and_deleted_with_a_placeholder() {
    let app = TestApp::new().await;
    let (_, slug) = case_by(&app, None).await;
    let url = format!("/cases/{slug}/discussion");
    // Visitors read the discussion and are asked to sign in to take part.
    let page = Browser::new(&app).get(&format!("/cases/{slug}")).await.expect(200);
    assert!(page.body.contains("id=\"discussion\"") && page.body.contains("/signin?next="), "{}", page.body);

    let (mut ana, ana_id) = app.browser_as("ana@region.gob.pe", "Ana Quispe", Role::Member).await;
    let (mut luis, _) = app.browser_as("luis@region.gob.pe", "Luis Mamani", Role::Member).await;
    established(&app, ana_id).await;
    let handle: String = sqlx::query_scalar("select handle from users where id = $1")
        .bind(ana_id)
        .fetch_one(&app.db.pool)
        .await
        .expect("handle");
    assert_eq!(handle, "ana_quispe", "handles come from names");

    let first = comment(&mut ana, &url, HOSTILE, None).await;
    let page = open(&mut ana, first).await;
    assert!(page.body.contains("<strong>bien</strong>"), "{}", page.body);
    for bad in ["<script>alert", "onerror", "javascript:", "onclick"] {
        assert!(!page.body.contains(bad), "{bad} reached the thread page");
    }
    // The case page shows the newest comments, sanitized too.
    let case_page = Browser::new(&app).get(&format!("/cases/{slug}")).await.expect(200);
    assert!(
        case_page.body.contains(&format!("id=\"comment-{first}\"")) && !case_page.body.contains("onerror"),
        "{}",
        case_page.body
    );

    // A reply, then a reply to the reply: shown under the top comment, quoting the reply.
    let reply = comment(&mut luis, &url, &format!("Gracias @{handle}, ¿con cuántas personas?"), Some(first)).await;
    let page = open(&mut luis, reply).await;
    assert!(page.body.contains(&format!("<a href=\"/people/{ana_id}\"")), "the mention links to Ana");
    let second = comment(&mut ana, &url, "Con dos personas.", Some(reply)).await;
    let page = open(&mut ana, second).await;
    let at = page.body.find(&format!("id=\"comment-{second}\"")).expect("the reply to the reply");
    let shown = &page.body[at..];
    assert!(shown.contains("¿con cuántas personas?"), "it quotes the reply it answers");
    let parent: Option<i64> = sqlx::query_scalar("select parent_id from comments where id = $1")
        .bind(second)
        .fetch_one(&app.db.pool)
        .await
        .expect("parent");
    assert_eq!(parent, Some(first), "nested one level, under the top comment");

    // Only the author edits; every edit is kept and the comment says so.
    luis.post(&format!("/comments/{first}/edit"), &[("body", "No es mío")]).await.expect(403);
    ana.post(&format!("/comments/{first}/edit"), &[("body", "Texto **corregido**")]).await.expect(303);
    let page = open(&mut ana, first).await;
    assert!(
        page.body.contains("<strong>corregido</strong>") && page.body.contains(&format!("/comments/{first}/history"))
    );
    let history = Browser::new(&app).get(&format!("/comments/{first}/history")).await.expect(200);
    assert!(history.body.contains("<strong>corregido</strong>") && history.body.contains("<strong>bien</strong>"));
    assert!(!history.body.contains("onerror"), "history is sanitized");

    // Deleting a comment with replies leaves a placeholder; the quote shows it is gone.
    luis.post(&format!("/comments/{reply}/delete"), &[]).await.expect(303);
    let page = open(&mut ana, second).await;
    assert!(page.body.contains("Comentario eliminado."), "{}", page.body);
    assert!(!page.body.contains("¿con cuántas personas?"), "a deleted comment does not live on in a quote");
    // Without replies it goes altogether.
    ana.post(&format!("/comments/{second}/delete"), &[]).await.expect(303);
    let page = Browser::new(&app).get(&url).await.expect(200);
    assert!(!page.body.contains(&format!("id=\"comment-{second}\"")));
    Browser::new(&app).get(&format!("/comments/{second}/history")).await.expect(404);
}

#[tokio::test]
async fn one_useful_vote_per_person_and_the_case_author_accepts_an_answer() {
    let app = TestApp::new().await;
    let (mut author, author_id) = app.browser_as("autora@region.gob.pe", "Autora Caso", Role::Member).await;
    let (_, slug) = case_by(&app, Some(author_id)).await;
    let url = format!("/cases/{slug}/discussion");
    let (mut asker, _) = app.browser_as("pregunta@region.gob.pe", "Quien Pregunta", Role::Member).await;
    let (mut voter, _) = app.browser_as("vota@region.gob.pe", "Quien Vota", Role::Member).await;
    let question = comment(&mut asker, &url, "¿Cómo lo organizaron?", None).await;
    let answer = comment(&mut voter, &url, "Así lo hicimos nosotros.", None).await;

    asker.post(&format!("/comments/{answer}/useful"), &[("on", "1")]).await.expect(303);
    asker.post(&format!("/comments/{answer}/useful"), &[("on", "1")]).await.expect(303);
    voter.post(&format!("/comments/{answer}/useful"), &[("on", "1")]).await.expect(403);
    let useful: i32 = sqlx::query_scalar("select useful_count from comments where id = $1")
        .bind(answer)
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(useful, 1, "one vote per person, none on one's own comment");
    let page = open(&mut asker, answer).await;
    assert!(page.body.contains("1 persona lo encontró útil"));

    // Neither the asker nor the voter may accept an answer; the case's author may.
    asker.post(&format!("/comments/{answer}/accept"), &[("on", "1")]).await.expect(403);
    author.post(&format!("/comments/{answer}/accept"), &[("on", "1")]).await.expect(303);
    let page = Browser::new(&app).get(&url).await.expect(200);
    let accepted = page.body.find("Respuesta aceptada</h3>").expect("the accepted answer is shown");
    let first_comment = page.body.find(&format!("id=\"comment-{question}\"")).expect("the question");
    assert!(accepted < first_comment, "the accepted answer comes first");
}

#[tokio::test]
async fn free_standing_threads_are_listed_filtered_and_sorted() {
    let app = TestApp::new().await;
    let (mut ana, _) = app.browser_as("ana@region.gob.pe", "Ana Quispe", Role::Member).await;
    let themes: Vec<String> = sqlx::query_scalar("select slug from themes order by slug limit 2")
        .fetch_all(&app.db.pool)
        .await
        .expect("themes");
    // A refused form keeps what was typed and says what is wrong.
    let refused = ana.post("/discussions/new", &[("title", ""), ("theme", "atlantis"), ("body", "Texto")]).await;
    let refused = refused.expect(422);
    assert!(refused.body.contains("error-summary") && refused.body.contains("Texto"));
    let created = ana
        .post(
            "/discussions/new",
            &[
                ("title", "¿Oficina de integridad con dos personas?"),
                ("theme", &themes[0]),
                ("region", "cusco"),
                ("body", "Cuéntenme."),
            ],
        )
        .await
        .expect(303);
    let thread_url = created.header("location");
    let page = Browser::new(&app).get(&thread_url).await.expect(200);
    assert!(page.body.contains("¿Oficina de integridad con dos personas?") && page.body.contains("Cuéntenme."));
    ana.post(
        "/discussions/new",
        &[("title", "Presupuesto participativo"), ("theme", &themes[1]), ("body", "¿Experiencias?")],
    )
    .await
    .expect(303);

    let list = Browser::new(&app).get("/discussions").await.expect(200);
    assert!(list.body.contains("¿Oficina de integridad") && list.body.contains("Presupuesto participativo"));
    let by_theme = Browser::new(&app).get(&format!("/discussions?theme={}", themes[1])).await.expect(200);
    assert!(!by_theme.body.contains("¿Oficina de integridad") && by_theme.body.contains("Presupuesto participativo"));
    let by_region = Browser::new(&app).get("/discussions?region=cusco").await.expect(200);
    assert!(by_region.body.contains("¿Oficina de integridad") && !by_region.body.contains("Presupuesto participativo"));
    let answered = Browser::new(&app).get("/discussions?answered=yes").await.expect(200);
    assert!(!answered.body.contains("¿Oficina de integridad"));
    Browser::new(&app).get("/discussions?sort=loudest").await.expect(400);
    Browser::new(&app).get("/discussions?theme=atlantis").await.expect(400);
    let newest = Browser::new(&app).get("/discussions?sort=newest").await.expect(200);
    let (a, b) = (newest.body.find("Presupuesto participativo"), newest.body.find("¿Oficina de integridad"));
    assert!(a < b, "newest first");
}

#[tokio::test]
async fn a_case_discussion_goes_and_comes_back_with_its_case() {
    let app = TestApp::new().await;
    let (case_id, slug) = case_by(&app, None).await;
    let url = format!("/cases/{slug}/discussion");
    let (mut ana, _) = app.browser_as("ana@region.gob.pe", "Ana Quispe", Role::Member).await;
    let id = comment(&mut ana, &url, "Un comentario visible", None).await;
    sqlx::query("update cases set status = 'unpublished' where id = $1")
        .bind(case_id)
        .execute(&app.db.pool)
        .await
        .expect("unpublish");
    Browser::new(&app).get(&url).await.expect(404);
    ana.get(&format!("/comments/{id}")).await.expect(404);
    ana.post(&url, &[("body", "otro")]).await.expect(404);
    sqlx::query("update cases set status = 'published' where id = $1")
        .bind(case_id)
        .execute(&app.db.pool)
        .await
        .expect("publish again");
    let page = open(&mut ana, id).await;
    assert!(page.body.contains("Un comentario visible"));
}

#[tokio::test]
async fn a_closed_account_becomes_a_former_member_and_its_comments_stay() {
    let app = TestApp::new().await;
    let (_, slug) = case_by(&app, None).await;
    let url = format!("/cases/{slug}/discussion");
    let (mut ana, _) = app.browser_as("ana@region.gob.pe", "Ana Quispe", Role::Member).await;
    let id = comment(&mut ana, &url, "Mi experiencia en Cusco", None).await;
    ana.post("/profile/close", &[("close_password", PASSWORD)]).await.expect(303);
    let page = open(&mut Browser::new(&app), id).await;
    assert!(page.body.contains("Mi experiencia en Cusco") && page.body.contains("Exmiembro"));
    assert!(!page.body.contains("Ana Quispe") && !page.body.contains("ana_quispe"), "{}", page.body);
}

#[tokio::test]
async fn mentions_and_follows_notify_and_the_private_feed_carries_them_until_revoked() {
    let app = TestApp::new().await;
    let (mut author, author_id) = app.browser_as("autora@region.gob.pe", "Autora Caso", Role::Member).await;
    let (_, slug) = case_by(&app, Some(author_id)).await;
    let url = format!("/cases/{slug}/discussion");
    let (mut ana, ana_id) = app.browser_as("ana@region.gob.pe", "Ana Quispe", Role::Member).await;
    let (mut luis, luis_id) = app.browser_as("luis@region.gob.pe", "Luis Mamani", Role::Member).await;
    established(&app, luis_id).await;

    // Ana asks; the case's author follows the discussion of the case she wrote.
    comment(&mut ana, &url, "¿Cómo organizaron la oficina con solo dos personas?", None).await;
    // Luis answers with a hostile text that mentions Ana, and once more inside code; it
    // holds characters that XML forbids (U+FFFF), which must not break Ana's feed.
    let hostile = format!("\u{FFFF}{HOSTILE} @ana_quispe y `@ana_quispe`");
    comment(&mut luis, &url, &hostile, None).await;
    app.wait_for_notifications().await;
    let reasons: Vec<(i64, String)> =
        sqlx::query_as("select user_id, reason from notifications order by user_id, event_id")
            .fetch_all(&app.db.pool)
            .await
            .expect("notifications");
    assert!(reasons.contains(&(ana_id, "mention".to_string())), "{reasons:?}");
    assert_eq!(reasons.iter().filter(|(u, _)| *u == ana_id).count(), 1, "once, of the mention: {reasons:?}");
    assert_eq!(reasons.iter().filter(|(u, _)| *u == author_id).count(), 2, "the author hears of both: {reasons:?}");

    // The page and the header say so, sanitized.
    let page = ana.get("/notifications").await.expect(200);
    assert!(page.body.contains("Luis Mamani le mencionó en"), "{}", page.body);
    assert!(page.body.contains("(1 sin leer)"), "the header shows the unread count");
    for bad in ["<script>alert", "onerror=", "javascript:", "onclick="] {
        assert!(!page.body.contains(bad), "{bad} reached the notifications page");
    }
    let id: i64 = sqlx::query_scalar("select id from notifications where user_id = $1")
        .bind(ana_id)
        .fetch_one(&app.db.pool)
        .await
        .expect("id");
    ana.post(&format!("/notifications/{id}/read"), &[]).await.expect(303);
    assert!(!ana.get("/notifications").await.expect(200).body.contains("sin leer)"));
    author.post("/notifications/read-all", &[]).await.expect(303);
    assert!(!author.get("/notifications").await.expect(200).body.contains("sin leer)"));

    // The private feed: shown once, valid Atom with the text escaped, gone when revoked.
    let made = ana.post("/notifications/feed", &[]).await.expect(200);
    let start = made.body.find("/feeds/notifications/").expect("the feed's address is shown");
    let path: String = made.body[start..].chars().take_while(|c| *c != '<').collect();
    let feed = Browser::new(&app).get(&path).await.expect(200);
    assert!(feed.header("content-type").starts_with("application/atom+xml"), "{}", feed.header("content-type"));
    assert!(feed.header("cache-control").contains("no-store"));
    let xml =
        roxmltree::Document::parse(&feed.body).unwrap_or_else(|e| panic!("not well-formed XML ({e}): {}", feed.body));
    let root = xml.root_element();
    assert_eq!((root.tag_name().namespace(), root.tag_name().name()), (Some("http://www.w3.org/2005/Atom"), "feed"));
    assert_eq!(root.children().filter(|n| n.has_tag_name("entry")).count(), 1, "{}", feed.body);
    assert!(!feed.body.contains("<script") && !feed.body.contains("<img"), "no raw markup: {}", feed.body);
    let stored: String = sqlx::query_scalar("select token_hash from feed_tokens where user_id = $1")
        .bind(ana_id)
        .fetch_one(&app.db.pool)
        .await
        .expect("a stored token");
    assert!(!path.contains(&stored), "the token is stored hashed");
    ana.post("/notifications/feed/revoke", &[]).await.expect(303);
    Browser::new(&app).get(&path).await.expect(404);
}

#[tokio::test]
async fn reports_reach_moderators_who_hide_restore_and_lock_with_the_audit_log() {
    let app = TestApp::new().await;
    let (_, slug) = case_by(&app, None).await;
    let url = format!("/cases/{slug}/discussion");
    let (mut writer, _) = app.browser_as("escribe@region.gob.pe", "Quien Escribe", Role::Member).await;
    let (mut reporter, _) = app.browser_as("reporta@region.gob.pe", "Quien Reporta", Role::Member).await;
    let (mut editor, editor_id) = app.browser_as("editora@region.gob.pe", "Editora Región", Role::Member).await;
    let region: String =
        sqlx::query_scalar("select r.slug from cases c join regions r on r.id = c.region_id where c.slug = $1")
            .bind(&slug)
            .fetch_one(&app.db.pool)
            .await
            .expect("the case's region");
    app.make_editor(editor_id, &[region.as_str()]).await;
    let bad = comment(&mut writer, &url, "Llame al 999 888 777 de Juan Pérez.", None).await;

    reporter
        .post(&format!("/comments/{bad}/report"), &[("reason", "personal_data"), ("note", "Un teléfono privado.")])
        .await
        .expect(303);
    let queue = editor.get("/moderation").await.expect(200);
    assert!(queue.body.contains("Un teléfono privado.") && queue.body.contains("999 888 777"), "{}", queue.body);
    let theirs = reporter.get("/moderation").await.expect(200);
    assert!(!theirs.body.contains("999 888 777"), "a queue shows only the threads one moderates");

    editor.post(&format!("/comments/{bad}/hide"), &[("reason", "Datos personales de un tercero.")]).await.expect(303);
    let public = Browser::new(&app).get(&url).await.expect(200);
    assert!(public.body.contains("Ocultado por los moderadores.") && !public.body.contains("999 888 777"));
    let own = writer.get(&url).await.expect(200);
    assert!(own.body.contains("Datos personales de un tercero."), "the author sees why");
    app.wait_for_notifications().await;
    let told = reporter.get("/notifications").await.expect(200);
    assert!(told.body.contains("Los moderadores atendieron su reporte"), "{}", told.body);
    assert!(!editor.get("/moderation").await.expect(200).body.contains("Un teléfono privado."), "handled");

    editor.post(&format!("/comments/{bad}/restore"), &[]).await.expect(303);
    assert!(Browser::new(&app).get(&url).await.expect(200).body.contains("999 888 777"));
    let thread: i64 = sqlx::query_scalar("select thread_id from comments where id = $1")
        .bind(bad)
        .fetch_one(&app.db.pool)
        .await
        .expect("thread");
    editor.post(&format!("/discussions/{thread}/lock"), &[("on", "1")]).await.expect(303);
    let locked = writer.get(&url).await.expect(200);
    assert!(locked.body.contains("Los moderadores cerraron esta conversación"));
    writer.post(&url, &[("body", "¿Y ahora?"), ("reply_to", "")]).await.expect(403);
    writer.post(&format!("/comments/{bad}/edit"), &[("body", "Otro texto.")]).await.expect(403);
    editor.post(&format!("/discussions/{thread}/lock"), &[("on", "0")]).await.expect(303);
    comment(&mut writer, &url, "Gracias por abrirla de nuevo.", None).await;

    let actions: Vec<(String, String, String)> =
        sqlx::query_as("select action, subject_kind, subject_key from audit_log where actor_id = $1 order by id")
            .bind(editor_id)
            .fetch_all(&app.db.pool)
            .await
            .expect("audit");
    let (bad_key, thread_key) = (bad.to_string(), thread.to_string());
    assert_eq!(
        actions,
        vec![
            ("comment.hidden".to_string(), "comment".to_string(), bad_key.clone()),
            ("comment.restored".to_string(), "comment".to_string(), bad_key),
            ("thread.locked".to_string(), "thread".to_string(), thread_key.clone()),
            ("thread.unlocked".to_string(), "thread".to_string(), thread_key),
        ]
    );
}

#[tokio::test]
async fn new_accounts_post_five_comments_in_ten_minutes_and_their_first_link_waits() {
    let app = TestApp::new().await;
    let (_, slug) = case_by(&app, None).await;
    let url = format!("/cases/{slug}/discussion");
    let (mut newcomer, _) = app.browser_as("nueva@region.gob.pe", "Cuenta Nueva", Role::Member).await;
    let held = comment(&mut newcomer, &url, "Vean [mi sitio](https://example.org/oferta).", None).await;
    assert!(newcomer.get(&url).await.expect(200).body.contains("Espera la revisión de un moderador"));
    assert!(!Browser::new(&app).get(&url).await.expect(200).body.contains("example.org/oferta"), "others see nothing");
    for n in 2..=5 {
        comment(&mut newcomer, &url, &format!("Comentario {n}."), None).await;
    }
    let refused = newcomer.post(&url, &[("body", "Uno más."), ("reply_to", "")]).await.expect(429);
    assert!(refused.body.contains("Publicó muchos comentarios"), "{}", refused.body);

    let (mut admin, _) = app.browser_as("admin@region.gob.pe", "Admin", Role::Admin).await;
    assert!(admin.get("/moderation").await.expect(200).body.contains("example.org/oferta"));
    admin.post(&format!("/comments/{held}/approve"), &[]).await.expect(303);
    assert!(Browser::new(&app).get(&url).await.expect(200).body.contains("example.org/oferta"));

    // An older account may post thirty.
    let (mut known, known_id) = app.browser_as("conocida@region.gob.pe", "Cuenta Conocida", Role::Member).await;
    established(&app, known_id).await;
    for n in 1..=30 {
        comment(&mut known, &url, &format!("Aporte {n} con [enlace](https://example.org/{n})."), None).await;
    }
    known.post(&url, &[("body", "Uno más."), ("reply_to", "")]).await.expect(429);
}

#[tokio::test]
async fn a_retried_post_makes_one_comment_and_a_hundred_at_once_all_land_in_order() {
    let app = TestApp::new().await;
    let (_, slug) = case_by(&app, None).await;
    let url = format!("/cases/{slug}/discussion");

    // A double click: the same form, with the same key, twice.
    let (mut ana, _) = app.browser_as("ana@region.gob.pe", "Ana Quispe", Role::Member).await;
    let form = [("body", "¿Cómo lo hicieron?"), ("reply_to", ""), ("key", "clave-del-formulario")];
    let first = comment_id(&ana.post(&url, &form).await.expect(303));
    let again = comment_id(&ana.post(&url, &form).await.expect(303));
    assert_eq!(first, again, "the retried post answers with the first comment");

    // A hundred people, each signed in from their own address, post at the same moment.
    let mut people = Vec::new();
    for n in 0..100 {
        let email = format!("persona{n}@region.gob.pe");
        app.account(&email, &format!("Persona {n}"), Role::Member).await;
        let mut browser = Browser::from_address(&app, &format!("198.51.{}.{}:4000", 100 + n / 200, 1 + n % 200));
        browser.sign_in(&email, PASSWORD).await.expect(303);
        people.push(browser);
    }
    let answers = futures_util::future::join_all(people.iter_mut().enumerate().map(|(n, browser)| {
        let url = url.clone();
        async move {
            let body = format!("Aporte número {n}.");
            browser.post(&url, &[("body", body.as_str()), ("reply_to", "")]).await.status.as_u16()
        }
    }))
    .await;
    assert!(answers.iter().all(|s| *s == 303), "every post lands: {answers:?}");
    let numbers: Vec<i32> = sqlx::query_scalar(
        "select c.number from comments c join threads t on t.id = c.thread_id
         join cases k on k.id = t.case_id where k.slug = $1 order by c.number",
    )
    .bind(&slug)
    .fetch_all(&app.db.pool)
    .await
    .expect("numbers");
    assert_eq!(numbers, (1..=101).collect::<Vec<i32>>(), "numbered 1 to 101 without gaps or twins");
    let page = Browser::new(&app).get(&format!("{url}?page=3")).await.expect(200);
    assert!(page.body.contains("Aporte número"), "the last page shows the hundredth");
}

#[tokio::test]
async fn a_worker_killed_mid_batch_still_delivers_every_notification_exactly_once() {
    let app = TestApp::new().await;
    let (_, slug) = case_by(&app, None).await;
    let url = format!("/cases/{slug}/discussion");
    // Twenty people follow the discussion (commenting follows it).
    let mut followers = Vec::new();
    for n in 0..20 {
        let (mut browser, id) =
            app.browser_as(&format!("sigue{n}@region.gob.pe"), &format!("Sigue {n}"), Role::Member).await;
        comment(&mut browser, &url, &format!("Sigo esta conversación ({n})."), None).await;
        followers.push(id);
    }
    app.wait_for_notifications().await;

    // Hold the last follower's row, so that the worker's batch stops inside its insert
    // (the foreign key check waits for the lock), then post.
    let mut holder = app.db.pool.begin().await.expect("begin");
    sqlx::query("select 1 from users where id = $1 for update")
        .bind(followers[19])
        .execute(&mut *holder)
        .await
        .expect("hold the row");
    let (mut poster, _) = app.browser_as("publica@region.gob.pe", "Quien Publica", Role::Member).await;
    let posted = comment(&mut poster, &url, "Una novedad para todos.", None).await;

    // End the worker's connection while it waits in the middle of the batch (in this
    // test's database alone: other tests share the server). A loaded machine may take a
    // while to get there. Asked from outside the holding transaction: within one,
    // PostgreSQL shows the activity as it was at the transaction's first look.
    let mut killed = false;
    for _ in 0..1200 {
        killed = sqlx::query_scalar::<_, Option<bool>>(
            "select bool_or(pg_terminate_backend(pid)) from pg_stat_activity
             where datname = current_database() and query ilike '%insert into notifications%'
               and wait_event_type = 'Lock' and pid <> pg_backend_pid()",
        )
        .fetch_one(&app.db.pool)
        .await
        .expect("look for the worker")
        .unwrap_or(false);
        if killed {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    if !killed {
        let activity: Option<String> = sqlx::query_scalar(
            "select string_agg(coalesce(wait_event_type, '-') || ' ' || state || ': ' || left(query, 120), E'\n')
             from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
        )
        .fetch_one(&app.db.pool)
        .await
        .expect("activity");
        panic!("the worker's batch never reached the held row; the database's sessions:\n{activity:?}");
    }
    holder.rollback().await.expect("let go");

    app.wait_for_notifications().await;
    let received: Vec<(i64, i64)> = sqlx::query_as(
        "select n.user_id, count(*) from notifications n join events e on e.id = n.event_id
         where e.comment_id = $1 group by n.user_id order by n.user_id",
    )
    .bind(posted)
    .fetch_all(&app.db.pool)
    .await
    .expect("notifications");
    let expected: Vec<(i64, i64)> = followers.iter().map(|id| (*id, 1)).collect();
    assert_eq!(received, expected, "every follower, exactly once");
}

#[tokio::test]
async fn people_follow_a_region_from_its_page_and_hear_of_its_new_cases() {
    let app = TestApp::new().await;
    let (mut ana, ana_id) = app.browser_as("ana@region.gob.pe", "Ana Quispe", Role::Member).await;
    assert!(!Browser::new(&app).get("/regions/cusco").await.expect(200).body.contains("action=\"/follows\""));
    let page = ana.get("/regions/cusco").await.expect(200);
    assert!(page.body.contains("action=\"/follows\"") && page.body.contains(">Seguir</button>"), "{}", page.body);
    let followed =
        ana.post("/follows", &[("kind", "region"), ("key", "cusco"), ("on", "1"), ("next", "/regions/cusco")]);
    assert_eq!(followed.await.expect(303).header("location"), "/regions/cusco");
    assert!(ana.get("/regions/cusco").await.expect(200).body.contains(">Dejar de seguir</button>"));
    ana.post("/follows", &[("kind", "region"), ("key", "no-existe"), ("on", "1")]).await.expect(404);

    // Luis proposes a case of Cusco; an editor of Cusco publishes it.
    let (mut luis, _) = app.browser_as("luis@region.gob.pe", "Luis Mamani", Role::Member).await;
    let form = crate::support::browser::case_form("Oficina de integridad en Cusco", "cusco");
    let slug = luis
        .post("/cases/new", &form)
        .await
        .expect(303)
        .header("location")
        .trim_start_matches("/cases/")
        .split(['/', '?'])
        .next()
        .unwrap_or_default()
        .to_string();
    luis.post(&format!("/cases/{slug}/submit"), &[]).await.expect(303);
    let (mut editor, editor_id) = app.browser_as("editor@region.gob.pe", "Editor Cusco", Role::Member).await;
    app.make_editor(editor_id, &["cusco"]).await;
    editor.post(&format!("/cases/{slug}/publish"), &[]).await.expect(303);

    app.wait_for_notifications().await;
    let told = ana.get("/notifications").await.expect(200);
    assert!(told.body.contains("Nuevo caso publicado: «Oficina de integridad en Cusco»"), "{}", told.body);
    let reason: String = sqlx::query_scalar("select reason from notifications where user_id = $1")
        .bind(ana_id)
        .fetch_one(&app.db.pool)
        .await
        .expect("one notification");
    assert_eq!(reason, "region");
}

#[tokio::test]
async fn people_change_their_handle_and_old_mentions_still_point_at_them() {
    let app = TestApp::new().await;
    let (_, slug) = case_by(&app, None).await;
    let url = format!("/cases/{slug}/discussion");
    let (mut ana, ana_id) = app.browser_as("ana@region.gob.pe", "Ana Quispe", Role::Member).await;
    let (mut luis, _) = app.browser_as("luis@region.gob.pe", "Luis Mamani", Role::Member).await;
    let mentioned = comment(&mut luis, &url, "Pregúntele a @ana_quispe.", None).await;

    let profile = |handle: &'static str| {
        [("display_name", "Ana Quispe"), ("handle", handle), ("organisation", ""), ("region", ""), ("language", "es")]
    };
    let page = ana.get("/profile").await.expect(200);
    assert!(page.body.contains("name=\"handle\"") && page.body.contains("value=\"ana_quispe\""), "{}", page.body);
    ana.post("/profile", &profile("ana_cusco")).await.expect(303);
    let taken = luis.post("/profile", &profile("ana_cusco")).await.expect(422);
    assert!(taken.body.contains("Otra persona ya usa ese usuario"), "{}", taken.body);
    let bad = luis.post("/profile", &profile("<b>x</b>")).await.expect(422);
    assert!(!bad.body.contains("<b>x</b>"), "the typed handle comes back escaped");

    let page = open(&mut luis, mentioned).await;
    assert!(page.body.contains(&format!("<a href=\"/people/{ana_id}\"")), "the old mention still points at Ana");
    let fresh = comment(&mut luis, &url, "Gracias, @ana_cusco.", None).await;
    let page = open(&mut luis, fresh).await;
    assert!(page.body.contains(&format!("<a href=\"/people/{ana_id}\"")), "the new handle reaches her too");
}

/// The results of a search, as JSON.
async fn found(app: &TestApp, query: &str) -> serde_json::Value {
    app.wait_for_index().await;
    Browser::new(app).get(&format!("/api/v1/search?{query}")).await.expect(200).json()
}

fn urls(results: &serde_json::Value) -> Vec<String> {
    results["results"].as_array().into_iter().flatten().filter_map(|r| r["url"].as_str()).map(str::to_string).collect()
}

#[tokio::test]
async fn threads_and_comments_are_searched_by_type_and_hidden_ones_are_never_found() {
    let app = TestApp::new().await;
    let (case_id, slug) = case_by(&app, None).await;
    let url = format!("/cases/{slug}/discussion");
    let (mut ana, ana_id) = app.browser_as("ana@region.gob.pe", "Ana Quispe", Role::Member).await;
    let (mut admin, _) = app.browser_as("admin@ayni.pe", "Admin Ayni", Role::Admin).await;
    established(&app, ana_id).await;
    let theme: String = sqlx::query_scalar("select slug from themes order by slug limit 1")
        .fetch_one(&app.db.pool)
        .await
        .expect("a theme");

    let shown = comment(&mut ana, &url, &format!("{HOSTILE} Usamos el quipucamayoc digital."), None).await;
    let created = ana
        .post(
            "/discussions/new",
            &[
                ("title", "Quipucamayoc en la oficina"),
                ("theme", &theme),
                ("region", "cusco"),
                ("body", "¿Cómo organizaron la oficina?"),
            ],
        )
        .await
        .expect(303);
    let thread_url = created.header("location");

    // Searches for cases (the default) do not find comments, and offer them as a type.
    let default = found(&app, "q=quipucamayoc").await;
    assert!(urls(&default).iter().all(|u| !u.contains("/comments/") && !u.contains("/discussions/")), "{default}");
    let types = default["facets"]["type"].as_array().cloned().unwrap_or_default();
    assert!(
        types.iter().any(|t| t["value"] == "comment" && t.get("count").is_none()),
        "the type facet offers comments: {types:?}"
    );
    let page = Browser::new(&app).get("/search?q=quipucamayoc").await.expect(200);
    assert!(page.body.contains("type=comment"), "the page offers comments too");

    // Asked for, comments and threads are found, linking to the permalink and the thread,
    // with the hostile text escaped in the snippet.
    let comments = found(&app, "q=quipucamayoc&type=comment").await;
    let comment_url = format!("/comments/{shown}");
    assert!(urls(&comments).iter().any(|u| u.ends_with(&comment_url)), "{comments}");
    assert_eq!(comments["facets"]["type"][0]["value"], "comment");
    let page = Browser::new(&app).get("/search?q=quipucamayoc&type=comment").await.expect(200);
    assert!(page.body.contains(&format!("href=\"{comment_url}\"")), "{}", page.body);
    for bad in ["<script>alert", "<img src=x", "onclick=\"alert", "href=\"javascript"] {
        assert!(!page.body.contains(bad), "{bad} reached a search snippet");
    }
    for result in comments["results"].as_array().into_iter().flatten() {
        let snippet = result["snippet_html"].as_str().unwrap_or_default().replace("<b>", "").replace("</b>", "");
        assert!(!snippet.contains('<'), "only <b> is markup in a snippet: {snippet}");
    }
    let threads = found(&app, "q=quipucamayoc&type=thread").await;
    assert!(urls(&threads).iter().any(|u| u.ends_with(&thread_url)), "{threads}");
    let stemmed = found(&app, "q=organizar&type=thread").await;
    assert!(
        urls(&stemmed).iter().any(|u| u.ends_with(&thread_url)),
        "Spanish stemming: organizaron ~ organizar: {stemmed}"
    );

    // Hidden, deleted and held comments are never found.
    admin.post(&format!("/comments/{shown}/hide"), &[("reason", "Spam.")]).await.expect(303);
    assert!(urls(&found(&app, "q=quipucamayoc&type=comment").await).iter().all(|u| !u.ends_with(&comment_url)));
    admin.post(&format!("/comments/{shown}/restore"), &[]).await.expect(303);
    assert!(urls(&found(&app, "q=quipucamayoc&type=comment").await).iter().any(|u| u.ends_with(&comment_url)));
    let gone = comment(&mut ana, &url, "Chasquipampa fue borrado.", None).await;
    assert_eq!(found(&app, "q=chasquipampa&type=comment").await["total"], 1);
    ana.post(&format!("/comments/{gone}/delete"), &[]).await.expect(303);
    assert_eq!(found(&app, "q=chasquipampa&type=comment").await["total"], 0, "a deleted comment is not found");
    let (mut newcomer, _) = app.browser_as("nuevo@region.gob.pe", "Nuevo Miembro", Role::Member).await;
    comment(&mut newcomer, &url, "Vean https://ejemplo.pe sobre huancavelicano.", None).await;
    assert_eq!(found(&app, "q=huancavelicano&type=comment").await["total"], 0, "a held comment is not found");

    // The comments of an unpublished case leave with it and come back with it.
    let set_status = |status: &'static str| {
        sqlx::query("update cases set status = $2 where id = $1").bind(case_id).bind(status).execute(&app.db.pool)
    };
    set_status("unpublished").await.expect("unpublish");
    let left = found(&app, "q=quipucamayoc&type=comment").await;
    assert!(urls(&left).iter().all(|u| !u.ends_with(&comment_url)), "{left}");
    set_status("published").await.expect("publish");
    assert_eq!(found(&app, "q=quipucamayoc&type=comment").await["total"], 2, "the case's and the thread's");

    // A hidden thread takes its comments with it.
    let thread_id = thread_url.rsplit('/').next().unwrap_or_default().to_string();
    admin.post(&format!("/discussions/{thread_id}/hide"), &[("reason", "Fuera de tema.")]).await.expect(303);
    assert_eq!(found(&app, "q=quipucamayoc&type=thread").await["total"], 0);
    assert_eq!(found(&app, "q=quipucamayoc&type=comment").await["total"], 1, "only the case's comment");
}

/// A JSON API call with a personal token and, when given, an idempotency key.
async fn api(app: &TestApp, method: &str, uri: &str, token: &str, key: Option<&str>, body: &str) -> TestResponse {
    let mut request = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"));
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    app.request(request.body(axum::body::Body::from(body.to_string())).expect("request")).await
}

#[tokio::test]
async fn the_api_posts_once_per_key_edits_deletes_votes_follows_and_reads_notifications() {
    let app = TestApp::new().await;
    let (_, slug) = case_by(&app, None).await;
    let (_, ana_id) = app.browser_as("ana@region.gob.pe", "Ana Quispe", Role::Member).await;
    let (_, luis_id) = app.browser_as("luis@region.gob.pe", "Luis Mamani", Role::Member).await;
    let store = app.db.store();
    let user = |id| {
        let store = store.clone();
        async move { store.active_user(id).await.expect("load").expect("active") }
    };
    let ana = store.create_token(&user(ana_id).await, "script").await.expect("token");
    let luis = store.create_token(&user(luis_id).await, "script").await.expect("token");

    // A thread, then a comment posted twice with one key: one comment, the same answer.
    let started = api(
        &app,
        "POST",
        "/api/v1/discussions",
        &ana,
        Some("hilo-1"),
        r#"{"title": "Oficina con dos personas", "theme": "internal-control", "region": "cusco", "body": "¿Cómo?"}"#,
    )
    .await
    .expect(201);
    let thread = started.json()["thread"]["id"].as_i64().expect("thread id");
    let url = format!("/api/v1/discussions/{thread}/comments");
    let body = r#"{"body": "Hola <script>alert(1)</script> **@ana_quispe**"}"#;
    let first = api(&app, "POST", &url, &luis, Some("clave-7"), body).await.expect(201).json();
    let again = api(&app, "POST", &url, &luis, Some("clave-7"), body).await.expect(201).json();
    assert_eq!(first["id"], again["id"], "a retried post makes one comment");
    let html = first["body_html"].as_str().unwrap_or_default();
    assert!(!html.contains("<script") && html.contains("/people/"), "{html}");
    assert_eq!(first["url"].as_str().map(|u| u.ends_with(&format!("/comments/{}", first["id"]))), Some(true));
    let comment = first["id"].as_i64().expect("comment id");
    api(&app, "POST", &url, &luis, None, r#"{"body": ""}"#).await.expect(422);
    api(&app, "POST", &url, &luis, None, r#"{"texto": "x"}"#).await.expect(400);
    api(&app, "POST", "/api/v1/cases/no-existe/comments", &luis, None, r#"{"body": "x"}"#).await.expect(404);
    let case_url = format!("/api/v1/cases/{slug}/comments");
    let on_case = api(&app, "POST", &case_url, &luis, None, r#"{"body": "En el caso."}"#).await.expect(201);
    assert_eq!(on_case.json()["state"], "shown");
    let reused = api(&app, "POST", &case_url, &luis, Some("clave-7"), r#"{"body": "Otro."}"#).await;
    assert_eq!(reused.expect(409).json()["error"]["code"], "key_reused", "a key spent elsewhere is not a retry");

    // Votes: once per person, never one's own.
    let vote = format!("/api/v1/comments/{comment}/vote");
    api(&app, "PUT", &vote, &luis, None, "").await.expect(403);
    api(&app, "PUT", &vote, &ana, None, "").await.expect(204);
    api(&app, "PUT", &vote, &ana, None, "").await.expect(204);
    let read = api(&app, "GET", &format!("/api/v1/comments/{comment}"), &ana, None, "").await.expect(200).json();
    assert_eq!((read["useful_count"].as_i64(), read["voted"].as_bool()), (Some(1), Some(true)));

    // Edits are the author's, kept in the history; deleting leaves nothing to read.
    let item = format!("/api/v1/comments/{comment}");
    api(&app, "PUT", &item, &ana, None, r#"{"body": "No es mío"}"#).await.expect(403);
    let edited = api(&app, "PUT", &item, &luis, None, r#"{"body": "Texto corregido."}"#).await.expect(200).json();
    assert!(edited["edited_at"].is_string() && edited["body_html"].as_str().is_some_and(|h| h.contains("corregido")));
    let page = api(&app, "GET", &format!("/api/v1/discussions/{thread}"), &ana, None, "").await.expect(200).json();
    assert_eq!(page["comments"].as_array().map(Vec::len), Some(2), "{page}");
    api(&app, "DELETE", &item, &luis, None, "").await.expect(204);
    api(&app, "GET", &item, &ana, None, "").await.expect(404);
    api(&app, "POST", &url, &luis, None, r#"{"body": "Otra respuesta."}"#).await.expect(201);

    // Follows and notifications: Ana follows the thread she started, and hears of its
    // comments (not of the deleted one any more).
    app.wait_for_notifications().await;
    let follows = api(&app, "GET", "/api/v1/follows", &ana, None, "").await.expect(200).json();
    assert!(follows
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x["kind"] == "thread" && x["key"].as_str() == Some(&*thread.to_string()))));
    api(&app, "DELETE", &format!("/api/v1/follows/thread/{thread}"), &ana, None, "").await.expect(204);
    api(&app, "PUT", "/api/v1/follows/region/atlantis", &ana, None, "").await.expect(404);
    api(&app, "PUT", "/api/v1/follows/planet/cusco", &ana, None, "").await.expect(404);
    api(&app, "PUT", "/api/v1/follows/region/cusco", &ana, None, "").await.expect(204);
    let listed = api(&app, "GET", "/api/v1/notifications", &ana, None, "").await.expect(200).json();
    let unread = listed["unread"].as_i64().unwrap_or_default();
    assert!(unread >= 1, "{listed}");
    let id = listed["notifications"][0]["id"].as_i64().expect("a notification");
    api(&app, "POST", &format!("/api/v1/notifications/{id}/read"), &luis, None, "").await.expect(404);
    api(&app, "POST", &format!("/api/v1/notifications/{id}/read"), &ana, None, "").await.expect(204);
    api(&app, "POST", "/api/v1/notifications/read", &ana, None, "").await.expect(204);
    let after = api(&app, "GET", "/api/v1/notifications", &ana, None, "").await.expect(200).json();
    assert_eq!(after["unread"], 0);

    // The OpenAPI document describes them.
    let doc = Browser::new(&app).get("/api/v1/openapi.json").await.expect(200).json();
    for path in [
        "/api/v1/discussions",
        "/api/v1/comments/{id}",
        "/api/v1/comments/{id}/vote",
        "/api/v1/follows/{kind}/{key}",
        "/api/v1/notifications",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not in the OpenAPI document");
    }
}

#[tokio::test]
async fn comments_are_rendered_again_for_a_new_renderer_with_their_mentions_and_no_change_logged() {
    let app = TestApp::new().await;
    let (_, slug) = case_by(&app, None).await;
    let (mut ana, ana_id) = app.browser_as("ana@region.gob.pe", "Ana Quispe", Role::Member).await;
    let (_, luis_id) = app.browser_as("luis@region.gob.pe", "Luis Mamani", Role::Member).await;
    established(&app, ana_id).await;
    let id = comment(&mut ana, &format!("/cases/{slug}/discussion"), "Gracias @luis_mamani, **muy útil**.", None).await;
    let pool = &app.db.pool;
    sqlx::query("update users set handle = 'luis_cusco' where id = $1")
        .bind(luis_id)
        .execute(pool)
        .await
        .expect("rename");
    sqlx::query("update comments set body_html = '<script>old</script>', body_html_version = 0 where id = $1")
        .bind(id)
        .execute(pool)
        .await
        .expect("age the comment");
    app.wait_for_index().await;
    let changes: i64 = sqlx::query_scalar("select count(*) from changes").fetch_one(pool).await.expect("count");

    let rendered = app.db.store().rerender_stale(&ayni::markdown::Renderer::default()).await.expect("rerender");
    assert_eq!(rendered, 1, "the one stale comment");
    let (html, version): (String, i32) =
        sqlx::query_as("select body_html, body_html_version from comments where id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .expect("read");
    assert_eq!(version, ayni::markdown::RENDER_VERSION);
    assert!(!html.contains("<script>") && html.contains("<strong>muy útil</strong>"), "{html}");
    assert!(html.contains(&format!("href=\"/people/{luis_id}\"")), "the renamed person is still meant: {html}");
    let after: i64 = sqlx::query_scalar("select count(*) from changes").fetch_one(pool).await.expect("count");
    assert_eq!(after, changes, "rendering again is not a change");
}

#[tokio::test]
async fn a_new_members_held_thread_and_links_added_by_an_edit_wait_for_a_moderator() {
    let app = TestApp::new().await;
    let (mut carol, _) = app.browser_as("carol@region.gob.pe", "Carol Nueva", Role::Member).await;
    let (mut bob, bob_id) = app.browser_as("bob@region.gob.pe", "Bob Antiguo", Role::Member).await;
    let (mut admin, _) = app.browser_as("admin@ayni.pe", "Admin Ayni", Role::Admin).await;
    established(&app, bob_id).await;
    let theme: String = sqlx::query_scalar("select slug from themes order by slug limit 1")
        .fetch_one(&app.db.pool)
        .await
        .expect("a theme");

    // A new member's thread whose opening comment links somewhere waits, title and all.
    let fields = [("title", "Oferta increíble"), ("theme", theme.as_str()), ("body", "Vean https://spam.example")];
    let thread_url = carol.post("/discussions/new", &fields).await.expect(303).header("location");
    assert!(carol.get(&thread_url).await.expect(200).body.contains("Oferta increíble"), "its author sees it");
    Browser::new(&app).get(&thread_url).await.expect(404);
    bob.get(&thread_url).await.expect(404);
    bob.post(&thread_url, &[("body", "Hola"), ("reply_to", "")]).await.expect(404);
    assert!(!Browser::new(&app).get("/discussions").await.expect(200).body.contains("Oferta increíble"));
    let id = thread_url.rsplit('/').next().unwrap_or_default().to_string();
    Browser::new(&app).get(&format!("/api/v1/discussions/{id}")).await.expect(404);
    let opening: i64 =
        sqlx::query_scalar("select id from comments where held").fetch_one(&app.db.pool).await.expect("held");
    admin.post(&format!("/comments/{opening}/approve"), &[]).await.expect(303);
    assert!(Browser::new(&app).get(&thread_url).await.expect(200).body.contains("Oferta increíble"));

    // A link added by editing a comment waits as a first comment's would.
    let (mut dave, _) = app.browser_as("dave@region.gob.pe", "Dave Nuevo", Role::Member).await;
    let plain = comment(&mut dave, &thread_url, "Un comentario inocente.", None).await;
    assert!(Browser::new(&app).get(&thread_url).await.expect(200).body.contains("Un comentario inocente."));
    dave.post(&format!("/comments/{plain}/edit"), &[("body", "Ahora con https://spam.example/dos")]).await.expect(303);
    let page = Browser::new(&app).get(&thread_url).await.expect(200);
    assert!(!page.body.contains("spam.example/dos") && !page.body.contains("Un comentario inocente."), "{}", page.body);
    let held: bool = sqlx::query_scalar("select held from comments where id = $1")
        .bind(plain)
        .fetch_one(&app.db.pool)
        .await
        .expect("held");
    assert!(held, "the edited comment waits for a moderator");
}
