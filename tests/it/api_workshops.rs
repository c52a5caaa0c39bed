//! Workshops and commitments through the JSON API: what callers read (and the online link
//! only for those with a place, and organisers), registering and cancelling one's own place,
//! the organisers' writes, and progress notes. Every answer is also checked against the
//! OpenAPI document by `support::http`.

use axum::{body::Body, http::Request};
use ayni::{
    domain::{
        account::{Role, User},
        lima,
        workshop::WorkshopDraft,
    },
    store::workshops::Provenance,
};
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use crate::{
    support::{http::TestResponse, TestApp},
    workshops::{online_draft, LINK},
};

const SEEDED: &str = "primer-taller-conjunto-integridad-publica-2023";

async fn call(app: &TestApp, method: &str, uri: &str, token: Option<&str>, body: Option<Value>) -> TestResponse {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let body = match body {
        Some(body) => {
            request = request.header("content-type", "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    app.request(request.body(body).expect("request")).await
}

async fn get(app: &TestApp, uri: &str, token: Option<&str>) -> TestResponse {
    call(app, "GET", uri, token, None).await
}

/// An account with an API token, as its owner would make one on the profile page.
async fn with_token(app: &TestApp, email: &str, name: &str, role: Role) -> (User, String) {
    let id = app.account(email, name, role).await;
    let user = app.db.store().active_user(id).await.expect("load").expect("active");
    let token = app.db.store().create_token(&user, "script").await.expect("token");
    (user, token)
}

/// An online workshop of `organiser`'s in Cusco, four hours from 09:00 in Lima on `day`,
/// published unless `draft`.
async fn workshop(app: &TestApp, organiser: &User, title: &str, day: time::Date, capacity: Option<i32>) -> String {
    let store = app.db.store();
    let draft =
        WorkshopDraft { description_markdown: "Revisar la **agenda**.".into(), ..online_draft(title, day, capacity) };
    store
        .create_workshop(Some(organiser), &draft, "<p>Revisar la <strong>agenda</strong>.</p>", Provenance::App)
        .await
        .expect("create")
}

async fn publish(app: &TestApp, organiser: &User, slug: &str) {
    let store = app.db.store();
    let id = store.find_workshop(slug).await.expect("find").expect("found").id;
    store.publish_workshop(id, organiser).await.expect("publish");
}

fn in_a_month() -> time::Date {
    lima::today(OffsetDateTime::now_utc()) + Duration::days(30)
}

fn yesterday() -> time::Date {
    lima::today(OffsetDateTime::now_utc()) - Duration::days(1)
}

fn fields(error: &Value) -> Vec<String> {
    error["error"]["fields"]
        .as_array()
        .expect("the fields at fault")
        .iter()
        .map(|f| f["field"].as_str().expect("a field name").to_string())
        .collect()
}

/// The audit log's actions on a workshop, in order.
async fn audited(app: &TestApp, slug: &str) -> Vec<String> {
    sqlx::query_scalar("select action from audit_log where subject_kind = 'workshop' and subject_key = $1 order by id")
        .bind(slug)
        .fetch_all(&app.db.pool)
        .await
        .expect("audit log")
}

#[tokio::test]
async fn api_workshops_are_listed_and_read_with_agenda_outcomes_and_commitments() {
    let app = TestApp::new().await;
    let all = get(&app, "/api/v1/workshops", None).await.expect(200).json();
    assert_eq!((all["total"].as_i64(), all["page"].as_i64(), all["per_page"].as_i64()), (Some(1), Some(1), Some(20)));
    let seeded = &all["workshops"][0];
    assert_eq!(seeded["slug"], SEEDED);
    assert_eq!(seeded["url"], format!("http://ayni.test/workshops/{SEEDED}"));
    assert_eq!((seeded["state"].as_str(), seeded["format"].as_str()), (Some("past"), Some("unspecified")));
    assert_eq!(seeded["all_day"], true);
    // The 14th of July in Lima starts at 05:00 UTC.
    assert_eq!(seeded["starts_at"], "2023-07-14T05:00:00Z");

    let one = get(&app, &format!("/api/v1/workshops/{SEEDED}"), None).await.expect(200).json();
    assert_eq!(one["region_count"], 6);
    assert_eq!(one["regions"], json!([]));
    assert!(one["description_html"].as_str().is_some_and(|h| h.contains("<strong>seis gobiernos regionales</strong>")));
    let outcomes = &one["outcomes"];
    assert!(outcomes["conclusions_html"].as_str().is_some_and(|h| h.contains("<strong>construir sobre")));
    assert!(outcomes["organisations"]
        .as_array()
        .is_some_and(|o| o.iter().any(|n| n == "Secretaría de Integridad Pública")));
    assert_eq!((one["agenda"].clone(), one["commitments"].clone()), (json!([]), json!([])));
    assert!(one.get("online_url").is_none() && one.get("my_registration").is_none());

    // Filters as on the page, and paging as in the case list.
    assert_eq!(get(&app, "/api/v1/workshops?year=2023", None).await.expect(200).json()["total"], 1);
    assert_eq!(get(&app, "/api/v1/workshops?year=2024", None).await.expect(200).json()["total"], 0);
    let bad = get(&app, "/api/v1/workshops?region=atlantis", None).await.expect(400).json();
    assert_eq!(
        (bad["error"]["code"].as_str(), bad["error"]["parameter"].as_str()),
        (Some("bad_parameter"), Some("region"))
    );
    get(&app, "/api/v1/workshops?per_page=101", None).await.expect(400);
    let (organiser, token) = with_token(&app, "org@x.gob.pe", "Rosa Quispe", Role::Facilitator).await;
    for n in 1..=3 {
        let slug = workshop(&app, &organiser, &format!("Taller {n}"), in_a_month() + Duration::days(n), None).await;
        publish(&app, &organiser, &slug).await;
    }
    let page = get(&app, "/api/v1/workshops?per_page=2&page=2", None).await.expect(200).json();
    assert_eq!(page["total"], 4);
    let slugs: Vec<&str> =
        page["workshops"].as_array().expect("list").iter().filter_map(|w| w["slug"].as_str()).collect();
    assert_eq!(slugs, ["taller-3", SEEDED], "soonest to come first, then those held");
    let cusco = get(&app, "/api/v1/workshops?region=cusco", None).await.expect(200).json();
    assert_eq!(cusco["total"], 3);

    // A draft is its organisers' alone: listed and read with their token only.
    let draft = workshop(&app, &organiser, "Borrador", in_a_month(), None).await;
    let (_, stranger) = with_token(&app, "otro@x.gob.pe", "Otro", Role::Facilitator).await;
    for token in [None, Some(stranger.as_str())] {
        get(&app, &format!("/api/v1/workshops/{draft}"), token).await.expect(404);
        assert!(!get(&app, "/api/v1/workshops", token).await.expect(200).body.contains(&draft));
    }
    let mine = get(&app, "/api/v1/workshops", Some(&token)).await.expect(200).json();
    assert_eq!(mine["total"], 5);
    let read = get(&app, &format!("/api/v1/workshops/{draft}"), Some(&token)).await.expect(200).json();
    assert_eq!((read["state"].as_str(), read["organisers"][0].as_str()), (Some("draft"), Some("Rosa Quispe")));
}

#[tokio::test]
async fn api_the_online_link_goes_only_to_people_with_a_place_and_organisers() {
    let app = TestApp::new().await;
    let (organiser, organiser_token) = with_token(&app, "org@x.gob.pe", "Organizadora", Role::Facilitator).await;
    let slug = workshop(&app, &organiser, "Taller en línea", in_a_month(), Some(1)).await;
    publish(&app, &organiser, &slug).await;
    let (_, ana) = with_token(&app, "ana@x.gob.pe", "Ana", Role::Member).await;
    let (_, eva) = with_token(&app, "eva@x.gob.pe", "Eva", Role::Member).await;
    let (_, luis) = with_token(&app, "luis@x.gob.pe", "Luis", Role::Member).await;
    let uri = format!("/api/v1/workshops/{slug}");
    let register = format!("{uri}/registration");

    let anonymous = get(&app, &uri, None).await.expect(200);
    assert!(!anonymous.body.contains(LINK), "never in the anonymous API");
    let no_place = get(&app, &uri, Some(&luis)).await.expect(200);
    assert!(!no_place.body.contains(LINK), "not for a member without a place");
    assert!(no_place.json().get("my_registration").is_none());

    let placed = call(&app, "POST", &register, Some(&ana), None).await.expect(200).json();
    assert_eq!(placed, json!({"state": "registered", "promoted": false, "attended": null}));
    let again = call(&app, "POST", &register, Some(&ana), None).await.expect(200).json();
    assert_eq!(again["state"], "registered", "registering again changes nothing");
    let waiting = call(&app, "POST", &register, Some(&eva), None).await.expect(200).json();
    assert_eq!((waiting["state"].as_str(), waiting["place"].as_i64()), (Some("waiting"), Some(1)));

    let hers = get(&app, &uri, Some(&ana)).await.expect(200).json();
    assert_eq!(hers["online_url"], LINK);
    assert_eq!(
        (hers["registered"].as_i64(), hers["waiting"].as_i64(), hers["capacity"].as_i64()),
        (Some(1), Some(1), Some(1))
    );
    let on_the_list = get(&app, &uri, Some(&eva)).await.expect(200);
    assert!(!on_the_list.body.contains(LINK), "not for someone on the waiting list");
    assert_eq!(on_the_list.json()["my_registration"]["place"], 1);
    assert_eq!(get(&app, &uri, Some(&organiser_token)).await.expect(200).json()["online_url"], LINK);
    for token in [None, Some(ana.as_str()), Some(organiser_token.as_str())] {
        assert!(!get(&app, "/api/v1/workshops", token).await.expect(200).body.contains(LINK), "never in the list");
    }

    // Ana cancels: Eva moves up at once, is told so, and gets the link.
    let cancelled = call(&app, "DELETE", &register, Some(&ana), None).await.expect(204);
    assert!(cancelled.body.is_empty());
    let after = get(&app, &uri, Some(&ana)).await.expect(200);
    assert!(after.json().get("my_registration").is_none() && !after.body.contains(LINK));
    let promoted = get(&app, &uri, Some(&eva)).await.expect(200).json();
    assert_eq!(promoted["my_registration"], json!({"state": "registered", "promoted": true, "attended": null}));
    assert_eq!(promoted["online_url"], LINK);
    assert_eq!((promoted["registered"].as_i64(), promoted["waiting"].as_i64()), (Some(1), Some(0)));
    // Reading is safe to repeat: the news stays for the page to give.
    let again = get(&app, &uri, Some(&eva)).await.expect(200).json();
    assert_eq!(again["my_registration"]["promoted"], true);
    call(&app, "POST", &register, None, None).await.expect(401);

    // Registration closes at the start, with the error registration closing always has.
    let (old_organiser, _) = with_token(&app, "org2@x.gob.pe", "Otra", Role::Facilitator).await;
    let held = workshop(&app, &old_organiser, "Taller pasado", yesterday(), None).await;
    publish(&app, &old_organiser, &held).await;
    let closed = call(&app, "POST", &format!("/api/v1/workshops/{held}/registration"), Some(&luis), None).await;
    assert_eq!(closed.expect(409).json()["error"]["code"], "registration_closed");
    let read = get(&app, &format!("/api/v1/workshops/{held}"), None).await.expect(200).json();
    assert_eq!((read["state"].as_str(), read["registration_open"].as_bool()), (Some("past"), Some(false)));
}

fn workshop_json(title: &str) -> Value {
    json!({
        "title": title, "summary": "Intercambio de prácticas entre regiones.",
        "description": "## Objetivo\n\nRevisar la **agenda** regional.<script>alert(1)</script>",
        "start_date": in_a_month().to_string(), "start_time": "09:00", "end_time": "13:00",
        "format": "hybrid", "venue": "Auditorio regional", "city": "Cusco", "online_url": LINK,
        "capacity": 2, "regions": ["cusco", "piura"]
    })
}

#[tokio::test]
async fn api_organisers_create_edit_publish_plan_and_cancel_a_workshop() {
    let app = TestApp::new().await;
    let (_, token) = with_token(&app, "org@x.gob.pe", "Rosa Quispe", Role::Facilitator).await;
    let (_, member) = with_token(&app, "m@x.gob.pe", "Miembro", Role::Member).await;
    let (_, editor) = with_token(&app, "e@x.gob.pe", "Editora", Role::Member).await;
    call(&app, "POST", "/api/v1/workshops", None, Some(workshop_json("Sin token"))).await.expect(401);
    let refused = call(&app, "POST", "/api/v1/workshops", Some(&member), Some(workshop_json("De un miembro"))).await;
    assert_eq!(refused.expect(403).json()["error"]["code"], "forbidden");

    // The form's checks, every problem on its field.
    let mut bad = workshop_json("");
    bad["end_time"] = json!("08:00");
    bad["city"] = json!("");
    bad["capacity"] = json!(0);
    bad["regions"] = json!(["atlantis"]);
    let invalid = call(&app, "POST", "/api/v1/workshops", Some(&token), Some(bad)).await.expect(422).json();
    assert_eq!(invalid["error"]["code"], "invalid_fields");
    assert_eq!(fields(&invalid), ["title", "end_time", "city", "capacity", "regions"]);
    let mut typo = workshop_json("Con errata");
    typo["titel"] = json!("x");
    call(&app, "POST", "/api/v1/workshops", Some(&token), Some(typo)).await.expect(400);
    let nobody: i64 = sqlx::query_scalar("select count(*) from workshops where slug <> $1")
        .bind(SEEDED)
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(nobody, 0, "a refused request writes nothing");

    let created = call(&app, "POST", "/api/v1/workshops", Some(&token), Some(workshop_json("Taller de integridad")))
        .await
        .expect(201);
    assert_eq!(created.header("location"), "/api/v1/workshops/taller-de-integridad");
    let body = created.json();
    assert_eq!((body["state"].as_str(), body["online_url"].as_str()), (Some("draft"), Some(LINK)));
    assert_eq!(body["starts_at"], format!("{}T14:00:00Z", in_a_month()), "09:00 in Lima is 14:00 UTC");
    let html = body["description_html"].as_str().expect("html");
    assert!(html.contains("<strong>agenda</strong>") && !html.contains("<script"), "{html}");
    let regions: Vec<&str> =
        body["regions"].as_array().expect("regions").iter().filter_map(|r| r["slug"].as_str()).collect();
    assert_eq!(regions, ["cusco", "piura"]);
    let uri = "/api/v1/workshops/taller-de-integridad";

    let mut edit = workshop_json("Taller de integridad regional");
    edit["capacity"] = json!(1);
    let saved = call(&app, "PUT", uri, Some(&token), Some(edit.clone())).await.expect(200).json();
    assert_eq!((saved["title"].as_str(), saved["capacity"].as_i64()), (Some("Taller de integridad regional"), Some(1)));
    assert_eq!(saved["slug"], "taller-de-integridad", "the address stays");
    call(&app, "PUT", uri, Some(&member), Some(edit.clone())).await.expect(404);
    let published = call(&app, "POST", &format!("{uri}/publish"), Some(&token), None).await.expect(200).json();
    assert_eq!(published["state"], "published");
    call(&app, "POST", &format!("{uri}/publish"), Some(&token), None).await.expect(403);
    call(&app, "PUT", uri, Some(&member), Some(edit.clone())).await.expect(403);
    call(&app, "POST", &format!("{uri}/registration"), Some(&member), None).await.expect(200);
    call(&app, "POST", &format!("{uri}/registration"), Some(&editor), None).await.expect(200);
    // Raising the capacity gives the place to the person waiting; it never goes below
    // those registered.
    edit["capacity"] = json!(2);
    let raised = call(&app, "PUT", uri, Some(&token), Some(edit.clone())).await.expect(200).json();
    assert_eq!((raised["registered"].as_i64(), raised["waiting"].as_i64()), (Some(2), Some(0)));
    edit["capacity"] = json!(1);
    let lower = call(&app, "PUT", uri, Some(&token), Some(edit.clone())).await.expect(422).json();
    assert_eq!(fields(&lower), ["capacity"]);
    let message = lower["error"]["fields"][0]["message"].as_str().unwrap_or_default().to_string();
    assert!(message.contains("las 2 personas ya inscritas"), "{lower}");
    // Leaving the capacity out is refused rather than read as "no limit"; `null` says so.
    if let Some(fields_given) = edit.as_object_mut() {
        fields_given.remove("capacity");
    }
    let left_out = call(&app, "PUT", uri, Some(&token), Some(edit.clone())).await.expect(422).json();
    assert_eq!(fields(&left_out), ["capacity"]);
    edit["capacity"] = Value::Null;
    let unlimited = call(&app, "PUT", uri, Some(&token), Some(edit)).await.expect(200).json();
    assert!(unlimited["capacity"].is_null(), "{unlimited}");

    // The agenda: inside the hours, overlaps marked, outside refused.
    let agenda = format!("{uri}/agenda");
    let item = json!({"time": "09:00", "duration": 60, "title": "Apertura", "speakers": "Rosa Quispe"});
    let added = call(&app, "POST", &agenda, Some(&token), Some(item)).await.expect(201);
    let first = added.json();
    assert_eq!(added.header("location"), format!("{agenda}/{}", first["id"]));
    let located = get(&app, &added.header("location"), None).await.expect(200).json();
    assert_eq!((located["title"].as_str(), located["speakers"].as_str()), (Some("Apertura"), Some("Rosa Quispe")));
    for missing in ["999999", "uno"] {
        get(&app, &format!("{agenda}/{missing}"), None).await.expect(404);
    }
    assert_eq!(
        (first["starts_at"].as_str(), first["overlaps"].as_bool()),
        (Some(format!("{}T14:00:00Z", in_a_month()).as_str()), Some(false))
    );
    let parallel = json!({"time": "09:30", "duration": 30, "title": "Sesión paralela"});
    assert_eq!(call(&app, "POST", &agenda, Some(&token), Some(parallel)).await.expect(201).json()["overlaps"], true);
    let outside = json!({"time": "12:45", "duration": 30, "title": "Cierre tardío"});
    let late = call(&app, "POST", &agenda, Some(&token), Some(outside)).await.expect(422).json();
    assert_eq!(fields(&late), ["time"]);
    let item_uri = format!("{agenda}/{}", first["id"]);
    let changed = json!({"time": "10:00", "duration": 30, "title": "Apertura y bienvenida"});
    let updated = call(&app, "PUT", &item_uri, Some(&token), Some(changed.clone())).await.expect(200).json();
    assert_eq!(
        (updated["title"].as_str(), updated["id"].clone()),
        (Some("Apertura y bienvenida"), first["id"].clone())
    );
    call(&app, "PUT", &item_uri, Some(&member), Some(changed.clone())).await.expect(403);
    call(&app, "PUT", &format!("{agenda}/999999"), Some(&token), Some(changed)).await.expect(404);
    call(&app, "DELETE", &item_uri, Some(&token), None).await.expect(204);
    let read = get(&app, uri, None).await.expect(200).json();
    let titles: Vec<&str> =
        read["agenda"].as_array().expect("agenda").iter().filter_map(|i| i["title"].as_str()).collect();
    assert_eq!(titles, ["Sesión paralela"]);

    // Outcomes come after the event.
    call(&app, "PUT", &format!("{uri}/outcomes"), Some(&token), Some(json!({"conclusions": "Pronto."})))
        .await
        .expect(403);

    let missing = call(&app, "POST", &format!("{uri}/cancel"), Some(&token), Some(json!({"reason": "  "}))).await;
    assert_eq!(fields(&missing.expect(422).json()), ["reason"]);
    let cancelled =
        call(&app, "POST", &format!("{uri}/cancel"), Some(&token), Some(json!({"reason": "Falta de quórum."}))).await;
    let cancelled = cancelled.expect(200).json();
    assert_eq!(
        (cancelled["state"].as_str(), cancelled["cancel_reason"].as_str()),
        (Some("cancelled"), Some("Falta de quórum."))
    );
    assert_eq!(
        audited(&app, "taller-de-integridad").await,
        [
            "workshop.created",
            "workshop.updated",
            "workshop.published",
            "workshop.updated",
            "workshop.updated",
            "workshop.agenda_changed",
            "workshop.agenda_changed",
            "workshop.agenda_changed",
            "workshop.agenda_changed",
            "workshop.cancelled",
        ],
        "every organiser action, as the forms write them"
    );
}

#[tokio::test]
async fn api_outcomes_commitments_and_progress_notes_follow_the_pages_rules() {
    let app = TestApp::new().await;
    let (organiser, token) = with_token(&app, "org@x.gob.pe", "Organizadora", Role::Facilitator).await;
    let (owner, owner_token) = with_token(&app, "duena@x.gob.pe", "Dueña", Role::Member).await;
    let (_, member) = with_token(&app, "m@x.gob.pe", "Miembro", Role::Member).await;
    let (region_member_user, region_member) = with_token(&app, "cusquena@x.gob.pe", "Cusqueña", Role::Member).await;
    sqlx::query("update users set region_id = (select id from regions where slug = 'cusco') where id = $1")
        .bind(region_member_user.id)
        .execute(&app.db.pool)
        .await
        .expect("profile region");
    let (editor_user, editor) = with_token(&app, "e@x.gob.pe", "Editora", Role::Member).await;
    app.make_editor(editor_user.id, &["cusco"]).await;
    let (far_user, far) = with_token(&app, "far@x.gob.pe", "Lejana", Role::Member).await;
    app.make_editor(far_user.id, &["piura"]).await;
    let slug = workshop(&app, &organiser, "Taller realizado", yesterday(), None).await;
    publish(&app, &organiser, &slug).await;
    let uri = format!("/api/v1/workshops/{slug}");

    // A commitment before the outcomes: the organisers see it, nobody else yet.
    let due = lima::today(OffsetDateTime::now_utc()) - Duration::days(10);
    let commitment = json!({
        "region": "cusco", "action": "Aprobar el plan regional de integridad.", "owner_name": "Gerencia",
        "owner_email": owner.email, "due_on": due.to_string()
    });
    let added =
        call(&app, "POST", &format!("{uri}/commitments"), Some(&token), Some(commitment.clone())).await.expect(201);
    let body = added.json();
    let id = body["id"].as_i64().expect("id");
    assert_eq!(added.header("location"), format!("/api/v1/commitments/{id}"));
    assert_eq!((body["status"].as_str(), body["overdue"].as_bool()), (Some("planned"), Some(true)));
    assert_eq!((body["region"]["slug"].as_str(), body["owner_account"].as_str()), (Some("cusco"), Some("Dueña")));
    assert_eq!(body["due_on"], due.to_string());
    assert_eq!(get(&app, &uri, Some(&token)).await.expect(200).json()["commitments"][0]["id"], id);
    for caller in [None, Some(member.as_str()), Some(owner_token.as_str()), Some(editor.as_str())] {
        assert_eq!(get(&app, &uri, caller).await.expect(200).json()["commitments"], json!([]), "{caller:?}");
        get(&app, &format!("/api/v1/commitments/{id}"), caller).await.expect(404);
        assert_eq!(get(&app, "/api/v1/commitments", caller).await.expect(200).json()["total"], 0);
    }
    let mut bad = commitment.clone();
    bad["region"] = json!("atlantis");
    bad["action"] = json!("");
    bad["status"] = json!("someday");
    let invalid = call(&app, "POST", &format!("{uri}/commitments"), Some(&token), Some(bad)).await.expect(422).json();
    assert_eq!(fields(&invalid), ["region", "action", "status"]);

    // Outcomes, rendered and made harmless.
    let outcomes = json!({
        "conclusions": "Se acordó **actualizar** los mapas de riesgo.<img src=x onerror=alert(1)>",
        "attendance": 42, "organisations": ["Secretaría de Integridad Pública", "PNUD"],
        "materials": [{"title": "Presentación", "url": "https://example.org/p.pdf"}]
    });
    call(&app, "PUT", &format!("{uri}/outcomes"), Some(&member), Some(outcomes.clone())).await.expect(403);
    let empty = call(&app, "PUT", &format!("{uri}/outcomes"), Some(&token), Some(json!({"conclusions": ""}))).await;
    assert_eq!(fields(&empty.expect(422).json()), ["conclusions"]);
    let saved = call(&app, "PUT", &format!("{uri}/outcomes"), Some(&token), Some(outcomes)).await.expect(200).json();
    let html = saved["conclusions_html"].as_str().expect("html");
    assert!(html.contains("<strong>actualizar</strong>") && !html.contains("onerror"), "{html}");
    assert_eq!(
        (saved["attendance"].as_i64(), saved["materials"][0]["url"].as_str()),
        (Some(42), Some("https://example.org/p.pdf"))
    );
    let public = get(&app, &uri, None).await.expect(200).json();
    assert_eq!(public["outcomes"]["organisations"], json!(["Secretaría de Integridad Pública", "PNUD"]));
    assert_eq!(public["commitments"][0]["action"], "Aprobar el plan regional de integridad.");

    // The list, with the page's filters and counts.
    let list = get(&app, "/api/v1/commitments?region=cusco&due=overdue", None).await.expect(200).json();
    assert_eq!((list["total"].as_i64(), list["commitments"][0]["overdue"].as_bool()), (Some(1), Some(true)));
    assert_eq!(list["counts"][0], json!({"status": "planned", "count": 1}));
    assert_eq!(get(&app, "/api/v1/commitments?region=piura", None).await.expect(200).json()["total"], 0);
    assert_eq!(get(&app, "/api/v1/commitments?status=done", None).await.expect(200).json()["total"], 0);
    let bad = get(&app, "/api/v1/commitments?status=someday", None).await.expect(400).json();
    assert_eq!(bad["error"]["parameter"], "status");

    // Notes: the owner, the region's editors and the organisers; nobody else.
    let notes = format!("/api/v1/commitments/{id}/notes");
    let note = json!({"note": "Borrador del plan listo.", "status": "in_progress"});
    call(&app, "POST", &notes, None, Some(note.clone())).await.expect(401);
    for (who, token) in
        [("a member", &member), ("a member whose profile says Cusco", &region_member), ("an editor of Piura", &far)]
    {
        let refused = call(&app, "POST", &notes, Some(token), Some(note.clone())).await;
        assert_eq!(refused.status, 403, "{who}");
        assert_eq!(
            get(&app, &format!("/api/v1/commitments/{id}"), Some(token)).await.expect(200).json()["may_add_note"],
            false,
            "{who}"
        );
    }
    let blank = call(&app, "POST", &notes, Some(&owner_token), Some(json!({"note": " ", "status": "later"}))).await;
    assert_eq!(fields(&blank.expect(422).json()), ["note", "status"]);
    let by_owner = call(&app, "POST", &notes, Some(&owner_token), Some(note)).await.expect(201);
    assert_eq!(by_owner.header("location"), format!("/api/v1/commitments/{id}"));
    let by_owner = by_owner.json();
    assert_eq!((by_owner["status"].as_str(), by_owner["overdue"].as_bool()), (Some("in_progress"), Some(true)));
    assert_eq!(by_owner["notes"][0]["author_name"], "Dueña");
    assert_eq!(
        (by_owner["notes"][0]["status_from"].as_str(), by_owner["notes"][0]["status_to"].as_str()),
        (Some("planned"), Some("in_progress"))
    );
    let by_editor =
        call(&app, "POST", &notes, Some(&editor), Some(json!({"note": "Aprobado.", "status": "done"}))).await;
    let by_editor = by_editor.expect(201).json();
    assert_eq!((by_editor["status"].as_str(), by_editor["overdue"].as_bool()), (Some("done"), Some(false)));
    call(&app, "POST", &notes, Some(&token), Some(json!({"note": "Verificado en la región."}))).await.expect(201);
    let read = get(&app, &format!("/api/v1/commitments/{id}"), None).await.expect(200).json();
    let texts: Vec<&str> = read["notes"].as_array().expect("notes").iter().filter_map(|n| n["note"].as_str()).collect();
    assert_eq!(texts, ["Borrador del plan listo.", "Aprobado.", "Verificado en la región."]);
    assert_eq!((read["status"].as_str(), read["may_add_note"].as_bool()), (Some("done"), Some(false)));
    let changes: i64 = sqlx::query_scalar("select count(*) from audit_log where action = 'commitment.status_changed'")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(changes, 2, "each change of status is audited");

    // The organisers correct and remove it.
    let mut corrected = commitment;
    corrected["status"] = json!("dropped");
    let put =
        call(&app, "PUT", &format!("{uri}/commitments/{id}"), Some(&token), Some(corrected)).await.expect(200).json();
    assert_eq!((put["status"].as_str(), put["overdue"].as_bool()), (Some("dropped"), Some(false)));
    call(&app, "DELETE", &format!("{uri}/commitments/{id}"), Some(&member), None).await.expect(403);
    call(&app, "DELETE", &format!("{uri}/commitments/{id}"), Some(&token), None).await.expect(204);
    get(&app, &format!("/api/v1/commitments/{id}"), Some(&token)).await.expect(404);
    assert_eq!(get(&app, "/api/v1/commitments", None).await.expect(200).json()["total"], 0);
    let actions = audited(&app, &slug).await;
    for action in ["commitment.added", "workshop.outcomes_published", "commitment.deleted"] {
        assert!(actions.iter().any(|a| a == action), "{action} missing from {actions:?}");
    }
}

/// A workshop's audit entries that concern one account: (action, actor, account).
async fn audited_accounts(app: &TestApp, slug: &str) -> Vec<(String, Option<i64>, Option<i64>)> {
    sqlx::query_as(
        "select action, actor_id, (details->>'account')::bigint from audit_log
         where subject_kind = 'workshop' and subject_key = $1 and details ? 'account' order by id",
    )
    .bind(slug)
    .fetch_all(&app.db.pool)
    .await
    .expect("audit log")
}

#[tokio::test]
async fn api_organisers_alone_see_the_participants_and_cancel_a_place_for_the_first_waiting() {
    let app = TestApp::new().await;
    let (organiser, token) = with_token(&app, "org@x.gob.pe", "Organizadora", Role::Facilitator).await;
    let slug = workshop(&app, &organiser, "Taller con lista", in_a_month(), Some(1)).await;
    publish(&app, &organiser, &slug).await;
    let (ana_user, ana) = with_token(&app, "ana@x.gob.pe", "Ana Mamani", Role::Member).await;
    let (eva_user, eva) = with_token(&app, "eva@x.gob.pe", "Eva Ñahui", Role::Member).await;
    let (luis_user, luis) = with_token(&app, "luis@x.gob.pe", "Luis", Role::Member).await;
    let uri = format!("/api/v1/workshops/{slug}");
    for person in [&ana, &eva, &luis] {
        call(&app, "POST", &format!("{uri}/registration"), Some(person), None).await.expect(200);
    }

    let list = get(&app, &format!("{uri}/participants"), Some(&token)).await.expect(200);
    assert_eq!(list.header("cache-control"), "no-store", "people's emails are kept by no cache");
    let list = list.json();
    let registered = &list["registered"];
    assert_eq!(registered.as_array().map(Vec::len), Some(1));
    assert_eq!(
        (registered[0]["id"].as_i64(), registered[0]["name"].as_str(), registered[0]["email"].as_str()),
        (Some(ana_user.id), Some("Ana Mamani"), Some("ana@x.gob.pe"))
    );
    assert_eq!((registered[0]["state"].as_str(), registered[0]["attended"].as_null()), (Some("registered"), Some(())));
    let waiting: Vec<(Option<i64>, Option<&str>, Option<i64>)> = list["waiting"]
        .as_array()
        .expect("the waiting list")
        .iter()
        .map(|p| (p["id"].as_i64(), p["state"].as_str(), p["place"].as_i64()))
        .collect();
    assert_eq!(
        waiting,
        [(Some(eva_user.id), Some("waiting"), Some(1)), (Some(luis_user.id), Some("waiting"), Some(2))]
    );
    assert_eq!(list["organisers"], json!([{"id": organiser.id, "name": "Organizadora"}]));

    // Nobody else reads it: not a participant, a member of the region, its editor, another
    // facilitator; a visitor is asked for a token.
    let (region_member_user, region_member) = with_token(&app, "cusquena@x.gob.pe", "Cusqueña", Role::Member).await;
    sqlx::query("update users set region_id = (select id from regions where slug = 'cusco') where id = $1")
        .bind(region_member_user.id)
        .execute(&app.db.pool)
        .await
        .expect("profile region");
    let (editor_user, editor) = with_token(&app, "e@x.gob.pe", "Editora", Role::Member).await;
    app.make_editor(editor_user.id, &["cusco"]).await;
    let (_, facilitator) = with_token(&app, "otro@x.gob.pe", "Otro facilitador", Role::Facilitator).await;
    for outsider in [&luis, &region_member, &editor, &facilitator] {
        let refused = get(&app, &format!("{uri}/participants"), Some(outsider)).await.expect(403);
        assert_eq!(refused.json()["error"]["code"], "forbidden");
        assert!(refused.json().get("registered").is_none());
        for email in ["ana@x.gob.pe", "eva@x.gob.pe", "luis@x.gob.pe"] {
            assert!(!refused.body.contains(email), "no participant's email for an outsider");
        }
        call(&app, "DELETE", &format!("{uri}/participants/{}", ana_user.id), Some(outsider), None).await.expect(403);
    }
    let anonymous = get(&app, &format!("{uri}/participants"), None).await.expect(401);
    assert!(!anonymous.body.contains("ana@x.gob.pe"));
    let draft = workshop(&app, &organiser, "Borrador con lista", in_a_month(), None).await;
    get(&app, &format!("/api/v1/workshops/{draft}/participants"), Some(&facilitator)).await.expect(404);
    assert_eq!(get(&app, &uri, Some(&ana)).await.json()["my_registration"]["state"], "registered");

    // The organiser cancels Ana's place: Eva, first on the list, gets it at once.
    let cancelled = call(&app, "DELETE", &format!("{uri}/participants/{}", ana_user.id), Some(&token), None).await;
    assert!(cancelled.expect(204).body.is_empty());
    assert!(get(&app, &uri, Some(&ana)).await.expect(200).json().get("my_registration").is_none());
    let promoted = get(&app, &uri, Some(&eva)).await.expect(200).json();
    assert_eq!(promoted["my_registration"], json!({"state": "registered", "promoted": true, "attended": null}));
    assert_eq!(promoted["online_url"], LINK, "a place brings the link");
    let still = get(&app, &uri, Some(&luis)).await.expect(200).json();
    assert_eq!(
        (still["my_registration"]["state"].as_str(), still["my_registration"]["place"].as_i64()),
        (Some("waiting"), Some(1))
    );
    let list = get(&app, &format!("{uri}/participants"), Some(&token)).await.expect(200).json();
    assert_eq!(list["registered"][0]["id"], eva_user.id);
    assert_eq!(
        (list["waiting"][0]["id"].as_i64(), list["waiting"][0]["place"].as_i64()),
        (Some(luis_user.id), Some(1))
    );

    // Nothing left to cancel is said so; so is an id that is not one.
    let again = call(&app, "DELETE", &format!("{uri}/participants/{}", ana_user.id), Some(&token), None).await;
    assert_eq!(again.expect(404).json()["error"]["code"], "not_found");
    call(&app, "DELETE", &format!("{uri}/participants/ana"), Some(&token), None).await.expect(404);
    assert_eq!(
        audited_accounts(&app, &slug).await,
        [("workshop.registration_changed".to_string(), Some(organiser.id), Some(ana_user.id))],
        "the organiser's cancellation is audited; people's own registrations are not"
    );

    // Once it has started, nobody's place is cancelled.
    sqlx::query("update workshops set starts_at = now() - interval '1 hour' where slug = $1")
        .bind(&slug)
        .execute(&app.db.pool)
        .await
        .expect("start it");
    let late = call(&app, "DELETE", &format!("{uri}/participants/{}", eva_user.id), Some(&token), None).await;
    assert_eq!(late.expect(409).json()["error"]["code"], "registration_closed");
    assert_eq!(get(&app, &uri, Some(&eva)).await.json()["my_registration"]["state"], "registered");
}

#[tokio::test]
async fn api_organisers_mark_attendance_after_the_start_and_manage_co_organisers() {
    let app = TestApp::new().await;
    let (organiser, token) = with_token(&app, "org@x.gob.pe", "Organizadora", Role::Facilitator).await;
    let slug = workshop(&app, &organiser, "Taller con asistencia", in_a_month(), None).await;
    publish(&app, &organiser, &slug).await;
    let (ana_user, ana) = with_token(&app, "ana@x.gob.pe", "Ana", Role::Member).await;
    let (eva_user, eva) = with_token(&app, "eva@x.gob.pe", "Eva", Role::Member).await;
    let (luis_user, _) = with_token(&app, "luis@x.gob.pe", "Luis", Role::Member).await;
    let (co_user, co) = with_token(&app, "co@x.gob.pe", "Coorganizadora", Role::Member).await;
    let uri = format!("/api/v1/workshops/{slug}");
    for person in [&ana, &eva] {
        call(&app, "POST", &format!("{uri}/registration"), Some(person), None).await.expect(200);
    }
    let attendance = format!("{uri}/attendance");

    // Not before it starts, as on the page.
    let early = call(&app, "PUT", &attendance, Some(&token), Some(json!({"attended": [ana_user.id]}))).await;
    assert_eq!(early.expect(403).json()["error"]["code"], "forbidden");

    // Co-organisers, by the email of their account as typed.
    let organisers = format!("{uri}/organisers");
    call(&app, "POST", &organisers, Some(&ana), Some(json!({"email": "co@x.gob.pe"}))).await.expect(403);
    get(&app, &format!("{uri}/participants"), Some(&co)).await.expect(403);
    let added = call(&app, "POST", &organisers, Some(&token), Some(json!({"email": "  Co@X.gob.pe "}))).await;
    assert_eq!(
        added.expect(200).json()["organisers"],
        json!([{"id": organiser.id, "name": "Organizadora"}, {"id": co_user.id, "name": "Coorganizadora"}])
    );
    let theirs = get(&app, &format!("{uri}/participants"), Some(&co)).await.expect(200).json();
    assert_eq!(theirs["registered"].as_array().map(Vec::len), Some(2), "a co-organiser sees the list");
    let unknown = call(&app, "POST", &organisers, Some(&token), Some(json!({"email": "nadie@x.gob.pe"}))).await;
    assert_eq!(fields(&unknown.expect(422).json()), ["email"]);
    let empty = call(&app, "POST", &organisers, Some(&token), Some(json!({"email": " "}))).await;
    assert_eq!(fields(&empty.expect(422).json()), ["email"]);
    call(&app, "POST", &organisers, Some(&token), Some(json!({"mail": "co@x.gob.pe"}))).await.expect(400);
    let read = get(&app, &uri, None).await.expect(200).json();
    assert_eq!(read["organisers"], json!(["Organizadora", "Coorganizadora"]));

    // The co-organiser removes the first; the last one stays; a non-organiser is not one.
    call(&app, "DELETE", &format!("{organisers}/{}", organiser.id), Some(&co), None).await.expect(204);
    get(&app, &format!("{uri}/participants"), Some(&token)).await.expect(403);
    let last = call(&app, "DELETE", &format!("{organisers}/{}", co_user.id), Some(&co), None).await;
    assert_eq!(last.expect(403).json()["error"]["code"], "forbidden");
    call(&app, "DELETE", &format!("{organisers}/{}", luis_user.id), Some(&co), None).await.expect(404);
    assert_eq!(get(&app, &uri, None).await.json()["organisers"], json!(["Coorganizadora"]));

    // The workshop takes place; the co-organiser marks who came.
    sqlx::query("update workshops set starts_at = now() - interval '1 day', ends_at = now() - interval '20 hours' where slug = $1")
        .bind(&slug)
        .execute(&app.db.pool)
        .await
        .expect("move to the past");
    call(&app, "PUT", &attendance, Some(&eva), Some(json!({"attended": [eva_user.id]}))).await.expect(403);
    call(&app, "PUT", &attendance, Some(&co), Some(json!({}))).await.expect(400);
    let marked = call(&app, "PUT", &attendance, Some(&co), Some(json!({"attended": [ana_user.id]}))).await.expect(200);
    assert_eq!(marked.header("cache-control"), "no-store");
    let marks: Vec<(Option<i64>, Option<bool>)> = marked.json()["registered"]
        .as_array()
        .expect("registered")
        .iter()
        .map(|p| (p["id"].as_i64(), p["attended"].as_bool()))
        .collect();
    assert_eq!(marks, [(Some(ana_user.id), Some(true)), (Some(eva_user.id), Some(false))]);
    // Someone without a place is a mistake, and nothing is marked.
    let wrong = call(&app, "PUT", &attendance, Some(&co), Some(json!({"attended": [eva_user.id, luis_user.id]}))).await;
    assert_eq!(fields(&wrong.expect(422).json()), ["attended"]);
    assert_eq!(get(&app, &uri, Some(&ana)).await.json()["my_registration"]["attended"], true);
    assert_eq!(get(&app, &uri, Some(&eva)).await.json()["my_registration"]["attended"], false);

    assert_eq!(
        audited(&app, &slug).await,
        [
            "workshop.created",
            "workshop.published",
            "workshop.organiser_added",
            "workshop.organiser_removed",
            "workshop.attendance_marked",
        ],
        "every organiser action, once"
    );
    assert_eq!(
        audited_accounts(&app, &slug).await,
        [
            ("workshop.organiser_added".to_string(), Some(organiser.id), Some(co_user.id)),
            ("workshop.organiser_removed".to_string(), Some(co_user.id), Some(organiser.id)),
        ]
    );
}
