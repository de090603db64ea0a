//! Money on the wire: prices are integers in the currency's minor unit, as ISO 4217
//! defines it. The table is Hudong's own, not the browser's, so a price means the same
//! amount in every WebView and on the server.

/// Decimal places of a currency's minor unit (ISO 4217).
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_follow_iso_4217() {
        assert_eq!(minor_digits("CNY"), 2);
        assert_eq!(minor_digits("IDR"), 2);
        assert_eq!(minor_digits("JPY"), 0);
        assert_eq!(minor_digits("VND"), 0);
        assert_eq!(minor_digits("KWD"), 3);
    }
}
