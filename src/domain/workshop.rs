//! Workshops: what a facilitator prepares (the details and the agenda), the rules of
//! registration, and the states a workshop goes through. Times are instants; forms type
//! them on Lima's clock and [`super::lima`] converts.

use time::{Date, Duration, OffsetDateTime, Time};

use super::{
    draft::is_web_url,
    has_control_characters, lima,
    limits::{MAX_SUMMARY_CHARS, MAX_TITLE_CHARS},
    region::Region,
    slug, text_enum, FieldError, FieldProblem,
};

/// A description (Markdown) and an agenda item's text.
pub const MAX_DESCRIPTION_CHARS: usize = 50_000;
pub const MAX_LINE_CHARS: usize = 300;
pub const MAX_CAPACITY: i64 = 100_000;
pub const MAX_AGENDA_ITEMS: usize = 100;
/// The longest workshop: a fortnight.
pub const MAX_DAYS: i64 = 14;

text_enum!(
    /// Where a workshop happens.
    /// `Unspecified`: the source does not say (seeded workshops of the past).
    Format { InPerson => "in_person", Online => "online", Hybrid => "hybrid", Unspecified => "unspecified" }
);

impl Format {
    pub fn has_venue(self) -> bool {
        matches!(self, Format::InPerson | Format::Hybrid)
    }

    pub fn has_link(self) -> bool {
        matches!(self, Format::Online | Format::Hybrid)
    }
}

text_enum!(
    /// What the organisers decided: only published and cancelled workshops are public.
    WorkshopStatus { Draft => "draft", Published => "published", Cancelled => "cancelled" }
);

text_enum!(
    /// A person's place: registered, waiting for a place, or gone.
    RegistrationState { Registered => "registered", Waiting => "waiting", Cancelled => "cancelled" }
);

/// Where a workshop stands for its readers: the stored status, with "past" derived from
/// the end time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Draft,
    Upcoming,
    Past,
    Cancelled,
}

pub fn phase(status: WorkshopStatus, ends_at: OffsetDateTime, now: OffsetDateTime) -> Phase {
    match status {
        WorkshopStatus::Draft => Phase::Draft,
        WorkshopStatus::Cancelled => Phase::Cancelled,
        WorkshopStatus::Published if ends_at <= now => Phase::Past,
        WorkshopStatus::Published => Phase::Upcoming,
    }
}

/// Registration is open from publication until the deadline, or the start when there is
/// no deadline (or the deadline is later).
pub fn registration_open(
    status: WorkshopStatus,
    starts_at: OffsetDateTime,
    deadline: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> bool {
    let closes = deadline.map_or(starts_at, |d| d.min(starts_at));
    status == WorkshopStatus::Published && now < closes
}

/// The next instant after `now` at which what a workshop's page says changes by the clock
/// alone (registration closes, it starts, it is over); `None` once none is left.
pub fn next_turn(draft: &WorkshopDraft, now: OffsetDateTime) -> Option<OffsetDateTime> {
    [draft.registration_deadline, Some(draft.starts_at), Some(draft.ends_at)]
        .into_iter()
        .flatten()
        .filter(|at| *at > now)
        .min()
}

/// A workshop's details, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkshopDraft {
    pub title: String,
    pub summary: String,
    pub description_markdown: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    /// Only the dates are known: whole days in Lima.
    pub all_day: bool,
    pub format: Format,
    pub venue: String,
    pub city: String,
    pub online_url: String,
    pub capacity: Option<i32>,
    pub registration_deadline: Option<OffsetDateTime>,
    /// Slugs of the participating regions.
    pub regions: Vec<String>,
    /// How many regions took part when their names are unknown.
    pub region_count: Option<i32>,
    /// Slugs of linked cases.
    pub cases: Vec<String>,
    pub illustrative: bool,
}

/// The details as typed in the form or sent to the API, before validation. Dates are
/// `YYYY-MM-DD` and times `HH:MM` on Lima's clock; both times empty means a whole day.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RawWorkshop {
    pub title: String,
    pub summary: String,
    pub description: String,
    pub start_date: String,
    pub start_time: String,
    /// Empty: the same day as the start.
    pub end_date: String,
    pub end_time: String,
    pub format: String,
    pub venue: String,
    pub city: String,
    pub online_url: String,
    /// Empty: no limit.
    pub capacity: String,
    pub deadline_date: String,
    pub deadline_time: String,
    pub regions: Vec<String>,
    pub region_count: String,
    /// Case slugs or addresses, one per line.
    pub cases: String,
}

impl RawWorkshop {
    /// The form's fields for a stored workshop, on Lima's clock.
    pub fn from_draft(draft: &WorkshopDraft) -> RawWorkshop {
        let start = lima::to_lima(draft.starts_at);
        // An all-day workshop ends at the midnight after its last day.
        let end = lima::to_lima(if draft.all_day { draft.ends_at - Duration::DAY } else { draft.ends_at });
        let clock = |at: OffsetDateTime| if draft.all_day { String::new() } else { format_clock(at.time()) };
        let deadline = draft.registration_deadline.map(lima::to_lima);
        RawWorkshop {
            title: draft.title.clone(),
            summary: draft.summary.clone(),
            description: draft.description_markdown.clone(),
            start_date: start.date().to_string(),
            start_time: clock(start),
            end_date: if end.date() == start.date() { String::new() } else { end.date().to_string() },
            end_time: clock(end),
            format: draft.format.as_str().to_string(),
            venue: draft.venue.clone(),
            city: draft.city.clone(),
            online_url: draft.online_url.clone(),
            capacity: draft.capacity.map(|c| c.to_string()).unwrap_or_default(),
            deadline_date: deadline.map(|d| d.date().to_string()).unwrap_or_default(),
            deadline_time: deadline.map(|d| format_clock(d.time())).unwrap_or_default(),
            regions: draft.regions.clone(),
            region_count: draft.region_count.map(|c| c.to_string()).unwrap_or_default(),
            cases: draft.cases.join("\n"),
        }
    }

    /// Checks every field and reports every problem at once, in the form's order.
    pub fn validate(&self, regions: &[Region]) -> Result<WorkshopDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &'static str, problem: FieldProblem| errors.push(FieldError { field, problem });
        for (field, text, max) in
            [("title", &self.title, MAX_TITLE_CHARS), ("summary", &self.summary, MAX_SUMMARY_CHARS)]
        {
            if let Err(problem) = check_text(text, max, true) {
                fail(field, problem);
            }
        }
        if let Err(problem) = check_text(&self.description, MAX_DESCRIPTION_CHARS, false) {
            fail("description", problem);
        }
        let times = self.times();
        if let Err((field, problem)) = &times {
            fail(field, *problem);
        }
        let format = Format::parse(self.format.trim());
        if format.is_none() {
            fail("format", if self.format.trim().is_empty() { FieldProblem::Missing } else { FieldProblem::Unknown });
        }
        let (venue, city, url) = (self.venue.trim(), self.city.trim(), self.online_url.trim());
        for (field, text) in [("venue", venue), ("city", city)] {
            if let Err(problem) = check_text(text, MAX_LINE_CHARS, false) {
                fail(field, problem);
            }
        }
        if format.is_some_and(Format::has_venue) && city.is_empty() {
            fail("city", FieldProblem::Missing);
        }
        if format.is_some_and(Format::has_link) && url.is_empty() {
            fail("online_url", FieldProblem::Missing);
        } else if !url.is_empty() && (!is_web_url(url) || url.chars().count() > MAX_LINE_CHARS) {
            fail("online_url", FieldProblem::NotAUrl);
        }
        let capacity = optional_number(&self.capacity, 1, MAX_CAPACITY);
        if let Err(problem) = capacity {
            fail("capacity", problem);
        }
        let deadline = match (self.deadline_date.trim(), self.deadline_time.trim()) {
            ("", "") => Ok(None),
            ("", _) => Err(FieldProblem::NotADate),
            (date, clock) => match (lima::parse_date(date), clock) {
                (None, _) => Err(FieldProblem::NotADate),
                (Some(day), "") => Ok(Some(lima::start_of_day(day + Duration::DAY))),
                (Some(day), clock) => {
                    lima::parse_clock(clock).map(|c| Some(lima::from_lima(day, c))).ok_or(FieldProblem::NotATime)
                }
            },
        };
        match (&deadline, &times) {
            (Err(problem), _) => fail("deadline_date", *problem),
            (Ok(Some(deadline)), Ok((start, _, _))) if deadline > start => {
                fail("deadline_date", FieldProblem::AfterStart)
            }
            _ => {}
        }
        let mut chosen: Vec<String> = Vec::new();
        for region in &self.regions {
            let region = region.trim();
            if region.is_empty() {
                continue;
            }
            if !regions.iter().any(|r| r.slug == region) {
                fail("regions", FieldProblem::Unknown);
                break;
            }
            if !chosen.iter().any(|c| c == region) {
                chosen.push(region.to_string());
            }
        }
        let region_count = optional_number(&self.region_count, 0, 1_000);
        if let Err(problem) = region_count {
            fail("region_count", problem);
        }
        let cases = parse_case_refs(&self.cases);
        if cases.iter().any(|c| slug::validate(c).is_err()) {
            fail("cases", FieldProblem::Unknown);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let (Ok((starts_at, ends_at, all_day)), Some(format), Ok(capacity), Ok(deadline), Ok(region_count)) =
            (times, format, capacity, deadline, region_count)
        else {
            return Err(errors);
        };
        Ok(WorkshopDraft {
            title: self.title.trim().to_string(),
            summary: self.summary.trim().to_string(),
            description_markdown: self.description.clone(),
            starts_at,
            ends_at,
            all_day,
            format,
            venue: if format == Format::Online { String::new() } else { venue.to_string() },
            city: if format == Format::Online { String::new() } else { city.to_string() },
            online_url: if format.has_link() { url.to_string() } else { String::new() },
            capacity,
            registration_deadline: deadline,
            regions: chosen,
            region_count,
            cases,
            illustrative: false,
        })
    }

    /// The start and end instants, and whether only the dates are known.
    fn times(&self) -> Result<(OffsetDateTime, OffsetDateTime, bool), (&'static str, FieldProblem)> {
        let start_day = match self.start_date.trim() {
            "" => return Err(("start_date", FieldProblem::Missing)),
            text => lima::parse_date(text).ok_or(("start_date", FieldProblem::NotADate))?,
        };
        let end_day = match self.end_date.trim() {
            "" => start_day,
            text => lima::parse_date(text).ok_or(("end_date", FieldProblem::NotADate))?,
        };
        let clock = |field: &'static str, text: &str| -> Result<Option<Time>, (&'static str, FieldProblem)> {
            match text.trim() {
                "" => Ok(None),
                text => lima::parse_clock(text).map(Some).ok_or((field, FieldProblem::NotATime)),
            }
        };
        let (start, end) = match (clock("start_time", &self.start_time)?, clock("end_time", &self.end_time)?) {
            (None, None) => (lima::start_of_day(start_day), lima::start_of_day(end_day + Duration::DAY)),
            (Some(from), Some(to)) => (lima::from_lima(start_day, from), lima::from_lima(end_day, to)),
            (None, Some(_)) => return Err(("start_time", FieldProblem::Missing)),
            (Some(_), None) => return Err(("end_time", FieldProblem::Missing)),
        };
        if end <= start {
            return Err(("end_time", FieldProblem::BeforeStart));
        }
        if end - start > Duration::days(MAX_DAYS) {
            return Err(("end_date", FieldProblem::OutOfRange { min: 1, max: MAX_DAYS }));
        }
        let all_day = self.start_time.trim().is_empty();
        Ok((start, end, all_day))
    }
}

/// The longest reason for a cancellation.
pub const MAX_REASON_CHARS: usize = 1_000;

/// The reason a workshop is cancelled, trimmed: required, since people who registered
/// need to know why.
pub fn check_cancel_reason(reason: &str) -> Result<&str, FieldProblem> {
    let reason = reason.trim();
    if reason.is_empty() {
        Err(FieldProblem::Missing)
    } else if has_control_characters(reason) {
        Err(FieldProblem::ControlCharacter)
    } else if reason.chars().count() > MAX_REASON_CHARS {
        Err(FieldProblem::TooLong { max: MAX_REASON_CHARS })
    } else {
        Ok(reason)
    }
}

/// Attendance names only people who hold a place: anyone else (waiting, cancelled, or
/// never registered) is a mistake to report, not to drop in silence.
pub fn check_attendance(attended: &[i64], registered: &[i64]) -> Result<(), FieldProblem> {
    if attended.iter().all(|id| registered.contains(id)) {
        Ok(())
    } else {
        Err(FieldProblem::Unknown)
    }
}

/// `HH:MM`, as `<input type="time">` shows it.
pub fn format_clock(clock: Time) -> String {
    format!("{:02}:{:02}", clock.hour(), clock.minute())
}

/// A text field: required or not, within `max` characters, without control characters
/// (line breaks are allowed in longer texts).
fn check_text(text: &str, max: usize, required: bool) -> Result<(), FieldProblem> {
    let trimmed = text.trim();
    if required && trimmed.is_empty() {
        Err(FieldProblem::Missing)
    } else if trimmed.chars().count() > max {
        Err(FieldProblem::TooLong { max })
    } else if has_control_characters(text) || (max <= MAX_TITLE_CHARS && text.contains(['\n', '\r'])) {
        Err(FieldProblem::ControlCharacter)
    } else {
        Ok(())
    }
}

fn optional_number(text: &str, min: i64, max: i64) -> Result<Option<i32>, FieldProblem> {
    match text.trim() {
        "" => Ok(None),
        text => match text.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n as i32)),
            _ => Err(FieldProblem::OutOfRange { min, max }),
        },
    }
}

/// Case slugs typed one per line (or separated by commas), or pasted as addresses
/// (`https://…/cases/slug`): the slugs, each once.
pub fn parse_case_refs(text: &str) -> Vec<String> {
    let mut slugs: Vec<String> = Vec::new();
    for item in text.split(['\n', ',']).map(str::trim).filter(|s| !s.is_empty()) {
        let item = item.trim_end_matches('/');
        let slug = item.rsplit_once("/cases/").map_or(item, |(_, rest)| rest);
        let slug = slug.split(['?', '#']).next().unwrap_or(slug).to_string();
        if !slugs.contains(&slug) {
            slugs.push(slug);
        }
    }
    slugs
}

/// One agenda item, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaDraft {
    pub starts_at: OffsetDateTime,
    pub duration_minutes: i32,
    pub title: String,
    pub speakers: String,
    /// Emails of speakers with accounts; the store finds them.
    pub speaker_emails: Vec<String>,
    pub description: String,
    pub cases: Vec<String>,
}

/// An agenda item as typed: the day (empty: the workshop's first day), the time on Lima's
/// clock and the duration in minutes.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RawAgendaItem {
    pub day: String,
    pub time: String,
    pub duration: String,
    pub title: String,
    pub speakers: String,
    pub speaker_emails: String,
    pub description: String,
    pub cases: String,
}

impl RawAgendaItem {
    /// Checks the item against the workshop's hours: an item that starts before the
    /// workshop or ends after it is refused.
    pub fn validate(&self, starts_at: OffsetDateTime, ends_at: OffsetDateTime) -> Result<AgendaDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &'static str, problem: FieldProblem| errors.push(FieldError { field, problem });
        let day = match self.day.trim() {
            "" => Some(lima::to_lima(starts_at).date()),
            text => lima::parse_date(text),
        };
        if day.is_none() {
            fail("day", FieldProblem::NotADate);
        }
        let clock = lima::parse_clock(&self.time);
        if clock.is_none() {
            fail("time", if self.time.trim().is_empty() { FieldProblem::Missing } else { FieldProblem::NotATime });
        }
        let duration = optional_number(&self.duration, 1, 24 * 60);
        match duration {
            Ok(None) => fail("duration", FieldProblem::Missing),
            Err(problem) => fail("duration", problem),
            Ok(Some(_)) => {}
        }
        if let Err(problem) = check_text(&self.title, MAX_LINE_CHARS, true) {
            fail("title", problem);
        }
        if let Err(problem) = check_text(&self.speakers, MAX_LINE_CHARS, false) {
            fail("speakers", problem);
        }
        if let Err(problem) = check_text(&self.description, MAX_SUMMARY_CHARS * 5, false) {
            fail("description", problem);
        }
        let mut speaker_emails: Vec<String> = Vec::new();
        for email in self.speaker_emails.split(['\n', ',']).map(super::account::normalise_email) {
            if !email.is_empty() && !speaker_emails.contains(&email) {
                speaker_emails.push(email);
            }
        }
        if speaker_emails.iter().any(|e| super::account::check_email(e).is_err()) {
            fail("speaker_emails", FieldProblem::NotAnEmail);
        }
        let cases = parse_case_refs(&self.cases);
        if cases.iter().any(|c| slug::validate(c).is_err()) {
            fail("cases", FieldProblem::Unknown);
        }
        let (Some(day), Some(clock), Ok(Some(duration))) = (day, clock, duration) else {
            return Err(errors);
        };
        let item_start = lima::from_lima(day, clock);
        if !within_hours(item_start, duration, starts_at, ends_at) {
            fail("time", FieldProblem::OutsideHours);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AgendaDraft {
            starts_at: item_start,
            duration_minutes: duration,
            title: self.title.trim().to_string(),
            speakers: self.speakers.trim().to_string(),
            speaker_emails,
            description: self.description.trim().to_string(),
            cases,
        })
    }
}

/// Whether an agenda item starting at `start` for `minutes` fits the workshop's hours.
fn within_hours(start: OffsetDateTime, minutes: i32, starts_at: OffsetDateTime, ends_at: OffsetDateTime) -> bool {
    start >= starts_at && start + Duration::minutes(minutes.into()) <= ends_at
}

/// Agenda items (indexes into `items`) that no longer fit the workshop's hours: a new item
/// outside them is refused, but moving the workshop can leave earlier ones outside, and
/// its organisers are told so.
pub fn outside_hours(
    items: &[(OffsetDateTime, i32)],
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
) -> Vec<usize> {
    let fits = |(start, minutes): &(OffsetDateTime, i32)| within_hours(*start, *minutes, starts_at, ends_at);
    items.iter().enumerate().filter(|(_, item)| !fits(item)).map(|(i, _)| i).collect()
}

/// Agenda items that overlap the one before them (indexes into `items`, sorted by start):
/// worth a warning, not a refusal, since parallel sessions happen.
pub fn overlapping(items: &[(OffsetDateTime, i32)]) -> Vec<usize> {
    let mut latest_end: Option<OffsetDateTime> = None;
    let mut out = Vec::new();
    for (i, (start, minutes)) in items.iter().enumerate() {
        if latest_end.is_some_and(|end| *start < end) {
            out.push(i);
        }
        let end = *start + Duration::minutes((*minutes).into());
        latest_end = Some(latest_end.map_or(end, |e| e.max(end)));
    }
    out
}

/// The dates a workshop covers, on Lima's calendar: one for most.
pub fn days(starts_at: OffsetDateTime, ends_at: OffsetDateTime, all_day: bool) -> (Date, Date) {
    let last = if all_day { ends_at - Duration::DAY } else { ends_at };
    (lima::to_lima(starts_at).date(), lima::to_lima(last).date())
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::domain::region::Level;

    #[test]
    fn attendance_names_only_people_with_a_place() {
        assert_eq!(check_attendance(&[], &[1, 2]), Ok(()));
        assert_eq!(check_attendance(&[2, 1, 2], &[1, 2]), Ok(()));
        assert_eq!(check_attendance(&[3], &[1, 2]), Err(FieldProblem::Unknown));
    }

    fn regions() -> Vec<Region> {
        ["cusco", "piura"]
            .iter()
            .map(|s| Region {
                slug: s.to_string(),
                name: s.to_string(),
                level: Level::Regional,
                parent: None,
                case_count: None,
            })
            .collect()
    }

    fn raw() -> RawWorkshop {
        RawWorkshop {
            title: "Taller de integridad".into(),
            summary: "Balance de la agenda.".into(),
            start_date: "2023-07-14".into(),
            start_time: "09:00".into(),
            end_time: "13:00".into(),
            format: "in_person".into(),
            city: "Lima".into(),
            regions: vec!["cusco".into()],
            ..RawWorkshop::default()
        }
    }

    #[test]
    fn times_typed_on_lima_clocks_are_stored_as_instants() {
        let draft = raw().validate(&regions()).expect("valid");
        assert_eq!(draft.starts_at, datetime!(2023-07-14 14:00 UTC));
        assert_eq!(draft.ends_at, datetime!(2023-07-14 18:00 UTC));
        assert!(!draft.all_day);
        let back = RawWorkshop::from_draft(&draft);
        assert_eq!(
            (back.start_date.as_str(), back.start_time.as_str(), back.end_time.as_str()),
            ("2023-07-14", "09:00", "13:00")
        );
    }

    #[test]
    fn a_date_without_times_is_a_whole_day_in_lima() {
        let draft = RawWorkshop { start_time: String::new(), end_time: String::new(), ..raw() }
            .validate(&regions())
            .expect("valid");
        assert!(draft.all_day);
        assert_eq!(draft.starts_at, datetime!(2023-07-14 05:00 UTC));
        assert_eq!(draft.ends_at, datetime!(2023-07-15 05:00 UTC));
        assert_eq!(days(draft.starts_at, draft.ends_at, true).1.to_string(), "2023-07-14");
        assert_eq!(RawWorkshop::from_draft(&draft).end_date, "");
    }

    #[test]
    fn every_problem_is_reported_on_its_field() {
        let bad = RawWorkshop {
            title: " ".into(),
            end_time: "08:00".into(),
            format: "hybrid".into(),
            city: String::new(),
            online_url: String::new(),
            capacity: "0".into(),
            deadline_date: "2023-07-20".into(),
            regions: vec!["atlantis".into()],
            cases: "../etc".into(),
            ..raw()
        };
        let fields: Vec<_> = bad.validate(&regions()).unwrap_err().iter().map(|e| (e.field, e.problem)).collect();
        assert_eq!(
            fields,
            vec![
                ("title", FieldProblem::Missing),
                ("end_time", FieldProblem::BeforeStart),
                ("city", FieldProblem::Missing),
                ("online_url", FieldProblem::Missing),
                ("capacity", FieldProblem::OutOfRange { min: 1, max: MAX_CAPACITY }),
                ("regions", FieldProblem::Unknown),
                ("cases", FieldProblem::Unknown),
            ]
        );
        let late = RawWorkshop { deadline_date: "2023-07-20".into(), ..raw() }.validate(&regions()).unwrap_err();
        assert_eq!(late[0].field, "deadline_date");
        assert_eq!(late[0].problem, FieldProblem::AfterStart);
        let newline = RawWorkshop { title: "Uno\nDTSTART:2020".into(), ..raw() }.validate(&regions()).unwrap_err();
        assert_eq!(newline[0].problem, FieldProblem::ControlCharacter);
    }

    #[test]
    fn registration_closes_at_the_deadline_or_the_start() {
        let start = datetime!(2030-01-10 14:00 UTC);
        let open = |deadline, now| registration_open(WorkshopStatus::Published, start, deadline, now);
        assert!(open(None, datetime!(2030-01-10 13:59 UTC)));
        assert!(!open(None, start));
        assert!(!open(Some(datetime!(2030-01-05 00:00 UTC)), datetime!(2030-01-06 00:00 UTC)));
        assert!(!registration_open(WorkshopStatus::Draft, start, None, datetime!(2029-01-01 00:00 UTC)));
        assert_eq!(phase(WorkshopStatus::Published, start, datetime!(2030-01-10 14:00 UTC)), Phase::Past);
    }

    #[test]
    fn agenda_items_must_fit_the_workshop_and_overlaps_are_found() {
        let (start, end) = (datetime!(2023-07-14 14:00 UTC), datetime!(2023-07-14 18:00 UTC));
        let item = |time: &str, duration: &str| RawAgendaItem {
            time: time.into(),
            duration: duration.into(),
            title: "Apertura".into(),
            ..RawAgendaItem::default()
        };
        let ok = item("09:00", "30").validate(start, end).expect("inside");
        assert_eq!(ok.starts_at, start);
        for (time, duration) in [("08:30", "30"), ("12:45", "30")] {
            let errors = item(time, duration).validate(start, end).unwrap_err();
            assert_eq!((errors[0].field, errors[0].problem), ("time", FieldProblem::OutsideHours), "{time}");
        }
        let at = |h: i64| start + Duration::hours(h);
        assert_eq!(overlapping(&[(at(0), 90), (at(1), 30), (at(2), 30)]), vec![1]);
        assert!(overlapping(&[(at(0), 60), (at(1), 60)]).is_empty());
        // Moved a day later, the workshop leaves its 09:00 and 12:30 items behind.
        let items = [(at(0), 30), (at(3) + Duration::minutes(30), 30)];
        assert!(outside_hours(&items, start, end).is_empty());
        assert_eq!(outside_hours(&items, start + Duration::DAY, end + Duration::DAY), vec![0, 1]);
        assert_eq!(outside_hours(&items, start, end - Duration::minutes(15)), vec![1]);
    }

    #[test]
    fn case_references_are_slugs_or_addresses() {
        assert_eq!(
            parse_case_refs("https://ayni.pe/cases/uno/\ndos, dos\n/cases/tres?x=1"),
            vec!["uno".to_string(), "dos".into(), "tres".into()]
        );
    }
}
