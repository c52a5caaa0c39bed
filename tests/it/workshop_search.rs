//! Search finds workshops (by their text and agenda), their published outcomes and the
//! commitments made there, each as its own type; drafts and online links never.

use ayni::domain::account::Role;
use serde_json::Value;

use crate::{
    support::TestApp,
    workshops::{form, held_yesterday, in_a_month, organiser_browser, pairs, published, LINK},
};

async fn search(app: &TestApp, query: &str) -> Value {
    app.wait_for_index().await;
    app.get(&format!("/api/v1/search?{query}")).await.expect(200).json()
}

/// The results as (type, url) pairs.
fn found(json: &Value) -> Vec<(String, String)> {
    json["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let url = r["url"].as_str().unwrap_or_default();
            let path = url.find("/workshops/").or_else(|| url.find("/commitments/")).map_or(url, |at| &url[at..]);
            (r["type"].as_str().unwrap_or_default().to_string(), path.to_string())
        })
        .collect()
}

fn count_of(json: &Value, facet: &str, value: &str) -> u64 {
    json["facets"][facet]
        .as_array()
        .and_then(|values| values.iter().find(|v| v["value"] == value))
        .and_then(|v| v["count"].as_u64())
        .unwrap_or(0)
}

#[tokio::test]
async fn workshops_outcomes_and_commitments_are_found_by_type_and_drafts_never() {
    let app = TestApp::new().await;
    let (mut facilitator, _) = app.browser_as("org@x.gob.pe", "Organizadora", Role::Facilitator).await;
    let mut fields = form("Mapas de riesgos de integridad en Ucayali", in_a_month());
    fields.retain(|(k, _)| k != "description");
    fields.push(("description".into(), "Practicaremos la **georreferenciación** de riesgos.".into()));
    let created = facilitator.post("/workshops/new", &pairs(&fields)).await.expect(303);
    let slug =
        created.header("location").trim_start_matches("/workshops/").split('?').next().unwrap_or_default().to_string();
    facilitator
        .post(
            &format!("/workshops/{slug}/agenda"),
            &[("time", "09:00"), ("duration", "45"), ("title", "Matriz de probabilidad e impacto")],
        )
        .await
        .expect(303);

    // A draft is never found, by its text or by its type.
    let draft_search = search(&app, "q=georreferenciacion").await;
    assert_eq!(draft_search["total"], 0, "{draft_search}");
    let page = format!("/workshops/{slug}");
    // The seed's workshop of 14 July 2023 is the only one published.
    let seed = "/workshops/primer-taller-conjunto-integridad-publica-2023".to_string();
    assert_eq!(found(&search(&app, "type=workshop").await), [("workshop".to_string(), seed)]);

    facilitator.post(&format!("/workshops/{slug}/publish"), &[]).await.expect(303);
    // Accents folded and Spanish stemmed, as for cases; the agenda is part of the workshop.
    for query in ["q=georreferenciaciones", "q=GEORREFERENCIACION", "q=matriz+de+probabilidad&type=workshop"] {
        let json = search(&app, query).await;
        assert_eq!(found(&json), [("workshop".to_string(), page.clone())], "{query}: {json}");
    }
    let json = search(&app, "q=georreferenciacion").await;
    assert!(json["results"][0].get("kind").is_none(), "a workshop has no case kind: {json}");
    assert_eq!(json["results"][0]["region"]["slug"], "cusco", "its first region: {json}");
    // Filtering by either participating region finds it.
    assert_eq!(search(&app, "q=georreferenciacion&region=piura").await["total"], 1);
    // The online link is for registered people: the index never holds it.
    for query in ["q=meet", "q=meet.example.org", &format!("q=%22{}%22", LINK.replace(':', "%3A").replace('/', "%2F"))]
    {
        let json = search(&app, query).await;
        assert!(!found(&json).iter().any(|(_, url)| *url == page), "{query}: {json}");
    }
    let html = app.get("/search?q=georreferenciacion").await.expect(200).body;
    assert!(html.contains(&format!("href=\"{page}\"")) && html.contains(">Taller<"), "{html}");
    assert!(!html.contains(LINK));

    // Outcomes and commitments of a workshop that took place.
    let (held, held_id, organiser_id) = published(&app, "Taller de seguimiento de la agenda", None).await;
    held_yesterday(&app, held_id).await;
    let mut organiser = organiser_browser(&app, organiser_id).await;
    organiser
        .post(
            &format!("/workshops/{held}/outcomes"),
            &[("conclusions", "Se acordó la **interoperabilidad** de los registros."), ("organisations", "PNUD")],
        )
        .await
        .expect(303);
    organiser
        .post(
            &format!("/workshops/{held}/commitments"),
            &[("region", "piura"), ("action", "Aprobar la directiva de conflictos de intereses")],
        )
        .await
        .expect(303);
    let commitment: i64 =
        sqlx::query_scalar("select id from commitments").fetch_one(&app.db.pool).await.expect("commitment");

    let outcomes = search(&app, "q=interoperabilidad").await;
    assert_eq!(found(&outcomes), [("outcome".to_string(), format!("/workshops/{held}#outcomes"))], "{outcomes}");
    // The outcomes are found under the workshop's regions, as they change.
    assert_eq!(search(&app, "q=interoperabilidad&region=cusco").await["total"], 1);
    sqlx::query(
        "update workshop_regions set region_id = (select id from regions where slug = 'piura') where workshop_id = $1",
    )
    .bind(held_id)
    .execute(&app.db.pool)
    .await
    .expect("move the workshop to Piura");
    assert_eq!(search(&app, "q=interoperabilidad&region=cusco").await["total"], 0);
    assert_eq!(search(&app, "q=interoperabilidad&region=piura").await["total"], 1);
    let commitments = search(&app, "q=directiva+conflictos&type=commitment").await;
    assert_eq!(found(&commitments), [("commitment".to_string(), format!("/commitments/{commitment}"))]);
    assert_eq!(
        search(&app, "q=directiva+conflictos&type=commitment&region=cusco").await["total"],
        0,
        "the commitment is Piura's"
    );
    let everything = search(&app, "q=taller").await;
    for doc_type in ["workshop", "outcome", "commitment"] {
        assert!(count_of(&everything, "type", doc_type) >= 1, "{doc_type} in the type facet: {everything}");
    }
    let labels = app.get("/search?q=directiva+conflictos").await.expect(200).body;
    assert!(labels.contains(">Compromiso<"), "{labels}");

    // A commitment deleted leaves the index.
    organiser.post(&format!("/workshops/{held}/commitments/{commitment}/delete"), &[]).await.expect(303);
    assert_eq!(search(&app, "q=directiva+conflictos&type=commitment").await["total"], 0);

    // Outcomes written straight into a draft (as a careless script might) stay unfound.
    let draft: i64 = sqlx::query_scalar("select id from workshops where slug = $1")
        .bind(&slug)
        .fetch_one(&app.db.pool)
        .await
        .expect("id");
    sqlx::query("update workshops set status = 'draft' where id = $1")
        .bind(draft)
        .execute(&app.db.pool)
        .await
        .expect("draft");
    sqlx::query(
        "insert into workshop_outcomes (workshop_id, conclusions_markdown, conclusions_html) values ($1, 'Acuerdo secreto de transversalidad', '')",
    )
    .bind(draft)
    .execute(&app.db.pool)
    .await
    .expect("outcomes");
    sqlx::query(
        "insert into commitments (workshop_id, position, region_id, action)
         values ($1, 1, (select id from regions where slug = 'cusco'), 'Compromiso secreto de transversalidad')",
    )
    .bind(draft)
    .execute(&app.db.pool)
    .await
    .expect("commitment");
    assert_eq!(search(&app, "q=transversalidad").await["total"], 0);
    assert_eq!(search(&app, "q=georreferenciacion").await["total"], 0, "back to draft, the workshop leaves the index");
}
