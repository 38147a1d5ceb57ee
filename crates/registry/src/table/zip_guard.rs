//! Sizes and counts of a ZIP-based workbook (XLSX, XLSM, XLSB, ODS), checked before calamine
//! decompresses anything.
//!
//! calamine reads some parts of a workbook whole into memory before the first row is seen
//! (the shared-strings table of an XLSX or XLSB, the `content.xml` of an ODS), so the row and
//! cell bounds of the table engine come too late for them: a 1 MB file whose shared strings
//! unpack to 1 GB took 2 GB of memory. [`check`] looks at the archive first, in this order, and
//! refuses it with [`FileError::Workbook`] naming the part and the limit:
//!
//! 1. the end-of-central-directory record (and its ZIP64 form): at most [`MAX_ENTRIES`] entries
//!    and a central directory of at most [`MAX_DIRECTORY_BYTES`], before the directory itself
//!    is read;
//! 2. every entry's declared uncompressed size: at most [`MAX_ENTRY_BYTES`] each,
//!    [`MAX_TOTAL_BYTES`] together, [`MAX_LOADED_BYTES`] for a part read whole, and a
//!    compression ratio of at most [`MAX_RATIO`] for entries over 1 MiB;
//! 3. the sizes again, counted while decompressing each entry into nothing (the declared size
//!    can lie): reading stops one byte past the entry's limit or its declared size, whichever
//!    is smaller, so memory stays one buffer whatever the file says.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use super::error::FileError;

/// Most entries (files) in a workbook archive. Workbooks written by Excel, LibreOffice or
/// rust_xlsxwriter have tens.
pub const MAX_ENTRIES: u64 = 10_000;
/// Largest central directory, in bytes.
pub const MAX_DIRECTORY_BYTES: u64 = 16 << 20;
/// Largest uncompressed entry (a worksheet is streamed row by row, so this only bounds time).
pub const MAX_ENTRY_BYTES: u64 = 512 << 20;
/// Largest uncompressed archive, all entries together.
pub const MAX_TOTAL_BYTES: u64 = 1 << 30;
/// Largest uncompressed part that is read whole into memory (shared strings, ODS content):
/// 64 MiB is about a million distinct cell texts, ten times a 100,000-camera inventory.
pub const MAX_LOADED_BYTES: u64 = 64 << 20;
/// Highest compression ratio (uncompressed ÷ compressed) of an entry over 1 MiB. XML parts of
/// real workbooks compress 5 to 30 times; deflate's own limit is about 1,000.
pub const MAX_RATIO: u64 = 100;

const RATIO_FLOOR: u64 = 1 << 20;

/// Parts calamine reads whole into memory before the first row.
fn is_loaded_whole(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    matches!(
        base,
        "sharedstrings.xml" | "sharedstrings.bin" | "content.xml" | "workbook.xml" | "styles.xml"
    ) || lower.ends_with(".rels")
}

fn refuse(path: &Path, reason: String) -> FileError {
    FileError::Workbook {
        path: path.to_path_buf(),
        reason,
    }
}

fn mib(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// The entry count and central-directory size the end-of-central-directory record declares,
/// or `None` when the file has no such record (calamine then says it is not a workbook).
fn directory_size(file: &mut File) -> io::Result<Option<(u64, u64)>> {
    let len = file.seek(SeekFrom::End(0))?;
    // The record is 22 bytes plus a comment of at most 65,535.
    let tail_len = len.min(22 + 65_535);
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    file.by_ref().take(tail_len).read_to_end(&mut tail)?;
    let Some(pos) = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..].starts_with(b"PK\x05\x06"))
    else {
        return Ok(None);
    };
    let eocd = &tail[pos..];
    let u16_at = |b: &[u8], i: usize| u64::from(u16::from_le_bytes([b[i], b[i + 1]]));
    let u32_at =
        |b: &[u8], i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
    let mut entries = u16_at(eocd, 10).max(u16_at(eocd, 8));
    let mut dir_bytes = u32_at(eocd, 12);
    let zip64 = entries == 0xFFFF || dir_bytes == 0xFFFF_FFFF || u32_at(eocd, 16) == 0xFFFF_FFFF;
    // The ZIP64 locator, 20 bytes before the record, points at the ZIP64 record.
    let eocd_at = len - tail_len + pos as u64;
    if zip64 && eocd_at >= 20 {
        let mut loc = [0u8; 20];
        file.seek(SeekFrom::Start(eocd_at - 20))?;
        file.read_exact(&mut loc)?;
        if loc.starts_with(b"PK\x06\x07") {
            let at = u64::from_le_bytes(loc[8..16].try_into().unwrap_or_default());
            let mut rec = [0u8; 56];
            file.seek(SeekFrom::Start(at))?;
            if file.read_exact(&mut rec).is_ok() && rec.starts_with(b"PK\x06\x06") {
                let u64_at =
                    |i: usize| u64::from_le_bytes(rec[i..i + 8].try_into().unwrap_or_default());
                entries = u64_at(24).max(u64_at(32));
                dir_bytes = u64_at(40);
            }
        }
    }
    Ok(Some((entries, dir_bytes)))
}

/// Checks a ZIP-based workbook's counts and sizes (see the module documentation); `Ok` when
/// it is within every bound or is not a ZIP archive at all (calamine reports that).
pub fn check(path: &Path) -> Result<(), FileError> {
    let io_err = |source| FileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_err)?;
    let Some((entries, dir_bytes)) = directory_size(&mut file).map_err(io_err)? else {
        return Ok(());
    };
    if entries > MAX_ENTRIES {
        return Err(refuse(
            path,
            format!("the archive has {entries} entries; at most {MAX_ENTRIES} are allowed"),
        ));
    }
    if dir_bytes > MAX_DIRECTORY_BYTES {
        return Err(refuse(
            path,
            format!(
                "the archive's directory is {}; at most {} is allowed",
                mib(dir_bytes),
                mib(MAX_DIRECTORY_BYTES)
            ),
        ));
    }
    file.seek(SeekFrom::Start(0)).map_err(io_err)?;
    // Not a readable archive: calamine gives its own error.
    let Ok(mut zip) = zip::ZipArchive::new(file) else {
        return Ok(());
    };

    // Declared sizes.
    let mut limits = Vec::with_capacity(zip.len());
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| refuse(path, format!("entry {}: {e}", i + 1)))?;
        let name = entry.name().to_owned();
        let size = entry.size();
        let packed = entry.compressed_size();
        let limit = if is_loaded_whole(&name) {
            MAX_LOADED_BYTES
        } else {
            MAX_ENTRY_BYTES
        };
        if size > limit {
            return Err(refuse(
                path,
                format!(
                    "{name} unpacks to {}; at most {} is allowed",
                    mib(size),
                    mib(limit)
                ),
            ));
        }
        if size > RATIO_FLOOR && size / packed.max(1) > MAX_RATIO {
            return Err(refuse(
                path,
                format!(
                    "{name} unpacks from {} to {} (a ratio over {MAX_RATIO}); this is not a workbook",
                    mib(packed),
                    mib(size)
                ),
            ));
        }
        total = total.saturating_add(size);
        if total > MAX_TOTAL_BYTES {
            return Err(refuse(
                path,
                format!(
                    "the archive unpacks to more than {}; at most that is allowed",
                    mib(MAX_TOTAL_BYTES)
                ),
            ));
        }
        limits.push((name, size, packed, limit, entry.is_dir()));
    }

    // Actual sizes, counted while decompressing into nothing.
    let mut buf = vec![0u8; 64 * 1024];
    for (i, (name, declared, packed, limit, is_dir)) in limits.into_iter().enumerate() {
        if is_dir {
            continue;
        }
        // Encrypted or an unsupported method: calamine reports it without reading it.
        let Ok(mut entry) = zip.by_index(i) else {
            continue;
        };
        let cap = declared.min(limit);
        let mut read: u64 = 0;
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                // A corrupt stream (or a checksum mismatch): calamine reports it.
                Err(_) => break,
            };
            read += n as u64;
            if read > cap {
                let reason = if read > declared {
                    format!(
                        "{name} unpacks to more than the {} its directory declares; this is not a workbook",
                        mib(declared)
                    )
                } else {
                    format!(
                        "{name} unpacks to more than {}; at most that is allowed",
                        mib(limit)
                    )
                };
                return Err(refuse(path, reason));
            }
            if read > RATIO_FLOOR && read / packed.max(1) > MAX_RATIO {
                return Err(refuse(
                    path,
                    format!(
                        "{name} unpacks from {} to more than {} (a ratio over {MAX_RATIO}); this is not a workbook",
                        mib(packed),
                        mib(read)
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{CameraRecord, read_inventory, write_inventory};
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn records() -> Vec<CameraRecord> {
        (0..3)
            .map(|i| CameraRecord {
                org: "ORG".into(),
                vendor: "Hikvision".into(),
                model: format!("DS-2CD{i}"),
                serial: Some(format!("SN{i}")),
                ..Default::default()
            })
            .collect()
    }

    /// A workbook camguard wrote, with `filler` bytes of one-letter shared strings appended to
    /// its shared-strings table (the cells still refer to the real strings at its start), and
    /// the declared size of that table replaced by `declare` when given.
    fn bomb(dir: &Path, filler: u64, declare: Option<u32>) -> std::path::PathBuf {
        let plain = dir.join("plain.xlsx");
        write_inventory(&plain, &records()).unwrap();
        let mut src = zip::ZipArchive::new(File::open(&plain).unwrap()).unwrap();
        let out_path = dir.join("bomb.xlsx");
        let mut out = zip::ZipWriter::new(File::create(&out_path).unwrap());
        let deflate = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9));
        for i in 0..src.len() {
            let mut entry = src.by_index(i).unwrap();
            let name = entry.name().to_owned();
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            out.start_file(name.as_str(), deflate).unwrap();
            if name != "xl/sharedStrings.xml" {
                out.write_all(text.as_bytes()).unwrap();
                continue;
            }
            let end = text.rfind("</sst>").unwrap();
            out.write_all(&text.as_bytes()[..end]).unwrap();
            let item = b"<si><t>x</t></si>";
            let chunk = item.repeat(64 * 1024 / item.len());
            let mut written = 0;
            while written < filler {
                out.write_all(&chunk).unwrap();
                written += chunk.len() as u64;
            }
            out.write_all(b"</sst>").unwrap();
        }
        out.finish().unwrap();
        if let Some(size) = declare {
            // Rewrite the uncompressed size of the table in its local and central headers.
            let mut bytes = std::fs::read(&out_path).unwrap();
            let name = b"xl/sharedStrings.xml";
            for (sig, size_at, name_at) in [(b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)] {
                let at = (0..bytes.len() - name_at - name.len())
                    .find(|&i| {
                        bytes[i..].starts_with(sig) && bytes[i + name_at..].starts_with(name)
                    })
                    .unwrap();
                bytes[at + size_at..at + size_at + 4].copy_from_slice(&size.to_le_bytes());
            }
            std::fs::write(&out_path, bytes).unwrap();
        }
        out_path
    }

    fn refusal(path: &Path) -> String {
        match read_inventory(path, None) {
            Err(FileError::Workbook { reason, .. }) => reason,
            other => panic!("expected a refusal before reading, got {other:?}"),
        }
    }

    #[test]
    fn a_workbook_within_the_bounds_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = bomb(dir.path(), 0, None);
        check(&path).unwrap();
        assert_eq!(read_inventory(&path, None).unwrap().rows.len(), 3);
    }

    /// A 1 MB-class file whose shared strings unpack to 160 MiB: before the guard calamine
    /// loaded them all (12 million strings) before the first row.
    #[test]
    fn shared_strings_bomb_is_refused_before_it_is_unpacked() {
        let dir = tempfile::tempdir().unwrap();
        let path = bomb(dir.path(), 160 << 20, None);
        assert!(std::fs::metadata(&path).unwrap().len() < 2 << 20);
        let reason = refusal(&path);
        assert!(
            reason.contains("xl/sharedStrings.xml unpacks to 160 MiB"),
            "{reason}"
        );
    }

    /// Under the size limit but compressed far beyond what a workbook does.
    #[test]
    fn absurd_compression_ratio_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = bomb(dir.path(), 40 << 20, None);
        let reason = refusal(&path);
        assert!(reason.contains("a ratio over 100"), "{reason}");
    }

    /// The directory says 1 KiB; the data says otherwise: counted while decompressing.
    #[test]
    fn a_lying_directory_is_caught_while_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = bomb(dir.path(), 40 << 20, Some(1024));
        let reason = refusal(&path);
        assert!(
            reason.contains("more than the 1024 bytes its directory declares"),
            "{reason}"
        );
    }

    #[test]
    fn too_many_entries_are_refused_before_the_directory_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("many.xlsx");
        let mut out = zip::ZipWriter::new(File::create(&path).unwrap());
        for i in 0..=MAX_ENTRIES {
            out.start_file(format!("f{i}"), SimpleFileOptions::default())
                .unwrap();
        }
        out.finish().unwrap();
        let reason = refusal(&path);
        assert!(reason.contains("10001 entries; at most 10000"), "{reason}");
    }
}
