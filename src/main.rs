//! The `ayni` binary: everything lives in the library so that tests use the same code.

use std::process::ExitCode;

fn main() -> ExitCode {
    ayni::cli::main()
}
