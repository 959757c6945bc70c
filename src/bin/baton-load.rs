//! `baton-load`: the HTTP/1.1 load generator of `scripts/bench`. Lean on purpose, because it
//! shares the machine with the server it measures: each connection is a task writing
//! pre-built request bytes over keep-alive and reading just enough of each answer (status
//! line, `content-length`, body) to time it. It prints one JSON object: requests, seconds,
//! rate, latency percentiles and the count of each status.
//!
//! A body is the same for every request (`--body`), or taken once each from a file of one body
//! per line (`--bodies`, for single-use values such as ID-JAGs). `--abandon` instead opens a
//! connection per request and hangs up at a random point (mid-headers, mid-body or while the
//! handler runs), the disconnect round of the benchmark.

// Counts and rates are far below 2^52; their f64 conversions are exact.
#![allow(clippy::cast_precision_loss)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Args {
    addr: String,
    path: String,
    headers: Vec<String>,
    bodies: Vec<String>,
    reuse_body: bool,
    connections: usize,
    seconds: f64,
    abandon: bool,
    /// Where to write the `access_token` of each 200 (the ID-JAGs of a leg-1 run).
    save: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        addr: String::new(),
        path: String::new(),
        headers: Vec::new(),
        bodies: Vec::new(),
        reuse_body: true,
        connections: 32,
        seconds: 10.0,
        abandon: false,
        save: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => {
                let url = value()?;
                let rest = url.strip_prefix("http://").ok_or("only http:// URLs")?;
                let (host, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
                host.clone_into(&mut args.addr);
                args.path = path;
            }
            "--header" => args.headers.push(value()?),
            "--body" => args.bodies = vec![value()?],
            "--bodies" => {
                let text = std::fs::read_to_string(value()?).map_err(|e| e.to_string())?;
                args.bodies = text.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect();
                args.reuse_body = false;
            }
            "--connections" => args.connections = value()?.parse().map_err(|_| "bad --connections")?,
            "--seconds" => args.seconds = value()?.parse().map_err(|_| "bad --seconds")?,
            "--abandon" => args.abandon = true,
            "--save" => args.save = Some(value()?),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if args.addr.is_empty() || args.bodies.is_empty() {
        return Err("usage: baton-load --url http://HOST:PORT/PATH (--body B | --bodies FILE) [--header H]… \
                    [--connections N] [--seconds S] [--abandon]"
            .into());
    }
    Ok(args)
}

fn request(args: &Args, body: &str) -> Vec<u8> {
    let mut head = format!("POST {} HTTP/1.1\r\nhost: {}\r\n", args.path, args.addr);
    for h in &args.headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("content-type: application/x-www-form-urlencoded\r\n");
    head.push_str("content-length: ");
    head.push_str(&body.len().to_string());
    head.push_str("\r\n\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// Reads one response from `stream` (keeping what follows in `buf`): its status code, and its
/// body's `access_token` when `keep` asks for it.
async fn response(stream: &mut TcpStream, buf: &mut Vec<u8>, keep: bool) -> std::io::Result<(u16, Option<String>)> {
    let mut chunk = [0u8; 16 * 1024];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let length: usize =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    while buf.len() < end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let token = if keep && status == 200 { access_token(&buf[end..end + length]) } else { None };
    buf.drain(..end + length);
    Ok((status, token))
}

fn access_token(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("\"access_token\":\"")? + 16;
    let len = text[start..].find('"')?;
    Some(text[start..start + len].to_owned())
}

struct Shared {
    args: Args,
    next_body: AtomicUsize,
    deadline: Instant,
}

impl Shared {
    fn body(&self) -> Option<&str> {
        if self.args.reuse_body {
            return Some(&self.args.bodies[0]);
        }
        let i = self.next_body.fetch_add(1, Ordering::Relaxed);
        self.args.bodies.get(i).map(String::as_str)
    }
}

/// What one connection saw.
#[derive(Default)]
struct Seen {
    latencies_us: Vec<u32>,
    statuses: Vec<u16>,
    errors: u32,
    tokens: Vec<String>,
}

/// One keep-alive connection.
async fn worker(shared: Arc<Shared>) -> Seen {
    let mut seen = Seen::default();
    let keep = shared.args.save.is_some();
    let mut stream = None;
    let mut buf = Vec::new();
    while Instant::now() < shared.deadline {
        let Some(body) = shared.body() else { break };
        let bytes = request(&shared.args, body);
        if stream.is_none() {
            if let Ok(s) = TcpStream::connect(&shared.args.addr).await {
                let _ = s.set_nodelay(true);
                stream = Some(s);
                buf.clear();
            } else {
                seen.errors += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        }
        let s = stream.as_mut().expect("connected above");
        let started = Instant::now();
        let answered = match s.write_all(&bytes).await {
            Ok(()) => Box::pin(response(s, &mut buf, keep)).await,
            Err(e) => Err(e),
        };
        if let Ok((status, token)) = answered {
            seen.latencies_us.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
            seen.statuses.push(status);
            seen.tokens.extend(token);
        } else {
            seen.errors += 1;
            stream = None;
        }
    }
    seen
}

/// One request on a fresh connection, abandoned at a random point.
async fn abandon(shared: Arc<Shared>, seed: u64) -> u32 {
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407) | 1;
    let mut sent = 0;
    while Instant::now() < shared.deadline {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let Some(body) = shared.body() else { break };
        let bytes = request(&shared.args, body);
        let Ok(mut s) = TcpStream::connect(&shared.args.addr).await else { continue };
        let cut = (x as usize) % (bytes.len() + 1);
        let _ = s.write_all(&bytes[..cut]).await;
        tokio::time::sleep(Duration::from_micros(x % 3000)).await;
        drop(s);
        sent += 1;
    }
    sent
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("baton-load: {e}");
            std::process::exit(2);
        }
    };
    let (connections, abandoning) = (args.connections, args.abandon);
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(args.seconds);
    let shared = Arc::new(Shared { args, next_body: AtomicUsize::new(0), deadline });
    if abandoning {
        let tasks: Vec<_> = (0..connections).map(|i| tokio::spawn(abandon(shared.clone(), i as u64 + 1))).collect();
        let mut sent = 0;
        for t in tasks {
            sent += t.await.unwrap_or(0);
        }
        println!("{{\"abandoned\":{sent},\"seconds\":{:.3}}}", started.elapsed().as_secs_f64());
        return;
    }
    let tasks: Vec<_> = (0..connections).map(|_| tokio::spawn(worker(shared.clone()))).collect();
    let (mut latencies, mut statuses, mut errors, mut tokens) = (Vec::new(), Vec::new(), 0, Vec::new());
    for t in tasks {
        if let Ok(seen) = t.await {
            latencies.extend(seen.latencies_us);
            statuses.extend(seen.statuses);
            errors += seen.errors;
            tokens.extend(seen.tokens);
        }
    }
    if let Some(path) = &shared.args.save {
        if let Err(e) = std::fs::write(path, tokens.join("\n")) {
            eprintln!("baton-load: {path}: {e}");
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let mut counts = std::collections::BTreeMap::new();
    for s in &statuses {
        *counts.entry(*s).or_insert(0u64) += 1;
    }
    let counts: Vec<String> = counts.iter().map(|(s, n)| format!("\"{s}\":{n}")).collect();
    println!(
        "{{\"requests\":{},\"seconds\":{seconds:.3},\"rate\":{:.1},\"p50_ms\":{:.2},\"p99_ms\":{:.2},\"max_ms\":{:.2},\
         \"errors\":{errors},\"status\":{{{}}}}}",
        latencies.len(),
        latencies.len() as f64 / seconds,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().map_or(0.0, |m| f64::from(*m) / 1000.0),
        counts.join(",")
    );
}
