//! The relevance set (`tests/relevance/queries.toml`): MRR@10 per category over the seed
//! content, held at its floors, so that a change to search that loses answers fails.

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
async fn reciprocal_rank(app: &TestApp, judged: &Judged) -> f64 {
    let q = serde_urlencoded::to_string([("q", judged.text.as_str()), ("per_page", "10")]).expect("encode");
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
    let mut scores: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for judged in &set.query {
        assert!(set.floors.contains_key(&judged.category), "{:?}: unknown category {}", judged.text, judged.category);
        let rr = reciprocal_rank(&app, judged).await;
        scores.entry(judged.category.as_str()).or_default().push(rr);
    }
    let mut table = String::from("category | queries | MRR@10 | floor\n");
    let mut below = Vec::new();
    for (category, floor) in &set.floors {
        let rr = scores.get(category.as_str()).cloned().unwrap_or_default();
        let mrr = rr.iter().sum::<f64>() / rr.len().max(1) as f64;
        table += &format!("{category} | {} | {mrr:.3} | {floor:.3}\n", rr.len());
        if mrr + 1e-9 < *floor {
            below.push(format!("{category}: {mrr:.3} < {floor:.3}"));
        }
    }
    eprintln!("{table}");
    assert!(below.is_empty(), "below the floors: {below:?}\n{table}");
}
