//! Time as Ayni's readers live it: in `America/Lima`. Every time is stored as an instant
//! (`timestamptz`); this is the one place that turns instants into Lima's wall clock and
//! back, through the time-zone database rather than a fixed offset, so that a change of
//! Peru's rules (it kept summer time in 1986–87 and 1990, 1994) is a database update.

use std::sync::OnceLock;

use jiff::{civil, tz::TimeZone, Timestamp};
use time::{Date, Month, OffsetDateTime, Time, UtcOffset};

use super::limits::{MAX_YEAR, MIN_YEAR};

/// The zone's name in the time-zone database; also what iCalendar files name.
pub const ZONE: &str = "America/Lima";

fn zone() -> &'static TimeZone {
    static ZONE_RULES: OnceLock<TimeZone> = OnceLock::new();
    // The database is bundled into the binary, so the lookup cannot miss; the fixed
    // offset is Lima's since 1994, kept only so that this never panics.
    ZONE_RULES.get_or_init(|| TimeZone::get(ZONE).unwrap_or_else(|_| TimeZone::fixed(jiff::tz::Offset::constant(-5))))
}

fn offset_at(at: OffsetDateTime) -> UtcOffset {
    let seconds = Timestamp::from_second(at.unix_timestamp()).map_or(-5 * 3600, |ts| zone().to_offset(ts).seconds());
    UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC)
}

/// The same instant on Lima's wall clock.
pub fn to_lima(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(offset_at(at))
}

/// Lima's calendar date at `now`: what "today" means for due dates.
pub fn today(now: OffsetDateTime) -> Date {
    to_lima(now).date()
}

/// The instant when Lima's clocks show `date` at `clock`. A wall time that Lima skipped
/// or had twice (only in its summers of decades ago) takes the earlier offset's reading.
pub fn from_lima(date: Date, clock: Time) -> OffsetDateTime {
    let civil = civil::DateTime::new(
        date.year() as i16,
        u8::from(date.month()) as i8,
        date.day() as i8,
        clock.hour() as i8,
        clock.minute() as i8,
        clock.second() as i8,
        0,
    );
    let seconds =
        civil.ok().and_then(|dt| zone().to_ambiguous_timestamp(dt).compatible().ok()).map(|ts| ts.as_second());
    let naive = date.with_time(clock);
    match seconds.and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok()) {
        Some(at) => at,
        // Outside jiff's range (years beyond ±9999, which no form accepts): Lima's offset now.
        None => naive.assume_offset(UtcOffset::from_hms(-5, 0, 0).unwrap_or(UtcOffset::UTC)).to_offset(UtcOffset::UTC),
    }
}

/// Midnight in Lima at the start of `date`.
pub fn start_of_day(date: Date) -> OffsetDateTime {
    from_lima(date, Time::MIDNIGHT)
}

/// Parses a date typed as `YYYY-MM-DD` (what `<input type="date">` sends), between the
/// years Ayni accepts anywhere ([`MIN_YEAR`], [`MAX_YEAR`]): far enough from the calendar's
/// ends that adding days to it never overflows.
pub fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// Parses a time of day typed as `HH:MM` (what `<input type="time">` sends; seconds, if
/// a browser adds them, are accepted and dropped).
pub fn parse_clock(text: &str) -> Option<Time> {
    let mut parts = text.trim().split(':');
    let hour: u8 = parts.next()?.parse().ok()?;
    let minute: u8 = parts.next()?.parse().ok()?;
    if let Some(second) = parts.next() {
        second.parse::<f32>().ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Time::from_hms(hour, minute, 0).ok()
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime, time};

    use super::*;

    #[test]
    fn nine_in_lima_is_two_in_the_afternoon_utc() {
        let at = from_lima(date!(2023 - 07 - 14), time!(09:00));
        assert_eq!(at, datetime!(2023-07-14 14:00 UTC));
        let back = to_lima(at);
        assert_eq!((back.hour(), back.minute(), back.offset().whole_hours()), (9, 0, -5));
    }

    #[test]
    fn lima_kept_summer_time_in_1990_and_the_database_knows_it() {
        // Peru's clocks ran at UTC−4 from January to April 1990.
        let summer = to_lima(datetime!(1990-02-01 12:00 UTC));
        assert_eq!(summer.offset().whole_hours(), -4, "the zone's history, not a fixed −5");
        assert_eq!(from_lima(date!(1990 - 02 - 01), time!(08:00)), datetime!(1990-02-01 12:00 UTC));
    }

    #[test]
    fn today_is_the_date_on_lima_clocks() {
        // 03:00 UTC on 1 March is still 28 February in Lima.
        assert_eq!(today(datetime!(2026-03-01 03:00 UTC)), date!(2026 - 02 - 28));
        assert_eq!(today(datetime!(2026-03-01 05:00 UTC)), date!(2026 - 03 - 01));
        assert_eq!(start_of_day(date!(2026 - 03 - 01)), datetime!(2026-03-01 05:00 UTC));
    }

    #[test]
    fn typed_dates_and_times_are_read_strictly() {
        assert_eq!(parse_date("2023-07-14"), Some(date!(2023 - 07 - 14)));
        assert_eq!(parse_clock("09:30"), Some(time!(09:30)));
        assert_eq!(parse_clock("09:30:00"), Some(time!(09:30)));
        for bad in ["", "2023-02-30", "14/07/2023", "99999-01-01", "9999-12-31", "2023-13-01"] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
        for bad in ["", "24:00", "9h", "09:60", "09:30:00:00"] {
            assert_eq!(parse_clock(bad), None, "{bad:?}");
        }
    }
}
