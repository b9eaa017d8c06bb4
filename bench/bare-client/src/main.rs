//! Sends `GET URL` with both keys for three seconds on two keep-alive connections,
//! in four ways: reqwest or hyper's connection API, on one thread (both
//! connections on one current-thread runtime) or on two (one connection each, as
//! `wrk -t 2 -c 2`), and prints the requests per second of each.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};

const RUN: Duration = Duration::from_secs(3);

#[derive(Clone)]
struct Target {
    url: String,
    subscription_key: String,
    api_key: String,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, subscription_key, api_key] = args.as_slice() else {
        eprintln!("usage: bare-client URL SUBSCRIPTION_KEY APIKEY");
        std::process::exit(2);
    };
    let target = Target {
        url: url.clone(),
        subscription_key: subscription_key.clone(),
        api_key: api_key.clone(),
    };
    for client in ["reqwest", "hyper"] {
        for threads in [1, 2] {
            let rate = if threads == 1 {
                on_one_thread(client, &target, 2)
            } else {
                let handles: Vec<_> = (0..threads)
                    .map(|_| {
                        let target = target.clone();
                        std::thread::spawn(move || on_one_thread(client, &target, 1))
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap_or(0.0)).sum()
            };
            println!("{client:8} {threads} thread(s), 2 connections: {rate:8.0} requests/s");
        }
    }
}

/// Runs `connections` loops on one current-thread runtime; their total rate.
fn on_one_thread(client: &str, target: &Target, connections: usize) -> f64 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        let started = Instant::now();
        let loops = (0..connections).map(|_| async {
            match client {
                "reqwest" => with_reqwest(target).await,
                _ => with_hyper(target).await,
            }
        });
        let sent: u64 = futures::future::join_all(loops).await.into_iter().sum();
        sent as f64 / started.elapsed().as_secs_f64()
    })
}

async fn with_reqwest(target: &Target) -> u64 {
    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .build()
        .expect("a client");
    let started = Instant::now();
    let mut sent = 0;
    while started.elapsed() < RUN {
        let answer = client
            .get(&target.url)
            .header("Ocp-Apim-Subscription-Key", &target.subscription_key)
            .header("Authorization", format!("Bearer {}", target.api_key))
            .send()
            .await
            .expect("an answer");
        answer.bytes().await.expect("a body");
        sent += 1;
    }
    sent
}

async fn with_hyper(target: &Target) -> u64 {
    let uri: hyper::Uri = target.url.parse().expect("a URL");
    let authority = uri.authority().expect("a host").to_string();
    let stream = tokio::net::TcpStream::connect(authority.as_str())
        .await
        .expect("a connection");
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let (mut sender, connection) = hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .expect("a handshake");
    tokio::task::spawn_local(connection);
    let path = uri.path_and_query().expect("a path").to_string();
    let started = Instant::now();
    let mut sent = 0;
    while started.elapsed() < RUN {
        let request = hyper::Request::get(path.as_str())
            .header("host", authority.as_str())
            .header("Ocp-Apim-Subscription-Key", &target.subscription_key)
            .header("Authorization", format!("Bearer {}", target.api_key))
            .body(Empty::new())
            .expect("a request");
        sender.ready().await.expect("a ready connection");
        let answer = sender.send_request(request).await.expect("an answer");
        answer.into_body().collect().await.expect("a body");
        sent += 1;
    }
    sent
}
