use super::*;
use crate::table::fold;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::io::Read;
use std::net::IpAddr;
use time::Date;
use time::Month;

fn date(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap()
}

fn csv(text: &str) -> InventoryFile {
    read_inventory_csv(text.as_bytes(), None).unwrap()
}

fn csv_err(text: &str) -> FileError {
    read_inventory_csv(text.as_bytes(), None).unwrap_err()
}

fn lines(f: &InventoryFile) -> Vec<usize> {
    f.rows.iter().map(|r| r.line).collect()
}

fn rejected(f: &InventoryFile) -> Vec<(usize, &str)> {
    f.rejected
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect()
}

fn full_record() -> CameraRecord {
    CameraRecord {
        org: "UBND tỉnh A".into(),
        system: Some("Giám sát giao thông".into()),
        vendor: "Hikvision".into(),
        brand: Some("HiLook".into()),
        model: "DS-2CD2143G2-I".into(),
        firmware: Some("V5.7.3 build 220112".into()),
        serial: Some("0123456789".into()),
        mac: Some("aa:bb:cc:dd:ee:ff".into()),
        ip: Some("10.1.2.3".parse().unwrap()),
        location: Some("Cổng chính, tầng 1".into()),
        installed_on: Some(date(2023, 8, 15)),
        cert_origin: Some("CO-123".into()),
        cert_quality: Some("CQ-456".into()),
        cert_conformity: Some("HQ-789".into()),
        cert_conformity_standard: Some("QCVN 135:2024/BTTTT".into()),
        cert_conformity_body: Some("Trung tâm Kiểm định".into()),
        cert_conformity_date: Some(date(2024, 12, 31)),
        attributes: BTreeMap::from([("Ghi chú".to_owned(), "mới thay".to_owned())]),
    }
}

#[test]
fn english_header_in_any_order() {
    let f = csv(
        "cert_conformity_date,ip,model,MAC,Vendor,ORG,installed_on,serial,firmware,location,\
         system,cert_origin,cert_quality,cert_conformity,brand,cert_conformity_standard,\
         cert_conformity_body,Ghi chú\n\
         31/12/2024,10.1.2.3,DS-2CD2143G2-I,AA-BB-CC-DD-EE-FF,Hikvision,UBND tỉnh A,\
         2023-08-15,0123456789,V5.7.3 build 220112,\"Cổng chính, tầng 1\",Giám sát giao thông,\
         CO-123,CQ-456,HQ-789,HiLook,QCVN 135:2024/BTTTT,Trung tâm Kiểm định,mới thay\n",
    );
    assert!(f.rejected.is_empty(), "{:?}", f.rejected);
    assert_eq!(f.rows.len(), 1);
    assert_eq!(f.rows[0].line, 2);
    assert_eq!(f.rows[0].record, full_record());
}

#[test]
fn vietnamese_header() {
    let header: Vec<&str> = COLUMNS.iter().map(|(_, vi)| *vi).collect();
    let text = format!(
        "{}\nUBND tỉnh A,Giám sát giao thông,Hikvision,DS-2CD2143G2-I,V5.7.3 build 220112,\
         0123456789,aabb.ccdd.eeff,10.1.2.3,\"Cổng chính, tầng 1\",15/08/2023,CO-123,CQ-456,\
         HQ-789,HiLook,QCVN 135:2024/BTTTT,Trung tâm Kiểm định,2024-12-31\n",
        header.join(",")
    );
    let f = csv(&text);
    assert!(f.rejected.is_empty(), "{:?}", f.rejected);
    let mut expected = full_record();
    expected.attributes.clear();
    assert_eq!(f.rows[0].record, expected);
}

#[test]
fn header_spellings() {
    // Both names, either way round; upper case; no diacritics; decomposed (NFD) text;
    // spaces for underscores; extra white space.
    let f = csv(
        "Đơn vị (org),vendor (Hãng),  MODEL ,Ngay lap dat,Đi\u{0323}a chi\u{0309} IP,\
         Installed On X,cert origin,ĐỊA CHỈ IP2\n\
         A,Hik,M1,01/02/2024,10.0.0.1,x,CO,y\n",
    );
    assert!(f.rejected.is_empty(), "{:?}", f.rejected);
    let r = &f.rows[0].record;
    assert_eq!(
        (r.org.as_str(), r.vendor.as_str(), r.model.as_str()),
        ("A", "Hik", "M1")
    );
    assert_eq!(r.installed_on, Some(date(2024, 2, 1)));
    assert_eq!(r.ip, Some("10.0.0.1".parse().unwrap()));
    assert_eq!(r.cert_origin.as_deref(), Some("CO"));
    assert_eq!(
        r.attributes,
        BTreeMap::from([
            ("Installed On X".to_owned(), "x".to_owned()),
            ("ĐỊA CHỈ IP2".to_owned(), "y".to_owned()),
        ])
    );
}

#[test]
fn fold_strips_vietnamese_diacritics() {
    assert_eq!(
        fold("ẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ"),
        "aaaaaaaaaaaaeeeeeeeeiioooooooooooouuuuuuuyyyy"
    );
    assert_eq!(fold("  Ngày   lắp_đặt "), "ngay lap dat");
    assert_eq!(fold("ĐƠN VỊ"), fold("đơn vị"));
    assert_eq!(fold("Hãng"), fold("Ha\u{0303}ng"));
    assert_eq!(fold("Chứng nhận hợp quy"), "chung nhan hop quy");
}

#[test]
fn bom_semicolon_and_tab() {
    let f = csv("\u{FEFF}org;vendor;model;Vị trí\nA;Hik;M;\"Tầng 2; phòng 3\"\n");
    assert!(f.rejected.is_empty());
    assert_eq!(f.rows[0].record.org, "A");
    assert_eq!(
        f.rows[0].record.location.as_deref(),
        Some("Tầng 2; phòng 3")
    );

    let f = csv("org\tvendor\tmodel\nA\tHik,Inc\tM\n");
    assert_eq!(f.rows[0].record.vendor, "Hik,Inc");

    // The delimiter is taken from the first line that has one (a title line has none).
    let f = csv("DANH SÁCH CAMERA\norg;vendor;model\nA;Hik;M\n");
    assert_eq!(lines(&f), vec![3]);
    assert_eq!(f.rows[0].record.model, "M");
}

#[test]
fn utf16_text_with_bom() {
    let text = "Đơn vị\tHãng\tModel\r\nSở A\tHikvision\tDS-1\r\n";
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let f = read_inventory_csv(le.as_slice(), None).unwrap();
    assert_eq!(f.rows[0].record.org, "Sở A");
    assert_eq!(f.rows[0].line, 2);
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let g = read_inventory_csv(be.as_slice(), None).unwrap();
    assert_eq!(f, g);
}

#[test]
fn every_rejection_reason_with_line_numbers() {
    let text = "org,vendor,model,ip,mac,installed_on,note,Ngày chứng nhận\n\
                A,Hikvision,DS-1,10.0.0.1,aa:bb:cc:dd:ee:ff,2024-01-31,\"multi\n\
                line\n\
                note\",\n\
                A,Hikvision,DS-2,10.0.0.300,,,,\n\
                \n\
                A,,DS-3,,,,,\n\
                ,Dahua,X,,,,,\n\
                A,Dahua,X,,zz:11,,,\n\
                A,Dahua,X,,,31/02/2024,,\n\
                ,,,,,,,\n\
                A,Dahua,X,::1,AABB.CCDD.EEFF,5/1/2024,,\n\
                A,Dahua,\"\",bad ip,bad mac,2024-13-01,,yesterday\n\
                A,Dahua,X,,,,,,surplus\n";
    let f = csv(text);
    assert_eq!(lines(&f), vec![2, 12, 14]);
    assert_eq!(
        f.rows[0].record.attributes["note"], "multi\nline\nnote",
        "quoted line breaks are kept"
    );
    let second = &f.rows[1].record;
    assert_eq!(second.ip, Some("::1".parse().unwrap()));
    assert_eq!(second.mac.as_deref(), Some("aa:bb:cc:dd:ee:ff"));
    assert_eq!(second.installed_on, Some(date(2024, 1, 5)));
    assert_eq!(
        f.rows[2].record.attributes,
        BTreeMap::from([("column 9".to_owned(), "surplus".to_owned())])
    );
    assert_eq!(
        rejected(&f),
        vec![
            (5, "ip: \"10.0.0.300\" is not an IP address"),
            (7, "vendor: required value is missing"),
            (8, "org: required value is missing"),
            (9, "mac: \"zz:11\" is not a MAC address"),
            (
                10,
                "installed_on: \"31/02/2024\" is not a date (YYYY-MM-DD or DD/MM/YYYY)"
            ),
            (
                13,
                "model: required value is missing; mac: \"bad mac\" is not a MAC address; \
                 ip: \"bad ip\" is not an IP address; installed_on: \"2024-13-01\" is not a \
                 date (YYYY-MM-DD or DD/MM/YYYY); cert_conformity_date: \"yesterday\" is not \
                 a date (YYYY-MM-DD or DD/MM/YYYY)"
            ),
        ]
    );
}

#[test]
fn crlf_line_numbers() {
    let f = csv("org,vendor,model\r\nA,B,\"C\r\nD\"\r\n\r\nA,,C\r\n");
    assert_eq!(lines(&f), vec![2]);
    assert_eq!(f.rows[0].record.model, "C\r\nD");
    assert_eq!(rejected(&f), vec![(5, "vendor: required value is missing")]);
}

#[test]
fn default_org_and_missing_columns() {
    let f = read_inventory_csv("vendor,model\nHik,M\n".as_bytes(), Some(" Sở A ")).unwrap();
    assert_eq!(f.rows[0].record.org, "Sở A");

    let f =
        read_inventory_csv("org,vendor,model\n,Hik,M\nB,Hik,M\n".as_bytes(), Some("A")).unwrap();
    let orgs: Vec<&str> = f.rows.iter().map(|r| r.record.org.as_str()).collect();
    assert_eq!(orgs, vec!["A", "B"]);

    match csv_err("vendor,model\nHik,M\n") {
        FileError::MissingColumns { columns: m, .. } => assert_eq!(m, vec!["org"]),
        e => panic!("{e}"),
    }
    match read_inventory_csv("vendor,model\nHik,M\n".as_bytes(), Some("  ")) {
        Err(FileError::MissingColumns { columns: m, .. }) => assert_eq!(m, vec!["org"]),
        other => panic!("{other:?}"),
    }
    let e = csv_err("Đơn vị,Firmware,IP\nA,1,\n");
    match &e {
        FileError::MissingColumns { columns: m, .. } => assert_eq!(m, &["vendor", "model"]),
        e => panic!("{e}"),
    }
    assert_eq!(
        e.to_string(),
        "missing required column(s): vendor (Hãng), model"
    );
    assert!(matches!(csv_err(""), FileError::NoHeader));
    assert!(matches!(csv_err("\n\n,,,\n"), FileError::NoHeader));
}

#[test]
fn custom_attributes() {
    let f = csv("STT,org,vendor,model,Ghi chú,,Ghi chú,Tầng\n\
         1,A,Hik,M,note,x,second,\n\
         2,A,Hik,M,,,,\n");
    assert!(f.rejected.is_empty());
    assert_eq!(
        f.rows[0].record.attributes,
        BTreeMap::from([
            ("STT".to_owned(), "1".to_owned()),
            ("Ghi chú".to_owned(), "note".to_owned()),
            ("column 6".to_owned(), "x".to_owned()),
            ("Ghi chú (2)".to_owned(), "second".to_owned()),
        ])
    );
    assert_eq!(
        f.rows[1].record.attributes,
        BTreeMap::from([("STT".to_owned(), "2".to_owned())])
    );
}

#[test]
fn duplicate_known_column_is_an_error() {
    match csv_err("org,vendor,model,IP,Địa chỉ IP\nA,B,C,,\n") {
        FileError::DuplicateColumn {
            column,
            first,
            second,
        } => {
            assert_eq!(column, "ip");
            assert_eq!(first, "IP");
            assert_eq!(second, "Địa chỉ IP");
        }
        e => panic!("{e}"),
    }
}

#[test]
fn title_rows_above_the_header() {
    let f = csv("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM,,\n\
         DANH SÁCH CAMERA,,\n\
         ,,\n\
         Đơn vị,Hãng,Model\n\
         A,Hik,M\n");
    assert_eq!(lines(&f), vec![5]);
    assert!(f.rejected.is_empty());
}

#[test]
fn values_are_trimmed_and_cells_can_be_sparse() {
    let f = csv("org,vendor,model,system\n  A \u{a0}, Hik ,M\n");
    let r = &f.rows[0].record;
    assert_eq!((r.org.as_str(), r.vendor.as_str()), ("A", "Hik"));
    assert_eq!(r.system, None);
}

#[test]
fn dates() {
    for (input, out) in [
        ("2024-01-31", Some((2024, 1, 31))),
        ("31/01/2024", Some((2024, 1, 31))),
        ("5/1/2024", Some((2024, 1, 5))),
        ("05-01-2024", Some((2024, 1, 5))),
        ("05.01.2024", Some((2024, 1, 5))),
        ("2024/1/5", Some((2024, 1, 5))),
        (" 29/02/2024 ", Some((2024, 2, 29))),
        ("29/02/2023", None),
        ("31/02/2024", None),
        ("2024-13-01", None),
        ("2024-00-10", None),
        ("00/01/2024", None),
        ("0000-01-01", None),
        ("2024-01", None),
        ("2024-01-01-01", None),
        ("24-01-01", None),
        ("01/01/24", None),
        ("2024.01.05", None),
        ("2024-1-5x", None),
        ("+2024-01-05", None),
        ("2024-01-05T00:00", None),
        ("", None),
        ("yesterday", None),
    ] {
        assert_eq!(
            parse_date(input),
            out.map(|(y, m, d)| date(y, m, d)),
            "{input:?}"
        );
    }
}

#[test]
fn ips() {
    let f = csv(
        "org,vendor,model,ip\nA,B,C,192.168.1.10\nA,B,C,fe80::1\nA,B,C,[2001:db8::1]\n\
         A,B,C,192.168.001.010\nA,B,C,fe80::1%eth0\n",
    );
    let ips: Vec<String> = f
        .rows
        .iter()
        .map(|r| r.record.ip.unwrap().to_string())
        .collect();
    assert_eq!(ips, vec!["192.168.1.10", "fe80::1", "2001:db8::1"]);
    assert_eq!(
        f.rejected.iter().map(|r| r.line).collect::<Vec<_>>(),
        vec![5, 6]
    );
}

// -- hostile input -------------------------------------------------------------------------

#[test]
fn long_value_rejects_the_row() {
    let long = "x".repeat(5000);
    let text = format!("org,vendor,model,Ghi chú\nA,B,C,{long}\nA,B,C,ok\n");
    let f = csv(&text);
    assert_eq!(lines(&f), vec![3]);
    assert_eq!(
        rejected(&f),
        vec![(
            2,
            "Ghi chú: the value is 5000 characters long; at most 1000 are allowed"
        )]
    );
    // Exactly 1,000 (multi-byte) characters is fine.
    let max = "ệ".repeat(1000);
    let f = csv(&format!("org,vendor,model\nA,B,{max}\n"));
    assert_eq!(f.rows[0].record.model, max);
}

#[test]
fn huge_record_is_refused_before_it_is_buffered() {
    // A quoted cell spanning many short lines, growing past the record limit.
    let mut text = String::from("org,vendor,model,x\nA,B,C,ok\nA,B,C,\"");
    while text.len() < 3 * MAX_RECORD_BYTES {
        text.push_str("abc\n");
    }
    match csv_err(&text) {
        FileError::RecordTooLong { line, limit } => {
            assert_eq!(line, 3);
            assert_eq!(limit, MAX_RECORD_BYTES);
        }
        e => panic!("{e}"),
    }
    // One very long unquoted line.
    let text = format!(
        "org,vendor,model\nA,B,{}\n",
        "y".repeat(2 * MAX_RECORD_BYTES)
    );
    assert!(matches!(
        csv_err(&text),
        FileError::RecordTooLong { line: 2, .. }
    ));
}

#[test]
fn too_many_columns() {
    let header: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
    let text = format!("org,vendor,model,{}\nA,B,C\n", header.join(","));
    match csv_err(&text) {
        FileError::TooManyColumns { found, limit } => {
            assert_eq!((found, limit), (10_003, MAX_COLUMNS));
        }
        e => panic!("{e}"),
    }
    // A data row wider than the limit is rejected, whether its extra cells hold values or
    // are empty (empty cells counted too: the limit is on the row, not on its values).
    let wide = vec!["v"; 300].join(",");
    let empty = ",".repeat(5000);
    let text = format!("org,vendor,model\nA,B,C,{wide}\nA,B,C{empty}\nA,B,C\n");
    let f = csv(&text);
    assert_eq!(lines(&f), vec![4]);
    assert_eq!(
        rejected(&f),
        vec![
            (2, "the row has 303 columns; at most 200 are allowed"),
            (3, "the row has 5003 columns; at most 200 are allowed")
        ]
    );
    // So is a header whose extra columns have no name.
    let text = format!("org,vendor,model{empty}\nA,B,C\n");
    match csv_err(&text) {
        FileError::TooManyColumns { found, limit } => {
            assert_eq!((found, limit), (5003, MAX_COLUMNS));
        }
        e => panic!("{e}"),
    }
    // Exactly the limit is fine.
    let text = format!(
        "org,vendor,model{}\nA,B,C{}\n",
        ",".repeat(197),
        ",".repeat(197)
    );
    assert_eq!(lines(&csv(&text)), vec![2]);
}

#[test]
fn invalid_utf8() {
    let mut bytes = b"org,vendor,model\nA,B\xff\xfe,C\nA,B,C\n".to_vec();
    let f = read_inventory_csv(bytes.as_slice(), None).unwrap();
    assert_eq!(lines(&f), vec![3]);
    assert_eq!(rejected(&f), vec![(2, "vendor: not valid UTF-8 text")]);
    // A header in a legacy encoding (Windows-1258 "Hãng") is a file error.
    bytes = b"org,H\xe3ng,model\nA,B,C\n".to_vec();
    bytes.splice(0..0, b"title\n".iter().copied());
    let e = read_inventory_csv(b"org,model,H\xe3ng\nA,B,C\n".as_slice(), None).unwrap_err();
    assert!(matches!(e, FileError::Encoding(_)), "{e}");
    let e = read_inventory_csv(bytes.as_slice(), None).unwrap_err();
    assert!(matches!(e, FileError::Encoding(_)), "{e}");
}

/// Deterministic pseudo-random bytes.
fn garbage(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn binary_garbage_is_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    for (i, name) in ["g.csv", "g.xlsx", "g.xls", "g.ods", "g.xlsb", "g.bin", "g"]
        .iter()
        .enumerate()
    {
        for seed in 1..4u64 {
            let path = dir.path().join(name);
            let mut bytes = garbage(50_000, seed * 31 + i as u64);
            std::fs::write(&path, &bytes).unwrap();
            assert!(read_inventory(&path, Some("A")).is_err(), "{name} {seed}");
            // A ZIP signature in front of garbage.
            bytes.splice(0..0, b"PK\x03\x04".iter().copied());
            std::fs::write(&path, &bytes).unwrap();
            assert!(
                read_inventory(&path, Some("A")).is_err(),
                "{name} {seed} zip"
            );
            // An OLE signature in front of garbage.
            bytes.splice(0..4, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".iter().copied());
            std::fs::write(&path, &bytes).unwrap();
            assert!(
                read_inventory(&path, Some("A")).is_err(),
                "{name} {seed} ole"
            );
        }
    }
    // Reading from a stream: binary data is refused.
    assert!(matches!(
        read_inventory_csv(garbage(10_000, 7).as_slice(), None),
        Err(FileError::UnsupportedFormat(_))
    ));
    let missing = dir.path().join("missing.csv");
    assert!(matches!(
        read_inventory(&missing, None),
        Err(FileError::Io { .. })
    ));
}

#[test]
fn random_text_does_not_panic() {
    proptest!(ProptestConfig::with_cases(200), |(text in "[a-z,;\t\"\r\n ]{0,200}", header in prop::bool::ANY)| {
        let input = if header { format!("org,vendor,model\n{text}") } else { text };
        let _ = read_inventory_csv(input.as_bytes(), None);
        let _ = read_catalogue_csv_for_test(&input);
    });
}

fn read_catalogue_csv_for_test(text: &str) -> Result<crate::catalogue::CatalogueFile, FileError> {
    crate::catalogue::read_catalogue_csv(text.as_bytes())
}

// -- spreadsheets --------------------------------------------------------------------------

#[test]
fn xlsx_with_dates_numbers_and_title_rows() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cameras.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    ws.write_string(0, 0, "DANH SÁCH CAMERA GIÁM SÁT").unwrap();
    // Header in row 3 (Excel numbering), starting at column B.
    for (c, h) in [
        "Đơn vị",
        "Hãng",
        "Model",
        "Số serial",
        "Firmware",
        "Ngày lắp đặt",
        "MAC",
        "Địa chỉ IP",
        "Ghi chú",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(2, c as u16 + 1, *h).unwrap();
    }
    // Row 4: date cell, numeric serial, fractional number.
    ws.write_string(3, 1, "Sở A").unwrap();
    ws.write_string(3, 2, "Hikvision").unwrap();
    ws.write_string(3, 3, "DS-2CD1023G0E-I").unwrap();
    ws.write_number(3, 4, 12345678.0).unwrap();
    ws.write_number(3, 5, 5.5).unwrap();
    ws.write_date_with_format(
        3,
        6,
        ExcelDateTime::from_ymd(2023, 8, 15).unwrap(),
        &date_format,
    )
    .unwrap();
    ws.write_string(3, 7, "AA-BB-CC-DD-EE-FF").unwrap();
    ws.write_string(3, 8, "10.0.0.5").unwrap();
    ws.write_number(3, 9, 42).unwrap();
    // Row 5: rejected (bad MAC, date in a text cell that is impossible).
    ws.write_string(4, 1, "Sở A").unwrap();
    ws.write_string(4, 2, "Dahua").unwrap();
    ws.write_string(4, 3, "IPC-HFW1230S").unwrap();
    ws.write_string(4, 6, "30/02/2023").unwrap();
    ws.write_string(4, 7, "not-a-mac").unwrap();
    // Row 6 empty; row 7: date as text, no org (default), boolean attribute.
    ws.write_string(6, 2, "Dahua").unwrap();
    ws.write_string(6, 3, "  IPC-HDW2431T  ").unwrap();
    ws.write_string(6, 6, "01/12/2022").unwrap();
    ws.write_boolean(6, 9, true).unwrap();
    // Row 8: a number in a date column is not a date.
    ws.write_string(7, 1, "Sở B").unwrap();
    ws.write_string(7, 2, "Axis").unwrap();
    ws.write_string(7, 3, "P1375").unwrap();
    ws.write_number(7, 6, 45000).unwrap();
    wb.save(&path).unwrap();

    let f = read_inventory(&path, Some("Sở mặc định")).unwrap();
    assert_eq!(lines(&f), vec![4, 7]);
    let r = &f.rows[0].record;
    assert_eq!(r.org, "Sở A");
    assert_eq!(r.serial.as_deref(), Some("12345678"));
    assert_eq!(r.firmware.as_deref(), Some("5.5"));
    assert_eq!(r.installed_on, Some(date(2023, 8, 15)));
    assert_eq!(r.mac.as_deref(), Some("aa:bb:cc:dd:ee:ff"));
    assert_eq!(r.ip, Some("10.0.0.5".parse().unwrap()));
    assert_eq!(r.attributes["Ghi chú"], "42");
    let r = &f.rows[1].record;
    assert_eq!(r.org, "Sở mặc định");
    assert_eq!(r.model, "IPC-HDW2431T");
    assert_eq!(r.installed_on, Some(date(2022, 12, 1)));
    assert_eq!(r.attributes["Ghi chú"], "TRUE");
    assert_eq!(
        rejected(&f),
        vec![
            (
                5,
                "mac: \"not-a-mac\" is not a MAC address; installed_on: \"30/02/2023\" is \
                 not a date (YYYY-MM-DD or DD/MM/YYYY)"
            ),
            (
                8,
                "installed_on: \"45000\" is not a date (YYYY-MM-DD or DD/MM/YYYY)"
            ),
        ]
    );

    // The same workbook without the extension is recognised by its content.
    let bare = dir.path().join("cameras");
    std::fs::copy(&path, &bare).unwrap();
    assert_eq!(read_inventory(&bare, Some("Sở mặc định")).unwrap(), f);
}

#[test]
fn xlsx_too_many_columns_and_missing_columns() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for c in 0..10_000u16 {
        ws.write_string(0, c, format!("c{c}")).unwrap();
    }
    wb.save(&path).unwrap();
    assert!(matches!(
        read_inventory(&path, None),
        Err(FileError::TooManyColumns { found: 10_000, .. })
    ));

    let path = dir.path().join("missing.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Hãng").unwrap();
    ws.write_string(0, 1, "Model").unwrap();
    ws.write_string(1, 0, "Hik").unwrap();
    wb.save(&path).unwrap();
    match read_inventory(&path, None) {
        Err(FileError::MissingColumns { columns: m, .. }) => assert_eq!(m, vec!["org"]),
        other => panic!("{other:?}"),
    }

    let path = dir.path().join("empty.xlsx");
    let mut wb = Workbook::new();
    wb.add_worksheet();
    wb.save(&path).unwrap();
    assert!(matches!(
        read_inventory(&path, None),
        Err(FileError::NoHeader)
    ));
}

// -- writing and round trips ---------------------------------------------------------------

fn sparse_record() -> CameraRecord {
    CameraRecord {
        org: "B".into(),
        vendor: "Dahua".into(),
        model: "IPC-HFW1230S".into(),
        ip: Some("2001:db8::10".parse().unwrap()),
        installed_on: Some(date(1899, 12, 31)),
        attributes: BTreeMap::from([
            ("Tầng".to_owned(), "3".to_owned()),
            ("STT".to_owned(), "0012".to_owned()),
        ]),
        ..CameraRecord::default()
    }
}

#[test]
fn formula_like_values_are_neutralised_in_csv_and_read_back() {
    let hostile = CameraRecord {
        org: "A".into(),
        vendor: "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
        model: "+cmd|' /C calc'!A0".into(),
        firmware: Some("-2+3".into()),
        serial: Some("@SUM(1)".into()),
        location: Some("'=already quoted".into()),
        // Plain numbers are not formulas: left as they are.
        cert_origin: Some("-5".into()),
        attributes: [("=key".to_owned(), "-1.5".to_owned())].into(),
        ..Default::default()
    };
    let mut out = Vec::new();
    write_inventory_csv(&mut out, std::slice::from_ref(&hostile)).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().ends_with(",'=key"), "{text}");
    assert_eq!(
        lines.next().unwrap(),
        "A,,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",'+cmd|' /C calc'!A0,'-2+3,\
         '@SUM(1),,,''=already quoted,,-5,,,,,,,-1.5"
    );
    // No cell of the file starts a formula.
    let cells = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .into_records()
        .flat_map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
        .collect::<Vec<_>>();
    for c in &cells {
        assert!(
            !c.starts_with(['=', '+', '@']) && (!c.starts_with('-') || c == "-5" || c == "-1.5"),
            "{c:?}"
        );
    }
    // Reading the export back gives the values, without the quotes the writer added.
    let back = read_inventory_csv(text.as_bytes(), None).unwrap();
    assert!(back.rejected.is_empty(), "{:?}", back.rejected);
    assert_eq!(back.rows[0].record, hostile);
}

/// XLSX cells are typed strings: a spreadsheet shows `=1+1` as text, it never evaluates it.
#[test]
fn xlsx_export_writes_formula_like_values_as_strings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.xlsx");
    let r = CameraRecord {
        org: "A".into(),
        vendor: "=1+1".into(),
        model: "@SUM(A1)".into(),
        ..Default::default()
    };
    write_inventory(&path, std::slice::from_ref(&r)).unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(!sheet.contains("<f>") && !sheet.contains("<f "), "{sheet}");
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.get_value((1, 2)), Some(&Data::String("=1+1".into())));
    assert!(
        wb.worksheet_formula("Cameras")
            .unwrap()
            .used_cells()
            .next()
            .is_none()
    );
    assert_eq!(read_inventory(&path, None).unwrap().rows[0].record, r);
}

#[test]
fn csv_export_format() {
    let mut out = Vec::new();
    write_inventory_csv(&mut out, &[full_record(), sparse_record()]).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "org,system,vendor,model,firmware,serial,mac,ip,location,installed_on,cert_origin,\
         cert_quality,cert_conformity,brand,cert_conformity_standard,cert_conformity_body,\
         cert_conformity_date,Ghi chú,STT,Tầng"
    );
    assert_eq!(
        lines.nth(1).unwrap(),
        "B,,Dahua,IPC-HFW1230S,,,,2001:db8::10,,1899-12-31,,,,,,,,,0012,3"
    );
}

#[test]
fn round_trip_tables() {
    let records = vec![
        full_record(),
        sparse_record(),
        CameraRecord {
            org: "C".into(),
            vendor: "Axis".into(),
            model: "P1375 \"E\"".into(),
            location: Some("line 1\nline 2; with, separators".into()),
            serial: Some("000123".into()),
            firmware: Some("10.0".into()),
            ..CameraRecord::default()
        },
    ];
    let mut out = Vec::new();
    write_inventory_csv(&mut out, &records).unwrap();
    let back = read_inventory_csv(out.as_slice(), None).unwrap();
    assert!(back.rejected.is_empty(), "{:?}", back.rejected);
    assert_eq!(
        back.rows.into_iter().map(|r| r.record).collect::<Vec<_>>(),
        records
    );

    let dir = tempfile::tempdir().unwrap();
    for name in ["out.csv", "out.tsv", "out.xlsx", "out.txt"] {
        let path = dir.path().join(name);
        write_inventory(&path, &records).unwrap();
        let back = read_inventory(&path, None).unwrap();
        assert!(back.rejected.is_empty(), "{name}: {:?}", back.rejected);
        assert_eq!(
            back.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![2, 3, 4],
            "{name}"
        );
        assert_eq!(
            back.rows.into_iter().map(|r| r.record).collect::<Vec<_>>(),
            records,
            "{name}"
        );
    }
    // CSV files get a BOM for Excel.
    let bytes = std::fs::read(dir.path().join("out.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBForg,system,"));
    // An empty inventory writes a header that reads back as no rows.
    let path = dir.path().join("empty.xlsx");
    write_inventory(&path, &[]).unwrap();
    assert_eq!(
        read_inventory(&path, None).unwrap(),
        InventoryFile::default()
    );
}

#[test]
fn unwritable_formats() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["x.xls", "x.ods", "x.XLSB"] {
        let e = write_inventory(&dir.path().join(name), &[sparse_record()]).unwrap_err();
        assert!(matches!(e, FileError::UnsupportedFormat(_)), "{name}: {e}");
        assert!(!dir.path().join(name).exists());
    }
    let e = write_inventory(&dir.path().join("no/such/dir.csv"), &[]).unwrap_err();
    assert!(matches!(e, FileError::Io { .. }), "{e}");
}

#[test]
fn bad_attribute_names_are_refused_on_export() {
    for key in ["org", "Địa chỉ IP", "x (model)", " padded", ""] {
        let mut r = sparse_record();
        r.attributes.insert(key.to_owned(), "v".to_owned());
        let e = write_inventory_csv(Vec::new(), &[r]).unwrap_err();
        assert!(matches!(e, FileError::BadAttribute { .. }), "{key:?}: {e}");
    }
}

#[test]
fn json_dates_are_iso() {
    let r = full_record();
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["installed_on"], "2023-08-15");
    assert_eq!(json["cert_conformity_date"], "2024-12-31");
    assert_eq!(json["ip"], "10.1.2.3");
    assert_eq!(json["brand"], "HiLook");
    let back: CameraRecord = serde_json::from_value(json).unwrap();
    assert_eq!(back, r);
    let minimal: CameraRecord =
        serde_json::from_str(r#"{"org":"A","vendor":"B","model":"C"}"#).unwrap();
    assert_eq!(minimal.installed_on, None);
    assert!(serde_json::from_str::<CameraRecord>(r#"{"installed_on":"31/02/2024"}"#).is_err());
}

/// Vietnamese letters, listed: a range such as `À-ỹ` also holds white space (U+1680) and
/// other marks that a trimming reader rightly changes.
const VI: &str =
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚĂƠƯ";

fn value() -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!(
        "[=+@'A-Za-z0-9{VI}-][A-Za-z0-9{VI} ,;\"'\n()./:=+@-]{{0,18}}[A-Za-z0-9{VI})]"
    ))
    .expect("value regex")
}

fn attribute_key() -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("attr [a-z{VI}]{{1,6}}")).expect("key regex")
}

fn opt_value() -> impl Strategy<Value = Option<String>> {
    prop::option::of(value())
}

fn opt_date() -> impl Strategy<Value = Option<Date>> {
    prop::option::of((1890i32..2100, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| date(y, m, d)))
}

prop_compose! {
    fn record()(
        org in value(), system in opt_value(), vendor in value(), brand in opt_value(),
        model in value(), firmware in opt_value(), serial in opt_value(),
        mac in prop::option::of(any::<[u8; 6]>()),
        ip in prop::option::of(any::<IpAddr>()),
        location in opt_value(), installed_on in opt_date(),
        certs in (opt_value(), opt_value(), opt_value(), opt_value(), opt_value()),
        cert_conformity_date in opt_date(),
        attributes in prop::collection::btree_map(attribute_key(), value(), 0..3),
    ) -> CameraRecord {
        CameraRecord {
            org, system, vendor, brand, model, firmware, serial,
            mac: mac.map(|b| b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(":")),
            ip, location, installed_on,
            cert_origin: certs.0, cert_quality: certs.1, cert_conformity: certs.2,
            cert_conformity_standard: certs.3, cert_conformity_body: certs.4,
            cert_conformity_date, attributes,
        }
    }
}

proptest! {
    #[test]
    fn csv_round_trip(records in prop::collection::vec(record(), 0..6)) {
        let mut out = Vec::new();
        write_inventory_csv(&mut out, &records).unwrap();
        let back = read_inventory_csv(out.as_slice(), None).unwrap();
        prop_assert!(back.rejected.is_empty(), "{:?}", back.rejected);
        prop_assert_eq!(back.rows.into_iter().map(|r| r.record).collect::<Vec<_>>(), records);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn xlsx_round_trip(records in prop::collection::vec(record(), 1..6)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.xlsx");
        write_inventory(&path, &records).unwrap();
        let back = read_inventory(&path, None).unwrap();
        prop_assert!(back.rejected.is_empty(), "{:?}", back.rejected);
        prop_assert_eq!(back.rows.into_iter().map(|r| r.record).collect::<Vec<_>>(), records);
    }
}

#[test]
fn many_rows() {
    let rows = if cfg!(debug_assertions) {
        20_000
    } else {
        100_000
    };
    let mut text = String::from("Đơn vị;Hãng;Model;Số serial;MAC;Địa chỉ IP;Ngày lắp đặt;Vị trí\n");
    for i in 0..rows {
        text.push_str(&format!(
            "Sở {};Hikvision;DS-2CD2143G2-I;SN{i:08};aa:bb:cc:{:02x}:{:02x}:{:02x};10.{}.{}.{};15/08/2023;Tầng {}\n",
            i % 7,
            (i >> 16) & 0xff,
            (i >> 8) & 0xff,
            i & 0xff,
            (i >> 16) & 0xff,
            (i >> 8) & 0xff,
            i & 0xff,
            i % 20
        ));
    }
    let start = std::time::Instant::now();
    let f = read_inventory_csv(text.as_bytes(), None).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(f.rows.len(), rows);
    assert!(f.rejected.is_empty());
    assert_eq!(f.rows.last().unwrap().line, rows + 1);
    if !cfg!(debug_assertions) {
        assert!(
            elapsed < std::time::Duration::from_millis(800),
            "{elapsed:?}"
        );
    }
}

/// `seral` and `ip_addr` used to become custom attributes: a camera without its serial or
/// address, imported without a word.
#[test]
fn misspelled_columns_are_refused_with_the_right_name() {
    let text = "org,vendor,model,seral,ip_addr,Ngay lap dt\nA,Axis,M1,SN1,10.0.0.1,01/02/2024\n";
    match csv_err(text) {
        FileError::MisspelledColumns { misspelled } => {
            let got: Vec<(&str, &str)> = misspelled
                .iter()
                .map(|m| (m.header.as_str(), m.key.as_str()))
                .collect();
            assert_eq!(
                got,
                [
                    ("seral", "serial"),
                    ("ip_addr", "ip"),
                    ("Ngay lap dt", "installed_on")
                ]
            );
        }
        e => panic!("{e}"),
    }
    let message = csv_err("org,vendor,modle\nA,B,C\n").to_string();
    assert_eq!(
        message,
        "column \"modle\" is not an inventory column, did you mean model?: rename it to \
         the column name (a column of your own needs a name not this close to one)"
    );
    // A column of the user's own, even close to a column the file already has, is kept with
    // a warning on the header line; so are short names (`id` is not `ip`).
    let f = csv("Danh sách camera\norg,vendor,model,serial,ghi_chu,id,serial 2\nA,B,C,S1,x,7,S2\n");
    assert!(f.rejected.is_empty());
    assert_eq!(f.rows[0].record.attributes["ghi_chu"], "x");
    assert_eq!(f.rows[0].record.attributes["id"], "7");
    let warnings: Vec<(usize, &str)> = f
        .warnings
        .iter()
        .map(|w| (w.line, w.warning.as_str()))
        .collect();
    assert_eq!(
        warnings,
        [
            (
                2,
                "column \"ghi_chu\" is not an inventory column; its values are kept as a custom attribute"
            ),
            (
                2,
                "column \"id\" is not an inventory column; its values are kept as a custom attribute"
            ),
            (
                2,
                "column \"serial 2\" is not an inventory column; its values are kept as a custom attribute"
            ),
        ]
    );
}

/// Rows are matched to registered cameras by serial, else MAC: a row with neither is added
/// again on every import, and says so.
#[test]
fn rows_that_cannot_be_matched_on_reimport_are_warned() {
    let f = csv(
        "org,vendor,model,serial,mac,ip\nA,B,C,S1,,\nA,B,C,,aa:bb:cc:dd:ee:ff,\nA,B,C,,,10.0.0.9\n",
    );
    assert_eq!(lines(&f), [2, 3, 4]);
    let warnings: Vec<(usize, &str)> = f
        .warnings
        .iter()
        .map(|w| (w.line, w.warning.as_str()))
        .collect();
    assert_eq!(warnings, [(4, UNMATCHABLE)]);
}
