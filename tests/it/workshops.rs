//! Workshops: a facilitator prepares one, people register (and wait when it is full, also
//! under concurrency), organisers change the capacity, agenda, attendance and list, and
//! people who attended print a certificate. Hostile text stays text; the online link
//! stays with the people registered.

use ayni::{
    domain::{
        account::Role,
        lima,
        workshop::{Format, RegistrationState, WorkshopDraft},
    },
    store::{workshops::Provenance, Store},
};
use time::{macros::time, Duration, OffsetDateTime};

use crate::support::{
    browser::{Browser, PASSWORD},
    TestApp,
};

pub(crate) const LINK: &str = "https://meet.example.org/taller-integridad";

/// A workshop's details as its form sends them: `day` from 09:00 to 13:00 in Lima.
pub(crate) fn form(title: &str, day: time::Date) -> Vec<(String, String)> {
    [
        ("title", title),
        ("summary", "Intercambio de prácticas entre regiones."),
        ("description", "## Objetivo\n\nRevisar la **agenda** regional."),
        ("start_date", &day.to_string()),
        ("start_time", "09:00"),
        ("end_time", "13:00"),
        ("format", "hybrid"),
        ("venue", "Auditorio regional"),
        ("city", "Cusco"),
        ("online_url", LINK),
        ("capacity", "2"),
        ("regions", "cusco"),
        ("regions", "piura"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

pub(crate) fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

pub(crate) fn in_a_month() -> time::Date {
    lima::today(OffsetDateTime::now_utc()) + Duration::days(30)
}

/// An online workshop in Cusco with [`LINK`], four hours from 09:00 in Lima on `day`.
pub(crate) fn online_draft(title: &str, day: time::Date, capacity: Option<i32>) -> WorkshopDraft {
    let start = lima::from_lima(day, time!(09:00));
    WorkshopDraft {
        title: title.into(),
        summary: "Resumen.".into(),
        description_markdown: String::new(),
        starts_at: start,
        ends_at: start + Duration::hours(4),
        all_day: false,
        format: Format::Online,
        venue: String::new(),
        city: String::new(),
        online_url: LINK.into(),
        capacity,
        registration_deadline: None,
        regions: vec!["cusco".into()],
        region_count: None,
        cases: Vec::new(),
        illustrative: false,
    }
}

/// A published workshop made through the store, organised by a new facilitator.
pub(crate) async fn published(app: &TestApp, title: &str, capacity: Option<i32>) -> (String, i64, i64) {
    let store = app.db.store();
    let organiser_id = app.account(&format!("org-{}@x.gob.pe", title.len()), "Organizadora", Role::Facilitator).await;
    let organiser = store.active_user(organiser_id).await.expect("load").expect("active");
    let draft = online_draft(title, in_a_month(), capacity);
    let slug = store.create_workshop(Some(&organiser), &draft, "", Provenance::App).await.expect("create");
    let id = store.find_workshop(&slug).await.expect("find").expect("found").id;
    store.publish_workshop(id, &organiser).await.expect("publish");
    (slug, id, organiser_id)
}

/// The organiser of a workshop made by [`published`], signed in.
pub(crate) async fn organiser_browser(app: &TestApp, organiser_id: i64) -> Browser<'_> {
    let email: String = sqlx::query_scalar("select email from users where id = $1")
        .bind(organiser_id)
        .fetch_one(&app.db.pool)
        .await
        .expect("email");
    let mut organiser = Browser::new(app);
    organiser.sign_in(&email, PASSWORD).await.expect(303);
    organiser
}

/// Moves a workshop to yesterday, so that its outcomes can be published.
pub(crate) async fn held_yesterday(app: &TestApp, workshop: i64) {
    sqlx::query(
        "update workshops set starts_at = now() - interval '2 days', ends_at = now() - interval '1 day' where id = $1",
    )
    .bind(workshop)
    .execute(&app.db.pool)
    .await
    .expect("move to the past");
}

async fn user(store: &Store, id: i64) -> ayni::domain::account::User {
    store.active_user(id).await.expect("load").expect("active")
}

#[tokio::test]
async fn a_facilitator_prepares_a_workshop_that_people_find_and_register_for() {
    let app = TestApp::new().await;
    let (mut facilitator, _) = app.browser_as("facilitadora@x.gob.pe", "Rosa Quispe", Role::Facilitator).await;
    assert!(facilitator.get("/workshops/new").await.expect(200).body.contains("name=\"start_time\""));
    let created =
        facilitator.post("/workshops/new", &pairs(&form("Taller de integridad", in_a_month()))).await.expect(303);
    let location = created.header("location");
    assert!(location.ends_with("?done=created"), "{location}");
    let slug = location.trim_start_matches("/workshops/").split('?').next().unwrap_or_default().to_string();

    // A draft is the organisers' alone.
    assert_eq!(app.get(&format!("/workshops/{slug}")).await.status, 404);
    assert!(!app.get("/workshops").await.body.contains(&slug));
    facilitator.post(&format!("/workshops/{slug}/publish"), &[]).await.expect(303);

    // Stored as instants: 09:00 in Lima is 14:00 UTC.
    let starts_at: OffsetDateTime = sqlx::query_scalar("select starts_at from workshops where slug = $1")
        .bind(&slug)
        .fetch_one(&app.db.pool)
        .await
        .expect("start");
    assert_eq!((starts_at.to_offset(time::UtcOffset::UTC).hour(), starts_at.minute()), (14, 0));

    let page = app.get(&format!("/workshops/{slug}")).await.expect(200).body;
    assert!(page.contains("de 09:00 a 13:00 (hora de Lima)"), "{page}");
    assert!(page.contains("Auditorio regional") && page.contains("Rosa Quispe"));
    assert!(page.contains("<h2>Objetivo</h2>") || page.contains("Objetivo</h2>"), "the description is rendered");
    assert!(!page.contains(LINK), "the online link is for registered people");
    let order: Vec<usize> = [
        "<h1>Taller de integridad",
        "id=\"description-heading\"",
        "id=\"agenda-heading\"",
        "id=\"registration-heading\"",
    ]
    .iter()
    .map(|marker| page.find(marker).unwrap_or_else(|| panic!("{marker} missing")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "title, description, agenda, registration: {order:?}");
    assert!(app.get("/workshops").await.body.contains(&format!("/workshops/{slug}")));
    assert!(app.get("/workshops?region=cusco").await.body.contains(&slug));
    assert!(!app.get("/workshops?region=piura-provincia").await.body.contains(&slug));

    // Two places: two register, the third waits and sees her place, without the link.
    let (mut ana, _) = app.browser_as("ana@x.gob.pe", "Ana", Role::Member).await;
    let (mut luis, _) = app.browser_as("luis@x.gob.pe", "Luis", Role::Member).await;
    let (mut eva, _) = app.browser_as("eva@x.gob.pe", "Eva", Role::Member).await;
    for browser in [&mut ana, &mut luis] {
        let done = browser.post(&format!("/workshops/{slug}/register"), &[]).await.expect(303);
        assert!(done.header("location").ends_with("?done=registered"));
    }
    let waiting = eva.post(&format!("/workshops/{slug}/register"), &[]).await.expect(303);
    assert!(waiting.header("location").ends_with("?done=waiting"));
    let eva_page = eva.get(&format!("/workshops/{slug}")).await.expect(200).body;
    assert!(eva_page.contains("en el lugar 1"), "{eva_page}");
    assert!(!eva_page.contains(LINK), "the waiting list does not get the link");
    assert!(ana.get(&format!("/workshops/{slug}")).await.body.contains(LINK));
    let profile = eva.get("/profile").await.expect(200).body;
    assert!(
        profile.contains("Taller de integridad") && profile.contains("En lista de espera"),
        "registrations on the profile"
    );

    // Ana cancels: Eva moves up at once, and her page tells her (once).
    ana.post(&format!("/workshops/{slug}/unregister"), &[]).await.expect(303);
    let eva_page = eva.get(&format!("/workshops/{slug}")).await.expect(200).body;
    assert!(eva_page.contains("Se liberó un cupo") && eva_page.contains(LINK), "{eva_page}");
    assert!(!eva.get(&format!("/workshops/{slug}")).await.body.contains("Se liberó un cupo"));
    assert!(!ana.get(&format!("/workshops/{slug}")).await.body.contains(LINK));
}

#[tokio::test]
async fn fifty_people_registering_at_once_for_ten_places_leave_ten_registered_and_forty_waiting_in_order() {
    let app = TestApp::new().await;
    let (_, workshop, _) = published(&app, "Taller concurrido", Some(10)).await;
    let store = app.db.store();
    let mut people = Vec::new();
    for n in 0..50 {
        let id = app.account(&format!("p{n}@x.gob.pe"), &format!("Persona {n}"), Role::Member).await;
        people.push(user(&store, id).await);
    }
    let now = OffsetDateTime::now_utc();
    let tasks: Vec<_> = people
        .iter()
        .cloned()
        .map(|person| {
            let store = store.clone();
            tokio::spawn(async move { store.register(workshop, &person, now).await.expect("register") })
        })
        .collect();
    let mut states = Vec::new();
    for task in tasks {
        states.push(task.await.expect("task"));
    }
    assert_eq!(states.iter().filter(|s| **s == RegistrationState::Registered).count(), 10);
    assert_eq!(states.iter().filter(|s| **s == RegistrationState::Waiting).count(), 40);

    // The waiting list is a stable order: places 1 to 40, each once.
    let list = store.participants(workshop).await.expect("list");
    let waiting: Vec<i64> = list.iter().filter(|p| p.state == RegistrationState::Waiting).map(|p| p.user_id).collect();
    let mut places = Vec::new();
    for id in &waiting {
        places.push(
            store.my_registration(workshop, *id, false).await.expect("mine").and_then(|m| m.place).expect("a place"),
        );
    }
    assert_eq!(places, (1..=40).collect::<Vec<i64>>());

    // Ten cancellations at once promote exactly the first ten waiting.
    let registered: Vec<i64> =
        list.iter().filter(|p| p.state == RegistrationState::Registered).map(|p| p.user_id).collect();
    let tasks: Vec<_> = registered
        .iter()
        .map(|id| {
            let (store, id) = (store.clone(), *id);
            tokio::spawn(async move { store.cancel_registration(workshop, "x", id, None, now).await.expect("cancel") })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let after = store.participants(workshop).await.expect("list");
    let now_registered: Vec<i64> =
        after.iter().filter(|p| p.state == RegistrationState::Registered).map(|p| p.user_id).collect();
    assert_eq!(now_registered, waiting[..10].to_vec(), "the first ten in line, in order");
    assert_eq!(after.iter().filter(|p| p.state == RegistrationState::Waiting).count(), 30);
}

#[tokio::test]
async fn organisers_raise_the_capacity_to_promote_and_cannot_lower_it_below_those_registered() {
    let app = TestApp::new().await;
    let (mut facilitator, _) = app.browser_as("org@x.gob.pe", "Org", Role::Facilitator).await;
    let created = facilitator.post("/workshops/new", &pairs(&form("Taller con cupos", in_a_month()))).await.expect(303);
    let slug =
        created.header("location").trim_start_matches("/workshops/").split('?').next().unwrap_or_default().to_string();
    facilitator.post(&format!("/workshops/{slug}/publish"), &[]).await.expect(303);
    let mut browsers = Vec::new();
    for n in 0..3 {
        let (mut browser, _) = app.browser_as(&format!("m{n}@x.gob.pe"), &format!("M{n}"), Role::Member).await;
        browser.post(&format!("/workshops/{slug}/register"), &[]).await.expect(303);
        browsers.push(browser);
    }
    let edit = facilitator.get(&format!("/workshops/{slug}/edit")).await.expect(200).body;
    assert!(edit.contains("Ya hay 2 personas inscritas"), "the form says how many are registered");

    let mut lower = form("Taller con cupos", in_a_month());
    lower.retain(|(k, _)| k != "capacity");
    lower.push(("capacity".into(), "1".into()));
    let refused = facilitator.post(&format!("/workshops/{slug}/edit"), &pairs(&lower)).await.expect(422);
    assert!(refused.body.contains("no puede ser menor que las 2 personas ya inscritas"), "{}", refused.body);
    assert!(refused.body.contains("error-summary"));

    let mut raise = form("Taller con cupos", in_a_month());
    raise.retain(|(k, _)| k != "capacity");
    raise.push(("capacity".into(), "5".into()));
    facilitator.post(&format!("/workshops/{slug}/edit"), &pairs(&raise)).await.expect(303);
    let third = browsers[2].get(&format!("/workshops/{slug}")).await.body;
    assert!(third.contains("Se liberó un cupo"), "raising the capacity promotes the person waiting");
}

#[tokio::test]
async fn agenda_items_outside_the_hours_are_refused_and_overlaps_only_warned() {
    let app = TestApp::new().await;
    let (mut facilitator, _) = app.browser_as("org@x.gob.pe", "Org", Role::Facilitator).await;
    let created =
        facilitator.post("/workshops/new", &pairs(&form("Taller con agenda", in_a_month()))).await.expect(303);
    let slug =
        created.header("location").trim_start_matches("/workshops/").split('?').next().unwrap_or_default().to_string();
    let agenda = format!("/workshops/{slug}/agenda");
    let early =
        facilitator.post(&agenda, &[("time", "08:30"), ("duration", "60"), ("title", "Desayuno")]).await.expect(422);
    assert!(early.body.contains("dentro del horario del taller"), "{}", early.body);
    assert!(early.body.contains("value=\"Desayuno\""), "the form keeps what was typed");
    facilitator.post(&agenda, &[("time", "09:00"), ("duration", "90"), ("title", "Apertura")]).await.expect(303);
    facilitator.post(&agenda, &[("time", "10:00"), ("duration", "30"), ("title", "Mesa paralela")]).await.expect(303);
    facilitator.post(&agenda, &[("time", "11:30"), ("duration", "60"), ("title", "Acuerdos")]).await.expect(303);
    let page = facilitator.get(&agenda).await.expect(200).body;
    assert_eq!(page.matches("se superpone con el anterior").count(), 1, "{page}");
    let public = facilitator.get(&format!("/workshops/{slug}")).await.body;
    let at = |t: &str| public.find(t).unwrap_or_else(|| panic!("{t} missing"));
    assert!(at("Apertura") < at("Mesa paralela") && at("Mesa paralela") < at("Acuerdos"));
    assert!(public.contains("10:00") && public.contains("90 min"));
    assert!(!public.contains("fuera del horario"), "every item fits");

    // Moved to start an hour later, the workshop leaves its 09:00 item outside its hours:
    // its organisers are told, on the workshop and on the agenda; visitors are not.
    let mut moved = form("Taller con agenda", in_a_month());
    moved.retain(|(k, _)| k != "start_time");
    moved.push(("start_time".into(), "10:00".into()));
    facilitator.post(&format!("/workshops/{slug}/edit"), &pairs(&moved)).await.expect(303);
    let own = facilitator.get(&format!("/workshops/{slug}")).await.expect(200).body;
    assert!(own.contains("Hay puntos de la agenda fuera del horario del taller (1)"), "{own}");
    let page = facilitator.get(&agenda).await.expect(200).body;
    assert_eq!(page.matches("quedó fuera del horario del taller").count(), 1);
    let before = page.find("quedó fuera del horario").unwrap_or_default();
    assert!(page[..before].contains("Apertura") && !page[..before].contains("Mesa paralela"), "on the 09:00 item");
    facilitator.post(&format!("/workshops/{slug}/publish"), &[]).await.expect(303);
    assert!(!app.get(&format!("/workshops/{slug}")).await.expect(200).body.contains("fuera del horario"));
}

#[tokio::test]
async fn only_people_marked_as_attended_print_a_certificate() {
    let app = TestApp::new().await;
    let (slug, workshop, organiser_id) = published(&app, "Taller certificado", None).await;
    let store = app.db.store();
    let (mut came, came_id) = app.browser_as("vino@x.gob.pe", "Vino Huamán", Role::Member).await;
    let (mut absent, absent_id) = app.browser_as("falto@x.gob.pe", "Faltó", Role::Member).await;
    let (mut stranger, _) = app.browser_as("otra@x.gob.pe", "Otra", Role::Member).await;
    for id in [came_id, absent_id] {
        store.register(workshop, &user(&store, id).await, OffsetDateTime::now_utc()).await.expect("register");
    }
    // The workshop takes place.
    sqlx::query("update workshops set starts_at = now() - interval '1 day', ends_at = now() - interval '20 hours' where id = $1")
        .bind(workshop)
        .execute(&app.db.pool)
        .await
        .expect("move to the past");
    let mut organiser = Browser::new(&app);
    let email: String = sqlx::query_scalar("select email from users where id = $1")
        .bind(organiser_id)
        .fetch_one(&app.db.pool)
        .await
        .expect("email");
    organiser.sign_in(&email, PASSWORD).await.expect(303);
    let certificate = format!("/workshops/{slug}/certificate");
    assert_eq!(came.get(&certificate).await.status, 403, "not before attendance is marked");
    organiser.post(&format!("/workshops/{slug}/attendance"), &[("attended", &came_id.to_string())]).await.expect(303);
    let page = came.get(&certificate).await.expect(200).body;
    assert!(page.contains("Vino Huamán") && page.contains("Taller certificado") && page.contains("Organizadora"));
    assert!(page.contains("Duración: 4 horas"), "{page}");
    assert_eq!(absent.get(&certificate).await.status, 403);
    assert_eq!(stranger.get(&certificate).await.status, 403);
    assert_eq!(app.get(&certificate).await.status, 303, "visitors are sent to sign in");
    assert!(came.get(&format!("/workshops/{slug}")).await.body.contains(&certificate));
}

#[tokio::test]
async fn the_list_exports_as_csv_that_spreadsheets_read_as_text() {
    let app = TestApp::new().await;
    let (slug, workshop, organiser_id) = published(&app, "Taller exportado", None).await;
    let store = app.db.store();
    let hostile = app.account("hostil@x.gob.pe", "=HYPERLINK(\"http://x\";\"clic\")", Role::Member).await;
    let accented = app.account("nunez@x.gob.pe", "Ñuñez Íñiguez", Role::Member).await;
    for id in [hostile, accented] {
        store.register(workshop, &user(&store, id).await, OffsetDateTime::now_utc()).await.expect("register");
    }
    let mut organiser = Browser::new(&app);
    let email: String = sqlx::query_scalar("select email from users where id = $1")
        .bind(organiser_id)
        .fetch_one(&app.db.pool)
        .await
        .expect("email");
    organiser.sign_in(&email, PASSWORD).await.expect(303);
    let csv = organiser.get(&format!("/workshops/{slug}/participants.csv")).await.expect(200);
    assert!(csv.header("content-disposition").starts_with("attachment"), "sent as a file");
    assert_eq!(csv.header("cache-control"), "no-store");
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.body.starts_with('\u{feff}'), "a byte-order mark for Excel");
    assert!(csv.body.contains("Ñuñez Íñiguez"));
    assert!(csv.body.contains("\"'=HYPERLINK(\"\"http://x\"\";\"\"clic\"\")\""), "{}", csv.body);
    let mut member = Browser::new(&app);
    member.sign_in("nunez@x.gob.pe", PASSWORD).await.expect(303);
    assert_eq!(member.get(&format!("/workshops/{slug}/participants.csv")).await.status, 403);
    assert_eq!(member.get(&format!("/workshops/{slug}/participants")).await.status, 403);
}

#[tokio::test]
async fn hostile_titles_and_markdown_stay_text_on_every_workshop_page() {
    let app = TestApp::new().await;
    let (mut facilitator, _) = app.browser_as("org@x.gob.pe", "<b>Org</b>", Role::Facilitator).await;
    let mut fields = form("<script>alert('t')</script> Taller", in_a_month());
    fields.retain(|(k, _)| k != "description" && k != "summary");
    fields.push(("summary".into(), "\"><img src=x onerror=alert(1)>".into()));
    fields.push((
        "description".into(),
        "<script>alert(2)</script>\n\n[clic](javascript:alert(3)) <iframe src=//x></iframe>".into(),
    ));
    let created = facilitator.post("/workshops/new", &pairs(&fields)).await.expect(303);
    let slug =
        created.header("location").trim_start_matches("/workshops/").split('?').next().unwrap_or_default().to_string();
    facilitator.post(&format!("/workshops/{slug}/publish"), &[]).await.expect(303);
    facilitator
        .post(
            &format!("/workshops/{slug}/agenda"),
            &[("time", "09:00"), ("duration", "30"), ("title", "<script>alert(4)</script>")],
        )
        .await
        .expect(303);
    for path in [
        format!("/workshops/{slug}"),
        "/workshops".to_string(),
        format!("/workshops/{slug}/agenda"),
        format!("/workshops/{slug}/participants"),
        format!("/workshops/{slug}/edit"),
    ] {
        let body = facilitator.get(&path).await.expect(200).body;
        for bad in ["<script>alert", "<img src=x", "javascript:", "<iframe", "<b>Org</b>"] {
            // The edit form shows the Markdown as typed, escaped, in its text area.
            let as_text = path.ends_with("/edit") && bad == "javascript:";
            assert!(as_text || !body.contains(bad), "{path} carries {bad}");
        }
    }
    let page = app.get(&format!("/workshops/{slug}")).await.body;
    assert!(
        page.contains("<h1>&#60;script&#62;alert(&#39;t&#39;)&#60;/script&#62; Taller</h1>"),
        "shown as text: {page}"
    );
}

#[tokio::test]
async fn the_outcomes_feed_lists_what_was_agreed_with_hostile_text_escaped() {
    let app = TestApp::new().await;
    let (slug, workshop, organiser_id) = published(&app, "<script>alert('f')</script> & acuerdos", None).await;
    held_yesterday(&app, workshop).await;
    let mut organiser = organiser_browser(&app, organiser_id).await;
    let hostile = "Se acordó **publicar** los mapas.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))";
    organiser.post(&format!("/workshops/{slug}/outcomes"), &[("conclusions", hostile)]).await.expect(303);
    // A draft's outcomes, written by hand, stay out.
    let (draft, draft_id, _) = published(&app, "Borrador con resultados", None).await;
    sqlx::query("update workshops set status = 'draft' where id = $1")
        .bind(draft_id)
        .execute(&app.db.pool)
        .await
        .expect("draft");
    sqlx::query("insert into workshop_outcomes (workshop_id, conclusions_markdown, conclusions_html) values ($1, 'x', '<p>x</p>')")
        .bind(draft_id)
        .execute(&app.db.pool)
        .await
        .expect("outcomes");

    let feed = app.get("/feeds/outcomes.atom").await.expect(200);
    assert!(feed.header("content-type").starts_with("application/atom+xml"));
    let body = feed.body;
    assert!(body.starts_with("<?xml") && body.contains("<title>Ayni: resultados de talleres</title>"));
    assert!(body.contains(&format!("<id>http://ayni.test/workshops/{slug}#outcomes</id>")), "{body}");
    assert!(
        body.contains("/workshops/primer-taller-conjunto-integridad-publica-2023#outcomes"),
        "the seed's workshop of 2023 has outcomes"
    );
    assert!(!body.contains(&format!("/workshops/{draft}")), "no draft");
    assert!(
        body.contains(
            "<title>Resultados de «&#60;script&#62;alert(&#39;f&#39;)&#60;/script&#62; &#38; acuerdos»</title>"
        ),
        "the title is text: {body}"
    );
    // Conclusions are sanitized HTML, escaped once for type="html".
    assert!(body.contains("&#60;strong&#62;publicar&#60;/strong&#62;"), "{body}");
    for bad in ["<script", "&#60;script&#62;alert(1)", "javascript:", "<strong>", LINK] {
        assert!(!body.contains(bad), "the feed carries {bad}: {body}");
    }
    // The pages point to it.
    assert!(app.get("/workshops").await.body.contains(r#"href="/feeds/outcomes.atom""#));
}

#[tokio::test]
async fn registration_closes_at_the_deadline_and_bad_filters_are_400() {
    let app = TestApp::new().await;
    let (slug, workshop, _) = published(&app, "Taller cerrado", None).await;
    sqlx::query("update workshops set registration_deadline = now() - interval '1 hour' where id = $1")
        .bind(workshop)
        .execute(&app.db.pool)
        .await
        .expect("deadline passed");
    let (mut member, _) = app.browser_as("tarde@x.gob.pe", "Tarde", Role::Member).await;
    let refused = member.post(&format!("/workshops/{slug}/register"), &[]).await.expect(409);
    assert!(refused.body.contains("La inscripción a este taller está cerrada"));
    assert!(member.get(&format!("/workshops/{slug}")).await.body.contains("La inscripción está cerrada."));
    let (mut facilitator, _) = app.browser_as("lejano@x.gob.pe", "Lejano", Role::Facilitator).await;
    let mut far = form("Taller lejano", in_a_month());
    far.retain(|(k, _)| k != "start_date");
    far.push(("start_date".into(), "9999-12-31".into()));
    let refused = facilitator.post("/workshops/new", &pairs(&far)).await.expect(422);
    assert!(refused.body.contains("fecha válida"), "a date out of range is a field error, not a crash");
    assert_eq!(app.get("/workshops?region=atlantis").await.status, 400);
    assert_eq!(app.get("/workshops?year=dos").await.status, 400);
    assert_eq!(app.get("/workshops/..%2Fetc").await.status, 404);
}

#[tokio::test]
async fn outcomes_and_commitments_are_published_and_followed_up_by_those_allowed() {
    let app = TestApp::new().await;
    let (slug, workshop, organiser_id) = published(&app, "Taller con acuerdos", None).await;
    held_yesterday(&app, workshop).await;
    let mut organiser = organiser_browser(&app, organiser_id).await;
    assert!(app.get(&format!("/workshops/{slug}")).await.body.contains("Resultados pendientes"));
    let reminder = "«Taller con acuerdos» ya se realizó: publique sus resultados.";
    assert!(organiser.get("/profile").await.expect(200).body.contains(reminder), "a reminder on the profile");

    organiser
        .post(
            &format!("/workshops/{slug}/outcomes"),
            &[
                ("conclusions", "Se acordó **actualizar** los mapas.\n\n<script>alert(1)</script>"),
                ("attendance", "31"),
                ("organisations", "Secretaría de Integridad Pública\nPNUD"),
                ("materials", "Presentación https://example.org/p.pdf"),
            ],
        )
        .await
        .expect(303);
    let (_, owner_id) = app.browser_as("duena@x.gob.pe", "Dueña", Role::Member).await;
    let unknown = organiser
        .post(
            &format!("/workshops/{slug}/commitments"),
            &[("region", "cusco"), ("action", "Aprobar el plan"), ("owner_email", "nadie@x.gob.pe")],
        )
        .await
        .expect(422);
    assert!(unknown.body.contains("error-summary") && unknown.body.contains(">Aprobar el plan</textarea>"));
    organiser
        .post(
            &format!("/workshops/{slug}/commitments"),
            &[
                ("region", "cusco"),
                ("action", "Aprobar el plan regional de integridad"),
                ("owner_name", "Gerencia General"),
                ("owner_email", "duena@x.gob.pe"),
                ("due_on", "2024-03-31"),
            ],
        )
        .await
        .expect(303);
    assert!(!organiser.get("/profile").await.body.contains(reminder));
    let page = app.get(&format!("/workshops/{slug}")).await.expect(200).body;
    assert!(page.contains("<strong>actualizar</strong>") && !page.contains("<script>alert"), "rendered and sanitized");
    assert!(
        page.contains("31 personas asistieron") && page.contains("PNUD") && page.contains("https://example.org/p.pdf")
    );
    assert!(page.contains("Aprobar el plan regional de integridad") && !page.contains("Resultados pendientes"));
    let order = |marker: &str| page.find(marker).unwrap_or_else(|| panic!("{marker} missing"));
    assert!(order("id=\"registration-heading\"") < order("id=\"outcomes-heading\""), "outcomes come last");

    // Overdue on a set clock: the due date has passed in Lima and it is still open.
    let store = app.db.store();
    let overdue = ayni::store::commitments::CommitmentFilter {
        due: Some(ayni::store::commitments::Due::Overdue),
        ..Default::default()
    };
    let paging = ayni::domain::filter::Paging { page: 1, per_page: 20 };
    let on = |y, m, d| time::Date::from_calendar_date(y, time::Month::try_from(m).expect("month"), d).expect("date");
    assert_eq!(store.list_commitments(&overdue, on(2024, 3, 31), paging).await.expect("list").1, 0, "due today");
    assert_eq!(store.list_commitments(&overdue, on(2024, 4, 1), paging).await.expect("list").1, 1, "a day late");
    let soon = ayni::store::commitments::CommitmentFilter {
        due: Some(ayni::store::commitments::Due::Soon),
        ..Default::default()
    };
    assert_eq!(store.list_commitments(&soon, on(2024, 3, 15), paging).await.expect("list").1, 1);
    assert!(app.get("/commitments?due=overdue").await.expect(200).body.contains("Aprobar el plan regional"));
    assert!(app.get("/commitments?region=cusco").await.body.contains("Previsto: 1"));
    assert!(!app.get("/commitments?region=piura").await.body.contains("Aprobar el plan regional"));
    assert_eq!(app.get("/commitments?due=ayer").await.status, 400);

    // The owner records progress; a member whose profile says Cusco cannot.
    let id: i64 = sqlx::query_scalar("select id from commitments where workshop_id = $1")
        .bind(workshop)
        .fetch_one(&app.db.pool)
        .await
        .expect("commitment");
    let mut owner = Browser::new(&app);
    owner.sign_in("duena@x.gob.pe", PASSWORD).await.expect(303);
    assert!(owner.get(&format!("/commitments/{id}")).await.body.contains("Registrar un avance"));
    owner
        .post(&format!("/commitments/{id}/notes"), &[("note", "Plan aprobado por ordenanza."), ("status", "done")])
        .await
        .expect(303);
    let (mut neighbour, neighbour_id) = app.browser_as("vecina@x.gob.pe", "Vecina", Role::Member).await;
    sqlx::query("update users set region_id = (select id from regions where slug = 'cusco') where id = $1")
        .bind(neighbour_id)
        .execute(&app.db.pool)
        .await
        .expect("profile region");
    assert!(!neighbour.get(&format!("/commitments/{id}")).await.body.contains("Registrar un avance"));
    assert_eq!(neighbour.post(&format!("/commitments/{id}/notes"), &[("note", "Yo también")]).await.status, 403);
    let page = app.get(&format!("/commitments/{id}")).await.expect(200).body;
    assert!(page.contains("Plan aprobado por ordenanza.") && page.contains("Previsto → Cumplido"), "{page}");
    assert_eq!(
        store.list_commitments(&overdue, on(2024, 4, 1), paging).await.expect("list").1,
        0,
        "done is never overdue"
    );
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where action = 'commitment.status_changed' and actor_id = $1",
    )
    .bind(owner_id)
    .fetch_one(&app.db.pool)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn kept_home_and_region_pages_show_a_commitment_as_it_now_stands() {
    let app = TestApp::new().await;
    let (slug, workshop, organiser_id) = published(&app, "Taller del hogar", None).await;
    sqlx::query(
        "update workshops set starts_at = now() - interval '2 days', ends_at = now() - interval '1 day' where id = $1",
    )
    .bind(workshop)
    .execute(&app.db.pool)
    .await
    .expect("move to the past");
    let store = app.db.store();
    let organiser = user(&store, organiser_id).await;
    let regions = store.regions().await.expect("regions");
    let outcomes = ayni::domain::outcome::RawOutcomes { conclusions: "Acuerdos.".into(), ..Default::default() };
    let due = lima::today(OffsetDateTime::now_utc()) - Duration::days(3);
    let raw = ayni::domain::outcome::RawCommitment {
        region: "cusco".into(),
        action: "Difundir el código de ética".into(),
        due_on: due.to_string(),
        ..Default::default()
    };
    store
        .add_commitment(workshop, &slug, &raw.validate(&regions).expect("valid"), Some(&organiser))
        .await
        .expect("add");
    // Kept before the outcomes are out: nothing to show yet.
    assert!(!app.get("/").await.expect(200).body.contains("Difundir el código de ética"));
    assert!(!app.get("/regions/cusco").await.body.contains("Difundir el código de ética"));
    let outcomes = outcomes.validate().expect("valid");
    store.save_outcomes(workshop, &slug, &outcomes, "<p>Acuerdos.</p>", Some(&organiser)).await.expect("outcomes");
    let home = app.get("/").await.expect(200).body;
    assert!(home.contains("Difundir el código de ética") && home.contains("Vencido"), "overdue on the home page");
    assert!(app.get("/regions/cusco").await.body.contains("Difundir el código de ética"));
    let id: i64 = sqlx::query_scalar("select id from commitments where workshop_id = $1")
        .bind(workshop)
        .fetch_one(&app.db.pool)
        .await
        .expect("id");
    // The list and the commitment's page, each kept once read twice.
    let page = format!("/commitments/{id}");
    for _ in 0..2 {
        assert!(app.get("/commitments?due=overdue").await.expect(200).body.contains("Difundir el código de ética"));
        assert!(!app.get(&page).await.expect(200).body.contains("Cumplido."));
    }
    store
        .add_note(id, &organiser, "Cumplido.", Some(ayni::domain::commitment::CommitmentStatus::Done))
        .await
        .expect("note");
    assert!(!app.get("/").await.body.contains("Difundir el código de ética"), "done is no longer overdue");
    assert!(!app.get("/commitments?due=overdue").await.body.contains("Difundir el código de ética"));
    assert!(app.get(&page).await.body.contains("Cumplido."), "the note shows at once");
}

/// The events of an iCalendar file, as a real parser reads them: each a list of (name,
/// value).
fn parse_ics(body: &str) -> Vec<Vec<(String, String)>> {
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(body.as_bytes()));
    let calendar = calendars.next().expect("a calendar").expect("a calendar the parser accepts");
    assert!(calendars.next().is_none(), "one calendar");
    calendar
        .events
        .into_iter()
        .map(|e| e.properties.into_iter().map(|p| (p.name, p.value.unwrap_or_default())).collect())
        .collect()
}

fn prop<'a>(event: &'a [(String, String)], name: &str) -> &'a str {
    event.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
}

#[tokio::test]
async fn calendars_read_workshops_with_their_changes_and_never_the_link() {
    let app = TestApp::new().await;
    let (mut facilitator, _) = app.browser_as("org@x.gob.pe", "Org", Role::Facilitator).await;
    let day = in_a_month();
    let created = facilitator.post("/workshops/new", &pairs(&form("Taller en el calendario", day))).await.expect(303);
    let slug =
        created.header("location").trim_start_matches("/workshops/").split('?').next().unwrap_or_default().to_string();
    assert_eq!(app.get(&format!("/workshops/{slug}.ics")).await.status, 404, "a draft has no calendar file");
    facilitator.post(&format!("/workshops/{slug}/publish"), &[]).await.expect(303);
    // A long, hostile title, as a file or a script could store it.
    let title = format!("Integración, ética; y \\ control\r\nDTSTART:20000101T000000Z {}", "ñandú ".repeat(20));
    sqlx::query("update workshops set title = $2 where slug = $1")
        .bind(&slug)
        .bind(&title)
        .execute(&app.db.pool)
        .await
        .expect("title");

    let file = app.get(&format!("/workshops/{slug}.ics")).await.expect(200);
    assert!(file.header("content-type").starts_with("text/calendar"));
    assert!(file.body.split("\r\n").all(|line| line.len() <= 75), "folded at 75 octets");
    assert!(!file.body.contains(LINK), "the online link never travels");
    let events = parse_ics(&file.body);
    assert_eq!(events.len(), 1);
    let event = &events[0];
    let start = lima::from_lima(day, time!(09:00)).to_offset(time::UtcOffset::UTC);
    assert_eq!(
        prop(event, "DTSTART"),
        format!("{:04}{:02}{:02}T140000Z", start.year(), u8::from(start.month()), start.day())
    );
    assert_eq!(event.iter().filter(|(n, _)| n == "DTSTART").count(), 1, "the title added no property");
    assert!(prop(event, "SUMMARY").starts_with("Integración\\, ética\\; y \\\\ control\\nDTSTART:2000"));
    assert!(prop(event, "SUMMARY").ends_with("ñandú"), "every ñ whole after unfolding");
    assert!(prop(event, "UID").starts_with("workshop-") && !prop(event, "DTSTAMP").is_empty());
    assert_eq!(prop(event, "URL"), format!("http://ayni.test/workshops/{slug}"));
    assert_eq!((prop(event, "SEQUENCE"), prop(event, "STATUS")), ("0", "CONFIRMED"));
    assert_eq!(prop(event, "LOCATION"), "Auditorio regional\\, Cusco");

    // Moving it bumps the sequence; cancelling says so, with a new sequence.
    let mut later = form("Taller en el calendario", day);
    later.retain(|(k, _)| k != "start_time");
    later.push(("start_time".into(), "10:00".into()));
    facilitator.post(&format!("/workshops/{slug}/edit"), &pairs(&later)).await.expect(303);
    let event = parse_ics(&app.get(&format!("/workshops/{slug}.ics")).await.body).remove(0);
    assert_eq!(prop(&event, "SEQUENCE"), "1");
    facilitator.post(&format!("/workshops/{slug}/cancel"), &[("reason", "Paro de transportes")]).await.expect(303);
    let all = app.get("/workshops.ics").await.expect(200).body;
    let event = parse_ics(&all).into_iter().find(|e| prop(e, "URL").ends_with(&slug)).expect("in the full calendar");
    assert_eq!((prop(&event, "STATUS"), prop(&event, "SEQUENCE")), ("CANCELLED", "2"));
    assert!(prop(&event, "DESCRIPTION").contains("Paro de transportes"));
    assert!(!all.contains(LINK));
    let page = app.get(&format!("/workshops/{slug}")).await.expect(200).body;
    assert!(page.contains("Este taller fue cancelado") && page.contains("Paro de transportes"));

    // A workshop known only by its date is a whole-day event.
    let mut dated = form("Taller sin horario", day);
    dated.retain(|(k, _)| k != "start_time" && k != "end_time");
    let created = facilitator.post("/workshops/new", &pairs(&dated)).await.expect(303);
    let slug =
        created.header("location").trim_start_matches("/workshops/").split('?').next().unwrap_or_default().to_string();
    facilitator.post(&format!("/workshops/{slug}/publish"), &[]).await.expect(303);
    let file = app.get(&format!("/workshops/{slug}.ics")).await.body;
    assert!(file.contains(&format!(
        "DTSTART;VALUE=DATE:{:04}{:02}{:02}\r\n",
        day.year(),
        u8::from(day.month()),
        day.day()
    )));
    assert_eq!(parse_ics(&file).len(), 1);
    assert!(app.get(&format!("/workshops/{slug}")).await.body.contains("todo el día"));
}
