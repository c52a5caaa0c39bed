//! Slugs: made from titles, unique across live and retired ones, and the slugs cases leave
//! behind when renamed or deleted.

use sqlx::PgConnection;

use crate::domain::slug;

/// Advisory-lock key that serialises slug allocation, so two saves never pick the same one.
pub(super) const SLUG_LOCK: i64 = 0x4159_4e49_0002;

/// The slug for `title`: transliterated, within the length limit, not reserved, and not
/// used (or once used) by any other case; `-2`, `-3`… when it is.
pub(super) async fn allocate_slug(
    conn: &mut PgConnection,
    title: &str,
    own: Option<i64>,
) -> Result<String, sqlx::Error> {
    let base = slug_base(title);
    for n in 1.. {
        let candidate = if n == 1 { base.clone() } else { with_suffix(&base, n) };
        let taken: bool = sqlx::query_scalar(
            "select exists (select 1 from cases where slug = $1 and id is distinct from $2)
                 or exists (select 1 from retired_slugs
                            where slug = $1 and (case_id is null or case_id is distinct from $2))",
        )
        .bind(&candidate)
        .bind(own)
        .fetch_one(&mut *conn)
        .await?;
        if !taken {
            return Ok(candidate);
        }
    }
    unreachable!("the loop returns once a suffix is free")
}

/// The slug a title asks for, before uniqueness.
pub fn slug_base(title: &str) -> String {
    let mut base = slug::slugify(title);
    if base.len() > slug::MAX_LEN - 4 {
        // Cut at a word boundary, leaving room for a suffix such as "-12".
        base.truncate(slug::MAX_LEN - 4);
        if let Some(cut) = base.rfind('-') {
            base.truncate(cut);
        }
    }
    if base.is_empty() || slug::validate(&base).is_err() {
        base = if base.is_empty() { "caso".to_string() } else { format!("caso-{base}") };
    }
    base
}

fn with_suffix(base: &str, n: u32) -> String {
    format!("{base}-{n}")
}

/// Records that `slug` no longer names a case: it redirects to `case_id`, or answers 410.
pub(super) async fn retire_slug(conn: &mut PgConnection, slug: &str, case_id: Option<i64>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into retired_slugs (slug, case_id) values ($1, $2)
         on conflict (slug) do update set case_id = excluded.case_id, retired_at = now()",
    )
    .bind(slug)
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_come_from_titles_with_accents_transliterated() {
        assert_eq!(slug_base("Gestión de riesgos en Áncash"), "gestion-de-riesgos-en-ancash");
        assert_eq!(slug_base("¿¡!?"), "caso");
        assert_eq!(slug_base("Edit"), "caso-edit");
        let long = slug_base(&"palabra ".repeat(40));
        assert!(long.len() <= slug::MAX_LEN - 4 && !long.ends_with('-'), "{long}");
        assert_eq!(with_suffix("a", 2), "a-2");
    }
}
