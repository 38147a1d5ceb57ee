//! The dashboard in a real browser: Debian's `chromium`, headless, driven through Debian's
//! `chromedriver` (WebDriver, fantoccini) on loopback, against `camguard demo` (the README's
//! first command) on its own fleet (127.157.0.0/26). Screenshots of every step are written to
//! `target/browser-artefacts/` (kept as test artefacts).
//!
//! chromium and chromedriver are installed by `scripts/install-test-deps`; without them the test
//! says so and passes, unless `CI` or `CAMGUARD_REQUIRE_BROWSER` is set, when it fails.

use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Browser {
    driver: Child,
    client: Client,
    _profile: tempfile::TempDir,
    shots: PathBuf,
    step: usize,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn required() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
        || std::env::var_os("CAMGUARD_REQUIRE_BROWSER").is_some()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// chromedriver on a free loopback port and one headless chromium session with a fresh
/// profile; `None` when they are not installed (and not required).
async fn browser(name: &str) -> Option<Browser> {
    if !(Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()) {
        assert!(
            !required(),
            "{CHROMIUM} and {CHROMEDRIVER} are needed (scripts/install-test-deps installs them)"
        );
        eprintln!("browser test skipped: chromium or chromedriver is not installed");
        return None;
    }
    let port = free_port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let client = loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => break c,
            Err(e) => {
                assert!(Instant::now() < deadline, "chromedriver: {e}");
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
    };
    let shots = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/browser-artefacts")
        .join(name);
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    Some(Browser {
        driver,
        client,
        _profile: profile,
        shots,
        step: 0,
    })
}

impl Browser {
    /// A screenshot of the page as it is now, numbered in order.
    async fn shot(&mut self, what: &str) {
        self.step += 1;
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{:02}-{what}.png", self.step)), png).unwrap();
    }

    async fn source(&self) -> String {
        self.client.source().await.unwrap()
    }

    /// Sign in through the login form; the page after it.
    async fn login(&mut self, base: &str, user: &str, password: &str) {
        let c = &self.client;
        // A fresh start: no session of the previous account.
        c.goto(&format!("{base}/login")).await.unwrap();
        c.delete_all_cookies().await.unwrap();
        c.goto(&format!("{base}/login")).await.unwrap();
        c.find(Locator::Css("#username"))
            .await
            .unwrap()
            .send_keys(user)
            .await
            .unwrap();
        c.find(Locator::Css("#password"))
            .await
            .unwrap()
            .send_keys(password)
            .await
            .unwrap();
        c.find(Locator::Css("form[action='/login'] button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        self.wait_until("signed in", |src, path| {
            !path.starts_with("/login") && src.contains("/logout")
        })
        .await;
        self.shot(&format!("signed-in-{user}")).await;
    }

    /// Wait (up to 60 s) until the page satisfies `ok(source, path)`.
    async fn wait_until(&self, what: &str, ok: impl Fn(&str, &str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let src = self.source().await;
            let path = self.client.current_url().await.unwrap().path().to_string();
            if ok(&src, &path) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} on {path}: {src}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// `camguard` against the demo registry (adding an organisation and an account beside the
/// running demo).
fn cli(db: &Path, args: &[&str], stdin: Option<&str>) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_camguard"))
        .args(args)
        .arg("--database")
        .arg(db)
        .env("CAMGUARD_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "camguard {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_and_regulators_use_the_dashboard_in_a_browser() {
    let Some(mut b) = browser("dashboard").await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (mut demo, addr, accounts) = super::demo::start_demo("127.157.0.0", 64, tmp.path());
    let base = format!("http://{addr}");
    let db = tmp.path().join("camguard-demo").join("registry.db");
    let account = |role: &str| {
        accounts
            .iter()
            .find(|a| a.0 == role)
            .map(|a| (a.1.clone(), a.2.clone()))
            .unwrap()
    };

    // The login page speaks Vietnamese by default.
    b.client.goto(&format!("{base}/login")).await.unwrap();
    let src = b.source().await;
    assert!(src.contains("lang=\"vi\""), "{src}");
    b.shot("login").await;

    // The unit officer sees its unit.
    let (user, pw) = account("unit");
    b.login(&base, &user, &pw).await;
    b.client
        .goto(&format!("{base}/units/DEMO-STTTT"))
        .await
        .unwrap();
    b.wait_until("the unit page", |src, _| src.contains("DEMO-CCTV"))
        .await;
    b.shot("unit-page").await;

    // The regulator sees that unit in the province matrix.
    let (user, pw) = account("regulator");
    b.login(&base, &user, &pw).await;
    b.client.goto(&format!("{base}/overview")).await.unwrap();
    b.wait_until("the province matrix", |src, _| src.contains("DEMO-STTTT"))
        .await;
    b.shot("province-overview").await;

    // Another unit's officer is refused that unit (404, as if it did not exist).
    cli(
        &db,
        &[
            "org",
            "add",
            "DEMO-OTHER",
            "--name",
            "Đơn vị khác",
            "--parent",
            "DEMO",
            "--kind",
            "unit",
        ],
        None,
    );
    cli(
        &db,
        &[
            "user",
            "add",
            "other.unit",
            "--role",
            "unit",
            "--org",
            "DEMO-OTHER",
            "--password-stdin",
        ],
        Some("Mot-mat-khau-rat-dai-2026\n"),
    );
    b.login(&base, "other.unit", "Mot-mat-khau-rat-dai-2026")
        .await;
    b.client
        .goto(&format!("{base}/units/DEMO-STTTT"))
        .await
        .unwrap();
    let src = b.source().await;
    assert!(!src.contains("DEMO-CCTV"), "{src}");
    assert!(src.contains("404"), "{src}");
    b.shot("other-unit-refused").await;

    let _ = b.client.clone().close().await;
    assert_eq!(super::serve::signal(demo.id(), "TERM"), 0);
    assert!(demo.wait().unwrap().success());
}
