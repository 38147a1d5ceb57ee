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

    // An inventory with bad rows: each is named with its line and reason.
    let csv = tmp.path().join("cameras.csv");
    std::fs::write(
        &csv,
        "org,vendor,model,serial,ip\n\
         DEMO-STTTT,Hikvision,DS-2CD1023G0E-I,BROWSER-1,127.157.0.60\n\
         DEMO-STTTT,Dahua,IPC-HFW1230S,BROWSER-2,not-an-address\n\
         NOWHERE,Dahua,IPC-HFW1230S,BROWSER-3,127.157.0.61\n",
    )
    .unwrap();
    b.client.goto(&format!("{base}/import")).await.unwrap();
    b.client
        .find(Locator::Css("#i-org"))
        .await
        .unwrap()
        .select_by_value("DEMO-STTTT")
        .await
        .unwrap();
    b.client
        .find(Locator::Css("#i-file"))
        .await
        .unwrap()
        .send_keys(csv.to_str().unwrap())
        .await
        .unwrap();
    b.client
        .find(Locator::Css("form[action='/import'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_until("the import report", |src, _| {
        src.contains("class=\"rejected\"")
    })
    .await;
    let rejected = b
        .client
        .find(Locator::Css("table.rejected tbody"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        rejected.contains('3') && rejected.contains('4'),
        "{rejected}"
    );
    assert!(rejected.contains("not-an-address"), "{rejected}");
    assert!(rejected.contains("NOWHERE"), "{rejected}");
    b.shot("import-rejected-rows").await;

    // A scan of part of the demo fleet, launched from the page, watched until it is done.
    b.client.goto(&format!("{base}/scans")).await.unwrap();
    b.client
        .find(Locator::Css("#s-targets"))
        .await
        .unwrap()
        .send_keys("127.157.0.0/28")
        .await
        .unwrap();
    b.client
        .find(Locator::Css("form[action='/scans'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_until("the scan's page", |_, path| {
        path.strip_prefix("/scans/")
            .is_some_and(|id| id.parse::<u64>().is_ok())
    })
    .await;
    b.shot("scan-running").await;
    b.wait_until("the scan to finish", |src, _| {
        src.contains("class=\"state s-done\"")
    })
    .await;
    let progress = b
        .client
        .find(Locator::Css("#progress"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(progress.contains("hoàn tất"), "{progress}");
    b.shot("scan-done").await;

    // A camera with open findings: one marked fixed, another accepted until a date.
    b.client
        .goto(&format!("{base}/cameras?org=DEMO-STTTT&open=1"))
        .await
        .unwrap();
    b.client
        .find(Locator::Css("a[href^='/cameras/']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_until("a camera page", |src, _| {
        src.contains("class=\"card finding\"")
    })
    .await;
    let open: Vec<String> = {
        let mut ids = Vec::new();
        for f in b
            .client
            .find_all(Locator::Css("article.finding:has(form.accept)"))
            .await
            .unwrap()
        {
            ids.push(f.attr("id").await.unwrap().unwrap());
        }
        ids
    };
    assert!(open.len() >= 2, "a camera with two open findings: {open:?}");
    b.shot("camera").await;
    let (first, second) = (&open[0], &open[1]);
    b.client
        .find(Locator::Css(&format!(
            "#{first} form[action$='/fix'] button"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_until("the finding marked fixed", |src, _| {
        src.split(&format!("id=\"{first}\""))
            .nth(1)
            .is_some_and(|rest| {
                rest.split("</article>")
                    .next()
                    .is_some_and(|a| a.contains("s-fixed"))
            })
    })
    .await;
    let id = second.trim_start_matches("finding-");
    b.client
        .find(Locator::Css(&format!("#reason-{id}")))
        .await
        .unwrap()
        .send_keys("Camera nằm trong mạng nội bộ cách ly; thay thế trong quý 2")
        .await
        .unwrap();
    // A date input's typing order depends on the browser's locale: set its value.
    b.client
        .execute(
            &format!("document.getElementById('until-{id}').value = '2027-06-30';"),
            vec![],
        )
        .await
        .unwrap();
    b.client
        .find(Locator::Css(&format!("#{second} form.accept button")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_until("the risk accepted", |src, _| {
        src.split(&format!("id=\"{second}\""))
            .nth(1)
            .is_some_and(|rest| {
                rest.split("</article>")
                    .next()
                    .is_some_and(|a| a.contains("s-accepted") && a.contains("2027-06-30"))
            })
    })
    .await;
    b.shot("findings-fixed-and-accepted").await;

    // The unit's assessment report, downloaded as the browser would (same session).
    let got = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('/api/v1/reports/unit/DEMO-STTTT.pdf').then(r => r.arrayBuffer().then(b =>
               done([r.status, r.headers.get('content-type'),
                     String.fromCharCode(...new Uint8Array(b).slice(0, 5)), b.byteLength])));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(got[0], 200, "{got}");
    assert_eq!(got[1], "application/pdf", "{got}");
    assert_eq!(got[2], "%PDF-", "{got}");
    assert!(got[3].as_u64().unwrap() > 10_000, "{got}");

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
