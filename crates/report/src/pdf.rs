//! PDF: typst as a library, with a `World` that holds only what is embedded in the binary (the
//! templates, Liberation Serif) or given in memory (the report's data as `/data.json`), plus
//! the templates of an override directory when one is given. No file system beyond that
//! directory, no network, no packages, no system fonts.

use crate::{Lang, ReportError, Templates};
use std::sync::LazyLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// The fonts embedded in the binary: Liberation Serif 2.1.5 (SIL OFL 1.1, metric-compatible
/// with Times New Roman, which Decree 30/2020 prescribes; licence in `fonts/`).
pub(crate) static FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf"),
];

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    let book = FontBook::from_fonts(&fonts);
    Fonts {
        book: LazyHash::new(book),
        fonts,
    }
});

static LIBRARY: LazyLock<LazyHash<Library>> =
    LazyLock::new(|| LazyHash::new(Library::builder().build()));

/// The embedded fonts (for tests of their coverage).
pub fn embedded_fonts() -> Vec<Font> {
    FONTS.fonts.clone()
}

struct ReportWorld<'a> {
    main: FileId,
    templates: &'a Templates,
    data: Bytes,
    today: time::Date,
}

fn file_id(path: &str) -> FileId {
    // The paths are ours (template names), always valid.
    let vpath = VirtualPath::new(path).unwrap_or_else(|_| VirtualPath::new("/invalid").unwrap());
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl ReportWorld<'_> {
    fn text(&self, id: FileId) -> FileResult<Bytes> {
        if id.root() != &VirtualRoot::Project {
            return Err(FileError::AccessDenied);
        }
        let path = id.vpath().get_without_slash();
        if path == "data.json" {
            return Ok(self.data.clone());
        }
        match self.templates.file(path) {
            Some(text) => Ok(Bytes::from_string(text.to_string())),
            None => Err(FileError::NotFound(path.into())),
        }
    }
}

impl World for ReportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        let bytes = self.text(id)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_string()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.text(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Datetime::from_ymd(
            self.today.year(),
            u8::from(self.today.month()),
            self.today.day(),
        )
    }
}

/// Lay out `main` (a template name) with `data` as `/data.json`.
pub(crate) fn document(
    templates: &Templates,
    main: &str,
    data: &serde_json::Value,
    today: time::Date,
) -> Result<PagedDocument, ReportError> {
    let data = serde_json::to_vec(data).map_err(|e| ReportError::Data(e.to_string()))?;
    let world = ReportWorld {
        main: file_id(&format!("/{main}")),
        templates,
        data: Bytes::new(data),
        today,
    };
    let result = typst::compile::<PagedDocument>(&world);
    // Compilation memoises into a global cache: drop what was not used by this run, so that a
    // long-running service does not grow with every report.
    typst::comemo::evict(2);
    result.output.map_err(|errors| {
        ReportError::Template(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// Compile `main` (a template name) with `data` as `/data.json` to PDF bytes.
pub(crate) fn compile(
    templates: &Templates,
    main: &str,
    data: &serde_json::Value,
    today: time::Date,
    lang: Lang,
) -> Result<Vec<u8>, ReportError> {
    let doc = document(templates, main, data, today)?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(format!("camguard-{main}-{}", lang.code())),
        timestamp: None,
        ..Default::default()
    };
    typst_pdf::pdf(&doc, &options).map_err(|errors| {
        ReportError::Template(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// The text of a laid-out document, page by page, in reading order of its runs.
#[cfg(test)]
pub(crate) fn text_of(doc: &PagedDocument) -> String {
    fn walk(frame: &typst::layout::Frame, out: &mut String) {
        for (_, item) in frame.items() {
            match item {
                typst::layout::FrameItem::Group(g) => walk(&g.frame, out),
                typst::layout::FrameItem::Text(t) => {
                    out.push_str(&t.text);
                    out.push(' ');
                }
                _ => {}
            }
        }
    }
    let mut out = String::new();
    for page in doc.pages() {
        walk(&page.frame, &mut out);
        out.push('\n');
    }
    out
}
