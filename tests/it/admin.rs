//! What admins do to accounts, the audit log, reset links, the profile, and the first
//! admin from the command line.

use std::{io::Write, process::Command};

use ayni::domain::account::Role;

use crate::support::{
    browser::{Browser, PASSWORD},
    TestApp,
};

#[tokio::test]
async fn admins_change_roles_disable_accounts_and_every_action_is_in_the_audit_log() {
    let app = TestApp::new().await;
    let (mut admin, _) = app.browser_as("admin@x.gob.pe", "Ana Admin", Role::Admin).await;
    let (mut member, member_id) = app.browser_as("luis@x.gob.pe", "Luis Mamani", Role::Member).await;

    let list = admin.get("/admin/users?q=mamani").await.expect(200);
    assert!(list.body.contains("luis@x.gob.pe") && !list.body.contains("admin@x.gob.pe"));
    member.get("/admin/users").await.expect(403);
    member.get("/admin/audit").await.expect(403);
    Browser::new(&app).get("/admin/audit").await.expect(303);

    // Make Luis an editor of Cusco: he gets a review queue.
    admin
        .post(&format!("/admin/users/{member_id}/role"), &[("role", "editor"), ("regions", "cusco")])
        .await
        .expect(303);
    let page = admin.get(&format!("/admin/users/{member_id}")).await.expect(200);
    assert!(page.body.contains(r#"value="cusco" checked"#), "{}", page.body);
    assert!(member.get("/review").await.expect(200).body.contains("Casos por revisar"));

    // A reset link, shown once to the admin, works once; a newer one replaces it.
    let link_in = |body: &str| {
        body.split("http://ayni.test/reset/").nth(1).expect("the link").split('<').next().expect("end").to_string()
    };
    let first = link_in(&admin.post(&format!("/admin/users/{member_id}/reset-link"), &[]).await.expect(200).body);
    let issued = admin.post(&format!("/admin/users/{member_id}/reset-link"), &[]).await.expect(200);
    let link = link_in(&issued.body);
    assert_ne!(first, link);
    Browser::new(&app).get(&format!("/reset/{first}")).await.expect(410);
    let luis_user = app.db.store().active_user(member_id).await.expect("load").expect("user");
    let token = app.db.store().create_token(&luis_user, "script").await.expect("token");
    let bearer = format!("Bearer {token}");
    app.get_with("/api/v1/cases", &[("authorization", &bearer)]).await.expect(200);
    let mut luis = Browser::from_address(&app, "192.0.2.50:1");
    let form = luis.get(&format!("/reset/{link}")).await.expect(200);
    assert!(form.body.contains("Luis Mamani"));
    let done = luis
        .post(
            &format!("/reset/{link}"),
            &[("new_password", "nueva contraseña 2026"), ("new_password_confirm", "nueva contraseña 2026")],
        )
        .await
        .expect(303);
    assert_eq!(done.header("location"), "/signin?done=reset");
    luis.get(&format!("/reset/{link}")).await.expect(410);
    app.get_with("/api/v1/cases", &[("authorization", &bearer)]).await.expect(401);
    assert!(member.get("/").await.body.contains(r#"<a href="/signin">"#), "a reset ends the old sessions");
    luis.sign_in("luis@x.gob.pe", "nueva contraseña 2026").await.expect(303);

    // Disabling ends the sessions and refuses sign-in; enabling lets him back.
    let later = app.db.store().create_token(&luis_user, "script 2").await.expect("token");
    admin.post(&format!("/admin/users/{member_id}/disable"), &[]).await.expect(303);
    assert!(luis.get("/").await.body.contains(r#"<a href="/signin">"#));
    let refused = luis.sign_in("luis@x.gob.pe", "nueva contraseña 2026").await.expect(401);
    assert!(
        refused.body.contains("El correo o la contraseña no son correctos."),
        "the same answer as a wrong password"
    );
    app.get_with("/api/v1/cases", &[("authorization", &format!("Bearer {later}"))]).await.expect(401);
    admin.post(&format!("/admin/users/{member_id}/enable"), &[]).await.expect(303);
    luis.sign_in("luis@x.gob.pe", "nueva contraseña 2026").await.expect(303);

    let audit = admin.get("/admin/audit").await.expect(200);
    for action in [
        "Creó la cuenta",
        "Cambió el rol",
        "Creó un enlace para cambiar la contraseña",
        "Cambió la contraseña con un enlace",
        "Desactivó la cuenta",
        "Reactivó la cuenta",
    ] {
        assert!(audit.body.contains(action), "the audit log shows {action:?}");
    }
    assert!(audit.body.contains("Miembro → Editor (cusco)"), "the role change, in words");
    assert!(audit.body.contains("Con el formulario de registro") || audit.body.contains("Desde la línea de comandos"));
    let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "select a.action, actor.email, subject.email from audit_log a
         left join users actor on actor.id = a.actor_id
         left join users subject on a.subject_kind = 'account' and subject.id::text = a.subject_key
         where a.subject_kind = 'account' and a.subject_key = $1::text order by a.id",
    )
    .bind(member_id)
    .fetch_all(&app.db.pool)
    .await
    .expect("audit rows");
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "account.created",
            "role.changed",
            "reset_link.issued",
            "reset_link.issued",
            "token.created",
            "password.reset",
            "token.created",
            "account.disabled",
            "account.enabled"
        ]
    );
    assert_eq!(rows[1].1.as_deref(), Some("admin@x.gob.pe"), "the admin is the actor");
}

#[tokio::test]
async fn people_edit_their_profile_change_their_password_and_close_their_account() {
    let app = TestApp::new().await;
    let (mut rosa, id) = app.browser_as("rosa@x.gob.pe", "Rosa", Role::Member).await;
    let profile = rosa.get("/profile").await.expect(200);
    assert!(profile.body.contains("rosa@x.gob.pe"));
    let saved = rosa
        .post(
            "/profile",
            &[("display_name", "Rosa Quispe"), ("organisation", "GORE Puno"), ("region", "puno"), ("language", "en")],
        )
        .await
        .expect(303);
    assert!(saved.header("set-cookie").contains("ayni_lang=en"), "the interface follows the profile's language");
    let profile = rosa.get("/profile?done=details").await.expect(200);
    assert!(profile.body.contains("Your details were saved.") && profile.body.contains(r#"value="GORE Puno""#));
    let refused = rosa.post("/profile", &[("display_name", ""), ("language", "fr")]).await.expect(422);
    assert!(refused.body.contains(r##"href="#display_name""##) && refused.body.contains(r##"href="#language""##));

    // A wrong current password changes nothing; the right one ends other sessions.
    let mut elsewhere = Browser::from_address(&app, "192.0.2.9:1");
    elsewhere.sign_in("rosa@x.gob.pe", PASSWORD).await.expect(303);
    rosa.post(
        "/profile/password",
        &[
            ("current_password", "no es esta"),
            ("new_password", "otra frase larga"),
            ("new_password_confirm", "otra frase larga"),
        ],
    )
    .await
    .expect(422);
    rosa.post(
        "/profile/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "otra frase larga"),
            ("new_password_confirm", "otra frase larga"),
        ],
    )
    .await
    .expect(303);
    assert!(rosa.get("/").await.body.contains(r#"<a href="/profile">Rosa Quispe</a>"#), "this session goes on");
    assert!(!elsewhere.get("/").await.body.contains("Rosa Quispe"), "the other session ended");

    // Closing deletes the personal data and the tokens, and signs out.
    rosa.post("/profile/tokens", &[("token_name", "script")]).await.expect(200);
    rosa.post("/profile/close", &[("close_password", "otra frase larga")]).await.expect(303);
    let (email, name, organisation, region, hash): (Option<String>, String, String, Option<i64>, Option<String>) =
        sqlx::query_as("select email, display_name, organisation, region_id, password_hash from users where id = $1")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await
            .expect("row");
    assert_eq!((email, name.as_str(), organisation.as_str(), region, hash), (None, "", "", None, None));
    let tokens: i64 = sqlx::query_scalar("select count(*) from api_tokens where user_id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .expect("tokens");
    assert_eq!(tokens, 0);
    assert!(rosa.get("/").await.body.contains(r#"<a href="/signin">"#));
    Browser::new(&app).sign_in("rosa@x.gob.pe", "otra frase larga").await.expect(401);
    let actions: Vec<String> = sqlx::query_scalar(
        "select action from audit_log where subject_kind = 'account' and subject_key = $1::text order by id",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await
    .expect("audit");
    assert_eq!(actions, ["account.created", "profile.updated", "password.changed", "token.created", "account.closed"]);
}

#[tokio::test]
async fn the_first_admin_comes_from_the_command_line_with_the_password_on_stdin() {
    let app = TestApp::new().await;
    let run = |password: &str, email: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ayni"))
            .args(["user", "create", "--email", email, "--name", "Primera Admin", "--role", "admin"])
            .args(["--database-url", &app.db.url()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run ayni user create");
        child.stdin.take().expect("stdin").write_all(format!("{password}\n").as_bytes()).expect("write");
        child.wait_with_output().expect("wait")
    };
    let short = run("corta", "admin@region.gob.pe");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("10 to 200 characters"));
    let created = run("una contraseña de admin", "Admin@Region.gob.pe");
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    assert!(String::from_utf8_lossy(&created.stdout).contains("with the role admin"));
    let again = run("una contraseña de admin", "admin@region.gob.pe");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has an account"));

    let mut browser = Browser::new(&app);
    browser.sign_in("admin@region.gob.pe", "una contraseña de admin").await.expect(303);
    let audit = browser.get("/admin/audit").await.expect(200);
    assert!(audit.body.contains("Línea de comandos"), "the command line is the actor");
    assert!(audit.body.contains("Desde la línea de comandos, como Administrador"));
    assert!(audit.body.contains("(hora de Lima)"));
}

/// An entry this release cannot read (a newer action, details it does not know) is shown as
/// recorded, and the entries around it as usual.
#[tokio::test]
async fn the_audit_page_shows_entries_it_cannot_read_as_recorded() {
    let app = TestApp::new().await;
    let (mut admin, admin_id) = app.browser_as("admin@x.gob.pe", "Ana Admin", Role::Admin).await;
    sqlx::query(
        "insert into audit_log (actor_id, action, subject_kind, subject_key, details) values
             ($1, 'glossary.created', null, null, '{\"title\": \"Concepto\"}'),
             ($1, 'role.changed', 'account', $1::text, '{\"from\": \"member\", \"to\": \"steward\"}')",
    )
    .bind(admin_id)
    .execute(&app.db.pool)
    .await
    .expect("odd entries");
    let page = admin.get("/admin/audit").await.expect(200);
    assert!(page.body.contains("glossary.created"), "the unknown action as recorded");
    assert!(page.body.contains("steward"), "details with an unknown role, as recorded");
    assert!(page.body.contains("Cambió el rol"), "a known action still in words");
}
