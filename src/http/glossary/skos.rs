//! The glossary in SKOS, written as Turtle (`/glossary.ttl`), so that other institutions
//! can reuse the vocabulary. Each concept's URI is its page; a retired concept is
//! `owl:deprecated`, and a merged one names its successor with `dct:isReplacedBy`. Each
//! domain is a `skos:Collection` whose URI is the glossary filtered by it.

use std::fmt::Write;

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};

use crate::{
    domain::glossary::{self, Concept, Domain},
    error::AppResult,
    http::AppState,
    store::glossary::StoredConcept,
};

/// A string as a Turtle literal: quoted, with `\`, `"` and line ends escaped, and every
/// other control character as `\u`.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn lang_literal(text: &str, lang: &str) -> String {
    format!("{}@{lang}", literal(text))
}

/// The whole glossary as Turtle.
pub fn turtle(base: &str, all: &[StoredConcept]) -> String {
    let uri = |slug: &str| format!("<{base}/glossary/{slug}>");
    let scheme = format!("<{base}/glossary>");
    let active: Vec<Concept> = all.iter().filter(|c| !c.retired).map(|c| c.concept.clone()).collect();
    let narrower = glossary::narrower(&active);
    let mut out = String::with_capacity(all.len() * 1500);
    out.push_str(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         @prefix dct: <http://purl.org/dc/terms/> .\n\
         @prefix owl: <http://www.w3.org/2002/07/owl#> .\n\n",
    );
    let _ = writeln!(
        out,
        "{scheme} a skos:ConceptScheme ;\n    dct:title {} , {} .\n",
        lang_literal("Glosario de integridad y finanzas públicas (Ayni)", "es"),
        lang_literal("Glossary of public integrity and finance (Ayni)", "en"),
    );
    for domain in Domain::ALL {
        let members: Vec<String> = active.iter().filter(|c| c.domain == Some(*domain)).map(|c| uri(&c.slug)).collect();
        let _ = write!(
            out,
            "<{base}/glossary?domain={domain}> a skos:Collection ;\n    skos:prefLabel {}",
            literal(domain.as_str())
        );
        if !members.is_empty() {
            let _ = write!(out, " ;\n    skos:member {}", members.join(" , "));
        }
        out.push_str(" .\n\n");
    }
    for stored in all {
        let c = &stored.concept;
        let mut lines: Vec<String> = vec![format!("skos:inScheme {scheme}")];
        lines.push(format!("skos:prefLabel {} , {}", lang_literal(&c.pref_es, "es"), lang_literal(&c.pref_en, "en")));
        let mut alt: Vec<String> = c.alt_es.iter().map(|l| lang_literal(l, "es")).collect();
        alt.extend(c.alt_en.iter().map(|l| lang_literal(l, "en")));
        // An acronym reads the same in both languages.
        alt.extend(c.acronyms.iter().flat_map(|a| [lang_literal(a, "es"), lang_literal(a, "en")]));
        if !alt.is_empty() {
            lines.push(format!("skos:altLabel {}", alt.join(" , ")));
        }
        let mut hidden: Vec<String> = c.hidden_es.iter().map(|l| lang_literal(l, "es")).collect();
        hidden.extend(c.hidden_en.iter().map(|l| lang_literal(l, "en")));
        if !hidden.is_empty() {
            lines.push(format!("skos:hiddenLabel {}", hidden.join(" , ")));
        }
        lines.push(format!(
            "skos:definition {} , {}",
            lang_literal(&c.definition_es, "es"),
            lang_literal(&c.definition_en, "en")
        ));
        for (note, lang) in [(&c.scope_note_es, "es"), (&c.scope_note_en, "en")] {
            if !note.is_empty() {
                lines.push(format!("skos:scopeNote {}", lang_literal(note, lang)));
            }
        }
        if !c.legal_basis.is_empty() {
            lines.push(format!("dct:source {}", lang_literal(&c.legal_basis, "es")));
        }
        if c.unverified {
            lines.push(format!(
                "skos:editorialNote {}",
                lang_literal("Unverified: check the definition and the legal basis.", "en")
            ));
        }
        let related = stored.all_related();
        for (predicate, slugs) in [
            ("skos:broader", &c.broader),
            ("skos:narrower", narrower.get(&c.slug).unwrap_or(&Vec::new())),
            ("skos:related", &related),
        ] {
            if !slugs.is_empty() && !stored.retired {
                lines.push(format!("{predicate} {}", slugs.iter().map(|s| uri(s)).collect::<Vec<_>>().join(" , ")));
            }
        }
        if stored.retired {
            lines.push("owl:deprecated true".to_string());
        }
        if let Some(successor) = &stored.replaced_by {
            lines.push(format!("dct:isReplacedBy {}", uri(successor)));
        }
        let _ = writeln!(out, "{} a skos:Concept ;\n    {} .\n", uri(&c.slug), lines.join(" ;\n    "));
    }
    out
}

/// `GET /glossary.ttl`.
pub async fn export(State(state): State<AppState>) -> AppResult<Response> {
    let all = state.store.glossary().await?;
    let base = state.public_url.clone();
    let text = tokio::task::spawn_blocking(move || turtle(&base, &all))
        .await
        .map_err(|err| crate::error::AppError::Internal(err.into()))?;
    Ok(([(header::CONTENT_TYPE, "text/turtle; charset=utf-8")], text).into_response())
}
