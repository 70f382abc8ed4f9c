//! The console's login throttle over HTTP: the documented numbers exactly (5 failures per
//! name, 20 per address), attempts sent at once, and counts shared by two nodes on one
//! PostgreSQL database.

use crate::console::Browser;
use crate::helpers::{Backend, TestApp, backends, postgres_url};

const NIC: &str = "xx1111-ovh";
const WRONG: &str = "wrong password 1A";

#[tokio::test]
async fn the_sixth_attempt_for_a_name_is_refused_unchecked() {
    for backend in backends() {
        let status = edge_attempt(backend, |i| (i <= 5).then(|| NIC.to_owned())).await;
        assert_eq!(status, 429, "{backend:?}: the name has used its 5");
    }
}

#[tokio::test]
async fn the_twenty_first_attempt_from_an_address_is_refused_unchecked() {
    for backend in backends() {
        // 20 names, one failure each: every name stays well within its own 5.
        let status = edge_attempt(backend, |i| (i <= 20).then(|| format!("name-{i}"))).await;
        assert_eq!(status, 429, "{backend:?}: the address has used its 20");
    }
}

/// Fails once with each name `failing(1)`, `failing(2)`… yields (each verified: 401), then
/// signs in with the right password and answers its status, which must be 429 when the
/// failures used up a key's free ones. The first wait is 1 s from the last failure, so the
/// answer says something only if the last failure and the right attempt fell within it; on
/// a machine stalled for longer (a loaded CI), the scenario starts again on a fresh server.
async fn edge_attempt(
    backend: Backend,
    failing: impl Fn(usize) -> Option<String>,
) -> reqwest::StatusCode {
    for _ in 0..5 {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account(NIC).await;
        let mut browser = Browser::new(&app);
        let mut last_failure = std::time::Instant::now();
        let mut i = 1;
        while let Some(name) = failing(i) {
            last_failure = std::time::Instant::now();
            let status = browser.sign_in(&name, WRONG).await.status();
            assert_eq!(status, 401, "{backend:?}: failure {i} is verified");
            i += 1;
        }
        // The right password now: refused without being checked.
        let response = browser.sign_in(NIC, &account.password).await;
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
            return response.status();
        }
        if last_failure.elapsed() < std::time::Duration::from_millis(900) {
            return response.status();
        }
    }
    panic!("{backend:?}: five tries, each stalled past the first wait: nothing was shown")
}

#[tokio::test]
async fn a_success_gives_the_address_its_attempt_back() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let account = app.create_account(NIC).await;
    let mut browser = Browser::new(&app);
    // 25 successful sign-ins from one address (an office behind a NAT) hold nobody up.
    for i in 1..=25 {
        let status = browser.sign_in(NIC, &account.password).await.status();
        assert_eq!(status, 303, "sign-in {i}");
    }
    assert_eq!(browser.sign_in("someone-else", WRONG).await.status(), 401);
}

/// A login form's POST of a wrong password for `name`, ready to send: the form's CSRF
/// cookie and field fetched first, so that only the POSTs themselves go at once.
async fn wrong_attempt(node: &TestApp, name: &str) -> reqwest::RequestBuilder {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client
        .get(format!("{}/console/login", node.base))
        .send()
        .await
        .unwrap();
    let cookie = form.headers()["set-cookie"].to_str().unwrap().to_owned();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let page = form.text().await.unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let csrf = page[start..].split('"').next().unwrap().to_owned();
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("_csrf", csrf.as_str()),
            ("name", name),
            ("password", WRONG),
        ])
        .finish();
    client
        .post(format!("{}/console/login", node.base))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
}

/// `n` wrong passwords for `name` sent at once to `nodes` in turn; the statuses.
async fn at_once(nodes: &[&TestApp], name: &str, n: usize) -> Vec<u16> {
    let mut ready = Vec::new();
    for i in 0..n {
        ready.push(wrong_attempt(nodes[i % nodes.len()], name).await);
    }
    let sent: Vec<_> = ready
        .into_iter()
        .map(|request| tokio::spawn(request.send()))
        .collect();
    let mut statuses = Vec::new();
    for attempt in sent {
        statuses.push(attempt.await.unwrap().unwrap().status().as_u16());
    }
    statuses
}

fn verified(statuses: &[u16]) -> usize {
    statuses.iter().filter(|s| **s == 401).count()
}

#[tokio::test]
async fn attempts_sent_at_once_are_not_all_verified() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        app.create_account(NIC).await;
        let statuses = at_once(&[&app], NIC, 40).await;
        assert!(
            (1..=5).contains(&verified(&statuses)),
            "{backend:?}: {statuses:?}"
        );
        // The others were refused at once: throttled (429) or, were every core verifying
        // already, busy (503). Nothing else.
        assert!(
            statuses.iter().all(|s| [401, 429, 503].contains(s)),
            "{statuses:?}"
        );
    }
}

#[tokio::test]
async fn two_nodes_on_one_database_share_the_counts() {
    if postgres_url().is_none() {
        eprintln!("NOTE: IAMD_TEST_POSTGRES_URL is not set: multi-node test skipped");
        return;
    }
    let first = TestApp::spawn(Backend::Postgres).await;
    let second = first
        .another_node(iamd::config::ConfigLayer::default())
        .await;
    let account = first.create_account(NIC).await;
    let (mut one, mut two) = (Browser::new(&first), Browser::new(&second));
    for i in 1..=5 {
        let browser = if i % 2 == 0 { &mut one } else { &mut two };
        assert_eq!(
            browser.sign_in(NIC, WRONG).await.status(),
            401,
            "failure {i}"
        );
    }
    // Each node saw fewer than 5 failures, yet both refuse the 6th.
    assert_eq!(one.sign_in(NIC, &account.password).await.status(), 429);
    assert_eq!(two.sign_in(NIC, &account.password).await.status(), 429);
    // Attempts sent at once to both nodes: still at most 5 verified for a fresh name.
    let statuses = at_once(&[&first, &second], "yy2222-ovh", 40).await;
    assert!((1..=5).contains(&verified(&statuses)), "{statuses:?}");
}
