//! The orders service on tracing with tracing-subscriber's JSON formatter.
//!
//! Each request runs in a `request` span carrying its request id; a panic
//! hook logs panics through `tracing::error!` with the message, location and
//! a captured backtrace (what the tracing-panic crate does), and the request
//! middleware catches the unwind and answers 500. Two checkouts hit one bug
//! (a SKU missing from the catalog: `Option::unwrap()` on `None` in
//! `Catalog::price_for`), one a quantity that does not parse (an error
//! returned, logged without a backtrace).

use std::backtrace::Backtrace;
use std::collections::HashMap;
use std::panic;
use std::time::{Duration, Instant};

use tracing::{error, info, info_span};

const SERVICE: &str = "orders";

struct Catalog {
    items: HashMap<&'static str, u64>,
}

impl Catalog {
    fn price_for(&self, sku: &str, qty: u64) -> u64 {
        let cents = self.items.get(sku).copied().unwrap();
        cents * qty
    }
}

fn read_order(body: &str) -> Result<(String, u64), std::num::ParseIntError> {
    let mut sku = String::new();
    let mut qty = 0;
    for kv in body.split('&') {
        match kv.split_once('=') {
            Some(("sku", v)) => sku = v.to_string(),
            Some(("qty", v)) => qty = v.parse()?,
            _ => {}
        }
    }
    Ok((sku, qty))
}

fn handle(cat: &Catalog, method: &str, path: &str, body: &str) -> (u16, String) {
    if method == "GET" {
        return if path.ends_with("/1042") { (200, r#"{"id":1042}"#.into()) } else { (404, r#"{"error":"not found"}"#.into()) };
    }
    match read_order(body) {
        Ok((sku, qty)) => (200, format!(r#"{{"total_cents":{}}}"#, cat.price_for(&sku, qty))),
        Err(e) => {
            error!(error = %e, "invalid order");
            (400, r#"{"error":"invalid order"}"#.into())
        }
    }
}

/// The id of the i-th request (0-based): a UUID-shaped id derived from it
/// (FNV-1a, then splitmix64 for two well-mixed halves; no hashing crate
/// needed), so this file has its own ids.
fn request_id(i: usize) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in format!("tracing/{i}").bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    let mut mix = || {
        h = h.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = h;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    };
    let x = format!("{:016x}{:016x}", mix(), mix());
    format!("{}-{}-{}-{}-{}", &x[0..8], &x[8..12], &x[12..16], &x[16..20], &x[20..32])
}

fn main() {
    tracing_subscriber::fmt().json().with_current_span(true).with_span_list(true).init();
    panic::set_hook(Box::new(|p| {
        let msg = p.payload().downcast_ref::<&str>().map(|s| s.to_string())
            .or_else(|| p.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let location = p.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())).unwrap_or_default();
        error!(panic.payload = %msg, panic.location = %location, panic.backtrace = %Backtrace::force_capture(), "A panic occurred");
    }));
    let cat = Catalog { items: HashMap::from([("SKU-1042", 1999), ("SKU-2001", 450)]) };
    let requests = [
        ("GET", "/api/orders/1042", "", "u-1017"),
        ("POST", "/api/checkout", "sku=SKU-1042&qty=2", "u-1017"),
        ("POST", "/api/checkout", "sku=SKU-9999&qty=1", "u-2231"), // price_for bug
        ("GET", "/api/orders/7", "", ""),
        ("POST", "/api/checkout", "sku=SKU-2001&qty=two", "u-3301"), // not a number
        ("POST", "/api/checkout", "sku=SKU-2001&qty=3", "u-2231"),
        ("POST", "/api/checkout", "sku=SKU-7777&qty=4", "u-4410"), // price_for bug
        ("GET", "/api/orders/1042", "", "u-3301"),
    ];
    info!(service = SERVICE, addr = "127.0.0.1:3000", "listening");
    for (i, (method, path, body, user)) in requests.iter().enumerate() {
        let span = info_span!("request", request_id = %request_id(i), method, path, service = SERVICE);
        let _enter = span.enter();
        let start = Instant::now();
        info!(user_id = user, "request started");
        let status = match panic::catch_unwind(panic::AssertUnwindSafe(|| handle(&cat, method, path, body))) {
            Ok((status, _)) => status,
            Err(_) => 500,
        };
        info!(status, duration_ms = start.elapsed().as_secs_f64() * 1000.0, "request completed");
        drop(_enter);
        std::thread::sleep(Duration::from_millis(3));
    }
}
