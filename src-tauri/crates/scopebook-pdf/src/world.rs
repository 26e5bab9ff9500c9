//! The typst `World` the proposal is compiled in: a closed, in-memory world with the template as
//! its only source, the proposal data as `/data.json`, the logo as `/logo.png` or `/logo.jpg`, and
//! fonts shipped inside this crate. Nothing is read from disk or the system, so a PDF comes out the
//! same on every machine.
//!
//! What costs time to prepare (parsing fonts, building the standard library, parsing the template)
//! is done once per process in [`ASSETS`]; a render only wraps the per-document bytes.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::document::LogoFormat;

const TEMPLATE: &str = include_str!("../templates/proposal.typ");
const REPORT_TEMPLATE: &str = include_str!("../templates/report.typ");

/// Which template a world compiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Main {
    Proposal,
    Report,
}

/// Inter (SIL Open Font License 1.1, see `fonts/LICENSE-Inter.txt`) is the document's face;
/// typst-assets' fonts follow as fallbacks for glyphs Inter lacks.
const INTER: [&[u8]; 5] = [
    include_bytes!("../fonts/Inter-Regular.otf"),
    include_bytes!("../fonts/Inter-Italic.otf"),
    include_bytes!("../fonts/Inter-Medium.otf"),
    include_bytes!("../fonts/Inter-SemiBold.otf"),
    include_bytes!("../fonts/Inter-Bold.otf"),
];

/// Everything that is the same for every render.
pub(crate) struct Assets {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    report: Source,
    data_id: FileId,
    logo_png_id: FileId,
    logo_jpeg_id: FileId,
}

/// Prepared on first use. A failure here is a bug in this crate (a bad virtual path), reported
/// as an error rather than a panic.
pub(crate) static ASSETS: LazyLock<Result<Assets, String>> = LazyLock::new(Assets::load);

impl Assets {
    fn load() -> Result<Self, String> {
        let fonts: Vec<Font> = INTER
            .into_iter()
            .chain(typst_assets::fonts())
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        let main_id = file_id("/proposal.typ")?;
        let report_id = file_id("/report.typ")?;
        Ok(Self {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            main: Source::new(main_id, TEMPLATE.to_owned()),
            report: Source::new(report_id, REPORT_TEMPLATE.to_owned()),
            data_id: file_id("/data.json")?,
            logo_png_id: file_id("/logo.png")?,
            logo_jpeg_id: file_id("/logo.jpg")?,
        })
    }

    /// The path the template reads the logo from.
    pub(crate) fn logo_path(format: LogoFormat) -> &'static str {
        match format {
            LogoFormat::Png => "/logo.png",
            LogoFormat::Jpeg => "/logo.jpg",
        }
    }

    fn logo_id(&self, format: LogoFormat) -> FileId {
        match format {
            LogoFormat::Png => self.logo_png_id,
            LogoFormat::Jpeg => self.logo_jpeg_id,
        }
    }
}

fn file_id(path: &str) -> Result<FileId, String> {
    let vpath =
        VirtualPath::new(path).map_err(|err| format!("bad virtual path {path}: {err:?}"))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One document's world: the shared assets, the template it compiles, and this document's data
/// and logo.
pub(crate) struct DocWorld<'a> {
    assets: &'a Assets,
    main: &'a Source,
    data: Bytes,
    logo: Option<(FileId, Bytes)>,
}

impl<'a> DocWorld<'a> {
    pub(crate) fn new(
        assets: &'a Assets,
        main: Main,
        data: Vec<u8>,
        logo: Option<(LogoFormat, Vec<u8>)>,
    ) -> Self {
        Self {
            assets,
            main: match main {
                Main::Proposal => &assets.main,
                Main::Report => &assets.report,
            },
            data: Bytes::new(data),
            logo: logo.map(|(format, bytes)| (assets.logo_id(format), Bytes::new(bytes))),
        }
    }

    fn not_found(id: FileId) -> FileError {
        FileError::NotFound(id.vpath().get_without_slash().into())
    }
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.assets.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.assets.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(Self::not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.assets.data_id {
            return Ok(self.data.clone());
        }
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_owned()));
        }
        match &self.logo {
            Some((logo_id, bytes)) if *logo_id == id => Ok(bytes.clone()),
            _ => Err(Self::not_found(id)),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.assets.fonts.get(index).cloned()
    }

    /// No clock: the template prints only the dates it is given, so output is reproducible.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
