//! Cells a spreadsheet would run as formulas.
