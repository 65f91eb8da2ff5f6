//! Throwaway servers for the scale-out tests (feature `test-support`): a PostgreSQL cluster and
//! an S3-compatible server (moto's, from PyPI), each on a free loopback port, each test its
//! own, stopped when dropped. Real servers, not mocks: the tests mean to find what PostgreSQL and
//! S3 really do with two intake processes at once.
//!
//! PostgreSQL: Debian's binaries (`/usr/lib/postgresql/<version>/bin`, never whatever else is on
//! the PATH), `initdb` into a temp folder and `pg_ctl start` listening on 127.0.0.1 and a unix
//! socket in that folder. PostgreSQL refuses to run as root, so as root (CI) both run as the
//! `postgres` user that Debian's package creates (`runuser`), and the folder is given to it.
//!
//! moto: `moto_server` from `.tools/moto` (`make test` installs it; `ENROLL_MOTO_SERVER` names
//! another), one bucket made with a plain `PUT`, as moto takes any credentials.
//!
//! Missing either is a failure that says `make test` installs it, never a skipped test.

use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::ScaleOutConfig;

/// The bucket every test's moto holds.
pub const BUCKET: &str = "enroll-intake-test";

/// A PostgreSQL cluster and a moto server, both stopped when dropped.
pub struct ScaleOutServices {
    postgres: Postgres,
    moto: Moto,
}

impl ScaleOutServices {
    /// Starts both. Panics with what to do when one is not installed or does not start.
    pub fn start() -> ScaleOutServices {
        let postgres = Postgres::start();
        let moto = Moto::start();
        ScaleOutServices { postgres, moto }
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub fn database_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.postgres.port)
    }

    /// `s3://<BUCKET>`.
    pub fn objects_url(&self) -> String {
        format!("s3://{BUCKET}")
    }

    /// `http://127.0.0.1:<port>`: moto's endpoint, for looking into the bucket.
    pub fn objects_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.moto.port)
    }

    /// The `AWS_*` variables an intake process needs to reach moto.
    pub fn aws_env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", self.objects_endpoint()),
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
    }

    /// A configuration for an intake in this process (the `AWS_*` settings passed in, not read
    /// from this process's environment).
    pub fn config(&self) -> ScaleOutConfig {
        let mut config = ScaleOutConfig::from_urls(&self.database_url(), &self.objects_url())
            .expect("the test services' locations are valid");
        config.aws_settings = self.aws_env();
        config
    }

    /// The names of the objects under `prefix` in the bucket (moto's ListObjectsV2, read as
    /// text: the tests look, they do not parse S3).
    pub fn object_names(&self, prefix: &str) -> Vec<String> {
        let (status, body) = http(
            self.moto.port,
            "GET",
            &format!("/{BUCKET}?list-type=2&max-keys=10000&prefix={prefix}"),
        );
        assert_eq!(status, 200, "listing the bucket: {body}");
        body.split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split("</Key>").next())
            .map(str::to_owned)
            .collect()
    }

    /// The rows `sql` selects, each as its columns joined with `|` (psql's unaligned output):
    /// what the tests assert of the database, read as an operator would.
    pub fn query(&self, sql: &str) -> Vec<String> {
        let port = self.postgres.port.to_string();
        let output = Command::new(self.postgres.bin.join("psql"))
            .args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-d", "postgres"])
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .output()
            .expect("running psql");
        assert!(
            output.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// An object's bytes, read as an intake reads them (moto refuses unsigned reads).
    pub async fn object(&self, key: &str) -> Vec<u8> {
        use object_store::ObjectStore as _;
        let mut builder = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(BUCKET)
            .with_allow_http(true);
        for (name, value) in self.aws_env() {
            builder = builder.with_config(name.to_ascii_lowercase().parse().unwrap(), value);
        }
        let store = builder.build().unwrap();
        let path = object_store::path::Path::from(key);
        match store.get(&path).await {
            Ok(found) => found.bytes().await.unwrap().to_vec(),
            Err(error) => panic!("reading {key}: {error}"),
        }
    }
}

struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres_user: bool,
}

impl Postgres {
    fn start() -> Postgres {
        let bin = postgres_bindir();
        let as_postgres_user = is_root();
        let dir = tempfile::Builder::new()
            .prefix("enroll-pg-")
            .tempdir()
            .expect("a temp folder for PostgreSQL");
        if as_postgres_user {
            let (uid, gid) = postgres_user();
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("giving the temp folder to postgres");
        }
        let mut postgres = Postgres {
            dir,
            bin,
            port: 0,
            as_postgres_user,
        };
        let data = postgres.data();
        if let Err(failure) = postgres.run(
            "initdb",
            &["-D", &data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"],
        ) {
            panic!("{failure}");
        }
        let log = postgres.dir.path().join("postgres.log").display().to_string();
        // A free port can be taken by another test between the look and the bind: a few tries.
        for attempt in 1..=3 {
            postgres.port = free_port();
            let options = format!(
                "-c listen_addresses=127.0.0.1 -p {} -k {} -c max_connections=60",
                postgres.port,
                postgres.dir.path().display()
            );
            match postgres.run(
                "pg_ctl",
                &["-D", &data, "-l", &log, "-o", &options, "-w", "-t", "60", "start"],
            ) {
                Ok(()) => return postgres,
                Err(failure) if attempt == 3 => panic!("{failure}"),
                Err(_) => continue,
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program).args(args);
            command
        } else {
            let mut command = Command::new(program);
            command.args(args);
            command
        }
    }

    /// Runs one of PostgreSQL's programs; what it and the server's log said when it failed.
    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let output = self
            .command(program, args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|error| panic!("cannot run {program}: {error}"));
        if output.status.success() {
            return Ok(());
        }
        let log = std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default();
        Err(format!(
            "{program} failed: {}\n{}\n{log}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .command("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Debian's PostgreSQL binaries, the newest version installed.
fn postgres_bindir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL's server is not installed (no /usr/lib/postgresql/<version>/bin/initdb): \
             `make test` installs it (Debian package postgresql); the scale-out tests need it"
        ),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// The uid and gid of the `postgres` user.
fn postgres_user() -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let output = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .expect("running id");
        assert!(
            output.status.success(),
            "there is no user postgres to run PostgreSQL as (root may not): `make test` installs the \
             Debian package postgresql, which creates it"
        );
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .expect("a numeric id")
    };
    (id("-u"), id("-g"))
}

struct Moto {
    child: Child,
    port: u16,
    _log_dir: tempfile::TempDir,
}

impl Moto {
    fn start() -> Moto {
        let program = std::env::var_os("ENROLL_MOTO_SERVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/moto/bin/moto_server"));
        assert!(
            program.is_file(),
            "moto's S3 server is not installed ({} is missing): `make test` installs it (moto from \
             PyPI into .tools/moto); the scale-out tests need it",
            program.display()
        );
        // A free port can be taken by another test between the look and the bind: a few tries.
        let mut attempt = 0;
        let moto = loop {
            attempt += 1;
            match Moto::spawn(&program) {
                Ok(moto) => break moto,
                Err(failure) if attempt == 3 => panic!("{failure}"),
                Err(_) => continue,
            }
        };
        let port = moto.port;
        let (status, body) = http(port, "PUT", &format!("/{BUCKET}"));
        assert_eq!(status, 200, "creating the bucket in moto: {body}");
        moto
    }
}

impl Moto {
    /// One moto_server on a free port, once it listens; what its log said when it stopped.
    fn spawn(program: &Path) -> Result<Moto, String> {
        let log_dir = tempfile::tempdir().expect("a temp folder for moto's log");
        let log = std::fs::File::create(log_dir.path().join("moto.log")).expect("moto's log");
        let port = free_port();
        let child = Command::new(program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("moto's log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", program.display()));
        let mut moto = Moto {
            child,
            port,
            _log_dir: log_dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = moto.child.try_wait() {
                let log = std::fs::read_to_string(moto._log_dir.path().join("moto.log")).unwrap_or_default();
                return Err(format!("moto_server stopped at start ({status}):\n{log}"));
            }
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                return Ok(moto);
            }
            assert!(Instant::now() < deadline, "moto_server did not listen within 60 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

fn http(port: u16, method: &str, path: &str) -> (u16, String) {
    let (status, body) = http_bytes(port, method, path);
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// One HTTP/1.1 request with no body to moto, the answer read to its end.
fn http_bytes(port: u16, method: &str, path: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connecting to moto");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("writing to moto");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("reading moto's answer");
    let split = answer
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let mut body = answer[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    (status, body)
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = body.windows(2).position(|window| window == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&body[..line_end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&body[start..start + size]);
        body = &body[start + size + 2..];
    }
    out
}
