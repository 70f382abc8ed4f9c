//! The console over HTTP, without a browser: its session cookie, CSRF and origin checks,
//! login throttling, sign-out, a disabled user's session, redirects that stay on the
//! console, and the headers of its pages. (The pages themselves are driven in a real
//! browser by `e2e/console`.)

use iamd::config::ConfigLayer;
use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;

use crate::helpers::{TestApp, backends};
use crate::tls::self_signed;
use crate::users::{PASSWORD, create_user};

const NIC: &str = "xx1111-ovh";

/// A browser without a cookie jar of its own: the test carries the cookies.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    cookies: Vec<(String, String)>,
    /// The raw `Set-Cookie` values of the last answer.
    last_set_cookie: Vec<String>,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Browser<'a> {
        let mut builder = reqwest::Client::builder().redirect(Policy::none());
        if let Some(files) = &app.state.config.tls {
            let pem = std::fs::read(&files.cert).unwrap();
            builder = builder.add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap());
        }
        Browser {
            app,
            client: builder.build().unwrap(),
            cookies: Vec::new(),
            last_set_cookie: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, response: &reqwest::Response) {
        self.last_set_cookie = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        for raw in self.last_set_cookie.clone() {
            let pair = raw.split(';').next().unwrap_or("");
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            self.cookies.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> reqwest::Response {
        let response = self
            .client
            .get(format!("{}{path}", self.app.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.remember(&response);
        response
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.post_from(path, form, None).await
    }

    async fn post_from(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        origin: Option<&str>,
    ) -> reqwest::Response {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut request = self
            .client
            .post(format!("{}{path}", self.app.base))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let response = request.send().await.unwrap();
        self.remember(&response);
        response
    }

    /// The hidden `_csrf` value of the page at `path`.
    async fn csrf_of(&mut self, path: &str) -> String {
        let page = self.get(path).await.text().await.unwrap();
        hidden(&page, "_csrf")
    }

    pub(crate) async fn sign_in(&mut self, name: &str, password: &str) -> reqwest::Response {
        let csrf = self.csrf_of("/console/login").await;
        self.post(
            "/console/login",
            &[("_csrf", &csrf), ("name", name), ("password", password)],
        )
        .await
    }
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn signing_in_sets_a_strict_httponly_session_cookie_secure_only_over_tls() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account(NIC).await;
        let mut browser = Browser::new(&app);
        let response = browser.sign_in(NIC, &account.password).await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/console/");
        let session = browser
            .last_set_cookie
            .iter()
            .find(|c| c.starts_with("iamd_console="))
            .unwrap()
            .clone();
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
            assert!(session.contains(attribute), "{session}");
        }
        assert!(!session.contains("Secure"), "plain HTTP: {session}");
        assert_eq!(browser.get("/console/").await.status(), 200);

        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = self_signed(dir.path());
        let mut tls_node = app
            .another_node(ConfigLayer {
                tls_cert: Some(cert),
                tls_key: Some(key),
                ..Default::default()
            })
            .await;
        let mut secure = Browser::new(&tls_node);
        assert_eq!(secure.sign_in(NIC, &account.password).await.status(), 303);
        let session = secure
            .last_set_cookie
            .iter()
            .find(|c| c.starts_with("iamd_console="))
            .unwrap();
        assert!(session.contains("; Secure"), "{session}");
        tls_node.stop().await;
    }
}

#[tokio::test]
async fn wrong_credentials_get_one_answer_and_repeated_failures_must_wait() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let account = app.create_account(NIC).await;
    let root = account.token.clone();
    create_user(&app, &root, "alice", "DEFAULT").await;
    let mut browser = Browser::new(&app);
    for (name, password) in [
        (NIC, "wrong password 1A"),
        ("nobody-here", PASSWORD),
        ("xx1111-ovh/ghost", PASSWORD),
        ("xx1111-ovh/alice", "wrong password 1A"),
    ] {
        let response = browser.sign_in(name, password).await;
        assert_eq!(response.status(), 401, "{name}");
        let page = response.text().await.unwrap();
        assert!(page.contains("Wrong account, login or password."), "{page}");
    }
    // Within the free failures, each wrong password is simply refused.
    for _ in 0..4 {
        let response = browser.sign_in("xx1111-ovh/alice", "wrong again 1A").await;
        assert_eq!(response.status(), 401);
    }
    // Past them, alice must wait, even with her right password, which is not even checked.
    // (More failures are recorded directly, so the wait outlasts any slowness of this
    // machine: the test never depends on how fast it runs.)
    for _ in 0..10 {
        app.state
            .login_throttle
            .failed("name:xx1111-ovh/alice", None, std::time::Instant::now());
    }
    let response = browser.sign_in("xx1111-ovh/alice", PASSWORD).await;
    assert_eq!(response.status(), 429);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Too many failed attempts")
    );
    // Another name from the same address is not held up by alice's failures.
    assert_eq!(browser.sign_in(NIC, &account.password).await.status(), 303);
    // A user signs in with `nic/login`.
    let mut other = Browser::new(&app);
    app.state.login_throttle.succeeded("name:xx1111-ovh/alice");
    assert_eq!(
        other.sign_in("xx1111-ovh/alice", PASSWORD).await.status(),
        303
    );
    let home = other.get("/console/").await.text().await.unwrap();
    assert!(home.contains("xx1111-ovh/alice"));
}

#[tokio::test]
async fn forms_need_the_session_token_and_this_origin() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let account = app.create_account(NIC).await;
    let mut browser = Browser::new(&app);
    assert_eq!(browser.sign_in(NIC, &account.password).await.status(), 303);
    let csrf = browser.csrf_of("/console/service-accounts/new").await;

    let forged = browser
        .post(
            "/console/service-accounts",
            &[("name", "forged"), ("description", "")],
        )
        .await;
    assert_eq!(forged.status(), 403);
    let wrong = browser
        .post(
            "/console/service-accounts",
            &[
                ("_csrf", "guessed"),
                ("name", "forged"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 403);
    let elsewhere = browser
        .post_from(
            "/console/service-accounts",
            &[("_csrf", &csrf), ("name", "forged"), ("description", "")],
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(elsewhere.status(), 403);
    let clients = app.state.store.list_clients(NIC).await.unwrap();
    assert!(clients.is_empty(), "nothing was created: {clients:?}");

    let same_origin = app.base.clone();
    let created = browser
        .post_from(
            "/console/service-accounts",
            &[("_csrf", &csrf), ("name", "real"), ("description", "")],
            Some(&same_origin),
        )
        .await;
    assert_eq!(created.status(), 200);
    let page = created.text().await.unwrap();
    assert!(page.contains("You will no longer have access"));
    assert_eq!(app.state.store.list_clients(NIC).await.unwrap().len(), 1);

    // The login form has its own token (double submit): without it, no sign-in.
    let mut fresh = Browser::new(&app);
    let response = fresh
        .post(
            "/console/login",
            &[("name", NIC), ("password", &account.password)],
        )
        .await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn signing_out_ends_the_session_even_for_a_copied_cookie() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let account = app.create_account(NIC).await;
    let mut browser = Browser::new(&app);
    assert_eq!(browser.sign_in(NIC, &account.password).await.status(), 303);
    let copied = browser.cookies.clone();
    let csrf = browser.csrf_of("/console/").await;
    let response = browser.post("/console/logout", &[("_csrf", &csrf)]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/console/login?done=logged-out");
    assert!(browser.cookies.iter().all(|(n, _)| n != "iamd_console"));

    let mut thief = Browser::new(&app);
    thief.cookies = copied;
    let response = thief.get("/console/service-accounts").await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).starts_with("/console/login"));
}

#[tokio::test]
async fn a_disabled_user_is_signed_out_at_once() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account(NIC).await;
        create_user(&app, &account.token, "bob", "ADMIN").await;
        let mut browser = Browser::new(&app);
        assert_eq!(
            browser.sign_in("xx1111-ovh/bob", PASSWORD).await.status(),
            303
        );
        assert_eq!(browser.get("/console/service-accounts").await.status(), 200);

        let disabled = app
            .post(
                "/1.0/me/identity/user/bob/disable",
                Some(&account.token),
                &serde_json::json!({}),
            )
            .await;
        assert_eq!(disabled.status(), 200);
        let response = browser.get("/console/service-accounts").await;
        assert_eq!(response.status(), 303);
        assert!(location(&response).starts_with("/console/login"));
        let again = browser.sign_in("xx1111-ovh/bob", PASSWORD).await;
        assert_eq!(again.status(), 401);
    }
}

#[tokio::test]
async fn after_sign_in_the_browser_goes_back_only_to_console_pages() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let account = app.create_account(NIC).await;
    let mut browser = Browser::new(&app);
    let response = browser.get("/console/service-accounts").await;
    assert_eq!(
        location(&response),
        "/console/login?next=%2Fconsole%2Fservice-accounts"
    );
    for (next, expected) in [
        ("/console/service-accounts", "/console/service-accounts"),
        ("https://evil.example/", "/console/"),
        ("//evil.example/", "/console/"),
        ("/console//evil.example", "/console/"),
        ("/console/\\evil", "/console/"),
    ] {
        let mut browser = Browser::new(&app);
        let csrf = browser.csrf_of("/console/login").await;
        let response = browser
            .post(
                "/console/login",
                &[
                    ("_csrf", &csrf),
                    ("name", NIC),
                    ("password", &account.password),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(location(&response), expected, "next={next}");
    }
}

#[tokio::test]
async fn pages_are_not_cached_framed_or_open_to_foreign_scripts() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let account = app.create_account(NIC).await;
    let mut browser = Browser::new(&app);
    browser.sign_in(NIC, &account.password).await;
    for path in ["/console/login", "/console/", "/console/service-accounts"] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers();
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    }
    let css = browser.get("/console/assets/console.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(browser.get("/console/assets/nope.js").await.status(), 404);
    // `/console` leads to the console's home.
    let response = browser.get("/console").await;
    assert_eq!(location(&response), "/console/");
}
