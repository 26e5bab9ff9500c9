//! The installed package, smoke-tested: the `.deb` built by `tests/packaging.sh` is installed
//! with apt, and the binary it put on the system (`SCOPEBOOK_APP=/usr/bin/scopebook-app`) runs
//! the first-run screen, saves a service, and still has it after a restart.
//!
//! Run by `tests/packaging.sh` (part of the test command), which installs the package first and
//! removes it after; on its own it is ignored, as it needs the package installed.

use scopebook_e2e::{App, Result};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the .deb installed (tests/packaging.sh)"]
async fn the_installed_app_starts_saves_a_service_and_keeps_it() -> Result {
    let app_path = scopebook_e2e::app_binary();
    if !app_path.starts_with("/usr") {
        return Err(format!(
            "SCOPEBOOK_APP should name the installed binary, not {}",
            app_path.display()
        )
        .into());
    }
    let dir = tempfile::tempdir()?;
    let app = App::launch(dir.path()).await?;
    app.wait_for("[data-testid=first-run]").await?;
    app.type_into("#firm_name", "Harbour Bookkeeping").await?;
    app.select("#country", "AU").await?;
    app.click("[data-testid=get-started]").await?;
    app.wait_for_text("[data-testid=firm-name]", "Harbour Bookkeeping")
        .await?;

    app.click("[data-nav=services]").await?;
    app.click("[data-testid=new-service]").await?;
    app.type_into("input[name=name]", "Annual accounts").await?;
    app.type_into("input[name=price]", "1200").await?;
    app.click("[data-testid=save-service]").await?;
    app.wait_for_text("tr[data-service='Annual accounts']", "$1,200.00")
        .await?;
    app.screenshot("95-installed-app", "tr[data-service='Annual accounts']")
        .await?;

    let app = app.restart().await?;
    app.click("[data-nav=services]").await?;
    app.wait_for_text("tr[data-service='Annual accounts']", "$1,200.00")
        .await?;
    app.close().await
}
