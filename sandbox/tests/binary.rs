//! `ssp-sandbox` as a user runs it: it prints its URL, forms URL and development
//! key, keeps acknowledged writes across a kill (`--db`), and stops on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

struct Running {
    child: Child,
    base: String,
    key: Option<String>,
}

fn start(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ssp-sandbox"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ssp-sandbox starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let (mut base, mut key, mut forms) = (None, None, None);
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(url) = line.trim().strip_prefix("API:") {
            base = Some(url.trim().to_string());
        }
        if let Some(url) = line.trim().strip_prefix("forms:") {
            forms = Some(url.trim().to_string());
        }
        if let Some(k) = line.trim().strip_prefix("development subscription key:") {
            key = Some(k.trim().to_string());
        }
        if line.starts_with("Stop with") {
            break;
        }
    }
    let base = base.expect("the API URL is printed");
    assert_eq!(forms.as_deref(), Some(format!("{base}/forms").as_str()));
    Running { child, base, key }
}

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

#[test]
fn prints_a_development_key_that_works() {
    let mut run = start(&[]);
    let key = run.key.clone().expect("a development key is printed");
    let answer = http()
        .get(format!("{}/processes", run.base))
        .header("Ocp-Apim-Subscription-Key", &key)
        .send()
        .unwrap();
    assert_eq!(answer.status(), 200);
    let _ = run.child.kill();
    let _ = run.child.wait();
}

#[cfg(unix)]
#[test]
fn acknowledged_writes_survive_a_kill_and_sigterm_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    let db = db.to_str().unwrap();
    let args = ["--db", db, "--subscription-key", "k1"];
    let mut run = start(&args);
    assert!(run.key.is_none(), "a configured key is not printed");
    let client = http();
    let vendor: Value = client
        .post(format!("{}/vendorregistration", run.base))
        .header("Ocp-Apim-Subscription-Key", "k1")
        .json(&json!({"providerName": "Kill AG"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let task: Value = client
        .post(format!("{}/sandbox/tasks", run.base))
        .header("Ocp-Apim-Subscription-Key", "k1")
        .json(&json!({"processId": 7310, "municipalityId": 1}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    run.child.kill().unwrap(); // SIGKILL: no chance to flush anything
    run.child.wait().unwrap();

    let mut run = start(&args);
    let apikey = vendor["apikey"].as_str().unwrap();
    let me = client
        .get(format!("{}/vendorregistration", run.base))
        .header("Ocp-Apim-Subscription-Key", "k1")
        .header("Authorization", format!("Bearer {apikey}"))
        .send()
        .unwrap();
    assert_eq!(me.status(), 200);
    let me: Value = me.json().unwrap();
    assert_eq!(me[0]["providerName"], "Kill AG");
    let again = client
        .get(format!("{}/sandbox/tasks/{}", run.base, task["uniqueId"]))
        .header("Ocp-Apim-Subscription-Key", "k1")
        .send()
        .unwrap();
    assert_eq!(again.status(), 200);

    // SIGTERM: a clean stop.
    let pid = run.child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let mut exited = None;
    for _ in 0..100 {
        if let Some(code) = run.child.try_wait().unwrap() {
            exited = Some(code);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let code = exited.expect("ssp-sandbox stops on SIGTERM");
    assert!(code.success(), "{code:?}");
}
