//! Reference data: the portal's processes and the municipalities of Kanton Aargau.
//!
//! Process 7310 is the documentation's; the other ids are this sandbox's choice
//! (spec/NOTES.md). Municipality ids count from 1 in alphabetical order, as the
//! documentation's sample (`munid: 1`, Aarau) suggests; they are fixed, so a
//! municipality keeps its id when more are added (at the end).

/// A portal process that third-party software handles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProcessInfo {
    /// `processId`.
    pub id: u64,
    /// `processName`, as the portal spells it.
    pub name: &'static str,
    /// The fee in CHF that the citizen pays (`amount`).
    pub fee: f64,
}

/// `processId` of "Hauptwohnsitzbescheinigung bestellen" (documented).
pub const RESIDENCE_CERTIFICATE: u64 = 7310;
/// `processId` of "Adressauskunft bestellen" (the address query).
pub const ADDRESS_QUERY: u64 = 7313;

/// The five processes.
pub const PROCESSES: [ProcessInfo; 5] = [
    ProcessInfo {
        id: RESIDENCE_CERTIFICATE,
        name: "Hauptwohnsitzbescheinigung bestellen",
        fee: 20.0,
    },
    ProcessInfo {
        id: 7311,
        name: "Leumundszeugnis bestellen",
        fee: 25.0,
    },
    ProcessInfo {
        id: 7312,
        name: "Heimatausweis bestellen",
        fee: 20.0,
    },
    ProcessInfo {
        id: ADDRESS_QUERY,
        name: "Adressauskunft bestellen",
        fee: 20.0,
    },
    // The documentation's spelling (sic).
    ProcessInfo {
        id: 7314,
        name: "Wahlfähigkeisausweis bestellen",
        fee: 20.0,
    },
];

/// The process with this id.
pub fn process(id: u64) -> Option<&'static ProcessInfo> {
    PROCESSES.iter().find(|p| p.id == id)
}

/// The process whose id is written as the decimal string `id`.
pub fn process_by_str(id: &str) -> Option<&'static ProcessInfo> {
    id.parse().ok().and_then(process)
}

/// Municipalities of Kanton Aargau (among them the twenty largest), by id - 1.
pub const MUNICIPALITIES: [&str; 60] = [
    "Aarau",
    "Aarburg",
    "Baden",
    "Bergdietikon",
    "Berikon",
    "Birr",
    "Bremgarten",
    "Brugg",
    "Buchs",
    "Dottikon",
    "Döttingen",
    "Ehrendingen",
    "Ennetbaden",
    "Fislisbach",
    "Frick",
    "Gränichen",
    "Hägglingen",
    "Hunzenschwil",
    "Kaiseraugst",
    "Killwangen",
    "Klingnau",
    "Kölliken",
    "Laufenburg",
    "Lenzburg",
    "Magden",
    "Mellingen",
    "Menziken",
    "Möhlin",
    "Möriken-Wildegg",
    "Muri",
    "Neuenhof",
    "Niederlenz",
    "Oberentfelden",
    "Oberrohrdorf",
    "Obersiggenthal",
    "Oftringen",
    "Reinach",
    "Rheinfelden",
    "Rothrist",
    "Rudolfstetten-Friedlisberg",
    "Safenwil",
    "Schöftland",
    "Seon",
    "Sins",
    "Spreitenbach",
    "Stein",
    "Strengelbach",
    "Suhr",
    "Unterentfelden",
    "Untersiggenthal",
    "Villmergen",
    "Wettingen",
    "Widen",
    "Windisch",
    "Wohlen",
    "Würenlingen",
    "Würenlos",
    "Zofingen",
    "Zufikon",
    "Zurzach",
];

/// The name of the real municipality with this id.
pub fn municipality(id: u64) -> Option<&'static str> {
    usize::try_from(id)
        .ok()
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| MUNICIPALITIES.get(i).copied())
}

/// The name the sandbox gives an application's test municipality.
pub fn test_municipality_name(app_name: &str) -> String {
    format!("Testgemeinde {app_name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_ids_hold() {
        assert_eq!(
            process(7310).unwrap().name,
            "Hauptwohnsitzbescheinigung bestellen"
        );
        assert_eq!(municipality(1), Some("Aarau"));
        assert_eq!(municipality(0), None);
        assert_eq!(municipality(61), None);
        assert_eq!(process_by_str("7313").unwrap().id, ADDRESS_QUERY);
        let mut ids: Vec<u64> = PROCESSES.iter().map(|p| p.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), 5);
    }
}
