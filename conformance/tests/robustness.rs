//! The suite never panics or hangs, whatever a server sends: garbage, huge or
//! endless bodies, invalid UTF-8, closed connections, silence.

use std::time::Duration;

use reqwest::Method;
use smartservice_conformance::http::{Http, RawRequest, TransportError};
use smartservice_conformance::{Config, TargetConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What a misbehaving server does with every connection.
#[derive(Clone, Copy, Debug)]
enum Misbehaviour {
    Garbage,
    HugeBody,
    EndlessBody,
    InvalidUtf8Json,
    CloseAtOnce,
    Silence,
    LyingContentLength,
    /// A valid answer, then the connection closed without saying so.
    CloseAfterAnswer,
}

async fn serve(misbehaviour: Misbehaviour) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let _ = socket.read(&mut buffer).await;
                let _ = match misbehaviour {
                    Misbehaviour::Garbage => socket.write_all(b"\x00\xffNOT HTTP AT ALL\r\n\r\n").await,
                    Misbehaviour::HugeBody => {
                        let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 67108864\r\n\r\n";
                        let _ = socket.write_all(head).await;
                        let chunk = vec![b'['; 65536];
                        for _ in 0..1024 {
                            if socket.write_all(&chunk).await.is_err() {
                                break;
                            }
                        }
                        Ok(())
                    }
                    Misbehaviour::EndlessBody => {
                        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").await;
                        loop {
                            if socket.write_all(b"1\r\n[\r\n").await.is_err() {
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                        Ok(())
                    }
                    Misbehaviour::InvalidUtf8Json => {
                        socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 6\r\n\r\n[\"\xff\xfe\"]").await
                    }
                    Misbehaviour::CloseAtOnce => Ok(()),
                    Misbehaviour::Silence => {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        Ok(())
                    }
                    Misbehaviour::LyingContentLength => {
                        socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[]").await
                    }
                    Misbehaviour::CloseAfterAnswer => {
                        socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]").await
                    }
                };
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn every_misbehaviour_ends_in_a_clear_transport_error_or_a_judged_response() {
    for misbehaviour in [
        Misbehaviour::Garbage,
        Misbehaviour::HugeBody,
        Misbehaviour::EndlessBody,
        Misbehaviour::InvalidUtf8Json,
        Misbehaviour::CloseAtOnce,
        Misbehaviour::Silence,
        Misbehaviour::LyingContentLength,
        Misbehaviour::CloseAfterAnswer,
    ] {
        let url = serve(misbehaviour).await;
        let http = Http::new(&url, Duration::from_millis(500), 1024 * 1024).unwrap();
        let result = http.send(&RawRequest::new(Method::GET, "/processes")).await;
        match (misbehaviour, result) {
            (Misbehaviour::HugeBody, Err(TransportError::BodyTooLarge(limit))) => {
                assert_eq!(limit, 1024 * 1024)
            }
            (
                Misbehaviour::EndlessBody
                | Misbehaviour::Silence
                | Misbehaviour::LyingContentLength,
                Err(TransportError::Timeout(_) | TransportError::Protocol(_)),
            ) => {}
            (
                Misbehaviour::Garbage | Misbehaviour::CloseAtOnce,
                Err(TransportError::Protocol(message)),
            ) => assert!(!message.is_empty()),
            (Misbehaviour::CloseAfterAnswer, Ok(response)) => assert_eq!(response.status, 200),
            (Misbehaviour::InvalidUtf8Json, Ok(response)) => {
                assert_eq!(response.status, 200);
                assert!(response.json().unwrap_err().contains("not JSON"));
                assert!(!response.body_excerpt(10).is_empty());
            }
            (m, other) => panic!("{m:?}: unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_kept_alive_connection_the_server_closed_is_replaced() {
    send_twenty_to_a_server_that_closes_after_each_answer().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_alive_connection_the_server_closed_is_replaced_on_many_threads() {
    send_twenty_to_a_server_that_closes_after_each_answer().await;
}

async fn send_twenty_to_a_server_that_closes_after_each_answer() {
    let url = serve(Misbehaviour::CloseAfterAnswer).await;
    let http = Http::new(&url, Duration::from_secs(2), 1024).unwrap();
    for attempt in 0..20 {
        let response = http
            .send(&RawRequest::new(Method::GET, "/processes"))
            .await
            .unwrap_or_else(|e| panic!("request {attempt}: {e}"));
        assert_eq!(response.status, 200);
        if attempt % 2 == 0 {
            // Give the connection's task time to see the close, or not.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_run_against_garbage_is_a_clear_setup_error() {
    for misbehaviour in [
        Misbehaviour::Garbage,
        Misbehaviour::Silence,
        Misbehaviour::InvalidUtf8Json,
    ] {
        let url = serve(misbehaviour).await;
        let config = Config {
            target: TargetConfig::Remote {
                base_url: url,
                subscription_key: "key-of-a-test".into(),
                api_key: None,
                control_url: None,
            },
            timeout: Duration::from_millis(300),
            progress: smartservice_conformance::progress::ProgressMode::Quiet,
            ..Config::default()
        };
        let error = smartservice_conformance::run(config)
            .await
            .expect_err("no vendor can be registered");
        assert!(
            error.0.contains("cannot register the suite's vendor"),
            "{misbehaviour:?}: {error}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_target_says_what_to_fix() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let config = Config {
        target: TargetConfig::Remote {
            base_url: url,
            subscription_key: "k".into(),
            api_key: None,
            control_url: None,
        },
        progress: smartservice_conformance::progress::ProgressMode::Quiet,
        ..Config::default()
    };
    let error = smartservice_conformance::run(config).await.unwrap_err();
    assert!(
        error.0.contains("cannot reach") && error.0.contains("is the server running"),
        "{error}"
    );
}

#[cfg(not(feature = "tls"))]
#[tokio::test]
async fn an_https_target_in_a_build_without_tls_says_how_to_rebuild() {
    let config = Config {
        target: TargetConfig::Remote {
            base_url: "https://127.0.0.1:1".into(),
            subscription_key: "k".into(),
            api_key: None,
            control_url: None,
        },
        progress: smartservice_conformance::progress::ProgressMode::Quiet,
        ..Config::default()
    };
    let error = smartservice_conformance::run(config).await.unwrap_err();
    assert!(error.0.contains("--features tls"), "{error}");
}

#[tokio::test]
async fn garbage_on_a_reused_connection_is_reported_not_retried_away() {
    // A server whose second answer on a kept-alive connection is broken (and
    // whose fresh connections all answer well): a defect to report, not a
    // closed connection to retry.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let mut answered = 0;
                while let Ok(n) = socket.read(&mut buffer).await {
                    if n == 0 {
                        return;
                    }
                    let answer: &[u8] = if answered == 0 {
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]"
                    } else {
                        b"\x00\xffNOT HTTP AT ALL\r\n\r\n"
                    };
                    answered += 1;
                    if socket.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let http = Http::new(&format!("http://{addr}"), Duration::from_secs(2), 1024).unwrap();
    let first = http.send(&RawRequest::new(Method::GET, "/processes")).await;
    assert_eq!(first.unwrap().status, 200);
    let second = http.send(&RawRequest::new(Method::GET, "/processes")).await;
    assert!(
        matches!(second, Err(TransportError::Protocol(_))),
        "{second:?}"
    );
}
