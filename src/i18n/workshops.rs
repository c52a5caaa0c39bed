//! The catalogue's words for workshops: states, formats, times on Lima's clock, counts.

use time::{Date, OffsetDateTime};

use super::{done::WorkshopDone, fill, Catalog};
use crate::{
    domain::{
        commitment::{self, CommitmentStatus},
        lima,
        workshop::{self, Format, RegistrationState},
    },
    store::workshops::Person,
};

impl Catalog {
    /// The banner on a workshop's pages after an action.
    pub fn workshop_done(&self, done: &WorkshopDone) -> &'static str {
        let w = &self.workshops;
        match done {
            WorkshopDone::Created => w.done_created,
            WorkshopDone::Saved => w.done_saved,
            WorkshopDone::Published => w.done_published,
            WorkshopDone::Cancelled => w.done_cancelled,
            WorkshopDone::Registered => w.done_registered,
            WorkshopDone::Waiting => w.done_waiting,
            WorkshopDone::Unregistered => w.done_unregistered,
            WorkshopDone::Agenda => w.done_agenda,
            WorkshopDone::Attendance => w.done_attendance,
            WorkshopDone::Organisers => w.done_organisers,
            WorkshopDone::ParticipantRemoved => w.done_participant_removed,
            WorkshopDone::Outcomes => w.done_outcomes,
            WorkshopDone::Commitment => w.done_commitment,
            WorkshopDone::Note => w.done_note,
        }
    }

    pub fn format(&self, format: &Format) -> &'static str {
        match format {
            Format::InPerson => self.workshops.format_in_person,
            Format::Online => self.workshops.format_online,
            Format::Hybrid => self.workshops.format_hybrid,
            Format::Unspecified => self.workshops.format_unspecified,
        }
    }

    pub fn registration_state(&self, state: &RegistrationState) -> &'static str {
        match state {
            RegistrationState::Registered => self.workshops.state_registered,
            RegistrationState::Waiting => self.workshops.state_waiting,
            RegistrationState::Cancelled => self.workshops.state_cancelled,
        }
    }

    /// When a workshop happens, on Lima's clock: one day with its hours, several days, or
    /// whole days when only the dates are known.
    pub fn workshop_when(&self, starts_at: &OffsetDateTime, ends_at: &OffsetDateTime, all_day: &bool) -> String {
        let w = &self.workshops;
        let (first, last) = workshop::days(*starts_at, *ends_at, *all_day);
        let (from, to) = (lima::to_lima(*starts_at), lima::to_lima(*ends_at));
        match (*all_day, first == last) {
            (true, true) => fill(w.all_day, &[("date", &self.day(&first))]),
            (true, false) => fill(w.all_days, &[("from", &self.day(&first)), ("to", &self.day(&last))]),
            (false, true) => fill(
                w.time_range,
                &[
                    ("date", &self.day(&first)),
                    ("from", &workshop::format_clock(from.time())),
                    ("to", &workshop::format_clock(to.time())),
                ],
            ),
            (false, false) => {
                fill(w.time_range_days, &[("from", &self.date_time_plain(&from)), ("to", &self.date_time_plain(&to))])
            }
        }
    }

    /// A date and its time of day, without saying whose clock (the sentence around it does).
    fn date_time_plain(&self, at: &OffsetDateTime) -> String {
        let at = lima::to_lima(*at);
        format!("{} {}", self.day(&at.date()), workshop::format_clock(at.time()))
    }

    pub fn commitment_status(&self, status: &CommitmentStatus) -> &'static str {
        let w = &self.workshops;
        match status {
            CommitmentStatus::Planned => w.status_planned,
            CommitmentStatus::InProgress => w.status_in_progress,
            CommitmentStatus::Done => w.status_done,
            CommitmentStatus::Dropped => w.status_dropped,
        }
    }

    /// A status as recorded in a note: in words when known, as stored otherwise.
    pub fn recorded_status<'a>(&self, text: &'a str) -> &'a str {
        CommitmentStatus::parse(text).map_or(text, |s| self.commitment_status(&s))
    }

    pub fn due_label(&self, due: &Option<Date>) -> String {
        match due {
            Some(day) => fill(self.workshops.due_label, &[("date", &self.day(day))]),
            None => self.workshops.no_due_date.to_string(),
        }
    }

    /// "Owner: …": the name typed, and the account's name.
    pub fn owner_label(&self, typed: &str, account: &Option<String>) -> String {
        let names: Vec<&str> = [typed, account.as_deref().map_or("", |a| self.person_name(a))]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect();
        fill(self.workshops.owner_label, &[("name", &names.join(", "))])
    }

    /// Whether a commitment is overdue on `today` (Lima's date).
    pub fn is_overdue(&self, status: &CommitmentStatus, due: &Option<Date>, today: &Date) -> bool {
        commitment::is_overdue(*status, *due, *today)
    }

    /// A time of day on Lima's clock.
    pub fn clock(&self, at: &OffsetDateTime) -> String {
        workshop::format_clock(lima::to_lima(*at).time())
    }

    pub fn minutes(&self, n: &i32) -> String {
        fill(self.workshops.minutes, &[("n", n)])
    }

    /// "Speakers: …": the names typed, then the accounts.
    pub fn speakers(&self, typed: &str, accounts: &[Person]) -> String {
        let mut names: Vec<&str> = Vec::new();
        if !typed.is_empty() {
            names.push(typed);
        }
        names.extend(accounts.iter().map(|p| self.person_name(&p.name)));
        fill(self.workshops.speakers, &[("names", &names.join(", "))])
    }

    pub fn count(&self, template: &str, n: &i64) -> String {
        fill(template, &[("n", n)])
    }

    pub fn outcomes_reminder(&self, title: &str) -> String {
        fill(self.workshops.profile_outcomes_reminder, &[("title", &title)])
    }

    pub fn attendance(&self, n: &i32) -> String {
        fill(self.workshops.attendance_count, &[("n", n)])
    }

    pub fn region_count(&self, n: &i32) -> String {
        fill(self.workshops.region_count, &[("n", n)])
    }

    pub fn fill_reason(&self, reason: &str) -> String {
        fill(self.workshops.cancel_reason, &[("reason", &reason)])
    }

    pub fn waiting_place(&self, place: &i64) -> String {
        fill(self.workshops.you_are_waiting, &[("place", place)])
    }

    /// When registration closes: at the deadline, or at the start without one.
    pub fn registration_closes(&self, starts_at: &OffsetDateTime, deadline: &Option<OffsetDateTime>) -> String {
        let closes = deadline.map_or(*starts_at, |d| d.min(*starts_at));
        fill(self.workshops.registration_closes, &[("date", &self.date_time(&closes))])
    }
}
