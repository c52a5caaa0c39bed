use std::fs;

use super::*;

const REGIONS: &str = "[[region]]\nslug = \"peru\"\nname = \"Perú\"\nlevel = \"national\"\n\n[[region]]\nslug = \"cusco\"\nname = \"Cusco\"\nlevel = \"regional\"\nparent = \"peru\"\n";
const THEMES: &str = "[[theme]]\nslug = \"tax-collection\"\nname_es = \"Recaudación\"\nname_en = \"Tax collection\"\ndescription = \"Impuestos.\"\n";

fn case(extra: &str) -> String {
    format!("+++\ntitle = \"Impuesto predial\"\nkind = \"case\"\nregion = \"cusco\"\nthemes = [\"tax-collection\"]\nlanguage = \"es\"\nyear = 2023\nsummary = \"Resumen.\"\n{extra}+++\n## Contexto\n\nTexto.\n")
}

fn dir_with(cases: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("regions.toml"), REGIONS).expect("write");
    fs::write(dir.path().join("themes.toml"), THEMES).expect("write");
    fs::create_dir(dir.path().join("cases")).expect("mkdir");
    for (name, text) in cases {
        fs::write(dir.path().join("cases").join(name), text).expect("write");
    }
    dir
}

fn errors(cases: &[(&str, &[u8])]) -> Vec<String> {
    let dir = dir_with(cases);
    match load(dir.path(), &Known::default()) {
        Ok(_) => Vec::new(),
        Err(ContentErrors(errors)) => errors
            .iter()
            .map(|e| format!("{}:{}: {}", e.path.file_name().unwrap_or_default().to_string_lossy(), e.line, e.message))
            .collect(),
    }
}

#[test]
fn a_valid_directory_loads_with_crlf_and_bom() {
    let crlf = format!("\u{feff}{}", case("").replace('\n', "\r\n"));
    let dir = dir_with(&[("impuesto-predial.md", crlf.as_bytes())]);
    let set = load(dir.path(), &Known::default()).expect("valid");
    assert_eq!(set.regions.len(), 2);
    assert_eq!(set.cases[0].slug, "impuesto-predial");
    assert_eq!(set.cases[0].status, Status::Published);
    assert_eq!(set.cases[0].body_markdown, "## Contexto\n\nTexto.\n");
    // Line endings and the byte-order mark do not change the hash.
    let lf = dir_with(&[("impuesto-predial.md", case("").as_bytes())]);
    assert_eq!(load(lf.path(), &Known::default()).expect("valid").cases[0].hash, set.cases[0].hash);
}

#[test]
fn every_bad_file_is_reported_with_its_line() {
    let broken = case("").replace("year = 2023", "year = \"dos mil\"");
    let unknown_region = case("").replace("region = \"cusco\"", "region = \"atlantis\"");
    let unknown_key = case("color = \"red\"\n");
    let missing = case("").replace("summary = \"Resumen.\"\n", "");
    let bad_toml = case("").replace("kind = \"case\"", "kind = \"case");
    let found = errors(&[
        ("a-year.md", broken.as_bytes()),
        ("b-region.md", unknown_region.as_bytes()),
        ("c-key.md", unknown_key.as_bytes()),
        ("d-missing.md", missing.as_bytes()),
        ("e-toml.md", bad_toml.as_bytes()),
        ("Bad_Slug.md", case("").as_bytes()),
        ("f-latin1.md", b"+++\ntitle = \"Gesti\xf3n\"\n+++\n"),
        ("edit.md", case("").as_bytes()),
    ]);
    let expect = [
        "a-year.md:7: ",
        "b-region.md:4: unknown region \"atlantis\"",
        "c-key.md:9: unknown field `color`",
        "d-missing.md:",
        "e-toml.md:3: ",
        "Bad_Slug.md:1: bad file name",
        "f-latin1.md:2: the file is not valid UTF-8 text",
        "edit.md:1: bad file name: slug \"edit\" is reserved",
    ];
    assert_eq!(found.len(), expect.len(), "{found:#?}");
    for prefix in expect {
        assert!(found.iter().any(|f| f.starts_with(prefix)), "no error starting {prefix:?} in {found:#?}");
    }
}

#[test]
fn region_parents_must_exist_and_not_loop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "[[region]]\nslug = \"a\"\nname = \"A\"\nlevel = \"regional\"\nparent = \"b\"\n\n[[region]]\nslug = \"b\"\nname = \"B\"\nlevel = \"regional\"\nparent = \"a\"\n\n[[region]]\nslug = \"c\"\nname = \"C\"\nlevel = \"municipal\"\nparent = \"nowhere\"\n";
    fs::write(dir.path().join("regions.toml"), text).expect("write");
    let Err(ContentErrors(errors)) = load(dir.path(), &Known::default()) else { panic!("expected errors") };
    let lines: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.line, e.message)).collect();
    assert!(lines.contains(&"17: parent \"nowhere\" is not a region".to_string()), "{lines:#?}");
    assert!(lines.iter().any(|l| l.starts_with("2: region \"a\" is its own ancestor")), "{lines:#?}");
    assert!(lines.iter().any(|l| l.starts_with("8: region \"b\" is its own ancestor")), "{lines:#?}");
}

#[test]
fn illustrative_is_read_and_checked() {
    let dir = dir_with(&[("a.md", case("illustrative = true\n").as_bytes()), ("b.md", case("").as_bytes())]);
    let set = load(dir.path(), &Known::default()).expect("valid");
    let flag = |slug: &str| set.cases.iter().find(|c| c.slug == slug).map(|c| c.illustrative);
    assert_eq!((flag("a"), flag("b")), (Some(true), Some(false)), "the field is optional, false by default");
    let found = errors(&[("c.md", case("illustrative = \"sí\"\n").as_bytes())]);
    assert!(found.len() == 1 && found[0].starts_with("c.md:9:"), "{found:?}");
}

#[test]
fn the_seed_glossary_keeps_the_thesaurus_rules() {
    use crate::domain::glossary::{self, Concept, Domain};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let set = load(&dir, &Known::default()).unwrap_or_else(|errors| panic!("{errors}"));
    let concepts: Vec<Concept> = set.glossary.iter().map(|e| e.concept.clone()).collect();
    assert!(concepts.len() >= 600, "the seed glossary has {} concepts", concepts.len());
    // Both preferred labels and both definitions, preferred labels unique per language,
    // links that resolve and no broader cycle: what `load` checks, asked again here.
    for c in &concepts {
        let fields = [&c.pref_es, &c.pref_en, &c.definition_es, &c.definition_en];
        assert!(fields.iter().all(|f| !f.trim().is_empty()), "{} lacks a label or a definition", c.slug);
    }
    assert_eq!(glossary::set_problems(&concepts), vec![]);
    for (field, pick) in [("es", (|c: &Concept| &c.pref_es) as fn(&Concept) -> &String), ("en", |c| &c.pref_en)] {
        let mut seen = std::collections::HashSet::new();
        for c in &concepts {
            assert!(seen.insert(glossary::fold(pick(c))), "preferred label {:?} ({field}) used twice", pick(c));
        }
    }
    // Narrower is broader read the other way, both ways round.
    let narrower = glossary::narrower(&concepts);
    for c in &concepts {
        for b in &c.broader {
            assert!(narrower.get(b).is_some_and(|n| n.contains(&c.slug)), "{b} does not list {} as narrower", c.slug);
        }
    }
    for (parent, children) in &narrower {
        for child in children {
            let c = concepts.iter().find(|c| &c.slug == child).expect("child");
            assert!(c.broader.contains(parent), "{child} does not list {parent} as broader");
        }
    }
    for domain in Domain::ALL {
        assert!(concepts.iter().filter(|c| c.domain == Some(*domain)).count() >= 30, "{domain} has few concepts");
    }
}

#[test]
fn bad_glossary_files_are_reported_with_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let glossary = dir.path().join("glossary");
    fs::create_dir(&glossary).expect("mkdir");
    let entry = |id: &str, es: &str, extra: &str| {
        format!("[[concept]]\nid = \"{id}\"\npref_es = \"{es}\"\npref_en = \"{id} en\"\ndefinition_es = \"D.\"\ndefinition_en = \"D.\"\n{extra}\n")
    };
    let integrity = [
        entry("uno", "Uno", ""),
        entry("dos", "UNO", ""),
        entry("tres", "Tres", "broader = [\"cuatro\"]"),
        entry("cuatro", "Cuatro", "broader = [\"tres\"]"),
        entry("cinco", "Cinco", "narrower = [\"uno\"]\nrelated = [\"nadie\"]"),
    ]
    .concat();
    fs::write(glossary.join("integrity.toml"), integrity).expect("write");
    fs::write(glossary.join("tax.toml"), "[[concept]]\nid = \"seis\"\npref_es = \"Seis\"\npref_en = \"Six\"\n")
        .expect("write");
    fs::write(glossary.join("misc.toml"), entry("siete", "Siete", "")).expect("write");
    let Err(ContentErrors(errors)) = load(dir.path(), &Known::default()) else { panic!("expected errors") };
    let found: Vec<String> = errors
        .iter()
        .map(|e| format!("{}:{}: {}", e.path.file_name().unwrap_or_default().to_string_lossy(), e.line, e.message))
        .collect();
    let expect = [
        "integrity.toml:8: dos pref_es: \"UNO\" is already the preferred label of \"uno\"",
        "integrity.toml:15: tres broader: its broader concepts lead back to it",
        "integrity.toml:22: cuatro broader: its broader concepts lead back to it",
        "integrity.toml:29: cinco narrower: \"uno\" does not name \"cinco\" among its broader concepts",
        "integrity.toml:29: cinco related: no concept is called \"nadie\"",
        "tax.toml:1: missing field `definition_es`",
        "misc.toml:0: \"misc\" is not a domain",
    ];
    for prefix in expect {
        assert!(found.iter().any(|f| f.starts_with(prefix)), "no error starting {prefix:?} in {found:#?}");
    }
    assert_eq!(found.len(), expect.len(), "{found:#?}");
}
