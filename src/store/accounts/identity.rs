//! Creating accounts, finding them at sign-in, and loading the signed-in person.

use sqlx::FromRow;

use crate::{
    domain::{
        account::{Role, User, PRIVACY_NOTICE_VERSION},
        subject::{AccountOrigin, AuditAction, AuditDetails, AuditRecord},
        Lang,
    },
    error::AppResult,
    store::{audit::audit, Store},
};

/// Columns of [`UserRow`], over `users u left join regions r on r.id = u.region_id`.
const USER_COLUMNS: &str = "
    u.id, u.email, u.display_name, coalesce(u.handle, '') as handle, u.organisation, r.slug as region, u.role, u.edits_all_regions,
    coalesce((select array_agg(er_r.slug order by er_r.slug)
              from editor_regions er join regions er_r on er_r.id = er.region_id
              where er.user_id = u.id), '{}') as editor_regions,
    u.language, u.session_epoch";

#[derive(FromRow)]
struct UserRow {
    id: i64,
    email: Option<String>,
    display_name: String,
    handle: String,
    organisation: String,
    region: Option<String>,
    #[sqlx(try_from = "String")]
    role: Role,
    edits_all_regions: bool,
    editor_regions: Vec<String>,
    language: String,
    session_epoch: i32,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id,
            email: row.email.unwrap_or_default(),
            display_name: row.display_name,
            handle: row.handle,
            organisation: row.organisation,
            region: row.region,
            role: row.role,
            edits_all_regions: row.edits_all_regions,
            editor_regions: row.editor_regions,
            language: Lang::parse(&row.language).unwrap_or_default(),
            session_epoch: row.session_epoch,
        }
    }
}

/// A new account, already validated, with its password already hashed.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub organisation: &'a str,
    pub region: Option<&'a str>,
    pub password_hash: &'a str,
    pub role: Role,
    pub language: Lang,
}

/// What sign-in needs to know about an address.
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub disabled: bool,
}

impl Store {
    /// Creates an account and its audit entry together; `None` when the address already has
    /// one. Self-service sign-ups are their own actor; the command line has none.
    pub async fn create_account(&self, new: &NewUser<'_>, self_service: bool) -> AppResult<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "insert into users (email, display_name, organisation, region_id, password_hash, role, language,
                                privacy_accepted_at, privacy_notice_version)
             values ($1, $2, $3, (select id from regions where slug = $4), $5, $6, $7,
                     case when $8 then now() end, case when $8 then $9 end)
             on conflict (email) where email is not null do nothing
             returning id",
        )
        .bind(new.email)
        .bind(new.display_name)
        .bind(new.organisation)
        .bind(new.region)
        .bind(new.password_hash)
        .bind(new.role.as_str())
        .bind(new.language.code())
        // Sign-ups accept the privacy notice on the form; the command line does not ask.
        .bind(self_service)
        .bind(PRIVACY_NOTICE_VERSION)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = id {
            let (actor, details) = if self_service {
                (Some(id), AuditDetails { via: Some(AccountOrigin::Signup), ..AuditDetails::default() })
            } else {
                (None, AuditDetails { via: Some(AccountOrigin::Cli), role: Some(new.role), ..AuditDetails::default() })
            };
            audit(&mut tx, AuditRecord::new(actor, AuditAction::AccountCreated).on_account(id).with(details)).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn credentials(&self, email: &str) -> AppResult<Option<Credentials>> {
        let row: Option<(i64, Option<String>, bool)> = sqlx::query_as(
            "select id, password_hash, disabled_at is not null from users where email = $1 and closed_at is null",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(id, hash, disabled)| hash.map(|password_hash| Credentials { id, password_hash, disabled })))
    }

    /// An active account (not disabled, not closed).
    pub async fn active_user(&self, id: i64) -> AppResult<Option<User>> {
        let sql = format!(
            "select {USER_COLUMNS} from users u left join regions r on r.id = u.region_id
             where u.id = $1 and u.disabled_at is null and u.closed_at is null"
        );
        let row: Option<UserRow> = sqlx::query_as(&sql).bind(id).fetch_optional(&self.pool).await?;
        Ok(row.map(User::from))
    }

    /// Deletes what has run out: idle sessions, attempts older than every rate-limit window,
    /// and reset links past their expiry. Returns how many rows went.
    pub async fn delete_expired(&self) -> Result<u64, sqlx::Error> {
        let mut deleted = 0;
        for sql in [
            "delete from sessions where expiry_date < now()",
            "delete from auth_attempts where at < now() - interval '1 day'",
            "delete from password_resets where expires_at < now() - interval '1 day'",
        ] {
            deleted += sqlx::query(sql).execute(&self.pool).await?.rows_affected();
        }
        Ok(deleted)
    }

    /// The person an API token belongs to, if the token is live; notes its use.
    pub async fn user_by_token(&self, token_hash: &str) -> AppResult<Option<User>> {
        let id: Option<i64> = sqlx::query_scalar(
            "update api_tokens set last_used_at = now()
             where token_hash = $1 and revoked_at is null
             returning user_id",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        match id {
            Some(id) => self.active_user(id).await,
            None => Ok(None),
        }
    }
}
