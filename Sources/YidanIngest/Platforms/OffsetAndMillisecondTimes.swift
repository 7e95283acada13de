import Foundation
import YidanCore

/// Two time notations of the Southeast Asian marketplaces that neither RFC
/// 3339 nor Unix seconds cover (`time: space-offset`, `time: unix-ms` in a
/// platform mapping file).
extension ValueConversion {
    /// `2014-10-15 18:36:05 +0800`: date, a space, time, a space and a ±HHMM
    /// offset (Lazada GetOrder `created_at`). RFC 3339 text
    /// (`2018-02-09T22:44:30+08:00`, Lazada GetOrders) is accepted as well,
    /// because the same field arrives in both notations depending on the call.
    static func parseSpaceOffsetTime(_ text: String) -> ZonedDateTime? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        if parts.count == 1 { return ZonedDateTime(iso8601: text) }
        guard parts.count == 3, parts[0].utf8.count == 10, parts[1].utf8.count == 8 else { return nil }
        let zone = Array(parts[2].utf8)
        guard zone.count == 5, zone[0] == UInt8(ascii: "+") || zone[0] == UInt8(ascii: "-"),
              zone.dropFirst().allSatisfy(ASCIIClass.digit)
        else { return nil }
        let offset = String(parts[2].prefix(3)) + ":" + String(parts[2].suffix(2))
        return ZonedDateTime(iso8601: "\(parts[0])T\(parts[1])\(offset)")
    }

    /// Milliseconds since 1970-01-01T00:00:00Z (Lazada GetOrderItems
    /// `payment_time`, `"1697193374592"`). CEB times have whole seconds: the
    /// milliseconds are dropped (integer division, no binary floating point).
    static func parseUnixMillisecondsTime(_ text: String) -> ZonedDateTime? {
        guard !text.isEmpty, text.utf8.count <= 15, text.utf8.allSatisfy(ASCIIClass.digit), let milliseconds = Int(text) else {
            return nil
        }
        return ZonedDateTime(instant: Date(timeIntervalSince1970: TimeInterval(milliseconds / 1000)), utcOffsetSeconds: 0)
    }
}
