//! Sizes and counts of a ZIP-based workbook, checked before calamine decompresses anything.
