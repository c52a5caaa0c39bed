//! The relevance set (`tests/relevance/queries.toml`): MRR@10 per category over the seed
//! content, with the glossary and without it, held at its floors, so that a change to
//! search or to the glossary that loses answers fails.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::support::TestApp;

#[derive(Deserialize)]
struct RelevanceSet {
    floors: BTreeMap<String, f64>,
    query: Vec<Judged>,
}

#[derive(Deserialize)]
struct Judged {
    text: String,
    category: String,
    relevant: Vec<String>,
}

fn relevance_set() -> RelevanceSet {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/relevance/queries.toml");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{path} is not a valid relevance set: {e}"))
}

/// 1 / the rank of the first relevant document in the top ten, or 0.
async fn reciprocal_rank(app: &TestApp, judged: &Judged, expand: bool) -> f64 {
    let expand = if expand { "true" } else { "false" };
    let q = serde_urlencoded::to_string([("q", judged.text.as_str()), ("per_page", "10"), ("expand", expand)])
        .expect("encode");
    let found = app.get(&format!("/api/v1/search?{q}")).await.expect(200).json();
    let slugs: Vec<&str> =
        found["results"].as_array().into_iter().flatten().filter_map(|r| r["slug"].as_str()).collect();
    slugs.iter().position(|s| judged.relevant.iter().any(|r| r == s)).map_or(0.0, |rank| 1.0 / (rank as f64 + 1.0))
}

#[tokio::test]
async fn search_keeps_its_answers_to_the_relevance_set() {
    let set = relevance_set();
    assert!(set.query.len() >= 60, "the relevance set has {} queries", set.query.len());
    let app = TestApp::new().await;
    // Per category: (with the glossary, without it) for each query.
    let mut scores: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    let mut misses = String::new();
    for judged in &set.query {
        assert!(set.floors.contains_key(&judged.category), "{:?}: unknown category {}", judged.text, judged.category);
        let with = reciprocal_rank(&app, judged, true).await;
        let without = reciprocal_rank(&app, judged, false).await;
        if with < 1.0 {
            misses += &format!("{} | {:?} | {with:.3} | {without:.3}\n", judged.category, judged.text);
        }
        scores.entry(judged.category.as_str()).or_default().push((with, without));
    }
    let mut table = String::from("category | queries | MRR@10 with the glossary | without | floor\n");
    let mut below = Vec::new();
    for (category, floor) in &set.floors {
        let rr = scores.get(category.as_str()).cloned().unwrap_or_default();
        let mean = |pick: fn(&(f64, f64)) -> f64| rr.iter().map(pick).sum::<f64>() / rr.len().max(1) as f64;
        let (with, without) = (mean(|r| r.0), mean(|r| r.1));
        table += &format!("{category} | {} | {with:.3} | {without:.3} | {floor:.3}\n", rr.len());
        if with + 1e-9 < *floor {
            below.push(format!("{category}: {with:.3} < {floor:.3}"));
        }
        if category == "plain" && with + 1e-9 < without {
            below.push(format!("plain queries score {with:.3} with the glossary, {without:.3} without"));
        }
    }
    eprintln!("{table}\nnot first with the glossary (category | query | with | without):\n{misses}");
    assert!(below.is_empty(), "below the floors: {below:?}\n{table}");
}
