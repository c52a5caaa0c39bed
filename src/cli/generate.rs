//! Synthetic cases for benchmarks (`ayni generate --cases N`): Spanish and English, every
//! region and theme, a range of years, bodies of 300 to 1,500 words drawn with a Zipf law
//! from a vocabulary of more than 30,000 words, so that queries are as selective as real ones.

use crate::{markdown, store::Store};

/// Invented words: syllables joined, so that the vocabulary is large and reproducible.
const ONSETS: &[&str] =
    &["b", "c", "d", "f", "g", "j", "l", "m", "n", "p", "r", "s", "t", "v", "ch", "br", "tr", "pl", "qu", "gu"];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u"];
const VOCABULARY: usize = 32_000;

/// Real words of the field, mixed in often, so that the benchmark's queries find things.
const SPANISH: &[&str] = &[
    "integridad",
    "corrupción",
    "impuesto",
    "predial",
    "capacitación",
    "funcionarios",
    "municipales",
    "gestión",
    "riesgos",
    "declaraciones",
    "juradas",
    "intereses",
    "conflicto",
    "licitaciones",
    "públicas",
    "contrataciones",
    "control",
    "interno",
    "denuncias",
    "transparencia",
    "presupuesto",
    "participativo",
    "recaudación",
    "tributaria",
    "municipalidad",
    "gobierno",
    "regional",
    "oficina",
    "servidores",
    "ciudadanía",
    "rendición",
    "cuentas",
    "auditoría",
    "compras",
    "obras",
    "ejecución",
    "gasto",
    "evasión",
    "contribuyentes",
    "incentivos",
    "conductuales",
];
const ENGLISH: &[&str] = &[
    "integrity",
    "corruption",
    "property",
    "tax",
    "training",
    "officials",
    "municipal",
    "management",
    "risk",
    "declarations",
    "assets",
    "interest",
    "conflict",
    "procurement",
    "public",
    "contracts",
    "internal",
    "control",
    "whistleblowing",
    "transparency",
    "budget",
    "participatory",
    "collection",
    "revenue",
    "government",
    "regional",
    "office",
    "staff",
    "citizens",
    "accountability",
    "audit",
    "purchases",
    "works",
    "spending",
    "evasion",
    "taxpayers",
    "behavioural",
    "nudges",
];

/// A small, reproducible random source (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Words {
    invented: Vec<String>,
    /// Cumulative Zipf weights over `invented`.
    cumulative: Vec<f64>,
}

impl Words {
    fn new(rng: &mut Rng) -> Words {
        let syllables: Vec<String> =
            ONSETS.iter().flat_map(|o| VOWELS.iter().map(move |v| format!("{o}{v}"))).collect();
        let mut seen = std::collections::HashSet::new();
        let mut invented = Vec::with_capacity(VOCABULARY);
        while invented.len() < VOCABULARY {
            let parts = 2 + rng.below(3);
            let word: String = (0..parts).map(|_| syllables[rng.below(syllables.len())].as_str()).collect();
            if seen.insert(word.clone()) {
                invented.push(word);
            }
        }
        let mut total = 0.0;
        let cumulative = (1..=VOCABULARY)
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Words { invented, cumulative }
    }

    fn zipf(&self, rng: &mut Rng) -> &str {
        let target = rng.unit() * self.cumulative.last().copied().unwrap_or(1.0);
        let i = self.cumulative.partition_point(|c| *c < target).min(self.invented.len() - 1);
        &self.invented[i]
    }

    /// Text of `n` words: mostly invented, about one in eighty from the field, and about
    /// one in a hundred and twenty a glossary label (so that expansions find something).
    fn text(&self, rng: &mut Rng, n: usize, field: &[&str], labels: &[String]) -> String {
        let mut out = String::with_capacity(n * 8);
        for i in 0..n {
            if i > 0 {
                out.push(if rng.below(14) == 0 { '.' } else { ' ' });
                if out.ends_with('.') {
                    out.push(' ');
                }
            }
            if rng.below(80) == 0 {
                out.push_str(field[rng.below(field.len())]);
            } else if !labels.is_empty() && rng.below(120) == 0 {
                out.push_str(&labels[rng.below(labels.len())]);
            } else {
                out.push_str(self.zipf(rng));
            }
        }
        out.push('.');
        out
    }
}

/// Writes `count` synthetic published cases; returns how many were written.
pub async fn generate(store: &Store, count: u64, seed: u64) -> anyhow::Result<u64> {
    let regions: Vec<String> = store.regions().await?.into_iter().map(|r| r.slug).collect();
    let themes: Vec<String> = store.themes().await?.into_iter().map(|t| t.slug).collect();
    anyhow::ensure!(!regions.is_empty() && !themes.is_empty(), "load regions and themes first (ayni import content)");
    let mut rng = Rng(seed);
    let words = Words::new(&mut rng);
    let (labels_es, labels_en) = glossary_labels(store).await?;
    let start = store.count_synthetic_cases().await?;
    let mut written = 0;
    while written < count {
        let batch = (count - written).min(500);
        let mut cases = Vec::with_capacity(batch as usize);
        for i in 0..batch {
            let english = rng.below(5) == 0;
            let (field, labels) = if english { (ENGLISH, &labels_en) } else { (SPANISH, &labels_es) };
            let paragraphs = 3 + rng.below(6);
            let body_words = 300 + rng.below(1201);
            let per_paragraph = body_words / paragraphs;
            let body = (0..paragraphs)
                .map(|p| {
                    format!(
                        "## {}\n\n{}",
                        words.text(&mut rng, 3, field, labels),
                        words.text(&mut rng, per_paragraph + p % 2, field, labels)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n\n");
            let (title_words, summary_words) = (4 + rng.below(6), 20 + rng.below(20));
            let mut case_themes: Vec<String> =
                (0..1 + rng.below(3)).map(|_| themes[rng.below(themes.len())].clone()).collect();
            case_themes.sort();
            case_themes.dedup();
            cases.push(crate::store::generate::SyntheticCase {
                slug: format!("sintetico-{seed}-{}", start + written + i),
                title: words.text(&mut rng, title_words, field, labels).trim_end_matches('.').to_string(),
                kind: if rng.below(3) == 0 { "success-story" } else { "case" },
                region: regions[rng.below(regions.len())].clone(),
                language: if english { "en" } else { "es" },
                year: 2010 + rng.below(16) as i32,
                summary: words.text(&mut rng, summary_words, field, labels),
                body_html: markdown::render(&body),
                body_markdown: body,
                themes: case_themes,
            });
        }
        store.insert_synthetic_cases(&cases).await?;
        written += batch;
    }
    Ok(written)
}

/// The glossary's labels in use, Spanish and English (acronyms in both); empty when no
/// glossary was imported.
async fn glossary_labels(store: &Store) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let concepts = store.glossary().await?;
    let active = concepts.into_iter().filter(|c| !c.retired).map(|c| c.concept);
    let (mut es, mut en) = (Vec::new(), Vec::new());
    for c in active {
        es.extend([c.pref_es].into_iter().chain(c.alt_es).chain(c.acronyms.iter().cloned()));
        en.extend([c.pref_en].into_iter().chain(c.alt_en).chain(c.acronyms));
    }
    Ok((es, en))
}

/// People who write and vote in synthetic discussions.
const PEOPLE: usize = 300;
/// The longest synthetic thread.
const LONGEST_THREAD: f64 = 2_000.0;

/// Writes about `count` synthetic comments (a whole number of threads): the discussions of
/// synthetic cases that have none, and one thread in five free-standing. Thread sizes
/// follow a long tail (most a handful, a few hundreds), comments run from a line to a few
/// paragraphs, three in ten are replies and three in ten have useful votes. Returns how
/// many comments were written.
pub async fn generate_discussions(store: &Store, count: u64, seed: u64) -> anyhow::Result<u64> {
    use crate::store::generate::{SyntheticComment, SyntheticThread};
    let regions: Vec<String> = store.regions().await?.into_iter().map(|r| r.slug).collect();
    let themes: Vec<String> = store.themes().await?.into_iter().map(|t| t.slug).collect();
    anyhow::ensure!(!regions.is_empty() && !themes.is_empty(), "load regions and themes first (ayni import content)");
    let mut rng = Rng(seed.wrapping_add(0xD15C));
    let words = Words::new(&mut rng);
    let people = store.synthetic_people(PEOPLE).await?;
    let mut cases = store.synthetic_cases_without_threads(i64::MAX).await?.into_iter();
    let mut written = 0u64;
    let mut batch: Vec<SyntheticThread> = Vec::new();
    let mut in_batch = 0;
    while written < count {
        // Pareto (alpha 1.5, from 7): a mean near 20 comments a thread.
        let size = (7.0 / (1.0 - rng.unit()).powf(1.0 / 1.5)).min(LONGEST_THREAD) as usize;
        let size = size.clamp(1, (count - written) as usize);
        let case_id = if rng.below(5) == 0 { None } else { cases.next() };
        let standalone = case_id.is_none().then(|| {
            let length = 5 + rng.below(6);
            let title = words.text(&mut rng, length, SPANISH, &[]).trim_end_matches('.').to_string();
            (title, themes[rng.below(themes.len())].clone(), regions[rng.below(regions.len())].clone())
        });
        let mut minutes_ago = 60 + rng.below(1_000_000) as i32;
        let mut tops: Vec<i32> = Vec::new();
        let mut comments = Vec::with_capacity(size);
        for number in 1..=size as i32 {
            let root_number = if number > 1 && rng.below(10) < 3 { tops[rng.below(tops.len())] } else { number };
            if root_number == number {
                tops.push(number);
            }
            let author = people[rng.below(people.len())];
            let length = 8 + (rng.unit().powi(2) * 150.0) as usize;
            let body = words.text(&mut rng, length, SPANISH, &[]);
            let voters: Vec<i64> = if rng.below(10) < 3 {
                let mut v: Vec<i64> = (0..1 + rng.below(5)).map(|_| people[rng.below(people.len())]).collect();
                v.retain(|p| *p != author);
                v.sort_unstable();
                v.dedup();
                v
            } else {
                Vec::new()
            };
            minutes_ago = (minutes_ago - 1 - rng.below(600) as i32).max(0);
            comments.push(SyntheticComment {
                number,
                root_number,
                author,
                body_html: markdown::render_comment(&body, &std::collections::HashMap::new()),
                body_markdown: body,
                voters,
                minutes_ago,
            });
        }
        written += size as u64;
        in_batch += size;
        batch.push(SyntheticThread { case_id, standalone, comments });
        if in_batch >= 2_000 || written >= count {
            store.insert_synthetic_threads(&batch).await?;
            batch.clear();
            in_batch = 0;
        }
    }
    Ok(written)
}
