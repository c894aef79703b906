//! Test sample: an HTTP server that answers every request with a greeting.
//! Built stripped; with `--features pad` 9 MiB of code padding precede its
//! code and strings.

#[cfg(feature = "pad")]
std::arch::global_asm!(
    ".section .text.unlikely.pad,\"axR\",@progbits",
    ".fill 9437184,1,0xcc",
    ".previous"
);

fn main() {
    let Ok(server) = tiny_http::Server::http("0.0.0.0:8080") else {
        return;
    };
    for request in server.incoming_requests() {
        let body = format!("hello {}\n", request.url());
        let _ = request.respond(tiny_http::Response::from_string(body));
    }
}
