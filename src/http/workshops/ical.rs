//! iCalendar files (RFC 5545): one workshop (`/workshops/{slug}.ics`) or all of them
//! (`/workshops.ics`). Times are written in UTC; a workshop known only by its dates is a
//! whole-day event. Text is escaped and lines folded at 75 octets without splitting a
//! character, so no title can add a property. The online link is never in a file.

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use time::{macros::format_description, OffsetDateTime};

use crate::{
    domain::{lima, workshop::WorkshopStatus},
    error::{AppError, AppResult},
    http::{extract::Ui, AppState},
    i18n::Catalog,
    store::workshops::CalendarEvent,
};

/// Escapes a TEXT value: backslash, semicolon, comma and line breaks (RFC 5545 §3.3.11).
/// A lone carriage return is a line break too, so none reaches the file.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded so that no line is longer than 75 octets and no
/// character is split, ended with CRLF (§3.1).
pub fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            // The space that continues a line counts towards its 75 octets.
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn utc(at: OffsetDateTime) -> String {
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    at.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_default()
}

fn date(at: OffsetDateTime) -> String {
    let format = format_description!("[year][month][day]");
    lima::to_lima(at).date().format(&format).unwrap_or_default()
}

/// The calendar holding `events`; `base` is the site's address, which also names the
/// events' UIDs.
pub fn calendar(t: &Catalog, base: &str, events: &[CalendarEvent]) -> String {
    let host = base.split("://").nth(1).unwrap_or(base).split('/').next().unwrap_or("ayni");
    let mut out = String::new();
    for line in
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ayni//Talleres//ES", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    {
        push_line(&mut out, line);
    }
    push_line(&mut out, &format!("X-WR-CALNAME:{}", escape_text(&format!("Ayni · {}", t.workshops.workshops_title))));
    for e in events {
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:workshop-{}@{host}", e.id));
        push_line(&mut out, &format!("DTSTAMP:{}", utc(e.updated_at)));
        if e.all_day {
            push_line(&mut out, &format!("DTSTART;VALUE=DATE:{}", date(e.starts_at)));
            push_line(&mut out, &format!("DTEND;VALUE=DATE:{}", date(e.ends_at)));
        } else {
            push_line(&mut out, &format!("DTSTART:{}", utc(e.starts_at)));
            push_line(&mut out, &format!("DTEND:{}", utc(e.ends_at)));
        }
        push_line(&mut out, &format!("SEQUENCE:{}", e.sequence));
        let status = if e.status == WorkshopStatus::Cancelled { "CANCELLED" } else { "CONFIRMED" };
        push_line(&mut out, &format!("STATUS:{status}"));
        push_line(&mut out, &format!("SUMMARY:{}", escape_text(&e.title)));
        let mut description = e.summary.clone();
        if let Some(reason) = &e.cancel_reason {
            description = format!("{}\n\n{description}", t.fill_reason(reason));
        }
        push_line(&mut out, &format!("DESCRIPTION:{}", escape_text(&description)));
        let place: Vec<&str> = [e.venue.as_str(), e.city.as_str()].into_iter().filter(|p| !p.is_empty()).collect();
        let location = if place.is_empty() { t.format(&e.format).to_string() } else { place.join(", ") };
        push_line(&mut out, &format!("LOCATION:{}", escape_text(&location)));
        push_line(&mut out, &format!("URL:{base}/workshops/{}", e.slug));
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

fn ics(body: String, filename: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{filename}.ics\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `/workshops.ics`: every published or cancelled workshop.
pub async fn all(State(state): State<AppState>, ui: Ui) -> AppResult<Response> {
    let events = state.store.calendar_events(None).await?;
    Ok(ics(calendar(ui.t, &state.public_url, &events), "ayni-talleres"))
}

/// `/workshops/{slug}.ics`, reached through the page's route: a draft has no file.
pub async fn one(state: &AppState, ui: &Ui, slug: &str) -> AppResult<Response> {
    let slug = super::checked_slug(slug)?;
    let events = state.store.calendar_events(Some(slug)).await?;
    if events.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(ics(calendar(ui.t, &state.public_url, &events), slug))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_so_that_no_line_break_survives() {
        assert_eq!(escape_text("a,b;c\\d"), "a\\,b\\;c\\\\d");
        assert_eq!(escape_text("Taller\r\nDTSTART:2020\rX\nY"), "Taller\\nDTSTART:2020\\nX\\nY");
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let line = format!("SUMMARY:{}", "ñ".repeat(60));
        push_line(&mut out, &line);
        for physical in out.trim_end_matches("\r\n").split("\r\n") {
            assert!(physical.len() <= 75, "{} octets: {physical:?}", physical.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line, "unfolding gives the line back, every ñ whole");
    }
}
