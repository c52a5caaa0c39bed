//! How often one account may ask for a preview. Rendering is the costliest thing a form can
//! ask for, so one person cannot keep every core busy. Counted in this process, because the
//! cores it protects are this process's.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Previews one account may ask for per window (the live preview asks at most every
/// 1.5 s while someone types).
pub const PREVIEWS_PER_WINDOW: u32 = 30;
const WINDOW: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct PreviewLimit {
    /// Per account: when its window began, and previews in it.
    windows: Mutex<HashMap<i64, (Instant, u32)>>,
}

impl PreviewLimit {
    /// Counts a preview for `user_id`; false when the account has used up its window.
    pub fn allow(&self, user_id: i64) -> bool {
        let now = Instant::now();
        let Ok(mut windows) = self.windows.lock() else { return true };
        if windows.len() > 10_000 {
            windows.retain(|_, (began, _)| now.duration_since(*began) < WINDOW);
        }
        let (began, count) = windows.entry(user_id).or_insert((now, 0));
        if now.duration_since(*began) >= WINDOW {
            *began = now;
            *count = 0;
        }
        *count += 1;
        *count <= PREVIEWS_PER_WINDOW
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_account_has_its_own_window() {
        let limit = PreviewLimit::default();
        assert!((0..PREVIEWS_PER_WINDOW).all(|_| limit.allow(1)));
        assert!(!limit.allow(1));
        assert!(limit.allow(2));
    }
}
