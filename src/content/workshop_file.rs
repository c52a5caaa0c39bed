//! `workshops/<slug>.md`: TOML front matter between two `+++` lines (the workshop, its
//! `[[agenda]]` items and `[[commitment]]` items), then its outcomes in Markdown (empty
//! when none were published). A workshop known only by its date gives `date` instead of
//! `start` and `end`; one whose regions are unknown gives `region_count`.

use std::{collections::HashSet, path::Path};

use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::{Date, Duration, Month, OffsetDateTime, UtcOffset};
use toml::{value::Datetime, Spanned};

use super::{
    case_file::split, line_at, toml_error_line, toml_message, AgendaEntry, CommitmentEntry, Report, WorkshopEntry,
};
use crate::domain::{
    case::Source,
    commitment::CommitmentStatus,
    lima,
    limits::{MAX_SUMMARY_CHARS, MAX_TITLE_CHARS, MAX_YEAR, MIN_YEAR},
    slug,
    workshop::{Format, MAX_AGENDA_ITEMS, MAX_CAPACITY, MAX_DAYS},
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Spanned<String>,
    summary: Spanned<String>,
    #[serde(default)]
    description: String,
    /// With its offset: `2023-07-14T09:00:00-05:00`.
    start: Option<Spanned<Datetime>>,
    end: Option<Spanned<Datetime>>,
    /// Only the date: a whole day in Lima.
    date: Option<Spanned<Datetime>>,
    format: Spanned<String>,
    #[serde(default)]
    venue: String,
    #[serde(default)]
    city: String,
    capacity: Option<Spanned<i64>>,
    #[serde(default)]
    regions: Vec<Spanned<String>>,
    region_count: Option<Spanned<i64>>,
    #[serde(default)]
    illustrative: bool,
    attendance: Option<i64>,
    #[serde(default)]
    organisations: Vec<String>,
    #[serde(default)]
    materials: Vec<Spanned<RawSource>>,
    #[serde(default)]
    agenda: Vec<Spanned<RawItem>>,
    #[serde(default)]
    commitment: Vec<Spanned<RawCommitment>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    title: String,
    url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    start: Datetime,
    minutes: i64,
    title: String,
    #[serde(default)]
    speakers: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommitment {
    region: String,
    action: String,
    #[serde(default)]
    owner: String,
    due: Option<Datetime>,
    #[serde(default)]
    status: Option<String>,
}

/// An instant from a TOML datetime that carries its offset; `None` otherwise.
fn instant(value: &Datetime) -> Option<OffsetDateTime> {
    let (date, clock, offset) = (value.date?, value.time?, value.offset?);
    let offset = match offset {
        toml::value::Offset::Z => UtcOffset::UTC,
        toml::value::Offset::Custom { minutes } => UtcOffset::from_whole_seconds(i32::from(minutes) * 60).ok()?,
    };
    let day = calendar_date(date).filter(|d| (MIN_YEAR..=MAX_YEAR).contains(&d.year()))?;
    let clock = time::Time::from_hms(clock.hour, clock.minute, clock.second).ok()?;
    Some(day.with_time(clock).assume_offset(offset))
}

fn calendar_date(date: toml::value::Date) -> Option<Date> {
    Date::from_calendar_date(i32::from(date.year), Month::try_from(date.month).ok()?, date.day).ok()
}

/// A date alone (`2023-07-14`), with no time, in the years Ayni accepts (so that adding a
/// day to it never overflows).
fn day_only(value: &Datetime) -> Option<Date> {
    match (value.date, value.time) {
        (Some(date), None) => calendar_date(date).filter(|d| (MIN_YEAR..=MAX_YEAR).contains(&d.year())),
        _ => None,
    }
}

/// Parses one workshop file; problems go to `report` with their lines.
pub(super) fn parse(path: &Path, text: &str, regions: &HashSet<&str>, report: &mut Report) -> Option<WorkshopEntry> {
    let before = report.errors.len();
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if let Err(err) = slug::validate(&stem) {
        report.add(path, 1, format!("bad file name: {err}"));
    }
    let (front, body) = split(path, text, report)?;
    let fm: FrontMatter = match toml::from_str(front) {
        Ok(fm) => fm,
        Err(err) => {
            report.add(path, toml_error_line(front, &err, 2), toml_message(&err));
            return None;
        }
    };
    let line = |span: std::ops::Range<usize>| line_at(front, span.start) + 1;
    let title = fm.title.get_ref().trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS || title.contains(['\n', '\r']) {
        report.add(
            path,
            line(fm.title.span()),
            format!("the title must be one line of 1 to {MAX_TITLE_CHARS} characters"),
        );
    }
    let summary = fm.summary.get_ref().trim();
    if summary.is_empty() || summary.chars().count() > MAX_SUMMARY_CHARS {
        report.add(path, line(fm.summary.span()), format!("the summary must have 1 to {MAX_SUMMARY_CHARS} characters"));
    }
    let times = match (&fm.date, &fm.start, &fm.end) {
        (Some(date), None, None) => match day_only(date.get_ref()) {
            Some(day) => Some((lima::start_of_day(day), lima::start_of_day(day + Duration::DAY), true)),
            None => {
                report.add(
                    path,
                    line(date.span()),
                    format!("date must be a date alone between {MIN_YEAR} and {MAX_YEAR}, such as 2023-07-14"),
                );
                None
            }
        },
        (None, Some(start), Some(end)) => {
            let (from, to) = (instant(start.get_ref()), instant(end.get_ref()));
            for (value, at) in [(start, from), (end, to)] {
                if at.is_none() {
                    report.add(
                        path,
                        line(value.span()),
                        "give the time with its offset, such as 2023-07-14T09:00:00-05:00",
                    );
                }
            }
            match (from, to) {
                (Some(from), Some(to)) if to <= from => {
                    report.add(path, line(end.span()), "the end must come after the start");
                    None
                }
                (Some(from), Some(to)) if to - from > Duration::days(MAX_DAYS) => {
                    report.add(path, line(end.span()), format!("a workshop lasts at most {MAX_DAYS} days"));
                    None
                }
                (Some(from), Some(to)) => Some((from, to, false)),
                _ => None,
            }
        }
        _ => {
            report.add(path, 2, "give either date (when only the day is known) or both start and end");
            None
        }
    };
    let format = Format::parse(fm.format.get_ref());
    if format.is_none() {
        report.add(path, line(fm.format.span()), "unknown format: use in_person, online, hybrid or unspecified");
    }
    if let Some(capacity) = &fm.capacity {
        if !(1..=MAX_CAPACITY).contains(capacity.get_ref()) {
            report.add(
                path,
                line(capacity.span()),
                format!("capacity must be between 1 and {MAX_CAPACITY} (leave it out for no limit)"),
            );
        }
    }
    for region in &fm.regions {
        if !regions.contains(region.get_ref().as_str()) {
            report.add(path, line(region.span()), format!("unknown region {:?}", region.get_ref()));
        }
    }
    if let Some(count) = &fm.region_count {
        if !(0..=1_000).contains(count.get_ref()) {
            report.add(path, line(count.span()), "region_count must be between 0 and 1000");
        }
    }
    let mut materials = Vec::new();
    for source in &fm.materials {
        let raw = source.get_ref();
        let url = raw.url.trim();
        let web = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
        if raw.title.trim().is_empty() || !web.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace)) {
            report.add(path, line(source.span()), "a material needs a title and an http:// or https:// url");
        }
        materials.push(Source { title: raw.title.trim().to_string(), url: url.to_string() });
    }
    if fm.agenda.len() > MAX_AGENDA_ITEMS {
        report.add(path, 2, format!("an agenda has at most {MAX_AGENDA_ITEMS} items"));
    }
    let mut agenda = Vec::new();
    for item in &fm.agenda {
        let raw = item.get_ref();
        let at = line(item.span());
        let start = instant(&raw.start);
        match (start, &times) {
            (None, _) => {
                report.add(path, at, "an agenda item's start needs its offset, such as 2023-07-14T09:00:00-05:00")
            }
            (Some(start), Some((from, to, _))) => {
                let minutes = raw.minutes.clamp(0, 24 * 60);
                if raw.minutes < 1 || raw.minutes > 24 * 60 {
                    report.add(path, at, "minutes must be between 1 and 1440");
                } else if start < *from || start + Duration::minutes(minutes) > *to {
                    report.add(path, at, "the agenda item lies outside the workshop's hours");
                }
                if raw.title.trim().is_empty() {
                    report.add(path, at, "an agenda item needs a title");
                }
                agenda.push(AgendaEntry {
                    starts_at: start,
                    minutes: minutes as i32,
                    title: raw.title.trim().to_string(),
                    speakers: raw.speakers.trim().to_string(),
                    description: raw.description.trim().to_string(),
                });
            }
            (Some(_), None) => {}
        }
    }
    let mut commitments = Vec::new();
    for commitment in &fm.commitment {
        let raw = commitment.get_ref();
        let at = line(commitment.span());
        if !regions.contains(raw.region.as_str()) {
            report.add(path, at, format!("unknown region {:?}", raw.region));
        }
        if raw.action.trim().is_empty() {
            report.add(path, at, "a commitment needs an action");
        }
        let due = raw.due.as_ref().map(day_only);
        if due == Some(None) {
            report.add(path, at, "due must be a date alone, such as 2024-03-31");
        }
        let status = match &raw.status {
            None => Some(CommitmentStatus::Planned),
            Some(text) => CommitmentStatus::parse(text),
        };
        if status.is_none() {
            report.add(path, at, "unknown status: use planned, in_progress, done or dropped");
        }
        commitments.push(CommitmentEntry {
            region: raw.region.clone(),
            action: raw.action.trim().to_string(),
            owner: raw.owner.trim().to_string(),
            due: due.flatten(),
            status: status.unwrap_or(CommitmentStatus::Planned),
        });
    }
    if report.errors.len() > before {
        return None;
    }
    let (starts_at, ends_at, all_day) = times?;
    Some(WorkshopEntry {
        slug: stem,
        title: title.to_string(),
        summary: summary.to_string(),
        description_markdown: fm.description.trim().to_string(),
        starts_at,
        ends_at,
        all_day,
        format: format?,
        venue: fm.venue.trim().to_string(),
        city: fm.city.trim().to_string(),
        capacity: fm.capacity.and_then(|c| i32::try_from(*c.get_ref()).ok()),
        regions: fm.regions.into_iter().map(Spanned::into_inner).collect(),
        region_count: fm.region_count.and_then(|c| i32::try_from(*c.get_ref()).ok()),
        illustrative: fm.illustrative,
        outcomes_markdown: body.trim().to_string(),
        attendance: fm.attendance.map(|n| n.clamp(0, 100_000) as i32),
        organisations: fm.organisations.iter().map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect(),
        materials,
        agenda,
        commitments,
        hash: format!("{:x}", Sha256::digest(text.as_bytes())),
    })
}
