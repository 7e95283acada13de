public import YidanCore

/// The versions of an order's filings. An amendment files a new version of a
/// filing (purpose `amend`) whose `supersedes` names the version before it,
/// so each filing kind forms a chain: declare → amend → amend … History keeps
/// every version with its receipts; the order's status and its later changes
/// (cancel, return, the next amendment) look at the latest versions only.
public enum FilingVersions {
    /// Ids of the filings a later version replaced.
    public static func supersededIDs(_ filings: [FilingRecord]) -> Set<String> {
        Set(filings.filter { $0.purpose == .amend }.compactMap(\.supersedes))
    }

    /// Every filing but the versions an amendment replaced, in the given order.
    /// Cancels, returns and reversals are not versions and always stay.
    public static func latest(_ filings: [FilingRecord]) -> [FilingRecord] {
        let superseded = supersededIDs(filings)
        return filings.filter { !superseded.contains($0.id) }
    }

    /// The latest version of a declared kind (the first filing of `kind`
    /// declared or amended and replaced by none), or nil when none was filed.
    public static func latest(_ kind: MessageKind, in filings: [FilingRecord]) -> FilingRecord? {
        let superseded = supersededIDs(filings)
        return filings.last { $0.kind == kind && ($0.purpose == .declare || $0.purpose == .amend) && !superseded.contains($0.id) }
    }

    /// 1 for the first declaration, 2 for its first amendment, …: how many
    /// `supersedes` links lead back from this filing to a declaration.
    public static func version(of filing: FilingRecord, in filings: [FilingRecord]) -> Int {
        let byID = Dictionary(filings.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var version = 1
        var current = filing
        while current.purpose == .amend, let earlier = current.supersedes.flatMap({ byID[$0] }), version <= filings.count {
            version += 1
            current = earlier
        }
        return version
    }
}
